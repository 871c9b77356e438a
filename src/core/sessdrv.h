/* The session driver shared by the client and the server engine: it owns everything that
 * moves one protocol session (proto/session.h) in time — the pump between the session's
 * queues and the engine, the session's own deadline timer, keepalive ping / ping-restart /
 * ping-exit, inactive, the handshake deadline, and the accounting of the session's drops. An engine
 * embeds a `struct sessdrv`, attaches its session, and hears back through `sessdrv_ops`. */
#ifndef BURROW_CORE_SESSDRV_H
#define BURROW_CORE_SESSDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "proto/session.h"

/* Why a driver timer ended (or wants to end) the session. */
enum sessdrv_timeout {
	SESSDRV_TO_HANDSHAKE = 0,	/* the deadline set with sessdrv_deadline_* passed */
	SESSDRV_TO_PING_RESTART,	/* nothing heard for ping-restart seconds */
	SESSDRV_TO_PING_EXIT,		/* nothing heard for ping-exit seconds */
	SESSDRV_TO_INACTIVE,		/* no tunnel traffic for inactive seconds */
	SESSDRV_TO_N
};

/* Engine callbacks; ctx is the engine's own object. Only on_event and on_timeout may end
 * the session (by calling sessdrv_detach); the driver stops touching it at once. */
struct sessdrv_ops {
	void (*send_wire)(void *ctx, const uint8_t *pkt, size_t len);
	void (*write_tun)(void *ctx, const uint8_t *pkt, size_t len);
	void (*on_event)(void *ctx, const struct sess_event *ev);
	void (*on_timeout)(void *ctx, enum sessdrv_timeout why);
	/* Packets the session refused since the last call (optional). */
	void (*on_drops)(void *ctx, uint64_t n);
	/* Optional: keep ctx allocated while a driver timer works on it (leave may free it). */
	void (*enter)(void *ctx);
	void (*leave)(void *ctx);
};

/* What keepalive watches; 0 seconds = off. Silence and inactivity are counted from since_ms
 * at the earliest. */
struct sessdrv_keep {
	int ping_s;		/* ping after this long without sending */
	int restart_s;		/* SESSDRV_TO_PING_RESTART after this long without hearing */
	int exit_s;		/* SESSDRV_TO_PING_EXIT after this long without hearing */
	int inactive_s;		/* SESSDRV_TO_INACTIVE after this long without tunnel packets */
	uint64_t since_ms;
	unsigned flags;
};
#define SESSDRV_PING_KEYED 1u	/* ping only once the data channel has keys (the server) */

struct sessdrv {
	const struct sessdrv_ops *ops;
	void *ctx;
	struct loop *lp;
	struct sess *sess;		/* borrowed from the engine; NULL when detached */
	struct loop_timer t_sess;	/* the session's own next deadline */
	struct loop_timer t_keep;	/* ping / ping-restart / ping-exit, at the next deadline */
	struct loop_timer t_hand;	/* handshake deadline (or any engine deadline) */
	uint64_t ping_ms, restart_ms, exit_ms, inactive_ms;	/* 0 = off */
	uint64_t keep_since_ms;		/* silence is counted from here at the earliest */
	unsigned keep_flags;
	uint64_t tun_seen;		/* tunnel packets both ways at the last pump */
	uint64_t tun_active_ms;		/* when that count last moved */
	uint64_t drops_seen;		/* the session's drops at the last look */
};

void sessdrv_init(struct sessdrv *d, struct loop *lp, const struct sessdrv_ops *ops, void *ctx);
/* Starts driving s (drop accounting starts at its current counters). */
void sessdrv_attach(struct sessdrv *d, struct sess *s);
/* Stops every timer and forgets the session (the engine frees it). Safe inside callbacks. */
void sessdrv_detach(struct sessdrv *d);

/* One packet from the transport into the session, then the pump. */
void sessdrv_input(struct sessdrv *d, const uint8_t *pkt, size_t len);
/* Drains wire → send_wire, tun → write_tun, events → on_event until nothing moves or the
 * session was detached; then re-arms the session's deadline. */
void sessdrv_pump(struct sessdrv *d);

/* Starts (or changes) keepalive and the inactivity limit; stops the handshake deadline. */
void sessdrv_keepalive(struct sessdrv *d, const struct sessdrv_keep *k);
/* SESSDRV_TO_HANDSHAKE at this time / after this delay (replaces an earlier one). */
void sessdrv_deadline_at(struct sessdrv *d, uint64_t at_ms);
void sessdrv_deadline_in(struct sessdrv *d, uint64_t delay_ms);
/* Stops keepalive and the deadline; the session's own timer keeps running. */
void sessdrv_keep_stop(struct sessdrv *d);

/* Every packet the session refused so far (0 when detached). */
uint64_t sessdrv_drops(const struct sessdrv *d);

#endif
