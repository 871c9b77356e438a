/* The UDP server's stateless cookie (§4.2): deterministic replies, time slots, binding to
 * the peer address and client session id, the 2.6.16 id rules, and no per-client state
 * (a second context with the same secret accepts what the first one answered). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/rand.h>

#include "proto/cookie.h"
#include "proto/packet.h"
#include "proto/wrap.h"

#define UNIX0 1700000000u
#define SLOT_MS 30000ull	/* hand-window 60 -> 30 s slots */

static const uint8_t secret[COOKIE_SECRET_LEN] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
static const uint8_t peer_a[16] = { 2, 0, 0x12, 0x34, 127, 0, 0, 1 };
static const uint8_t peer_b[16] = { 2, 0, 0x12, 0x35, 127, 0, 0, 1 };
static const uint8_t csid[8] = { 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8 };
static uint8_t tc_key[256];

static void server_conf(struct sess_conf *c, enum sess_wrap wrap)
{
	memset(c, 0, sizeof(*c));
	c->role = SESS_SERVER;
	c->wrap = wrap;
	memcpy(c->wrap_key, tc_key, sizeof(tc_key));
}

/* A client-side wrapped control packet. */
static size_t client_pkt(struct wrap_ctx *w, uint8_t op, uint8_t key_id, const uint8_t *rsid,
			 const uint32_t *acks, uint8_t n_acks, uint32_t msgid, uint8_t *out,
			 size_t cap)
{
	uint8_t plain[256];
	struct pkt_ctrl c;

	memset(&c, 0, sizeof(c));
	c.op = op;
	c.key_id = key_id;
	memcpy(c.sid, csid, 8);
	c.n_acks = n_acks;
	for (unsigned i = 0; i < n_acks; i++)
		c.acks[i] = acks[i];
	if (rsid)
		memcpy(c.remote_sid, rsid, 8);
	c.msgid = msgid;
	int n = pkt_ctrl_encode(&c, plain, sizeof(plain));
	assert_true(n > 0);
	int m = wrap_encode(w, plain, (size_t)n, UNIX0, out, cap);
	assert_true(m > 0);
	return (size_t)m;
}

static size_t client_reset(struct wrap_ctx *w, uint8_t *out, size_t cap)
{
	return client_pkt(w, P_CONTROL_HARD_RESET_CLIENT_V2, 0, NULL, NULL, 0, 0, out, cap);
}

/* Unwraps the reply as the client would and returns the server session id. */
static void check_reply(struct wrap_ctx *cw, const uint8_t *reply, size_t len, uint8_t ssid[8])
{
	uint8_t plain[256];
	struct pkt_ctrl c;
	int n = wrap_decode(cw, reply, len, UNIX0, plain, sizeof(plain));

	assert_true(n > 0);
	assert_int_equal(pkt_ctrl_decode(plain, (size_t)n, &c), 0);
	assert_int_equal(c.op, P_CONTROL_HARD_RESET_SERVER_V2);
	assert_int_equal(c.key_id, 0);
	assert_int_equal(c.n_acks, 1);
	assert_int_equal(c.acks[0], 0);
	assert_memory_equal(c.remote_sid, csid, 8);
	assert_int_equal(c.msgid, 0);
	assert_int_equal(c.payload_len, 0);
	if (cw->mode != WRAP_NONE)	/* the stateless reply is wrap packet-id 1 */
		assert_int_equal(cw->last_rx_pid, 1);
	memcpy(ssid, c.sid, 8);
}

static enum cookie_verdict check(const struct cookie_ctx *k, const uint8_t *peer, uint64_t now,
				 const uint8_t *p, size_t len, uint8_t *reply, size_t *rlen,
				 struct cookie_accept *acc, enum cookie_drop *why)
{
	return cookie_check(k, peer, 16, now, UNIX0, p, len, reply, rlen, acc, why);
}

static void test_reply_deterministic(void **state)
{
	struct sess_conf sc;
	struct wrap_ctx cw;
	uint8_t pkt[256], r1[COOKIE_REPLY_MAX], r2[COOKIE_REPLY_MAX], s1[8], s2[8];
	size_t l1 = 0, l2 = 0;
	struct cookie_accept acc;

	(void)state;
	server_conf(&sc, SESS_WRAP_TLS_CRYPT);
	struct cookie_ctx *k = cookie_new(secret, &sc);
	assert_non_null(k);
	assert_int_equal(wrap_init_crypt(&cw, tc_key, false), 0);
	size_t n = client_reset(&cw, pkt, sizeof(pkt));
	uint64_t now = 100 * SLOT_MS + 5;
	assert_int_equal(check(k, peer_a, now, pkt, n, r1, &l1, &acc, NULL), COOKIE_REPLY);
	assert_int_equal(check(k, peer_a, now + 1000, pkt, n, r2, &l2, &acc, NULL), COOKIE_REPLY);
	assert_int_equal(l1, l2);
	assert_memory_equal(r1, r2, l1);	/* same slot, same inputs: same bytes */
	wrap_set_replay(&cw, false);
	check_reply(&cw, r1, l1, s1);
	/* another slot or another peer gives another session id */
	assert_int_equal(check(k, peer_a, now + SLOT_MS, pkt, n, r2, &l2, &acc, NULL), COOKIE_REPLY);
	check_reply(&cw, r2, l2, s2);
	assert_memory_not_equal(s1, s2, 8);
	assert_int_equal(check(k, peer_b, now, pkt, n, r2, &l2, &acc, NULL), COOKIE_REPLY);
	check_reply(&cw, r2, l2, s2);
	assert_memory_not_equal(s1, s2, 8);
	wrap_free(&cw);
	cookie_free(k);
}

/* Reset at slot N, then the third packet at various times / from various peers. */
static void test_slots_and_peer(void **state)
{
	struct sess_conf sc;
	struct wrap_ctx cw;
	uint8_t pkt[256], reply[COOKIE_REPLY_MAX], ssid[8];
	size_t rl = 0;
	struct cookie_accept acc;
	enum cookie_drop why;
	static const uint32_t ack0[1] = { 0 };

	(void)state;
	server_conf(&sc, SESS_WRAP_TLS_CRYPT);
	struct cookie_ctx *k = cookie_new(secret, &sc);
	struct cookie_ctx *k2 = cookie_new(secret, &sc);	/* a "restarted" process */
	assert_int_equal(wrap_init_crypt(&cw, tc_key, false), 0);
	uint64_t now = 200 * SLOT_MS + SLOT_MS - 10;	/* near the end of slot 200 */
	size_t n = client_reset(&cw, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, NULL), COOKIE_REPLY);
	check_reply(&cw, reply, rl, ssid);

	n = client_pkt(&cw, P_CONTROL_V1, 0, ssid, ack0, 1, 1, pkt, sizeof(pkt));
	memset(&acc, 0, sizeof(acc));
	assert_int_equal(check(k2, peer_a, now, pkt, n, reply, &rl, &acc, NULL), COOKIE_ACCEPT);
	assert_memory_equal(acc.own_sid, ssid, 8);
	assert_memory_equal(acc.peer_sid, csid, 8);
	assert_false(acc.reset);
	/* next slot: still valid */
	assert_int_equal(check(k, peer_a, now + SLOT_MS, pkt, n, reply, &rl, &acc, NULL),
			 COOKIE_ACCEPT);
	/* two slots later: expired */
	assert_int_equal(check(k, peer_a, now + 2 * SLOT_MS, pkt, n, reply, &rl, &acc, &why),
			 COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_COOKIE);
	/* another address */
	assert_int_equal(check(k, peer_b, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_COOKIE);
	/* a P_ACK_V1 works as well */
	n = client_pkt(&cw, P_ACK_V1, 0, ssid, ack0, 1, 0, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, NULL), COOKIE_ACCEPT);
	wrap_free(&cw);
	cookie_free(k);
	cookie_free(k2);
}

static void test_rules(void **state)
{
	struct sess_conf sc;
	struct wrap_ctx cw, bad;
	uint8_t pkt[256], reply[COOKIE_REPLY_MAX], ssid[8], other[256];
	size_t rl = 0, n;
	struct cookie_accept acc;
	enum cookie_drop why;
	static const uint32_t ack0[1] = { 0 }, ack02[2] = { 0, 2 }, ack1[1] = { 1 };
	uint64_t now = 77 * SLOT_MS;

	(void)state;
	server_conf(&sc, SESS_WRAP_TLS_CRYPT);
	struct cookie_ctx *k = cookie_new(secret, &sc);
	assert_int_equal(wrap_init_crypt(&cw, tc_key, false), 0);
	n = client_reset(&cw, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, NULL), COOKIE_REPLY);
	check_reply(&cw, reply, rl, ssid);

	/* msgid 2 (2.6.16 rule: at most 1) */
	n = client_pkt(&cw, P_CONTROL_V1, 0, ssid, ack0, 1, 2, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_MSGID);
	/* an ACK for id 2 */
	n = client_pkt(&cw, P_CONTROL_V1, 0, ssid, ack02, 2, 1, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_MSGID);
	/* not ACKing the reset (msgid 0) */
	n = client_pkt(&cw, P_CONTROL_V1, 0, ssid, ack1, 1, 1, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	/* no ACKs at all */
	n = client_pkt(&cw, P_CONTROL_V1, 0, NULL, NULL, 0, 1, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_COOKIE);
	/* wrong key_id */
	n = client_pkt(&cw, P_CONTROL_V1, 1, ssid, ack0, 1, 1, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_KEY_ID);
	/* a reset with msgid 1 */
	n = client_pkt(&cw, P_CONTROL_HARD_RESET_CLIENT_V2, 0, NULL, NULL, 0, 1, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_MSGID);
	/* server opcodes, data, key-method 1 */
	n = client_pkt(&cw, P_CONTROL_HARD_RESET_SERVER_V2, 0, NULL, NULL, 0, 0, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_OPCODE);
	memset(other, 0x48, 64);
	assert_int_equal(check(k, peer_a, now, other, 64, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_OPCODE);
	/* another tls-crypt key, a flipped bit, truncation */
	uint8_t key2[256];
	memcpy(key2, tc_key, 256);
	key2[200] ^= 1;
	assert_int_equal(wrap_init_crypt(&bad, key2, false), 0);
	n = client_reset(&bad, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_UNWRAP);
	n = client_reset(&cw, pkt, sizeof(pkt));
	pkt[n - 1] ^= 0x80;
	assert_int_equal(check(k, peer_a, now, pkt, n, reply, &rl, &acc, &why), COOKIE_DROP);
	assert_int_equal(why, COOKIE_E_UNWRAP);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(check(k, peer_a, now, pkt, cut, reply, &rl, &acc, NULL), COOKIE_DROP);
	wrap_free(&bad);
	wrap_free(&cw);
	cookie_free(k);
}

/* No wrapping: the same rules; a replayed reset is answered again (nothing remembered). */
static void test_no_wrap(void **state)
{
	struct sess_conf sc;
	struct wrap_ctx cw;
	uint8_t pkt[256], reply[COOKIE_REPLY_MAX], ssid[8];
	size_t rl = 0;
	struct cookie_accept acc;
	static const uint32_t ack0[1] = { 0 };

	(void)state;
	server_conf(&sc, SESS_WRAP_NONE);
	struct cookie_ctx *k = cookie_new(secret, &sc);
	assert_int_equal(wrap_init_none(&cw), 0);
	size_t n = client_reset(&cw, pkt, sizeof(pkt));
	for (int i = 0; i < 3; i++)
		assert_int_equal(check(k, peer_a, 5000, pkt, n, reply, &rl, &acc, NULL),
				 COOKIE_REPLY);
	check_reply(&cw, reply, rl, ssid);
	n = client_pkt(&cw, P_CONTROL_V1, 0, ssid, ack0, 1, 1, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, 5000, pkt, n, reply, &rl, &acc, NULL), COOKIE_ACCEPT);
	uint8_t expect[8];
	cookie_sid(k, 5000 / SLOT_MS, peer_a, 16, csid, expect);
	assert_memory_equal(expect, ssid, 8);
	wrap_free(&cw);
	cookie_free(k);
}

/* tls-crypt-v2: early negotiation gets the RESEND_WKC TLV; without it the reset itself
 * must create the session (the WKc would be lost otherwise). */
static void test_v2(void **state)
{
	struct sess_conf sc;
	struct wrap_ctx cw;
	uint8_t srv[128], kc[256], wkc[1024], pkt[2048], reply[COOKIE_REPLY_MAX], plain[256];
	size_t rl = 0;
	struct cookie_accept acc;
	struct pkt_ctrl c;

	(void)state;
	assert_int_equal(RAND_bytes(srv, sizeof(srv)), 1);
	assert_int_equal(RAND_bytes(kc, sizeof(kc)), 1);
	uint8_t meta[1] = { 0 };
	int wl = wrap_v2_wrap_kc(srv, kc, meta, 1, wkc, sizeof(wkc));
	assert_true(wl > 0);
	server_conf(&sc, SESS_WRAP_TLS_CRYPT_V2);
	memcpy(sc.v2_server_key, srv, sizeof(srv));
	struct cookie_ctx *k = cookie_new(secret, &sc);

	assert_int_equal(wrap_init_v2_client(&cw, kc, wkc, (size_t)wl, true), 0);
	size_t n = client_pkt(&cw, P_CONTROL_HARD_RESET_CLIENT_V3, 0, NULL, NULL, 0, 0, pkt,
			      sizeof(pkt));
	assert_int_equal(check(k, peer_a, 5000, pkt, n, reply, &rl, &acc, NULL), COOKIE_REPLY);
	int m = wrap_decode(&cw, reply, rl, UNIX0, plain, sizeof(plain));
	assert_true(m > 0);
	assert_int_equal(pkt_ctrl_decode(plain, (size_t)m, &c), 0);
	assert_int_equal(c.payload_len, 6);
	assert_memory_equal(c.payload, "\x00\x01\x00\x02\x00\x01", 6);
	/* a V2 reset (no WKc) is not for a v2 server */
	n = client_pkt(&cw, P_CONTROL_HARD_RESET_CLIENT_V2, 0, NULL, NULL, 0, 0, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, 5000, pkt, n, reply, &rl, &acc, NULL), COOKIE_DROP);
	wrap_free(&cw);

	assert_int_equal(wrap_init_v2_client(&cw, kc, wkc, (size_t)wl, false), 0);
	n = client_pkt(&cw, P_CONTROL_HARD_RESET_CLIENT_V3, 0, NULL, NULL, 0, 0, pkt, sizeof(pkt));
	assert_int_equal(check(k, peer_a, 5000, pkt, n, reply, &rl, &acc, NULL), COOKIE_ACCEPT);
	assert_true(acc.reset);
	wrap_free(&cw);
	cookie_free(k);
}

static int setup(void **state)
{
	(void)state;
	return RAND_bytes(tc_key, sizeof(tc_key)) == 1 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_deterministic),
		cmocka_unit_test(test_slots_and_peer),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_no_wrap),
		cmocka_unit_test(test_v2),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
