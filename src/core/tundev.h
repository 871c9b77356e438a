/* The VPN's own kernel TUN/TAP device, as the client and the server both use it: opened from
 * the config's dev/dev-type, with the virtio-net header (TSO super-packets cut by
 * vif_vnet_split) and segment coalescing on the way in for TUN, registered with the loop. */
#ifndef BURROW_CORE_TUNDEV_H
#define BURROW_CORE_TUNDEV_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/loop.h"
#include "vif/vif.h"
#include "vif/vnet_gro.h"

struct tundev {
	struct loop *lp;
	struct vif_port *port;		/* NULL when closed */
	struct loop_io io;
	bool io_added;
	int ifindex;
	char name[IF_NAMESIZE];
	bool tap;
	uint8_t mac[6];			/* TAP: the device's own address */
	struct vif_gro gro;		/* TUN: segments coalesced into super-packets */
	struct loop_timer t_gro;	/* flushes gro at the end of the loop's batch */
	void (*on_drop)(void *arg);	/* a packet the device refused during a flush */
	void *arg;
};

/* Opens the device ("tun"/"tap" or unset: the next free tunN/tapN; other names exact), non-
 * blocking, and calls read_fn(lp, events, arg) when it is readable. Logs why on failure.
 * Returns 0 or -errno; on failure tundev_close() cleans up. */
int tundev_open(struct tundev *d, struct loop *lp, const struct cfg *c, loop_io_fn read_fn,
		void (*on_drop)(void *arg), void *arg);
/* One packet into the device: TUN packets are held for coalescing until the end of the
 * loop's batch. Returns 0, or -errno when the device refused it (counted by the caller). */
int tundev_write(struct tundev *d, const uint8_t *pkt, size_t len);
/* Unregisters, drops what gro holds, closes (a non-persistent device disappears). */
void tundev_close(struct tundev *d);

#endif
