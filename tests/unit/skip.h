/* Skips that meson and tests/run can see. cmocka's skip() marks one test skipped, but the
 * binary still exits 0, so meson would count the file as passed and CI would go green on a
 * check that never ran. Use test_skip("why", ...) instead: it prints "SKIP <test>: why",
 * counts the skip and skips the test; main returns test_exit(failed), which is 77 (meson:
 * SKIP) when something skipped and nothing failed. In CI, tests/run fails any skip that
 * tests/skip-allow.txt does not list with its reason.
 *
 * Only a missing prerequisite (a program not installed, not root) is a skip; a set-up step
 * that fails where its prerequisites are present is a failure (fail_msg). Include after
 * <cmocka.h>. */
#ifndef BURROW_TEST_SKIP_H
#define BURROW_TEST_SKIP_H

#include <stdio.h>

static unsigned test_skipped __attribute__((unused));

#define test_skip(...)                                      \
	do {                                                \
		printf("SKIP %s: ", __func__);              \
		printf(__VA_ARGS__);                        \
		printf("\n");                               \
		fflush(stdout);                             \
		test_skipped++;                             \
		skip();                                     \
	} while (0)

/* The exit status of main: 1 on any failure, 77 if a test skipped, else 0. */
static inline int test_exit(int failed)
{
	if (failed)
		return 1;
	if (test_skipped) {
		printf("SKIP: %u test(s) skipped (reasons above)\n", test_skipped);
		return 77;
	}
	return 0;
}

#endif
