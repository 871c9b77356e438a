/* Transports: whole OpenVPN packets over a UDP socket or a TCP stream (u16 length framing),
 * driven by the event loop. Generic: no client or server assumptions. IPv4 and IPv6. */
#ifndef BURROW_CORE_XPORT_H
#define BURROW_CORE_XPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"

enum xport_proto { XPORT_UDP = 0, XPORT_TCP = 1 };

struct xport_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Largest OpenVPN packet a transport carries (TCP's u16 length bounds it too). */
#define XPORT_MAX_PKT 4096

/* Resolves host (name or literal; NULL = wildcard/any) and port (number or service) with
 * getaddrinfo. family: AF_UNSPEC, AF_INET or AF_INET6. Fills up to max addresses in the
 * resolver's order; *n gets the count. Returns 0, -ENOENT (no such name), -EAGAIN (temporary
 * resolver failure) or -EINVAL. Blocking (the resolver is); call it before the loop runs or
 * accept the stall on reconnect. */
int xport_resolve(const char *host, const char *port, int family, enum xport_proto proto,
		  int passive, struct xport_addr *out, size_t max, size_t *n);
/* "1.2.3.4:1194" or "[::1]:1194"; always NUL-terminated. Returns buf. */
const char *xport_addr_str(const struct xport_addr *a, char *buf, size_t len);
int xport_addr_equal(const struct xport_addr *a, const struct xport_addr *b);
int xport_addr_family(const struct xport_addr *a);

struct xport;

enum xport_event {
	XPORT_EV_CONNECTED = 1,	/* TCP: the nonblocking connect finished */
	XPORT_EV_CLOSED = 2,	/* TCP: peer closed or error (err = -errno, 0 = EOF) */
	XPORT_EV_ERROR = 3,	/* UDP: ICMP error reported on a connected socket (err = -errno) */
};

struct xport_cb {
	/* One whole packet; from = sender (UDP) or the connected peer (TCP). */
	void (*recv)(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
		     const struct xport_addr *from);
	void (*event)(void *arg, struct xport *xp, enum xport_event ev, int err);
	/* TCP listeners only: a new connection (a ready-to-use stream xport). The callee owns
	 * it and should call xport_set_cb() on it. */
	void (*accept)(void *arg, struct xport *listener, struct xport *conn,
		       const struct xport_addr *from);
};

struct xport_stats {
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes;
	uint64_t rx_errors;	/* bad framing, truncated or oversized datagrams */
	uint64_t tx_errors;	/* send failures */
	uint64_t tx_dropped;	/* TCP: output queue full */
};

/* UDP socket. local = bind address (NULL: none, an ephemeral port on first send).
 * remote != NULL connects the socket (client): only that peer's datagrams arrive and ICMP
 * errors are reported as XPORT_EV_ERROR. Returns 0 or -errno. */
int xport_udp_open(struct loop *lp, int family, const struct xport_addr *local,
		   const struct xport_addr *remote, const struct xport_cb *cb, void *arg,
		   struct xport **out);
/* TCP client: starts a nonblocking connect; XPORT_EV_CONNECTED or XPORT_EV_CLOSED follows.
 * Packets sent before the connect finishes are queued. */
int xport_tcp_connect(struct loop *lp, const struct xport_addr *remote,
		      const struct xport_addr *local, const struct xport_cb *cb, void *arg,
		      struct xport **out);
/* TCP server: listens on local; connections arrive through cb->accept. */
int xport_tcp_listen(struct loop *lp, const struct xport_addr *local, int backlog,
		     const struct xport_cb *cb, void *arg, struct xport **out);

void xport_set_cb(struct xport *xp, const struct xport_cb *cb, void *arg);
/* Sends one packet. to: destination for an unconnected UDP socket, else ignored (NULL).
 * Returns 0, -EAGAIN (dropped: socket/queue full), -EMSGSIZE, -ENOTCONN or -errno. */
int xport_send(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to);
void xport_close(struct xport *xp);
/* UDP: from cork to uncork, sent packets are held and go out together at uncork, as few
 * system calls as the kernel allows (UDP GSO per run of equal-sized packets to one peer);
 * order and datagrams on the wire are unchanged. For a burst produced in one go (a device
 * read, a batch of received packets). TCP: no effect. NULL is ignored. uncork returns 0 or
 * the -errno of a failed send (the packets are then lost, as with xport_send). */
void xport_cork(struct xport *xp);
int xport_uncork(struct xport *xp);

enum xport_proto xport_proto(const struct xport *xp);
int xport_fd(const struct xport *xp);
/* Local address actually bound (after bind/connect). Returns 0 or -errno. */
int xport_local_addr(const struct xport *xp, struct xport_addr *out);
/* Connected peer (TCP stream / connected UDP). Returns 0 or -ENOTCONN. */
int xport_peer_addr(const struct xport *xp, struct xport_addr *out);
void xport_get_stats(const struct xport *xp, struct xport_stats *st);

#endif
