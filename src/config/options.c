/* THE option table: one row per directive with its arity, roles, flags, parse function and
 * help. It drives parsing, role checks, inline blocks, `burrow help directives` and typo
 * suggestions. Rows are sorted by name (help prints them in table order). */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_impl.h"
#include "proto/cipher.h"
#include "util/log.h"

#define OFF(f) offsetof(struct cfg, f)
#define C CFG_R_CLIENT
#define S CFG_R_SERVER
#define B CFG_R_BOTH
#define CC CFG_R_CCD
#define IGN CFG_F_IGNORED
#define INL CFG_F_INLINE
#define UNS CFG_F_UNSUPPORTED
#define CON CFG_F_CONN

#define DT CFG_F_DTAIL

/* Rows; the *D variants carry a default (see struct cfg_option.dflt). */
#define FLAG(n, r, fl, f, h) { n, 0, 0, r, fl, cfg_opt_flag, OFF(f), 0, 0, "", h, NULL }
#define INT(n, r, fl, f, lo, hi, a, h) INTD(n, r, fl, f, lo, hi, a, NULL, h)
#define INTD(n, r, fl, f, lo, hi, a, d, h) { n, 1, 1, r, fl, cfg_opt_int, OFF(f), lo, hi, a, h, d }
#define STR(n, r, f, a, h) STRD(n, r, f, a, NULL, h)
#define STRD(n, r, f, a, d, h) { n, 1, 1, r, 0, cfg_opt_str, OFF(f), 0, 0, a, h, d }
#define FN(n, mn, mx, r, fl, fn, a, h) FND(n, mn, mx, r, fl, fn, a, NULL, h)
#define FND(n, mn, mx, r, fl, fn, a, d, h) { n, mn, mx, r, fl, fn, 0, 0, 0, a, h, d }
#define FNO(n, mn, mx, r, fl, fn, f, a, h) FNOD(n, mn, mx, r, fl, fn, f, a, NULL, h)
#define FNOD(n, mn, mx, r, fl, fn, f, a, d, h) { n, mn, mx, r, fl, fn, OFF(f), 0, 0, a, h, d }
#define IGNORE(n, mn, mx, r, h) { n, mn, mx, r, IGN, cfg_opt_ignored, 0, 0, 0, "...", h, NULL }
#define NOPE(n, mn, mx, r, fl, h) \
	{ n, mn, mx, r, UNS | (fl), cfg_opt_unsupported, 0, 0, 0, "...", h, NULL }

const struct cfg_option cfg_options[] = {
	FND("allow-compression", 1, 1, B, 0, cfg_opt_allow_comp, "no|asym|yes", "no",
	    "whether compressed packets are accepted/sent"),
	FNO("askpass", 0, 1, B, 0, cfg_opt_path, askpass, "[FILE]",
	    "passphrase for an encrypted private key, from FILE"),
	STRD("auth", B, auth, "DIGEST", "SHA1", "HMAC digest for tls-auth and CBC data ciphers"),
	FLAG("auth-nocache", C, 0, auth_nocache, "forget the password after use"),
	STR("auth-retry", C, auth_retry, "none|nointeract|interact",
	    "what to do when the server rejects the credentials"),
	FN("auth-user-pass", 0, 1, C, INL, cfg_opt_auth_user_pass, "[FILE]",
	   "send a username/password: from FILE, an inline block, or ask"),
	FN("auth-user-pass-verify", 2, 2, S, 0, cfg_opt_aupv, "SCRIPT via-file|via-env",
	   "check client usernames/passwords with SCRIPT"),
	IGNORE("block-outside-dns", 0, 0, B, "Windows-only DNS leak protection"),
	FNO("ca", 1, 1, B, INL, cfg_opt_blob, ca, "FILE", "CA certificate(s) that sign the peer"),
	FLAG("ccd-exclusive", S, 0, ccd_exclusive,
	     "refuse clients without a client-config-dir file"),
	FNO("cert", 1, 1, B, INL, cfg_opt_blob, cert, "FILE", "our certificate (PEM)"),
	STR("cipher", B, cipher, "CIPHER",
	    "legacy data cipher, used as the fallback for old peers"),
	FN("client", 0, 0, C, 0, cfg_opt_client, "",
	   "client mode: pull options and act as TLS client"),
	/* the field named so that the verify-client-cert default knows it was set */
	FNO("client-cert-not-required", 0, 0, S, 0, cfg_opt_client_cert_not_required,
	    verify_client_cert, "", "obsolete spelling of verify-client-cert none"),
	FNO("client-config-dir", 1, 1, S, 0, cfg_opt_path, client_config_dir, "DIR",
	    "per-client files named by common name (ifconfig-push, iroute, push)"),
	FNO("client-connect", 1, 1, S, 0, cfg_opt_script, client_connect, "CMD",
	    "run CMD when a client connects"),
	FNO("client-disconnect", 1, 1, S, 0, cfg_opt_script, client_disconnect, "CMD",
	    "run CMD when a client disconnects"),
	FLAG("client-to-client", S, 0, client_to_client, "forward packets between clients"),
	FN("comp-lzo", 0, 1, B, 0, cfg_opt_comp_lzo, "[yes|no|adaptive]",
	   "legacy LZO compression framing"),
	IGNORE("comp-noadapt", 0, 0, B, "LZO adaptive tuning"),
	FN("compress", 0, 1, B, 0, cfg_opt_compress, "[lz4|lz4-v2|lzo|stub|stub-v2|migrate]",
	   "compression framing"),
	FN("config", 1, 1, B, 0, cfg_opt_config, "FILE", "read more directives from FILE, in place"),
	FND("connect-retry", 1, 2, C, CON, cfg_opt_connect_retry, "SECONDS [MAX]", "5 300",
	    "wait between connection attempts (doubling up to MAX)"),
	INT("connect-retry-max", C, CON, connect_retry_max, 0, INT_MAX, "N",
	    "give up after N rounds over the remotes (0 = never)"),
	IGNORE("connect-timeout", 1, 1, C, "TCP connect timeout"),
	FN("connection", 0, 0, C, INL, cfg_opt_connection, "(inline block)",
	   "<connection> block: a remote with its own proto/port"),
	FNO("crl-verify", 1, 2, B, INL, cfg_opt_crl_verify, crl, "FILE|DIR dir",
	    "certificate revocation list checked against the peer"),
	IGNORE("daemon", 0, 1, B, "burrow stays in the foreground (use your service manager)"),
	FNOD("data-ciphers", 1, 1, B, 0, cfg_opt_cipher_list, data_ciphers, "C1:C2:...",
	     CIPHER_DEFAULT_LIST, "data ciphers we negotiate, in order of preference"),
	STR("data-ciphers-fallback", B, data_ciphers_fallback, "CIPHER",
	    "data cipher for peers that cannot negotiate"),
	FN("dev", 1, 1, B, 0, cfg_opt_dev, "tun|tap|NAME",
	   "the virtual device (tun/tap + optional number)"),
	IGNORE("dev-node", 1, 1, B, "device node path"),
	FN("dev-type", 1, 1, B, 0, cfg_opt_dev_type, "tun|tap",
	   "device type when dev is a custom name"),
	FN("dh", 1, 1, S, INL, cfg_opt_dh, "FILE|none",
	   "Diffie-Hellman parameters, or none (ECDHE only)"),
	FN("dhcp-option", 1, 2, B, 0, cfg_opt_dhcp_option, "TYPE [VALUE]",
	   "DNS, DOMAIN, ... settings for the tunnel"),
	FN("disable", 0, 0, CC, 0, cfg_opt_ccd_flag, "", "(client-config-dir) refuse this client"),
	IGNORE("disable-dco", 0, 0, B, "data channel offload; burrow's data channel is in userspace"),
	IGNORE("disable-occ", 0, 0, B, "options-consistency warnings"),
	IGNORE("dns", 1, 15, B,
	       "DNS settings for the tunnel; burrow does not configure a resolver"),
	FNO("down", 1, 1, B, 0, cfg_opt_script, down, "CMD", "run CMD after the device goes down"),
	FLAG("down-pre", B, 0, down_pre, "run the down script before closing the device"),
	FLAG("duplicate-cn", S, 0, duplicate_cn, "allow several clients with the same common name"),
	STR("ecdh-curve", B, ecdh_curve, "CURVE", "ECDH curve for the TLS handshake"),
	FN("explicit-exit-notify", 0, 1, B, CON, cfg_opt_explicit_exit, "[N]",
	   "tell the peer when we exit (UDP), N attempts"),
	FNO("extra-certs", 1, 1, B, INL, cfg_opt_blob, extra_certs, "FILE",
	    "intermediate certificates sent with ours"),
	IGNORE("fast-io", 0, 0, B, "a write-scheduling hint"),
	FLAG("float", B, CON, float_, "accept the peer from a new address"),
	NOPE("fragment", 1, 2, B, CON, "internal fragmentation is not implemented"),
	STR("group", B, group, "GROUP", "drop privileges to GROUP after setup"),
	INTD("hand-window", B, 0, hand_window, 1, 86400, "SECONDS", "60", "TLS handshake deadline"),
	NOPE("http-proxy", 1, 4, C, CON, "connecting through an HTTP proxy is not implemented"),
	IGNORE("http-proxy-retry", 0, 0, C, "HTTP proxy retry"),
	FN("ifconfig", 2, 2, B, 0, cfg_opt_ifconfig, "LOCAL PEER|NETMASK", "static tunnel address"),
	FN("ifconfig-ipv6", 2, 2, B, 0, cfg_opt_ifconfig6, "ADDR/BITS PEER",
	   "static tunnel IPv6 address"),
	FN("ifconfig-ipv6-pool", 1, 1, S, 0, cfg_opt_pool6, "ADDR/BITS",
	   "IPv6 address pool for clients"),
	FN("ifconfig-ipv6-push", 1, 2, CC, 0, cfg_opt_ccd_ifconfig6_push, "ADDR/BITS [PEER]",
	   "(client-config-dir) fixed IPv6 address for this client"),
	FN("ifconfig-pool", 2, 3, S, 0, cfg_opt_pool, "START END [NETMASK]", "IPv4 address pool"),
	IGNORE("ifconfig-pool-linear", 0, 0, S, "obsolete pool layout"),
	FND("ifconfig-pool-persist", 1, 2, S, DT, cfg_opt_pool_persist, "FILE [SECONDS]", "600",
	    "remember client addresses in FILE, saved every SECONDS"),
	FN("ifconfig-push", 2, 3, CC, 0, cfg_opt_ccd_ifconfig_push, "LOCAL PEER|NETMASK",
	   "(client-config-dir) fixed address for this client"),
	FN("ignore-unknown-option", 1, 15, B, 0, cfg_opt_ignore_unknown, "NAME...",
	   "skip these directives if burrow does not know them"),
	{ "inactive", 1, 2, B, 0, cfg_opt_int, OFF(inactive), 0, INT_MAX, "SECONDS [BYTES]",
	  "exit after this long without traffic", NULL },
	FN("iroute", 1, 2, CC, 0, cfg_opt_ccd_iroute, "NET [NETMASK]",
	   "(client-config-dir) network behind this client"),
	FN("iroute-ipv6", 1, 1, CC, 0, cfg_opt_ccd_iroute6, "NET/BITS",
	   "(client-config-dir) IPv6 network behind this client"),
	FN("keepalive", 2, 2, B, 0, cfg_opt_keepalive, "INTERVAL TIMEOUT",
	   "ping every INTERVAL s, restart after TIMEOUT s of silence"),
	FNO("key", 1, 1, B, INL, cfg_opt_blob, key, "FILE", "our private key (PEM)"),
	FN("key-direction", 1, 1, B, 0, cfg_opt_key_direction, "0|1",
	   "which half of the tls-auth key we send with"),
	IGNORE("key-method", 1, 1, B, "only key method 2 exists"),
	IGNORE("keying-material-exporter", 2, 2, B, "exported keying material for plugins"),
	IGNORE("keysize", 1, 1, B, "legacy variable key size"),
	FNO("learn-address", 1, 1, S, 0, cfg_opt_script, learn_address, "CMD",
	    "run CMD when a client address is learned"),
	IGNORE("link-mtu", 1, 1, B, "obsolete; tun-mtu sets the size"),
	FNO("local", 1, 1, B, CON, cfg_opt_str, local, "HOST", "local address to bind"),
	FN("log", 1, 1, B, 0, cfg_opt_log, "FILE", "log to FILE (truncate)"),
	FN("log-append", 1, 1, B, 0, cfg_opt_log, "FILE", "log to FILE (append)"),
	FNO("lport", 1, 1, B, CON, cfg_opt_port, lport, "PORT", "local port"),
	IGNORE("management", 2, 3, B, "management interface"),
	IGNORE("management-hold", 0, 0, B, "management interface"),
	IGNORE("management-query-passwords", 0, 0, B, "management interface"),
	INTD("max-clients", S, 0, max_clients, 1, 1 << 20, "N", "1024", "most clients at once"),
	FN("mode", 1, 1, B, 0, cfg_opt_mode, "p2p|server",
	   "server: many clients (set by 'server')"),
	FND("mssfix", 0, 2, B, CON, cfg_opt_mssfix, "[BYTES [mtu]]", "1492 mtu",
	    "clamp TCP MSS (0 = off)"),
	IGNORE("mtu-disc", 1, 1, B, "path MTU discovery socket option"),
	INT("mute", B, 0, mute, 0, INT_MAX, "N", "log at most N repeats of a message"),
	IGNORE("mute-replay-warnings", 0, 0, B, "quieter replay warnings"),
	FNO("ncp-ciphers", 1, 1, B, 0, cfg_opt_cipher_list, data_ciphers, "C1:C2:...",
	    "old name of data-ciphers"),
	IGNORE("ncp-disable", 0, 0, B, "removed in OpenVPN 2.6"),
	FLAG("nobind", B, CON, nobind, "use any local port"),
	FN("ns-cert-type", 1, 1, C, 0, cfg_opt_ns_cert_type, "server|client",
	   "obsolete; treated as remote-cert-tls"),
	IGNORE("opt-verify", 0, 0, B, "options-consistency check"),
	IGNORE("passtos", 0, 0, B, "copy the TOS byte"),
	FLAG("persist-key", B, 0, persist_key, "keep keys across restarts"),
	IGNORE("persist-local-ip", 0, 0, B, "keep the local address across restarts"),
	IGNORE("persist-remote-ip", 0, 0, B, "keep the resolved remote across restarts"),
	FLAG("persist-tun", B, 0, persist_tun, "keep the device across restarts"),
	INT("ping", B, 0, ping, 0, INT_MAX, "SECONDS", "send a ping after this much silence"),
	INT("ping-exit", B, 0, ping_exit, 0, INT_MAX, "SECONDS", "exit after this much silence"),
	INT("ping-restart", B, 0, ping_restart, 0, INT_MAX, "SECONDS",
	    "reconnect after this much silence"),
	FLAG("ping-timer-rem", B, 0, ping_timer_rem, "run the ping timer only with a remote"),
	FNO("pkcs12", 1, 1, B, INL, cfg_opt_blob, pkcs12, "FILE",
	    "certificate + key + CA in one PKCS#12 file"),
	NOPE("plugin", 1, 15, B, 0, "plugins are not supported; use auth-user-pass-verify"),
	FNOD("port", 1, 1, B, CON, cfg_opt_port, port, "PORT", "1194", "local and remote port"),
	FND("proto", 1, 1, B, CON, cfg_opt_proto, "udp|tcp|udp4|tcp6|tcp-client|...", "udp",
	    "transport"),
	FLAG("pull", C, 0, pull, "accept options pushed by the server"),
	FN("pull-filter", 2, 2, C, 0, cfg_opt_pull_filter, "accept|ignore|reject TEXT",
	   "filter pushed options starting with TEXT"),
	FN("push", 1, 1, S | CC, 0, cfg_opt_push, "\"OPTION ...\"", "send an option to clients"),
	IGNORE("push-peer-info", 0, 0, C, "burrow always sends peer info"),
	FN("push-reset", 0, 0, CC, 0, cfg_opt_ccd_flag, "",
	   "(client-config-dir) drop inherited pushes"),
	IGNORE("rcvbuf", 1, 1, B, "socket buffer size"),
	FN("redirect-gateway", 0, 8, B, 0, cfg_opt_redirect_gateway, "[def1] [ipv6] [!ipv4] [local] ...",
	   "send all traffic through the tunnel"),
	IGNORE("redirect-private", 0, 8, B, "private route redirection"),
	FN("remote", 1, 3, B, CON, cfg_opt_remote, "HOST [PORT [PROTO]]",
	   "a server to connect to; several = failover in order"),
	STR("remote-cert-eku", B, remote_cert_eku, "OID|NAME",
	    "required extended key usage of the peer"),
	IGNORE("remote-cert-ku", 1, 15, B, "key-usage check (use remote-cert-tls)"),
	FN("remote-cert-tls", 1, 1, B, 0, cfg_opt_remote_cert_tls, "server|client",
	   "require the peer certificate's role"),
	FLAG("remote-random", C, 0, remote_random, "try the remotes in random order"),
	IGNORE("remote-random-hostname", 0, 0, C, "random host name prefix"),
	FN("reneg-bytes", 1, 1, B, 0, cfg_opt_reneg, "BYTES", "renegotiate keys after BYTES"),
	FN("reneg-pkts", 1, 1, B, 0, cfg_opt_reneg, "N", "renegotiate keys after N packets"),
	FND("reneg-sec", 1, 2, B, 0, cfg_opt_reneg, "SECONDS [MAX]", "3600",
	    "renegotiate keys every SECONDS (0 = never)"),
	INTD("replay-window", B, 0, replay_window, 1, 65536, "N", "64",
	     "replay window size in packets"),
	FND("resolv-retry", 1, 1, C, 0, cfg_opt_resolv_retry, "SECONDS|infinite", "infinite",
	    "keep retrying name resolution"),
	FN("route", 1, 4, B, 0, cfg_opt_route, "NET [NETMASK [GATEWAY [METRIC]]]", "an IPv4 route"),
	IGNORE("route-delay", 0, 2, B, "route setup delay"),
	IGNORE("route-gateway", 1, 1, B, "the gateway comes from the server"),
	FN("route-ipv6", 1, 3, B, 0, cfg_opt_route6, "NET/BITS [GATEWAY [METRIC]]",
	   "an IPv6 route"),
	IGNORE("route-method", 1, 1, B, "Windows route method"),
	INT("route-metric", B, 0, route_metric, 0, INT_MAX, "N", "default route metric"),
	FLAG("route-nopull", C, 0, route_nopull, "ignore routes pushed by the server"),
	FNO("rport", 1, 1, B, CON, cfg_opt_port, rport, "PORT", "remote port"),
	INTD("script-security", B, 0, script_security, 0, 3, "0-3", "1",
	     "which scripts may run (2 for up/down)"),
	NOPE("secret", 1, 2, B, INL, "static-key mode is not supported; use TLS (ca/cert/key)"),
	FN("server", 1, 3, S, 0, cfg_opt_server, "NETWORK NETMASK|NET/BITS [nopool]",
	   "server mode with an address pool from NETWORK"),
	FN("server-bridge", 0, 4, S, 0, cfg_opt_server_bridge, "[GW MASK START END | nogw]",
	   "server mode for a bridged tap device"),
	FN("server-ipv6", 1, 1, S, 0, cfg_opt_server6, "NET/BITS", "IPv6 pool for server mode"),
	INT("server-poll-timeout", C, CON, server_poll_timeout, 0, INT_MAX, "SECONDS",
	    "give up on a remote after SECONDS"),
	FN("setenv", 1, 15, B, 0, cfg_opt_setenv, "NAME VALUE | opt DIRECTIVE...",
	   "environment for scripts; 'opt' makes a directive optional"),
	IGNORE("setenv-safe", 1, 2, B, "script environment"),
	IGNORE("sndbuf", 1, 1, B, "socket buffer size"),
	IGNORE("socket-flags", 1, 4, B, "socket options"),
	FND("status", 1, 2, B, DT, cfg_opt_status, "FILE [SECONDS]", "60",
	    "write status to FILE every SECONDS"),
	INTD("status-version", S, 0, status_version, 1, 3, "1|2|3", "1", "status file format"),
	IGNORE("syslog", 0, 1, B, "log to syslog"),
	IGNORE("tcp-nodelay", 0, 0, B, "burrow sets TCP_NODELAY itself"),
	IGNORE("tcp-queue-limit", 1, 1, B, "TCP send queue length"),
	FNO("tls-auth", 1, 2, B, INL, cfg_opt_statickey, tls_auth, "FILE [0|1]",
	    "HMAC-sign control packets with a static key"),
	STR("tls-cert-profile", B, tls_cert_profile, "PROFILE", "certificate strength profile"),
	STR("tls-cipher", B, tls_cipher, "LIST", "TLS 1.2 cipher list"),
	STR("tls-ciphersuites", B, tls_ciphersuites, "LIST", "TLS 1.3 cipher suites"),
	FLAG("tls-client", C, 0, tls_client, "TLS client role (implied by client)"),
	FNO("tls-crypt", 1, 2, B, INL, cfg_opt_statickey, tls_crypt, "FILE",
	    "encrypt and authenticate control packets with a static key"),
	FNO("tls-crypt-v2", 1, 2, B, INL, cfg_opt_statickey, tls_crypt_v2, "FILE",
	    "tls-crypt with a per-client key"),
	INT("tls-crypt-v2-max-age", S, 0, tls_crypt_v2_max_age, 1, INT_MAX, "DAYS",
	    "refuse tls-crypt-v2 client keys older than DAYS (OpenVPN 2.7)"),
	STR("tls-groups", B, tls_groups, "LIST", "TLS key-exchange groups"),
	FN("tls-remote", 1, 1, C, 0, cfg_opt_tls_remote, "NAME",
	   "obsolete; treated as verify-x509-name NAME name"),
	FLAG("tls-server", S, 0, tls_server, "TLS server role (implied by server)"),
	INTD("tls-timeout", B, 0, tls_timeout, 1, 3600, "SECONDS", "2",
	     "control packet retransmit time"),
	NOPE("tls-verify", 1, 1, B, 0, "certificate-checking scripts are not supported"),
	FN("tls-version-max", 1, 1, B, 0, cfg_opt_tls_version, "1.2|1.3", "newest TLS version"),
	FND("tls-version-min", 1, 2, B, 0, cfg_opt_tls_version, "1.2|1.3 [or-highest]", "1.2",
	    "oldest TLS version"),
	FND("topology", 1, 1, B, 0, cfg_opt_topology, "subnet|net30|p2p", "net30",
	    "how client addresses are laid out"),
	INTD("tran-window", B, 0, tran_window, 1, 86400, "SECONDS", "3600",
	     "old key lifetime after renegotiation"),
	IGNORE("tun-ipv6", 0, 0, B, "always on"),
	INTD("tun-mtu", B, CON, tun_mtu, 576, 65535, "BYTES", "1500", "device MTU"),
	IGNORE("tun-mtu-extra", 1, 1, B, "tap frame headroom"),
	INT("txqueuelen", B, 0, txqueuelen, 0, 1 << 20, "N", "device transmit queue length"),
	FNO("up", 1, 1, B, 0, cfg_opt_script, up, "CMD", "run CMD after the device is up"),
	IGNORE("up-delay", 0, 0, B, "delayed device setup"),
	FLAG("up-restart", B, 0, up_restart, "run up/down on restarts too"),
	STR("user", B, user, "USER", "drop privileges to USER after setup"),
	FLAG("username-as-common-name", S, 0, username_as_cn,
	     "use the authenticated username as the client's name"),
	INTD("verb", B, 0, verb, 0, 11, "0-11", "1", "log verbosity"),
	FNOD("verify-client-cert", 1, 1, S, 0, cfg_opt_verify_cc, verify_client_cert,
	     "none|optional|require", "require", "whether clients need a certificate"),
	FN("verify-x509-name", 1, 2, B, 0, cfg_opt_verify_x509, "NAME [name|name-prefix|subject]",
	   "require this peer certificate name"),
	IGNORE("writepid", 1, 1, B, "pid file"),
	FN("x509-username-field", 1, 8, B, 0, cfg_opt_x509_user, "FIELD",
	   "the peer certificate's subject attribute used as its name (CN)"),
};

const size_t cfg_n_options = sizeof(cfg_options) / sizeof(cfg_options[0]);

static int option_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct cfg_option *)row)->name);
}

/* The table is sorted by name (a unit test keeps it so). */
const struct cfg_option *cfg_option_find(const char *name)
{
	return bsearch(name, cfg_options, cfg_n_options, sizeof(cfg_options[0]), option_cmp);
}

/* Levenshtein distance, capped: names are short, so a two-row table on the stack will do. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[2][40];

	if (la >= 40 || lb >= 40)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *prev = row[(i - 1) & 1], *cur = row[i & 1];

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	}
	return row[la & 1][lb];
}

const char *cfg_option_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < cfg_n_options; i++) {
		size_t d = edit_distance(name, cfg_options[i].name);

		if (d < best_d) {
			best_d = d;
			best = cfg_options[i].name;
		}
	}
	return best;
}

/* ---- generic parse functions ---------------------------------------------------------- */

static void *field(struct cfg_ctx *x, const struct cfg_option *o)
{
	return (char *)x->c + o->off;
}

int cfg_opt_flag(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	*(bool *)field(x, o) = true;
	return 0;
}

int cfg_opt_int(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	long v;

	if (cfg_parse_long(argv[1], o->lo, o->hi, &v) < 0)
		return cfg_fail(x, NULL, "'%s' is not a number from %ld to %ld", argv[1], o->lo, o->hi);
	*(int *)field(x, o) = (int)v;
	return 0;
}

int cfg_opt_str(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	char *s = cfg_mem_strdup(x->mem, argv[1]);

	if (!s)
		return -ENOMEM;
	*(char **)field(x, o) = s;
	return 0;
}

int cfg_opt_path(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	char *s = argc > 1 ? cfg_resolve_path(x, argv[1]) : cfg_mem_strdup(x->mem, "");

	if (!s)
		return -ENOMEM;
	*(char **)field(x, o) = s;
	return 0;
}

/* A PEM object as a path or an inline block; the last one given wins. */
int cfg_opt_blob(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_blob *b = field(x, o);

	memset(b, 0, sizeof(*b));
	b->where = cfg_here(x);
	if (x->inl) {
		char *t = cfg_mem_strndup(x->mem, x->inl, x->inl_len);

		if (!t)
			return -ENOMEM;
		/* NULs only occur in comment text inside blocks; keep the text a C string */
		for (size_t i = 0; i < x->inl_len; i++)
			if (t[i] == '\0')
				t[i] = ' ';
		b->text = t;
		b->len = x->inl_len;
		b->is_inline = true;
		return 0;
	}
	if (!argv[1][0])
		return cfg_fail(x, "give a file name", "empty path");
	b->path = cfg_resolve_path(x, argv[1]);
	return b->path ? 0 : -ENOMEM;
}

int cfg_opt_ignored(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (x->c)
		x->c->n_ignored++;
	log_notice("%s:%d: %s: accepted and ignored: %s", x->file, x->line, o->name, o->help);
	return 0;
}

int cfg_opt_unsupported(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (x->c && !x->c->unsupported.name) {
		x->c->unsupported.name = o->name;
		x->c->unsupported.where = cfg_here(x);
	}
	return 0;
}
