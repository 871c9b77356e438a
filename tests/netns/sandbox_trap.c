/* Helper of sandbox.sh (not a test): installs burrow's seccomp filter (core/sandbox.c, the
 * same function the client and the server call) and then makes one system call.
 *   sandbox_trap CALL [LOGFILE]
 * CALL: "allowed" (getpid and a write: must go through, exit 0), "ptrace" or "execve" (not on
 * the allow list: the SIGSYS handler must log "seccomp: forbidden system call NAME (nr N)"
 * and exit with SANDBOX_EXIT_SYSCALL). LOGFILE: log there instead of stderr, as `log` does. */
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/sandbox.h"
#include "util/log.h"

int main(int argc, char **argv)
{
	const char *call = argc > 1 ? argv[1] : "allowed";
	FILE *fp = NULL;

	if (argc > 2) {
		fp = fopen(argv[2], "a");
		if (!fp)
			return 2;
		log_set_stream(fp);
	}
	if (sandbox_seccomp_install() < 0) {
		fprintf(stderr, "sandbox_trap: cannot install the filter\n");
		return 2;
	}
	if (!strcmp(call, "ptrace"))
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL);
	else if (!strcmp(call, "execve"))
		execl("/bin/true", "true", (char *)NULL);
	else if (strcmp(call, "allowed"))
		return 2;
	log_notice("sandbox_trap: still running after '%s' (pid %d)", call, (int)getpid());
	return strcmp(call, "allowed") ? 1 : 0;
}
