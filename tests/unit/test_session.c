/* Bad input to a session is dropped and counted, never crashes: wrong-direction opcodes,
 * truncation, bad session ids, unknown key_ids, out-of-state resets, data before keys,
 * tampered and replayed data, random garbage; API misuse returns errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "proto/data.h"
#include "proto/packet.h"
#include "tests/unit/sess_sim.h"

#define T0 5000000ull

static struct sim_pki pki;

static void conf(struct sess_conf *c, enum sess_role role)
{
	memset(c, 0, sizeof(*c));
	c->role = role;
	c->wrap = SESS_WRAP_NONE;
	c->tls = role == SESS_SERVER ? pki.server : pki.client;
	c->reneg_sec = SESS_RENEG_OFF;
	/* plain key_id != 0 packets below: no dynamic tls-crypt (tested in test_handshake) */
	c->no_dyn_tls_crypt = true;
}

/* Last wire packet of a, kept for replay tests. */
static uint8_t last_pkt[4096];
static size_t last_len;

static void move(struct sess *from, struct sess *to, uint64_t now)
{
	struct sess_buf b;
	while (sess_pop_wire(from, &b)) {
		if (b.len <= sizeof(last_pkt)) {
			memcpy(last_pkt, b.data, b.len);
			last_len = b.len;
		}
		if (to)
			sess_input(to, b.data, b.len, now);
	}
}

static void drain(struct sess *s, int *keys)
{
	struct sess_event e;
	while (sess_pop_event(s, &e)) {
		if (e.type == SESS_EV_AUTH_REQUEST)
			assert_int_equal(sess_auth_reply(s, true, NULL, T0), 0);
		if (e.type == SESS_EV_KEYS_READY)
			(*keys)++;
	}
}

/* Lossless, instant handshake. */
static void connect_pair(struct sess **c, struct sess **s)
{
	struct sess_conf cc, sc;
	int kc = 0, ks = 0;

	conf(&cc, SESS_CLIENT);
	conf(&sc, SESS_SERVER);
	*c = sess_new(&cc, T0);
	*s = sess_new(&sc, T0);
	assert_non_null(*c);
	assert_non_null(*s);
	for (int i = 0; i < 100 && (kc == 0 || ks == 0); i++) {
		move(*c, *s, T0);
		drain(*s, &ks);
		move(*s, *c, T0);
		drain(*c, &kc);
	}
	for (int i = 0; i < 4; i++) {	/* let the last ACKs through: both sides ACTIVE */
		move(*c, *s, T0);
		move(*s, *c, T0);
	}
	assert_int_equal(kc, 1);
	assert_int_equal(ks, 1);
}

static size_t ctl(uint8_t op, uint8_t key_id, const uint8_t *sid, const uint8_t *rsid,
		  uint8_t n_acks, uint32_t msgid, uint8_t *out, size_t cap)
{
	struct pkt_ctrl c;
	memset(&c, 0, sizeof(c));
	c.op = op;
	c.key_id = key_id;
	memcpy(c.sid, sid, 8);
	c.n_acks = n_acks;
	if (rsid)
		memcpy(c.remote_sid, rsid, 8);
	c.msgid = msgid;
	if (op == P_CONTROL_V1) {	/* TLS bytes (garbage to TLS, but well-formed here) */
		c.payload = (const uint8_t *)"\x16\x03\x03";
		c.payload_len = 3;
	}
	int n = pkt_ctrl_encode(&c, out, cap);
	assert_true(n > 0);
	return (size_t)n;
}

static void test_wrong_direction(void **state)
{
	struct sess_conf sc, cc;
	static const uint8_t sid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t p[64];
	struct sess_buf b;

	(void)state;
	conf(&sc, SESS_SERVER);
	conf(&cc, SESS_CLIENT);
	struct sess *srv = sess_new(&sc, T0), *cli = sess_new(&cc, T0);
	size_t n = ctl(P_CONTROL_HARD_RESET_SERVER_V2, 0, sid, NULL, 0, 0, p, sizeof(p));
	assert_int_equal(sess_input(srv, p, n, T0), 0);
	assert_int_equal(sess_get_stats(srv)->drop[SESS_DROP_OPCODE], 1);
	assert_false(sess_pop_wire(srv, &b));	/* no reply, no state */
	n = ctl(P_CONTROL_HARD_RESET_CLIENT_V2, 0, sid, NULL, 0, 0, p, sizeof(p));
	assert_int_equal(sess_input(cli, p, n, T0), 0);
	assert_int_equal(sess_get_stats(cli)->drop[SESS_DROP_OPCODE], 1);
	/* key-method 1 and unknown opcodes */
	p[0] = pkt_byte0(P_CONTROL_HARD_RESET_CLIENT_V1, 0);
	sess_input(srv, p, n, T0);
	p[0] = pkt_byte0(15, 0);
	sess_input(srv, p, n, T0);
	assert_int_equal(sess_get_stats(srv)->drop[SESS_DROP_OPCODE], 3);
	/* a server's first packet must be a client reset with msgid 0 */
	n = ctl(P_CONTROL_V1, 0, sid, NULL, 0, 0, p, sizeof(p));
	sess_input(srv, p, n, T0);
	n = ctl(P_CONTROL_HARD_RESET_CLIENT_V2, 0, sid, NULL, 0, 3, p, sizeof(p));
	sess_input(srv, p, n, T0);
	assert_int_equal(sess_get_stats(srv)->drop[SESS_DROP_STATE], 2);
	assert_false(sess_pop_wire(srv, &b));
	/* a client ignores a server reset that does not ACK its own reset ... */
	n = ctl(P_CONTROL_HARD_RESET_SERVER_V2, 0, sid, NULL, 0, 0, p, sizeof(p));
	sess_input(cli, p, n, T0);
	assert_int_equal(sess_get_stats(cli)->drop[SESS_DROP_STATE], 1);
	/* ... or ACKs another session, and such a forgery does not pin the peer: the real
	 * server's reset is still accepted afterwards */
	n = ctl(P_CONTROL_HARD_RESET_SERVER_V2, 0, sid, sid, 1, 0, p, sizeof(p));
	sess_input(cli, p, n, T0);
	assert_int_equal(sess_get_stats(cli)->drop[SESS_DROP_SESSION_ID], 1);
	uint8_t own[8];
	sess_own_sid(cli, own);
	while (sess_pop_wire(cli, &b))
		;	/* the client's own reset from sess_new() */
	n = ctl(P_CONTROL_HARD_RESET_SERVER_V2, 0, sid, own, 1, 0, p, sizeof(p));
	sess_input(cli, p, n, T0);
	assert_true(sess_pop_wire(cli, &b));	/* the ClientHello goes out */
	assert_int_equal(b.data[0], pkt_byte0(P_CONTROL_V1, 0));
	sess_free(srv);
	sess_free(cli);
}

static void test_truncated_and_garbage(void **state)
{
	struct sess *c, *s;
	uint8_t buf[1600];
	uint64_t rng = 42;

	(void)state;
	connect_pair(&c, &s);
	sess_input(s, buf, 0, T0);
	buf[0] = pkt_byte0(P_CONTROL_V1, 0);
	for (size_t n = 1; n < 9; n++)
		sess_input(s, buf, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_SHORT], 9);
	/* 20000 random packets of random length, biased to valid opcodes */
	for (int i = 0; i < 20000; i++) {
		size_t n = sim_rand(&rng) % sizeof(buf);
		for (size_t j = 0; j < n; j++)
			buf[j] = (uint8_t)sim_rand(&rng);
		if (n && i % 2)
			buf[0] = pkt_byte0((uint8_t)(3 + sim_rand(&rng) % 9), (uint8_t)(sim_rand(&rng) % 8));
		assert_int_equal(sess_input(i % 3 ? s : c, buf, n, T0), 0);
	}
	const struct sess_stats *st = sess_get_stats(s);
	static const enum sess_drop garbage[] = {
		SESS_DROP_SHORT, SESS_DROP_OPCODE, SESS_DROP_SESSION_ID, SESS_DROP_KEY_ID,
		SESS_DROP_DATA_NOKEY, SESS_DROP_DATA_AUTH, SESS_DROP_RELIABLE, SESS_DROP_STATE,
		SESS_DROP_UNWRAP,
	};
	uint64_t drops = 0;
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		drops += st->drop[garbage[i]];
	assert_true(drops >= 13000);
	assert_true(sess_stats_drops(st) >= drops);
	/* still works after all that */
	uint8_t ping[] = "after-garbage";
	assert_int_equal(sess_send_data(c, ping, sizeof(ping), T0), 0);
	move(c, s, T0);
	struct sess_buf b;
	assert_true(sess_pop_tun(s, &b));
	assert_memory_equal(b.data, ping, sizeof(ping));
	sess_free(c);
	sess_free(s);
}

static void test_session_ids(void **state)
{
	struct sess *c, *s;
	uint8_t p[64], csid[8], ssid[8], other[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };

	(void)state;
	connect_pair(&c, &s);
	sess_own_sid(c, csid);
	sess_own_sid(s, ssid);
	/* control packet from an unknown session */
	size_t n = ctl(P_CONTROL_V1, 0, other, ssid, 1, 50, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_SESSION_ID], 1);
	/* right sender, but ACKing someone else's session */
	n = ctl(P_ACK_V1, 0, csid, other, 1, 0, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_SESSION_ID], 2);
	/* all-zero session id */
	static const uint8_t zero[8];
	n = ctl(P_CONTROL_V1, 0, csid, NULL, 0, 9, p, sizeof(p));
	memcpy(p + 1, zero, 8);
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_SESSION_ID], 3);
	/* a new hard reset from a reconnecting client is not this session's business, but
	 * the loop can recognise it */
	n = ctl(P_CONTROL_HARD_RESET_CLIENT_V2, 0, other, NULL, 0, 0, p, sizeof(p));
	assert_true(sess_is_new_client_reset(s, p, n));
	assert_false(sess_is_new_client_reset(c, p, n));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_SESSION_ID], 4);
	n = ctl(P_CONTROL_HARD_RESET_CLIENT_V2, 0, csid, NULL, 0, 0, p, sizeof(p));
	assert_false(sess_is_new_client_reset(s, p, n));	/* a retransmission of ours */
	n = ctl(P_CONTROL_V1, 0, other, NULL, 0, 0, p, sizeof(p));
	assert_false(sess_is_new_client_reset(s, p, n));
	assert_false(sess_is_new_client_reset(s, p, 5));
	sess_free(c);
	sess_free(s);
}

static void test_key_ids_and_state(void **state)
{
	struct sess *c, *s;
	uint8_t p[64], csid[8], ssid[8];

	(void)state;
	connect_pair(&c, &s);
	sess_own_sid(c, csid);
	sess_own_sid(s, ssid);
	/* control packet on a key_id nobody negotiated */
	size_t n = ctl(P_CONTROL_V1, 3, csid, NULL, 0, 1, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_KEY_ID], 1);
	/* a soft reset needs msgid 0 and a key_id other than 0 */
	n = ctl(P_CONTROL_SOFT_RESET_V1, 5, csid, NULL, 0, 1, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_KEY_ID], 2);
	/* a hard reset on a key_id other than 0 is out of state */
	n = ctl(P_CONTROL_HARD_RESET_CLIENT_V2, 2, csid, NULL, 0, 0, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_STATE], 1);
	/* a soft reset for an unused key_id starts a renegotiation on that id (answered),
	 * even if it skips one (the peer's earlier attempt may have been lost) */
	struct sess_buf b;
	n = ctl(P_CONTROL_SOFT_RESET_V1, 2, csid, NULL, 0, 0, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_true(sess_pop_wire(s, &b));
	assert_int_equal(b.data[0], pkt_byte0(P_CONTROL_SOFT_RESET_V1, 2));
	assert_int_equal(sess_get_stats(s)->renegotiations, 1);
	/* during that renegotiation another soft reset is out of state */
	n = ctl(P_CONTROL_SOFT_RESET_V1, 3, csid, NULL, 0, 0, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_STATE], 2);
	/* data on an unknown key_id */
	uint8_t d[64] = { pkt_byte0(P_DATA_V2, 4), 0, 0, 7 };
	sess_input(s, d, sizeof(d), T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_DATA_NOKEY], 1);
	/* data packets shorter than their header */
	sess_input(s, d, 2, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_SHORT], 1);
	sess_free(c);
	sess_free(s);
}

static void test_data_before_keys(void **state)
{
	struct sess_conf cc, sc;
	uint8_t payload[32] = "too early";
	uint8_t d[64] = { pkt_byte0(P_DATA_V2, 0), 0, 0, 0 };

	(void)state;
	conf(&cc, SESS_CLIENT);
	conf(&sc, SESS_SERVER);
	struct sess *c = sess_new(&cc, T0), *s = sess_new(&sc, T0);
	assert_int_equal(sess_send_data(c, payload, sizeof(payload), T0), -EAGAIN);
	assert_false(sess_data_ready(c));
	move(c, s, T0);		/* client reset -> server */
	sess_input(s, d, sizeof(d), T0);
	d[0] = pkt_byte0(P_DATA_V1, 0);
	sess_input(c, d, sizeof(d), T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_DATA_NOKEY], 1);
	assert_int_equal(sess_get_stats(c)->drop[SESS_DROP_DATA_NOKEY], 1);
	/* soft reset before anything is established: out of state */
	uint8_t p[64], csid[8];
	sess_own_sid(c, csid);
	size_t n = ctl(P_CONTROL_SOFT_RESET_V1, 1, csid, NULL, 0, 0, p, sizeof(p));
	sess_input(s, p, n, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_STATE], 1);
	/* API misuse */
	assert_int_equal(sess_auth_reply(c, true, NULL, T0), -EINVAL);
	assert_int_equal(sess_auth_reply(s, true, NULL, T0), -EALREADY);	/* not asked yet */
	assert_int_equal(sess_renegotiate(c, T0), -EAGAIN);
	assert_null(sess_new(NULL, T0));
	struct sess_conf bad = cc;
	bad.tls = NULL;
	assert_null(sess_new(&bad, T0));
	sess_free(c);
	sess_free(s);
	sess_free(NULL);
}

static void test_tampered_and_replayed_data(void **state)
{
	struct sess *c, *s;
	uint8_t payload[100] = "hello through the tunnel";
	struct sess_buf b;

	(void)state;
	connect_pair(&c, &s);
	assert_int_equal(sess_send_data(c, payload, sizeof(payload), T0), 0);
	move(c, NULL, T0);
	uint8_t copy[4096];
	size_t len = last_len;
	memcpy(copy, last_pkt, len);
	assert_int_equal(sess_input(s, copy, len, T0), 0);
	assert_true(sess_pop_tun(s, &b));
	assert_int_equal(b.len, sizeof(payload));
	/* the same packet again: replay */
	sess_input(s, copy, len, T0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_DATA_REPLAY], 1);
	assert_false(sess_pop_tun(s, &b));
	/* every single bit flipped somewhere after the header: authentication fails */
	for (size_t i = 4; i < len; i++) {
		copy[i] ^= 0x01;
		sess_input(s, copy, len, T0);
		copy[i] ^= 0x01;
	}
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_DATA_AUTH] + sess_get_stats(s)->drop[SESS_DROP_DATA_REPLAY],
			 len - 4 + 1);
	assert_false(sess_pop_tun(s, &b));
	/* truncations */
	for (size_t n = 1; n < len; n++)
		sess_input(s, copy, n, T0);
	assert_false(sess_pop_tun(s, &b));
	/* the server's data reaches the client; pings are not tunnel traffic */
	assert_int_equal(sess_send_ping(s, T0), 0);
	move(s, c, T0);
	assert_false(sess_pop_tun(c, &b));
	assert_int_equal(sess_get_stats(c)->pings_rx, 1);
	sess_free(c);
	sess_free(s);
}

/* A renegotiation the peer never answers times out; the old key carries on. */
static void test_reneg_timeout_keeps_old_key(void **state)
{
	struct sess *c, *s;
	uint8_t payload[40] = "still flowing";
	struct sess_buf b;

	(void)state;
	connect_pair(&c, &s);
	assert_int_equal(sess_renegotiate(c, T0), 0);
	move(c, NULL, T0);	/* the soft reset is lost ... */
	for (uint64_t t = T0; t <= T0 + 61000; t += 500) {
		sess_timer(c, t);
		move(c, NULL, t);	/* ... and so is every retransmission */
	}
	struct sess_event e;
	while (sess_pop_event(c, &e))
		assert_int_not_equal(e.type, SESS_EV_ERROR);
	assert_true(sess_data_ready(c));
	assert_int_equal(sess_send_data(c, payload, sizeof(payload), T0 + 61000), 0);
	move(c, s, T0 + 61000);
	assert_true(sess_pop_tun(s, &b));
	struct sess_info ci;
	sess_get_info(c, &ci);
	assert_int_equal(ci.send_key_id, 0);
	/* the next renegotiation uses key_id 2; the server, which never saw 1, follows */
	uint64_t t = T0 + 62000;
	int kc = 0, ks = 0;
	assert_int_equal(sess_renegotiate(c, t), 0);
	for (int i = 0; i < 50 && (kc == 0 || ks == 0); i++) {
		move(c, s, t);
		drain(s, &ks);
		move(s, c, t);
		drain(c, &kc);
	}
	for (int i = 0; i < 4; i++) {
		move(c, s, t);
		move(s, c, t);
	}
	assert_int_equal(kc, 1);
	assert_int_equal(ks, 1);
	sess_get_info(c, &ci);
	assert_int_equal(ci.send_key_id, 0);	/* the peer may not have key 2 installed yet */
	assert_int_equal(ci.n_keys, 2);		/* key 0 stays as the lame duck */
	t += 1000;				/* ... until the grace time passed */
	sess_timer(c, t);
	sess_get_info(c, &ci);
	assert_int_equal(ci.send_key_id, 2);
	assert_int_equal(sess_send_data(c, payload, sizeof(payload), t), 0);
	move(c, s, t);
	assert_true(sess_pop_tun(s, &b));
	sess_free(c);
	sess_free(s);
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

/* Drop reasons are data: every reason has a distinct name and the sum covers them all. */
static void test_drop_names_and_sum(void **state)
{
	struct sess_stats st;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (int i = 0; i < SESS_DROP_N; i++) {
		const char *n = sess_drop_name((enum sess_drop)i);

		assert_non_null(n);
		assert_true(strlen(n) > 0 && strcmp(n, "?") != 0);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, sess_drop_name((enum sess_drop)j));
		st.drop[i] = (uint64_t)i + 1;
	}
	assert_string_equal(sess_drop_name(SESS_DROP_DATA_AUTH), "data_auth");
	assert_string_equal(sess_drop_name(SESS_DROP_N), "?");
	assert_int_equal(sess_stats_drops(&st), SESS_DROP_N * (SESS_DROP_N + 1) / 2);
}

/* The session tells data from control by opcode itself; unknown opcodes are one reason. */
static void test_demux_by_opcode(void **state)
{
	struct sess_conf sc;
	uint8_t pkt[32] = { 0 };

	(void)state;
	conf(&sc, SESS_SERVER);
	struct sess *s = sess_new(&sc, T0);
	assert_non_null(s);
	assert_int_equal(sess_input(s, pkt, 0, T0), 0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_SHORT], 1);
	pkt[0] = pkt_byte0(P_DATA_V2, 0);
	assert_int_equal(sess_input(s, pkt, sizeof(pkt), T0), 0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_DATA_NOKEY], 1);
	pkt[0] = pkt_byte0(P_CONTROL_HARD_RESET_CLIENT_V1, 0);
	assert_int_equal(sess_input(s, pkt, sizeof(pkt), T0), 0);
	pkt[0] = pkt_byte0(31, 0);
	assert_int_equal(sess_input(s, pkt, sizeof(pkt), T0), 0);
	assert_int_equal(sess_get_stats(s)->drop[SESS_DROP_OPCODE], 2);
	assert_int_equal(sess_stats_drops(sess_get_stats(s)), 4);
	sess_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_direction),
		cmocka_unit_test(test_truncated_and_garbage),
		cmocka_unit_test(test_session_ids),
		cmocka_unit_test(test_key_ids_and_state),
		cmocka_unit_test(test_data_before_keys),
		cmocka_unit_test(test_tampered_and_replayed_data),
		cmocka_unit_test(test_reneg_timeout_keeps_old_key),
		cmocka_unit_test(test_drop_names_and_sum),
		cmocka_unit_test(test_demux_by_opcode),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
