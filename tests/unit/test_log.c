#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/log.h"

static char *log_capture(enum log_level lvl, void (*emit)(void))
{
	static char buf[1024];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(fp);
	log_set_stream(fp);
	log_set_timestamps(0);
	log_set_level(lvl);
	emit();
	fclose(fp);
	log_set_stream(NULL);
	return buf;
}

static void emit_all(void)
{
	log_error("e%d", 1);
	log_warn("w%d", 2);
	log_notice("n%d", 3);
	log_info("i%d", 4);
	log_debug("d%d", 5);
}

static void test_levels_filter(void **state)
{
	(void)state;
	assert_string_equal(log_capture(LOG_LVL_NOTICE, emit_all), "error: e1\nwarning: w2\nn3\n");
	assert_string_equal(log_capture(LOG_LVL_WARN, emit_all), "error: e1\nwarning: w2\n");
	assert_string_equal(log_capture(LOG_LVL_DEBUG, emit_all),
			    "error: e1\nwarning: w2\nn3\ni4\ndebug: d5\n");
}

static void emit_one(void) { log_notice("hello"); }

static void test_timestamp_format(void **state)
{
	static char buf[256];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	log_set_stream(fp);
	log_set_timestamps(1);
	log_set_level(LOG_LVL_NOTICE);
	emit_one();
	fclose(fp);
	log_set_stream(NULL);
	/* "HH:MM:SS.mmm hello\n" */
	assert_int_equal(strlen(buf), 13 + 6);
	assert_int_equal(buf[2], ':');
	assert_int_equal(buf[8], '.');
	assert_string_equal(buf + 13, "hello\n");
}

static void test_level_clamped(void **state)
{
	(void)state;
	log_set_level((enum log_level)9);
	assert_int_equal(log_get_level(), LOG_LVL_DEBUG);
}

static void test_fatal_exits(void **state)
{
	(void)state;
	/* fatal() must exit(1) with the message, never abort: check in a child. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		FILE *fp = fopen("/dev/null", "w");
		log_set_stream(fp);
		fatal("boom %d", 7);
	}
	int st = 0;
	assert_true(waitpid(pid, &st, 0) == pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels_filter),
		cmocka_unit_test(test_timestamp_format),
		cmocka_unit_test(test_level_clamped),
		cmocka_unit_test(test_fatal_exits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
