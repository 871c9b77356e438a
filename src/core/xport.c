/* What UDP and TCP transports share: name resolution, address helpers, dispatch. */
#include "core/xport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/xport_impl.h"

int xport_socket(int family, int type)
{
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static int xport_gai_errno(int rc)
{
	switch (rc) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
	case EAI_ADDRFAMILY:
		return -ENOENT;
	case EAI_AGAIN:
		return -EAGAIN;
	case EAI_MEMORY:
		return -ENOMEM;
	default:
		return -EINVAL;
	}
}

int xport_resolve(const char *host, const char *port, int family, enum xport_proto proto,
		  int passive, struct xport_addr *out, size_t max, size_t *n)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	int rc;

	*n = 0;
	hints.ai_family = family;
	hints.ai_socktype = proto == XPORT_TCP ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = (passive ? AI_PASSIVE : 0) | AI_ADDRCONFIG;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
		/* AI_ADDRCONFIG hides IPv6 in a namespace with only loopback; try without it. */
		hints.ai_flags &= ~AI_ADDRCONFIG;
		rc = getaddrinfo(host, port, &hints, &res);
	}
	if (rc != 0)
		return xport_gai_errno(rc);
	for (ai = res; ai && *n < max; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out[*n].ss))
			continue;
		memcpy(&out[*n].ss, ai->ai_addr, ai->ai_addrlen);
		out[*n].len = ai->ai_addrlen;
		(*n)++;
	}
	freeaddrinfo(res);
	return *n ? 0 : -ENOENT;
}

const char *xport_addr_str(const struct xport_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (!len)
		return buf;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&a->ss;

		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		port = ntohs(s->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&a->ss;

		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		port = ntohs(s->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		snprintf(buf, len, "(unknown address family %d)", a->ss.ss_family);
	}
	return buf;
}

int xport_addr_equal(const struct xport_addr *a, const struct xport_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return 0;
}

int xport_addr_family(const struct xport_addr *a)
{
	return a->ss.ss_family;
}

void xport_set_cb(struct xport *xp, const struct xport_cb *cb, void *arg)
{
	xp->cb = cb;
	xp->cb_arg = arg;
}

int xport_send(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to)
{
	if (!len || len > XPORT_MAX_PKT) {
		xp->st.tx_errors++;
		return -EMSGSIZE;
	}
	return xp->ops->send(xp, pkt, len, to);
}

void xport_cork(struct xport *xp)
{
	if (xp && !xp->dead && xp->proto == XPORT_UDP)
		xp->corked = 1;
}

int xport_uncork(struct xport *xp)
{
	if (!xp || !xp->corked)
		return 0;
	xp->corked = 0;
	return xp->dead ? 0 : udp_batch_flush(xp);
}

void xport_close(struct xport *xp)
{
	if (!xp || xp->dead)
		return;
	xp->dead = 1;
	xp->ops->close(xp);
	if (!xp->busy)
		free(xp);
}

int xport_leave(struct xport *xp)
{
	if (--xp->busy == 0 && xp->dead) {
		free(xp);
		return 1;
	}
	return xp->dead;
}

enum xport_proto xport_proto(const struct xport *xp)
{
	return xp->proto;
}

int xport_fd(const struct xport *xp)
{
	return xp->fd;
}

int xport_local_addr(const struct xport *xp, struct xport_addr *out)
{
	out->len = sizeof(out->ss);
	if (getsockname(xp->fd, (struct sockaddr *)&out->ss, &out->len) < 0)
		return -errno;
	return 0;
}

int xport_peer_addr(const struct xport *xp, struct xport_addr *out)
{
	if (!xp->connected && xp->proto == XPORT_UDP)
		return -ENOTCONN;
	*out = xp->peer;
	return 0;
}

void xport_get_stats(const struct xport *xp, struct xport_stats *st)
{
	*st = xp->st;
}
