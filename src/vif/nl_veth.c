/* veth pairs across network namespaces (for `burrow demo` and tests): RTM_NEWLINK with
 * IFLA_INFO_KIND "veth", each end placed in the namespace given by an fd. */
#include "vif/nl_impl.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>

static void nl_veth_end(struct nlmsghdr *nlh, const char *name, int netns_fd)
{
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
}

int nl_veth_add(const char *name, int netns_fd, const char *peer, int peer_netns_fd,
		struct nl_err *err)
{
	char buf[NL_REQ_SIZE];
	struct nlmsghdr *nlh = nl_req_start(buf, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *info, *data, *pe;
	struct ifinfomsg *pifi;

	if (!name || !peer || strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
		return nl_fail(err, -EINVAL, "veth: names must be 1..%d characters", IFNAMSIZ - 1);
	ifi->ifi_family = AF_UNSPEC;
	nl_veth_end(nlh, name, netns_fd);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pe = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	nl_veth_end(nlh, peer, peer_netns_fd);
	mnl_attr_nest_end(nlh, pe);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_request(nlh, NULL, NULL, "create veth pair", err);
}
