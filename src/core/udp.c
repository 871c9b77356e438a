/* UDP transport: one OpenVPN packet per datagram. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/xport_impl.h"
#include "util/log.h"

/* Datagrams read per wake-up before yielding to the other fds. */
#define UDP_READ_BUDGET 64

static void udp_report_error(struct xport *xp)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (getsockopt(xp->fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err && xp->cb->event)
		xp->cb->event(xp->cb_arg, xp, XPORT_EV_ERROR, -err);
}

static void udp_read(struct xport *xp, uint32_t events);

static void udp_on_io(struct loop *lp, uint32_t events, void *arg)
{
	struct xport *xp = arg;

	(void)lp;
	xport_enter(xp);
	udp_read(xp, events);
	xport_leave(xp);
}

static void udp_read(struct xport *xp, uint32_t events)
{
	uint8_t buf[XPORT_MAX_PKT + 1];

	if (events & EPOLLERR) {
		udp_report_error(xp);
		return;
	}
	for (int i = 0; i < UDP_READ_BUDGET; i++) {
		struct xport_addr from = { .len = sizeof(from.ss) };
		ssize_t n = recvfrom(xp->fd, buf, sizeof(buf), MSG_TRUNC,
				     (struct sockaddr *)&from.ss, &from.len);

		if (n < 0) {
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) {
				if (xp->cb->event)
					xp->cb->event(xp->cb_arg, xp, XPORT_EV_ERROR, -errno);
				return;
			}
			return;	/* EAGAIN and friends: drained */
		}
		if (n == 0 || (size_t)n > XPORT_MAX_PKT) {
			xp->st.rx_errors++;	/* empty or too large to be ours: drop */
			continue;
		}
		xp->st.rx_pkts++;
		xp->st.rx_bytes += (uint64_t)n;
		/* The callback may close the transport: it must be the last use of xp. */
		xp->cb->recv(xp->cb_arg, xp, buf, (size_t)n, &from);
		if (xp->dead)
			return;
	}
}

static int udp_send(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to)
{
	ssize_t n;

	if (xp->connected)
		n = send(xp->fd, pkt, len, MSG_NOSIGNAL);
	else if (to)
		n = sendto(xp->fd, pkt, len, MSG_NOSIGNAL, (const struct sockaddr *)&to->ss, to->len);
	else
		return -ENOTCONN;
	if (n < 0) {
		int e = errno == EWOULDBLOCK ? -EAGAIN : -errno;

		xp->st.tx_errors++;
		return e;
	}
	xp->st.tx_pkts++;
	xp->st.tx_bytes += (uint64_t)n;
	return 0;
}

static void udp_close(struct xport *xp)
{
	loop_io_del(xp->lp, &xp->io);
	close(xp->fd);
	xp->fd = -1;
}

static const struct xport_ops udp_ops = { .send = udp_send, .close = udp_close };

/* Larger socket buffers so bursts of tunnel traffic are not dropped by the kernel. */
static void udp_tune(int fd, int family)
{
	int sz = 1 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (family == AF_INET6) {
		int off = 0;

		/* Dual-stack when bound to the wildcard; harmless otherwise. */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	}
}

int xport_udp_open(struct loop *lp, int family, const struct xport_addr *local,
		   const struct xport_addr *remote, const struct xport_cb *cb, void *arg,
		   struct xport **out)
{
	struct xport *xp;
	int e;

	if (local)
		family = local->ss.ss_family;
	else if (remote)
		family = remote->ss.ss_family;
	xp = calloc(1, sizeof(*xp));
	if (!xp)
		return -ENOMEM;
	xp->ops = &udp_ops;
	xp->proto = XPORT_UDP;
	xp->lp = lp;
	xp->cb = cb;
	xp->cb_arg = arg;
	xp->fd = xport_socket(family, SOCK_DGRAM);
	if (xp->fd < 0) {
		e = xp->fd;
		goto fail_free;
	}
	udp_tune(xp->fd, family);
	if (local && bind(xp->fd, (const struct sockaddr *)&local->ss, local->len) < 0) {
		e = -errno;
		goto fail_close;
	}
	if (remote) {
		if (connect(xp->fd, (const struct sockaddr *)&remote->ss, remote->len) < 0) {
			e = -errno;
			goto fail_close;
		}
		xp->connected = 1;
		xp->peer = *remote;
	}
	e = loop_io_add(lp, &xp->io, xp->fd, EPOLLIN, udp_on_io, xp);
	if (e < 0)
		goto fail_close;
	*out = xp;
	return 0;
fail_close:
	close(xp->fd);
fail_free:
	free(xp);
	return e;
}
