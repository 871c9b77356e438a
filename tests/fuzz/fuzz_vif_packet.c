/* What a program writes into a device, arbitrary bytes: vif_packet_check never crashes, and a
 * packet it accepts goes through a userspace device unchanged, whole, exactly once; a short
 * read buffer gets -EMSGSIZE and leaves it queued. Byte 0 picks the type and the MTU. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vif/vif.h"

static const unsigned mtus[] = { 68, 576, 1279, 1280, 1500, 9000, 65535 };

struct fz_dev {
	struct vif_port *app, *ifc;
	char name[VIF_NAME_MAX];
};

static struct fz_dev devs[2];	/* TUN, TAP: made once, kept for the whole run */

static void fz_open(struct fz_dev *d, enum vif_type type)
{
	struct vif_config cfg;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "fz%%d");
	cfg.type = type;
	cfg.queue_len = 4;
	if (vif_user_create(&cfg, d->name, sizeof(d->name)) || vif_user_set_up(d->name, true) ||
	    vif_user_attach(d->name, VIF_SIDE_APP, &d->app) ||
	    vif_user_attach(d->name, VIF_SIDE_IFACE, &d->ifc) ||
	    vif_set_nonblock(d->app, true) || vif_set_nonblock(d->ifc, true))
		abort();
}

static void fz_through(struct fz_dev *d, const uint8_t *pkt, size_t len)
{
	static uint8_t buf[VIF_MTU_MAX + VIF_ETH_HLEN + VIF_VLAN_HLEN];

	if (vif_write(d->app, pkt, len) != (ssize_t)len)
		abort();
	if (vif_read(d->ifc, buf, len - 1) != -EMSGSIZE)
		abort();
	if (vif_read(d->ifc, buf, sizeof(buf)) != (ssize_t)len || memcmp(buf, pkt, len))
		abort();
	if (vif_read(d->ifc, buf, sizeof(buf)) != -EAGAIN)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum vif_type type;
	struct fz_dev *d;
	unsigned mtu;
	int rc;

	if (size < 1)
		return 0;
	type = (data[0] & 0x80) ? VIF_TAP : VIF_TUN;
	mtu = mtus[(data[0] & 0x7f) % (sizeof(mtus) / sizeof(mtus[0]))];
	d = &devs[type];
	if (!d->app)
		fz_open(d, type);
	if (vif_user_set_mtu(d->name, mtu))
		abort();
	rc = vif_packet_check(type, mtu, data + 1, size - 1);
	if (rc == 0)
		fz_through(d, data + 1, size - 1);
	else if (rc != -EINVAL && rc != -EMSGSIZE && rc != -EAFNOSUPPORT)
		abort();
	else if (vif_write(d->app, data + 1, size - 1) != rc)
		abort();	/* the device refuses exactly what the check refuses */
	return 0;
}
