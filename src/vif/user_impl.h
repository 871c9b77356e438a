/* Internals of the userspace device shared by user.c (registry and named operations),
 * user_dev.c (a device and its queue pairs) and user_port.c (port I/O). The locking rules are
 * at the top of user.c. */
#ifndef BURROW_VIF_USER_IMPL_H
#define BURROW_VIF_USER_IMPL_H

#include <pthread.h>
#include <stdbool.h>

#include "vif/namemap.h"
#include "vif/pktq.h"
#include "vif/vif.h"

/* One side of a queue pair: the queue it reads from, and its readiness eventfds. */
struct vif_uside {
	struct vif_pktq in;
	pthread_cond_t nonempty;	/* readers of this side wait here */
	pthread_cond_t space;		/* writers into `in` wait here (only app writers block) */
	int rfd, sfd;			/* readable / write-space eventfds; -1 if detached */
	bool rfd_on, sfd_on;		/* each eventfd's counter is 1 exactly when *_on */
	bool attached;
};

/* Index VIF_SIDE_APP reads iface->app packets; VIF_SIDE_IFACE reads app->iface packets. */
struct vif_upair {
	struct vif_uside side[2];
};

struct vif_udev {
	struct vif_nm_node node;	/* the name; in the registry until deleted */
	pthread_mutex_t lock;
	unsigned refs;
	enum vif_type type;
	unsigned mtu, qlen, maxq;
	bool up, gone;
	uint8_t mac[6];
	struct vif_stats st;
	struct vif_upair **pairs;	/* maxq slots, allocated on first attach of each */
};

struct vif_uport {
	struct vif_port base;		/* first: the generic calls cast back to vif_uport */
	struct vif_udev *dev;
	struct vif_upair *pair;
	bool nonblock;
};

/* user_dev.c; every call but vif_udev_pair_new/vif_udev_free needs d->lock held. */
struct vif_upair *vif_udev_pair_new(unsigned qlen);
/* Brings both sides' eventfds in line with the queues and the device state. */
void vif_udev_pair_sync(const struct vif_udev *d, struct vif_upair *p);
/* Empties the queue side s reads from, counting the packets as dropped. */
void vif_udev_side_flush(struct vif_udev *d, struct vif_upair *p, enum vif_side s);
/* Down and delete: drop everything queued and wake every blocked thread. */
void vif_udev_flush_wake(struct vif_udev *d);
/* Drops one reference and unlocks d; frees it if that was the last. */
void vif_udev_unref_unlock(struct vif_udev *d);
void vif_udev_free(struct vif_udev *d);

/* user_port.c: attaches a side of d (locked) into up. -EBUSY, -EINVAL, -ENODEV, -ENOMEM. */
int vif_uport_attach_locked(struct vif_udev *d, enum vif_side side, unsigned queue,
			    struct vif_uport *up);

#endif
