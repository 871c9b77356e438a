/* Control-channel reliability layer (spec §3, §3.1). */
#include "proto/reliable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/packet.h"

/* Modular comparison: ids are u32 and, in theory, wrap. */
static bool id_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

void rel_send_init(struct rel_send *s, uint32_t timeout_ms)
{
	memset(s, 0, sizeof(*s));
	s->timeout_ms = timeout_ms ? timeout_ms : REL_TIMEOUT_MS;
	s->timeout_max_ms = REL_TIMEOUT_MAX_MS;
	if (s->timeout_max_ms < s->timeout_ms)
		s->timeout_max_ms = s->timeout_ms;
}

void rel_send_free(struct rel_send *s)
{
	for (size_t i = 0; i < REL_SEND_WINDOW; i++) {
		free(s->slot[i].payload);
		s->slot[i].payload = NULL;
		s->slot[i].used = false;
	}
}

/* A heap copy of len bytes (NULL for 0); false when out of memory. */
static bool dup_payload(uint8_t **out, const uint8_t *payload, size_t len)
{
	*out = NULL;
	if (!len)
		return true;
	*out = malloc(len);
	if (!*out)
		return false;
	memcpy(*out, payload, len);
	return true;
}

int rel_send_set_next(struct rel_send *s, uint32_t msgid)
{
	if (!rel_send_idle(s))
		return -EBUSY;
	s->next_msgid = msgid;
	return 0;
}

bool rel_send_idle(const struct rel_send *s)
{
	for (size_t i = 0; i < REL_SEND_WINDOW; i++)
		if (s->slot[i].used)
			return false;
	return true;
}

/* The oldest un-ACKed msgid, or next_msgid when nothing is outstanding. */
static uint32_t oldest_unacked(const struct rel_send *s)
{
	uint32_t oldest = s->next_msgid;

	for (size_t i = 0; i < REL_SEND_WINDOW; i++)
		if (s->slot[i].used && id_before(s->slot[i].msgid, oldest))
			oldest = s->slot[i].msgid;
	return oldest;
}

size_t rel_send_space(const struct rel_send *s)
{
	uint32_t used = s->next_msgid - oldest_unacked(s);

	return used >= REL_SEND_WINDOW ? 0 : REL_SEND_WINDOW - used;
}

int rel_send_queue(struct rel_send *s, uint8_t op, const uint8_t *payload, size_t len,
		   uint64_t now_ms, uint32_t *msgid)
{
	struct rel_pkt *p;

	if (len > REL_PAYLOAD_MAX || (len && !payload))
		return -EMSGSIZE;
	if (rel_send_space(s) == 0)
		return -EAGAIN;
	p = &s->slot[s->next_msgid % REL_SEND_WINDOW];
	free(p->payload);	/* NULL: a free slot holds no buffer */
	memset(p, 0, sizeof(*p));
	if (!dup_payload(&p->payload, payload, len))
		return -ENOMEM;
	p->used = true;
	p->op = op;
	p->msgid = s->next_msgid++;
	p->due_ms = now_ms;
	p->timeout_ms = s->timeout_ms;
	p->len = len;
	if (msgid)
		*msgid = p->msgid;
	return 0;
}

long rel_send_queue_stream(struct rel_send *s, uint8_t op, const uint8_t *data, size_t len,
			   size_t max_payload, uint64_t now_ms)
{
	size_t done = 0;

	if (max_payload == 0 || max_payload > REL_PAYLOAD_MAX)
		return -EINVAL;
	while (done < len && rel_send_space(s) > 0) {
		size_t n = len - done < max_payload ? len - done : max_payload;

		if (rel_send_queue(s, op, data + done, n, now_ms, NULL) < 0)
			break;
		done += n;
	}
	return (long)done;
}

const struct rel_pkt *rel_send_due(struct rel_send *s, uint64_t now_ms)
{
	struct rel_pkt *best = NULL;

	for (size_t i = 0; i < REL_SEND_WINDOW; i++) {
		struct rel_pkt *p = &s->slot[i];

		if (!p->used || p->due_ms > now_ms)
			continue;
		if (!best || id_before(p->msgid, best->msgid))
			best = p;
	}
	if (!best)
		return NULL;
	if (best->n_sent)
		s->n_retransmits++;
	best->n_sent++;
	best->n_later_acks = 0;
	best->due_ms = now_ms + best->timeout_ms;
	/* Exponential backoff, capped (§3: 2, 4, 8 … s). */
	best->timeout_ms = best->timeout_ms >= s->timeout_max_ms / 2 ? s->timeout_max_ms
								     : best->timeout_ms * 2;
	return best;
}

void rel_send_all_due(struct rel_send *s, uint64_t now_ms)
{
	for (size_t i = 0; i < REL_SEND_WINDOW; i++)
		if (s->slot[i].used && s->slot[i].due_ms > now_ms)
			s->slot[i].due_ms = now_ms;
}

int rel_send_ack(struct rel_send *s, uint32_t msgid, uint64_t now_ms)
{
	struct rel_pkt *p = &s->slot[msgid % REL_SEND_WINDOW];

	if (!p->used || p->msgid != msgid)
		return 0;
	p->used = false;
	free(p->payload);
	p->payload = NULL;
	/* Fast retransmit: older packets passed over by several later ACKs were likely lost. */
	for (size_t i = 0; i < REL_SEND_WINDOW; i++) {
		struct rel_pkt *o = &s->slot[i];

		if (!o->used || !id_before(o->msgid, msgid) || o->n_sent == 0)
			continue;
		if (++o->n_later_acks >= REL_FAST_RETRANSMIT && o->due_ms > now_ms) {
			o->due_ms = now_ms;
			o->n_later_acks = 0;
		}
	}
	return 1;
}

uint64_t rel_next_timeout(const struct rel_send *s)
{
	uint64_t t = UINT64_MAX;

	for (size_t i = 0; i < REL_SEND_WINDOW; i++)
		if (s->slot[i].used && s->slot[i].due_ms < t)
			t = s->slot[i].due_ms;
	return t;
}

void rel_recv_init(struct rel_recv *r)
{
	memset(r, 0, sizeof(*r));
	r->resend_mru = true;
}

void rel_recv_free(struct rel_recv *r)
{
	for (size_t i = 0; i < REL_RECV_WINDOW; i++) {
		free(r->slot[i].payload);
		r->slot[i].payload = NULL;
		r->slot[i].used = false;
	}
}

int rel_recv_set_next(struct rel_recv *r, uint32_t msgid)
{
	for (size_t i = 0; i < REL_RECV_WINDOW; i++)
		if (r->slot[i].used)
			return -EBUSY;
	r->next = msgid;
	return 0;
}

static void ack_queue(struct rel_recv *r, uint32_t msgid)
{
	for (size_t i = 0; i < r->n_pending; i++)
		if (r->pending[i] == msgid)
			return;
	if (r->n_pending == REL_ACK_QUEUE) {
		/* Full (only under a flood of duplicates): drop the oldest; MRU re-sending and
		 * the peer's retransmission repair it. */
		memmove(r->pending, r->pending + 1, (REL_ACK_QUEUE - 1) * sizeof(uint32_t));
		r->n_pending--;
	}
	r->pending[r->n_pending++] = msgid;
}

int rel_recv_accept(struct rel_recv *r, uint8_t op, uint32_t msgid, const uint8_t *payload,
		    size_t len)
{
	struct rel_msg *m;

	if (len > REL_PAYLOAD_MAX || (len && !payload))
		return -EMSGSIZE;
	if (msgid < r->next && r->next - msgid <= REL_RECV_WINDOW + REL_SEND_WINDOW) {
		/* Already delivered: re-ACK so a lost ACK gets repaired; only ids the peer could
		 * still be retransmitting (it never sends below its own window). */
		r->n_dup++;
		ack_queue(r, msgid);
		return REL_DUP;
	}
	if (msgid - r->next >= REL_RECV_WINDOW) {
		r->n_out_of_window++;
		return -ERANGE;
	}
	m = &r->slot[msgid % REL_RECV_WINDOW];
	if (m->used) {
		ack_queue(r, msgid);
		r->n_dup++;
		return REL_DUP;
	}
	free(m->payload);	/* NULL: a free slot holds no buffer */
	if (!dup_payload(&m->payload, payload, len))
		return -ENOMEM;	/* not ACKed: the peer sends it again */
	ack_queue(r, msgid);
	m->used = true;
	m->op = op;
	m->msgid = msgid;
	m->len = len;
	return REL_NEW;
}

const struct rel_msg *rel_recv_peek(const struct rel_recv *r)
{
	const struct rel_msg *m = &r->slot[r->next % REL_RECV_WINDOW];

	return (m->used && m->msgid == r->next) ? m : NULL;
}

void rel_recv_pop(struct rel_recv *r)
{
	struct rel_msg *m = &r->slot[r->next % REL_RECV_WINDOW];

	if (!m->used || m->msgid != r->next)
		return;
	m->used = false;
	free(m->payload);
	m->payload = NULL;
	r->next++;
}

size_t rel_ack_pending(const struct rel_recv *r)
{
	return r->n_pending;
}

static void mru_push(struct rel_recv *r, uint32_t msgid)
{
	size_t i;

	for (i = 0; i < r->n_mru; i++)
		if (r->mru[i] == msgid)
			break;
	if (i == r->n_mru && r->n_mru < REL_ACK_MRU)
		r->n_mru++;
	if (i == r->n_mru)
		i = r->n_mru - 1;
	memmove(r->mru + 1, r->mru, i * sizeof(uint32_t));
	r->mru[0] = msgid;
}

static bool in_list(const uint32_t *list, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

size_t rel_ack_build(struct rel_recv *r, uint32_t *acks, size_t max)
{
	size_t n = 0, take;

	if (max > REL_ACK_MAX)
		max = REL_ACK_MAX;
	take = r->n_pending < max ? r->n_pending : max;
	for (size_t i = 0; i < take; i++) {
		acks[n++] = r->pending[i];
		mru_push(r, r->pending[i]);
	}
	memmove(r->pending, r->pending + take, (r->n_pending - take) * sizeof(uint32_t));
	r->n_pending -= take;
	if (!r->resend_mru)
		return n;
	for (size_t i = 0; i < r->n_mru && n < max; i++)
		if (!in_list(acks, n, r->mru[i]))
			acks[n++] = r->mru[i];
	return n;
}

size_t rel_max_payload(size_t tls_mtu, size_t n_acks, size_t wrap_overhead, bool ipv6,
		       size_t extra)
{
	size_t mtu = tls_mtu ? tls_mtu : REL_TLS_MTU_DEFAULT;
	size_t hdr;

	if (mtu > 2048)
		mtu = 2048;
	if (n_acks > REL_ACK_PIGGYBACK)
		n_acks = REL_ACK_PIGGYBACK;
	hdr = 1 + PKT_SID_LEN + 1 + 4 * n_acks + PKT_SID_LEN + 4 + wrap_overhead +
	      (ipv6 ? 48 : 28) + extra;
	if (hdr >= mtu)
		return 0;
	mtu -= hdr;
	return mtu > REL_PAYLOAD_MAX ? REL_PAYLOAD_MAX : mtu;
}
