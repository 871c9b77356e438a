/* A link's IPv6 settings over rtnetlink: the link-local address generation mode. A TUN has no
 * use for a link-local address, and with one the kernel sends router solicitations and MLD
 * reports into the tunnel while it is idle: each one wakes the VPN for nothing. */
#include "vif/nl_impl.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>

int nl_link_set_ipv6_linklocal(int ifindex, bool on, struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	char ctx[96];
	struct nlmsghdr *nlh = nl_req_start(buf, RTM_SETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *spec, *in6;

	if (ifindex <= 0)
		return nl_fail(err, -EINVAL, "IPv6 link-local: bad ifindex %d", ifindex);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	in6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE,
			on ? IN6_ADDR_GEN_MODE_RANDOM : IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, in6);
	mnl_attr_nest_end(nlh, spec);
	snprintf(ctx, sizeof(ctx), "IPv6 link-local %s (ifindex %d)", on ? "on" : "off", ifindex);
	return nl_request(nlh, NULL, NULL, ctx, err);
}
