/* core/script: real /bin/sh children. Exit statuses, arguments after the directive's own
 * words, environment, stdin, the time limit, death by signal, refused oversize calls, the
 * asynchronous spawn/reap pair, and no descriptor of ours leaking into a script. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/script.h"

static char dir[64];
static struct script_call wsc;	/* 30 KB: not on cmocka's stack */

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/burrow-test-script.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The contents of DIR/name (at most n-1 bytes), "" when missing. */
static const char *slurp(const char *name, char *buf, size_t n)
{
	char path[128];
	FILE *fp;
	size_t r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (fp) {
		r = fread(buf, 1, n - 1, fp);
		fclose(fp);
	}
	buf[r] = '\0';
	return buf;
}

static void test_exit_status(void **state)
{
	struct script_call sc;

	(void)state;
	script_init(&sc, "up", "true");
	assert_int_equal(script_run(&sc, 5000), 0);
	script_init(&sc, "up", "exit 7;");
	assert_int_equal(script_run(&sc, 5000), 7);
	script_init(&sc, "up", "/nonexistent/burrow-script");
	assert_int_equal(script_run(&sc, 5000), 127);
}

/* "up /x/rec.sh extra": the directive's own words come first, then ours, like OpenVPN. */
static void test_args_and_env(void **state)
{
	struct script_call sc;
	char cmd[256], buf[256];
	FILE *fp;

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s/rec.sh", dir);
	fp = fopen(cmd, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\nprintf '%%s|' \"$#\" \"$@\" \"$script_type\" \"$dev\" > '%s/out'\n",
		dir);
	fclose(fp);
	assert_int_equal(chmod(cmd, 0755), 0);
	snprintf(cmd, sizeof(cmd), "%s/rec.sh extra", dir);
	script_init(&sc, "up", cmd);
	script_env(&sc, "dev", "tun%d", 3);
	script_arg(&sc, "%s", "tun3");
	script_arg(&sc, "%s", "with space");
	script_arg(&sc, "%s", "");
	assert_int_equal(script_run(&sc, 5000), 0);
	assert_string_equal(slurp("out", buf, sizeof(buf)), "4|extra|tun3|with space||up|tun3|");
}

static void test_stdin(void **state)
{
	struct script_call sc;
	char cmd[128], buf[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "cat > '%s/in';", dir);
	script_init(&sc, "dns", cmd);
	sc.input = "nameserver 10.8.0.53\n";
	assert_int_equal(script_run(&sc, 5000), 0);
	assert_string_equal(slurp("in", buf, sizeof(buf)), "nameserver 10.8.0.53\n");
}

static void test_timeout_kills(void **state)
{
	struct script_call sc;
	struct timespec a, b;
	long ms;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	script_init(&sc, "up", "sleep 10;");
	assert_int_equal(script_run(&sc, 200), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 150 && ms < 3000);
}

static void test_signal_death(void **state)
{
	struct script_call sc;

	(void)state;
	script_init(&sc, "up", "kill -9 $$;");
	assert_int_equal(script_run(&sc, 5000), -EINTR);
}

static void test_overflow_refused(void **state)
{
	struct script_call sc;
	char cmd[128], big[SCRIPT_ENV_MAX + 8], buf[8];

	(void)state;
	snprintf(cmd, sizeof(cmd), "touch '%s/ran';", dir);
	script_init(&sc, "up", cmd);
	for (int i = 0; i <= SCRIPT_MAX_ARGS; i++)
		script_arg(&sc, "%d", i);
	assert_true(sc.overflow);
	assert_int_equal(script_run(&sc, 5000), -E2BIG);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	script_init(&sc, "up", cmd);
	script_env(&sc, "v", "%s", big);
	assert_int_equal(script_run(&sc, 5000), -E2BIG);
	assert_string_equal(slurp("ran", buf, sizeof(buf)), "");
}

static void test_spawn_reap(void **state)
{
	struct script_call sc;
	struct pollfd pfd = { .events = POLLIN };
	pid_t pid;

	(void)state;
	script_init(&sc, "learn-address", "exit 4;");
	assert_int_equal(script_spawn(&sc, &pid, &pfd.fd), 0);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(script_reap(pid, pfd.fd, false), 4);
	script_init(&sc, "learn-address", "sleep 10;");
	assert_int_equal(script_spawn(&sc, &pid, &pfd.fd), 0);
	assert_int_equal(script_reap(pid, pfd.fd, true), -EINTR);
}

/* A descriptor without close-on-exec (as a tun fd or socket may be) stays out of scripts. */
static void test_no_fd_leak(void **state)
{
	struct script_call sc;
	char cmd[256], buf[16], want[16];
	int fd = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(fd > 2);
	snprintf(cmd, sizeof(cmd), "test -e /proc/self/fd/%d && echo leak > '%s/fd' || echo ok > '%s/fd';",
		 fd, dir, dir);
	script_init(&sc, "up", cmd);
	assert_int_equal(script_run(&sc, 5000), 0);
	snprintf(want, sizeof(want), "ok\n");
	assert_string_equal(slurp("fd", buf, sizeof(buf)), want);
	close(fd);
}

/* ---- script_watch: a child watched in the loop ---- */

struct watch_res {
	int calls;
	int status;
	uint64_t at;
};

static void watch_done(void *arg, int status)
{
	struct watch_res *r = arg;

	r->calls++;
	r->status = status;
	r->at = loop_clock_ms();
}

static void tick(struct loop *lp, void *arg)
{
	(void)lp;
	(*(int *)arg)++;
}

/* The loop keeps running timers while the child runs; done gets the exit status. */
static void test_watch_exit(void **state)
{
	struct script_watch w;
	struct watch_res r = { 0 };
	struct loop_timer t;
	struct loop *lp;
	int ticks = 0;
	uint64_t t0 = loop_clock_ms();

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	script_watch_init(&w);
	assert_false(script_watch_busy(&w));
	script_init(&wsc, "learn-address", "sleep 0.4; exit 7;");
	assert_int_equal(script_watch_start(&w, lp, &wsc, 5000, watch_done, &r), 0);
	assert_true(script_watch_busy(&w));
	assert_int_equal(r.calls, 0);
	loop_timer_init(&t, tick, &ticks);
	loop_timer_in(lp, &t, 50);
	while (r.calls == 0 && loop_clock_ms() - t0 < 5000)
		loop_run_once(lp, 100);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.status, 7);
	assert_int_equal(ticks, 1);	/* the 50 ms timer ran while the child slept */
	assert_true(r.at - t0 >= 350);
	assert_false(script_watch_busy(&w));
	loop_free(lp);
}

static void test_watch_timeout_and_cancel(void **state)
{
	struct script_watch w;
	struct watch_res r = { 0 };
	struct loop *lp;
	uint64_t t0 = loop_clock_ms();

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	script_watch_init(&w);
	script_init(&wsc, "client-connect", "sleep 30;");
	assert_int_equal(script_watch_start(&w, lp, &wsc, 200, watch_done, &r), 0);
	while (r.calls == 0 && loop_clock_ms() - t0 < 5000)
		loop_run_once(lp, 100);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.status, -ETIMEDOUT);
	assert_true(loop_clock_ms() - t0 < 2000);
	/* cancel: killed at once, done never called */
	assert_int_equal(script_watch_start(&w, lp, &wsc, 5000, watch_done, &r), 0);
	t0 = loop_clock_ms();
	script_watch_cancel(&w);
	assert_false(script_watch_busy(&w));
	assert_true(loop_clock_ms() - t0 < 1000);
	loop_run_once(lp, 50);
	assert_int_equal(r.calls, 1);
	/* finish: waits for the child */
	script_init(&wsc, "learn-address", "exit 3;");
	assert_int_equal(script_watch_start(&w, lp, &wsc, 5000, watch_done, &r), 0);
	assert_int_equal(script_watch_finish(&w), 3);
	assert_int_equal(r.calls, 1);
	loop_free(lp);
}

static void test_pack_roundtrip(void **state)
{
	struct script_call out;
	struct script_packed *pk;
	char buf[64];

	(void)state;
	script_init(&wsc, "learn-address", "echo \"$@\" > \"$DIR/pk\"; true");
	script_env(&wsc, "DIR", "%s", dir);
	script_arg(&wsc, "add");
	script_arg(&wsc, "10.8.0.2");
	pk = script_pack(&wsc);
	assert_non_null(pk);
	memset(&wsc, 0x55, sizeof(wsc));	/* the original is gone */
	script_unpack(pk, &out);
	assert_string_equal(out.what, "learn-address");
	assert_int_equal(out.argc, 2);
	assert_int_equal(script_run(&out, 5000), 0);
	free(pk);
	assert_string_equal(slurp("pk", buf, sizeof(buf)), "add 10.8.0.2\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_args_and_env),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_timeout_kills),
		cmocka_unit_test(test_signal_death),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_spawn_reap),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_watch_exit),
		cmocka_unit_test(test_watch_timeout_and_cancel),
		cmocka_unit_test(test_pack_roundtrip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
