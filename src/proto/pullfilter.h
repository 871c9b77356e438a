/* pull-filter: the client's filter over the options a server pushes (OpenVPN's
 * `pull-filter accept|ignore|reject "TEXT"`). Rules are tried in order; the first whose
 * TEXT is a prefix of a pushed option decides it; an option no rule matches is accepted.
 * ignore drops the option, reject fails the connection. */
#ifndef BURROW_PROTO_PULLFILTER_H
#define BURROW_PROTO_PULLFILTER_H

#include <stddef.h>

enum pullfilter_action { PULLFILTER_ACCEPT = 0, PULLFILTER_IGNORE, PULLFILTER_REJECT };

struct pullfilter_rule {
	enum pullfilter_action action;
	const char *text;		/* prefix of the pushed option, e.g. "route", "dhcp-option DNS" */
};

/* The action for one pushed option (leading spaces skipped). */
enum pullfilter_action pullfilter_match(const struct pullfilter_rule *rules, size_t n,
					const char *opt);

/* Filter a whole "PUSH_REPLY,opt,opt,..." message into out (cap bytes, NUL-terminated),
 * leaving out the ignored options. Returns 0; -EACCES when an option is rejected (its text,
 * cut to fit, is copied to rejected when non-NULL); -EMSGSIZE when out is too small;
 * -EBADMSG when msg is not a PUSH_REPLY. With no rules, out is a copy of msg. */
int pullfilter_reply(const struct pullfilter_rule *rules, size_t n, const char *msg,
		     char *out, size_t cap, char *rejected, size_t rejected_cap);

#endif
