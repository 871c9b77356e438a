/* A bounded FIFO of whole packets (internal to the userspace device). Not locked: the owner
 * (user.c) holds its device lock around every call. */
#ifndef BURROW_VIF_PKTQ_H
#define BURROW_VIF_PKTQ_H

#include <stdbool.h>
#include <stddef.h>

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
/* Unlinks the oldest packet if it fits in len (so the copy can happen outside the lock);
 * NULL if it does not fit (it stays). The caller checked !vif_pktq_empty(). */
struct vif_pkt *vif_pktq_take(struct vif_pktq *q, size_t len);
/* Copies a taken packet out and frees it; returns its length. */
size_t vif_pkt_copy_free(struct vif_pkt *pkt, void *buf);

#endif
