/* A chained hash map of device names. It grows (doubling) so thousands of devices stay O(1),
 * and picks template numbers from a bitmap of the numbers in use, like the kernel does, so a
 * template create costs one pass over the names instead of one lookup per candidate. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vif/namemap.h"

#define NM_INITIAL 64

/* FNV-1a: names are short and not attacker-chosen in bulk; any spread is enough. */
static size_t nm_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

struct vif_nm_node *vif_nm_find(const struct vif_namemap *m, const char *name)
{
	struct vif_nm_node *e;

	if (!m->nbuckets)
		return NULL;
	e = m->buckets[nm_hash(name) & (m->nbuckets - 1)];
	for (; e; e = e->next)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static void nm_grow(struct vif_namemap *m)
{
	size_t nb = m->nbuckets * 2;
	struct vif_nm_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct vif_nm_node *e = m->buckets[i], *next;

		for (; e; e = next) {
			size_t h = nm_hash(e->name) & (nb - 1);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
}

int vif_nm_insert(struct vif_namemap *m, struct vif_nm_node *node)
{
	size_t h;

	if (vif_nm_find(m, node->name))
		return -EEXIST;
	if (!m->nbuckets) {
		m->buckets = calloc(NM_INITIAL, sizeof(*m->buckets));
		if (!m->buckets)
			return -ENOMEM;
		m->nbuckets = NM_INITIAL;
	}
	if (m->count >= m->nbuckets * 2)
		nm_grow(m);
	h = nm_hash(node->name) & (m->nbuckets - 1);
	node->next = m->buckets[h];
	m->buckets[h] = node;
	m->count++;
	return 0;
}

void vif_nm_remove(struct vif_namemap *m, struct vif_nm_node *node)
{
	struct vif_nm_node **pp;

	if (!m->nbuckets)
		return;
	pp = &m->buckets[nm_hash(node->name) & (m->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			m->count--;
			return;
		}
	}
}

void vif_nm_fini(struct vif_namemap *m)
{
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}

/* The template split at its "%d" (vif_name_check guarantees exactly one). */
struct nm_tmpl {
	const char *pre, *suf;
	size_t npre, nsuf;
};

/* Returns the number a name gives the template, or -1: digits in canonical form only, so
 * "tun01" does not occupy slot 1. */
static long nm_slot(const struct nm_tmpl *t, const char *name, long limit)
{
	size_t len = strlen(name), ndig;
	long v = 0;

	if (len <= t->npre + t->nsuf || strncmp(name, t->pre, t->npre) ||
	    strcmp(name + len - t->nsuf, t->suf))
		return -1;
	ndig = len - t->npre - t->nsuf;
	if (ndig > 1 && name[t->npre] == '0')
		return -1;
	for (size_t i = 0; i < ndig; i++) {
		char c = name[t->npre + i];

		if (c < '0' || c > '9' || v > limit)
			return -1;
		v = v * 10 + (c - '0');
	}
	return v < limit ? v : -1;
}

/* The lowest free number is at most count (pigeonhole), so count + 1 bits suffice. */
static long nm_first_free(const struct vif_namemap *m, const struct nm_tmpl *t)
{
	long limit = (long)m->count + 1, v;
	uint8_t *used = calloc((size_t)limit / 8 + 1, 1);

	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct vif_nm_node *e = m->buckets[i]; e; e = e->next)
			if ((v = nm_slot(t, e->name, limit)) >= 0)
				used[v / 8] |= (uint8_t)(1u << (v % 8));
	for (v = 0; v < limit; v++)
		if (!(used[v / 8] & (1u << (v % 8))))
			break;
	free(used);
	return v;
}

int vif_nm_expand(const struct vif_namemap *m, const char *tmpl, char *out, size_t n)
{
	const char *pct = strstr(tmpl, "%d");
	struct nm_tmpl t;
	long v;
	int w;

	if (!pct)
		return -EINVAL;
	t.pre = tmpl;
	t.npre = (size_t)(pct - tmpl);
	t.suf = pct + 2;
	t.nsuf = strlen(t.suf);
	v = nm_first_free(m, &t);
	if (v < 0)
		return (int)v;
	w = snprintf(out, n, "%.*s%ld%s", (int)t.npre, t.pre, v, t.suf);
	if (w < 0 || (size_t)w >= n || (size_t)w > VIF_NAME_LEN)
		return -ENFILE;
	return 0;
}
