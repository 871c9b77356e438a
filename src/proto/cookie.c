/* The UDP server's stateless session-id cookie (spec §4.2): answer a client's hard reset
 * without remembering anything, and recognise the client's next packet by the HMAC
 * session id it ACKs. Wrap contexts are built per call from immutable key material, so
 * nothing in the cookie context changes after cookie_new(). */
#include "proto/cookie.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto/packet.h"
#include "proto/wrap.h"

struct cookie_ctx {
	uint8_t secret[COOKIE_SECRET_LEN];
	struct sess_conf conf;		/* wrap mode and keys only; no pointers kept */
	char digest[32];		/* tls-auth digest */
	uint64_t slot_ms;
};

struct cookie_ctx *cookie_new(const uint8_t secret[COOKIE_SECRET_LEN],
			      const struct sess_conf *conf)
{
	if (!secret || !conf || conf->role != SESS_SERVER || conf->wrap > SESS_WRAP_TLS_CRYPT_V2)
		return NULL;
	struct cookie_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	memcpy(c->secret, secret, COOKIE_SECRET_LEN);
	c->conf = *conf;
	c->conf.tls = NULL;
	snprintf(c->digest, sizeof(c->digest), "%s", conf->auth_digest ? conf->auth_digest : "SHA1");
	c->conf.auth_digest = c->digest;
	c->conf.data_ciphers = c->conf.data_ciphers_fallback = NULL;
	c->conf.peer_info_extra = c->conf.username = c->conf.password = c->conf.dev_type = NULL;
	unsigned hw = conf->hand_window ? conf->hand_window : 60;
	c->slot_ms = (uint64_t)((hw + 1) / 2) * 1000;
	return c;
}

void cookie_free(struct cookie_ctx *c)
{
	if (!c)
		return;
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

void cookie_sid(const struct cookie_ctx *c, uint64_t slot, const void *peer, size_t peer_len,
		const uint8_t client_sid[8], uint8_t out[8])
{
	uint8_t msg[8 + 128 + 8], mac[EVP_MAX_MD_SIZE];
	unsigned mlen = 0;
	size_t plen = peer_len > 128 ? 128 : peer_len;

	for (int i = 0; i < 8; i++)
		msg[i] = (uint8_t)(slot >> (56 - 8 * i));
	memcpy(msg + 8, peer, plen);
	memcpy(msg + 8 + plen, client_sid, 8);
	if (!HMAC(EVP_sha256(), c->secret, COOKIE_SECRET_LEN, msg, 16 + plen, mac, &mlen))
		memset(mac, 0, sizeof(mac));
	memcpy(out, mac, 8);
	static const uint8_t zero[8];
	if (!memcmp(out, zero, 8))
		out[7] = 1;	/* all-zero session ids are invalid on the wire */
	OPENSSL_cleanse(mac, sizeof(mac));
}

/* A fresh wrap context for this packet (v2: Kc from the packet's own WKc). */
static int wrap_for(const struct cookie_ctx *c, struct wrap_ctx *w, uint8_t op,
		    const uint8_t *pkt, size_t len)
{
	const struct sess_conf *k = &c->conf;
	int r;

	switch (k->wrap) {
	case SESS_WRAP_NONE:
		r = wrap_init_none(w);
		break;
	case SESS_WRAP_TLS_AUTH:
		r = wrap_init_auth(w, c->digest, k->wrap_key, (enum wrap_dir)k->key_dir);
		break;
	case SESS_WRAP_TLS_CRYPT:
		r = wrap_init_crypt(w, k->wrap_key, true);
		break;
	default:
		if (op != P_CONTROL_HARD_RESET_CLIENT_V3 && op != P_CONTROL_WKC_V1)
			return -EPROTO;
		r = wrap_init_v2_server(w, k->v2_server_key, pkt, len);
		break;
	}
	if (r)
		return r;
	wrap_set_replay(w, false);	/* stateless: no window to keep */
	return 0;
}

static enum cookie_verdict drop(enum cookie_drop *why, enum cookie_drop reason)
{
	if (why)
		*why = reason;
	return COOKIE_DROP;
}

static enum cookie_verdict reply_reset(const struct cookie_ctx *c, struct wrap_ctx *w,
				       const struct pkt_ctrl *in, const void *peer,
				       size_t peer_len, uint64_t now_ms, uint32_t unix_time,
				       uint8_t *reply, size_t *reply_len, enum cookie_drop *why)
{
	static const uint8_t tlv[6] = { 0, 1, 0, 2, 0, 1 };	/* EARLY_NEG_FLAGS RESEND_WKC */
	uint8_t plain[128];
	struct pkt_ctrl o;
	bool early = c->conf.wrap == SESS_WRAP_TLS_CRYPT_V2 && wrap_rx_early_neg(w);

	memset(&o, 0, sizeof(o));
	o.op = P_CONTROL_HARD_RESET_SERVER_V2;
	cookie_sid(c, now_ms / c->slot_ms, peer, peer_len, in->sid, o.sid);
	o.n_acks = 1;
	o.acks[0] = 0;
	memcpy(o.remote_sid, in->sid, PKT_SID_LEN);
	o.msgid = 0;
	if (early) {
		o.payload = tlv;
		o.payload_len = sizeof(tlv);
	}
	int n = pkt_ctrl_encode(&o, plain, sizeof(plain));
	if (n < 0)
		return drop(why, COOKIE_E_SHORT);
	uint32_t ts = unix_time ? unix_time : (uint32_t)(now_ms / 1000);
	wrap_set_send_pid(w, 1, ts);
	int m = wrap_encode(w, plain, (size_t)n, ts, reply, COOKIE_REPLY_MAX);
	if (m < 0)
		return drop(why, COOKIE_E_UNWRAP);
	*reply_len = (size_t)m;
	return COOKIE_REPLY;
}

/* §4.2 step 3 (2.6.16+ rules): ACKs name our cookie, ids are at most 1. */
static enum cookie_verdict accept_third(const struct cookie_ctx *c, const struct pkt_ctrl *in,
					const void *peer, size_t peer_len, uint64_t now_ms,
					struct cookie_accept *acc, enum cookie_drop *why)
{
	uint8_t sid[PKT_SID_LEN];
	bool acked0 = false;
	uint64_t slot = now_ms / c->slot_ms;

	if (!in->n_acks)
		return drop(why, COOKIE_E_COOKIE);
	for (unsigned i = 0; i < in->n_acks; i++) {
		if (in->acks[i] > 1)
			return drop(why, COOKIE_E_MSGID);
		acked0 |= in->acks[i] == 0;
	}
	if (!acked0 || (in->has_msgid && in->msgid > 1))
		return drop(why, COOKIE_E_MSGID);
	for (uint64_t back = 0; back <= 1 && back <= slot; back++) {
		cookie_sid(c, slot - back, peer, peer_len, in->sid, sid);
		if (CRYPTO_memcmp(sid, in->remote_sid, PKT_SID_LEN) == 0) {
			memcpy(acc->own_sid, sid, PKT_SID_LEN);
			memcpy(acc->peer_sid, in->sid, PKT_SID_LEN);
			acc->early_neg = in->op == P_CONTROL_WKC_V1;
			acc->reset = false;
			return COOKIE_ACCEPT;
		}
	}
	return drop(why, COOKIE_E_COOKIE);
}

static int classify(const struct cookie_ctx *c, uint8_t op)
{
	bool v2 = c->conf.wrap == SESS_WRAP_TLS_CRYPT_V2;

	if (op == P_CONTROL_HARD_RESET_CLIENT_V2 || op == P_CONTROL_HARD_RESET_CLIENT_V3)
		return (op == P_CONTROL_HARD_RESET_CLIENT_V3) == v2 ? 1 : -1;
	if (op == P_CONTROL_WKC_V1)
		return v2 ? 2 : -1;
	if (op == P_ACK_V1 || op == P_CONTROL_V1)
		return v2 ? -1 : 2;	/* v2: only a WKC packet can be verified statelessly */
	return -1;
}

enum cookie_verdict cookie_check(const struct cookie_ctx *c, const void *peer, size_t peer_len,
				 uint64_t now_ms, uint32_t unix_time,
				 const uint8_t *pkt, size_t len,
				 uint8_t *reply, size_t *reply_len,
				 struct cookie_accept *acc, enum cookie_drop *why)
{
	uint8_t plain[WRAP_WIRE_MAX];
	struct wrap_ctx w;
	struct pkt_ctrl in;
	enum cookie_verdict v;

	if (why)
		*why = COOKIE_OK;
	if (!c || !pkt || !reply || !reply_len || !acc || (!peer && peer_len))
		return drop(why, COOKIE_E_SHORT);
	if (len < 1 + PKT_SID_LEN)
		return drop(why, COOKIE_E_SHORT);
	if (pkt_keyid(pkt[0]) != 0)
		return drop(why, COOKIE_E_KEY_ID);
	int kind = classify(c, pkt_op(pkt[0]));
	if (kind < 0)
		return drop(why, COOKIE_E_OPCODE);
	if (wrap_for(c, &w, pkt_op(pkt[0]), pkt, len))
		return drop(why, COOKIE_E_UNWRAP);
	int n = wrap_decode(&w, pkt, len, unix_time ? unix_time : now_ms / 1000, plain,
			    sizeof(plain));
	if (n < 0) {
		v = drop(why, COOKIE_E_UNWRAP);
	} else if (pkt_ctrl_decode(plain, (size_t)n, &in)) {
		v = drop(why, COOKIE_E_SHORT);
	} else if (kind == 1 && in.msgid != 0) {
		v = drop(why, COOKIE_E_MSGID);
	} else if (kind == 1 && c->conf.wrap == SESS_WRAP_TLS_CRYPT_V2 && !wrap_rx_early_neg(&w)) {
		memset(acc, 0, sizeof(*acc));
		acc->reset = true;
		v = COOKIE_ACCEPT;
	} else if (kind == 1) {
		v = reply_reset(c, &w, &in, peer, peer_len, now_ms, unix_time, reply, reply_len,
				why);
	} else {
		v = accept_third(c, &in, peer, peer_len, now_ms, acc, why);
	}
	wrap_free(&w);
	OPENSSL_cleanse(plain, sizeof(plain));
	return v;
}
