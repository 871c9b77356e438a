/* Compression framing: stub forms both ways, LZO/LZ4 payloads compressed here with the
 * real libraries, malformed headers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <lz4.h>
#include <lzo/lzo1x.h>

#include "proto/comp.h"

static struct comp_ctx ctx;

/* An IPv4-looking packet with a compressible body. */
static size_t sample(uint8_t *p, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)("burrow says hello "[i % 18]);
	p[0] = first;
	return n;
}

static void roundtrip(enum comp_mode m, uint8_t first, const uint8_t *expect_head,
		      size_t head_len)
{
	uint8_t pkt[600], framed[700], back[700];

	assert_int_equal(comp_init(&ctx, m), 0);
	size_t n = sample(pkt, sizeof(pkt), first);
	ssize_t f = comp_frame(&ctx, pkt, n, framed, sizeof(framed));
	assert_true(f > 0);
	assert_memory_equal(framed, expect_head, head_len);
	ssize_t b = comp_unframe(&ctx, framed, (size_t)f, back, sizeof(back));
	assert_int_equal(b, (ssize_t)n);
	assert_memory_equal(back, pkt, n);
	assert_int_equal(ctx.st.framed, 1);
	assert_int_equal(ctx.st.unframed, 1);
	assert_int_equal(ctx.st.decompressed, 0);
}

static void test_none(void **s)
{
	(void)s;
	roundtrip(COMP_NONE, 0x45, (const uint8_t *)"\x45", 1);
}

static void test_lzo_stub(void **s)
{
	(void)s;
	uint8_t pkt[10], fr[20];

	roundtrip(COMP_LZO_STUB, 0x45, (const uint8_t *)"\xfa\x45", 2);
	assert_int_equal(comp_frame(&ctx, pkt, sample(pkt, 10, 0x45), fr, 20), 11);
	assert_int_equal(fr[0], 0xFA);
	assert_memory_equal(fr + 1, pkt, 10);
}

/* compress (stub v1): first byte replaced by 0xFB and appended at the end. */
static void test_swap_stub(void **s)
{
	(void)s;
	uint8_t pkt[5] = { 0x45, 1, 2, 3, 4 }, fr[8];

	roundtrip(COMP_STUB, 0x45, (const uint8_t *)"\xfb", 1);
	assert_int_equal(comp_frame(&ctx, pkt, 5, fr, sizeof(fr)), 6);
	assert_memory_equal(fr, "\xfb\x01\x02\x03\x04\x45", 6);
	/* a 1-byte packet */
	assert_int_equal(comp_frame(&ctx, pkt, 1, fr, sizeof(fr)), 2);
	assert_memory_equal(fr, "\xfb\x45", 2);
	assert_int_equal(comp_unframe(&ctx, fr, 2, pkt, sizeof(pkt)), 1);
	assert_int_equal(pkt[0], 0x45);
	assert_int_equal(comp_frame(&ctx, pkt, 0, fr, sizeof(fr)), -EINVAL);
}

static void test_stub_v2(void **s)
{
	(void)s;
	uint8_t pkt[4] = { 0x50, 9, 8, 7 }, fr[8], back[8];

	roundtrip(COMP_STUB_V2, 0x45, (const uint8_t *)"\x45", 1);
	/* 0x50 first byte gets the 2-byte escape */
	roundtrip(COMP_STUB_V2, 0x50, (const uint8_t *)"\x50\x00\x50", 3);
	/* the 2.6 escape bug (0x50 0x0A) is tolerated */
	memcpy(fr, "\x50\x0a\x50\x09\x08\x07", 6);
	assert_int_equal(comp_unframe(&ctx, fr, 6, back, sizeof(back)), 4);
	assert_memory_equal(back, pkt, 4);
}

/* In place, as the data path uses it (payload after COMP_MAX_FRAMING bytes of headroom). */
static void test_in_place(void **s)
{
	(void)s;
	uint8_t buf[64], orig[40];
	const enum comp_mode modes[] = { COMP_LZO_STUB, COMP_STUB, COMP_STUB_V2, COMP_LZ4_V2 };

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		assert_int_equal(comp_init(&ctx, modes[m]), 0);
		sample(orig, sizeof(orig), 0x50);
		memcpy(buf + COMP_MAX_FRAMING, orig, sizeof(orig));
		ssize_t f = comp_frame(&ctx, buf + COMP_MAX_FRAMING, sizeof(orig), buf,
				       sizeof(buf));
		assert_true(f > (ssize_t)sizeof(orig));
		ssize_t b = comp_unframe(&ctx, buf, (size_t)f, buf, sizeof(buf));
		assert_int_equal(b, sizeof(orig));
		assert_memory_equal(buf, orig, sizeof(orig));
	}
}

static void test_lzo_decompress(void **s)
{
	(void)s;
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
	uint8_t pkt[1000], wire[1200], back[1100];
	lzo_uint clen = 0;

	assert_int_equal(lzo_init(), LZO_E_OK);
	size_t n = sample(pkt, sizeof(pkt), 0x45);
	assert_int_equal(lzo1x_1_compress(pkt, n, wire + 1, &clen, wrk), LZO_E_OK);
	assert_true(clen < n);
	wire[0] = 0x66;
	assert_int_equal(comp_init(&ctx, COMP_LZO), 0);
	assert_int_equal(comp_unframe(&ctx, wire, clen + 1, back, sizeof(back)), (ssize_t)n);
	assert_memory_equal(back, pkt, n);
	assert_int_equal(ctx.st.decompressed, 1);
	/* output cap too small -> refused, not overrun */
	assert_int_equal(comp_unframe(&ctx, wire, clen + 1, back, n - 1), -EINVAL);
	/* corrupt stream */
	wire[clen] ^= 0xff;
	wire[clen - 1] ^= 0xff;
	assert_true(comp_unframe(&ctx, wire, clen + 1, back, sizeof(back)) < 0);
	/* a stub peer must not send compressed data */
	wire[clen] ^= 0xff;
	wire[clen - 1] ^= 0xff;
	assert_int_equal(comp_init(&ctx, COMP_LZO_STUB), 0);
	assert_int_equal(comp_unframe(&ctx, wire, clen + 1, back, sizeof(back)),
			 -EPROTONOSUPPORT);
	assert_int_equal(ctx.st.err_refused, 1);
}

static void test_lz4_v1_decompress(void **s)
{
	(void)s;
	uint8_t pkt[1000], blk[1100], wire[1200], back[1100];

	size_t n = sample(pkt, sizeof(pkt), 0x45);
	int clen = LZ4_compress_default((const char *)pkt, (char *)blk, (int)n, sizeof(blk));
	assert_true(clen > 1 && (size_t)clen < n);
	/* v1 swap: 0x69 replaces the block's first byte, which moves to the end */
	wire[0] = 0x69;
	memcpy(wire + 1, blk + 1, (size_t)clen - 1);
	wire[clen] = blk[0];
	assert_int_equal(comp_init(&ctx, COMP_LZ4), 0);
	assert_int_equal(comp_unframe(&ctx, wire, (size_t)clen + 1, back, sizeof(back)),
			 (ssize_t)n);
	assert_memory_equal(back, pkt, n);
	assert_int_equal(comp_init(&ctx, COMP_STUB), 0);
	assert_int_equal(comp_unframe(&ctx, wire, (size_t)clen + 1, back, sizeof(back)),
			 -EPROTONOSUPPORT);
}

static void test_lz4_v2_decompress(void **s)
{
	(void)s;
	uint8_t pkt[1000], wire[1200], back[1100];

	size_t n = sample(pkt, sizeof(pkt), 0x60);
	int clen = LZ4_compress_default((const char *)pkt, (char *)wire + 2, (int)n,
					sizeof(wire) - 2);
	assert_true(clen > 0);
	wire[0] = 0x50;
	wire[1] = 0x01;
	assert_int_equal(comp_init(&ctx, COMP_LZ4_V2), 0);
	assert_int_equal(comp_unframe(&ctx, wire, (size_t)clen + 2, back, sizeof(back)),
			 (ssize_t)n);
	assert_memory_equal(back, pkt, n);
	assert_int_equal(ctx.st.decompressed, 1);
	/* truncated block */
	assert_int_equal(comp_unframe(&ctx, wire, (size_t)clen, back, sizeof(back)), -EINVAL);
	/* output bigger than cap */
	assert_int_equal(comp_unframe(&ctx, wire, (size_t)clen + 2, back, 100), -EINVAL);
	assert_int_equal(ctx.st.err_decompress, 2);
	assert_int_equal(comp_init(&ctx, COMP_STUB_V2), 0);
	assert_int_equal(comp_unframe(&ctx, wire, (size_t)clen + 2, back, sizeof(back)),
			 -EPROTONOSUPPORT);
}

static void test_malformed(void **s)
{
	(void)s;
	uint8_t out[64];
	struct { enum comp_mode m; const char *in; size_t len; } bad[] = {
		{ COMP_LZO_STUB, "", 0 },
		{ COMP_LZO_STUB, "\x45\x00", 2 },		/* no framing byte */
		{ COMP_LZO_STUB, "\xfb\x45", 2 },
		{ COMP_LZO, "\x66", 1 },			/* empty LZO block */
		{ COMP_LZO, "\x66\x11\x00\x00", 4 },		/* LZO end marker only */
		{ COMP_STUB, "\xfb", 1 },
		{ COMP_STUB, "\xfa\x45", 2 },
		{ COMP_STUB, "\x45\x00\x00", 3 },
		{ COMP_LZ4, "\x69", 1 },
		{ COMP_LZ4, "\x69\xff", 2 },			/* bogus LZ4 block */
		{ COMP_STUB_V2, "\x50", 1 },
		{ COMP_STUB_V2, "\x50\x02\x45", 3 },
		{ COMP_LZ4_V2, "\x50\x01", 2 },			/* empty LZ4 block */
		{ COMP_LZ4_V2, "\x50\x01\xf0", 3 },		/* literal run past the end */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(comp_init(&ctx, bad[i].m), 0);
		ssize_t n = comp_unframe(&ctx, (const uint8_t *)bad[i].in, bad[i].len, out,
					 sizeof(out));
		if (n >= 0)
			fail_msg("case %zu accepted (%zd)", i, n);
	}
	uint8_t big[COMP_MAX_IN + 1] = { 0 };
	assert_int_equal(comp_init(&ctx, COMP_NONE), 0);
	assert_int_equal(comp_unframe(&ctx, big, sizeof(big), big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(comp_unframe(&ctx, big, 10, out, 9), -ENOSPC);
	assert_int_equal(comp_frame(&ctx, big, 10, out, 9), -ENOSPC);
	assert_int_equal(comp_init(&ctx, (enum comp_mode)99), -EINVAL);
}

static void test_mode_parse(void **s)
{
	(void)s;
	enum comp_mode m = COMP_NONE;

	assert_int_equal(comp_mode_parse("comp-lzo", "no", &m), 0);
	assert_int_equal(m, COMP_LZO_STUB);
	assert_int_equal(comp_mode_parse("comp-lzo", NULL, &m), 0);
	assert_int_equal(m, COMP_LZO);
	assert_int_equal(comp_mode_parse("compress", NULL, &m), 0);
	assert_int_equal(m, COMP_STUB);
	assert_int_equal(comp_mode_parse("compress", "stub-v2", &m), 0);
	assert_int_equal(m, COMP_STUB_V2);
	assert_int_equal(comp_mode_parse("compress", "LZ4-v2", &m), 0);
	assert_int_equal(m, COMP_LZ4_V2);
	assert_int_equal(comp_mode_parse("compress", "lzo", &m), -ENOTSUP);
	assert_int_equal(comp_mode_parse("compress", "zstd", &m), -EINVAL);
	assert_int_equal(comp_mode_parse("comp-lzo", "maybe", &m), -EINVAL);
	assert_string_equal(comp_mode_name(COMP_STUB_V2), "compress stub-v2");
	assert_string_equal(comp_mode_name(COMP_NONE), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_lzo_stub),
		cmocka_unit_test(test_swap_stub),
		cmocka_unit_test(test_stub_v2),
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_lzo_decompress),
		cmocka_unit_test(test_lz4_v1_decompress),
		cmocka_unit_test(test_lz4_v2_decompress),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mode_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
