/* Bounded FIFO of owned buffers. A popped buffer stays valid until the next pop (or free),
 * so the loop can send it without copying. */
#include "proto/sess_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SESS_QUEUE_FIRST 8	/* ring entries at first */

int sess_queue_init(struct sess_queue *q, size_t cap)
{
	size_t first = cap < SESS_QUEUE_FIRST ? cap : SESS_QUEUE_FIRST;

	memset(q, 0, sizeof(*q));
	if (!cap)
		return -EINVAL;
	q->ring = calloc(first, sizeof(*q->ring));
	if (!q->ring)
		return -ENOMEM;
	q->cap = first;
	q->max = cap;
	return 0;
}

int sess_ring_grow(void *ring_ptr, size_t size, size_t *cap, size_t *head, size_t count,
		   size_t max)
{
	size_t ncap = *cap * 2 < max ? *cap * 2 : max;
	uint8_t *old, *ring;

	if (*cap >= max)
		return -ENOBUFS;
	ring = calloc(ncap, size);
	if (!ring)
		return -ENOMEM;
	memcpy(&old, ring_ptr, sizeof(old));
	for (size_t i = 0; i < count; i++)
		memcpy(ring + i * size, old + (*head + i) % *cap * size, size);
	free(old);
	memcpy(ring_ptr, &ring, sizeof(ring));
	*cap = ncap;
	*head = 0;
	return 0;
}

/* Full: doubles the ring (up to max), oldest entry first. -ENOBUFS at the bound. */
static int queue_grow(struct sess_queue *q)
{
	return sess_ring_grow(&q->ring, sizeof(*q->ring), &q->cap, &q->head, q->count, q->max);
}

void sess_queue_free(struct sess_queue *q)
{
	for (size_t i = 0; i < q->count; i++)
		free(q->ring[(q->head + i) % q->cap].data);
	free(q->ring);
	free(q->popped);
	memset(q, 0, sizeof(*q));
}

int sess_queue_push_owned(struct sess_queue *q, uint8_t *data, size_t len)
{
	int r;

	if (q->count == q->cap && (r = queue_grow(q)) < 0) {
		free(data);
		return r;
	}
	struct sess_qent *e = &q->ring[(q->head + q->count) % q->cap];
	e->data = data;
	e->len = len;
	q->count++;
	return 0;
}

int sess_queue_push2(struct sess_queue *q, const uint8_t *hdr, size_t hlen,
		     const uint8_t *body, size_t blen)
{
	if (q->count == q->max)
		return -ENOBUFS;
	/* +1 so a zero-length entry still owns a distinct allocation */
	uint8_t *buf = malloc(hlen + blen + 1);
	if (!buf)
		return -ENOMEM;
	if (hlen)
		memcpy(buf, hdr, hlen);
	if (blen)
		memcpy(buf + hlen, body, blen);
	return sess_queue_push_owned(q, buf, hlen + blen);
}

bool sess_queue_pop(struct sess_queue *q, const uint8_t **data, size_t *len)
{
	free(q->popped);
	q->popped = NULL;
	if (q->count == 0)
		return false;
	struct sess_qent *e = &q->ring[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	q->popped = e->data;
	*data = e->data;
	*len = e->len;
	return true;
}
