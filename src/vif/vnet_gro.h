/* Receive-side coalescing for a TUN opened with the virtio-net header (vnet.h): consecutive
 * in-order TCP segments of one flow, as they come out of the tunnel, are merged into one GSO
 * super-packet so the kernel's TCP stack takes one packet instead of forty. Like the kernel's
 * own GRO: same addresses, ports, ack, window, options and IP fields, contiguous sequence
 * numbers, equal-sized segments (a shorter one or PSH closes the run), only ACK (+PSH) flags.
 * Anything else flushes what is held and is written as is, so the order of the packets on the
 * device never changes. The caller flushes at the end of each batch of input. */
#ifndef BURROW_VIF_VNET_GRO_H
#define BURROW_VIF_VNET_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vif/vnet.h"

/* Writes one frame: a virtio-net header (VIF_VNET_HLEN bytes) and the packet behind it.
 * Returns >= 0 or -errno. */
typedef ssize_t (*vif_gro_out_fn)(void *arg, const uint8_t *hdr, const uint8_t *pkt, size_t len);

struct vif_gro_stats {
	uint64_t merged;	/* segments appended to a held packet */
	uint64_t frames;	/* frames written (merged or not) */
	uint64_t errors;	/* failed writes */
};

struct vif_gro {
	uint8_t *buf;		/* the held packet, up to 64 KB; NULL until vif_gro_init */
	size_t len;		/* its length; 0 = nothing held */
	size_t l3, hl;		/* IP header length, IP + TCP header length */
	size_t seg;		/* payload bytes of each segment in it */
	unsigned nseg;
	uint32_t next_seq;
	vif_gro_out_fn out;
	void *arg;
	struct vif_gro_stats st;
};

/* Returns 0 or -ENOMEM. */
int vif_gro_init(struct vif_gro *g, vif_gro_out_fn out, void *arg);
void vif_gro_free(struct vif_gro *g);

/* Takes one complete IP packet for the device: merged into the held packet, held as the start
 * of a new one, or (after a flush) written straight away. Returns 0, or the -errno of a write
 * that failed (the packet is then dropped and counted). */
int vif_gro_add(struct vif_gro *g, const uint8_t *pkt, size_t len);

/* Writes the held packet, if any: 0 or -errno. */
int vif_gro_flush(struct vif_gro *g);

static inline bool vif_gro_pending(const struct vif_gro *g) { return g->len != 0; }

/* A vif_gro_out_fn for a kernel TUN port opened with vnet_hdr (arg = struct vif_port *). */
ssize_t vif_gro_out_port(void *arg, const uint8_t *hdr, const uint8_t *pkt, size_t len);

#endif
