/* TAP helper: answer ARP requests and IPv6 neighbour solicitations for our own address
 * without a kernel stack behind the device (e.g. a userspace TAP). Pure: frames in, frames
 * out; every length is checked before use. */
#ifndef BURROW_CORE_ARP_H
#define BURROW_CORE_ARP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arp_self {
	uint8_t mac[6];
	bool has_v4;
	struct in_addr v4;
	bool has_v6;
	struct in6_addr v6;
};

#define ARP_REPLY_LEN 42	/* Ethernet + ARP */
#define ARP_NA_LEN 86		/* Ethernet + IPv6 + ICMPv6 NA + target link-layer option */

/* If frame is an ARP request or a neighbour solicitation for self's address, writes the
 * reply frame into out and returns its length; 0 when the frame is not such a query (send
 * it on); -EMSGSIZE if cap is too small. */
int arp_answer(const struct arp_self *self, const uint8_t *frame, size_t len, uint8_t *out,
	       size_t cap);

#endif
