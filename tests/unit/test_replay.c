/* Replay window (spec §2.6, §9.6): edges, long-form timestamps, time expiry, and a seeded
 * random comparison against a plain reference model. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/replay.h"

#define T0 1700000000u

static int acc(struct replay *r, uint64_t id)
{
	return replay_accept(r, id, 0, T0);
}

static void test_edges(void **state)
{
	struct replay r;

	(void)state;
	assert_int_equal(replay_init(&r, 0, 0), 0);
	assert_int_equal(r.window, 64);
	assert_int_equal(acc(&r, 0), REPLAY_ERR_ZERO);
	assert_int_equal(acc(&r, 100), REPLAY_OK);
	assert_int_equal(acc(&r, 100), REPLAY_ERR_DUP);
	assert_int_equal(acc(&r, 0), REPLAY_ERR_ZERO);
	/* Behind the highest: window-1 back is still inside, window back is not. */
	assert_int_equal(acc(&r, 100 - 63), REPLAY_OK);
	assert_int_equal(acc(&r, 100 - 63), REPLAY_ERR_DUP);
	assert_int_equal(acc(&r, 100 - 64), REPLAY_ERR_OLD);
	assert_int_equal(acc(&r, 1), REPLAY_ERR_OLD);
	assert_int_equal(acc(&r, 99), REPLAY_OK);
	assert_int_equal(acc(&r, 101), REPLAY_OK);
	/* The window slid by one: 37 is now exactly 64 behind. */
	assert_int_equal(acc(&r, 38), REPLAY_OK);
	assert_int_equal(replay_check(&r, 37, 0, T0), REPLAY_ERR_OLD);
	assert_int_equal(r.n_rejected, 6);
	replay_free(&r);
}

/* The ring of slots wraps: ids far ahead reuse slots, which must read as unseen. */
static void test_ring_wrap(void **state)
{
	struct replay r;

	(void)state;
	assert_int_equal(replay_init(&r, 64, 0), 0);
	for (uint64_t id = 1; id <= 64; id++)
		assert_int_equal(acc(&r, id), REPLAY_OK);
	/* 65 reuses slot 1: fine; 1 is now out of the window. */
	assert_int_equal(acc(&r, 65), REPLAY_OK);
	assert_int_equal(acc(&r, 1), REPLAY_ERR_OLD);
	assert_int_equal(acc(&r, 2), REPLAY_ERR_DUP);
	/* Jump by 63 (inside the window) leaves gaps 66..127 unseen. */
	assert_int_equal(acc(&r, 128), REPLAY_OK);
	assert_int_equal(acc(&r, 66), REPLAY_OK);
	assert_int_equal(acc(&r, 127), REPLAY_OK);
	assert_int_equal(acc(&r, 65), REPLAY_ERR_DUP);	/* 63 behind, seen */
	assert_int_equal(acc(&r, 64), REPLAY_ERR_OLD);	/* 64 behind */
	/* Jump by far more than the window clears everything. */
	assert_int_equal(acc(&r, 100000), REPLAY_OK);
	assert_int_equal(acc(&r, 100000 - 63), REPLAY_OK);
	assert_int_equal(acc(&r, 128), REPLAY_ERR_OLD);
	/* 32-bit edge and beyond (64-bit ids for 2.7 epochs). */
	assert_int_equal(acc(&r, 0xFFFFFFFFu), REPLAY_OK);
	assert_int_equal(acc(&r, 0x100000000u), REPLAY_OK);
	assert_int_equal(acc(&r, 0xFFFFFFFFu), REPLAY_ERR_DUP);
	assert_int_equal(acc(&r, 0xFFFFFFFEu), REPLAY_OK);
	assert_int_equal(acc(&r, UINT64_C(0xFFFF000000000001)), REPLAY_OK);
	replay_free(&r);
}

static void test_check_then_commit(void **state)
{
	struct replay r;

	(void)state;
	assert_int_equal(replay_init(&r, 64, 15), 0);
	/* check does not record anything. */
	assert_int_equal(replay_check(&r, 5, 0, T0), REPLAY_OK);
	assert_int_equal(replay_check(&r, 5, 0, T0), REPLAY_OK);
	replay_commit(&r, 5, 0, T0);
	assert_int_equal(replay_check(&r, 5, 0, T0), REPLAY_ERR_DUP);
	/* Committing a rejected id changes nothing. */
	replay_commit(&r, 0, 0, T0);
	replay_commit(&r, 5, 0, T0);
	assert_int_equal(r.highest, 5);
	/* Ids below the first one inside the window were never seen: accepted. */
	assert_int_equal(replay_check(&r, 4, 0, T0), REPLAY_OK);
	replay_reset(&r);
	assert_int_equal(replay_check(&r, 5, 0, T0), REPLAY_OK);
	replay_free(&r);
}

static void test_long_form_timestamp(void **state)
{
	struct replay r;

	(void)state;
	assert_int_equal(replay_init(&r, 64, 15), 0);
	assert_int_equal(replay_accept(&r, 1, T0, T0), REPLAY_OK);
	assert_int_equal(replay_accept(&r, 2, T0, T0), REPLAY_OK);
	assert_int_equal(replay_accept(&r, 2, T0, T0), REPLAY_ERR_DUP);
	/* Older timestamp: rejected whatever the id. */
	assert_int_equal(replay_accept(&r, 3, T0 - 1, T0), REPLAY_ERR_TS_OLD);
	/* Newer timestamp: a new sequence; its ids start over. */
	assert_int_equal(replay_accept(&r, 1, T0 + 5, T0 + 5), REPLAY_OK);
	assert_int_equal(replay_accept(&r, 1, T0 + 5, T0 + 5), REPLAY_ERR_DUP);
	assert_int_equal(replay_accept(&r, 3, T0, T0 + 5), REPLAY_ERR_TS_OLD);
	assert_int_equal(replay_accept(&r, 0, T0 + 9, T0 + 5), REPLAY_ERR_ZERO);
	replay_free(&r);
}

static void test_time_window(void **state)
{
	struct replay r, no_time;

	(void)state;
	assert_int_equal(replay_init(&r, 64, 15), 0);
	assert_int_equal(replay_init(&no_time, 64, 0), 0);
	assert_int_equal(replay_accept(&r, 1, 0, T0), REPLAY_OK);
	assert_int_equal(replay_accept(&no_time, 1, 0, T0), REPLAY_OK);
	/* 10 arrives at T0+1: ids 2..9 become gaps at T0+1. */
	assert_int_equal(replay_accept(&r, 10, 0, T0 + 1), REPLAY_OK);
	assert_int_equal(replay_accept(&no_time, 10, 0, T0 + 1), REPLAY_OK);
	assert_int_equal(replay_accept(&r, 2, 0, T0 + 16), REPLAY_OK);	/* 15 s late: ok */
	assert_int_equal(replay_accept(&r, 3, 0, T0 + 17), REPLAY_ERR_EXPIRED);
	assert_int_equal(replay_accept(&no_time, 3, 0, T0 + 1000), REPLAY_OK);
	/* New ids are always fine, and their own gaps start a fresh clock. */
	assert_int_equal(replay_accept(&r, 12, 0, T0 + 100), REPLAY_OK);
	assert_int_equal(replay_accept(&r, 11, 0, T0 + 115), REPLAY_OK);
	assert_int_equal(replay_accept(&r, 4, 0, T0 + 115), REPLAY_ERR_EXPIRED);
	replay_free(&r);
	replay_free(&no_time);
}

static void test_window_sizes(void **state)
{
	struct replay r;

	(void)state;
	assert_int_equal(replay_init(&r, REPLAY_WINDOW_MAX + 1, 0), -EINVAL);
	assert_int_equal(replay_init(&r, 1, 0), 0);
	assert_int_equal(acc(&r, 5), REPLAY_OK);
	assert_int_equal(acc(&r, 4), REPLAY_ERR_OLD);
	assert_int_equal(acc(&r, 6), REPLAY_OK);
	replay_free(&r);
	assert_int_equal(replay_init(&r, REPLAY_WINDOW_MAX, 15), 0);
	assert_int_equal(acc(&r, 70000), REPLAY_OK);
	assert_int_equal(acc(&r, 70000 - 65535), REPLAY_OK);
	assert_int_equal(acc(&r, 70000 - 65536), REPLAY_ERR_OLD);
	replay_free(&r);
	assert_int_equal(replay_init(&r, 100, 0), 0);	/* not a multiple of 64 */
	for (uint64_t id = 1; id <= 1000; id += 3)
		assert_int_equal(acc(&r, id), REPLAY_OK);
	assert_int_equal(acc(&r, 998), REPLAY_OK);
	assert_int_equal(acc(&r, 997), REPLAY_ERR_DUP);
	assert_int_equal(acc(&r, 900), REPLAY_ERR_OLD);
	assert_int_equal(acc(&r, 902), REPLAY_OK);
	assert_int_equal(acc(&r, 901), REPLAY_ERR_DUP);
	replay_free(&r);
	replay_free(NULL);
	/* A freed (or never initialised) window rejects everything. */
	assert_int_equal(replay_check(&r, 1, 0, T0), REPLAY_ERR_STATE);
	assert_int_equal(replay_accept(&r, 1, 0, T0), REPLAY_ERR_STATE);
	replay_commit(&r, 1, 0, T0);
}

/* Reference: remember every accepted id in a plain array (no time window). */
static void test_random_vs_model(void **state)
{
	enum { N = 20000, W = 64 };
	static uint8_t seen[N + 200];
	uint64_t highest = 0;
	uint32_t x = 12345;
	struct replay r;

	(void)state;
	memset(seen, 0, sizeof(seen));
	assert_int_equal(replay_init(&r, W, 0), 0);
	for (uint64_t i = 1; i < N; i++) {
		x = x * 1103515245u + 12345u;
		/* mostly forward, with reordering, duplicates and stale ids */
		int64_t d = (int64_t)((x >> 16) % 200) - 150;
		uint64_t id = (int64_t)i + d < 1 ? 1 : (uint64_t)((int64_t)i + d);
		int want, got = acc(&r, id);

		if (highest && id + W <= highest)
			want = REPLAY_ERR_OLD;
		else if (seen[id])
			want = REPLAY_ERR_DUP;
		else
			want = REPLAY_OK;
		assert_int_equal(got, want);
		if (got == REPLAY_OK) {
			seen[id] = 1;
			if (id > highest)
				highest = id;
		}
	}
	assert_true(r.n_ok > N / 4);
	assert_true(r.n_rejected > N / 10);
	replay_free(&r);
	assert_string_equal(replay_strerror(REPLAY_ERR_DUP), "replayed packet id");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_ring_wrap),
		cmocka_unit_test(test_check_then_commit),
		cmocka_unit_test(test_long_form_timestamp),
		cmocka_unit_test(test_time_window),
		cmocka_unit_test(test_window_sizes),
		cmocka_unit_test(test_random_vs_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
