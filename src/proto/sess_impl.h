/* Session internals shared by session.c, sess_ctl.c, keystate.c, sess_msg.c, sess_data.c.
 * Not a public header: the loop uses session.h only. */
#ifndef BURROW_PROTO_SESS_IMPL_H
#define BURROW_PROTO_SESS_IMPL_H

#include "proto/comp.h"
#include "proto/keys.h"
#include "proto/packet.h"
#include "proto/push.h"
#include "proto/reliable.h"
#include "proto/sess_queue.h"
#include "proto/session.h"
#include "proto/wrap.h"

struct tls_sess;
struct data_key;
struct pinfo;

/* Per key_id state (§4.5). Order matters: comparisons use it. */
enum ks_state {
	KS_UNUSED = 0,
	KS_PRE_START,		/* own reset not yet ACKed */
	KS_START,		/* TLS handshake running */
	KS_SENT_KEY,		/* client: KM2 written */
	KS_GOT_KEY,		/* KM2 exchanged both ways */
	KS_ACTIVE,		/* ... and everything we sent is ACKed */
	KS_ERROR,
};

struct sess_ks {
	enum ks_state state;
	uint8_t key_id;
	bool initial;			/* key_id 0 of this session (hard reset) */
	bool sent_km2, got_km2;
	bool tls_up;			/* TLS_UP reported */
	struct rel_send snd;
	struct rel_recv rcv;
	struct tls_sess *tls;
	struct keys_km2 *own_km2, *peer_km2;
	struct data_key *dk;		/* data keys, once generated */
	uint8_t key2[KEYS_KEY2_LEN];	/* what dk was made from (tests compare sides) */
	uint64_t start_ms;		/* negotiation start (hand-window) */
	uint64_t active_ms;		/* data keys installed (reneg-sec base) */
	uint64_t expire_ms;		/* lame duck: deleted at this time (0 = not a lame duck) */
	uint64_t bytes, pkts;		/* data traffic on this key (reneg-bytes/pkts) */
	bool rx_data;			/* a data packet decrypted with this key */
	/* Server: what the accessors report of the peer's KM2 once it is dropped (keys). */
	char *peer_user, *peer_pass, *peer_iv;
};

/* Client's view of the server's decisions / server's decisions for the client. */
struct sess_neg {
	char cipher[64];
	bool ekm;
	bool cc_exit;
	bool dyn_tls_crypt;
	bool aead_epoch;		/* 2.7 epoch data format */
	int32_t peer_id;		/* -1 = P_DATA_V1 */
	enum push_comp comp;
};

enum sess_auth { SESS_AUTH_NONE = 0, SESS_AUTH_WAIT, SESS_AUTH_OK, SESS_AUTH_FAIL };

#define SESS_KS_PRIMARY 0
#define SESS_KS_LAME 1
#define SESS_N_KS 2

struct sess {
	struct sess_conf conf;
	/* owned copies of conf strings */
	char *s_auth_digest, *s_ciphers, *s_fallback, *s_pi_extra, *s_user, *s_pass, *s_dev;

	bool is_server;
	uint64_t t0_ms;			/* now at creation: unix time origin */
	uint32_t t0_unix;
	uint8_t own_sid[PKT_SID_LEN];
	uint8_t peer_sid[PKT_SID_LEN];
	bool have_peer_sid;
	bool resend_wkc;		/* client: server asked for WKc on msgid 1 (§4.4) */
	bool dead;			/* fatal error reported; ignore further input */

	struct wrap_ctx wrap;		/* key_id 0 */
	struct wrap_ctx dyn;		/* key_id != 0 when dyn-tls-crypt is on */
	bool have_dyn;
	bool wrap_ready;		/* v2 server: Kc known */

	struct sess_ks ks[SESS_N_KS];
	uint8_t next_key_id;		/* for the next renegotiation */

	/* Negotiation and push state. */
	struct sess_neg neg;
	bool neg_done;			/* data keys may be generated */
	enum sess_auth auth;
	uint8_t auth_key_id;		/* key_id the pending AUTH_REQUEST is about */
	bool push_requested;		/* server: PUSH_REQUEST seen */
	bool push_sent;			/* server: reply (or AUTH_FAILED) sent */
	uint64_t push_sent_ms;
	char *push_text;		/* server: options from sess_auth_reply */
	char *auth_fail_reason;
	bool got_push;			/* client: complete PUSH_REPLY processed */
	uint64_t push_req_ms;		/* client: next PUSH_REQUEST (0 = none planned) */
	struct push_opts *push;		/* client: accumulated PUSH_REPLY */
	char peer_cn[64];		/* certificate name (x509-username-field), key 0 */
	bool peer_cert;			/* the peer presented a certificate (key 0) */
	struct tls_cert *peer_crt;	/* its latest certificate (renegotiations too), for
					 * revocation checks later */
	char cipher_name[64];
	struct pinfo *peer_pi;		/* server: client's parsed peer-info */
	long peer_proto;		/* server: client's IV_PROTO (-1 unknown) */
	int peer_mtu;			/* server: client's IV_MTU */
	char peer_ciphers[256];		/* server: client's usable cipher list */
	bool exit_sent;

	uint64_t last_rx_ms, last_tx_ms;
	uint64_t now_ms;		/* time of the latest call (for sess_get_info) */
	struct comp_ctx comp;		/* data-channel framing */

	struct sess_queue wire, tun;
	struct sess_event *events;
	size_t ev_head, ev_count, ev_cap;

	struct sess_stats st;
};

/* session.c */
void sess_event_push(struct sess *s, enum sess_event_type type, uint8_t key_id, int err,
		     const char *text);
void sess_fail(struct sess *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint32_t sess_unix_now(const struct sess *s, uint64_t now_ms);
struct sess_ks *sess_ks_by_id(struct sess *s, uint8_t key_id);

/* sess_ctl.c: control channel; sess_input hands it control opcodes only (len >= 1). */
int sess_ctl_input(struct sess *s, const uint8_t *pkt, size_t len, uint64_t now_ms);
/* Moves TLS output into the reliability layer and emits due packets and ACKs. */
void sess_ctl_flush(struct sess *s, uint64_t now_ms);
struct wrap_ctx *sess_wrap_for(struct sess *s, uint8_t key_id);

/* keystate.c: per key_id machine */
int sess_ks_init(struct sess *s, struct sess_ks *ks, uint8_t key_id, uint64_t now_ms);
void sess_ks_free(struct sess_ks *ks);
/* Queues this side's reset (msgid 0): hard reset for key_id 0, soft reset after. */
int sess_ks_send_reset(struct sess *s, struct sess_ks *ks, uint64_t now_ms);
/* Drops a failed renegotiation (KS_ERROR primary): the lame duck becomes primary again. */
void sess_ks_reap(struct sess *s);
/* Delivered in-order payload (reset or TLS bytes) for ks. */
int sess_ks_deliver(struct sess *s, struct sess_ks *ks, const struct rel_msg *m,
		    uint64_t now_ms);
/* Drives TLS/KM2/state after input or ACKs. */
int sess_ks_advance(struct sess *s, struct sess_ks *ks, uint64_t now_ms);
/* Derives and installs the data keys (negotiation must be complete). */
int sess_ks_gen_keys(struct sess *s, struct sess_ks *ks, uint64_t now_ms);
int sess_ks_start_reneg(struct sess *s, uint64_t now_ms);
/* Sends one text control message (NUL included in len) on the primary key. */
int sess_ks_send_text(struct sess *s, struct sess_ks *ks, const char *msg, size_t len);
/* Our OCC options string (§7.2), as sent in our KM2; occ_build()'s result. */
int sess_ks_occ_options(const struct sess *s, char *out, size_t cap);

/* sess_msg.c: text control messages */
int sess_msg_record(struct sess *s, struct sess_ks *ks, uint8_t *rec, size_t len,
		    uint64_t now_ms);
int sess_msg_server_km2(struct sess *s, struct sess_ks *ks, uint64_t now_ms);
int sess_msg_send_push_reply(struct sess *s, uint64_t now_ms);
int sess_msg_timer(struct sess *s, uint64_t now_ms);
uint64_t sess_msg_deadline(const struct sess *s);

/* sess_p2p.c: peer-to-peer mode */
long sess_p2p_proto(const struct sess *s);
int sess_p2p_negotiate(struct sess *s, struct sess_ks *ks, uint64_t now_ms);

/* sess_data.c: data channel */
int sess_data_input(struct sess *s, const uint8_t *pkt, size_t len, uint64_t now_ms);
int sess_data_send(struct sess *s, const uint8_t *payload, size_t len, uint64_t now_ms);
int sess_data_send_occ_exit(struct sess *s, uint64_t now_ms);
#define SESS_SWITCH_GRACE_MS 1000
struct sess_ks *sess_send_key(const struct sess *s, uint64_t now_ms);

#endif
