/* rtnetlink links: look up, up/down, MTU, MAC, delete, and the query behind `burrow dev show`. */
#include "vif/nl_impl.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ifinfomsg *nl_link_msg(struct nlmsghdr *nlh, int ifindex)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

static int nl_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ifi)))
		*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int nl_link_index(const char *name, struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh;
	int index = 0, rc;

	if (!name || !*name || strlen(name) >= NL_IFNAMSIZ)
		return nl_fail(err, -EINVAL, "bad interface name '%s' (1..%d characters)",
			       name ? name : "", NL_IFNAMSIZ - 1);
	nlh = nl_req_start(buf, RTM_GETLINK, 0);
	nl_link_msg(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	rc = nl_request(nlh, nl_index_cb, &index, "look up link", err);
	if (rc == -ENODEV || (rc == 0 && index <= 0))
		return nl_fail(err, -ENODEV, "no device '%s'", name);
	if (rc < 0)
		return rc;
	return index;
}

struct nl_flags_ctx {
	unsigned flags;
	bool seen;
};

static int nl_flags_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nl_flags_ctx *c = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ifi))) {
		c->flags = ifi->ifi_flags;
		c->seen = true;
	}
	return MNL_CB_OK;
}

int nl_link_flags(int ifindex, unsigned *flags, struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh;
	struct nl_flags_ctx c = { 0 };
	int rc;

	if (ifindex <= 0)
		return nl_fail(err, -EINVAL, "query link: bad ifindex %d", ifindex);
	nlh = nl_req_start(buf, RTM_GETLINK, 0);
	nl_link_msg(nlh, ifindex);
	/* Statistics are the bulk of a link message and not wanted here. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	rc = nl_request(nlh, nl_flags_cb, &c, "query link", err);
	if (rc == 0 && !c.seen)
		rc = nl_fail(err, -ENODEV, "no device with ifindex %d", ifindex);
	if (rc == 0)
		*flags = c.flags;
	return rc;
}

/* RTM_SETLINK with the given flag change and optional attribute. */
static int nl_link_set(int ifindex, unsigned change, unsigned flags, uint16_t type,
		       const void *val, size_t len, const char *what, struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	char ctx[96];
	struct nlmsghdr *nlh = nl_req_start(buf, RTM_SETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = nl_link_msg(nlh, ifindex);

	if (ifindex <= 0)
		return nl_fail(err, -EINVAL, "%s: bad ifindex %d", what, ifindex);
	ifi->ifi_change = change;
	ifi->ifi_flags = flags;
	if (val)
		mnl_attr_put(nlh, type, len, val);
	snprintf(ctx, sizeof(ctx), "%s (ifindex %d)", what, ifindex);
	return nl_request(nlh, NULL, NULL, ctx, err);
}

int nl_link_set_up(int ifindex, bool up, struct nl_err *err)
{
	return nl_link_set(ifindex, IFF_UP, up ? IFF_UP : 0, 0, NULL, 0,
			   up ? "set link up" : "set link down", err);
}

int nl_link_set_mtu(int ifindex, unsigned mtu, struct nl_err *err)
{
	struct nl_link_info *li = calloc(1, sizeof(*li));
	uint32_t v = mtu;
	int rc;

	if (!li)
		return nl_fail(err, -ENOMEM, "set MTU: out of memory");
	/* Check the range ourselves so the message can say what is allowed. */
	rc = nl_link_get(ifindex, li, err);
	if (rc == 0 && li->max_mtu && (mtu < li->min_mtu || mtu > li->max_mtu))
		rc = nl_fail(err, -EINVAL, "MTU %u is out of range for %s: %u..%u", mtu, li->name,
			     li->min_mtu, li->max_mtu);
	else if (rc == 0 && mtu < li->min_mtu)	/* no upper limit (max_mtu 0) */
		rc = nl_fail(err, -EINVAL, "MTU %u is too small for %s: at least %u", mtu,
			     li->name, li->min_mtu);
	if (rc == 0)
		rc = nl_link_set(ifindex, 0, 0, IFLA_MTU, &v, sizeof(v), "set MTU", err);
	free(li);
	return rc;
}

int nl_link_set_mac(int ifindex, const uint8_t mac[6], struct nl_err *err)
{
	return nl_link_set(ifindex, 0, 0, IFLA_ADDRESS, mac, 6, "set MAC address", err);
}

int nl_link_del(int ifindex, struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	char ctx[64];
	struct nlmsghdr *nlh = nl_req_start(buf, RTM_DELLINK, NLM_F_ACK);

	if (ifindex <= 0)
		return nl_fail(err, -EINVAL, "delete link: bad ifindex %d", ifindex);
	nl_link_msg(nlh, ifindex);
	snprintf(ctx, sizeof(ctx), "delete link (ifindex %d)", ifindex);
	return nl_request(nlh, NULL, NULL, ctx, err);
}

/* ---- parsing RTM_NEWLINK ---- */

static int nl_u32_attr(const struct nlattr *a, uint32_t *out)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -1;
	*out = mnl_attr_get_u32(a);
	return 0;
}

static int nl_tun_data_cb(const struct nlattr *a, void *data)
{
	struct nl_link_info *li = data;
	uint16_t t = mnl_attr_get_type(a);

	switch (t) {
	case IFLA_TUN_TYPE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
			li->kind = mnl_attr_get_u8(a) == IFF_TAP ? NL_KIND_TAP : NL_KIND_TUN;
		break;
	case IFLA_TUN_PERSIST:
		if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
			li->persist = mnl_attr_get_u8(a) != 0;
		break;
	case IFLA_TUN_MULTI_QUEUE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
			li->multi_queue = mnl_attr_get_u8(a) != 0;
		break;
	case IFLA_TUN_OWNER:
		li->has_owner = nl_u32_attr(a, &li->owner) == 0;
		break;
	case IFLA_TUN_GROUP:
		li->has_group = nl_u32_attr(a, &li->group) == 0;
		break;
	case IFLA_TUN_NUM_QUEUES:
		nl_u32_attr(a, &li->num_queues);
		break;
	}
	return MNL_CB_OK;
}

static int nl_linkinfo_cb(const struct nlattr *a, void *data)
{
	struct nl_link_info *li = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
	    mnl_attr_validate(a, MNL_TYPE_STRING) == 0) {
		size_t n = mnl_attr_get_payload_len(a);

		if (n >= sizeof(li->kind_name))
			n = sizeof(li->kind_name) - 1;
		memcpy(li->kind_name, mnl_attr_get_payload(a), n);
		li->kind_name[n] = '\0';
	} else if (mnl_attr_get_type(a) == IFLA_INFO_DATA &&
		   mnl_attr_validate(a, MNL_TYPE_NESTED) == 0) {
		/* Kind comes first in the kernel's order, but do not rely on it. */
		mnl_attr_parse_nested(a, nl_tun_data_cb, li);
	}
	return MNL_CB_OK;
}

static void nl_copy_stats(const struct nlattr *a, struct nl_link_stats *st)
{
	struct rtnl_link_stats64 s = { 0 };
	size_t n = mnl_attr_get_payload_len(a);

	/* Older or newer kernels may send a shorter or longer struct: copy what both know. */
	memcpy(&s, mnl_attr_get_payload(a), n < sizeof(s) ? n : sizeof(s));
	st->rx_packets = s.rx_packets;
	st->tx_packets = s.tx_packets;
	st->rx_bytes = s.rx_bytes;
	st->tx_bytes = s.tx_bytes;
	st->rx_dropped = s.rx_dropped;
	st->tx_dropped = s.tx_dropped;
	st->rx_errors = s.rx_errors;
	st->tx_errors = s.tx_errors;
}

static int nl_link_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_link_info *li = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(a));
		break;
	case IFLA_MTU:
		nl_u32_attr(a, &li->mtu);
		break;
	case IFLA_MIN_MTU:
		nl_u32_attr(a, &li->min_mtu);
		break;
	case IFLA_MAX_MTU:
		nl_u32_attr(a, &li->max_mtu);
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(a) == 6) {
			memcpy(li->mac, mnl_attr_get_payload(a), 6);
			li->has_mac = true;
		}
		break;
	case IFLA_STATS64:
		nl_copy_stats(a, &li->stats);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(a, nl_linkinfo_cb, li);
		break;
	}
	return MNL_CB_OK;
}

static int nl_parse_link(const struct nlmsghdr *nlh, struct nl_link_info *li)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	li->up = (ifi->ifi_flags & IFF_UP) != 0;
	li->running = (ifi->ifi_flags & IFF_RUNNING) != 0;
	mnl_attr_parse(nlh, sizeof(*ifi), nl_link_attr_cb, li);
	/* Without IFLA_INFO_DATA (old kernels) the hardware type still tells TUN from TAP. */
	if (li->kind == NL_KIND_OTHER && strcmp(li->kind_name, "tun") == 0)
		li->kind = ifi->ifi_type == ARPHRD_ETHER ? NL_KIND_TAP : NL_KIND_TUN;
	return 0;
}

/* ---- addresses of links (RTM_GETADDR dump) ---- */

struct nl_link_set {
	struct nl_link_info *v;
	size_t n, cap;
};

static struct nl_link_info *nl_set_find(struct nl_link_set *s, int ifindex)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].ifindex == ifindex)
			return &s->v[i];
	return NULL;
}

struct nl_ifa {
	struct nl_addr addr;
	bool has_local, has_address;
	uint8_t local[16], address[16];
};

static int nl_ifa_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_ifa *f = data;
	size_t len = nl_family_len(f->addr.family);

	if (mnl_attr_get_payload_len(a) != len)
		return MNL_CB_OK;
	if (mnl_attr_get_type(a) == IFA_LOCAL) {
		memcpy(f->local, mnl_attr_get_payload(a), len);
		f->has_local = true;
	} else if (mnl_attr_get_type(a) == IFA_ADDRESS) {
		memcpy(f->address, mnl_attr_get_payload(a), len);
		f->has_address = true;
	}
	return MNL_CB_OK;
}

static int nl_addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nl_link_info *li;
	struct nl_ifa f = { 0 };

	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return MNL_CB_OK;
	li = nl_set_find(data, (int)ifa->ifa_index);
	if (!li || !nl_family_len(ifa->ifa_family) || li->n_addrs >= NL_MAX_ADDRS)
		return MNL_CB_OK;
	f.addr.family = ifa->ifa_family;
	f.addr.prefix = ifa->ifa_prefixlen;
	mnl_attr_parse(nlh, sizeof(*ifa), nl_ifa_attr_cb, &f);
	/* IFA_LOCAL is our own address; IFA_ADDRESS is the peer on point-to-point links. */
	if (f.has_local)
		memcpy(f.addr.bytes, f.local, sizeof(f.local));
	else if (f.has_address)
		memcpy(f.addr.bytes, f.address, sizeof(f.address));
	else
		return MNL_CB_OK;
	li->addrs[li->n_addrs++] = f.addr;
	return MNL_CB_OK;
}

static int nl_fill_addrs(struct nl_link_set *s, struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = nl_req_start(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_UNSPEC;
	return nl_request(nlh, nl_addr_dump_cb, s, "list addresses", err);
}

static int nl_link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link_set *s = data;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct nl_link_info *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		s->v = v;
		s->cap = cap;
	}
	if (nl_parse_link(nlh, &s->v[s->n]) == 0)
		s->n++;
	return MNL_CB_OK;
}

/* One link (ifindex > 0) or all of them (ifindex 0) into s, with their addresses. */
static int nl_collect(int ifindex, struct nl_link_set *s, struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = nl_req_start(buf, RTM_GETLINK, ifindex ? 0 : NLM_F_DUMP);
	int rc;

	nl_link_msg(nlh, ifindex);
	rc = nl_request(nlh, nl_link_dump_cb, s, "query link", err);
	if (rc == -ENODEV)
		return nl_fail(err, rc, "no device with ifindex %d", ifindex);
	if (rc == 0)
		rc = nl_fill_addrs(s, err);
	return rc;
}

int nl_link_get(int ifindex, struct nl_link_info *out, struct nl_err *err)
{
	struct nl_link_set s = { 0 };
	int rc;

	if (ifindex <= 0)
		return nl_fail(err, -EINVAL, "query link: bad ifindex %d", ifindex);
	rc = nl_collect(ifindex, &s, err);
	if (rc == 0 && s.n != 1)
		rc = nl_fail(err, -ENODEV, "no device with ifindex %d", ifindex);
	if (rc == 0)
		*out = s.v[0];
	free(s.v);
	return rc;
}

int nl_link_foreach(int (*fn)(const struct nl_link_info *link, void *arg), void *arg,
		    struct nl_err *err)
{
	struct nl_link_set s = { 0 };
	int rc = nl_collect(0, &s, err);

	for (size_t i = 0; rc == 0 && i < s.n; i++)
		rc = fn(&s.v[i], arg);
	free(s.v);
	return rc;
}
