/* Server engine, device side: the server's TUN/TAP device (address, MTU, routes through
 * rtnetlink) and the forwarding between it and the clients: by destination address (TUN)
 * or learned MAC (TAP), with client-to-client inside burrow when configured. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/mss.h"
#include "core/server_impl.h"
#include "vif/kernel.h"
#include "vif/vnet.h"
#include "util/log.h"

#define DEV_READ_BUDGET 64

static void dev_addr4(struct nl_addr *a, uint32_t host, unsigned prefix)
{
	uint32_t n = htonl(host);

	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->prefix = prefix;
	memcpy(a->bytes, &n, 4);
}

static int dev_addresses(struct server *srv)
{
	struct tundev *d = &srv->dev;
	struct nl_addr a, peer;
	struct nl_err err;
	unsigned plen = nl_mask_prefix((struct in_addr){ .s_addr = htonl(srv->srv_mask) });
	int e = 0;

	if (srv->has_pool && srv->topo_net30) {
		struct nl_route r = { .ifindex = d->ifindex, .has_gw = true };

		dev_addr4(&a, srv->srv_v4, 32);
		dev_addr4(&peer, srv->srv_v4 + 1, 32);
		e = nl_addr_add(d->ifindex, &a, &peer, &err);
		dev_addr4(&r.dst, srv->srv_v4 - 1, plen);
		r.gw = peer;
		if (e == 0 && nl_link_set_up(d->ifindex, true, &err) == 0)
			e = nl_route_add(&r, &err);
	} else if (srv->has_pool) {
		dev_addr4(&a, srv->srv_v4, plen);
		e = nl_addr_add(d->ifindex, &a, NULL, &err);
	}
	if (e == 0 && srv->has_v6) {
		memset(&a, 0, sizeof(a));
		a.family = AF_INET6;
		a.prefix = srv->v6_prefix;
		memcpy(a.bytes, &srv->srv_v6, 16);
		e = nl_addr_add(d->ifindex, &a, NULL, &err);
	}
	if (e < 0 && e != -EEXIST)
		log_error("device %s: cannot set the server's address: %s", d->name, err.msg);
	return e == -EEXIST ? 0 : e;
}

/* `route` lines of the server config: networks behind clients (with iroute in their ccd). */
static void dev_routes(struct server *srv)
{
	const struct cfg *c = srv->cfg;
	struct nl_err err;

	for (size_t i = 0; i < c->routes.n; i++) {
		struct nl_route r = { .ifindex = srv->dev.ifindex };
		uint32_t net = ntohl(c->routes.v[i].net.s_addr);

		dev_addr4(&r.dst, net, nl_mask_prefix(c->routes.v[i].mask));
		if (nl_route_add(&r, &err) < 0)
			log_warn("route %s: %s", inet_ntoa(c->routes.v[i].net), err.msg);
	}
}

static void server_dev_input(struct loop *lp, uint32_t events, void *arg);

static void server_dev_dropped(void *arg)
{
	struct server *srv = arg;

	server_count_drop(srv, SERVER_DROP_LIMIT, 1);
}

int server_dev_open(struct server *srv)
{
	struct tundev *d = &srv->dev;
	const struct cfg *c = srv->cfg;
	struct nl_err err;
	int e;

	e = tundev_open(d, srv->lp, c, server_dev_input, server_dev_dropped, srv);
	if (e < 0)
		return e;
	if (nl_link_set_mtu(d->ifindex, (unsigned)c->tun_mtu, &err) < 0 ||
	    nl_link_set_up(d->ifindex, true, &err) < 0) {
		log_error("device %s: %s", d->name, err.msg);
		return -EIO;
	}
	e = dev_addresses(srv);
	if (e < 0)
		return e;
	dev_routes(srv);
	return 0;
}

void server_dev_close(struct server *srv)
{
	tundev_close(&srv->dev);	/* a non-persistent device disappears with its fd */
}

/* ---- forwarding ---- */

/* mssfix on packets crossing the tunnel either way (rarely copies: only TCP SYNs). */
static const uint8_t *clamp(const struct peer *p, const uint8_t *pkt, size_t len)
{
	struct server *srv = p->srv;

	return mss_fix(srv->cfg, p->sess, xport_addr_family(&p->addr), p->tcp, srv->dev.tap, pkt,
		       len, srv->syn_buf, sizeof(srv->syn_buf));
}

static void to_peer(struct peer *p, const uint8_t *pkt, size_t len)
{
	if (p->closing || p->state != PEER_ACTIVE || !sess_data_ready(p->sess))
		return;
	pkt = clamp(p, pkt, len);
	if (sess_send_data(p->sess, pkt, len, loop_clock_ms()) == 0)
		p->tun_out += len;
	sessdrv_pump(&p->drv);
}

static void to_dev(struct server *srv, const uint8_t *pkt, size_t len)
{
	if (tundev_write(&srv->dev, pkt, len) < 0)
		server_count_drop(srv, SERVER_DROP_LIMIT, 1);
}

static void flood(struct server *srv, const struct peer *except, const uint8_t *pkt, size_t len)
{
	for (uint32_t i = 0; i < srv->n_slots; i++)
		if (srv->peers[i] && srv->peers[i] != except)
			to_peer(srv->peers[i], pkt, len);
}

static struct peer *peer_of(struct server *srv, uint32_t id)
{
	return id < srv->n_slots ? srv->peers[id] : NULL;
}

static void from_client_tap(struct peer *p, const uint8_t *f, size_t len)
{
	struct server *srv = p->srv;
	struct peer *dst;

	if (len < VIF_ETH_HLEN)
		return;
	fib_learn(&srv->fib, f + 6, p->id, loop_clock_ms());
	if (!srv->cfg->client_to_client) {
		to_dev(srv, f, len);
		return;
	}
	if (f[0] & 1) {
		to_dev(srv, f, len);
		flood(srv, p, f, len);
		return;
	}
	dst = peer_of(srv, fib_lookup_mac(&srv->fib, f, loop_clock_ms()));
	if (dst && dst != p)
		to_peer(dst, f, len);
	else
		to_dev(srv, f, len);
}

void server_from_client(struct peer *p, const uint8_t *pkt, size_t len)
{
	struct server *srv = p->srv;
	uint8_t src[16];
	int fam;
	struct peer *dst;

	p->tun_in += len;
	pkt = clamp(p, pkt, len);
	if (srv->dev.tap) {
		from_client_tap(p, pkt, len);
		return;
	}
	/* A client may only send from its own addresses (and iroutes). */
	fam = fib_ip_src(pkt, len, src);
	if (!fam || fib_lookup(&srv->fib, fam, src) != p->id) {
		server_count_drop(srv, SERVER_DROP_SPOOF, 1);
		return;
	}
	dst = srv->cfg->client_to_client ? peer_of(srv, fib_route_ip(&srv->fib, pkt, len)) : NULL;
	if (dst && dst != p)
		to_peer(dst, pkt, len);
	else
		to_dev(srv, pkt, len);
}

static void from_dev(struct server *srv, const uint8_t *pkt, size_t len)
{
	uint32_t id;

	if (srv->dev.tap) {
		if (len < VIF_ETH_HLEN)
			return;
		if (pkt[0] & 1) {
			flood(srv, NULL, pkt, len);
			return;
		}
		id = fib_lookup_mac(&srv->fib, pkt, loop_clock_ms());
	} else {
		id = fib_route_ip(&srv->fib, pkt, len);
	}
	if (peer_of(srv, id))
		to_peer(srv->peers[id], pkt, len);
	else if (srv->dev.tap)
		flood(srv, NULL, pkt, len);	/* unknown unicast: a bridge floods it */
	else
		server_count_drop(srv, SERVER_DROP_NOPEER, 1);
}

static void dev_segment(void *arg, const uint8_t *pkt, size_t len)
{
	from_dev(arg, pkt, len);
}

static void server_dev_input(struct loop *lp, uint32_t events, void *arg)
{
	struct server *srv = arg;
	uint8_t *buf = srv->dev_buf;

	(void)lp;
	(void)events;
	xport_cork(srv->udp);	/* the segments of a read leave in one UDP GSO send per peer */
	for (int i = 0; i < DEV_READ_BUDGET; i++) {
		ssize_t n = vif_read(srv->dev.port, buf, sizeof(srv->dev_buf));

		if (n <= 0)
			break;
		if (srv->dev.tap)
			from_dev(srv, buf, (size_t)n);
		else if (vif_vnet_split(buf, (size_t)n, dev_segment, srv) < 0)	/* malformed */
			server_count_drop(srv, SERVER_DROP_NOPEER, 1);
	}
	xport_uncork(srv->udp);
}
