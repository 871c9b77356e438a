/* Internal to the push codecs (push.c, pushopt.c, pushupd.c): the option list of a
 * "PREFIX,opt,opt..." message, shared by PUSH_REPLY and PUSH_UPDATE. */
#ifndef BURROW_PROTO_PUSH_IMPL_H
#define BURROW_PROTO_PUSH_IMPL_H

#include <stddef.h>

#include "proto/push.h"

/* Reads msg[len] (trailing NULs, CRs and LFs dropped): `prefix` alone or `prefix,opt,...` in
 * printable ASCII. Once it is valid, sets *continuation to 0 and calls fn(arg, opt) for each
 * non-empty option (leading spaces skipped, as a management-fed server sends "opt, opt"),
 * stopping at the first non-zero return. Returns -EMSGSIZE, -EBADMSG, fn's non-zero, or
 * 1 when *continuation is then 2 (push-continuation: more parts follow), else 0. */
int push_list_parse(const char *msg, size_t len, const char *prefix, int *continuation,
		    int (*fn)(void *arg, char *opt), void *arg);

#endif
