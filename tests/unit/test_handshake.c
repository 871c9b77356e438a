/* A burrow client session and a burrow server session complete the OpenVPN handshake
 * through a simulated lossy link (drops, duplicates, reordering; seeded PRNG) on a
 * simulated clock, for every control-channel wrapping and both data-key derivations;
 * then data flows both ways across several renegotiations, and the client exits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/rand.h>

#include "proto/cookie.h"
#include "proto/push.h"
#include "proto/sess_impl.h"	/* test_cert_change_on_reneg swaps the client's TLS context */
#include "proto/wrap.h"
#include "tests/unit/sess_sim.h"

#define T0 1000000ull
#define UNIX0 1700000000u

static struct sim_pki pki;

struct side {
	struct sess *s;
	struct sim_link *out;		/* towards the other side */
	bool server;
	int keys_ready, tls_up, push, exit, auth_failed, restart, errors;
	uint8_t last_key_id;
	bool last_ekm;
	char reason[SESS_TEXT_MAX];
	char cn[SESS_TEXT_MAX];
	char push_cipher[64];
	long push_peer_id;
	uint32_t data_rx, data_bad, data_tx;
	uint32_t seq;			/* next payload number to send */
	unsigned key_ids_seen;		/* bit per key_id that got KEYS_READY */
};

struct world {
	struct side c, srv;
	struct sim_link c2s, s2c;
	uint64_t now;
	bool auth_ok;
	bool auth_silent;		/* never answer AUTH_REQUEST */
	int auth_requests;
	int refuse_from;		/* refuse the n-th AUTH_REQUEST and later (0 = never) */
	const char *auth_text;
	uint32_t data_period;		/* ms between data packets per side (0 = none) */
	uint64_t next_data;
	int auth_reply_rc;
	/* UDP server behind the stateless cookie */
	struct cookie_ctx *cookie;
	struct sess_conf srv_conf;
};

/* Tunnel payloads carry their direction and a number so both ends can verify them. */
static size_t make_payload(uint8_t *buf, size_t cap, bool from_server, uint32_t seq)
{
	int n = snprintf((char *)buf, cap, "%s-payload-%u-%s", from_server ? "s2c" : "c2s", seq,
			 "padding-to-look-like-an-ip-packet..............................");
	return (size_t)n;
}

static void check_payload(struct side *me, const uint8_t *p, size_t len)
{
	char want[16];
	snprintf(want, sizeof(want), "%s-payload-", me->server ? "c2s" : "s2c");
	if (len > strlen(want) && !memcmp(p, want, strlen(want)))
		me->data_rx++;
	else
		me->data_bad++;
}

static void on_event(struct world *w, struct side *me, const struct sess_event *e)
{
	switch (e->type) {
	case SESS_EV_TLS_UP:
		me->tls_up++;
		snprintf(me->cn, sizeof(me->cn), "%s", e->text);
		break;
	case SESS_EV_AUTH_REQUEST:
		assert_true(me->server);
		w->auth_requests++;
		if (w->refuse_from && w->auth_requests >= w->refuse_from) {
			w->auth_ok = false;
			w->auth_text = "revoked";
		}
		if (!w->auth_silent)
			w->auth_reply_rc = sess_auth_reply(me->s, w->auth_ok, w->auth_text,
							   w->now);
		break;
	case SESS_EV_PUSH_REPLY:
		me->push++;
		assert_non_null(e->push);
		snprintf(me->push_cipher, sizeof(me->push_cipher), "%s", e->push->cipher);
		me->push_peer_id = e->push->peer_id;
		break;
	case SESS_EV_KEYS_READY:
		me->keys_ready++;
		me->last_key_id = e->key_id;
		me->last_ekm = e->ekm;
		me->key_ids_seen |= 1u << e->key_id;
		break;
	case SESS_EV_AUTH_FAILED:
		me->auth_failed++;
		snprintf(me->reason, sizeof(me->reason), "%s", e->text);
		break;
	case SESS_EV_EXIT:
		me->exit++;
		break;
	case SESS_EV_RESTART:
		me->restart++;
		break;
	case SESS_EV_ERROR:
		me->errors++;
		snprintf(me->reason, sizeof(me->reason), "%s", e->text);
		break;
	default:
		break;
	}
}

static void pump(struct world *w, struct side *me)
{
	struct sess_buf b;
	struct sess_event e;

	if (!me->s)
		return;
	while (sess_pop_wire(me->s, &b))
		sim_link_send(me->out, b.data, b.len, w->now);
	while (sess_pop_tun(me->s, &b))
		check_payload(me, b.data, b.len);
	while (sess_pop_event(me->s, &e)) {
		on_event(w, me, &e);
		/* an auth reply produces output right away */
		while (sess_pop_wire(me->s, &b))
			sim_link_send(me->out, b.data, b.len, w->now);
	}
}

/* The UDP server's front door: no session until the cookie proves the client. */
static void server_input(struct world *w, const uint8_t *p, size_t len)
{
	static const uint8_t peer[16] = { 2, 0, 0x04, 0xaa, 127, 0, 0, 1 };
	uint8_t reply[COOKIE_REPLY_MAX];
	size_t rlen = 0;
	struct cookie_accept acc;

	if (w->srv.s) {
		sess_input(w->srv.s, p, len, w->now);
		return;
	}
	enum cookie_verdict v = cookie_check(w->cookie, peer, sizeof(peer), w->now, UNIX0, p, len,
					     reply, &rlen, &acc, NULL);
	if (v == COOKIE_REPLY) {
		sim_link_send(&w->s2c, reply, rlen, w->now);
	} else if (v == COOKIE_ACCEPT) {
		if (acc.reset)
			w->srv.s = sess_new(&w->srv_conf, w->now);
		else
			w->srv.s = sess_new_accepted(&w->srv_conf, acc.own_sid, acc.peer_sid,
						     acc.early_neg, w->now);
		assert_non_null(w->srv.s);
		sess_input(w->srv.s, p, len, w->now);
	}
}

static void deliver(struct world *w)
{
	struct sim_pkt p;

	while (sim_link_pop(&w->c2s, w->now, &p)) {
		if (w->cookie)
			server_input(w, p.data, p.len);
		else
			sess_input(w->srv.s, p.data, p.len, w->now);
		free(p.data);
		pump(w, &w->srv);
	}
	while (sim_link_pop(&w->s2c, w->now, &p)) {
		sess_input(w->c.s, p.data, p.len, w->now);
		free(p.data);
		pump(w, &w->c);
	}
}

static void send_data(struct world *w, struct side *me)
{
	uint8_t buf[256];

	if (!me->s || !sess_data_ready(me->s))
		return;
	size_t n = make_payload(buf, sizeof(buf), me->server, me->seq++);
	if (sess_send_data(me->s, buf, n, w->now) == 0)
		me->data_tx++;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t next_time(struct world *w)
{
	uint64_t t = min64(sim_link_next(&w->c2s), sim_link_next(&w->s2c));
	t = min64(t, sess_next_deadline(w->c.s));
	if (w->srv.s)
		t = min64(t, sess_next_deadline(w->srv.s));
	if (w->data_period)
		t = min64(t, w->next_data);
	return t;
}

/* Runs the world until done(w) or the clock passes `until` (both bounded). */
static bool run(struct world *w, uint64_t until, bool (*done)(struct world *))
{
	for (int iter = 0; iter < 200000; iter++) {
		pump(w, &w->c);
		pump(w, &w->srv);
		if (done && done(w))
			return true;
		deliver(w);
		if (done && done(w))
			return true;
		uint64_t t = next_time(w);
		if (t > until)
			return done == NULL;
		if (t > w->now)
			w->now = t;
		sess_timer(w->c.s, w->now);
		if (w->srv.s)
			sess_timer(w->srv.s, w->now);
		if (w->data_period && w->now >= w->next_data) {
			send_data(w, &w->c);
			send_data(w, &w->srv);
			w->next_data = w->now + w->data_period;
		}
	}
	fail_msg("simulation did not settle");
	return false;
}

static bool both_keys(struct world *w)
{
	return w->c.keys_ready >= 1 && w->srv.keys_ready >= 1;
}

static bool failed(struct world *w)
{
	return w->c.auth_failed || w->c.errors || w->srv.errors;
}

static bool both_keys_or_fail(struct world *w)
{
	return both_keys(w) || failed(w);
}

struct mode {
	enum sess_wrap wrap;
	bool prf;
	bool cookie;
	unsigned drop, dup;
	unsigned data_secs;		/* 0 = 130 */
};

static uint8_t g_static[256], g_v2srv[128], g_kc[256], g_wkc[1024];
static size_t g_wkc_len;

static void base_conf(struct sess_conf *c, enum sess_role role, const struct mode *m)
{
	memset(c, 0, sizeof(*c));
	c->role = role;
	c->transport = SESS_UDP;
	c->wrap = m->wrap;
	c->tls = role == SESS_SERVER ? pki.server : pki.client;
	c->unix_time = UNIX0;
	c->key_dir = role == SESS_SERVER ? SESS_KEYDIR_NORMAL : SESS_KEYDIR_INVERSE;
	if (m->wrap == SESS_WRAP_TLS_AUTH || m->wrap == SESS_WRAP_TLS_CRYPT)
		memcpy(c->wrap_key, g_static, sizeof(g_static));
	if (m->wrap == SESS_WRAP_TLS_AUTH)
		c->auth_digest = "SHA256";
	if (m->wrap == SESS_WRAP_TLS_CRYPT_V2 && role == SESS_CLIENT) {
		memcpy(c->wrap_key, g_kc, sizeof(g_kc));
		memcpy(c->wkc, g_wkc, g_wkc_len);
		c->wkc_len = g_wkc_len;
	}
	if (m->wrap == SESS_WRAP_TLS_CRYPT_V2 && role == SESS_SERVER)
		memcpy(c->v2_server_key, g_v2srv, sizeof(g_v2srv));
	c->peer_id = 7;
	c->username = role == SESS_CLIENT ? "alice" : NULL;
	c->password = role == SESS_CLIENT ? "secret" : NULL;
}

static void world_init(struct world *w, const struct mode *m, uint64_t seed,
		       struct sess_conf *cc, struct sess_conf *sc)
{
	static const uint8_t secret[COOKIE_SECRET_LEN] = { 1, 2, 3, 4, 5 };

	memset(w, 0, sizeof(*w));
	w->now = T0;
	w->auth_ok = true;
	w->auth_text = "ifconfig 10.8.0.2 255.255.255.0,topology subnet,ping 10,auth-token tok-abc";
	sim_link_init(&w->c2s, seed, m->drop, m->dup, 40);
	sim_link_init(&w->s2c, seed * 7 + 3, m->drop, m->dup, 40);
	w->c.out = &w->c2s;
	w->srv.out = &w->s2c;
	w->srv.server = true;
	w->c.s = sess_new(cc, w->now);
	assert_non_null(w->c.s);
	w->srv_conf = *sc;
	if (m->cookie) {
		w->cookie = cookie_new(secret, sc);
		assert_non_null(w->cookie);
	} else {
		w->srv.s = sess_new(sc, w->now);
		assert_non_null(w->srv.s);
	}
}

static void world_free(struct world *w)
{
	sess_free(w->c.s);
	sess_free(w->srv.s);
	cookie_free(w->cookie);
	sim_link_free(&w->c2s);
	sim_link_free(&w->s2c);
}

static void assert_same_key2(struct world *w)
{
	uint8_t a[256], b[256], ka = 9, kb = 9;
	assert_int_equal(sess_key2(w->c.s, a, &ka), 0);
	assert_int_equal(sess_key2(w->srv.s, b, &kb), 0);
	assert_int_equal(ka, kb);
	assert_memory_equal(a, b, sizeof(a));
}

static bool exited(struct world *w)
{
	return w->srv.exit > 0;
}

/* The full scenario for one mode. */
static void scenario(const struct mode *m, uint64_t seed)
{
	struct sess_conf cc, sc;
	struct world w;

	base_conf(&cc, SESS_CLIENT, m);
	base_conf(&sc, SESS_SERVER, m);
	cc.no_ekm = m->prf;
	cc.reneg_sec = 20;	/* the client initiates renegotiations... */
	sc.reneg_sec = 47;	/* ...and the server sometimes does too */
	world_init(&w, m, seed, &cc, &sc);

	assert_true(run(&w, T0 + 120000, both_keys_or_fail));
	assert_int_equal(w.c.errors, 0);
	assert_int_equal(w.srv.errors, 0);
	assert_int_equal(w.c.auth_failed, 0);
	assert_int_equal(w.c.keys_ready, 1);
	assert_int_equal(w.srv.keys_ready, 1);
	assert_int_equal(w.auth_reply_rc, 0);
	assert_string_equal(w.c.cn, "server");
	assert_string_equal(w.srv.cn, "client1");
	assert_string_equal(sess_peer_username(w.srv.s), "alice");
	assert_string_equal(sess_peer_password(w.srv.s), "secret");
	assert_non_null(strstr(sess_peer_info(w.srv.s), "IV_CIPHERS="));
	assert_int_equal(w.c.push, 1);
	assert_string_equal(w.c.push_cipher, "AES-256-GCM");
	assert_int_equal(w.c.push_peer_id, 7);
	assert_string_equal(sess_cipher(w.c.s), "AES-256-GCM");
	assert_int_equal(sess_peer_id(w.c.s), 7);
	assert_int_equal(w.c.last_ekm, !m->prf);
	assert_int_equal(w.srv.last_ekm, !m->prf);
	assert_same_key2(&w);
	struct sess_info ci, si;
	sess_get_info(w.c.s, &ci);
	sess_get_info(w.srv.s, &si);
	assert_true(ci.cc_exit && si.cc_exit);
	assert_true(ci.dyn_tls_crypt && si.dyn_tls_crypt);
	assert_int_equal(ci.ekm, !m->prf);

	/* data both ways for 130 simulated seconds: several renegotiations happen */
	w.data_period = 50;
	w.next_data = w.now;
	run(&w, w.now + (m->data_secs ? m->data_secs : 130) * 1000ull, NULL);
	assert_int_equal(w.c.errors, 0);
	assert_int_equal(w.srv.errors, 0);
	assert_true(w.c.keys_ready >= 5);
	assert_true(w.srv.keys_ready >= 5);
	assert_true(sess_get_stats(w.c.s)->renegotiations + sess_get_stats(w.srv.s)->renegotiations >= 4);
	assert_int_equal(w.c.data_bad + w.srv.data_bad, 0);
	/* the link loses m->drop %; everything else must arrive (no gap at key changes) */
	unsigned min_pct = 100 - m->drop - 6;
	assert_true(w.srv.data_rx * 100 >= w.c.data_tx * min_pct);
	assert_true(w.c.data_rx * 100 >= w.srv.data_tx * min_pct);
	/* quiesce data and let any renegotiation in flight finish, then compare keys */
	w.data_period = 0;
	run(&w, w.now + 15000, NULL);
	assert_same_key2(&w);
	if (m->data_secs > 200)	/* long runs also cycle key_id 7 -> 1 */
		assert_int_equal(w.c.key_ids_seen, 0xff);

	const struct sess_stats *cs = sess_get_stats(w.c.s), *ss = sess_get_stats(w.srv.s);
#define DROP(st, r) ((unsigned long long)(st)->drop[SESS_DROP_##r])
	printf("  wrap %d %s cookie %d: keys c=%d s=%d ids 0x%02x reneg c=%llu s=%llu data c->s %u/%u "
	       "s->c %u/%u retrans c=%llu s=%llu drops c=%llu/%llu/%llu s=%llu/%llu/%llu\n",
	       m->wrap, m->prf ? "PRF" : "EKM", m->cookie, w.c.keys_ready, w.srv.keys_ready,
	       w.c.key_ids_seen, (unsigned long long)cs->renegotiations,
	       (unsigned long long)ss->renegotiations, w.srv.data_rx, w.c.data_tx, w.c.data_rx,
	       w.srv.data_tx, (unsigned long long)cs->retransmits,
	       (unsigned long long)ss->retransmits, DROP(cs, DATA_NOKEY), DROP(cs, SESSION_ID),
	       DROP(cs, REPLAY_CTL), DROP(ss, DATA_NOKEY), DROP(ss, SESSION_ID),
	       DROP(ss, REPLAY_CTL));
#undef DROP

	/* the pushed auth-token replaced the password in the renegotiations' KM2 */
	assert_string_equal(sess_peer_password(w.srv.s), "tok-abc");

	/* explicit exit: cc-exit was negotiated, so the client sends EXIT reliably */
	assert_int_equal(sess_send_exit(w.c.s, w.now), 0);
	assert_true(run(&w, w.now + 30000, exited));
	world_free(&w);
}

static void test_none_ekm(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_NONE, false, false, 10, 5, 0 }, 11); }
static void test_none_prf(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_NONE, true, false, 10, 5, 0 }, 12); }
static void test_auth_ekm(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_TLS_AUTH, false, true, 10, 5, 0 }, 13); }
static void test_auth_prf(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_TLS_AUTH, true, false, 10, 5, 0 }, 14); }
static void test_crypt_ekm(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_TLS_CRYPT, false, true, 10, 5, 0 }, 15); }
static void test_crypt_prf(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_TLS_CRYPT, true, true, 10, 5, 0 }, 16); }
static void test_v2_ekm(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_TLS_CRYPT_V2, false, true, 10, 5, 0 }, 17); }
static void test_v2_prf(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_TLS_CRYPT_V2, true, false, 10, 5, 0 }, 18); }
static void test_crypt_lossless(void **st) { (void)st; scenario(&(struct mode){ SESS_WRAP_TLS_CRYPT, false, false, 0, 0, 300 }, 19); }

static void test_auth_rejected(void **state)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 10, 5, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	world_init(&w, &m, 21, &cc, &sc);
	w.auth_ok = false;
	w.auth_text = "bad password";
	assert_true(run(&w, T0 + 120000, failed));
	assert_int_equal(w.c.auth_failed, 1);
	assert_string_equal(w.c.reason, "bad password");
	assert_int_equal(w.c.keys_ready, 0);
	assert_int_equal(w.srv.keys_ready, 0);
	assert_false(sess_data_ready(w.srv.s));
	world_free(&w);
}

static void test_no_common_cipher(void **state)
{
	struct mode m = { SESS_WRAP_NONE, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.data_ciphers = "CHACHA20-POLY1305";
	sc.data_ciphers = "AES-128-GCM:AES-256-GCM";
	world_init(&w, &m, 22, &cc, &sc);
	run(&w, T0 + 120000, NULL);
	assert_int_equal(w.auth_reply_rc, -ENOENT);
	assert_int_equal(w.srv.errors, 1);
	assert_non_null(strstr(w.srv.reason, "cipher"));
	assert_int_equal(w.c.auth_failed, 1);
	assert_non_null(strstr(w.c.reason, "cipher"));
	assert_int_equal(w.c.keys_ready + w.srv.keys_ready, 0);
	world_free(&w);
}

/* The server's own PUSH cipher choice follows its preference order. */
static void test_cipher_choice(void **state)
{
	struct mode m = { SESS_WRAP_NONE, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.data_ciphers = "AES-128-GCM:CHACHA20-POLY1305";
	sc.data_ciphers = "CHACHA20-POLY1305:AES-128-GCM";
	world_init(&w, &m, 23, &cc, &sc);
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	assert_string_equal(w.c.push_cipher, "CHACHA20-POLY1305");
	assert_string_equal(sess_cipher(w.srv.s), "CHACHA20-POLY1305");
	assert_same_key2(&w);
	world_free(&w);
}

/* CBC + HMAC data channel (negotiated like any cipher) with SHA256 as --auth. */
static void test_cbc_data(void **state)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 5, 5, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.data_ciphers = sc.data_ciphers = "AES-256-CBC";
	cc.auth_digest = sc.auth_digest = "SHA256";
	cc.reneg_sec = 10;
	world_init(&w, &m, 25, &cc, &sc);
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	assert_string_equal(sess_cipher(w.c.s), "AES-256-CBC");
	w.data_period = 100;
	w.next_data = w.now;
	run(&w, w.now + 30000, NULL);
	assert_true(w.c.keys_ready >= 3);
	assert_int_equal(w.c.data_bad + w.srv.data_bad + w.c.errors + w.srv.errors, 0);
	assert_true(w.srv.data_rx * 100 >= w.c.data_tx * 85);
	assert_true(w.c.data_rx * 100 >= w.srv.data_tx * 85);
	world_free(&w);
}

/* 2.7 epoch data format when both ends opt in (AEAD cipher, peer-id), across
 * renegotiations; a server without it falls back to the classic format. */
static void epoch_case(bool server_epoch, uint64_t seed)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 5, 5, 0 };
	struct sess_conf cc, sc;
	struct world w;
	struct sess_info ci, si;

	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.aead_epoch = true;
	sc.aead_epoch = server_epoch;
	cc.reneg_sec = 10;
	world_init(&w, &m, seed, &cc, &sc);
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	sess_get_info(w.c.s, &ci);
	sess_get_info(w.srv.s, &si);
	assert_int_equal(ci.aead_epoch, server_epoch);
	assert_int_equal(si.aead_epoch, server_epoch);
	assert_non_null(strstr(sess_peer_info(w.srv.s), "IV_PROTO=2014"));	/* 990 + 1024 */
	w.data_period = 100;
	w.next_data = w.now;
	run(&w, w.now + 35000, NULL);
	assert_true(w.c.keys_ready >= 3);
	assert_int_equal(w.c.data_bad + w.srv.data_bad + w.c.errors + w.srv.errors, 0);
	assert_true(w.srv.data_rx * 100 >= w.c.data_tx * 85);
	assert_true(w.c.data_rx * 100 >= w.srv.data_tx * 85);
	world_free(&w);
}

static void test_aead_epoch(void **state) { (void)state; epoch_case(true, 26); }
static void test_aead_epoch_refused(void **state) { (void)state; epoch_case(false, 27); }

/* Peer-to-peer TLS mode (§13.1): no push, no auth; both sides derive the same cipher (the
 * TLS server's preference), EKM, an EKM-derived peer-id and the flags. */
static void test_p2p(void **state)
{
	struct mode m = { SESS_WRAP_TLS_AUTH, false, false, 5, 5, 0 };
	struct sess_conf cc, sc;
	struct world w;
	struct sess_info ci, si;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.p2p = sc.p2p = true;
	cc.data_ciphers = "AES-128-GCM:CHACHA20-POLY1305";
	sc.data_ciphers = "CHACHA20-POLY1305:AES-128-GCM";
	cc.reneg_sec = 10;
	world_init(&w, &m, 28, &cc, &sc);
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	assert_int_equal(w.c.push + w.c.errors + w.srv.errors, 0);
	sess_get_info(w.c.s, &ci);
	sess_get_info(w.srv.s, &si);
	assert_string_equal(ci.cipher, "CHACHA20-POLY1305");
	assert_string_equal(si.cipher, "CHACHA20-POLY1305");
	assert_true(ci.ekm && si.ekm && ci.cc_exit && si.cc_exit);
	assert_int_equal(ci.peer_id, si.peer_id);
	assert_true(ci.peer_id != 0x76706E && ci.peer_id < 0xFFFFFF);
	assert_same_key2(&w);
	w.data_period = 100;
	w.next_data = w.now;
	run(&w, w.now + 35000, NULL);
	assert_true(w.c.keys_ready >= 3);
	assert_int_equal(w.c.data_bad + w.srv.data_bad + w.c.errors + w.srv.errors, 0);
	assert_true(w.srv.data_rx * 100 >= w.c.data_tx * 85);
	assert_true(w.c.data_rx * 100 >= w.srv.data_tx * 85);
	w.data_period = 0;
	assert_int_equal(sess_send_exit(w.c.s, w.now), 0);
	assert_true(run(&w, w.now + 30000, exited));
	world_free(&w);
}

/* Both sides start a renegotiation at the same moment: the two soft resets name the same
 * key_id and meet in one key state. */
static bool keys_two(struct world *w)
{
	return w->c.keys_ready >= 2 && w->srv.keys_ready >= 2;
}

static void test_simultaneous_reneg(void **state)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.reneg_sec = sc.reneg_sec = SESS_RENEG_OFF;
	world_init(&w, &m, 29, &cc, &sc);
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	run(&w, w.now + 3000, NULL);	/* both ACTIVE */
	assert_int_equal(sess_renegotiate(w.c.s, w.now), 0);
	assert_int_equal(sess_renegotiate(w.srv.s, w.now), 0);
	assert_true(run(&w, w.now + 60000, keys_two));
	assert_int_equal(w.c.last_key_id, 1);
	assert_int_equal(w.srv.last_key_id, 1);
	run(&w, w.now + 3000, NULL);
	assert_same_key2(&w);
	assert_int_equal(w.c.errors + w.srv.errors, 0);
	world_free(&w);
}

/* A renegotiation may not change who the client is: the server ends the session when the
 * new key's certificate names someone else (here client2 after client1). */
static void test_cert_change_on_reneg(void **state)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.reneg_sec = sc.reneg_sec = SESS_RENEG_OFF;
	world_init(&w, &m, 38, &cc, &sc);
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	assert_string_equal(sess_peer_cn(w.srv.s), "client1");
	assert_true(sess_peer_has_cert(w.srv.s));
	run(&w, w.now + 3000, NULL);
	w.c.s->conf.tls = pki.client2;		/* the next key presents another certificate */
	assert_int_equal(sess_renegotiate(w.c.s, w.now), 0);
	assert_true(run(&w, w.now + 60000, failed));
	assert_int_equal(w.srv.errors, 1);
	assert_non_null(strstr(w.srv.reason, "certificate name changed from 'client1' to "
					     "'client2'"));
	assert_string_equal(sess_peer_cn(w.srv.s), "client1");
	assert_int_equal(w.srv.keys_ready, 1);
	world_free(&w);
}

/* The client refuses the server's certificate (remote-cert-tls client on a server cert):
 * both sides report a TLS failure with a reason, no keys. */
static void test_bad_server_cert(void **state)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;
	struct tls_conf *picky = NULL;
	char ca[128], crt[128], key[128], err[TLS_ERR_MAX];
	struct tls_conf_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.role = TLS_ROLE_CLIENT;
	o.remote_cert = TLS_REMOTE_CERT_CLIENT;	/* wrong: the peer is a server */
	assert_int_equal(pki_path(ca, sizeof(ca), pki.dir, "ca.crt"), 0);
	assert_int_equal(pki_path(crt, sizeof(crt), pki.dir, "client.crt"), 0);
	assert_int_equal(pki_path(key, sizeof(key), pki.dir, "client.key"), 0);
	o.ca.path = ca;
	o.cert.path = crt;
	o.key.path = key;
	assert_int_equal(tls_conf_new(&picky, &o, err, sizeof(err)), 0);
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.tls = picky;
	world_init(&w, &m, 30, &cc, &sc);
	assert_true(run(&w, T0 + 60000, failed));
	run(&w, w.now + 5000, NULL);	/* let the alert reach the server */
	assert_int_equal(w.c.errors, 1);
	assert_non_null(strstr(w.c.reason, "TLS handshake failed"));
	assert_int_equal(w.srv.errors, 1);
	assert_int_equal(w.c.keys_ready + w.srv.keys_ready, 0);
	world_free(&w);
	tls_conf_free(picky);
}

/* A server whose auth backend never answers gives up at hand-window. */
static void test_auth_never_answered(void **state)
{
	struct mode m = { SESS_WRAP_NONE, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	sc.hand_window = 30;
	cc.hand_window = 40;
	world_init(&w, &m, 31, &cc, &sc);
	w.auth_silent = true;
	assert_true(run(&w, T0 + 120000, failed));
	assert_int_equal(w.srv.errors, 1);
	assert_true(w.now >= T0 + 30000 && w.now < T0 + 31000);
	assert_int_equal(w.c.errors, 0);
	assert_true(sess_get_stats(w.c.s)->tx_packets >= 5);	/* PUSH_REQUEST every 5 s */
	world_free(&w);
}

/* Pushed compression framings (stubs): both sides frame and unframe the same way. */
static void comp_case(const char *opt, uint64_t seed)
{
	struct mode m = { SESS_WRAP_NONE, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;
	char text[128];

	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	world_init(&w, &m, seed, &cc, &sc);
	snprintf(text, sizeof(text), "ifconfig 10.8.0.2 255.255.255.0,%s", opt);
	w.auth_text = text;
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	w.data_period = 100;
	w.next_data = w.now;
	run(&w, w.now + 3000, NULL);
	w.data_period = 0;
	run(&w, w.now + 1000, NULL);	/* packets in flight arrive */
	assert_true(w.c.data_tx >= 20 && w.srv.data_tx >= 20);
	assert_int_equal(w.srv.data_rx, w.c.data_tx);
	assert_int_equal(w.c.data_rx, w.srv.data_tx);
	assert_int_equal(w.c.data_bad + w.srv.data_bad, 0);
	assert_int_equal(sess_get_stats(w.c.s)->drop[SESS_DROP_DATA_COMP] +
			 sess_get_stats(w.srv.s)->drop[SESS_DROP_DATA_COMP], 0);
	world_free(&w);
}

/* Without cc-exit the client's exit is an OCC_EXIT data packet; the server's exit is a
 * RESTART to the client. */
static void test_exit_variants(void **state)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 0, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;
	struct sess_info ci;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.no_cc_exit = true;
	world_init(&w, &m, 35, &cc, &sc);
	assert_true(run(&w, T0 + 60000, both_keys_or_fail));
	sess_get_info(w.c.s, &ci);
	assert_false(ci.cc_exit);
	assert_int_equal(sess_send_exit(w.c.s, w.now), 0);
	assert_true(run(&w, w.now + 5000, exited));
	assert_int_equal(sess_get_stats(w.srv.s)->occ_rx, 1);
	assert_int_equal(sess_send_exit(w.srv.s, w.now), 0);
	run(&w, w.now + 5000, NULL);
	assert_int_equal(w.c.restart, 1);
	world_free(&w);
}

/* conf.reauth: every renegotiation asks the server's auth again; a refusal ends it. */
static void test_reauth(void **state)
{
	struct mode m = { SESS_WRAP_TLS_CRYPT, false, false, 5, 5, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	sc.reauth = true;
	cc.reneg_sec = 10;
	world_init(&w, &m, 36, &cc, &sc);
	w.data_period = 200;
	w.next_data = w.now;
	run(&w, w.now + 35000, NULL);
	assert_true(w.c.keys_ready >= 3);
	assert_int_equal(w.auth_requests, w.srv.keys_ready);	/* one per key */
	assert_int_equal(w.c.errors + w.srv.errors + w.c.auth_failed, 0);
	world_free(&w);

	world_init(&w, &m, 37, &cc, &sc);
	w.refuse_from = 3;
	assert_true(run(&w, w.now + 60000, failed));
	run(&w, w.now + 5000, NULL);
	assert_int_equal(w.auth_requests, 3);
	assert_int_equal(w.srv.keys_ready, 2);
	assert_int_equal(w.srv.errors, 1);
	assert_non_null(strstr(w.srv.reason, "re-authentication refused"));
	assert_int_equal(w.c.auth_failed, 1);
	assert_string_equal(w.c.reason, "revoked");
	world_free(&w);
}

static void test_comp_stubs(void **state)
{
	(void)state;
	comp_case("comp-lzo no", 32);
	comp_case("compress", 33);
	comp_case("compress stub-v2", 34);
}

/* A client whose server never answers reports a handshake timeout at hand-window. */
static void test_handshake_timeout(void **state)
{
	struct mode m = { SESS_WRAP_NONE, false, false, 100, 0, 0 };
	struct sess_conf cc, sc;
	struct world w;

	(void)state;
	base_conf(&cc, SESS_CLIENT, &m);
	base_conf(&sc, SESS_SERVER, &m);
	cc.hand_window = 20;
	world_init(&w, &m, 24, &cc, &sc);
	assert_true(run(&w, T0 + 60000, failed));
	assert_int_equal(w.c.errors, 1);
	assert_true(w.now >= T0 + 20000 && w.now < T0 + 21000);
	assert_true(sess_get_stats(w.c.s)->retransmits >= 2);
	world_free(&w);
}

static int setup(void **state)
{
	(void)state;
	if (sim_pki_make(&pki))
		return -1;
	if (RAND_bytes(g_static, sizeof(g_static)) != 1 ||
	    RAND_bytes(g_v2srv, sizeof(g_v2srv)) != 1 || RAND_bytes(g_kc, sizeof(g_kc)) != 1)
		return -1;
	uint8_t meta[9] = { 1, 0, 0, 0, 0, 0x65, 0x5c, 0x00, 0x00 };
	int n = wrap_v2_wrap_kc(g_v2srv, g_kc, meta, sizeof(meta), g_wkc, sizeof(g_wkc));
	if (n < 0)
		return -1;
	g_wkc_len = (size_t)n;
	return 0;
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
		cmocka_unit_test(test_none_ekm),
		cmocka_unit_test(test_none_prf),
		cmocka_unit_test(test_auth_ekm),
		cmocka_unit_test(test_auth_prf),
		cmocka_unit_test(test_crypt_ekm),
		cmocka_unit_test(test_crypt_prf),
		cmocka_unit_test(test_v2_ekm),
		cmocka_unit_test(test_v2_prf),
		cmocka_unit_test(test_crypt_lossless),
		cmocka_unit_test(test_auth_rejected),
		cmocka_unit_test(test_no_common_cipher),
		cmocka_unit_test(test_cipher_choice),
		cmocka_unit_test(test_cbc_data),
		cmocka_unit_test(test_aead_epoch),
		cmocka_unit_test(test_aead_epoch_refused),
		cmocka_unit_test(test_p2p),
		cmocka_unit_test(test_simultaneous_reneg),
		cmocka_unit_test(test_cert_change_on_reneg),
		cmocka_unit_test(test_bad_server_cert),
		cmocka_unit_test(test_comp_stubs),
		cmocka_unit_test(test_reauth),
		cmocka_unit_test(test_exit_variants),
		cmocka_unit_test(test_auth_never_answered),
		cmocka_unit_test(test_handshake_timeout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
