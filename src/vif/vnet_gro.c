/* Coalescing TCP segments into GSO super-packets on the way into a TUN (see vnet_gro.h). A
 * merged packet goes out with a partial checksum (the pseudo-header sum, as the kernel's own
 * GSO packets carry it) and the kernel treats it as verified: the segments came out of the
 * authenticated data channel, so nothing between the peer's kernel and ours changed them. */
#include "vif/vnet_gro.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/bytes.h"

#define GRO_MAX 65535		/* IPv4 total length / IPv6 payload length limit */
#define TCP_PSH 0x08
#define TCP_ACK 0x10

struct tcpi {
	size_t l3, hl, plen;
	uint32_t seq;
	uint8_t flags;
};

static void putle16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static unsigned fold_sum(uint64_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += bytes_get_u16(p + i);
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (unsigned)s;
}

/* A candidate: a whole IPv4 (no options, not a fragment) or IPv6 (no extension header) TCP
 * packet with payload whose only flags are ACK and maybe PSH. */
static bool tcp_info(const uint8_t *p, size_t len, struct tcpi *t)
{
	if (len < 20 || len > GRO_MAX)
		return false;
	if (p[0] == 0x45) {
		if (p[9] != 6 || bytes_get_u16(p + 2) != len || (bytes_get_u16(p + 6) & 0x3FFF))
			return false;	/* DF may be set; MF or an offset may not */
		t->l3 = 20;
	} else if (p[0] >> 4 == 6) {
		if (len < 40 || p[6] != 6 || bytes_get_u16(p + 4) + (size_t)40 != len)
			return false;
		t->l3 = 40;
	} else {
		return false;
	}
	if (len < t->l3 + 20)
		return false;
	t->hl = t->l3 + (size_t)(p[t->l3 + 12] >> 4) * 4;
	if (t->hl < t->l3 + 20 || t->hl >= len)
		return false;
	t->flags = p[t->l3 + 13];
	if ((t->flags & ~TCP_PSH) != TCP_ACK)
		return false;
	t->plen = len - t->hl;
	t->seq = bytes_get_u32(p + t->l3 + 4);
	return true;
}

/* Does p continue the held packet: same flow and headers, the next bytes, fits? */
static bool continues(const struct vif_gro *g, const uint8_t *p, const struct tcpi *t)
{
	const uint8_t *h = g->buf, *ht = h + g->l3, *pt = p + t->l3;

	if (t->l3 != g->l3 || t->hl != g->hl || t->seq != g->next_seq || t->plen > g->seg ||
	    g->len + t->plen > GRO_MAX + (g->l3 == 40 ? 40 : 0))
		return false;
	if (g->l3 == 20 ? memcmp(h, p, 2) || memcmp(h + 6, p + 6, 4) || memcmp(h + 12, p + 12, 8)
			: memcmp(h, p, 4) || memcmp(h + 6, p + 6, 34))
		return false;
	/* ports; ack and data offset; window; options (timestamps included, as the kernel) */
	return !memcmp(ht, pt, 4) && !memcmp(ht + 8, pt + 8, 5) && !memcmp(ht + 14, pt + 14, 2) &&
	       !memcmp(ht + 20, pt + 20, g->hl - g->l3 - 20);
}

int vif_gro_init(struct vif_gro *g, vif_gro_out_fn out, void *arg)
{
	memset(g, 0, sizeof(*g));
	g->buf = malloc(GRO_MAX + 40);
	if (!g->buf)
		return -ENOMEM;
	g->out = out;
	g->arg = arg;
	return 0;
}

void vif_gro_free(struct vif_gro *g)
{
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

static int put_out(struct vif_gro *g, const uint8_t *hdr, const uint8_t *pkt, size_t len)
{
	ssize_t n = g->out(g->arg, hdr, pkt, len);

	g->st.frames++;
	if (n < 0) {
		g->st.errors++;
		return (int)n;
	}
	return 0;
}

/* Lengths, IPv4 checksum, the partial TCP checksum and the GSO header of a merged packet. */
static void finish(struct vif_gro *g, uint8_t hdr[VIF_VNET_HLEN])
{
	uint8_t *p = g->buf;
	bool v6 = g->l3 == 40;
	uint64_t pseudo = 6 + (uint64_t)(g->len - g->l3);

	if (v6) {
		bytes_put_u16(p + 4, (unsigned)(g->len - 40));
	} else {
		bytes_put_u16(p + 2, (unsigned)g->len);
		bytes_put_u16(p + 10, 0);
		bytes_put_u16(p + 10, ~fold_sum(0, p, 20) & 0xFFFF);
	}
	bytes_put_u16(p + g->l3 + 16, fold_sum(pseudo, v6 ? p + 8 : p + 12, v6 ? 32 : 8));
	hdr[0] = VIF_VNET_F_NEEDS_CSUM;
	hdr[1] = v6 ? VIF_VNET_GSO_TCPV6 : VIF_VNET_GSO_TCPV4;
	putle16(hdr + 2, g->hl);
	putle16(hdr + 4, g->seg);
	putle16(hdr + 6, g->l3);
	putle16(hdr + 8, 16);
}

int vif_gro_flush(struct vif_gro *g)
{
	uint8_t hdr[VIF_VNET_HLEN] = { 0 };
	size_t len = g->len;

	if (!len)
		return 0;
	if (g->nseg > 1)
		finish(g, hdr);	/* a single segment goes out untouched */
	g->len = 0;
	return put_out(g, hdr, g->buf, len);
}

int vif_gro_add(struct vif_gro *g, const uint8_t *pkt, size_t len)
{
	static const uint8_t zero[VIF_VNET_HLEN];
	struct tcpi t;
	bool cand = g->buf && pkt && tcp_info(pkt, len, &t);
	int rc;

	if (g->len && cand && continues(g, pkt, &t)) {
		memcpy(g->buf + g->len, pkt + t.hl, t.plen);
		g->len += t.plen;
		g->nseg++;
		g->next_seq += (uint32_t)t.plen;
		g->st.merged++;
		g->buf[g->l3 + 13] |= t.flags & TCP_PSH;
		/* a short segment or PSH ends the run: nothing can follow it */
		return t.plen < g->seg || (t.flags & TCP_PSH) ? vif_gro_flush(g) : 0;
	}
	rc = vif_gro_flush(g);	/* what is held goes first: the order never changes */
	if (!cand || (t.flags & TCP_PSH)) {
		int w = pkt && len ? put_out(g, zero, pkt, len) : -EINVAL;

		return rc ? rc : w;
	}
	memcpy(g->buf, pkt, len);
	g->len = len;
	g->l3 = t.l3;
	g->hl = t.hl;
	g->seg = t.plen;
	g->nseg = 1;
	g->next_seq = t.seq + (uint32_t)t.plen;
	return rc;
}

ssize_t vif_gro_out_port(void *arg, const uint8_t *hdr, const uint8_t *pkt, size_t len)
{
	struct iovec iov[2] = { { .iov_base = (void *)hdr, .iov_len = VIF_VNET_HLEN },
				{ .iov_base = (void *)pkt, .iov_len = len } };
	int fd = vif_fd(arg);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = writev(fd, iov, 2);
	if (n < 0)
		return errno == EIO ? -ENETDOWN : -errno;
	return n;
}
