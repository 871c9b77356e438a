/* Script runner: /bin/sh -c 'CMD "$@"' sh ARGS... with the call's variables in the child's
 * environment, so a command line with its own words ("up /x/y.sh extra") works like OpenVPN's. */
#include "core/script.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "util/log.h"

void script_init(struct script_call *sc, const char *what, const char *cmd)
{
	memset(sc, 0, sizeof(*sc));
	sc->what = what;
	sc->cmd = cmd;
	script_env(sc, "script_type", "%s", what);
}

void script_arg(struct script_call *sc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sc->argc >= SCRIPT_MAX_ARGS) {
		sc->overflow = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(sc->argv[sc->argc], SCRIPT_ARG_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= SCRIPT_ARG_MAX)
		sc->overflow = true;
	else
		sc->argc++;
}

void script_env(struct script_call *sc, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *slot;
	int n, m;

	if (sc->envc >= SCRIPT_MAX_ENV) {
		sc->overflow = true;
		return;
	}
	slot = sc->env[sc->envc];
	n = snprintf(slot, SCRIPT_ENV_MAX, "%s=", name);
	if (n < 0 || n >= SCRIPT_ENV_MAX) {
		sc->overflow = true;
		return;
	}
	va_start(ap, fmt);
	m = vsnprintf(slot + n, (size_t)(SCRIPT_ENV_MAX - n), fmt, ap);
	va_end(ap);
	if (m < 0 || m >= SCRIPT_ENV_MAX - n)
		sc->overflow = true;
	else
		sc->envc++;
}

void script_env_cfg(struct script_call *sc, const struct cfg *c)
{
	for (size_t i = 0; i < c->setenv.n; i++)
		if (c->setenv.v[i].name[0] && !strchr(c->setenv.v[i].name, '='))
			script_env(sc, c->setenv.v[i].name, "%s", c->setenv.v[i].value);
}

/* In the child: only async-signal-safe work plus putenv on our own (copied) memory. */
static void script_child(const struct script_call *sc, const char *shcmd, int in)
{
	char *argv[SCRIPT_MAX_ARGS + 5];
	int n = 0;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);	/* the loop blocks signals; a script must not */
	setpgid(0, 0);	/* its own group: a kill on timeout reaches what the script started */
	if (in >= 0 && dup2(in, 0) < 0)
		_exit(127);
	/* not every descriptor of ours is close-on-exec: a script gets no tunnel or socket */
	syscall(SYS_close_range, 3u, ~0u, 0u);
	for (int i = 0; i < sc->envc; i++)
		putenv((char *)sc->env[i]);
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = (char *)shcmd;
	argv[n++] = "sh";
	for (int i = 0; i < sc->argc; i++)
		argv[n++] = (char *)sc->argv[i];
	argv[n] = NULL;
	execv("/bin/sh", argv);
	_exit(127);
}

/* The child's stdin: a pipe already holding all of sc->input (it fits the pipe's buffer). */
static int script_input(const struct script_call *sc, int *rd)
{
	size_t len = strlen(sc->input);
	int fds[2];
	ssize_t w;

	if (len > SCRIPT_INPUT_MAX)
		return -E2BIG;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	w = write(fds[1], sc->input, len);
	close(fds[1]);
	if (w != (ssize_t)len) {
		close(fds[0]);
		return -EIO;
	}
	*rd = fds[0];
	return 0;
}

int script_spawn(const struct script_call *sc, pid_t *pid, int *pidfd)
{
	char shcmd[1024];
	int n, fd, e, in = -1;
	pid_t p;

	if (sc->overflow) {
		log_error("%s %s: an argument or variable is too long; not run", sc->what, sc->cmd);
		return -E2BIG;
	}
	n = snprintf(shcmd, sizeof(shcmd), "%s \"$@\"", sc->cmd);
	if (n < 0 || (size_t)n >= sizeof(shcmd))
		return -E2BIG;
	if (sc->input && (e = script_input(sc, &in)) < 0)
		return e;
	p = fork();
	if (p < 0) {
		e = -errno;
		goto out;
	}
	if (p == 0)
		script_child(sc, shcmd, in);
	setpgid(p, p);	/* also here, so a kill right after the fork reaches the group */
	fd = (int)syscall(SYS_pidfd_open, p, 0);
	if (fd < 0) {
		e = -errno;
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
		log_error("%s: cannot watch the script (pidfd_open needs Linux 5.3)", sc->what);
		goto out;
	}
	*pid = p;
	*pidfd = fd;
	e = 0;
out:
	if (in >= 0)
		close(in);
	return e;
}

int script_reap(pid_t pid, int pidfd, bool kill_it)
{
	int status = 0;
	pid_t r;

	if (kill_it) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);	/* in case it had not made its group yet */
	}
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	close(pidfd);
	if (r != pid)
		return -ECHILD;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -EINTR;
}

/* Blocks until the child behind pidfd exits or the monotonic clock reaches end: the last
 * poll's result (> 0 exited; 0, or -1 with errno EINTR, when the time ran out). */
static int script_wait_until(int pidfd, uint64_t end)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r = 0;

	for (;;) {
		uint64_t t = loop_clock_ms();

		if (t >= end)
			return r;
		r = poll(&pfd, 1, (int)(end - t));
		if (r > 0 || (r < 0 && errno != EINTR))
			return r;
	}
}

int script_run(const struct script_call *sc, int timeout_ms)
{
	uint64_t end = loop_clock_ms() + (uint64_t)timeout_ms;
	pid_t pid;
	int e, r, pidfd;

	e = script_spawn(sc, &pid, &pidfd);
	if (e < 0)
		return e;
	r = script_wait_until(pidfd, end);
	e = script_reap(pid, pidfd, r <= 0);
	if (r == 0 || (r < 0 && e == -EINTR)) {
		log_error("%s %s: did not finish in %.1f s; killed", sc->what, sc->cmd,
			  timeout_ms / 1000.0);
		return -ETIMEDOUT;
	}
	if (e < 0)
		log_error("%s %s: killed by a signal", sc->what, sc->cmd);
	else if (e > 0)
		log_error("%s %s: exited with status %d", sc->what, sc->cmd, e);
	return e;
}

/* ---- watched children ---- */

void script_watch_init(struct script_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->pidfd = -1;
}

static void script_watch_stop(struct script_watch *w)
{
	loop_io_del(w->lp, &w->io);
	if (loop_timer_armed(&w->timer))
		loop_timer_stop(w->lp, &w->timer);
}

static void script_watch_end(struct script_watch *w, bool kill_it)
{
	script_done_fn done = w->done;
	void *arg = w->arg;
	int status;

	script_watch_stop(w);
	status = script_reap(w->pid, w->pidfd, kill_it);
	w->pidfd = -1;
	w->pid = 0;
	if (kill_it) {
		log_warn("%s: did not finish in %.1f s; killed", w->what, w->timeout_ms / 1000.0);
		status = -ETIMEDOUT;
	} else if (status == -EINTR) {
		log_warn("%s: killed by a signal", w->what);
	}
	done(arg, status);	/* may free w */
}

static void script_watch_on_exit(struct loop *lp, uint32_t events, void *arg)
{
	struct script_watch *w = arg;

	(void)lp;
	(void)events;
	if (w->pidfd >= 0)
		script_watch_end(w, false);
}

static void script_watch_on_timeout(struct loop *lp, void *arg)
{
	struct script_watch *w = arg;

	(void)lp;
	if (w->pidfd >= 0)
		script_watch_end(w, true);
}

int script_watch_start(struct script_watch *w, struct loop *lp, const struct script_call *sc,
		       uint64_t timeout_ms, script_done_fn done, void *arg)
{
	pid_t pid;
	int fd, e;

	if (w->pidfd >= 0)
		return -EBUSY;
	e = script_spawn(sc, &pid, &fd);
	if (e < 0)
		return e;
	w->lp = lp;
	w->what = sc->what;
	w->timeout_ms = timeout_ms;
	w->done = done;
	w->arg = arg;
	e = loop_io_add(lp, &w->io, fd, EPOLLIN, script_watch_on_exit, w);
	if (e == 0) {
		loop_timer_init(&w->timer, script_watch_on_timeout, w);
		e = loop_timer_in(lp, &w->timer, timeout_ms);
		if (e < 0)
			loop_io_del(lp, &w->io);
	}
	if (e < 0) {
		script_reap(pid, fd, true);
		return e;
	}
	w->pid = pid;
	w->pidfd = fd;
	return 0;
}

void script_watch_cancel(struct script_watch *w)
{
	if (w->pidfd < 0)
		return;
	script_watch_stop(w);
	script_reap(w->pid, w->pidfd, true);
	w->pidfd = -1;
	w->pid = 0;
}

int script_watch_finish(struct script_watch *w)
{
	int r, status;

	if (w->pidfd < 0)
		return -ECHILD;
	r = script_wait_until(w->pidfd, w->timer.deadline);
	script_watch_stop(w);
	status = script_reap(w->pid, w->pidfd, r <= 0);
	w->pidfd = -1;
	w->pid = 0;
	if (r <= 0) {
		log_warn("%s: did not finish in %.1f s; killed", w->what, w->timeout_ms / 1000.0);
		status = -ETIMEDOUT;
	}
	return status;
}

/* ---- packed calls: cmd, arguments and variables, each NUL-terminated, one after another ---- */

struct script_packed {
	const char *what;
	bool overflow;
	int argc, envc;
	char text[];
};

struct script_packed *script_pack(const struct script_call *sc)
{
	size_t n = strlen(sc->cmd) + 1, off;
	struct script_packed *pk;

	for (int i = 0; i < sc->argc; i++)
		n += strlen(sc->argv[i]) + 1;
	for (int i = 0; i < sc->envc; i++)
		n += strlen(sc->env[i]) + 1;
	pk = malloc(sizeof(*pk) + n);
	if (!pk)
		return NULL;
	pk->what = sc->what;
	pk->overflow = sc->overflow;
	pk->argc = sc->argc;
	pk->envc = sc->envc;
	off = 0;
#define PUT(s) do { size_t l_ = strlen(s) + 1; memcpy(pk->text + off, (s), l_); off += l_; } while (0)
	PUT(sc->cmd);
	for (int i = 0; i < sc->argc; i++)
		PUT(sc->argv[i]);
	for (int i = 0; i < sc->envc; i++)
		PUT(sc->env[i]);
#undef PUT
	return pk;
}

/* sc->cmd points into pk: keep pk until the call is spawned. */
void script_unpack(const struct script_packed *pk, struct script_call *sc)
{
	const char *t = pk->text;

	memset(sc, 0, sizeof(*sc));
	sc->what = pk->what;
	sc->overflow = pk->overflow;
	sc->cmd = t;
	t += strlen(t) + 1;
	sc->argc = pk->argc;
	for (int i = 0; i < pk->argc; i++) {
		snprintf(sc->argv[i], SCRIPT_ARG_MAX, "%s", t);
		t += strlen(t) + 1;
	}
	sc->envc = pk->envc;
	for (int i = 0; i < pk->envc; i++) {
		snprintf(sc->env[i], SCRIPT_ENV_MAX, "%s", t);
		t += strlen(t) + 1;
	}
}
