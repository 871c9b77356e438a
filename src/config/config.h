/* burrow configuration: OpenVPN 2.6 config syntax (.ovpn profiles, server configs,
 * client-config-dir files) parsed into one typed struct that the engines read.
 *
 * Life cycle:
 *   struct cfg c; struct cfg_err e;
 *   cfg_init(&c, CFG_ROLE_CLIENT);
 *   if (cfg_load_file(path, CFG_ROLE_CLIENT, &c, &e) < 0 ||      (also calls cfg_init)
 *       cfg_apply_args(argc, argv, &c, &e) < 0 ||                 (--directive args overrides)
 *       cfg_validate(&c, &e) < 0)                                 (loads files, checks, defaults)
 *           log_error("%s", e.text);
 *   ... use c ...
 *   cfg_free(&c);
 *
 * Parsing only records what the text says (paths are resolved against the profile's
 * directory but not opened), so a profile whose key files are elsewhere still parses;
 * cfg_validate() reads every referenced file into memory, checks certificates/keys with
 * OpenSSL and reports a missing or broken file with the file:line that named it.
 * Config has no side effects other than reading the files it is told to (and one log
 * notice per accepted-but-ignored directive).
 *
 * After a successful cfg_validate() the engines can rely on:
 *   - every directive the configuration left out that has a default in the option table
 *     (`burrow help directives` shows them) holds that default, set through the directive's
 *     own parser: hand-window 60, max-clients 1024, data-ciphers, auth SHA1, port 1194, ...
 *     The engines need no fallbacks of their own. Flags such as topology_set, lport_set and
 *     allow_compression_set still say whether the user wrote the directive;
 *   - role is CLIENT or SERVER (tls_client / tls_server set accordingly); proto "tcp" is
 *     tcp-server on a server; dev_type is TUN or TAP;
 *   - every remote has a port and a proto; lport/rport are set;
 *   - ca/cert/key/... text holds PEM in memory: files read, a pkcs12 bundle unpacked into
 *     cert/key (and ca), an askpass-encrypted key decrypted; cert and key match;
 *   - tls_auth/tls_crypt/tls_crypt_v2 key text parses with proto/statickey.h;
 *     tls_auth.direction already includes key-direction (-1 = bidirectional);
 *   - ping/ping_restart include keepalive (server: ping-restart = 2 x timeout; what to push
 *     to clients is keepalive_interval/keepalive_timeout);
 *   - auth_user_pass username/password read from the file or block;
 *   - data_ciphers/data_ciphers_fallback/cipher/auth are canonical upper-case names that
 *     OpenSSL knows ("none" stays), optional "?NAME" entries resolved.
 *
 * Strings in struct cfg are NUL-terminated and owned by the cfg (freed by cfg_free).
 * Single-valued directives: the last one wins. Multi-valued ones accumulate in order.
 */
#ifndef BURROW_CONFIG_CONFIG_H
#define BURROW_CONFIG_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/pullfilter.h"

/* ---- errors ---------------------------------------------------------------------- */

#define CFG_ERR_TEXT_MAX 1024

/* Where a value came from: a file and line, or the command line ("<command line>", argv
 * index as line). */
struct cfg_where {
	const char *file;	/* owned by the cfg; NULL when unset */
	int line;
};

struct cfg_err {
	char file[256];		/* "" when not tied to a file */
	int line;		/* 0 when not tied to a line */
	char directive[64];	/* "" when not tied to a directive */
	char problem[384];
	char hint[256];		/* what to do; may be "" */
	/* The one formatted line: "FILE:LINE: directive: problem — hint". */
	char text[CFG_ERR_TEXT_MAX];
};

/* ---- enums ----------------------------------------------------------------------- */

enum cfg_role {
	CFG_ROLE_AUTO = 0,	/* decide from the file: client/pull/tls-client vs server/mode server */
	CFG_ROLE_CLIENT = 1,
	CFG_ROLE_SERVER = 2,
};

enum cfg_dev_type { CFG_DEV_UNSET = 0, CFG_DEV_TUN, CFG_DEV_TAP };

/* Transport. "tcp" means tcp-client on a client and tcp-server on a server. */
enum cfg_proto { CFG_PROTO_UNSET = 0, CFG_PROTO_UDP, CFG_PROTO_TCP_CLIENT, CFG_PROTO_TCP_SERVER };
/* Address family restriction from udp4/udp6/tcp4/tcp6... */
enum cfg_af { CFG_AF_ANY = 0, CFG_AF_INET = 4, CFG_AF_INET6 = 6 };

enum cfg_topology { CFG_TOPO_NET30 = 0, CFG_TOPO_P2P, CFG_TOPO_SUBNET };

enum cfg_mode { CFG_MODE_P2P = 0, CFG_MODE_SERVER };

enum cfg_comp {
	CFG_COMP_NONE = 0,	/* no compression directive: no framing byte */
	CFG_COMP_STUB,		/* compress (no algo) / compress stub: framing byte, never compress */
	CFG_COMP_STUB_V2,	/* compress stub-v2 */
	CFG_COMP_LZO,		/* comp-lzo [yes|adaptive] / compress lzo */
	CFG_COMP_LZO_NO,	/* comp-lzo no: LZO framing byte, never compress */
	CFG_COMP_LZ4,		/* compress lz4 */
	CFG_COMP_LZ4_V2,	/* compress lz4-v2 */
	CFG_COMP_MIGRATE,	/* compress migrate (server) */
};

enum cfg_allow_comp { CFG_ALLOW_COMP_NO = 0, CFG_ALLOW_COMP_ASYM, CFG_ALLOW_COMP_YES };

enum cfg_x509_type { CFG_X509_NAME = 0, CFG_X509_NAME_PREFIX, CFG_X509_SUBJECT };

enum cfg_cert_tls { CFG_CERT_TLS_NONE = 0, CFG_CERT_TLS_SERVER, CFG_CERT_TLS_CLIENT };

enum cfg_aup_source {
	CFG_AUP_NONE = 0,	/* no auth-user-pass */
	CFG_AUP_PROMPT,		/* auth-user-pass with no argument: ask on the terminal */
	CFG_AUP_FILE,		/* auth-user-pass FILE (line 1 user, line 2 password, optional) */
	CFG_AUP_INLINE,		/* <auth-user-pass> block */
};

enum cfg_aupv_method { CFG_AUPV_VIA_FILE = 0, CFG_AUPV_VIA_ENV };

enum cfg_verify_cc { CFG_VCC_REQUIRE = 0, CFG_VCC_OPTIONAL, CFG_VCC_NONE };

/* redirect-gateway / redirect-private flags */
enum {
	CFG_RG_ENABLE = 1 << 0,		/* the directive was given */
	CFG_RG_DEF1 = 1 << 1,
	CFG_RG_IPV6 = 1 << 2,
	CFG_RG_NOIPV4 = 1 << 3,
	CFG_RG_LOCAL = 1 << 4,
	CFG_RG_AUTOLOCAL = 1 << 5,
	CFG_RG_BYPASS_DHCP = 1 << 6,
	CFG_RG_BYPASS_DNS = 1 << 7,
	CFG_RG_BLOCK_LOCAL = 1 << 8,
};

/* ---- compound values --------------------------------------------------------------- */

/* A certificate/key/CRL/DH/static-key object: either a file path or an inline block.
 * After cfg_validate(), text/len hold the contents in both cases (file read into memory). */
struct cfg_blob {
	char *path;		/* resolved path (absolute or relative to the cwd), NULL if inline */
	char *text;		/* contents, NUL-terminated; NULL until loaded (file) */
	size_t len;
	bool is_inline;
	struct cfg_where where;	/* the directive or block that set it */
};

static inline bool cfg_blob_set(const struct cfg_blob *b) { return b->path || b->is_inline; }

/* tls-auth / tls-crypt / tls-crypt-v2 key. The text is the "OpenVPN Static key V1" (or
 * tls-crypt-v2 client/server key) file; proto parses it. */
struct cfg_statickey {
	struct cfg_blob key;
	int direction;		/* -1 = none (bidirectional), 0 or 1; key-direction applies if -1 */
};

struct cfg_remote {
	char *host;		/* name or literal (IPv6 literals without brackets) */
	uint16_t port;		/* after cfg_validate: explicit, else `port`/`rport`, else 1194 */
	enum cfg_proto proto;	/* after cfg_validate: explicit, else `proto`, else UDP */
	enum cfg_af af;
	struct cfg_where where;
};

/* route NETWORK [NETMASK [GATEWAY [METRIC]]] */
enum cfg_gw_kind { CFG_GW_DEFAULT = 0, CFG_GW_ADDR, CFG_GW_VPN, CFG_GW_NET, CFG_GW_REMOTE_HOST };
struct cfg_route {
	struct in_addr net, mask;	/* network byte order; mask defaults to /32 */
	enum cfg_gw_kind gw_kind;
	struct in_addr gw;		/* valid when gw_kind == CFG_GW_ADDR */
	int metric;			/* -1 = unset */
	struct cfg_where where;
};

/* route-ipv6 NET/BITS [GATEWAY [METRIC]], iroute-ipv6 NET/BITS */
struct cfg_route6 {
	struct in6_addr net;
	uint8_t prefix;
	bool has_gw;
	struct in6_addr gw;
	int metric;			/* -1 = unset */
	struct cfg_where where;
};

/* dhcp-option TYPE [VALUE]  (DNS, DNS6, DOMAIN, DOMAIN-SEARCH, NTP, ...) */
struct cfg_dhcp_opt {
	char *type;
	char *value;		/* NULL for value-less types (e.g. DISABLE-NBT) */
};

struct cfg_setenv {
	char *name;
	char *value;		/* "" when no value given */
};

/* pull-filter accept|ignore|reject "TEXT": stored as the rules the client's filter takes
 * (proto/pullfilter.h); the text is owned by the cfg. */
enum cfg_pf_action {
	CFG_PF_ACCEPT = PULLFILTER_ACCEPT,
	CFG_PF_IGNORE = PULLFILTER_IGNORE,
	CFG_PF_REJECT = PULLFILTER_REJECT,
};

/* A growable array; n items of the element type, cap allocated. */
#define CFG_VEC(type) struct { type *v; size_t n, cap; }

/* ---- the configuration --------------------------------------------------------------- */

struct cfg {
	enum cfg_role role;		/* resolved role (never AUTO after a successful load) */
	const char *file;		/* the top-level file (owned), NULL for argv-only */
	const char *dir;		/* its directory: base of relative paths (owned) */

	/* mode / roles */
	bool client;			/* `client` (= pull + tls-client) */
	bool pull;
	bool tls_client, tls_server;
	enum cfg_mode mode;

	/* device */
	char *dev;			/* "tun", "tun0", "tap", "mytun"...; NULL = unset */
	enum cfg_dev_type dev_type;	/* after validate: explicit or derived from dev's prefix */
	int tun_mtu;			/* default 1500 */
	int mssfix;			/* 0 = disabled; default 1492 with mssfix_mtu (-1 before
					 * cfg_validate) */
	bool mssfix_mtu;		/* `mssfix N mtu` */
	int txqueuelen;			/* 0 = unset */

	/* transport */
	enum cfg_proto proto;		/* global default for remotes / the listener */
	enum cfg_af proto_af;
	CFG_VEC(struct cfg_remote) remotes;	/* failover order (shuffled by caller if remote_random) */
	bool remote_random;
	uint16_t port;			/* `port` (sets both lport and rport); default 1194 */
	uint16_t lport, rport;		/* after validate: effective local/remote port */
	bool lport_set;
	bool nobind;
	char *local;			/* `local HOST` */
	bool float_;			/* `float` */
	int resolv_retry;		/* seconds, -1 = infinite (default) */
	int connect_retry, connect_retry_max_wait;	/* default 5, 300 */
	int connect_retry_max;		/* 0 = unlimited */
	int server_poll_timeout;	/* 0 = unset */
	bool persist_key, persist_tun;

	/* TLS and PKI */
	struct cfg_blob ca, cert, key, extra_certs, pkcs12, crl, dh;
	bool crl_is_dir;		/* crl-verify DIR dir: crl.path is a directory */
	bool dh_none;			/* `dh none`: ECDHE only */
	struct cfg_statickey tls_auth, tls_crypt, tls_crypt_v2;
	int key_direction;		/* -1 = unset */
	enum cfg_cert_tls remote_cert_tls;
	struct {
		char *name;		/* NULL = unset */
		enum cfg_x509_type type;
	} verify_x509;
	int tls_version_min;		/* OpenSSL constant; default TLS1_2_VERSION */
	bool tls_version_min_or_highest;
	int tls_version_max;		/* 0 = unset */
	char *tls_cipher, *tls_ciphersuites, *tls_groups, *ecdh_curve, *tls_cert_profile;
	enum cfg_verify_cc verify_client_cert;

	/* data channel */
	char *data_ciphers;		/* colon list; default CIPHER_DEFAULT_LIST (proto/cipher.h) */
	char *data_ciphers_fallback;	/* NULL = unset */
	char *cipher;			/* legacy --cipher; NULL = unset */
	char *auth;			/* digest for tls-auth / CBC HMAC; default SHA1 */
	enum cfg_comp compress;
	enum cfg_allow_comp allow_compression;	/* default no (2.6) */
	bool allow_compression_set;
	int replay_window;		/* default 64 */
	int replay_window_time;		/* no directive sets it yet: 0 */

	/* renegotiation and timers (seconds unless noted); -1 = unset */
	int reneg_sec;			/* default 3600; 0 = never */
	long long reneg_bytes, reneg_pkts;	/* -1 = unset */
	int hand_window;		/* default 60 */
	int tran_window;		/* default 3600 */
	int tls_timeout;		/* default 2 */
	int keepalive_interval, keepalive_timeout;	/* `keepalive A B`, -1 = unset */
	int ping, ping_restart, ping_exit;	/* after validate include keepalive's expansion */
	bool ping_timer_rem;
	int inactive;			/* 0 = unset */
	int explicit_exit_notify;	/* 0 = off; `explicit-exit-notify` alone = 1 */

	/* user authentication (client) */
	struct {
		enum cfg_aup_source source;
		struct cfg_blob file;	/* FILE or inline block */
		char *username;		/* after validate: from the file/block; NULL when prompting */
		char *password;		/* NULL when the file has no 2nd line (prompt for it) */
	} auth_user_pass;
	bool auth_nocache;
	char *auth_retry;		/* none|nointeract|interact; NULL = unset */

	/* routing and pushed-option handling (client) */
	bool route_nopull;
	CFG_VEC(struct cfg_route) routes;
	CFG_VEC(struct cfg_route6) routes6;
	unsigned redirect_gateway;	/* CFG_RG_* */
	CFG_VEC(struct cfg_dhcp_opt) dhcp_options;
	int route_metric;		/* -1 = unset */
	bool block_outside_dns;

	/* interface addresses (p2p / static) */
	struct {
		bool set;
		struct in_addr local, remote_or_mask;	/* net30/p2p: peer; subnet/tap: netmask */
	} ifconfig;
	struct {
		bool set;
		struct in6_addr local, remote;
		uint8_t prefix;
	} ifconfig_ipv6;

	/* process, logging, scripts */
	char *user, *group;
	bool no_sandbox;		/* burrow's own: keep every capability, no seccomp filter */
	int verb;			/* default 1 */
	int mute;			/* 0 */
	char *log;
	bool log_append;
	char *status;
	int status_interval;		/* default 60, also without a status file */
	int status_version;		/* default 1 */
	CFG_VEC(struct cfg_setenv) setenv;
	int script_security;		/* default 1 */
	char *up, *down;
	bool up_restart, down_pre;

	/* server */
	struct {
		bool set;
		struct in_addr net, mask;
		bool nopool;
	} server;
	struct {
		bool set;
		struct in6_addr net;
		uint8_t prefix;
	} server_ipv6;
	struct {
		bool set;
		struct in_addr net, mask;
		char *pool_start, *pool_end;	/* textual, NULL if unset */
	} server_bridge;
	enum cfg_topology topology;	/* default net30 */
	bool topology_set;		/* written by the user (not the default) */
	struct {
		bool set;
		struct in_addr start, end, mask;	/* mask zero when not given */
	} ifconfig_pool;
	struct {
		bool set;
		struct in6_addr start;
		uint8_t prefix;
	} ifconfig_ipv6_pool;
	struct {
		char *file;		/* NULL = unset */
		int seconds;		/* default 600 */
	} pool_persist;
	CFG_VEC(char *) push;		/* option text, e.g. "route 10.0.0.0 255.255.255.0" */
	bool push_reset;		/* ccd only */
	bool client_to_client;
	bool duplicate_cn;
	int max_clients;		/* default 1024 */
	char *client_config_dir;
	bool ccd_exclusive;
	struct {
		char *script;		/* NULL = unset */
		enum cfg_aupv_method method;
	} auth_user_pass_verify;
	bool username_as_cn;
	int tls_crypt_v2_max_age;	/* days (OpenVPN 2.7); 0 = no age check */
	char *client_connect, *client_disconnect, *learn_address;

	/* static-key (pre-shared) mode: recorded so validate can refuse it with a reason */
	struct cfg_blob secret;
	/* First directive that parses but burrow cannot honour (secret, http-proxy, plugin...):
	 * cfg_validate() fails naming it. */
	struct {
		const char *name;	/* NULL = none */
		struct cfg_where where;
		const char *why, *todo;	/* from the option table or the refusing parse function */
	} unsupported;
	/* First directive whose argument is an unexpanded template placeholder ("%NAME%"):
	 * skipped by the parser, refused by cfg_validate(). */
	struct {
		const char *directive;	/* NULL = none */
		const char *value;
		struct cfg_where where;
	} placeholder;
	int fragment;			/* `fragment N`: 0 = off (burrow does not fragment) */
	char *askpass;			/* private-key passphrase file (path), NULL = unset */
	char *remote_cert_eku;		/* OID or name; NULL = unset */
	char *x509_username_field;	/* subject attribute naming the peer; NULL = CN */
	CFG_VEC(struct pullfilter_rule) pull_filters;	/* in order; first match wins */

	/* Directives listed by ignore-unknown-option. */
	CFG_VEC(char *) ignore_unknown;
	unsigned n_ignored;		/* noticed directives (accepted with a warning) */
	unsigned n_errors;		/* errors seen (the first one is reported) */

	struct cfg_mem *mem;		/* private: allocations owned by this cfg */
	struct cfg_where *seen;		/* private: where each option-table row was last used */
};

/* ---- per-client config (client-config-dir) ------------------------------------------ */

struct cfg_ccd {
	struct {
		bool set;
		struct in_addr local, remote_or_mask;
	} ifconfig_push;
	struct {
		bool set;
		struct in6_addr local, remote;
		uint8_t prefix;
	} ifconfig_ipv6_push;
	CFG_VEC(struct cfg_route) iroutes;	/* iroute NET [MASK] */
	CFG_VEC(struct cfg_route6) iroutes6;	/* iroute-ipv6 NET/BITS */
	CFG_VEC(char *) push;
	bool push_reset;
	bool disable;
	struct cfg_mem *mem;
};

/* ---- API ------------------------------------------------------------------------------ */

/* Zero the struct and set the "unset" markers; cfg_validate() fills in the defaults. */
void cfg_init(struct cfg *c, enum cfg_role role);
void cfg_free(struct cfg *c);

/* Parse one file into c (cfg_init()ed here). Returns 0, or a negative errno with err filled
 * (-ENOENT/-EACCES: cannot read; -EINVAL: bad syntax/value; -E2BIG: too large). */
int cfg_load_file(const char *path, enum cfg_role role, struct cfg *c, struct cfg_err *err);

/* Parse text held in memory (tests, fuzzing); name is used in messages and dir resolves
 * relative paths (NULL = "."). c must be cfg_init()ed. */
int cfg_load_text(const char *text, size_t len, const char *name, const char *dir,
		  struct cfg *c, struct cfg_err *err);

/* Command-line overrides: argv holds "--directive" "arg"... (argv[0] is not skipped: pass
 * what follows the config file). Later values win over the file, as with OpenVPN. Relative
 * paths here are relative to the current directory. Returns 0 or -EINVAL. */
int cfg_apply_args(int argc, char *const argv[], struct cfg *c, struct cfg_err *err);

/* Cross-checks, defaults, and loading/verifying every referenced file (PEM, keys, user/pass).
 * Call it once per load (it rewrites some values in place, e.g. decodes inline pkcs12).
 * Returns 0 or a negative errno with err naming the file:line of the directive at fault. */
int cfg_validate(struct cfg *c, struct cfg_err *err);

/* Client-config-dir: parse the file for common_name from c->client_config_dir.
 * Returns 0 (ccd filled), -ENOENT (no file: use defaults; with ccd-exclusive the caller must
 * refuse the client), or another negative errno with err filled. cn must be a safe file name
 * (no '/', not "." or ".."), otherwise -EINVAL. */
int cfg_ccd_load(const struct cfg *c, const char *cn, struct cfg_ccd *ccd, struct cfg_err *err);
int cfg_ccd_parse(const char *text, size_t len, const char *name, struct cfg_ccd *ccd,
		  struct cfg_err *err);
void cfg_ccd_free(struct cfg_ccd *ccd);

/* `burrow help directives`: the option table, one line per directive, to fp. */
void cfg_print_directives(FILE *fp);
/* The same as a JSON array, one object per directive: name, roles, min_args, max_args, args,
 * inline, status (honoured|noticed|refused), default (or null), test (honoured) or reason
 * (+ todo when refused), help. */
void cfg_print_directives_json(FILE *fp);

/* Name of a value, for logs. */
const char *cfg_proto_name(enum cfg_proto p);
const char *cfg_comp_name(enum cfg_comp c);

#endif
