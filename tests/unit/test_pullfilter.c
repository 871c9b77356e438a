/* proto/pullfilter: pull-filter rules over a PUSH_REPLY. First matching prefix decides, in
 * order; ignore drops the option (so the parsed push has no such route / DNS), reject fails,
 * no rule = accept; the message framing is kept. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/pullfilter.h"
#include "proto/push.h"

static const char reply[] =
	"PUSH_REPLY,route 192.168.77.0 255.255.255.0,dhcp-option DNS 10.8.0.1,"
	"route-gateway 10.8.0.1,topology subnet,ping 5,ping-restart 30,"
	"ifconfig 10.8.0.2 255.255.255.0,peer-id 0,cipher AES-256-GCM";

static void test_match_first_prefix_wins(void **state)
{
	const struct pullfilter_rule r[] = {
		{ PULLFILTER_ACCEPT, "route 10." },
		{ PULLFILTER_IGNORE, "route" },
		{ PULLFILTER_REJECT, "dhcp-option DNS 8.8." },
	};
	(void)state;

	assert_int_equal(pullfilter_match(r, 3, "route 10.1.0.0 255.255.0.0"), PULLFILTER_ACCEPT);
	assert_int_equal(pullfilter_match(r, 3, "route 192.168.1.0"), PULLFILTER_IGNORE);
	/* a prefix, not a word: "route" also covers route-gateway, as in OpenVPN */
	assert_int_equal(pullfilter_match(r, 3, "route-gateway 10.8.0.1"), PULLFILTER_IGNORE);
	assert_int_equal(pullfilter_match(r, 3, "dhcp-option DNS 8.8.8.8"), PULLFILTER_REJECT);
	assert_int_equal(pullfilter_match(r, 3, "dhcp-option DNS 10.8.0.1"), PULLFILTER_ACCEPT);
	assert_int_equal(pullfilter_match(r, 3, "  route 1.2.3.0"), PULLFILTER_IGNORE);
	assert_int_equal(pullfilter_match(r, 0, "route 1.2.3.0"), PULLFILTER_ACCEPT);
}

static void test_ignore_route_leaves_no_route(void **state)
{
	const struct pullfilter_rule r[] = { { PULLFILTER_IGNORE, "route " } };
	char out[PUSH_MSG_MAX + 1];
	struct push_opts *o = malloc(sizeof(*o));
	(void)state;

	assert_non_null(o);
	assert_int_equal(pullfilter_reply(r, 1, reply, out, sizeof(out), NULL, 0), 0);
	assert_null(strstr(out, "route 192.168.77.0"));
	assert_non_null(strstr(out, "route-gateway 10.8.0.1"));	/* "route " needs the space */
	assert_non_null(strstr(out, "PUSH_REPLY,dhcp-option DNS 10.8.0.1,"));

	/* the parsed push: everything but the route */
	push_opts_init(o);
	assert_int_equal(push_reply_parse(o, out, strlen(out)), 0);
	assert_int_equal(o->n_route4, 0);
	assert_string_equal(o->cipher, "AES-256-GCM");
	assert_int_equal(o->peer_id, 0);

	/* without the rule the route is there */
	push_opts_init(o);
	assert_int_equal(pullfilter_reply(NULL, 0, reply, out, sizeof(out), NULL, 0), 0);
	assert_string_equal(out, reply);
	assert_int_equal(push_reply_parse(o, out, strlen(out)), 0);
	assert_int_equal(o->n_route4, 1);
	free(o);
}

static void test_ignore_dns(void **state)
{
	const struct pullfilter_rule r[] = { { PULLFILTER_IGNORE, "dhcp-option DNS" } };
	char out[PUSH_MSG_MAX + 1];
	(void)state;

	assert_int_equal(pullfilter_reply(r, 1, reply, out, sizeof(out), NULL, 0), 0);
	assert_null(strstr(out, "DNS"));
	assert_non_null(strstr(out, "PUSH_REPLY,route 192.168.77.0 255.255.255.0,route-gateway"));
}

static void test_reject_fails(void **state)
{
	const struct pullfilter_rule r[] = {
		{ PULLFILTER_ACCEPT, "route 192.168.77." },
		{ PULLFILTER_REJECT, "route" },
	};
	char out[PUSH_MSG_MAX + 1], why[64] = "";
	(void)state;

	/* the accepted route passes; route-gateway hits the reject */
	assert_int_equal(pullfilter_reply(r, 2, reply, out, sizeof(out), why, sizeof(why)),
			 -EACCES);
	assert_string_equal(why, "route-gateway 10.8.0.1");
	assert_int_equal(pullfilter_reply(r, 1, reply, out, sizeof(out), why, sizeof(why)), 0);
}

static void test_framing(void **state)
{
	const struct pullfilter_rule r[] = { { PULLFILTER_IGNORE, "ping" } };
	char out[PUSH_MSG_MAX + 1], small[16];
	(void)state;

	assert_int_equal(pullfilter_reply(r, 1, "PUSH_REPLY", out, sizeof(out), NULL, 0), 0);
	assert_string_equal(out, "PUSH_REPLY");
	assert_int_equal(pullfilter_reply(r, 1, "PUSH_REPLY,ping 5,ping-restart 30", out,
					  sizeof(out), NULL, 0), 0);
	assert_string_equal(out, "PUSH_REPLY");
	assert_int_equal(pullfilter_reply(r, 1, "PUSH_REPLY,ping 5,topology subnet,", out,
					  sizeof(out), NULL, 0), 0);
	assert_string_equal(out, "PUSH_REPLY,topology subnet,");
	assert_int_equal(pullfilter_reply(r, 1, "AUTH_FAILED", out, sizeof(out), NULL, 0),
			 -EBADMSG);
	assert_int_equal(pullfilter_reply(r, 1, reply, small, sizeof(small), NULL, 0), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_first_prefix_wins),
		cmocka_unit_test(test_ignore_route_leaves_no_route),
		cmocka_unit_test(test_ignore_dns),
		cmocka_unit_test(test_reject_fails),
		cmocka_unit_test(test_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
