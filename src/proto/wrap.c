/* Control-channel wrapping: tls-auth, tls-crypt, tls-crypt-v2 (spec §2.3–§2.6, §5). */
#include "proto/wrap.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "proto/packet.h"
#include "proto/statickey.h"
#include "util/bytes.h"

#define HDR (1 + PKT_SID_LEN)			/* op/key_id + session id, always clear */
#define CRYPT_HDR (HDR + WRAP_PID_LEN + WRAP_TAG_LEN)

static bool carries_wkc(uint8_t byte0);

/* One piece of HMAC input. */
struct part {
	const uint8_t *p;
	size_t n;
};

/* HMAC(digest, key) over the concatenation of parts; out gets the full digest. */
static int hmac_parts(const char *digest, const uint8_t *key, size_t klen,
		      const struct part *parts, size_t n, uint8_t *out, size_t outlen)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mctx = NULL;
	size_t got = 0;
	int rc = WRAP_ERR_CRYPTO;

	if (!mac)
		return rc;
	mctx = EVP_MAC_CTX_new(mac);
	if (!mctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(mctx, key, klen, params))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (parts[i].n && !EVP_MAC_update(mctx, parts[i].p, parts[i].n))
			goto out;
	if (!EVP_MAC_final(mctx, out, &got, outlen) || got != outlen)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(mac);
	return rc;
}

/* AES-256-CTR with the 16-byte IV as the whole initial counter block. */
static int aes_ctr(const uint8_t key[32], const uint8_t iv[16], const uint8_t *in, size_t len,
		   uint8_t *out)
{
	EVP_CIPHER_CTX *c;
	int outl = 0, fin = 0, rc = WRAP_ERR_CRYPTO;

	if (len == 0)
		return 0;
	if (len > WRAP_WIRE_MAX)
		return WRAP_ERR_TOO_BIG;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return rc;
	if (EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, iv) &&
	    EVP_EncryptUpdate(c, out, &outl, in, (int)len) &&
	    EVP_EncryptFinal_ex(c, out + outl, &fin) && (size_t)(outl + fin) == len)
		rc = 0;
	EVP_CIPHER_CTX_free(c);
	return rc;
}

static int ctx_base(struct wrap_ctx *ctx, enum wrap_mode mode)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->mode = mode;
	ctx->replay_on = true;
	return replay_init(&ctx->replay, REPLAY_WINDOW_DEFAULT, REPLAY_TIME_DEFAULT);
}

int wrap_init_none(struct wrap_ctx *ctx)
{
	return ctx_base(ctx, WRAP_NONE);
}

int wrap_init_auth(struct wrap_ctx *ctx, const char *digest, const uint8_t key2[WRAP_KEY2_LEN],
		   enum wrap_dir dir)
{
	const uint8_t *send, *recv;
	EVP_MD *md;
	int size, rc;

	if (!digest)
		digest = "SHA1";
	if (strlen(digest) >= sizeof(ctx->digest) || !key2 ||
	    skey_halves(key2, dir, &send, &recv) < 0)
		return -EINVAL;
	md = EVP_MD_fetch(NULL, digest, NULL);
	if (!md)
		return -EINVAL;
	size = EVP_MD_get_size(md);
	EVP_MD_free(md);
	if (size <= 0 || size > WRAP_HMAC_MAX)
		return -EINVAL;
	rc = ctx_base(ctx, WRAP_AUTH);
	if (rc < 0)
		return rc;
	memcpy(ctx->digest, digest, strlen(digest) + 1);
	ctx->hmac_len = (size_t)size;
	/* Each half is cipher[64] || hmac[64]; tls-auth uses the HMAC part only. */
	memcpy(ctx->send_hmac, send + 64, ctx->hmac_len);
	memcpy(ctx->recv_hmac, recv + 64, ctx->hmac_len);
	memcpy(ctx->key2, key2, WRAP_KEY2_LEN);
	ctx->has_key2 = true;
	return 0;
}

/* tls-crypt keys: Ke = cipher[0..31], Ka = hmac[0..31] of each half (§5.3). */
static int crypt_keys(struct wrap_ctx *ctx, enum wrap_mode mode, const uint8_t key2[256],
		      bool is_server)
{
	const uint8_t *send, *recv;
	int rc;

	if (!key2)
		return -EINVAL;
	rc = ctx_base(ctx, mode);
	if (rc < 0)
		return rc;
	skey_halves(key2, is_server ? SKEY_DIR_NORMAL : SKEY_DIR_INVERSE, &send, &recv);
	memcpy(ctx->send_cipher, send, 32);
	memcpy(ctx->send_hmac, send + 64, 32);
	memcpy(ctx->recv_cipher, recv, 32);
	memcpy(ctx->recv_hmac, recv + 64, 32);
	memcpy(ctx->digest, "SHA256", sizeof("SHA256"));
	ctx->hmac_len = WRAP_TAG_LEN;
	memcpy(ctx->key2, key2, WRAP_KEY2_LEN);
	ctx->has_key2 = true;
	ctx->is_server = is_server;
	return 0;
}

int wrap_init_crypt(struct wrap_ctx *ctx, const uint8_t key2[WRAP_KEY2_LEN], bool is_server)
{
	return crypt_keys(ctx, WRAP_CRYPT, key2, is_server);
}

int wrap_init_v2_client(struct wrap_ctx *ctx, const uint8_t kc[WRAP_KEY2_LEN],
			const uint8_t *wkc, size_t wkc_len, bool early_neg)
{
	int rc;

	if (!wkc || wkc_len < WRAP_WKC_MIN || wkc_len > WRAP_WKC_MAX)
		return -EINVAL;
	rc = crypt_keys(ctx, WRAP_CRYPT_V2, kc, false);
	if (rc < 0)
		return rc;
	memcpy(ctx->wkc, wkc, wkc_len);
	ctx->wkc_len = wkc_len;
	if (early_neg)
		ctx->send_pid = WRAP_EARLY_NEG_PID;
	return 0;
}

int wrap_init_v2_server(struct wrap_ctx *ctx, const uint8_t server_key[WRAP_V2_SERVER_KEY_LEN],
			const uint8_t *wire, size_t len)
{
	uint8_t kc[WRAP_KEY2_LEN], meta[WRAP_META_MAX];
	size_t meta_len = 0;
	int off, rc;

	memset(ctx, 0, sizeof(*ctx));
	if (!wire || len < CRYPT_HDR)
		return WRAP_ERR_SHORT;
	if (!carries_wkc(wire[0]))
		return WRAP_ERR_WKC;
	off = wrap_v2_find_wkc(wire, len);
	if (off < 0)
		return off;
	rc = wrap_v2_unwrap_wkc(server_key, wire + off, len - (size_t)off, kc, meta,
				sizeof(meta), &meta_len);
	if (rc < 0)
		goto out;
	rc = crypt_keys(ctx, WRAP_CRYPT_V2, kc, true);
	if (rc < 0)
		goto out;
	memcpy(ctx->meta, meta, meta_len);
	ctx->meta_len = meta_len;
out:
	OPENSSL_cleanse(kc, sizeof(kc));
	return rc;
}

int wrap_init_dynamic(struct wrap_ctx *dyn, const struct wrap_ctx *orig,
		      const uint8_t ekm[WRAP_KEY2_LEN], bool is_server)
{
	uint8_t k[WRAP_KEY2_LEN];
	int rc;

	if (!ekm || dyn == orig)
		return -EINVAL;
	memcpy(k, ekm, sizeof(k));
	if (orig && orig->has_key2)
		for (size_t i = 0; i < sizeof(k); i++)
			k[i] ^= orig->key2[i];
	rc = crypt_keys(dyn, WRAP_CRYPT, k, is_server);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

void wrap_free(struct wrap_ctx *ctx)
{
	if (!ctx)
		return;
	replay_free(&ctx->replay);
	OPENSSL_cleanse(ctx, sizeof(*ctx));
}

void wrap_set_replay(struct wrap_ctx *ctx, bool on)
{
	ctx->replay_on = on;
}

void wrap_set_send_pid(struct wrap_ctx *ctx, uint32_t pid, uint32_t ts)
{
	ctx->send_pid = pid ? pid - 1 : 0;
	if (ts) {
		ctx->send_ts = ts;
		ctx->send_ts_set = true;
	}
}

size_t wrap_overhead(const struct wrap_ctx *ctx)
{
	switch (ctx->mode) {
	case WRAP_AUTH:
		return ctx->hmac_len + WRAP_PID_LEN;
	case WRAP_CRYPT:
	case WRAP_CRYPT_V2:
		return WRAP_PID_LEN + WRAP_TAG_LEN;
	default:
		return 0;
	}
}

size_t wrap_mtu_overhead(const struct wrap_ctx *ctx)
{
	if (ctx->mode == WRAP_CRYPT || ctx->mode == WRAP_CRYPT_V2)
		return 56;
	return wrap_overhead(ctx);
}

size_t wrap_wkc_len(const struct wrap_ctx *ctx)
{
	return ctx->mode == WRAP_CRYPT_V2 && !ctx->is_server ? ctx->wkc_len : 0;
}

bool wrap_rx_early_neg(const struct wrap_ctx *ctx)
{
	return (ctx->last_rx_pid & WRAP_EARLY_NEG_PID) == WRAP_EARLY_NEG_PID;
}

/* Next long-form replay id (§2.6): +1 per transmission, timestamp fixed at the first. */
static int next_pid(struct wrap_ctx *ctx, uint64_t now_s, uint8_t out[WRAP_PID_LEN])
{
	if (ctx->send_pid == UINT32_MAX)
		return WRAP_ERR_EXHAUSTED;
	if (!ctx->send_ts_set) {
		ctx->send_ts = (uint32_t)now_s;
		ctx->send_ts_set = true;
	}
	bytes_put_u32(out, ++ctx->send_pid);
	bytes_put_u32(out + 4, ctx->send_ts);
	return 0;
}

static bool carries_wkc(uint8_t byte0)
{
	uint8_t op = pkt_op(byte0);

	return op == P_CONTROL_HARD_RESET_CLIENT_V3 || op == P_CONTROL_WKC_V1;
}

static int encode_auth(struct wrap_ctx *ctx, const uint8_t *plain, size_t len, uint64_t now_s,
		       uint8_t *out, size_t cap)
{
	size_t h = ctx->hmac_len, total = len + h + WRAP_PID_LEN;
	uint8_t pid[WRAP_PID_LEN];
	int rc;

	if (cap < total)
		return WRAP_ERR_NOSPACE;
	rc = next_pid(ctx, now_s, pid);
	if (rc < 0)
		return rc;
	/* Body first, then header: plain may be out itself. */
	memmove(out + HDR + h + WRAP_PID_LEN, plain + HDR, len - HDR);
	memmove(out, plain, HDR);
	memcpy(out + HDR + h, pid, WRAP_PID_LEN);
	/* HMAC input puts the replay id first and leaves the HMAC field out (§2.3). */
	struct part parts[] = {
		{ pid, WRAP_PID_LEN }, { out, HDR }, { out + HDR + h + WRAP_PID_LEN, len - HDR } };
	rc = hmac_parts(ctx->digest, ctx->send_hmac, h, parts, 3, out + HDR, h);
	return rc < 0 ? rc : (int)total;
}

static int encode_crypt(struct wrap_ctx *ctx, const uint8_t *plain, size_t len, uint64_t now_s,
			uint8_t *out, size_t cap)
{
	size_t plen = len - HDR, wkc = carries_wkc(plain[0]) ? wrap_wkc_len(ctx) : 0;
	size_t total = CRYPT_HDR + plen + wkc;
	uint8_t ad[HDR + WRAP_PID_LEN], tag[WRAP_TAG_LEN];
	int rc;

	if (cap < total)
		return WRAP_ERR_NOSPACE;
	rc = next_pid(ctx, now_s, ad + HDR);
	if (rc < 0)
		return rc;
	memcpy(ad, plain, HDR);
	struct part parts[] = { { ad, sizeof(ad) }, { plain + HDR, plen } };
	rc = hmac_parts("SHA256", ctx->send_hmac, 32, parts, 2, tag, sizeof(tag));
	if (rc < 0)
		return rc;
	/* CTR may run in place; move the plaintext first in case plain aliases out. */
	memmove(out + CRYPT_HDR, plain + HDR, plen);
	memcpy(out, ad, sizeof(ad));
	memcpy(out + sizeof(ad), tag, sizeof(tag));
	rc = aes_ctr(ctx->send_cipher, tag, out + CRYPT_HDR, plen, out + CRYPT_HDR);
	if (rc < 0)
		return rc;
	if (wkc)
		memcpy(out + CRYPT_HDR + plen, ctx->wkc, wkc);
	return (int)total;
}

int wrap_encode(struct wrap_ctx *ctx, const uint8_t *plain, size_t len, uint64_t now_s,
		uint8_t *out, size_t cap)
{
	int rc;

	if (!ctx || !plain || !out || ctx->mode == WRAP_UNSET)
		return WRAP_ERR_STATE;
	if (len < HDR)
		return WRAP_ERR_SHORT;
	if (len > WRAP_WIRE_MAX)
		return WRAP_ERR_TOO_BIG;
	switch (ctx->mode) {
	case WRAP_NONE:
		if (cap < len)
			return WRAP_ERR_NOSPACE;
		memmove(out, plain, len);
		rc = (int)len;
		break;
	case WRAP_AUTH:
		rc = encode_auth(ctx, plain, len, now_s, out, cap);
		break;
	case WRAP_CRYPT:
	case WRAP_CRYPT_V2:
		rc = encode_crypt(ctx, plain, len, now_s, out, cap);
		break;
	default:
		rc = WRAP_ERR_STATE;
	}
	if (rc < 0)
		ctx->stats.tx_fail++;
	else
		ctx->stats.tx++;
	return rc;
}

/* Replay check on (pid, ts) after authentication; commit only if it passes. */
static int accept_pid(struct wrap_ctx *ctx, const uint8_t *pidts, uint64_t now_s)
{
	uint32_t pid = bytes_get_u32(pidts), ts = bytes_get_u32(pidts + 4);

	if (ctx->replay_on) {
		if (replay_check(&ctx->replay, pid, ts, now_s) != REPLAY_OK)
			return WRAP_ERR_REPLAY;
		replay_commit(&ctx->replay, pid, ts, now_s);
	}
	ctx->last_rx_pid = pid;
	ctx->last_rx_ts = ts;
	return 0;
}

static int decode_auth(struct wrap_ctx *ctx, const uint8_t *wire, size_t len, uint64_t now_s,
		       uint8_t *out, size_t cap)
{
	size_t h = ctx->hmac_len, hdr = HDR + h + WRAP_PID_LEN, plen;
	uint8_t mac[WRAP_HMAC_MAX];
	int rc;

	if (len < hdr)
		return WRAP_ERR_SHORT;
	plen = len - hdr;
	if (cap < HDR + plen)
		return WRAP_ERR_NOSPACE;
	struct part parts[] = {
		{ wire + HDR + h, WRAP_PID_LEN }, { wire, HDR }, { wire + hdr, plen } };
	rc = hmac_parts(ctx->digest, ctx->recv_hmac, h, parts, 3, mac, h);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(mac, wire + HDR, h) != 0)
		return WRAP_ERR_AUTH;
	rc = accept_pid(ctx, wire + HDR + h, now_s);
	if (rc < 0)
		return rc;
	memmove(out, wire, HDR);
	memmove(out + HDR, wire + hdr, plen);
	return (int)(HDR + plen);
}

static int decode_crypt(struct wrap_ctx *ctx, const uint8_t *wire, size_t len, uint64_t now_s,
			uint8_t *out, size_t cap)
{
	uint8_t ad[HDR + WRAP_PID_LEN], tag[WRAP_TAG_LEN], mac[WRAP_TAG_LEN];
	size_t plen;
	int rc;

	if (len < CRYPT_HDR)
		return WRAP_ERR_SHORT;
	if (ctx->mode == WRAP_CRYPT_V2 && ctx->is_server && carries_wkc(wire[0])) {
		rc = wrap_v2_find_wkc(wire, len);
		if (rc < 0)
			return rc;
		len = (size_t)rc;
	}
	plen = len - CRYPT_HDR;
	if (cap < HDR + plen)
		return WRAP_ERR_NOSPACE;
	/* Copy header and tag first: out may alias wire. */
	memcpy(ad, wire, sizeof(ad));
	memcpy(tag, wire + sizeof(ad), sizeof(tag));
	/* Decrypt in place: OpenSSL refuses partially overlapping buffers (out == wire). */
	memmove(out + HDR, wire + CRYPT_HDR, plen);
	rc = aes_ctr(ctx->recv_cipher, tag, out + HDR, plen, out + HDR);
	if (rc < 0)
		return rc;
	struct part parts[] = { { ad, sizeof(ad) }, { out + HDR, plen } };
	rc = hmac_parts("SHA256", ctx->recv_hmac, 32, parts, 2, mac, sizeof(mac));
	if (rc == 0 && CRYPTO_memcmp(mac, tag, sizeof(tag)) != 0)
		rc = WRAP_ERR_AUTH;
	if (rc == 0)
		rc = accept_pid(ctx, ad + HDR, now_s);
	if (rc < 0) {
		OPENSSL_cleanse(out + HDR, plen);	/* unauthenticated plaintext */
		return rc;
	}
	memcpy(out, ad, HDR);
	return (int)(HDR + plen);
}

static void count_rx(struct wrap_stats *st, int rc)
{
	switch (rc) {
	case WRAP_ERR_SHORT: st->rx_short++; break;
	case WRAP_ERR_TOO_BIG: st->rx_too_big++; break;
	case WRAP_ERR_AUTH: st->rx_auth++; break;
	case WRAP_ERR_REPLAY: st->rx_replay++; break;
	case WRAP_ERR_WKC: st->rx_wkc++; break;
	case WRAP_ERR_NOSPACE: st->rx_nospace++; break;
	default:
		if (rc < 0)
			st->rx_crypto++;
		else
			st->rx_ok++;
	}
}

int wrap_decode(struct wrap_ctx *ctx, const uint8_t *wire, size_t len, uint64_t now_s,
		uint8_t *out, size_t cap)
{
	int rc;

	if (!ctx || !wire || !out)
		return WRAP_ERR_STATE;
	if (ctx->mode == WRAP_UNSET)
		rc = WRAP_ERR_STATE;	/* fail closed: never pass packets through unchecked */
	else if (len < HDR)
		rc = WRAP_ERR_SHORT;
	else if (len > WRAP_WIRE_MAX)
		rc = WRAP_ERR_TOO_BIG;
	else if (ctx->mode == WRAP_NONE)
		rc = cap < len ? WRAP_ERR_NOSPACE : (memmove(out, wire, len), (int)len);
	else if (ctx->mode == WRAP_AUTH)
		rc = decode_auth(ctx, wire, len, now_s, out, cap);
	else if (ctx->mode == WRAP_CRYPT || ctx->mode == WRAP_CRYPT_V2)
		rc = decode_crypt(ctx, wire, len, now_s, out, cap);
	else
		rc = WRAP_ERR_STATE;
	count_rx(&ctx->stats, rc);
	return rc;
}

int wrap_v2_find_wkc(const uint8_t *wire, size_t len)
{
	size_t n;

	if (!wire || len < CRYPT_HDR + 2)
		return WRAP_ERR_WKC;
	n = bytes_get_u16(wire + len - 2);
	if (n < WRAP_WKC_MIN || n > WRAP_WKC_MAX || n > len - CRYPT_HDR)
		return WRAP_ERR_WKC;
	return (int)(len - n);
}

int wrap_v2_wrap_kc(const uint8_t server_key[WRAP_V2_SERVER_KEY_LEN],
		    const uint8_t kc[WRAP_KEY2_LEN], const uint8_t *meta, size_t meta_len,
		    uint8_t *wkc, size_t cap)
{
	size_t total = WRAP_WKC_MIN + meta_len;
	uint8_t lenb[2];
	int rc;

	if (!server_key || !kc || (meta_len && !meta) || meta_len > WRAP_META_MAX)
		return WRAP_ERR_WKC;
	if (!wkc || cap < total)
		return WRAP_ERR_NOSPACE;
	bytes_put_u16(lenb, (uint16_t)total);
	/* T = HMAC-SHA256(Ka, len || Kc || metadata); Ka = hmac[0..31] of the server key. */
	struct part parts[] = { { lenb, 2 }, { kc, WRAP_KEY2_LEN }, { meta, meta_len } };
	rc = hmac_parts("SHA256", server_key + 64, 32, parts, 3, wkc, WRAP_TAG_LEN);
	if (rc < 0)
		return rc;
	memcpy(wkc + WRAP_TAG_LEN, kc, WRAP_KEY2_LEN);
	if (meta_len)
		memcpy(wkc + WRAP_TAG_LEN + WRAP_KEY2_LEN, meta, meta_len);
	rc = aes_ctr(server_key, wkc, wkc + WRAP_TAG_LEN, WRAP_KEY2_LEN + meta_len,
		     wkc + WRAP_TAG_LEN);
	if (rc < 0)
		return rc;
	memcpy(wkc + total - 2, lenb, 2);
	return (int)total;
}

int wrap_v2_unwrap_wkc(const uint8_t server_key[WRAP_V2_SERVER_KEY_LEN],
		       const uint8_t *wkc, size_t wkc_len, uint8_t kc[WRAP_KEY2_LEN],
		       uint8_t *meta, size_t meta_cap, size_t *meta_len)
{
	uint8_t plain[WRAP_WKC_MAX], mac[WRAP_TAG_LEN];
	size_t n;
	int rc = WRAP_ERR_WKC;

	if (!server_key || !wkc || wkc_len < WRAP_WKC_MIN || wkc_len > WRAP_WKC_MAX)
		return WRAP_ERR_WKC;
	if (bytes_get_u16(wkc + wkc_len - 2) != wkc_len)
		return WRAP_ERR_WKC;
	n = wkc_len - WRAP_TAG_LEN - 2;		/* Kc || metadata */
	if (aes_ctr(server_key, wkc, wkc + WRAP_TAG_LEN, n, plain) < 0)
		goto out;
	struct part parts[] = { { wkc + wkc_len - 2, 2 }, { plain, n } };
	if (hmac_parts("SHA256", server_key + 64, 32, parts, 2, mac, sizeof(mac)) < 0)
		goto out;
	if (CRYPTO_memcmp(mac, wkc, sizeof(mac)) != 0)
		goto out;
	if (n - WRAP_KEY2_LEN > meta_cap)
		goto out;
	memcpy(kc, plain, WRAP_KEY2_LEN);
	if (meta && n > WRAP_KEY2_LEN)
		memcpy(meta, plain + WRAP_KEY2_LEN, n - WRAP_KEY2_LEN);
	if (meta_len)
		*meta_len = n - WRAP_KEY2_LEN;
	rc = 0;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

static const char *const wrap_errs[] = {
	[WRAP_ERR_BASE - WRAP_ERR_SHORT] = "packet too short for its wrapping",
	[WRAP_ERR_BASE - WRAP_ERR_TOO_BIG] = "packet too big",
	[WRAP_ERR_BASE - WRAP_ERR_AUTH] = "HMAC/tag mismatch",
	[WRAP_ERR_BASE - WRAP_ERR_REPLAY] = "replayed control packet-id",
	[WRAP_ERR_BASE - WRAP_ERR_WKC] = "bad tls-crypt-v2 wrapped client key",
	[WRAP_ERR_BASE - WRAP_ERR_NOSPACE] = "output buffer too small",
	[WRAP_ERR_BASE - WRAP_ERR_CRYPTO] = "crypto library failure",
	[WRAP_ERR_BASE - WRAP_ERR_EXHAUSTED] = "control packet-id exhausted",
	[WRAP_ERR_BASE - WRAP_ERR_STATE] = "wrap context not usable for this",
};

const char *wrap_strerror(int err)
{
	if (err <= WRAP_ERR_BASE - 1 && err >= WRAP_ERR_LAST)
		return wrap_errs[WRAP_ERR_BASE - err];
	return err < 0 ? "unknown wrap error" : "ok";
}
