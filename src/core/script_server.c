/* Server scripts with OpenVPN's arguments and environment. up and down run to completion
 * (script_run). The per-client ones never block the event loop: client-connect is watched in
 * the loop (script_watch) and the client waits, not yet admitted, for it and for OpenVPN
 * 2.6's deferred answer (client_connect_deferred_file, watched with inotify);
 * client-disconnect and learn-address are queued and run one at a time, in order, for all
 * clients, each call's variables copied when it is queued (the client may be gone when it
 * runs). */
#include "core/script_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "core/script.h"
#include "core/server_impl.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/sanitize.h"

#define SCRIPT_CCD_MAX 65536
/* client-disconnect and learn-address calls waiting for the one running: beyond this many
 * a call is dropped (and logged). Each costs its variables' size, about 2 KB. */
#define SCRIPT_HOOKS_MAX 4096

static void dev_call(struct server *srv, struct script_call *sc, const char *what,
		     const char *cmd)
{
	const struct cfg *c = srv->cfg;
	unsigned mtu = (unsigned)c->tun_mtu;
	char local[INET_ADDRSTRLEN] = "", mask[INET_ADDRSTRLEN] = "";

	script_init(sc, what, cmd);
	script_env_cfg(sc, c);
	script_env(sc, "dev", "%s", srv->dev.name);
	script_env(sc, "dev_type", "%s", srv->dev.tap ? "tap" : "tun");
	script_env(sc, "tun_mtu", "%u", mtu);
	script_env(sc, "script_context", "init");
	script_env(sc, "daemon", "0");
	script_env(sc, "verb", "%d", c->verb);
	if (srv->has_pool || srv->srv_v4) {
		addr_v4_str(srv->srv_v4, local, sizeof(local));
		addr_v4_str(srv->srv_mask, mask, sizeof(mask));
		script_env(sc, "ifconfig_local", "%s", local);
		script_env(sc, "ifconfig_netmask", "%s", mask);
	}
	script_arg(sc, "%s", srv->dev.name);
	script_arg(sc, "%u", mtu);
	script_arg(sc, "0");	/* link_mtu: 0, as OpenVPN 2.6 passes */
	script_arg(sc, "%s", local);
	script_arg(sc, "%s", mask);
	script_arg(sc, "init");
}

int script_server_up(struct server *srv)
{
	struct script_call sc;

	if (!srv->cfg->up)
		return 0;
	dev_call(srv, &sc, "up", srv->cfg->up);
	return script_run(&sc, SCRIPT_TIMEOUT_MS);
}

void script_server_down(struct server *srv)
{
	struct script_call sc;

	script_server_hooks_flush(srv);
	if (!srv->cfg->down || !srv->dev.name[0])
		return;
	dev_call(srv, &sc, "down", srv->cfg->down);
	script_run(&sc, SCRIPT_TIMEOUT_MS);
}

/* The client's peer-info IV_/UV_ lines as variables, as OpenVPN 2.6 passes them: a line
 * with another key, or a key not of [A-Za-z0-9_], is left out; values sanitised
 * (util/sanitize.h). At most PEER_INFO_ENV_MAX lines, each shorter than 256 bytes. */
#define PEER_INFO_ENV_MAX 40
static void peer_info_env(const char *info, struct script_call *sc)
{
	unsigned n = 0;

	while (info && *info && n < PEER_INFO_ENV_MAX) {
		size_t len = strcspn(info, "\n");
		char line[256], *eq;

		if (len < sizeof(line)) {
			memcpy(line, info, len);
			line[len] = '\0';
			if (len && line[len - 1] == '\r')
				line[len - 1] = '\0';
			if (sanitize_peer_info_line(line) && (eq = strchr(line, '='))) {
				*eq = '\0';
				script_env(sc, line, "%s", eq + 1);
				n++;
			}
		}
		info += len + (info[len] == '\n');
	}
}

/* The client's identity: common_name, trusted_ip/port, username, peer-info, its tunnel
 * addresses. */
static void peer_env(struct peer *p, struct script_call *sc)
{
	char host[NI_MAXHOST], port[NI_MAXSERV], a[INET6_ADDRSTRLEN];

	const struct server *srv = p->srv;

	script_env_cfg(sc, srv->cfg);
	script_env(sc, "common_name", "%s", p->cn);
	if (getnameinfo((const struct sockaddr *)&p->addr.ss, p->addr.len, host, sizeof(host),
			port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
		script_env(sc, "trusted_ip", "%s", host);
		script_env(sc, "trusted_port", "%s", port);
		script_env(sc, "untrusted_ip", "%s", host);
		script_env(sc, "untrusted_port", "%s", port);
	}
	if (p->sess && *sess_peer_username(p->sess)) {
		char user[SCRIPT_ENV_MAX];

		script_env(sc, "username", "%s",
			   sanitize_name_copy(user, sizeof(user), sess_peer_username(p->sess)));
	}
	if (p->sess)
		peer_info_env(sess_peer_info(p->sess), sc);
	script_env(sc, "dev", "%s", srv->dev.name);
	script_env(sc, "dev_type", "%s", srv->dev.tap ? "tap" : "tun");
	script_env(sc, "tun_mtu", "%d", srv->cfg->tun_mtu);
	script_env(sc, "script_context", "init");
	script_env(sc, "verb", "%d", srv->cfg->verb);
	script_env(sc, "daemon", "0");
	if (srv->has_pool) {
		addr_v4_str(srv->srv_v4, a, sizeof(a));
		script_env(sc, "ifconfig_local", "%s", a);
		addr_v4_str(srv->srv_mask, a, sizeof(a));
		script_env(sc, "ifconfig_netmask", "%s", a);
	}
	if (p->has_v4) {
		addr_v4_str(p->v4, a, sizeof(a));
		script_env(sc, "ifconfig_pool_remote_ip", "%s", a);
		if (!srv->topo_net30) {
			addr_v4_str(srv->srv_mask, a, sizeof(a));
			script_env(sc, "ifconfig_pool_netmask", "%s", a);
		}
	}
	if (p->has_v6 && inet_ntop(AF_INET6, &p->v6, a, sizeof(a)))
		script_env(sc, "ifconfig_pool_remote_ip6", "%s", a);
	script_env(sc, "time_unix", "%lld", (long long)(p->since ? p->since : time(NULL)));
}

/* ---- client-connect ---- */

/* One client's client-connect: a private directory holding the config file (the script's
 * argument and $client_connect_config_file) and the deferred-status file. */
struct script_cc {
	struct peer *p;
	struct script_watch w;
	char dir[32];
	char cfg_path[48];
	char def_path[48];
	int ino_fd;		/* inotify on dir while deferred, else -1 */
	struct loop_io ino_io;
};

/* Reads what the script wrote (bounded) and parses it as ccd directives into p->ccd,
 * replacing a client-config-dir file. 0: nothing written; 1: applied; < 0: refuse. */
static int connect_output(struct peer *p, const char *path)
{
	char *buf = malloc(SCRIPT_CCD_MAX);
	struct cfg_ccd out;
	struct cfg_err err;
	ssize_t n = 0, r;
	int fd, e;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		free(buf);
		return errno == ENOENT ? 0 : -errno;
	}
	while (n < SCRIPT_CCD_MAX && (r = read(fd, buf + n, (size_t)(SCRIPT_CCD_MAX - n))) > 0)
		n += r;
	close(fd);
	if (n == 0) {
		free(buf);
		return 0;
	}
	memset(&out, 0, sizeof(out));
	memset(&err, 0, sizeof(err));
	e = cfg_ccd_parse(buf, (size_t)n, path, &out, &err);
	free(buf);
	if (e < 0) {
		log_warn("client '%s': client-connect output: %s", p->cn, err.text);
		cfg_ccd_free(&out);
		return e;
	}
	if (!p->ccd && !(p->ccd = calloc(1, sizeof(*p->ccd)))) {
		cfg_ccd_free(&out);
		return -ENOMEM;
	}
	cfg_ccd_free(p->ccd);
	*p->ccd = out;
	return p->ccd->disable ? -EACCES : 1;
}

/* The deferred file's first byte ('0' refuse, '1' done, '2' deferred), or 0 when it is
 * empty or missing. */
static int connect_status(const struct script_cc *cc)
{
	char c = 0;
	int fd = open(cc->def_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c;
}

static void cc_free(struct script_cc *cc)
{
	struct loop *lp = cc->p->srv->lp;

	script_watch_cancel(&cc->w);
	if (cc->ino_fd >= 0) {
		loop_io_del(lp, &cc->ino_io);
		close(cc->ino_fd);
	}
	unlink(cc->cfg_path);
	unlink(cc->def_path);
	rmdir(cc->dir);
	cc->p->cc = NULL;
	free(cc);
}

/* r: 0 admit, 1 admit with the script's directives, < 0 refuse. */
static void cc_finish(struct script_cc *cc, int r)
{
	struct peer *p = cc->p;

	if (r >= 0)
		r = connect_output(p, cc->cfg_path);
	cc_free(cc);
	server_peer_hold(p);
	server_peer_connect_done(p, r);
	sessdrv_pump(&p->drv);
	server_peer_unhold(p);
}

/* Acts on the deferred file's '1' (admit) or '0' (refuse). */
static void cc_decide(struct script_cc *cc, int c)
{
	if (c == '1') {
		cc_finish(cc, 0);
		return;
	}
	if (c == '0')
		log_info("client '%s': client-connect: client_connect_deferred_file says 0 "
			 "(failure)", cc->p->cn);
	else
		log_warn("client '%s': client-connect: client_connect_deferred_file starts "
			 "with byte 0x%02x, not 0, 1 or 2; refusing", cc->p->cn, c & 0xff);
	cc_finish(cc, -EACCES);
}

static void cc_on_change(struct loop *lp, uint32_t events, void *arg)
{
	struct script_cc *cc = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int c;

	(void)lp;
	(void)events;
	while (read(cc->ino_fd, buf, sizeof(buf)) > 0)
		;
	/* anything else (still 2, or being rewritten) waits for the next change */
	c = connect_status(cc);
	if (c == '1' || c == '0')
		cc_decide(cc, c);
}

/* The script said "2": its answer comes later through the deferred file. Bounded by the
 * client's handshake deadline (hand-window), which closes it and so cancels this. */
static void cc_defer(struct script_cc *cc)
{
	struct peer *p = cc->p;
	int e;

	cc->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (cc->ino_fd < 0 ||
	    inotify_add_watch(cc->ino_fd, cc->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY) < 0 ||
	    (e = loop_io_add(p->srv->lp, &cc->ino_io, cc->ino_fd, EPOLLIN, cc_on_change, cc)) < 0) {
		log_error("client '%s': client-connect deferred, but its file cannot be watched: %s",
			  p->cn, strerror(errno));
		if (cc->ino_fd >= 0)
			close(cc->ino_fd);
		cc->ino_fd = -1;
		cc_finish(cc, -EIO);
		return;
	}
	log_info("client '%s': client-connect deferred", p->cn);
	/* what was written between the script's exit and the watch */
	cc_on_change(p->srv->lp, 0, cc);
}

static void cc_on_exit(void *arg, int status)
{
	struct script_cc *cc = arg;
	int c;

	if (status != 0) {
		if (status > 0)
			log_info("client '%s': client-connect exited with status %d", cc->p->cn,
				 status);
		else
			log_info("client '%s': client-connect was killed", cc->p->cn);
		cc_finish(cc, -EACCES);
		return;
	}
	/* an empty file: a script that knows nothing of deferral, as 1 */
	c = connect_status(cc);
	if (c == '2')
		cc_defer(cc);
	else
		cc_decide(cc, c ? c : '1');
}

static int cc_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int script_server_connect(struct peer *p)
{
	struct script_cc *cc;
	struct script_call sc;
	int e;

	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return -ENOMEM;
	cc->p = p;
	cc->ino_fd = -1;
	script_watch_init(&cc->w);
	snprintf(cc->dir, sizeof(cc->dir), "/tmp/burrow-cc.XXXXXX");
	if (!mkdtemp(cc->dir)) {
		e = -errno;
		log_error("client-connect: cannot create its directory: %s", strerror(-e));
		free(cc);
		return e;
	}
	snprintf(cc->cfg_path, sizeof(cc->cfg_path), "%s/config", cc->dir);
	snprintf(cc->def_path, sizeof(cc->def_path), "%s/deferred", cc->dir);
	p->cc = cc;
	if ((e = cc_file(cc->cfg_path)) < 0 || (e = cc_file(cc->def_path)) < 0) {
		log_error("client-connect: cannot create its files: %s", strerror(-e));
		cc_free(cc);
		return e;
	}
	script_init(&sc, "client-connect", p->srv->cfg->client_connect);
	peer_env(p, &sc);
	script_env(&sc, "client_connect_config_file", "%s", cc->cfg_path);
	script_env(&sc, "client_connect_deferred_file", "%s", cc->def_path);
	script_arg(&sc, "%s", cc->cfg_path);
	e = script_watch_start(&cc->w, p->srv->lp, &sc, SCRIPT_TIMEOUT_MS, cc_on_exit, cc);
	if (e < 0)
		cc_free(cc);
	return e;
}

void script_server_connect_cancel(struct peer *p)
{
	if (p->cc)
		cc_free(p->cc);
}

/* ---- client-disconnect and learn-address: one queue for the server ---- */

struct hook_job {
	struct hook_job *next;
	struct script_packed *pk;
};

struct script_hooks {
	struct server *srv;
	struct hook_job *head, *tail;
	unsigned n;
	struct script_watch w;
	const char *running;	/* what the running one is, for its log line */
};

static void hooks_next(struct script_hooks *h);

static void hooks_on_done(void *arg, int status)
{
	struct script_hooks *h = arg;

	if (status > 0)
		log_error("%s: exited with status %d", h->running, status);
	hooks_next(h);
}

static void hooks_next(struct script_hooks *h)
{
	struct script_call *sc = NULL;
	struct hook_job *j;
	int e;

	while (!script_watch_busy(&h->w) && (j = h->head)) {
		if (!sc)
			sc = malloc(sizeof(*sc));	/* 30 KB: not on the loop's stack */
		h->head = j->next;
		if (!h->head)
			h->tail = NULL;
		h->n--;
		e = -ENOMEM;
		if (sc) {
			script_unpack(j->pk, sc);
			h->running = sc->what;
			e = script_watch_start(&h->w, h->srv->lp, sc, SCRIPT_TIMEOUT_MS,
					       hooks_on_done, h);
		}
		if (e < 0)
			log_error("%s: cannot run: %s", sc ? sc->what : "script", strerror(-e));
		free(j->pk);
		free(j);
	}
	free(sc);
}

/* Queues the call (its variables copied now) and starts it when nothing else runs. */
static void hooks_push(struct server *srv, const struct script_call *sc)
{
	struct script_hooks *h = srv->hooks;
	struct hook_job *j;

	if (!h) {
		h = calloc(1, sizeof(*h));
		if (!h) {
			log_error("%s: out of memory; not run", sc->what);
			return;
		}
		h->srv = srv;
		script_watch_init(&h->w);
		srv->hooks = h;
	}
	if (h->n >= SCRIPT_HOOKS_MAX) {
		log_error("%s: %u calls already waiting; not run", sc->what, h->n);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j || !(j->pk = script_pack(sc))) {
		free(j);
		log_error("%s: out of memory; not run", sc->what);
		return;
	}
	if (h->tail)
		h->tail->next = j;
	else
		h->head = j;
	h->tail = j;
	h->n++;
	hooks_next(h);
}

void script_server_hooks_flush(struct server *srv)
{
	struct script_hooks *h = srv->hooks;
	struct hook_job *j;
	int st;

	if (!h)
		return;
	if (script_watch_busy(&h->w) && (st = script_watch_finish(&h->w)) > 0)
		log_error("%s: exited with status %d", h->running, st);
	while ((j = h->head)) {
		struct script_call *sc = malloc(sizeof(*sc));

		h->head = j->next;
		if (sc) {
			script_unpack(j->pk, sc);
			script_run(sc, SCRIPT_TIMEOUT_MS);
			free(sc);
		}
		free(j->pk);
		free(j);
	}
	free(h);
	srv->hooks = NULL;
}

void script_server_disconnect(struct peer *p)
{
	struct script_call sc;

	if (!p->srv->cfg->client_disconnect)
		return;
	script_init(&sc, "client-disconnect", p->srv->cfg->client_disconnect);
	peer_env(p, &sc);
	script_env(&sc, "bytes_received", "%llu", (unsigned long long)p->tun_in);
	script_env(&sc, "bytes_sent", "%llu", (unsigned long long)p->tun_out);
	script_env(&sc, "time_duration", "%lld", (long long)(time(NULL) - p->since));
	hooks_push(p->srv, &sc);
}

static void learn_one(struct peer *p, const char *op, const char *addr)
{
	struct script_call sc;

	script_init(&sc, "learn-address", p->srv->cfg->learn_address);
	peer_env(p, &sc);
	script_arg(&sc, "%s", op);
	script_arg(&sc, "%s", addr);
	if (strcmp(op, "delete") != 0)
		script_arg(&sc, "%s", p->cn);
	hooks_push(p->srv, &sc);
}

void script_server_learn(struct peer *p, const char *op)
{
	char a[INET6_ADDRSTRLEN];

	if (!p->srv->cfg->learn_address)
		return;
	if (p->has_v4) {
		addr_v4_str(p->v4, a, sizeof(a));
		learn_one(p, op, a);
	}
	if (p->has_v6 && inet_ntop(AF_INET6, &p->v6, a, sizeof(a)))
		learn_one(p, op, a);
}
