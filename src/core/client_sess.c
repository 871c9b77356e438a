/* Client engine, session side: sess_conf from the profile, the transport, and the client's
 * callbacks of the session driver (sessdrv.c: the pump and the session's timers). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/client.h"
#include "core/client_impl.h"
#include "core/sessconf.h"
#include "util/log.h"

/* ---- configuration ---- */

/* The sess_conf and TLS context come from the code the server shares (sessconf.c). */
int client_sess_conf(struct client *cl)
{
	return core_sess_conf(cl->cfg, SESS_CLIENT, &cl->sconf, &cl->tls);
}

void client_sess_conf_free(struct client *cl)
{
	core_sess_conf_free(&cl->sconf, &cl->tls);
}

/* ---- session events ---- */

static void client_on_auth_failed(struct client *cl, const char *reason)
{
	const char *retry = cl->cfg->auth_retry;

	log_error("authentication failed%s%s: the server refused this client; check the "
		  "username/password (auth-user-pass) or the certificate, or ask the server's admin",
		  *reason ? ": " : "", reason);
	if (retry && strcmp(retry, "none") != 0) {
		client_reconnect(cl, "auth-retry");
		return;
	}
	client_shutdown(cl, CORE_EXIT_AUTH);
}

static void client_on_keys(struct client *cl, const struct sess_event *ev)
{
	cl->key_id = ev->key_id;
	snprintf(cl->cipher, sizeof(cl->cipher), "%s", ev->text);
	if (cl->tunnel_up) {
		log_notice("renegotiated: key id %u, cipher %s, key derivation %s", ev->key_id,
			   cl->cipher, ev->ekm ? "tls-ekm" : "prf");
		client_write_status(cl);
		return;
	}
	cl->keys = true;
	cl->ekm = ev->ekm;
	if (cl->pushed)
		client_tunnel_ready(cl);
}

static void client_on_event(struct client *cl, const struct sess_event *ev)
{
	struct sess_info info;
	char why[SESS_TEXT_MAX + 64];

	switch (ev->type) {
	case SESS_EV_TLS_UP:
		snprintf(cl->peer_cn, sizeof(cl->peer_cn), "%s", ev->text);
		sess_get_info(cl->sess, &info);
		/* Once the tunnel is up this is a renegotiation: "renegotiated" says it. */
		log_msg(cl->tunnel_up ? LOG_LVL_INFO : LOG_LVL_NOTICE,
			"TLS established: server '%s', %s, key id %u", ev->text,
			info.tls_version[0] ? info.tls_version : "TLS", ev->key_id);
		break;
	case SESS_EV_PUSH_REPLY:
		if (!ev->push)
			break;
		cl->push = *ev->push;
		cl->pushed = true;
		log_notice("authenticated: server sent its configuration");
		if (cl->keys && !cl->tunnel_up)
			client_tunnel_ready(cl);
		break;
	case SESS_EV_KEYS_READY:
		client_on_keys(cl, ev);
		break;
	case SESS_EV_AUTH_FAILED:
		client_on_auth_failed(cl, ev->text);
		break;
	case SESS_EV_AUTH_PENDING:
		log_notice("authentication pending: the server is waiting for more (e.g. MFA)");
		break;
	case SESS_EV_RESTART:
		snprintf(why, sizeof(why), "server asked to restart%s%s", *ev->text ? ": " : "",
			 ev->text);
		client_reconnect(cl, why);
		break;
	case SESS_EV_HALT:
		log_notice("server asked to stop%s%s", *ev->text ? ": " : "", ev->text);
		client_shutdown(cl, CORE_EXIT_OK);
		break;
	case SESS_EV_EXIT:
		client_reconnect(cl, "server is shutting down (exit notification)");
		break;
	case SESS_EV_ERROR:
		snprintf(why, sizeof(why), "session error: %s", ev->text);
		client_reconnect(cl, why);
		break;
	default:
		break;
	}
}

/* ---- the session driver's callbacks ---- */

static void client_send_wire(void *ctx, const uint8_t *pkt, size_t len)
{
	struct client *cl = ctx;
	int e = xport_send(cl->xp, pkt, len, NULL);

	if (e < 0 && e != -EAGAIN && e != -ECONNREFUSED)
		log_debug("send to server failed: %s", strerror(-e));
}

static void client_drv_tun(void *ctx, const uint8_t *pkt, size_t len)
{
	client_tun_write(ctx, pkt, len);
}

static void client_drv_event(void *ctx, const struct sess_event *ev)
{
	client_on_event(ctx, ev);
}

static const struct sessdrv_ops client_drv_ops = {
	.send_wire = client_send_wire,
	.write_tun = client_drv_tun,
	.on_event = client_drv_event,
	.on_timeout = client_on_drv_timeout,
};

void client_drv_init(struct client *cl)
{
	sessdrv_init(&cl->drv, cl->lp, &client_drv_ops, cl);
}

void client_on_wire(struct client *cl, const uint8_t *pkt, size_t len)
{
	if (!cl->sess)
		return;
	cl->heard = true;
	sessdrv_input(&cl->drv, pkt, len);
}

/* ---- transport callbacks ---- */

static void client_xp_recv(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
			   const struct xport_addr *from)
{
	struct client *cl = arg;

	(void)xp;
	/* UDP is connected to the server; anything else was filtered by the kernel. */
	(void)from;
	client_on_wire(cl, pkt, len);
}

static void client_xp_event(void *arg, struct xport *xp, enum xport_event ev, int err)
{
	struct client *cl = arg;
	char why[128];

	(void)xp;
	switch (ev) {
	case XPORT_EV_CONNECTED:
		log_notice("TCP connected to %s", cl->remote_str);
		cl->state = CL_HANDSHAKE;
		break;
	case XPORT_EV_CLOSED:
		if (err)
			snprintf(why, sizeof(why), "TCP connection to %s failed: %s",
				 cl->remote_str, strerror(-err));
		else
			snprintf(why, sizeof(why), "the server closed the TCP connection");
		client_reconnect(cl, why);
		break;
	case XPORT_EV_ERROR:
		/* ICMP unreachable: fatal only while nothing has been heard from the server. */
		if (!cl->heard) {
			snprintf(why, sizeof(why), "server %s not reachable: %s", cl->remote_str,
				 strerror(-err));
			client_reconnect(cl, why);
		} else {
			log_info("transport: %s (ignored, waiting for ping-restart)", strerror(-err));
		}
		break;
	}
}

static const struct xport_cb client_xp_cb = {
	.recv = client_xp_recv,
	.event = client_xp_event,
};

/* `lport`/`local` without `nobind`: bind there (an unset port stays ephemeral; OpenVPN's
 * implicit bind to 1194 would clash with a local server for no benefit). */
static int client_local_addr(struct client *cl, struct xport_addr *out)
{
	const struct cfg *c = cl->cfg;
	char port[8];
	size_t n;
	int e;

	if (c->nobind || (!c->lport_set && !c->local))
		return 0;
	snprintf(port, sizeof(port), "%u", c->lport_set ? c->lport : 0u);
	e = xport_resolve(c->local, port, xport_addr_family(&cl->remote), cl->proto, 1, out, 1,
			  &n);
	if (e < 0) {
		log_error("cannot use local address '%s' port %s: %s", c->local ? c->local : "*",
			  port, strerror(-e));
		return e;
	}
	return 1;
}

/* Opens the transport to cl->remote and starts a fresh session (new session id, new TLS). */
int client_sess_start(struct client *cl)
{
	const char *pname = cl->proto == XPORT_TCP ? "tcp" : "udp";
	struct xport_addr local;
	int bind, e;

	xport_addr_str(&cl->remote, cl->remote_str, sizeof(cl->remote_str));
	log_notice("connecting: %s to %s", pname, cl->remote_str);
	cl->sconf.transport = cl->proto == XPORT_TCP ? SESS_TCP : SESS_UDP;
	cl->sconf.unix_time = (uint32_t)time(NULL);
	cl->heard = false;
	bind = client_local_addr(cl, &local);
	if (bind < 0)
		return bind;
	if (cl->proto == XPORT_TCP)
		e = xport_tcp_connect(cl->lp, &cl->remote, bind ? &local : NULL, &client_xp_cb, cl,
				      &cl->xp);
	else
		e = xport_udp_open(cl->lp, xport_addr_family(&cl->remote), bind ? &local : NULL,
				   &cl->remote, &client_xp_cb, cl, &cl->xp);
	if (e < 0) {
		log_error("cannot open a %s socket to %s: %s", pname, cl->remote_str, strerror(-e));
		return e;
	}
	cl->sess = sess_new(&cl->sconf, loop_clock_ms());
	if (!cl->sess) {
		log_error("cannot create the protocol session (bad settings or out of memory)");
		xport_close(cl->xp);
		cl->xp = NULL;
		return -ENOMEM;
	}
	cl->state = cl->proto == XPORT_TCP ? CL_CONNECTING : CL_HANDSHAKE;
	cl->pushed = cl->keys = false;
	sessdrv_attach(&cl->drv, cl->sess);
	sessdrv_pump(&cl->drv);
	return 0;
}

void client_sess_stop(struct client *cl)
{
	sessdrv_detach(&cl->drv);
	if (cl->sess) {
		const struct sess_stats *st = sess_get_stats(cl->sess);

		cl->link_in += st->rx_bytes;
		cl->link_out += st->tx_bytes;
		sess_free(cl->sess);
		cl->sess = NULL;
	}
	if (cl->xp) {
		xport_close(cl->xp);
		cl->xp = NULL;
	}
}
