/* Fuzzes a client and a server session talking through a hostile network, in every control
 * channel wrapping (none, tls-auth, tls-crypt, tls-crypt-v2) over UDP or TCP. The genuine
 * packets each side sends wait in a queue per direction; the input is a script that
 * delivers, drops, duplicates, reorders, corrupts or replaces them, injects raw bytes and
 * advances the clock. Over UDP the server side is created the way the real server does it:
 * packets go through cookie_check() until it accepts one. Checks: nothing crashes, leaks or
 * hangs, and every packet a session emits fits its limits.
 *
 * Input: byte 0 = mode (bits 0-1 wrapping, bit 2 TCP, bit 3 aead-epoch), then commands
 * [cmd u8][arg u8] (+ arg bytes for injections) until the input runs out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cookie.h"
#include "proto/packet.h"
#include "proto/session.h"
#include "proto/tls.h"
#include "proto/wrap.h"
#include "util/log.h"
#include "util/pki.h"

#define Q_MAX 32
#define PKT_MAX 4096

struct q {
	uint8_t data[Q_MAX][PKT_MAX];
	size_t len[Q_MAX];
	int n;
};

struct world {
	struct sess *c, *s;
	struct cookie_ctx *cookie;	/* UDP: the server session does not exist until it accepts */
	struct sess_conf cc, sc;
	struct q to_s, to_c;
	uint64_t now;
};

static struct tls_conf *client_tls, *server_tls;
static uint8_t v2_server_key[WRAP_V2_SERVER_KEY_LEN], v2_kc[WRAP_KEY2_LEN];
static uint8_t v2_wkc[WRAP_WKC_MAX];
static size_t v2_wkc_len;

static struct tls_conf *make_tls(const char *dir, bool server)
{
	char ca[256], crt[256], key[256];
	struct tls_conf_opts o = { .role = server ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT };
	struct tls_conf *t = NULL;
	const char *who = server ? "server" : "client";

	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", dir, who);
	o.ca.path = ca;
	o.cert.path = crt;
	o.key.path = key;
	if (tls_conf_new(&t, &o, NULL, 0))
		abort();
	return t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/burrow-fuzz-swrap-XXXXXX";
	static const uint8_t meta[1] = { 0 };
	int n;

	(void)argc;
	(void)argv;
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(dir) || pki_make(dir, NULL))
		abort();
	client_tls = make_tls(dir, false);
	server_tls = make_tls(dir, true);
	for (size_t i = 0; i < sizeof(v2_server_key); i++)
		v2_server_key[i] = (uint8_t)(i * 3 + 7);
	for (size_t i = 0; i < sizeof(v2_kc); i++)
		v2_kc[i] = (uint8_t)(i * 11 + 5);
	n = wrap_v2_wrap_kc(v2_server_key, v2_kc, meta, sizeof(meta), v2_wkc, sizeof(v2_wkc));
	if (n < 0)
		abort();
	v2_wkc_len = (size_t)n;
	return 0;
}

static void set_wrap(struct sess_conf *c, enum sess_wrap w)
{
	c->wrap = w;
	for (size_t i = 0; i < sizeof(c->wrap_key); i++)
		c->wrap_key[i] = (uint8_t)(i * 5 + 1);
	if (w == SESS_WRAP_TLS_AUTH)
		c->key_dir = c->role == SESS_SERVER ? SESS_KEYDIR_NORMAL : SESS_KEYDIR_INVERSE;
	if (w != SESS_WRAP_TLS_CRYPT_V2)
		return;
	if (c->role == SESS_SERVER) {
		memcpy(c->v2_server_key, v2_server_key, sizeof(v2_server_key));
	} else {
		memcpy(c->wrap_key, v2_kc, sizeof(v2_kc));
		memcpy(c->wkc, v2_wkc, v2_wkc_len);
		c->wkc_len = v2_wkc_len;
	}
}

static void q_push(struct q *q, const uint8_t *d, size_t len)
{
	if (q->n >= Q_MAX || len > PKT_MAX)
		return;	/* a full queue loses packets, like a full socket buffer */
	memcpy(q->data[q->n], d, len);
	q->len[q->n++] = len;
}

static void q_drop(struct q *q, int i)
{
	memmove(&q->data[i], &q->data[i + 1], (size_t)(q->n - i - 1) * PKT_MAX);
	memmove(&q->len[i], &q->len[i + 1], (size_t)(q->n - i - 1) * sizeof(size_t));
	q->n--;
}

/* Collects what a session sent; answers auth requests so the handshake can finish. */
static void drain(struct sess *s, struct q *out, uint64_t now)
{
	struct sess_buf b;
	struct sess_event e;

	if (!s)
		return;
	while (sess_pop_wire(s, &b)) {
		if (b.len == 0 || b.len > PKT_TCP_MAX)
			abort();	/* a session must never emit an empty or unframeable packet */
		q_push(out, b.data, b.len);
	}
	while (sess_pop_tun(s, &b))
		;
	while (sess_pop_event(s, &e))
		if (e.type == SESS_EV_AUTH_REQUEST)
			sess_auth_reply(s, true, "ifconfig 10.8.0.2 255.255.255.0", now);
}

/* The server side of one packet: the session, or (UDP, none yet) the cookie check. */
static void to_server(struct world *w, const uint8_t *d, size_t len)
{
	uint8_t reply[COOKIE_REPLY_MAX];
	size_t rlen = 0;
	struct cookie_accept acc;
	static const uint8_t peer[16] = { 2, 0, 4, 0xaa, 127, 0, 0, 1 };
	enum cookie_verdict v;

	if (w->s) {
		sess_input(w->s, d, len, w->now);
		return;
	}
	v = cookie_check(w->cookie, peer, sizeof(peer), w->now, 1700000000, d, len, reply, &rlen,
			 &acc, NULL);
	if (v == COOKIE_REPLY) {
		if (rlen == 0 || rlen > sizeof(reply))
			abort();
		q_push(&w->to_c, reply, rlen);
	} else if (v == COOKIE_ACCEPT) {
		w->s = acc.reset ? sess_new(&w->sc, w->now) :
		       sess_new_accepted(&w->sc, acc.own_sid, acc.peer_sid, acc.early_neg, w->now);
		if (w->s)
			sess_input(w->s, d, len, w->now);
	}
}

static void deliver(struct world *w, bool to_s, const uint8_t *d, size_t len)
{
	if (to_s)
		to_server(w, d, len);
	else if (w->c)
		sess_input(w->c, d, len, w->now);
}

/* One command; returns the bytes it consumed after the two command bytes. */
static size_t step(struct world *w, uint8_t cmd, uint8_t arg, const uint8_t *rest, size_t n)
{
	bool to_s = cmd & 0x10;
	struct q *q = to_s ? &w->to_s : &w->to_c;
	int i = q->n ? arg % q->n : 0;
	uint8_t tmp[PKT_MAX];
	size_t len;

	switch (cmd & 0x0f) {
	case 0: case 1: case 2: case 3:	/* deliver the oldest (the usual case) */
		if (q->n) {
			memcpy(tmp, q->data[0], q->len[0]);
			len = q->len[0];
			q_drop(q, 0);
			deliver(w, to_s, tmp, len);
		}
		return 0;
	case 4:				/* deliver any one (reordering) */
		if (q->n) {
			memcpy(tmp, q->data[i], q->len[i]);
			len = q->len[i];
			q_drop(q, i);
			deliver(w, to_s, tmp, len);
		}
		return 0;
	case 5:				/* lose one */
		if (q->n)
			q_drop(q, i);
		return 0;
	case 6:				/* duplicate one (delivered, kept queued) */
		if (q->n)
			deliver(w, to_s, q->data[i], q->len[i]);
		return 0;
	case 7:				/* corrupt one byte of one, then deliver it */
		if (q->n && n >= 1) {
			memcpy(tmp, q->data[i], q->len[i]);
			tmp[rest[0] % q->len[i]] ^= (uint8_t)(arg | 1);
			deliver(w, to_s, tmp, q->len[i]);
			return 1;
		}
		return 0;
	case 8:				/* truncate one to arg bytes and deliver */
		if (q->n) {
			len = q->len[i] < arg ? q->len[i] : arg;
			memcpy(tmp, q->data[i], len);
			deliver(w, to_s, tmp, len);
		}
		return 0;
	case 9: case 10:		/* inject arg raw bytes from the input */
		len = arg < n ? arg : n;
		memcpy(tmp, rest, len);
		deliver(w, to_s, tmp, len);
		return len;
	case 11:			/* time passes: retransmits, timeouts, renegotiation */
		w->now += (uint64_t)arg * 100;
		if (w->c)
			sess_timer(w->c, w->now);
		if (w->s)
			sess_timer(w->s, w->now);
		return 0;
	case 12:			/* tunnel traffic both ways */
		if (w->c)
			sess_send_data(w->c, rest, arg < n ? arg : n, w->now);
		if (w->s)
			sess_send_data(w->s, rest, arg < n ? arg : n, w->now);
		if (w->c)
			sess_send_ping(w->c, w->now);
		return arg < n ? arg : n;
	case 13:			/* renegotiation or exit */
		if (arg & 1)
			sess_renegotiate(to_s && w->s ? w->s : w->c, w->now);
		else if (arg == 0x80)
			sess_send_exit(to_s && w->s ? w->s : w->c, w->now);
		return 0;
	default:			/* deliver everything queued, both ways */
		for (int k = 0; k < Q_MAX && (w->to_s.n || w->to_c.n); k++) {
			step(w, 0x10, 0, NULL, 0);
			step(w, 0x00, 0, NULL, 0);
			drain(w->c, &w->to_s, w->now);
			drain(w->s, &w->to_c, w->now);
		}
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[COOKIE_SECRET_LEN] = { 9, 8, 7 };
	static struct world w;
	bool tcp;

	if (size < 1)
		return 0;
	memset(&w, 0, sizeof(w));
	tcp = data[0] & 4;
	w.now = 1000000;
	w.cc = (struct sess_conf){ .role = SESS_CLIENT, .tls = client_tls, .unix_time = 1700000000,
				   .transport = tcp ? SESS_TCP : SESS_UDP, .aead_epoch = data[0] & 8,
				   .reneg_sec = 30 };
	w.sc = w.cc;
	w.sc.role = SESS_SERVER;
	w.sc.tls = server_tls;
	w.sc.peer_id = 5;
	set_wrap(&w.cc, (enum sess_wrap)(data[0] & 3));
	set_wrap(&w.sc, (enum sess_wrap)(data[0] & 3));
	w.c = sess_new(&w.cc, w.now);
	if (tcp)
		w.s = sess_new(&w.sc, w.now);
	else
		w.cookie = cookie_new(secret, &w.sc);
	data++;
	size--;
	drain(w.c, &w.to_s, w.now);
	drain(w.s, &w.to_c, w.now);
	for (int guard = 0; w.c && size >= 2 && guard < 4096; guard++) {
		size_t used = step(&w, data[0], data[1], data + 2, size - 2);

		data += 2 + used;
		size -= 2 + used;
		drain(w.c, &w.to_s, w.now);
		drain(w.s, &w.to_c, w.now);
	}
	if (getenv("FUZZ_SWRAP_SHOW"))	/* seed check: did the handshake finish? */
		fprintf(stderr, "client data ready %d, server %s\n", w.c && sess_data_ready(w.c),
			!w.s ? "none" : sess_data_ready(w.s) ? "data ready" : "not ready");
	sess_free(w.c);
	sess_free(w.s);
	cookie_free(w.cookie);
	return 0;
}
