/* Private to the client engine (client*.c): its state and the calls between its files. */
#ifndef BURROW_CORE_CLIENT_IMPL_H
#define BURROW_CORE_CLIENT_IMPL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "core/dns.h"
#include "core/loop.h"
#include "core/sessdrv.h"
#include "core/tundev.h"
#include "core/xport.h"
#include "proto/push.h"
#include "proto/session.h"
#include "vif/nl.h"
#include "vif/vif.h"
#include "vif/vnet_gro.h"

enum client_state {
	CL_IDLE = 0,
	CL_CONNECTING,		/* TCP connect in progress */
	CL_HANDSHAKE,		/* session running, no tunnel yet */
	CL_CONNECTED,		/* tunnel up */
	CL_WAIT,		/* waiting to reconnect */
	CL_EXITING,		/* exit notify sent, waiting to stop */
};

/* One packet or frame from or to the device. */
#define CLIENT_TUN_BUF (VIF_MTU_MAX + VIF_ETH_HLEN)

#define CLIENT_MAX_ROUTES (2 * PUSH_MAX_ROUTES + 16)

/* Everything the client changed in the system, so it can be undone exactly. */
struct client_net {
	struct tundev dev;		/* the device (shared with the server: tundev.c) */
	unsigned mtu;
	bool has_v4, has_v6;
	struct nl_addr v4, v4_peer, v6;
	bool v4_p2p;
	struct nl_route routes[CLIENT_MAX_ROUTES];	/* added, in order */
	int n_routes;
};

struct client {
	struct cfg *cfg;
	struct loop *lp;
	enum client_state state;
	int exit_status;

	/* Session configuration, built once. */
	struct sess_conf sconf;
	struct tls_conf *tls;

	/* The current attempt. */
	size_t *order;			/* remote indices (shuffled with remote-random) */
	size_t n_remotes, cur;		/* position in order */
	struct xport_addr addrs[8];
	size_t n_addrs, cur_addr;
	struct xport_addr remote;
	enum xport_proto proto;
	struct xport *xp;
	struct sess *sess;
	unsigned attempts;		/* failed attempts in a row */
	unsigned tries_this_remote;
	char remote_str[64];
	bool heard;			/* anything received from this server */
	uint64_t connect_left_ms;	/* of the handshake window after the early silence notice */
	bool pushed;
	bool keys;
	bool ekm;
	bool tunnel_up;
	uint8_t key_id;
	struct push_opts push;
	char cipher[SESS_TEXT_MAX];
	char peer_cn[SESS_TEXT_MAX];
	time_t since;
	int ping_s, ping_restart_s;

	/* The session's timers (its deadline, keepalive, handshake window) and its pump. */
	struct sessdrv drv;
	/* Timers of the lifecycle. */
	struct loop_timer t_retry;	/* reconnect after backoff */
	struct loop_timer t_exit;	/* explicit-exit-notify grace */
	struct loop_timer t_status;	/* status file rewrite */

	struct client_net net;
	struct dns_state dns;		/* pushed DNS handed to the system, undone on the way down */
	bool privs_dropped;
	uint64_t tun_in, tun_out;
	uint64_t link_in, link_out;	/* totals of finished sessions */
	uint64_t tun_drops;
	uint8_t tun_buf[CLIENT_TUN_BUF];	/* one read from the device */
	uint8_t syn_in[CLIENT_TUN_BUF], syn_out[CLIENT_TUN_BUF];	/* mssfix copies, each way */
	const char *username, *password;
};

/* client_sess.c: session setup, the transport, and the session driver's callbacks. */
int client_sess_conf(struct client *cl);
void client_sess_conf_free(struct client *cl);
int client_sess_start(struct client *cl);
void client_sess_stop(struct client *cl);
/* The session driver's callbacks (client_sess.c) and its timeouts (client.c). */
void client_drv_init(struct client *cl);
void client_on_drv_timeout(void *ctx, enum sessdrv_timeout why);
void client_on_wire(struct client *cl, const uint8_t *pkt, size_t len);

/* client_tun.c: the device, addresses and routes from PUSH_REPLY (never `ip`). */
int client_tun_up(struct client *cl);
void client_tun_down(struct client *cl);
void client_tun_input(struct loop *lp, uint32_t events, void *arg);
void client_tun_write(struct client *cl, const uint8_t *pkt, size_t len);
/* Tunnel addresses as text ("" when none), for logs and the status file. */
void client_tun_describe(const struct client *cl, char *v4, size_t n4, char *v6, size_t n6);

/* client.c: lifecycle. */
void client_reconnect(struct client *cl, const char *why);
void client_shutdown(struct client *cl, int status);
void client_tunnel_ready(struct client *cl);
void client_rearm_keepalive(struct client *cl);
void client_write_status(struct client *cl);

#endif
