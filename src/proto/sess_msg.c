/* Text control messages after the handshake (spec §8): PUSH_REQUEST / PUSH_REPLY,
 * AUTH_FAILED, AUTH_PENDING, RESTART, HALT, EXIT; the server's authentication answer and
 * its negotiation decisions (§7.5); the client's applying of a PUSH_REPLY. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/cipher.h"
#include "proto/data.h"
#include "proto/occ.h"
#include "proto/peerinfo.h"
#include "proto/sess_impl.h"
#include "util/log.h"

#define PUSH_RETRY_MS 5000

static int send_msg(struct sess *s, enum push_msg_type type, const char *arg)
{
	char buf[PUSH_MSG_MAX + 1];
	int n = push_msg_build(type, arg, buf, sizeof(buf));
	if (n < 0)
		return n;
	return sess_ks_send_text(s, NULL, buf, (size_t)n);
}

/* What either role does with a message its own switch does not take: EXIT ends the
 * session; INFO (client: also INFO_PRE, server: also CR_RESPONSE) is logged; anything else is
 * counted as dropped. */
static void both_msg(struct sess *s, struct sess_ks *ks, const struct push_msg *m)
{
	bool info = m->type == PUSH_MSG_INFO ||
		    m->type == (s->is_server ? PUSH_MSG_CR_RESPONSE : PUSH_MSG_INFO_PRE);

	if (m->type == PUSH_MSG_EXIT)
		sess_event_push(s, SESS_EV_EXIT, ks->key_id, 0, "");
	else if (info && s->is_server)
		log_info("session: client sent %s", m->text);
	else if (info)
		log_info("session: server info: %s", m->arg);
	else
		s->st.drop[SESS_DROP_CTRL_MSG]++;
}

/* ---- client ---- */

static bool in_list(const char *list, const char *name)
{
	const struct cipher_info *ours[32], *want = cipher_find(name);
	int n = cipher_list_parse(list, ours, 32, NULL);

	for (int i = 0; want && i < n; i++)
		if (ours[i] == want)
			return true;
	return false;
}

/* §8.2: pushed cipher, else the server's OCC cipher if we allow it, else the fallback. */
static int client_pick_cipher(struct sess *s, struct sess_ks *ks, char *out, size_t cap)
{
	const struct push_opts *o = s->push;
	char occ_cipher[64];

	if (o->cipher[0]) {
		if (!in_list(s->conf.data_ciphers, o->cipher))
			return -ENOENT;
		snprintf(out, cap, "%s", o->cipher);
		return 0;
	}
	if (!occ_get(ks->peer_km2->options, "cipher", occ_cipher, sizeof(occ_cipher)) &&
	    in_list(s->conf.data_ciphers, occ_cipher)) {
		snprintf(out, cap, "%s", occ_cipher);
		return 0;
	}
	if (s->conf.data_ciphers_fallback && cipher_find(s->conf.data_ciphers_fallback)) {
		snprintf(out, cap, "%s", s->conf.data_ciphers_fallback);
		return 0;
	}
	return -ENOENT;
}

static enum comp_mode comp_of(enum push_comp c)
{
	switch (c) {
	case PUSH_COMP_LZO_NO: return COMP_LZO_STUB;
	case PUSH_COMP_STUB: return COMP_STUB;
	case PUSH_COMP_STUB_V2: return COMP_STUB_V2;
	case PUSH_COMP_LZ4: return COMP_LZ4;
	case PUSH_COMP_LZ4_V2: return COMP_LZ4_V2;
	case PUSH_COMP_LZO: return COMP_LZO;
	default: return COMP_NONE;
	}
}

static void client_apply_push(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	const struct push_opts *o = s->push;
	unsigned pf = o->has_proto_flags ? o->proto_flags : 0;

	if (client_pick_cipher(s, ks, s->neg.cipher, sizeof(s->neg.cipher))) {
		sess_fail(s, -ENOENT, "server pushed cipher '%s' which is not in data-ciphers",
			  o->cipher);
		return;
	}
	s->neg.ekm = !s->conf.no_ekm && (o->key_derivation_ekm || (pf & PUSH_PF_TLS_EKM));
	s->neg.cc_exit = !s->conf.no_cc_exit && (pf & PUSH_PF_CC_EXIT);
	s->neg.dyn_tls_crypt = !s->conf.no_dyn_tls_crypt && (pf & PUSH_PF_DYN_TLS_CRYPT);
	s->neg.peer_id = o->peer_id >= 0 && o->peer_id < (long)DATA_PEER_ID_NONE ?
			 (int32_t)o->peer_id : -1;
	s->neg.aead_epoch = s->conf.aead_epoch && (pf & PUSH_PF_AEAD_EPOCH);
	if (s->neg.aead_epoch && (s->neg.peer_id < 0 || !cipher_is_aead(cipher_find(s->neg.cipher)))) {
		/* addendum §A1.3: the epoch format needs P_DATA_V2 and an AEAD cipher */
		sess_fail(s, -EPROTO, "server pushed aead-epoch without peer-id or AEAD cipher");
		return;
	}
	s->neg.comp = o->comp;
	if (comp_init(&s->comp, comp_of(o->comp))) {
		sess_fail(s, -ENOTSUP, "pushed compression framing not supported");
		return;
	}
	s->neg_done = true;
	s->got_push = true;
	s->push_req_ms = 0;
	sess_event_push(s, SESS_EV_PUSH_REPLY, ks->key_id, 0, "");
	sess_ks_gen_keys(s, ks, now_ms);
}

static void client_push_reply(struct sess *s, struct sess_ks *ks, const struct push_msg *m,
			      uint64_t now_ms)
{
	if (s->got_push || !ks->initial || s->conf.p2p)
		return;	/* renewals (auth-token) on later keys are not applied; p2p has no push */
	if (!s->push) {
		s->push = malloc(sizeof(*s->push));
		if (!s->push) {
			sess_fail(s, -ENOMEM, "out of memory");
			return;
		}
		push_opts_init(s->push);
	}
	int r = push_reply_parse(s->push, m->text, strlen(m->text));
	if (r < 0) {
		s->st.drop[SESS_DROP_CTRL_MSG]++;
		return;
	}
	if (r == 0)
		client_apply_push(s, ks, now_ms);
}

static void client_msg(struct sess *s, struct sess_ks *ks, const struct push_msg *m,
		       uint64_t now_ms)
{
	switch (m->type) {
	case PUSH_MSG_REPLY:
		client_push_reply(s, ks, m, now_ms);
		break;
	case PUSH_MSG_AUTH_FAILED:
		sess_event_push(s, SESS_EV_AUTH_FAILED, ks->key_id, -EACCES, m->reason);
		s->dead = true;	/* §8: the client stops; the loop decides about retrying */
		break;
	case PUSH_MSG_AUTH_PENDING:
		if (m->pending_timeout > 0) {
			/* the handshake deadline (start + hand-window) moves to now + timeout */
			uint64_t until = now_ms + (uint64_t)m->pending_timeout * 1000;
			uint64_t hw = (uint64_t)s->conf.hand_window * 1000;
			ks->start_ms = until > hw ? until - hw : 0;
		}
		sess_event_push(s, SESS_EV_AUTH_PENDING, ks->key_id, 0, m->arg);
		break;
	case PUSH_MSG_RESTART:
		sess_event_push(s, SESS_EV_RESTART, ks->key_id, 0, m->reason);
		break;
	case PUSH_MSG_HALT:
		sess_event_push(s, SESS_EV_HALT, ks->key_id, 0, m->reason);
		break;
	default:
		both_msg(s, ks, m);
		break;
	}
}

/* ---- server ---- */

int sess_msg_send_push_reply(struct sess *s, uint64_t now_ms)
{
	struct push_parts *parts = malloc(sizeof(*parts));
	int r = parts ? push_reply_build(s->push, parts) : -ENOMEM;

	for (int i = 0; !r && i < parts->n; i++)
		r = sess_ks_send_text(s, NULL, parts->part[i], parts->len[i]);
	free(parts);
	if (r) {
		log_warn("session: cannot send PUSH_REPLY: %d", r);
		return r;
	}
	s->push_sent = true;
	s->push_sent_ms = now_ms;
	if (s->is_server) {
		/* sent once (the reliable layer repeats it): the 19 KB of options are done */
		free(s->push);
		s->push = NULL;
	}
	return 0;
}

static void server_msg(struct sess *s, struct sess_ks *ks, const struct push_msg *m,
		       uint64_t now_ms)
{
	switch (m->type) {
	case PUSH_MSG_REQUEST:
		s->push_requested = true;
		/* a request before auth is answered later; repeats after a reply are ignored */
		if (s->auth == SESS_AUTH_OK && !s->push_sent)
			sess_msg_send_push_reply(s, now_ms);
		break;
	default:
		both_msg(s, ks, m);
		break;
	}
}

/* The client's KM2 arrived and ours is written. Key 0: ask the loop to authenticate;
 * later keys: same cipher and derivation, keys right away. */
int sess_msg_server_km2(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	const struct keys_km2 *km = ks->peer_km2;

	if (!ks->initial && s->conf.reauth && !s->conf.p2p && s->neg_done) {
		s->auth = SESS_AUTH_WAIT;	/* re-authentication (conf.reauth) */
		s->auth_key_id = ks->key_id;
		sess_event_push(s, SESS_EV_AUTH_REQUEST, ks->key_id, 0, s->peer_cn);
		return 0;
	}
	if (!ks->initial)
		return s->neg_done ? sess_ks_gen_keys(s, ks, now_ms) : 0;
	if (s->conf.p2p)
		return sess_p2p_negotiate(s, ks, now_ms);
	if (!s->peer_pi) {
		s->peer_pi = malloc(sizeof(*s->peer_pi));
		if (!s->peer_pi) {
			sess_fail(s, -ENOMEM, "out of memory");
			return -ENOMEM;
		}
	}
	pinfo_init(s->peer_pi);
	if (pinfo_parse(s->peer_pi, km->peer_info, strlen(km->peer_info)))
		pinfo_init(s->peer_pi);	/* treat garbage like an old client: no features */
	s->peer_proto = s->peer_pi->proto;
	s->peer_mtu = s->peer_pi->mtu;
	if (push_client_ciphers(s->peer_pi, km->options, s->peer_ciphers,
				sizeof(s->peer_ciphers)))
		s->peer_ciphers[0] = 0;
	s->auth = SESS_AUTH_WAIT;
	s->auth_key_id = 0;
	sess_event_push(s, SESS_EV_AUTH_REQUEST, ks->key_id, 0, s->peer_cn);
	return 0;
}

static int server_pick_cipher(struct sess *s, char *out, size_t cap)
{
	if (s->peer_ciphers[0] &&
	    !push_pick_cipher(s->conf.data_ciphers, s->peer_ciphers, out, cap))
		return 0;
	if (s->conf.data_ciphers_fallback && cipher_find(s->conf.data_ciphers_fallback)) {
		snprintf(out, cap, "%s", s->conf.data_ciphers_fallback);
		return 0;
	}
	return -ENOENT;
}

/* The configured options ("a,b,c") into s->push, one by one. */
static int apply_text(struct push_opts *o, const char *text)
{
	char opt[PUSH_OPT_MAX + 1];

	while (text && *text) {
		size_t n = strcspn(text, ",");
		if (n > PUSH_OPT_MAX)
			return -EMSGSIZE;
		memcpy(opt, text, n);
		opt[n] = 0;
		if (n && push_opt_apply(o, opt))
			log_warn("session: cannot push option '%s'", opt);
		text += n;
		if (*text == ',')
			text++;
	}
	return 0;
}

static void server_decide(struct sess *s)
{
	struct push_opts *o = s->push;
	long pid = (s->peer_proto > 0 && (s->peer_proto & PINFO_PROTO_DATA_V2)) ?
		   (long)s->conf.peer_id : -1;

	push_apply_client_caps(o, s->peer_pi, pid, (int)s->conf.tun_mtu);
	if (s->conf.no_ekm) {
		o->key_derivation_ekm = false;
		o->proto_flags &= ~PUSH_PF_TLS_EKM;
	}
	if (s->conf.no_cc_exit)
		o->proto_flags &= ~PUSH_PF_CC_EXIT;
	if (s->conf.no_dyn_tls_crypt)
		o->proto_flags &= ~PUSH_PF_DYN_TLS_CRYPT;
	if (o->has_proto_flags && !o->proto_flags)
		o->has_proto_flags = false;
	/* 2.7 epoch format: only with a peer-id and an AEAD cipher (addendum §A1.2) */
	if (s->conf.aead_epoch && s->peer_proto > 0 && (s->peer_proto & PINFO_PROTO_DATA_EPOCH) &&
	    pid >= 0 && cipher_is_aead(cipher_find(s->neg.cipher))) {
		o->proto_flags |= PUSH_PF_AEAD_EPOCH;
		o->has_proto_flags = true;
	}
	unsigned pf = o->has_proto_flags ? o->proto_flags : 0;
	snprintf(o->cipher, sizeof(o->cipher), "%s", s->neg.cipher);
	s->neg.ekm = o->key_derivation_ekm || (pf & PUSH_PF_TLS_EKM);
	s->neg.cc_exit = pf & PUSH_PF_CC_EXIT;
	s->neg.dyn_tls_crypt = pf & PUSH_PF_DYN_TLS_CRYPT;
	s->neg.aead_epoch = pf & PUSH_PF_AEAD_EPOCH;
	s->neg.peer_id = pid >= 0 ? (int32_t)pid : -1;
	s->neg.comp = o->comp;
}

static int auth_fail(struct sess *s, const char *reason, uint64_t now_ms)
{
	s->auth = SESS_AUTH_FAIL;
	s->push_sent = true;
	s->push_sent_ms = now_ms;
	return send_msg(s, PUSH_MSG_AUTH_FAILED, reason && *reason ? reason : NULL);
}

static int auth_ok(struct sess *s, const char *text, uint64_t now_ms)
{
	struct sess_ks *ks = sess_ks_by_id(s, 0);

	if (!ks || !ks->initial)
		return -EPROTO;
	if (server_pick_cipher(s, s->neg.cipher, sizeof(s->neg.cipher))) {
		auth_fail(s, "no shared cipher", now_ms);
		sess_fail(s, -ENOENT, "no data cipher in common with the client ('%s')",
			  s->peer_ciphers);
		return -ENOENT;
	}
	if (!s->push && !(s->push = malloc(sizeof(*s->push))))
		return -ENOMEM;
	push_opts_init(s->push);
	int r = apply_text(s->push, text);
	if (r)
		return r;
	server_decide(s);
	r = comp_init(&s->comp, comp_of(s->neg.comp));
	if (r)
		return r;
	s->neg_done = true;
	s->auth = SESS_AUTH_OK;
	r = sess_ks_gen_keys(s, ks, now_ms);
	if (r)
		return r;
	if ((s->peer_proto > 0 && (s->peer_proto & PINFO_PROTO_REQUEST_PUSH)) ||
	    s->push_requested)
		return sess_msg_send_push_reply(s, now_ms);
	return 0;
}

/* conf.reauth: the answer for a renegotiated key. */
static int reauth_reply(struct sess *s, bool ok, const char *reason, uint64_t now_ms)
{
	struct sess_ks *ks = sess_ks_by_id(s, s->auth_key_id);

	if (!ok) {
		auth_fail(s, reason, now_ms);
		sess_fail(s, -EACCES, "re-authentication refused%s%s", reason ? ": " : "",
			  reason ? reason : "");
		return 0;
	}
	s->auth = SESS_AUTH_OK;
	if (!ks || ks->state == KS_ERROR)
		return 0;	/* that renegotiation is gone already */
	return sess_ks_gen_keys(s, ks, now_ms);
}

int sess_auth_reply(struct sess *s, bool ok, const char *text, uint64_t now_ms)
{
	if (!s || !s->is_server)
		return -EINVAL;
	if (s->auth != SESS_AUTH_WAIT || s->dead)
		return -EALREADY;
	int r;
	if (s->auth_key_id != 0)
		r = reauth_reply(s, ok, text, now_ms);
	else
		r = ok ? auth_ok(s, text, now_ms) : auth_fail(s, text, now_ms);
	sess_ctl_flush(s, now_ms);
	return r;
}

/* ---- both ---- */

int sess_msg_record(struct sess *s, struct sess_ks *ks, uint8_t *rec, size_t len,
		    uint64_t now_ms)
{
	size_t off = 0, mlen;
	const char *msg;
	int r;

	while (!s->dead && (r = push_next_msg(rec, len, &off, &msg, &mlen)) == 1) {
		struct push_msg m;
		if (push_msg_parse((char *)rec + (msg - (const char *)rec), mlen, &m)) {
			s->st.drop[SESS_DROP_CTRL_MSG]++;
			continue;
		}
		if (s->is_server)
			server_msg(s, ks, &m, now_ms);
		else
			client_msg(s, ks, &m, now_ms);
	}
	if (r < 0)
		s->st.drop[SESS_DROP_CTRL_MSG]++;
	return 0;
}

int sess_msg_timer(struct sess *s, uint64_t now_ms)
{
	if (s->is_server || s->got_push || !s->push_req_ms || now_ms < s->push_req_ms)
		return 0;
	s->push_req_ms = now_ms + PUSH_RETRY_MS;
	return send_msg(s, PUSH_MSG_REQUEST, NULL);
}

uint64_t sess_msg_deadline(const struct sess *s)
{
	if (s->is_server || s->got_push || !s->push_req_ms)
		return UINT64_MAX;
	return s->push_req_ms;
}

int sess_send_exit(struct sess *s, uint64_t now_ms)
{
	if (!s)
		return -EINVAL;
	int r;
	if (s->is_server && s->neg_done && !s->conf.p2p) {
		/* a server going away tells its clients to reconnect (§9.9) */
		r = s->exit_sent ? 0 : send_msg(s, PUSH_MSG_RESTART, NULL);
		s->exit_sent = true;
	} else if (s->neg.cc_exit) {
		r = s->exit_sent ? 0 : send_msg(s, PUSH_MSG_EXIT, NULL);
		s->exit_sent = true;
	} else {
		r = sess_data_send_occ_exit(s, now_ms);
	}
	sess_ctl_flush(s, now_ms);
	return r;
}
