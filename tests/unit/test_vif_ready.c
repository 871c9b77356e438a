/* Readiness of the userspace device (vif.md point 6): poll, epoll and select on the per-side
 * eventfd, level-triggered, with the races that broke Haiku's select: a packet or a delete that
 * lands just before the wait starts, and blocked threads woken by down/delete promptly.
 * Threads are ordered with barriers and by observing that a thread sleeps in the kernel, never
 * by sleeping for a while and hoping. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vif/vif.h"

#define WAKE_BOUND_NS 100000000ll	/* 100 ms: generous; a real wake-up takes microseconds */

static size_t mk_ipv4(uint8_t *buf, size_t len, uint32_t tag)
{
	memset(buf, 0, len);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	memcpy(buf + 20, &tag, sizeof(tag));
	return len;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void mk_pair(const char *name, unsigned qlen, struct vif_port **app, struct vif_port **ifc)
{
	struct vif_config cfg;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.queue_len = qlen;
	assert_int_equal(vif_user_create(&cfg, NULL, 0), 0);
	assert_int_equal(vif_user_set_up(name, true), 0);
	assert_int_equal(vif_user_attach(name, VIF_SIDE_APP, app), 0);
	assert_int_equal(vif_user_attach(name, VIF_SIDE_IFACE, ifc), 0);
}

static void rm_pair(const char *name, struct vif_port *app, struct vif_port *ifc)
{
	vif_close(app);
	vif_close(ifc);
	if (name)
		assert_int_equal(vif_user_delete(name), 0);
}

static int poll_in(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, ms);

	return n == 1 ? (pfd.revents & POLLIN) != 0 : n;
}

/* True once the thread has passed its barrier and sleeps in the kernel (state S): it has
 * entered its wait. Bounded in time. */
static bool wait_sleeping(pid_t tid, atomic_int *started)
{
	char path[64], buf[512];
	int64_t end = now_ns() + 5000000000ll;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	while (!atomic_load(started) && now_ns() < end)
		sched_yield();
	while (now_ns() < end) {
		FILE *fp = fopen(path, "r");
		size_t n;
		char *rp;

		if (!fp)
			return false;
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
		buf[n] = '\0';
		rp = strrchr(buf, ')');
		if (rp && rp[1] == ' ' && rp[2] == 'S')
			return true;
		sched_yield();
	}
	return false;
}

/* ---- level-triggered readiness ---- */

static void test_poll_level_triggered(void **state)
{
	struct vif_port *app, *ifc;
	uint8_t p[100], b[200];

	(void)state;
	mk_pair("rp0", 0, &app, &ifc);
	assert_int_equal(poll_in(vif_fd(ifc), 0), 0);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 1)), 100);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 2)), 100);
	assert_int_equal(poll_in(vif_fd(ifc), 0), 1);
	assert_int_equal(poll_in(vif_fd(ifc), 0), 1);	/* asking again changes nothing */
	assert_int_equal(vif_read(ifc, b, sizeof(b)), 100);
	assert_int_equal(poll_in(vif_fd(ifc), 0), 1);	/* one still queued */
	assert_int_equal(vif_read(ifc, b, sizeof(b)), 100);
	assert_int_equal(poll_in(vif_fd(ifc), 0), 0);
	assert_int_equal(poll_in(vif_fd(app), 0), 0);	/* the other side never was */
	rm_pair("rp0", app, ifc);
}

static void test_epoll_level_triggered(void **state)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	struct vif_port *app, *ifc;
	uint8_t p[100], b[200];
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)state;
	assert_true(ep >= 0);
	mk_pair("re0", 0, &app, &ifc);
	ev.data.u32 = 1;
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(ifc), &ev), 0);
	ev.data.u32 = 2;
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(app), &ev), 0);
	assert_int_equal(epoll_wait(ep, out, 2, 0), 0);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 1)), 100);
	for (int i = 0; i < 3; i++) {	/* level: reported until read */
		assert_int_equal(epoll_wait(ep, out, 2, 0), 1);
		assert_int_equal(out[0].data.u32, 1);
	}
	assert_int_equal(vif_read(ifc, b, sizeof(b)), 100);
	assert_int_equal(epoll_wait(ep, out, 2, 0), 0);
	assert_int_equal(vif_write(ifc, p, 100), 100);
	assert_int_equal(epoll_wait(ep, out, 2, 0), 1);
	assert_int_equal(out[0].data.u32, 2);
	close(ep);
	rm_pair("re0", app, ifc);
}

static void test_select_readiness(void **state)
{
	struct vif_port *app, *ifc;
	struct timeval tv;
	uint8_t p[100], b[200];
	fd_set rs;
	int fd;

	(void)state;
	mk_pair("rs0", 0, &app, &ifc);
	fd = vif_fd(ifc);
	assert_true(fd >= 0 && fd < FD_SETSIZE);
	FD_ZERO(&rs);
	FD_SET(fd, &rs);
	tv = (struct timeval){ 0, 0 };
	assert_int_equal(select(fd + 1, &rs, NULL, NULL, &tv), 0);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 1)), 100);
	FD_ZERO(&rs);
	FD_SET(fd, &rs);
	tv = (struct timeval){ 5, 0 };
	assert_int_equal(select(fd + 1, &rs, NULL, NULL, &tv), 1);
	assert_true(FD_ISSET(fd, &rs));
	assert_int_equal(vif_read(ifc, b, sizeof(b)), 100);
	FD_ZERO(&rs);
	FD_SET(fd, &rs);
	tv = (struct timeval){ 0, 0 };
	assert_int_equal(select(fd + 1, &rs, NULL, NULL, &tv), 0);
	rm_pair("rs0", app, ifc);
}

/* ---- the event lands before the wait starts ---- */

static void test_packet_before_wait(void **state)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct vif_port *app, *ifc;
	uint8_t p[100];
	int64_t t0;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)state;
	mk_pair("rb0", 0, &app, &ifc);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(ifc), &ev), 0);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 1)), 100);
	t0 = now_ns();
	assert_int_equal(epoll_wait(ep, &out, 1, 5000), 1);
	assert_true(now_ns() - t0 < WAKE_BOUND_NS);
	t0 = now_ns();
	assert_int_equal(poll_in(vif_fd(ifc), 5000), 1);
	assert_true(now_ns() - t0 < WAKE_BOUND_NS);
	close(ep);
	rm_pair("rb0", app, ifc);
}

static void test_down_and_delete_before_wait(void **state)
{
	struct vif_port *app, *ifc;
	uint8_t b[200];
	int64_t t0;

	(void)state;
	mk_pair("rd0", 0, &app, &ifc);
	assert_int_equal(vif_user_set_up("rd0", false), 0);
	t0 = now_ns();
	assert_int_equal(poll_in(vif_fd(ifc), 5000), 1);
	assert_int_equal(poll_in(vif_fd(app), 5000), 1);
	assert_true(now_ns() - t0 < WAKE_BOUND_NS);
	assert_int_equal(vif_read(ifc, b, sizeof(b)), -ENETDOWN);
	assert_int_equal(vif_user_set_up("rd0", true), 0);
	assert_int_equal(poll_in(vif_fd(ifc), 0), 0);
	assert_int_equal(vif_user_delete("rd0"), 0);
	t0 = now_ns();
	assert_int_equal(poll_in(vif_fd(ifc), 5000), 1);
	assert_int_equal(poll_in(vif_space_fd(app), 5000), 1);
	assert_true(now_ns() - t0 < WAKE_BOUND_NS);
	assert_int_equal(vif_state(ifc), VIF_ST_GONE);
	rm_pair(NULL, app, ifc);
}

/* ---- a thread already waiting is woken, promptly ---- */

enum waiter_kind { W_EPOLL, W_READ, W_WRITE };

struct waiter {
	enum waiter_kind kind;
	struct vif_port *p;
	pthread_barrier_t bar;
	pid_t tid;
	atomic_int started;	/* set past the barrier, right before the wait */
	ssize_t rc;
	int64_t woke;
	uint8_t buf[200];
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = -1;

	w->tid = gettid();
	if (w->kind == W_EPOLL) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(w->p), &ev);
	}
	pthread_barrier_wait(&w->bar);
	atomic_store(&w->started, 1);
	if (w->kind == W_EPOLL)
		w->rc = epoll_wait(ep, &out, 1, 5000);
	else if (w->kind == W_READ)
		w->rc = vif_read(w->p, w->buf, sizeof(w->buf));
	else
		w->rc = vif_write(w->p, w->buf, mk_ipv4(w->buf, 100, 0));
	w->woke = now_ns();
	if (ep >= 0)
		close(ep);
	return NULL;
}

/* Starts a waiter and returns once it sleeps in its wait. */
static void waiter_start(struct waiter *w, pthread_t *t, enum waiter_kind kind,
			 struct vif_port *p)
{
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->p = p;
	pthread_barrier_init(&w->bar, NULL, 2);
	assert_int_equal(pthread_create(t, NULL, waiter_main, w), 0);
	pthread_barrier_wait(&w->bar);
	assert_true(wait_sleeping(w->tid, &w->started));
}

static int64_t waiter_join(struct waiter *w, pthread_t t, int64_t t0)
{
	pthread_join(t, NULL);
	pthread_barrier_destroy(&w->bar);
	return w->woke - t0;
}

static void test_epoll_waiter_woken_by_packet(void **state)
{
	struct vif_port *app, *ifc;
	struct waiter w;
	pthread_t t;
	uint8_t p[100];
	int64_t t0, dt;

	(void)state;
	mk_pair("rw0", 0, &app, &ifc);
	waiter_start(&w, &t, W_EPOLL, ifc);
	t0 = now_ns();
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 1)), 100);
	dt = waiter_join(&w, t, t0);
	assert_int_equal(w.rc, 1);
	assert_true(dt < WAKE_BOUND_NS);
	print_message("epoll waiter woken by a packet in %lld us\n", (long long)dt / 1000);
	rm_pair("rw0", app, ifc);
}

static void test_epoll_waiter_woken_by_delete(void **state)
{
	struct vif_port *app, *ifc;
	struct waiter w;
	pthread_t t;
	int64_t t0;

	(void)state;
	mk_pair("rw1", 0, &app, &ifc);
	waiter_start(&w, &t, W_EPOLL, app);
	t0 = now_ns();
	assert_int_equal(vif_user_delete("rw1"), 0);
	assert_true(waiter_join(&w, t, t0) < WAKE_BOUND_NS);
	assert_int_equal(w.rc, 1);
	rm_pair(NULL, app, ifc);
}

/* Haiku: `ifconfig down` hung on a reader that was never woken. */
static void test_blocked_reader_woken_by_down(void **state)
{
	struct vif_port *app, *ifc;
	struct waiter w;
	pthread_t t;
	int64_t t0, dt;

	(void)state;
	mk_pair("rw2", 0, &app, &ifc);
	waiter_start(&w, &t, W_READ, ifc);
	t0 = now_ns();
	assert_int_equal(vif_user_set_up("rw2", false), 0);
	dt = waiter_join(&w, t, t0);
	assert_int_equal(w.rc, -ENETDOWN);
	assert_true(dt < WAKE_BOUND_NS);
	print_message("blocked reader woken by down in %lld us\n", (long long)dt / 1000);
	rm_pair("rw2", app, ifc);
}

static void test_blocked_reader_woken_by_delete(void **state)
{
	struct vif_port *app, *ifc;
	struct waiter w;
	pthread_t t;
	int64_t t0;

	(void)state;
	mk_pair("rw3", 0, &app, &ifc);
	waiter_start(&w, &t, W_READ, app);
	t0 = now_ns();
	assert_int_equal(vif_user_delete("rw3"), 0);
	assert_true(waiter_join(&w, t, t0) < WAKE_BOUND_NS);
	assert_int_equal(w.rc, -ENODEV);
	rm_pair(NULL, app, ifc);
}

static void test_blocked_writer_woken_by_down_and_delete(void **state)
{
	struct vif_port *app, *ifc;
	struct waiter w;
	pthread_t t;
	uint8_t p[100];
	int64_t t0;

	(void)state;
	mk_pair("rw4", 1, &app, &ifc);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 1)), 100);
	waiter_start(&w, &t, W_WRITE, app);
	t0 = now_ns();
	assert_int_equal(vif_user_set_up("rw4", false), 0);
	assert_true(waiter_join(&w, t, t0) < WAKE_BOUND_NS);
	assert_int_equal(w.rc, -ENETDOWN);
	assert_int_equal(vif_user_set_up("rw4", true), 0);
	assert_int_equal(vif_write(app, p, 100), 100);
	waiter_start(&w, &t, W_WRITE, app);
	t0 = now_ns();
	assert_int_equal(vif_user_delete("rw4"), 0);
	assert_true(waiter_join(&w, t, t0) < WAKE_BOUND_NS);
	assert_int_equal(w.rc, -ENODEV);
	rm_pair(NULL, app, ifc);
}

/* ---- no lost wake-up under a concurrent producer ---- */

enum { FLOOD_N = 20000 };

struct flood {
	struct vif_port *app;
	unsigned stalls;	/* space-fd waits that timed out: each one a lost wake-up */
	unsigned sent;
};

/* A non-blocking writer that waits on the space fd whenever the queue is full. */
static void *flood_writer(void *arg)
{
	struct flood *f = arg;
	uint8_t p[64];

	for (uint32_t s = 1; s <= FLOOD_N;) {
		ssize_t rc = vif_write(f->app, p, mk_ipv4(p, sizeof(p), s));

		if (rc == (ssize_t)sizeof(p)) {
			s++;
			f->sent++;
		} else if (rc == -EAGAIN) {
			if (poll_in(vif_space_fd(f->app), 5000) != 1 && ++f->stalls > 3)
				break;
		} else {
			break;
		}
	}
	return NULL;
}

/* The consumer trusts only epoll: every wake-up must find a packet (one consumer, device up),
 * and no wait may time out while the producer still has packets to send. */
static void test_no_lost_wakeup_under_flood(void **state)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct vif_port *app, *ifc;
	struct flood f = { 0 };
	uint32_t next = 1, s;
	unsigned empty_wakeups = 0, timeouts = 0;
	pthread_t t;
	uint8_t b[200];
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)state;
	mk_pair("rf0", 8, &app, &ifc);
	assert_int_equal(vif_set_nonblock(app, true), 0);
	assert_int_equal(vif_set_nonblock(ifc, true), 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(ifc), &ev), 0);
	f.app = app;
	assert_int_equal(pthread_create(&t, NULL, flood_writer, &f), 0);
	while (next <= FLOOD_N && timeouts < 3) {
		ssize_t n;
		unsigned got = 0;

		if (epoll_wait(ep, &out, 1, 5000) != 1) {
			timeouts++;
			continue;
		}
		while ((n = vif_read(ifc, b, sizeof(b))) == 64) {
			memcpy(&s, b + 20, 4);
			assert_int_equal(s, next);
			next++;
			got++;
		}
		assert_int_equal(n, -EAGAIN);
		empty_wakeups += got == 0;
	}
	pthread_join(t, NULL);
	assert_int_equal(timeouts, 0);
	assert_int_equal(f.stalls, 0);
	assert_int_equal(empty_wakeups, 0);
	assert_int_equal(next, FLOOD_N + 1);
	close(ep);
	rm_pair("rf0", app, ifc);
}

/* ---- idle: no wake-ups at all ---- */

static void test_idle_device_makes_no_wakeups(void **state)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct vif_port *app, *ifc;
	struct rusage r0, r1;
	int64_t t0, dt;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)state;
	mk_pair("ri0", 0, &app, &ifc);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(ifc), &ev), 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(app), &ev), 0);
	getrusage(RUSAGE_THREAD, &r0);
	t0 = now_ns();
	assert_int_equal(epoll_wait(ep, &out, 1, 200), 0);
	dt = now_ns() - t0;
	getrusage(RUSAGE_THREAD, &r1);
	assert_true(dt >= 190000000ll);
	/* One sleep, one wake-up (the timeout): no polling behind the scenes. */
	assert_true(r1.ru_nvcsw - r0.ru_nvcsw <= 2);
	print_message("idle 200 ms: %ld voluntary context switches\n",
		      r1.ru_nvcsw - r0.ru_nvcsw);
	close(ep);
	rm_pair("ri0", app, ifc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_level_triggered),
		cmocka_unit_test(test_epoll_level_triggered),
		cmocka_unit_test(test_select_readiness),
		cmocka_unit_test(test_packet_before_wait),
		cmocka_unit_test(test_down_and_delete_before_wait),
		cmocka_unit_test(test_epoll_waiter_woken_by_packet),
		cmocka_unit_test(test_epoll_waiter_woken_by_delete),
		cmocka_unit_test(test_blocked_reader_woken_by_down),
		cmocka_unit_test(test_blocked_reader_woken_by_delete),
		cmocka_unit_test(test_blocked_writer_woken_by_down_and_delete),
		cmocka_unit_test(test_no_lost_wakeup_under_flood),
		cmocka_unit_test(test_idle_device_makes_no_wakeups),
	};

	alarm(60);	/* a lost wake-up would hang a blocking call: fail instead */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
