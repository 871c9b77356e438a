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
#define UDP_BATCH 32		/* datagrams per recvmmsg() */

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
	/* replies to a batch of datagrams (acks, the other direction's packets) go out together */
	xport_cork(xp);
	udp_read(xp, events);
	if (!xp->dead)
		xport_uncork(xp);
	xport_leave(xp);
}

/* One recvmmsg() fetches up to UDP_BATCH datagrams: one system call per batch instead of
 * one per packet, which is most of the receive cost at high packet rates. The buffers are
 * static: the loop is single-threaded and a callback never re-enters udp_read. */
static void udp_read(struct xport *xp, uint32_t events)
{
	static uint8_t bufs[UDP_BATCH][XPORT_MAX_PKT + 1];
	struct xport_addr from[UDP_BATCH];
	struct mmsghdr m[UDP_BATCH];
	struct iovec iov[UDP_BATCH];

	if (events & EPOLLERR) {
		udp_report_error(xp);
		return;
	}
	for (int got = 0; got < UDP_READ_BUDGET;) {
		for (int i = 0; i < UDP_BATCH; i++) {
			iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
			m[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &from[i].ss, .msg_namelen = sizeof(from[i].ss),
				.msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		int n = recvmmsg(xp->fd, m, UDP_BATCH, 0, NULL);

		if (n < 0) {
			if ((errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) &&
			    xp->cb->event)
				xp->cb->event(xp->cb_arg, xp, XPORT_EV_ERROR, -errno);
			return;	/* EAGAIN and friends: drained */
		}
		for (int i = 0; i < n; i++) {
			size_t len = m[i].msg_len;

			if (len == 0 || len > XPORT_MAX_PKT || (m[i].msg_hdr.msg_flags & MSG_TRUNC)) {
				xp->st.rx_errors++;	/* empty or too large to be ours: drop */
				continue;
			}
			from[i].len = m[i].msg_hdr.msg_namelen;
			xp->st.rx_pkts++;
			xp->st.rx_bytes += len;
			/* The callback may close the transport: it must be the last use of xp. */
			xp->cb->recv(xp->cb_arg, xp, bufs[i], len, &from[i]);
			if (xp->dead)
				return;
		}
		if (n < UDP_BATCH)
			return;	/* the socket is drained */
		got += n;
	}
}

static int udp_send(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to)
{
	ssize_t n;

	if (xp->corked)
		return udp_batch_add(xp, pkt, len, to);
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
	udp_batch_flush(xp);	/* what a corked batch holds was sent before the close */
	udp_batch_free(xp);
	close(xp->fd);
	xp->fd = -1;
}

static const struct xport_ops udp_ops = { .send = udp_send, .close = udp_close };

/* Larger socket buffers so bursts of tunnel traffic are not dropped by the kernel: a peer
 * sending UDP GSO batches (udp_gso.c) delivers 64 datagrams at once. The FORCE variants pass
 * net.core.rmem_max/wmem_max when we may (CAP_NET_ADMIN); else the capped request stands. */
static void udp_tune(int fd, int family)
{
	int sz = 4 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
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
	if (e == 0) {
		*out = xp;
		return 0;
	}
fail_close:
	close(xp->fd);
fail_free:
	free(xp);
	return e;
}
