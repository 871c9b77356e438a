/* Key file formats (spec §5.1, §5.4), from and to memory (file I/O stays with the caller):
 *   "OpenVPN Static key V1"            256 bytes as hex (tls-auth, tls-crypt)
 *   "OpenVPN tls-crypt-v2 server key"  128 bytes, base64
 *   "OpenVPN tls-crypt-v2 client key"  Kc (256) || WKc, base64
 * Parsers return 0 or -EINVAL (no/duplicate/garbled armour, wrong length, bad digits);
 * formatters return the text length (NUL-terminated) or -ENOBUFS.
 */
#ifndef BURROW_PROTO_STATICKEY_H
#define BURROW_PROTO_STATICKEY_H

#include <stddef.h>
#include <stdint.h>

#define SKEY_LEN 256
#define SKEY_HALF 128			/* cipher[64] || hmac[64] */
#define SKEY_V2_SERVER_LEN 128
#define SKEY_WKC_MAX 1024
#define SKEY_TEXT_MAX 2048		/* enough for any of the three formats */
/* tls-crypt-v2 metadata types (§5.4). */
#define SKEY_META_USER 0x00
#define SKEY_META_TIMESTAMP 0x01

/* Key direction (§5.1): which 128-byte half sends and which receives. */
enum skey_dir { SKEY_DIR_BIDI = -1, SKEY_DIR_NORMAL = 0, SKEY_DIR_INVERSE = 1 };

int skey_parse(const char *text, size_t len, uint8_t key[SKEY_LEN]);
int skey_format(const uint8_t key[SKEY_LEN], char *out, size_t cap);
/* 256 random bytes (RAND_bytes) in the V1 format; the raw key too if key is not NULL.
 * -EIO if the RNG fails. */
int skey_generate(char *out, size_t cap, uint8_t key[SKEY_LEN]);
/* Send/receive halves for a direction: NORMAL sends key[0] receives key[1]; INVERSE the
 * opposite; BIDI uses key[0] both ways.  -EINVAL for another value. */
int skey_halves(const uint8_t key[SKEY_LEN], int dir, const uint8_t **send,
		const uint8_t **recv);

int skey_v2_server_parse(const char *text, size_t len, uint8_t key[SKEY_V2_SERVER_LEN]);
int skey_v2_server_format(const uint8_t key[SKEY_V2_SERVER_LEN], char *out, size_t cap);
int skey_v2_server_generate(char *out, size_t cap, uint8_t key[SKEY_V2_SERVER_LEN]);

int skey_v2_client_parse(const char *text, size_t len, uint8_t kc[SKEY_LEN],
			 uint8_t *wkc, size_t wkc_cap, size_t *wkc_len);
int skey_v2_client_format(const uint8_t kc[SKEY_LEN], const uint8_t *wkc, size_t wkc_len,
			  char *out, size_t cap);
/* A new client key: random Kc wrapped with the server key and metadata (type byte || data,
 * e.g. from skey_v2_meta_timestamp()).  kc may be NULL.  -EINVAL for oversized metadata. */
int skey_v2_client_generate(const uint8_t server_key[SKEY_V2_SERVER_LEN], const uint8_t *meta,
			    size_t meta_len, char *out, size_t cap, uint8_t kc[SKEY_LEN]);
/* The default metadata: 0x01 || u64 BE Unix time (9 bytes). */
void skey_v2_meta_timestamp(uint64_t unix_s, uint8_t meta[9]);

#endif
