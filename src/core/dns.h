/* Pushed DNS settings (dhcp-option DNS/DNS6/DOMAIN/DOMAIN-SEARCH and 2.6's `dns server` /
 * `dns search-domains` lines) handed to the system's resolver manager for the tunnel device:
 * systemd-resolved (resolvectl) when it runs, else resolvconf (openresolv or Debian's), and
 * taken back on the way down. Without either, the caller prints them for the user. */
#ifndef BURROW_CORE_DNS_H
#define BURROW_CORE_DNS_H

#include <net/if.h>
#include <stdbool.h>

struct push_opts;

enum dns_how { DNS_NONE = 0, DNS_RESOLVED, DNS_RESOLVCONF };

struct dns_state {
	enum dns_how how;	/* what was used for dev; DNS_NONE = nothing to undo */
	char dev[IF_NAMESIZE];
	const char *tool;	/* the program that did it */
};

/* Hands the pushed servers/domains for DEV over. Returns 1 when handed over, 0 when there was
 * nothing to hand over or no mechanism exists (the caller reports them), -errno on failure
 * (logged). A previous hand-over in st is replaced. */
int dns_apply(struct dns_state *st, const char *dev, const struct push_opts *p);
/* Whether dns_apply could run a program here (resolvectl or resolvconf exists and BURROW_DNS
 * is not "print"): the sandbox installs no seccomp filter then. */
bool dns_may_run(void);
/* Undoes dns_apply (resolvectl revert / resolvconf -d). Safe to call twice. */
void dns_revert(struct dns_state *st);

#endif
