/* Data channel (spec §9): per-key_id key contexts and P_DATA_V1/V2 encrypt/decrypt.
 *
 * A struct data_key holds both directions of one key_id: the send cipher context, the
 * receive cipher context, the send packet-id counter, the receive replay window and error
 * counters. It is created once per key_id (after key derivation) and freed when the key
 * expires; the per-packet calls allocate nothing. A key is not thread-safe: one owner.
 *
 * Plaintext handed to data_encrypt() / returned by data_decrypt() is the §9.2 "plaintext":
 * compression framing (if negotiated) || payload. The data channel does not touch the
 * framing; comp.h adds / strips it. Ping / OCC classification is in dpkt.h.
 *
 * 2.7: the packet-id width (4 or 8 bytes) and the header layout are properties of the key
 * (data_key_cfg.format). DATA_FMT_EPOCH keys (aead-epoch, data_epoch.c) use the same calls;
 * they are made from key2 (E1 = key2[0..31] / key2[128..159]) or from raw per-direction E1
 * secrets (data_key_new_raw), move their epochs by themselves and ask for a soft reset only
 * when the epoch space runs low.
 *
 * Use: after key derivation, data_key_new(cfg, key2) per key_id. Send: comp_frame() then
 * data_encrypt(); on DATA_ERR_EXHAUSTED, or when data_key_needs_renegotiation(), start a soft
 * reset. Receive: data_peek_header() to find the session (peer-id) and key (key_id), then
 * data_decrypt(), comp_unframe(), dpkt_classify().
 */
#ifndef BURROW_PROTO_DATA_H
#define BURROW_PROTO_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/cipher.h"

#define DATA_OP_V1 6		/* P_DATA_V1: 1-byte header */
#define DATA_OP_V2 9		/* P_DATA_V2: 4-byte header with 24-bit peer-id */
#define DATA_HDR_V1_LEN 1
#define DATA_HDR_V2_LEN 4
#define DATA_PEER_ID_NONE 0xFFFFFFu	/* "no peer-id" on the wire; also reported for V1 */
#define DATA_KEY2_LEN 256	/* §5.1 key2 block: key[0]{cipher64,hmac64} key[1]{...} */
#define DATA_SLOT_LEN 64	/* one cipher or hmac slot of key2 */

/* Classic 32-bit packet ids: refuse to send past this, ask for renegotiation from here. */
#define DATA_PID_MAX 0xFFFFFFFFull
#define DATA_PID_RENEG 0xFF000000ull

#define DATA_REPLAY_WINDOW_DEFAULT 64	/* packets (§9.6) */
#define DATA_REPLAY_TIME_DEFAULT 15	/* seconds */

/* Largest overhead any supported format adds (V2 + CBC-SHA512: 4+64+16+16 pad). Callers
 * size buffers as payload + DATA_MAX_OVERHEAD. */
#define DATA_MAX_OVERHEAD 112

/* Negative error codes, in their own range (-1101..-1111; wrap.h uses -1201..) so one number
 * means one thing, and distinct from the -errno values data_key_new returns. */
enum data_err {
	DATA_ERR_BASE = -1100,		/* not an error: code = DATA_ERR_BASE - n, n = 1.. */
	DATA_ERR_SHORT = -1101,		/* packet shorter than header + id + tag / bad CBC length */
	DATA_ERR_OPCODE = -1102,	/* not P_DATA_V1 / P_DATA_V2 */
	DATA_ERR_KEY_ID = -1103,	/* key_id differs from this key's */
	DATA_ERR_AUTH = -1104,		/* AEAD tag or HMAC mismatch */
	DATA_ERR_REPLAY = -1105,	/* packet id 0, duplicate, or outside the window */
	DATA_ERR_NOSPACE = -1106,	/* output buffer too small */
	DATA_ERR_EXHAUSTED = -1107,	/* send packet ids used up: renegotiate */
	DATA_ERR_PADDING = -1108,	/* CBC padding invalid (after a good HMAC) */
	DATA_ERR_CRYPTO = -1109,	/* OpenSSL failure (should not happen) */
	DATA_ERR_TOO_BIG = -1110,	/* payload longer than the format allows */
	DATA_ERR_EPOCH = -1111,		/* epoch format: epoch 0 or outside the key window */
	DATA_ERR_LAST = DATA_ERR_EPOCH,
};

enum data_role {
	DATA_ROLE_CLIENT = 0,	/* sends with key2 key[0], receives with key[1] */
	DATA_ROLE_SERVER = 1,	/* sends with key[1], receives with key[0] */
};

enum data_format {
	DATA_FMT_CLASSIC = 0,	/* 2.6: 32-bit packet id; AEAD tag before ciphertext */
	DATA_FMT_EPOCH = 1,	/* 2.7 aead-epoch (addendum §A2-§A4): P_DATA_V2 only, AEAD only,
				 * 16-bit epoch || 48-bit counter, tag at end, per-epoch keys */
};

struct data_key_cfg {
	const struct cipher_info *cipher;	/* AEAD or CBC (cipher_find) */
	const struct cipher_digest *auth;	/* CBC HMAC digest; ignored for AEAD; NULL=SHA1 */
	enum data_role role;
	uint8_t key_id;			/* 0..7 */
	int32_t peer_id;		/* 0..0xFFFFFF: send P_DATA_V2; -1: send P_DATA_V1 */
	unsigned replay_window;		/* packets, 0 = default 64; max 65536 */
	unsigned replay_time;		/* seconds, 0 = default 15 */
	enum data_format format;
};

/* One direction's raw key material in key2 slot layout (cipher key prefix, hmac/implicit-IV
 * prefix). For 2.6 this is simply half of key2. For DATA_FMT_EPOCH, cipher[0..31] is that
 * direction's epoch-1 secret E1 and hmac is unused. */
struct data_dir_keys {
	uint8_t cipher[DATA_SLOT_LEN];
	uint8_t hmac[DATA_SLOT_LEN];
};

struct data_stats {
	uint64_t tx_packets, tx_bytes;	/* bytes = plaintext bytes */
	uint64_t rx_packets, rx_bytes;
	uint64_t err_short, err_opcode, err_key_id, err_auth, err_replay;
	uint64_t err_nospace, err_exhausted, err_padding, err_crypto, err_too_big;
	uint64_t err_epoch;		/* epoch format: unknown epoch */
};

struct data_key;

/* Make a key context from a 256-byte key2 block (§7.3), choosing directions by role.
 * Returns NULL with *err = -EINVAL (bad cfg), -ENOTSUP (cipher not available), -ENOMEM. */
struct data_key *data_key_new(const struct data_key_cfg *cfg, const uint8_t key2[DATA_KEY2_LEN],
			      int *err);
/* Same from explicit per-direction material (send = what we encrypt with). */
struct data_key *data_key_new_raw(const struct data_key_cfg *cfg, const struct data_dir_keys *send,
				  const struct data_dir_keys *recv, int *err);
/* Wipes key material. NULL is fine. */
void data_key_free(struct data_key *k);

/* Encrypt one plaintext into a complete data packet for key_id (must equal cfg.key_id).
 * Returns the packet length, or a negative enum data_err. `payload` may alias
 * out + data_key_headroom(k) exactly (in place) for AEAD keys; otherwise no overlap. */
ssize_t data_encrypt(struct data_key *k, uint8_t key_id, const uint8_t *payload, size_t len,
		     uint8_t *out, size_t cap);

/* Authenticate (constant time) and decrypt one data packet, then replay-check and commit
 * its packet id. Returns the plaintext length (may be 0 for CBC), or a negative enum
 * data_err (and counts it). `now_s` is a monotonic clock in seconds, for replay expiry.
 * `out` may alias wire + data_key_headroom(k) exactly for AEAD keys; else no overlap.
 * Needed cap: len - headroom (AEAD), len - headroom - 4 (CBC). On error out is wiped. */
ssize_t data_decrypt(struct data_key *k, const uint8_t *wire, size_t len, uint8_t *out,
		     size_t cap, uint64_t now_s);

/* Read the header without decrypting (server demux by peer-id). For V1, *peer_id is
 * DATA_PEER_ID_NONE. Returns 0, DATA_ERR_SHORT or DATA_ERR_OPCODE. Out pointers may be NULL. */
int data_peek_header(const uint8_t *wire, size_t len, uint8_t *op, uint8_t *key_id,
		     uint32_t *peer_id);

/* True when this key should be replaced by a soft reset: classic format once the send packet
 * id reached DATA_PID_RENEG, or (AES-GCM family) the send or receive usage passed 7/8 of the
 * AEAD limit (2.7 §A5), or more than 2^35 tags failed; epoch format once the send epoch
 * reached DATA_EPOCH_RENEG. */
bool data_key_needs_renegotiation(const struct data_key *k);

/* Bytes before the ciphertext on the wire for packets this key sends (header + id + tag,
 * header + HMAC + IV, or for the epoch format header + epoch + counter: the tag is at the
 * end). A received V1 packet on a V2 key has 3 bytes less. */
size_t data_key_headroom(const struct data_key *k);
/* Worst-case bytes a packet grows by (headroom + CBC padding/packet-id). */
size_t data_key_overhead(const struct data_key *k);

uint8_t data_key_id(const struct data_key *k);
const struct cipher_info *data_key_cipher(const struct data_key *k);
const struct data_stats *data_key_stats(const struct data_key *k);
/* Last packet id sent (0 before the first packet); epoch format: (epoch << 48) | counter. */
uint64_t data_key_send_pid(const struct data_key *k);
/* Jump the send counter (tests of the wrap-around limit; benchmarks). Epoch format: sets the
 * 48-bit counter of the current send epoch. */
void data_key_set_send_pid(struct data_key *k, uint64_t last_sent);

/* ---- 2.7 epoch format (DATA_FMT_EPOCH) ---- */
#define DATA_EPOCH_FUTURE 16		/* receive keys kept ahead of the current epoch */
#define DATA_EPOCH_RENEG 0xF000		/* send epoch that asks for a soft reset */
#define DATA_EPOCH_CTR_MAX 0xFFFFFFFFFFFFull
#define DATA_AEAD_LIMIT ((1ull << 36) - 1)	/* q + s for the AES-GCM family (§A5) */

/* OVPN-Expand-Label (HKDF-Expand-Label, SHA-256, prefix "ovpn ", empty context), len <= 32.
 * Returns 0 or DATA_ERR_CRYPTO. */
int data_expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len);
/* Current send / receive epoch (0 for classic keys). */
uint16_t data_key_send_epoch(const struct data_key *k);
uint16_t data_key_recv_epoch(const struct data_key *k);
/* Move the send epoch forward to `epoch` (never back). Returns 0, -EINVAL or DATA_ERR_CRYPTO. */
int data_key_epoch_advance(struct data_key *k, uint16_t epoch);
/* Replace the AEAD usage limit L (tests: make epoch moves / renegotiation happen early). */
void data_key_set_usage_limit(struct data_key *k, uint64_t limit);

/* Short text for an enum data_err (or "unknown"). */
const char *data_strerror(int err);

#endif
