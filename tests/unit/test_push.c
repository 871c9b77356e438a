/* proto/push: the observed 2.6.14 PUSH_REPLY parses to the expected typed fields and
 * rebuilds byte for byte; build->parse round trips; multi-part continuation; text messages
 * (AUTH_FAILED, RESTART, ...) both ways; malformed input; cipher negotiation. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/peerinfo.h"
#include "proto/push.h"

/* §8.2, one line on the wire. */
static const char observed[] =
	"PUSH_REPLY,route 192.168.77.0 255.255.255.0,dhcp-option DNS 10.8.0.1,"
	"route-gateway 10.8.0.1,topology subnet,ping 5,ping-restart 30,"
	"ifconfig 10.8.0.2 255.255.255.0,peer-id 0,cipher AES-256-GCM,"
	"protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500";

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct push_opts *new_opts(void)
{
	struct push_opts *o = malloc(sizeof(*o));

	assert_non_null(o);
	push_opts_init(o);
	return o;
}

static void test_observed_reply(void **state)
{
	struct push_opts *o = new_opts();
	struct push_parts *pp = malloc(sizeof(*pp));

	(void)state;
	assert_int_equal(push_reply_parse(o, observed, sizeof(observed)), 0);
	assert_int_equal(o->n_bad, 0);
	assert_int_equal(o->n_unknown, 0);
	assert_int_equal(o->n_route4, 1);
	assert_int_equal(o->route4[0].net.s_addr, ip("192.168.77.0"));
	assert_int_equal(o->route4[0].mask.s_addr, ip("255.255.255.0"));
	assert_false(o->route4[0].has_gw);
	assert_int_equal(o->route4[0].metric, -1);
	assert_int_equal(o->n_dhcp, 1);
	assert_string_equal(o->dhcp[0].type, "DNS");
	assert_string_equal(o->dhcp[0].value, "10.8.0.1");
	assert_true(o->has_route_gw);
	assert_int_equal(o->route_gw.s_addr, ip("10.8.0.1"));
	assert_int_equal(o->topology, PUSH_TOPO_SUBNET);
	assert_int_equal(o->ping, 5);
	assert_int_equal(o->ping_restart, 30);
	assert_true(o->has_ifconfig);
	assert_int_equal(o->ifc_local.s_addr, ip("10.8.0.2"));
	assert_int_equal(o->ifc_mask.s_addr, ip("255.255.255.0"));
	assert_int_equal(o->peer_id, 0);
	assert_string_equal(o->cipher, "AES-256-GCM");
	assert_true(o->has_proto_flags);
	assert_int_equal(o->proto_flags, PUSH_PF_CC_EXIT | PUSH_PF_TLS_EKM | PUSH_PF_DYN_TLS_CRYPT);
	assert_false(o->key_derivation_ekm);
	assert_int_equal(o->tun_mtu, 1500);
	assert_int_equal(o->continuation, 0);
	assert_false(o->has_ifconfig6);

	/* The server side rebuilds exactly what 2.6.14 sent (same order). */
	assert_int_equal(push_reply_build(o, pp), 0);
	assert_int_equal(pp->n, 1);
	assert_int_equal(pp->len[0], sizeof(observed));
	assert_string_equal(pp->part[0], observed);
	free(pp);
	free(o);
}

/* Everything we model, built then parsed back. */
static void test_round_trip_all(void **state)
{
	static const char *const opts[] = {
		"route 10.1.0.0 255.255.0.0 10.8.0.9 7",
		"route 10.2.0.0 255.255.255.0 vpn_gateway 3",
		"route 10.3.3.3",
		"route-ipv6 2001:db8:1::/48 2001:db8::1 5",
		"route-ipv6 2001:db8:2::/64",
		"dhcp-option DNS6 2001:db8::53",
		"dhcp-option DOMAIN \"corp example\"",
		"dhcp-option DISABLE-NBT",
		"dns server 1 address 10.8.0.1 [2001:db8::1]:53",
		"redirect-gateway def1 bypass-dhcp ipv6",
		"route-gateway dhcp",
		"topology net30",
		"keepalive 10 60",
		"block-ipv6",
		"compress stub-v2",
		"explicit-exit-notify 2",
		"block-outside-dns",
		"setenv opt FOO bar",
		"ifconfig-ipv6 2001:db8::1000/64 2001:db8::1",
		"ifconfig 10.8.0.6 10.8.0.5",
		"peer-id 16777214",
		"auth-token SESS_abcdef==",
		"auth-token-user YWxpY2U=",
		"cipher CHACHA20-POLY1305",
		"key-derivation tls-ekm",
		"protocol-flags cc-exit aead-epoch",
		"tun-mtu 1400",
	};
	struct push_opts *o = new_opts(), *back = new_opts();
	struct push_parts *pp = malloc(sizeof(*pp));
	struct in6_addr a6;

	(void)state;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		assert_int_equal(push_opt_apply(o, opts[i]), 0);
	assert_int_equal(o->n_route4, 3);
	assert_int_equal(o->route4[0].metric, 7);
	assert_true(o->route4[0].has_gw);
	assert_false(o->route4[1].has_gw);
	assert_int_equal(o->route4[1].metric, 3);
	assert_int_equal(o->route4[2].mask.s_addr, 0xffffffff);
	assert_int_equal(o->route6[0].bits, 48);
	assert_int_equal(o->route6[0].metric, 5);
	assert_string_equal(o->dhcp[1].value, "corp example");
	assert_string_equal(o->dhcp[2].value, "");
	assert_int_equal(o->redirect,
			 PUSH_RG_ENABLE | PUSH_RG_DEF1 | PUSH_RG_BYPASS_DHCP | PUSH_RG_IPV6);
	assert_true(o->route_gw_dhcp);
	assert_int_equal(o->ping, 10);
	assert_int_equal(o->ping_restart, 60);
	assert_int_equal(o->comp, PUSH_COMP_STUB_V2);
	assert_int_equal(o->n_unknown, 2);
	assert_string_equal(o->unknown[0], "block-outside-dns");
	assert_int_equal(o->ifc6_bits, 64);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &a6), 1);
	assert_memory_equal(&o->ifc6_remote, &a6, 16);
	assert_int_equal(o->peer_id, 0xfffffe);
	assert_int_equal(o->proto_flags, PUSH_PF_CC_EXIT | PUSH_PF_AEAD_EPOCH);

	assert_int_equal(push_reply_build(o, pp), 0);
	assert_int_equal(pp->n, 1);
	assert_int_equal(pp->len[0], strlen(pp->part[0]) + 1);
	assert_int_equal(push_reply_parse(back, pp->part[0], pp->len[0]), 0);
	assert_int_equal(back->n_bad, 0);
	back->continuation = o->continuation;
	assert_memory_equal(o, back, sizeof(*o));
	free(pp);
	free(o);
	free(back);
}

/* Many routes: several parts, each within the bundle size, continuation 2...2,1. */
static void test_continuation(void **state)
{
	struct push_opts *o = new_opts(), *back = new_opts();
	struct push_parts *pp = malloc(sizeof(*pp));
	char opt[64];
	int rc = 0;

	(void)state;
	for (int i = 0; i < PUSH_MAX_ROUTES; i++) {
		snprintf(opt, sizeof(opt), "route 10.%d.%d.0 255.255.255.0 10.8.0.1 %d", i, i, i);
		assert_int_equal(push_opt_apply(o, opt), 0);
	}
	assert_int_equal(push_opt_apply(o, "route 10.99.0.0"), -ENOSPC);	/* table full */
	assert_int_equal(push_opt_apply(o, "ifconfig 10.8.0.2 255.255.255.0"), 0);
	assert_int_equal(push_reply_build(o, pp), 0);
	assert_true(pp->n >= 3);
	for (int i = 0; i < pp->n; i++) {
		const char *end = i + 1 < pp->n ? ",push-continuation 2" : ",push-continuation 1";
		size_t len = strlen(pp->part[i]);

		assert_true(pp->len[i] <= PUSH_BUNDLE_SIZE);
		assert_int_equal(pp->len[i], len + 1);
		assert_memory_equal(pp->part[i], "PUSH_REPLY,", 11);
		assert_string_equal(pp->part[i] + len - strlen(end), end);
		rc = push_reply_parse(back, pp->part[i], pp->len[i]);
		assert_int_equal(rc, i + 1 < pp->n ? 1 : 0);
	}
	assert_int_equal(back->n_route4, PUSH_MAX_ROUTES);
	assert_int_equal(back->route4[63].metric, 63);
	assert_true(back->has_ifconfig);
	assert_int_equal(back->continuation, 1);
	free(pp);
	free(o);
	free(back);
}

static void test_malformed_reply(void **state)
{
	static const char *const bad_opts[] = {
		"route 10.0.0.300", "route 10.0.0.0 255.255.255.0 gw", "route-ipv6 2001:db8::/129",
		"ifconfig 10.8.0.2", "ifconfig 10.8.0.2 255.255.255.0 extra", "topology star",
		"peer-id 16777216", "peer-id -1", "peer-id 1x", "tun-mtu 20", "ping 99999999",
		"ping", "key-derivation prf", "redirect-gateway def2", "compress zstd",
		"cipher", "dhcp-option", "push-continuation 3", "dns bogus",
		"dhcp-option DOMAIN \"unterminated",
	};
	struct push_opts *o = new_opts();
	char big[PUSH_MSG_MAX + 16];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++)
		assert_true(push_opt_apply(o, bad_opts[i]) < 0);
	/* Bad options inside a reply are skipped and counted; the rest applies. */
	push_opts_init(o);
	assert_int_equal(push_reply_parse(o, "PUSH_REPLY,peer-id x,ping 7,topology star", 41), 0);
	assert_int_equal(o->n_bad, 2);
	assert_int_equal(o->ping, 7);
	/* Not a PUSH_REPLY, control characters, too long. */
	assert_int_equal(push_reply_parse(o, "PUSH_REPLYX", 11), -EBADMSG);
	assert_int_equal(push_reply_parse(o, "AUTH_FAILED", 11), -EBADMSG);
	assert_int_equal(push_reply_parse(o, "PUSH_REPLY,ping\x01 5", 17), -EBADMSG);
	memset(big, 'a', sizeof(big));
	memcpy(big, "PUSH_REPLY,", 11);
	assert_int_equal(push_reply_parse(o, big, sizeof(big)), -EMSGSIZE);
	/* Empty reply is valid; trailing NUL/CRLF tolerated; spaces after commas too. */
	push_opts_init(o);
	assert_int_equal(push_reply_parse(o, "PUSH_REPLY", 10), 0);
	assert_int_equal(push_reply_parse(o, "PUSH_REPLY, ping 3,, tun-mtu 1400\r\n", 36), 0);
	assert_int_equal(o->ping, 3);
	assert_int_equal(o->tun_mtu, 1400);
	assert_int_equal(o->n_bad, 0);
	free(o);
}

static void test_build_limits(void **state)
{
	struct push_opts *o = new_opts();
	struct push_parts *pp = malloc(sizeof(*pp));

	(void)state;
	/* Full tables of long options do not fit in PUSH_MAX_PARTS parts. */
	for (int i = 0; i < PUSH_MAX_ROUTES; i++)
		assert_int_equal(push_opt_apply(o, "route 255.255.255.255 255.255.255.255 "
					       "255.255.255.255 2147483647"), 0);
	for (int i = 0; i < PUSH_MAX_UNKNOWN; i++) {
		memset(o->unknown[i], 'x', PUSH_OPT_MAX);
		o->unknown[i][PUSH_OPT_MAX] = '\0';
	}
	o->n_unknown = PUSH_MAX_UNKNOWN;
	for (int i = 0; i < PUSH_MAX_DNS; i++) {
		memset(o->dns[i], 'd', PUSH_OPT_MAX);
		o->dns[i][PUSH_OPT_MAX] = '\0';
	}
	o->n_dns = PUSH_MAX_DNS;
	assert_int_equal(push_reply_build(o, pp), -E2BIG);
	/* One option over the limit. */
	push_opts_init(o);
	memset(o->cipher, 'c', sizeof(o->cipher) - 1);
	o->cipher[sizeof(o->cipher) - 1] = '\0';
	memset(o->auth_token, 't', PUSH_OPT_MAX);
	o->auth_token[PUSH_OPT_MAX] = '\0';
	assert_int_equal(push_reply_build(o, pp), -EMSGSIZE);
	free(pp);
	free(o);
}

/* ---- text messages ---- */

static enum push_msg_type parse_one(const char *text, struct push_msg *m, char *buf)
{
	size_t len = strlen(text);

	memcpy(buf, text, len + 1);
	assert_int_equal(push_msg_parse(buf, len, m), 0);
	return m->type;
}

static void test_messages(void **state)
{
	struct push_msg m;
	char buf[256];

	(void)state;
	assert_int_equal(parse_one("PUSH_REQUEST", &m, buf), PUSH_MSG_REQUEST);
	assert_string_equal(m.arg, "");
	assert_int_equal(parse_one("EXIT\r\n", &m, buf), PUSH_MSG_EXIT);
	assert_string_equal(m.text, "EXIT");
	assert_int_equal(parse_one("AUTH_FAILED", &m, buf), PUSH_MSG_AUTH_FAILED);
	assert_string_equal(m.reason, "");
	assert_int_equal(parse_one("AUTH_FAILED,bad password", &m, buf), PUSH_MSG_AUTH_FAILED);
	assert_string_equal(m.reason, "bad password");
	assert_false(m.af_temp);
	assert_int_equal(parse_one("AUTH_FAILED,SESSION:token expired", &m, buf),
			 PUSH_MSG_AUTH_FAILED);
	assert_true(m.af_session);
	assert_string_equal(m.reason, "token expired");
	assert_int_equal(parse_one("AUTH_FAILED,TEMP[backoff 30,advance addr]:try later", &m,
				   buf), PUSH_MSG_AUTH_FAILED);
	assert_true(m.af_temp);
	assert_int_equal(m.af_backoff, 30);
	assert_string_equal(m.reason, "try later");
	assert_int_equal(parse_one("AUTH_PENDING,timeout 120", &m, buf), PUSH_MSG_AUTH_PENDING);
	assert_int_equal(m.pending_timeout, 120);
	assert_int_equal(parse_one("AUTH_PENDING", &m, buf), PUSH_MSG_AUTH_PENDING);
	assert_int_equal(m.pending_timeout, -1);
	assert_int_equal(parse_one("RESTART,[PN]server going down", &m, buf), PUSH_MSG_RESTART);
	assert_true(m.restart_keep_creds && m.restart_next_remote);
	assert_string_equal(m.reason, "server going down");
	assert_int_equal(parse_one("RESTART", &m, buf), PUSH_MSG_RESTART);
	assert_false(m.restart_keep_creds);
	assert_int_equal(parse_one("HALT,bye", &m, buf), PUSH_MSG_HALT);
	assert_string_equal(m.reason, "bye");
	assert_int_equal(parse_one("INFO_PRE,WEB_AUTH::https://x", &m, buf), PUSH_MSG_INFO_PRE);
	assert_string_equal(m.arg, "WEB_AUTH::https://x");
	assert_int_equal(parse_one("INFO,hello", &m, buf), PUSH_MSG_INFO);
	assert_int_equal(parse_one("CR_RESPONSE,YWJj", &m, buf), PUSH_MSG_CR_RESPONSE);
	assert_int_equal(parse_one("PUSH_REPLY,ping 1", &m, buf), PUSH_MSG_REPLY);
	assert_string_equal(m.arg, "ping 1");
	assert_int_equal(parse_one("PUSH_UPDATE,route 1.2.3.0 255.255.255.0", &m, buf),
			 PUSH_MSG_UPDATE);
	/* A name must be whole: these are unknown. */
	assert_int_equal(parse_one("EXITING", &m, buf), PUSH_MSG_UNKNOWN);
	assert_int_equal(parse_one("INFOX,1", &m, buf), PUSH_MSG_UNKNOWN);
	/* Non-printable and empty messages are refused. */
	memcpy(buf, "EXIT\x07", 6);
	assert_int_equal(push_msg_parse(buf, 5, &m), -EBADMSG);
	memcpy(buf, "\r\n", 3);
	assert_int_equal(push_msg_parse(buf, 2, &m), -EBADMSG);
}

static void test_build_messages(void **state)
{
	char out[64];
	struct push_msg m;

	(void)state;
	assert_int_equal(push_msg_build(PUSH_MSG_REQUEST, NULL, out, sizeof(out)), 13);
	assert_memory_equal(out, "PUSH_REQUEST\0", 13);
	assert_int_equal(push_msg_build(PUSH_MSG_AUTH_FAILED, "no cipher", out, sizeof(out)),
			 22);
	assert_string_equal(out, "AUTH_FAILED,no cipher");
	assert_int_equal(push_msg_parse(out, 21, &m), 0);
	assert_int_equal(m.type, PUSH_MSG_AUTH_FAILED);
	assert_string_equal(m.reason, "no cipher");
	assert_int_equal(push_msg_build(PUSH_MSG_EXIT, "", out, sizeof(out)), 5);
	assert_int_equal(push_msg_build(PUSH_MSG_RESTART, "[N]", out, sizeof(out)), 12);
	assert_int_equal(push_msg_build(PUSH_MSG_HALT, "x", out, 6), -ENOSPC);
	assert_int_equal(push_msg_build(PUSH_MSG_HALT, "a\nb", out, sizeof(out)), -EINVAL);
	assert_int_equal(push_msg_build(PUSH_MSG_UNKNOWN, NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(push_msg_build((enum push_msg_type)99, NULL, out, sizeof(out)),
			 -EINVAL);
	assert_string_equal(push_msg_name(PUSH_MSG_HALT), "HALT");
}

static void test_next_msg(void **state)
{
	static const uint8_t rec[] = "PUSH_REPLY,ping 1\0\0EXIT\0AUTH";
	const char *msg;
	size_t off = 0, len;
	uint8_t big[PUSH_MSG_MAX + 2];

	(void)state;
	assert_int_equal(push_next_msg(rec, sizeof(rec) - 1, &off, &msg, &len), 1);
	assert_int_equal(len, 17);
	assert_memory_equal(msg, "PUSH_REPLY,ping 1", 17);
	assert_int_equal(push_next_msg(rec, sizeof(rec) - 1, &off, &msg, &len), 1);
	assert_memory_equal(msg, "EXIT", 5);
	/* "AUTH" has no NUL: a command split over records. */
	assert_int_equal(push_next_msg(rec, sizeof(rec) - 1, &off, &msg, &len), -EBADMSG);
	off = 0;
	assert_int_equal(push_next_msg(rec, 18, &off, &msg, &len), 1);
	assert_int_equal(push_next_msg(rec, 18, &off, &msg, &len), 0);
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = 0;
	off = 0;
	assert_int_equal(push_next_msg(big, sizeof(big), &off, &msg, &len), -EMSGSIZE);
}

/* ---- PUSH_UPDATE (2.7) ---- */

static int upd(struct push_update *u, const char *msg)
{
	return push_update_parse(u, msg, strlen(msg));
}

static void test_push_update_observed(void **state)
{
	struct push_opts *cur = new_opts();
	struct push_update *u = malloc(sizeof(*u));
	const char *reply = "PUSH_REPLY,route 198.51.100.0 255.255.255.0,route 203.0.113.0 "
			    "255.255.255.0,dns server 0 address 10.8.0.1,ifconfig 10.8.0.2 "
			    "255.255.255.0,cipher AES-256-GCM,tun-mtu 1500,ping 10";

	(void)state;
	assert_int_equal(push_reply_parse(cur, reply, strlen(reply)), 0);
	assert_int_equal(cur->n_route4, 2);
	push_update_init(u);
	/* As captured from 2.7.6 (§A6.2), spaces after commas included. */
	assert_int_equal(upd(u, "PUSH_UPDATE,route 192.0.2.0 255.255.255.0, -dns, ?tun-mtu 1400,"
			       " ?block-outside-dns"), 0);
	assert_int_equal(u->replaced, PUSH_GRP_ROUTE | PUSH_GRP_TUN_MTU | PUSH_GRP_IGNORED);
	assert_int_equal(u->removed, PUSH_GRP_DNS);
	push_update_apply(cur, u);
	assert_int_equal(cur->n_route4, 1);
	assert_int_equal(cur->route4[0].net.s_addr, ip("192.0.2.0"));
	assert_int_equal(cur->n_dns, 0);
	assert_int_equal(cur->tun_mtu, 1400);
	/* Untouched groups keep their values. */
	assert_true(cur->has_ifconfig);
	assert_string_equal(cur->cipher, "AES-256-GCM");
	assert_int_equal(cur->ping, 10);
	free(u);
	free(cur);
}

static void test_push_update_rules(void **state)
{
	static const char *const invalid[] = {
		"PUSH_UPDATE,?-route", "PUSH_UPDATE,- dns", "PUSH_UPDATE,-? dns",
		"PUSH_UPDATE,-route 10.0.0.0", "PUSH_UPDATE,?", "PUSH_UPDATEX",
		"PUSH_REPLY,route 10.0.0.0", "PUSH_UPDATE,route\x01",
	};
	struct push_update *u = malloc(sizeof(*u));
	struct push_opts *cur = new_opts();

	(void)state;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		push_update_init(u);
		assert_int_equal(upd(u, invalid[i]), -EBADMSG);
	}
	/* Not updatable: the whole update is refused unless optional. */
	push_update_init(u);
	assert_int_equal(upd(u, "PUSH_UPDATE,tun-mtu 1400,cipher AES-128-GCM"), -EPERM);
	push_update_init(u);
	assert_int_equal(upd(u, "PUSH_UPDATE,?cipher AES-128-GCM,?ping 5,-?dns"), 0);
	assert_int_equal(u->n_skipped, 2);
	assert_int_equal(u->removed, PUSH_GRP_DNS);
	/* Empty update: no change. */
	push_update_init(u);
	assert_int_equal(upd(u, "PUSH_UPDATE"), 0);
	assert_int_equal(u->replaced | u->removed, 0);
	/* Multi-part: the group restarts once per sequence, later parts add. */
	assert_int_equal(push_opt_apply(cur, "route 10.9.0.0 255.255.0.0"), 0);
	push_update_init(u);
	assert_int_equal(upd(u, "PUSH_UPDATE,route 10.1.0.0 255.255.0.0,keepalive 5 25,"
			       "push-continuation 2"), 1);
	assert_int_equal(upd(u, "PUSH_UPDATE,route 10.2.0.0 255.255.0.0,push-continuation 1"),
			 0);
	push_update_apply(cur, u);
	assert_int_equal(cur->n_route4, 2);
	assert_int_equal(cur->route4[0].net.s_addr, ip("10.1.0.0"));
	assert_int_equal(cur->route4[1].net.s_addr, ip("10.2.0.0"));
	assert_int_equal(cur->ping, 5);
	assert_int_equal(cur->ping_restart, 25);
	free(cur);
	free(u);
}

/* ---- negotiation ---- */

static void test_pick_cipher(void **state)
{
	char out[64];
	struct pinfo pi;

	(void)state;
	assert_int_equal(push_pick_cipher("AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305",
					  "CHACHA20-POLY1305:AES-128-GCM", out, sizeof(out)), 0);
	assert_string_equal(out, "AES-128-GCM");	/* server preference wins */
	assert_int_equal(push_pick_cipher("AES-256-GCM", "aes-256-gcm", out, sizeof(out)), 0);
	assert_string_equal(out, "AES-256-GCM");
	assert_int_equal(push_pick_cipher("AES-256-GCM", "AES-256-GC:AES-256-GCMX", out,
					  sizeof(out)), -ENOENT);
	assert_int_equal(push_pick_cipher("AES-256-CBC", "", out, sizeof(out)), -ENOENT);
	assert_int_equal(push_pick_cipher("AES-256-GCM", "AES-256-GCM", out, 5), -ENOSPC);

	pinfo_init(&pi);
	assert_int_equal(push_client_ciphers(&pi, NULL, out, sizeof(out)), -ENOENT);
	assert_int_equal(push_client_ciphers(&pi, "V4,cipher BF-CBC,auth SHA1", out,
					     sizeof(out)), 0);
	assert_string_equal(out, "BF-CBC");
	pi.ncp = 2;
	assert_int_equal(push_client_ciphers(&pi, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "AES-256-GCM:AES-128-GCM");
	pinfo_default_client(&pi);
	assert_int_equal(push_client_ciphers(&pi, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, PINFO_DEFAULT_CIPHERS);
}

static void test_client_caps(void **state)
{
	struct push_opts *o = new_opts();
	struct pinfo pi;

	(void)state;
	pinfo_default_client(&pi);	/* IV_PROTO 990 */
	assert_true(push_apply_client_caps(o, &pi, 5, 1500));
	assert_int_equal(o->peer_id, 5);
	assert_int_equal(o->proto_flags, PUSH_PF_CC_EXIT | PUSH_PF_TLS_EKM | PUSH_PF_DYN_TLS_CRYPT);
	assert_false(o->key_derivation_ekm);
	assert_int_equal(o->tun_mtu, 1500);

	/* IV_PROTO=8 (EKM only): key-derivation instead of protocol-flags, no peer-id. */
	push_opts_init(o);
	pinfo_init(&pi);
	pi.proto = PINFO_PROTO_TLS_KEY_EXPORT;
	assert_true(push_apply_client_caps(o, &pi, 5, 1500));
	assert_int_equal(o->peer_id, -1);
	assert_true(o->key_derivation_ekm);
	assert_false(o->has_proto_flags);
	assert_int_equal(o->tun_mtu, -1);	/* no IV_MTU */

	/* IV_PROTO=2: legacy PRF. */
	push_opts_init(o);
	pi.proto = PINFO_PROTO_DATA_V2;
	assert_false(push_apply_client_caps(o, &pi, 0, 0));
	assert_int_equal(o->peer_id, 0);
	assert_false(o->key_derivation_ekm);
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observed_reply),
		cmocka_unit_test(test_round_trip_all),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_malformed_reply),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_build_messages),
		cmocka_unit_test(test_next_msg),
		cmocka_unit_test(test_push_update_observed),
		cmocka_unit_test(test_push_update_rules),
		cmocka_unit_test(test_pick_cipher),
		cmocka_unit_test(test_client_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
