/* Least privilege after set-up (see sandbox.h and docs/architecture.md, "Scripts, DNS and
 * privileges"). Capabilities through libcap-ng, the system call filter through libseccomp. */
#include "core/sandbox.h"

#include <cap-ng.h>
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "config/config.h"
#include "core/dns.h"
#include "util/log.h"

/* What the event loop calls once set-up is over: strace -f of the client interop tests
 * (client_udp, client_tcp, client_restart, client_reneg) after the seccomp() call showed
 * epoll_wait, readv/writev on the device, recvmmsg/sendmsg/sendto on the socket, recvfrom,
 * getpid from OpenSSL, socket/bind/connect/setsockopt for a new attempt; the rest is what the
 * code reaches later, checked by the whole interop suite running with the filter on (a missing
 * call fails a test with the log line): a client re-creating its device and routes
 * (/dev/net/tun, ioctl, rtnetlink) and resolving the remote again (the resolver's /etc files
 * and sockets), the server accepting TCP clients, status, pool and log files (util/afile:
 * temporary file, fsync, rename; in place after the drop), ccd files, a CRL read again. Names,
 * not numbers: one that does not exist on this architecture is skipped. */
static const char *const sandbox_allow[] = {
	/* the loop, its timers and signals */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "epoll_create1", "poll", "ppoll",
	"timerfd_create", "timerfd_settime", "timerfd_gettime", "eventfd2", "signalfd4",
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "restart_syscall", "clock_gettime",
	"clock_nanosleep", "nanosleep", "gettimeofday",
	/* packets: device, UDP, TCP, rtnetlink, the resolver */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "recvfrom", "sendto", "recvmsg",
	"sendmsg", "recvmmsg", "sendmmsg", "socket", "connect", "bind", "accept4", "getsockname",
	"getpeername", "setsockopt", "getsockopt", "shutdown", "ioctl", "fcntl", "close",
	"close_range", "dup3",
	/* files */
	"openat", "open", "newfstatat", "fstat", "stat", "lstat", "statx", "lseek", "fsync",
	"fdatasync", "ftruncate", "rename", "renameat", "renameat2", "unlink", "unlinkat",
	"fchmod", "access", "faccessat", "faccessat2", "uname",
	/* crl-verify's watch (server_crl.c): its directory watched again after a reload */
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch",
	/* memory (malloc, OpenSSL, the resolver's modules), randomness, the process itself */
	"brk", "mmap", "munmap", "mremap", "madvise", "mprotect", "getrandom", "futex",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "exit", "exit_group",
};

/* Syscall names for the SIGSYS handler, resolved when the filter is built (the handler may
 * not allocate). */
#define SANDBOX_NAMES 512
static char *sandbox_names[SANDBOX_NAMES];
static int sandbox_log_fd = 2;

static void sandbox_put(char *buf, size_t *n, size_t cap, const char *s)
{
	while (*s && *n < cap)
		buf[(*n)++] = *s++;
}

/* Only async-signal-safe calls: write(2) and _exit(2). */
static void sandbox_sigsys(int sig, siginfo_t *si, void *uc)
{
	char buf[320], num[16];
	size_t n = 0, k = 0;
	int nr = si->si_syscall;
	unsigned v = nr < 0 ? 0 : (unsigned)nr;
	const char *name = nr >= 0 && nr < SANDBOX_NAMES && sandbox_names[nr] ?
			   sandbox_names[nr] : "unknown";

	(void)sig;
	(void)uc;
	do
		num[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof(num));
	sandbox_put(buf, &n, sizeof(buf), "error: seccomp: forbidden system call ");
	sandbox_put(buf, &n, sizeof(buf), name);
	sandbox_put(buf, &n, sizeof(buf), " (nr ");
	while (k && n < sizeof(buf))
		buf[n++] = num[--k];
	sandbox_put(buf, &n, sizeof(buf), "): stopping; please report it, and set no-sandbox "
		    "to run without the filter\n");
	if (write(sandbox_log_fd, buf, n) < 0 || sandbox_log_fd != 2)
		(void)!write(2, buf, n);
	_exit(SANDBOX_EXIT_SYSCALL);
}

int sandbox_seccomp_install(void)
{
	struct sigaction sa = { .sa_sigaction = sandbox_sigsys, .sa_flags = SA_SIGINFO };
	sigset_t set;
	scmp_filter_ctx ctx;
	int e = 0, nr;

	for (int i = 0; i < SANDBOX_NAMES; i++)
		if (!sandbox_names[i])
			sandbox_names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);
	sandbox_log_fd = log_fileno();
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	/* A blocked SIGSYS would kill without the handler's line. */
	if (sigaction(SIGSYS, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	e = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; !e && i < sizeof(sandbox_allow) / sizeof(sandbox_allow[0]); i++) {
		nr = seccomp_syscall_resolve_name(sandbox_allow[i]);
		if (nr < 0)
			continue;	/* not on this architecture */
		e = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	if (!e)
		e = seccomp_load(ctx);
	seccomp_release(ctx);
	return e < 0 ? e : (e ? -EINVAL : 0);
}

/* ---- the plan ---- */

static struct {
	bool prepared, entered, off;
	bool net_admin, bind_service;	/* kept while uid 0 stays */
	bool other_user;		/* user: every capability goes with uid 0 */
	const char *runs;		/* NULL, or what runs programs later: no filter then */
} sb;

/* What runs programs after set-up: they would inherit the filter (a shell needs far more than
 * the event loop). */
static const char *sandbox_runs(const struct cfg *c, enum sandbox_role role)
{
	if (c->down)
		return "down";
	if (role == SANDBOX_CLIENT) {
		if (c->up)
			return "up (run again on a reconnect)";
		if (dns_may_run())
			return "the DNS helper (resolvectl or resolvconf)";
		return NULL;
	}
	if (c->client_connect)
		return "client-connect";
	if (c->client_disconnect)
		return "client-disconnect";
	if (c->learn_address)
		return "learn-address";
	if (c->auth_user_pass_verify.script)
		return "auth-user-pass-verify";
	return NULL;
}

/* Whether this process holds capabilities at all (not when started by an ordinary user). */
static bool sandbox_has_caps(void)
{
	return capng_get_caps_process() == 0 &&
	       capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE;
}

int sandbox_prepare(const struct cfg *c, enum sandbox_role role)
{
	int e;

	if (sb.prepared)
		return 0;
	sb.prepared = true;
	if (c->no_sandbox) {
		sb.off = true;
		return 0;
	}
	sb.runs = sandbox_runs(c, role);
	sb.other_user = c->user != NULL;
	/* The client re-creates its device, addresses and routes on a reconnect (SIGHUP, ping-
	 * restart) unless it has dropped to another user; the server configures nothing after
	 * set-up, but a script it runs as root (down, client-connect, learn-address ...)
	 * usually does. */
	sb.net_admin = !sb.other_user && (role == SANDBOX_CLIENT || sb.runs);
	sb.bind_service = !sb.other_user && role == SANDBOX_CLIENT && !c->nobind &&
			  c->lport_set && c->lport > 0 && c->lport < 1024;
	if (!sandbox_has_caps())
		return 0;
	/* Started with a few capabilities but not CAP_SETPCAP (a service manager's
	 * AmbientCapabilities=): the bounding set is the service manager's to set. */
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP)) {
		log_info("sandbox: no CAP_SETPCAP, the capability bounding set stays as it is");
		return 0;
	}
	capng_clear(CAPNG_SELECT_BOUNDS);
	if (sb.net_admin)
		capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, CAP_NET_ADMIN);
	if (sb.bind_service)
		capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, CAP_NET_BIND_SERVICE);
	e = capng_apply(CAPNG_SELECT_BOUNDS);
	if (e < 0) {
		log_error("sandbox: cannot shrink the capability bounding set (libcap-ng %d); "
			  "no-sandbox runs without it", e);
		return -EPERM;
	}
	return 0;
}

int sandbox_enter(void)
{
	char kept[64];
	int e;

	if (!sb.prepared || sb.entered)
		return 0;
	sb.entered = true;
	if (sb.off) {
		log_notice("sandbox off (no-sandbox): every capability kept, no seccomp filter");
		return 0;
	}
	if (sandbox_has_caps()) {
		capng_clear(CAPNG_SELECT_CAPS);
		if (sb.net_admin)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
		if (sb.bind_service)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				     CAP_NET_BIND_SERVICE);
		e = capng_apply(CAPNG_SELECT_CAPS);
		if (e < 0) {
			log_error("sandbox: cannot drop capabilities (libcap-ng %d); no-sandbox "
				  "runs without it", e);
			return -EPERM;
		}
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	snprintf(kept, sizeof(kept), "%s%s%s", sb.net_admin ? "net_admin" : "",
		 sb.net_admin && sb.bind_service ? ", " : "",
		 sb.bind_service ? "net_bind_service" : "");
	if (!*kept)
		snprintf(kept, sizeof(kept), "none");
	if (sb.runs) {
		log_notice("sandbox: capabilities kept: %s; no seccomp filter: %s runs programs, "
			   "which would inherit it", kept, sb.runs);
		return 0;
	}
	e = sandbox_seccomp_install();
	if (e < 0) {
		log_error("sandbox: cannot install the seccomp filter: %s; no-sandbox runs "
			  "without it", strerror(-e));
		return e;
	}
	log_notice("sandbox: capabilities kept: %s; seccomp filter on", kept);
	return 0;
}
