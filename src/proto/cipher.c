/* Data-channel algorithm table. Sizes are OpenVPN's (spec §7.3, §9.2, §9.3). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "proto/cipher.h"

static const struct cipher_info cipher_table[] = {
	{ "AES-256-GCM", "AES-256-GCM", CIPHER_KIND_AEAD, 32, 12, 1, 16 },
	{ "AES-128-GCM", "AES-128-GCM", CIPHER_KIND_AEAD, 16, 12, 1, 16 },
	{ "AES-192-GCM", "AES-192-GCM", CIPHER_KIND_AEAD, 24, 12, 1, 16 },
	{ "CHACHA20-POLY1305", "ChaCha20-Poly1305", CIPHER_KIND_AEAD, 32, 12, 1, 16 },
	{ "AES-256-CBC", "AES-256-CBC", CIPHER_KIND_CBC, 32, 16, 16, 0 },
	{ "AES-192-CBC", "AES-192-CBC", CIPHER_KIND_CBC, 24, 16, 16, 0 },
	{ "AES-128-CBC", "AES-128-CBC", CIPHER_KIND_CBC, 16, 16, 16, 0 },
	{ "none", NULL, CIPHER_KIND_NONE, 0, 0, 1, 0 },
};

static const struct cipher_digest digest_table[] = {
	{ "SHA1", "SHA1", 20 },
	{ "SHA224", "SHA224", 28 },
	{ "SHA256", "SHA256", 32 },
	{ "SHA384", "SHA384", 48 },
	{ "SHA512", "SHA512", 64 },
	{ "none", NULL, 0 },
};

/* OpenSSL long names that people also write in configs. */
struct cipher_alias {
	const char *alias, *name;
};

static const struct cipher_alias cipher_aliases[] = {
	{ "id-aes128-GCM", "AES-128-GCM" },
	{ "id-aes192-GCM", "AES-192-GCM" },
	{ "id-aes256-GCM", "AES-256-GCM" },
};

static const struct cipher_alias digest_aliases[] = {
	{ "SHA-1", "SHA1" },
	{ "SHA-224", "SHA224" },
	{ "SHA-256", "SHA256" },
	{ "SHA-384", "SHA384" },
	{ "SHA-512", "SHA512" },
	{ "SHA2-256", "SHA256" },
	{ "SHA2-384", "SHA384" },
	{ "SHA2-512", "SHA512" },
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Both tables' rows start with the name. */
_Static_assert(offsetof(struct cipher_info, name) == 0, "name first");
_Static_assert(offsetof(struct cipher_digest, name) == 0, "name first");

/* The row of table[n] (rows of `size` bytes, each starting with its name) called `name`,
 * directly or through an alias (case-insensitive); NULL if none. */
static const void *named_find(const void *table, size_t n, size_t size,
			      const struct cipher_alias *aliases, size_t n_aliases, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const void *row = (const char *)table + i * size;

		if (strcasecmp(*(const char *const *)row, name) == 0)
			return row;
	}
	for (size_t i = 0; i < n_aliases; i++)
		if (strcasecmp(aliases[i].alias, name) == 0)
			return named_find(table, n, size, NULL, 0, aliases[i].name);
	return NULL;
}

const struct cipher_info *cipher_find(const char *name)
{
	return named_find(cipher_table, N_ELEM(cipher_table), sizeof(cipher_table[0]),
			  cipher_aliases, N_ELEM(cipher_aliases), name);
}

const struct cipher_digest *cipher_digest_find(const char *name)
{
	return named_find(digest_table, N_ELEM(digest_table), sizeof(digest_table[0]),
			  digest_aliases, N_ELEM(digest_aliases), name);
}

const struct cipher_info *cipher_at(size_t i)
{
	return i < N_ELEM(cipher_table) ? &cipher_table[i] : NULL;
}

EVP_CIPHER *cipher_evp_fetch(const struct cipher_info *c)
{
	if (!c || !c->evp_name)
		return NULL;
	return EVP_CIPHER_fetch(NULL, c->evp_name, NULL);
}

EVP_MD *cipher_digest_evp_fetch(const struct cipher_digest *d)
{
	if (!d || !d->evp_name)
		return NULL;
	return EVP_MD_fetch(NULL, d->evp_name, NULL);
}

bool cipher_available(const struct cipher_info *c)
{
	if (!c)
		return false;
	if (c->kind == CIPHER_KIND_NONE)
		return true;
	EVP_CIPHER *e = cipher_evp_fetch(c);
	bool ok = e != NULL;
	EVP_CIPHER_free(e);
	return ok;
}

static bool list_has(const struct cipher_info **out, size_t n, const struct cipher_info *c)
{
	for (size_t i = 0; i < n; i++)
		if (out[i] == c)
			return true;
	return false;
}

int cipher_list_parse(const char *list, const struct cipher_info **out, size_t cap,
		      size_t *unknown)
{
	char name[64];
	size_t n = 0, unk = 0;

	if (!list || !out)
		return -EINVAL;
	const char *p = list;
	for (;;) {
		size_t len = strcspn(p, ":");
		if (len == 0 || len >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, len);
		name[len] = '\0';
		const struct cipher_info *c = cipher_find(name);
		if (!c)
			unk++;
		else if (!list_has(out, n, c)) {
			if (n == cap)
				return -E2BIG;
			out[n++] = c;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (unknown)
		*unknown = unk;
	return (int)n;
}

int cipher_list_format(const struct cipher_info *const *list, size_t n, char *buf, size_t cap)
{
	size_t pos = 0;

	if (!buf || cap == 0)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list[i]->name);
		size_t need = len + (i ? 1 : 0);
		if (pos + need >= cap)
			return -ENOSPC;
		if (i)
			buf[pos++] = ':';
		memcpy(buf + pos, list[i]->name, len);
		pos += len;
	}
	buf[pos] = '\0';
	return (int)pos;
}

const struct cipher_info *cipher_list_pick(const struct cipher_info *const *ours, size_t n_ours,
					   const struct cipher_info *const *theirs,
					   size_t n_theirs)
{
	for (size_t i = 0; i < n_ours; i++)
		for (size_t j = 0; j < n_theirs; j++)
			if (ours[i] == theirs[j])
				return ours[i];
	return NULL;
}
