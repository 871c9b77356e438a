/* Data channel of a session (spec §9, §10): key selection for sending, decryption by
 * key_id, compression framing, pings, OCC, and the reneg-bytes/pkts/packet-id triggers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/data.h"
#include "proto/dpkt.h"
#include "proto/occ.h"
#include "proto/sess_impl.h"
#include "util/log.h"

#define SESS_DATA_MAX 65535	/* largest payload accepted from the device */
#define SESS_UNFRAME_MAX 16384	/* decompression output bound */

/* Newest key that is fully established; during a renegotiation the lame duck keeps
 * carrying traffic until the new key is ACTIVE on our side (§10: no gap) and the peer has
 * surely installed it: it sent data on it, or SESS_SWITCH_GRACE_MS passed (OpenVPN installs
 * its keys only when its own key state is ACTIVE, one ACK later than ours). */
struct sess_ks *sess_send_key(const struct sess *s, uint64_t now_ms)
{
	const struct sess_ks *pri = &s->ks[SESS_KS_PRIMARY];
	const struct sess_ks *lame = &s->ks[SESS_KS_LAME];

	if (pri->dk && pri->state == KS_ACTIVE &&
	    (!lame->dk || pri->rx_data || now_ms >= pri->active_ms + SESS_SWITCH_GRACE_MS))
		return (struct sess_ks *)pri;
	if (lame->dk)
		return (struct sess_ks *)lame;
	return pri->dk ? (struct sess_ks *)pri : NULL;
}

static void reneg_check(struct sess *s, struct sess_ks *ks, uint64_t now_ms)
{
	const struct sess_conf *c = &s->conf;

	if (ks != &s->ks[SESS_KS_PRIMARY] || ks->state != KS_ACTIVE)
		return;
	if (data_key_needs_renegotiation(ks->dk) ||
	    (c->reneg_bytes && ks->bytes >= c->reneg_bytes) ||
	    (c->reneg_pkts && ks->pkts >= c->reneg_pkts))
		sess_ks_start_reneg(s, now_ms);
}

static int encrypt_out(struct sess *s, const uint8_t *plain, size_t len, uint64_t now_ms)
{
	struct sess_ks *ks = sess_send_key(s, now_ms);
	uint8_t *fr = NULL, *out = NULL;
	int r = -ENOMEM;

	if (!ks)
		return -EAGAIN;
	if (len > SESS_DATA_MAX)
		return -EMSGSIZE;
	size_t cap = len + COMP_MAX_FRAMING + DATA_MAX_OVERHEAD;
	size_t head = data_key_headroom(ks->dk);
	/* AEAD encrypts in place: frame straight into the packet buffer (one allocation) */
	bool in_place = cipher_is_aead(data_key_cipher(ks->dk)) && head < cap;
	out = malloc(cap);
	if (!out)
		goto out;
	fr = in_place ? out + head : malloc(len + COMP_MAX_FRAMING);
	if (!fr)
		goto out;
	ssize_t n = comp_frame(&s->comp, plain, len, fr, len + COMP_MAX_FRAMING);
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	ssize_t w = data_encrypt(ks->dk, ks->key_id, fr, (size_t)n, out, cap);
	if (w < 0) {
		if (w == DATA_ERR_EXHAUSTED)
			sess_ks_start_reneg(s, now_ms);
		r = w == DATA_ERR_EXHAUSTED ? -EAGAIN : -EIO;
		goto out;
	}
	r = sess_queue_push_owned(&s->wire, out, (size_t)w);
	out = NULL;
	if (r) {
		s->st.drop[SESS_DROP_QUEUE]++;
		goto out;
	}
	s->st.tx_packets++;
	s->st.tx_bytes += (size_t)w;
	s->last_tx_ms = now_ms;
	ks->bytes += len;
	ks->pkts++;
	reneg_check(s, ks, now_ms);
out:
	if (!in_place)
		free(fr);
	free(out);
	return r;
}

int sess_data_send(struct sess *s, const uint8_t *payload, size_t len, uint64_t now_ms)
{
	int r = encrypt_out(s, payload, len, now_ms);
	if (!r)
		s->st.tun_rx++;
	return r;
}

int sess_send_ping(struct sess *s, uint64_t now_ms)
{
	uint8_t p[DPKT_MAGIC_LEN];

	if (!s || s->dead)
		return -EINVAL;
	ssize_t n = dpkt_build_ping(p, sizeof(p));
	int r = n < 0 ? (int)n : encrypt_out(s, p, (size_t)n, now_ms);
	if (!r)
		s->st.pings_tx++;
	sess_ctl_flush(s, now_ms);
	return r;
}

int sess_data_send_occ_exit(struct sess *s, uint64_t now_ms)
{
	uint8_t p[DPKT_MAGIC_LEN + 1];
	ssize_t n = dpkt_build_occ_exit(p, sizeof(p));
	return n < 0 ? (int)n : encrypt_out(s, p, (size_t)n, now_ms);
}

static void count_data_err(struct sess *s, ssize_t err)
{
	if (err == DATA_ERR_REPLAY)
		s->st.drop[SESS_DROP_DATA_REPLAY]++;
	else if (err == DATA_ERR_SHORT || err == DATA_ERR_OPCODE)
		s->st.drop[SESS_DROP_SHORT]++;
	else if (err == DATA_ERR_KEY_ID)
		s->st.drop[SESS_DROP_KEY_ID]++;
	else
		s->st.drop[SESS_DROP_DATA_AUTH]++;
}

static void occ_in(struct sess *s, const struct dpkt_info *info, uint64_t now_ms)
{
	uint8_t p[DPKT_MAGIC_LEN + 1 + KEYS_OPTIONS_MAX + 1];
	struct sess_ks *ks = &s->ks[SESS_KS_PRIMARY];

	s->st.occ_rx++;
	if (info->occ_op == DPKT_OCC_EXIT) {
		sess_event_push(s, SESS_EV_EXIT, 0, 0, "OCC_EXIT");
		return;
	}
	char opts[KEYS_OPTIONS_MAX + 1];

	if (info->occ_op != DPKT_OCC_REQUEST || !ks->sent_km2 ||
	    sess_ks_occ_options(s, opts, sizeof(opts)) < 0)
		return;	/* 2.6 in TLS mode only answers requests */
	ssize_t n = dpkt_build_occ_reply(opts, p, sizeof(p));
	if (n > 0)
		encrypt_out(s, p, (size_t)n, now_ms);
}

/* Plaintext after decryption: unframe, then ping / OCC / tunnel packet. */
static void deliver(struct sess *s, uint8_t *plain, size_t n, uint64_t now_ms)
{
	uint8_t *un = plain;
	struct dpkt_info info;

	if (s->comp.mode != COMP_NONE) {
		un = malloc(SESS_UNFRAME_MAX);
		ssize_t m = un ? comp_unframe(&s->comp, plain, n, un, SESS_UNFRAME_MAX) : -ENOMEM;
		free(plain);
		if (m < 0) {
			free(un);
			s->st.drop[SESS_DROP_DATA_COMP]++;
			return;
		}
		n = (size_t)m;
	}
	int k = dpkt_classify(un, n, &info);
	if (k == DPKT_DATA) {
		if (sess_queue_push_owned(&s->tun, un, n))
			s->st.drop[SESS_DROP_QUEUE]++;
		else
			s->st.tun_tx++;
		return;
	}
	if (k == DPKT_PING)
		s->st.pings_rx++;
	else if (k == DPKT_OCC)
		occ_in(s, &info, now_ms);
	else
		s->st.drop[SESS_DROP_CTRL_MSG]++;
	free(un);
}

int sess_data_input(struct sess *s, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	uint8_t key_id;

	if (data_peek_header(pkt, len, NULL, &key_id, NULL)) {
		s->st.drop[SESS_DROP_SHORT]++;
		return 0;
	}
	struct sess_ks *ks = sess_ks_by_id(s, key_id);
	if (!ks || !ks->dk) {
		s->st.drop[SESS_DROP_DATA_NOKEY]++;
		return 0;
	}
	uint8_t *plain = malloc(len ? len : 1);
	if (!plain)
		return -ENOMEM;
	ssize_t n = data_decrypt(ks->dk, pkt, len, plain, len, now_ms / 1000);
	if (n < 0) {
		free(plain);
		count_data_err(s, n);
		return 0;
	}
	s->last_rx_ms = now_ms;
	ks->rx_data = true;
	ks->bytes += (size_t)n;
	ks->pkts++;
	deliver(s, plain, (size_t)n, now_ms);
	reneg_check(s, ks, now_ms);
	return 0;
}
