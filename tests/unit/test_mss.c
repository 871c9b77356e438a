/* mssfix: the limits OpenVPN 2.6 uses (§11: MSS 1400 for AES-GCM over UDP/IPv4, 20 less for
 * IPv6 payloads) and the rewrite of TCP SYNs, checked against checksums computed from scratch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "core/mss.h"

/* ---- reference packets ---- */

static uint32_t sum_bytes(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

/* TCP checksum of the segment at tcp (len bytes) from scratch, with the pseudo-header. */
static uint16_t tcp_csum(const uint8_t *ip, int fam, const uint8_t *tcp, size_t len)
{
	uint32_t s = 6 + (uint32_t)len;

	if (fam == AF_INET)
		s = sum_bytes(s, ip + 12, 8);
	else
		s = sum_bytes(s, ip + 8, 32);
	return fold(sum_bytes(s, tcp, len));
}

/* A TCP SYN with the given options (padded to 4 bytes) and 3 bytes of payload; the checksum
 * is correct. Returns the packet length; *tcp_off is where TCP starts. */
static size_t make_syn(uint8_t *b, int fam, const uint8_t *opt, size_t olen, uint8_t flags,
		       size_t *tcp_off)
{
	size_t ih = fam == AF_INET ? 20 : 40, oh = (olen + 3) / 4 * 4, tl = 20 + oh + 3;
	uint8_t *t = b + ih;

	memset(b, 0, ih + tl);
	if (fam == AF_INET) {
		b[0] = 0x45;
		b[2] = (uint8_t)((ih + tl) >> 8);
		b[3] = (uint8_t)(ih + tl);
		b[8] = 64;
		b[9] = 6;
		memcpy(b + 12, "\x0a\x08\x00\x02\x0a\x08\x00\x01", 8);
	} else {
		b[0] = 0x60;
		b[4] = (uint8_t)(tl >> 8);
		b[5] = (uint8_t)tl;
		b[6] = 6;
		b[7] = 64;
		b[8] = 0xfd;
		b[23] = 2;
		b[24] = 0xfd;
		b[39] = 1;
	}
	t[0] = 0xc3, t[1] = 0x51, t[2] = 0x14, t[3] = 0x51;	/* ports 50001 -> 5201 */
	t[4] = 0x12, t[5] = 0x34, t[6] = 0x56, t[7] = 0x78;
	t[12] = (uint8_t)((20 + oh) / 4 << 4);
	t[13] = flags;
	t[14] = 0xfa, t[15] = 0xf0;
	memcpy(t + 20, opt, olen);
	memcpy(t + 20 + oh, "abc", 3);
	uint16_t c = tcp_csum(b, fam, t, tl);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	*tcp_off = ih;
	return ih + tl;
}

static unsigned mss_at(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void check_csum(const uint8_t *b, int fam, size_t tcp, size_t len)
{
	/* a correct checksum sums (with itself) to 0 */
	assert_int_equal(tcp_csum(b, fam, b + tcp, len - tcp), 0);
}

/* ---- limits ---- */

static void test_default_limits(void **st)
{
	struct mss_tunnel t = { .mssfix = -1, .outer_family = AF_INET };

	(void)st;
	assert_int_equal(mss_max(&t, AF_INET), 1400);	/* observed with OpenVPN 2.6 */
	assert_int_equal(mss_max(&t, AF_INET6), 1380);
	t.outer_family = AF_INET6;
	assert_int_equal(mss_max(&t, AF_INET), 1380);
	t.outer_family = AF_INET;
	t.comp = true;
	assert_int_equal(mss_max(&t, AF_INET), 1399);
	t.comp = false;
	t.v1 = true;
	assert_int_equal(mss_max(&t, AF_INET), 1403);
	t.v1 = false;
	t.cipher = "CHACHA20-POLY1305";
	assert_int_equal(mss_max(&t, AF_INET), 1400);
	t.tcp = true;
	assert_int_equal(mss_max(&t, AF_INET), 1386);
}

static void test_explicit_limits(void **st)
{
	struct mss_tunnel t = { .mssfix = 1400, .outer_family = AF_INET };

	(void)st;
	/* without "mtu" the value is the size of the encrypted packet, headers excluded */
	assert_int_equal(mss_max(&t, AF_INET), 1400 - 24 - 40);
	t.mtu = true;
	assert_int_equal(mss_max(&t, AF_INET), 1400 - 28 - 24 - 40);
	t.mssfix = 0;
	assert_int_equal(mss_max(&t, AF_INET), 0);
	t.mssfix = 10;
	assert_int_equal(mss_max(&t, AF_INET), 64);	/* floor */
	/* AES-256-CBC + SHA1: 1464 - 4 hdr - 20 HMAC - 16 IV = 1424 = 89 blocks; minus packet id
	 * and the minimum padding byte: 1419-byte IP packets */
	t = (struct mss_tunnel){ .mssfix = -1, .outer_family = AF_INET, .cipher = "AES-256-CBC" };
	assert_int_equal(mss_max(&t, AF_INET), 1419 - 40);
	t.hmac_len = 32;
	assert_int_equal(mss_max(&t, AF_INET), 1408 - 5 - 40);
	assert_int_equal(mss_max(NULL, AF_INET), 0);
}

/* ---- rewriting ---- */

static void clamp_case(int fam, const uint8_t *opt, size_t olen, size_t mss_off, unsigned from,
		       unsigned to)
{
	uint8_t b[128];
	size_t tcp, n = make_syn(b, fam, opt, olen, 0x02, &tcp);

	assert_int_equal(mss_at(b + tcp + 20 + mss_off), from);
	assert_int_equal(mss_syn_family(b, n, false), fam);
	assert_int_equal(mss_clamp(b, n, false, to), 1);
	assert_int_equal(mss_at(b + tcp + 20 + mss_off), to);
	check_csum(b, fam, tcp, n);
	assert_int_equal(mss_clamp(b, n, false, to), 0);	/* now small enough */
}

static void test_clamp_v4_v6(void **st)
{
	static const uint8_t linux_syn[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
					     1, 3, 3, 7 };
	static const uint8_t v6[] = { 2, 4, 0x05, 0xa0 };

	(void)st;
	clamp_case(AF_INET, linux_syn, sizeof(linux_syn), 2, 1460, 1400);
	clamp_case(AF_INET6, v6, sizeof(v6), 2, 1440, 1380);
}

static void test_clamp_odd_offset(void **st)
{
	/* one NOP first: the MSS value straddles two checksum words */
	static const uint8_t a[] = { 1, 2, 4, 0xff, 0xf0 };
	static const uint8_t b[] = { 1, 1, 1, 2, 4, 0x23, 0x45, 0 };
	static const uint8_t c[] = { 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 4, 0x80, 0x01 };

	(void)st;
	clamp_case(AF_INET, a, sizeof(a), 3, 0xfff0, 1400);
	clamp_case(AF_INET, b, sizeof(b), 5, 0x2345, 1234);
	clamp_case(AF_INET6, c, sizeof(c), 13, 0x8001, 1380);
	clamp_case(AF_INET6, c, sizeof(c), 13, 0x8001, 0x7fff);
}

static void test_left_alone(void **st)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t none[] = { 1, 1, 4, 2 };
	static const uint8_t after_end[] = { 0, 0, 0, 0, 2, 4, 0x05, 0xb4 };
	static const uint8_t bad_len[] = { 8, 0, 2, 4, 0x05, 0xb4 };
	static const uint8_t too_long[] = { 8, 9, 2, 4, 0x05, 0xb4 };
	uint8_t b[128], ref[128];
	size_t tcp, n;

	(void)st;
	n = make_syn(b, AF_INET, mss, sizeof(mss), 0x10, &tcp);	/* ACK, not SYN */
	memcpy(ref, b, n);
	assert_int_equal(mss_syn_family(b, n, false), 0);
	assert_int_equal(mss_clamp(b, n, false, 1000), 0);
	assert_memory_equal(b, ref, n);
	n = make_syn(b, AF_INET, mss, sizeof(mss), 0x12, &tcp);	/* SYN-ACK: yes */
	assert_int_equal(mss_clamp(b, n, false, 1000), 1);
	check_csum(b, AF_INET, tcp, n);
	n = make_syn(b, AF_INET, mss, sizeof(mss), 0x02, &tcp);
	assert_int_equal(mss_clamp(b, n, false, 1460), 0);	/* equal: nothing to do */
	assert_int_equal(mss_clamp(b, n, false, 0), 0);	/* off */
	const uint8_t *opts[] = { none, after_end, bad_len, too_long };
	const size_t lens[] = { sizeof(none), sizeof(after_end), sizeof(bad_len),
				sizeof(too_long) };
	for (size_t i = 0; i < 4; i++) {
		n = make_syn(b, AF_INET, opts[i], lens[i], 0x02, &tcp);
		memcpy(ref, b, n);
		assert_int_equal(mss_clamp(b, n, false, 500), 0);
		assert_memory_equal(b, ref, n);
	}
	/* a later fragment, UDP, and an IPv6 extension header: not touched */
	n = make_syn(b, AF_INET, mss, sizeof(mss), 0x02, &tcp);
	b[7] = 1;
	assert_int_equal(mss_clamp(b, n, false, 500), 0);
	b[7] = 0;
	b[9] = 17;
	assert_int_equal(mss_clamp(b, n, false, 500), 0);
	n = make_syn(b, AF_INET6, mss, sizeof(mss), 0x02, &tcp);
	b[6] = 0;
	assert_int_equal(mss_clamp(b, n, false, 500), 0);
	assert_int_equal(mss_clamp(NULL, 0, false, 500), 0);
	assert_int_equal(mss_syn_family(NULL, 0, false), 0);
}

/* Every truncation of a SYN (and lying length fields) is refused without reading past it. */
static void test_truncated(void **st)
{
	static const uint8_t mss[] = { 1, 1, 1, 2, 4, 0x05, 0xb4, 0 };
	uint8_t b[128];
	size_t tcp, n;

	(void)st;
	for (int fam = 0; fam < 2; fam++) {
		int f = fam ? AF_INET6 : AF_INET;

		n = make_syn(b, f, mss, sizeof(mss), 0x02, &tcp);
		for (size_t l = 0; l < n; l++)
			assert_int_equal(mss_syn_family(b, l, false), 0);
		assert_int_equal(mss_syn_family(b, n, false), f);
		/* the IP length says more than there is */
		b[f == AF_INET ? 3 : 5] += 1;
		assert_int_equal(mss_clamp(b, n, false, 500), 0);
	}
}

static void test_tap_frame(void **st)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	uint8_t b[160], ip[128];
	size_t tcp, n = make_syn(ip, AF_INET, mss, sizeof(mss), 0x02, &tcp);

	(void)st;
	memset(b, 0xaa, 12);
	b[12] = 0x08, b[13] = 0x00;
	memcpy(b + 14, ip, n);
	assert_int_equal(mss_syn_family(b, n + 14, false), 0);	/* not an IP packet */
	assert_int_equal(mss_syn_family(b, n + 14, true), AF_INET);
	assert_int_equal(mss_clamp(b, n + 14, true, 1400), 1);
	assert_int_equal(mss_at(b + 14 + tcp + 22), 1400);
	check_csum(b + 14, AF_INET, tcp, n);
	b[12] = 0x08, b[13] = 0x06;	/* ARP */
	assert_int_equal(mss_syn_family(b, n + 14, true), 0);
	assert_int_equal(mss_syn_family(b, 13, true), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_limits),
		cmocka_unit_test(test_explicit_limits),
		cmocka_unit_test(test_clamp_v4_v6),
		cmocka_unit_test(test_clamp_odd_offset),
		cmocka_unit_test(test_left_alone),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_tap_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
