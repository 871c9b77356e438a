/* rtnetlink addresses and routes: add/del, and the route lookup the client uses to keep the
 * server reachable through the old gateway when it redirects the default route. */
#include "vif/nl_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

static int nl_check_addr(const struct nl_addr *a, const char *what, struct nl_err *err)
{
	size_t len = a ? nl_family_len(a->family) : 0;

	if (!len)
		return nl_fail(err, -EAFNOSUPPORT, "%s: not an IPv4 or IPv6 address", what);
	if (a->prefix > len * 8)
		return nl_fail(err, -EINVAL, "%s: prefix /%u too long", what, a->prefix);
	return 0;
}

/* "add address 10.8.0.2/24 (ifindex 5)" for messages. */
static void nl_ctx(char *buf, size_t n, const char *what, const struct nl_addr *a, int ifindex)
{
	char text[INET6_ADDRSTRLEN + 8];

	if (nl_format_addr(a, true, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "?");
	if (ifindex > 0)
		snprintf(buf, n, "%s %s (ifindex %d)", what, text, ifindex);
	else
		snprintf(buf, n, "%s %s", what, text);
}

static int nl_addr_msg(uint16_t type, uint16_t flags, int ifindex, const struct nl_addr *local,
		       const struct nl_addr *peer, struct nl_err *err)
{
	char buf[NL_REQ_SIZE], ctx[128];
	const char *what = type == RTM_NEWADDR ? "add address" : "delete address";
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t len;
	int rc = nl_check_addr(local, what, err);

	if (rc == 0 && peer && (peer->family != local->family))
		rc = nl_fail(err, -EINVAL, "%s: peer and local address families differ", what);
	if (rc == 0 && ifindex <= 0)
		rc = nl_fail(err, -EINVAL, "%s: bad ifindex %d", what, ifindex);
	if (rc < 0)
		return rc;
	len = nl_family_len(local->family);
	nlh = nl_req_start(buf, type, flags | NLM_F_ACK);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)local->family;
	ifa->ifa_prefixlen = (uint8_t)local->prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	/* A tunnel address must work at once: skip IPv6 duplicate address detection. */
	if (local->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	/* IFA_LOCAL is ours, IFA_ADDRESS the peer (or ours again when not point-to-point). */
	mnl_attr_put(nlh, IFA_LOCAL, len, local->bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, len, peer ? peer->bytes : local->bytes);
	nl_ctx(ctx, sizeof(ctx), what, local, ifindex);
	return nl_request(nlh, NULL, NULL, ctx, err);
}

int nl_addr_add(int ifindex, const struct nl_addr *local, const struct nl_addr *peer,
		struct nl_err *err)
{
	return nl_addr_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, local, peer, err);
}

int nl_addr_del(int ifindex, const struct nl_addr *local, struct nl_err *err)
{
	return nl_addr_msg(RTM_DELADDR, 0, ifindex, local, NULL, err);
}

/* The network part of a: the kernel refuses IPv4 routes with host bits set. */
static void nl_mask(struct nl_addr *a)
{
	size_t len = nl_family_len(a->family);

	for (size_t i = 0; i < len; i++) {
		unsigned keep = a->prefix > i * 8 ? a->prefix - (unsigned)(i * 8) : 0;

		if (keep < 8)
			a->bytes[i] &= (uint8_t)(0xff00u >> keep);
	}
}

static int nl_route_msg(uint16_t type, uint16_t flags, const struct nl_route *r,
			struct nl_err *err)
{
	char buf[NL_REQ_SIZE], ctx[160];
	const char *what = type == RTM_NEWROUTE ? "add route" : "delete route";
	struct nl_addr dst;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int rc = nl_check_addr(r ? &r->dst : NULL, what, err);

	if (rc == 0 && r->has_gw && r->gw.family != r->dst.family)
		rc = nl_fail(err, -EINVAL, "%s: gateway and destination families differ", what);
	if (rc < 0)
		return rc;
	dst = r->dst;
	nl_mask(&dst);
	nlh = nl_req_start(buf, type, flags | NLM_F_ACK);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst.family;
	rtm->rtm_dst_len = (uint8_t)dst.prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_type = RTN_UNICAST;
		/* A route with only a device is on-link; with a gateway it is global. */
		rtm->rtm_scope = r->has_gw || !r->ifindex ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;	/* match a route of any scope */
	}
	if (dst.prefix)
		mnl_attr_put(nlh, RTA_DST, nl_family_len(dst.family), dst.bytes);
	if (r->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, nl_family_len(dst.family), r->gw.bytes);
	if (r->ifindex > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->ifindex);
	if (r->has_metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	nl_ctx(ctx, sizeof(ctx), what, &dst, r->ifindex);
	return nl_request(nlh, NULL, NULL, ctx, err);
}

int nl_route_add(const struct nl_route *r, struct nl_err *err)
{
	return nl_route_msg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, err);
}

int nl_route_del(const struct nl_route *r, struct nl_err *err)
{
	return nl_route_msg(RTM_DELROUTE, 0, r, err);
}

struct nl_get_ctx {
	struct nl_route *out;
	int type;
	bool seen;
};

static int nl_route_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_route *out = data;
	size_t len = nl_family_len(out->dst.family);

	switch (mnl_attr_get_type(a)) {
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) == len) {
			out->gw.family = out->dst.family;
			out->gw.prefix = (unsigned)len * 8;
			memcpy(out->gw.bytes, mnl_attr_get_payload(a), len);
			out->has_gw = true;
		}
		break;
	case RTA_PREFSRC:
		if (mnl_attr_get_payload_len(a) == len) {
			out->src.family = out->dst.family;
			out->src.prefix = (unsigned)len * 8;
			memcpy(out->src.bytes, mnl_attr_get_payload(a), len);
			out->has_src = true;
		}
		break;
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			out->ifindex = (int)mnl_attr_get_u32(a);
		break;
	case RTA_PRIORITY:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			out->metric = mnl_attr_get_u32(a);
			out->has_metric = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int nl_route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_get_ctx *g = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return MNL_CB_OK;
	g->seen = true;
	g->type = rtm->rtm_type;
	mnl_attr_parse(nlh, sizeof(*rtm), nl_route_attr_cb, g->out);
	return MNL_CB_OK;
}

int nl_route_get(const struct nl_addr *dst, struct nl_route *out, struct nl_err *err)
{
	char buf[NL_REQ_SIZE], ctx[128];
	struct nl_get_ctx g = { .out = out };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int rc = nl_check_addr(dst, "route lookup", err);

	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->dst = *dst;
	out->dst.prefix = (unsigned)nl_family_len(dst->family) * 8;
	nlh = nl_req_start(buf, RTM_GETROUTE, 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = (uint8_t)out->dst.prefix;
	mnl_attr_put(nlh, RTA_DST, nl_family_len(dst->family), dst->bytes);
	nl_ctx(ctx, sizeof(ctx), "route lookup for", &out->dst, 0);
	rc = nl_request(nlh, nl_route_get_cb, &g, ctx, err);
	if (rc < 0)
		return rc;
	if (!g.seen)
		return nl_fail(err, -ENETUNREACH, "%s: no answer from the kernel", ctx);
	if (g.type != RTN_UNICAST && g.type != RTN_LOCAL)
		return nl_fail(err, -EHOSTUNREACH, "%s: no usable route (type %d)", ctx, g.type);
	return 0;
}
