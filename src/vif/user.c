/* The userspace virtual device (vif.md): two bounded packet FIFOs between an app side and an
 * interface side, created on demand by name, with an eventfd per attached side for readiness.
 *
 * Locking. Lock order: reg_lock (the name registry) before udev.lock (one device). A thread
 * holding a device lock never takes reg_lock, and never holds two device locks. Condition
 * variables wait on their device's lock. Every eventfd is written and drained only under its
 * device lock, right after the queue or state change it reflects (side_sync), so its counter
 * always equals "queue not empty, or down, or gone": no lost wake-up, level-triggered.
 * No sleeps, no timers: blocked threads wake on a condition variable, and down/delete
 * broadcast to all of them.
 *
 * Lifetime. The registry holds one reference and each attached port one. Delete removes the
 * name at once and marks the device gone (a flag that stays, so a late reader gets -ENODEV
 * instead of sleeping); the memory goes when the last reference is dropped.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "vif/namemap.h"
#include "vif/pktq.h"
#include "vif/vif.h"

/* The largest thing any write may carry: a VLAN-tagged TAP frame at the largest MTU. */
#define USER_FRAME_MAX ((size_t)VIF_MTU_MAX + VIF_ETH_HLEN + VIF_VLAN_HLEN)

/* One side of a queue pair: the queue it reads from, and its readiness eventfds. */
struct uside {
	struct vif_pktq in;
	pthread_cond_t nonempty;	/* readers of this side wait here */
	pthread_cond_t space;		/* writers into `in` wait here (only the app side blocks) */
	int rfd, sfd;			/* readable / write-space eventfds; -1 while detached */
	bool rfd_on, sfd_on;		/* each eventfd's counter is 1 exactly when *_on */
	bool attached;
};

/* Index VIF_SIDE_APP reads iface->app packets; VIF_SIDE_IFACE reads app->iface packets. */
struct upair {
	struct uside side[2];
};

struct udev {
	struct vif_nm_node node;	/* the name; in the registry until deleted */
	pthread_mutex_t lock;
	unsigned refs;
	enum vif_type type;
	unsigned mtu, qlen, maxq;
	bool up, gone;
	uint8_t mac[6];
	struct vif_stats st;
	struct upair **pairs;		/* maxq slots, allocated on first attach of each */
};

struct uport {
	struct vif_port base;		/* first: the generic calls cast back to uport */
	struct udev *dev;
	struct upair *pair;
	bool nonblock;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vif_namemap reg_map;

/* ---- readiness ---- */

static void efd_set(int fd, bool *on, bool want)
{
	uint64_t v = 1;
	ssize_t r;

	if (fd < 0 || *on == want)
		return;
	/* The counter is kept at 0 or 1, so neither call can block or overflow. */
	r = want ? write(fd, &v, sizeof(v)) : read(fd, &v, sizeof(v));
	(void)r;
	*on = want;
}

static void side_sync(const struct udev *d, struct upair *p, enum vif_side s)
{
	struct uside *sd = &p->side[s];
	bool dead = d->gone || !d->up;

	if (!sd->attached)
		return;
	efd_set(sd->rfd, &sd->rfd_on, dead || !vif_pktq_empty(&sd->in));
	efd_set(sd->sfd, &sd->sfd_on, dead || !vif_pktq_full(&p->side[!s].in));
}

static void pair_sync(const struct udev *d, struct upair *p)
{
	side_sync(d, p, VIF_SIDE_APP);
	side_sync(d, p, VIF_SIDE_IFACE);
}

/* ---- queue pairs ---- */

static void side_fini(struct uside *sd)
{
	vif_pktq_fini(&sd->in);
	pthread_cond_destroy(&sd->nonempty);
	pthread_cond_destroy(&sd->space);
}

static int side_init(struct uside *sd, unsigned qlen)
{
	memset(sd, 0, sizeof(*sd));
	sd->rfd = sd->sfd = -1;
	if (vif_pktq_init(&sd->in, qlen))
		return -ENOMEM;
	pthread_cond_init(&sd->nonempty, NULL);
	pthread_cond_init(&sd->space, NULL);
	return 0;
}

static struct upair *pair_new(unsigned qlen)
{
	struct upair *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (side_init(&p->side[0], qlen))
		goto err_free;
	if (side_init(&p->side[1], qlen))
		goto err_side0;
	return p;
err_side0:
	side_fini(&p->side[0]);
err_free:
	free(p);
	return NULL;
}

/* Empties the queue `s` reads from; the packets count as dropped in their direction. */
static void side_flush(struct udev *d, struct upair *p, enum vif_side s)
{
	unsigned n = vif_pktq_clear(&p->side[s].in);

	if (s == VIF_SIDE_APP)
		d->st.tx_dropped += n;
	else
		d->st.rx_dropped += n;
}

/* Down and delete: drop everything queued and wake every blocked thread at once. */
static void dev_flush_wake(struct udev *d)
{
	for (unsigned i = 0; i < d->maxq; i++) {
		struct upair *p = d->pairs[i];

		if (!p)
			continue;
		for (int s = 0; s < 2; s++) {
			side_flush(d, p, (enum vif_side)s);
			pthread_cond_broadcast(&p->side[s].nonempty);
			pthread_cond_broadcast(&p->side[s].space);
		}
		pair_sync(d, p);
	}
}

/* ---- devices ---- */

static void dev_free(struct udev *d)
{
	for (unsigned i = 0; i < d->maxq; i++) {
		if (!d->pairs[i])
			continue;
		side_fini(&d->pairs[i]->side[0]);
		side_fini(&d->pairs[i]->side[1]);
		free(d->pairs[i]);
	}
	free(d->pairs);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* Drops one reference; the caller holds d->lock, which this releases. */
static void dev_unref_unlock(struct udev *d)
{
	bool last = --d->refs == 0;

	pthread_mutex_unlock(&d->lock);
	if (last)
		dev_free(d);
}

/* Finds a device by name and returns it locked (order: reg_lock, then the device). */
static struct udev *dev_lock_by_name(const char *name)
{
	struct vif_nm_node *n;
	struct udev *d = NULL;

	if (!name)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	n = vif_nm_find(&reg_map, name);
	if (n) {
		d = (struct udev *)n;
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&reg_lock);
	return d;
}

static bool mac_ok(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

/* Random, locally administered (bit 1) and unicast (bit 0 clear), as Linux's eth_random_addr. */
static int mac_random(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		return -EIO;
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
	return 0;
}

static int cfg_check(const struct vif_config *cfg)
{
	if (!cfg || vif_name_check(cfg->name))
		return -EINVAL;
	if (cfg->type != VIF_TUN && cfg->type != VIF_TAP)
		return -EINVAL;
	if (cfg->mtu && vif_mtu_check(cfg->mtu))
		return -EINVAL;
	if (cfg->queue_len > VIF_QUEUE_LEN_MAX)
		return -EINVAL;
	if (cfg->type == VIF_TAP && cfg->has_mac && !mac_ok(cfg->mac))
		return -EINVAL;
	return cfg->vnet_hdr ? -EOPNOTSUPP : 0;
}

static struct udev *dev_new(const struct vif_config *cfg)
{
	struct udev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->maxq = cfg->multiqueue ? VIF_MAX_QUEUES : 1;
	d->pairs = calloc(d->maxq, sizeof(*d->pairs));
	if (!d->pairs)
		goto err_free;
	if (cfg->type == VIF_TAP) {
		if (cfg->has_mac)
			memcpy(d->mac, cfg->mac, 6);
		else if (mac_random(d->mac))
			goto err_pairs;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->refs = 1;
	d->type = cfg->type;
	d->mtu = cfg->mtu ? cfg->mtu : VIF_MTU_DEFAULT;
	d->qlen = cfg->queue_len ? cfg->queue_len : VIF_QUEUE_LEN_DEFAULT;
	return d;
err_pairs:
	free(d->pairs);
err_free:
	free(d);
	return NULL;
}

static int dev_register(struct udev *d, const char *name, char *name_out, size_t n)
{
	int rc = 0;

	pthread_mutex_lock(&reg_lock);
	if (vif_name_is_template(name))
		rc = vif_nm_expand(&reg_map, name, d->node.name, sizeof(d->node.name));
	else
		memcpy(d->node.name, name, strlen(name) + 1);
	if (!rc && name_out && strlen(d->node.name) >= n)
		rc = -ENOSPC;
	if (!rc)
		rc = vif_nm_insert(&reg_map, &d->node);
	if (!rc && name_out)
		memcpy(name_out, d->node.name, strlen(d->node.name) + 1);
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

int vif_user_create(const struct vif_config *cfg, char *name_out, size_t n)
{
	struct udev *d;
	int rc = cfg_check(cfg);

	if (rc)
		return rc;
	d = dev_new(cfg);
	if (!d)
		return -ENOMEM;
	rc = dev_register(d, cfg->name, name_out, n);
	if (rc)
		dev_free(d);
	return rc;
}

int vif_user_delete(const char *name)
{
	struct vif_nm_node *n;
	struct udev *d;

	if (!name)
		return -EINVAL;
	pthread_mutex_lock(&reg_lock);
	n = vif_nm_find(&reg_map, name);
	if (!n) {
		pthread_mutex_unlock(&reg_lock);
		return -ENODEV;
	}
	vif_nm_remove(&reg_map, n);
	d = (struct udev *)n;
	pthread_mutex_lock(&d->lock);
	pthread_mutex_unlock(&reg_lock);
	d->gone = true;
	dev_flush_wake(d);
	dev_unref_unlock(d);
	return 0;
}

int vif_user_set_up(const char *name, bool up)
{
	struct udev *d = dev_lock_by_name(name);

	if (!d)
		return -ENODEV;
	if (d->up != up) {
		d->up = up;
		if (!up)
			dev_flush_wake(d);
		for (unsigned i = 0; i < d->maxq; i++)
			if (d->pairs[i])
				pair_sync(d, d->pairs[i]);
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int vif_user_set_mtu(const char *name, unsigned mtu)
{
	struct udev *d;

	if (vif_mtu_check(mtu))
		return -EINVAL;
	d = dev_lock_by_name(name);
	if (!d)
		return -ENODEV;
	d->mtu = mtu;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int vif_user_get_mtu(const char *name, unsigned *mtu)
{
	struct udev *d = dev_lock_by_name(name);

	if (!d)
		return -ENODEV;
	*mtu = d->mtu;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int vif_user_get_stats(const char *name, struct vif_stats *st)
{
	struct udev *d = dev_lock_by_name(name);

	if (!d)
		return -ENODEV;
	*st = d->st;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int vif_user_get_mac(const char *name, uint8_t mac[6])
{
	struct udev *d = dev_lock_by_name(name);
	int rc = 0;

	if (!d)
		return -ENODEV;
	if (d->type == VIF_TAP)
		memcpy(mac, d->mac, 6);
	else
		rc = -EOPNOTSUPP;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int vif_user_set_mac(const char *name, const uint8_t mac[6])
{
	struct udev *d;
	int rc = 0;

	if (!mac || !mac_ok(mac))
		return -EINVAL;
	d = dev_lock_by_name(name);
	if (!d)
		return -ENODEV;
	if (d->type == VIF_TAP)
		memcpy(d->mac, mac, 6);
	else
		rc = -EOPNOTSUPP;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

size_t vif_user_count(void)
{
	size_t n;

	pthread_mutex_lock(&reg_lock);
	n = reg_map.count;
	pthread_mutex_unlock(&reg_lock);
	return n;
}

/* ---- port I/O ---- */

static const struct vif_port_ops uport_ops;

static struct uside *port_side(struct uport *up)
{
	return &up->pair->side[up->base.side];
}

static struct uside *port_peer(struct uport *up)
{
	return &up->pair->side[!up->base.side];
}

/* Delivered packets count from the interface's point of view (see struct vif_stats). */
static void count_delivered(struct udev *d, enum vif_side reader, size_t len)
{
	if (reader == VIF_SIDE_APP) {
		d->st.tx_packets++;
		d->st.tx_bytes += len;
	} else {
		d->st.rx_packets++;
		d->st.rx_bytes += len;
	}
}

static ssize_t read_locked(struct uport *up, void *buf, size_t len)
{
	struct udev *d = up->dev;
	struct uside *sd = port_side(up);
	ssize_t r;

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
	r = vif_pktq_pop(&sd->in, buf, len);
	if (r < 0) {
		/* This reader may have taken another's wake-up: pass it on. */
		pthread_cond_signal(&sd->nonempty);
		return r;
	}
	count_delivered(d, up->base.side, (size_t)r);
	pthread_cond_signal(&sd->space);
	pair_sync(d, up->pair);
	return r;
}

static ssize_t uport_read(struct vif_port *p, void *buf, size_t len)
{
	struct uport *up = (struct uport *)p;
	ssize_t r;

	pthread_mutex_lock(&up->dev->lock);
	r = read_locked(up, buf, len);
	pthread_mutex_unlock(&up->dev->lock);
	return r;
}

static void push_locked(struct uport *up, struct vif_pkt *pkt)
{
	struct uside *peer = port_peer(up);

	vif_pktq_push(&peer->in, pkt);
	pthread_cond_signal(&peer->nonempty);
	pair_sync(up->dev, up->pair);
}

/* App side: validated, then waits for space (or -EAGAIN). Returns 1 once pkt is queued. */
static int app_write_locked(struct uport *up, struct vif_pkt *pkt, const void *buf, size_t len)
{
	struct udev *d = up->dev;
	struct uside *peer = port_peer(up);
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
static int iface_write_locked(struct uport *up, struct vif_pkt *pkt, size_t len)
{
	struct udev *d = up->dev;
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
	struct uport *up = (struct uport *)p;
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
	return port_side((struct uport *)p)->rfd;
}

static int uport_space_fd(struct vif_port *p)
{
	return port_side((struct uport *)p)->sfd;
}

static unsigned uport_state(struct vif_port *p)
{
	struct uport *up = (struct uport *)p;
	struct udev *d = up->dev;
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
	struct udev *d = ((struct uport *)p)->dev;

	pthread_mutex_lock(&d->lock);
	*st = d->st;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static int uport_set_nonblock(struct vif_port *p, bool on)
{
	struct uport *up = (struct uport *)p;

	pthread_mutex_lock(&up->dev->lock);
	up->nonblock = on;
	pthread_mutex_unlock(&up->dev->lock);
	return 0;
}

/* Detach: packets waiting for this side are dropped (nobody will read them), a writer blocked
 * on them is woken, and the device goes with the last reference. */
static void uport_close(struct vif_port *p)
{
	struct uport *up = (struct uport *)p;
	struct udev *d = up->dev;
	struct uside *sd = port_side(up);

	pthread_mutex_lock(&d->lock);
	sd->attached = false;
	side_flush(d, up->pair, p->side);
	pthread_cond_broadcast(&sd->space);
	close(sd->rfd);
	close(sd->sfd);
	sd->rfd = sd->sfd = -1;
	sd->rfd_on = sd->sfd_on = false;
	pair_sync(d, up->pair);
	free(up);
	dev_unref_unlock(d);
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
static int pair_pick(struct udev *d, enum vif_side side, unsigned queue, unsigned *idx)
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
	if (!d->pairs[i] && !(d->pairs[i] = pair_new(d->qlen)))
		return -ENOMEM;
	*idx = i;
	return 0;
}

static int side_open_fds(struct uside *sd)
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

static int attach_locked(struct udev *d, enum vif_side side, unsigned queue, struct uport *up)
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
	pair_sync(d, up->pair);
	return 0;
}

int vif_user_attach_queue(const char *name, enum vif_side side, unsigned queue,
			  struct vif_port **out)
{
	struct uport *up;
	struct udev *d;
	int rc;

	if (!out || (side != VIF_SIDE_APP && side != VIF_SIDE_IFACE))
		return -EINVAL;
	if (queue != VIF_QUEUE_ANY && queue >= VIF_MAX_QUEUES)
		return -EINVAL;
	up = calloc(1, sizeof(*up));
	if (!up)
		return -ENOMEM;
	d = dev_lock_by_name(name);
	if (!d) {
		free(up);
		return -ENODEV;
	}
	rc = attach_locked(d, side, queue, up);
	pthread_mutex_unlock(&d->lock);
	if (rc) {
		free(up);
		return rc;
	}
	*out = &up->base;
	return 0;
}

int vif_user_attach(const char *name, enum vif_side side, struct vif_port **out)
{
	return vif_user_attach_queue(name, side, VIF_QUEUE_ANY, out);
}
