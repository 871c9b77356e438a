/* The bounded packet FIFO: a ring of pointers, one allocation per packet. One allocation per
 * packet keeps an idle device cheap (thousands of devices), and the copy happens outside the
 * device lock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vif/pktq.h"

struct vif_pkt {
	size_t len;
	unsigned char data[];
};

struct vif_pkt *vif_pkt_new(const void *data, size_t len)
{
	struct vif_pkt *pkt = malloc(sizeof(*pkt) + len);

	if (!pkt)
		return NULL;
	pkt->len = len;
	memcpy(pkt->data, data, len);
	return pkt;
}

void vif_pkt_free(struct vif_pkt *pkt)
{
	free(pkt);
}

size_t vif_pkt_len(const struct vif_pkt *pkt)
{
	return pkt->len;
}

int vif_pktq_init(struct vif_pktq *q, unsigned cap)
{
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -ENOMEM;
	q->cap = cap;
	q->head = 0;
	q->count = 0;
	return 0;
}

unsigned vif_pktq_clear(struct vif_pktq *q)
{
	unsigned n = q->count;

	while (q->count) {
		free(q->ring[q->head]);
		q->ring[q->head] = NULL;
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
	q->head = 0;
	return n;
}

void vif_pktq_fini(struct vif_pktq *q)
{
	if (!q->ring)
		return;
	vif_pktq_clear(q);
	free(q->ring);
	q->ring = NULL;
}

void vif_pktq_push(struct vif_pktq *q, struct vif_pkt *pkt)
{
	q->ring[(q->head + q->count) % q->cap] = pkt;
	q->count++;
}

struct vif_pkt *vif_pktq_take(struct vif_pktq *q, size_t len)
{
	struct vif_pkt *pkt = q->ring[q->head];

	if (len < pkt->len)
		return NULL;
	q->ring[q->head] = NULL;
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return pkt;
}

size_t vif_pkt_copy_free(struct vif_pkt *pkt, void *buf)
{
	size_t n = pkt->len;

	memcpy(buf, pkt->data, n);
	free(pkt);
	return n;
}
