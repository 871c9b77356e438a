/* Ping / OCC / exit payloads: magic bytes from §9.7/§9.8, classification edges. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/dpkt.h"

static const uint8_t ping[16] = { 0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
				  0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48 };
static const uint8_t occ[16] = { 0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81,
				 0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c };

static void test_ping(void **s)
{
	(void)s;
	uint8_t buf[32];
	struct dpkt_info i;

	assert_int_equal(dpkt_build_ping(buf, sizeof(buf)), 16);
	assert_memory_equal(buf, ping, 16);
	assert_int_equal(dpkt_classify(buf, 16, &i), DPKT_PING);
	assert_int_equal(i.kind, DPKT_PING);
	/* longer than the magic: tunnel data, not a ping */
	buf[16] = 0;
	assert_int_equal(dpkt_classify(buf, 17, &i), DPKT_DATA);
	assert_int_equal(dpkt_classify(buf, 15, NULL), DPKT_DATA);
	buf[15] ^= 1;
	assert_int_equal(dpkt_classify(buf, 16, NULL), DPKT_DATA);
	assert_int_equal(dpkt_build_ping(buf, 15), -ENOSPC);
}

static void test_ip_is_data(void **s)
{
	(void)s;
	const uint8_t ip4[20] = { 0x45, 0, 0, 20 };

	assert_int_equal(dpkt_classify(ip4, sizeof(ip4), NULL), DPKT_DATA);
	assert_int_equal(dpkt_classify(ip4, 1, NULL), DPKT_DATA);
	assert_int_equal(dpkt_classify(NULL, 0, NULL), DPKT_DATA);
}

static void test_occ_exit(void **s)
{
	(void)s;
	uint8_t buf[32];
	struct dpkt_info i;

	assert_int_equal(dpkt_build_occ_exit(buf, sizeof(buf)), 17);
	assert_memory_equal(buf, occ, 16);
	assert_int_equal(buf[16], 6);
	assert_int_equal(dpkt_classify(buf, 17, &i), DPKT_OCC);
	assert_int_equal(i.occ_op, DPKT_OCC_EXIT);
	assert_int_equal(dpkt_build_occ_exit(buf, 16), -ENOSPC);
	/* magic alone: missing opcode */
	assert_int_equal(dpkt_classify(buf, 16, &i), -EBADMSG);
}

static void test_occ_request_reply(void **s)
{
	(void)s;
	uint8_t buf[200];
	struct dpkt_info i;
	const char *opts = "V4,dev-type tun,link-mtu 1541,tun-mtu 1500";

	ssize_t n = dpkt_build_occ(DPKT_OCC_REQUEST, NULL, 0, buf, sizeof(buf));
	assert_int_equal(n, 17);
	assert_int_equal(dpkt_classify(buf, 17, &i), DPKT_OCC);
	assert_int_equal(i.occ_op, DPKT_OCC_REQUEST);

	n = dpkt_build_occ_reply(opts, buf, sizeof(buf));
	assert_int_equal(n, 17 + (ssize_t)strlen(opts) + 1);
	assert_int_equal(dpkt_classify(buf, (size_t)n, &i), DPKT_OCC);
	assert_int_equal(i.occ_op, DPKT_OCC_REPLY);
	assert_string_equal(i.occ_reply, opts);
	/* the NUL cut off: rejected rather than read past the end */
	assert_int_equal(dpkt_classify(buf, (size_t)n - 1, &i), -EBADMSG);
	assert_int_equal(dpkt_classify(buf, 17, &i), -EBADMSG);
	assert_int_equal(dpkt_build_occ_reply(opts, buf, 20), -ENOSPC);
}

static void test_occ_mtu(void **s)
{
	(void)s;
	uint8_t buf[32];
	struct dpkt_info i;

	ssize_t n = dpkt_build_occ_mtu_reply(1541, 1400, buf, sizeof(buf));
	assert_int_equal(n, 21);
	assert_memory_equal(buf + 17, "\x06\x05\x05\x78", 4);
	assert_int_equal(dpkt_classify(buf, 21, &i), DPKT_OCC);
	assert_int_equal(i.mtu_max_recv, 1541);
	assert_int_equal(i.mtu_max_sent, 1400);
	assert_int_equal(dpkt_classify(buf, 20, &i), -EBADMSG);
	const uint8_t sz[2] = { 0x05, 0xdc };
	n = dpkt_build_occ(DPKT_OCC_MTU_LOAD_REQUEST, sz, 2, buf, sizeof(buf));
	assert_int_equal(dpkt_classify(buf, (size_t)n, &i), DPKT_OCC);
	assert_int_equal(i.mtu_size, 1500);
	assert_int_equal(dpkt_classify(buf, (size_t)n - 1, &i), -EBADMSG);
	/* unknown opcode */
	n = dpkt_build_occ(7, NULL, 0, buf, sizeof(buf));
	assert_int_equal(dpkt_classify(buf, (size_t)n, &i), -EPROTONOSUPPORT);
	assert_int_equal(dpkt_build_occ(1, sz, 2, buf, 18), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_ip_is_data),
		cmocka_unit_test(test_occ_exit),
		cmocka_unit_test(test_occ_request_reply),
		cmocka_unit_test(test_occ_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
