/* Internal to the netlink files of src/vif: one request/response exchange with the kernel. */
#ifndef BURROW_VIF_NL_IMPL_H
#define BURROW_VIF_NL_IMPL_H

#include <libmnl/libmnl.h>
#include <stdarg.h>

#include "vif/nl.h"

/* A request fits in this; replies are read into a larger heap buffer. */
#define NL_REQ_SIZE 1024

/* Starts a request of the given type in buf (NL_REQ_SIZE bytes, zeroed here). NLM_F_REQUEST is
 * always set; pass NLM_F_ACK etc. in flags. */
struct nlmsghdr *nl_req_start(char *buf, uint16_t type, uint16_t flags);

/* Sends req on a fresh socket and runs cb (may be NULL) on every reply until the ack or the end
 * of the dump. Returns 0 or -errno; on error err says "<what>: <reason>", the reason being the
 * kernel's extended-ack text when present. */
int nl_request(struct nlmsghdr *req, mnl_cb_t cb, void *data, const char *what,
	       struct nl_err *err);

/* Address length in bytes for AF_INET/AF_INET6, 0 for anything else. */
size_t nl_family_len(int family);

#endif
