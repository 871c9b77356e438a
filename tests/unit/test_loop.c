/* The event loop: timers in deadline order, re-arm and stop, no wake-up when nothing is due,
 * fd dispatch and deletion inside callbacks, signals through the signalfd. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"

struct rec {
	int order[16];
	int n;
};

struct tctx {
	struct rec *rec;
	int id;
};

static void on_timer(struct loop *lp, void *arg)
{
	struct tctx *c = arg;

	(void)lp;
	if (c->rec->n < 16)
		c->rec->order[c->rec->n++] = c->id;
}

static void test_timers_fire_in_order(void **state)
{
	struct loop *lp;
	struct rec rec = { 0 };
	struct tctx ctx[5];
	struct loop_timer t[5];
	/* Armed out of order; ids say the expected firing rank. */
	const uint64_t delay[5] = { 40, 10, 30, 20, 50 };
	const int id[5] = { 3, 0, 2, 1, 4 };
	uint64_t base;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	base = loop_clock_ms();
	for (int i = 0; i < 5; i++) {
		ctx[i] = (struct tctx){ &rec, id[i] };
		loop_timer_init(&t[i], on_timer, &ctx[i]);
		assert_int_equal(loop_timer_at(lp, &t[i], base + delay[i]), 0);
	}
	for (int guard = 0; rec.n < 5 && guard < 100; guard++)
		assert_true(loop_run_once(lp, 1000) >= 0);
	assert_int_equal(rec.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(rec.order[i], i);
	/* Nothing fired early. */
	assert_true(loop_clock_ms() >= base + 50);
	for (int i = 0; i < 5; i++)
		assert_false(loop_timer_armed(&t[i]));
	loop_free(lp);
}

static void test_timer_stop_and_rearm(void **state)
{
	struct loop *lp;
	struct rec rec = { 0 };
	struct tctx a = { &rec, 1 }, b = { &rec, 2 }, c = { &rec, 3 };
	struct loop_timer ta, tb, tc;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	loop_timer_init(&ta, on_timer, &a);
	loop_timer_init(&tb, on_timer, &b);
	loop_timer_init(&tc, on_timer, &c);
	assert_int_equal(loop_timer_in(lp, &ta, 5), 0);
	assert_int_equal(loop_timer_in(lp, &tb, 10), 0);
	assert_int_equal(loop_timer_in(lp, &tc, 15), 0);
	loop_timer_stop(lp, &ta);		/* never fires */
	assert_int_equal(loop_timer_in(lp, &tc, 1), 0);	/* moved earlier: fires first */
	loop_timer_stop(lp, &ta);		/* stopping twice is harmless */
	for (int guard = 0; rec.n < 2 && guard < 100; guard++)
		assert_true(loop_run_once(lp, 1000) >= 0);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.order[0], 3);
	assert_int_equal(rec.order[1], 2);
	/* Nothing armed any more: a bounded wait runs nothing. */
	assert_int_equal(loop_run_once(lp, 20), 0);
	assert_int_equal(rec.n, 2);
	loop_free(lp);
}

/* Many timers with pseudo-random deadlines, some stopped: the heap keeps deadline order. */
static uint64_t last_fired;
static int order_ok = 1, fired_count;

static void on_heap_timer(struct loop *lp, void *arg)
{
	struct loop_timer *t = arg;

	(void)lp;
	if (t->deadline < last_fired)
		order_ok = 0;
	last_fired = t->deadline;
	fired_count++;
}

static void test_heap_many(void **state)
{
	struct loop *lp;
	static struct loop_timer t[500];
	uint32_t x = 12345;
	uint64_t base;
	int stopped = 0;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	base = loop_clock_ms();
	for (int i = 0; i < 500; i++) {
		x = x * 1103515245u + 12345u;
		loop_timer_init(&t[i], on_heap_timer, &t[i]);
		assert_int_equal(loop_timer_at(lp, &t[i], base + (x >> 16) % 30), 0);
	}
	for (int i = 0; i < 500; i += 7) {
		loop_timer_stop(lp, &t[i]);
		stopped++;
	}
	for (int guard = 0; fired_count < 500 - stopped && guard < 200; guard++)
		assert_true(loop_run_once(lp, 1000) >= 0);
	assert_int_equal(fired_count, 500 - stopped);
	assert_true(order_ok);
	loop_free(lp);
}

/* The point of the loop: waiting for a 200 ms timer is exactly one wake-up, not a poll. */
static void test_no_idle_wakeups(void **state)
{
	struct loop *lp;
	struct rec rec = { 0 };
	struct tctx c = { &rec, 1 };
	struct loop_timer t;
	struct loop_stats st;
	uint64_t start;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	loop_timer_init(&t, on_timer, &c);
	start = loop_clock_ms();
	assert_int_equal(loop_timer_in(lp, &t, 200), 0);
	while (rec.n == 0 && loop_clock_ms() - start < 2000)
		assert_true(loop_run_once(lp, -1) >= 0);
	loop_get_stats(lp, &st);
	assert_int_equal(rec.n, 1);
	assert_true(loop_clock_ms() - start >= 200);
	/* One wait ending at the deadline; allow one spurious EINTR-style return. */
	assert_true(st.wakeups >= 1 && st.wakeups <= 2);
	assert_int_equal(st.timers_fired, 1);
	loop_free(lp);
}

struct pipe_ctx {
	struct loop_io io[2];
	int fds[2][2];
	int hits[2];
};

/* Reader 0 deletes reader 1 (whose event is in the same batch); 1 must not run. */
static void on_pipe(struct loop *lp, uint32_t events, void *arg)
{
	struct pipe_ctx *p = arg;
	int which;
	char c;

	(void)events;
	/* Identify by trying to read each pipe. */
	for (which = 0; which < 2; which++)
		if (p->io[which].fd >= 0 && read(p->fds[which][0], &c, 1) == 1)
			break;
	if (which == 2)
		return;
	p->hits[which]++;
	loop_io_del(lp, &p->io[1 - which]);
}

static void test_io_delete_in_batch(void **state)
{
	struct loop *lp;
	struct pipe_ctx p = { 0 };

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe2(p.fds[i], O_NONBLOCK), 0);
		assert_int_equal(loop_io_add(lp, &p.io[i], p.fds[i][0], EPOLLIN, on_pipe, &p), 0);
		assert_int_equal(write(p.fds[i][1], "x", 1), 1);
	}
	assert_int_equal(loop_run_once(lp, 1000), 1);
	assert_int_equal(p.hits[0] + p.hits[1], 1);
	for (int i = 0; i < 2; i++) {
		loop_io_del(lp, &p.io[i]);
		close(p.fds[i][0]);
		close(p.fds[i][1]);
	}
	loop_free(lp);
}

static int got_signal;

static void on_signal(struct loop *lp, int signo, void *arg)
{
	(void)arg;
	got_signal = signo;
	loop_stop(lp, 42);
}

static void test_signals_and_stop(void **state)
{
	struct loop *lp;
	const int sigs[] = { SIGUSR1, SIGHUP };

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	assert_int_equal(loop_signals(lp, sigs, 2, on_signal, NULL), 0);
	assert_int_equal(loop_signals(lp, sigs, 2, on_signal, NULL), -EBUSY);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);	/* blocked: queued for the signalfd */
	assert_int_equal(loop_run(lp), 42);
	assert_int_equal(got_signal, SIGUSR1);
	assert_true(loop_stopped(lp));
	loop_free(lp);	/* restores the mask: SIGUSR1 is unblocked again */
	{
		sigset_t cur;

		sigprocmask(SIG_BLOCK, NULL, &cur);
		assert_false(sigismember(&cur, SIGUSR1));
	}
}

/* The process's own loop: loop_free leaves the signals blocked, so a second SIGTERM that came
 * during the shutdown stays pending instead of killing the process by its default action. */
static void test_signals_kept_blocked(void **state)
{
	struct loop *lp;
	const int sigs[] = { SIGUSR2 };
	sigset_t cur, set;
	int sig;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	assert_int_equal(loop_signals(lp, sigs, 1, on_signal, NULL), 0);
	loop_signals_keep_blocked(lp);
	assert_int_equal(kill(getpid(), SIGUSR2), 0);	/* arrives after the loop ended */
	loop_free(lp);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	assert_true(sigismember(&cur, SIGUSR2));	/* still blocked: we are alive */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	assert_int_equal(sigwait(&set, &sig), 0);	/* and it is pending: take it */
	assert_int_equal(sig, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_timer_stop_and_rearm),
		cmocka_unit_test(test_heap_many),
		cmocka_unit_test(test_no_idle_wakeups),
		cmocka_unit_test(test_io_delete_in_batch),
		cmocka_unit_test(test_signals_and_stop),
		cmocka_unit_test(test_signals_kept_blocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
