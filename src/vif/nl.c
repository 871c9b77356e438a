/* The rtnetlink transport: one socket per request, replies parsed with libmnl, errors with
 * the kernel's extended-ack message. Links, addresses and routes are in nl_link.c/nl_route.c. */
#include "vif/nl_impl.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

/* Big enough for a dump batch of links with all their attributes. */
#define NL_RX_SIZE 65536
/* The kernel always answers; this only bounds a wait that should never happen. */
#define NL_RX_TIMEOUT_S 5

struct nl_ack {
	int error;		/* 0 or -errno from NLMSG_ERROR */
	char extack[200];	/* NLMSGERR_ATTR_MSG, if any */
};

int nl_fail(struct nl_err *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

size_t nl_family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

struct nlmsghdr *nl_req_start(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, NL_REQ_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	return nlh;
}

/* Finds NLMSGERR_ATTR_MSG in the TLVs that follow struct nlmsgerr (and the echoed request
 * unless the kernel capped it, which we ask for). */
static void nl_parse_extack(const struct nlmsghdr *nlh, const struct nlmsgerr *e,
			    struct nl_ack *ack)
{
	const struct nlattr *attr;
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg))
			return;
		off += e->msg.nlmsg_len - sizeof(e->msg);
	}
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(ack->extack, sizeof(ack->extack), "%s", mnl_attr_get_str(attr));
			return;
		}
	}
}

/* NLMSG_ERROR: error 0 is the ack we asked for; anything else ends the exchange. */
static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ack *ack = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		ack->error = -EBADMSG;
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	ack->error = e->error < 0 ? e->error : -e->error;
	nl_parse_extack(nlh, e, ack);
	errno = -ack->error;
	return MNL_CB_ERROR;
}

struct nl_data_ctx {
	mnl_cb_t cb;
	void *data;
	struct nl_ack *ack;
};

static int nl_error_shim(const struct nlmsghdr *nlh, void *arg);

static struct mnl_socket *nl_open(unsigned *portid)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct timeval tv = { .tv_sec = NL_RX_TIMEOUT_S };
	int one = 1;

	if (!nl)
		return NULL;
	/* Both are best effort: old kernels lack them and still work. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	*portid = mnl_socket_get_portid(nl);
	return nl;
}

static int nl_exchange(struct mnl_socket *nl, unsigned portid, struct nlmsghdr *req,
		       mnl_cb_t cb, void *data, struct nl_ack *ack)
{
	static const size_t nctl = NLMSG_ERROR + 1;
	mnl_cb_t ctl[NLMSG_ERROR + 1] = { 0 };
	char *buf = malloc(NL_RX_SIZE);
	ssize_t n;
	int rc = MNL_CB_OK;

	if (!buf)
		return -ENOMEM;
	ctl[NLMSG_ERROR] = nl_error_shim;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	while (rc > MNL_CB_STOP) {
		n = mnl_socket_recvfrom(nl, buf, NL_RX_SIZE);
		if (n < 0) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		rc = mnl_cb_run2(buf, (size_t)n, req->nlmsg_seq, portid, cb, data, ctl,
				 (unsigned)nctl);
		if (rc == MNL_CB_ERROR) {
			rc = ack->error ? ack->error : -(errno ? errno : EPROTO);
			goto out;
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* mnl_cb_run2 hands the same data pointer to data and control callbacks, so both go through
 * this shim: messages of our request's type family go to the caller, errors to nl_error_cb. */
static int nl_data_shim(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_data_ctx *ctx = arg;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

static int nl_error_shim(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_data_ctx *ctx = arg;

	return nl_error_cb(nlh, ctx->ack);
}

int nl_request(struct nlmsghdr *req, mnl_cb_t cb, void *data, const char *what,
	       struct nl_err *err)
{
	struct nl_ack ack = { 0 };
	struct nl_data_ctx ctx = { .cb = cb, .data = data, .ack = &ack };
	struct mnl_socket *nl;
	unsigned portid = 0;
	int rc;

	/* A plain GET answers with one message and nothing after it; asking for the ack gives
	 * every exchange the same clear end. */
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		req->nlmsg_flags |= NLM_F_ACK;
	nl = nl_open(&portid);

	if (!nl)
		return nl_fail(err, -errno, "%s: cannot open a netlink socket: %s", what,
			       strerror(errno));
	rc = nl_exchange(nl, portid, req, nl_data_shim, &ctx, &ack);
	mnl_socket_close(nl);
	if (rc == 0)
		return 0;
	if (ack.extack[0])
		return nl_fail(err, rc, "%s: %s (%s)", what, ack.extack, strerror(-rc));
	if (rc == -EPERM)
		return nl_fail(err, rc, "%s: %s (needs root or CAP_NET_ADMIN)", what,
			       strerror(-rc));
	return nl_fail(err, rc, "%s: %s", what, strerror(-rc));
}
