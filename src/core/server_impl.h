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
#include "core/script.h"
#include "core/sessdrv.h"
#include "core/srvstatus.h"
#include "core/tundev.h"
#include "core/xport.h"
#include "proto/cookie.h"
#include "proto/session.h"
#include "vif/nl.h"
#include "vif/vif.h"
#include "vif/vnet_gro.h"
#include "util/afile.h"

enum peer_state {
	PEER_HANDSHAKE = 0,	/* TLS / key exchange running */
	PEER_AUTH,		/* waiting for the auth-user-pass-verify script */
	PEER_CONNECT,		/* waiting for client-connect (running or deferred) */
	PEER_ACTIVE,		/* authorised: addresses assigned, routes in the fib */
};

struct server;
struct server_wait;	/* server_wait.c */
struct server_crl;	/* server_crl.c */

#define SERVER_MAX_HALF_OPEN 64	/* handshakes in progress at once */
/* At the cap, a new client evicts the handshake that has been silent longest (no packet its
 * session accepted), if that silence is at least this long: a stalled one, never a client
 * that is busy handshaking (a storm of real clients is parked instead, server_wait.c). */
#define SERVER_EVICT_IDLE_MS 1000
/* TCP: handshaking connections from one address at once (more are closed at accept), and
 * how long a new connection may take to send a packet its session accepts (a reset). */
#define SERVER_TCP_PER_SOURCE 8
#define SERVER_TCP_FIRST_S 5
/* One packet or frame from or to the device. */
#define SERVER_DEV_BUF (VIF_MTU_MAX + VIF_ETH_HLEN)

/* Every packet the server refuses is counted under one reason (server_drop_name). */
enum server_drop_reason {
	SERVER_DROP_COOKIE = 0,	/* failed the stateless handshake check */
	SERVER_DROP_LIMIT,	/* over a limit: max-clients, the half-open cap, a full device */
	SERVER_DROP_SESSION,	/* inside a client's session (bad, forged or replayed) */
	SERVER_DROP_SPOOF,	/* a client sent from a tunnel address not its own */
	SERVER_DROP_NOPEER,	/* to a tunnel address no client has */
	SERVER_DROP_EVICTED,	/* a stalled handshake closed for a new client (counts clients) */
	SERVER_DROP_N
};


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
	uint64_t last_rx_ms;		/* when it was created: silence is counted from here */
	struct pool_lease lease;	/* from the pool (slot >= 0) or fixed (ccd) */
	bool has_v4, has_v6;
	uint32_t v4;			/* host order */
	struct in6_addr v6;
	struct sessdrv drv;		/* its session's pump and timers (sessdrv.c) */
	struct script_watch auth_w;	/* auth-user-pass-verify (server_auth.c) */
	char auth_file[64];
	struct script_cc *cc;		/* client-connect running or deferred (script_server.c) */
	struct cfg_ccd *ccd;		/* its client-config-dir file, kept while it runs */
	bool closing;
	bool refused;			/* AUTH_FAILED sent: closes after a short linger */
	bool heard;			/* TCP: its session accepted a packet (first-packet deadline) */
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
	uint64_t drops[SERVER_DROP_N];	/* by enum server_drop_reason */
	uint64_t drops_logged[SERVER_DROP_N];	/* the counters at the last summary */
	uint64_t drop_log_ms;		/* last "dropped during the handshake" notice */
	uint8_t dev_buf[SERVER_DEV_BUF];	/* one read from the device */
	uint8_t syn_buf[SERVER_DEV_BUF];	/* mssfix copy of a TCP SYN */
	struct srvstatus_rows status_rows;	/* the status file's, sized from the clients */
	struct loop_timer t_drops;	/* armed by the first drop after a summary: no idle wake-ups */
	uint64_t limit_log_ms;		/* last "refusing a client" line (rate limit) */
	struct peer *half[SERVER_MAX_HALF_OPEN];	/* handshaking clients, oldest first (some
						 * may have become active since: skipped) */
	uint32_t n_half_tab;
	struct server_wait *wait;	/* clients parked at the half-open limit (lazily) */
	struct loop_timer t_admit;	/* admits them once a handshake ends */
	struct loop_timer t_trim;	/* returns the heap after the last handshake ended */
	struct loop_timer t_status_soon;	/* a status rewrite after clients came or went */
	int exit_status;
	struct afile status_file, pool_file;	/* server_persist.c; path NULL = not configured */
	struct script_hooks *hooks;	/* client-disconnect / learn-address queue (lazily) */
};

/* server_peer.c: the per-client life cycle. */
struct peer *server_peer_new(struct server *srv, const struct xport_addr *from,
			     struct xport *xp, bool tcp);
void server_peer_close(struct peer *p, const char *why);
void server_peer_input(struct peer *p, const uint8_t *pkt, size_t len);
void server_peer_float(struct peer *p, const uint8_t *pkt, size_t len,
		       const struct xport_addr *from);
/* Starts keepalive in the session driver (the client was just authorised). */
void server_peer_keepalive(struct peer *p);
/* Keeps p allocated while a callback works on it (closing frees on the last unhold). */
void server_peer_hold(struct peer *p);
void server_peer_unhold(struct peer *p);
struct peer *server_peer_by_addr(struct server *srv, const struct xport_addr *a);
/* Accept the client: addresses, routes, PUSH_REPLY. */
void server_peer_authorize(struct peer *p);
void server_peer_reject(struct peer *p, const char *reason);
/* How long a client may take from its first packet to being authorised (hand-window). */
uint64_t server_hand_limit_ms(const struct server *srv);
/* client-connect's answer (script_server.c): r 0 = admit, 1 = admit with p->ccd, < 0 =
 * refuse. */
void server_peer_connect_done(struct peer *p, int r);

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

/* server_wait.c: the half-open limit. The table of handshaking clients (server_peer_new
 * tracks, server_peer_close forgets); at the cap, evict a stalled one for a newcomer from
 * for_whom (true if one was); the handshakes running from an address (any port). */
void server_half_track(struct server *srv, struct peer *p);
void server_half_forget(struct peer *p);
bool server_half_evict(struct server *srv, const struct xport_addr *for_whom);
unsigned server_half_from(struct server *srv, const struct xport_addr *a);
/* A client refused at the half-open limit (no stalled handshake to evict) waits (bounded,
 * ~1.5 s) for a handshake to finish instead of its own retransmit timer (2 s and more). */
bool server_wait_add(struct server *srv, const uint8_t *pkt, size_t len,
		     const struct xport_addr *from);
/* A half-open slot was freed (a handshake ended). */
void server_wait_kick(struct server *srv);
void server_wait_free(struct server *srv);

/* server_persist.c: the status and ifconfig-pool-persist files (util/afile). init loads the
 * pool file; write both once before the privilege drop so they stay writable after it. */
int server_persist_init(struct server *srv);
void server_persist_save(struct server *srv);
void server_persist_status(struct server *srv, const struct srvstatus_client *rows, size_t n);
void server_persist_close(struct server *srv);
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
/* Counts n packets dropped for a reason; a summary line of what was dropped follows some
 * seconds later (only when something was). */
void server_count_drop(struct server *srv, enum server_drop_reason why, uint64_t n);
/* What the summary line says for a reason ("with a spoofed tunnel source"). */
const char *server_drop_name(enum server_drop_reason why);
/* True at most once every few seconds: gates the log lines a flood could repeat. */
bool server_limit_log(struct server *srv);

#endif
