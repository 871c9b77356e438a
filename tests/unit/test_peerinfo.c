/* proto/peerinfo: the default client text equals what 2.6.14 sends (§7.4), round trips,
 * tolerant parsing of odd lines, refusal of control characters and oversize input. */
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

static const char observed[] =
	"IV_VER=2.6.14\n"
	"IV_PLAT=linux\n"
	"IV_TCPNL=1\n"
	"IV_MTU=1600\n"
	"IV_NCP=2\n"
	"IV_CIPHERS=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\n"
	"IV_PROTO=990\n"
	"IV_LZO_STUB=1\n"
	"IV_COMP_STUB=1\n"
	"IV_COMP_STUBv2=1\n";

static void test_default_client(void **state)
{
	struct pinfo p;
	char out[512];

	(void)state;
	pinfo_default_client(&p);
	assert_int_equal(p.proto, 990);
	assert_int_equal(pinfo_build(&p, out, sizeof(out)), (int)strlen(observed));
	assert_string_equal(out, observed);
	assert_int_equal(pinfo_build(&p, out, 20), -ENOSPC);
	assert_string_equal(out, "");
}

static void test_parse_observed(void **state)
{
	struct pinfo p;

	(void)state;
	assert_int_equal(pinfo_parse(&p, observed, strlen(observed)), 0);
	assert_string_equal(p.ver, "2.6.14");
	assert_string_equal(p.plat, "linux");
	assert_int_equal(p.tcpnl, 1);
	assert_int_equal(p.mtu, 1600);
	assert_int_equal(p.ncp, 2);
	assert_string_equal(p.ciphers, PINFO_DEFAULT_CIPHERS);
	assert_int_equal(p.proto, 990);
	assert_true(p.proto & PINFO_PROTO_TLS_KEY_EXPORT);
	assert_false(p.proto & PINFO_PROTO_NCP_P2P);
	assert_int_equal(p.lzo_stub, 1);
	assert_int_equal(p.comp_stubv2, 1);
	assert_int_equal(p.lz4, -1);
	assert_string_equal(p.gui_ver, "");
	assert_int_equal(p.n_bad, 0);
	assert_int_equal(p.n_unknown, 0);
	assert_true(pinfo_has_cipher(&p, "chacha20-poly1305"));
	assert_true(pinfo_has_cipher(&p, "AES-128-GCM"));
	assert_false(pinfo_has_cipher(&p, "AES-128"));
	assert_false(pinfo_has_cipher(&p, ""));
}

static void test_round_trip_extras(void **state)
{
	struct pinfo p, q;
	char out[1024];
	int n;

	(void)state;
	pinfo_default_client(&p);
	p.proto = 8094;		/* a 2.7 client */
	p.lz4 = 1;
	snprintf(p.gui_ver, sizeof(p.gui_ver), "burrow-gui 1.0");
	snprintf(p.sso, sizeof(p.sso), "webauth,crtext");
	snprintf(p.hwaddr, sizeof(p.hwaddr), "02:00:00:00:00:01");
	snprintf(p.ssl, sizeof(p.ssl), "OpenSSL 3.0");
	snprintf(p.plat_ver, sizeof(p.plat_ver), "6.1");
	n = pinfo_build(&p, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(pinfo_parse(&q, out, (size_t)n), 0);
	assert_memory_equal(&p, &q, sizeof(p));
	assert_true(q.proto & PINFO_PROTO_DATA_EPOCH);
}

static void test_tolerant(void **state)
{
	static const char text[] =
		"IV_VER=2.5.9\r\n"
		"garbage-without-equals\n"
		"=novalue\n"
		"IV_PROTO=abc\n"
		"IV_MTU=99999999999999999999\n"
		"UV_COLOR=blue\n"
		"IV_SSO=\n"
		"\n"
		"IV_PLAT=win";		/* no final newline */
	struct pinfo p;
	char v[16];

	(void)state;
	assert_int_equal(pinfo_parse(&p, text, strlen(text)), 0);
	assert_string_equal(p.ver, "2.5.9");
	assert_string_equal(p.plat, "win");
	assert_int_equal(p.proto, -1);
	assert_int_equal(p.mtu, -1);
	assert_int_equal(p.n_bad, 4);
	assert_int_equal(p.n_unknown, 1);
	assert_int_equal(pinfo_get(text, strlen(text), "UV_COLOR", v, sizeof(v)), 0);
	assert_string_equal(v, "blue");
	assert_int_equal(pinfo_get(text, strlen(text), "IV_VER", v, sizeof(v)), 0);
	assert_string_equal(v, "2.5.9");	/* CR dropped */
	assert_int_equal(pinfo_get(text, strlen(text), "IV_PLAT", v, sizeof(v)), 0);
	assert_string_equal(v, "win");
	assert_int_equal(pinfo_get(text, strlen(text), "IV_VE", v, sizeof(v)), -ENOENT);
	assert_int_equal(pinfo_get(text, strlen(text), "UV_COLOR", v, 3), -ENOSPC);
	/* A value too long for its field is skipped, not truncated. */
	{
		char longver[80] = "IV_VER=";

		memset(longver + 7, '9', 60);
		assert_int_equal(pinfo_parse(&p, longver, strlen(longver)), 0);
		assert_string_equal(p.ver, "");
		assert_int_equal(p.n_bad, 1);
	}
}

static void test_refused(void **state)
{
	struct pinfo p;
	char *big = malloc(PINFO_MAX + 2);

	(void)state;
	assert_int_equal(pinfo_parse(&p, "IV_VER=2\0x\n", 11), -EBADMSG);
	assert_int_equal(pinfo_parse(&p, "IV_VER=\x1b[0m\n", 12), -EBADMSG);
	memset(big, 'a', PINFO_MAX + 1);
	assert_int_equal(pinfo_parse(&p, big, PINFO_MAX + 1), -EMSGSIZE);
	assert_int_equal(pinfo_parse(&p, big, PINFO_MAX), 0);
	assert_int_equal(p.n_bad, 1);
	assert_int_equal(pinfo_parse(&p, "", 0), 0);	/* a p2mp server sends nothing */
	assert_int_equal(p.proto, -1);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_client),
		cmocka_unit_test(test_parse_observed),
		cmocka_unit_test(test_round_trip_extras),
		cmocka_unit_test(test_tolerant),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
