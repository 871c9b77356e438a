/* Memory owned by a cfg: a chain of blocks wiped on free (they may hold key material). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/cfg_impl.h"

struct cfg_mem {
	struct cfg_mem *next;
	size_t size;
	max_align_t data[];
};

void *cfg_mem_alloc(struct cfg_mem **m, size_t n)
{
	struct cfg_mem *b;

	if (n > CFG_FILE_MAX * 2)
		return NULL;
	b = calloc(1, sizeof(*b) + n + 1);
	if (!b)
		return NULL;
	b->size = n + 1;
	b->next = *m;
	*m = b;
	return b->data;
}

char *cfg_mem_strndup(struct cfg_mem **m, const char *s, size_t n)
{
	char *d = cfg_mem_alloc(m, n);

	if (d)
		memcpy(d, s, n);	/* cfg_mem_alloc zeroed the terminator */
	return d;
}

char *cfg_mem_strdup(struct cfg_mem **m, const char *s)
{
	return cfg_mem_strndup(m, s, strlen(s));
}

void cfg_mem_free(struct cfg_mem **m)
{
	struct cfg_mem *b = *m;

	while (b) {
		struct cfg_mem *next = b->next;

		OPENSSL_cleanse(b->data, b->size);
		free(b);
		b = next;
	}
	*m = NULL;
}

int cfg_vec_grow(void *pv, size_t *cap, size_t elsz, size_t n)
{
	void *old, *nv;
	size_t ncap;

	if (n >= CFG_VEC_MAX)
		return -E2BIG;
	ncap = *cap ? *cap * 2 : 8;
	memcpy(&old, pv, sizeof(old));
	nv = realloc(old, ncap * elsz);
	if (!nv)
		return -ENOMEM;
	memcpy(pv, &nv, sizeof(nv));
	*cap = ncap;
	return 0;
}
