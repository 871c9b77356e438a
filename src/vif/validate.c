/* What a program may write into a device (vif.md point 4): a TUN packet must be an IPv4 or
 * IPv6 packet whose header agrees with its length; a TAP frame must hold an Ethernet header.
 * Both backends and the core can use it before trusting a packet. */
#include <errno.h>
#include <stdint.h>

#include "vif/vif.h"
#include "util/bytes.h"

#define IPV4_HLEN_MIN 20
#define IPV6_HLEN 40
#define ETHERTYPE_VLAN 0x8100

/* Exact length agreement: a TUN write is one packet, so trailing bytes are as wrong as
 * missing ones. */
static int check_ipv4(const uint8_t *p, size_t len)
{
	size_t ihl;

	if (len < IPV4_HLEN_MIN)
		return -EINVAL;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < IPV4_HLEN_MIN || ihl > len)
		return -EINVAL;
	if (bytes_get_u16(p + 2) != len)
		return -EINVAL;
	return 0;
}

static int check_ipv6(const uint8_t *p, size_t len, unsigned mtu)
{
	if (len < IPV6_HLEN)
		return -EINVAL;
	if (bytes_get_u16(p + 4) + (size_t)IPV6_HLEN != len)
		return -EINVAL;
	if (mtu < VIF_MTU_IPV6_MIN)
		return -EAFNOSUPPORT;
	return 0;
}

static int check_tun(const uint8_t *p, size_t len, unsigned mtu)
{
	if (len == 0)
		return -EINVAL;
	if (len > mtu)
		return -EMSGSIZE;
	switch (p[0] >> 4) {
	case 4:
		return check_ipv4(p, len);
	case 6:
		return check_ipv6(p, len, mtu);
	default:
		return -EINVAL;
	}
}

static int check_tap(const uint8_t *p, size_t len, unsigned mtu)
{
	size_t max = (size_t)mtu + VIF_ETH_HLEN;

	if (len < VIF_ETH_HLEN)
		return -EINVAL;
	if (bytes_get_u16(p + 12) == ETHERTYPE_VLAN)
		max += VIF_VLAN_HLEN;
	return len > max ? -EMSGSIZE : 0;
}

int vif_packet_check(enum vif_type type, unsigned mtu, const void *pkt, size_t len)
{
	if (!pkt)
		return -EINVAL;
	if (type == VIF_TAP)
		return check_tap(pkt, len, mtu);
	return check_tun(pkt, len, mtu);
}
