/* Link-change notifications: lets the kernel backend wake a blocked reader when its link goes
 * down or away, which the TUN driver itself does not do for "down". */
#include "vif/nl_impl.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Enough for a burst of link messages; more just means another recv. */
#define NL_WATCH_BUF 8192
/* Bounds one drain even if the namespace is flooded with link changes. */
#define NL_WATCH_MAX_RECV 256

int nl_watch_open(struct nl_err *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	int e;

	if (fd < 0)
		return nl_fail(err, -errno, "link notifications: socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		return nl_fail(err, -e, "link notifications: bind: %s", strerror(e));
	}
	return fd;
}

static enum nl_watch_news nl_watch_msg(const struct nlmsghdr *nlh, int ifindex,
				       enum nl_watch_news news)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (news == NL_WATCH_GONE || news == NL_WATCH_LOST)
		return news;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)) || ifi->ifi_index != ifindex)
		return news;
	if (nlh->nlmsg_type == RTM_DELLINK)
		return NL_WATCH_GONE;
	if (nlh->nlmsg_type == RTM_NEWLINK)
		return (ifi->ifi_flags & IFF_UP) ? NL_WATCH_UP : NL_WATCH_DOWN;
	return news;
}

enum nl_watch_news nl_watch_drain(int fd, int ifindex)
{
	char buf[NL_WATCH_BUF] __attribute__((aligned(4)));
	enum nl_watch_news news = NL_WATCH_NONE;

	for (int i = 0; i < NL_WATCH_MAX_RECV; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0 && errno == ENOBUFS) {
			news = NL_WATCH_LOST;	/* keep draining: the backlog is stale anyway */
			continue;
		}
		if (n <= 0)
			break;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			news = nl_watch_msg(nlh, ifindex, news);
	}
	return news;
}
