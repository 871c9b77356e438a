/* Port I/O of the userspace device: one whole packet per read or write, blocking or not.
 * The device lock covers only queue and state changes: a packet is copied in before the
 * lock is taken and copied out after it is released. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vif/user_impl.h"

/* The largest thing any write may carry: a VLAN-tagged TAP frame at the largest MTU. */
#define USER_FRAME_MAX ((size_t)VIF_MTU_MAX + VIF_ETH_HLEN + VIF_VLAN_HLEN)

static const struct vif_port_ops uport_ops;

static struct vif_uside *port_side(struct vif_uport *up)
{
	return &up->pair->side[up->base.side];
}

static struct vif_uside *port_peer(struct vif_uport *up)
{
	return &up->pair->side[!up->base.side];
}

/* Delivered packets count from the interface's point of view (see struct vif_stats). */
static void count_delivered(struct vif_udev *d, enum vif_side reader, size_t len)
{
	if (reader == VIF_SIDE_APP) {
		d->st.tx_packets++;
		d->st.tx_bytes += len;
	} else {
		d->st.rx_packets++;
		d->st.rx_bytes += len;
	}
}

/* Takes the next packet for this side (the caller copies it out after unlocking). */
static ssize_t read_locked(struct vif_uport *up, size_t len, struct vif_pkt **pkt)
{
	struct vif_udev *d = up->dev;
	struct vif_uside *sd = port_side(up);

	for (;;) {
		if (d->gone)
			return -ENODEV;
		if (!d->up)
			return -ENETDOWN;
		if (!vif_pktq_empty(&sd->in))
			break;
		if (up->nonblock)
			return -EAGAIN;
		pthread_cond_wait(&sd->nonempty, &d->lock);
	}
	*pkt = vif_pktq_take(&sd->in, len);
	if (!*pkt) {
		/* This reader may have taken another's wake-up: pass it on. */
		pthread_cond_signal(&sd->nonempty);
		return -EMSGSIZE;
	}
	count_delivered(d, up->base.side, vif_pkt_len(*pkt));
	pthread_cond_signal(&sd->space);
	vif_udev_pair_sync(d, up->pair);
	return 0;
}

static ssize_t uport_read(struct vif_port *p, void *buf, size_t len)
{
	struct vif_uport *up = (struct vif_uport *)p;
	struct vif_pkt *pkt = NULL;
	ssize_t r;

	pthread_mutex_lock(&up->dev->lock);
	r = read_locked(up, len, &pkt);
	pthread_mutex_unlock(&up->dev->lock);
	return r < 0 ? r : (ssize_t)vif_pkt_copy_free(pkt, buf);
}

static void push_locked(struct vif_uport *up, struct vif_pkt *pkt)
{
	struct vif_uside *peer = port_peer(up);

	vif_pktq_push(&peer->in, pkt);
	pthread_cond_signal(&peer->nonempty);
	vif_udev_pair_sync(up->dev, up->pair);
}

/* App side: validated, then waits for space (or -EAGAIN). Returns 1 once pkt is queued. */
static int app_write_locked(struct vif_uport *up, struct vif_pkt *pkt, const void *buf, size_t len)
{
	struct vif_udev *d = up->dev;
	struct vif_uside *peer = port_peer(up);
	int rc;

	if (d->gone)
		return -ENODEV;
	rc = vif_packet_check(d->type, d->mtu, buf, len);
	if (rc == -EAFNOSUPPORT)
		d->st.rx_dropped++;
	else if (rc)
		d->st.rx_errors++;
	if (rc)
		return rc;
	for (;;) {
		if (d->gone)
			return -ENODEV;
		if (!d->up) {
			d->st.rx_dropped++;
			return -ENETDOWN;
		}
		if (!vif_pktq_full(&peer->in))
			break;
		if (up->nonblock)
			return -EAGAIN;
		pthread_cond_wait(&peer->space, &d->lock);
	}
	push_locked(up, pkt);
	return 1;
}

/* Interface side: never waits. A full queue drops the packet like a network card. */
static int iface_write_locked(struct vif_uport *up, struct vif_pkt *pkt, size_t len)
{
	struct vif_udev *d = up->dev;
	size_t max = d->mtu + (d->type == VIF_TAP ? VIF_ETH_HLEN + VIF_VLAN_HLEN : 0);

	if (d->gone)
		return -ENODEV;
	if (len == 0 || len > max) {
		d->st.tx_errors++;
		return len ? -EMSGSIZE : -EINVAL;
	}
	if (!d->up) {
		d->st.tx_dropped++;
		return -ENETDOWN;
	}
	if (vif_pktq_full(&port_peer(up)->in)) {
		d->st.tx_dropped++;
		return 0;
	}
	push_locked(up, pkt);
	return 1;
}

static ssize_t uport_write(struct vif_port *p, const void *buf, size_t len)
{
	struct vif_uport *up = (struct vif_uport *)p;
	struct vif_pkt *pkt = NULL;
	int rc;

	/* Copy outside the lock; anything longer than USER_FRAME_MAX fails the checks below. */
	if (len > 0 && len <= USER_FRAME_MAX) {
		pkt = vif_pkt_new(buf, len);
		if (!pkt)
			return -ENOMEM;
	}
	pthread_mutex_lock(&up->dev->lock);
	if (p->side == VIF_SIDE_APP)
		rc = app_write_locked(up, pkt, buf, len);
	else
		rc = iface_write_locked(up, pkt, len);
	pthread_mutex_unlock(&up->dev->lock);
	if (rc != 1)
		vif_pkt_free(pkt);
	return rc < 0 ? rc : (ssize_t)len;
}

static int uport_fd(struct vif_port *p)
{
	return port_side((struct vif_uport *)p)->rfd;
}

static int uport_space_fd(struct vif_port *p)
{
	return port_side((struct vif_uport *)p)->sfd;
}

static unsigned uport_state(struct vif_port *p)
{
	struct vif_uport *up = (struct vif_uport *)p;
	struct vif_udev *d = up->dev;
	unsigned st = 0;

	pthread_mutex_lock(&d->lock);
	if (d->gone)
		st |= VIF_ST_GONE;
	else if (!d->up)
		st |= VIF_ST_DOWN;
	else {
		if (!vif_pktq_empty(&port_side(up)->in))
			st |= VIF_ST_READABLE;
		if (!vif_pktq_full(&port_peer(up)->in))
			st |= VIF_ST_WRITABLE;
	}
	pthread_mutex_unlock(&d->lock);
	return st;
}

static int uport_stats(struct vif_port *p, struct vif_stats *st)
{
	struct vif_udev *d = ((struct vif_uport *)p)->dev;

	pthread_mutex_lock(&d->lock);
	*st = d->st;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static int uport_set_nonblock(struct vif_port *p, bool on)
{
	struct vif_uport *up = (struct vif_uport *)p;

	pthread_mutex_lock(&up->dev->lock);
	up->nonblock = on;
	pthread_mutex_unlock(&up->dev->lock);
	return 0;
}

/* Detach: packets waiting for this side are dropped (nobody will read them), a writer blocked
 * on them is woken, and the device goes with the last reference. */
static void uport_close(struct vif_port *p)
{
	struct vif_uport *up = (struct vif_uport *)p;
	struct vif_udev *d = up->dev;
	struct vif_uside *sd = port_side(up);

	pthread_mutex_lock(&d->lock);
	sd->attached = false;
	vif_udev_side_flush(d, up->pair, p->side);
	pthread_cond_broadcast(&sd->space);
	close(sd->rfd);
	close(sd->sfd);
	sd->rfd = sd->sfd = -1;
	sd->rfd_on = sd->sfd_on = false;
	vif_udev_pair_sync(d, up->pair);
	free(up);
	vif_udev_unref_unlock(d);
}

static const struct vif_port_ops uport_ops = {
	.read = uport_read,
	.write = uport_write,
	.fd = uport_fd,
	.state = uport_state,
	.set_nonblock = uport_set_nonblock,
	.close = uport_close,
	.space_fd = uport_space_fd,
	.stats = uport_stats,
};

/* ---- attach ---- */

/* The pair for this attach, created on first use. -EBUSY when that side is taken. */
static int pair_pick(struct vif_udev *d, enum vif_side side, unsigned queue, unsigned *idx)
{
	unsigned i = queue;

	if (queue == VIF_QUEUE_ANY) {
		for (i = 0; i < d->maxq; i++)
			if (!d->pairs[i] || !d->pairs[i]->side[side].attached)
				break;
		if (i == d->maxq)
			return -EBUSY;
	} else if (queue >= d->maxq) {
		return -EINVAL;
	}
	if (d->pairs[i] && d->pairs[i]->side[side].attached)
		return -EBUSY;
	if (!d->pairs[i] && !(d->pairs[i] = vif_udev_pair_new(d->qlen)))
		return -ENOMEM;
	*idx = i;
	return 0;
}

static int side_open_fds(struct vif_uside *sd)
{
	sd->rfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sd->rfd < 0)
		return -errno;
	sd->sfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sd->sfd < 0) {
		int rc = -errno;

		close(sd->rfd);
		sd->rfd = -1;
		return rc;
	}
	sd->rfd_on = sd->sfd_on = false;
	return 0;
}

int vif_uport_attach_locked(struct vif_udev *d, enum vif_side side, unsigned queue,
			    struct vif_uport *up)
{
	unsigned i;
	int rc;

	if (d->gone)
		return -ENODEV;
	rc = pair_pick(d, side, queue, &i);
	if (rc)
		return rc;
	rc = side_open_fds(&d->pairs[i]->side[side]);
	if (rc)
		return rc;
	d->pairs[i]->side[side].attached = true;
	d->refs++;
	up->base.ops = &uport_ops;
	memcpy(up->base.name, d->node.name, sizeof(up->base.name));
	up->base.type = d->type;
	up->base.side = side;
	up->base.queue = i;
	up->dev = d;
	up->pair = d->pairs[i];
	vif_udev_pair_sync(d, up->pair);
	return 0;
}
