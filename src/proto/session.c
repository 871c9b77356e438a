/* Session object: creation, output queues, events, timers and the public entry points.
 * The control channel is in sess_ctl.c, the per-key machine in keystate.c, text messages in
 * sess_msg.c, the data channel in sess_data.c. */
#include "proto/session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "proto/cipher.h"
#include "proto/data.h"
#include "proto/sess_impl.h"
#include "proto/tls.h"
#include "util/log.h"

#define SESS_WIRE_QUEUE 256
#define SESS_TUN_QUEUE 256
#define SESS_EVENT_QUEUE 64	/* the bound; the ring starts at SESS_EVENT_FIRST and grows */
#define SESS_EVENT_FIRST 4

static char *dup_or_null(const char *s, bool *fail)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

static void conf_defaults(struct sess_conf *c)
{
	static const struct { size_t off; unsigned v; } dflt[] = {
		{ offsetof(struct sess_conf, reneg_sec), SESS_DEFAULT_RENEG_SEC },
		{ offsetof(struct sess_conf, hand_window), SESS_DEFAULT_HAND_WINDOW },
		{ offsetof(struct sess_conf, tran_window), SESS_DEFAULT_TRAN_WINDOW },
		{ offsetof(struct sess_conf, tls_timeout), SESS_DEFAULT_TLS_TIMEOUT },
		{ offsetof(struct sess_conf, replay_window), SESS_DEFAULT_REPLAY_WINDOW },
		{ offsetof(struct sess_conf, tls_mtu), REL_TLS_MTU_DEFAULT },
	};

	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++) {
		unsigned *f = (unsigned *)((char *)c + dflt[i].off);

		if (!*f)
			*f = dflt[i].v;
	}
}

/* Keeps private copies of the strings so the caller's conf may be temporary. */
static int conf_copy(struct sess *s, const struct sess_conf *c)
{
	bool fail = false;

	s->conf = *c;
	s->s_auth_digest = dup_or_null(c->auth_digest ? c->auth_digest : SESS_DEFAULT_AUTH, &fail);
	s->s_ciphers = dup_or_null(c->data_ciphers ? c->data_ciphers : CIPHER_DEFAULT_LIST, &fail);
	s->s_fallback = dup_or_null(c->data_ciphers_fallback, &fail);
	s->s_pi_extra = dup_or_null(c->peer_info_extra, &fail);
	s->s_user = dup_or_null(c->username, &fail);
	s->s_pass = dup_or_null(c->password, &fail);
	s->s_dev = dup_or_null(c->dev_type ? c->dev_type : "tun", &fail);
	s->conf.auth_digest = s->s_auth_digest;
	s->conf.data_ciphers = s->s_ciphers;
	s->conf.data_ciphers_fallback = s->s_fallback;
	s->conf.peer_info_extra = s->s_pi_extra;
	s->conf.username = s->s_user;
	s->conf.password = s->s_pass;
	s->conf.dev_type = s->s_dev;
	conf_defaults(&s->conf);
	return fail ? -ENOMEM : 0;
}

static void free_str(char *p)
{
	if (p) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

static int wrap_setup(struct sess *s)
{
	const struct sess_conf *c = &s->conf;

	switch (c->wrap) {
	case SESS_WRAP_NONE:
		return wrap_init_none(&s->wrap);
	case SESS_WRAP_TLS_AUTH:
		return wrap_init_auth(&s->wrap, c->auth_digest, c->wrap_key,
				      (enum wrap_dir)c->key_dir);
	case SESS_WRAP_TLS_CRYPT:
		return wrap_init_crypt(&s->wrap, c->wrap_key, s->is_server);
	case SESS_WRAP_TLS_CRYPT_V2:
		if (s->is_server)
			return 0;	/* Kc comes with the client's WKc */
		return wrap_init_v2_client(&s->wrap, c->wrap_key, c->wkc, c->wkc_len, true);
	}
	return -EINVAL;
}

static int random_sid(uint8_t sid[PKT_SID_LEN])
{
	static const uint8_t zero[PKT_SID_LEN];

	do {
		if (RAND_bytes(sid, PKT_SID_LEN) != 1)
			return -EIO;
	} while (!memcmp(sid, zero, PKT_SID_LEN));
	return 0;
}

static struct sess *sess_alloc(const struct sess_conf *conf, uint64_t now_ms)
{
	if (!conf || !conf->tls || conf->role > SESS_SERVER || conf->wrap > SESS_WRAP_TLS_CRYPT_V2)
		return NULL;
	struct sess *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->is_server = conf->role == SESS_SERVER;
	s->t0_ms = now_ms;
	s->t0_unix = conf->unix_time ? conf->unix_time : (uint32_t)(now_ms / 1000);
	s->neg.peer_id = -1;
	s->peer_proto = -1;
	s->peer_mtu = -1;
	s->next_key_id = 1;
	s->events = calloc(SESS_EVENT_FIRST, sizeof(*s->events));
	s->ev_cap = SESS_EVENT_FIRST;
	if (!s->events || conf_copy(s, conf) || random_sid(s->own_sid) ||
	    sess_queue_init(&s->wire, SESS_WIRE_QUEUE) ||
	    sess_queue_init(&s->tun, SESS_TUN_QUEUE))
		goto fail;
	if (wrap_setup(s))
		goto fail;
	s->wrap_ready = !(s->is_server && conf->wrap == SESS_WRAP_TLS_CRYPT_V2);
	if (comp_init(&s->comp, COMP_NONE))
		goto fail;
	s->last_rx_ms = now_ms;
	return s;
fail:
	sess_free(s);
	return NULL;
}

struct sess *sess_new(const struct sess_conf *conf, uint64_t now_ms)
{
	struct sess *s = sess_alloc(conf, now_ms);
	if (!s || s->is_server)
		return s;	/* a server waits for the client's hard reset */
	if (sess_ks_init(s, &s->ks[SESS_KS_PRIMARY], 0, now_ms) ||
	    sess_ks_send_reset(s, &s->ks[SESS_KS_PRIMARY], now_ms)) {
		sess_free(s);
		return NULL;
	}
	sess_ctl_flush(s, now_ms);
	return s;
}

struct sess *sess_new_accepted(const struct sess_conf *conf, const uint8_t own_sid[8],
			       const uint8_t peer_sid[8], bool early_neg, uint64_t now_ms)
{
	struct sess *s = sess_alloc(conf, now_ms);
	if (!s)
		return NULL;
	if (!s->is_server)
		goto fail;
	memcpy(s->own_sid, own_sid, PKT_SID_LEN);
	memcpy(s->peer_sid, peer_sid, PKT_SID_LEN);
	s->have_peer_sid = true;
	struct sess_ks *ks = &s->ks[SESS_KS_PRIMARY];
	if (sess_ks_init(s, ks, 0, now_ms))
		goto fail;
	/* The stateless exchange already used msgid 0 both ways and wrap packet-id 1. */
	if (rel_send_set_next(&ks->snd, 1) || rel_recv_set_next(&ks->rcv, 1))
		goto fail;
	ks->state = KS_START;
	if (s->wrap_ready)
		wrap_set_send_pid(&s->wrap, 2, s->t0_unix);
	(void)early_neg;	/* the WKc, if any, arrives again on msgid 1 */
	return s;
fail:
	sess_free(s);
	return NULL;
}

void sess_free(struct sess *s)
{
	if (!s)
		return;
	/* the configuration strings sess_new copied */
	char *strs[] = { s->s_auth_digest, s->s_ciphers, s->s_fallback, s->s_pi_extra,
			 s->s_user, s->s_pass, s->s_dev };

	for (int i = 0; i < SESS_N_KS; i++)
		sess_ks_free(&s->ks[i]);
	wrap_free(&s->wrap);
	if (s->have_dyn)
		wrap_free(&s->dyn);
	sess_queue_free(&s->wire);
	sess_queue_free(&s->tun);
	free(s->events);
	free(s->push);
	tls_cert_free(s->peer_crt);
	free(s->peer_pi);
	free(s->push_text);
	free(s->auth_fail_reason);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free_str(strs[i]);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/* Doubles the event ring (oldest first) up to SESS_EVENT_QUEUE; false at the bound. */
static bool event_grow(struct sess *s)
{
	return sess_ring_grow(&s->events, sizeof(*s->events), &s->ev_cap, &s->ev_head,
			      s->ev_count, SESS_EVENT_QUEUE) == 0;
}

void sess_event_push(struct sess *s, enum sess_event_type type, uint8_t key_id, int err,
		     const char *text)
{
	if (s->ev_count == s->ev_cap && !event_grow(s)) {
		s->st.drop[SESS_DROP_QUEUE]++;
		return;
	}
	struct sess_event *e = &s->events[(s->ev_head + s->ev_count) % s->ev_cap];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->key_id = key_id;
	e->err = err;
	e->ekm = s->neg.ekm;
	if (type == SESS_EV_PUSH_REPLY)
		e->push = s->push;
	snprintf(e->text, sizeof(e->text), "%s", text ? text : "");
	s->ev_count++;
}

void sess_fail(struct sess *s, int err, const char *fmt, ...)
{
	char msg[SESS_TEXT_MAX];
	va_list ap;

	if (s->dead)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("session: %s", msg);
	s->dead = true;
	sess_event_push(s, SESS_EV_ERROR, 0, err, msg);
}

uint32_t sess_unix_now(const struct sess *s, uint64_t now_ms)
{
	uint64_t d = now_ms >= s->t0_ms ? (now_ms - s->t0_ms) / 1000 : 0;
	return s->t0_unix + (uint32_t)d;
}

void sess_ks_reap(struct sess *s)
{
	struct sess_ks *pri = &s->ks[SESS_KS_PRIMARY];
	struct sess_ks *lame = &s->ks[SESS_KS_LAME];

	if (pri->state != KS_ERROR)
		return;
	/* A failed renegotiation: the lame duck carries on until it expires. */
	sess_ks_free(pri);
	if (lame->state == KS_UNUSED)
		return;
	*pri = *lame;
	memset(lame, 0, sizeof(*lame));
	pri->expire_ms = 0;
}

struct sess_ks *sess_ks_by_id(struct sess *s, uint8_t key_id)
{
	for (int i = 0; i < SESS_N_KS; i++)
		if (s->ks[i].state != KS_UNUSED && s->ks[i].key_id == key_id)
			return &s->ks[i];
	return NULL;
}

/* The one place a received packet is told apart by opcode: data or control channel. */
static int sess_demux(struct sess *s, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	uint8_t op;

	if (len < 1) {
		s->st.drop[SESS_DROP_SHORT]++;
		return 0;
	}
	op = pkt_op(pkt[0]);
	if (op == P_DATA_V1 || op == P_DATA_V2)
		return sess_data_input(s, pkt, len, now_ms);
	if (pkt_op_is_control(op))
		return sess_ctl_input(s, pkt, len, now_ms);
	s->st.drop[SESS_DROP_OPCODE]++;	/* key-method 1 resets, unknown opcodes */
	return 0;
}

int sess_input(struct sess *s, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	if (!s || !pkt)
		return -EINVAL;
	s->st.rx_packets++;
	s->st.rx_bytes += len;
	s->now_ms = now_ms;
	if (s->dead)
		return 0;
	int r = sess_demux(s, pkt, len, now_ms);
	sess_ks_reap(s);
	sess_ctl_flush(s, now_ms);
	return r;
}

int sess_send_data(struct sess *s, const uint8_t *payload, size_t len, uint64_t now_ms)
{
	if (!s || (!payload && len))
		return -EINVAL;
	if (s->dead)
		return -EPIPE;
	s->now_ms = now_ms;
	int r = sess_data_send(s, payload, len, now_ms);
	sess_ctl_flush(s, now_ms);	/* a packet-id limit may have started a renegotiation */
	return r;
}

/* Handshake deadlines, lame-duck expiry and the reneg-sec trigger. */
static void ks_timers(struct sess *s, uint64_t now_ms)
{
	struct sess_ks *lame = &s->ks[SESS_KS_LAME];
	struct sess_ks *pri = &s->ks[SESS_KS_PRIMARY];

	if (lame->state != KS_UNUSED && lame->expire_ms && now_ms >= lame->expire_ms)
		sess_ks_free(lame);
	if (pri->state == KS_UNUSED)
		return;
	if (!pri->dk && now_ms >= pri->start_ms + (uint64_t)s->conf.hand_window * 1000) {
		if (pri->initial || lame->state == KS_UNUSED) {
			sess_fail(s, -ETIMEDOUT, "handshake did not complete within %u s",
				  s->conf.hand_window);
			return;
		}
		log_info("session: renegotiation of key %u timed out", pri->key_id);
		pri->state = KS_ERROR;
	}
	sess_ks_reap(s);
	if (pri->state == KS_UNUSED)
		return;
	if (pri->dk && pri->state == KS_ACTIVE && s->conf.reneg_sec != SESS_RENEG_OFF &&
	    now_ms >= pri->active_ms + (uint64_t)s->conf.reneg_sec * 1000)
		sess_ks_start_reneg(s, now_ms);
}

int sess_timer(struct sess *s, uint64_t now_ms)
{
	if (!s)
		return -EINVAL;
	s->now_ms = now_ms;
	if (!s->dead) {
		ks_timers(s, now_ms);
		if (!s->dead)
			sess_msg_timer(s, now_ms);
	}
	sess_ctl_flush(s, now_ms);
	return 0;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t sess_next_deadline(const struct sess *s)
{
	uint64_t t = UINT64_MAX;

	if (!s || s->dead)
		return t;
	for (int i = 0; i < SESS_N_KS; i++) {
		const struct sess_ks *ks = &s->ks[i];
		if (ks->state == KS_UNUSED)
			continue;
		t = min64(t, rel_next_timeout(&ks->snd));
		if (ks->expire_ms)
			t = min64(t, ks->expire_ms);
		if (i == SESS_KS_PRIMARY && !ks->dk)
			t = min64(t, ks->start_ms + (uint64_t)s->conf.hand_window * 1000);
		if (i == SESS_KS_PRIMARY && ks->dk && ks->state == KS_ACTIVE &&
		    s->conf.reneg_sec != SESS_RENEG_OFF)
			t = min64(t, ks->active_ms + (uint64_t)s->conf.reneg_sec * 1000);
	}
	return min64(t, sess_msg_deadline(s));
}

int sess_renegotiate(struct sess *s, uint64_t now_ms)
{
	if (!s)
		return -EINVAL;
	int r = sess_ks_start_reneg(s, now_ms);
	sess_ctl_flush(s, now_ms);
	return r;
}

bool sess_pop_wire(struct sess *s, struct sess_buf *out)
{
	return sess_queue_pop(&s->wire, &out->data, &out->len);
}

bool sess_pop_tun(struct sess *s, struct sess_buf *out)
{
	return sess_queue_pop(&s->tun, &out->data, &out->len);
}

bool sess_pop_event(struct sess *s, struct sess_event *out)
{
	if (!s->ev_count)
		return false;
	*out = s->events[s->ev_head];
	s->ev_head = (s->ev_head + 1) % s->ev_cap;
	s->ev_count--;
	return true;
}

const struct sess_stats *sess_get_stats(const struct sess *s)
{
	return &s->st;
}

static const char *const sess_drop_names[SESS_DROP_N] = {
	[SESS_DROP_SHORT] = "short",		[SESS_DROP_OPCODE] = "opcode",
	[SESS_DROP_UNWRAP] = "unwrap",		[SESS_DROP_REPLAY_CTL] = "replay_ctl",
	[SESS_DROP_SESSION_ID] = "session_id",	[SESS_DROP_KEY_ID] = "key_id",
	[SESS_DROP_STATE] = "state",		[SESS_DROP_RELIABLE] = "reliable",
	[SESS_DROP_DATA_NOKEY] = "data_nokey",	[SESS_DROP_DATA_AUTH] = "data_auth",
	[SESS_DROP_DATA_REPLAY] = "data_replay", [SESS_DROP_DATA_COMP] = "data_comp",
	[SESS_DROP_QUEUE] = "queue",		[SESS_DROP_TLS] = "tls",
	[SESS_DROP_CTRL_MSG] = "ctrl_msg",
};

const char *sess_drop_name(enum sess_drop d)
{
	return (unsigned)d < SESS_DROP_N ? sess_drop_names[d] : "?";
}

uint64_t sess_stats_drops(const struct sess_stats *st)
{
	uint64_t sum = 0;

	for (int i = 0; i < SESS_DROP_N; i++)
		sum += st->drop[i];
	return sum;
}

bool sess_data_ready(const struct sess *s)
{
	for (int i = 0; i < SESS_N_KS; i++)
		if (s->ks[i].state != KS_UNUSED && s->ks[i].dk)
			return true;
	return false;
}

const char *sess_peer_cn(const struct sess *s)
{
	return s->peer_cn;
}

bool sess_peer_has_cert(const struct sess *s)
{
	return s->peer_cert;
}

const struct tls_cert *sess_peer_cert(const struct sess *s)
{
	return s->peer_crt;
}

static const struct keys_km2 *peer_km2(const struct sess *s)
{
	const struct sess_ks *ks = &s->ks[SESS_KS_PRIMARY];
	if (ks->state == KS_UNUSED || !ks->peer_km2 || !ks->got_km2)
		return NULL;
	return ks->peer_km2;
}

const char *sess_peer_username(const struct sess *s)
{
	const struct keys_km2 *k = peer_km2(s);
	const char *kept = s->ks[SESS_KS_PRIMARY].peer_user;

	return k ? k->username : kept ? kept : "";
}

const char *sess_peer_password(const struct sess *s)
{
	const struct keys_km2 *k = peer_km2(s);
	const char *kept = s->ks[SESS_KS_PRIMARY].peer_pass;

	return k ? k->password : kept ? kept : "";
}

const char *sess_peer_info(const struct sess *s)
{
	const struct keys_km2 *k = peer_km2(s);
	const char *kept = s->ks[SESS_KS_PRIMARY].peer_iv;

	return k ? k->peer_info : kept ? kept : "";
}

const char *sess_cipher(const struct sess *s)
{
	return s->neg.cipher;
}

void sess_own_sid(const struct sess *s, uint8_t sid[8])
{
	memcpy(sid, s->own_sid, PKT_SID_LEN);
}

bool sess_peer_sid(const struct sess *s, uint8_t sid[8])
{
	if (s->have_peer_sid)
		memcpy(sid, s->peer_sid, PKT_SID_LEN);
	return s->have_peer_sid;
}

uint32_t sess_peer_id(const struct sess *s)
{
	return s->neg.peer_id < 0 ? DATA_PEER_ID_NONE : (uint32_t)s->neg.peer_id;
}

uint64_t sess_last_rx_ms(const struct sess *s)
{
	return s->last_rx_ms;
}

uint64_t sess_last_tx_ms(const struct sess *s)
{
	return s->last_tx_ms;
}

void sess_get_info(const struct sess *s, struct sess_info *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->cipher, sizeof(out->cipher), "%s", s->neg.cipher);
	out->ekm = s->neg.ekm;
	out->cc_exit = s->neg.cc_exit;
	out->dyn_tls_crypt = s->have_dyn;
	out->aead_epoch = s->neg.aead_epoch;
	out->peer_id = sess_peer_id(s);
	const struct sess_ks *pri = &s->ks[SESS_KS_PRIMARY], *lame = &s->ks[SESS_KS_LAME];
	const struct sess_ks *tx = sess_send_key(s, s->now_ms);
	out->send_key_id = tx ? tx->key_id : pri->key_id;
	out->n_keys = (pri->dk != NULL) + (lame->dk != NULL);
	if (pri->tls)
		snprintf(out->tls_version, sizeof(out->tls_version), "%s", tls_version(pri->tls));
}

int sess_key2(const struct sess *s, uint8_t key2[256], uint8_t *key_id)
{
	for (int i = 0; i < SESS_N_KS; i++) {
		const struct sess_ks *ks = &s->ks[i];
		if (ks->state != KS_UNUSED && ks->dk) {
			memcpy(key2, ks->key2, KEYS_KEY2_LEN);
			if (key_id)
				*key_id = ks->key_id;
			return 0;
		}
	}
	return -ENOENT;
}
