/* The per-key_id state machine (spec §4.5, §10): reset, TLS handshake, key method 2,
 * ACTIVE, data-key generation, renegotiation and the lame duck. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/data.h"
#include "proto/occ.h"
#include "proto/peerinfo.h"
#include "proto/sess_impl.h"
#include "proto/tls.h"
#include "util/bytes.h"
#include "util/log.h"

#define DYN_TLS_CRYPT_LABEL "EXPORTER-OpenVPN-dynamic-tls-crypt"

int sess_ks_init(struct sess *s, struct sess_ks *ks, uint8_t key_id, uint64_t now_ms)
{
	memset(ks, 0, sizeof(*ks));
	ks->key_id = key_id;
	ks->initial = key_id == 0;
	ks->start_ms = now_ms;
	rel_send_init(&ks->snd, s->conf.tls_timeout * 1000);
	rel_recv_init(&ks->rcv);
	ks->rcv.resend_mru = true;
	ks->own_km2 = calloc(1, sizeof(*ks->own_km2));
	ks->peer_km2 = calloc(1, sizeof(*ks->peer_km2));
	if (!ks->own_km2 || !ks->peer_km2)
		goto fail;
	if (tls_sess_new(&ks->tls, s->conf.tls))
		goto fail;
	ks->state = KS_PRE_START;
	return 0;
fail:
	sess_ks_free(ks);
	return -ENOMEM;
}

static void free_peer_strings(struct sess_ks *ks)
{
	if (ks->peer_pass)
		OPENSSL_cleanse(ks->peer_pass, strlen(ks->peer_pass));
	free(ks->peer_user);
	free(ks->peer_pass);
	free(ks->peer_iv);
	ks->peer_user = ks->peer_pass = ks->peer_iv = NULL;
}

void sess_ks_free(struct sess_ks *ks)
{
	free_peer_strings(ks);
	rel_send_free(&ks->snd);
	rel_recv_free(&ks->rcv);
	if (ks->tls)
		tls_sess_free(ks->tls);
	if (ks->own_km2) {
		keys_km2_clear(ks->own_km2);
		free(ks->own_km2);
	}
	if (ks->peer_km2) {
		keys_km2_clear(ks->peer_km2);
		free(ks->peer_km2);
	}
	data_key_free(ks->dk);
	OPENSSL_cleanse(ks, sizeof(*ks));
	memset(ks, 0, sizeof(*ks));
}

int sess_ks_send_reset(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	uint8_t op = P_CONTROL_SOFT_RESET_V1;

	if (ks->initial && s->is_server)
		op = P_CONTROL_HARD_RESET_SERVER_V2;
	else if (ks->initial)
		op = s->conf.wrap == SESS_WRAP_TLS_CRYPT_V2 ? P_CONTROL_HARD_RESET_CLIENT_V3
							   : P_CONTROL_HARD_RESET_CLIENT_V2;
	return rel_send_queue(&ks->snd, op, NULL, 0, now_ms, NULL);
}

/* Early-negotiation TLVs in the server's hard reset (§4.4). */
static int parse_early_neg(struct sess *s, const uint8_t *p, size_t len)
{
	while (len) {
		if (len < 4)
			return -EBADMSG;
		uint16_t type = bytes_get_u16(p);
		uint16_t vlen = bytes_get_u16(p + 2);
		if (len - 4 < vlen)
			return -EBADMSG;
		if (type == 1 && vlen == 2 && (p[5] & 1) &&
		    s->conf.wrap == SESS_WRAP_TLS_CRYPT_V2)
			s->resend_wkc = true;
		p += 4 + vlen;
		len -= 4 + (size_t)vlen;
	}
	return 0;
}

static void ks_error(struct sess *s, struct sess_ks *ks, int err, const char *what)
{
	if (ks->dk) {
		/* An established key keeps its data keys; its control channel is done for and
		 * the next renegotiation replaces it. (Without wrapping, anyone on the path can
		 * inject such a packet: it must not end the session.) */
		log_info("session: key %u: %s (data keys kept)", ks->key_id, what);
		return;
	}
	if (ks->initial) {
		sess_fail(s, err, "%s", what);
		return;
	}
	log_info("session: renegotiation of key %u failed: %s", ks->key_id, what);
	ks->state = KS_ERROR;
}

int sess_ks_deliver(struct sess *s, struct sess_ks *ks, const struct rel_msg *m,
		    uint64_t now_ms)
{
	if (m->op == P_CONTROL_HARD_RESET_SERVER_V2 && !s->is_server) {
		if (parse_early_neg(s, m->payload, m->len)) {
			sess_fail(s, -EBADMSG, "malformed early-negotiation TLV in server reset");
			return -EBADMSG;
		}
		return 0;
	}
	if (m->op != P_CONTROL_V1 && m->op != P_CONTROL_WKC_V1)
		return 0;	/* resets carry nothing else we use */
	if (ks->state == KS_ERROR)
		return 0;
	int r = tls_feed_ciphertext(ks->tls, m->payload, m->len);
	if (r < 0) {
		char why[SESS_TEXT_MAX];
		snprintf(why, sizeof(why), "TLS handshake failed: %s", tls_error(ks->tls));
		s->st.drop[SESS_DROP_TLS]++;
		ks_error(s, ks, r, why);
	}
	(void)now_ms;
	return 0;
}

static enum occ_proto occ_proto_of(const struct sess *s)
{
	if (s->conf.transport == SESS_UDP)
		return OCC_PROTO_UDP4;
	return s->is_server ? OCC_PROTO_TCP4_SERVER : OCC_PROTO_TCP4_CLIENT;
}

static int build_options(const struct sess *s, char *out, size_t cap)
{
	struct occ_opts o;

	occ_opts_default(&o, s->is_server, occ_proto_of(s), !strcmp(s->conf.dev_type, "tap"));
	if (s->conf.wrap == SESS_WRAP_TLS_AUTH) {
		o.tls_auth = true;
		o.keydir = s->conf.key_dir == SESS_KEYDIR_BIDI ? -1 : (int)s->conf.key_dir;
		snprintf(o.auth, sizeof(o.auth), "%s", s->conf.auth_digest);
	}
	return occ_build(&o, out, cap);
}

int sess_ks_occ_options(const struct sess *s, char *out, size_t cap)
{
	return build_options(s, out, cap);
}

static int build_peer_info(const struct sess *s, char *out, size_t cap)
{
	struct pinfo p;

	pinfo_default_client(&p);
	snprintf(p.ciphers, sizeof(p.ciphers), "%s", s->conf.data_ciphers);
	if (s->conf.no_ekm)
		p.proto &= ~(long)PINFO_PROTO_TLS_KEY_EXPORT;
	if (s->conf.no_dyn_tls_crypt)
		p.proto &= ~(long)PINFO_PROTO_DYN_TLS_CRYPT;
	if (s->conf.no_cc_exit)
		p.proto &= ~(long)PINFO_PROTO_CC_EXIT_NOTIFY;
	if (s->conf.aead_epoch)
		p.proto |= PINFO_PROTO_DATA_EPOCH;
	if (s->conf.p2p)
		p.proto = sess_p2p_proto(s);
	int n = pinfo_build(&p, out, cap);
	if (n < 0 || !s->conf.peer_info_extra)
		return n;
	size_t extra = strlen(s->conf.peer_info_extra);
	if ((size_t)n + extra + 2 > cap)
		return -ENOSPC;
	memcpy(out + n, s->conf.peer_info_extra, extra);
	n += (int)extra;
	if (extra && out[n - 1] != '\n')
		out[n++] = '\n';
	out[n] = '\0';
	return n;
}

/* Our key-method-2 message as one TLS record (§7.1). */
static int write_km2(struct sess *s, struct sess_ks *ks)
{
	char opts[KEYS_OPTIONS_MAX + 1], pi[KEYS_PEERINFO_MAX + 1];
	struct keys_km2 *km = ks->own_km2;
	int r = keys_km2_init(km, !s->is_server);

	if (!r && build_options(s, opts, sizeof(opts)) >= 0)
		r = keys_km2_set_options(km, opts);
	if (!r && (!s->is_server || s->conf.p2p) && build_peer_info(s, pi, sizeof(pi)) >= 0)
		r = keys_km2_set_peer_info(km, pi);	/* p2p: both sides announce */
	if (!r && !s->is_server) {
		/* after a pushed auth-token, renegotiations authenticate with the token */
		const char *pass = s->push && s->push->auth_token[0] ? s->push->auth_token :
				   s->conf.password;
		r = keys_km2_set_auth(km, s->conf.username ? s->conf.username : "",
				      pass ? pass : "");
	}
	if (r)
		return r;
	uint8_t *buf = malloc(KEYS_KM2_MAX);
	if (!buf)
		return -ENOMEM;
	int n = keys_km2_build(km, buf, KEYS_KM2_MAX);
	if (n > 0)
		n = (int)tls_write_plain(ks->tls, buf, (size_t)n);
	OPENSSL_cleanse(buf, KEYS_KM2_MAX);
	free(buf);
	if (n < 0)
		return n;
	ks->sent_km2 = true;
	return 0;
}

static int got_peer_km2(struct sess *s, struct sess_ks *ks, const uint8_t *rec, size_t n,
			uint64_t now_ms)
{
	int r = keys_km2_parse(ks->peer_km2, s->is_server, rec, n);
	if (r) {
		ks_error(s, ks, r, "malformed key-method-2 message from peer");
		return r;
	}
	ks->got_km2 = true;
	if (s->is_server) {
		r = write_km2(s, ks);
		if (r) {
			ks_error(s, ks, r, "cannot write key-method-2 message");
			return r;
		}
		return sess_msg_server_km2(s, ks, now_ms);
	}
	if (!ks->initial && s->neg_done)
		return sess_ks_gen_keys(s, ks, now_ms);
	if (ks->initial && s->conf.p2p)
		return sess_p2p_negotiate(s, ks, now_ms);
	return 0;
}

static int read_records(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	uint8_t rec[PUSH_MSG_MAX + 1 > KEYS_KM2_MAX ? PUSH_MSG_MAX + 1 : KEYS_KM2_MAX];
	ssize_t n;

	while (!s->dead && ks->state != KS_ERROR &&
	       (n = tls_read_plain(ks->tls, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			/* Name the cause: after a TLS 1.3 handshake a refused certificate only
			 * shows here, as the peer's alert ("tlsv13 alert certificate required"). */
			const char *e = *tls_error(ks->tls) ? tls_error(ks->tls) : "TLS error";
			char why[SESS_TEXT_MAX];

			if (!s->is_server && strstr(e, "alert"))
				snprintf(why, sizeof(why), "the server refused the TLS session (%s): "
					 "check cert and key, and that the server trusts their CA", e);
			else
				snprintf(why, sizeof(why), "%s", e);
			ks_error(s, ks, (int)n, n == -EPIPE ? "peer closed the TLS session" : why);
			return (int)n;
		}
		rec[n] = 0;
		if (!ks->got_km2)
			got_peer_km2(s, ks, rec, (size_t)n, now_ms);
		else
			sess_msg_record(s, ks, rec, (size_t)n, now_ms);
	}
	return 0;
}

static void tls_up(struct sess *s, struct sess_ks *ks)
{
	char cn[sizeof(s->peer_cn)];
	int rc = tls_peer_cn(ks->tls, cn, sizeof(cn));
	bool cert = rc != -ENOENT;

	/* The verify callback refused every certificate without a usable name already. */
	if (rc && cert) {
		ks_error(s, ks, -EACCES, "peer certificate has no usable name");
		return;
	}
	ks->tls_up = true;
	if (ks->initial) {
		memcpy(s->peer_cn, cn, sizeof(cn));
		s->peer_cert = cert;
	} else if (s->is_server && (cert != s->peer_cert || strcmp(cn, s->peer_cn))) {
		/* A renegotiation may not change who the client is (OpenVPN ends the tunnel). */
		sess_fail(s, -EACCES, "TLS Auth Error: certificate name changed from '%s' to '%s' "
			  "on renegotiation", s->peer_cn, cn);
		return;
	}
	/* The newest certificate of the same name (a renewed one may come with a renegotiation)
	 * is what a new CRL is checked against. */
	tls_cert_free(s->peer_crt);
	s->peer_crt = cert ? tls_peer_cert_get(ks->tls) : NULL;
	log_info("session: key %u: %s %s, peer '%s'", ks->key_id, tls_version(ks->tls),
		 tls_cipher(ks->tls), cn);
	sess_event_push(s, SESS_EV_TLS_UP, ks->key_id, 0, cn);
}

int sess_ks_advance(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	if (ks->state == KS_PRE_START && rel_send_idle(&ks->snd))
		ks->state = KS_START;
	if (ks->state < KS_START || ks->state == KS_ERROR)
		return 0;
	if (!ks->tls_up && tls_handshake_done(ks->tls))
		tls_up(s, ks);
	if (ks->tls_up && !s->is_server && !ks->sent_km2) {
		int r = write_km2(s, ks);
		if (r) {
			ks_error(s, ks, r, "cannot write key-method-2 message");
			return r;
		}
		ks->state = KS_SENT_KEY;
	}
	if (ks->tls_up)
		read_records(s, ks, now_ms);
	if (s->dead || ks->state == KS_ERROR)
		return 0;
	if (ks->got_km2 && ks->sent_km2 && ks->state < KS_GOT_KEY)
		ks->state = KS_GOT_KEY;
	if (ks->state == KS_GOT_KEY && rel_send_idle(&ks->snd) &&
	    !tls_pending_ciphertext(ks->tls)) {
		ks->state = KS_ACTIVE;
		if (ks->initial && !s->is_server && !s->got_push && !s->conf.p2p)
			s->push_req_ms = now_ms + 1000;	/* §8.1: ~1 s after ACTIVE */
	}
	return 0;
}

static int derive_key2(struct sess *s, struct sess_ks *ks, uint8_t key2[KEYS_KEY2_LEN])
{
	if (s->neg.ekm)
		return keys_ekm_key2(ks->tls, key2);
	const struct keys_km2 *ckm = s->is_server ? ks->peer_km2 : ks->own_km2;
	const struct keys_km2 *skm = s->is_server ? ks->own_km2 : ks->peer_km2;
	const uint8_t *csid = s->is_server ? s->peer_sid : s->own_sid;
	const uint8_t *ssid = s->is_server ? s->own_sid : s->peer_sid;
	return keys_prf_key2(ckm, skm, csid, ssid, key2);
}

/* Dynamic tls-crypt (§5.5): a key for key_id != 0 from the key_id 0 TLS session. */
static int setup_dyn(struct sess *s, struct sess_ks *ks)
{
	uint8_t ekm[WRAP_KEY2_LEN];

	if (s->have_dyn || !s->neg.dyn_tls_crypt)
		return 0;
	int r = tls_export_ekm(ks->tls, DYN_TLS_CRYPT_LABEL, ekm, sizeof(ekm));
	if (!r)
		r = wrap_init_dynamic(&s->dyn, &s->wrap, ekm, s->is_server);
	OPENSSL_cleanse(ekm, sizeof(ekm));
	if (!r)
		s->have_dyn = true;
	return r;
}

/* Replaces the peer's KM2 (17 KB) with copies of what sess_peer_*() report; keeps it
 * when out of memory. */
static void keep_peer_strings(struct sess_ks *ks)
{
	const struct keys_km2 *km = ks->peer_km2;

	if (!km || ks->peer_user)
		return;
	ks->peer_user = strdup(km->username);
	ks->peer_pass = strdup(km->password);
	ks->peer_iv = strdup(km->peer_info);
	if (!ks->peer_user || !ks->peer_pass || !ks->peer_iv) {
		free_peer_strings(ks);
		return;
	}
	keys_km2_clear(ks->peer_km2);
	free(ks->peer_km2);
	ks->peer_km2 = NULL;
}

int sess_ks_gen_keys(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	struct data_key_cfg cfg = {
		.cipher = cipher_find(s->neg.cipher),
		.auth = cipher_digest_find(s->conf.auth_digest),
		.role = s->is_server ? DATA_ROLE_SERVER : DATA_ROLE_CLIENT,
		.key_id = ks->key_id,
		.peer_id = s->neg.peer_id,
		.replay_window = s->conf.replay_window,
		.format = s->neg.aead_epoch ? DATA_FMT_EPOCH : DATA_FMT_CLASSIC,
	};
	int err = 0;

	if (!cfg.cipher) {
		ks_error(s, ks, -ENOTSUP, "unknown data cipher");
		return -ENOTSUP;
	}
	if (ks->dk)
		return 0;
	err = derive_key2(s, ks, ks->key2);
	if (!err)
		ks->dk = data_key_new(&cfg, ks->key2, &err);
	if (!ks->dk) {
		ks_error(s, ks, err ? err : -EIO, "cannot derive data keys");
		return err ? err : -EIO;
	}
	ks->active_ms = now_ms;
	if (s->is_server && !s->conf.p2p && ks->sent_km2) {
		/* Both KM2s are written, authenticated and used for the keys: a server holding
		 * hundreds of clients keeps no 2 x 17 KB copies of them (OCC replies rebuild
		 * the options string; the peer's strings stay, at their length). */
		keys_km2_clear(ks->own_km2);
		free(ks->own_km2);
		ks->own_km2 = NULL;
		keep_peer_strings(ks);
	}
	if (ks->initial && setup_dyn(s, ks)) {
		ks_error(s, ks, -EIO, "cannot derive the dynamic tls-crypt key");
		return -EIO;
	}
	log_info("session: key %u: data keys %s (%s%s)", ks->key_id, s->neg.cipher,
		 s->neg.ekm ? "EKM" : "PRF", s->neg.aead_epoch ? ", epoch format" : "");
	sess_event_push(s, SESS_EV_KEYS_READY, ks->key_id, 0, s->neg.cipher);
	return 0;
}

int sess_ks_start_reneg(struct sess *s, uint64_t now_ms)
{
	struct sess_ks *pri = &s->ks[SESS_KS_PRIMARY];
	struct sess_ks *lame = &s->ks[SESS_KS_LAME];

	if (s->dead || pri->state != KS_ACTIVE || !pri->dk)
		return -EAGAIN;	/* nothing established, or a renegotiation is running */
	sess_ks_free(lame);
	*lame = *pri;
	lame->expire_ms = now_ms + (uint64_t)s->conf.tran_window * 1000;
	memset(pri, 0, sizeof(*pri));
	uint8_t id = s->next_key_id;
	s->next_key_id = id == PKT_KEY_ID_MAX ? 1 : (uint8_t)(id + 1);
	int r = sess_ks_init(s, pri, id, now_ms);
	if (!r)
		r = sess_ks_send_reset(s, pri, now_ms);
	if (r) {
		sess_ks_free(pri);
		*pri = *lame;
		memset(lame, 0, sizeof(*lame));
		pri->expire_ms = 0;
		return r;
	}
	s->st.renegotiations++;
	log_info("session: renegotiating, key %u", id);
	return 0;
}

/* Text messages go on the newest key whose TLS session carries application data. */
static struct sess_ks *msg_ks(struct sess *s)
{
	struct sess_ks *pri = &s->ks[SESS_KS_PRIMARY];
	if (pri->state >= KS_GOT_KEY && pri->state != KS_ERROR)
		return pri;
	struct sess_ks *lame = &s->ks[SESS_KS_LAME];
	if (lame->state >= KS_GOT_KEY && lame->state != KS_ERROR)
		return lame;
	return NULL;
}

int sess_ks_send_text(struct sess *s, struct sess_ks *ks, const char *msg, size_t len)
{
	if (!ks)
		ks = msg_ks(s);
	if (!ks)
		return -EAGAIN;
	ssize_t n = tls_write_plain(ks->tls, (const uint8_t *)msg, len);
	return n < 0 ? (int)n : 0;
}
