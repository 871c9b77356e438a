/* Private to the server engine (server*.c): its state and the calls between its files. */
#ifndef BURROW_CORE_SERVER_IMPL_H
#define BURROW_CORE_SERVER_IMPL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config/config.h"
#include "core/fib.h"
#include "core/loop.h"
#include "core/pool.h"
#include "core/tundev.h"
#include "core/xport.h"
#include "proto/cookie.h"
#include "proto/session.h"
#include "vif/nl.h"
#include "vif/vif.h"
#include "vif/vnet_gro.h"

enum peer_state {
	PEER_HANDSHAKE = 0,	/* TLS / key exchange running */
	PEER_AUTH,		/* waiting for the auth-user-pass-verify script */
	PEER_ACTIVE,		/* authorised: addresses assigned, routes in the fib */
};

struct server;
struct server_wait;	/* server_admit.c */
struct server_crl;	/* server_crl.c */

#define SERVER_MAX_HALF_OPEN 64	/* handshakes in progress at once */

struct peer {
	struct server *srv;
	uint32_t id;			/* index in srv->peers = the pushed peer-id */
	struct peer *addr_next;		/* UDP: the next client in its srv->addr_tab bucket */
	enum peer_state state;
	struct sess *sess;
	struct xport *xp;		/* TCP: its own stream; UDP: the shared socket */
	bool tcp;
	struct xport_addr addr;		/* real address */
	char addr_str[64];
	char cn[SESS_TEXT_MAX];
	time_t since;			/* wall clock, when it became active */
	uint64_t tun_in, tun_out;	/* tunnel bytes from / to this client */
	uint64_t last_rx_ms;		/* last authenticated packet */
	struct pool_lease lease;	/* from the pool (slot >= 0) or fixed (ccd) */
	bool has_v4, has_v6;
	uint32_t v4;			/* host order */
	struct in6_addr v6;
	struct loop_timer t_sess, t_keep;
	/* auth-user-pass-verify child */
	pid_t auth_pid;
	int auth_fd;			/* pidfd */
	struct loop_io auth_io;
	struct loop_timer t_auth;
	char auth_file[64];
	uint64_t drops_seen;		/* its session's drop counters, summed, at the last look */
	bool closing;
	bool refused;			/* AUTH_FAILED sent: closes after a short linger */
	int busy;			/* callbacks running on it (peer_hold) */
};

struct server {
	struct cfg *cfg;
	struct loop *lp;
	struct sess_conf sconf;
	struct tls_conf *tls;
	struct server_crl *crl;		/* crl-verify's inotify watch (server_crl.c) */
	struct cookie_ctx *cookie;
	struct xport *udp, *tcp;
	struct peer **peers;		/* by peer-id */
	struct peer **addr_tab;		/* UDP clients by real address (hash buckets; lazily) */
	uint32_t addr_seed;
	uint32_t n_slots;
	uint32_t n_peers, n_half;	/* all / still in handshake */
	struct pool pool;
	bool has_pool;
	bool topo_net30;
	uint32_t srv_v4, srv_mask;	/* host order; the server's own tunnel address */
	bool has_v6;
	struct in6_addr srv_v6;
	unsigned v6_prefix;
	struct fib fib;
	struct tundev dev;
	char *push_base;		/* configured + helper push options, comma-separated */
	struct loop_timer t_status;
	uint64_t drops_spoof, drops_nopeer, drops_full, drops_cookie;
	uint64_t drops_session;		/* dropped inside clients' sessions (forged, replayed, bad) */
	uint64_t drops_logged[5];	/* the five counters at the last summary */
	struct loop_timer t_drops;	/* armed by the first drop after a summary: no idle wake-ups */
	uint64_t limit_log_ms;		/* last "refusing a client" line (rate limit) */
	struct server_wait *wait;	/* clients parked at the half-open limit (lazily) */
	struct loop_timer t_admit;	/* admits them once a handshake ends */
	struct loop_timer t_trim;	/* returns the heap after the last handshake ended */
	struct loop_timer t_status_soon;	/* a status rewrite after clients came or went */
	int exit_status;
	bool status_warned;
};

/* server_peer.c: the per-client life cycle. */
struct peer *server_peer_new(struct server *srv, const struct xport_addr *from,
			     struct xport *xp, bool tcp);
void server_peer_close(struct peer *p, const char *why);
void server_peer_input(struct peer *p, const uint8_t *pkt, size_t len);
void server_peer_float(struct peer *p, const uint8_t *pkt, size_t len,
		       const struct xport_addr *from);
void server_peer_keepalive(struct peer *p);
/* Keeps p allocated while a callback works on it (closing frees on the last unhold). */
void server_peer_hold(struct peer *p);
void server_peer_unhold(struct peer *p);
void server_peer_pump(struct peer *p);
struct peer *server_peer_by_addr(struct server *srv, const struct xport_addr *a);
/* Accept the client: addresses, routes, PUSH_REPLY. */
void server_peer_authorize(struct peer *p);
void server_peer_reject(struct peer *p, const char *reason);

/* server_auth.c: the client's name (certificate or username; <0 = refuse it), and
 * auth-user-pass-verify, without blocking the loop. */
int server_auth_identity(struct peer *p, char *out, size_t n);
int server_auth_start(struct peer *p);
void server_auth_cancel(struct peer *p);

/* server_tun.c: the device and the routing between it and the clients. */
int server_dev_open(struct server *srv);
void server_dev_close(struct server *srv);
/* A packet a client sent into the tunnel. */
void server_from_client(struct peer *p, const uint8_t *pkt, size_t len);

/* server_admit.c: a client refused at the half-open limit waits (bounded, ~1.5 s) for a
 * handshake to finish instead of its own retransmit timer (2 s and more). */
bool server_wait_add(struct server *srv, const uint8_t *pkt, size_t len,
		     const struct xport_addr *from);
/* A half-open slot was freed (a handshake ended). */
void server_wait_kick(struct server *srv);
void server_wait_free(struct server *srv);

/* server_crl.c: crl-verify reloaded when its file changes (inotify) and on SIGHUP; clients
 * whose certificate the new CRL revokes are dropped. */
void server_crl_init(struct server *srv);
void server_crl_reload(struct server *srv);
void server_crl_sweep(struct server *srv);
void server_crl_free(struct server *srv);

/* server.c */
void server_write_status(struct server *srv);
/* Clients came or went: the status file is rewritten shortly (once per burst). */
void server_status_soon(struct server *srv);
/* A UDP packet from an unknown address: the stateless cookie, then a new client. */
void server_udp_new(struct server *srv, const uint8_t *pkt, size_t len,
		    const struct xport_addr *from);
/* Adds n to one of the drop counters above; a summary line of what was dropped follows some
 * seconds later (only when something was). */
void server_drop(struct server *srv, uint64_t *counter, uint64_t n);
/* True at most once every few seconds: gates the log lines a flood could repeat. */
bool server_limit_log(struct server *srv);

#endif
