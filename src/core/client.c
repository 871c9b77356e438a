/* Client engine, lifecycle: remotes in order (or shuffled) with failover, connect-retry
 * backoff, keepalive and ping-restart, signals, exit notification, privilege drop, status. */
#include "core/client.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/client_impl.h"
#include "core/privs.h"
#include "core/sandbox.h"
#include "core/script_client.h"
#include "core/status.h"
#include "util/addr.h"
#include "util/log.h"

/* Pre-push ping-restart for a UDP client (spec §9.7) and the default status interval. */
#define CLIENT_PREPULL_RESTART_S 120
/* When a server that has said nothing yet gets a "still trying" notice. */
#define CLIENT_SILENCE_NOTICE_MS 10000u
/* Reconnect pause after a session that was up: quick, but never a tight loop. */
#define CLIENT_RECONNECT_UP_MS 1000

/* ---- remotes ---- */

static void remotes_order(struct client *cl)
{
	size_t n = cl->cfg->remotes.n;

	cl->n_remotes = n;
	for (size_t i = 0; i < n; i++)
		cl->order[i] = i;
	if (!cl->cfg->remote_random)
		return;
	for (size_t i = n; i > 1; i--) {
		uint32_t r = 0;
		size_t j, t;

		RAND_bytes((unsigned char *)&r, sizeof(r));
		j = r % i;
		t = cl->order[i - 1];
		cl->order[i - 1] = cl->order[j];
		cl->order[j] = t;
	}
}

static const struct cfg_remote *remote_cur(const struct client *cl)
{
	return &cl->cfg->remotes.v[cl->order[cl->cur]];
}

/* Resolves the current remote (blocking, like OpenVPN). Returns 0 or -errno. */
static int remote_resolve(struct client *cl)
{
	const struct cfg_remote *r = remote_cur(cl);
	char port[8];
	int e;

	snprintf(port, sizeof(port), "%u", r->port);
	cl->proto = r->proto == CFG_PROTO_TCP_CLIENT ? XPORT_TCP : XPORT_UDP;
	log_notice("resolving %s (%s port %s)", r->host, cl->proto == XPORT_TCP ? "tcp" : "udp",
		   port);
	e = xport_resolve(r->host, port, addr_family_of(r->af), cl->proto, 0, cl->addrs, 8, &cl->n_addrs);
	if (e < 0)
		log_warn("cannot resolve '%s': %s", r->host,
			 e == -ENOENT ? "no such host; check the remote line of the profile" :
			 e == -EAGAIN ? "temporary resolver failure (is a DNS server reachable?)" :
			 strerror(-e));
	cl->cur_addr = 0;
	return e;
}

/* After a failed attempt: the next address of this remote, else the next remote. */
static void remote_advance(struct client *cl)
{
	if (cl->cur_addr + 1 < cl->n_addrs) {
		cl->cur_addr++;
		return;
	}
	cl->n_addrs = 0;
	cl->cur = (cl->cur + 1) % cl->n_remotes;
}

/* ---- status ---- */

static const char *state_name(enum client_state s)
{
	static const char *const names[] = { "idle", "connecting", "handshake", "connected",
					     "reconnecting", "exiting" };

	return s <= CL_EXITING ? names[s] : "?";
}

void client_write_status(struct client *cl)
{
	struct status_peer p = { 0 };
	char v4[64], v6[64];
	const struct sess_stats *st = cl->sess ? sess_get_stats(cl->sess) : NULL;

	if (!cl->cfg->status)
		return;
	client_tun_describe(cl, v4, sizeof(v4), v6, sizeof(v6));
	p.name = cl->peer_cn;
	p.remote = cl->remote_str;
	p.proto = cl->proto == XPORT_TCP ? "tcp" : "udp";
	p.state = state_name(cl->state);
	p.device = cl->net.dev.port ? cl->net.dev.name : NULL;
	p.ipv4 = v4;
	p.ipv6 = v6;
	p.cipher = cl->tunnel_up ? cl->cipher : NULL;
	p.key_id = cl->tunnel_up ? cl->key_id : -1;
	p.since = cl->tunnel_up ? cl->since : 0;
	p.bytes_in = cl->tun_in;
	p.bytes_out = cl->tun_out;
	p.link_in = cl->link_in + (st ? st->rx_bytes : 0);
	p.link_out = cl->link_out + (st ? st->tx_bytes : 0);
	p.dropped = sessdrv_drops(&cl->drv);
	status_write(cl->cfg->status, &p, 1);	/* a failure is logged once, by util/afile */
}

static void client_on_status_timer(struct loop *lp, void *arg)
{
	struct client *cl = arg;
	int every = cl->cfg->status_interval;

	client_write_status(cl);
	loop_timer_in(lp, &cl->t_status, (uint64_t)every * 1000u);
}

/* ---- keepalive (the timers are the session driver's) ---- */

static void client_on_ping_restart(struct client *cl)
{
	char why[96];

	snprintf(why, sizeof(why), "ping-restart: nothing heard from the server for %d s",
		 cl->ping_restart_s);
	client_reconnect(cl, why);
}

/* ping-exit and inactive: stop for good instead of reconnecting (as on SIGTERM). */
static void client_on_ping_exit(struct client *cl)
{
	log_notice("ping-exit: nothing heard from the server for %d s; exiting",
		   cl->cfg->ping_exit);
	client_shutdown(cl, CORE_EXIT_OK);
}

static void client_on_inactive(struct client *cl)
{
	log_notice("inactive: no tunnel traffic for %d s; exiting", cl->cfg->inactive);
	client_shutdown(cl, CORE_EXIT_OK);
}

void client_rearm_keepalive(struct client *cl)
{
	const struct cfg *c = cl->cfg;
	struct sessdrv_keep k = {
		.exit_s = c->ping_exit, .inactive_s = c->inactive, .since_ms = loop_clock_ms(),
	};

	cl->ping_s = cl->push.ping >= 0 ? cl->push.ping : c->ping;
	cl->ping_restart_s = cl->push.ping_restart >= 0 ? cl->push.ping_restart : c->ping_restart;
	k.ping_s = cl->ping_s;
	k.restart_s = cl->ping_restart_s;
	sessdrv_keepalive(&cl->drv, &k);
}

/* ---- privileges ---- */

static void client_drop_privs(struct client *cl)
{
	const struct cfg *c = cl->cfg;

	if (cl->privs_dropped || (!c->user && !c->group))
		return;
	if (privs_drop(c->user, c->group) < 0)
		fatal("cannot drop privileges as user/group ask; stopping rather than run as root");
	cl->privs_dropped = true;
	if (!c->persist_tun)
		log_warn("after the privilege drop a reconnect cannot recreate the device or "
			 "routes: add persist-tun to the profile");
	if (c->down)
		log_notice("down %s will run as the unprivileged user, as in OpenVPN", c->down);
}

/* ---- lifecycle ---- */

void client_tunnel_ready(struct client *cl)
{
	struct sess_info info;
	char v4[64], v6[64], pid[48];
	bool had_dev = cl->net.dev.port != NULL;

	sessdrv_keep_stop(&cl->drv);	/* the handshake window */
	if (!(cl->privs_dropped && had_dev) && client_tun_up(cl) < 0) {
		log_error("tunnel setup failed; exiting");
		client_shutdown(cl, CORE_EXIT_FAIL);
		return;
	}
	/* up runs before the privilege drop; its failure is fatal, as in OpenVPN */
	if (!(cl->privs_dropped && had_dev) && script_client_up(cl, had_dev) != 0) {
		log_error("up script %s failed; exiting", cl->cfg->up);
		client_shutdown(cl, CORE_EXIT_FAIL);
		return;
	}
	cl->tunnel_up = true;
	cl->state = CL_CONNECTED;
	cl->attempts = 0;
	cl->tries_this_remote = 0;
	cl->since = time(NULL);
	client_tun_describe(cl, v4, sizeof(v4), v6, sizeof(v6));
	sess_get_info(cl->sess, &info);
	if (info.peer_id < 0xFFFFFFu)
		snprintf(pid, sizeof(pid), "peer-id %u (P_DATA_V2)", info.peer_id);
	else
		snprintf(pid, sizeof(pid), "no peer-id (P_DATA_V1)");
	log_notice("tunnel up: device %s%s%s%s%s, cipher %s, key derivation %s, %s%s",
		   cl->net.dev.name, *v4 ? " " : "", v4, *v6 ? " " : "", v6, cl->cipher,
		   cl->ekm ? "tls-ekm" : "prf", pid,
		   info.cc_exit ? ", cc-exit" : "");
	client_rearm_keepalive(cl);
	if (sandbox_prepare(cl->cfg, SANDBOX_CLIENT) < 0)	/* once: see sandbox.h */
		fatal("cannot reduce capabilities; stopping rather than run with all of them");
	client_drop_privs(cl);
	if (sandbox_enter() < 0)
		fatal("cannot enter the sandbox; stopping");
	client_write_status(cl);
}

/* The handshake window of one attempt, in seconds: UDP also waits for the pre-pull
 * ping-restart, whichever is shorter. */
static unsigned client_window_s(const struct client *cl)
{
	unsigned window = (unsigned)cl->cfg->hand_window;

	if (cl->proto == XPORT_UDP && window > CLIENT_PREPULL_RESTART_S)
		window = CLIENT_PREPULL_RESTART_S;
	return window;
}

static void client_on_connect_timeout(struct client *cl)
{
	unsigned secs = client_window_s(cl);
	char why[256];

	if (cl->connect_left_ms) {
		/* Early in the window: a silent server usually means a wrong address, port or
		 * key, so say so now rather than after the whole window. */
		if (!cl->heard)
			log_notice("no answer from %s after %u s, still trying: check remote, port "
				   "and proto, a firewall, and that tls-auth/tls-crypt keys match the "
				   "server's", cl->remote_str, CLIENT_SILENCE_NOTICE_MS / 1000);
		sessdrv_deadline_in(&cl->drv, cl->connect_left_ms);
		cl->connect_left_ms = 0;
		return;
	}
	if (!cl->heard)
		snprintf(why, sizeof(why), "no answer from %s within %u s: check remote, port and "
			 "proto, and that tls-auth/tls-crypt keys match the server's", cl->remote_str,
			 secs);
	else
		snprintf(why, sizeof(why), "handshake with %s did not finish within %u s",
			 cl->remote_str, secs);
	client_reconnect(cl, why);
}

void client_on_drv_timeout(void *ctx, enum sessdrv_timeout why)
{
	struct client *cl = ctx;

	if (why == SESSDRV_TO_HANDSHAKE)
		client_on_connect_timeout(cl);
	else if (why == SESSDRV_TO_PING_RESTART)
		client_on_ping_restart(cl);
	else if (why == SESSDRV_TO_PING_EXIT)
		client_on_ping_exit(cl);
	else
		client_on_inactive(cl);
}

static void client_attempt(struct client *cl)
{
	uint64_t window;

	cl->tries_this_remote++;
	if (!cl->n_addrs && remote_resolve(cl) < 0) {
		client_reconnect(cl, "name resolution failed");
		return;
	}
	cl->remote = cl->addrs[cl->cur_addr];
	if (client_sess_start(cl) < 0) {
		client_reconnect(cl, "cannot start the connection");
		return;
	}
	/* UDP waits for the pre-pull ping-restart; the handshake window bounds both. The timer
	 * first fires early for the silence notice, then for the rest of the window. */
	window = (uint64_t)client_window_s(cl) * 1000u;
	cl->connect_left_ms = window > CLIENT_SILENCE_NOTICE_MS ?
			      window - CLIENT_SILENCE_NOTICE_MS : 0;
	sessdrv_deadline_in(&cl->drv, window - cl->connect_left_ms);
	client_write_status(cl);
}

static void client_on_retry(struct loop *lp, void *arg)
{
	(void)lp;
	client_attempt(arg);
}

/* connect-retry N [MAX]: N s between attempts, doubled after 5 tries of a remote, capped. */
static uint64_t retry_delay_ms(const struct client *cl)
{
	uint64_t base = (uint64_t)(cl->cfg->connect_retry > 0 ? cl->cfg->connect_retry : 1);
	uint64_t cap = (uint64_t)(cl->cfg->connect_retry_max_wait > 0 ?
				  cl->cfg->connect_retry_max_wait : 300);
	unsigned extra = cl->attempts > 5 * cl->n_remotes ?
			 (cl->attempts - 5 * (unsigned)cl->n_remotes) / (unsigned)cl->n_remotes : 0;

	for (unsigned i = 0; i < extra && base < cap; i++)
		base *= 2;
	return (base < cap ? base : cap) * 1000u;
}

static void client_stop_timers(struct client *cl)
{
	sessdrv_keep_stop(&cl->drv);
	loop_timer_stop(cl->lp, &cl->t_retry);
}

static void client_restart(struct client *cl, const char *why, bool keep_dev, int delay_ms)
{
	bool was_up = cl->tunnel_up;
	uint64_t delay;

	if (cl->state == CL_EXITING)
		return;
	client_stop_timers(cl);
	client_sess_stop(cl);
	cl->tunnel_up = false;
	cl->pushed = cl->keys = false;
	push_opts_init(&cl->push);
	if (!keep_dev && !cl->privs_dropped)
		client_tun_down(cl);
	if (was_up) {
		delay = CLIENT_RECONNECT_UP_MS;
	} else {
		cl->attempts++;
		remote_advance(cl);
		delay = retry_delay_ms(cl);
		if (cl->cfg->connect_retry_max > 0 &&
		    cl->attempts >= (unsigned)cl->cfg->connect_retry_max * cl->n_remotes) {
			log_error("giving up after %u attempt(s) (connect-retry-max %d): %s",
				  cl->attempts, cl->cfg->connect_retry_max, why);
			client_shutdown(cl, CORE_EXIT_FAIL);
			return;
		}
	}
	if (delay_ms >= 0)
		delay = (uint64_t)delay_ms;
	cl->state = CL_WAIT;
	if (delay < 1000)
		log_notice("reconnecting now: %s", why);
	else
		log_notice("reconnecting in %llu s: %s", (unsigned long long)((delay + 999) / 1000),
			   why);
	loop_timer_in(cl->lp, &cl->t_retry, delay);
	client_write_status(cl);
}

void client_reconnect(struct client *cl, const char *why)
{
	client_restart(cl, why, cl->cfg->persist_tun, -1);
}

/* Stop for good: undo routes and the device, then leave the loop. */
static void client_finish(struct client *cl)
{
	client_stop_timers(cl);
	loop_timer_stop(cl->lp, &cl->t_exit);
	loop_timer_stop(cl->lp, &cl->t_status);
	client_sess_stop(cl);
	client_tun_down(cl);
	cl->tunnel_up = false;
	client_write_status(cl);
	log_notice("exiting%s", cl->exit_status ? " with an error" : "");
	loop_stop(cl->lp, cl->exit_status);
}

static void client_on_exit_timer(struct loop *lp, void *arg)
{
	struct client *cl = arg;

	(void)lp;
	client_finish(cl);
}

static int exit_notify_count(const struct client *cl)
{
	int n = cl->push.explicit_exit_notify > 0 ? cl->push.explicit_exit_notify :
		cl->cfg->explicit_exit_notify;

	return cl->proto == XPORT_UDP ? n : 0;
}

void client_shutdown(struct client *cl, int status)
{
	int n = exit_notify_count(cl);

	if (cl->state == CL_EXITING)
		return;
	cl->exit_status = status;
	if (cl->sess && cl->tunnel_up && n > 0) {
		/* Tell the server now so it frees our address; give it a moment to arrive. */
		log_notice("sending exit notification to the server");
		sess_send_exit(cl->sess, loop_clock_ms());
		sessdrv_pump(&cl->drv);
		cl->state = CL_EXITING;
		client_stop_timers(cl);
		loop_timer_in(cl->lp, &cl->t_exit, (uint64_t)(n > 2 ? 2 : n) * 1000u);
		return;
	}
	cl->state = CL_EXITING;
	client_finish(cl);
}

static void client_on_signal(struct loop *lp, int signo, void *arg)
{
	struct client *cl = arg;

	(void)lp;
	switch (signo) {
	case SIGINT:
	case SIGTERM:
		if (cl->state == CL_EXITING) {
			client_finish(cl);	/* second signal: stop waiting */
			return;
		}
		log_notice("%s received: shutting down", signo == SIGINT ? "SIGINT" : "SIGTERM");
		client_shutdown(cl, CORE_EXIT_OK);
		break;
	case SIGHUP:
		client_restart(cl, "SIGHUP: full restart", false, 0);
		break;
	case SIGUSR1:
		client_restart(cl, "SIGUSR1: soft restart", cl->cfg->persist_tun, 0);
		break;
	case SIGUSR2:
		client_write_status(cl);
		break;
	default:
		break;
	}
}

/* ---- setup ---- */

static void client_timers_init(struct client *cl)
{
	loop_timer_init(&cl->t_retry, client_on_retry, cl);
	loop_timer_init(&cl->t_exit, client_on_exit_timer, cl);
	loop_timer_init(&cl->t_status, client_on_status_timer, cl);
}

static int client_init(struct client *cl, struct cfg *cfg, const char *user, const char *pass)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };
	int e;

	cl->cfg = cfg;
	if (!cfg->remotes.n) {
		log_error("no remote in the profile: add 'remote HOST [PORT]'");
		return -EINVAL;
	}
	cl->order = calloc(cfg->remotes.n, sizeof(*cl->order));
	if (!cl->order)
		return -ENOMEM;
	remotes_order(cl);
	push_opts_init(&cl->push);
	e = client_sess_conf(cl);	/* zeroes sconf: credentials go in after */
	if (e < 0)
		return e;
	cl->sconf.username = user ? user : cfg->auth_user_pass.username;
	cl->sconf.password = pass ? pass : cfg->auth_user_pass.password;
	e = loop_new(&cl->lp);
	if (e < 0)
		return e;
	client_timers_init(cl);
	client_drv_init(cl);
	e = loop_signals(cl->lp, sigs, sizeof(sigs) / sizeof(sigs[0]), client_on_signal, cl);
	loop_signals_keep_blocked(cl->lp);	/* a 2nd SIGTERM must not kill the exit */
	if (e < 0)
		log_error("cannot set up signal handling: %s", strerror(-e));
	return e;
}

static void client_release(struct client *cl)
{
	client_sess_conf_free(cl);
	loop_free(cl->lp);
	free(cl->order);
}

int core_client_run(struct cfg *cfg)
{
	return core_client_run_creds(cfg, NULL, NULL);
}

int core_client_run_creds(struct cfg *cfg, const char *user, const char *pass)
{
	struct client *cl = calloc(1, sizeof(*cl));
	int status;

	if (!cl)
		return CORE_EXIT_FAIL;
	if (client_init(cl, cfg, user, pass) < 0) {
		client_release(cl);
		free(cl);
		return CORE_EXIT_FAIL;
	}
	if (cfg->status)
		client_on_status_timer(cl->lp, cl);
	client_attempt(cl);
	status = loop_run(cl->lp);
	if (status < 0)
		status = CORE_EXIT_FAIL;
	client_release(cl);
	free(cl);
	return status;
}
