/* UDP send batching: while a transport is corked (xport_cork), the packets it is asked to send
 * are laid end to end and handed to the kernel as one UDP GSO send (UDP_SEGMENT) per run of
 * equal-sized packets to one destination: one trip through the socket, IP and device layers
 * for up to 64 datagrams instead of one each. The kernel cuts them apart; the wire sees the
 * very same datagrams, in the same order. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/xport_impl.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define GSO_SEGS 64		/* the kernel's limit (UDP_MAX_SEGMENTS) on older versions */
#define GSO_BYTES 65000		/* one UDP datagram's payload, headers left out */

struct udp_batch {
	uint8_t buf[GSO_BYTES];
	size_t len, seg;
	unsigned n;
	bool has_to;
	struct xport_addr to;
};

static ssize_t send_one(struct xport *xp, const uint8_t *pkt, size_t len, struct msghdr *m)
{
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };

	m->msg_iov = &iov;
	m->msg_iovlen = 1;
	m->msg_control = NULL;
	m->msg_controllen = 0;
	return sendmsg(xp->fd, m, MSG_NOSIGNAL);
}

static ssize_t send_gso(struct xport *xp, struct udp_batch *b, struct msghdr *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = b->buf, .iov_len = b->len };
	struct cmsghdr *c;
	uint16_t seg = (uint16_t)b->seg;

	memset(&ctl, 0, sizeof(ctl));
	m->msg_iov = &iov;
	m->msg_iovlen = 1;
	m->msg_control = ctl.buf;
	m->msg_controllen = sizeof(ctl.buf);
	c = CMSG_FIRSTHDR(m);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	return sendmsg(xp->fd, m, MSG_NOSIGNAL);
}

int udp_batch_flush(struct xport *xp)
{
	struct udp_batch *b = xp->batch;
	struct msghdr m = { 0 };
	ssize_t r = 0;
	int err = 0;

	if (!b || !b->n)
		return 0;
	if (b->has_to && !xp->connected) {
		m.msg_name = &b->to.ss;
		m.msg_namelen = b->to.len;
	}
	if (b->n > 1)
		r = send_gso(xp, b, &m);
	/* One packet; or no GSO here (EIO: the route's device cannot checksum it; EINVAL: a
	 * segment larger than the path MTU): the same datagrams one by one. */
	if (b->n == 1 || (r < 0 && (errno == EIO || errno == EINVAL))) {
		r = 0;
		for (size_t off = 0; off < b->len; off += b->seg) {
			size_t l = b->len - off < b->seg ? b->len - off : b->seg;

			if (send_one(xp, b->buf + off, l, &m) < 0) {
				err = errno;
				r = -1;
			}
		}
		errno = err;
	}
	if (r < 0) {
		xp->st.tx_errors++;
		err = errno == EWOULDBLOCK ? -EAGAIN : -errno;
	} else {
		xp->st.tx_pkts += b->n;
		xp->st.tx_bytes += b->len;
	}
	b->n = 0;
	b->len = 0;
	return err;
}

static bool same_to(const struct udp_batch *b, const struct xport_addr *to)
{
	if (!to || !b->has_to)
		return !to && !b->has_to;
	return to->len == b->to.len && xport_addr_equal(to, &b->to);
}

int udp_batch_add(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to)
{
	struct udp_batch *b = xp->batch;
	int e = 0;

	if (!xp->connected && !to)
		return -ENOTCONN;
	if (!b) {
		/* malloc, not calloc: only the bytes a batch really uses become resident */
		b = xp->batch = malloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
		b->n = 0;
		b->len = 0;
	}
	if (b->n && (len > b->seg || b->n >= GSO_SEGS || b->len + len > sizeof(b->buf) ||
		     !same_to(b, to)))
		e = udp_batch_flush(xp);
	if (!b->n) {
		b->seg = len;
		b->has_to = to != NULL;
		if (to)
			b->to = *to;
	}
	memcpy(b->buf + b->len, pkt, len);
	b->len += len;
	b->n++;
	/* a shorter packet can only be the last of a GSO run */
	if (len < b->seg) {
		int f = udp_batch_flush(xp);

		e = e ? e : f;
	}
	return e;
}

void udp_batch_free(struct xport *xp)
{
	free(xp->batch);
	xp->batch = NULL;
}
