/* Bounded FIFO queues of owned byte buffers: the session's output to the loop.
 * Internal to the session (sess_ prefix, not part of session.h). */
#ifndef BURROW_PROTO_SESS_QUEUE_H
#define BURROW_PROTO_SESS_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sess_qent {
	uint8_t *data;
	size_t len;
};

struct sess_queue {
	struct sess_qent *ring;
	size_t cap, head, count;
	size_t max;		/* the bound; the ring starts small and doubles up to it */
	uint8_t *popped;	/* the last popped buffer; freed on the next pop or on free */
};

/* At most cap entries; memory for them is taken as they are used (a server holds hundreds
 * of mostly idle sessions). */
int sess_queue_init(struct sess_queue *q, size_t cap);
void sess_queue_free(struct sess_queue *q);
/* Copies len bytes (hdr first, then body; either may be empty). -ENOBUFS when full. */
int sess_queue_push2(struct sess_queue *q, const uint8_t *hdr, size_t hlen,
		     const uint8_t *body, size_t blen);
/* Takes ownership of a malloc'd buffer (freed on error too). */
int sess_queue_push_owned(struct sess_queue *q, uint8_t *data, size_t len);
bool sess_queue_pop(struct sess_queue *q, const uint8_t **data, size_t *len);

/* A full ring of `count` elements of `size` bytes, the oldest at *head of *cap slots, whose
 * array pointer is at ring_ptr (e.g. &q->ring): doubles it up to max slots, oldest first.
 * 0, -ENOBUFS at the bound, -ENOMEM. Used by the queues and the session's event ring. */
int sess_ring_grow(void *ring_ptr, size_t size, size_t *cap, size_t *head, size_t count,
		   size_t max);

#endif
