/* crl-verify while the server runs: a new CRL counts without a restart.
 *
 * The CRL file's directory (or, in the dir form, the directory of revoked serials) is
 * watched with inotify in the event loop, so nothing wakes while nothing changes. When the
 * file is written (closed after writing, renamed over, created, deleted) or on SIGHUP, the
 * file is parsed into a new CRL list for the TLS context (proto/tls_crl.c): new handshakes
 * use it at once, and an unreadable or invalid file keeps the list in use, with a warning
 * naming the file and the reason. Then every client whose certificate the new list revokes
 * is told to restart and dropped (server_crl_sweep). */
#include "core/server_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/tls.h"
#include "util/log.h"

struct server_crl {
	struct server *srv;
	const char *path;		/* the file, or the directory of the dir form */
	bool is_dir;
	int fd;				/* inotify */
	int wd;
	struct loop_io io;
	char name[NAME_MAX + 1];	/* the file's name in the watched directory */
	struct stat last;		/* the file as last loaded (or found invalid) */
	bool have_last;
};

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void server_crl_sweep(struct server *srv)
{
	const char *path = srv->crl ? srv->crl->path : "inline";
	unsigned n = 0;

	for (uint32_t i = 0; i < srv->n_slots; i++) {
		struct peer *p = srv->peers[i];
		char why[TLS_ERR_MAX] = "";

		if (!p || p->closing || !p->sess ||
		    tls_conf_cert_revoked(srv->tls, sess_peer_cert(p->sess), why, sizeof(why)) != 1)
			continue;
		log_notice("client '%s' (%s): certificate revoked (CRL %s): %s",
			   p->cn[0] ? p->cn : sess_peer_cn(p->sess), p->addr_str, path, why);
		server_peer_hold(p);
		/* Tell it, as OpenVPN's kill does: it reconnects at once and is refused in the
		 * handshake, instead of waiting for its ping-restart. */
		if (p->state == PEER_ACTIVE && sess_send_exit(p->sess, loop_clock_ms()) == 0)
			sessdrv_pump(&p->drv);
		server_peer_close(p, "certificate revoked");
		server_peer_unhold(p);
		n++;
	}
	if (n)
		log_notice("crl-verify: dropped %u client%s", n, n == 1 ? "" : "s");
}

/* force: SIGHUP reloads even an unchanged file. */
static void crl_reload(struct server_crl *cr, bool force)
{
	struct tls_pem pem = { .path = cr->path };
	char err[TLS_ERR_MAX];
	struct stat st;
	int rc;

	if (cr->is_dir) {
		server_crl_sweep(cr->srv);
		return;
	}
	if (stat(cr->path, &st) != 0) {
		log_warn("crl-verify: cannot read %s: %s; keeping the CRL loaded before",
			 cr->path, strerror(errno));
		return;
	}
	if (!force && cr->have_last && same_file(&st, &cr->last))
		return;
	cr->last = st;
	cr->have_last = true;
	rc = tls_conf_reload_crl(cr->srv->tls, &pem, err, sizeof(err));
	if (rc < 0) {
		log_warn("crl-verify: %s not loaded (%s); keeping the CRL loaded before", cr->path,
			 err[0] ? err : strerror(-rc));
		return;
	}
	log_notice("crl-verify: %s reloaded", cr->path);
	server_crl_sweep(cr->srv);
}

/* SIGHUP. An inline <crl-verify> block has nothing to read again. */
void server_crl_reload(struct server *srv)
{
	if (srv->crl)
		crl_reload(srv->crl, true);
}

/* What happened to our name in one batch of events. */
static uint32_t crl_events(struct server_crl *cr)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	uint32_t mask = 0;
	ssize_t n;

	while ((n = read(cr->fd, buf, sizeof(buf))) > 0) {
		for (char *q = buf; q < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)q;

			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED))
				mask |= ev->mask;
			else if (cr->is_dir || (ev->len && strcmp(ev->name, cr->name) == 0))
				mask |= ev->mask;
			q += sizeof(*ev) + ev->len;
		}
	}
	return mask;
}

static void crl_on_inotify(struct loop *lp, uint32_t events, void *arg)
{
	struct server_crl *cr = arg;
	uint32_t m = crl_events(cr);
	struct stat st;

	(void)events;
	if (m & IN_IGNORED) {
		log_warn("crl-verify: %s: its directory is gone; no more reloads until a "
			 "restart (SIGHUP still reloads the path)", cr->path);
		loop_io_del(lp, &cr->io);
		close(cr->fd);
		cr->fd = -1;
		return;
	}
	if (!m)
		return;
	if (cr->is_dir) {
		if (m & (IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_Q_OVERFLOW))
			server_crl_sweep(cr->srv);	/* a file removed revokes nothing */
		return;
	}
	/* A file just created is empty until its writer closes it (IN_CLOSE_WRITE follows). */
	if (!(m & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_Q_OVERFLOW | IN_DELETE | IN_MOVED_FROM)) &&
	    stat(cr->path, &st) == 0 && st.st_size == 0)
		return;
	crl_reload(cr, false);
}

void server_crl_init(struct server *srv)
{
	const struct cfg *c = srv->cfg;
	struct server_crl *cr;
	char dir[PATH_MAX];
	const char *slash;
	uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM;

	if (!c->crl.path || !srv->tls)
		return;		/* none, or inline */
	cr = calloc(1, sizeof(*cr));
	if (!cr)
		return;
	cr->srv = srv;
	cr->path = c->crl.path;
	cr->is_dir = c->crl_is_dir;
	cr->fd = -1;
	srv->crl = cr;
	if (!cr->is_dir)
		cr->have_last = stat(cr->path, &cr->last) == 0;
	slash = strrchr(cr->path, '/');
	if (cr->is_dir)
		snprintf(dir, sizeof(dir), "%s", cr->path);
	else if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == cr->path ? 1 : (int)(slash - cr->path),
			 cr->path);
	snprintf(cr->name, sizeof(cr->name), "%s", slash ? slash + 1 : cr->path);
	cr->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (cr->fd < 0 || (cr->wd = inotify_add_watch(cr->fd, dir, mask | IN_ONLYDIR)) < 0 ||
	    loop_io_add(srv->lp, &cr->io, cr->fd, EPOLLIN, crl_on_inotify, cr) < 0) {
		log_warn("crl-verify: cannot watch %s (%s): %s is reloaded on SIGHUP only", dir,
			 strerror(errno), cr->path);
		if (cr->fd >= 0)
			close(cr->fd);
		cr->fd = -1;
		return;
	}
	log_info("crl-verify: watching %s for changes to %s", dir, cr->path);
}

void server_crl_free(struct server *srv)
{
	struct server_crl *cr = srv->crl;

	if (!cr)
		return;
	if (cr->fd >= 0) {
		loop_io_del(srv->lp, &cr->io);
		close(cr->fd);
	}
	free(cr);
	srv->crl = NULL;
}
