/* The config lexer, option table and parse functions: every syntax oddity of
 * corpus/directives.md, error messages with file:line, last-wins and accumulation,
 * command-line overrides, relative paths, inline blocks, <connection>, ccd files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/ssl.h>

#include "config/config.h"
#include "config/cfg_impl.h"
#include "util/log.h"

static struct cfg c;
static struct cfg_err e;

/* Parse text as "t.ovpn" in directory /p. */
static int parse_role(const char *text, enum cfg_role role)
{
	cfg_free(&c);
	cfg_init(&c, role);
	memset(&e, 0, sizeof(e));
	return cfg_load_text(text, strlen(text), "t.ovpn", "/p", &c, &e);
}

static int parse(const char *text)
{
	return parse_role(text, CFG_ROLE_CLIENT);
}

static void expect_err(const char *text, enum cfg_role role, const char *msg)
{
	if (parse_role(text, role) != -EINVAL)
		fail_msg("expected an error for: %s", text);
	if (strcmp(e.text, msg) != 0)
		fail_msg("got  '%s'\nwant '%s'", e.text, msg);
}

static int teardown(void **state)
{
	(void)state;
	cfg_free(&c);
	return 0;
}

static const char *ip4(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

/* ---- lexer -------------------------------------------------------------------------- */

static void test_comments(void **state)
{
	(void)state;
	assert_int_equal(parse("# comment\n; another\n   # indented\nproto tcp # tcp-server\n"
			       "key-direction 0 ##Ajout\xc3\xa9 par moi\n"
			       "setenv X a#b;c\n"
			       "setenv opt block-outside-dns # Prevent Windows 10 DNS leak\n"), 0);
	assert_int_equal(c.proto, CFG_PROTO_TCP_CLIENT);
	assert_int_equal(c.key_direction, 0);
	assert_int_equal(c.setenv.n, 1);
	assert_string_equal(c.setenv.v[0].value, "a#b;c");	/* mid-token: not a comment */
}

static void test_quotes_and_escapes(void **state)
{
	(void)state;
	assert_int_equal(parse("verify-x509-name \"cryptostorm sydney server\" name\n"
			       "setenv A 'single \\ quoted'\n"
			       "setenv B \"C:\\\\Program Files\\\\x \\\"q\\\"\"\n"
			       "setenv C C:\\Users\\me\n"
			       "setenv D a\\ b\n"
			       "pull-filter ignore \"DNS\"\n"), 0);
	assert_string_equal(c.verify_x509.name, "cryptostorm sydney server");
	assert_int_equal(c.verify_x509.type, CFG_X509_NAME);
	assert_string_equal(c.setenv.v[0].value, "single \\ quoted");
	assert_string_equal(c.setenv.v[1].value, "C:\\Program Files\\x \"q\"");
	assert_string_equal(c.setenv.v[2].value, "C:\\Users\\me");	/* lone backslashes stay */
	assert_string_equal(c.setenv.v[3].value, "a b");
	assert_string_equal(c.pull_filters.v[0].text, "DNS");
	assert_int_equal(c.pull_filters.v[0].action, CFG_PF_IGNORE);
	/* Windows path in quotes, as in windows-server__server.ovpn */
	assert_int_equal(parse("ca \"C:\\\\Program Files\\\\OpenVPN\\\\ca.crt\"\n"), 0);
	assert_string_equal(c.ca.path, "C:\\Program Files\\OpenVPN\\ca.crt");
	expect_err("verb 3\nsetenv X \"open\n", CFG_ROLE_CLIENT,
		   "t.ovpn:2: setenv: unterminated quote \u2014 close the quote on the same line");
}

static void test_line_endings_and_whitespace(void **state)
{
	(void)state;
	/* CRLF, mixed LF/CRLF, no final newline, trailing spaces, tabs, runs of spaces */
	assert_int_equal(parse("client\r\ndev tun\n  remote a.example 1195\r\n\r\n   \r\n"
			       "tun-mtu  1500   \n\tpersist-tun  \r\nreneg-sec 432000 \r\n"
			       "proto tcp"), 0);
	assert_true(c.client && c.pull && c.tls_client);
	assert_string_equal(c.dev, "tun");
	assert_int_equal(c.remotes.n, 1);
	assert_string_equal(c.remotes.v[0].host, "a.example");
	assert_int_equal(c.remotes.v[0].port, 1195);
	assert_int_equal(c.tun_mtu, 1500);
	assert_true(c.persist_tun);
	assert_int_equal(c.reneg_sec, 432000);
	assert_int_equal(c.proto, CFG_PROTO_TCP_CLIENT);
}

static void test_bad_bytes_and_sizes(void **state)
{
	static const char nul[] = "verb 3\nve\0rb 4\n";
	char big[9000];
	(void)state;

	cfg_free(&c);
	cfg_init(&c, CFG_ROLE_CLIENT);
	assert_int_equal(cfg_load_text(nul, sizeof(nul) - 1, "t.ovpn", "/p", &c, &e), -EINVAL);
	assert_string_equal(e.text, "t.ovpn:2: NUL byte in a directive line \u2014 the file looks "
			    "binary or damaged; re-save it as text");
	expect_err("setenv a b c d e f g h i j k l m n o p q\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: more than 16 words on one line \u2014 quote arguments that contain spaces");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big), -EINVAL);
	assert_non_null(strstr(e.text, "t.ovpn:1: line longer than 8191 bytes"));
}

/* ---- inline blocks ------------------------------------------------------------------ */

static void test_inline_blocks(void **state)
{
	static const char text[] =
		"client\n"
		"# -----BEGIN CERTIFICATE----- (Access Server bundle in a comment: not a block)\n"
		"<ca>\n# a comment inside\nhe\0re\n-----BEGIN CERTIFICATE-----\nAAAA\n"
		"-----END CERTIFICATE-----\n\n</ca>\n"
		"    <cert>\n    Certificate:\n        Data: ...\n-----BEGIN CERTIFICATE-----\n"
		"-----END CERTIFICATE-----\n    </cert>\r\n"
		"<tls-auth>\n</tls-auth>\n"
		"key-direction 1\n"
		"remote after.blocks 1194\n";
	(void)state;

	cfg_free(&c);
	cfg_init(&c, CFG_ROLE_CLIENT);
	assert_int_equal(cfg_load_text(text, sizeof(text) - 1, "t.ovpn", "/p", &c, &e), 0);
	assert_true(c.ca.is_inline);
	assert_null(c.ca.path);
	assert_int_equal(c.ca.where.line, 3);
	assert_non_null(strstr(c.ca.text, "he re"));	/* NUL in a comment became a space */
	assert_non_null(strstr(c.ca.text, "AAAA"));
	assert_int_equal(strlen(c.ca.text), c.ca.len);
	assert_true(c.cert.is_inline);
	assert_non_null(strstr(c.cert.text, "Certificate:"));
	assert_true(c.tls_auth.key.is_inline);		/* empty block */
	assert_int_equal(c.tls_auth.key.len, 0);
	assert_int_equal(c.key_direction, 1);
	assert_int_equal(c.remotes.n, 1);
	assert_int_equal(c.remotes.v[0].where.line, 20);	/* line numbers survive blocks */
}

static void test_inline_errors(void **state)
{
	(void)state;
	expect_err("verb 1\n<ca>\n-----BEGIN CERTIFICATE-----\n", CFG_ROLE_CLIENT,
		   "t.ovpn:2: <ca> block is not closed \u2014 add a line </ca> after its contents");
	expect_err("<foo>\nx\n</foo>\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: <foo>: not an inline block burrow knows \u2014 inline blocks: <ca> "
		   "<cert> <key> <extra-certs> <pkcs12> <tls-auth> <tls-crypt> <tls-crypt-v2> "
		   "<crl-verify> <dh> <auth-user-pass> <connection>");
	expect_err("</ca>\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: </ca>: malformed block tag \u2014 an inline block is a line '<name>', "
		   "the contents, and a line '</name>'");
	expect_err("verb 1\n<<<<<<< HEAD:x.ovpn\n", CFG_ROLE_CLIENT,
		   "t.ovpn:2: <<<<<<<: unresolved git merge-conflict marker \u2014 resolve the "
		   "merge conflict and keep one side");
}

static void test_file_and_inline_last_wins(void **state)
{
	(void)state;
	/* ovpn.com / torguard: the same object as a path and inline; the later one wins */
	assert_int_equal(parse("ca ca.crt\n<ca>\nX\n</ca>\n"), 0);
	assert_true(c.ca.is_inline);
	assert_null(c.ca.path);
	assert_int_equal(parse("<ca>\nX\n</ca>\nca /etc/ca.crt\n"), 0);
	assert_false(c.ca.is_inline);
	assert_string_equal(c.ca.path, "/etc/ca.crt");
	assert_null(c.ca.text);
}

static void test_key_direction_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("tls-auth ta.key 1\n"), 0);
	assert_int_equal(c.tls_auth.direction, 1);
	assert_string_equal(c.tls_auth.key.path, "/p/ta.key");
	assert_int_equal(parse("tls-auth ta.key\nkey-direction 0\n"), 0);
	assert_int_equal(c.tls_auth.direction, -1);
	assert_int_equal(c.key_direction, 0);
	assert_int_equal(parse_role("tls-crypt tc.key 0\n", CFG_ROLE_SERVER), 0);
	assert_string_equal(c.tls_crypt.key.path, "/p/tc.key");
	expect_err("tls-auth ta.key 2\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: tls-auth: bad direction '2' \u2014 the direction is 0 (server) or 1 (client)");
	expect_err("key-direction x\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: key-direction: bad direction 'x' \u2014 use 0 (server) or 1 (client)");
}

/* ---- directives ------------------------------------------------------------------- */

static void test_remotes_and_protos(void **state)
{
	(void)state;
	assert_int_equal(parse("remote a 1194 udp\nremote b 443 tcp-client\nremote aa:bb::1 1194 udp\n"
			       "remote c 53 udp4\nremote d\nremote-random\nport 1300\nproto tcp6\n"), 0);
	assert_int_equal(c.remotes.n, 5);
	assert_int_equal(c.remotes.v[0].proto, CFG_PROTO_UDP);
	assert_int_equal(c.remotes.v[1].proto, CFG_PROTO_TCP_CLIENT);
	assert_string_equal(c.remotes.v[2].host, "aa:bb::1");
	assert_int_equal(c.remotes.v[3].af, CFG_AF_INET);
	assert_int_equal(c.remotes.v[4].port, 0);	/* filled by cfg_validate */
	assert_true(c.remote_random);
	assert_int_equal(c.port, 1300);
	assert_int_equal(c.proto, CFG_PROTO_TCP_CLIENT);
	assert_int_equal(c.proto_af, CFG_AF_INET6);
	assert_int_equal(parse_role("proto tcp-server\n", CFG_ROLE_SERVER), 0);
	assert_int_equal(c.proto, CFG_PROTO_TCP_SERVER);
	assert_int_equal(parse_role("proto tcp\n", CFG_ROLE_SERVER), 0);
	assert_int_equal(c.proto, CFG_PROTO_TCP_SERVER);
	expect_err("proto quic\n", CFG_ROLE_CLIENT, "t.ovpn:1: proto: unknown protocol 'quic' \u2014 "
		   "use udp, tcp, udp4, udp6, tcp4, tcp6, tcp-client or tcp-server");
	expect_err("remote a 70000\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: remote: bad port '70000' \u2014 a port is a number from 1 to 65535");
	expect_err("\n\nport 70000\n", CFG_ROLE_CLIENT,
		   "t.ovpn:3: port: bad port '70000' \u2014 a port is a number from 0 to 65535");
	expect_err("remote your public IP here\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: remote: too many arguments (takes at most 3, got 4) \u2014 usage: "
		   "remote HOST [PORT [PROTO]]");
}

static void test_last_wins_and_accumulate(void **state)
{
	(void)state;
	assert_int_equal(parse("cipher AES-256-CBC\nkeepalive 10 60\ncipher aes-128-cbc\n"
			       "keepalive 5 30\nproto tcp-client\nproto udp\nreneg-sec 10\nreneg-sec 0\n"
			       "route 10.1.0.0 255.255.0.0\nroute 10.2.0.0 255.255.0.0 vpn_gateway 5\n"
			       "dhcp-option DNS 1.1.1.1\ndhcp-option DOMAIN example.org\n"
			       "verb 3\nverb 4\n"), 0);
	assert_string_equal(c.cipher, "aes-128-cbc");
	assert_int_equal(c.keepalive_interval, 5);
	assert_int_equal(c.keepalive_timeout, 30);
	assert_int_equal(c.proto, CFG_PROTO_UDP);
	assert_int_equal(c.reneg_sec, 0);
	assert_int_equal(c.verb, 4);
	assert_int_equal(c.routes.n, 2);
	assert_string_equal(ip4(c.routes.v[1].net), "10.2.0.0");
	assert_string_equal(ip4(c.routes.v[1].mask), "255.255.0.0");
	assert_int_equal(c.routes.v[1].gw_kind, CFG_GW_VPN);
	assert_int_equal(c.routes.v[1].metric, 5);
	assert_int_equal(c.dhcp_options.n, 2);
	assert_string_equal(c.dhcp_options.v[1].value, "example.org");
}

static void test_networks(void **state)
{
	(void)state;
	assert_int_equal(parse("route 192.168.1.0 255.255.255.0 default 10\nroute 8.8.8.8\n"
			       "route-ipv6 2001:db8::/32\nroute-ipv6 ::/0 fd00::1 7\n"
			       "redirect-gateway def1 ipv6 bypass-dhcp\n"
			       "ifconfig 10.1.0.2 10.1.0.1\nifconfig-ipv6 fd00::2/64 fd00::1\n"), 0);
	assert_string_equal(ip4(c.routes.v[1].mask), "255.255.255.255");
	assert_int_equal(c.routes.v[0].gw_kind, CFG_GW_DEFAULT);
	assert_int_equal(c.routes6.v[0].prefix, 32);
	assert_true(c.routes6.v[1].has_gw);
	assert_int_equal(c.routes6.v[1].metric, 7);
	assert_int_equal(c.redirect_gateway,
			 CFG_RG_ENABLE | CFG_RG_DEF1 | CFG_RG_IPV6 | CFG_RG_BYPASS_DHCP);
	assert_true(c.ifconfig.set);
	assert_int_equal(c.ifconfig_ipv6.prefix, 64);
	expect_err("route 10.0.0.0 255.0.255.0\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: route: bad netmask '255.0.255.0' \u2014 use a netmask like 255.255.255.0");
	expect_err("route 10.0.0.1 255.255.255.0\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: route: 10.0.0.1 is not a network address for netmask 255.255.255.0 "
		   "\u2014 clear the host bits or fix the netmask");
	expect_err("route x.x.x.x 255.255.255.0\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: route: bad network 'x.x.x.x' \u2014 use a dotted IPv4 network, e.g. "
		   "route 10.1.0.0 255.255.0.0");
	expect_err("route-ipv6 ::/128 ::1ping-restart\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: route-ipv6: bad IPv6 gateway '::1ping-restart' \u2014 use an IPv6 address");
	expect_err("route-ipv6 ::/129\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: route-ipv6: bad IPv6 network '::/129' \u2014 use NET/BITS, e.g. 2001:db8::/32");
	expect_err("redirect-gateway def2\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: redirect-gateway: unknown flag 'def2' \u2014 flags: def1 ipv6 !ipv4 "
		   "local autolocal bypass-dhcp bypass-dns block-local");
	expect_err("keepalive 10 15\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: keepalive: timeout 15 is less than twice the interval 10 \u2014 the "
		   "timeout must be at least twice the interval, e.g. keepalive 10 60");
}

static void test_client_directives(void **state)
{
	(void)state;
	assert_int_equal(parse("client\ndev tun0\ndev-type tun\nnobind\nlport 5000\n"
			       "resolv-retry infinite\nconnect-retry 2 30\npersist-key\n"
			       "remote-cert-tls server\nverify-x509-name CN=vpn.example\n"
			       "tls-version-min 1.2 or-highest\ndata-ciphers AES-256-GCM:CHACHA20-POLY1305\n"
			       "data-ciphers-fallback AES-256-CBC\nauth SHA256\nauth-user-pass\n"
			       "auth-nocache\nping 10\nping-restart 60\nping-exit 300\n"
			       "explicit-exit-notify\nroute-nopull\nmssfix 1400\ncompress stub-v2\n"
			       "allow-compression asym\nuser nobody\ngroup nogroup\nmute 20\n"
			       "log /var/log/b.log\nstatus st.txt 30\nscript-security 2\n"
			       "up \"/etc/up.sh arg\"\ndown down.sh\nreneg-bytes 1000000\n"
			       "hand-window 30\ntran-window 600\n"), 0);
	assert_string_equal(c.dev, "tun0");
	assert_int_equal(c.dev_type, CFG_DEV_TUN);
	assert_true(c.nobind);
	assert_int_equal(c.lport, 5000);
	assert_int_equal(c.resolv_retry, -1);
	assert_int_equal(c.connect_retry, 2);
	assert_int_equal(c.connect_retry_max_wait, 30);
	assert_int_equal(c.remote_cert_tls, CFG_CERT_TLS_SERVER);
	assert_int_equal(c.verify_x509.type, CFG_X509_SUBJECT);
	assert_int_equal(c.tls_version_min, TLS1_2_VERSION);
	assert_true(c.tls_version_min_or_highest);
	assert_string_equal(c.data_ciphers, "AES-256-GCM:CHACHA20-POLY1305");
	assert_string_equal(c.auth, "SHA256");
	assert_int_equal(c.auth_user_pass.source, CFG_AUP_PROMPT);
	assert_true(c.auth_nocache);
	assert_int_equal(c.ping_exit, 300);
	assert_int_equal(c.explicit_exit_notify, 1);
	assert_true(c.route_nopull);
	assert_int_equal(c.mssfix, 1400);
	assert_int_equal(c.compress, CFG_COMP_STUB_V2);
	assert_int_equal(c.allow_compression, CFG_ALLOW_COMP_ASYM);
	assert_string_equal(c.user, "nobody");
	assert_string_equal(c.log, "/var/log/b.log");
	assert_string_equal(c.status, "/p/st.txt");
	assert_int_equal(c.status_interval, 30);
	assert_string_equal(c.up, "/etc/up.sh arg");
	assert_int_equal(c.reneg_bytes, 1000000);
	assert_int_equal(c.hand_window, 30);
	assert_int_equal(parse("comp-lzo\n"), 0);
	assert_int_equal(c.compress, CFG_COMP_LZO);
	assert_int_equal(parse("comp-lzo no\n"), 0);
	assert_int_equal(c.compress, CFG_COMP_LZO_NO);
	assert_int_equal(parse("compress\n"), 0);
	assert_int_equal(c.compress, CFG_COMP_STUB);
	assert_int_equal(parse("auth-user-pass creds.txt\n"), 0);
	assert_int_equal(c.auth_user_pass.source, CFG_AUP_FILE);
	assert_string_equal(c.auth_user_pass.file.path, "/p/creds.txt");
	assert_int_equal(parse("<auth-user-pass>\nme\nsecret\n</auth-user-pass>\n"), 0);
	assert_int_equal(c.auth_user_pass.source, CFG_AUP_INLINE);
	expect_err("verb 12\n", CFG_ROLE_CLIENT, "t.ovpn:1: verb: '12' is not a number from 0 to 11");
	expect_err("dev-type tan\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: dev-type: unknown device type 'tan' \u2014 use tun or tap");
	expect_err("tls-version-min 1.4\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: tls-version-min: unknown TLS version '1.4' \u2014 use 1.2 or 1.3");
	expect_err("data-ciphers AES-256-GCM::X\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: data-ciphers: empty name in cipher list 'AES-256-GCM::X' \u2014 e.g. "
		   "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305");
}

/* x509-username-field: one subject attribute; OpenVPN's forms burrow lacks are refused. */
static void test_x509_username_field(void **state)
{
	(void)state;
	assert_int_equal(parse("x509-username-field emailAddress\n"), 0);
	assert_string_equal(c.x509_username_field, "emailAddress");
	assert_int_equal(parse("x509-username-field ou\n"), 0);	/* all-lowercase: upcased */
	assert_string_equal(c.x509_username_field, "OU");
	assert_int_equal(parse("verb 3\n"), 0);
	assert_null(c.x509_username_field);
	expect_err("x509-username-field ext:subjectAltName\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: x509-username-field: 'ext:subjectAltName': X.509 extensions are not "
		   "supported by burrow \u2014 use a subject attribute such as CN or emailAddress");
	expect_err("x509-username-field CN serialNumber\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: x509-username-field: several fields joined with '_' are not supported "
		   "by burrow \u2014 name one subject attribute, e.g. CN or emailAddress");
	expect_err("x509-username-field serialNumber\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: x509-username-field: the certificate serial number as a name is not "
		   "supported by burrow \u2014 use a subject attribute such as CN or emailAddress");
	expect_err("x509-username-field Bogus\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: x509-username-field: unknown subject attribute 'Bogus' \u2014 use a "
		   "subject attribute such as CN, emailAddress or OU");
}

static void test_server_directives(void **state)
{
	(void)state;
	assert_int_equal(parse_role("mode server\ntls-server\nserver 10.8.0.0 255.255.255.0\n"
				    "server-ipv6 fd00:8::/64\ntopology subnet\n"
				    "ifconfig-pool 10.8.0.10 10.8.0.100 255.255.255.0\n"
				    "ifconfig-ipv6-pool fd00:8::1000/64\nifconfig-pool-persist ipp.txt 0\n"
				    "push \"route 192.168.77.0 255.255.255.0\"\npush \"dhcp-option DNS 1.1.1.1\"\n"
				    "client-to-client\nduplicate-cn\nmax-clients 10\ndh none\n"
				    "client-config-dir ccd\nauth-user-pass-verify /bin/check via-file\n"
				    "verify-client-cert optional\nusername-as-common-name\ncrl-verify crl.pem\n"
				    "local 127.0.0.1\nport 1195\nstatus-version 2\n"
				    "keepalive 10 120\n", CFG_ROLE_SERVER), 0);
	assert_int_equal(c.mode, CFG_MODE_SERVER);
	assert_true(c.server.set);
	assert_string_equal(ip4(c.server.net), "10.8.0.0");
	assert_int_equal(c.server_ipv6.prefix, 64);
	assert_int_equal(c.topology, CFG_TOPO_SUBNET);
	assert_string_equal(ip4(c.ifconfig_pool.end), "10.8.0.100");
	assert_string_equal(c.pool_persist.file, "/p/ipp.txt");
	assert_int_equal(c.pool_persist.seconds, 0);
	assert_int_equal(c.push.n, 2);
	assert_string_equal(c.push.v[0], "route 192.168.77.0 255.255.255.0");
	assert_true(c.client_to_client && c.duplicate_cn && c.username_as_cn && c.dh_none);
	assert_int_equal(c.max_clients, 10);
	assert_string_equal(c.client_config_dir, "/p/ccd");
	assert_string_equal(c.auth_user_pass_verify.script, "/bin/check");
	assert_int_equal(c.auth_user_pass_verify.method, CFG_AUPV_VIA_FILE);
	assert_int_equal(c.verify_client_cert, CFG_VCC_OPTIONAL);
	assert_string_equal(c.crl.path, "/p/crl.pem");
	assert_string_equal(c.local, "127.0.0.1");
	assert_int_equal(c.status_version, 2);
	{
		/* a pushed typo is only a warning (clients decide), but it is pointed out */
		char buf[512] = { 0 };
		FILE *fp = fmemopen(buf, sizeof(buf) - 1, "w");

		assert_non_null(fp);
		log_set_stream(fp);
		log_set_timestamps(0);
		log_set_level(LOG_LVL_WARN);
		assert_int_equal(parse_role("push \"redirect-gatway def1\"\npush \"route-gateway dhcp\"\n"
					    "push \"block-outside-dns\"\n", CFG_ROLE_SERVER), 0);
		fclose(fp);
		log_set_stream(NULL);
		log_set_level(LOG_LVL_ERROR);
		assert_int_equal(c.push.n, 3);
		assert_string_equal(buf, "warning: t.ovpn:1: push: 'redirect-gatway' is not an option "
				    "clients know (a typo?)\n");
	}
	/* OpenVPN 2.7 CIDR form */
	assert_int_equal(parse_role("server 10.9.0.0/16 nopool\ntls-crypt-v2-max-age 30\n",
				    CFG_ROLE_SERVER), 0);
	assert_string_equal(ip4(c.server.net), "10.9.0.0");
	assert_string_equal(ip4(c.server.mask), "255.255.0.0");
	assert_true(c.server.nopool);
	assert_int_equal(c.tls_crypt_v2_max_age, 30);
	expect_err("server 10.8.0.0\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: server: missing netmask \u2014 e.g. server 10.8.0.0 255.255.255.0");
	expect_err("server 10.8.0.0/33\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: server: bad network '10.8.0.0/33' \u2014 e.g. server 10.8.0.0/24");
	expect_err("server 10.8.0.1/24\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: server: 10.8.0.1 is not a network address for netmask 255.255.255.0 "
		   "\u2014 clear the host bits, e.g. 10.8.0.0 255.255.255.0");
	expect_err("server 10.8.0.0/30\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: server: netmask 255.255.255.252 is too small for a server pool \u2014 "
		   "use at least a /29, e.g. 255.255.255.0");
	assert_int_equal(parse_role("dh dh.pem\n", CFG_ROLE_SERVER), 0);
	assert_false(c.dh_none);
	assert_string_equal(c.dh.path, "/p/dh.pem");
	expect_err("server 10.8.0.1 255.255.255.0\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: server: 10.8.0.1 is not a network address for netmask 255.255.255.0 "
		   "\u2014 clear the host bits, e.g. 10.8.0.0 255.255.255.0");
	expect_err("server 10.8.0.0 255.255.0.255\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: server: bad netmask '255.255.0.255' \u2014 use a contiguous netmask, "
		   "e.g. 255.255.255.0");
	expect_err("topology star\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: topology: unknown topology 'star' \u2014 use subnet, net30 or p2p");
	expect_err("push dhcp-option DNS 8.8.8.8\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: push: too many arguments (takes at most 1, got 3) \u2014 usage: push "
		   "\"OPTION ...\"");
	expect_err("auth-user-pass-verify x via-pipe\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: auth-user-pass-verify: unknown method 'via-pipe' \u2014 use via-file or via-env");
	expect_err("ifconfig-pool 10.0.0.9 10.0.0.2\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: ifconfig-pool: pool start 10.0.0.9 is after its end 10.0.0.2 \u2014 swap them");
}

static void test_roles_and_unknown(void **state)
{
	(void)state;
	expect_err("client\nserver 10.8.0.0 255.255.255.0\n", CFG_ROLE_CLIENT,
		   "t.ovpn:2: server: server-only directive in a client configuration \u2014 remove "
		   "it, or run this file with 'burrow server'");
	expect_err("client\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: client: client-only directive in a server configuration \u2014 remove "
		   "it, or run this file with 'burrow client'");
	expect_err("iroute 10.0.0.0 255.0.0.0\n", CFG_ROLE_SERVER,
		   "t.ovpn:1: iroute: only allowed in a client-config-dir file \u2014 it belongs in a "
		   "client-config-dir file");
	expect_err("persist-tunn\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: persist-tunn: unknown directive \u2014 did you mean 'persist-tun'? "
		   "(burrow help directives)");
	expect_err("verb 3\nfrobnicate 1\n", CFG_ROLE_CLIENT,
		   "t.ovpn:2: frobnicate: unknown directive \u2014 remove it, or name it in "
		   "'ignore-unknown-option' to skip it (burrow help directives lists what is known)");
	expect_err("keepalive 10\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: keepalive: missing argument (needs 2, got 1) \u2014 usage: keepalive "
		   "INTERVAL TIMEOUT");
	expect_err("nobind yes\n", CFG_ROLE_CLIENT,
		   "t.ovpn:1: nobind: too many arguments (takes at most 0, got 1) \u2014 usage: nobind ");
	/* ignore-unknown-option, setenv opt, harmless directives, a leading "--" */
	assert_int_equal(parse("ignore-unknown-option frobnicate block-outside-dns\nfrobnicate 1 2\n"
			       "setenv opt frob2 x\nsetenv opt data-ciphers AES-128-GCM\n"
			       "setenv CLIENT_CERT 0\nfast-io\nroute-method exe\nkey-method 2\n"
			       "--data-ciphers-fallback AES-256-CBC\n"), 0);
	assert_string_equal(c.data_ciphers, "AES-128-GCM");
	assert_string_equal(c.setenv.v[0].name, "CLIENT_CERT");
	assert_string_equal(c.setenv.v[0].value, "0");
	assert_int_equal(c.n_ignored, 3);
	assert_string_equal(c.data_ciphers_fallback, "AES-256-CBC");
	/* deprecated/removed options still shipped by providers parse (directives.md #14) */
	assert_int_equal(parse("keysize 256\ntun-ipv6\nncp-disable\ncomp-lzo\nmtu-disc yes\n"
			       "ncp-ciphers AES-256-GCM:AES-128-GCM\nclient-cert-not-required\n"
			       "ifconfig-pool-linear\n"), -EINVAL);	/* server-only in a client */
	assert_int_equal(parse_role("keysize 256\ntun-ipv6\nncp-disable\ncomp-lzo\nmtu-disc yes\n"
				    "ncp-ciphers AES-256-GCM:AES-128-GCM\nclient-cert-not-required\n"
				    "ifconfig-pool-linear\n", CFG_ROLE_SERVER), 0);
	assert_string_equal(c.data_ciphers, "AES-256-GCM:AES-128-GCM");
	assert_int_equal(c.verify_client_cert, CFG_VCC_NONE);
	assert_int_equal(c.compress, CFG_COMP_LZO);
	/* removed options that still guard something are mapped, not dropped */
	assert_int_equal(parse("ns-cert-type server\ntls-remote vpn.example\n"), 0);
	assert_int_equal(c.remote_cert_tls, CFG_CERT_TLS_SERVER);
	assert_string_equal(c.verify_x509.name, "vpn.example");
	/* recorded for cfg_validate() to refuse */
	assert_int_equal(parse("verb 3\nhttp-proxy proxy 8080\nproto %HOST_TUN_PROTOCOL%\n"), 0);
	assert_string_equal(c.unsupported.name, "http-proxy");
	assert_int_equal(c.unsupported.where.line, 2);
	assert_string_equal(c.placeholder.value, "%HOST_TUN_PROTOCOL%");
	assert_int_equal(c.proto, CFG_PROTO_UNSET);
}

static void test_connection_blocks(void **state)
{
	(void)state;
	assert_int_equal(parse("proto udp\n<connection>\n  remote a 1194\n  proto tcp\n"
			       "  connect-retry-max 3\n</connection>\n<connection>\nremote b\n"
			       "port 443\n</connection>\nremote c 53\n"), 0);
	assert_int_equal(c.remotes.n, 3);
	assert_int_equal(c.remotes.v[0].proto, CFG_PROTO_TCP_CLIENT);
	assert_int_equal(c.remotes.v[0].where.line, 3);
	assert_int_equal(c.remotes.v[1].port, 443);
	assert_int_equal(c.remotes.v[1].proto, CFG_PROTO_UNSET);	/* global proto at validate */
	assert_int_equal(c.remotes.v[2].port, 53);
	assert_int_equal(c.proto, CFG_PROTO_UDP);
	assert_int_equal(c.connect_retry_max, 3);
	expect_err("<connection>\nremote a\nca ca.crt\n</connection>\n", CFG_ROLE_CLIENT,
		   "t.ovpn:3: ca: not allowed inside <connection> \u2014 move it out of the "
		   "<connection> block");
	expect_err("<connection>\n<connection>\n</connection>\n</connection>\n", CFG_ROLE_CLIENT,
		   "t.ovpn:2: <connection> block is not closed \u2014 add a line </connection> after "
		   "its contents");
}

static void test_relative_paths(void **state)
{
	(void)state;
	assert_int_equal(parse("ca ca.crt\ncert sub/c.crt\nkey /abs/k.key\ntls-crypt ../tc.key\n"), 0);
	assert_string_equal(c.ca.path, "/p/ca.crt");
	assert_string_equal(c.cert.path, "/p/sub/c.crt");
	assert_string_equal(c.key.path, "/abs/k.key");
	assert_string_equal(c.tls_crypt.key.path, "/p/../tc.key");
	assert_int_equal(c.cert.where.line, 2);
	assert_string_equal(c.cert.where.file, "t.ovpn");
}

/* ---- command line ----------------------------------------------------------------- */

static void test_command_line(void **state)
{
	char *argv[] = { "--verb", "5", "--remote", "b.example", "443", "tcp", "--cipher",
			 "AES-128-GCM", "--ca", "rel/ca.crt", "--route-nopull", NULL };
	char *bad[] = { "verb", "3", NULL };
	char *bad2[] = { "--verb", "3", "--port", "70000", NULL };
	(void)state;

	assert_int_equal(parse("verb 3\ncipher AES-256-CBC\nremote a.example 1194\nca ca.crt\n"), 0);
	assert_int_equal(cfg_apply_args(11, argv, &c, &e), 0);
	assert_int_equal(c.verb, 5);
	assert_string_equal(c.cipher, "AES-128-GCM");
	assert_int_equal(c.remotes.n, 2);
	assert_string_equal(c.remotes.v[1].host, "b.example");
	assert_int_equal(c.remotes.v[1].proto, CFG_PROTO_TCP_CLIENT);
	assert_string_equal(c.ca.path, "rel/ca.crt");	/* command line: relative to the cwd */
	assert_true(c.route_nopull);
	assert_int_equal(cfg_apply_args(2, bad, &c, &e), -EINVAL);
	assert_string_equal(e.text, "<command line>:1: verb: expected a --directive, got 'verb' "
			    "\u2014 directives on the command line are written --name ARGS");
	assert_int_equal(cfg_apply_args(4, bad2, &c, &e), -EINVAL);
	assert_string_equal(e.text, "<command line>:3: port: bad port '70000' \u2014 a port is a "
			    "number from 0 to 65535");
}

/* ---- ccd --------------------------------------------------------------------------- */

static void test_ccd(void **state)
{
	static const char text[] = "# client1\nifconfig-push 10.8.0.10 255.255.255.0\n"
				   "ifconfig-ipv6-push fd00:8::10/64\niroute 192.168.4.0 255.255.255.0\n"
				   "iroute-ipv6 fd00:4::/64\npush \"route 10.9.0.0 255.255.0.0\"\n"
				   "push-reset\n";
	struct cfg_ccd d = { 0 };
	(void)state;

	assert_int_equal(cfg_ccd_parse(text, sizeof(text) - 1, "ccd/client1", &d, &e), 0);
	assert_true(d.ifconfig_push.set);
	assert_string_equal(ip4(d.ifconfig_push.local), "10.8.0.10");
	assert_true(d.ifconfig_ipv6_push.set);
	assert_int_equal(d.iroutes.n, 1);
	assert_string_equal(ip4(d.iroutes.v[0].mask), "255.255.255.0");
	assert_int_equal(d.iroutes6.n, 1);
	assert_int_equal(d.push.n, 1);
	assert_true(d.push_reset);
	assert_false(d.disable);
	cfg_ccd_free(&d);

	assert_int_equal(cfg_ccd_parse("disable\n", 8, "ccd/x", &d, &e), 0);
	assert_true(d.disable);
	cfg_ccd_free(&d);
	assert_int_equal(cfg_ccd_parse("verb 3\n", 7, "ccd/x", &d, &e), -EINVAL);
	assert_string_equal(e.text, "ccd/x:1: verb: not allowed in a client-config-dir file \u2014 "
			    "client-config-dir files take ifconfig-push, iroute, push, push-reset, disable");
	cfg_ccd_free(&d);
	assert_int_equal(cfg_ccd_parse("iroute 192.168.4.1 255.255.255.0\n", 33, "ccd/x", &d, &e),
			 -EINVAL);
	assert_string_equal(e.text, "ccd/x:1: iroute: 192.168.4.1 is not a network address \u2014 "
			    "clear the host bits");
	cfg_ccd_free(&d);
}

/* ---- help ------------------------------------------------------------------------- */

static void test_help_lists_table(void **state)
{
	char buf[65536] = { 0 };
	FILE *fp = fmemopen(buf, sizeof(buf) - 1, "w");
	(void)state;

	assert_non_null(fp);
	cfg_print_directives(fp);
	fclose(fp);
	assert_non_null(strstr(buf, "\n  remote "));
	assert_non_null(strstr(buf, "HOST [PORT [PROTO]]"));
	assert_non_null(strstr(buf, "\n  push "));
	assert_non_null(strstr(buf, "\n  fast-io "));
	assert_non_null(strstr(buf, "ignored"));
	assert_non_null(strstr(buf, "\n  iroute "));
}

/* The table is data: check it the way a linter would. */
static void test_table_is_consistent(void **state)
{
	(void)state;
	assert_true(cfg_n_options > 150);
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];

		assert_non_null(o->name);
		assert_non_null(o->parse);
		assert_non_null(o->help);
		assert_true(o->help[0] != '\0');
		assert_true(o->min_args <= o->max_args);
		assert_true(o->max_args < CFG_MAX_ARGS);
		assert_true(o->roles != 0);
		if (i > 0 && strcmp(cfg_options[i - 1].name, o->name) >= 0)
			fail_msg("table not sorted/unique at '%s'", o->name);
		assert_ptr_equal(cfg_option_find(o->name), o);
		assert_int_equal(o->parse == cfg_opt_ignored, (o->flags & CFG_F_IGNORED) != 0);
		assert_int_equal(o->parse == cfg_opt_unsupported,
				 (o->flags & CFG_F_UNSUPPORTED) != 0);
		if (o->parse == cfg_opt_int)
			assert_true(o->lo <= o->hi);
	}
	assert_null(cfg_option_find("no-such-directive"));
	assert_string_equal(cfg_option_suggest("remtoe"), "remote");
	assert_string_equal(cfg_option_suggest("tls-crypt-v3"), "tls-crypt-v2");
	assert_null(cfg_option_suggest("zzzzzzzzzzzzzzzzzzzz"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_comments, teardown),
		cmocka_unit_test_teardown(test_quotes_and_escapes, teardown),
		cmocka_unit_test_teardown(test_line_endings_and_whitespace, teardown),
		cmocka_unit_test_teardown(test_bad_bytes_and_sizes, teardown),
		cmocka_unit_test_teardown(test_inline_blocks, teardown),
		cmocka_unit_test_teardown(test_inline_errors, teardown),
		cmocka_unit_test_teardown(test_file_and_inline_last_wins, teardown),
		cmocka_unit_test_teardown(test_key_direction_forms, teardown),
		cmocka_unit_test_teardown(test_remotes_and_protos, teardown),
		cmocka_unit_test_teardown(test_last_wins_and_accumulate, teardown),
		cmocka_unit_test_teardown(test_networks, teardown),
		cmocka_unit_test_teardown(test_client_directives, teardown),
		cmocka_unit_test_teardown(test_server_directives, teardown),
		cmocka_unit_test_teardown(test_roles_and_unknown, teardown),
		cmocka_unit_test_teardown(test_connection_blocks, teardown),
		cmocka_unit_test_teardown(test_relative_paths, teardown),
		cmocka_unit_test_teardown(test_command_line, teardown),
		cmocka_unit_test_teardown(test_ccd, teardown),
		cmocka_unit_test_teardown(test_x509_username_field, teardown),
		cmocka_unit_test_teardown(test_help_lists_table, teardown),
		cmocka_unit_test(test_table_is_consistent),
	};

	log_set_level(LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
