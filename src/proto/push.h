/* Text control messages inside TLS (spec §8): PUSH_REQUEST, PUSH_REPLY (typed options,
 * multi-part), AUTH_FAILED, AUTH_PENDING, RESTART, HALT, EXIT, INFO; cipher negotiation
 * helpers for the server (§7.5).
 *
 * Each message is ASCII terminated by one NUL, written as its own TLS record. A received
 * record may hold several NUL-terminated messages: split with push_next_msg(). */
#ifndef BURROW_PROTO_PUSH_H
#define BURROW_PROTO_PUSH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pinfo;

#define PUSH_MSG_MAX 2047		/* plaintext control message (§3.2) */
#define PUSH_BUNDLE_SIZE 1024		/* one PUSH_REPLY part incl. NUL (§8.3) */
#define PUSH_OPT_MAX 255		/* one pushed option (§8.3) */

/* ---- message framing and dispatch ---- */

enum push_msg_type {
	PUSH_MSG_UNKNOWN = 0,
	PUSH_MSG_REQUEST,		/* PUSH_REQUEST */
	PUSH_MSG_REPLY,			/* PUSH_REPLY[,opts] */
	PUSH_MSG_UPDATE,		/* PUSH_UPDATE[,opts] (2.7) */
	PUSH_MSG_AUTH_FAILED,		/* AUTH_FAILED[,reason] */
	PUSH_MSG_AUTH_PENDING,		/* AUTH_PENDING[,timeout N] */
	PUSH_MSG_RESTART,		/* RESTART[,[flags]msg] */
	PUSH_MSG_HALT,			/* HALT[,msg] */
	PUSH_MSG_EXIT,			/* EXIT */
	PUSH_MSG_INFO,			/* INFO,extra */
	PUSH_MSG_INFO_PRE,		/* INFO_PRE,extra */
	PUSH_MSG_CR_RESPONSE,		/* CR_RESPONSE,base64 */
};

/* A parsed message. Pointers point into the caller's buffer (valid while it lives). */
struct push_msg {
	enum push_msg_type type;
	const char *text;		/* whole message (CR/LF stripped), NUL-terminated */
	const char *arg;		/* after "NAME," ("" if none) */
	/* AUTH_FAILED */
	bool af_temp;			/* AUTH_FAILED,TEMP... */
	bool af_session;		/* AUTH_FAILED,SESSION:... (auth-token expired) */
	int af_backoff;			/* TEMP[backoff N]: N, else -1 */
	/* AUTH_PENDING */
	int pending_timeout;		/* timeout N, else -1 */
	/* RESTART */
	bool restart_keep_creds;	/* [P] */
	bool restart_next_remote;	/* [N] */
	const char *reason;		/* AUTH_FAILED/RESTART/HALT text after flags ("" if none) */
};

/* Next NUL-terminated message in a plaintext record. *off is the cursor (start at 0).
 * Returns 1 with msg/len set (len without the NUL), 0 at the end, -EBADMSG if the rest has
 * no NUL (a message split over records), -EMSGSIZE if a message exceeds PUSH_MSG_MAX. */
int push_next_msg(const uint8_t *buf, size_t buflen, size_t *off,
		  const char **msg, size_t *len);
/* Classifies one message. msg must be writable and NUL-terminated at msg[len] (as
 * push_next_msg() gives); trailing CR/LF are cut in place. Returns 0, -EBADMSG
 * (non-printable characters, empty) or -EMSGSIZE. Unknown names give type UNKNOWN, 0. */
int push_msg_parse(char *msg, size_t len, struct push_msg *m);
/* NAME or NAME,arg with its NUL: "EXIT", ("AUTH_FAILED", "bad password").
 * Returns the length including the NUL (send exactly that many bytes), or -ENOSPC /
 * -EINVAL (arg with non-printable characters or type UNKNOWN). */
int push_msg_build(enum push_msg_type type, const char *arg, char *out, size_t cap);
const char *push_msg_name(enum push_msg_type type);

/* ---- PUSH_REPLY options ---- */

enum push_topology { PUSH_TOPO_UNSET = 0, PUSH_TOPO_NET30, PUSH_TOPO_P2P, PUSH_TOPO_SUBNET };

/* redirect-gateway / redirect-private flags */
#define PUSH_RG_ENABLE		(1u << 0)	/* option present */
#define PUSH_RG_LOCAL		(1u << 1)
#define PUSH_RG_AUTO_LOCAL	(1u << 2)
#define PUSH_RG_DEF1		(1u << 3)
#define PUSH_RG_BYPASS_DHCP	(1u << 4)
#define PUSH_RG_BYPASS_DNS	(1u << 5)
#define PUSH_RG_BLOCK_LOCAL	(1u << 6)
#define PUSH_RG_IPV6		(1u << 7)
#define PUSH_RG_NOT_IPV4	(1u << 8)	/* "!ipv4" */
#define PUSH_RG_PRIVATE		(1u << 9)	/* came as redirect-private */

/* protocol-flags tokens */
#define PUSH_PF_CC_EXIT		(1u << 0)
#define PUSH_PF_TLS_EKM		(1u << 1)
#define PUSH_PF_DYN_TLS_CRYPT	(1u << 2)
#define PUSH_PF_AEAD_EPOCH	(1u << 3)	/* 2.7 */

enum push_comp {
	PUSH_COMP_UNSET = 0,
	PUSH_COMP_LZO_NO,	/* comp-lzo no: 0xFA framing (§9.4) */
	PUSH_COMP_STUB,		/* compress (no algorithm) / compress stub */
	PUSH_COMP_STUB_V2,	/* compress stub-v2 */
	PUSH_COMP_LZ4,		/* compress lz4 */
	PUSH_COMP_LZ4_V2,	/* compress lz4-v2 */
	PUSH_COMP_LZO,		/* compress lzo / comp-lzo [yes|adaptive] */
	PUSH_COMP_MIGRATE,	/* compress migrate (server config only) */
};

#define PUSH_MAX_ROUTES 64
#define PUSH_MAX_DHCP 16
#define PUSH_MAX_DNS 16
#define PUSH_MAX_UNKNOWN 32

struct push_route4 {
	struct in_addr net, mask;	/* mask default 255.255.255.255 */
	bool has_gw;
	struct in_addr gw;		/* else route-gateway / remote end */
	int metric;			/* -1 = default */
};

struct push_route6 {
	struct in6_addr net;
	int bits;
	bool has_gw;
	struct in6_addr gw;
	int metric;			/* -1 = default */
};

struct push_dhcp {
	char type[16];			/* DNS, DNS6, DOMAIN, DOMAIN-SEARCH, WINS, NTP, NBT, ... */
	char value[128];
};

/* Numeric fields: -1 = not pushed. */
struct push_opts {
	bool has_ifconfig;
	struct in_addr ifc_local;
	struct in_addr ifc_mask;	/* subnet/TAP: netmask; net30/p2p: remote peer IP */
	bool has_ifconfig6;
	struct in6_addr ifc6_local;
	int ifc6_bits;
	struct in6_addr ifc6_remote;
	enum push_topology topology;
	struct push_route4 route4[PUSH_MAX_ROUTES];
	int n_route4;
	struct push_route6 route6[PUSH_MAX_ROUTES];
	int n_route6;
	bool has_route_gw;
	bool route_gw_dhcp;		/* route-gateway dhcp */
	struct in_addr route_gw;
	unsigned redirect;		/* PUSH_RG_* */
	struct push_dhcp dhcp[PUSH_MAX_DHCP];
	int n_dhcp;
	char dns[PUSH_MAX_DNS][PUSH_OPT_MAX + 1];	/* structured `dns ...` lines, verbatim */
	int n_dns;
	int tun_mtu;
	long peer_id;			/* 0..0xFFFFFF (0xFFFFFF = unset on the wire side) */
	char cipher[64];		/* "" = not pushed */
	bool key_derivation_ekm;	/* key-derivation tls-ekm */
	unsigned proto_flags;		/* PUSH_PF_* */
	bool has_proto_flags;
	int ping;
	int ping_restart;
	char auth_token[PUSH_OPT_MAX + 1];	/* "" = none */
	char auth_token_user[PUSH_OPT_MAX + 1];
	int explicit_exit_notify;
	enum push_comp comp;
	bool block_ipv6;
	/* Options we do not model (incl. ignored ones such as block-outside-dns), verbatim;
	 * push_reply_build() emits them too, so a server can push arbitrary config lines. */
	char unknown[PUSH_MAX_UNKNOWN][PUSH_OPT_MAX + 1];
	int n_unknown;
	int n_bad;			/* malformed options logged and skipped (as OpenVPN) */
	int continuation;		/* last push-continuation seen: 0 none, 1 last, 2 more */
};

void push_opts_init(struct push_opts *o);
/* Applies one PUSH_REPLY message ("PUSH_REPLY[,opt,...]", len bytes, NUL not needed) to o,
 * accumulating over continuation parts (call push_opts_init() before the first part).
 * Malformed single options are logged, counted in n_bad and skipped; tables that are full
 * count as bad too. Returns 1 if more parts follow (push-continuation 2), 0 when complete,
 * -EBADMSG if msg is not a PUSH_REPLY or has non-printable bytes, -EMSGSIZE if too long. */
int push_reply_parse(struct push_opts *o, const char *msg, size_t len);
/* Applies one option line ("route 10.0.0.0 255.0.0.0"). Returns 0, -EINVAL (malformed),
 * -ENOSPC (table full). Exposed for config-file `push` lines and tests. */
int push_opt_apply(struct push_opts *o, const char *opt);

/* Server side: the PUSH_REPLY parts for o, in OpenVPN's order, each <= PUSH_BUNDLE_SIZE
 * including its NUL, split at option boundaries with push-continuation 2/1. */
#define PUSH_MAX_PARTS 16
struct push_parts {
	int n;
	size_t len[PUSH_MAX_PARTS];	/* bytes to send, NUL included */
	char part[PUSH_MAX_PARTS][PUSH_BUNDLE_SIZE];
};
/* Returns 0, -E2BIG (more than PUSH_MAX_PARTS parts), -EMSGSIZE (one option too long). */
int push_reply_build(const struct push_opts *o, struct push_parts *out);

/* ---- PUSH_UPDATE (2.7, addendum §A6.2; only sent to clients announcing IV_PROTO bit 12) ---- */

/* Option groups an update may touch. List groups (routes, DNS, DHCP, redirect) are replaced
 * as a whole by their first occurrence in an update sequence. */
#define PUSH_GRP_ROUTE		(1u << 0)
#define PUSH_GRP_ROUTE6		(1u << 1)
#define PUSH_GRP_REDIRECT	(1u << 2)	/* redirect-gateway / redirect-private */
#define PUSH_GRP_DNS		(1u << 3)
#define PUSH_GRP_DHCP		(1u << 4)
#define PUSH_GRP_BLOCK_IPV6	(1u << 5)
#define PUSH_GRP_IFCONFIG	(1u << 6)
#define PUSH_GRP_IFCONFIG6	(1u << 7)
#define PUSH_GRP_ROUTE_GW	(1u << 8)
#define PUSH_GRP_TOPOLOGY	(1u << 9)
#define PUSH_GRP_TUN_MTU	(1u << 10)
#define PUSH_GRP_KEEPALIVE	(1u << 11)	/* ping / ping-restart */
#define PUSH_GRP_IGNORED	(1u << 12)	/* updatable but not modelled (block-outside-dns,
						 * route-metric): accepted, no effect */

struct push_update {
	struct push_opts set;		/* new values of the groups in `replaced` */
	unsigned replaced;		/* PUSH_GRP_* set by this sequence */
	unsigned removed;		/* PUSH_GRP_* reset by "-name" (and not set again) */
	int n_skipped;			/* "?name" options we could not update */
};

void push_update_init(struct push_update *u);
/* Applies one PUSH_UPDATE part to u (call push_update_init() before the first part).
 * Returns 1 if more parts follow, 0 when complete, -EBADMSG (not a PUSH_UPDATE, bad prefix,
 * "-name" with arguments, non-printable), -EMSGSIZE, or -EPERM when an option that cannot be
 * updated arrives without "?" — then the whole update is invalid and the client reconnects,
 * as 2.7 does. */
int push_update_parse(struct push_update *u, const char *msg, size_t len);
/* Merges a complete update into the current options: removed and replaced groups are
 * cleared, then the replaced ones take the update's values. */
void push_update_apply(struct push_opts *cur, const struct push_update *u);

/* ---- negotiation helpers (§7.5) ---- */

/* First entry of server_list (colon-separated data-ciphers) that is also in client_list
 * (the client's IV_CIPHERS), case-insensitive; written with the server's spelling.
 * Returns 0, -ENOENT (no common cipher: answer AUTH_FAILED) or -ENOSPC. */
int push_pick_cipher(const char *server_list, const char *client_list, char *out, size_t cap);
/* The client's cipher list from its peer-info: IV_CIPHERS, else "AES-256-GCM:AES-128-GCM"
 * if IV_NCP >= 2, else the `cipher` of its options string (occ may be NULL).
 * Returns 0, -ENOENT or -ENOSPC. */
int push_client_ciphers(const struct pinfo *pi, const char *occ, char *out, size_t cap);
/* Fills peer-id, key-derivation / protocol-flags and tun-mtu in o from the client's
 * IV_PROTO and IV_MTU as a 2.6 server does (§7.5). peer_id < 0: none. server_tun_mtu
 * <= 0: none. Returns true if the client gets EKM data keys. */
bool push_apply_client_caps(struct push_opts *o, const struct pinfo *pi, long peer_id,
			    int server_tun_mtu);

#endif
