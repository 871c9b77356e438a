/* The generic port calls (dispatch through each backend's ops table) and the rules both
 * backends share: config defaults, names, MTU range. */
#include <errno.h>
#include <string.h>

#include "vif/vif.h"

ssize_t vif_read(struct vif_port *p, void *buf, size_t len)
{
	if (!p || !buf)
		return -EINVAL;
	if (!p->ops->read)
		return -EOPNOTSUPP;
	return p->ops->read(p, buf, len);
}

ssize_t vif_write(struct vif_port *p, const void *buf, size_t len)
{
	if (!p || !buf)
		return -EINVAL;
	if (!p->ops->write)
		return -EOPNOTSUPP;
	return p->ops->write(p, buf, len);
}

int vif_fd(struct vif_port *p)
{
	if (!p)
		return -EINVAL;
	return p->ops->fd ? p->ops->fd(p) : -EOPNOTSUPP;
}

int vif_space_fd(struct vif_port *p)
{
	if (!p)
		return -EINVAL;
	return p->ops->space_fd ? p->ops->space_fd(p) : -EOPNOTSUPP;
}

unsigned vif_state(struct vif_port *p)
{
	if (!p || !p->ops->state)
		return VIF_ST_GONE;
	return p->ops->state(p);
}

int vif_get_stats(struct vif_port *p, struct vif_stats *st)
{
	if (!p || !st)
		return -EINVAL;
	return p->ops->stats ? p->ops->stats(p, st) : -EOPNOTSUPP;
}

int vif_set_nonblock(struct vif_port *p, bool on)
{
	if (!p)
		return -EINVAL;
	return p->ops->set_nonblock ? p->ops->set_nonblock(p, on) : -EOPNOTSUPP;
}

void vif_close(struct vif_port *p)
{
	if (p && p->ops->close)
		p->ops->close(p);
}

void vif_config_init(struct vif_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->name, "tun%d", sizeof("tun%d"));
	cfg->type = VIF_TUN;
	cfg->mtu = VIF_MTU_DEFAULT;
	cfg->queue_len = VIF_QUEUE_LEN_DEFAULT;
	cfg->owner = -1;
	cfg->group = -1;
}

const char *vif_type_name(enum vif_type type)
{
	return type == VIF_TAP ? "tap" : "tun";
}

int vif_mtu_check(unsigned mtu)
{
	return (mtu < VIF_MTU_MIN || mtu > VIF_MTU_MAX) ? -EINVAL : 0;
}

/* Counts "%d" and refuses any other '%': a template has exactly one number slot, and nothing in
 * a name may be read as a format directive later. */
static int name_percent_count(const char *name)
{
	int n = 0;

	for (const char *c = name; *c; c++) {
		if (*c != '%')
			continue;
		if (c[1] != 'd')
			return -1;
		n++;
		c++;
	}
	return n;
}

static bool name_char_ok(char c)
{
	return c > ' ' && c < 0x7f && c != '/' && c != ':';
}

int vif_name_check(const char *name)
{
	size_t len;
	int pct;

	if (!name)
		return -EINVAL;
	len = strnlen(name, VIF_NAME_MAX);
	if (len == 0 || len > VIF_NAME_LEN)
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!name_char_ok(name[i]))
			return -EINVAL;
	pct = name_percent_count(name);
	return (pct < 0 || pct > 1) ? -EINVAL : 0;
}

bool vif_name_is_template(const char *name)
{
	return name && strstr(name, "%d") != NULL;
}
