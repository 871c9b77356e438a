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
#include "proto/session.h"
#include "util/log.h"

#define OFF(f) offsetof(struct cfg, f)
#define C CFG_R_CLIENT
#define S CFG_R_SERVER
#define B CFG_R_BOTH
#define CC CFG_R_CCD
#define INL CFG_F_INLINE
#define CON CFG_F_CONN

#define DT CFG_F_DTAIL

/* The status column: every row macro takes one of these as its last argument. */
#define HON(t) .status = CFG_ST_HONOURED, .test = (t)
#define NOTE(w) .status = CFG_ST_NOTICED, .why = (w)
#define REFUSE(w, d) .status = CFG_ST_REFUSED, .why = (w), .todo = (d)

/* Rows; the *D variants carry a default (see struct cfg_option.dflt). The trailing
 * argument is the status (HON/NOTE/REFUSE); variadic only because it holds commas. */
#define FLAG(n, r, fl, f, h, ...) \
	{ n, 0, 0, r, fl, cfg_opt_flag, OFF(f), 0, 0, "", h, NULL, __VA_ARGS__ }
#define INT(n, r, fl, f, lo, hi, a, h, ...) INTD(n, r, fl, f, lo, hi, a, NULL, h, __VA_ARGS__)
#define INTD(n, r, fl, f, lo, hi, a, d, h, ...) \
	{ n, 1, 1, r, fl, cfg_opt_int, OFF(f), lo, hi, a, h, d, __VA_ARGS__ }
#define STR(n, r, f, a, h, ...) STRD(n, r, f, a, NULL, h, __VA_ARGS__)
#define STRD(n, r, f, a, d, h, ...) \
	{ n, 1, 1, r, 0, cfg_opt_str, OFF(f), 0, 0, a, h, d, __VA_ARGS__ }
#define FN(n, mn, mx, r, fl, fn, a, h, ...) FND(n, mn, mx, r, fl, fn, a, NULL, h, __VA_ARGS__)
#define FND(n, mn, mx, r, fl, fn, a, d, h, ...) \
	{ n, mn, mx, r, fl, fn, 0, 0, 0, a, h, d, __VA_ARGS__ }
#define FNO(n, mn, mx, r, fl, fn, f, a, h, ...) FNOD(n, mn, mx, r, fl, fn, f, a, NULL, h, __VA_ARGS__)
#define FNOD(n, mn, mx, r, fl, fn, f, a, d, h, ...) \
	{ n, mn, mx, r, fl, fn, OFF(f), 0, 0, a, h, d, __VA_ARGS__ }
/* Rows that store nothing: a harmless directive (noticed) or one refused outright. */
#define IGNORE(n, mn, mx, r, h, ...) \
	{ n, mn, mx, r, 0, cfg_opt_ignored, 0, 0, 0, "...", h, NULL, __VA_ARGS__ }
#define NOPE(n, mn, mx, r, fl, h, ...) \
	{ n, mn, mx, r, fl, cfg_opt_unsupported, 0, 0, 0, "...", h, NULL, __VA_ARGS__ }

const struct cfg_option cfg_options[] = {
	FND("allow-compression", 1, 1, B, 0, cfg_opt_allow_comp, "no|asym|yes", "no",
	    "whether compressed packets are accepted/sent",
	    NOTE("burrow never compresses what it sends (as 'asym'); it unpacks compressed packets only in a mode the server pushes")),
	FNO("askpass", 0, 1, B, 0, cfg_opt_path, askpass, "[FILE]",
	    "passphrase for an encrypted private key, from FILE",
	    HON("tests/unit/test_config_validate.c")),
	STRD("auth", B, auth, "DIGEST", SESS_DEFAULT_AUTH, "HMAC digest for tls-auth and CBC data ciphers",
	    HON("tests/netns/client_cbc.sh")),
	FLAG("auth-nocache", C, 0, auth_nocache, "forget the password after use",
	    NOTE("burrow keeps the credentials only in memory (wiped at exit) to reconnect without asking again; it writes them nowhere")),
	STR("auth-retry", C, auth_retry, "none|nointeract|interact",
	    "what to do when the server rejects the credentials",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FN("auth-user-pass", 0, 1, C, INL, cfg_opt_auth_user_pass, "[FILE]",
	   "send a username/password: from FILE, an inline block, or ask",
	    HON("tests/netns/client_auth.sh")),
	FN("auth-user-pass-verify", 2, 2, S, 0, cfg_opt_aupv, "SCRIPT via-file|via-env",
	   "check client usernames/passwords with SCRIPT",
	    HON("tests/netns/server_push.sh")),
	IGNORE("block-outside-dns", 0, 0, B, "Windows-only DNS leak protection",
	    NOTE("Windows-only DNS leak protection; nothing to do on Linux")),
	FNO("ca", 1, 1, B, INL, cfg_opt_blob, ca, "FILE", "CA certificate(s) that sign the peer",
	    HON("tests/netns/session_interop.sh")),
	FLAG("ccd-exclusive", S, 0, ccd_exclusive,
	     "refuse clients without a client-config-dir file",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FNO("cert", 1, 1, B, INL, cfg_opt_blob, cert, "FILE", "our certificate (PEM)",
	    HON("tests/netns/session_interop.sh")),
	STR("cipher", B, cipher, "CIPHER",
	    "legacy data cipher, used as the fallback for old peers",
	    HON("tests/netns/client_cbc.sh")),
	FN("client", 0, 0, C, 0, cfg_opt_client, "",
	   "client mode: pull options and act as TLS client",
	    HON("tests/netns/session_interop.sh")),
	/* the field named so that the verify-client-cert default knows it was set */
	FNO("client-cert-not-required", 0, 0, S, 0, cfg_opt_client_cert_not_required,
	    verify_client_cert, "", "obsolete spelling of verify-client-cert none",
	    HON("tests/unit/test_config_validate.c")),
	FNO("client-config-dir", 1, 1, S, 0, cfg_opt_path, client_config_dir, "DIR",
	    "per-client files named by common name (ifconfig-push, iroute, push)",
	    HON("tests/netns/server_push.sh")),
	FNO("client-connect", 1, 1, S, 0, cfg_opt_script, client_connect, "CMD",
	    "run CMD when a client connects",
	    HON("tests/netns/scripts.sh")),
	FNO("client-disconnect", 1, 1, S, 0, cfg_opt_script, client_disconnect, "CMD",
	    "run CMD when a client disconnects",
	    HON("tests/netns/scripts.sh")),
	FLAG("client-to-client", S, 0, client_to_client, "forward packets between clients",
	    HON("tests/netns/server_mixed.sh")),
	FN("comp-lzo", 0, 1, B, 0, cfg_opt_comp_lzo, "[yes|no|adaptive]",
	   "legacy LZO compression framing",
	    NOTE("burrow uses the compression framing the server pushes and never compresses; local framing without a push is not applied yet (issue 12)")),
	IGNORE("comp-noadapt", 0, 0, B, "LZO adaptive tuning",
	    NOTE("tunes LZO compression, which burrow never does on send")),
	FN("compress", 0, 1, B, 0, cfg_opt_compress, "[lz4|lz4-v2|lzo|stub|stub-v2|migrate]",
	   "compression framing",
	    NOTE("burrow uses the compression framing the server pushes and never compresses; local framing without a push is not applied yet (issue 12)")),
	FN("config", 1, 1, B, 0, cfg_opt_config, "FILE", "read more directives from FILE, in place",
	    HON("tests/netns/config_cli.sh")),
	FND("connect-retry", 1, 2, C, CON, cfg_opt_connect_retry, "SECONDS [MAX]", "5 300",
	    "wait between connection attempts (doubling up to MAX)",
	    HON("tests/netns/client_failover.sh")),
	INT("connect-retry-max", C, CON, connect_retry_max, 0, INT_MAX, "N",
	    "give up after N rounds over the remotes (0 = never)",
	    HON("tests/netns/client_failover.sh")),
	IGNORE("connect-timeout", 1, 1, C, "TCP connect timeout",
	    NOTE("each connection attempt is bounded by hand-window instead")),
	FN("connection", 0, 0, C, INL, cfg_opt_connection, "(inline block)",
	   "<connection> block: a remote with its own proto/port",
	    HON("tests/unit/test_config.c:test_connection_blocks")),
	FNO("crl-verify", 1, 2, B, INL, cfg_opt_crl_verify, crl, "FILE|DIR dir",
	    "certificate revocation list checked against the peer",
	    HON("tests/netns/server_crl.sh")),
	IGNORE("daemon", 0, 1, B, "burrow stays in the foreground (use your service manager)",
	    NOTE("burrow stays in the foreground; run it under a service manager")),
	FNOD("data-ciphers", 1, 1, B, 0, cfg_opt_cipher_list, data_ciphers, "C1:C2:...",
	     CIPHER_DEFAULT_LIST, "data ciphers we negotiate, in order of preference",
	    HON("tests/netns/client_udp.sh")),
	STR("data-ciphers-fallback", B, data_ciphers_fallback, "CIPHER",
	    "data cipher for peers that cannot negotiate",
	    HON("tests/unit/test_config.c")),
	FN("dev", 1, 1, B, 0, cfg_opt_dev, "tun|tap|NAME",
	   "the virtual device (tun/tap + optional number)",
	    HON("tests/netns/dev.sh")),
	IGNORE("dev-node", 1, 1, B, "device node path",
	    NOTE("Linux uses /dev/net/tun; the node path is for other systems")),
	FN("dev-type", 1, 1, B, 0, cfg_opt_dev_type, "tun|tap",
	   "device type when dev is a custom name",
	    HON("tests/unit/test_config_validate.c")),
	FN("dh", 1, 1, S, INL, cfg_opt_dh, "FILE|none",
	   "Diffie-Hellman parameters, or none (ECDHE only)",
	    HON("tests/netns/session_interop.sh")),
	FN("dhcp-option", 1, 2, B, 0, cfg_opt_dhcp_option, "TYPE [VALUE]",
	   "DNS, DOMAIN, ... settings for the tunnel",
	    HON("tests/netns/dns.sh")),
	FN("disable", 0, 0, CC, 0, cfg_opt_ccd_flag, "", "(client-config-dir) refuse this client",
	    HON("tests/unit/test_config.c")),
	IGNORE("disable-dco", 0, 0, B, "data channel offload; burrow's data channel is in userspace",
	    NOTE("burrow's data channel runs in userspace; there is no kernel offload to disable")),
	IGNORE("disable-occ", 0, 0, B, "options-consistency warnings",
	    NOTE("burrow does not send option-mismatch warnings to disable")),
	IGNORE("dns", 1, 15, B,
	       "DNS settings for the tunnel; burrow does not configure a resolver",
	    NOTE("burrow does not configure a resolver from local settings; pushed DNS goes to scripts and the log")),
	FNO("down", 1, 1, B, 0, cfg_opt_script, down, "CMD", "run CMD after the device goes down",
	    HON("tests/netns/scripts.sh")),
	FLAG("down-pre", B, 0, down_pre, "run the down script before closing the device",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FLAG("duplicate-cn", S, 0, duplicate_cn, "allow several clients with the same common name",
	    HON("tests/netns/server_scale.sh")),
	STR("ecdh-curve", B, ecdh_curve, "CURVE", "ECDH curve for the TLS handshake",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FN("explicit-exit-notify", 0, 1, B, CON, cfg_opt_explicit_exit, "[N]",
	   "tell the peer when we exit (UDP), N attempts",
	    HON("tests/netns/client_restart.sh")),
	FNO("extra-certs", 1, 1, B, INL, cfg_opt_blob, extra_certs, "FILE",
	    "intermediate certificates sent with ours",
	    HON("tests/unit/test_config.c")),
	IGNORE("fast-io", 0, 0, B, "a write-scheduling hint",
	    NOTE("a scheduling hint; burrow's event loop already writes without polling first")),
	FLAG("float", B, CON, float_, "accept the peer from a new address",
	    NOTE("a burrow server always lets an authenticated client move to a new address; a burrow client talks only to the address it connected to")),
	NOPE("fragment", 1, 2, B, CON, "internal fragmentation is not implemented",
	    REFUSE("internal fragmentation is not implemented",
	       "remove it and lower tun-mtu or use mssfix")),
	STR("group", B, group, "GROUP", "drop privileges to GROUP after setup",
	    HON("tests/netns/client_privdrop.sh")),
	INTD("hand-window", B, 0, hand_window, 1, 86400, "SECONDS",
	     SESS_DEFAULT_STR(SESS_DEFAULT_HAND_WINDOW), "TLS handshake deadline",
	    HON("tests/unit/test_cookie.c")),
	NOPE("http-proxy", 1, 4, C, CON, "connecting through an HTTP proxy is not implemented",
	    REFUSE("connecting through an HTTP proxy is not implemented",
	       "remove it and connect directly")),
	IGNORE("http-proxy-retry", 0, 0, C, "HTTP proxy retry",
	    NOTE("only used with http-proxy, which burrow refuses")),
	FN("ifconfig", 2, 2, B, 0, cfg_opt_ifconfig, "LOCAL PEER|NETMASK", "static tunnel address",
	    HON("tests/netns/client_net30.sh")),
	FN("ifconfig-ipv6", 2, 2, B, 0, cfg_opt_ifconfig6, "ADDR/BITS PEER",
	   "static tunnel IPv6 address",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FN("ifconfig-ipv6-pool", 1, 1, S, 0, cfg_opt_pool6, "ADDR/BITS",
	   "IPv6 address pool for clients",
	    REFUSE("burrow hands out IPv6 addresses from the whole server-ipv6 network, not from this pool",
	       "remove it and set server-ipv6 to the range clients may get")),
	FN("ifconfig-ipv6-push", 1, 2, CC, 0, cfg_opt_ccd_ifconfig6_push, "ADDR/BITS [PEER]",
	   "(client-config-dir) fixed IPv6 address for this client",
	    HON("tests/unit/test_config.c")),
	FN("ifconfig-pool", 2, 3, S, 0, cfg_opt_pool, "START END [NETMASK]", "IPv4 address pool",
	    REFUSE("burrow hands out addresses from the whole 'server' network, not from this range",
	       "remove it and set 'server NETWORK NETMASK' to the range clients may get")),
	IGNORE("ifconfig-pool-linear", 0, 0, S, "obsolete pool layout",
	    NOTE("an obsolete pool layout; burrow lays out addresses by topology")),
	FND("ifconfig-pool-persist", 1, 2, S, DT, cfg_opt_pool_persist, "FILE [SECONDS]", "600",
	    "remember client addresses in FILE, saved every SECONDS",
	    HON("tests/unit/test_config_validate.c")),
	FN("ifconfig-push", 2, 3, CC, 0, cfg_opt_ccd_ifconfig_push, "LOCAL PEER|NETMASK",
	   "(client-config-dir) fixed address for this client",
	    HON("tests/netns/server_push.sh")),
	FN("ignore-unknown-option", 1, 15, B, 0, cfg_opt_ignore_unknown, "NAME...",
	   "skip these directives if burrow does not know them",
	    HON("tests/unit/test_config.c")),
	{ "inactive", 1, 2, B, 0, cfg_opt_client_timer, OFF(inactive), 0, INT_MAX, "SECONDS [BYTES]",
	  "exit after this long without tunnel traffic (client)", NULL,
	  HON("tests/netns/client_inactive.sh") },
	FN("iroute", 1, 2, CC, 0, cfg_opt_ccd_iroute, "NET [NETMASK]",
	   "(client-config-dir) network behind this client",
	    HON("tests/unit/test_config.c")),
	FN("iroute-ipv6", 1, 1, CC, 0, cfg_opt_ccd_iroute6, "NET/BITS",
	   "(client-config-dir) IPv6 network behind this client",
	    HON("tests/unit/test_config.c")),
	FN("keepalive", 2, 2, B, 0, cfg_opt_keepalive, "INTERVAL TIMEOUT",
	   "ping every INTERVAL s, restart after TIMEOUT s of silence",
	    HON("tests/netns/client_keepalive.sh")),
	FNO("key", 1, 1, B, INL, cfg_opt_blob, key, "FILE", "our private key (PEM)",
	    HON("tests/netns/session_interop.sh")),
	FN("key-direction", 1, 1, B, 0, cfg_opt_key_direction, "0|1",
	   "which half of the tls-auth key we send with",
	    HON("tests/unit/test_wrap.c")),
	IGNORE("key-method", 1, 1, B, "only key method 2 exists",
	    NOTE("only key method 2 exists; burrow always uses it")),
	IGNORE("keying-material-exporter", 2, 2, B, "exported keying material for plugins",
	    NOTE("exported keying material is for plugins, which burrow does not load")),
	IGNORE("keysize", 1, 1, B, "legacy variable key size",
	    NOTE("a legacy variable key size; the cipher name fixes the key size")),
	FNO("learn-address", 1, 1, S, 0, cfg_opt_script, learn_address, "CMD",
	    "run CMD when a client address is learned",
	    HON("tests/netns/scripts.sh")),
	IGNORE("link-mtu", 1, 1, B, "obsolete; tun-mtu sets the size",
	    NOTE("obsolete; burrow sizes packets from tun-mtu")),
	FNO("local", 1, 1, B, CON, cfg_opt_str, local, "HOST", "local address to bind",
	    HON("tests/netns/client_cbc.sh")),
	FN("log", 1, 1, B, 0, cfg_opt_log, "FILE", "log to FILE (truncate)",
	    HON("tests/netns/client_udp.sh")),
	FN("log-append", 1, 1, B, 0, cfg_opt_log, "FILE", "log to FILE (append)",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FNO("lport", 1, 1, B, CON, cfg_opt_port, lport, "PORT", "local port",
	    HON("tests/netns/server_reconnect.sh")),
	IGNORE("management", 2, 3, B, "management interface",
	    NOTE("the management interface is not offered; the status file and log carry the state")),
	IGNORE("management-hold", 0, 0, B, "management interface",
	    NOTE("the management interface is not offered, so there is nothing to wait for")),
	IGNORE("management-query-passwords", 0, 0, B, "management interface",
	    NOTE("the management interface is not offered; passwords come from files or the terminal")),
	INTD("max-clients", S, 0, max_clients, 1, 1 << 20, "N", "1024", "most clients at once",
	    HON("tests/netns/flood_limits.sh")),
	FN("mode", 1, 1, B, 0, cfg_opt_mode, "p2p|server",
	   "server: many clients (set by 'server')",
	    HON("tests/unit/test_handshake.c")),
	FND("mssfix", 0, 2, B, CON, cfg_opt_mssfix, "[BYTES [mtu]]", "1492 mtu",
	    "clamp TCP MSS (0 = off)",
	    HON("tests/netns/offload.sh")),
	IGNORE("mtu-disc", 1, 1, B, "path MTU discovery socket option",
	    NOTE("burrow leaves path MTU discovery at the kernel default")),
	INT("mute", B, 0, mute, 0, INT_MAX, "N", "log at most N repeats of a message",
	    NOTE("burrow does not drop repeated log lines; lower verb for less output")),
	IGNORE("mute-replay-warnings", 0, 0, B, "quieter replay warnings",
	    NOTE("burrow reports replayed packets in counters, not a warning per packet")),
	FNO("ncp-ciphers", 1, 1, B, 0, cfg_opt_cipher_list, data_ciphers, "C1:C2:...",
	    "old name of data-ciphers",
	    HON("tests/unit/test_config_validate.c")),
	IGNORE("ncp-disable", 0, 0, B, "removed in OpenVPN 2.6",
	    NOTE("removed in OpenVPN 2.6; burrow always negotiates")),
	FLAG("no-sandbox", B, 0, no_sandbox,
	     "keep every capability and install no seccomp filter (burrow's own, for debugging)",
	    HON("tests/netns/sandbox.sh")),
	FLAG("nobind", B, CON, nobind, "use any local port",
	    HON("tests/netns/session_interop.sh")),
	FN("ns-cert-type", 1, 1, C, 0, cfg_opt_ns_cert_type, "server|client",
	   "obsolete; treated as remote-cert-tls",
	    HON("tests/unit/test_config.c")),
	IGNORE("opt-verify", 0, 0, B, "options-consistency check",
	    NOTE("burrow does not compare the options strings of the two sides")),
	IGNORE("passtos", 0, 0, B, "copy the TOS byte",
	    NOTE("burrow does not copy the TOS byte; only traffic marking is affected")),
	FLAG("persist-key", B, 0, persist_key, "keep keys across restarts",
	    NOTE("burrow reads keys once at start and keeps them across reconnects anyway")),
	IGNORE("persist-local-ip", 0, 0, B, "keep the local address across restarts",
	    NOTE("burrow keeps the local address across reconnects anyway")),
	IGNORE("persist-remote-ip", 0, 0, B, "keep the resolved remote across restarts",
	    NOTE("burrow keeps the resolved addresses of a remote until it fails")),
	FLAG("persist-tun", B, 0, persist_tun, "keep the device across restarts",
	    HON("tests/netns/client_restart.sh")),
	INT("ping", B, 0, ping, 0, INT_MAX, "SECONDS", "send a ping after this much silence",
	    HON("tests/netns/client_keepalive.sh")),
	{ "ping-exit", 1, 1, B, 0, cfg_opt_client_timer, OFF(ping_exit), 0, INT_MAX, "SECONDS",
	  "exit after this much silence (client)", NULL, HON("tests/netns/client_ping_exit.sh") },
	INT("ping-restart", B, 0, ping_restart, 0, INT_MAX, "SECONDS",
	    "reconnect after this much silence",
	    HON("tests/netns/client_keepalive.sh")),
	FLAG("ping-timer-rem", B, 0, ping_timer_rem, "run the ping timer only with a remote",
	    NOTE("burrow runs the ping timer only while a peer is connected anyway")),
	FNO("pkcs12", 1, 1, B, INL, cfg_opt_blob, pkcs12, "FILE",
	    "certificate + key + CA in one PKCS#12 file",
	    HON("tests/unit/test_config_validate.c")),
	NOPE("plugin", 1, 15, B, 0, "plugins are not supported; use auth-user-pass-verify",
	    REFUSE("plugins are not supported",
	       "remove it; check passwords with auth-user-pass-verify")),
	FNOD("port", 1, 1, B, CON, cfg_opt_port, port, "PORT", "1194", "local and remote port",
	    HON("tests/netns/session_interop.sh")),
	FND("proto", 1, 1, B, CON, cfg_opt_proto, "udp|tcp|udp4|tcp6|tcp-client|...", "udp",
	    "transport",
	    HON("tests/netns/client_tcp.sh:OVPN_PROTO=tcp")),
	FLAG("pull", C, 0, pull, "accept options pushed by the server",
	    HON("tests/netns/session_interop.sh")),
	FN("pull-filter", 2, 2, C, 0, cfg_opt_pull_filter, "accept|ignore|reject TEXT",
	   "filter pushed options starting with TEXT",
	    HON("tests/netns/client_pullfilter.sh")),
	FN("push", 1, 1, S | CC, 0, cfg_opt_push, "\"OPTION ...\"", "send an option to clients",
	    HON("tests/netns/server_push.sh")),
	IGNORE("push-peer-info", 0, 0, C, "burrow always sends peer info",
	    NOTE("burrow always sends peer info")),
	FN("push-reset", 0, 0, CC, 0, cfg_opt_ccd_flag, "",
	   "(client-config-dir) drop inherited pushes",
	    HON("tests/unit/test_config.c")),
	IGNORE("rcvbuf", 1, 1, B, "socket buffer size",
	    NOTE("burrow leaves socket buffers at the kernel default")),
	FN("redirect-gateway", 0, 8, B, 0, cfg_opt_redirect_gateway, "[def1] [ipv6] [!ipv4] [local] ...",
	   "send all traffic through the tunnel",
	    HON("tests/netns/client_routes.sh")),
	IGNORE("redirect-private", 0, 8, B, "private route redirection",
	    NOTE("routes nothing unless combined with options burrow does not take; give the routes with 'route'")),
	FN("remote", 1, 3, B, CON, cfg_opt_remote, "HOST [PORT [PROTO]]",
	   "a server to connect to; several = failover in order",
	    HON("tests/netns/client_failover.sh")),
	STR("remote-cert-eku", B, remote_cert_eku, "OID|NAME",
	    "required extended key usage of the peer",
	    HON("tests/unit/test_tls_conf.c")),
	IGNORE("remote-cert-ku", 1, 15, B, "key-usage check (use remote-cert-tls)",
	    REFUSE("this key-usage check is not implemented",
	       "remove it and use remote-cert-tls server|client, which checks the peer's usage")),
	FN("remote-cert-tls", 1, 1, B, 0, cfg_opt_remote_cert_tls, "server|client",
	   "require the peer certificate's role",
	    HON("tests/netns/pki_openvpn.sh")),
	FLAG("remote-random", C, 0, remote_random, "try the remotes in random order",
	    HON("tests/unit/test_config.c")),
	IGNORE("remote-random-hostname", 0, 0, C, "random host name prefix",
	    NOTE("random host name prefixes only help wildcard DNS setups; the remote name is used as given")),
	FN("reneg-bytes", 1, 1, B, 0, cfg_opt_reneg, "BYTES", "renegotiate keys after BYTES",
	    HON("tests/unit/test_config.c")),
	FN("reneg-pkts", 1, 1, B, 0, cfg_opt_reneg, "N", "renegotiate keys after N packets",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FND("reneg-sec", 1, 2, B, 0, cfg_opt_reneg, "SECONDS [MAX]",
	    SESS_DEFAULT_STR(SESS_DEFAULT_RENEG_SEC),
	    "renegotiate keys every SECONDS (0 = never)",
	    HON("tests/netns/client_reneg.sh")),
	INTD("replay-window", B, 0, replay_window, 1, 65536, "N",
	     SESS_DEFAULT_STR(SESS_DEFAULT_REPLAY_WINDOW),
	     "replay window size in packets",
	    HON("tests/unit/test_config_validate.c")),
	FND("resolv-retry", 1, 1, C, 0, cfg_opt_resolv_retry, "SECONDS|infinite", "infinite",
	    "keep retrying name resolution",
	    NOTE("burrow resolves the remote on every connection attempt and keeps retrying; connect-retry-max bounds the attempts")),
	FN("route", 1, 4, B, 0, cfg_opt_route, "NET [NETMASK [GATEWAY [METRIC]]]", "an IPv4 route",
	    HON("tests/netns/client_routes.sh")),
	IGNORE("route-delay", 0, 2, B, "route setup delay",
	    NOTE("burrow adds routes as soon as the device is up")),
	IGNORE("route-gateway", 1, 1, B, "the gateway comes from the server",
	    NOTE("the gateway comes from the server's push or the device")),
	FN("route-ipv6", 1, 3, B, 0, cfg_opt_route6, "NET/BITS [GATEWAY [METRIC]]",
	   "an IPv6 route",
	    HON("tests/unit/test_config.c")),
	IGNORE("route-method", 1, 1, B, "Windows route method",
	    NOTE("a Windows route method; Linux routes go through netlink")),
	INT("route-metric", B, 0, route_metric, 0, INT_MAX, "N", "default route metric",
	    HON("tests/netns/client_pullfilter.sh")),
	FLAG("route-nopull", C, 0, route_nopull, "ignore routes pushed by the server",
	    HON("tests/unit/test_config.c")),
	FNO("rport", 1, 1, B, CON, cfg_opt_port, rport, "PORT", "remote port",
	    HON("tests/unit/test_config_validate.c")),
	INTD("script-security", B, 0, script_security, 0, 3, "0-3", "1",
	     "which scripts may run (2 for up/down)",
	    HON("tests/netns/scripts.sh")),
	NOPE("secret", 1, 2, B, INL, "static-key mode is not supported; use TLS (ca/cert/key)",
	    REFUSE("static-key mode is not supported",
	       "use TLS (ca/cert/key) instead")),
	FN("server", 1, 3, S, 0, cfg_opt_server, "NETWORK NETMASK|NET/BITS [nopool]",
	   "server mode with an address pool from NETWORK",
	    HON("tests/netns/server_udp.sh")),
	FN("server-bridge", 0, 4, S, 0, cfg_opt_server_bridge, "[GW MASK START END | nogw]",
	   "server mode for a bridged tap device",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FN("server-ipv6", 1, 1, S, 0, cfg_opt_server6, "NET/BITS", "IPv6 pool for server mode",
	    HON("tests/netns/server_ipv6.sh")),
	INT("server-poll-timeout", C, CON, server_poll_timeout, 0, INT_MAX, "SECONDS",
	    "give up on a remote after SECONDS",
	    NOTE("each attempt on a remote has its own deadline (hand-window, shorter over UDP) before the next remote is tried")),
	FN("setenv", 1, 15, B, 0, cfg_opt_setenv, "NAME VALUE | opt DIRECTIVE...",
	   "environment for scripts; 'opt' makes a directive optional",
	    HON("tests/netns/scripts.sh")),
	IGNORE("setenv-safe", 1, 2, B, "script environment",
	    NOTE("sets OPENVPN_-prefixed variables only plugins and scripts written for them read")),
	IGNORE("sndbuf", 1, 1, B, "socket buffer size",
	    NOTE("burrow leaves socket buffers at the kernel default")),
	IGNORE("socket-flags", 1, 4, B, "socket options",
	    NOTE("burrow sets TCP_NODELAY itself and needs no other socket flags")),
	FND("status", 1, 2, B, DT, cfg_opt_status, "FILE [SECONDS]", "60",
	    "write status to FILE every SECONDS",
	    HON("tests/netns/client_failover.sh")),
	INTD("status-version", S, 0, status_version, 1, 3, "1|2|3", "1", "status file format",
	    HON("tests/netns/server_scale.sh")),
	IGNORE("syslog", 0, 1, B, "log to syslog",
	    NOTE("burrow logs to stderr for the service manager's journal")),
	IGNORE("tcp-nodelay", 0, 0, B, "burrow sets TCP_NODELAY itself",
	    NOTE("burrow sets TCP_NODELAY itself")),
	IGNORE("tcp-queue-limit", 1, 1, B, "TCP send queue length",
	    NOTE("burrow bounds its TCP send queue itself")),
	FNO("tls-auth", 1, 2, B, INL, cfg_opt_statickey, tls_auth, "FILE [0|1]",
	    "HMAC-sign control packets with a static key",
	    HON("tests/netns/client_tcp.sh")),
	STR("tls-cert-profile", B, tls_cert_profile, "PROFILE", "certificate strength profile",
	    HON("tests/unit/test_tls_conf.c")),
	STR("tls-cipher", B, tls_cipher, "LIST", "TLS 1.2 cipher list",
	    HON("tests/unit/test_tls_conf.c")),
	STR("tls-ciphersuites", B, tls_ciphersuites, "LIST", "TLS 1.3 cipher suites",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FLAG("tls-client", C, 0, tls_client, "TLS client role (implied by client)",
	    HON("tests/netns/session_interop.sh")),
	FNO("tls-crypt", 1, 2, B, INL, cfg_opt_statickey, tls_crypt, "FILE",
	    "encrypt and authenticate control packets with a static key",
	    HON("tests/netns/client_auth.sh")),
	FNO("tls-crypt-v2", 1, 2, B, INL, cfg_opt_statickey, tls_crypt_v2, "FILE",
	    "tls-crypt with a per-client key",
	    HON("tests/netns/client_v2.sh")),
	INT("tls-crypt-v2-max-age", S, 0, tls_crypt_v2_max_age, 1, INT_MAX, "DAYS",
	    "refuse tls-crypt-v2 client keys older than DAYS (OpenVPN 2.7)",
	    REFUSE("the age of tls-crypt-v2 client keys is not checked",
	       "remove it; revoke old client certificates with crl-verify")),
	STR("tls-groups", B, tls_groups, "LIST", "TLS key-exchange groups",
	    HON("tests/unit/test_tls_conf.c")),
	FN("tls-remote", 1, 1, C, 0, cfg_opt_tls_remote, "NAME",
	   "obsolete; treated as verify-x509-name NAME name",
	    HON("tests/unit/test_config.c")),
	FLAG("tls-server", S, 0, tls_server, "TLS server role (implied by server)",
	    HON("tests/netns/session_interop.sh")),
	INTD("tls-timeout", B, 0, tls_timeout, 1, 3600, "SECONDS",
	     SESS_DEFAULT_STR(SESS_DEFAULT_TLS_TIMEOUT),
	     "control packet retransmit time",
	    HON("tests/unit/test_reliable.c")),
	NOPE("tls-verify", 1, 1, B, 0, "certificate-checking scripts are not supported",
	    REFUSE("certificate-checking scripts are not supported",
	       "remove it; use verify-x509-name, remote-cert-tls and crl-verify")),
	FN("tls-version-max", 1, 1, B, 0, cfg_opt_tls_version, "1.2|1.3", "newest TLS version",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	FND("tls-version-min", 1, 2, B, 0, cfg_opt_tls_version, "1.2|1.3 [or-highest]", "1.2",
	    "oldest TLS version",
	    HON("tests/unit/test_tls_conf.c")),
	FND("topology", 1, 1, B, 0, cfg_opt_topology, "subnet|net30|p2p", "net30",
	    "how client addresses are laid out",
	    HON("tests/netns/client_net30.sh")),
	INTD("tran-window", B, 0, tran_window, 1, 86400, "SECONDS",
	     SESS_DEFAULT_STR(SESS_DEFAULT_TRAN_WINDOW),
	     "old key lifetime after renegotiation",
	    HON("tests/unit/test_config_validate.c")),
	IGNORE("tun-ipv6", 0, 0, B, "always on",
	    NOTE("IPv6 in the tunnel is always on")),
	INTD("tun-mtu", B, CON, tun_mtu, 576, 65535, "BYTES", "1500", "device MTU",
	    HON("tests/netns/client_v2.sh")),
	IGNORE("tun-mtu-extra", 1, 1, B, "tap frame headroom",
	    NOTE("tap frame headroom is sized by burrow itself")),
	INT("txqueuelen", B, 0, txqueuelen, 0, 1 << 20, "N", "device transmit queue length",
	    NOTE("burrow leaves the device's transmit queue length at the kernel default")),
	FNO("up", 1, 1, B, 0, cfg_opt_script, up, "CMD", "run CMD after the device is up",
	    HON("tests/netns/scripts.sh")),
	IGNORE("up-delay", 0, 0, B, "delayed device setup",
	    NOTE("burrow opens the device at start")),
	FLAG("up-restart", B, 0, up_restart, "run up/down on restarts too",
	    HON("tests/unit/test_config_status.c:test_values_for_core")),
	STR("user", B, user, "USER", "drop privileges to USER after setup",
	    HON("tests/netns/client_privdrop.sh")),
	FLAG("username-as-common-name", S, 0, username_as_cn,
	     "use the authenticated username as the client's name",
	    HON("tests/netns/client_nocert.sh")),
	INTD("verb", B, 0, verb, 0, 11, "0-11", "1", "log verbosity",
	    HON("tests/netns/server_mixed.sh")),
	FNOD("verify-client-cert", 1, 1, S, 0, cfg_opt_verify_cc, verify_client_cert,
	     "none|optional|require", "require", "whether clients need a certificate",
	    HON("tests/netns/client_nocert.sh")),
	FN("verify-x509-name", 1, 2, B, 0, cfg_opt_verify_x509, "NAME [name|name-prefix|subject]",
	   "require this peer certificate name",
	    HON("tests/netns/pki_openvpn.sh")),
	IGNORE("writepid", 1, 1, B, "pid file",
	    NOTE("burrow writes no pid file; the service manager tracks the process")),
	FN("x509-username-field", 1, 8, B, 0, cfg_opt_x509_user, "FIELD",
	   "the peer certificate's subject attribute used as its name (CN)",
	    HON("tests/unit/test_tls.c:test_name_refused")),
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

/* inactive / ping-exit: the client's session driver (core/sessdrv.c) ends the client; a server
 * does not end on them yet, and inactive's BYTES threshold is not counted. */
int cfg_opt_client_timer(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (x->c->role == CFG_ROLE_SERVER)
		cfg_refuse(x, "a burrow server does not stop on silence or inactivity (a client does)",
			   "remove it from the server configuration");
	if (argc > 2 && strcmp(argv[2], "0") != 0)
		cfg_refuse(x, "the BYTES threshold is not counted: any tunnel packet keeps the tunnel",
			   "remove BYTES (inactive SECONDS)");
	return cfg_opt_int(x, o, 2, argv);
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
	return 0;
}

int cfg_opt_unsupported(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	return 0;
}

const char *cfg_status_name(enum cfg_status st)
{
	switch (st) {
	case CFG_ST_HONOURED: return "honoured";
	case CFG_ST_NOTICED: return "noticed";
	case CFG_ST_REFUSED: return "refused";
	default: return "undeclared";
	}
}

void cfg_notice(struct cfg_ctx *x, const char *why)
{
	if (x->c)
		x->c->n_ignored++;
	log_warn("%s:%d: %s: accepted, but it does not matter here: %s", x->file, x->line,
		 x->directive, why);
}

void cfg_refuse(struct cfg_ctx *x, const char *why, const char *todo)
{
	const struct cfg_option *o = cfg_option_find(x->directive);

	if (x->c && !x->c->unsupported.name) {
		x->c->unsupported.name = o ? o->name : "?";	/* the table's copy outlives the line */
		x->c->unsupported.where = cfg_here(x);
		x->c->unsupported.why = why;
		x->c->unsupported.todo = todo;
	}
}
