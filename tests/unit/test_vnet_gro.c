/* Coalescing on the way into a TUN: segments cut by vif_vnet_split and merged again by
 * vif_gro_add must give back the same super-packet, so that cutting it once more yields the
 * very same segments (the byte-identical TCP stream, headers included); flows, gaps, flags and
 * other packets keep their order and are never merged wrongly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vif/vnet_gro.h"

#define MAXP 128

struct pkts {
	int n;
	size_t len[MAXP];
	uint8_t hdr[MAXP][VIF_VNET_HLEN];
	uint8_t *p[MAXP];
};

static void keep(struct pkts *s, const uint8_t *hdr, const uint8_t *pkt, size_t len)
{
	assert_true(s->n < MAXP);
	memset(s->hdr[s->n], 0, VIF_VNET_HLEN);
	if (hdr)
		memcpy(s->hdr[s->n], hdr, VIF_VNET_HLEN);
	s->p[s->n] = malloc(len);
	assert_non_null(s->p[s->n]);
	memcpy(s->p[s->n], pkt, len);
	s->len[s->n++] = len;
}

static void on_seg(void *arg, const uint8_t *pkt, size_t len)
{
	keep(arg, NULL, pkt, len);
}

static ssize_t on_frame(void *arg, const uint8_t *hdr, const uint8_t *pkt, size_t len)
{
	keep(arg, hdr, pkt, len);
	return (ssize_t)len;
}

static void pkts_free(struct pkts *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->p[i]);
	s->n = 0;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* vnet header + IPv4/IPv6 + TCP with a timestamp option + payload (ACK|PSH). */
static size_t make_gso(uint8_t *b, bool v6, size_t payload, unsigned mss, uint16_t sport)
{
	size_t l3 = v6 ? 40 : 20, hl = l3 + 32;
	uint8_t *ip = b + VIF_VNET_HLEN, *t = ip + l3;

	memset(b, 0, VIF_VNET_HLEN + hl);
	b[0] = VIF_VNET_F_NEEDS_CSUM;
	b[1] = v6 ? VIF_VNET_GSO_TCPV6 : VIF_VNET_GSO_TCPV4;
	b[2] = (uint8_t)hl, b[4] = (uint8_t)mss, b[5] = (uint8_t)(mss >> 8);
	b[6] = (uint8_t)l3, b[8] = 16;
	if (v6) {
		ip[0] = 0x60, ip[1] = 0x0a;
		put16(ip + 4, (unsigned)(hl - l3 + payload));
		ip[6] = 6, ip[7] = 64, ip[8] = 0xfd, ip[23] = 1, ip[24] = 0xfd, ip[39] = 2;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (unsigned)(hl + payload));
		put16(ip + 4, 4242);
		ip[6] = 0x40, ip[8] = 64, ip[9] = 6;
		memcpy(ip + 12, "\x0a\x08\x00\x01\x0a\x08\x00\x02", 8);
	}
	put16(t, sport), put16(t + 2, 40000);
	put16(t + 4, 0x7fff), put16(t + 6, 0xff00);
	put16(t + 8, 0x0bad), put16(t + 10, 0xcafe);
	t[12] = 8 << 4, t[13] = 0x18;
	put16(t + 14, 1000);
	memcpy(t + 20, "\x01\x01\x08\x0a\x11\x22\x33\x44\x55\x66\x77\x88", 12);
	for (size_t i = 0; i < payload; i++)
		ip[hl + i] = (uint8_t)(i * 31 + sport);
	return VIF_VNET_HLEN + hl + payload;
}

static uint8_t big[VIF_VNET_HLEN + 65600];

/* Split a super-packet into segs. */
static void cut(struct pkts *segs, bool v6, size_t payload, unsigned mss, uint16_t sport)
{
	size_t n = make_gso(big, v6, payload, mss, sport);

	assert_true(vif_vnet_split(big, n, on_seg, segs) > 0);
}

static void round_trip(bool v6, size_t payload, unsigned mss)
{
	struct pkts a = { 0 }, f = { 0 }, b = { 0 };
	struct vif_gro g;

	cut(&a, v6, payload, mss, 5201);
	assert_int_equal(vif_gro_init(&g, on_frame, &f), 0);
	for (int i = 0; i < a.n; i++)
		assert_int_equal(vif_gro_add(&g, a.p[i], a.len[i]), 0);
	assert_int_equal(vif_gro_flush(&g), 0);
	assert_int_equal(f.n, 1);	/* one super-packet */
	assert_int_equal(g.st.merged, (uint64_t)a.n - 1);
	if (a.n > 1) {
		assert_int_equal(f.hdr[0][0], VIF_VNET_F_NEEDS_CSUM);
		assert_int_equal(f.hdr[0][1], v6 ? VIF_VNET_GSO_TCPV6 : VIF_VNET_GSO_TCPV4);
		assert_int_equal(f.hdr[0][4] | f.hdr[0][5] << 8, mss);
	} else {
		assert_memory_equal(f.hdr[0], "\0\0\0\0\0\0\0\0\0\0", VIF_VNET_HLEN);
	}
	/* the kernel would cut it the same way: so does vif_vnet_split */
	memcpy(big, f.hdr[0], VIF_VNET_HLEN);
	memcpy(big + VIF_VNET_HLEN, f.p[0], f.len[0]);
	assert_int_equal(vif_vnet_split(big, VIF_VNET_HLEN + f.len[0], on_seg, &b), a.n);
	for (int i = 0; i < a.n; i++) {
		assert_int_equal(b.len[i], a.len[i]);
		assert_memory_equal(b.p[i], a.p[i], a.len[i]);
	}
	pkts_free(&a), pkts_free(&b), pkts_free(&f);
	vif_gro_free(&g);
}

static void test_round_trip(void **st)
{
	(void)st;
	round_trip(false, 20000, 1400);
	round_trip(false, 65535 - 52, 1448);
	round_trip(true, 30000, 1380);
	round_trip(true, 65535 - 32, 8000);
	round_trip(false, 1000, 1400);	/* one segment: written untouched */
	round_trip(false, 2801, 1400);	/* a 1-byte tail */
}

/* Output order equals input order, whatever was merged: compare the TCP streams per flow. */
static void test_flows_gaps_others(void **st)
{
	struct pkts a = { 0 }, b = { 0 }, f = { 0 };
	struct vif_gro g;
	static const uint8_t udp[28] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17 };

	(void)st;
	cut(&a, false, 5600, 1400, 1111);	/* 4 segments */
	cut(&b, false, 5600, 1400, 2222);
	assert_int_equal(vif_gro_init(&g, on_frame, &f), 0);
	/* interleaved flows: no merging, order kept */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(vif_gro_add(&g, a.p[i], a.len[i]), 0);
		assert_int_equal(vif_gro_add(&g, b.p[i], b.len[i]), 0);
	}
	vif_gro_flush(&g);
	assert_int_equal(f.n, 8);
	for (int i = 0; i < 8; i++) {
		const struct pkts *src = i & 1 ? &b : &a;
		assert_memory_equal(f.p[i], src->p[i / 2], src->len[i / 2]);
	}
	pkts_free(&f);
	/* a gap (segment 2 missing): 0+1 merged, 3 alone */
	vif_gro_add(&g, a.p[0], a.len[0]);
	vif_gro_add(&g, a.p[1], a.len[1]);
	vif_gro_add(&g, a.p[3], a.len[3]);
	vif_gro_flush(&g);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.len[0], a.len[0] + 1400);
	assert_memory_equal(f.p[1], a.p[3], a.len[3]);
	pkts_free(&f);
	/* another packet in between: the held one goes first, then it, then the rest */
	vif_gro_add(&g, a.p[0], a.len[0]);
	vif_gro_add(&g, udp, sizeof(udp));
	vif_gro_add(&g, a.p[1], a.len[1]);
	vif_gro_flush(&g);
	assert_int_equal(f.n, 3);
	assert_memory_equal(f.p[0], a.p[0], a.len[0]);
	assert_memory_equal(f.p[1], udp, sizeof(udp));
	assert_memory_equal(f.p[2], a.p[1], a.len[1]);
	pkts_free(&f);
	/* PSH ends a run at once (no flush needed); the last segment carries PSH */
	for (int i = 0; i < 4; i++)
		vif_gro_add(&g, a.p[i], a.len[i]);
	assert_int_equal(f.n, 1);
	assert_false(vif_gro_pending(&g));
	assert_int_equal(vif_gro_flush(&g), 0);
	assert_int_equal(f.n, 1);
	pkts_free(&f);
	/* a different TCP timestamp: not merged (the kernel would not either) */
	a.p[1][20 + 20 + 4] ^= 1;
	vif_gro_add(&g, a.p[0], a.len[0]);
	vif_gro_add(&g, a.p[1], a.len[1]);
	vif_gro_flush(&g);
	assert_int_equal(f.n, 2);
	pkts_free(&f), pkts_free(&a), pkts_free(&b);
	vif_gro_free(&g);
}

static void test_not_candidates(void **st)
{
	struct pkts a = { 0 }, f = { 0 };
	struct vif_gro g;
	uint8_t p[2000];

	(void)st;
	cut(&a, false, 2800, 1400, 3333);
	assert_int_equal(vif_gro_init(&g, on_frame, &f), 0);
	/* FIN, SYN, RST, URG, no ACK, a fragment, IP options, a lying length: never held */
	const struct { size_t off; uint8_t val; } bad[] = {
		{ 33, 0x11 }, { 33, 0x12 }, { 33, 0x14 }, { 33, 0x30 }, { 33, 0x08 },
		{ 6, 0x20 }, { 0, 0x46 }, { 3, 0x01 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(p, a.p[0], a.len[0]);
		p[bad[i].off] = bad[i].val;
		assert_int_equal(vif_gro_add(&g, p, a.len[0]), 0);
		assert_false(vif_gro_pending(&g));
		assert_int_equal(f.n, (int)i + 1);
		assert_memory_equal(f.p[i], p, a.len[0]);
	}
	/* every truncation of a candidate: written as is or refused, never merged or read past */
	for (size_t l = 0; l < 60; l++) {
		vif_gro_add(&g, a.p[0], l);
		assert_false(vif_gro_pending(&g));
	}
	assert_int_equal(vif_gro_add(&g, NULL, 0), -EINVAL);
	assert_int_equal(vif_gro_flush(&g), 0);
	pkts_free(&f), pkts_free(&a);
	vif_gro_free(&g);
}

static ssize_t failing(void *arg, const uint8_t *hdr, const uint8_t *pkt, size_t len)
{
	(void)arg, (void)hdr, (void)pkt, (void)len;
	return -ENETDOWN;
}

static void test_write_error(void **st)
{
	struct pkts a = { 0 };
	struct vif_gro g;

	(void)st;
	cut(&a, true, 4000, 1000, 4444);
	assert_int_equal(vif_gro_init(&g, failing, NULL), 0);
	assert_int_equal(vif_gro_add(&g, a.p[0], a.len[0]), 0);	/* held */
	assert_int_equal(vif_gro_add(&g, a.p[1], a.len[1]), 0);
	assert_int_equal(vif_gro_flush(&g), -ENETDOWN);
	assert_false(vif_gro_pending(&g));
	assert_int_equal(g.st.errors, 1);
	pkts_free(&a);
	vif_gro_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_flows_gaps_others),
		cmocka_unit_test(test_not_candidates),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
