/* The Linux kernel backend, opening side: /dev/net/tun with IFF_NO_PI (TUN or TAP), exact name
 * or template, persistence and owner, multiqueue, then MTU/MAC through rtnetlink (nl.h).
 * A port's I/O is in kernel_port.c. */
#include "vif/kernel_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/log.h"

#define VIF_TUN_PATH "/dev/net/tun"

/* Local twin of vif_type_name() so this backend depends on no other vif source file. */
static const char *vif_ktype(enum vif_type t)
{
	return t == VIF_TAP ? "tap" : "tun";
}

static int vif_kernel_open_dev(struct nl_err *err)
{
	int fd = open(VIF_TUN_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		return nl_fail(err, -ENOENT, "no %s: load the module (modprobe tun) or create "
			       "the node (mknod /dev/net/tun c 10 200)", VIF_TUN_PATH);
	if (errno == EACCES || errno == EPERM)
		return nl_fail(err, -EPERM, "cannot open %s: %s (run as root or with "
			       "CAP_NET_ADMIN)", VIF_TUN_PATH, strerror(errno));
	return nl_fail(err, -errno, "cannot open %s: %s", VIF_TUN_PATH, strerror(errno));
}

/* Explains a TUNSETIFF failure; name is what we asked for. */
static int vif_kernel_setiff_err(int e, const struct vif_config *cfg, const char *name,
				 bool exclusive, struct nl_err *err)
{
	const char *type = vif_ktype(cfg->type);

	if (e == EPERM)
		return nl_fail(err, -EPERM, "cannot create %s device '%s': not permitted (run as "
			       "root or with CAP_NET_ADMIN; a persistent device may belong to "
			       "another user)", type, name);
	if (e == EBUSY && exclusive)
		return nl_fail(err, -EEXIST, "device name '%s' is taken (pick another name, a "
			       "template like tun%%d, or delete the old device)", name);
	if (e == EBUSY)
		return nl_fail(err, -EBUSY, "%s device '%s' is already open by another program",
			       type, name);
	if (e == EINVAL && nl_link_index(name, NULL) > 0)
		return nl_fail(err, -EEXIST, "device name '%s' is taken by a device of another "
			       "kind (wanted: %s, %s)", name, type, cfg->multiqueue ?
			       "multiqueue" : "single queue");
	if (e == EINVAL)
		return nl_fail(err, -EINVAL, "bad device name '%s' (1..15 characters, no spaces, "
			       "'/' or ':', '%%d' only in a template)", name);
	return nl_fail(err, -e, "cannot create %s device '%s': %s", type, name, strerror(e));
}

static int vif_kernel_setiff(int fd, const struct vif_config *cfg, bool exclusive,
			     char name[NL_IFNAMSIZ], struct nl_err *err)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)((cfg->type == VIF_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI |
				(cfg->multiqueue ? IFF_MULTI_QUEUE : 0) |
				(cfg->vnet_hdr ? IFF_VNET_HDR : 0) |
				(exclusive ? IFF_TUN_EXCL : 0));
	memcpy(ifr.ifr_name, name, NL_IFNAMSIZ);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return vif_kernel_setiff_err(errno, cfg, name, exclusive, err);
	/* The kernel filled in the real name (a template's %d resolved). */
	memcpy(name, ifr.ifr_name, NL_IFNAMSIZ);
	name[NL_IFNAMSIZ - 1] = '\0';
	return 0;
}

/* Persistence and ownership, so an unprivileged user can attach later. */
static int vif_kernel_persist(int fd, const struct vif_config *cfg, const char *name,
			      struct nl_err *err)
{
	if (cfg->owner >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long)cfg->owner) < 0)
		return nl_fail(err, -errno, "%s: cannot set owner %ld: %s", name, cfg->owner,
			       strerror(errno));
	if (cfg->group >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)cfg->group) < 0)
		return nl_fail(err, -errno, "%s: cannot set group %ld: %s", name, cfg->group,
			       strerror(errno));
	if (cfg->persist && ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		return nl_fail(err, -errno, "%s: cannot make persistent: %s", name,
			       strerror(errno));
	return 0;
}

/* MTU and MAC as configured; notes which queue of a multiqueue device this port is. */
static int vif_kernel_link_setup(struct vif_kport *k, const struct vif_config *cfg,
				 struct nl_err *err)
{
	struct nl_link_info *li = calloc(1, sizeof(*li));
	int ifindex = k->ifindex;
	int rc;

	if (!li)
		return nl_fail(err, -ENOMEM, "out of memory");
	rc = nl_link_get(ifindex, li, err);
	if (rc == 0 && li->multi_queue && li->num_queues > 0)
		k->pub.queue = li->num_queues - 1;
	if (rc == 0 && cfg->mtu && cfg->mtu != li->mtu)
		rc = nl_link_set_mtu(ifindex, cfg->mtu, err);
	if (rc == 0 && cfg->type == VIF_TAP && cfg->has_mac && memcmp(cfg->mac, li->mac, 6))
		rc = nl_link_set_mac(ifindex, cfg->mac, err);
	free(li);
	return rc;
}

static int vif_kernel_check(const struct vif_config *cfg, char name[NL_IFNAMSIZ],
			    struct nl_err *err)
{
	size_t len = strnlen(cfg->name, sizeof(cfg->name));

	if (cfg->vnet_hdr && cfg->type != VIF_TUN)
		return nl_fail(err, -EOPNOTSUPP, "the virtio-net header (offloads) is only "
			       "supported on TUN devices");
	if (cfg->mtu && (cfg->mtu < VIF_MTU_MIN || cfg->mtu > VIF_MTU_MAX))
		return nl_fail(err, -EINVAL, "MTU %u is out of range: %u..%u", cfg->mtu,
			       VIF_MTU_MIN, VIF_MTU_MAX);
	if (len >= NL_IFNAMSIZ)
		return nl_fail(err, -EINVAL, "device name '%.*s' is too long (at most %d "
			       "characters)", (int)(len > 64 ? 64 : len), cfg->name, NL_IFNAMSIZ - 1);
	memset(name, 0, NL_IFNAMSIZ);
	/* Empty, or vif_config_init()'s "tun%d" left on a TAP config: the type's own template. */
	if (len == 0 || (cfg->type == VIF_TAP && strcmp(cfg->name, "tun%d") == 0))
		snprintf(name, NL_IFNAMSIZ, "%s%%d", vif_ktype(cfg->type));
	else
		memcpy(name, cfg->name, len);
	return 0;
}

int vif_kernel_open_ex(const struct vif_config *cfg, bool exclusive, char *name_out, size_t n,
		       struct vif_port **out, struct nl_err *err)
{
	char name[NL_IFNAMSIZ];
	struct vif_port *p = NULL;
	bool existed;
	int fd, rc = vif_kernel_check(cfg, name, err);

	if (rc < 0)
		return rc;
	/* Attaching to someone's persistent device: a failure must not delete it. */
	existed = !strchr(name, '%') && nl_link_index(name, NULL) > 0;
	fd = vif_kernel_open_dev(err);
	if (fd < 0)
		return fd;
	rc = vif_kernel_setiff(fd, cfg, exclusive, name, err);
	if (rc < 0)
		goto fail_fd;
	rc = vif_kernel_persist(fd, cfg, name, err);
	if (rc < 0)
		goto fail_persist;
	rc = vif_kernel_port_new(fd, name, cfg->type, &p, err);
	if (rc < 0)
		goto fail_persist;
	rc = vif_kernel_link_setup(vif_kport(p), cfg, err);
	if (rc < 0)
		goto fail_port;
	if (name_out && n)
		snprintf(name_out, n, "%s", name);
	*out = p;
	return 0;
fail_port:
	vif_kernel_port_release(p);	/* the fd is closed below, after persistence is undone */
fail_persist:
	/* Undo persistence so a failed open leaves no device of ours behind. */
	if (cfg->persist && !existed)
		ioctl(fd, TUNSETPERSIST, 0UL);
fail_fd:
	close(fd);
	return rc;
}

int vif_kernel_open(const struct vif_config *cfg, char *name_out, size_t n,
		    struct vif_port **out)
{
	struct nl_err err;
	int rc = vif_kernel_open_ex(cfg, false, name_out, n, out, &err);

	if (rc < 0)
		log_error("%s", err.msg);
	return rc;
}
