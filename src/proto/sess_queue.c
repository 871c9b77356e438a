/* Bounded FIFO of owned buffers. A popped buffer stays valid until the next pop (or free),
 * so the loop can send it without copying. */
#include "proto/sess_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sess_queue_init(struct sess_queue *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -ENOMEM;
	q->cap = cap;
	return 0;
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
	if (q->count == q->cap) {
		free(data);
		return -ENOBUFS;
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
	if (q->count == q->cap)
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
