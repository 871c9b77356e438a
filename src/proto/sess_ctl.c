/* Control channel of a session: unwrap, decode, session-id checks, reliability, and the
 * output side (TLS bytes -> P_CONTROL_V1 packets, retransmits, ACKs). Spec §2-§4, §10. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/data.h"
#include "proto/sess_impl.h"
#include "proto/tls.h"
#include "util/log.h"

struct wrap_ctx *sess_wrap_for(struct sess *s, uint8_t key_id)
{
	return key_id != 0 && s->have_dyn ? &s->dyn : &s->wrap;
}

static bool sid_eq(const uint8_t *a, const uint8_t *b)
{
	return CRYPTO_memcmp(a, b, PKT_SID_LEN) == 0;
}

/* Which control opcodes this side accepts (sess_input has already sent data packets to the
 * data channel): a client never accepts client resets, a server never server resets (§1.4);
 * only a server ever sees opcodes 10/11. */
static bool op_allowed(const struct sess *s, uint8_t op)
{
	if (!pkt_op_is_control(op))
		return false;
	if (s->is_server)
		return op != P_CONTROL_HARD_RESET_SERVER_V2;
	return op != P_CONTROL_HARD_RESET_CLIENT_V2 && op != P_CONTROL_HARD_RESET_CLIENT_V3 &&
	       op != P_CONTROL_WKC_V1;
}

static void count_wrap_err(struct sess *s, int r)
{
	if (r == WRAP_ERR_REPLAY)
		s->st.drop[SESS_DROP_REPLAY_CTL]++;
	else if (r == WRAP_ERR_SHORT)
		s->st.drop[SESS_DROP_SHORT]++;
	else
		s->st.drop[SESS_DROP_UNWRAP]++;
}

static void count_decode_err(struct sess *s, int r)
{
	if (r == -EPROTO)
		s->st.drop[SESS_DROP_OPCODE]++;
	else if (r == -ERANGE)
		s->st.drop[SESS_DROP_RELIABLE]++;
	else if (r == -EINVAL)
		s->st.drop[SESS_DROP_SESSION_ID]++;
	else
		s->st.drop[SESS_DROP_SHORT]++;
}

/* tls-crypt-v2 server: the first packet of a client carries WKc; it sets up Kc. */
static int v2_server_key(struct sess *s, uint8_t op, const uint8_t *pkt, size_t len)
{
	if (s->wrap_ready)
		return 0;
	if (op != P_CONTROL_HARD_RESET_CLIENT_V3 && op != P_CONTROL_WKC_V1) {
		s->st.drop[SESS_DROP_STATE]++;
		return -EPROTO;
	}
	int r = wrap_init_v2_server(&s->wrap, s->conf.v2_server_key, pkt, len);
	if (r) {
		wrap_free(&s->wrap);
		s->st.drop[SESS_DROP_UNWRAP]++;
		return -EACCES;
	}
	s->wrap_ready = true;
	if (s->have_peer_sid)	/* accepted by cookie: continue after the stateless reply */
		wrap_set_send_pid(&s->wrap, 2, s->t0_unix);
	return 0;
}

/* The first packet of a session names the peer: a client waits for the server's hard
 * reset ACKing ours; a server for the client's hard reset. */
static int learn_peer(struct sess *s, const struct pkt_ctrl *c, uint64_t now_ms)
{
	bool want = s->is_server ? (c->op == P_CONTROL_HARD_RESET_CLIENT_V2 ||
				    c->op == P_CONTROL_HARD_RESET_CLIENT_V3)
				 : c->op == P_CONTROL_HARD_RESET_SERVER_V2;
	if (!want || c->key_id != 0 || c->msgid != 0) {
		s->st.drop[SESS_DROP_STATE]++;
		return -EPROTO;
	}
	if (!s->is_server && c->n_acks == 0) {
		s->st.drop[SESS_DROP_STATE]++;
		return -EPROTO;
	}
	/* check before adopting the sender: a forged reset must not pin a wrong peer */
	if (c->n_acks && !sid_eq(c->remote_sid, s->own_sid)) {
		s->st.drop[SESS_DROP_SESSION_ID]++;
		return -EPROTO;
	}
	memcpy(s->peer_sid, c->sid, PKT_SID_LEN);
	s->have_peer_sid = true;
	if (s->is_server && (sess_ks_init(s, &s->ks[SESS_KS_PRIMARY], 0, now_ms) ||
			     sess_ks_send_reset(s, &s->ks[SESS_KS_PRIMARY], now_ms))) {
		sess_fail(s, -ENOMEM, "cannot create key state");
		return -ENOMEM;
	}
	return 0;
}

/* A SOFT_RESET for a new key_id: the peer starts a renegotiation (§10 step 2). */
static struct sess_ks *peer_reneg(struct sess *s, const struct pkt_ctrl *c, uint64_t now_ms)
{
	struct sess_ks *pri = &s->ks[SESS_KS_PRIMARY];

	/* Normally key_id == next_key_id; any unused non-zero id is taken (and our counter
	 * follows it) so that a renegotiation the peer never saw cannot desynchronise us. */
	if (c->op != P_CONTROL_SOFT_RESET_V1 || !c->has_msgid || c->msgid != 0 ||
	    c->key_id == 0) {
		s->st.drop[SESS_DROP_KEY_ID]++;
		return NULL;
	}
	if (pri->state != KS_ACTIVE || !pri->dk) {
		s->st.drop[SESS_DROP_STATE]++;
		return NULL;
	}
	s->next_key_id = c->key_id;
	if (sess_ks_start_reneg(s, now_ms))
		return NULL;
	return sess_ks_by_id(s, c->key_id);
}

static int check_ids(struct sess *s, const struct pkt_ctrl *c)
{
	if (!sid_eq(c->sid, s->peer_sid) ||
	    (c->n_acks && !sid_eq(c->remote_sid, s->own_sid))) {
		s->st.drop[SESS_DROP_SESSION_ID]++;
		return -EPROTO;
	}
	if (pkt_op_is_hard_reset(c->op) && c->key_id != 0) {
		s->st.drop[SESS_DROP_STATE]++;
		return -EPROTO;
	}
	return 0;
}

static void process_acks(struct sess *s, struct sess_ks *ks, const struct pkt_ctrl *c,
			 uint64_t now_ms)
{
	for (unsigned i = 0; i < c->n_acks; i++)
		rel_send_ack(&ks->snd, c->acks[i], now_ms);
}

static int process_reliable(struct sess *s, struct sess_ks *ks, const struct pkt_ctrl *c,
			    uint64_t now_ms)
{
	if (!c->has_msgid)
		return 0;
	int r = rel_recv_accept(&ks->rcv, c->op, c->msgid, c->payload, c->payload_len);
	if (r < 0) {
		s->st.drop[SESS_DROP_RELIABLE]++;
		return 0;
	}
	const struct rel_msg *m;
	while (!s->dead && ks->state != KS_UNUSED && ks->state != KS_ERROR &&
	       (m = rel_recv_peek(&ks->rcv))) {
		int e = sess_ks_deliver(s, ks, m, now_ms);
		rel_recv_pop(&ks->rcv);
		if (e)
			return e;
	}
	return 0;
}

static int ctl_dispatch(struct sess *s, const struct pkt_ctrl *c, uint64_t now_ms)
{
	bool first = !s->have_peer_sid;

	if (first && learn_peer(s, c, now_ms))
		return 0;
	if (check_ids(s, c))
		return 0;
	struct sess_ks *ks = sess_ks_by_id(s, c->key_id);
	if (!ks)
		ks = peer_reneg(s, c, now_ms);
	if (!ks)
		return 0;
	s->last_rx_ms = now_ms;
	process_acks(s, ks, c, now_ms);
	if (first && !s->is_server)
		rel_send_all_due(&ks->snd, now_ms);	/* §4.3 burst */
	int r = process_reliable(s, ks, c, now_ms);
	if (r || s->dead || ks->state == KS_UNUSED)
		return r;
	return sess_ks_advance(s, ks, now_ms);
}

bool sess_is_new_client_reset(const struct sess *s, const uint8_t *pkt, size_t len)
{
	uint8_t op, key_id, sid[PKT_SID_LEN];

	if (!s || !s->is_server || !pkt || pkt_peek(pkt, len, &op, &key_id, sid))
		return false;
	if (op != P_CONTROL_HARD_RESET_CLIENT_V2 && op != P_CONTROL_HARD_RESET_CLIENT_V3)
		return false;
	return key_id == 0 && s->have_peer_sid && !sid_eq(sid, s->peer_sid);
}

int sess_ctl_input(struct sess *s, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	uint8_t plain[WRAP_WIRE_MAX];
	struct pkt_ctrl c;
	uint8_t op = pkt_op(pkt[0]);

	if (!op_allowed(s, op)) {
		s->st.drop[SESS_DROP_OPCODE]++;
		return 0;
	}
	if (len < 1 + PKT_SID_LEN) {
		s->st.drop[SESS_DROP_SHORT]++;
		return 0;
	}
	if (s->is_server && v2_server_key(s, op, pkt, len))
		return 0;
	int n = wrap_decode(sess_wrap_for(s, pkt_keyid(pkt[0])), pkt, len,
			    sess_unix_now(s, now_ms), plain, sizeof(plain));
	if (n < 0) {
		count_wrap_err(s, n);
		return 0;
	}
	int r = pkt_ctrl_decode(plain, (size_t)n, &c);
	if (r) {
		count_decode_err(s, r);
		return 0;
	}
	return ctl_dispatch(s, &c, now_ms);
}

/* ---- output ---- */

static void emit(struct sess *s, struct sess_ks *ks, struct pkt_ctrl *c, uint64_t now_ms)
{
	uint8_t plain[PKT_CTRL_MAX + 64], wire[WRAP_WIRE_MAX];

	c->key_id = ks->key_id;
	memcpy(c->sid, s->own_sid, PKT_SID_LEN);
	memcpy(c->remote_sid, s->peer_sid, PKT_SID_LEN);
	int n = pkt_ctrl_encode(c, plain, sizeof(plain));
	if (n < 0) {
		log_warn("session: cannot encode %s: %d", pkt_op_name(c->op), n);
		return;
	}
	int w = wrap_encode(sess_wrap_for(s, ks->key_id), plain, (size_t)n,
			    sess_unix_now(s, now_ms), wire, sizeof(wire));
	if (w < 0) {
		log_warn("session: cannot wrap %s: %s", pkt_op_name(c->op), wrap_strerror(w));
		return;
	}
	if (sess_queue_push2(&s->wire, wire, (size_t)w, NULL, 0)) {
		s->st.drop[SESS_DROP_QUEUE]++;
		return;
	}
	s->st.tx_packets++;
	s->st.tx_bytes += (size_t)w;
}

/* ACKs can only name the peer's session once we know it. */
static size_t take_acks(struct sess *s, struct sess_ks *ks, uint32_t *acks, size_t max)
{
	if (!s->have_peer_sid)
		return 0;
	return rel_ack_build(&ks->rcv, acks, max);
}

static size_t max_payload(struct sess *s, struct sess_ks *ks, uint8_t op)
{
	size_t extra = op == P_CONTROL_WKC_V1 ? wrap_wkc_len(&s->wrap) : 0;
	return rel_max_payload(s->conf.tls_mtu, REL_ACK_PIGGYBACK,
			       wrap_overhead(sess_wrap_for(s, ks->key_id)), false, extra);
}

/* TLS ciphertext -> reliable packets, as far as the send window allows. */
static void feed_tls(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	uint8_t buf[REL_SEND_WINDOW * REL_PAYLOAD_MAX];

	if (!ks->tls || ks->state < KS_START || ks->state == KS_ERROR)
		return;
	while (tls_pending_ciphertext(ks->tls) && rel_send_space(&ks->snd)) {
		/* msgid 1 of a v2 client asked to resend WKc travels as P_CONTROL_WKC_V1 */
		uint8_t op = P_CONTROL_V1;
		if (s->resend_wkc && ks->initial && ks->snd.next_msgid == 1)
			op = P_CONTROL_WKC_V1;
		size_t mp = max_payload(s, ks, op);
		if (!mp)
			return;
		size_t want = op == P_CONTROL_WKC_V1 ? mp : mp * rel_send_space(&ks->snd);
		if (want > sizeof(buf))
			want = sizeof(buf);
		size_t got = tls_take_ciphertext(ks->tls, buf, want);
		if (!got)
			return;
		long q = rel_send_queue_stream(&ks->snd, op, buf, got, mp, now_ms);
		if (q < 0 || (size_t)q != got) {
			/* cannot happen: we took no more than the window holds */
			log_warn("session: reliable layer refused TLS bytes");
			s->st.drop[SESS_DROP_QUEUE]++;
			return;
		}
	}
}

static void send_due(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	const struct rel_pkt *p;

	while ((p = rel_send_due(&ks->snd, now_ms))) {
		struct pkt_ctrl c;
		memset(&c, 0, sizeof(c));
		c.op = p->op;
		c.msgid = p->msgid;
		c.payload = p->payload;
		c.payload_len = p->len;
		c.n_acks = (uint8_t)take_acks(s, ks, c.acks, REL_ACK_PIGGYBACK);
		if (p->n_sent > 1)
			s->st.retransmits++;
		emit(s, ks, &c, now_ms);
	}
}

static void send_acks(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	if (!rel_ack_pending(&ks->rcv) || !s->have_peer_sid)
		return;
	struct pkt_ctrl c;
	memset(&c, 0, sizeof(c));
	c.op = P_ACK_V1;
	c.n_acks = (uint8_t)take_acks(s, ks, c.acks, REL_ACK_MAX);
	if (c.n_acks)
		emit(s, ks, &c, now_ms);
}

void sess_ctl_flush(struct sess *s, uint64_t now_ms)
{
	if (!s->wrap_ready)
		return;
	for (int i = 0; i < SESS_N_KS; i++) {
		struct sess_ks *ks = &s->ks[i];
		if (ks->state == KS_UNUSED)
			continue;
		feed_tls(s, ks, now_ms);
		send_due(s, ks, now_ms);
		send_acks(s, ks, now_ms);
	}
}
