/* Device names of the userspace backend: a growing hash map (no fixed small table) plus the
 * "tun%d" template rule. Not locked: user.c holds its registry lock around every call. */
#ifndef BURROW_VIF_NAMEMAP_H
#define BURROW_VIF_NAMEMAP_H

#include <stddef.h>

#include "vif/vif.h"

/* Embedded in the object that has the name (intrusive: no allocation on insert). */
struct vif_nm_node {
	struct vif_nm_node *next;
	char name[VIF_NAME_MAX];
};

struct vif_namemap {
	struct vif_nm_node **buckets;
	size_t nbuckets;	/* a power of two, or 0 before the first insert */
	size_t count;
};

struct vif_nm_node *vif_nm_find(const struct vif_namemap *m, const char *name);
/* node->name must be set. -EEXIST if taken, -ENOMEM if the first table cannot be allocated
 * (a failed later growth only makes chains longer). */
int vif_nm_insert(struct vif_namemap *m, struct vif_nm_node *node);
void vif_nm_remove(struct vif_namemap *m, struct vif_nm_node *node);
/* Writes the template's lowest free expansion into out. -ENFILE if it would not fit in
 * VIF_NAME_LEN, -ENOMEM. */
int vif_nm_expand(const struct vif_namemap *m, const char *tmpl, char *out, size_t n);
void vif_nm_fini(struct vif_namemap *m);

#endif
