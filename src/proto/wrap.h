/* Control-channel wrapping (spec §2.2–§2.6, §5): none, tls-auth, tls-crypt, tls-crypt-v2.
 *
 * wrap_encode() turns a logical control packet (pkt_ctrl_encode() output: op, sid, ack
 * count …) into wire bytes; wrap_decode() does the reverse.  The decoder authenticates
 * (HMAC / tag, constant-time compare) BEFORE anything else is trusted, then checks the
 * long-form replay id, and commits it only after both passed.  Each failure has its own
 * code and its own counter in ctx->stats.
 *
 * One ctx per peer and key set (it holds the per-direction replay send counter and receive
 * window).  For dynamic tls-crypt (§5.5) keep a second ctx for key_id ≠ 0 packets made
 * with wrap_init_dynamic().  A UDP server checking stateless resets against a shared key
 * turns replay off on that shared ctx (wrap_set_replay()).
 *
 * Times: now_s is Unix time in seconds (the replay timestamp goes on the wire).
 */
#ifndef BURROW_PROTO_WRAP_H
#define BURROW_PROTO_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/replay.h"

enum wrap_mode {
	WRAP_UNSET = 0,		/* zeroed or freed ctx: every call fails (WRAP_ERR_STATE) */
	WRAP_NONE,
	WRAP_AUTH,		/* tls-auth */
	WRAP_CRYPT,		/* tls-crypt, or dynamic tls-crypt */
	WRAP_CRYPT_V2,		/* tls-crypt-v2 (client: Kc + WKc; server: Kc from WKc) */
};

/* Key direction for tls-auth (§5.1). */
enum wrap_dir { WRAP_DIR_BIDI = -1, WRAP_DIR_NORMAL = 0, WRAP_DIR_INVERSE = 1 };

/* Negative error codes, in their own range (-1201..-1209; data.h uses -1101..). */
enum wrap_err {
	WRAP_ERR_BASE = -1200,		/* not an error: code = WRAP_ERR_BASE - n, n = 1.. */
	WRAP_ERR_SHORT = -1201,		/* shorter than the wrapping's header */
	WRAP_ERR_TOO_BIG = -1202,	/* longer than WRAP_WIRE_MAX */
	WRAP_ERR_AUTH = -1203,		/* HMAC / tag mismatch */
	WRAP_ERR_REPLAY = -1204,	/* replay packet-id rejected (see replay.h) */
	WRAP_ERR_WKC = -1205,		/* tls-crypt-v2: WKc missing, malformed or not authentic */
	WRAP_ERR_NOSPACE = -1206,	/* output buffer too small */
	WRAP_ERR_CRYPTO = -1207,	/* OpenSSL failure */
	WRAP_ERR_EXHAUSTED = -1208,	/* send packet-id would wrap */
	WRAP_ERR_STATE = -1209,		/* ctx not initialised / wrong role for this call */
	WRAP_ERR_LAST = WRAP_ERR_STATE,
};

#define WRAP_KEY2_LEN 256		/* static key file / Kc: two cipher[64]||hmac[64] */
#define WRAP_V2_SERVER_KEY_LEN 128	/* tls-crypt-v2 server key: cipher[64]||hmac[64] */
#define WRAP_WKC_MAX 1024
#define WRAP_WKC_MIN (32 + WRAP_KEY2_LEN + 2)	/* tag, Kc, len: empty metadata */
#define WRAP_META_MAX (WRAP_WKC_MAX - WRAP_WKC_MIN)
#define WRAP_HMAC_MAX 64
#define WRAP_TAG_LEN 32			/* tls-crypt HMAC-SHA256 */
#define WRAP_PID_LEN 8			/* long-form packet id + timestamp */
/* Largest wire packet accepted by wrap_decode (control packet + wrap + WKc). */
#define WRAP_WIRE_MAX (2048 + 128 + WRAP_WKC_MAX)
/* tls-crypt-v2 early negotiation (§4.4): client packet-ids start here + 1. */
#define WRAP_EARLY_NEG_PID 0x0F000000u

struct wrap_stats {
	uint64_t tx, rx_ok;
	uint64_t rx_short, rx_too_big, rx_auth, rx_replay, rx_wkc, rx_nospace, rx_crypto;
	uint64_t tx_fail;
};

struct wrap_ctx {
	enum wrap_mode mode;
	bool is_server;			/* v2: which side; crypt: direction */
	bool replay_on;			/* check + commit the receive window (default on) */
	size_t hmac_len;		/* tls-auth digest size, 32 for tls-crypt */
	char digest[32];		/* tls-auth digest name */
	uint8_t send_hmac[WRAP_HMAC_MAX], recv_hmac[WRAP_HMAC_MAX];
	uint8_t send_cipher[32], recv_cipher[32];	/* AES-256-CTR (tls-crypt) */
	uint8_t key2[WRAP_KEY2_LEN];	/* the original key (static key or Kc), for §5.5 */
	bool has_key2;
	uint32_t send_pid;		/* last packet-id sent */
	uint32_t send_ts;		/* set by the first wrap_encode() */
	bool send_ts_set;
	uint32_t last_rx_pid, last_rx_ts;	/* of the last packet that decoded */
	struct replay replay;
	/* tls-crypt-v2 */
	uint8_t wkc[WRAP_WKC_MAX];	/* client: appended to opcodes 10 and 11 */
	size_t wkc_len;
	uint8_t meta[WRAP_META_MAX];	/* server: metadata unwrapped from WKc */
	size_t meta_len;
	struct wrap_stats stats;
};

/* Each init zeroes ctx, sets replay on with the default window (64, 15 s).
 * Return 0, -EINVAL (bad digest/key/direction) or -ENOMEM.  Free with wrap_free(). */
int wrap_init_none(struct wrap_ctx *ctx);
/* tls-auth: digest "SHA1" (NULL), "SHA256", "SHA512" …; key2 = 256-byte static key. */
int wrap_init_auth(struct wrap_ctx *ctx, const char *digest, const uint8_t key2[WRAP_KEY2_LEN],
		   enum wrap_dir dir);
/* tls-crypt: server = NORMAL, client = INVERSE (§5.3). */
int wrap_init_crypt(struct wrap_ctx *ctx, const uint8_t key2[WRAP_KEY2_LEN], bool is_server);
/* tls-crypt-v2 client: Kc and the WKc blob from the client key file.  early_neg: start
 * packet-ids at 0x0F000001 to announce early negotiation (all 2.6 clients do). */
int wrap_init_v2_client(struct wrap_ctx *ctx, const uint8_t kc[WRAP_KEY2_LEN],
			const uint8_t *wkc, size_t wkc_len, bool early_neg);
/* tls-crypt-v2 server, per client: unwraps the WKc at the end of a received
 * HARD_RESET_CLIENT_V3 / CONTROL_WKC_V1 wire packet with the server key and sets ctx up with
 * Kc (metadata in ctx->meta).  Does NOT authenticate the packet itself: call wrap_decode()
 * next.  Returns 0, WRAP_ERR_WKC (also for another opcode), WRAP_ERR_SHORT or -ENOMEM. */
int wrap_init_v2_server(struct wrap_ctx *ctx, const uint8_t server_key[WRAP_V2_SERVER_KEY_LEN],
			const uint8_t *wire, size_t len);
/* Dynamic tls-crypt (§5.5): ekm = 256 bytes from TLS-Exporter
 * "EXPORTER-OpenVPN-dynamic-tls-crypt"; XORed with orig's key2 if orig has one (tls-auth,
 * tls-crypt, v2), then used as a tls-crypt key with fresh packet-ids.  orig may be NULL
 * (no wrapping).  dyn may not be orig. */
int wrap_init_dynamic(struct wrap_ctx *dyn, const struct wrap_ctx *orig,
		      const uint8_t ekm[WRAP_KEY2_LEN], bool is_server);
void wrap_free(struct wrap_ctx *ctx);

/* Replay window on/off (off: the shared ctx that checks stateless resets, §4.2). */
void wrap_set_replay(struct wrap_ctx *ctx, bool on);
/* The next wrap_encode() uses packet-id pid (the stateless server's reply was 1, so an
 * accepted session continues at 2). */
void wrap_set_send_pid(struct wrap_ctx *ctx, uint32_t pid, uint32_t ts);
/* Bytes wrap_encode() adds (before any WKc): 0, hmac+8, 40. */
size_t wrap_overhead(const struct wrap_ctx *ctx);
/* What OpenVPN budgets for the wrapping when it sizes control packets (§3.1): tls-crypt 56
 * (40 plus a block), tls-auth hmac+8, none 0.  Pass this to rel_max_payload(). */
size_t wrap_mtu_overhead(const struct wrap_ctx *ctx);
/* Bytes appended to opcodes 10/11 by a v2 client (WKc), else 0. */
size_t wrap_wkc_len(const struct wrap_ctx *ctx);
/* True if the last decoded packet announced tls-crypt-v2 early negotiation (§4.4). */
bool wrap_rx_early_neg(const struct wrap_ctx *ctx);

/* plain = logical control packet (≥ 9 bytes: op, sid, …).  Returns wire length or a
 * wrap_err.  A v2 client appends WKc to opcodes 10 and 11. */
int wrap_encode(struct wrap_ctx *ctx, const uint8_t *plain, size_t len, uint64_t now_s,
		uint8_t *out, size_t cap);
/* wire → logical control packet in out.  Returns its length or a wrap_err.  A v2 server
 * strips (and ignores) the WKc of opcodes 10/11. */
int wrap_decode(struct wrap_ctx *ctx, const uint8_t *wire, size_t len, uint64_t now_s,
		uint8_t *out, size_t cap);

/* tls-crypt-v2 WKc (§5.4), used by statickey.c to make client keys and by the server.
 * meta = type byte || data (≤ WRAP_META_MAX).  Returns the WKc length or a wrap_err. */
int wrap_v2_wrap_kc(const uint8_t server_key[WRAP_V2_SERVER_KEY_LEN],
		    const uint8_t kc[WRAP_KEY2_LEN], const uint8_t *meta, size_t meta_len,
		    uint8_t *wkc, size_t cap);
/* Verifies and decrypts a WKc.  Returns 0 with kc and meta filled, or WRAP_ERR_WKC. */
int wrap_v2_unwrap_wkc(const uint8_t server_key[WRAP_V2_SERVER_KEY_LEN],
		       const uint8_t *wkc, size_t wkc_len, uint8_t kc[WRAP_KEY2_LEN],
		       uint8_t *meta, size_t meta_cap, size_t *meta_len);
/* Locates the WKc at the end of a wire packet (u16 length in the last 2 bytes).  Returns
 * its offset, or WRAP_ERR_WKC. */
int wrap_v2_find_wkc(const uint8_t *wire, size_t len);

const char *wrap_strerror(int err);

#endif
