/* TCP MSS clamping (`mssfix`, spec §11). The hot path calls mss_syn_family() on every packet
 * and does the rest only for the rare SYN, so the engines keep no per-tunnel state for it. */
#include "core/mss.h"

#include <string.h>
#include <sys/socket.h>

#include "config/config.h"
#include "proto/cipher.h"
#include "proto/session.h"
#include "util/bytes.h"

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define PROTO_TCP 6
#define TCP_SYN 0x02
#define OPT_END 0
#define OPT_NOP 1
#define OPT_MSS 2
#define MSS_FLOOR 64		/* never clamp below this, whatever mssfix says */

/* Where the TCP segment starts (and *end where it stops) in an IP packet, 0 if not TCP. */
static size_t tcp_start(const uint8_t *pkt, size_t len, size_t base, int *fam, size_t *end)
{
	const uint8_t *ip = pkt + base;

	if (len < base + IP4_HLEN)
		return 0;
	if (ip[0] >> 4 == 4) {
		size_t ihl = (size_t)(ip[0] & 15) * 4, tot = bytes_get_u16(ip + 2);

		/* only the first fragment carries the TCP header */
		if (ihl < IP4_HLEN || ip[9] != PROTO_TCP || (bytes_get_u16(ip + 6) & 0x1FFF) ||
		    tot < ihl + TCP_HLEN || tot > len - base)
			return 0;
		*fam = AF_INET;
		*end = base + tot;
		return base + ihl;
	}
	if (ip[0] >> 4 == 6 && len >= base + IP6_HLEN && ip[6] == PROTO_TCP) {
		size_t plen = bytes_get_u16(ip + 4);

		if (plen < TCP_HLEN || plen > len - base - IP6_HLEN)
			return 0;
		*fam = AF_INET6;
		*end = base + IP6_HLEN + plen;
		return base + IP6_HLEN;
	}
	return 0;
}

/* Offset of the MSS option's 2-byte value in a TCP SYN, 0 if none; *tcp = TCP header. */
static size_t find_mss(const uint8_t *pkt, size_t len, bool tap, int *fam, size_t *tcp)
{
	size_t base = 0, end, t, i, optend;

	if (tap) {
		unsigned type;

		if (len < ETH_HLEN)
			return 0;
		type = bytes_get_u16(pkt + 12);
		if (type != 0x0800 && type != 0x86DD)
			return 0;
		base = ETH_HLEN;
	}
	t = tcp_start(pkt, len, base, fam, &end);
	if (!t || t + TCP_HLEN > end || !(pkt[t + 13] & TCP_SYN))
		return 0;
	optend = t + (size_t)(pkt[t + 12] >> 4) * 4;
	if (optend < t + TCP_HLEN || optend > end)
		return 0;
	for (i = t + TCP_HLEN; i < optend;) {
		if (pkt[i] == OPT_END)
			return 0;
		if (pkt[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optend || pkt[i + 1] < 2 || i + pkt[i + 1] > optend)
			return 0;	/* malformed option list: leave the packet alone */
		if (pkt[i] == OPT_MSS && pkt[i + 1] == 4) {
			*tcp = t;
			return i + 2;
		}
		i += pkt[i + 1];
	}
	return 0;
}

int mss_syn_family(const uint8_t *pkt, size_t len, bool tap)
{
	int fam = 0;
	size_t tcp;

	if (!pkt)
		return 0;
	return find_mss(pkt, len, tap, &fam, &tcp) ? fam : 0;
}

static unsigned swap16(unsigned v)
{
	return (v >> 8 | v << 8) & 0xFFFF;
}

/* One's-complement add with end-around carry. */
static unsigned csum_add(unsigned a, unsigned b)
{
	a += b;
	return (a & 0xFFFF) + (a >> 16);
}

int mss_clamp(uint8_t *pkt, size_t len, bool tap, unsigned max)
{
	int fam = 0;
	size_t tcp = 0, off;
	unsigned old, hc, m, m2;

	if (!pkt || !max || max > 0xFFFF)
		return 0;
	off = find_mss(pkt, len, tap, &fam, &tcp);
	if (!off)
		return 0;
	old = bytes_get_u16(pkt + off);
	if (old <= max)
		return 0;
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). A value at an odd offset from the TCP
	 * header sits across two checksum words: its bytes count swapped. */
	m = old;
	m2 = max;
	if ((off - tcp) & 1) {
		m = swap16(m);
		m2 = swap16(m2);
	}
	hc = bytes_get_u16(pkt + tcp + 16);
	hc = csum_add(csum_add(~hc & 0xFFFF, ~m & 0xFFFF), m2);
	hc = ~hc & 0xFFFF;
	bytes_put_u16(pkt + tcp + 16, (uint16_t)hc);
	bytes_put_u16(pkt + off, (uint16_t)max);
	return 1;
}

/* Bytes the data channel adds around a payload of at most `room` bytes, as the largest
 * plaintext that fits (CBC pads to whole blocks). */
static long plain_room(const struct mss_tunnel *t, long room)
{
	const struct cipher_info *c = cipher_find(t->cipher ? t->cipher : "AES-256-GCM");
	long hdr = t->v1 ? 1 : 4;

	if (!c || c->kind != CIPHER_KIND_CBC)
		return room - hdr - 4 - 16;	/* packet id + tag (AEAD) */
	long blk = c->block_len > 1 ? c->block_len : 16;
	long ct = (room - hdr - (t->hmac_len ? t->hmac_len : 20) - c->iv_len) / blk * blk;

	return ct - 4 - 1;	/* packet id inside, at least one byte of PKCS#7 padding */
}

unsigned mss_max(const struct mss_tunnel *t, int inner_family)
{
	long m, room, inner;

	if (!t || t->mssfix == 0)
		return 0;
	m = t->mssfix < 0 ? MSS_DEFAULT : t->mssfix;
	room = m;
	if (t->mssfix < 0 || t->mtu)
		room -= (t->outer_family == AF_INET6 ? IP6_HLEN : IP4_HLEN) + (t->tcp ? TCP_HLEN : 8);
	if (t->tcp)
		room -= 2;	/* the stream's packet length prefix */
	inner = plain_room(t, room) - (t->comp ? 1 : 0);
	inner -= (inner_family == AF_INET6 ? IP6_HLEN : IP4_HLEN) + TCP_HLEN;
	return inner < MSS_FLOOR ? MSS_FLOOR : (unsigned)inner;
}

void mss_tunnel_init(struct mss_tunnel *t, const struct cfg *c, const struct sess *s,
		     int outer_family, bool tcp)
{
	const struct cipher_digest *d = cipher_digest_find(c->auth);

	*t = (struct mss_tunnel){
		.mssfix = c->mssfix,
		.mtu = c->mssfix_mtu,
		.outer_family = outer_family,
		.tcp = tcp,
		.cipher = s ? sess_cipher(s) : NULL,
		.hmac_len = d ? d->len : 0,
		.v1 = s && sess_peer_id(s) == 0xFFFFFF,
		.comp = c->compress != CFG_COMP_NONE,
	};
	if (t->cipher && !*t->cipher)
		t->cipher = NULL;
}

const uint8_t *mss_fix(const struct cfg *c, const struct sess *s, int outer_family, bool tcp,
		       bool tap, const uint8_t *pkt, size_t len, uint8_t *buf, size_t cap)
{
	struct mss_tunnel t;
	int fam = mss_syn_family(pkt, len, tap);
	unsigned max;

	if (!fam || !c || len > cap)
		return pkt;
	mss_tunnel_init(&t, c, s, outer_family, tcp);
	max = mss_max(&t, fam);
	if (!max)
		return pkt;
	/* SYNs are rare: copying one that turns out small enough costs nothing measurable */
	if (pkt != buf)
		memcpy(buf, pkt, len);
	return mss_clamp(buf, len, tap, max) ? buf : pkt;
}
