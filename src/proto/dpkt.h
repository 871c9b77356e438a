/* Special payloads inside the data channel: keepalive ping (§9.7), OCC messages (§9.8),
 * OCC_EXIT for explicit-exit-notify without cc-exit (§9.9).
 *
 * Works on the plaintext after data_decrypt() and comp_unframe(): anything that is not a
 * ping or an OCC message is tunnel traffic (DPKT_DATA) for the TUN/TAP device. Builders
 * produce payloads to pass through comp_frame() and data_encrypt() like any packet.
 * (occ.h has a richer OCC_REPLY/options-string side; this module only needs the framing.)
 */
#ifndef BURROW_PROTO_DPKT_H
#define BURROW_PROTO_DPKT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DPKT_MAGIC_LEN 16
extern const uint8_t dpkt_ping_magic[DPKT_MAGIC_LEN];
extern const uint8_t dpkt_occ_magic[DPKT_MAGIC_LEN];

enum dpkt_kind {
	DPKT_DATA = 0,		/* an IP packet / Ethernet frame for the device */
	DPKT_PING = 1,		/* keepalive: drop after resetting ping-restart */
	DPKT_OCC = 2,		/* OCC message: see dpkt_info.occ_op */
};

enum dpkt_occ_op {
	DPKT_OCC_REQUEST = 0,		/* answer with OCC_REPLY */
	DPKT_OCC_REPLY = 1,		/* NUL-terminated options string */
	DPKT_OCC_MTU_LOAD_REQUEST = 2,	/* u16 size */
	DPKT_OCC_MTU_LOAD = 3,		/* filler */
	DPKT_OCC_MTU_REQUEST = 4,
	DPKT_OCC_MTU_REPLY = 5,		/* u16 max received, u16 max sent */
	DPKT_OCC_EXIT = 6,		/* peer is exiting */
};

struct dpkt_info {
	enum dpkt_kind kind;
	uint8_t occ_op;			/* enum dpkt_occ_op, for DPKT_OCC */
	const uint8_t *occ_args;	/* points into the payload, after the opcode */
	size_t occ_args_len;
	const char *occ_reply;		/* OCC_REPLY: the options string (NUL inside payload) */
	uint16_t mtu_size;		/* OCC_MTU_LOAD_REQUEST */
	uint16_t mtu_max_recv, mtu_max_sent;	/* OCC_MTU_REPLY */
};

/* Classify a decrypted, unframed payload. Returns the kind (>= 0) or -EBADMSG (OCC magic
 * with a missing opcode or truncated arguments, or an OCC_REPLY without NUL) or
 * -EPROTONOSUPPORT (unknown OCC opcode; 2.6 ignores those). info may be NULL. */
int dpkt_classify(const uint8_t *p, size_t len, struct dpkt_info *info);

/* Builders: return the payload length or -ENOSPC. */
ssize_t dpkt_build_ping(uint8_t *out, size_t cap);
ssize_t dpkt_build_occ(uint8_t op, const uint8_t *args, size_t args_len, uint8_t *out,
		       size_t cap);
ssize_t dpkt_build_occ_exit(uint8_t *out, size_t cap);
ssize_t dpkt_build_occ_reply(const char *options, uint8_t *out, size_t cap);
ssize_t dpkt_build_occ_mtu_reply(uint16_t max_recv, uint16_t max_sent, uint8_t *out,
				 size_t cap);

#endif
