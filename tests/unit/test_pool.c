#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/pool.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

static void test_subnet_layout(void **state)
{
	struct pool p;
	struct pool_lease l;

	(void)state;
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.0"), NULL, 0), 0);
	assert_int_equal(p.count, 252);
	assert_int_equal(pool_acquire(&p, "a", true, &l), 0);
	assert_int_equal(l.ip4, ip("10.8.0.2"));
	assert_int_equal(l.peer4, 0);
	assert_int_equal(pool_acquire(&p, "b", true, &l), 0);
	assert_int_equal(l.ip4, ip("10.8.0.3"));
	assert_int_equal(pool_in_use(&p), 2);
	pool_free(&p);
}

static void test_net30_layout(void **state)
{
	struct pool p;
	struct pool_lease l;

	(void)state;
	assert_int_equal(pool_init_server(&p, POOL_NET30, ip("10.8.0.0"), ip("255.255.255.0"), NULL, 0), 0);
	assert_int_equal(p.count, 62);
	assert_int_equal(pool_acquire(&p, "a", true, &l), 0);
	assert_int_equal(l.ip4, ip("10.8.0.6"));
	assert_int_equal(l.peer4, ip("10.8.0.5"));
	assert_int_equal(pool_acquire(&p, "b", true, &l), 0);
	assert_int_equal(l.ip4, ip("10.8.0.10"));
	pool_free(&p);
}

static void test_bad_masks(void **state)
{
	struct pool p;

	(void)state;
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.252"), NULL, 0), -EINVAL);
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.0.255.0"), NULL, 0), -EINVAL);
	assert_int_equal(pool_init_server(&p, POOL_NET30, ip("10.8.0.0"), ip("255.255.255.248"), NULL, 0), -EINVAL);
	assert_int_equal(pool_init_range(&p, ip("10.0.0.9"), ip("10.0.0.1")), -EINVAL);
}

static void test_exhaustion_and_release(void **state)
{
	struct pool p;
	struct pool_lease l;
	char cn[8];

	(void)state;
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.248"), NULL, 0), 0);
	assert_int_equal(p.count, 4);
	for (int i = 0; i < 4; i++) {
		snprintf(cn, sizeof(cn), "c%d", i);
		assert_int_equal(pool_acquire(&p, cn, true, &l), 0);
	}
	assert_int_equal(pool_acquire(&p, "late", true, &l), -ENOSPC);
	pool_release(&p, 1);
	pool_release(&p, 99);	/* out of range: ignored */
	assert_int_equal(pool_acquire(&p, "late", true, &l), 0);
	assert_int_equal(l.slot, 1);
	pool_free(&p);
}

static void test_sticky_and_duplicate_cn(void **state)
{
	struct pool p;
	struct pool_lease a, b, again;

	(void)state;
	assert_int_equal(pool_init_range(&p, ip("10.1.0.10"), ip("10.1.0.20")), 0);
	assert_int_equal(pool_acquire(&p, "alice", true, &a), 0);
	assert_int_equal(pool_acquire(&p, "bob", true, &b), 0);
	pool_release(&p, a.slot);
	assert_int_equal(pool_acquire(&p, "carol", true, &again), 0);
	assert_int_not_equal(again.slot, a.slot);	/* alice's old slot is kept for her */
	assert_int_equal(pool_acquire(&p, "alice", true, &again), 0);
	assert_int_equal(again.ip4, a.ip4);
	/* duplicate-cn: the same name twice gets two addresses */
	assert_int_equal(pool_acquire(&p, "dup", false, &a), 0);
	assert_int_equal(pool_acquire(&p, "dup", false, &b), 0);
	assert_int_not_equal(a.ip4, b.ip4);
	pool_free(&p);
}

static void test_ipv6(void **state)
{
	struct pool p;
	struct pool_lease l;
	struct in6_addr net6, want;
	char txt[64];

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "fd00:1::", &net6), 1);
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.0"), &net6, 64), 0);
	assert_int_equal(pool_acquire(&p, "a", true, &l), 0);
	assert_int_equal(pool_acquire(&p, "b", true, &l), 0);
	inet_ntop(AF_INET6, &l.ip6, txt, sizeof(txt));
	assert_int_equal(inet_pton(AF_INET6, "fd00:1::1001", &want), 1);
	assert_memory_equal(&l.ip6, &want, sizeof(want));
	pool_free(&p);
}

static void test_persist_round_trip(void **state)
{
	struct pool p, q;
	struct pool_lease l;
	char buf[512];
	unsigned skipped;
	const char *bad = "nocomma\nx,notanip\nfar,192.168.9.9\n,10.8.0.9\n";

	(void)state;
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.0"), NULL, 0), 0);
	assert_int_equal(pool_acquire(&p, "alice", true, &l), 0);
	assert_int_equal(pool_acquire(&p, "bob", true, &l), 0);
	assert_true(pool_save(&p, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "alice,10.8.0.2,\nbob,10.8.0.3,\n");	/* OpenVPN 2.6's comma */
	assert_int_equal(pool_save(&p, buf, 5), -ENOSPC);

	assert_int_equal(pool_init_server(&q, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.0"), NULL, 0), 0);
	assert_int_equal(pool_load(&q, "bob,10.8.0.3\r\nalice,10.8.0.2\n", 29, &skipped), 0);
	assert_int_equal(skipped, 0);
	assert_int_equal(pool_acquire(&q, "bob", true, &l), 0);
	assert_int_equal(l.ip4, ip("10.8.0.3"));
	assert_int_equal(pool_acquire(&q, "new", true, &l), 0);
	assert_int_equal(l.ip4, ip("10.8.0.4"));	/* persisted slots are kept for their owners */
	assert_int_equal(pool_load(&q, bad, strlen(bad), &skipped), 0);
	assert_int_equal(skipped, 4);
	pool_free(&p);
	pool_free(&q);
}

/* A name with a ',' or a line break is not written to the pool file (it could not be read
 * back as itself); the other lines stay well-formed. */
static void test_persist_odd_name(void **state)
{
	struct pool p;
	struct pool_lease l;
	char buf[256];

	(void)state;
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.0"), NULL, 0), 0);
	assert_int_equal(pool_acquire(&p, "ev,il", true, &l), 0);
	assert_int_equal(pool_acquire(&p, "a\nb", true, &l), 0);
	assert_int_equal(pool_acquire(&p, "x;$(id)`y` \xc3\xa9", true, &l), 0);
	assert_true(pool_save(&p, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "x;$(id)`y` \xc3\xa9,10.8.0.4,\n");
	pool_free(&p);
}

/* What real OpenVPN 2.6.14 wrote for the same leases with server-ipv6 fd00:8::/64. */
static void test_persist_ipv6_format(void **state)
{
	struct pool p;
	struct pool_lease l;
	struct in6_addr net6;
	char buf[512];

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "fd00:8::", &net6), 1);
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.255.0"),
					  &net6, 64), 0);
	assert_int_equal(pool_load(&p, "alice,10.8.0.4,\nbob,10.8.0.5\n", 29, &(unsigned){0}), 0);
	assert_int_equal(pool_save(&p, buf, sizeof(buf)), 54);
	assert_string_equal(buf, "alice,10.8.0.4,fd00:8::1002\nbob,10.8.0.5,fd00:8::1003\n");
	assert_int_equal(pool_acquire(&p, "bob", true, &l), 0);
	assert_int_equal(l.ip4, ip("10.8.0.5"));
	pool_free(&p);
}

/* More than 64 KiB of leases: saved whole (the buffer sized from the pool), loaded whole. */
static void test_persist_large(void **state)
{
	struct pool p, q;
	struct pool_lease l;
	unsigned skipped = 9;
	size_t cap;
	char *buf, cn[64];
	int n;

	(void)state;
	assert_int_equal(pool_init_server(&p, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.240.0"), NULL, 0), 0);
	assert_int_equal(pool_init_server(&q, POOL_SUBNET, ip("10.8.0.0"), ip("255.255.240.0"), NULL, 0), 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(cn, sizeof(cn), "a-rather-long-common-name-for-client-%05d", i);
		assert_int_equal(pool_acquire(&p, cn, true, &l), 0);
	}
	cap = pool_save_size(&p);
	buf = malloc(cap);
	assert_non_null(buf);
	n = pool_save(&p, buf, cap);
	assert_true(n > 65536 * 2);
	assert_int_equal((size_t)n, strlen(buf));
	assert_int_equal(pool_load(&q, buf, (size_t)n, &skipped), 0);
	assert_int_equal(skipped, 0);
	for (int i = 2999; i >= 0; i -= 7) {
		struct pool_lease a, b;

		snprintf(cn, sizeof(cn), "a-rather-long-common-name-for-client-%05d", i);
		assert_int_equal(pool_acquire(&q, cn, true, &b), 0);
		a.ip4 = ip("10.8.0.2") + (uint32_t)i;
		assert_int_equal(b.ip4, a.ip4);	/* the last client got its own address back */
	}
	free(buf);
	pool_free(&p);
	pool_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subnet_layout),
		cmocka_unit_test(test_net30_layout),
		cmocka_unit_test(test_bad_masks),
		cmocka_unit_test(test_exhaustion_and_release),
		cmocka_unit_test(test_sticky_and_duplicate_cn),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_persist_round_trip),
		cmocka_unit_test(test_persist_odd_name),
		cmocka_unit_test(test_persist_ipv6_format),
		cmocka_unit_test(test_persist_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
