#include "core/tundev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vif/kernel.h"
#include "vif/nl.h"
#include "vif/vnet.h"
#include "util/log.h"

/* "tun"/"tap" (or unset) picks the next free tunN/tapN like OpenVPN; other names are exact. */
static void tundev_name(const struct cfg *c, bool tap, char *out, size_t n)
{
	const char *d = c->dev;

	if (!d || !*d || !strcmp(d, "tun") || !strcmp(d, "tap") || !strcmp(d, "null"))
		snprintf(out, n, "%s%%d", tap ? "tap" : "tun");
	else
		snprintf(out, n, "%s", d);
}

/* The end of the loop's batch: what gro holds goes to the device. */
static void tundev_gro_due(struct loop *lp, void *arg)
{
	struct tundev *d = arg;

	(void)lp;
	if (d->port && vif_gro_flush(&d->gro) < 0 && d->on_drop)
		d->on_drop(d->arg);
}

/* TUN only: TSO super-packets in, coalesced segments out, and no IPv6 link-local (its
 * router solicitations would wake an idle tunnel). */
static int tundev_offload(struct tundev *d)
{
	struct nl_err err;
	int e = vif_vnet_offload(d->port);

	if (e < 0)
		log_info("device %s: no segmentation offload (%s)", d->name, strerror(-e));
	if (nl_link_set_ipv6_linklocal(d->ifindex, false, &err) < 0)
		log_debug("%s: %s", d->name, err.msg);
	return vif_gro_init(&d->gro, vif_gro_out_port, d->port);
}

int tundev_open(struct tundev *d, struct loop *lp, const struct cfg *c, loop_io_fn read_fn,
		void (*on_drop)(void *arg), void *arg)
{
	struct vif_config vc;
	struct nl_err err;
	int e;

	memset(d, 0, sizeof(*d));
	d->lp = lp;
	d->on_drop = on_drop;
	d->arg = arg;
	loop_timer_init(&d->t_gro, tundev_gro_due, d);
	vif_config_init(&vc);
	d->tap = c->dev_type == CFG_DEV_TAP;
	vc.type = d->tap ? VIF_TAP : VIF_TUN;
	vc.vnet_hdr = !d->tap;
	tundev_name(c, d->tap, vc.name, sizeof(vc.name));
	/* the _ex form's message already says what to do: the user sees one line */
	e = vif_kernel_open_ex(&vc, false, d->name, sizeof(d->name), &d->port, &err);
	if (e < 0) {
		log_error("%s", err.msg);
		return e;
	}
	vif_set_nonblock(d->port, true);
	d->ifindex = vif_kernel_ifindex(d->port);
	if (d->ifindex <= 0)
		d->ifindex = nl_link_index(d->name, &err);
	if (d->ifindex < 0) {
		log_error("device %s: %s", d->name, err.msg);
		return d->ifindex;
	}
	if (!d->tap && (e = tundev_offload(d)) < 0)
		return e;
	if (d->tap) {
		struct nl_link_info li;

		if (nl_link_get(d->ifindex, &li, &err) == 0 && li.has_mac)
			memcpy(d->mac, li.mac, 6);
	}
	e = loop_io_add(lp, &d->io, vif_fd(d->port), EPOLLIN, read_fn, arg);
	d->io_added = e == 0;
	return e;
}

int tundev_write(struct tundev *d, const uint8_t *pkt, size_t len)
{
	ssize_t n;

	if (!d->port)
		return -ENODEV;
	if (d->tap) {
		n = vif_write(d->port, pkt, len);
		return n < 0 ? (int)n : 0;
	}
	/* held (or merged) until the loop's batch ends, unless it cannot be merged */
	n = vif_gro_add(&d->gro, pkt, len);
	if (vif_gro_pending(&d->gro) && !loop_timer_armed(&d->t_gro))
		loop_timer_at(d->lp, &d->t_gro, loop_now(d->lp));
	return n < 0 ? (int)n : 0;
}

void tundev_close(struct tundev *d)
{
	if (d->io_added)
		loop_io_del(d->lp, &d->io);
	d->io_added = false;
	if (d->lp)
		loop_timer_stop(d->lp, &d->t_gro);
	vif_gro_free(&d->gro);
	if (d->port)
		vif_close(d->port);
	d->port = NULL;
}
