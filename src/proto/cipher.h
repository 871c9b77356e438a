/* Data-channel algorithm table: OpenVPN cipher/digest names <-> OpenSSL EVP, sizes, kind.
 *
 * Names are matched case-insensitively ("aes-256-gcm" == "AES-256-GCM"); the canonical
 * spelling is the one OpenVPN prints and puts in IV_CIPHERS / PUSH_REPLY ("cipher X").
 * The table is static data: lookups allocate nothing and are thread-safe.
 */
#ifndef BURROW_PROTO_CIPHER_H
#define BURROW_PROTO_CIPHER_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

enum cipher_kind {
	CIPHER_KIND_NONE = 0,	/* "none": no encryption (HMAC only, if any) */
	CIPHER_KIND_AEAD,	/* GCM / ChaCha20-Poly1305, spec §9.2 */
	CIPHER_KIND_CBC,	/* CBC + HMAC, spec §9.3 */
};

#define CIPHER_MAX_KEY_LEN 32	/* fits in the 64-byte key2 slot */
#define CIPHER_MAX_IV_LEN 16
#define CIPHER_AEAD_TAG_LEN 16
#define CIPHER_DIGEST_MAX_LEN 64	/* SHA512; the key2 hmac slot is 64 bytes */

/* OpenVPN 2.6's default data-ciphers list: the one place it is written. The config table
 * (data-ciphers default), the session (sess_conf.data_ciphers NULL) and the client's
 * IV_CIPHERS default all use this. */
#define CIPHER_DEFAULT_LIST "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305"

struct cipher_info {
	const char *name;	/* canonical OpenVPN name, e.g. "AES-256-GCM" */
	const char *evp_name;	/* name for EVP_CIPHER_fetch(); NULL for "none" */
	enum cipher_kind kind;
	unsigned key_len;	/* bytes taken from key2 cipher slot */
	unsigned iv_len;	/* AEAD nonce length (12) or CBC IV/block length (16) */
	unsigned block_len;	/* 1 for AEAD stream modes, 16 for AES-CBC */
	unsigned tag_len;	/* AEAD tag length (16), else 0 */
};

struct cipher_digest {
	const char *name;	/* canonical OpenVPN name, e.g. "SHA256" */
	const char *evp_name;	/* name for EVP_MD_fetch(); NULL for "none" */
	unsigned len;		/* digest (= HMAC output and key) length; 0 for "none" */
};

/* Look up a cipher by OpenVPN or OpenSSL spelling (case-insensitive). NULL if unknown. */
const struct cipher_info *cipher_find(const char *name);
/* Same for a digest ("SHA1", "sha256", "none", ...). */
const struct cipher_digest *cipher_digest_find(const char *name);

/* The n-th table entry (NULL past the end): for listing supported ciphers. */
const struct cipher_info *cipher_at(size_t i);

/* Fetch the EVP object. Returns NULL for "none" or when the running OpenSSL lacks it
 * (e.g. a FIPS provider without ChaCha20). The caller frees with EVP_CIPHER_free/EVP_MD_free. */
EVP_CIPHER *cipher_evp_fetch(const struct cipher_info *c);
EVP_MD *cipher_digest_evp_fetch(const struct cipher_digest *d);

/* True if OpenSSL can actually provide this cipher (probes once per call; not for hot paths). */
bool cipher_available(const struct cipher_info *c);

static inline bool cipher_is_aead(const struct cipher_info *c)
{
	return c && c->kind == CIPHER_KIND_AEAD;
}

/* Parse a colon-separated list ("AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", as in
 * data-ciphers / IV_CIPHERS). Unknown names are skipped and counted in *unknown (may be NULL)
 * -- OpenVPN tolerates peers that list ciphers it lacks; duplicates are dropped.
 * Returns the number of entries stored in out (<= cap), -EINVAL for an empty element or a
 * name longer than 63 chars, -E2BIG if more than cap known ciphers. */
int cipher_list_parse(const char *list, const struct cipher_info **out, size_t cap,
		      size_t *unknown);

/* Write "A:B:C" (canonical names) into buf. Returns the length, or -ENOSPC. */
int cipher_list_format(const struct cipher_info *const *list, size_t n, char *buf, size_t cap);

/* First entry of `ours` (preference order) that also appears in `theirs`; NULL if none. */
const struct cipher_info *cipher_list_pick(const struct cipher_info *const *ours, size_t n_ours,
					   const struct cipher_info *const *theirs,
					   size_t n_theirs);

#endif
