/* The server's forwarding table: which client a tunnel packet goes to.
 * TUN: by destination address (client virtual addresses and their iroutes, longest prefix
 * wins). TAP: by destination MAC, learned from the source MAC of frames clients send
 * (a learning bridge with ageing). Pure data structure: no I/O, time passed in. */
#ifndef BURROW_CORE_FIB_H
#define BURROW_CORE_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FIB_NONE UINT32_MAX	/* lookup result: no client (send to the server's own device) */

struct fib_route {
	uint8_t family;		/* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];	/* network order, host bits zero */
	uint32_t client;
};

struct fib_mac {
	uint8_t mac[6];
	bool used;
	uint32_t client;
	uint64_t seen_ms;
};

struct fib {
	struct fib_route *routes;
	size_t n_routes, cap_routes;
	struct fib_mac *macs;	/* open addressing, power-of-two size */
	size_t n_macs, cap_macs;
	uint64_t mac_age_ms;
};

void fib_init(struct fib *f, uint64_t mac_age_ms);
void fib_free(struct fib *f);

/* Routes: a client's own address is a /32 (/128); iroutes are wider. Returns 0, -EINVAL for a
 * bad prefix, -EEXIST when the same prefix belongs to another client, -ENOMEM. */
int fib_add(struct fib *f, int family, const void *addr, int plen, uint32_t client);
/* Drops every route and learned MAC of a client (disconnect). */
void fib_del_client(struct fib *f, uint32_t client);
uint32_t fib_lookup(const struct fib *f, int family, const void *addr);

/* TUN: the client for an IPv4/IPv6 packet's destination (FIB_NONE if unknown or malformed). */
uint32_t fib_route_ip(const struct fib *f, const uint8_t *pkt, size_t len);
/* TUN: the packet's source address and family, for anti-spoofing checks (0 if malformed). */
int fib_ip_src(const uint8_t *pkt, size_t len, uint8_t addr[16]);

/* TAP: learn src MAC → client; returns 0 or -ENOMEM. Broadcast/multicast sources are ignored. */
int fib_learn(struct fib *f, const uint8_t mac[6], uint32_t client, uint64_t now_ms);
/* TAP: client for a destination MAC, FIB_NONE for unknown/expired/broadcast (flood). */
uint32_t fib_lookup_mac(const struct fib *f, const uint8_t mac[6], uint64_t now_ms);

#endif
