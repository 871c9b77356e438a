#include "core/pool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/addr.h"
#include "util/sanitize.h"

static int pool_alloc(struct pool *p, uint32_t count)
{
	if (count == 0)
		return -EINVAL;
	p->slots = calloc(count, sizeof(*p->slots));
	if (!p->slots)
		return -ENOMEM;
	p->count = count;
	return 0;
}

static void pool_set6(struct pool *p, const struct in6_addr *net6, int bits6)
{
	if (!net6 || bits6 < 0 || bits6 > 112)
		return;
	p->has6 = true;
	p->base6 = *net6;
	/* clients start at ::1000 of the prefix, as OpenVPN's server-ipv6 does */
	p->base6.s6_addr[14] = 0x10;
	p->base6.s6_addr[15] = 0x00;
}

int pool_init_server(struct pool *p, enum pool_topology topo, uint32_t net, uint32_t mask,
		     const struct in6_addr *net6, int bits6)
{
	uint32_t size = ~mask + 1;

	memset(p, 0, sizeof(*p));
	p->topo = topo;
	if (mask == 0 || (size & (size - 1)) != 0)
		return -EINVAL;
	net &= mask;
	if (topo == POOL_SUBNET) {
		/* .0 network, .1 server, .2 .. size-3 clients, the last two reserved */
		if (size < 8)
			return -EINVAL;
		p->first4 = net + 2;
		pool_set6(p, net6, bits6);
		return pool_alloc(p, size - 4);
	}
	/* net30: the first /30 is the server's, each client gets one /30 */
	if (size < 16)
		return -EINVAL;
	p->first4 = net + 4;
	pool_set6(p, net6, bits6);
	return pool_alloc(p, size / 4 - 2);
}

int pool_init_range(struct pool *p, uint32_t start, uint32_t end)
{
	memset(p, 0, sizeof(*p));
	if (end < start || end - start > (1u << 24))
		return -EINVAL;
	p->topo = POOL_SUBNET;
	p->first4 = start;
	return pool_alloc(p, end - start + 1);
}

void pool_free(struct pool *p)
{
	free(p->slots);
	p->slots = NULL;
	p->count = 0;
}

static void pool_fill(const struct pool *p, int slot, struct pool_lease *out)
{
	memset(out, 0, sizeof(*out));
	out->slot = slot;
	if (p->topo == POOL_SUBNET) {
		out->ip4 = p->first4 + (uint32_t)slot;
	} else {
		out->peer4 = p->first4 + 4 * (uint32_t)slot + 1;
		out->ip4 = out->peer4 + 1;
	}
	if (p->has6) {
		uint32_t lo;

		out->ip6 = p->base6;
		memcpy(&lo, &out->ip6.s6_addr[12], 4);
		lo = htonl(ntohl(lo) + (uint32_t)slot);
		memcpy(&out->ip6.s6_addr[12], &lo, 4);
	}
}

static int pool_find(const struct pool *p, const char *cn, bool want_used)
{
	for (uint32_t i = 0; i < p->count; i++)
		if (p->slots[i].used == want_used && strcmp(p->slots[i].cn, cn) == 0)
			return (int)i;
	return -1;
}

static int pool_first_free(const struct pool *p)
{
	/* Prefer never-used slots so that a returning client finds its old address free. */
	for (uint32_t i = 0; i < p->count; i++)
		if (!p->slots[i].used && p->slots[i].cn[0] == '\0')
			return (int)i;
	for (uint32_t i = 0; i < p->count; i++)
		if (!p->slots[i].used)
			return (int)i;
	return -1;
}

int pool_acquire(struct pool *p, const char *cn, bool unique, struct pool_lease *out)
{
	int slot = unique ? pool_find(p, cn, false) : -1;

	if (slot < 0)
		slot = pool_first_free(p);
	if (slot < 0)
		return -ENOSPC;
	p->slots[slot].used = true;
	snprintf(p->slots[slot].cn, sizeof(p->slots[slot].cn), "%s", cn);
	pool_fill(p, slot, out);
	return 0;
}

void pool_release(struct pool *p, int slot)
{
	if (slot >= 0 && (uint32_t)slot < p->count)
		p->slots[slot].used = false;
}

size_t pool_in_use(const struct pool *p)
{
	size_t n = 0;

	for (uint32_t i = 0; i < p->count; i++)
		n += p->slots[i].used;
	return n;
}

/* The slot an IPv4 address belongs to, or -1. */
static int pool_slot_of(const struct pool *p, uint32_t ip)
{
	uint32_t off;

	if (ip < p->first4)
		return -1;
	off = ip - p->first4;
	if (p->topo == POOL_NET30) {
		if (off % 4 != 2)
			return -1;
		off /= 4;
	}
	return off < p->count ? (int)off : -1;
}

static int pool_load_line(struct pool *p, char *line)
{
	char *comma = strchr(line, ',');
	char *rest;
	struct in_addr a;
	int slot;

	if (!comma || comma == line || (size_t)(comma - line) >= sizeof(p->slots[0].cn))
		return -EINVAL;
	*comma = '\0';
	rest = comma + 1;
	rest[strcspn(rest, ",\r")] = '\0';
	if (inet_pton(AF_INET, rest, &a) != 1)
		return -EINVAL;
	slot = pool_slot_of(p, ntohl(a.s_addr));
	if (slot < 0 || p->slots[slot].cn[0] != '\0')
		return -ERANGE;
	memcpy(p->slots[slot].cn, line, (size_t)(comma - line) + 1);
	return 0;
}

int pool_load(struct pool *p, const char *text, size_t len, unsigned *skipped)
{
	size_t i = 0;

	*skipped = 0;
	while (i < len) {
		char line[256];
		size_t n = 0;

		while (i < len && text[i] != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = text[i];
			i++;
		}
		i++;
		line[n] = '\0';
		if (n > 0 && pool_load_line(p, line) < 0)
			(*skipped)++;
	}
	return 0;
}

size_t pool_save_size(const struct pool *p)
{
	size_t n = 1;

	for (uint32_t i = 0; i < p->count; i++)
		if (p->slots[i].cn[0] != '\0')
			n += strlen(p->slots[i].cn) + INET_ADDRSTRLEN + INET6_ADDRSTRLEN + 3;
	return n;
}

int pool_save(const struct pool *p, char *buf, size_t cap)
{
	size_t off = 0;

	if (cap == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (uint32_t i = 0; i < p->count; i++) {
		struct pool_lease l;
		char a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN] = "";
		int n;

		/* a name with a ',' or a line break could not be read back as itself (OpenVPN 2.6
		 * writes it anyway, a line it then misreads): not kept across restarts */
		if (p->slots[i].cn[0] == '\0' || !sanitize_field_ok(p->slots[i].cn, ','))
			continue;
		pool_fill(p, (int)i, &l);
		addr_v4_str(l.ip4, a4, sizeof(a4));
		if (p->has6)
			inet_ntop(AF_INET6, &l.ip6, a6, sizeof(a6));
		/* OpenVPN 2.6's line: "CN,IPv4,IPv6", the IPv6 field empty without one (so the
		 * line ends with a comma). */
		n = snprintf(buf + off, cap - off, "%s,%s,%s\n", p->slots[i].cn, a4, a6);
		if (n < 0 || (size_t)n >= cap - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return (int)off;
}
