/* util/sanitize: OpenVPN 2.6's rules for peer-controlled names, as openvpn 2.6.14 applies
 * them (tests/netns/server_names.sh compares with the real server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/pki.h"
#include "util/sanitize.h"

/* Control bytes become '_'; commas, shell metacharacters, spaces and UTF-8 stay. */
static void test_name(void **state)
{
	char s[64] = PKI_ODD_META_TEXT;
	char all[256];

	(void)state;
	assert_int_equal(sanitize_name(s), 2);	/* the newline and the tab */
	assert_string_equal(s, "ev,il_x;$(touch /tmp/pwned)`id`|&'\"_ \xc3\xa9");
	strcpy(s, "client1");
	assert_int_equal(sanitize_name(s), 0);
	assert_string_equal(s, "client1");
	strcpy(s, "\r\x01\x1f\x7f\x80 ~");
	assert_int_equal(sanitize_name(s), 4);
	assert_string_equal(s, "____\x80 ~");
	s[0] = '\0';
	assert_int_equal(sanitize_name(s), 0);
	/* every byte value: exactly 0x01-0x1f and 0x7f change */
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	assert_int_equal(sanitize_name(all), 32);
	for (int i = 1; i < 256; i++)
		assert_int_equal((unsigned char)all[i - 1], i < 0x20 || i == 0x7f ? '_' : i);
}

/* Peer-info: IV_/UV_ keys of [A-Za-z0-9_] only; in values, non-printable, white space, '$',
 * '(' and '`' become '_' (what openvpn 2.6.14 passed for UV_X='a,b $(c)`d` e;f'). */
static void test_peer_info(void **state)
{
	static const struct {
		const char *in, *out;	/* out NULL: refused */
	} cases[] = {
		{ "IV_VER=2.6.14", "IV_VER=2.6.14" },
		{ "IV_CIPHERS=AES-256-GCM:AES-128-GCM", "IV_CIPHERS=AES-256-GCM:AES-128-GCM" },
		{ "UV_X=a,b $(c)`d` e;f", "UV_X=a,b___c)_d__e;f" },
		{ "IV_X=\t\r\x01\x7f\xc3\xa9", "IV_X=______" },
		{ "IV_EMPTY=", "IV_EMPTY=" },
		{ "IV_A=b=c", "IV_A=b=c" },
		{ "IV_=x", "IV_=x" },
		{ "XV_A=1", NULL },		/* not IV_/UV_ */
		{ "iv_a=1", NULL },
		{ "IV_A", NULL },		/* no '=' */
		{ "IV_A B=1", NULL },		/* key not [A-Za-z0-9_] */
		{ "IV_A-B=1", NULL },
		{ "IV_$(x)=1", NULL },
		{ "", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char l[64];

		snprintf(l, sizeof(l), "%s", cases[i].in);
		if (cases[i].out) {
			assert_true(sanitize_peer_info_line(l));
			assert_string_equal(l, cases[i].out);
		} else {
			assert_false(sanitize_peer_info_line(l));
			assert_string_equal(l, cases[i].in);	/* refused lines are left alone */
		}
	}
}

/* File fields: the separator and control bytes become '_'; cut, always terminated. */
static void test_field(void **state)
{
	char d[64];

	(void)state;
	assert_string_equal(sanitize_field(d, sizeof(d), "a,b\tc\nd", ','), "a_b_c_d");
	assert_string_equal(sanitize_field(d, sizeof(d), "a,b\tc", '\t'), "a,b_c");
	assert_string_equal(sanitize_field(d, sizeof(d), "", ','), "");
	assert_string_equal(sanitize_field(d, 4, "abcdef", ','), "abc");
	d[0] = 'x';
	sanitize_field(d, 0, "abc", ',');
	assert_int_equal(d[0], 'x');
	assert_true(sanitize_field_ok("client1 \xc3\xa9;$(x)", ','));
	assert_false(sanitize_field_ok("a,b", ','));
	assert_true(sanitize_field_ok("a,b", '\t'));
	assert_false(sanitize_field_ok("a\tb", ','));
	assert_false(sanitize_field_ok("a\x7f", ','));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_peer_info),
		cmocka_unit_test(test_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
