#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

/* A unicast, locally administered MAC numbered i. */
static const uint8_t *mk(uint32_t i)
{
	static uint8_t b[4][6];
	static int k;
	uint8_t *p = b[k++ % 4];

	p[0] = 0x02;
	p[1] = 0x42;
	p[2] = (uint8_t)(i >> 24);
	p[3] = (uint8_t)(i >> 16);
	p[4] = (uint8_t)(i >> 8);
	p[5] = (uint8_t)i;
	return p;
}

/* The table's structure: at most half full, n_macs right, every entry reachable from its home
 * slot without crossing an empty slot, per-client counts equal to the entries owned. */
static void check_table(const struct fib *f)
{
	size_t used = 0, mask = f->cap_macs - 1, owners = 0;

	if (!f->cap_macs) {
		assert_int_equal(f->n_macs, 0);
		return;
	}
	assert_true(f->n_macs * 2 <= f->cap_macs);
	for (size_t j = 0; j < f->cap_macs; j++) {
		const struct fib_mac *e = &f->macs[j];
		size_t n = 0;

		if (!e->used)
			continue;
		used++;
		for (size_t i = e->hash & mask; i != j; i = (i + 1) & mask)
			assert_true(f->macs[i].used);
		for (size_t i = 0; i < f->cap_macs; i++)
			n += f->macs[i].used && f->macs[i].client == e->client;
		for (size_t i = 0; i < f->cap_counts; i++)
			if (f->counts[i].n && f->counts[i].client == e->client)
				assert_int_equal(f->counts[i].n, n);
	}
	assert_int_equal(used, f->n_macs);
	for (size_t i = 0; i < f->cap_counts; i++)
		owners += f->counts[i].n;
	assert_int_equal(owners, used);
}

static void test_mac_defaults(void **state)
{
	struct fib f;

	(void)state;
	assert_int_equal(fib_init(&f, 300000), 0);
	assert_non_null(f.sip);
	assert_int_equal(f.mac_max_client, FIB_MAC_MAX_CLIENT);
	assert_int_equal(f.mac_max_total, FIB_MAC_MAX_TOTAL);
	/* the default per-client limit */
	for (uint32_t i = 0; i < FIB_MAC_MAX_CLIENT + 44; i++)
		assert_int_equal(fib_learn(&f, mk(i), 1, 10), i < FIB_MAC_MAX_CLIENT ? 0 : -ENOSPC);
	assert_int_equal(f.learn_refused_client, 44);
	assert_int_equal(fib_lookup_mac(&f, mk(FIB_MAC_MAX_CLIENT - 1), 10), 1);
	assert_int_equal(fib_lookup_mac(&f, mk(FIB_MAC_MAX_CLIENT), 10), FIB_NONE);
	check_table(&f);
	fib_free(&f);
}

static void test_mac_client_limit(void **state)
{
	struct fib f;

	(void)state;
	fib_init(&f, 1000);
	f.mac_max_client = 4;
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(fib_learn(&f, mk(i), 1, 0), 0);
	assert_int_equal(fib_learn(&f, mk(4), 1, 0), -ENOSPC);
	assert_int_equal(fib_learn(&f, mk(5), 1, 10), -ENOSPC);
	assert_int_equal(f.learn_refused_client, 2);
	assert_int_equal(f.learn_refused_full, 0);
	assert_int_equal(fib_lookup_mac(&f, mk(4), 10), FIB_NONE);	/* unknown: flooded */
	assert_int_equal(fib_learn(&f, mk(2), 1, 10), 0);		/* refresh: not new */
	assert_int_equal(fib_learn(&f, mk(4), 2, 10), 0);		/* another client */
	assert_int_equal(fib_lookup_mac(&f, mk(4), 10), 2);
	assert_int_equal(f.learn_refused_client, 2);
	/* disconnecting frees the client's share */
	fib_del_client(&f, 1);
	assert_int_equal(fib_lookup_mac(&f, mk(0), 10), FIB_NONE);
	assert_int_equal(fib_learn(&f, mk(10), 1, 10), 0);
	check_table(&f);
	fib_free(&f);
}

static void test_mac_total_limit(void **state)
{
	struct fib f;

	(void)state;
	fib_init(&f, 1000);
	f.mac_max_total = 10;
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(fib_learn(&f, mk(i), i % 3, 0), 0);
	assert_int_equal(fib_learn(&f, mk(10), 7, 5), -ENOSPC);
	assert_int_equal(f.learn_refused_full, 1);
	assert_int_equal(f.learn_refused_client, 0);
	assert_int_equal(fib_learn(&f, mk(3), 0, 5), 0);		/* refresh needs no room */
	assert_int_equal(f.n_macs, 10);
	fib_del_client(&f, 1);						/* 1, 4, 7 */
	assert_int_equal(f.n_macs, 7);
	for (uint32_t i = 10; i < 13; i++)
		assert_int_equal(fib_learn(&f, mk(i), 7, 5), 0);
	assert_int_equal(fib_learn(&f, mk(13), 7, 5), -ENOSPC);
	assert_int_equal(f.learn_refused_full, 2);
	for (uint32_t i = 0; i < 13; i++)
		assert_int_equal(fib_lookup_mac(&f, mk(i), 5), i < 10 ? (i % 3 == 1 ? FIB_NONE : i % 3) : 7);
	check_table(&f);
	fib_free(&f);
}

static void test_mac_ageing_reclaim(void **state)
{
	struct fib f;

	(void)state;
	fib_init(&f, 1000);
	f.mac_max_client = 4;
	f.mac_max_total = 8;
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(fib_learn(&f, mk(i), 1, 0), 0);
	assert_int_equal(fib_learn(&f, mk(0), 1, 600), 0);		/* mk(0) refreshed */
	assert_int_equal(fib_learn(&f, mk(4), 1, 1000), -ENOSPC);	/* none expired yet */
	assert_int_equal(fib_lookup_mac(&f, mk(1), 1000), 1);		/* age 1000: still live */
	assert_int_equal(fib_lookup_mac(&f, mk(1), 1001), FIB_NONE);	/* expired: absent */
	/* at the limit with expired entries: they are reclaimed, the new MAC learned */
	assert_int_equal(fib_learn(&f, mk(4), 1, 1001), 0);
	assert_int_equal(f.learn_refused_client, 1);
	assert_int_equal(f.n_macs, 2);					/* mk(0), mk(4) */
	assert_int_equal(fib_lookup_mac(&f, mk(0), 1001), 1);
	assert_int_equal(fib_lookup_mac(&f, mk(4), 1001), 1);
	check_table(&f);
	/* the total limit: a full table of live entries refuses, of expired ones reclaims */
	for (uint32_t i = 10; i < 16; i++)
		assert_int_equal(fib_learn(&f, mk(i), 2 + i % 2, 1500), 0);
	assert_int_equal(f.n_macs, 8);
	assert_int_equal(fib_learn(&f, mk(20), 5, 1600), -ENOSPC);	/* mk(0) lives to 1600 */
	assert_int_equal(f.learn_refused_full, 1);
	assert_int_equal(fib_learn(&f, mk(20), 5, 2002), 0);		/* mk(0), mk(4) expired */
	assert_int_equal(fib_lookup_mac(&f, mk(20), 2002), 5);
	assert_int_equal(fib_lookup_mac(&f, mk(15), 2002), 3);
	check_table(&f);
	/* everything expired: any client learns again, its old count forgotten */
	for (uint32_t i = 30; i < 34; i++)
		assert_int_equal(fib_learn(&f, mk(i), 2, 9000), 0);
	assert_int_equal(fib_learn(&f, mk(34), 2, 9000), -ENOSPC);
	assert_int_equal(f.n_macs, 4);
	check_table(&f);
	fib_free(&f);
}

static void test_mac_takeover(void **state)
{
	struct fib f;
	const uint8_t *m = mk(77);

	(void)state;
	fib_init(&f, 1000);
	assert_int_equal(fib_learn(&f, m, 1, 0), 0);
	assert_int_equal(fib_learn(&f, m, 2, 500), -EEXIST);		/* owned by 1, live */
	assert_int_equal(f.takeover_refused, 1);
	assert_int_equal(fib_lookup_mac(&f, m, 500), 1);
	assert_int_equal(fib_learn(&f, m, 1, 900), 0);			/* owner refreshes */
	assert_int_equal(fib_learn(&f, m, 2, 1500), -EEXIST);		/* 600 ms since refresh */
	assert_int_equal(fib_learn(&f, m, 2, 1900), -EEXIST);
	assert_int_equal(f.takeover_refused, 3);
	assert_int_equal(fib_lookup_mac(&f, m, 1900), 1);
	assert_int_equal(fib_learn(&f, m, 2, 1901), 0);			/* aged out: 2 may have it */
	assert_int_equal(fib_lookup_mac(&f, m, 1901), 2);
	assert_int_equal(fib_learn(&f, m, 1, 1902), -EEXIST);		/* and now 1 may not */
	assert_int_equal(f.takeover_refused, 4);
	assert_int_equal(f.n_macs, 1);
	check_table(&f);
	/* the takeover moved the entry's count: client 1 owns nothing, client 2 one MAC */
	f.mac_max_client = 1;
	assert_int_equal(fib_learn(&f, mk(78), 1, 1902), 0);
	assert_int_equal(fib_learn(&f, mk(79), 2, 1902), -ENOSPC);
	check_table(&f);
	fib_free(&f);
}

/* Dense tables (just under half full, so long probe runs) lose one client's entries: the rest
 * stay findable, which tombstone-free deletion gets wrong if it breaks a probe run. */
static void test_mac_del_keeps_chains(void **state)
{
	(void)state;
	for (uint32_t round = 0; round < 40; round++) {
		struct fib f;
		size_t displaced = 0;
		uint32_t n = 63, gone = round % 3;

		fib_init(&f, 100000);	/* a fresh random key each round */
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(fib_learn(&f, mk(round * 1000 + i), i % 3, 1), 0);
		assert_int_equal(f.cap_macs, 128);
		for (size_t j = 0; j < f.cap_macs; j++)
			displaced += f.macs[j].used && (f.macs[j].hash & (f.cap_macs - 1)) != j;
		assert_true(displaced > 0);	/* collisions happened: runs to keep intact */
		check_table(&f);
		fib_del_client(&f, gone);
		check_table(&f);
		assert_int_equal(f.n_macs, n - n / 3);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(fib_lookup_mac(&f, mk(round * 1000 + i), 1),
					 i % 3 == gone ? FIB_NONE : i % 3);
		/* and once more after relearning into the holes */
		for (uint32_t i = 0; i < n; i += 3)
			assert_int_equal(fib_learn(&f, mk(round * 1000 + 500 + i), gone, 2), 0);
		fib_del_client(&f, (gone + 1) % 3);
		check_table(&f);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(fib_lookup_mac(&f, mk(round * 1000 + i), 2),
					 i % 3 == (gone + 2) % 3 ? (gone + 2) % 3 : FIB_NONE);
		fib_free(&f);
	}
}

/* The naive reference: one slot per MAC of a small universe. Expired entries are absent;
 * the limits count live entries only. */
#define M_MACS 48
#define M_AGE 50

struct model {
	bool used[M_MACS];
	uint32_t client[M_MACS];
	uint64_t seen[M_MACS];
	uint64_t refused_client, refused_full, takeover;
	size_t max_client, max_total;
};

static bool m_live(const struct model *m, int i, uint64_t now)
{
	return m->used[i] && now - m->seen[i] <= M_AGE;
}

static int m_learn(struct model *m, int i, uint32_t c, uint64_t now)
{
	size_t mine = 0, all = 0;

	if (m_live(m, i, now)) {
		if (m->client[i] != c) {
			m->takeover++;
			return -EEXIST;
		}
		m->seen[i] = now;
		return 0;
	}
	for (int j = 0; j < M_MACS; j++) {
		all += m_live(m, j, now);
		mine += m_live(m, j, now) && m->client[j] == c;
	}
	if (mine >= m->max_client) {
		m->refused_client++;
		return -ENOSPC;
	}
	if (all >= m->max_total) {
		m->refused_full++;
		return -ENOSPC;
	}
	m->used[i] = true;
	m->client[i] = c;
	m->seen[i] = now;
	return 0;
}

static void test_mac_model(void **state)
{
	struct fib f;
	struct model m = { .max_client = 6, .max_total = 20 };
	uint64_t now = 1;
	uint32_t seed = 12345;

	(void)state;
	fib_init(&f, M_AGE);
	f.mac_max_client = m.max_client;
	f.mac_max_total = m.max_total;
	for (int step = 0; step < 30000; step++) {
		uint32_t r, c;
		int i;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		i = (int)(r % M_MACS);
		c = (r >> 6) % 7;
		now += (r >> 9) % 4 == 0 ? (r >> 11) % 13 : 0;
		if ((r >> 16) % 100 < 3) {
			fib_del_client(&f, c);
			for (int j = 0; j < M_MACS; j++)
				if (m.client[j] == c)
					m.used[j] = false;
		} else if ((r >> 16) % 100 < 70) {
			assert_int_equal(fib_learn(&f, mk((uint32_t)i), c, now), m_learn(&m, i, c, now));
		}
		assert_int_equal(fib_lookup_mac(&f, mk((uint32_t)i), now),
				 m_live(&m, i, now) ? m.client[i] : FIB_NONE);
		if (step % 97 == 0) {
			for (int j = 0; j < M_MACS; j++)
				assert_int_equal(fib_lookup_mac(&f, mk((uint32_t)j), now),
						 m_live(&m, j, now) ? m.client[j] : FIB_NONE);
			check_table(&f);
		}
		assert_int_equal(f.learn_refused_client, m.refused_client);
		assert_int_equal(f.learn_refused_full, m.refused_full);
		assert_int_equal(f.takeover_refused, m.takeover);
	}
	/* the run exercised every path */
	assert_true(m.refused_client > 100 && m.refused_full > 100 && m.takeover > 100);
	fib_free(&f);
}

static double ns_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e9 + (double)(b.tv_nsec - a->tv_nsec);
}

/* Not a pass/fail check: the cost of a lookup (one keyed SipHash through EVP_MAC and a probe)
 * and of a learn that refreshes, printed for the record. */
static void test_mac_cost(void **state)
{
	struct fib f;
	struct timespec a;
	uint32_t hits = 0, n = 200000;
	double t;

	(void)state;
	fib_init(&f, 300000);
	for (uint32_t i = 0; i < 1000; i++)
		fib_learn(&f, mk(i), i % 64, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (uint32_t i = 0; i < n; i++)
		hits += fib_lookup_mac(&f, mk(i % 2000), 1) != FIB_NONE;
	t = ns_since(&a) / n;
	assert_int_equal(hits, n / 2);
	printf("# fib_lookup_mac: %.0f ns per lookup (1000 MACs, half hits)\n", t);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(fib_learn(&f, mk(i % 1000), i % 1000 % 64, 2), 0);
	printf("# fib_learn, refresh, another MAC each time: %.0f ns\n", ns_since(&a) / n);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(fib_learn(&f, mk(i / 64 % 1000), i / 64 % 1000 % 64, 3), 0);
	printf("# fib_learn, refresh, bursts of 64 frames from one MAC: %.0f ns\n", ns_since(&a) / n);
	fib_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_route_packets),
		cmocka_unit_test(test_mac_learning),
		cmocka_unit_test(test_mac_defaults),
		cmocka_unit_test(test_mac_client_limit),
		cmocka_unit_test(test_mac_total_limit),
		cmocka_unit_test(test_mac_ageing_reclaim),
		cmocka_unit_test(test_mac_takeover),
		cmocka_unit_test(test_mac_del_keeps_chains),
		cmocka_unit_test(test_mac_model),
		cmocka_unit_test(test_mac_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
