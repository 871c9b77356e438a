/* The protocol session: one peer's OpenVPN state machine (client or server side).
 *
 * Composes the wire codec (packet/reliable/wrap), TLS + key method 2 (tls/keys), the
 * control messages (push) and the data channel (data/comp/dpkt) into one object the event
 * loop drives with bytes and time. Pure: no sockets, clocks, threads or globals; every
 * call takes the current time in milliseconds (any monotonic origin).
 *
 * Calling pattern (the loop, after every call): drain sess_pop_wire() to the socket,
 * sess_pop_tun() to the device, sess_pop_event() to its own logic; then wait at most
 * until sess_next_deadline() and call sess_timer().
 *
 * Wire packets in and out are bare OpenVPN packets (one UDP datagram / one TCP record
 * WITHOUT the u16 length; the loop adds/strips TCP framing with packet.h).
 *
 * Spec: docs openvpn-protocol.md §2-§4 (control), §7 (KM2, keys), §8 (push),
 * §9 (data), §10 (renegotiation), §12/§13 (client/server machines).
 */
#ifndef BURROW_PROTO_SESSION_H
#define BURROW_PROTO_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tls_conf;	/* proto/tls.h: certificates, CA, verification */
struct tls_cert;	/* proto/tls.h: a peer certificate kept after the handshake */
struct push_opts;	/* proto/push.h: typed PUSH_REPLY */

enum sess_role { SESS_CLIENT = 0, SESS_SERVER = 1 };
enum sess_transport { SESS_UDP = 0, SESS_TCP = 1 };

/* Control-channel wrapping of key_id 0 (§5). */
enum sess_wrap {
	SESS_WRAP_NONE = 0,
	SESS_WRAP_TLS_AUTH,	/* wrap_key = 256-byte static key, key_dir, auth_digest */
	SESS_WRAP_TLS_CRYPT,	/* wrap_key = 256-byte static key */
	SESS_WRAP_TLS_CRYPT_V2,	/* client: wrap_key = Kc (256) + wkc; server: v2_server_key */
};

/* Key direction for tls-auth (§5.1). */
enum sess_key_dir { SESS_KEYDIR_BIDI = -1, SESS_KEYDIR_NORMAL = 0, SESS_KEYDIR_INVERSE = 1 };

#define SESS_WKC_MAX 1024
#define SESS_TEXT_MAX 256

/* OpenVPN's defaults for a sess_conf field left 0 (the config's option table uses the same
 * values, as text through SESS_DEFAULT_STR, so each number is written once). */
#define SESS_DEFAULT_RENEG_SEC 3600
#define SESS_DEFAULT_HAND_WINDOW 60
#define SESS_DEFAULT_TRAN_WINDOW 3600
#define SESS_DEFAULT_TLS_TIMEOUT 2
#define SESS_DEFAULT_REPLAY_WINDOW 64
#define SESS_DEFAULT_AUTH "SHA1"
#define SESS_DEFAULT_STR_(x) #x
#define SESS_DEFAULT_STR(x) SESS_DEFAULT_STR_(x)

struct sess_conf {
	enum sess_role role;
	enum sess_transport transport;

	/* Control-channel wrapping. */
	enum sess_wrap wrap;
	uint8_t wrap_key[256];		/* tls-auth / tls-crypt static key, or v2 client Kc */
	enum sess_key_dir key_dir;	/* tls-auth only */
	const char *auth_digest;	/* tls-auth HMAC and CBC data HMAC; NULL = "SHA1" */
	uint8_t wkc[SESS_WKC_MAX];	/* tls-crypt-v2 client: wrapped client key */
	size_t wkc_len;
	uint8_t v2_server_key[128];	/* tls-crypt-v2 server key (server role) */

	/* TLS: certificates, CA, verification (owned by the caller, must outlive the sess). */
	struct tls_conf *tls;

	/* Data channel negotiation. */
	const char *data_ciphers;	/* NULL = CIPHER_DEFAULT_LIST (proto/cipher.h) */
	const char *data_ciphers_fallback;	/* NULL = none */
	bool no_ekm;			/* don't announce/accept TLS-EKM (forces the PRF) */
	bool no_dyn_tls_crypt;		/* don't announce/push dyn-tls-crypt */
	bool no_cc_exit;		/* don't announce/push cc-exit */
	/* OpenVPN 2.7 epoch data format (addendum §A1): client announces IV_PROTO bit 10 and
	 * accepts a pushed `protocol-flags aead-epoch`; server pushes it to such clients when
	 * the cipher is AEAD and the client has a peer-id. Off by default (2.6 behaviour). */
	bool aead_epoch;
	/* Peer-to-peer TLS mode (§13.1: tls-client/tls-server without pull / mode server):
	 * no PUSH and no AUTH_REQUEST; both sides derive cipher and flags from the exchanged
	 * peer-info. The server side is created with sess_new() (no cookie). */
	bool p2p;

	/* Client: peer-info extras (newline-separated NAME=value lines, may be NULL),
	 * credentials (NULL = none). */
	const char *peer_info_extra;
	const char *username;
	const char *password;

	/* Server: the 24-bit peer-id to push (0..0xFFFFFE). */
	uint32_t peer_id;
	/* Server: ask again (SESS_EV_AUTH_REQUEST with that key_id) on every renegotiation,
	 * as OpenVPN re-runs its auth on each soft reset; the new key's data keys wait for the
	 * answer, and a refusal ends the session (AUTH_FAILED to the client, SESS_EV_ERROR).
	 * Off: renegotiations are accepted on the strength of the first authentication. */
	bool reauth;
	/* Server: tun-mtu to push to clients that announce IV_MTU (0 = don't push). */
	unsigned tun_mtu;
	/* Client: pull-filter rules applied to PUSH_REPLY (proto/pullfilter.h); caller-owned,
	 * must outlive the session. */
	const struct pullfilter_rule *pull_filter;
	size_t n_pull_filter;

	/* OCC options string fields (§7.2): "tun"/"tap" (NULL = tun). */
	const char *dev_type;

	/* Timers, in seconds; 0 = the OpenVPN default noted. */
	unsigned reneg_sec;		/* 0: SESS_DEFAULT_RENEG_SEC; SESS_RENEG_OFF disables */
	uint64_t reneg_bytes;		/* 0 = off */
	uint64_t reneg_pkts;		/* 0 = off */
	unsigned hand_window;		/* 0: SESS_DEFAULT_HAND_WINDOW */
	unsigned tran_window;		/* 0: SESS_DEFAULT_TRAN_WINDOW */
	unsigned tls_timeout;		/* initial retransmit, doubles; 0: SESS_DEFAULT_TLS_TIMEOUT */
	unsigned replay_window;		/* packets; 0: SESS_DEFAULT_REPLAY_WINDOW */
	unsigned tls_mtu;		/* max control packet (§3.1); 0: REL_TLS_MTU_DEFAULT */

	/* Unix time (s) at sess_new for the tls-auth/tls-crypt replay timestamp (§2.6); the
	 * session reads no clocks. 0 = derive from now_ms / 1000. */
	uint32_t unix_time;
};

#define SESS_RENEG_OFF 0xFFFFFFFFu

/* What the loop hears about. */
enum sess_event_type {
	SESS_EV_TLS_UP = 1,	/* text = peer certificate CN; key_id */
	SESS_EV_AUTH_REQUEST,	/* server: answer with sess_auth_reply(); see sess_peer_*() */
	SESS_EV_PUSH_REPLY,	/* client: push = the typed, complete PUSH_REPLY */
	SESS_EV_KEYS_READY,	/* key_id, text = cipher name, ekm = EKM (else PRF) */
	SESS_EV_AUTH_FAILED,	/* client: text = reason ("" if none) */
	SESS_EV_AUTH_PENDING,	/* client: server extended the handshake window */
	SESS_EV_RESTART,	/* client: server asked to reconnect; text = message */
	SESS_EV_HALT,		/* client: server asked to exit; text = message */
	SESS_EV_EXIT,		/* peer sent exit notify (EXIT or OCC_EXIT) */
	SESS_EV_ERROR,		/* fatal for this session: text = reason, err = -errno */
};

struct sess_event {
	enum sess_event_type type;
	uint8_t key_id;
	bool ekm;
	int err;
	char text[SESS_TEXT_MAX];
	const struct push_opts *push;	/* PUSH_REPLY only; valid until sess_free */
};

/* A view into session-owned memory, valid until the next call on the same sess. */
struct sess_buf {
	const uint8_t *data;
	size_t len;
};

/* Every dropped packet is counted under exactly one reason (sess_drop_name: its text). */
enum sess_drop {
	SESS_DROP_SHORT = 0,	/* too short / malformed header */
	SESS_DROP_OPCODE,	/* unknown opcode or wrong direction */
	SESS_DROP_UNWRAP,	/* tls-auth/tls-crypt authentication failed */
	SESS_DROP_REPLAY_CTL,	/* control replay packet-id */
	SESS_DROP_SESSION_ID,	/* wrong own/remote session id */
	SESS_DROP_KEY_ID,	/* no key state for this key_id */
	SESS_DROP_STATE,	/* out-of-state packet */
	SESS_DROP_RELIABLE,	/* outside receive window / bad ACK list */
	SESS_DROP_DATA_NOKEY,	/* data before keys */
	SESS_DROP_DATA_AUTH,	/* data decryption/authentication failure */
	SESS_DROP_DATA_REPLAY,	/* data replay */
	SESS_DROP_DATA_COMP,	/* bad compression framing */
	SESS_DROP_QUEUE,	/* an output queue was full */
	SESS_DROP_TLS,		/* TLS engine errors */
	SESS_DROP_CTRL_MSG,	/* bad control message text */
	SESS_DROP_N
};

struct sess_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;	/* wire */
	uint64_t tun_rx, tun_tx;		/* payloads to / from the device */
	uint64_t drop[SESS_DROP_N];		/* by enum sess_drop */
	uint64_t pings_rx, pings_tx;
	uint64_t retransmits;
	uint64_t renegotiations;
	uint64_t occ_rx;		/* OCC messages received (answered if a request) */
};

struct sess;

/* A client session, or a server session created on the client's HARD_RESET (TCP, or UDP
 * without the cookie). Starts with sid = random. NULL on error (bad conf, no memory). */
struct sess *sess_new(const struct sess_conf *conf, uint64_t now_ms);

/* Server over UDP: the session created once cookie_check() accepted the client's third
 * packet (proto/cookie.h). Starts as if msgid 0 had been exchanged in both directions;
 * feed the accepted packet to sess_input() right after. */
struct sess *sess_new_accepted(const struct sess_conf *conf, const uint8_t own_sid[8],
			       const uint8_t peer_sid[8], bool early_neg, uint64_t now_ms);

void sess_free(struct sess *s);

/* One whole OpenVPN packet. Returns 0 (also when the packet was dropped and counted) or a
 * negative errno for a fatal condition (an SESS_EV_ERROR event is queued too).
 * After SESS_EV_ERROR or SESS_EV_AUTH_FAILED the session is dead: it ignores input and has
 * no deadline; the loop frees it (and reconnects / drops the client). */
int sess_input(struct sess *s, const uint8_t *pkt, size_t len, uint64_t now_ms);

/* Server: true if pkt is a client HARD_RESET (key_id 0) whose session id is not this
 * session's peer: the client restarted and reconnects from the same address. sess_input()
 * would drop it (drop_session_id); the loop should treat it as a new client (cookie /
 * sess_new) and retire this session once the new one authenticates (§10, last paragraph).
 * Reads only the clear header: cheap, no authentication implied. */
bool sess_is_new_client_reset(const struct sess *s, const uint8_t *pkt, size_t len);

/* Encrypts one tunnel packet into the wire queue. -EAGAIN when no data key is ready. */
int sess_send_data(struct sess *s, const uint8_t *payload, size_t len, uint64_t now_ms);

/* Keepalive ping (§9.7) as a data packet; the loop owns the ping timer. */
int sess_send_ping(struct sess *s, uint64_t now_ms);

/* Explicit exit. Client: control EXIT (sent reliably, once) if cc-exit was negotiated,
 * else one OCC_EXIT data packet (call again each second for explicit-exit-notify n).
 * Server: RESTART to the client (§9.9) once it is connected, else OCC_EXIT. */
int sess_send_exit(struct sess *s, uint64_t now_ms);

/* Server: answer an SESS_EV_AUTH_REQUEST (may be called later, from an async auth; for
 * renegotiations only with conf.reauth, and then text is ignored). ok: text = the configured
 * push options, comma-separated without "PUSH_REPLY," (may be NULL); the session picks the
 * cipher (data-ciphers order vs the client's IV_CIPHERS, else data-ciphers-fallback),
 * derives the data keys and appends peer-id, cipher, key-derivation/protocol-flags and
 * tun-mtu; the reply goes out now (IV_PROTO bit 2) or on PUSH_REQUEST. !ok: text = the
 * AUTH_FAILED reason. Returns 0, -ENOENT (no common cipher: AUTH_FAILED sent and
 * SESS_EV_ERROR queued), -EALREADY (not waiting for an answer), -EINVAL. */
int sess_auth_reply(struct sess *s, bool ok, const char *text, uint64_t now_ms);

/* Start a renegotiation now (besides the reneg-sec/bytes/pkts triggers). */
int sess_renegotiate(struct sess *s, uint64_t now_ms);

/* Retransmits, renegotiation, handshake timeout, PUSH_REQUEST retry, lame-duck expiry. */
int sess_timer(struct sess *s, uint64_t now_ms);
uint64_t sess_next_deadline(const struct sess *s);	/* UINT64_MAX if none */

bool sess_pop_wire(struct sess *s, struct sess_buf *out);
bool sess_pop_tun(struct sess *s, struct sess_buf *out);
bool sess_pop_event(struct sess *s, struct sess_event *out);

/* Inspection. Strings are "" when unknown. */
const struct sess_stats *sess_get_stats(const struct sess *s);
/* The short name of a drop reason ("short", "data_auth", ...); "?" when out of range. */
const char *sess_drop_name(enum sess_drop d);
/* Every packet the session refused, whatever the reason. */
uint64_t sess_stats_drops(const struct sess_stats *st);
bool sess_data_ready(const struct sess *s);		/* a data key can encrypt */
/* The name in the peer's certificate (x509-username-field, CN by default; "" without a
 * certificate), fixed by key 0: a renegotiation that changes it ends the session. */
const char *sess_peer_cn(const struct sess *s);
bool sess_peer_has_cert(const struct sess *s);		/* the peer presented one */
/* Its certificate from the latest handshake (the name never changes), for
 * tls_conf_cert_revoked; NULL without one. */
const struct tls_cert *sess_peer_cert(const struct sess *s);
const char *sess_peer_username(const struct sess *s);	/* server */
const char *sess_peer_password(const struct sess *s);	/* server */
const char *sess_peer_info(const struct sess *s);	/* server: IV_ lines */
const char *sess_cipher(const struct sess *s);		/* negotiated data cipher */
void sess_own_sid(const struct sess *s, uint8_t sid[8]);
/* The peer's session id, once known (false before). */
bool sess_peer_sid(const struct sess *s, uint8_t sid[8]);
uint32_t sess_peer_id(const struct sess *s);	/* 0xFFFFFF when P_DATA_V1 is used */
uint64_t sess_last_rx_ms(const struct sess *s);	/* last authenticated packet (ping-restart) */
uint64_t sess_last_tx_ms(const struct sess *s);	/* last data packet sent (ping) */
/* What was negotiated (valid once KEYS_READY was reported). */
struct sess_info {
	char cipher[64];
	bool ekm;			/* data keys from TLS-EKM, else the PRF */
	bool cc_exit;			/* EXIT travels in the control channel */
	bool dyn_tls_crypt;		/* key_id != 0 control packets use dynamic tls-crypt */
	bool aead_epoch;		/* 2.7 epoch data format */
	uint32_t peer_id;		/* 0xFFFFFF when P_DATA_V1 is used */
	uint8_t send_key_id;		/* key_id data is sent with now */
	int n_keys;			/* data keys held (current + lame duck) */
	char tls_version[16];		/* of the newest key's TLS session ("TLSv1.3"), "" if none */
};
void sess_get_info(const struct sess *s, struct sess_info *out);
/* The 256-byte key2 of the newest data key (tests compare client vs server). */
int sess_key2(const struct sess *s, uint8_t key2[256], uint8_t *key_id);

#endif
