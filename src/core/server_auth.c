/* auth-user-pass-verify SCRIPT via-file|via-env, run without blocking the event loop: the
 * child's exit is watched through a pidfd; a script that hangs is killed after 30 s. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/server_impl.h"
#include "util/log.h"

#define AUTH_TIMEOUT_MS 30000

static int auth_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* via-file: a 0600 file with the username and password on two lines. */
static int auth_write_file(struct peer *p)
{
	int fd;
	FILE *fp;

	snprintf(p->auth_file, sizeof(p->auth_file), "/tmp/burrow-auth.XXXXXX");
	fd = mkstemp(p->auth_file);
	if (fd < 0)
		return -errno;
	fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		return -errno;
	}
	fprintf(fp, "%s\n%s\n", sess_peer_username(p->sess), sess_peer_password(p->sess));
	return fclose(fp) == 0 ? 0 : -EIO;
}

static void auth_child(struct peer *p, bool via_file)
{
	const char *script = p->srv->cfg->auth_user_pass_verify.script;
	char ip[64], *port;

	snprintf(ip, sizeof(ip), "%s", p->addr_str);
	port = strrchr(ip, ':');
	if (port)
		*port++ = '\0';
	setenv("common_name", sess_peer_cn(p->sess), 1);
	setenv("untrusted_ip", ip[0] == '[' ? ip + 1 : ip, 1);
	setenv("untrusted_port", port ? port : "", 1);
	setenv("script_type", "user-pass-verify", 1);
	if (!via_file) {
		setenv("username", sess_peer_username(p->sess), 1);
		setenv("password", sess_peer_password(p->sess), 1);
	}
	execl("/bin/sh", "sh", "-c", via_file ? "exec \"$0\" \"$1\"" : "exec \"$0\"", script,
	      via_file ? p->auth_file : (char *)NULL, (char *)NULL);
	_exit(127);
}

static void auth_done(struct peer *p, int status)
{
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	server_auth_cancel(p);
	if (p->closing)
		return;
	if (!ok) {
		log_info("client '%s': auth-user-pass-verify refused (exit %d)", p->cn,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		server_peer_reject(p, "");
	} else {
		server_peer_authorize(p);
	}
	server_peer_pump(p);
}

static void auth_on_exit(struct loop *lp, uint32_t events, void *arg)
{
	struct peer *p = arg;
	int status = 0;

	(void)lp;
	(void)events;
	if (waitpid(p->auth_pid, &status, WNOHANG) != p->auth_pid)
		return;
	p->auth_pid = 0;
	server_peer_hold(p);
	auth_done(p, status);
	server_peer_unhold(p);
}

static void auth_on_timeout(struct loop *lp, void *arg)
{
	struct peer *p = arg;

	(void)lp;
	log_warn("client '%s': auth-user-pass-verify did not finish in %d s; refusing", p->cn,
		 AUTH_TIMEOUT_MS / 1000);
	server_peer_hold(p);
	auth_done(p, 1 << 8);
	server_peer_unhold(p);
}

int server_auth_start(struct peer *p)
{
	bool via_file = p->srv->cfg->auth_user_pass_verify.method == CFG_AUPV_VIA_FILE;
	pid_t pid;
	int e;

	if (via_file && (e = auth_write_file(p)) < 0) {
		log_error("auth-user-pass-verify: cannot write the credentials file: %s", strerror(-e));
		return e;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		auth_child(p, via_file);
	p->auth_pid = pid;
	e = auth_pidfd(pid);
	if (e < 0 || loop_io_add(p->srv->lp, &p->auth_io, e, EPOLLIN, auth_on_exit, p) < 0) {
		log_error("auth-user-pass-verify: cannot watch the script (pidfd_open needs Linux 5.3)");
		if (e >= 0)
			close(e);
		server_auth_cancel(p);
		return -ENOSYS;
	}
	p->auth_fd = e;
	loop_timer_init(&p->t_auth, auth_on_timeout, p);
	loop_timer_in(p->srv->lp, &p->t_auth, AUTH_TIMEOUT_MS);
	return 0;
}

/* Stops watching, kills a script still running and removes the credentials file. */
void server_auth_cancel(struct peer *p)
{
	if (p->auth_fd >= 0) {
		loop_io_del(p->srv->lp, &p->auth_io);
		close(p->auth_fd);
		p->auth_fd = -1;
	}
	if (loop_timer_armed(&p->t_auth))
		loop_timer_stop(p->srv->lp, &p->t_auth);
	if (p->auth_pid > 0) {
		kill(p->auth_pid, SIGKILL);
		waitpid(p->auth_pid, NULL, 0);
		p->auth_pid = 0;
	}
	if (p->auth_file[0]) {
		unlink(p->auth_file);
		p->auth_file[0] = '\0';
	}
}
