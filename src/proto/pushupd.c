/* PUSH_UPDATE (OpenVPN 2.7, addendum §A6.2): change pushed options without reconnecting.
 * Each option may carry "-" (remove) and/or "?" (optional) in front of its name; only the
 * listed options are updatable, anything else without "?" invalidates the whole update. */
#include "proto/push_impl.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"

#define PUSH_UPD_PREFIX "PUSH_UPDATE"

static const struct { const char *name; unsigned grp; } push_updatable[] = {
	{ "route", PUSH_GRP_ROUTE },
	{ "route-ipv6", PUSH_GRP_ROUTE6 },
	{ "redirect-gateway", PUSH_GRP_REDIRECT },
	{ "redirect-private", PUSH_GRP_REDIRECT },
	{ "dns", PUSH_GRP_DNS },
	{ "dhcp-option", PUSH_GRP_DHCP },
	{ "block-ipv6", PUSH_GRP_BLOCK_IPV6 },
	{ "ifconfig", PUSH_GRP_IFCONFIG },
	{ "ifconfig-ipv6", PUSH_GRP_IFCONFIG6 },
	{ "route-gateway", PUSH_GRP_ROUTE_GW },
	{ "topology", PUSH_GRP_TOPOLOGY },
	{ "tun-mtu", PUSH_GRP_TUN_MTU },
	{ "keepalive", PUSH_GRP_KEEPALIVE },
	{ "block-outside-dns", PUSH_GRP_IGNORED },
	{ "route-metric", PUSH_GRP_IGNORED },
	{ "push-continuation", 0 },
};
#define PUSH_NUPD (sizeof(push_updatable) / sizeof(push_updatable[0]))

/* Resets the fields of groups g to "not pushed". */
static void push_group_clear(struct push_opts *o, unsigned g)
{
	if (g & PUSH_GRP_ROUTE)
		o->n_route4 = 0;
	if (g & PUSH_GRP_ROUTE6)
		o->n_route6 = 0;
	if (g & PUSH_GRP_REDIRECT)
		o->redirect = 0;
	if (g & PUSH_GRP_DNS)
		o->n_dns = 0;
	if (g & PUSH_GRP_DHCP)
		o->n_dhcp = 0;
	if (g & PUSH_GRP_BLOCK_IPV6)
		o->block_ipv6 = false;
	if (g & PUSH_GRP_IFCONFIG)
		o->has_ifconfig = false;
	if (g & PUSH_GRP_IFCONFIG6)
		o->has_ifconfig6 = false;
	if (g & PUSH_GRP_ROUTE_GW)
		o->has_route_gw = o->route_gw_dhcp = false;
	if (g & PUSH_GRP_TOPOLOGY)
		o->topology = PUSH_TOPO_UNSET;
	if (g & PUSH_GRP_TUN_MTU)
		o->tun_mtu = -1;
	if (g & PUSH_GRP_KEEPALIVE)
		o->ping = o->ping_restart = -1;
}

/* Copies the fields of groups g from s to d. */
static void push_group_copy(struct push_opts *d, const struct push_opts *s, unsigned g)
{
	if (g & PUSH_GRP_ROUTE) {
		memcpy(d->route4, s->route4, sizeof(d->route4));
		d->n_route4 = s->n_route4;
	}
	if (g & PUSH_GRP_ROUTE6) {
		memcpy(d->route6, s->route6, sizeof(d->route6));
		d->n_route6 = s->n_route6;
	}
	if (g & PUSH_GRP_REDIRECT)
		d->redirect = s->redirect;
	if (g & PUSH_GRP_DNS) {
		memcpy(d->dns, s->dns, sizeof(d->dns));
		d->n_dns = s->n_dns;
	}
	if (g & PUSH_GRP_DHCP) {
		memcpy(d->dhcp, s->dhcp, sizeof(d->dhcp));
		d->n_dhcp = s->n_dhcp;
	}
	if (g & PUSH_GRP_BLOCK_IPV6)
		d->block_ipv6 = s->block_ipv6;
	if (g & PUSH_GRP_IFCONFIG) {
		d->has_ifconfig = s->has_ifconfig;
		d->ifc_local = s->ifc_local;
		d->ifc_mask = s->ifc_mask;
	}
	if (g & PUSH_GRP_IFCONFIG6) {
		d->has_ifconfig6 = s->has_ifconfig6;
		d->ifc6_local = s->ifc6_local;
		d->ifc6_bits = s->ifc6_bits;
		d->ifc6_remote = s->ifc6_remote;
	}
	if (g & PUSH_GRP_ROUTE_GW) {
		d->has_route_gw = s->has_route_gw;
		d->route_gw_dhcp = s->route_gw_dhcp;
		d->route_gw = s->route_gw;
	}
	if (g & PUSH_GRP_TOPOLOGY)
		d->topology = s->topology;
	if (g & PUSH_GRP_TUN_MTU)
		d->tun_mtu = s->tun_mtu;
	if (g & PUSH_GRP_KEEPALIVE) {
		d->ping = s->ping;
		d->ping_restart = s->ping_restart;
	}
}

void push_update_init(struct push_update *u)
{
	memset(u, 0, sizeof(*u));
	push_opts_init(&u->set);
}

void push_update_apply(struct push_opts *cur, const struct push_update *u)
{
	push_group_clear(cur, u->removed | u->replaced);
	push_group_copy(cur, &u->set, u->replaced);
}

/* Looks the option name up; returns true with its group when updatable. */
static bool push_upd_lookup(const char *opt, unsigned *grp)
{
	size_t n = strcspn(opt, " \t");

	for (size_t i = 0; i < PUSH_NUPD; i++) {
		if (strlen(push_updatable[i].name) == n &&
		    strncmp(opt, push_updatable[i].name, n) == 0) {
			*grp = push_updatable[i].grp;
			return true;
		}
	}
	return false;
}

/* One option of an update: "[-][?]name args". */
static int push_upd_option(struct push_update *u, const char *s)
{
	bool remove = false, optional = false;
	unsigned g;

	if (*s == '-') {
		remove = true;
		s++;
	}
	if (*s == '?') {
		optional = true;
		s++;
	}
	if (*s == '-' || *s == '?' || *s == ' ' || *s == '\t' || !*s)
		return -EBADMSG;	/* "?-name", "- name", "-? name" */
	if (!push_upd_lookup(s, &g)) {
		if (!optional)
			return -EPERM;
		u->n_skipped++;
		return 0;
	}
	if (remove) {
		if (s[strcspn(s, " \t")] != '\0')
			return -EBADMSG;	/* removal takes no arguments */
		push_group_clear(&u->set, g);
		u->replaced &= ~g;
		u->removed |= g;
		return 0;
	}
	if (g && !(u->replaced & g)) {
		/* First occurrence in this sequence: the group starts over. */
		push_group_clear(&u->set, g);
		u->replaced |= g;
		u->removed &= ~g;
	}
	if (g == PUSH_GRP_IGNORED)
		return 0;
	if (push_opt_apply(&u->set, s)) {
		if (optional)
			u->n_skipped++;
		else
			u->set.n_bad++;
		log_warn("push-update: ignoring bad option '%.64s'", s);
	}
	return 0;
}

int push_update_parse(struct push_update *u, const char *msg, size_t len)
{
	char buf[PUSH_MSG_MAX + 1];
	char *opts, *s;
	int rc = push_list_open(msg, len, PUSH_UPD_PREFIX, buf, &opts);

	if (rc)
		return rc;
	u->set.continuation = 0;
	/* observed: "PUSH_UPDATE,route ..., -dns, ?tun-mtu 1400" */
	while ((s = push_list_next(&opts))) {
		rc = push_upd_option(u, s);
		if (rc)
			return rc;
	}
	return u->set.continuation == 2 ? 1 : 0;
}
