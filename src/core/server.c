/* Server engine: set-up, the transports (UDP demultiplexing with the stateless cookie, TCP
 * accept), signals, the status file and shutdown. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/server.h"
#include "core/privs.h"
#include "core/sandbox.h"
#include "core/script_server.h"
#include "core/server_impl.h"
#include "core/sessconf.h"
#include "core/srvstatus.h"
#include "proto/data.h"
#include "proto/packet.h"
#include "util/addr.h"
#include "util/log.h"

#define SERVER_DROP_LOG_MS 10000	/* a drop summary at most this often */
#define SERVER_LIMIT_LOG_MS 5000	/* one "refusing" line per this, the rest are counted */

/* ---- push options every client gets ---- */

static int push_add(char **acc, const char *opt)
{
	size_t a = *acc ? strlen(*acc) : 0, b = strlen(opt);
	char *n = realloc(*acc, a + b + 2);

	if (!n)
		return -ENOMEM;
	if (a)
		n[a++] = ',';
	memcpy(n + a, opt, b + 1);
	*acc = n;
	return 0;
}

/* What OpenVPN's `server` helper and `keepalive` push, after the configured `push` lines. */
static int server_push_base(struct server *srv)
{
	const struct cfg *c = srv->cfg;
	char opt[128], a[INET_ADDRSTRLEN];
	int e = 0;

	for (size_t i = 0; i < c->push.n && e == 0; i++)
		e = push_add(&srv->push_base, c->push.v[i]);
	if (e == 0 && srv->has_pool && !srv->topo_net30) {
		addr_v4_str(srv->srv_v4, a, sizeof(a));
		snprintf(opt, sizeof(opt), "route-gateway %s", a);
		e = push_add(&srv->push_base, opt);
		if (e == 0 && !srv->dev.tap)
			e = push_add(&srv->push_base, "topology subnet");
	} else if (e == 0 && srv->has_pool) {
		addr_v4_str(srv->srv_v4, a, sizeof(a));
		snprintf(opt, sizeof(opt), "route %s", a);
		e = push_add(&srv->push_base, opt);
		if (e == 0)
			e = push_add(&srv->push_base, "topology net30");
	}
	if (e == 0 && c->keepalive_interval > 0) {
		snprintf(opt, sizeof(opt), "ping %d", c->keepalive_interval);
		e = push_add(&srv->push_base, opt);
		snprintf(opt, sizeof(opt), "ping-restart %d", c->keepalive_timeout);
		if (e == 0)
			e = push_add(&srv->push_base, opt);
	}
	return e;
}

/* ---- the address pool ---- */

static int server_pool_init(struct server *srv)
{
	const struct cfg *c = srv->cfg;
	const struct in6_addr *net6 = c->server_ipv6.set ? &c->server_ipv6.net : NULL;
	int e;

	srv->topo_net30 = c->dev_type != CFG_DEV_TAP && c->topology != CFG_TOPO_SUBNET;
	if (c->server_ipv6.set) {
		srv->has_v6 = true;
		srv->srv_v6 = c->server_ipv6.net;
		srv->srv_v6.s6_addr[15] |= 1;
		srv->v6_prefix = c->server_ipv6.prefix;
	}
	if (!c->server.set)
		return 0;
	srv->srv_mask = ntohl(c->server.mask.s_addr);
	srv->srv_v4 = (ntohl(c->server.net.s_addr) & srv->srv_mask) + 1;
	e = pool_init_server(&srv->pool, srv->topo_net30 ? POOL_NET30 : POOL_SUBNET,
			     ntohl(c->server.net.s_addr), srv->srv_mask, net6, c->server_ipv6.prefix);
	if (e < 0) {
		log_error("server: the network is too small for an address pool; use at least a /29 "
			  "(/28 with topology net30)");
		return e;
	}
	srv->has_pool = true;
	return 0;
}

/* ---- status ---- */

static void server_status_row(const struct peer *p, struct srvstatus_client *r)
{
	snprintf(r->cn, sizeof(r->cn), "%s", p->cn);
	snprintf(r->real, sizeof(r->real), "%s", p->addr_str);
	if (p->has_v4)
		addr_v4_str(p->v4, r->v4, sizeof(r->v4));
	if (p->has_v6)
		inet_ntop(AF_INET6, &p->v6, r->v6, sizeof(r->v6));
	r->bytes_in = sess_get_stats(p->sess)->rx_bytes;
	r->bytes_out = sess_get_stats(p->sess)->tx_bytes;
	r->since = p->since;
	r->peer_id = p->id;
	snprintf(r->cipher, sizeof(r->cipher), "%s", sess_cipher(p->sess));
}

/* One row per connected client, however many there are. */
void server_write_status(struct server *srv)
{
	struct srvstatus_rows *rows = &srv->status_rows;
	int e;

	if (!srv->cfg->status)
		return;		/* no file unless the config names one */
	e = srvstatus_rows_reserve(rows, srv->n_peers);
	srvstatus_rows_reset(rows);
	for (uint32_t i = 0; e == 0 && i < srv->n_slots; i++) {
		struct peer *p = srv->peers[i];
		struct srvstatus_client *r;

		if (!p || p->state != PEER_ACTIVE || p->closing)
			continue;
		if (!(r = srvstatus_rows_add(rows)))
			e = -ENOMEM;
		else
			server_status_row(p, r);
	}
	if (e == 0)
		server_persist_status(srv, rows->v, rows->n);
	else
		log_warn("status: no memory for %u rows; %s not rewritten", srv->n_peers,
			 srv->cfg->status);
}

#define SERVER_STATUS_SOON_MS 250	/* coalesces the rewrites of a connect storm */

static void server_on_status_soon(struct loop *lp, void *arg)
{
	(void)lp;
	server_write_status(arg);
}

/* Clients came or went: rewrite the status file shortly, once for a whole burst (a storm of
 * N clients would otherwise rewrite it N times, N rows each: most of the storm's CPU). */
void server_status_soon(struct server *srv)
{
	if (loop_timer_armed(&srv->t_status_soon))
		return;
	loop_timer_init(&srv->t_status_soon, server_on_status_soon, srv);
	loop_timer_in(srv->lp, &srv->t_status_soon, SERVER_STATUS_SOON_MS);
}

static void server_on_status_timer(struct loop *lp, void *arg)
{
	struct server *srv = arg;
	int every = srv->cfg->status_interval;

	server_write_status(srv);
	server_persist_save(srv);
	loop_timer_in(lp, &srv->t_status, (uint64_t)every * 1000);
}

/* ---- drop counters: one summary line after drops, never a timer while all is quiet ---- */

void server_count_drop(struct server *srv, enum server_drop_reason why, uint64_t n)
{
	srv->drops[why] += n;
	if (!loop_timer_armed(&srv->t_drops))
		loop_timer_in(srv->lp, &srv->t_drops, SERVER_DROP_LOG_MS);
}

static const char *const server_drop_names[SERVER_DROP_N] = {
	[SERVER_DROP_COOKIE] = "failed the handshake check (cookie)",
	[SERVER_DROP_LIMIT] = "over a limit",
	[SERVER_DROP_SESSION] = "in client sessions (bad, forged or replayed)",
	[SERVER_DROP_SPOOF] = "with a spoofed tunnel source",
	[SERVER_DROP_NOPEER] = "to no client",
	[SERVER_DROP_EVICTED] = "stalled handshakes evicted (half-open limit)",
};

const char *server_drop_name(enum server_drop_reason why)
{
	return (unsigned)why < SERVER_DROP_N ? server_drop_names[why] : "?";
}

bool server_limit_log(struct server *srv)
{
	uint64_t now = loop_clock_ms();

	if (srv->limit_log_ms && now - srv->limit_log_ms < SERVER_LIMIT_LOG_MS)
		return false;
	srv->limit_log_ms = now;
	return true;
}

/* The reasons that happened since the last summary, as "N what, N what". Packets to tunnel
 * addresses nobody has are routine (the kernel's own IPv6 chatter): *serious counts the rest. */
static size_t server_drops_line(const struct server *srv, char *line, size_t cap,
				uint64_t *serious)
{
	size_t len = 0;

	*serious = 0;
	for (int i = 0; i < SERVER_DROP_N; i++) {
		unsigned long long d = (unsigned long long)(srv->drops[i] - srv->drops_logged[i]);
		int n;

		if (!d)
			continue;
		if (i != SERVER_DROP_NOPEER)
			*serious += d;
		n = snprintf(line + len, cap - len, "%s%llu %s", len ? ", " : "", d,
			     server_drop_name((enum server_drop_reason)i));
		if (n > 0 && (size_t)n < cap - len)
			len += (size_t)n;
	}
	return len;
}

static void server_on_drops_timer(struct loop *lp, void *arg)
{
	struct server *srv = arg;
	const uint64_t *now = srv->drops;
	uint64_t sum;
	char line[512];

	(void)lp;
	/* Only the reasons that happened, so a person reads what matters; -v adds the totals. */
	if (server_drops_line(srv, line, sizeof(line), &sum))
		log_msg(sum ? LOG_LVL_NOTICE : LOG_LVL_INFO, "dropped in the last %d s: %s",
			SERVER_DROP_LOG_MS / 1000, line);
	log_info("drops since start: cookie %llu, limit %llu, session %llu, spoofed source %llu, "
		 "no client %llu, evicted %llu", (unsigned long long)now[SERVER_DROP_COOKIE],
		 (unsigned long long)now[SERVER_DROP_LIMIT],
		 (unsigned long long)now[SERVER_DROP_SESSION],
		 (unsigned long long)now[SERVER_DROP_SPOOF],
		 (unsigned long long)now[SERVER_DROP_NOPEER],
		 (unsigned long long)now[SERVER_DROP_EVICTED]);
	memcpy(srv->drops_logged, srv->drops, sizeof(srv->drops));
}

/* ---- transports ---- */

/* The session settings for one client: its peer-id, the transport, the clock, and the
 * server's reneg-sec minus up to 10 % so that many clients do not renegotiate at once. */
static struct sess_conf server_sess_conf(const struct server *srv, const struct peer *p,
					 enum sess_transport t)
{
	struct sess_conf sc = srv->sconf;
	uint16_t r = 0;

	sc.peer_id = p->id;
	sc.transport = t;
	sc.unix_time = (uint32_t)time(NULL);
	if (sc.reneg_sec != SESS_RENEG_OFF && sc.reneg_sec >= 10 &&
	    RAND_bytes((uint8_t *)&r, sizeof(r)) == 1)
		sc.reneg_sec -= r % (sc.reneg_sec / 10 + 1);
	return sc;
}

void server_udp_new(struct server *srv, const uint8_t *pkt, size_t len,
		    const struct xport_addr *from)
{
	uint8_t reply[COOKIE_REPLY_MAX];
	char who[64];
	size_t rlen = 0;
	struct cookie_accept acc;
	struct peer *p;
	enum cookie_verdict v;

	v = cookie_check(srv->cookie, &from->ss, from->len, loop_clock_ms(), (uint32_t)time(NULL),
			 pkt, len, reply, &rlen, &acc, NULL);
	if (v == COOKIE_REPLY) {
		xport_send(srv->udp, reply, rlen, from);
		return;
	}
	if (v != COOKIE_ACCEPT) {
		server_count_drop(srv, SERVER_DROP_COOKIE, 1);
		return;
	}
	/* a stalled handshake makes room; without one, the client waits for a free slot */
	if (srv->n_half >= SERVER_MAX_HALF_OPEN && !server_half_evict(srv, from)) {
		bool parked = server_wait_add(srv, pkt, len, from);

		server_count_drop(srv, SERVER_DROP_LIMIT, 1);
		if (server_limit_log(srv))
			log_notice("refusing a new client from %s: %d handshakes already in progress "
				   "(half-open limit; none to evict)%s",
				   xport_addr_str(from, who, sizeof(who)), SERVER_MAX_HALF_OPEN,
				   parked ? "; it gets the next free slot within 1.5 s" : "");
		return;
	}
	/* the cookie proved a new session from a client's address: the client restarted */
	p = server_peer_by_addr(srv, from);
	if (p)
		server_peer_close(p, "the client restarted (new session from its address)");
	p = server_peer_new(srv, from, srv->udp, false);
	if (!p)
		return;
	{
		struct sess_conf sc = server_sess_conf(srv, p, SESS_UDP);

		p->sess = acc.reset ? sess_new(&sc, loop_clock_ms()) :
			  sess_new_accepted(&sc, acc.own_sid, acc.peer_sid, acc.early_neg,
					    loop_clock_ms());
		sessdrv_attach(&p->drv, p->sess);
	}
	if (!p->sess) {
		server_peer_close(p, "cannot create a session (out of memory?)");
		return;
	}
	server_peer_input(p, pkt, len);
}

/* P_DATA_V2 carries the peer-id: find the client without searching, and let a client that
 * moved to a new address follow (floating) once one of its packets authenticates. */
static struct peer *server_peer_by_id(struct server *srv, const uint8_t *pkt, size_t len)
{
	uint32_t id;
	uint8_t op;
	struct peer *p;

	if (data_peek_header(pkt, len, &op, NULL, &id) != 0 || op != DATA_OP_V2)
		return NULL;
	if (id >= srv->n_slots || !(p = srv->peers[id]) || p->state != PEER_ACTIVE || p->tcp)
		return NULL;
	return p;
}

/* A key_id 0 control packet whose sender session id is not the client's: a restarted client
 * (same address and port) starting over. Reads only the clear header. */
static bool server_is_other_session(const struct peer *p, const uint8_t *pkt, size_t len)
{
	uint8_t sid[8];

	if (len < 9 || !pkt_op_is_control(pkt_op(pkt[0])) || pkt_keyid(pkt[0]) != 0)
		return false;
	if (sess_is_new_client_reset(p->sess, pkt, len))
		return true;
	return sess_peer_sid(p->sess, sid) && memcmp(pkt + 1, sid, 8) != 0;
}

static void server_udp_recv(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
			    const struct xport_addr *from)
{
	struct server *srv = arg;
	struct peer *p = server_peer_by_id(srv, pkt, len);

	(void)xp;
	if (p && xport_addr_equal(&p->addr, from)) {
		server_peer_input(p, pkt, len);
		return;
	}
	if (p) {
		server_peer_float(p, pkt, len, from);
		return;
	}
	p = server_peer_by_addr(srv, from);
	if (p && server_is_other_session(p, pkt, len))
		server_udp_new(srv, pkt, len, from);	/* restarted client */
	else if (p)
		server_peer_input(p, pkt, len);
	else
		server_udp_new(srv, pkt, len, from);
}

static void server_udp_event(void *arg, struct xport *xp, enum xport_event ev, int err)
{
	(void)arg;
	(void)xp;
	(void)ev;
	log_debug("udp socket: %s", strerror(-err));
}

static const struct xport_cb server_udp_cb = {
	.recv = server_udp_recv,
	.event = server_udp_event,
};

static void server_tcp_recv(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
			    const struct xport_addr *from)
{
	struct peer *p = arg;
	uint8_t sid[8];

	(void)xp;
	(void)from;
	if (p->heard) {
		server_peer_input(p, pkt, len);
		return;
	}
	/* its first packet the session accepts (a reset) lifts the first-packet deadline */
	server_peer_hold(p);
	server_peer_input(p, pkt, len);
	if (!p->closing && p->sess && sess_peer_sid(p->sess, sid)) {
		p->heard = true;
		sessdrv_deadline_at(&p->drv, p->last_rx_ms + server_hand_limit_ms(p->srv));
	}
	server_peer_unhold(p);
}

static void server_tcp_event(void *arg, struct xport *xp, enum xport_event ev, int err)
{
	struct peer *p = arg;
	char why[96];

	(void)xp;
	if (ev != XPORT_EV_CLOSED)
		return;
	snprintf(why, sizeof(why), "TCP connection %s", err ? strerror(-err) : "closed");
	server_peer_close(p, why);
}

static const struct xport_cb server_tcp_cb = {
	.recv = server_tcp_recv,
	.event = server_tcp_event,
};

static void server_tcp_accept(void *arg, struct xport *listener, struct xport *conn,
			      const struct xport_addr *from)
{
	struct server *srv = arg;
	struct sess_conf sc;
	struct peer *p;
	char who[64];
	unsigned n = server_half_from(srv, from);
	bool per_src = n >= SERVER_TCP_PER_SOURCE;

	(void)listener;
	/* one address cannot hold more than a few slots; a stalled handshake makes room */
	if (per_src || (srv->n_half >= SERVER_MAX_HALF_OPEN && !server_half_evict(srv, from))) {
		server_count_drop(srv, SERVER_DROP_LIMIT, 1);
		if (server_limit_log(srv))
			log_notice("refusing a TCP connection from %s: %u handshakes %sin progress "
				   "(%s); more are counted", xport_addr_str(from, who, sizeof(who)),
				   per_src ? n : (unsigned)SERVER_MAX_HALF_OPEN, per_src ? "from its address " : "",
				   per_src ? "per-source limit" : "half-open limit; none to evict");
		xport_close(conn);
		return;
	}
	p = server_peer_new(srv, from, conn, true);
	if (!p) {
		xport_close(conn);
		return;
	}
	sc = server_sess_conf(srv, p, SESS_TCP);
	p->sess = sess_new(&sc, loop_clock_ms());
	sessdrv_attach(&p->drv, p->sess);
	if (!p->sess) {
		server_peer_close(p, "cannot create a session (out of memory?)");
		return;
	}
	xport_set_cb(conn, &server_tcp_cb, p);
	/* silent connections give their slot back soon: a reset is the client's first word */
	sessdrv_deadline_in(&p->drv, (uint64_t)SERVER_TCP_FIRST_S * 1000);
}

static const struct xport_cb server_listen_cb = {
	.accept = server_tcp_accept,
};

static int server_listen(struct server *srv)
{
	const struct cfg *c = srv->cfg;
	bool tcp = c->proto == CFG_PROTO_TCP_SERVER || c->proto == CFG_PROTO_TCP_CLIENT;
	int family = addr_family_of(c->proto_af);
	struct xport_addr local;
	char port[8], where[64];
	size_t n = 0;
	int e;

	snprintf(port, sizeof(port), "%u", c->lport ? c->lport : 1194);
	e = xport_resolve(c->local, port, family, tcp ? XPORT_TCP : XPORT_UDP, 1, &local, 1, &n);
	if (e < 0 || n == 0) {
		log_error("local %s: cannot resolve the address to listen on", c->local ? c->local : "*");
		return e < 0 ? e : -ENOENT;
	}
	xport_addr_str(&local, where, sizeof(where));
	if (tcp)
		e = xport_tcp_listen(srv->lp, &local, 64, &server_listen_cb, srv, &srv->tcp);
	else
		e = xport_udp_open(srv->lp, xport_addr_family(&local), &local, NULL, &server_udp_cb,
				   srv, &srv->udp);
	if (e < 0) {
		log_error("cannot listen on %s %s: %s%s", tcp ? "tcp" : "udp", where, strerror(-e),
			  e == -EADDRINUSE ? " (another server is using the port; change 'port')" : "");
		return e;
	}
	log_notice("listening on %s %s", tcp ? "tcp" : "udp", where);
	return 0;
}

/* ---- life cycle ---- */

/* explicit-exit-notify on a server: tell each connected client to reconnect now (RESTART)
 * instead of leaving it to find out by ping-restart, as OpenVPN does. */
static void server_notify_exit(struct server *srv)
{
	unsigned n = 0;

	if (srv->cfg->explicit_exit_notify <= 0)
		return;
	for (uint32_t i = 0; i < srv->n_slots; i++) {
		struct peer *p = srv->peers[i];

		if (!p || p->closing || p->state != PEER_ACTIVE)
			continue;
		server_peer_hold(p);
		if (sess_send_exit(p->sess, loop_clock_ms()) == 0)
			n++;
		sessdrv_pump(&p->drv);
		server_peer_unhold(p);
	}
	if (n)
		log_notice("told %u client%s to reconnect (explicit-exit-notify)", n,
			   n == 1 ? "" : "s");
}

static void server_on_signal(struct loop *lp, int signo, void *arg)
{
	struct server *srv = arg;

	/* Named as in the client's log and the manual (SIGTERM, not "Terminated"). */
	const char *name = signo == SIGHUP ? "SIGHUP" : signo == SIGUSR1 ? "SIGUSR1" :
			   signo == SIGINT ? "SIGINT" : "SIGTERM";

	if (signo == SIGHUP || signo == SIGUSR1) {
		log_notice("%s received: writing the status file", name);
		if (signo == SIGHUP)
			server_crl_reload(srv);
		server_write_status(srv);
		return;
	}
	log_notice("%s received: stopping", name);
	server_notify_exit(srv);
	loop_stop(lp, 0);
}

/* user/group: the device (with its addresses and routes), sockets and pool exist, so root is
 * no longer needed; client routes (iroute) are burrow's own table, not the kernel's. The
 * status and pool files are written once first, as root: afile keeps their descriptors and
 * rewrites them in place when their directory is root's (server_persist.c). down runs
 * unprivileged. */
static int server_drop_privs(struct server *srv)
{
	const struct cfg *c = srv->cfg;
	int e;

	if (!c->user && !c->group)
		return 0;
	server_write_status(srv);
	server_persist_save(srv);
	e = privs_drop(c->user, c->group);
	return e < 0 ? e : 0;
}

static int server_init(struct server *srv, struct cfg *cfg)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	uint8_t secret[COOKIE_SECRET_LEN];
	int e;

	srv->cfg = cfg;
	/* without SipHash the MAC table cannot learn: a TAP server would flood every frame */
	e = fib_init(&srv->fib, 300000);
	if (e < 0 && cfg->dev_type == CFG_DEV_TAP) {
		log_error("cannot set up the TAP forwarding table: %s (OpenSSL without SipHash?)",
			  strerror(-e));
		return e;
	}
	e = loop_new(&srv->lp);
	if (e < 0)
		return e;
	loop_signals(srv->lp, sigs, 4, server_on_signal, srv);
	loop_signals_keep_blocked(srv->lp);	/* a 2nd SIGTERM must not kill the exit */
	signal(SIGPIPE, SIG_IGN);
	e = core_sess_conf(cfg, SESS_SERVER, &srv->sconf, &srv->tls);
	if (e < 0)
		return e;
	if (RAND_bytes(secret, sizeof(secret)) != 1)
		return -EIO;
	srv->cookie = cookie_new(secret, &srv->sconf);
	if (!srv->cookie)
		return -EINVAL;
	if ((e = server_pool_init(srv)) < 0 || (e = server_dev_open(srv)) < 0)
		return e;
	if ((e = server_persist_init(srv)) < 0)
		return e;
	if ((e = server_push_base(srv)) < 0 || (e = server_listen(srv)) < 0)
		return e;
	server_crl_init(srv);
	/* up needs root; after it, nothing the server does needs it (see server_drop_privs) */
	if ((e = script_server_up(srv)) != 0) {
		log_error("up script %s failed; not starting", cfg->up);
		return e < 0 ? e : -ECANCELED;
	}
	if ((e = sandbox_prepare(cfg, SANDBOX_SERVER)) < 0 || (e = server_drop_privs(srv)) < 0 ||
	    (e = sandbox_enter()) < 0)	/* capabilities and the seccomp filter (sandbox.h) */
		return e;
	loop_timer_init(&srv->t_status, server_on_status_timer, srv);
	loop_timer_init(&srv->t_drops, server_on_drops_timer, srv);
	loop_timer_in(srv->lp, &srv->t_status, 1000);
	return 0;
}

static void server_release(struct server *srv)
{
	for (uint32_t i = 0; i < srv->n_slots; i++)
		if (srv->peers[i])
			server_peer_close(srv->peers[i], "server shutting down");
	if (loop_timer_armed(&srv->t_status_soon)) {	/* the last word: no clients */
		loop_timer_stop(srv->lp, &srv->t_status_soon);
		server_write_status(srv);
	}
	server_persist_save(srv);
	server_persist_close(srv);
	server_wait_free(srv);
	server_crl_free(srv);
	if (srv->udp)
		xport_close(srv->udp);
	if (srv->tcp)
		xport_close(srv->tcp);
	server_dev_close(srv);
	script_server_down(srv);
	if (srv->lp) {
		loop_timer_stop(srv->lp, &srv->t_status);
		loop_timer_stop(srv->lp, &srv->t_drops);
	}
	cookie_free(srv->cookie);
	core_sess_conf_free(&srv->sconf, &srv->tls);
	pool_free(&srv->pool);
	fib_free(&srv->fib);
	free(srv->peers);
	free(srv->addr_tab);
	free(srv->push_base);
	srvstatus_rows_free(&srv->status_rows);
	if (srv->lp)
		loop_free(srv->lp);
}

/* One line a person can check against the config: device, addresses, pool size. */
static void server_log_ready(const struct server *srv)
{
	struct in_addr a4 = { .s_addr = htonl(srv->srv_v4) };
	char v4[INET_ADDRSTRLEN + 4] = "", v6[INET6_ADDRSTRLEN + 8] = "", pool[48];
	int n;

	if (srv->has_pool && inet_ntop(AF_INET, &a4, v4, sizeof(v4))) {
		n = (int)strlen(v4);
		snprintf(v4 + n, sizeof(v4) - (size_t)n, "/%d", __builtin_popcount(srv->srv_mask));
	}
	if (srv->has_v6 && inet_ntop(AF_INET6, &srv->srv_v6, v6, sizeof(v6))) {
		n = (int)strlen(v6);
		snprintf(v6 + n, sizeof(v6) - (size_t)n, "/%u", srv->v6_prefix);
	}
	if (srv->has_pool)
		snprintf(pool, sizeof(pool), "a pool of %u client addresses", srv->pool.count);
	else
		snprintf(pool, sizeof(pool), "no address pool");
	log_notice("server ready: device %s%s%s%s%s, %s", srv->dev.name, v4[0] ? " " : "", v4,
		   v6[0] ? " " : "", v6, pool);
}

int core_server_run(struct cfg *cfg)
{
	/* On the heap: the server holds its packet and file buffers (no hidden statics). */
	struct server *srv = calloc(1, sizeof(*srv));
	int rc = 1;

	if (!srv)
		return 1;
	if (server_init(srv, cfg) == 0) {
		server_log_ready(srv);
		server_write_status(srv);
		rc = loop_run(srv->lp) ? 1 : 0;
	}
	server_release(srv);
	free(srv);
	return rc;
}
