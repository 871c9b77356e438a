#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "core/fib.h"

static const uint8_t *a4(const char *s)
{
	static uint8_t b[4][4];
	static int k;
	uint8_t *p = b[k++ % 4];

	assert_int_equal(inet_pton(AF_INET, s, p), 1);
	return p;
}

static void test_longest_prefix(void **state)
{
	struct fib f;

	(void)state;
	fib_init(&f, 300000);
	assert_int_equal(fib_add(&f, 4, a4("10.8.0.2"), 32, 1), 0);
	assert_int_equal(fib_add(&f, 4, a4("192.168.0.0"), 16, 2), 0);
	assert_int_equal(fib_add(&f, 4, a4("192.168.7.99"), 24, 3), 0);	/* host bits cleared */
	assert_int_equal(fib_lookup(&f, 4, a4("10.8.0.2")), 1);
	assert_int_equal(fib_lookup(&f, 4, a4("10.8.0.3")), FIB_NONE);
	assert_int_equal(fib_lookup(&f, 4, a4("192.168.1.1")), 2);
	assert_int_equal(fib_lookup(&f, 4, a4("192.168.7.1")), 3);
	assert_int_equal(fib_add(&f, 4, a4("192.168.7.0"), 24, 3), 0);		/* same owner: ok */
	assert_int_equal(fib_add(&f, 4, a4("192.168.7.0"), 24, 4), -EEXIST);
	assert_int_equal(fib_add(&f, 4, a4("1.2.3.4"), 33, 4), -EINVAL);
	assert_int_equal(fib_add(&f, 5, a4("1.2.3.4"), 8, 4), -EINVAL);
	fib_del_client(&f, 3);
	assert_int_equal(fib_lookup(&f, 4, a4("192.168.7.1")), 2);
	fib_free(&f);
}

static void test_route_packets(void **state)
{
	struct fib f;
	uint8_t v4[20] = { 0x45 }, v6[40] = { 0x60 }, src[16];
	struct in6_addr c6;

	(void)state;
	fib_init(&f, 1000);
	assert_int_equal(inet_pton(AF_INET6, "fd00::1000", &c6), 1);
	assert_int_equal(fib_add(&f, 6, &c6, 128, 7), 0);
	assert_int_equal(fib_add(&f, 4, a4("10.8.0.2"), 32, 5), 0);
	memcpy(v4 + 12, a4("10.8.0.9"), 4);
	memcpy(v4 + 16, a4("10.8.0.2"), 4);
	memcpy(v6 + 24, &c6, 16);
	assert_int_equal(fib_route_ip(&f, v4, sizeof(v4)), 5);
	assert_int_equal(fib_route_ip(&f, v6, sizeof(v6)), 7);
	assert_int_equal(fib_route_ip(&f, v4, 19), FIB_NONE);	/* truncated */
	assert_int_equal(fib_route_ip(&f, v6, 39), FIB_NONE);
	assert_int_equal(fib_ip_src(v4, sizeof(v4), src), 4);
	assert_memory_equal(src, a4("10.8.0.9"), 4);
	assert_int_equal(fib_ip_src(v4, 3, src), 0);
	fib_free(&f);
}

static void test_mac_learning(void **state)
{
	struct fib f;
	uint8_t m[6] = { 0x02, 1, 2, 3, 4, 5 }, bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	(void)state;
	fib_init(&f, 1000);
	assert_int_equal(fib_lookup_mac(&f, m, 0), FIB_NONE);
	assert_int_equal(fib_learn(&f, m, 9, 100), 0);
	assert_int_equal(fib_lookup_mac(&f, m, 500), 9);
	assert_int_equal(fib_lookup_mac(&f, m, 1101), FIB_NONE);	/* aged out */
	assert_int_equal(fib_learn(&f, m, 4, 2000), 0);			/* moved to another client */
	assert_int_equal(fib_lookup_mac(&f, m, 2000), 4);
	assert_int_equal(fib_learn(&f, bc, 9, 0), 0);			/* never learned */
	assert_int_equal(fib_lookup_mac(&f, bc, 0), FIB_NONE);
	/* many MACs: growth keeps every entry */
	for (uint32_t i = 0; i < 1000; i++) {
		uint8_t x[6] = { 0x02, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 1 };
		assert_int_equal(fib_learn(&f, x, i, 2000), 0);
	}
	for (uint32_t i = 0; i < 1000; i++) {
		uint8_t x[6] = { 0x02, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 1 };
		assert_int_equal(fib_lookup_mac(&f, x, 2000), i);
	}
	fib_del_client(&f, 4);
	assert_int_equal(fib_lookup_mac(&f, m, 2000), FIB_NONE);
	uint8_t x7[6] = { 0x02, 0, 0, 0, 7, 1 };
	assert_int_equal(fib_lookup_mac(&f, x7, 2000), 7);
	fib_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_route_packets),
		cmocka_unit_test(test_mac_learning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
