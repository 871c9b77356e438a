/* pull-filter over a PUSH_REPLY message; see pullfilter.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/pullfilter.h"
#include "util/log.h"
#include "util/strbuf.h"

#define PULLFILTER_PREFIX "PUSH_REPLY"

enum pullfilter_action pullfilter_match(const struct pullfilter_rule *rules, size_t n,
					const char *opt)
{
	while (*opt == ' ')
		opt++;
	for (size_t i = 0; i < n; i++)
		if (rules[i].text && strncmp(opt, rules[i].text, strlen(rules[i].text)) == 0)
			return rules[i].action;
	return PULLFILTER_ACCEPT;
}


int pullfilter_reply(const struct pullfilter_rule *rules, size_t n, const char *msg,
		     char *out, size_t cap, char *rejected, size_t rejected_cap)
{
	size_t plen = strlen(PULLFILTER_PREFIX), w = 0;
	const char *p, *end;
	char opt[2048];

	if (!cap)
		return -EMSGSIZE;
	out[0] = '\0';
	if (strncmp(msg, PULLFILTER_PREFIX, plen) != 0 || (msg[plen] && msg[plen] != ','))
		return -EBADMSG;
	if (strbuf_put(out, cap, &w, msg, plen) < 0)
		return -EMSGSIZE;
	for (p = msg[plen] ? msg + plen + 1 : NULL; p; p = *end ? end + 1 : NULL) {
		size_t len;
		enum pullfilter_action a;

		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		if (len >= sizeof(opt))
			return -EMSGSIZE;
		memcpy(opt, p, len);
		opt[len] = '\0';
		/* a trailing NUL/CR/LF is not an option of its own */
		while (len && (opt[len - 1] == '\r' || opt[len - 1] == '\n'))
			opt[--len] = '\0';
		a = n ? pullfilter_match(rules, n, opt) : PULLFILTER_ACCEPT;
		if (a == PULLFILTER_REJECT) {
			if (rejected && rejected_cap)
				snprintf(rejected, rejected_cap, "%s", opt);
			log_error("pull-filter: pushed option '%.64s' rejected", opt);
			return -EACCES;
		}
		if (a == PULLFILTER_IGNORE) {
			log_notice("pull-filter: ignoring pushed option '%.64s'", opt);
			continue;
		}
		if (strbuf_put(out, cap, &w, ",", 1) < 0 || strbuf_put(out, cap, &w, p, (size_t)(end - p)) < 0)
			return -EMSGSIZE;
	}
	return 0;
}
