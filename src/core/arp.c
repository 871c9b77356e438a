/* ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861) answers for our own address. */
#include "core/arp.h"

#include <errno.h>
#include <string.h>

#include "util/bytes.h"

#define ETH_HLEN 14
#define ETHTYPE_ARP 0x0806
#define ETHTYPE_IPV6 0x86DD
#define ARP_LEN 28
#define IP6_HLEN 40
#define ICMP6_NS 135
#define ICMP6_NA 136
#define ND_HLEN 24		/* type, code, sum, flags/reserved, target */

static void eth_hdr(uint8_t *out, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	bytes_put_u16(out + 12, type);
}

static int arp_reply(const struct arp_self *self, const uint8_t *f, size_t len, uint8_t *out,
		     size_t cap)
{
	const uint8_t *a = f + ETH_HLEN;

	if (len < ETH_HLEN + ARP_LEN || !self->has_v4)
		return 0;
	/* Ethernet/IPv4 request (op 1) asking for our address. */
	if (bytes_get_u16(a) != 1 || bytes_get_u16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 ||
	    bytes_get_u16(a + 6) != 1)
		return 0;
	if (memcmp(a + 24, &self->v4, 4) != 0)
		return 0;
	if (cap < ARP_REPLY_LEN)
		return -EMSGSIZE;
	eth_hdr(out, a + 8, self->mac, ETHTYPE_ARP);
	memcpy(out + ETH_HLEN, a, 6);		/* htype, ptype, hlen, plen */
	bytes_put_u16(out + ETH_HLEN + 6, 2);		/* reply */
	memcpy(out + ETH_HLEN + 8, self->mac, 6);
	memcpy(out + ETH_HLEN + 14, &self->v4, 4);
	memcpy(out + ETH_HLEN + 18, a + 8, 10);	/* requester's MAC and IPv4 */
	return ARP_REPLY_LEN;
}

/* ICMPv6 checksum over the pseudo-header and the message (RFC 8200 §8.1). */
static uint16_t icmp6_sum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg,
			  size_t len)
{
	uint32_t sum = 0;

	for (int i = 0; i < 16; i += 2)
		sum += bytes_get_u16(src + i) + bytes_get_u16(dst + i);
	sum += (uint32_t)len + 58;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += bytes_get_u16(msg + i);
	if (len & 1)
		sum += (uint32_t)msg[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool is_ns_for(const struct arp_self *self, const uint8_t *ip, size_t iplen)
{
	const uint8_t *icmp = ip + IP6_HLEN;

	/* No extension headers: next header ICMPv6, hop limit 255 as RFC 4861 demands. */
	if (iplen < IP6_HLEN + ND_HLEN || (ip[0] >> 4) != 6 || ip[6] != 58 || ip[7] != 255)
		return false;
	if (bytes_get_u16(ip + 4) < ND_HLEN || bytes_get_u16(ip + 4) > iplen - IP6_HLEN)
		return false;
	if (icmp[0] != ICMP6_NS || icmp[1] != 0)
		return false;
	return memcmp(icmp + 8, &self->v6, 16) == 0;
}

static int nd_reply(const struct arp_self *self, const uint8_t *f, size_t len, uint8_t *out,
		    size_t cap)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t unspec[16];
	const uint8_t *ip = f + ETH_HLEN;
	uint8_t *oip = out + ETH_HLEN, *icmp = oip + IP6_HLEN;
	bool dad;
	const uint8_t *dst;

	/* The source address is read only once the frame is known to hold a whole header. */
	if (!self->has_v6 || !is_ns_for(self, ip, len - ETH_HLEN))
		return 0;
	dad = memcmp(ip + 8, unspec, 16) == 0;
	dst = dad ? all_nodes : ip + 8;
	if (cap < ARP_NA_LEN)
		return -EMSGSIZE;
	eth_hdr(out, dad ? (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 } : f + 6, self->mac,
		ETHTYPE_IPV6);
	memset(oip, 0, IP6_HLEN);
	oip[0] = 0x60;
	bytes_put_u16(oip + 4, ND_HLEN + 8);
	oip[6] = 58;
	oip[7] = 255;
	memcpy(oip + 8, &self->v6, 16);
	memcpy(oip + 24, dst, 16);
	memset(icmp, 0, ND_HLEN + 8);
	icmp[0] = ICMP6_NA;
	icmp[4] = dad ? 0x20 : 0x60;		/* Solicited (unless DAD) + Override */
	memcpy(icmp + 8, &self->v6, 16);
	icmp[24] = 2;				/* target link-layer address option */
	icmp[25] = 1;
	memcpy(icmp + 26, self->mac, 6);
	bytes_put_u16(icmp + 2, icmp6_sum(oip + 8, oip + 24, icmp, ND_HLEN + 8));
	return ARP_NA_LEN;
}

int arp_answer(const struct arp_self *self, const uint8_t *frame, size_t len, uint8_t *out,
	       size_t cap)
{
	if (len < ETH_HLEN)
		return 0;
	switch (bytes_get_u16(frame + 12)) {
	case ETHTYPE_ARP:
		return arp_reply(self, frame, len, out, cap);
	case ETHTYPE_IPV6:
		return nd_reply(self, frame, len, out, cap);
	default:
		return 0;
	}
}
