/* The server's forwarding table: which client a tunnel packet goes to.
 * TUN: by destination address (client virtual addresses and their iroutes, longest prefix
 * wins). TAP: by destination MAC, learned from the source MAC of frames clients send
 * (a learning bridge with ageing, bounded per client and in total, keyed hash, no takeover of a
 * MAC another client owns until it ages out). Pure data structure: no I/O, time passed in. */
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

/* TAP learning table limits (fib_init's defaults; the caller may change mac_max_client and
 * mac_max_total after fib_init, before the first fib_learn). 256 per client is OpenVPN's
 * max-routes-per-client default, which also bounds the MACs it learns per client; 16384 in total
 * keeps the table at most 32768 slots of 24 bytes (768 KB). */
#define FIB_MAC_MAX_CLIENT 256
#define FIB_MAC_MAX_TOTAL 16384

struct fib_mac {
	uint8_t mac[6];
	bool used;
	uint32_t client;
	uint32_t hash;		/* keyed SipHash-2-4 of mac, folded to 32 bits (home = hash & mask) */
	uint64_t seen_ms;
};

struct fib_count {		/* MACs a client owns (expired ones too, until reclaimed) */
	uint32_t client;
	uint32_t n;		/* 0: free slot */
};

struct evp_mac_ctx_st;

struct fib {
	struct fib_route *routes;
	size_t n_routes, cap_routes;
	/* TAP: open addressing with linear probing and backward-shift deletion (no tombstones),
	 * power-of-two size, at most half full. Keyed hash, so a client cannot choose colliding MACs. */
	struct fib_mac *macs;
	size_t n_macs, cap_macs;	/* n_macs counts expired entries not yet reclaimed */
	uint64_t mac_age_ms;		/* an entry not refreshed for longer is absent */
	size_t mac_max_client;		/* MACs one client may own (FIB_MAC_MAX_CLIENT) */
	size_t mac_max_total;		/* MACs in the table (FIB_MAC_MAX_TOTAL) */
	/* Counters for the server to log or report; never reset by the fib. */
	uint64_t learn_refused_client;	/* a new MAC not learned: that client is at its limit */
	uint64_t learn_refused_full;	/* a new MAC not learned: the table is at its limit */
	uint64_t takeover_refused;	/* a MAC another client owns (not aged out) not moved */
	/* Internal. */
	struct fib_count *counts;	/* open addressing by client id, at most half full */
	size_t n_counts, cap_counts;
	uint64_t mac_sweep_ms;		/* no entry expires before this: no reclaim sweep needed */
	size_t mac_last;		/* slot last learned or refreshed: a refresh without hashing */
	struct evp_mac_ctx_st *sip;	/* keyed SipHash-2-4 (OpenSSL EVP_MAC), NULL if unavailable */
	bool sip_rekey;			/* this OpenSSL cannot re-init without the key: pass it */
	uint8_t sip_key[16];
};

/* mac_age_ms: the TAP ageing time. Draws a random SipHash key. Returns 0, or -ENOMEM/-EIO when
 * OpenSSL cannot provide SipHash or randomness: routes still work, but fib_learn then refuses
 * every MAC (so TAP floods all unicast); a TAP server should treat that as fatal. fib_free is
 * safe either way. */
int fib_init(struct fib *f, uint64_t mac_age_ms);
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

/* TAP: learn src MAC -> client at now_ms (a monotonic clock: never goes back). Broadcast and
 * multicast sources are ignored (0). The owner learning its MAC again refreshes it. Returns 0
 * (learned, refreshed or ignored), -EEXIST (another client owns the MAC and it has not aged out:
 * takeover_refused), -ENOSPC (a new MAC with the client at mac_max_client, or the table at
 * mac_max_total, after reclaiming expired entries: learn_refused_client/_full), -ENOMEM, or
 * -ENOSYS (fib_init found no SipHash). A MAC not learned is simply unknown: frames still flow
 * (flooded) as for any unknown destination. */
int fib_learn(struct fib *f, const uint8_t mac[6], uint32_t client, uint64_t now_ms);
/* TAP: client for a destination MAC, FIB_NONE for unknown/expired/broadcast (flood). */
uint32_t fib_lookup_mac(const struct fib *f, const uint8_t mac[6], uint64_t now_ms);

#endif
