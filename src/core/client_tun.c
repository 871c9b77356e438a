/* Client engine, device side: open the TUN/TAP device, apply the pushed ifconfig,
 * ifconfig-ipv6, tun-mtu, routes and redirect-gateway through rtnetlink, undo it all on the
 * way out, and move packets between the device and the session. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/arp.h"
#include "core/client_impl.h"
#include "core/script_client.h"
#include "core/mss.h"
#include "vif/vnet.h"
#include "util/log.h"

#define TUN_READ_BUDGET 64

static struct nl_addr addr4(struct in_addr a, unsigned prefix)
{
	struct nl_addr n = { .family = AF_INET, .prefix = prefix };

	memcpy(n.bytes, &a, 4);
	return n;
}

static struct nl_addr addr6(const struct in6_addr *a, unsigned prefix)
{
	struct nl_addr n = { .family = AF_INET6, .prefix = prefix };

	memcpy(n.bytes, a, 16);
	return n;
}


static const char *fmt_addr(const struct nl_addr *a, bool prefix, char *buf, size_t n)
{
	if (nl_format_addr(a, prefix, buf, n) < 0)
		snprintf(buf, n, "?");
	return buf;
}

/* ---- the device ---- */

static void tun_dropped(void *arg)
{
	struct client *cl = arg;

	cl->tun_drops++;
}

static int tun_open(struct client *cl)
{
	return tundev_open(&cl->net.dev, cl->lp, cl->cfg, client_tun_input, tun_dropped, cl);
}

/* ---- routes ---- */

static int route_add(struct client *cl, const struct nl_route *r)
{
	struct client_net *net = &cl->net;
	struct nl_err err;
	char d[64], g[64];
	int e;

	if (net->n_routes >= CLIENT_MAX_ROUTES) {
		log_warn("too many routes; ignoring the rest");
		return -ENOSPC;
	}
	e = nl_route_add(r, &err);
	fmt_addr(&r->dst, true, d, sizeof(d));
	if (r->has_gw)
		fmt_addr(&r->gw, false, g, sizeof(g));
	if (e < 0 && e != -EEXIST) {
		log_warn("route %s%s%s not added: %s", d, r->has_gw ? " via " : "",
			 r->has_gw ? g : "", err.msg);
		return e;
	}
	if (e == -EEXIST) {
		log_info("route %s already exists; leaving it alone", d);
		return 0;
	}
	log_info("route %s%s%s dev %s", d, r->has_gw ? " via " : "", r->has_gw ? g : "",
		 net->dev.name);
	net->routes[net->n_routes++] = *r;
	return 0;
}

/* A route into the tunnel, via the VPN gateway when there is one (as OpenVPN does; the
 * gateway is on the tunnel's subnet or its point-to-point peer). */
static void route_tunnel(struct client *cl, struct nl_addr dst, const struct nl_addr *gw,
			 int metric)
{
	struct nl_route r = { .dst = dst, .ifindex = cl->net.dev.ifindex };

	if (gw && gw->family == dst.family) {
		r.has_gw = true;
		r.gw = *gw;
	}
	if (metric >= 0) {
		r.has_metric = true;
		r.metric = (uint32_t)metric;
	}
	route_add(cl, &r);
}

/* redirect-gateway keeps the server reachable: a host route via the pre-tunnel path. */
static void route_server_bypass(struct client *cl)
{
	struct nl_addr srv = { .family = xport_addr_family(&cl->remote) };
	struct nl_route via, host = { 0 };
	struct nl_err err;

	if (srv.family == AF_INET) {
		memcpy(srv.bytes, &((const struct sockaddr_in *)&cl->remote.ss)->sin_addr, 4);
		srv.prefix = 32;
	} else {
		memcpy(srv.bytes, &((const struct sockaddr_in6 *)&cl->remote.ss)->sin6_addr, 16);
		srv.prefix = 128;
	}
	if (nl_route_get(&srv, &via, &err) < 0) {
		log_warn("redirect-gateway: no route to the server found (%s)", err.msg);
		return;
	}
	if (via.ifindex == cl->net.dev.ifindex)
		return;
	host.dst = srv;
	host.has_gw = via.has_gw;
	host.gw = via.gw;
	host.ifindex = via.ifindex;
	route_add(cl, &host);
}

static struct nl_addr half(int family, int second)
{
	struct nl_addr a = { .family = family, .prefix = 1 };

	if (second)
		a.bytes[0] = 0x80;
	return a;
}

static void routes_redirect(struct client *cl, unsigned rg, const struct nl_addr *gw4,
			    const struct nl_addr *gw6)
{
	int fam = xport_addr_family(&cl->remote);

	if (!(rg & PUSH_RG_ENABLE))
		return;
	if (!(rg & PUSH_RG_DEF1))
		log_info("redirect-gateway without def1: using def1 routes (0/1 + 128/1) anyway "
			 "so the original default route stays untouched");
	if (!(rg & PUSH_RG_NOT_IPV4) && cl->net.has_v4) {
		if (fam == AF_INET && !(rg & PUSH_RG_LOCAL))
			route_server_bypass(cl);
		route_tunnel(cl, half(AF_INET, 0), gw4, -1);
		route_tunnel(cl, half(AF_INET, 1), gw4, -1);
	}
	if ((rg & PUSH_RG_IPV6) && cl->net.has_v6) {
		if (fam == AF_INET6 && !(rg & PUSH_RG_LOCAL))
			route_server_bypass(cl);
		route_tunnel(cl, half(AF_INET6, 0), gw6, -1);
		route_tunnel(cl, half(AF_INET6, 1), gw6, -1);
	}
}

static unsigned cfg_rg_flags(unsigned f)
{
	unsigned o = 0;

	if (!(f & CFG_RG_ENABLE))
		return 0;
	o |= PUSH_RG_ENABLE;
	o |= (f & CFG_RG_DEF1) ? PUSH_RG_DEF1 : 0;
	o |= (f & CFG_RG_IPV6) ? PUSH_RG_IPV6 : 0;
	o |= (f & CFG_RG_NOIPV4) ? PUSH_RG_NOT_IPV4 : 0;
	o |= (f & CFG_RG_LOCAL) ? PUSH_RG_LOCAL : 0;
	return o;
}

static void routes_apply(struct client *cl, const struct nl_addr *gw4, const struct nl_addr *gw6)
{
	const struct push_opts *p = &cl->push;
	const struct cfg *c = cl->cfg;
	bool pulled = !c->route_nopull;
	unsigned rg = cfg_rg_flags(c->redirect_gateway) | (pulled ? p->redirect : 0);

	routes_redirect(cl, rg, gw4, gw6);
	for (int i = 0; pulled && i < p->n_route4; i++) {
		struct nl_addr gw = p->route4[i].has_gw ? addr4(p->route4[i].gw, 32) :
				    gw4 ? *gw4 : (struct nl_addr){ 0 };

		route_tunnel(cl, addr4(p->route4[i].net, nl_mask_prefix(p->route4[i].mask)),
			     gw.family ? &gw : NULL, p->route4[i].metric);
	}
	for (int i = 0; pulled && i < p->n_route6 && cl->net.has_v6; i++) {
		struct nl_addr gw = p->route6[i].has_gw ? addr6(&p->route6[i].gw, 128) :
				    gw6 ? *gw6 : (struct nl_addr){ 0 };

		route_tunnel(cl, addr6(&p->route6[i].net, (unsigned)p->route6[i].bits),
			     gw.family ? &gw : NULL, p->route6[i].metric);
	}
	for (size_t i = 0; i < c->routes.n; i++) {
		const struct cfg_route *r = &c->routes.v[i];
		struct nl_addr gw = r->gw_kind == CFG_GW_ADDR ? addr4(r->gw, 32) :
				    gw4 ? *gw4 : (struct nl_addr){ 0 };

		route_tunnel(cl, addr4(r->net, nl_mask_prefix(r->mask)), gw.family ? &gw : NULL,
			     r->metric);
	}
	for (size_t i = 0; i < c->routes6.n && cl->net.has_v6; i++) {
		const struct cfg_route6 *r = &c->routes6.v[i];
		struct nl_addr gw = r->has_gw ? addr6(&r->gw, 128) : gw6 ? *gw6 :
				    (struct nl_addr){ 0 };

		route_tunnel(cl, addr6(&r->net, r->prefix), gw.family ? &gw : NULL, r->metric);
	}
}

/* ---- addresses ---- */

static int addr_apply_v4(struct client *cl, enum push_topology topo)
{
	struct client_net *net = &cl->net;
	const struct push_opts *p = &cl->push;
	struct in_addr local = p->ifc_local, second = p->ifc_mask;
	struct nl_err err;
	int e;

	if (!p->has_ifconfig) {
		if (!cl->cfg->ifconfig.set)
			return 0;
		local = cl->cfg->ifconfig.local;
		second = cl->cfg->ifconfig.remote_or_mask;
	}
	if (net->dev.tap || topo == PUSH_TOPO_SUBNET) {
		net->v4 = addr4(local, nl_mask_prefix(second));
		net->v4_p2p = false;
		e = nl_addr_add(net->dev.ifindex, &net->v4, NULL, &err);
	} else {
		net->v4 = addr4(local, 32);
		net->v4_peer = addr4(second, 32);
		net->v4_p2p = true;
		e = nl_addr_add(net->dev.ifindex, &net->v4, &net->v4_peer, &err);
	}
	if (e < 0 && e != -EEXIST) {
		log_error("cannot add the tunnel address: %s", err.msg);
		return e;
	}
	net->has_v4 = true;
	return 0;
}

static int addr_apply_v6(struct client *cl)
{
	struct client_net *net = &cl->net;
	const struct push_opts *p = &cl->push;
	struct nl_err err;
	int e;

	if (p->has_ifconfig6)
		net->v6 = addr6(&p->ifc6_local, (unsigned)p->ifc6_bits);
	else if (cl->cfg->ifconfig_ipv6.set)
		net->v6 = addr6(&cl->cfg->ifconfig_ipv6.local, cl->cfg->ifconfig_ipv6.prefix);
	else
		return 0;
	if (net->mtu && net->mtu < VIF_MTU_IPV6_MIN) {
		log_warn("tun-mtu %u is below 1280: no IPv6 on the tunnel", net->mtu);
		return 0;
	}
	e = nl_addr_add(net->dev.ifindex, &net->v6, NULL, &err);
	if (e < 0 && e != -EEXIST) {
		log_error("cannot add the tunnel IPv6 address: %s", err.msg);
		return e;
	}
	net->has_v6 = true;
	return 0;
}

static enum push_topology topology(const struct client *cl)
{
	if (cl->push.topology != PUSH_TOPO_UNSET)
		return cl->push.topology;
	switch (cl->cfg->topology) {
	case CFG_TOPO_SUBNET:
		return PUSH_TOPO_SUBNET;
	case CFG_TOPO_P2P:
		return PUSH_TOPO_P2P;
	default:
		return PUSH_TOPO_NET30;
	}
}

/* The IPv4 gateway for routes: route-gateway, else the net30/p2p peer. */
static bool gateway4(const struct client *cl, struct nl_addr *gw)
{
	if (cl->push.has_route_gw && !cl->push.route_gw_dhcp) {
		*gw = addr4(cl->push.route_gw, 32);
		return true;
	}
	if (cl->net.v4_p2p) {
		*gw = cl->net.v4_peer;
		return true;
	}
	return false;
}

static bool gateway6(const struct client *cl, struct nl_addr *gw)
{
	static const struct in6_addr any;

	if (cl->push.has_ifconfig6 && memcmp(&cl->push.ifc6_remote, &any, sizeof(any))) {
		*gw = addr6(&cl->push.ifc6_remote, 128);
		return true;
	}
	return false;
}

static void dns_report(const struct client *cl)
{
	const struct push_opts *p = &cl->push;

	for (int i = 0; i < p->n_dhcp; i++)
		if (!strcmp(p->dhcp[i].type, "DNS") || !strcmp(p->dhcp[i].type, "DNS6") ||
		    !strcmp(p->dhcp[i].type, "DOMAIN") || !strcmp(p->dhcp[i].type, "DOMAIN-SEARCH"))
			log_notice("server suggests dhcp-option %s %s (DNS is left to you: "
				   "resolvectl dns %s %s)", p->dhcp[i].type, p->dhcp[i].value,
				   cl->net.dev.name, p->dhcp[i].value);
	for (int i = 0; i < p->n_dns; i++)
		log_notice("server suggests dns %s", p->dns[i]);
}

/* ---- up / down ---- */

static void net_unconfigure(struct client *cl)
{
	struct client_net *net = &cl->net;
	struct nl_err err;

	for (int i = net->n_routes - 1; i >= 0; i--)
		if (nl_route_del(&net->routes[i], &err) < 0)
			log_debug("route removal: %s", err.msg);
	net->n_routes = 0;
	if (net->has_v6)
		nl_addr_del(net->dev.ifindex, &net->v6, &err);
	if (net->has_v4)
		nl_addr_del(net->dev.ifindex, &net->v4, &err);
	net->has_v4 = net->has_v6 = false;
}

int client_tun_up(struct client *cl)
{
	struct client_net *net = &cl->net;
	struct nl_addr gw4, gw6;
	struct nl_err err;
	int e;

	if (!net->dev.port) {
		e = tun_open(cl);
		if (e < 0)
			return e;
	} else {
		net_unconfigure(cl);	/* persist-tun: same device, fresh settings */
	}
	net->mtu = (unsigned)(cl->push.tun_mtu > 0 ? cl->push.tun_mtu : cl->cfg->tun_mtu);
	if (net->mtu && nl_link_set_mtu(net->dev.ifindex, net->mtu, &err) < 0)
		log_warn("tun-mtu %u not set: %s", net->mtu, err.msg);
	e = addr_apply_v4(cl, topology(cl));
	if (e == 0)
		e = addr_apply_v6(cl);
	if (e < 0)
		return e;
	e = nl_link_set_up(net->dev.ifindex, true, &err);
	if (e < 0) {
		log_error("cannot bring %s up: %s", net->dev.name, err.msg);
		return e;
	}
	routes_apply(cl, gateway4(cl, &gw4) ? &gw4 : NULL, gateway6(cl, &gw6) ? &gw6 : NULL);
	if (dns_apply(&cl->dns, net->dev.name, &cl->push) <= 0)
		dns_report(cl);	/* no resolver manager here: the user gets them in the log */
	return 0;
}

void client_tun_down(struct client *cl)
{
	struct client_net *net = &cl->net;
	struct script_call sc;
	bool down;

	if (!net->dev.port)
		return;
	dns_revert(&cl->dns);
	down = script_client_down_prepare(cl, &sc);
	if (down && cl->cfg->down_pre)
		script_run(&sc, SCRIPT_TIMEOUT_MS);
	net_unconfigure(cl);
	tundev_close(&net->dev);
	log_info("device %s closed", net->dev.name);
	if (down && !cl->cfg->down_pre)
		script_run(&sc, SCRIPT_TIMEOUT_MS);
}

/* A short text of the tunnel addresses for logs and the status file. */
void client_tun_describe(const struct client *cl, char *v4, size_t n4, char *v6, size_t n6)
{
	char local[64], peer[64];

	v4[0] = v6[0] = '\0';
	if (cl->net.has_v4 && cl->net.v4_p2p) {
		snprintf(v4, n4, "%s peer %s", fmt_addr(&cl->net.v4, false, local, sizeof(local)),
			 fmt_addr(&cl->net.v4_peer, false, peer, sizeof(peer)));
	} else if (cl->net.has_v4) {
		fmt_addr(&cl->net.v4, true, v4, n4);
	}
	if (cl->net.has_v6)
		fmt_addr(&cl->net.v6, true, v6, n6);
}

/* ---- packets ---- */

/* mssfix on packets crossing the tunnel either way (rarely copies: only TCP SYNs). */
static const uint8_t *clamp(struct client *cl, const uint8_t *pkt, size_t len, uint8_t *buf,
			    size_t cap)
{
	return mss_fix(cl->cfg, cl->sess, xport_addr_family(&cl->remote), cl->proto == XPORT_TCP,
		       cl->net.dev.tap, pkt, len, buf, cap);
}

void client_tun_write(struct client *cl, const uint8_t *pkt, size_t len)
{
	if (!cl->net.dev.port) {
		cl->tun_drops++;
		return;
	}
	pkt = clamp(cl, pkt, len, cl->syn_in, sizeof(cl->syn_in));
	if (tundev_write(&cl->net.dev, pkt, len) < 0) {
		cl->tun_drops++;
		return;
	}
	cl->tun_in += len;
}

/* TAP: neighbour queries for our own address are answered locally (arp.c) when the
 * kernel does not own it (no address configured); everything else goes to the server. */
static bool tap_local_answer(struct client *cl, const uint8_t *frame, size_t len)
{
	struct arp_self self = { 0 };
	uint8_t reply[128];
	int n;

	if (!cl->net.dev.tap)
		return false;
	memcpy(self.mac, cl->net.dev.mac, 6);
	if (cl->push.has_ifconfig && !cl->net.has_v4) {
		self.has_v4 = true;
		self.v4 = cl->push.ifc_local;
	}
	if (!self.has_v4)
		return false;
	n = arp_answer(&self, frame, len, reply, sizeof(reply));
	if (n <= 0)
		return false;
	client_tun_write(cl, reply, (size_t)n);
	return true;
}

/* One packet from the device (a segment, on a TUN) into the session. */
static void tun_to_sess(void *arg, const uint8_t *pkt, size_t len)
{
	struct client *cl = arg;

	pkt = clamp(cl, pkt, len, cl->syn_out, sizeof(cl->syn_out));
	if (!cl->sess || sess_send_data(cl->sess, pkt, len, loop_clock_ms()) < 0) {
		cl->tun_drops++;
		return;
	}
	cl->tun_out += len;
}

void client_tun_input(struct loop *lp, uint32_t events, void *arg)
{
	struct client *cl = arg;
	uint8_t *buf = cl->tun_buf;

	(void)lp;
	(void)events;
	xport_cork(cl->xp);	/* the segments of a read leave in one UDP GSO send */
	for (int i = 0; i < TUN_READ_BUDGET && cl->net.dev.port; i++) {
		ssize_t n = vif_read(cl->net.dev.port, buf, sizeof(cl->tun_buf));

		/* empty, or set down by an admin: wait (the tunnel comes back when it is up) */
		if (n == -EAGAIN || n == -ENETDOWN)
			break;
		if (n < 0) {
			log_error("device %s: %s", cl->net.dev.name, strerror((int)-n));
			client_reconnect(cl, "tunnel device failed");
			return;
		}
		if (!cl->net.dev.tap) {
			if (vif_vnet_split(buf, (size_t)n, tun_to_sess, cl) < 0)
				cl->tun_drops++;
			/* a super-packet fills the session's wire queue by itself: drain it */
			sessdrv_pump(&cl->drv);
			continue;
		}
		if (tap_local_answer(cl, buf, (size_t)n))
			continue;
		tun_to_sess(cl, buf, (size_t)n);
	}
	sessdrv_pump(&cl->drv);
	xport_uncork(cl->xp);	/* the transport may be another one by now: then a no-op */
}
