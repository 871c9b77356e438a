/* The session driver: every timer of one protocol session in one place (the session's own
 * deadline, keepalive ping / ping-restart / ping-exit, inactive, the handshake deadline), the pump
 * between the session's queues and its engine, and the accounting of the session's drops.
 * The client and the server engine differ only in their sessdrv_ops and flags. */
#include "core/sessdrv.h"

#include <string.h>

/* A bound on one pump: far above what one input or timer can queue. */
#define SESSDRV_PUMP_MAX 100000

static void drv_enter(struct sessdrv *d)
{
	if (d->ops->enter)
		d->ops->enter(d->ctx);
}

/* May free the engine's object and with it d: the caller's last touch of d. */
static void drv_leave(struct sessdrv *d)
{
	if (d->ops->leave)
		d->ops->leave(d->ctx);
}

/* ---- the pump ---- */

/* One round over the three queues; false when nothing moved. */
static bool drv_drain_once(struct sessdrv *d)
{
	struct sess_buf b;
	struct sess_event ev;
	bool any = false;

	while (d->sess && sess_pop_wire(d->sess, &b)) {
		d->ops->send_wire(d->ctx, b.data, b.len);
		any = true;
	}
	while (d->sess && sess_pop_tun(d->sess, &b)) {
		d->ops->write_tun(d->ctx, b.data, b.len);
		any = true;
	}
	if (d->sess && sess_pop_event(d->sess, &ev)) {
		d->ops->on_event(d->ctx, &ev);
		any = true;
	}
	return any;
}

/* Tunnel packets either way (keepalive pings are not counted): the clock of `inactive`. */
static void drv_note_traffic(struct sessdrv *d)
{
	const struct sess_stats *st = sess_get_stats(d->sess);
	uint64_t n = st->tun_rx + st->tun_tx;

	if (n != d->tun_seen) {
		d->tun_seen = n;
		d->tun_active_ms = loop_clock_ms();
	}
}

void sessdrv_pump(struct sessdrv *d)
{
	uint64_t due;

	for (int guard = 0; d->sess && guard < SESSDRV_PUMP_MAX; guard++)
		if (!drv_drain_once(d))
			break;
	if (!d->sess)
		return;
	drv_note_traffic(d);
	due = sess_next_deadline(d->sess);
	if (due == UINT64_MAX)
		loop_timer_stop(d->lp, &d->t_sess);
	else
		loop_timer_at(d->lp, &d->t_sess, due);
}

static void drv_count_drops(struct sessdrv *d)
{
	uint64_t now = sessdrv_drops(d);

	if (now == d->drops_seen)
		return;
	if (d->ops->on_drops)
		d->ops->on_drops(d->ctx, now - d->drops_seen);
	d->drops_seen = now;
}

void sessdrv_input(struct sessdrv *d, const uint8_t *pkt, size_t len)
{
	if (!d->sess)
		return;
	drv_enter(d);
	sess_input(d->sess, pkt, len, loop_clock_ms());
	drv_count_drops(d);
	sessdrv_pump(d);
	drv_leave(d);
}

/* A driver timer's work, with the engine's object kept alive around it. */
static void drv_run(struct sessdrv *d, void (*work)(struct sessdrv *d))
{
	if (!d->sess)
		return;
	drv_enter(d);
	work(d);
	drv_leave(d);
}

static void drv_sess_tick(struct sessdrv *d)
{
	sess_timer(d->sess, loop_clock_ms());
	sessdrv_pump(d);
}

static void drv_on_sess_timer(struct loop *lp, void *arg)
{
	(void)lp;
	drv_run(arg, drv_sess_tick);
}

/* ---- keepalive: armed at the next real deadline, never a periodic tick ---- */

static uint64_t drv_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Ping when idle; returns the next ping time (UINT64_MAX: none), or 0 if detached. */
static uint64_t drv_ping(struct sessdrv *d, uint64_t now)
{
	uint64_t tx;

	if (!d->ping_ms || ((d->keep_flags & SESSDRV_PING_KEYED) && !sess_data_ready(d->sess)))
		return UINT64_MAX;
	tx = drv_max(sess_last_tx_ms(d->sess), d->keep_since_ms);
	if (now - tx < d->ping_ms)
		return tx + d->ping_ms;
	sess_send_ping(d->sess, now);
	sessdrv_pump(d);
	return d->sess ? now + d->ping_ms : 0;
}

/* One limit: past it, true (the engine hears why); before it, *next covers its deadline. */
static bool drv_limit(struct sessdrv *d, enum sessdrv_timeout why, uint64_t from,
		      uint64_t limit, uint64_t now, uint64_t *next)
{
	if (!limit)
		return false;
	if (now - from >= limit) {
		d->ops->on_timeout(d->ctx, why);
		return true;
	}
	if (from + limit < *next)
		*next = from + limit;
	return false;
}

/* Silence or inactivity past a limit: the engine decides (restart, close, exit). */
static bool drv_silence(struct sessdrv *d, uint64_t now, uint64_t *next)
{
	uint64_t rx = drv_max(sess_last_rx_ms(d->sess), d->keep_since_ms);
	uint64_t tun = drv_max(d->tun_active_ms, d->keep_since_ms);

	return drv_limit(d, SESSDRV_TO_PING_EXIT, rx, d->exit_ms, now, next) ||
	       drv_limit(d, SESSDRV_TO_PING_RESTART, rx, d->restart_ms, now, next) ||
	       drv_limit(d, SESSDRV_TO_INACTIVE, tun, d->inactive_ms, now, next);
}

static void drv_keep_check(struct sessdrv *d)
{
	uint64_t now = loop_clock_ms(), next = UINT64_MAX, ping;

	if (drv_silence(d, now, &next))
		return;
	ping = drv_ping(d, now);
	if (!ping)
		return;
	if (ping < next)
		next = ping;
	if (next != UINT64_MAX)
		loop_timer_at(d->lp, &d->t_keep, next > now ? next : now + 1);
}

static void drv_on_keep(struct loop *lp, void *arg)
{
	(void)lp;
	drv_run(arg, drv_keep_check);
}

static uint64_t drv_secs_ms(int s)
{
	return s > 0 ? (uint64_t)s * 1000u : 0;
}

void sessdrv_keepalive(struct sessdrv *d, const struct sessdrv_keep *k)
{
	loop_timer_stop(d->lp, &d->t_hand);
	d->ping_ms = drv_secs_ms(k->ping_s);
	d->restart_ms = drv_secs_ms(k->restart_s);
	d->exit_ms = drv_secs_ms(k->exit_s);
	d->inactive_ms = drv_secs_ms(k->inactive_s);
	d->keep_since_ms = k->since_ms;
	d->keep_flags = k->flags;
	if (d->ping_ms || d->restart_ms || d->exit_ms || d->inactive_ms)
		loop_timer_at(d->lp, &d->t_keep, loop_clock_ms());
	else
		loop_timer_stop(d->lp, &d->t_keep);
}

/* ---- the handshake deadline ---- */

static void drv_hand_expired(struct sessdrv *d)
{
	d->ops->on_timeout(d->ctx, SESSDRV_TO_HANDSHAKE);
}

static void drv_on_hand(struct loop *lp, void *arg)
{
	(void)lp;
	drv_run(arg, drv_hand_expired);
}

void sessdrv_deadline_at(struct sessdrv *d, uint64_t at_ms)
{
	loop_timer_at(d->lp, &d->t_hand, at_ms);
}

void sessdrv_deadline_in(struct sessdrv *d, uint64_t delay_ms)
{
	loop_timer_in(d->lp, &d->t_hand, delay_ms);
}

void sessdrv_keep_stop(struct sessdrv *d)
{
	loop_timer_stop(d->lp, &d->t_keep);
	loop_timer_stop(d->lp, &d->t_hand);
	d->ping_ms = d->restart_ms = d->exit_ms = d->inactive_ms = 0;
}

/* ---- life cycle ---- */

void sessdrv_init(struct sessdrv *d, struct loop *lp, const struct sessdrv_ops *ops, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->lp = lp;
	d->ops = ops;
	d->ctx = ctx;
	loop_timer_init(&d->t_sess, drv_on_sess_timer, d);
	loop_timer_init(&d->t_keep, drv_on_keep, d);
	loop_timer_init(&d->t_hand, drv_on_hand, d);
}

void sessdrv_attach(struct sessdrv *d, struct sess *s)
{
	d->sess = s;
	d->drops_seen = sessdrv_drops(d);
	d->tun_seen = s ? sess_get_stats(s)->tun_rx + sess_get_stats(s)->tun_tx : 0;
	d->tun_active_ms = 0;
}

void sessdrv_detach(struct sessdrv *d)
{
	loop_timer_stop(d->lp, &d->t_sess);
	sessdrv_keep_stop(d);
	d->sess = NULL;
}

uint64_t sessdrv_drops(const struct sessdrv *d)
{
	return d->sess ? sess_stats_drops(sess_get_stats(d->sess)) : 0;
}
