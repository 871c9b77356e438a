#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd/cli.h"

static int seen_argc;
static char seen_arg1[64];

static int fake_cmd(int argc, char **argv)
{
	seen_argc = argc;
	snprintf(seen_arg1, sizeof(seen_arg1), "%s", argc > 1 ? argv[1] : "");
	return 42;
}

static const struct cli_cmd table[] = {
	{ "help", cmd_help, "help", "Usage: burrow help" },
	{ "server", fake_cmd, "run a server", "Usage: burrow server CONFIG" },
	{ NULL, NULL, NULL, NULL },
};

/* Runs cli_main with stdout/stderr sent to /dev/null. */
static int run(int argc, char **argv)
{
	int out = dup(1), err = dup(2);
	FILE *null = fopen("/dev/null", "w");
	int rc;

	fflush(stdout);
	fflush(stderr);
	dup2(fileno(null), 1);
	dup2(fileno(null), 2);
	rc = cli_main(table, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	fclose(null);
	return rc;
}

static void test_dispatch_passes_args(void **state)
{
	char *argv[] = { "burrow", "server", "x.conf", NULL };

	(void)state;
	assert_int_equal(run(3, argv), 42);
	assert_int_equal(seen_argc, 2);
	assert_string_equal(seen_arg1, "x.conf");
}

static void test_unknown_command_is_usage_error(void **state)
{
	char *argv[] = { "burrow", "nosuchcmd", NULL };

	(void)state;
	assert_int_equal(run(2, argv), CLI_USAGE);
}

static void test_unknown_global_option(void **state)
{
	char *argv[] = { "burrow", "--frobnicate", "server", NULL };

	(void)state;
	seen_argc = 0;
	assert_int_equal(run(3, argv), CLI_USAGE);
	assert_int_equal(seen_argc, 0);
}

static void test_no_command_prints_help(void **state)
{
	char *argv[] = { "burrow", NULL };

	(void)state;
	assert_int_equal(run(1, argv), CLI_USAGE);
}

static void test_help_option_does_not_run_command(void **state)
{
	char *argv[] = { "burrow", "server", "--help", NULL };

	(void)state;
	seen_argc = 0;
	assert_int_equal(run(3, argv), CLI_OK);
	assert_int_equal(seen_argc, 0);
}

static void test_help_command(void **state)
{
	char *ok[] = { "burrow", "help", "server", NULL };
	char *bad[] = { "burrow", "help", "nope", NULL };

	(void)state;
	assert_int_equal(run(3, ok), CLI_OK);
	assert_int_equal(run(3, bad), CLI_USAGE);
}

static void test_find(void **state)
{
	(void)state;
	assert_non_null(cli_find(table, "server"));
	assert_null(cli_find(table, "serve"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch_passes_args),
		cmocka_unit_test(test_unknown_command_is_usage_error),
		cmocka_unit_test(test_unknown_global_option),
		cmocka_unit_test(test_no_command_prints_help),
		cmocka_unit_test(test_help_option_does_not_run_command),
		cmocka_unit_test(test_help_command),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
