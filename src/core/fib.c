#include "core/fib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* SipHash-2-4 with a 64-bit tag (OpenSSL's default is the 128-bit variant). */
static int fib_sip_init(EVP_MAC_CTX *ctx, const uint8_t *key)
{
	size_t size = 8;
	OSSL_PARAM p[] = { OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_END };

	return EVP_MAC_init(ctx, key, key ? 16 : 0, key ? p : NULL);
}

int fib_init(struct fib *f, uint64_t mac_age_ms)
{
	EVP_MAC *mac;

	memset(f, 0, sizeof(*f));
	f->mac_age_ms = mac_age_ms;
	f->mac_max_client = FIB_MAC_MAX_CLIENT;
	f->mac_max_total = FIB_MAC_MAX_TOTAL;
	if (RAND_bytes(f->sip_key, sizeof(f->sip_key)) != 1)
		return -EIO;
	mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	if (!mac)
		return -ENOMEM;
	f->sip = EVP_MAC_CTX_new(mac);	/* holds its own reference to mac */
	EVP_MAC_free(mac);
	if (!f->sip)
		return -ENOMEM;
	if (fib_sip_init(f->sip, f->sip_key) != 1) {
		EVP_MAC_CTX_free(f->sip);
		f->sip = NULL;
		return -ENOMEM;
	}
	/* Re-initialising with the key already set skips the key schedule (~30% cheaper); an
	 * OpenSSL that refuses it gets the key every time. */
	f->sip_rekey = fib_sip_init(f->sip, NULL) != 1;
	return 0;
}

void fib_free(struct fib *f)
{
	free(f->routes);
	free(f->macs);
	free(f->counts);
	EVP_MAC_CTX_free(f->sip);
	OPENSSL_cleanse(f, sizeof(*f));
}

static size_t fib_alen(int family) { return family == 4 ? 4 : 16; }

/* True when the first plen bits of a and b agree. */
static bool fib_prefix_eq(const uint8_t *a, const uint8_t *b, int plen)
{
	int whole = plen / 8, rest = plen % 8;

	if (memcmp(a, b, (size_t)whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int fib_add(struct fib *f, int family, const void *addr, int plen, uint32_t client)
{
	struct fib_route r = { .family = (uint8_t)family, .plen = (uint8_t)plen, .client = client };

	if ((family != 4 && family != 6) || plen < 0 || (size_t)plen > fib_alen(family) * 8)
		return -EINVAL;
	memcpy(r.addr, addr, fib_alen(family));
	for (size_t i = (size_t)plen; i < fib_alen(family) * 8; i++)
		r.addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	for (size_t i = 0; i < f->n_routes; i++) {
		struct fib_route *o = &f->routes[i];

		if (o->family == r.family && o->plen == r.plen && !memcmp(o->addr, r.addr, 16))
			return o->client == client ? 0 : -EEXIST;
	}
	if (f->n_routes == f->cap_routes) {
		size_t cap = f->cap_routes ? f->cap_routes * 2 : 16;
		struct fib_route *n = realloc(f->routes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		f->routes = n;
		f->cap_routes = cap;
	}
	f->routes[f->n_routes++] = r;
	return 0;
}

/* ---- TAP: the learning MAC table ---- */

static uint32_t fib_mac_hash(const struct fib *f, const uint8_t mac[6])
{
	uint8_t out[8] = { 0 };
	size_t len = 0;
	uint64_t h = 0;

	if (fib_sip_init(f->sip, f->sip_rekey ? f->sip_key : NULL) != 1 ||
	    EVP_MAC_update(f->sip, mac, 6) != 1 || EVP_MAC_final(f->sip, out, &len, sizeof(out)) != 1)
		return 0;	/* not seen in practice; a constant keeps the table correct, only slower */
	for (int i = 7; i >= 0; i--)
		h = h << 8 | out[i];
	return (uint32_t)(h ^ h >> 32);
}

static bool fib_mac_live(const struct fib *f, const struct fib_mac *e, uint64_t now_ms)
{
	return now_ms < e->seen_ms || now_ms - e->seen_ms <= f->mac_age_ms;
}

/* The first time at which e counts as expired (saturating). */
static uint64_t fib_mac_expiry(const struct fib *f, const struct fib_mac *e)
{
	uint64_t t = e->seen_ms + f->mac_age_ms;

	return t < e->seen_ms || t == UINT64_MAX ? UINT64_MAX : t + 1;
}

/* The slot holding mac, or SIZE_MAX. *dead (if not NULL) gets the first expired slot on the
 * probe path, or SIZE_MAX; *empty the empty slot that ends the path. */
static size_t fib_mac_find(const struct fib *f, const uint8_t mac[6], uint32_t h, uint64_t now_ms,
			   size_t *dead, size_t *empty)
{
	size_t mask = f->cap_macs - 1, i = h & mask;

	if (dead)
		*dead = SIZE_MAX;
	for (; f->macs[i].used; i = (i + 1) & mask) {
		const struct fib_mac *e = &f->macs[i];

		if (e->hash == h && memcmp(e->mac, mac, 6) == 0)
			return i;
		if (dead && *dead == SIZE_MAX && !fib_mac_live(f, e, now_ms))
			*dead = i;
	}
	if (empty)
		*empty = i;
	return SIZE_MAX;
}

/* ---- per-client counts: client id -> MACs owned, linear probing, backward-shift deletion ---- */

/* Both open-addressing tables (MACs, per-client counts) grow the same way: a table twice the
 * size, every used entry re-inserted at its first free slot from its home. */
struct fib_oa {
	size_t size;					/* of one entry */
	bool (*used)(const void *e);
	size_t (*home)(const void *e, size_t cap);	/* cap: a power of two */
};

static size_t fib_oa_free_slot(const struct fib_oa *t, const char *tab, size_t cap, size_t i)
{
	while (t->used(tab + i * t->size))
		i = (i + 1) & (cap - 1);
	return i;
}

/* Doubles *tab (first: the size of an empty one); 0, or -ENOMEM with the old table kept. */
static int fib_oa_grow(const struct fib_oa *t, void *tab, size_t *cap, size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	char *n = calloc(ncap, t->size), *o;

	if (!n)
		return -ENOMEM;
	memcpy(&o, tab, sizeof(o));	/* tab points at the table's pointer, of any entry type */
	for (size_t j = 0; j < *cap; j++) {
		const char *e = o + j * t->size;

		if (t->used(e))
			memcpy(n + fib_oa_free_slot(t, n, ncap, t->home(e, ncap)) * t->size, e, t->size);
	}
	free(o);
	memcpy(tab, &n, sizeof(n));
	*cap = ncap;
	return 0;
}

static size_t fib_count_home(uint32_t client, size_t cap)
{
	return (size_t)((client * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static bool fib_count_used(const void *e)
{
	return ((const struct fib_count *)e)->n != 0;
}

static size_t fib_count_home_of(const void *e, size_t cap)
{
	return fib_count_home(((const struct fib_count *)e)->client, cap);
}

static const struct fib_oa fib_count_oa = {
	sizeof(struct fib_count), fib_count_used, fib_count_home_of
};

static struct fib_count *fib_count_get(const struct fib *f, uint32_t client)
{
	if (!f->cap_counts)
		return NULL;
	for (size_t i = fib_count_home(client, f->cap_counts); f->counts[i].n;
	     i = (i + 1) & (f->cap_counts - 1))
		if (f->counts[i].client == client)
			return &f->counts[i];
	return NULL;
}

static size_t fib_count_of(const struct fib *f, uint32_t client)
{
	const struct fib_count *c = fib_count_get(f, client);

	return c ? c->n : 0;
}

/* Makes sure client has a slot (n may be 0 on return only transiently: the caller increments). */
static int fib_count_inc(struct fib *f, uint32_t client)
{
	struct fib_count *c = fib_count_get(f, client);
	size_t i;

	if (c) {
		c->n++;
		return 0;
	}
	if ((f->n_counts + 1) * 2 > f->cap_counts &&
	    fib_oa_grow(&fib_count_oa, &f->counts, &f->cap_counts, 16) < 0)
		return -ENOMEM;
	i = fib_oa_free_slot(&fib_count_oa, (const char *)f->counts, f->cap_counts,
			     fib_count_home(client, f->cap_counts));
	f->counts[i] = (struct fib_count){ .client = client, .n = 1 };
	f->n_counts++;
	return 0;
}

/* True when home lies cyclically in (i, j]: the entry at j may not move back to i. */
static bool fib_between(size_t home, size_t i, size_t j)
{
	return i <= j ? (i < home && home <= j) : (i < home || home <= j);
}

static void fib_count_dec(struct fib *f, uint32_t client)
{
	struct fib_count *c = fib_count_get(f, client);
	size_t mask = f->cap_counts - 1, i, j;

	if (!c || --c->n)
		return;
	i = (size_t)(c - f->counts);
	for (j = (i + 1) & mask; f->counts[j].n; j = (j + 1) & mask) {
		if (fib_between(fib_count_home(f->counts[j].client, f->cap_counts), i, j))
			continue;
		f->counts[i] = f->counts[j];
		i = j;
	}
	f->counts[i].n = 0;
	f->n_counts--;
}

/* ---- removal, reclaim, growth ---- */

/* Empties slot i and shifts later entries of its probe run back over the hole, so every
 * remaining entry stays reachable from its home slot without crossing an empty slot. */
static void fib_mac_remove(struct fib *f, size_t i)
{
	size_t mask = f->cap_macs - 1, j;

	fib_count_dec(f, f->macs[i].client);
	for (j = (i + 1) & mask; f->macs[j].used; j = (j + 1) & mask) {
		if (fib_between(f->macs[j].hash & mask, i, j))
			continue;
		f->macs[i] = f->macs[j];
		i = j;
	}
	memset(&f->macs[i], 0, sizeof(f->macs[i]));
	f->n_macs--;
}

/* Removes every entry drop() selects. The walk starts after an empty slot (the table is never
 * more than half full), so no probe run wraps past its start and an entry shifted back by a
 * removal lands on the slot being examined, which is examined again. */
static void fib_mac_filter(struct fib *f, bool (*drop)(const struct fib_mac *, void *), void *arg)
{
	size_t mask = f->cap_macs - 1, start = 0, step = 1;

	if (!f->n_macs)
		return;
	while (f->macs[start].used)
		start++;
	while (step <= f->cap_macs) {
		size_t i = (start + step) & mask;

		if (f->macs[i].used && drop(&f->macs[i], arg))
			fib_mac_remove(f, i);
		else
			step++;
	}
}

static bool fib_mac_of_client(const struct fib_mac *e, void *arg)
{
	return e->client == *(const uint32_t *)arg;
}

struct fib_sweep {
	const struct fib *f;
	uint64_t now_ms, next_ms;
};

static bool fib_mac_expired(const struct fib_mac *e, void *arg)
{
	struct fib_sweep *s = arg;
	uint64_t t;

	if (!fib_mac_live(s->f, e, s->now_ms))
		return true;
	t = fib_mac_expiry(s->f, e);
	if (t < s->next_ms)
		s->next_ms = t;
	return false;
}

/* Reclaims every expired entry: O(table), so only when a limit is reached and only when some
 * entry may have expired since the last sweep (at most once per clock tick). */
static void fib_mac_sweep(struct fib *f, uint64_t now_ms)
{
	struct fib_sweep s = { .f = f, .now_ms = now_ms };
	struct fib_mac e = { .seen_ms = now_ms };

	s.next_ms = fib_mac_expiry(f, &e);	/* entries learned from now on */
	fib_mac_filter(f, fib_mac_expired, &s);
	f->mac_sweep_ms = s.next_ms;
}

static bool fib_mac_used(const void *e)
{
	return ((const struct fib_mac *)e)->used;
}

static size_t fib_mac_home(const void *e, size_t cap)
{
	return ((const struct fib_mac *)e)->hash & (cap - 1);
}

static const struct fib_oa fib_mac_oa = { sizeof(struct fib_mac), fib_mac_used, fib_mac_home };

static int fib_mac_grow(struct fib *f)
{
	return fib_oa_grow(&fib_mac_oa, &f->macs, &f->cap_macs, 64);
}

void fib_del_client(struct fib *f, uint32_t client)
{
	size_t w = 0;

	for (size_t i = 0; i < f->n_routes; i++)
		if (f->routes[i].client != client)
			f->routes[w++] = f->routes[i];
	f->n_routes = w;
	fib_mac_filter(f, fib_mac_of_client, &client);
}

uint32_t fib_lookup(const struct fib *f, int family, const void *addr)
{
	const struct fib_route *best = NULL;

	for (size_t i = 0; i < f->n_routes; i++) {
		const struct fib_route *r = &f->routes[i];

		if (r->family == family && (!best || r->plen > best->plen) &&
		    fib_prefix_eq(r->addr, addr, r->plen))
			best = r;
	}
	return best ? best->client : FIB_NONE;
}

uint32_t fib_route_ip(const struct fib *f, const uint8_t *pkt, size_t len)
{
	if (len >= 20 && pkt[0] >> 4 == 4)
		return fib_lookup(f, 4, pkt + 16);
	if (len >= 40 && pkt[0] >> 4 == 6)
		return fib_lookup(f, 6, pkt + 24);
	return FIB_NONE;
}

int fib_ip_src(const uint8_t *pkt, size_t len, uint8_t addr[16])
{
	if (len >= 20 && pkt[0] >> 4 == 4) {
		memcpy(addr, pkt + 12, 4);
		return 4;
	}
	if (len >= 40 && pkt[0] >> 4 == 6) {
		memcpy(addr, pkt + 8, 16);
		return 6;
	}
	return 0;
}

/* Every entry in the table counts toward the limits until reclaimed, expired or not; a sweep
 * reclaims the expired ones when a limit is reached. mac_sweep_ms is a lower bound on when any
 * entry can expire, so below it the counts are exact and no sweep is needed: learning behaves
 * as if only live entries counted. */
int fib_learn(struct fib *f, const uint8_t mac[6], uint32_t client, uint64_t now_ms)
{
	size_t i = SIZE_MAX, dead = SIZE_MAX, empty = SIZE_MAX;
	bool swept = false;
	uint32_t h;
	int rc;

	if (mac[0] & 1)
		return 0;
	if (!f->sip)
		return -ENOSYS;
	/* A client's frames come in bursts from one source MAC: refresh without the hash. */
	if (f->mac_last < f->cap_macs) {
		struct fib_mac *e = &f->macs[f->mac_last];

		if (e->used && e->client == client && memcmp(e->mac, mac, 6) == 0) {
			if (now_ms > e->seen_ms)
				e->seen_ms = now_ms;
			return 0;
		}
	}
	h = fib_mac_hash(f, mac);
again:
	if (f->cap_macs)
		i = fib_mac_find(f, mac, h, now_ms, &dead, &empty);
	if (i != SIZE_MAX) {
		struct fib_mac *e = &f->macs[i];

		if (e->client == client) {	/* refresh (even if expired: it counts already) */
			if (now_ms > e->seen_ms)
				e->seen_ms = now_ms;
			f->mac_last = i;
			return 0;
		}
		if (fib_mac_live(f, e, now_ms)) {
			f->takeover_refused++;
			return -EEXIST;
		}
	}
	/* The MAC becomes client's: a new entry, or an expired one of another client. */
	if (fib_count_of(f, client) >= f->mac_max_client) {
		if (!swept && now_ms >= f->mac_sweep_ms) {
			fib_mac_sweep(f, now_ms);
			swept = true;
			i = SIZE_MAX;
			goto again;
		}
		f->learn_refused_client++;
		return -ENOSPC;
	}
	if (i == SIZE_MAX && dead == SIZE_MAX && f->n_macs >= f->mac_max_total) {
		if (!swept && now_ms >= f->mac_sweep_ms) {
			fib_mac_sweep(f, now_ms);
			swept = true;
			goto again;
		}
		f->learn_refused_full++;
		return -ENOSPC;
	}
	rc = fib_count_inc(f, client);
	if (rc < 0)
		return rc;
	if (i == SIZE_MAX && dead != SIZE_MAX)
		i = dead;	/* reuse an expired entry on the probe path: still reachable from h */
	if (i != SIZE_MAX) {
		fib_count_dec(f, f->macs[i].client);
	} else {
		if ((f->n_macs + 1) * 2 > f->cap_macs) {
			rc = fib_mac_grow(f);
			if (rc < 0) {
				fib_count_dec(f, client);
				return rc;
			}
			fib_mac_find(f, mac, h, now_ms, NULL, &empty);
		}
		i = empty;
		f->n_macs++;
	}
	f->macs[i] = (struct fib_mac){ .used = true, .client = client, .hash = h, .seen_ms = now_ms };
	memcpy(f->macs[i].mac, mac, 6);
	f->mac_last = i;
	return 0;
}

uint32_t fib_lookup_mac(const struct fib *f, const uint8_t mac[6], uint64_t now_ms)
{
	size_t i;

	if ((mac[0] & 1) || f->n_macs == 0)
		return FIB_NONE;
	i = fib_mac_find(f, mac, fib_mac_hash(f, mac), now_ms, NULL, NULL);
	if (i == SIZE_MAX || !fib_mac_live(f, &f->macs[i], now_ms))
		return FIB_NONE;
	return f->macs[i].client;
}
