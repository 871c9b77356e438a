/* PUSH_UPDATE (OpenVPN 2.7, addendum §A6.2): change pushed options without reconnecting.
 * Each option may carry "-" (remove) and/or "?" (optional) in front of its name; only the
 * listed options are updatable, anything else without "?" invalidates the whole update. */
#include "proto/push_impl.h"

#include <errno.h>
#include <stddef.h>
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

/* Every field of each group, for push_group_copy. */
#define PF(grp, field) \
	{ grp, offsetof(struct push_opts, field), sizeof(((struct push_opts *)0)->field) }
static const struct { unsigned grp; size_t off, size; } push_group_fields[] = {
	PF(PUSH_GRP_ROUTE, route4), PF(PUSH_GRP_ROUTE, n_route4),
	PF(PUSH_GRP_ROUTE6, route6), PF(PUSH_GRP_ROUTE6, n_route6),
	PF(PUSH_GRP_REDIRECT, redirect),
	PF(PUSH_GRP_DNS, dns), PF(PUSH_GRP_DNS, n_dns),
	PF(PUSH_GRP_DHCP, dhcp), PF(PUSH_GRP_DHCP, n_dhcp),
	PF(PUSH_GRP_BLOCK_IPV6, block_ipv6),
	PF(PUSH_GRP_IFCONFIG, has_ifconfig), PF(PUSH_GRP_IFCONFIG, ifc_local),
	PF(PUSH_GRP_IFCONFIG, ifc_mask),
	PF(PUSH_GRP_IFCONFIG6, has_ifconfig6), PF(PUSH_GRP_IFCONFIG6, ifc6_local),
	PF(PUSH_GRP_IFCONFIG6, ifc6_bits), PF(PUSH_GRP_IFCONFIG6, ifc6_remote),
	PF(PUSH_GRP_ROUTE_GW, has_route_gw), PF(PUSH_GRP_ROUTE_GW, route_gw_dhcp),
	PF(PUSH_GRP_ROUTE_GW, route_gw),
	PF(PUSH_GRP_TOPOLOGY, topology),
	PF(PUSH_GRP_TUN_MTU, tun_mtu),
	PF(PUSH_GRP_KEEPALIVE, ping), PF(PUSH_GRP_KEEPALIVE, ping_restart),
};
#undef PF

/* Copies the fields of groups g from s to d. */
static void push_group_copy(struct push_opts *d, const struct push_opts *s, unsigned g)
{
	for (size_t i = 0; i < sizeof(push_group_fields) / sizeof(push_group_fields[0]); i++)
		if (g & push_group_fields[i].grp)
			memcpy((char *)d + push_group_fields[i].off,
			       (const char *)s + push_group_fields[i].off, push_group_fields[i].size);
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
static int push_upd_option(void *arg, char *s)
{
	struct push_update *u = arg;
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

/* observed: "PUSH_UPDATE,route ..., -dns, ?tun-mtu 1400" */
int push_update_parse(struct push_update *u, const char *msg, size_t len)
{
	return push_list_parse(msg, len, PUSH_UPD_PREFIX, &u->set.continuation, push_upd_option, u);
}
