/* Virtio-net header offloads on a kernel TUN: parsing, checksum completion and TCP
 * segmentation in place (see vnet.h). Every length is checked against the buffer before the
 * bytes are touched: the header comes from the kernel, but the packet behind it is whatever a
 * local program sent. */
#include "vif/vnet.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "util/bytes.h"

#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define PROTO_TCP 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80
#define HDR_MAX (60 + 60)	/* IPv4 with options + TCP with options */

static unsigned le16(const uint8_t *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

int vif_vnet_parse(const uint8_t *buf, size_t len, struct vif_vnet_hdr *h)
{
	if (!buf || !h || len < VIF_VNET_HLEN)
		return -EINVAL;
	h->flags = buf[0];
	h->gso_type = buf[1];
	h->hdr_len = (uint16_t)le16(buf + 2);
	h->gso_size = (uint16_t)le16(buf + 4);
	h->csum_start = (uint16_t)le16(buf + 6);
	h->csum_offset = (uint16_t)le16(buf + 8);
	return 0;
}

int vif_vnet_offload(struct vif_port *p)
{
	int fd = vif_fd(p);

	if (fd < 0)
		return fd;
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0)
		return -errno;
	return 0;
}

ssize_t vif_vnet_write(struct vif_port *p, const void *pkt, size_t len)
{
	static const uint8_t zero[VIF_VNET_HLEN];
	struct iovec iov[2] = { { .iov_base = (void *)zero, .iov_len = sizeof(zero) },
				{ .iov_base = (void *)pkt, .iov_len = len } };
	int fd = vif_fd(p);
	ssize_t n;

	if (fd < 0)
		return fd;
	if (!pkt || len == 0)
		return -EINVAL;
	n = writev(fd, iov, 2);
	if (n < 0)
		return errno == EIO ? -ENETDOWN : -errno;	/* EIO: the device is down */
	return n < (ssize_t)sizeof(zero) ? -EIO : n - (ssize_t)sizeof(zero);
}

/* ---- checksums (RFC 1071) ---- */

static unsigned fold(uint64_t s);

/* s + the big-endian 16-bit word sum of p (unfolded). The bulk goes 8 bytes at a time in
 * native order with an end-around carry: 2^16 = 1 modulo 0xFFFF, so the folded sum of native
 * words is the byte-swapped folded sum of big-endian ones on a little-endian host. */
static uint64_t sum_bytes(uint64_t s, const uint8_t *p, size_t n)
{
	uint64_t acc = 0, v;
	unsigned f;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		acc += v;
		acc += acc < v;
	}
	f = fold((acc & 0xFFFFFFFFu) + (acc >> 32));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = (f >> 8 | f << 8) & 0xFFFF;
#endif
	s += f;
	for (; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		s += (uint32_t)p[i] << 8;
	return s;
}

static unsigned fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (unsigned)s;
}

/* TCP checksum of the segment at ip + l3 (tcp_len bytes), pseudo-header included. */
static unsigned tcp_csum(const uint8_t *ip, size_t l3, size_t tcp_len, bool v6)
{
	uint64_t s = PROTO_TCP + (uint64_t)tcp_len;

	s = v6 ? sum_bytes(s, ip + 8, 32) : sum_bytes(s, ip + 12, 8);
	return ~fold(sum_bytes(s, ip + l3, tcp_len)) & 0xFFFF;
}

/* NEEDS_CSUM: the field holds the pseudo-header sum; add the rest and store. */
static int csum_complete(uint8_t *pkt, size_t len, const struct vif_vnet_hdr *h)
{
	size_t at = (size_t)h->csum_start + h->csum_offset;

	if (!(h->flags & VIF_VNET_F_NEEDS_CSUM))
		return 0;
	if (h->csum_start >= len || at + 2 > len)
		return -EINVAL;
	unsigned c = ~fold(sum_bytes(0, pkt + h->csum_start, len - h->csum_start)) & 0xFFFF;

	/* UDP sends 0 as "no checksum": a computed 0 goes out as 0xFFFF (same value) */
	bytes_put_u16(pkt + at, c ? c : 0xFFFF);
	return 0;
}

/* ---- segmentation ---- */

struct tso {
	bool v6;
	size_t l3, hl;		/* IP header length, IP + TCP header length */
	uint32_t seq;
	unsigned id, flags;
};

static int tso_headers(const uint8_t *pkt, size_t len, const struct vif_vnet_hdr *h, struct tso *t)
{
	unsigned gt = h->gso_type & ~VIF_VNET_GSO_ECN;

	if (gt != VIF_VNET_GSO_TCPV4 && gt != VIF_VNET_GSO_TCPV6)
		return -EPROTONOSUPPORT;
	t->v6 = gt == VIF_VNET_GSO_TCPV6;
	if (len < IP4_HLEN || pkt[0] >> 4 != (t->v6 ? 6 : 4))
		return -EINVAL;
	if (t->v6) {
		if (len < IP6_HLEN)
			return -EINVAL;
		if (pkt[6] != PROTO_TCP)
			return -EPROTONOSUPPORT;
		t->l3 = IP6_HLEN;
	} else {
		t->l3 = (size_t)(pkt[0] & 15) * 4;
		if (t->l3 < IP4_HLEN || pkt[9] != PROTO_TCP)
			return -EINVAL;
	}
	if (len < t->l3 + TCP_HLEN)
		return -EINVAL;
	t->hl = t->l3 + (size_t)(pkt[t->l3 + 12] >> 4) * 4;
	if (t->hl < t->l3 + TCP_HLEN || t->hl > len || t->hl > HDR_MAX || h->gso_size == 0)
		return -EINVAL;
	t->seq = (uint32_t)bytes_get_u16(pkt + t->l3 + 4) << 16 | bytes_get_u16(pkt + t->l3 + 6);
	t->id = t->v6 ? 0 : bytes_get_u16(pkt + 4);
	t->flags = pkt[t->l3 + 13];
	return 0;
}

/* Turns the headers at s (copied from the template) into segment i's: n payload bytes. */
static void tso_fix(uint8_t *s, const struct tso *t, size_t i, size_t nseg, size_t n, size_t mss)
{
	uint8_t *tcp = s + t->l3;
	uint32_t seq = t->seq + (uint32_t)(i * mss);
	unsigned fl = t->flags;

	if (t->v6) {
		bytes_put_u16(s + 4, (unsigned)(t->hl - IP6_HLEN + n));
	} else {
		bytes_put_u16(s + 2, (unsigned)(t->hl + n));
		bytes_put_u16(s + 4, (t->id + (unsigned)i) & 0xFFFF);
		bytes_put_u16(s + 10, 0);
		bytes_put_u16(s + 10, ~fold(sum_bytes(0, s, t->l3)) & 0xFFFF);
	}
	if (i + 1 < nseg)
		fl &= ~(unsigned)(TCP_FIN | TCP_PSH);
	if (i > 0)
		fl &= ~(unsigned)TCP_CWR;
	bytes_put_u16(tcp + 4, seq >> 16);
	bytes_put_u16(tcp + 6, seq & 0xFFFF);
	tcp[13] = (uint8_t)fl;
	bytes_put_u16(tcp + 16, 0);
	bytes_put_u16(tcp + 16, tcp_csum(s, t->l3, t->hl - t->l3 + n, t->v6));
}

static int tso_split(uint8_t *pkt, size_t len, const struct vif_vnet_hdr *h,
		     vif_vnet_emit_fn emit, void *arg)
{
	uint8_t tmpl[HDR_MAX];
	struct tso t;
	int rc = tso_headers(pkt, len, h, &t);

	if (rc < 0)
		return rc;
	size_t mss = h->gso_size, payload = len - t.hl;
	size_t nseg = payload ? (payload + mss - 1) / mss : 1;

	memcpy(tmpl, pkt, t.hl);
	for (size_t i = 0; i < nseg; i++) {
		size_t n = payload - i * mss < mss ? payload - i * mss : mss;
		/* segment i's headers go right before its payload, over bytes already sent */
		uint8_t *s = pkt + i * mss;

		if (i)
			memcpy(s, tmpl, t.hl);
		tso_fix(s, &t, i, nseg, n, mss);
		emit(arg, s, t.hl + n);
	}
	return (int)nseg;
}

int vif_vnet_split(uint8_t *buf, size_t len, vif_vnet_emit_fn emit, void *arg)
{
	struct vif_vnet_hdr h;
	uint8_t *pkt = buf + VIF_VNET_HLEN;
	int rc = vif_vnet_parse(buf, len, &h);

	if (rc < 0 || !emit)
		return -EINVAL;
	len -= VIF_VNET_HLEN;
	if (len == 0)
		return -EINVAL;
	if (h.gso_type != VIF_VNET_GSO_NONE)
		return tso_split(pkt, len, &h, emit, arg);
	rc = csum_complete(pkt, len, &h);
	if (rc < 0)
		return rc;
	emit(arg, pkt, len);
	return 1;
}
