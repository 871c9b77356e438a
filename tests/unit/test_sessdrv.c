/* The session driver (core/sessdrv.c) on a real event loop with real sessions: the pump
 * moves wire packets and events, the session's own timer is armed, a detach inside a
 * callback stops everything, drops are reported once, the handshake deadline and the
 * keepalive ping / ping-restart / ping-exit fire through on_timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/loop.h"
#include "core/sessdrv.h"
#include "tests/unit/sess_sim.h"

static struct sim_pki pki;

#define MAX_Q 256

/* One side: its driver, its session, the packets it sent (delivered by the test). */
struct side {
	struct sessdrv drv;
	struct sess *s;
	struct side *peer;
	uint8_t q[MAX_Q][2048];
	size_t qlen[MAX_Q], nq;
	int sent, keys, timeouts[SESSDRV_TO_N], events;
	uint64_t drops;
	bool detach_on_event;
};

static void side_send(void *ctx, const uint8_t *pkt, size_t len)
{
	struct side *x = ctx;

	x->sent++;
	if (x->nq < MAX_Q && len <= sizeof(x->q[0])) {
		memcpy(x->q[x->nq], pkt, len);
		x->qlen[x->nq++] = len;
	}
}

static void side_tun(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)pkt;
	(void)len;
}

static void side_event(void *ctx, const struct sess_event *ev)
{
	struct side *x = ctx;

	x->events++;
	if (x->detach_on_event)
		sessdrv_detach(&x->drv);
	else if (ev->type == SESS_EV_AUTH_REQUEST)
		sess_auth_reply(x->s, true, NULL, loop_clock_ms());
	else if (ev->type == SESS_EV_KEYS_READY)
		x->keys++;
}

static void side_timeout(void *ctx, enum sessdrv_timeout why)
{
	struct side *x = ctx;

	x->timeouts[why]++;
	sessdrv_detach(&x->drv);
}

static void side_drops(void *ctx, uint64_t n)
{
	((struct side *)ctx)->drops += n;
}

static const struct sessdrv_ops ops = {
	.send_wire = side_send,
	.write_tun = side_tun,
	.on_event = side_event,
	.on_timeout = side_timeout,
	.on_drops = side_drops,
};

static struct side *side_new(struct loop *lp, enum sess_role role)
{
	struct side *x = calloc(1, sizeof(*x));
	struct sess_conf c;

	assert_non_null(x);
	memset(&c, 0, sizeof(c));
	c.role = role;
	c.tls = role == SESS_SERVER ? pki.server : pki.client;
	c.reneg_sec = SESS_RENEG_OFF;
	x->s = sess_new(&c, loop_clock_ms());
	assert_non_null(x->s);
	sessdrv_init(&x->drv, lp, &ops, x);
	sessdrv_attach(&x->drv, x->s);
	return x;
}

static void side_free(struct side *x)
{
	sessdrv_detach(&x->drv);
	sess_free(x->s);
	free(x);
}

/* Delivers what each side sent to the other, until both are quiet. */
static void exchange(struct side *a, struct side *b)
{
	for (int round = 0; round < 200 && (a->nq || b->nq); round++) {
		struct side *from = a->nq ? a : b, *to = from == a ? b : a;
		size_t n = from->nq;

		from->nq = 0;
		for (size_t i = 0; i < n; i++)
			sessdrv_input(&to->drv, from->q[i], from->qlen[i]);
	}
}

static void test_pump_and_session_timer(void **state)
{
	struct loop *lp;
	struct side *c;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	c = side_new(lp, SESS_CLIENT);
	sessdrv_pump(&c->drv);
	assert_true(c->sent >= 1);	/* the client's hard reset */
	assert_true(loop_timer_armed(&c->drv.t_sess));	/* its retransmit */
	sessdrv_detach(&c->drv);
	assert_false(loop_timer_armed(&c->drv.t_sess));
	assert_null(c->drv.sess);
	sessdrv_pump(&c->drv);		/* detached: nothing happens */
	side_free(c);
	loop_free(lp);
}

static void test_handshake_keepalive_ping(void **state)
{
	struct loop *lp;
	struct side *c, *s;
	uint64_t end;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	c = side_new(lp, SESS_CLIENT);
	s = side_new(lp, SESS_SERVER);
	sessdrv_pump(&c->drv);
	for (int i = 0; i < 50 && (!c->keys || !s->keys); i++) {
		exchange(c, s);
		loop_run_once(lp, 10);
	}
	assert_int_equal(c->keys, 1);
	assert_int_equal(s->keys, 1);
	/* the server pings only with keys (it has them), after 1 s of sending nothing */
	struct sessdrv_keep k = { .ping_s = 1, .since_ms = loop_clock_ms(),
				  .flags = SESSDRV_PING_KEYED };
	sessdrv_keepalive(&s->drv, &k);
	end = loop_clock_ms() + 1500;
	while (loop_clock_ms() < end && !sess_get_stats(s->s)->pings_tx)
		loop_run_once(lp, 100);
	assert_true(sess_get_stats(s->s)->pings_tx >= 1);
	assert_true(loop_timer_armed(&s->drv.t_keep));	/* the next ping */
	exchange(c, s);
	assert_true(sess_get_stats(c->s)->pings_rx >= 1);

	/* inactive 1: tunnel packets keep the client going, pings do not */
	sessdrv_keepalive(&c->drv, &(struct sessdrv_keep){ .inactive_s = 1,
							   .since_ms = loop_clock_ms() });
	end = loop_clock_ms() + 1600;
	while (loop_clock_ms() < end) {
		static const uint8_t ip[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17 };

		assert_int_equal(sess_send_data(c->s, ip, sizeof(ip), loop_clock_ms()), 0);
		sessdrv_pump(&c->drv);
		exchange(c, s);
		loop_run_once(lp, 200);
	}
	assert_int_equal(c->timeouts[SESSDRV_TO_INACTIVE], 0);
	end = loop_clock_ms() + 3000;
	while (c->drv.sess && loop_clock_ms() < end) {
		exchange(c, s);		/* the server's pings arrive: not tunnel traffic */
		loop_run_once(lp, 100);
	}
	assert_int_equal(c->timeouts[SESSDRV_TO_INACTIVE], 1);
	side_free(c);
	side_free(s);
	loop_free(lp);
}

static void test_detach_in_event_stops_pump(void **state)
{
	struct loop *lp;
	struct side *c, *s;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	c = side_new(lp, SESS_CLIENT);
	s = side_new(lp, SESS_SERVER);
	s->detach_on_event = true;
	sessdrv_pump(&c->drv);
	for (int i = 0; i < 20 && !s->events; i++)
		exchange(c, s);
	assert_int_equal(s->events, 1);	/* the first event detached: no second one */
	assert_null(s->drv.sess);
	assert_false(loop_timer_armed(&s->drv.t_sess));
	side_free(c);
	side_free(s);
	loop_free(lp);
}

static void test_drops_reported(void **state)
{
	static const uint8_t junk[3] = { 0xff, 1, 2 };
	struct loop *lp;
	struct side *s;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	s = side_new(lp, SESS_SERVER);
	sessdrv_input(&s->drv, junk, sizeof(junk));
	sessdrv_input(&s->drv, junk, 0);
	assert_int_equal(s->drops, 2);
	assert_int_equal(sessdrv_drops(&s->drv), 2);
	side_free(s);
	loop_free(lp);
}

static void run_until_timeout(struct loop *lp, struct side *x, uint64_t limit_ms)
{
	uint64_t end = loop_clock_ms() + limit_ms;

	while (x->drv.sess && loop_clock_ms() < end)
		loop_run_once(lp, 50);
}

static void test_deadline_and_silence(void **state)
{
	struct loop *lp;
	struct side *c;
	uint64_t t0;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	c = side_new(lp, SESS_CLIENT);
	sessdrv_deadline_in(&c->drv, 30);
	run_until_timeout(lp, c, 2000);
	assert_int_equal(c->timeouts[SESSDRV_TO_HANDSHAKE], 1);
	sessdrv_attach(&c->drv, c->s);
	t0 = loop_clock_ms();
	sessdrv_deadline_in(&c->drv, 30);	/* keepalive replaces the handshake deadline */
	sessdrv_keepalive(&c->drv, &(struct sessdrv_keep){ .restart_s = 1, .since_ms = t0 });
	assert_false(loop_timer_armed(&c->drv.t_hand));
	run_until_timeout(lp, c, 3000);
	assert_int_equal(c->timeouts[SESSDRV_TO_HANDSHAKE], 1);
	assert_int_equal(c->timeouts[SESSDRV_TO_PING_RESTART], 1);
	assert_true(loop_clock_ms() - t0 >= 1000);
	/* ping-exit comes first when it is the shorter one */
	sessdrv_attach(&c->drv, c->s);
	sessdrv_keepalive(&c->drv, &(struct sessdrv_keep){ .restart_s = 5, .exit_s = 1,
							   .since_ms = loop_clock_ms() });
	run_until_timeout(lp, c, 3000);
	assert_int_equal(c->timeouts[SESSDRV_TO_PING_EXIT], 1);
	assert_int_equal(c->timeouts[SESSDRV_TO_PING_RESTART], 1);
	side_free(c);
	loop_free(lp);
}

static int setup(void **state)
{
	(void)state;
	return sim_pki_make(&pki) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	sim_pki_free(&pki);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pump_and_session_timer),
		cmocka_unit_test(test_handshake_keepalive_ping),
		cmocka_unit_test(test_detach_in_event_stops_pump),
		cmocka_unit_test(test_drops_reported),
		cmocka_unit_test(test_deadline_and_silence),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
