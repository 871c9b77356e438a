/* TAP neighbour answers: ARP request -> reply, NS -> NA with a valid checksum, and every
 * frame that is not a query for our address (or is truncated) passes through untouched. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/arp.h"

static const uint8_t our_mac[6] = { 0x02, 0xbb, 0, 0, 0, 1 };
static const uint8_t peer_mac[6] = { 0x02, 0xaa, 0, 0, 0, 2 };

static struct arp_self self_v4v6(void)
{
	struct arp_self s = { 0 };

	memcpy(s.mac, our_mac, 6);
	s.has_v4 = true;
	inet_pton(AF_INET, "10.9.0.2", &s.v4);
	s.has_v6 = true;
	inet_pton(AF_INET6, "fd00:9::2", &s.v6);
	return s;
}

static size_t arp_request(uint8_t *f, const char *target)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08; f[13] = 0x06;
	f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4; f[20] = 0; f[21] = 1;
	memcpy(f + 22, peer_mac, 6);
	inet_pton(AF_INET, "10.9.0.1", f + 28);
	memset(f + 32, 0, 6);
	inet_pton(AF_INET, target, f + 38);
	return 42;
}

static void test_arp_reply(void **state)
{
	struct arp_self s = self_v4v6();
	uint8_t f[64], out[128];
	uint8_t ip[4];

	(void)state;
	assert_int_equal(arp_answer(&s, f, arp_request(f, "10.9.0.2"), out, sizeof(out)),
			 ARP_REPLY_LEN);
	assert_memory_equal(out, peer_mac, 6);		/* to the asker */
	assert_memory_equal(out + 6, our_mac, 6);
	assert_int_equal(out[21], 2);			/* op reply */
	assert_memory_equal(out + 22, our_mac, 6);	/* sender = us */
	inet_pton(AF_INET, "10.9.0.2", ip);
	assert_memory_equal(out + 28, ip, 4);
	assert_memory_equal(out + 32, peer_mac, 6);	/* target = asker */
	inet_pton(AF_INET, "10.9.0.1", ip);
	assert_memory_equal(out + 38, ip, 4);
	/* Someone else's address, a short buffer, truncated frames: no answer. */
	assert_int_equal(arp_answer(&s, f, arp_request(f, "10.9.0.3"), out, sizeof(out)), 0);
	assert_int_equal(arp_answer(&s, f, arp_request(f, "10.9.0.2"), out, 10), -EMSGSIZE);
	for (size_t l = 0; l < 42; l++)
		assert_int_equal(arp_answer(&s, f, l, out, sizeof(out)), 0);
	s.has_v4 = false;
	assert_int_equal(arp_answer(&s, f, arp_request(f, "10.9.0.2"), out, sizeof(out)), 0);
}

static uint16_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

static size_t ns_frame(uint8_t *f, const char *target)
{
	uint8_t *ip = f + 14, *icmp = ip + 40;

	memcpy(f, (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 2 }, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x86; f[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60; ip[5] = 32; ip[6] = 58; ip[7] = 255;
	inet_pton(AF_INET6, "fd00:9::1", ip + 8);
	inet_pton(AF_INET6, "ff02::1:ff00:2", ip + 24);
	memset(icmp, 0, 32);
	icmp[0] = 135;
	inet_pton(AF_INET6, target, icmp + 8);
	icmp[24] = 1; icmp[25] = 1;
	memcpy(icmp + 26, peer_mac, 6);
	return 14 + 40 + 32;
}

static void test_nd_advert(void **state)
{
	struct arp_self s = self_v4v6();
	uint8_t f[128], out[128], want[16];
	const uint8_t *ip = out + 14, *icmp = ip + 40;
	uint32_t pseudo = 0;

	(void)state;
	assert_int_equal(arp_answer(&s, f, ns_frame(f, "fd00:9::2"), out, sizeof(out)), ARP_NA_LEN);
	assert_memory_equal(out, peer_mac, 6);
	assert_int_equal(ip[6], 58);
	assert_int_equal(ip[7], 255);
	assert_int_equal(icmp[0], 136);
	assert_int_equal(icmp[4], 0x60);		/* solicited + override */
	inet_pton(AF_INET6, "fd00:9::2", want);
	assert_memory_equal(icmp + 8, want, 16);
	assert_memory_equal(ip + 8, want, 16);		/* from our address */
	inet_pton(AF_INET6, "fd00:9::1", want);
	assert_memory_equal(ip + 24, want, 16);		/* to the asker */
	assert_memory_equal(icmp + 26, our_mac, 6);
	/* The checksum over pseudo-header + message verifies to 0xffff. */
	pseudo = sum16(ip + 8, 32, 0) + 32 + 58;
	assert_int_equal(sum16(icmp, 32, pseudo), 0xffff);
	/* Not for us / truncated / wrong hop limit: pass through. */
	assert_int_equal(arp_answer(&s, f, ns_frame(f, "fd00:9::3"), out, sizeof(out)), 0);
	for (size_t l = 0; l < 14 + 40 + 24; l++)
		assert_int_equal(arp_answer(&s, f, l, out, sizeof(out)), 0);
	ns_frame(f, "fd00:9::2");
	f[14 + 7] = 64;
	assert_int_equal(arp_answer(&s, f, 86, out, sizeof(out)), 0);
}

/* Regression (found by fuzz_arp): a truncated IPv6 frame was read past its end (the source
 * address, before the length check). Exact-size heap copies let ASan see any over-read. */
static void test_truncated_heap(void **state)
{
	struct arp_self s = self_v4v6();
	uint8_t f[128], out[128];
	size_t full = ns_frame(f, "fd00:9::2");

	(void)state;
	for (size_t l = 0; l <= full; l++) {
		uint8_t *copy = malloc(l ? l : 1);

		assert_non_null(copy);
		memcpy(copy, f, l);
		assert_int_equal(arp_answer(&s, copy, l, out, sizeof(out)), l == full ? ARP_NA_LEN : 0);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_reply),
		cmocka_unit_test(test_nd_advert),
		cmocka_unit_test(test_truncated_heap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
