/* Least privilege after set-up: the capabilities the process still needs (libcap-ng) and a
 * seccomp filter allowing only the system calls the event loop makes (libseccomp). Shared by
 * the client and the server; `no-sandbox` turns both off for debugging. */
#ifndef BURROW_CORE_SANDBOX_H
#define BURROW_CORE_SANDBOX_H

#include <stdbool.h>

struct cfg;

enum sandbox_role { SANDBOX_CLIENT, SANDBOX_SERVER };

/* The exit status of a process the filter stopped (128 + SIGSYS, as a shell reports it). */
#define SANDBOX_EXIT_SYSCALL 159

/* Before the privilege drop (privs_drop): decides what the process keeps from C and ROLE and
 * shrinks the capability bounding set to it, so nothing dropped comes back, not even through
 * a program a script runs. Once per process: later calls (a reconnect) do nothing.
 * Returns 0 or -errno (logged). */
int sandbox_prepare(const struct cfg *c, enum sandbox_role role);

/* After the privilege drop: permitted, effective and inheritable sets down to what was kept
 * (nothing is left after a switch to another user), ambient cleared, then the seccomp filter,
 * unless the process runs programs later (scripts, the DNS helper). Logs one line saying what
 * it kept. Once per process. Returns 0 or -errno (logged). */
int sandbox_enter(void);

/* The seccomp filter alone: the allow list, SIGSYS trapped to a handler that writes
 * "seccomp: forbidden system call NAME (nr N) ..." to the log and exits with
 * SANDBOX_EXIT_SYSCALL. Returns 0 or -errno. (tests/netns/sandbox_trap.c uses it.) */
int sandbox_seccomp_install(void);

#endif
