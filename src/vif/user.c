/* The userspace virtual device (vif.md): two bounded packet FIFOs between an app side and an
 * interface side, created on demand by name, with an eventfd per attached side for readiness.
 * This file: the name registry and the operations by name; user_dev.c: a device and its queue
 * pairs; user_port.c: port I/O.
 *
 * Locking. Lock order: reg_lock (the name registry) before vif_udev.lock (one device). A thread
 * holding a device lock never takes reg_lock, and never holds two device locks. Condition
 * variables wait on their device's lock. Every eventfd is written and drained only under its
 * device lock, right after the queue or state change it reflects (vif_udev_pair_sync in
 * user_dev.c), so its counter always equals "queue not empty, or down, or gone": no lost
 * wake-up, level-triggered.
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
#include <sys/random.h>

#include "vif/user_impl.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vif_namemap reg_map;

/* Finds a device by name and returns it locked (order: reg_lock, then the device). */
static struct vif_udev *dev_lock_by_name(const char *name)
{
	struct vif_nm_node *n;
	struct vif_udev *d = NULL;

	if (!name)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	n = vif_nm_find(&reg_map, name);
	if (n) {
		d = (struct vif_udev *)n;
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

static int dev_new(const struct vif_config *cfg, struct vif_udev **out)
{
	struct vif_udev *d = calloc(1, sizeof(*d));
	int rc = -ENOMEM;

	if (!d)
		return rc;
	d->maxq = cfg->multiqueue ? VIF_MAX_QUEUES : 1;
	d->pairs = calloc(d->maxq, sizeof(*d->pairs));
	if (!d->pairs)
		goto err_free;
	if (cfg->type == VIF_TAP) {
		if (cfg->has_mac)
			memcpy(d->mac, cfg->mac, 6);
		else if ((rc = mac_random(d->mac)))
			goto err_pairs;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->refs = 1;
	d->type = cfg->type;
	d->mtu = cfg->mtu ? cfg->mtu : VIF_MTU_DEFAULT;
	d->qlen = cfg->queue_len ? cfg->queue_len : VIF_QUEUE_LEN_DEFAULT;
	*out = d;
	return 0;
err_pairs:
	free(d->pairs);
err_free:
	free(d);
	return rc;
}

static int dev_register(struct vif_udev *d, const char *name, char *name_out, size_t n)
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
	struct vif_udev *d;
	int rc = cfg_check(cfg);

	if (rc)
		return rc;
	rc = dev_new(cfg, &d);
	if (rc)
		return rc;
	rc = dev_register(d, cfg->name, name_out, n);
	if (rc)
		vif_udev_free(d);
	return rc;
}

int vif_user_delete(const char *name)
{
	struct vif_nm_node *n;
	struct vif_udev *d;

	if (!name)
		return -EINVAL;
	pthread_mutex_lock(&reg_lock);
	n = vif_nm_find(&reg_map, name);
	if (!n) {
		pthread_mutex_unlock(&reg_lock);
		return -ENODEV;
	}
	vif_nm_remove(&reg_map, n);
	d = (struct vif_udev *)n;
	pthread_mutex_lock(&d->lock);
	pthread_mutex_unlock(&reg_lock);
	d->gone = true;
	vif_udev_flush_wake(d);
	vif_udev_unref_unlock(d);
	return 0;
}

int vif_user_set_up(const char *name, bool up)
{
	struct vif_udev *d = dev_lock_by_name(name);

	if (!d)
		return -ENODEV;
	if (d->up != up) {
		d->up = up;
		if (!up)
			vif_udev_flush_wake(d);
		for (unsigned i = 0; i < d->maxq; i++)
			if (d->pairs[i])
				vif_udev_pair_sync(d, d->pairs[i]);
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int vif_user_set_mtu(const char *name, unsigned mtu)
{
	struct vif_udev *d;

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
	struct vif_udev *d;

	if (!mtu)
		return -EINVAL;
	d = dev_lock_by_name(name);
	if (!d)
		return -ENODEV;
	*mtu = d->mtu;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int vif_user_get_stats(const char *name, struct vif_stats *st)
{
	struct vif_udev *d;

	if (!st)
		return -EINVAL;
	d = dev_lock_by_name(name);
	if (!d)
		return -ENODEV;
	*st = d->st;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int vif_user_get_mac(const char *name, uint8_t mac[6])
{
	struct vif_udev *d;
	int rc = 0;

	if (!mac)
		return -EINVAL;
	d = dev_lock_by_name(name);
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
	struct vif_udev *d;
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

int vif_user_attach_queue(const char *name, enum vif_side side, unsigned queue,
			  struct vif_port **out)
{
	struct vif_uport *up;
	struct vif_udev *d;
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
	rc = vif_uport_attach_locked(d, side, queue, up);
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

