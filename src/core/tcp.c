/* TCP transport: OpenVPN packets as u16-length records on a stream (framing: proto/packet.h).
 * Nonblocking connect, an output queue for partial writes, and a listener for servers. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/xport_impl.h"
#include "proto/packet.h"

/* Bytes queued for a slow peer before packets are dropped (a stream cannot drop halves). */
#define TCP_OUTQ_MAX (512 * 1024)
#define TCP_READ_CHUNK 16384
/* Reads per wake-up before yielding to the other fds. */
#define TCP_READ_BUDGET 16

struct tcp_xport {
	struct xport xp;	/* first: the generic code casts */
	int listening;
	struct pkt_tcp_rx rx;
	uint8_t *outq;		/* framed bytes not yet written: [out_off, out_len) */
	size_t out_off, out_len;
};

static struct tcp_xport *tcp_of(struct xport *xp)
{
	return (struct tcp_xport *)xp;
}

static void tcp_closed(struct xport *xp, int err)
{
	if (xp->cb && xp->cb->event)
		xp->cb->event(xp->cb_arg, xp, XPORT_EV_CLOSED, err);
	/* An owner that keeps the dead stream open must not get EOF again on every wait. */
	if (!xp->dead)
		loop_io_del(xp->lp, &xp->io);
}

static void tcp_want_out(struct xport *xp, int on)
{
	loop_io_mod(xp->lp, &xp->io, EPOLLIN | (on ? EPOLLOUT : 0u));
}

/* Writes queued bytes; returns 0 or -errno (connection broken). */
static int tcp_flush(struct tcp_xport *t)
{
	while (t->out_off < t->out_len) {
		ssize_t n = send(t->xp.fd, t->outq + t->out_off, t->out_len - t->out_off,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		t->out_off += (size_t)n;
	}
	if (t->out_off == t->out_len)
		t->out_off = t->out_len = 0;
	else if (t->out_off > TCP_OUTQ_MAX / 2) {
		/* Compact so the free space is contiguous at the end. */
		memmove(t->outq, t->outq + t->out_off, t->out_len - t->out_off);
		t->out_len -= t->out_off;
		t->out_off = 0;
	}
	if (t->xp.connected)
		tcp_want_out(&t->xp, t->out_len != 0);
	return 0;
}

static int tcp_send(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to)
{
	struct tcp_xport *t = tcp_of(xp);
	int n;

	(void)to;
	if (t->listening)
		return -ENOTCONN;
	if (t->out_off && t->out_len + len + PKT_TCP_HDR > TCP_OUTQ_MAX) {
		memmove(t->outq, t->outq + t->out_off, t->out_len - t->out_off);
		t->out_len -= t->out_off;
		t->out_off = 0;
	}
	n = pkt_tcp_frame(pkt, len, t->outq + t->out_len, TCP_OUTQ_MAX - t->out_len);
	if (n == -ENOBUFS) {
		xp->st.tx_dropped++;
		return -EAGAIN;
	}
	if (n < 0) {
		xp->st.tx_errors++;
		return n;
	}
	t->out_len += (size_t)n;
	xp->st.tx_pkts++;
	xp->st.tx_bytes += len;
	if (!xp->connected)
		return 0;	/* sent when the connect completes */
	n = tcp_flush(t);
	if (n < 0)
		xp->st.tx_errors++;
	return n;
}

/* Feeds received bytes to the reassembler; returns -EBADMSG on bad framing, 1 if xp died. */
static int tcp_deliver(struct tcp_xport *t, const uint8_t *p, size_t len)
{
	while (len) {
		const uint8_t *pkt;
		size_t used = 0, plen = 0;
		int r = pkt_tcp_rx_feed(&t->rx, p, len, &used, &pkt, &plen);

		p += used;
		len -= used;
		if (r < 0) {
			t->xp.st.rx_errors++;
			return r;
		}
		if (r == 1) {
			t->xp.st.rx_pkts++;
			t->xp.st.rx_bytes += plen;
			t->xp.cb->recv(t->xp.cb_arg, &t->xp, pkt, plen, &t->xp.peer);
			if (t->xp.dead)
				return 1;
		}
	}
	return 0;
}

static void tcp_read(struct tcp_xport *t)
{
	uint8_t buf[TCP_READ_CHUNK];

	for (int i = 0; i < TCP_READ_BUDGET; i++) {
		ssize_t n = recv(t->xp.fd, buf, sizeof(buf), 0);
		int r;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			tcp_closed(&t->xp, -errno);
			return;
		}
		if (n == 0) {
			tcp_closed(&t->xp, 0);
			return;
		}
		r = tcp_deliver(t, buf, (size_t)n);
		if (r == 1)
			return;
		if (r < 0) {
			tcp_closed(&t->xp, r);
			return;
		}
	}
}

static void tcp_connect_done(struct tcp_xport *t)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (getsockopt(t->xp.fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		err = errno;
	if (err) {
		tcp_closed(&t->xp, -err);
		return;
	}
	t->xp.connected = 1;
	if (t->xp.cb->event)
		t->xp.cb->event(t->xp.cb_arg, &t->xp, XPORT_EV_CONNECTED, 0);
	if (t->xp.dead)
		return;
	err = tcp_flush(t);
	if (err < 0)
		tcp_closed(&t->xp, err);
}

static void tcp_on_io(struct loop *lp, uint32_t events, void *arg)
{
	struct tcp_xport *t = arg;
	int r;

	(void)lp;
	xport_enter(&t->xp);
	if (!t->xp.connected) {
		tcp_connect_done(t);
		goto out;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		tcp_read(t);
	if (!t->xp.dead && (events & EPOLLOUT)) {
		r = tcp_flush(t);
		if (r < 0)
			tcp_closed(&t->xp, r);
	}
out:
	xport_leave(&t->xp);
}

static void tcp_close(struct xport *xp)
{
	struct tcp_xport *t = tcp_of(xp);

	loop_io_del(xp->lp, &xp->io);
	close(xp->fd);
	xp->fd = -1;
	pkt_tcp_rx_free(&t->rx);
	free(t->outq);
	t->outq = NULL;
}

static const struct xport_ops tcp_ops = { .send = tcp_send, .close = tcp_close };

static int tcp_alloc(struct loop *lp, const struct xport_cb *cb, void *arg, int listening,
		     struct tcp_xport **out)
{
	struct tcp_xport *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->xp.ops = &tcp_ops;
	t->xp.proto = XPORT_TCP;
	t->xp.lp = lp;
	t->xp.cb = cb;
	t->xp.cb_arg = arg;
	t->xp.fd = -1;
	t->listening = listening;
	if (!listening) {
		t->outq = malloc(TCP_OUTQ_MAX);
		if (!t->outq || pkt_tcp_rx_init(&t->rx, 0) < 0) {
			free(t->outq);
			free(t);
			return -ENOMEM;
		}
	}
	*out = t;
	return 0;
}

static void tcp_free_unopened(struct tcp_xport *t)
{
	if (t->xp.fd >= 0)
		close(t->xp.fd);
	if (!t->listening)
		pkt_tcp_rx_free(&t->rx);
	free(t->outq);
	free(t);
}

/* The last step of opening: into the loop and out to the caller, or freed on failure (e < 0
 * from an earlier step, or loop_io_add's). */
static int tcp_opened(struct loop *lp, struct tcp_xport *t, int e, uint32_t events,
		      loop_io_fn fn, void *arg, struct xport **out)
{
	if (e == 0)
		e = loop_io_add(lp, &t->xp.io, t->xp.fd, events, fn, arg);
	if (e < 0) {
		tcp_free_unopened(t);
		return e;
	}
	*out = &t->xp;
	return 0;
}

static void tcp_nodelay(int fd)
{
	int on = 1;

	/* Control packets are small and latency-bound. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

int xport_tcp_connect(struct loop *lp, const struct xport_addr *remote,
		      const struct xport_addr *local, const struct xport_cb *cb, void *arg,
		      struct xport **out)
{
	struct tcp_xport *t;
	int e = tcp_alloc(lp, cb, arg, 0, &t);

	if (e < 0)
		return e;
	t->xp.peer = *remote;
	t->xp.fd = xport_socket(remote->ss.ss_family, SOCK_STREAM);
	if (t->xp.fd < 0) {
		e = t->xp.fd;
		goto fail;
	}
	tcp_nodelay(t->xp.fd);
	if (local && bind(t->xp.fd, (const struct sockaddr *)&local->ss, local->len) < 0) {
		e = -errno;
		goto fail;
	}
	if (connect(t->xp.fd, (const struct sockaddr *)&remote->ss, remote->len) < 0 &&
	    errno != EINPROGRESS) {
		e = -errno;
		goto fail;
	}
	/* Completion (or an immediate loopback connect) is reported from the loop, uniformly. */
fail:
	return tcp_opened(lp, t, e, EPOLLIN | EPOLLOUT, tcp_on_io, t, out);
}

/* Wraps an accepted connection in a stream xport. */
static int tcp_adopt(struct loop *lp, int fd, const struct xport_addr *from, struct xport **out)
{
	struct tcp_xport *t;
	int e = tcp_alloc(lp, NULL, NULL, 0, &t);

	if (e < 0) {
		close(fd);
		return e;
	}
	t->xp.fd = fd;
	t->xp.peer = *from;
	t->xp.connected = 1;
	tcp_nodelay(fd);
	return tcp_opened(lp, t, 0, EPOLLIN, tcp_on_io, t, out);
}

static void tcp_on_accept(struct loop *lp, uint32_t events, void *arg)
{
	struct xport *lx = arg;

	(void)events;
	xport_enter(lx);
	for (int i = 0; i < TCP_READ_BUDGET && !lx->dead; i++) {
		struct xport_addr from = { .len = sizeof(from.ss) };
		struct xport *conn;
		int fd = accept4(lx->fd, (struct sockaddr *)&from.ss, &from.len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			break;
		if (tcp_adopt(lp, fd, &from, &conn) < 0) {
			lx->st.rx_errors++;
			continue;
		}
		if (lx->cb->accept)
			lx->cb->accept(lx->cb_arg, lx, conn, &from);
		else
			xport_close(conn);
	}
	xport_leave(lx);
}

int xport_tcp_listen(struct loop *lp, const struct xport_addr *local, int backlog,
		     const struct xport_cb *cb, void *arg, struct xport **out)
{
	struct tcp_xport *t;
	int on = 1;
	int e = tcp_alloc(lp, cb, arg, 1, &t);

	if (e < 0)
		return e;
	t->xp.fd = xport_socket(local->ss.ss_family, SOCK_STREAM);
	if (t->xp.fd < 0) {
		e = t->xp.fd;
		goto fail;
	}
	setsockopt(t->xp.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(t->xp.fd, (const struct sockaddr *)&local->ss, local->len) < 0 ||
	    listen(t->xp.fd, backlog > 0 ? backlog : 64) < 0) {
		e = -errno;
		goto fail;
	}
fail:
	return tcp_opened(lp, t, e, EPOLLIN, tcp_on_accept, &t->xp, out);
}
