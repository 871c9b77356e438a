/* A bounded FIFO of whole packets (internal to the userspace device). Not locked: the owner
 * (user.c) holds its device lock around every call. */
#ifndef BURROW_VIF_PKTQ_H
#define BURROW_VIF_PKTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vif_pkt;

struct vif_pktq {
	struct vif_pkt **ring;
	unsigned cap;		/* packets */
	unsigned head;		/* index of the oldest packet */
	unsigned count;
};

int vif_pktq_init(struct vif_pktq *q, unsigned cap);
/* Frees every queued packet; returns how many there were (for the dropped counters). */
unsigned vif_pktq_clear(struct vif_pktq *q);
void vif_pktq_fini(struct vif_pktq *q);

static inline bool vif_pktq_empty(const struct vif_pktq *q) { return q->count == 0; }
static inline bool vif_pktq_full(const struct vif_pktq *q) { return q->count >= q->cap; }

/* A packet is copied into its own allocation outside any lock, then linked in under it. */
struct vif_pkt *vif_pkt_new(const void *data, size_t len);
void vif_pkt_free(struct vif_pkt *pkt);
size_t vif_pkt_len(const struct vif_pkt *pkt);

/* Takes ownership of pkt; the caller checked !vif_pktq_full(). */
void vif_pktq_push(struct vif_pktq *q, struct vif_pkt *pkt);
/* Copies the oldest packet into buf and frees it. -EMSGSIZE (packet stays) if len is short;
 * the caller checked !vif_pktq_empty(). */
ssize_t vif_pktq_pop(struct vif_pktq *q, void *buf, size_t len);

#endif
