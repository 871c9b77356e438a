/* Key file formats: OpenVPN Static key V1 (hex) and tls-crypt-v2 keys (base64), §5.1/§5.4. */
#include "proto/statickey.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "proto/wrap.h"
#include "util/bytes.h"
#include "util/strbuf.h"

#define V1_NAME "OpenVPN Static key V1"
#define V2_SERVER_NAME "OpenVPN tls-crypt-v2 server key"
#define V2_CLIENT_NAME "OpenVPN tls-crypt-v2 client key"
#define LINE_HEX 32		/* hex digits per line, as openvpn writes them */
#define LINE_B64 64

/* Armour lines: "-----BEGIN <name>-----" and "-----END <name>-----". */
static int armour(const char *kind, const char *name, char *out, size_t cap)
{
	size_t k = strlen(kind), n = strlen(name);

	if (cap < 5 + k + 1 + n + 5 + 1)
		return -ENOBUFS;
	memcpy(out, "-----", 5);
	memcpy(out + 5, kind, k);
	out[5 + k] = ' ';
	memcpy(out + 6 + k, name, n);
	memcpy(out + 6 + k + n, "-----", 5);
	out[11 + k + n] = '\0';
	return (int)(11 + k + n);
}

static const char *find(const char *hay, size_t hlen, const char *needle)
{
	return memmem(hay, hlen, needle, strlen(needle));
}

/* Finds the body between the BEGIN and END lines of name.  Exactly one BEGIN. */
static int body(const char *text, size_t len, const char *name, const char **b, size_t *blen)
{
	char begin[96], end[96];
	const char *p, *q;
	size_t off;

	if (!text || armour("BEGIN", name, begin, sizeof(begin)) < 0 ||
	    armour("END", name, end, sizeof(end)) < 0)
		return -EINVAL;
	p = find(text, len, begin);
	if (!p)
		return -EINVAL;
	off = (size_t)(p - text) + strlen(begin);
	if (find(text + off, len - off, begin))
		return -EINVAL;
	q = find(text + off, len - off, end);
	if (!q)
		return -EINVAL;
	*b = text + off;
	*blen = (size_t)(q - *b);
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Digit values: c in [lo, hi] is worth base + (c - lo). */
struct digit_range {
	char lo, hi;
	int base;
};

static const struct digit_range hex_digits[] = {
	{ '0', '9', 0 }, { 'a', 'f', 10 }, { 'A', 'F', 10 },
};
static const struct digit_range b64_digits[] = {
	{ 'A', 'Z', 0 }, { 'a', 'z', 26 }, { '0', '9', 52 }, { '+', '+', 62 }, { '/', '/', 63 },
};

/* The value of digit c in the given ranges, or -1. */
static int digit_val(char c, const struct digit_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return r[i].base + (c - r[i].lo);
	return -1;
}

static int hexval(char c)
{
	return digit_val(c, hex_digits, sizeof(hex_digits) / sizeof(hex_digits[0]));
}

int skey_parse(const char *text, size_t len, uint8_t key[SKEY_LEN])
{
	const char *b;
	size_t blen, nd = 0;
	uint8_t tmp[SKEY_LEN];
	int rc = body(text, len, V1_NAME, &b, &blen);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < blen; i++) {
		int v = hexval(b[i]);

		if (is_space(b[i]))
			continue;
		if (v < 0 || nd >= 2 * SKEY_LEN) {
			rc = -EINVAL;
			goto out;
		}
		tmp[nd / 2] = (uint8_t)(nd % 2 ? (tmp[nd / 2] | v) : v << 4);
		nd++;
	}
	if (nd != 2 * SKEY_LEN) {
		rc = -EINVAL;
		goto out;
	}
	memcpy(key, tmp, SKEY_LEN);
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}


static int put_armour(char *out, size_t cap, size_t *off, const char *kind, const char *name)
{
	char line[96];
	int n = armour(kind, name, line, sizeof(line));

	if (n < 0 || strbuf_put(out, cap, off, line, (size_t)n) < 0)
		return -ENOBUFS;
	return strbuf_put(out, cap, off, "\n", 1);
}

int skey_format(const uint8_t key[SKEY_LEN], char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t off = 0;

	if (!out || cap == 0)
		return -ENOBUFS;
	out[0] = '\0';
	if (put_armour(out, cap, &off, "BEGIN", V1_NAME) < 0)
		return -ENOBUFS;
	for (size_t i = 0; i < SKEY_LEN; i++) {
		char hx[3] = { digits[key[i] >> 4], digits[key[i] & 15], '\n' };
		bool eol = (i + 1) % (LINE_HEX / 2) == 0;

		if (strbuf_put(out, cap, &off, hx, eol ? 3 : 2) < 0)
			return -ENOBUFS;
	}
	if (put_armour(out, cap, &off, "END", V1_NAME) < 0)
		return -ENOBUFS;
	return (int)off;
}

/* n random bytes written out with format (and copied to key when not NULL). */
static int skey_random(size_t n, int (*format)(const uint8_t *, char *, size_t), char *out,
		       size_t cap, uint8_t *key)
{
	uint8_t k[SKEY_LEN];	/* the larger of SKEY_LEN and SKEY_V2_SERVER_LEN */
	int rc;

	if (n > sizeof(k) || RAND_bytes(k, (int)n) != 1)
		return -EIO;
	rc = format(k, out, cap);
	if (rc >= 0 && key)
		memcpy(key, k, n);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int skey_generate(char *out, size_t cap, uint8_t key[SKEY_LEN])
{
	return skey_random(SKEY_LEN, skey_format, out, cap, key);
}

int skey_halves(const uint8_t key[SKEY_LEN], int dir, const uint8_t **send,
		const uint8_t **recv)
{
	switch (dir) {
	case SKEY_DIR_NORMAL:
		*send = key;
		*recv = key + SKEY_HALF;
		return 0;
	case SKEY_DIR_INVERSE:
		*send = key + SKEY_HALF;
		*recv = key;
		return 0;
	case SKEY_DIR_BIDI:
		*send = key;
		*recv = key;
		return 0;
	default:
		return -EINVAL;
	}
}

static int b64val(char c)
{
	return digit_val(c, b64_digits, sizeof(b64_digits) / sizeof(b64_digits[0]));
}

/* Strict base64 (whitespace skipped, '=' only as final padding).  Returns bytes or -EINVAL. */
static long b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t bits = 0, len = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64val(s[i]);

		if (is_space(s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (v < 0 || pad)
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len >= cap)
				return -EINVAL;
			out[len++] = (uint8_t)(acc >> bits);
		}
	}
	/* Leftover bits must be zero padding and the '=' count must match. */
	if (pad > 2 || (bits / 2) != pad || (acc & ((1u << bits) - 1)) != 0)
		return -EINVAL;
	return (long)len;
}

static int b64_encode_lines(const uint8_t *in, size_t n, char *out, size_t cap, size_t *off)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		if (strbuf_put(out, cap, off, q, 4) < 0)
			return -ENOBUFS;
		col += 4;
		if (col == LINE_B64 || i + 3 >= n) {
			if (strbuf_put(out, cap, off, "\n", 1) < 0)
				return -ENOBUFS;
			col = 0;
		}
	}
	return 0;
}

static int b64_format(const char *name, const uint8_t *a, size_t alen, const uint8_t *b,
		      size_t blen, char *out, size_t cap)
{
	uint8_t buf[SKEY_LEN + SKEY_WKC_MAX];
	size_t off = 0;
	int rc = -ENOBUFS;

	if (!out || cap == 0 || alen + blen > sizeof(buf))
		return -ENOBUFS;
	out[0] = '\0';
	memcpy(buf, a, alen);
	if (blen)
		memcpy(buf + alen, b, blen);
	if (put_armour(out, cap, &off, "BEGIN", name) < 0 ||
	    b64_encode_lines(buf, alen + blen, out, cap, &off) < 0 ||
	    put_armour(out, cap, &off, "END", name) < 0)
		goto out;
	rc = (int)off;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int skey_v2_server_parse(const char *text, size_t len, uint8_t key[SKEY_V2_SERVER_LEN])
{
	uint8_t buf[SKEY_V2_SERVER_LEN];
	const char *b;
	size_t blen;
	long n;
	int rc = body(text, len, V2_SERVER_NAME, &b, &blen);

	if (rc < 0)
		return rc;
	n = b64_decode(b, blen, buf, sizeof(buf));
	if (n != SKEY_V2_SERVER_LEN)
		rc = -EINVAL;
	else
		memcpy(key, buf, SKEY_V2_SERVER_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int skey_v2_server_format(const uint8_t key[SKEY_V2_SERVER_LEN], char *out, size_t cap)
{
	return b64_format(V2_SERVER_NAME, key, SKEY_V2_SERVER_LEN, NULL, 0, out, cap);
}

int skey_v2_server_generate(char *out, size_t cap, uint8_t key[SKEY_V2_SERVER_LEN])
{
	return skey_random(SKEY_V2_SERVER_LEN, skey_v2_server_format, out, cap, key);
}

int skey_v2_client_parse(const char *text, size_t len, uint8_t kc[SKEY_LEN],
			 uint8_t *wkc, size_t wkc_cap, size_t *wkc_len)
{
	uint8_t buf[SKEY_LEN + SKEY_WKC_MAX];
	const char *b;
	size_t blen, w;
	long n;
	int rc = body(text, len, V2_CLIENT_NAME, &b, &blen);

	if (rc < 0)
		return rc;
	rc = -EINVAL;
	n = b64_decode(b, blen, buf, sizeof(buf));
	if (n < (long)(SKEY_LEN + WRAP_WKC_MIN))
		goto out;
	w = (size_t)n - SKEY_LEN;
	/* The WKc ends with its own total length (§5.4). */
	if (bytes_get_u16(buf + n - 2) != w || w > wkc_cap || !wkc)
		goto out;
	memcpy(kc, buf, SKEY_LEN);
	memcpy(wkc, buf + SKEY_LEN, w);
	if (wkc_len)
		*wkc_len = w;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int skey_v2_client_format(const uint8_t kc[SKEY_LEN], const uint8_t *wkc, size_t wkc_len,
			  char *out, size_t cap)
{
	if (!kc || !wkc || wkc_len > SKEY_WKC_MAX)
		return -EINVAL;
	return b64_format(V2_CLIENT_NAME, kc, SKEY_LEN, wkc, wkc_len, out, cap);
}

int skey_v2_client_generate(const uint8_t server_key[SKEY_V2_SERVER_LEN], const uint8_t *meta,
			    size_t meta_len, char *out, size_t cap, uint8_t kc[SKEY_LEN])
{
	uint8_t k[SKEY_LEN], wkc[SKEY_WKC_MAX];
	int n, rc = -EINVAL;

	if (!server_key || meta_len > WRAP_META_MAX || (meta_len && !meta))
		return -EINVAL;
	if (RAND_bytes(k, sizeof(k)) != 1)
		return -EIO;
	n = wrap_v2_wrap_kc(server_key, k, meta, meta_len, wkc, sizeof(wkc));
	if (n < 0)
		goto out;
	rc = skey_v2_client_format(k, wkc, (size_t)n, out, cap);
	if (rc >= 0 && kc)
		memcpy(kc, k, sizeof(k));
out:
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

void skey_v2_meta_timestamp(uint64_t unix_s, uint8_t meta[9])
{
	meta[0] = SKEY_META_TIMESTAMP;
	for (int i = 0; i < 8; i++)
		meta[1 + i] = (uint8_t)(unix_s >> (56 - 8 * i));
}
