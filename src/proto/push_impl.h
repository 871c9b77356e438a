/* Internal to the push codecs (push.c, pushopt.c, pushupd.c): the option list of a
 * "PREFIX,opt,opt..." message, shared by PUSH_REPLY and PUSH_UPDATE. */
#ifndef BURROW_PROTO_PUSH_IMPL_H
#define BURROW_PROTO_PUSH_IMPL_H

#include <stddef.h>

#include "proto/push.h"

/* Checks msg[len] (trailing NULs, CRs and LFs dropped) is `prefix` alone or `prefix,...` in
 * printable ASCII and copies it into buf[PUSH_MSG_MAX + 1]; *opts points at the text after
 * "prefix," in buf, NULL if there is none. Returns 0, -EMSGSIZE or -EBADMSG. */
int push_list_open(const char *msg, size_t len, const char *prefix, char *buf, char **opts);
/* The next non-empty option of the list (cut at its comma, leading spaces skipped, as a
 * management-fed server sends "opt, opt"); NULL at the end. */
char *push_list_next(char **opts);

#endif
