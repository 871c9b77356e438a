/* The virtio-net header of a kernel TUN opened with vif_config.vnet_hdr (IFF_VNET_HDR):
 * checksum and TCP segmentation offload. With offloads on, one read can carry a TCP
 * "super-packet" of up to 64 KB (GSO), which vif_vnet_split() cuts into MSS-sized packets
 * with complete checksums, in place, before they are encrypted one by one. Writes carry an
 * all-zero header (a complete, unsegmented packet). Little-endian header (x86, arm64). */
#ifndef BURROW_VIF_VNET_H
#define BURROW_VIF_VNET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vif/vif.h"

#define VIF_VNET_HLEN 10		/* struct virtio_net_hdr, the TUN's default size */
#define VIF_VNET_F_NEEDS_CSUM 1		/* checksum from csum_start to the end is left to us */
#define VIF_VNET_GSO_NONE 0
#define VIF_VNET_GSO_TCPV4 1
#define VIF_VNET_GSO_TCPV6 4
#define VIF_VNET_GSO_ECN 0x80

struct vif_vnet_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

/* Decodes the header at the front of buf: 0, or -EINVAL when buf is shorter than it. */
int vif_vnet_parse(const uint8_t *buf, size_t len, struct vif_vnet_hdr *h);

/* Asks the kernel for checksum offload and TSO for IPv4 and IPv6 on a port opened with
 * vnet_hdr: 0 or -errno (then packets still carry the header, never segmented). */
int vif_vnet_offload(struct vif_port *p);

/* Writes one complete packet behind an all-zero header (one writev, no copy). */
ssize_t vif_vnet_write(struct vif_port *p, const void *pkt, size_t len);

/* Called with each packet vif_vnet_split() produces; the bytes are valid only during the
 * call (the next segment's header is written over the end of this one's payload). */
typedef void (*vif_vnet_emit_fn)(void *arg, const uint8_t *pkt, size_t len);

/* buf = header + packet as read from the TUN. Completes a partial checksum and cuts a TCP
 * GSO packet into gso_size segments (sequence numbers, IPv4 ids, lengths, checksums and
 * flags as the kernel's own segmentation sets them: FIN/PSH on the last, CWR on the first),
 * calling emit for each. Modifies buf. Returns the number of packets emitted, or -EINVAL
 * (malformed header or packet), -EPROTONOSUPPORT (a GSO type or IPv6 extension header we do
 * not segment; the kernel only sends those if asked for them). */
int vif_vnet_split(uint8_t *buf, size_t len, vif_vnet_emit_fn emit, void *arg);

#endif
