/* Server engine, one client: creation, its callbacks of the session driver (sessdrv.c owns
 * the pump and the timers), its events (authorisation, keys, exit), when keepalive starts,
 * and removal. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "core/script_server.h"
#include "core/server_impl.h"
#include "util/addr.h"
#include "util/log.h"

/* ---- the table of clients (index = peer-id) ---- */

static int peer_slot(struct server *srv)
{
	uint32_t cap, old = srv->n_slots;
	struct peer **n;

	for (uint32_t i = 0; i < srv->n_slots; i++)
		if (!srv->peers[i])
			return (int)i;
	cap = srv->n_slots ? srv->n_slots * 2 : 16;
	n = realloc(srv->peers, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + srv->n_slots, 0, (cap - srv->n_slots) * sizeof(*n));
	srv->peers = n;
	srv->n_slots = cap;
	return (int)old;
}

/* ---- UDP clients by real address: every packet that is not P_DATA_V2 (and every packet of
 * a flood from unknown addresses) looks here, so no scan over all clients ---- */

#define SERVER_ADDR_BUCKETS 1024

/* FNV-1a over address and port, seeded per server (no chains chosen from outside). */
static uint32_t addr_hash(const struct server *srv, const struct xport_addr *a)
{
	const struct sockaddr_in *s4 = (const void *)&a->ss;
	const struct sockaddr_in6 *s6 = (const void *)&a->ss;
	const uint8_t *k = (const uint8_t *)&s4->sin_addr, *port = (const uint8_t *)&s4->sin_port;
	size_t n = 4;
	uint32_t h = 2166136261u ^ srv->addr_seed;

	if (a->ss.ss_family == AF_INET6) {
		k = (const uint8_t *)&s6->sin6_addr;
		port = (const uint8_t *)&s6->sin6_port;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	h = (h ^ port[0]) * 16777619u;
	h = (h ^ port[1]) * 16777619u;
	return h % SERVER_ADDR_BUCKETS;
}

/* Without the table (out of memory) lookups fall back to the scan. */
static void addr_link(struct peer *p)
{
	struct server *srv = p->srv;
	uint32_t b;

	if (p->tcp)
		return;
	if (!srv->addr_tab) {
		srv->addr_tab = calloc(SERVER_ADDR_BUCKETS, sizeof(*srv->addr_tab));
		if (!srv->addr_tab || RAND_bytes((uint8_t *)&srv->addr_seed,
						 sizeof(srv->addr_seed)) != 1)
			srv->addr_seed = (uint32_t)loop_clock_ms();
		if (!srv->addr_tab)
			return;
	}
	b = addr_hash(srv, &p->addr);
	p->addr_next = srv->addr_tab[b];
	srv->addr_tab[b] = p;
}

static void addr_unlink(struct peer *p)
{
	struct server *srv = p->srv;
	struct peer **pp;

	if (p->tcp || !srv->addr_tab)
		return;
	for (pp = &srv->addr_tab[addr_hash(srv, &p->addr)]; *pp; pp = &(*pp)->addr_next)
		if (*pp == p) {
			*pp = p->addr_next;
			break;
		}
	p->addr_next = NULL;
}

struct peer *server_peer_by_addr(struct server *srv, const struct xport_addr *a)
{
	if (srv->addr_tab) {
		for (struct peer *p = srv->addr_tab[addr_hash(srv, a)]; p; p = p->addr_next)
			if (xport_addr_equal(&p->addr, a))
				return p;
		return NULL;
	}
	for (uint32_t i = 0; i < srv->n_slots; i++) {
		struct peer *p = srv->peers[i];

		if (p && !p->tcp && xport_addr_equal(&p->addr, a))
			return p;
	}
	return NULL;
}

static const struct sessdrv_ops peer_drv_ops;

#define PEER_REFUSED_LINGER_MS 5000	/* AUTH_FAILED's delivery, with one retransmit */

/* How long a client may take from its first packet to being authorised. */
uint64_t server_hand_limit_ms(const struct server *srv)
{
	const struct cfg *c = srv->cfg;

	return (uint64_t)c->hand_window * 1000 + 1000;
}

struct peer *server_peer_new(struct server *srv, const struct xport_addr *from,
			     struct xport *xp, bool tcp)
{
	int max = srv->cfg->max_clients;
	char who[64];
	struct peer *p;
	int slot;

	if (srv->n_peers >= (uint32_t)max) {
		server_count_drop(srv, SERVER_DROP_LIMIT, 1);
		if (server_limit_log(srv))
			log_notice("refusing a new client from %s: max-clients %d reached",
				   xport_addr_str(from, who, sizeof(who)), max);
		return NULL;
	}
	slot = peer_slot(srv);
	if (slot < 0 || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->srv = srv;
	p->id = (uint32_t)slot;
	p->addr = *from;
	p->xp = xp;
	p->tcp = tcp;
	script_watch_init(&p->auth_w);
	p->lease.slot = -1;
	p->last_rx_ms = loop_clock_ms();
	xport_addr_str(from, p->addr_str, sizeof(p->addr_str));
	snprintf(p->cn, sizeof(p->cn), "?");
	sessdrv_init(&p->drv, srv->lp, &peer_drv_ops, p);
	srv->peers[slot] = p;
	addr_link(p);
	srv->n_peers++;
	srv->n_half++;
	server_half_track(srv, p);
	log_info("%s: new connection (peer-id %u)", p->addr_str, p->id);
	sessdrv_deadline_at(&p->drv, p->last_rx_ms + server_hand_limit_ms(srv));
	return p;
}

static void peer_release_addresses(struct peer *p)
{
	struct server *srv = p->srv;

	fib_del_client(&srv->fib, p->id);
	if (p->lease.slot >= 0)
		pool_release(&srv->pool, p->lease.slot);
	p->lease.slot = -1;
}

/* The client-config-dir file (or client-connect's output) kept until the client is
 * admitted or refused. */
static void peer_ccd_drop(struct peer *p)
{
	if (p->ccd) {
		cfg_ccd_free(p->ccd);
		free(p->ccd);
		p->ccd = NULL;
	}
}

static void peer_free(struct peer *p)
{
	peer_ccd_drop(p);
	sess_free(p->sess);
	free(p);
}

/* Callbacks hold the client while they run, so that closing it from deep inside (an event
 * in the pump) frees it only when the outermost caller is done with it. */
void server_peer_hold(struct peer *p) { p->busy++; }

void server_peer_unhold(struct peer *p)
{
	if (--p->busy == 0 && p->closing)
		peer_free(p);
}

/* At most one handshake failure per second at the default level. */
static bool peer_drop_log_ok(struct server *srv)
{
	uint64_t now = loop_clock_ms();

	if (srv->drop_log_ms && now - srv->drop_log_ms < 1000)
		return false;
	srv->drop_log_ms = now;
	return true;
}

/* Frees the client at once (explicit exit, keepalive timeout, TCP close, errors). Safe to
 * call from inside the client's own callbacks: the memory goes when the pump unwinds. */
void server_peer_close(struct peer *p, const char *why)
{
	struct server *srv = p->srv;

	if (p->closing)
		return;
	p->closing = true;
	if (p->state == PEER_ACTIVE)
		log_notice("client '%s' (%s) disconnected: %s", p->cn, p->addr_str, why);
	else
		/* A refused certificate is what an admin looks for; a limit keeps a stream of
		 * bad handshakes from flooding the log (the rest go to -v). */
		log_msg(peer_drop_log_ok(srv) ? LOG_LVL_NOTICE : LOG_LVL_INFO,
			"%s: dropped during the handshake: %s", p->addr_str, why);
	server_half_forget(p);
	if (p->state != PEER_ACTIVE) {
		srv->n_half--;
		server_wait_kick(srv);
	}
	server_auth_cancel(p);
	script_server_connect_cancel(p);	/* no learn-address: it was never admitted */
	if (p->state == PEER_ACTIVE) {
		script_server_disconnect(p);
		script_server_learn(p, "delete");
	}
	peer_release_addresses(p);
	sessdrv_detach(&p->drv);
	srv->peers[p->id] = NULL;
	addr_unlink(p);
	srv->n_peers--;
	if (p->tcp)
		xport_close(p->xp);
	p->xp = NULL;
	server_status_soon(srv);
	if (p->busy == 0)
		peer_free(p);
}

/* ---- authorisation ---- */

/* Drops an older client with the same common name, as OpenVPN does without duplicate-cn:
 * an admitted one, or one still waiting for its client-connect (it holds the name's pool
 * address). Called when authorisation starts and again when the client is admitted, so two
 * clients whose client-connect ran at the same time do not both stay. */
static void peer_kick_duplicates(struct peer *p)
{
	struct server *srv = p->srv;

	if (srv->cfg->duplicate_cn)
		return;
	for (uint32_t i = 0; i < srv->n_slots; i++) {
		struct peer *o = srv->peers[i];

		if (o && o != p && (o->state == PEER_ACTIVE || o->state == PEER_CONNECT) &&
		    !o->refused && strcmp(o->cn, p->cn) == 0)
			server_peer_close(o, "replaced by a new connection with the same name");
	}
}

static int peer_ccd(struct peer *p, struct cfg_ccd *ccd, bool *have)
{
	const struct cfg *c = p->srv->cfg;
	struct cfg_err err;
	int e;

	*have = false;
	if (!c->client_config_dir)
		return 0;
	memset(ccd, 0, sizeof(*ccd));
	e = cfg_ccd_load(c, p->cn, ccd, &err);
	if (e == -ENOENT)
		return c->ccd_exclusive ? -EACCES : 0;
	if (e < 0) {
		log_warn("client '%s': %s", p->cn, err.text);
		return e;
	}
	*have = true;
	return ccd->disable ? -EACCES : 0;
}

static int peer_addresses(struct peer *p, const struct cfg_ccd *ccd)
{
	struct server *srv = p->srv;

	if (ccd && ccd->ifconfig_push.set) {
		p->has_v4 = true;
		p->v4 = ntohl(ccd->ifconfig_push.local.s_addr);
		p->lease.peer4 = ntohl(ccd->ifconfig_push.remote_or_mask.s_addr);
	} else if (srv->has_pool) {
		if (pool_acquire(&srv->pool, p->cn, !srv->cfg->duplicate_cn, &p->lease) < 0) {
			log_warn("client '%s': the address pool is full", p->cn);
			return -ENOSPC;
		}
		p->has_v4 = true;
		p->v4 = p->lease.ip4;
		if (srv->has_v6) {
			p->has_v6 = true;
			p->v6 = p->lease.ip6;
		}
	}
	if (ccd && ccd->ifconfig_ipv6_push.set) {
		p->has_v6 = true;
		p->v6 = ccd->ifconfig_ipv6_push.local;
	}
	return 0;
}

static int peer_routes(struct peer *p, const struct cfg_ccd *ccd)
{
	struct fib *f = &p->srv->fib;
	uint32_t a = htonl(p->v4);
	int e = 0;

	if (p->has_v4)
		e = fib_add(f, 4, &a, 32, p->id);
	if (e == 0 && p->has_v6)
		e = fib_add(f, 6, &p->v6, 128, p->id);
	for (size_t i = 0; ccd && e == 0 && i < ccd->iroutes.n; i++) {
		const struct cfg_route *r = &ccd->iroutes.v[i];

		e = fib_add(f, 4, &r->net, (int)nl_mask_prefix(r->mask), p->id);
	}
	for (size_t i = 0; ccd && e == 0 && i < ccd->iroutes6.n; i++)
		e = fib_add(f, 6, &ccd->iroutes6.v[i].net, ccd->iroutes6.v[i].prefix, p->id);
	if (e == -EEXIST)
		log_warn("client '%s': its address or iroute belongs to another client", p->cn);
	return e;
}

/* The per-client options after the common ones: ccd pushes, ifconfig-ipv6, ifconfig. */
static char *peer_push_text(struct peer *p, const struct cfg_ccd *ccd)
{
	struct server *srv = p->srv;
	size_t cap = 4096;
	char *t = malloc(cap), a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	size_t n = 0;

	if (!t)
		return NULL;
	t[0] = '\0';
#define ADD(...) do { int k_ = snprintf(t + n, cap - n, __VA_ARGS__); \
		if (k_ > 0 && (size_t)k_ < cap - n) n += (size_t)k_; } while (0)
	if ((!ccd || !ccd->push_reset) && srv->push_base)
		ADD("%s", srv->push_base);
	for (size_t i = 0; ccd && i < ccd->push.n; i++)
		ADD("%s%s", n ? "," : "", ccd->push.v[i]);
	if (p->has_v6) {
		inet_ntop(AF_INET6, &p->v6, a, sizeof(a));
		inet_ntop(AF_INET6, &srv->srv_v6, b, sizeof(b));
		ADD("%sifconfig-ipv6 %s/%u %s", n ? "," : "", a, srv->v6_prefix ? srv->v6_prefix : 64, b);
	}
	if (p->has_v4) {
		addr_v4_str(p->v4, a, sizeof(a));
		if (srv->topo_net30 || (ccd && ccd->ifconfig_push.set && !srv->has_pool))
			addr_v4_str(p->lease.peer4, b, sizeof(b));
		else
			addr_v4_str(srv->srv_mask, b, sizeof(b));
		ADD("%sifconfig %s %s", n ? "," : "", a, b);
	}
#undef ADD
	return t;
}

/* The last step of admitting the client, with p->ccd (client-config-dir or client-connect)
 * if any: routes, PUSH_REPLY, learn-address add. e: the address assignment's result. */
static void peer_admit(struct peer *p, int e)
{
	char *text;

	if (e == 0)
		e = peer_routes(p, p->ccd);
	text = e == 0 ? peer_push_text(p, p->ccd) : NULL;
	peer_ccd_drop(p);
	if (!text) {
		server_peer_reject(p, e == -ENOSPC ? "no free address" : "address conflict");
		return;
	}
	peer_kick_duplicates(p);
	p->state = PEER_ACTIVE;
	p->srv->n_half--;
	server_wait_kick(p->srv);
	p->since = time(NULL);
	script_server_learn(p, "add");
	sess_auth_reply(p->sess, true, text, loop_clock_ms());
	server_peer_keepalive(p);
	free(text);
}

/* client-connect sees the address the client is about to get (ifconfig_pool_remote_ip, as in
 * OpenVPN) and runs without blocking the loop; the client stays PEER_CONNECT, with no
 * PUSH_REPLY, until script_server_connect reports here. */
void server_peer_authorize(struct peer *p)
{
	struct cfg_ccd ccd;
	bool have = false;
	int e;

	peer_kick_duplicates(p);
	e = peer_ccd(p, &ccd, &have);
	if (e < 0) {
		if (have)
			cfg_ccd_free(&ccd);
		server_peer_reject(p, "client not allowed (client-config-dir)");
		return;
	}
	if (have) {
		p->ccd = malloc(sizeof(*p->ccd));
		if (!p->ccd) {
			cfg_ccd_free(&ccd);
			server_peer_reject(p, "out of memory");
			return;
		}
		*p->ccd = ccd;
	}
	e = peer_addresses(p, p->ccd);
	if (e == 0 && p->srv->cfg->client_connect) {
		p->state = PEER_CONNECT;
		if (script_server_connect(p) < 0)
			server_peer_reject(p, "client-connect script could not run");
		return;
	}
	peer_admit(p, e);
}

/* r: 0 admit as is, 1 admit with p->ccd from the script's output, < 0 refuse. When the
 * output sets an address, the client gets that instead of the one it was shown. */
void server_peer_connect_done(struct peer *p, int r)
{
	int e = 0;

	if (p->closing)
		return;
	if (r < 0) {
		server_peer_reject(p, "client-connect script refused the client");
		return;
	}
	if (r > 0 && (p->ccd->ifconfig_push.set || p->ccd->ifconfig_ipv6_push.set)) {
		peer_release_addresses(p);
		p->has_v4 = p->has_v6 = false;
		e = peer_addresses(p, p->ccd);
	}
	peer_admit(p, e);
}

void server_peer_reject(struct peer *p, const char *reason)
{
	log_notice("client '%s' (%s) refused: %s", p->cn, p->addr_str, reason);
	peer_ccd_drop(p);
	peer_release_addresses(p);
	p->has_v4 = p->has_v6 = false;
	sess_auth_reply(p->sess, false, reason, loop_clock_ms());
	/* Free its slot once AUTH_FAILED had time for a retransmit, not after hand-window. */
	p->refused = true;
	sessdrv_deadline_in(&p->drv, PEER_REFUSED_LINGER_MS);
}

/* ---- session events ---- */

static void peer_on_auth_request(struct peer *p)
{
	if (server_auth_identity(p, p->cn, sizeof(p->cn)) < 0) {
		server_peer_reject(p, "no usable client name (certificate or username)");
		return;
	}
	if (p->srv->cfg->auth_user_pass_verify.script) {
		p->state = PEER_AUTH;
		if (server_auth_start(p) < 0)
			server_peer_reject(p, "authentication script could not run");
		return;
	}
	server_peer_authorize(p);
}

static void peer_on_keys(struct peer *p, const struct sess_event *ev)
{
	char a[INET_ADDRSTRLEN] = "-";

	if (p->has_v4)
		addr_v4_str(p->v4, a, sizeof(a));
	if (ev->key_id == 0)
		log_notice("client '%s' connected from %s: address %s, cipher %s, %s", p->cn,
			   p->addr_str, a, ev->text, ev->ekm ? "tls-ekm" : "prf");
	else
		log_info("client '%s': renegotiated, key id %u", p->cn, ev->key_id);
	server_status_soon(p->srv);
}

static void peer_on_event(struct peer *p, const struct sess_event *ev)
{
	switch (ev->type) {
	case SESS_EV_TLS_UP:
		log_info("%s: TLS established with '%s'", p->addr_str, ev->text);
		break;
	case SESS_EV_AUTH_REQUEST:
		peer_on_auth_request(p);
		break;
	case SESS_EV_KEYS_READY:
		peer_on_keys(p, ev);
		break;
	case SESS_EV_EXIT:
	case SESS_EV_ERROR:	/* either ends the client */
		server_peer_close(p, ev->type == SESS_EV_EXIT ? "client sent exit notification" :
				  ev->text);
		break;
	default:
		break;
	}
}

/* ---- the session driver's callbacks ---- */

static void peer_drv_send(void *ctx, const uint8_t *pkt, size_t len)
{
	struct peer *p = ctx;

	xport_send(p->xp, pkt, len, p->tcp ? NULL : &p->addr);
}

static void peer_drv_tun(void *ctx, const uint8_t *pkt, size_t len)
{
	server_from_client(ctx, pkt, len);
}

static void peer_drv_event(void *ctx, const struct sess_event *ev)
{
	peer_on_event(ctx, ev);
}

#define PEER_STR_(x) #x
#define PEER_STR(x) PEER_STR_(x)

/* The handshake deadline doubles as the linger of a refused client (and, for a TCP client,
 * the first-packet deadline); keepalive closes. */
static void peer_drv_timeout(void *ctx, enum sessdrv_timeout why)
{
	struct peer *p = ctx;

	if (p->refused)
		server_peer_close(p, "refused (AUTH_FAILED sent)");
	else if (why == SESSDRV_TO_HANDSHAKE && p->tcp && !p->heard)
		server_peer_close(p, "no packet within " PEER_STR(SERVER_TCP_FIRST_S) " s of connecting");
	else if (why == SESSDRV_TO_HANDSHAKE)
		server_peer_close(p, "handshake did not complete in time");
	else
		server_peer_close(p, "no packets received within ping-restart (keepalive)");
}

/* The session counts its own drops; the server's summary line includes them. */
static void peer_drv_drops(void *ctx, uint64_t n)
{
	struct peer *p = ctx;

	server_count_drop(p->srv, SERVER_DROP_SESSION, n);
}

static void peer_drv_enter(void *ctx) { server_peer_hold(ctx); }
static void peer_drv_leave(void *ctx) { server_peer_unhold(ctx); }

static const struct sessdrv_ops peer_drv_ops = {
	.send_wire = peer_drv_send,
	.write_tun = peer_drv_tun,
	.on_event = peer_drv_event,
	.on_timeout = peer_drv_timeout,
	.on_drops = peer_drv_drops,
	.enter = peer_drv_enter,
	.leave = peer_drv_leave,
};

void server_peer_input(struct peer *p, const uint8_t *pkt, size_t len)
{
	if (p->closing || !p->sess)
		return;
	sessdrv_input(&p->drv, pkt, len);
}

/* Input from a new address for an existing client (floating): it moves there only when the
 * packet authenticated. */
void server_peer_float(struct peer *p, const uint8_t *pkt, size_t len,
		       const struct xport_addr *from)
{
	uint64_t before = sess_last_rx_ms(p->sess);
	char was[64];

	server_peer_hold(p);
	server_peer_input(p, pkt, len);
	if (!p->closing && sess_last_rx_ms(p->sess) != before) {
		snprintf(was, sizeof(was), "%s", p->addr_str);
		addr_unlink(p);
		p->addr = *from;
		addr_link(p);
		xport_addr_str(from, p->addr_str, sizeof(p->addr_str));
		log_notice("client '%s' moved from %s to %s", p->cn, was, p->addr_str);
	}
	server_peer_unhold(p);
}

/* ---- keepalive: the driver pings when idle and reports silence (peer_drv_timeout) ---- */

/* Called when the client becomes active: ping only once the data channel has keys. */
void server_peer_keepalive(struct peer *p)
{
	const struct cfg *c = p->srv->cfg;

	struct sessdrv_keep k = {
		.ping_s = c->ping, .restart_s = c->ping_restart, .since_ms = p->last_rx_ms,
		.flags = SESSDRV_PING_KEYED,
	};

	sessdrv_keepalive(&p->drv, &k);
}
