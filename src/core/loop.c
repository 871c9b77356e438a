/* epoll event loop with a binary min-heap of one-shot timers and a signalfd. */
#include "core/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define LOOP_BATCH 64

struct loop {
	int epfd;
	int stopped;
	int status;
	uint64_t now;
	struct loop_timer **heap;
	size_t nheap, capheap;
	/* The batch being dispatched, so loop_io_del() can cancel events still pending in it. */
	struct epoll_event *batch;
	int batch_n;
	/* Signals. */
	struct loop_io sig_io;
	int sigfd;
	sigset_t old_mask;
	int sig_keep;		/* loop_free leaves the signals blocked (the process is ending) */
	loop_signal_fn sig_fn;
	void *sig_arg;
	struct loop_stats st;
};

uint64_t loop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Nanoseconds, for computing wait times that never wake before a deadline. */
static uint64_t loop_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int loop_new(struct loop **out)
{
	struct loop *lp = calloc(1, sizeof(*lp));

	if (!lp)
		return -ENOMEM;
	lp->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (lp->epfd < 0) {
		int e = -errno;

		free(lp);
		return e;
	}
	lp->sigfd = -1;
	lp->now = loop_clock_ms();
	*out = lp;
	return 0;
}

void loop_free(struct loop *lp)
{
	if (!lp)
		return;
	if (lp->sigfd >= 0) {
		close(lp->sigfd);
		if (!lp->sig_keep)
			sigprocmask(SIG_SETMASK, &lp->old_mask, NULL);
	}
	close(lp->epfd);
	free(lp->heap);
	free(lp);
}

/* ---- file descriptors ---- */

int loop_io_add(struct loop *lp, struct loop_io *io, int fd, uint32_t events,
		loop_io_fn fn, void *arg)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->arg = arg;
	if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int loop_io_mod(struct loop *lp, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	if (io->events == events)
		return 0;
	if (epoll_ctl(lp->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -errno;
	io->events = events;
	return 0;
}

void loop_io_del(struct loop *lp, struct loop_io *io)
{
	if (io->fd < 0)
		return;
	epoll_ctl(lp->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	/* The caller may free io right after: forget any event for it still in this batch. */
	for (int i = 0; i < lp->batch_n; i++)
		if (lp->batch[i].data.ptr == io)
			lp->batch[i].data.ptr = NULL;
	io->fd = -1;
}

/* ---- timers: a binary min-heap ordered by deadline; t->slot is its index + 1 ---- */

static void heap_set(struct loop *lp, size_t i, struct loop_timer *t)
{
	lp->heap[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct loop *lp, size_t i)
{
	struct loop_timer *t = lp->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (lp->heap[parent]->deadline <= t->deadline)
			break;
		heap_set(lp, i, lp->heap[parent]);
		i = parent;
	}
	heap_set(lp, i, t);
}

static void heap_down(struct loop *lp, size_t i)
{
	struct loop_timer *t = lp->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= lp->nheap)
			break;
		if (c + 1 < lp->nheap && lp->heap[c + 1]->deadline < lp->heap[c]->deadline)
			c++;
		if (t->deadline <= lp->heap[c]->deadline)
			break;
		heap_set(lp, i, lp->heap[c]);
		i = c;
	}
	heap_set(lp, i, t);
}

static int heap_grow(struct loop *lp)
{
	size_t cap = lp->capheap ? lp->capheap * 2 : 16;
	struct loop_timer **h = realloc(lp->heap, cap * sizeof(*h));

	if (!h)
		return -ENOMEM;
	lp->heap = h;
	lp->capheap = cap;
	return 0;
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

void loop_timer_stop(struct loop *lp, struct loop_timer *t)
{
	size_t i;
	struct loop_timer *last;

	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = lp->heap[--lp->nheap];
	if (i == lp->nheap)
		return;
	heap_set(lp, i, last);
	heap_up(lp, i);
	heap_down(lp, last->slot - 1);
}

int loop_timer_at(struct loop *lp, struct loop_timer *t, uint64_t deadline_ms)
{
	if (t->slot) {
		/* Re-arm in place: one sift instead of remove + insert. */
		t->deadline = deadline_ms;
		heap_up(lp, t->slot - 1);
		heap_down(lp, t->slot - 1);
		return 0;
	}
	if (lp->nheap == lp->capheap && heap_grow(lp) < 0)
		return -ENOMEM;
	t->deadline = deadline_ms;
	lp->heap[lp->nheap] = t;
	heap_up(lp, lp->nheap++);
	return 0;
}

int loop_timer_in(struct loop *lp, struct loop_timer *t, uint64_t delay_ms)
{
	return loop_timer_at(lp, t, loop_clock_ms() + delay_ms);
}

/* Runs every timer due at now; a callback may re-arm its own or other timers. Timers armed
 * for "now" by a callback run in the next iteration, so a zero-delay re-arm cannot starve fds. */
static int loop_fire_timers(struct loop *lp)
{
	int n = 0;
	uint64_t now = lp->now;
	size_t budget = lp->nheap;

	while (lp->nheap && lp->heap[0]->deadline <= now && budget--) {
		struct loop_timer *t = lp->heap[0];

		loop_timer_stop(lp, t);
		lp->st.timers_fired++;
		n++;
		t->fn(lp, t->arg);
		if (lp->stopped)
			break;
	}
	return n;
}

/* Milliseconds until the first timer, rounded up so the wait never ends before it; -1 none. */
static int loop_timeout(const struct loop *lp, int max_wait_ms)
{
	uint64_t now_ns, due_ns, ms;

	if (!lp->nheap)
		return max_wait_ms;
	now_ns = loop_clock_ns();
	due_ns = lp->heap[0]->deadline * 1000000u;
	if (due_ns <= now_ns)
		return 0;
	ms = (due_ns - now_ns + 999999u) / 1000000u;
	if (ms > INT32_MAX)
		ms = INT32_MAX;
	if (max_wait_ms >= 0 && (uint64_t)max_wait_ms < ms)
		return max_wait_ms;
	return (int)ms;
}

/* ---- signals ---- */

static void loop_on_signal(struct loop *lp, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(lp->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		lp->st.signals++;
		if (lp->sig_fn)
			lp->sig_fn(lp, (int)si.ssi_signo, lp->sig_arg);
	}
}

void loop_signals_keep_blocked(struct loop *lp)
{
	lp->sig_keep = 1;
}

int loop_signals(struct loop *lp, const int *signos, size_t n, loop_signal_fn fn, void *arg)
{
	sigset_t set;
	int e;

	if (lp->sigfd >= 0)
		return -EBUSY;
	sigemptyset(&set);
	for (size_t i = 0; i < n; i++)
		sigaddset(&set, signos[i]);
	if (sigprocmask(SIG_BLOCK, &set, &lp->old_mask) < 0)
		return -errno;
	lp->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (lp->sigfd < 0) {
		e = -errno;
		goto fail_mask;
	}
	lp->sig_fn = fn;
	lp->sig_arg = arg;
	e = loop_io_add(lp, &lp->sig_io, lp->sigfd, EPOLLIN, loop_on_signal, NULL);
	if (e < 0)
		goto fail_fd;
	return 0;
fail_fd:
	close(lp->sigfd);
	lp->sigfd = -1;
fail_mask:
	sigprocmask(SIG_SETMASK, &lp->old_mask, NULL);
	return e;
}

/* ---- running ---- */

static int loop_dispatch(struct loop *lp, struct epoll_event *evs, int n)
{
	int ran = 0;

	lp->batch = evs;
	lp->batch_n = n;
	for (int i = 0; i < n && !lp->stopped; i++) {
		struct loop_io *io = evs[i].data.ptr;

		if (!io)
			continue;	/* deleted by an earlier callback in this batch */
		lp->st.io_events++;
		ran++;
		io->fn(lp, evs[i].events, io->arg);
	}
	lp->batch = NULL;
	lp->batch_n = 0;
	return ran;
}

int loop_run_once(struct loop *lp, int max_wait_ms)
{
	struct epoll_event evs[LOOP_BATCH];
	int n, ran;

	n = epoll_wait(lp->epfd, evs, LOOP_BATCH, loop_timeout(lp, max_wait_ms));
	lp->st.wakeups++;
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	lp->now = loop_clock_ms();
	ran = loop_dispatch(lp, evs, n);
	if (!lp->stopped)
		ran += loop_fire_timers(lp);
	return ran;
}

int loop_run(struct loop *lp)
{
	while (!lp->stopped) {
		int r = loop_run_once(lp, -1);

		if (r < 0) {
			log_error("event loop: epoll_wait failed: %s", strerror(-r));
			return r;
		}
	}
	return lp->status;
}

void loop_stop(struct loop *lp, int status)
{
	lp->stopped = 1;
	lp->status = status;
}

int loop_stopped(const struct loop *lp)
{
	return lp->stopped;
}

uint64_t loop_now(const struct loop *lp)
{
	return lp->now;
}

void loop_get_stats(const struct loop *lp, struct loop_stats *st)
{
	*st = lp->st;
}
