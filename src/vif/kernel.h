/* Extras of the Linux kernel backend (kernel.c) beyond vif_kernel_open() in vif.h: the same
 * open with a message a person can act on, and the ifindex for configuring the link with nl.h. */
#ifndef BURROW_VIF_KERNEL_H
#define BURROW_VIF_KERNEL_H

#include "vif/nl.h"
#include "vif/vif.h"

/* Largest packet a kernel port can deliver: the kernel's MTU limit plus an Ethernet header and
 * a VLAN tag (TAP). Reads use a scratch tail this big to detect a too-short buffer. */
#define VIF_KERNEL_PKT_MAX (VIF_MTU_MAX + VIF_ETH_HLEN + VIF_VLAN_HLEN)

/* vif_kernel_open() with the reason in err on failure (vif_kernel_open logs it instead):
 *   -EPERM    not root / no CAP_NET_ADMIN (or a persistent device owned by someone else)
 *   -ENOENT   no /dev/net/tun ("load the module: modprobe tun")
 *   -EEXIST   the name belongs to a device that is not a TUN/TAP of that type
 *   -EBUSY    the device is already open (and not multiqueue), or exclusive and it exists
 *   -EINVAL   bad name, or MTU out of range (err gives the range)
 *   -EOPNOTSUPP  vnet_hdr on a TAP (TUN only: see vnet.h for the header and offloads)
 * An empty name means "tun%d"/"tap%d" by type; so does vif_config_init()'s "tun%d" on a TAP.
 * port->queue is the queue's index at open time on a multiqueue device (0 otherwise).
 * The device starts administratively down, like any new interface: bring it up with
 * nl_link_set_up(vif_kernel_ifindex(port), true, ...) once it has its addresses.
 * exclusive: fail with -EBUSY if a device of that name already exists (for `burrow dev add`);
 * otherwise an existing persistent device of the same type is attached (a new queue when it
 * is multiqueue). */
int vif_kernel_open_ex(const struct vif_config *cfg, bool exclusive, char *name_out, size_t n,
		       struct vif_port **out, struct nl_err *err);

/* A kernel port's I/O (kernel_port.c), next to vif.h's generic contract:
 *  - read: one packet; a buffer shorter than the packet gives -EMSGSIZE and the packet is lost
 *    (the kernel has dequeued it). Blocking: waits for a packet; "down" gives -ENETDOWN and
 *    delete -ENODEV, at once, also to a reader already waiting. Non-blocking, empty queue:
 *    -ENETDOWN while down (as the userspace device), -ENODEV once deleted, else -EAGAIN.
 *  - write: never waits for space (the kernel drops); -ENETDOWN while down, -ENODEV deleted.
 *  - vif_fd() is the TUN fd itself (POLLIN readable, POLLERR once deleted); no space fd.
 *  - Use a port in the network namespace it was opened in (vif_state may ask rtnetlink). */

/* The ifindex of a kernel port's device, for nl_ calls; -EINVAL for a non-kernel port. */
int vif_kernel_ifindex(struct vif_port *p);

#endif
