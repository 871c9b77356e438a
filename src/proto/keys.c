/* Key method 2 messages and data-key derivation (spec §7.1, §7.3). See keys.h. */
#include "proto/keys.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "proto/tls.h"
#include "util/bytes.h"

#define KEYS_MASTER_LEN 48
#define KEYS_LABEL_MASTER "OpenVPN master secret"
#define KEYS_LABEL_EXPAND "OpenVPN key expansion"

/* ---- KM2 message ---- */

int keys_km2_init(struct keys_km2 *km, bool from_client)
{
	memset(km, 0, sizeof(*km));
	km->from_client = from_client;
	if ((from_client && RAND_bytes(km->pre_master, sizeof(km->pre_master)) != 1) ||
	    RAND_bytes(km->random1, sizeof(km->random1)) != 1 ||
	    RAND_bytes(km->random2, sizeof(km->random2)) != 1)
		return -EIO;
	return 0;
}

static int keys_set_str(char *dst, size_t max, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max)
		return -EMSGSIZE;
	memcpy(dst, s ? s : "", n);
	dst[n] = '\0';
	return 0;
}

int keys_km2_set_options(struct keys_km2 *km, const char *s)
{
	return keys_set_str(km->options, KEYS_OPTIONS_MAX, s);
}

int keys_km2_set_auth(struct keys_km2 *km, const char *user, const char *pass)
{
	int rc = keys_set_str(km->username, KEYS_USERPASS_MAX, user);

	return rc ? rc : keys_set_str(km->password, KEYS_USERPASS_MAX, pass);
}

int keys_km2_set_peer_info(struct keys_km2 *km, const char *s)
{
	return keys_set_str(km->peer_info, KEYS_PEERINFO_MAX, s);
}

void keys_km2_clear(struct keys_km2 *km)
{
	OPENSSL_cleanse(km, sizeof(*km));
}

/* A cursor over a bounded output buffer. */
struct keys_wbuf {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
};

static void keys_put(struct keys_wbuf *w, const void *src, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

/* u16 length including the NUL, the bytes, the NUL; empty = 00 00. */
static void keys_put_str(struct keys_wbuf *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	uint8_t hdr[2];

	if (n > max) {
		w->overflow = true;
		return;
	}
	bytes_put_u16(hdr, (uint16_t)(n ? n + 1 : 0));
	keys_put(w, hdr, 2);
	if (n)
		keys_put(w, s, n + 1);
}

int keys_km2_build(const struct keys_km2 *km, uint8_t *out, size_t cap)
{
	static const uint8_t head[5] = { 0, 0, 0, 0, KEYS_METHOD };
	struct keys_wbuf w = { .p = out, .cap = cap };

	keys_put(&w, head, sizeof(head));
	if (km->from_client)
		keys_put(&w, km->pre_master, sizeof(km->pre_master));
	keys_put(&w, km->random1, sizeof(km->random1));
	keys_put(&w, km->random2, sizeof(km->random2));
	keys_put_str(&w, km->options, KEYS_OPTIONS_MAX);
	keys_put_str(&w, km->username, KEYS_USERPASS_MAX);
	keys_put_str(&w, km->password, KEYS_USERPASS_MAX);
	keys_put_str(&w, km->peer_info, KEYS_PEERINFO_MAX);
	if (w.overflow)
		return -ENOSPC;
	return (int)w.len;
}

struct keys_rbuf {
	const uint8_t *p;
	size_t len, off;
};

static int keys_get(struct keys_rbuf *r, void *dst, size_t n)
{
	if (n > r->len - r->off)
		return -EBADMSG;
	memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

/* One length-prefixed string into dst (max chars + NUL). */
static int keys_get_str(struct keys_rbuf *r, char *dst, size_t max)
{
	uint8_t hdr[2];
	size_t n;

	if (keys_get(r, hdr, 2))
		return -EBADMSG;
	n = bytes_get_u16(hdr);
	dst[0] = '\0';
	if (n == 0)
		return 0;
	if (n - 1 > max)
		return -EMSGSIZE;
	if (n > r->len - r->off)
		return -EBADMSG;
	/* Exactly one NUL, at the end: an embedded one would hide the rest. */
	if (r->p[r->off + n - 1] != '\0' || memchr(r->p + r->off, '\0', n - 1))
		return -EBADMSG;
	memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

static int keys_km2_parse_body(struct keys_km2 *km, struct keys_rbuf *r)
{
	uint8_t head[5];
	int rc;

	if (keys_get(r, head, sizeof(head)))
		return -EBADMSG;
	/* Literal zero, then the method in the low 4 bits (upper bits: flags, none defined). */
	if (head[0] || head[1] || head[2] || head[3] || (head[4] & 0x0f) != KEYS_METHOD)
		return -EBADMSG;
	if (km->from_client && keys_get(r, km->pre_master, sizeof(km->pre_master)))
		return -EBADMSG;
	if (keys_get(r, km->random1, sizeof(km->random1)) ||
	    keys_get(r, km->random2, sizeof(km->random2)))
		return -EBADMSG;
	rc = keys_get_str(r, km->options, KEYS_OPTIONS_MAX);
	/* OpenVPN accepts a record that ends after the options string: the rest is empty. */
	if (rc || r->off == r->len)
		return rc;
	rc = keys_get_str(r, km->username, KEYS_USERPASS_MAX);
	if (!rc)
		rc = keys_get_str(r, km->password, KEYS_USERPASS_MAX);
	if (!rc && r->off < r->len)
		rc = keys_get_str(r, km->peer_info, KEYS_PEERINFO_MAX);
	if (!rc && r->off != r->len)
		rc = -EBADMSG;	/* the KM2 message is alone in its record (§3.2) */
	return rc;
}

int keys_km2_parse(struct keys_km2 *km, bool from_client, const uint8_t *in, size_t len)
{
	struct keys_rbuf r = { .p = in, .len = len };
	int rc;

	memset(km, 0, sizeof(*km));
	km->from_client = from_client;
	rc = keys_km2_parse_body(km, &r);
	if (rc)
		keys_km2_clear(km);
	return rc;
}

/* ---- TLS 1.0 PRF (RFC 2246 §5), written out so the test can check it against
 * OpenSSL's own TLS1-PRF KDF ---- */

/* out ^= P_hash(secret, seed) for out_len bytes (xor lets P_MD5 and P_SHA1 combine). */
static int keys_p_hash_xor(const char *digest, const uint8_t *secret, size_t slen,
			   const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	uint8_t a[EVP_MAX_MD_SIZE], blk[EVP_MAX_MD_SIZE];
	size_t alen = 0, blen = 0, done = 0;
	int rc = -EIO;

	if (!ctx)
		goto out;
	/* A(1) = HMAC(secret, seed) */
	if (!EVP_MAC_init(ctx, secret, slen, params) || !EVP_MAC_update(ctx, seed, seed_len) ||
	    !EVP_MAC_final(ctx, a, &alen, sizeof(a)))
		goto out;
	while (done < out_len) {
		/* block = HMAC(secret, A(i) || seed); A(i+1) = HMAC(secret, A(i)) */
		if (!EVP_MAC_init(ctx, NULL, 0, NULL) || !EVP_MAC_update(ctx, a, alen) ||
		    !EVP_MAC_update(ctx, seed, seed_len) ||
		    !EVP_MAC_final(ctx, blk, &blen, sizeof(blk)))
			goto out;
		for (size_t i = 0; i < blen && done < out_len; i++)
			out[done++] ^= blk[i];
		if (!EVP_MAC_init(ctx, NULL, 0, NULL) || !EVP_MAC_update(ctx, a, alen) ||
		    !EVP_MAC_final(ctx, a, &alen, sizeof(a)))
			goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(blk, sizeof(blk));
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (rc)
		ERR_clear_error();
	return rc;
}

int keys_tls1_prf(const uint8_t *secret, size_t secret_len, const uint8_t *seed,
		  size_t seed_len, uint8_t *out, size_t out_len)
{
	/* S1 = first ceil(len/2) bytes, S2 = last ceil(len/2): they overlap by one byte when
	 * the secret length is odd. */
	size_t half = (secret_len + 1) / 2;
	int rc;

	memset(out, 0, out_len);
	rc = keys_p_hash_xor("MD5", secret, half, seed, seed_len, out, out_len);
	if (!rc)
		rc = keys_p_hash_xor("SHA1", secret + (secret_len - half), half, seed, seed_len,
				     out, out_len);
	if (rc)
		OPENSSL_cleanse(out, out_len);
	return rc;
}

/* seed = label || parts[0] || parts[1] ..., each part 32 or 8 bytes. */
static size_t keys_seed(uint8_t *seed, size_t cap, const char *label,
			const uint8_t *const *parts, const size_t *lens, int n)
{
	size_t len = strlen(label);

	memcpy(seed, label, len);
	for (int i = 0; i < n; i++) {
		if (lens[i] > cap - len)
			return 0;
		memcpy(seed + len, parts[i], lens[i]);
		len += lens[i];
	}
	return len;
}

int keys_prf_key2(const struct keys_km2 *c, const struct keys_km2 *s,
		  const uint8_t csid[KEYS_SID_LEN], const uint8_t ssid[KEYS_SID_LEN],
		  uint8_t key2[KEYS_KEY2_LEN])
{
	uint8_t master[KEYS_MASTER_LEN];
	uint8_t seed[64 + 2 * KEYS_RANDOM_LEN + 2 * KEYS_SID_LEN];
	const uint8_t *mparts[] = { c->random1, s->random1 };
	const size_t mlens[] = { KEYS_RANDOM_LEN, KEYS_RANDOM_LEN };
	const uint8_t *kparts[] = { c->random2, s->random2, csid, ssid };
	const size_t klens[] = { KEYS_RANDOM_LEN, KEYS_RANDOM_LEN, KEYS_SID_LEN, KEYS_SID_LEN };
	size_t n;
	int rc;

	n = keys_seed(seed, sizeof(seed), KEYS_LABEL_MASTER, mparts, mlens, 2);
	rc = keys_tls1_prf(c->pre_master, sizeof(c->pre_master), seed, n, master,
			   sizeof(master));
	if (!rc) {
		n = keys_seed(seed, sizeof(seed), KEYS_LABEL_EXPAND, kparts, klens, 4);
		rc = keys_tls1_prf(master, sizeof(master), seed, n, key2, KEYS_KEY2_LEN);
	}
	OPENSSL_cleanse(master, sizeof(master));
	return rc;
}

int keys_ekm_key2(struct tls_sess *sess, uint8_t key2[KEYS_KEY2_LEN])
{
	return tls_export_ekm(sess, KEYS_EKM_LABEL, key2, KEYS_KEY2_LEN);
}

int keys_ekm_p2p_peer_id(struct tls_sess *sess, uint32_t *peer_id)
{
	uint8_t b[3];
	int rc = tls_export_ekm(sess, KEYS_P2P_PEERID_LABEL, b, sizeof(b));

	if (rc)
		return rc;
	*peer_id = ((uint32_t)b[0] << 16) | ((uint32_t)b[1] << 8) | b[2];
	return 0;
}
