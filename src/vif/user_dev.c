/* One userspace device and its queue pairs: readiness eventfds kept equal to the queue state,
 * flushing on down/delete, and the reference count that frees it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vif/user_impl.h"

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

static void side_sync(const struct vif_udev *d, struct vif_upair *p, enum vif_side s)
{
	struct vif_uside *sd = &p->side[s];
	bool dead = d->gone || !d->up;

	if (!sd->attached)
		return;
	efd_set(sd->rfd, &sd->rfd_on, dead || !vif_pktq_empty(&sd->in));
	efd_set(sd->sfd, &sd->sfd_on, dead || !vif_pktq_full(&p->side[!s].in));
}

void vif_udev_pair_sync(const struct vif_udev *d, struct vif_upair *p)
{
	side_sync(d, p, VIF_SIDE_APP);
	side_sync(d, p, VIF_SIDE_IFACE);
}

/* ---- queue pairs ---- */

static void side_fini(struct vif_uside *sd)
{
	vif_pktq_fini(&sd->in);
	pthread_cond_destroy(&sd->nonempty);
	pthread_cond_destroy(&sd->space);
}

static int side_init(struct vif_uside *sd, unsigned qlen)
{
	memset(sd, 0, sizeof(*sd));
	sd->rfd = sd->sfd = -1;
	if (vif_pktq_init(&sd->in, qlen))
		return -ENOMEM;
	pthread_cond_init(&sd->nonempty, NULL);
	pthread_cond_init(&sd->space, NULL);
	return 0;
}

struct vif_upair *vif_udev_pair_new(unsigned qlen)
{
	struct vif_upair *p = calloc(1, sizeof(*p));

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
void vif_udev_side_flush(struct vif_udev *d, struct vif_upair *p, enum vif_side s)
{
	unsigned n = vif_pktq_clear(&p->side[s].in);

	if (s == VIF_SIDE_APP)
		d->st.tx_dropped += n;
	else
		d->st.rx_dropped += n;
}

/* Down and delete: drop everything queued and wake every blocked thread at once. */
void vif_udev_flush_wake(struct vif_udev *d)
{
	for (unsigned i = 0; i < d->maxq; i++) {
		struct vif_upair *p = d->pairs[i];

		if (!p)
			continue;
		for (int s = 0; s < 2; s++) {
			vif_udev_side_flush(d, p, (enum vif_side)s);
			pthread_cond_broadcast(&p->side[s].nonempty);
			pthread_cond_broadcast(&p->side[s].space);
		}
		vif_udev_pair_sync(d, p);
	}
}

/* ---- devices ---- */

void vif_udev_free(struct vif_udev *d)
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
void vif_udev_unref_unlock(struct vif_udev *d)
{
	bool last = --d->refs == 0;

	pthread_mutex_unlock(&d->lock);
	if (last)
		vif_udev_free(d);
}
