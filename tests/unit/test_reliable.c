/* Reliability layer (spec §3, §3.1): windows, backoff, ACK lists, fragmentation, and two
 * endpoints over a seeded lossy/reordering/duplicating channel. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/packet.h"
#include "proto/reliable.h"

static struct rel_send *new_send(void)
{
	struct rel_send *s = malloc(sizeof(*s));

	assert_non_null(s);
	rel_send_init(s, 0);
	return s;
}

static struct rel_recv *new_recv(void)
{
	struct rel_recv *r = malloc(sizeof(*r));

	assert_non_null(r);
	rel_recv_init(r);
	return r;
}

static void test_send_window(void **state)
{
	struct rel_send *s = new_send();
	uint32_t id;

	(void)state;
	assert_true(rel_send_idle(s));
	assert_int_equal(rel_send_space(s), 6);
	for (uint32_t i = 0; i < 6; i++) {
		assert_int_equal(rel_send_queue(s, P_CONTROL_V1, (const uint8_t *)"x", 1, 0, &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(rel_send_space(s), 0);
	assert_int_equal(rel_send_queue(s, P_CONTROL_V1, NULL, 0, 0, &id), -EAGAIN);
	/* ACKing 1..5 does not open the window: 6 - oldest(0) is still 6. */
	for (uint32_t i = 1; i < 6; i++)
		assert_int_equal(rel_send_ack(s, i, 0), 1);
	assert_int_equal(rel_send_space(s), 0);
	assert_false(rel_send_idle(s));
	assert_int_equal(rel_send_ack(s, 3, 0), 0);	/* already ACKed: tolerated */
	assert_int_equal(rel_send_ack(s, 77, 0), 0);	/* never sent */
	assert_int_equal(rel_send_ack(s, 0, 0), 1);
	assert_int_equal(rel_send_space(s), 6);
	assert_true(rel_send_idle(s));
	assert_int_equal(rel_send_queue(s, P_CONTROL_V1, NULL, 0, 0, &id), 0);
	assert_int_equal(id, 6);
	assert_int_equal(rel_send_set_next(s, 1), -EBUSY);
	assert_int_equal(rel_send_queue(s, P_CONTROL_V1, NULL, REL_PAYLOAD_MAX + 1, 0, NULL),
			 -EMSGSIZE);
	rel_send_free(s);
	free(s);

	s = new_send();
	assert_int_equal(rel_send_set_next(s, 1), 0);	/* stateless server accept */
	assert_int_equal(rel_send_queue(s, P_CONTROL_V1, NULL, 0, 0, &id), 0);
	assert_int_equal(id, 1);
	rel_send_free(s);
	free(s);
}

static void test_backoff(void **state)
{
	struct rel_send *s = new_send();
	const struct rel_pkt *p;
	const uint64_t t0 = 1000;
	static const uint64_t at[] = { 0, 2000, 6000, 14000, 30000, 46000, 62000 };

	(void)state;
	assert_int_equal(rel_next_timeout(s), UINT64_MAX);
	assert_int_equal(rel_send_queue(s, P_CONTROL_HARD_RESET_CLIENT_V2, NULL, 0, t0, NULL), 0);
	assert_int_equal(rel_next_timeout(s), t0);
	/* 2, 4, 8, 16 s, then capped at 16 s. */
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		if (at[i])
			assert_null(rel_send_due(s, t0 + at[i] - 1));
		p = rel_send_due(s, t0 + at[i]);
		assert_non_null(p);
		assert_int_equal(p->msgid, 0);
		assert_int_equal(p->op, P_CONTROL_HARD_RESET_CLIENT_V2);
		assert_int_equal(p->n_sent, i + 1);
		assert_null(rel_send_due(s, t0 + at[i]));
		if (i + 1 < sizeof(at) / sizeof(at[0]))
			assert_int_equal(rel_next_timeout(s), t0 + at[i + 1]);
	}
	assert_int_equal(s->n_retransmits, 6);
	/* The client's burst on the first server packet (§4.3). */
	rel_send_all_due(s, t0 + 62001);
	assert_non_null(rel_send_due(s, t0 + 62001));
	rel_send_free(s);
	free(s);

	s = new_send();
	rel_send_init(s, 500);	/* custom tls-timeout */
	rel_send_queue(s, P_CONTROL_V1, NULL, 0, 0, NULL);
	assert_non_null(rel_send_due(s, 0));
	assert_int_equal(rel_next_timeout(s), 500);
	rel_send_free(s);
	free(s);
}

static void test_due_order_and_fast_retransmit(void **state)
{
	struct rel_send *s = new_send();
	const struct rel_pkt *p;

	(void)state;
	for (int i = 0; i < 4; i++)
		rel_send_queue(s, P_CONTROL_V1, (const uint8_t *)"abcd", (size_t)i + 1, 10, NULL);
	for (uint32_t i = 0; i < 4; i++) {
		p = rel_send_due(s, 10);
		assert_non_null(p);
		assert_int_equal(p->msgid, i);	/* oldest first */
		assert_int_equal(p->len, i + 1);
		assert_memory_equal(p->payload, "abcd", i + 1);
	}
	assert_null(rel_send_due(s, 10));
	/* 0 lost: three ACKs for later ids make it due at once (§3 fast retransmit). */
	rel_send_ack(s, 1, 20);
	rel_send_ack(s, 2, 20);
	assert_null(rel_send_due(s, 20));
	rel_send_ack(s, 3, 20);
	p = rel_send_due(s, 20);
	assert_non_null(p);
	assert_int_equal(p->msgid, 0);
	assert_int_equal(p->n_sent, 2);
	rel_send_free(s);
	free(s);
}

static void test_stream_fragmentation(void **state)
{
	struct rel_send *s = new_send();
	uint8_t data[10000];
	const struct rel_pkt *p;
	size_t off = 0;
	long n;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	n = rel_send_queue_stream(s, P_CONTROL_V1, data, sizeof(data), 1000, 0);
	assert_int_equal(n, 6000);	/* window of 6 */
	while ((p = rel_send_due(s, 0)) != NULL) {
		assert_int_equal(p->len, 1000);
		assert_memory_equal(p->payload, data + off, 1000);
		off += p->len;
		rel_send_ack(s, p->msgid, 0);
	}
	n = rel_send_queue_stream(s, P_CONTROL_V1, data + 6000, 4000 - 1, 1000, 0);
	assert_int_equal(n, 3999);
	for (int i = 0; i < 3; i++)
		assert_int_equal(rel_send_due(s, 0)->len, 1000);
	assert_int_equal(rel_send_due(s, 0)->len, 999);
	assert_int_equal(rel_send_queue_stream(s, P_CONTROL_V1, data, 1, 0, 0), -EINVAL);
	assert_int_equal(rel_send_queue_stream(s, P_CONTROL_V1, data, 1, REL_PAYLOAD_MAX + 1, 0),
			 -EINVAL);
	rel_send_free(s);
	free(s);
}

static void test_max_payload(void **state)
{
	(void)state;
	/* tls-crypt (budget 56), one piggy-backed ACK, IPv4: 1140 B of TLS, i.e. the 1206-byte
	 * control packets observed in §3.1 (1 + 8 + 40 + 1 + 4 + 8 + 4 + 1140). */
	assert_int_equal(rel_max_payload(1250, 1, 56, false, 0), 1140);
	assert_int_equal(rel_max_payload(0, 1, 56, false, 0), 1140);
	assert_int_equal(rel_max_payload(1250, 9, 0, false, 0), 1250 - (22 + 16 + 28));
	assert_int_equal(rel_max_payload(1250, 0, 28, true, 0), 1250 - (22 + 28 + 48));
	assert_int_equal(rel_max_payload(1250, 0, 56, false, 299),
			 rel_max_payload(1250, 0, 56, false, 0) - 299);
	assert_int_equal(rel_max_payload(154, 4, 56, true, 0), 12);
	assert_int_equal(rel_max_payload(142, 4, 56, true, 0), 0);
	assert_int_equal(rel_max_payload(9000, 0, 0, false, 0), 2048 - 50);
}

static void test_recv_order_and_window(void **state)
{
	struct rel_recv *r = new_recv();
	const struct rel_msg *m;
	uint32_t acks[8];

	(void)state;
	assert_null(rel_recv_peek(r));
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 2, (const uint8_t *)"c", 1), REL_NEW);
	assert_null(rel_recv_peek(r));	/* 0 and 1 missing */
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 1, (const uint8_t *)"b", 1), REL_NEW);
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 1, (const uint8_t *)"b", 1), REL_DUP);
	/* Receive window: next(0) + 11 is the last id accepted; + 12 is dropped unACKed. */
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 11, NULL, 0), REL_NEW);
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 12, NULL, 0), -ERANGE);
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 0xFFFFFFF0u, NULL, 0), -ERANGE);
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 3, NULL, REL_PAYLOAD_MAX + 1),
			 -EMSGSIZE);
	assert_int_equal(rel_ack_pending(r), 3);	/* 2, 1, 11 (the DUP 1 once) */
	assert_int_equal(rel_recv_accept(r, P_CONTROL_HARD_RESET_SERVER_V2, 0, NULL, 0), REL_NEW);
	m = rel_recv_peek(r);
	assert_non_null(m);
	assert_int_equal(m->msgid, 0);
	assert_int_equal(m->op, P_CONTROL_HARD_RESET_SERVER_V2);
	rel_recv_pop(r);
	m = rel_recv_peek(r);
	assert_memory_equal(m->payload, "b", 1);
	rel_recv_pop(r);
	m = rel_recv_peek(r);
	assert_memory_equal(m->payload, "c", 1);
	rel_recv_pop(r);
	assert_null(rel_recv_peek(r));
	rel_recv_pop(r);	/* nothing to pop: no effect */
	assert_int_equal(r->next, 3);
	/* An already delivered id is ACKed again (repairs a lost ACK). */
	assert_int_equal(rel_ack_build(r, acks, 8), 4);
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 1, NULL, 0), REL_DUP);
	assert_int_equal(rel_ack_pending(r), 1);
	/* Now the window is [3, 15). */
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 14, NULL, 0), REL_NEW);
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 15, NULL, 0), -ERANGE);
	assert_int_equal(rel_recv_set_next(r, 1), -EBUSY);
	rel_recv_free(r);
	free(r);

	r = new_recv();
	assert_int_equal(rel_recv_set_next(r, 1), 0);
	assert_int_equal(rel_recv_accept(r, P_CONTROL_V1, 1, NULL, 0), REL_NEW);
	assert_non_null(rel_recv_peek(r));
	rel_recv_free(r);
	free(r);
}

/* ACK lists grow like 2.6's: [0], [1,0], [2,1,0] …, at most 8 (4 piggy-backed). */
static void test_ack_lists(void **state)
{
	struct rel_recv *r = new_recv();
	uint32_t acks[8];
	size_t n;

	(void)state;
	rel_recv_accept(r, P_CONTROL_V1, 0, NULL, 0);
	assert_int_equal(rel_ack_build(r, acks, 8), 1);
	assert_int_equal(acks[0], 0);
	assert_int_equal(rel_ack_pending(r), 0);
	rel_recv_accept(r, P_CONTROL_V1, 1, NULL, 0);
	assert_int_equal(rel_ack_build(r, acks, 8), 2);
	assert_int_equal(acks[0], 1);
	assert_int_equal(acks[1], 0);
	rel_recv_accept(r, P_CONTROL_V1, 2, NULL, 0);
	assert_int_equal(rel_ack_build(r, acks, 4), 3);
	assert_int_equal(acks[0], 2);
	assert_int_equal(acks[1], 1);
	assert_int_equal(acks[2], 0);
	/* Ten pending: a piggy-back takes 4, a P_ACK_V1 up to 8, the rest waits. */
	for (uint32_t i = 3; i < 13; i++) {
		if (i >= r->next + REL_RECV_WINDOW) {
			while (rel_recv_peek(r))
				rel_recv_pop(r);
		}
		assert_true(rel_recv_accept(r, P_CONTROL_V1, i, NULL, 0) >= 0);
	}
	assert_int_equal(rel_ack_pending(r), 10);
	n = rel_ack_build(r, acks, 4);
	assert_int_equal(n, 4);
	assert_int_equal(acks[0], 3);
	assert_int_equal(acks[3], 6);
	n = rel_ack_build(r, acks, 20);	/* capped at 8 */
	assert_int_equal(n, 8);
	assert_int_equal(acks[0], 7);
	assert_int_equal(acks[5], 12);
	assert_int_equal(acks[6], 6);	/* MRU fill: newest first, no repeats */
	assert_int_equal(acks[7], 5);
	assert_int_equal(rel_ack_pending(r), 0);
	/* Without MRU re-sending only pending ACKs go out. */
	r->resend_mru = false;
	assert_int_equal(rel_ack_build(r, acks, 8), 0);
	rel_recv_free(r);
	free(r);
}

/* ---- two endpoints over a bad channel ---- */

#define SIM_MSGS 300
#define SIM_MAX_INFLIGHT 4096

struct sim_pkt {
	int dst;
	uint64_t at;
	uint8_t op;
	uint32_t msgid;
	size_t n_acks;
	uint32_t acks[8];
	size_t len;
	uint8_t payload[64];
};

struct sim_end {
	struct rel_send send;
	struct rel_recv recv;
	uint32_t queued, delivered;	/* messages generated / received in order */
};

struct sim {
	struct sim_end end[2];
	struct sim_pkt *fly;
	size_t n_fly;
	uint32_t rng;
	uint64_t sent, lost, duped;
};

static uint32_t rnd(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

/* Message k of a direction: its length and bytes are a function of k. */
static size_t msg_make(int from, uint32_t k, uint8_t *out)
{
	size_t len = 1 + (k * 7 + (uint32_t)from) % 60;

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(k + i * 3 + (size_t)from * 101);
	return len;
}

/* 20 % loss, 10 % duplication, 0..400 ms delay (reordering). */
static void channel_put(struct sim *s, const struct sim_pkt *p, uint64_t now)
{
	int copies = 1;

	s->sent++;
	if (rnd(s) % 100 < 20) {
		s->lost++;
		return;
	}
	if (rnd(s) % 100 < 10) {
		s->duped++;
		copies = 2;
	}
	for (int c = 0; c < copies && s->n_fly < SIM_MAX_INFLIGHT; c++) {
		s->fly[s->n_fly] = *p;
		s->fly[s->n_fly].at = now + rnd(s) % 400;
		s->n_fly++;
	}
}

static void end_transmit(struct sim *s, int i, uint64_t now)
{
	struct sim_end *e = &s->end[i];
	const struct rel_pkt *rp;
	struct sim_pkt p;
	bool sent = false;
	uint8_t buf[64];

	while (e->queued < SIM_MSGS && rel_send_space(&e->send) > 0) {
		size_t len = msg_make(i, e->queued, buf);

		assert_int_equal(rel_send_queue(&e->send, P_CONTROL_V1, buf, len, now, NULL), 0);
		e->queued++;
	}
	while ((rp = rel_send_due(&e->send, now)) != NULL) {
		memset(&p, 0, sizeof(p));
		p.dst = !i;
		p.op = rp->op;
		p.msgid = rp->msgid;
		p.len = rp->len;
		memcpy(p.payload, rp->payload, rp->len);
		p.n_acks = rel_ack_build(&e->recv, p.acks, REL_ACK_PIGGYBACK);
		channel_put(s, &p, now);
		sent = true;
	}
	if (!sent && rel_ack_pending(&e->recv)) {
		memset(&p, 0, sizeof(p));
		p.dst = !i;
		p.op = P_ACK_V1;
		p.n_acks = rel_ack_build(&e->recv, p.acks, REL_ACK_MAX);
		channel_put(s, &p, now);
	}
}

static void end_receive(struct sim *s, const struct sim_pkt *p, uint64_t now)
{
	struct sim_end *e = &s->end[p->dst];
	const struct rel_msg *m;
	uint8_t want[64];

	for (size_t i = 0; i < p->n_acks; i++)
		rel_send_ack(&e->send, p->acks[i], now);
	if (p->op == P_ACK_V1)
		return;
	rel_recv_accept(&e->recv, p->op, p->msgid, p->payload, p->len);
	while ((m = rel_recv_peek(&e->recv)) != NULL) {
		size_t len = msg_make(!p->dst, e->delivered, want);

		/* Exactly the next message, once, in order. */
		assert_int_equal(m->msgid, e->delivered);
		assert_int_equal(m->len, len);
		assert_memory_equal(m->payload, want, len);
		e->delivered++;
		rel_recv_pop(&e->recv);
	}
}

static void run_sim(uint32_t seed)
{
	struct sim *s = calloc(1, sizeof(*s));
	uint64_t now = 0;
	int steps = 0;

	assert_non_null(s);
	s->fly = calloc(SIM_MAX_INFLIGHT, sizeof(*s->fly));
	assert_non_null(s->fly);
	s->rng = seed;
	for (int i = 0; i < 2; i++) {
		rel_send_init(&s->end[i].send, 0);
		rel_recv_init(&s->end[i].recv);
	}
	/* 10 ms ticks, bounded: at most 20 simulated minutes. */
	for (; steps < 120000; steps++, now += 10) {
		if (s->end[0].delivered == SIM_MSGS && s->end[1].delivered == SIM_MSGS &&
		    rel_send_idle(&s->end[0].send) && rel_send_idle(&s->end[1].send))
			break;
		for (size_t k = 0; k < s->n_fly;) {
			if (s->fly[k].at > now) {
				k++;
				continue;
			}
			struct sim_pkt p = s->fly[k];

			s->fly[k] = s->fly[--s->n_fly];
			end_receive(s, &p, now);
		}
		end_transmit(s, 0, now);
		end_transmit(s, 1, now);
	}
	assert_int_equal(s->end[0].delivered, SIM_MSGS);
	assert_int_equal(s->end[1].delivered, SIM_MSGS);
	assert_true(rel_send_idle(&s->end[0].send) && rel_send_idle(&s->end[1].send));
	print_message("seed %08x: %d ticks, %llu sent, %llu lost, %llu duplicated, "
		      "%llu retransmits\n", seed, steps, (unsigned long long)s->sent,
		      (unsigned long long)s->lost, (unsigned long long)s->duped,
		      (unsigned long long)(s->end[0].send.n_retransmits +
					   s->end[1].send.n_retransmits));
	assert_true(s->lost > 0 && s->duped > 0);
	assert_true(s->end[0].send.n_retransmits > 0);
	for (int i = 0; i < 2; i++) {
		rel_send_free(&s->end[i].send);
		rel_recv_free(&s->end[i].recv);
	}
	free(s->fly);
	free(s);
}

static void test_lossy_channel(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 8; seed++)
		run_sim(seed * 2654435761u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_window),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_due_order_and_fast_retransmit),
		cmocka_unit_test(test_stream_fragmentation),
		cmocka_unit_test(test_max_payload),
		cmocka_unit_test(test_recv_order_and_window),
		cmocka_unit_test(test_ack_lists),
		cmocka_unit_test(test_lossy_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
