/* Compression framing inside the data-channel plaintext (spec §9.4).
 *
 * burrow never compresses what it sends (compression over encryption leaks, VORACLE); it
 * only writes the framing the negotiated mode requires, and it decompresses LZO / LZ4
 * payloads a peer sends when the mode is a real compression mode (comp-lzo yes,
 * compress lz4, compress lz4-v2). The stub modes accept only uncompressed framing.
 *
 * Order on send:    payload -> comp_frame -> data_encrypt
 * Order on receive: data_decrypt -> comp_unframe -> dpkt_classify -> tun
 */
#ifndef BURROW_PROTO_COMP_H
#define BURROW_PROTO_COMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum comp_mode {
	COMP_NONE = 0,		/* no option: no framing byte at all (2.6 default) */
	COMP_LZO_STUB,		/* comp-lzo no: 0xFA prefix */
	COMP_LZO,		/* comp-lzo [yes|adaptive]: send 0xFA; accept 0x66 + LZO1X */
	COMP_STUB,		/* compress / compress stub: v1 swap with 0xFB */
	COMP_LZ4,		/* compress lz4: send 0xFB swap; accept 0x69 swap + LZ4 block */
	COMP_STUB_V2,		/* compress stub-v2: 0x50 escape only */
	COMP_LZ4_V2,		/* compress lz4-v2: send as stub-v2; accept 0x50 0x01 + LZ4 */
};

/* Framing bytes (facts from §9.4). */
#define COMP_LZO_NONE_BYTE 0xFA
#define COMP_LZO_BYTE 0x66
#define COMP_SWAP_NONE_BYTE 0xFB
#define COMP_LZ4_BYTE 0x69
#define COMP_V2_ESC 0x50
#define COMP_V2_NONE 0x00
#define COMP_V2_NONE_BUGGY 0x0A	/* what 2.6's v2 escape writes; tolerated on receive */
#define COMP_V2_LZ4 0x01

#define COMP_MAX_FRAMING 2	/* bytes comp_frame may add */
#define COMP_MAX_IN 4096	/* largest framed payload comp_unframe takes */

struct comp_stats {
	uint64_t framed, unframed, decompressed;
	uint64_t err_framing;		/* unknown / truncated framing bytes */
	uint64_t err_refused;		/* compressed payload in a stub mode */
	uint64_t err_decompress;	/* corrupt compressed data or output too big */
	uint64_t err_nospace;
};

struct comp_ctx {
	enum comp_mode mode;
	struct comp_stats st;
	uint8_t scratch[COMP_MAX_IN];	/* v1-swap LZ4 input is reassembled here */
};

/* Returns 0 or -EINVAL (unknown mode) / -EIO (liblzo2 self-check failed). */
int comp_init(struct comp_ctx *c, enum comp_mode mode);

/* Map a config directive to a mode: ("comp-lzo", NULL|"yes"|"adaptive"|"no"),
 * ("compress", NULL|"stub"|"stub-v2"|"lz4"|"lz4-v2"). Returns 0, -EINVAL or -ENOTSUP
 * (a known algorithm burrow does not offer, e.g. "compress lzo"). */
int comp_mode_parse(const char *directive, const char *arg, enum comp_mode *out);
/* The directive text for a mode ("comp-lzo no", "compress stub-v2", ...; "" for none). */
const char *comp_mode_name(enum comp_mode m);

/* Add the framing for an outgoing payload (never compresses). in and out may overlap
 * (in place: in = out + COMP_MAX_FRAMING, or in == out). Returns the framed length,
 * -EINVAL (empty payload in a swap mode) or -ENOSPC. */
ssize_t comp_frame(struct comp_ctx *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* Remove the framing of an incoming plaintext, decompressing if needed. For uncompressed
 * framings in and out may overlap; for compressed payloads they must not. Returns the
 * payload length, or -EBADMSG (bad framing), -EPROTONOSUPPORT (compressed but mode is a
 * stub), -EINVAL (corrupt compressed data), -ENOSPC / -EMSGSIZE (too big). */
ssize_t comp_unframe(struct comp_ctx *c, const uint8_t *in, size_t len, uint8_t *out,
		     size_t cap);

#endif
