/* Compression framing (spec §9.4): stubs on send, stubs + LZO/LZ4 decompression on receive. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <lz4.h>
#include <lzo/lzo1x.h>

#include "proto/comp.h"

int comp_init(struct comp_ctx *c, enum comp_mode mode)
{
	if (mode > COMP_LZ4_V2)
		return -EINVAL;
	memset(&c->st, 0, sizeof(c->st));
	c->mode = mode;
	/* liblzo2 asks for its self-check before first use; cheap, and not per packet. */
	if (mode == COMP_LZO && lzo_init() != LZO_E_OK)
		return -EIO;
	return 0;
}

/* "directive arg" of each mode, both ways; a mode's first row is its name. */
static const struct {
	const char *text;
	enum comp_mode mode;
} mode_names[] = {
	{ "comp-lzo no", COMP_LZO_STUB }, { "comp-lzo yes", COMP_LZO },
	{ "comp-lzo adaptive", COMP_LZO }, { "compress stub", COMP_STUB },
	{ "compress stub-v2", COMP_STUB_V2 }, { "compress lz4", COMP_LZ4 },
	{ "compress lz4-v2", COMP_LZ4_V2 },
};
#define N_MODE_NAMES (sizeof(mode_names) / sizeof(mode_names[0]))

int comp_mode_parse(const char *directive, const char *arg, enum comp_mode *out)
{
	if (!directive || !out)
		return -EINVAL;
	if (!arg)	/* bare "comp-lzo" = adaptive; bare "compress" = stub */
		arg = strcasecmp(directive, "comp-lzo") == 0 ? "adaptive" : "stub";
	size_t dl = strlen(directive);

	for (size_t i = 0; i < N_MODE_NAMES; i++) {
		const char *t = mode_names[i].text;

		if (strncasecmp(t, directive, dl) == 0 && t[dl] == ' ' &&
		    strcasecmp(t + dl + 1, arg) == 0) {
			*out = mode_names[i].mode;
			return 0;
		}
	}
	if (strcasecmp(directive, "compress") == 0 && strcasecmp(arg, "lzo") == 0)
		return -ENOTSUP;
	return -EINVAL;
}

const char *comp_mode_name(enum comp_mode m)
{
	if (m == COMP_NONE)
		return "";
	for (size_t i = 0; i < N_MODE_NAMES; i++)
		if (mode_names[i].mode == m)
			return mode_names[i].text;
	return "?";
}

/* ---- send ---- */

static ssize_t frame_prefix(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			    const uint8_t *pre, size_t pre_len)
{
	if (cap < len + pre_len)
		return -ENOSPC;
	memmove(out + pre_len, in, len);
	if (pre_len)
		memcpy(out, pre, pre_len);
	return (ssize_t)(len + pre_len);
}

/* v1 swap: the head byte takes the place of the first byte, which moves to the end. */
static ssize_t frame_swap(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (len == 0)
		return -EINVAL;
	if (cap < len + 1)
		return -ENOSPC;
	uint8_t first = in[0];
	memmove(out + 1, in + 1, len - 1);
	out[0] = COMP_SWAP_NONE_BYTE;
	out[len] = first;
	return (ssize_t)(len + 1);
}

ssize_t comp_frame(struct comp_ctx *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	static const uint8_t lzo_none[] = { COMP_LZO_NONE_BYTE };
	static const uint8_t v2_esc[] = { COMP_V2_ESC, COMP_V2_NONE };
	ssize_t n;

	switch (c->mode) {
	case COMP_LZO_STUB:
	case COMP_LZO:
		n = frame_prefix(in, len, out, cap, lzo_none, 1);
		break;
	case COMP_STUB:
	case COMP_LZ4:
		n = frame_swap(in, len, out, cap);
		break;
	case COMP_STUB_V2:
	case COMP_LZ4_V2:
		/* Only a payload that starts with the escape byte needs the 2-byte escape. */
		n = frame_prefix(in, len, out, cap, v2_esc, len && in[0] == COMP_V2_ESC ? 2 : 0);
		break;
	default:
		n = frame_prefix(in, len, out, cap, NULL, 0);
		break;
	}
	if (n == -ENOSPC)
		c->st.err_nospace++;
	else if (n >= 0)
		c->st.framed++;
	return n;
}

/* ---- receive ---- */

static ssize_t copy_out(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (cap < len)
		return -ENOSPC;
	memmove(out, in, len);
	return (ssize_t)len;
}

static ssize_t lz4_block(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (len == 0)
		return -EINVAL;
	int capi = cap > COMP_MAX_IN ? COMP_MAX_IN : (int)cap;
	int n = LZ4_decompress_safe((const char *)in, (char *)out, (int)len, capi);
	return n > 0 ? n : -EINVAL;
}

static ssize_t lzo_block(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	lzo_uint out_len = cap > COMP_MAX_IN ? COMP_MAX_IN : cap;

	if (len == 0)
		return -EINVAL;
	int rc = lzo1x_decompress_safe(in, len, out, &out_len, NULL);
	return rc == LZO_E_OK && out_len > 0 ? (ssize_t)out_len : -EINVAL;
}

typedef ssize_t (*comp_block_fn)(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* in[at] (at < len) is a marker byte: `none` says the rest is as it is; `algo` that the rest
 * is compressed with block, refused unless in `mode`; anything else is a framing error. */
static ssize_t unframe_marker(const struct comp_ctx *c, const uint8_t *in, size_t len,
			      size_t at, bool none, uint8_t algo, enum comp_mode mode,
			      comp_block_fn block, uint8_t *out, size_t cap)
{
	if (none)
		return copy_out(in + at + 1, len - at - 1, out, cap);
	if (in[at] != algo)
		return -EBADMSG;
	if (c->mode != mode)
		return -EPROTONOSUPPORT;
	return block(in + at + 1, len - at - 1, out, cap);
}

static ssize_t unframe_lzo(struct comp_ctx *c, const uint8_t *in, size_t len, uint8_t *out,
			   size_t cap)
{
	if (len < 1)
		return -EBADMSG;
	return unframe_marker(c, in, len, 0, in[0] == COMP_LZO_NONE_BYTE, COMP_LZO_BYTE, COMP_LZO,
			      lzo_block, out, cap);
}

static ssize_t unframe_swap(struct comp_ctx *c, const uint8_t *in, size_t len, uint8_t *out,
			    size_t cap)
{
	/* head byte + at least the moved first byte */
	if (len < 2)
		return -EBADMSG;
	uint8_t head = in[0], first = in[len - 1];
	if (head == COMP_SWAP_NONE_BYTE) {
		if (cap < len - 1)
			return -ENOSPC;
		memmove(out + 1, in + 1, len - 2);
		out[0] = first;
		return (ssize_t)(len - 1);
	}
	if (head != COMP_LZ4_BYTE)
		return -EBADMSG;
	if (c->mode != COMP_LZ4)
		return -EPROTONOSUPPORT;
	/* The swapped-back LZ4 block must be contiguous: rebuild it in scratch. */
	c->scratch[0] = first;
	memcpy(c->scratch + 1, in + 1, len - 2);
	return lz4_block(c->scratch, len - 1, out, cap);
}

static ssize_t unframe_v2(struct comp_ctx *c, const uint8_t *in, size_t len, uint8_t *out,
			  size_t cap)
{
	if (len == 0 || in[0] != COMP_V2_ESC)
		return copy_out(in, len, out, cap);
	if (len < 2)
		return -EBADMSG;
	return unframe_marker(c, in, len, 1, in[1] == COMP_V2_NONE || in[1] == COMP_V2_NONE_BUGGY,
			      COMP_V2_LZ4, COMP_LZ4_V2, lz4_block, out, cap);
}

static void count_unframe(struct comp_ctx *c, ssize_t n, int compressed)
{
	switch (n) {
	case -EBADMSG: c->st.err_framing++; break;
	case -EPROTONOSUPPORT: c->st.err_refused++; break;
	case -EINVAL: c->st.err_decompress++; break;
	case -ENOSPC:
	case -EMSGSIZE: c->st.err_nospace++; break;
	default:
		c->st.unframed++;
		if (compressed)
			c->st.decompressed++;
	}
}

static int is_compressed(const struct comp_ctx *c, const uint8_t *in, size_t len)
{
	if (len < 2)
		return len == 1 && c->mode == COMP_LZO && in[0] == COMP_LZO_BYTE;
	switch (c->mode) {
	case COMP_LZO: return in[0] == COMP_LZO_BYTE;
	case COMP_LZ4: return in[0] == COMP_LZ4_BYTE;
	case COMP_LZ4_V2: return in[0] == COMP_V2_ESC && in[1] == COMP_V2_LZ4;
	default: return 0;
	}
}

ssize_t comp_unframe(struct comp_ctx *c, const uint8_t *in, size_t len, uint8_t *out,
		     size_t cap)
{
	/* Decided before unframing: in place, unframing rewrites the head bytes. */
	int compressed = is_compressed(c, in, len);
	ssize_t n;

	if (len > COMP_MAX_IN)
		n = -EMSGSIZE;
	else if (c->mode == COMP_LZO_STUB || c->mode == COMP_LZO)
		n = unframe_lzo(c, in, len, out, cap);
	else if (c->mode == COMP_STUB || c->mode == COMP_LZ4)
		n = unframe_swap(c, in, len, out, cap);
	else if (c->mode == COMP_STUB_V2 || c->mode == COMP_LZ4_V2)
		n = unframe_v2(c, in, len, out, cap);
	else
		n = copy_out(in, len, out, cap);
	count_unframe(c, n, compressed);
	return n;
}
