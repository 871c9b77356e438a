/* The device layer (docs: ../shared/docs/vif.md, beside the repository).
 *
 * A device (TUN: raw IPv4/IPv6 packets, TAP: Ethernet frames) has two sides: the app side (the
 * VPN reads what the network sent out of the interface and writes what it delivers into it)
 * and the interface side (the network stack). A struct vif_port is one attached side, or one
 * queue of a multiqueue device. Two backends implement the same port interface through an ops
 * table: the userspace device (user.c) and the Linux kernel device (/dev/net/tun, kernel.c).
 *
 * Every call returns 0 / a length on success and a negative errno on failure. The core only
 * uses the generic vif_read/vif_write/vif_fd/vif_state/vif_set_nonblock/vif_close calls, so
 * the backend is chosen once, where the device is opened.
 */
#ifndef BURROW_VIF_VIF_H
#define BURROW_VIF_VIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VIF_NAME_MAX 64		/* buffer size; names themselves are at most VIF_NAME_LEN */
#define VIF_NAME_LEN 15		/* IFNAMSIZ - 1: a userspace name is a valid kernel name */
#define VIF_MTU_MIN 68
#define VIF_MTU_MAX 65535
#define VIF_MTU_IPV6_MIN 1280	/* below this the device carries no IPv6 */
#define VIF_MTU_DEFAULT 1500
#define VIF_ETH_HLEN 14
#define VIF_VLAN_HLEN 4
#define VIF_QUEUE_LEN_DEFAULT 512	/* packets per direction when vif_config.queue_len is 0 */
#define VIF_QUEUE_LEN_MAX 65536
#define VIF_MAX_QUEUES 256	/* queue pairs of a multiqueue device (the kernel's limit too) */
#define VIF_QUEUE_ANY (~0u)	/* vif_user_attach_queue: the first pair whose side is free */

enum vif_type { VIF_TUN, VIF_TAP };
enum vif_side { VIF_SIDE_APP, VIF_SIDE_IFACE };

/* Zero-initialised is valid (mtu 0 and queue_len 0 mean the defaults) except owner/group, which
 * only the kernel backend reads: call vif_config_init() to get -1 ("unset") there. */
struct vif_config {
	char name[VIF_NAME_MAX];	/* exact ("tun0") or template with one %d ("tun%d") */
	enum vif_type type;
	unsigned mtu;			/* 0 = VIF_MTU_DEFAULT */
	unsigned queue_len;		/* packets per direction; 0 = VIF_QUEUE_LEN_DEFAULT */
	bool multiqueue;
	bool has_mac;			/* TAP: use mac[] instead of a random one */
	uint8_t mac[6];
	bool persist;			/* kernel only: survives the last close */
	long owner;			/* kernel only: uid allowed to attach; -1 = unset */
	long group;			/* kernel only: gid allowed to attach; -1 = unset */
	bool vnet_hdr;			/* kernel only: virtio-net header before each packet
					 * (GSO/GRO offloads); the userspace device refuses it */
};

/* Counted as `ip -s link` counts them, from the interface's point of view: rx = packets the
 * app side wrote into the network, tx = packets the network sent out to the app side. The
 * userspace device counts packets/bytes when the packet is delivered (read by the other side),
 * dropped when the queue was full, the device was down, or down/delete flushed it, errors when
 * a write was invalid or too long. */
struct vif_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
};

/* vif_state() bits. */
#define VIF_ST_READABLE 0x1u	/* a packet is queued for this side */
#define VIF_ST_WRITABLE 0x2u	/* a write would not block / be refused for lack of space */
#define VIF_ST_DOWN	0x4u	/* administratively down: reads/writes give -ENETDOWN */
#define VIF_ST_GONE	0x8u	/* deleted: reads/writes give -ENODEV, forever */

struct vif_port;

/* A backend fills this table; unsupported operations may be NULL (the generic call then
 * returns -EOPNOTSUPP). New operations are only ever added at the end. */
struct vif_port_ops {
	ssize_t (*read)(struct vif_port *p, void *buf, size_t len);
	ssize_t (*write)(struct vif_port *p, const void *buf, size_t len);
	int (*fd)(struct vif_port *p);
	unsigned (*state)(struct vif_port *p);
	int (*set_nonblock)(struct vif_port *p, bool on);
	void (*close)(struct vif_port *p);
	int (*space_fd)(struct vif_port *p);
	int (*stats)(struct vif_port *p, struct vif_stats *st);
};

/* The public head of every backend's port; the backend embeds it first in its own struct. */
struct vif_port {
	const struct vif_port_ops *ops;
	char name[VIF_NAME_MAX];	/* the device's name when attached */
	enum vif_type type;
	enum vif_side side;
	unsigned queue;			/* queue pair index (0 unless multiqueue) */
};

/* ---- generic calls used by the core (dispatch through ops) ---- */

/* One whole packet per call. Blocking: waits for a packet, down or delete. Errors: -EAGAIN
 * (non-blocking, empty), -EMSGSIZE (buffer shorter than the packet; it stays queued),
 * -ENETDOWN (down: blocking or not, both backends), -ENODEV. */
ssize_t vif_read(struct vif_port *p, void *buf, size_t len);
/* One whole packet. App side: validated (vif_packet_check), -EINVAL/-EMSGSIZE, blocks (or
 * -EAGAIN) on a full queue. Interface side: never blocks; a full queue drops the packet and
 * still returns len (as a network card would), counted as tx_dropped. */
ssize_t vif_write(struct vif_port *p, const void *buf, size_t len);
/* Readable (POLLIN) exactly while vif_read would not block: a packet is queued, or the device
 * is down or gone. Level-triggered; for poll/epoll/select. Owned by the port: do not close. */
int vif_fd(struct vif_port *p);
/* Readable (POLLIN) while a write would not block for lack of space, or the device is down or
 * gone; -EOPNOTSUPP when the backend's writes never wait (wait for POLLOUT on vif_fd then). */
int vif_space_fd(struct vif_port *p);
unsigned vif_state(struct vif_port *p);		/* VIF_ST_* bits */
/* The device's counters through a port: still works after the device was deleted (then they
 * are final), when the name may already belong to a new device. */
int vif_get_stats(struct vif_port *p, struct vif_stats *st);
int vif_set_nonblock(struct vif_port *p, bool on);
/* Detaches and frees the port. Must not race with other calls on the same port. NULL is ok. */
void vif_close(struct vif_port *p);

/* ---- helpers shared by both backends ---- */

void vif_config_init(struct vif_config *cfg);	/* defaults, owner/group -1, name "tun%d" */
/* 0 if name is a valid exact name or template; -EINVAL otherwise. The rule: 1..15 bytes of
 * printable ASCII without space, '/' or ':', not "." or "..", and '%' only as one "%d". */
int vif_name_check(const char *name);
bool vif_name_is_template(const char *name);
/* Checks one packet a program writes: TUN = IPv4/IPv6 with a consistent header and length,
 * TAP = at least an Ethernet header. -EINVAL if malformed, -EMSGSIZE if longer than the MTU
 * (plus the Ethernet header and an optional VLAN tag for TAP), -EAFNOSUPPORT for IPv6 when
 * mtu < VIF_MTU_IPV6_MIN. */
int vif_packet_check(enum vif_type type, unsigned mtu, const void *pkt, size_t len);
int vif_mtu_check(unsigned mtu);		/* -EINVAL outside VIF_MTU_MIN..VIF_MTU_MAX */
const char *vif_type_name(enum vif_type type);	/* "tun" / "tap" */

/* ---- the userspace device (user.c) ---- */

/* Creates a device, administratively down (like a fresh kernel interface). name_out gets the
 * chosen name (template expanded to the lowest free number). -EEXIST, -EINVAL (bad name, MTU,
 * queue_len, multicast MAC), -EOPNOTSUPP (vnet_hdr), -ENOMEM, -ENFILE (template exhausted). */
int vif_user_create(const struct vif_config *cfg, char *name_out, size_t n);
/* Attaches one side. -ENODEV (no such device), -EBUSY (side already attached and the device is
 * not multiqueue, or all VIF_MAX_QUEUES pairs have that side attached). Returns a blocking port. */
int vif_user_attach(const char *name, enum vif_side side, struct vif_port **out);
/* Multiqueue: attach a side of one queue pair (or VIF_QUEUE_ANY); pair i's app side talks to
 * pair i's interface side. -EINVAL for queue >= VIF_MAX_QUEUES (or > 0 without multiqueue). */
int vif_user_attach_queue(const char *name, enum vif_side side, unsigned queue,
			  struct vif_port **out);
/* Name is free at once; attached ports see -ENODEV; memory goes with the last vif_close. */
int vif_user_delete(const char *name);
int vif_user_set_up(const char *name, bool up);
int vif_user_set_mtu(const char *name, unsigned mtu);
int vif_user_get_mtu(const char *name, unsigned *mtu);
int vif_user_get_stats(const char *name, struct vif_stats *st);
int vif_user_get_mac(const char *name, uint8_t mac[6]);	/* -EOPNOTSUPP for TUN */
int vif_user_set_mac(const char *name, const uint8_t mac[6]);	/* -EINVAL if multicast/zero */
size_t vif_user_count(void);			/* devices that exist (tests, `burrow dev`) */

/* ---- the kernel device (kernel.c) ---- */

/* Opens /dev/net/tun (IFF_NO_PI; TUN or TAP; template or exact name; multiqueue: each call
 * with the same name adds a queue). Returns a port of side VIF_SIDE_APP. */
int vif_kernel_open(const struct vif_config *cfg, char *name_out, size_t n,
		    struct vif_port **out);

#endif
