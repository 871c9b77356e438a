/* The server's virtual address pool: IPv4 (topology subnet or net30) and IPv6, one lease per
 * client, optionally persisted across restarts (ifconfig-pool-persist file: "CN,IPv4[,IPv6]"). */
#ifndef BURROW_CORE_POOL_H
#define BURROW_CORE_POOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pool_topology { POOL_SUBNET, POOL_NET30 };

struct pool_lease {
	uint32_t ip4;		/* client address, host order; 0 = none */
	uint32_t peer4;		/* net30: the server-side end of the client's /30; subnet: 0 */
	struct in6_addr ip6;	/* all-zero when the pool has no IPv6 */
	int slot;		/* index in the pool; -1 = none */
};

struct pool_entry {
	char cn[64];		/* who holds (or last held) this slot; "" = never */
	bool used;
};

struct pool {
	enum pool_topology topo;
	uint32_t first4, count;		/* slot i: subnet first4+i; net30 the /30 at first4+4i */
	bool has6;
	struct in6_addr base6;		/* slot i gets base6 + i */
	struct pool_entry *slots;
};

/* `server NET MASK` (and `server-ipv6 NET/BITS` when net6 is non-NULL) as OpenVPN lays them
 * out: the server takes the first host address, clients the rest. Returns 0 or -EINVAL
 * (mask too small for a pool) / -ENOMEM. */
int pool_init_server(struct pool *p, enum pool_topology topo, uint32_t net, uint32_t mask,
		     const struct in6_addr *net6, int bits6);
/* `ifconfig-pool START END` (subnet topology). */
int pool_init_range(struct pool *p, uint32_t start, uint32_t end);
void pool_free(struct pool *p);

/* A lease for common name cn: its persisted/previous slot when free, else the lowest free
 * one. With unique=false (duplicate-cn) every call gets a fresh slot.
 * Returns 0, or -ENOSPC when the pool is exhausted. */
int pool_acquire(struct pool *p, const char *cn, bool unique, struct pool_lease *out);
void pool_release(struct pool *p, int slot);
size_t pool_in_use(const struct pool *p);

/* Persistence: load/save "CN,IPv4[,IPv6]" lines. Lines that do not fit the pool are skipped
 * and counted in *skipped. */
int pool_load(struct pool *p, const char *text, size_t len, unsigned *skipped);
/* Writes "CN,IPv4,IPv6" lines (OpenVPN 2.6's format: the IPv6 field is empty without one)
 * into buf (NUL-terminated); returns its length or -ENOSPC. */
int pool_save(const struct pool *p, char *buf, size_t cap);
/* A buffer size pool_save() is sure to fit in (the NUL included). */
size_t pool_save_size(const struct pool *p);

#endif
