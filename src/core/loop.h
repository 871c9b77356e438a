/* The event loop: one epoll instance per thread, timers in a binary min-heap, signals through
 * a signalfd. No periodic wake-ups: the loop sleeps until an fd is ready or the earliest timer
 * is due. Generic: used by the client and the server engines alike. Not thread-safe; one loop
 * per thread. */
#ifndef BURROW_CORE_LOOP_H
#define BURROW_CORE_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;

/* Monotonic clock (CLOCK_MONOTONIC) in milliseconds; the loop's and the protocol's time base. */
uint64_t loop_clock_ms(void);

typedef void (*loop_io_fn)(struct loop *lp, uint32_t events, void *arg);
typedef void (*loop_timer_fn)(struct loop *lp, void *arg);
typedef void (*loop_signal_fn)(struct loop *lp, int signo, void *arg);

/* A watched file descriptor. The caller owns the memory (embed it in its own struct); it must
 * stay valid until loop_io_del(). Deleting an io from inside any callback is safe, also when
 * it has an event pending in the same batch. */
struct loop_io {
	int fd;
	uint32_t events;	/* EPOLLIN / EPOLLOUT (level-triggered) */
	loop_io_fn fn;
	void *arg;
};

/* A one-shot timer. The caller owns the memory; stop it before freeing. */
struct loop_timer {
	uint64_t deadline;	/* loop_clock_ms() time it is due */
	size_t slot;		/* heap index + 1; 0 when not armed */
	loop_timer_fn fn;
	void *arg;
};

struct loop_stats {
	uint64_t wakeups;	/* epoll_wait returns */
	uint64_t io_events;	/* fd callbacks run */
	uint64_t timers_fired;
	uint64_t signals;
};

/* Returns 0 or -errno. */
int loop_new(struct loop **out);
/* Closes the epoll fd and the signalfd (and restores the signal mask); does not close the fds
 * of ios still registered. */
void loop_free(struct loop *lp);

int loop_io_add(struct loop *lp, struct loop_io *io, int fd, uint32_t events,
		loop_io_fn fn, void *arg);
int loop_io_mod(struct loop *lp, struct loop_io *io, uint32_t events);
void loop_io_del(struct loop *lp, struct loop_io *io);

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg);
/* (Re)arm at an absolute loop_clock_ms() deadline / after delay_ms. Returns 0 or -ENOMEM. */
int loop_timer_at(struct loop *lp, struct loop_timer *t, uint64_t deadline_ms);
int loop_timer_in(struct loop *lp, struct loop_timer *t, uint64_t delay_ms);
void loop_timer_stop(struct loop *lp, struct loop_timer *t);
static inline int loop_timer_armed(const struct loop_timer *t) { return t->slot != 0; }

/* Blocks the given signals and delivers them through a signalfd to fn. May be called once per
 * loop; the previous mask is restored by loop_free(). Returns 0 or -errno. */
int loop_signals(struct loop *lp, const int *signos, size_t n, loop_signal_fn fn, void *arg);
/* For the loop that runs the whole process: loop_free() leaves the signals blocked instead of
 * restoring the mask. A second SIGTERM that arrives while the first is handled (closing
 * clients, down script) stays pending in the signalfd; unblocking it would kill the process
 * by the signal's default action (exit status 143) just before its clean exit. */
void loop_signals_keep_blocked(struct loop *lp);

/* Runs until loop_stop(); returns its status. */
int loop_run(struct loop *lp);
/* One wait (at most max_wait_ms, -1 = until the next timer or event) plus dispatch.
 * Returns the number of callbacks run (>= 0) or -errno. For tests and embedding. */
int loop_run_once(struct loop *lp, int max_wait_ms);
void loop_stop(struct loop *lp, int status);
int loop_stopped(const struct loop *lp);

/* The time of the current iteration (cheap; refreshed after every wait). */
uint64_t loop_now(const struct loop *lp);
void loop_get_stats(const struct loop *lp, struct loop_stats *st);

#endif
