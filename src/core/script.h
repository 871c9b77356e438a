/* User scripts (up, down, client-connect, client-disconnect, learn-address) run the way
 * OpenVPN runs them: the directive's command line through /bin/sh, then our arguments, with
 * OpenVPN's environment variables added. Started with fork/exec; either waited for with a
 * time limit (script_run: up, down, DNS) or watched through its pidfd in the event loop
 * (script_watch: auth-user-pass-verify, client-connect, client-disconnect, learn-address). */
#ifndef BURROW_CORE_SCRIPT_H
#define BURROW_CORE_SCRIPT_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/loop.h"

#define SCRIPT_MAX_ARGS 8
#define SCRIPT_ARG_MAX 128
#define SCRIPT_MAX_ENV 96
#define SCRIPT_ENV_MAX 320
/* How long a script may run before it is killed (script_run's callers, and the server's
 * client-connect, client-disconnect and learn-address). */
#define SCRIPT_TIMEOUT_MS 30000

/* One call: built on the stack, then run. Fixed sizes so nothing is allocated in the child. */
struct script_call {
	const char *what;	/* "up", "learn-address" ...: for the log and $script_type */
	const char *cmd;	/* the directive's command line */
	int argc;
	char argv[SCRIPT_MAX_ARGS][SCRIPT_ARG_MAX];
	int envc;
	char env[SCRIPT_MAX_ENV][SCRIPT_ENV_MAX];
	bool overflow;		/* an argument or variable did not fit: the call is refused */
	const char *input;	/* NULL, or text for the child's stdin (at most SCRIPT_INPUT_MAX) */
};

#define SCRIPT_INPUT_MAX 16384	/* below a pipe's buffer: writing it never blocks */

/* Starts a call for directive WHAT running CMD; sets script_type=WHAT. */
void script_init(struct script_call *sc, const char *what, const char *cmd);
/* Appends an argument / sets NAME=value (printf format). Too long or too many sets
 * sc->overflow and is reported by the run. */
void script_arg(struct script_call *sc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void script_env(struct script_call *sc, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct cfg;
/* Adds the config's `setenv NAME VALUE` lines, as OpenVPN passes them to every script. */
void script_env_cfg(struct script_call *sc, const struct cfg *c);

/* Forks and execs the call. *pidfd watches the child's exit (EPOLLIN/POLLIN when it ends).
 * Returns 0 or -errno. */
int script_spawn(const struct script_call *sc, pid_t *pid, int *pidfd);
/* Collects a child whose pidfd became readable (or kills it first when KILL): returns its exit
 * status 0-255, or -EINTR when killed by a signal. Closes pidfd. */
int script_reap(pid_t pid, int pidfd, bool kill_it);
/* Runs the call and waits for it at most timeout_ms: its exit status 0-255, -ETIMEDOUT (killed),
 * -EINTR (died from a signal) or -errno. Logs a failure naming the directive. */
int script_run(const struct script_call *sc, int timeout_ms);

/* ---- a child watched by the event loop: the loop never waits for it ---- */

/* status: the exit status 0-255, -ETIMEDOUT (killed at the time limit), -EINTR (died from a
 * signal) or -ECHILD. Called once, after the child is reaped; the watch is idle by then and
 * the callback may free the memory that holds it. */
typedef void (*script_done_fn)(void *arg, int status);

struct script_watch {
	struct loop *lp;
	const char *what;	/* a string literal: for the log */
	pid_t pid;
	int pidfd;		/* -1 when idle */
	struct loop_io io;
	struct loop_timer timer;
	uint64_t timeout_ms;
	script_done_fn done;
	void *arg;
};

/* Makes the watch idle (before any other call on it). */
void script_watch_init(struct script_watch *w);
static inline bool script_watch_busy(const struct script_watch *w) { return w->pidfd >= 0; }
/* Spawns the call and watches it in LP; after timeout_ms it is killed (with its process
 * group) and done gets -ETIMEDOUT. done is never called from inside this call. Returns 0, or
 * -errno with nothing started. */
int script_watch_start(struct script_watch *w, struct loop *lp, const struct script_call *sc,
		       uint64_t timeout_ms, script_done_fn done, void *arg);
/* Kills and reaps a running child; done is not called. Idle watches: nothing. */
void script_watch_cancel(struct script_watch *w);
/* Waits (blocking) for the running child for what is left of its time limit, killing it
 * then; done is not called. Returns the status as done would get it. For the way out. */
int script_watch_finish(struct script_watch *w);

/* A call kept for later in one malloc'd block of its exact size (a queued hook). */
struct script_packed;
struct script_packed *script_pack(const struct script_call *sc);
void script_unpack(const struct script_packed *pk, struct script_call *sc);

#endif
