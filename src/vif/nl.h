/* rtnetlink link, address and route configuration through libmnl (prefix nl_).
 *
 * Every call opens its own short-lived NETLINK_ROUTE socket in the caller's network namespace,
 * so calls are independent and thread-safe. Each returns 0 (or a positive result where noted)
 * or -errno, and when `err` is not NULL fills it with one human-readable line: the kernel's
 * extended-ack message when it sent one, otherwise what was being done and strerror. */
#ifndef BURROW_VIF_NL_H
#define BURROW_VIF_NL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IFNAMSIZ, without including <net/if.h> or <linux/if.h> (they clash with each other). */
#define NL_IFNAMSIZ 16

struct nl_err {
	char msg[256];
};

/* Fills err (if not NULL) with the message and returns rc: for error paths that report
 * through a struct nl_err (nl_ and vif_kernel_ functions, `burrow dev`). */
int nl_fail(struct nl_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An IPv4 or IPv6 address with a prefix length (CIDR). */
struct nl_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t bytes[16];	/* network order; the first 4 for AF_INET */
	unsigned prefix;	/* 0..32 or 0..128 */
};

/* "10.8.0.2/24", "fd00::2/64"; a bare address is /32 or /128. On failure returns -EINVAL and the
 * message names the bad text ("bad address 'x' in '10.x/24': ..."). */
int nl_parse_cidr(const char *text, struct nl_addr *out, struct nl_err *err);
/* The prefix length of a netmask (leading one bits: 255.255.255.0 -> 24). */
unsigned nl_mask_prefix(struct in_addr mask);
/* Like nl_parse_cidr but rejects a "/N" suffix (gateways, lookups). */
int nl_parse_addr(const char *text, struct nl_addr *out, struct nl_err *err);
/* "10.8.0.2/24" into buf (with_prefix) or just "10.8.0.2"; returns -ENOSPC if n is too small. */
int nl_format_addr(const struct nl_addr *a, bool with_prefix, char *buf, size_t n);

/* ---- links ---- */

/* ifindex (> 0) of the link called name, or -ENODEV. */
int nl_link_index(const char *name, struct nl_err *err);
/* IFF_* flags of the link (cheap: no statistics or addresses). */
int nl_link_flags(int ifindex, unsigned *flags, struct nl_err *err);
int nl_link_set_up(int ifindex, bool up, struct nl_err *err);
/* -EINVAL with the device's allowed range in err when mtu is out of it. */
int nl_link_set_mtu(int ifindex, unsigned mtu, struct nl_err *err);
int nl_link_set_mac(int ifindex, const uint8_t mac[6], struct nl_err *err);
/* IPv6 link-local address generation on (random, the TUN default) or off (none). Off before
 * the link goes up: no link-local, so no router solicitations or MLD reports from an idle
 * tunnel; addresses added explicitly still work. -EOPNOTSUPP-like errors when the kernel has
 * IPv6 disabled. */
int nl_link_set_ipv6_linklocal(int ifindex, bool on, struct nl_err *err);
/* Deletes the link (works for persistent TUN/TAP devices even while a program has them open:
 * the kernel detaches the queues and the open fds then fail). */
int nl_link_del(int ifindex, struct nl_err *err);

enum nl_link_kind { NL_KIND_OTHER = 0, NL_KIND_TUN, NL_KIND_TAP };

struct nl_link_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
};

#define NL_MAX_ADDRS 32

struct nl_link_info {
	int ifindex;
	char name[NL_IFNAMSIZ];
	enum nl_link_kind kind;
	char kind_name[16];	/* IFLA_INFO_KIND ("tun", "veth", ...) or "" */
	unsigned flags;		/* IFF_* from ifi_flags */
	bool up;		/* IFF_UP: administratively up */
	bool running;		/* IFF_RUNNING: carrier, i.e. a TUN/TAP has a reader attached */
	unsigned mtu, min_mtu, max_mtu;	/* min/max 0 when the kernel does not say */
	bool has_mac;
	uint8_t mac[6];
	/* TUN/TAP details from IFLA_INFO_DATA (valid when kind is TUN or TAP). */
	bool persist, multi_queue;
	bool has_owner, has_group;
	uint32_t owner, group;
	uint32_t num_queues;
	struct nl_link_stats stats;	/* IFLA_STATS64 */
	size_t n_addrs;		/* at most NL_MAX_ADDRS are kept */
	struct nl_addr addrs[NL_MAX_ADDRS];
};

/* Link state, TUN/TAP details, statistics and addresses of one link. */
int nl_link_get(int ifindex, struct nl_link_info *out, struct nl_err *err);
/* Calls fn for every link in the namespace (addresses included); stops early and returns fn's
 * value when it is non-zero. */
int nl_link_foreach(int (*fn)(const struct nl_link_info *link, void *arg), void *arg,
		    struct nl_err *err);

/* A veth pair: name in the namespace of netns_fd, peer in that of peer_netns_fd (-1 = the
 * caller's namespace). Returns 0 or -errno (-EEXIST name taken). */
int nl_veth_add(const char *name, int netns_fd, const char *peer, int peer_netns_fd,
		struct nl_err *err);

/* ---- addresses ---- */

/* Adds local/prefix to the link; peer (may be NULL) makes it point-to-point (IFA_ADDRESS).
 * IPv6 addresses are added with IFA_F_NODAD so they are usable at once. */
int nl_addr_add(int ifindex, const struct nl_addr *local, const struct nl_addr *peer,
		struct nl_err *err);
int nl_addr_del(int ifindex, const struct nl_addr *local, struct nl_err *err);

/* ---- routes (main table) ---- */

struct nl_route {
	struct nl_addr dst;	/* destination network; prefix 0 = default route */
	bool has_gw;
	struct nl_addr gw;	/* same family as dst */
	int ifindex;		/* output device, 0 = let the kernel pick from the gateway */
	bool has_metric;
	uint32_t metric;
	bool has_src;		/* filled by nl_route_get: the preferred source address */
	struct nl_addr src;
};

int nl_route_add(const struct nl_route *r, struct nl_err *err);
/* Deletes the route matching dst (and gw/ifindex/metric when given). */
int nl_route_del(const struct nl_route *r, struct nl_err *err);
/* RTM_GETROUTE: how the kernel would reach dst (an address, prefix ignored). Fills out->gw
 * (has_gw), out->ifindex and out->src; out->dst is dst with a full-length prefix.
 * -ENETUNREACH / -EHOSTUNREACH when there is no route. */
int nl_route_get(const struct nl_addr *dst, struct nl_route *out, struct nl_err *err);

/* ---- link notifications (RTNLGRP_LINK) ---- */

/* A non-blocking socket fd that hears link changes in the caller's network namespace; poll it
 * for POLLIN and call nl_watch_drain(). Close it with close(). */
int nl_watch_open(struct nl_err *err);

enum nl_watch_news {
	NL_WATCH_NONE = 0,	/* nothing about this link */
	NL_WATCH_UP,		/* latest news: administratively up */
	NL_WATCH_DOWN,		/* latest news: administratively down */
	NL_WATCH_GONE,		/* deleted */
	NL_WATCH_LOST,		/* the socket overflowed and news was lost: query the link */
};

/* Reads every pending notification and returns the latest news about ifindex (GONE and LOST
 * win over anything later in the same batch). */
enum nl_watch_news nl_watch_drain(int fd, int ifindex);

#endif
