#include "core/fib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void fib_init(struct fib *f, uint64_t mac_age_ms)
{
	memset(f, 0, sizeof(*f));
	f->mac_age_ms = mac_age_ms;
}

void fib_free(struct fib *f)
{
	free(f->routes);
	free(f->macs);
	memset(f, 0, sizeof(*f));
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

static size_t fib_mac_hash(const uint8_t mac[6], size_t cap)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 0x100000001b3ull;
	return (size_t)h & (cap - 1);
}

/* Rebuilds the MAC table without removed entries (open addressing needs no tombstones then). */
static int fib_mac_rehash(struct fib *f, size_t cap, uint32_t drop_client)
{
	struct fib_mac *old = f->macs, *n = calloc(cap, sizeof(*n));
	size_t old_cap = f->cap_macs;

	if (!n)
		return -ENOMEM;
	f->macs = n;
	f->cap_macs = cap;
	f->n_macs = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].used || old[i].client == drop_client)
			continue;
		size_t j = fib_mac_hash(old[i].mac, cap);
		while (n[j].used)
			j = (j + 1) & (cap - 1);
		n[j] = old[i];
		f->n_macs++;
	}
	free(old);
	return 0;
}

void fib_del_client(struct fib *f, uint32_t client)
{
	size_t w = 0;

	for (size_t i = 0; i < f->n_routes; i++)
		if (f->routes[i].client != client)
			f->routes[w++] = f->routes[i];
	f->n_routes = w;
	if (f->cap_macs)
		fib_mac_rehash(f, f->cap_macs, client);	/* same size: cannot fail worse than before */
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

int fib_learn(struct fib *f, const uint8_t mac[6], uint32_t client, uint64_t now_ms)
{
	size_t i;

	if (mac[0] & 1)
		return 0;
	if ((f->n_macs + 1) * 2 > f->cap_macs) {
		int rc = fib_mac_rehash(f, f->cap_macs ? f->cap_macs * 2 : 64, FIB_NONE);

		if (rc < 0)
			return rc;
	}
	i = fib_mac_hash(mac, f->cap_macs);
	while (f->macs[i].used && memcmp(f->macs[i].mac, mac, 6) != 0)
		i = (i + 1) & (f->cap_macs - 1);
	if (!f->macs[i].used)
		f->n_macs++;
	f->macs[i].used = true;
	memcpy(f->macs[i].mac, mac, 6);
	f->macs[i].client = client;
	f->macs[i].seen_ms = now_ms;
	return 0;
}

uint32_t fib_lookup_mac(const struct fib *f, const uint8_t mac[6], uint64_t now_ms)
{
	size_t i;

	if ((mac[0] & 1) || f->cap_macs == 0)
		return FIB_NONE;
	i = fib_mac_hash(mac, f->cap_macs);
	while (f->macs[i].used) {
		if (memcmp(f->macs[i].mac, mac, 6) == 0)
			return now_ms - f->macs[i].seen_ms <= f->mac_age_ms ? f->macs[i].client : FIB_NONE;
		i = (i + 1) & (f->cap_macs - 1);
	}
	return FIB_NONE;
}
