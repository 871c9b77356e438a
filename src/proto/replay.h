/* Sliding-window replay protection for packet ids (data channel §9.6, control-channel
 * long form §2.6).
 *
 * Ids are 64-bit so that the 2.7 epoch format (16-bit epoch || 48-bit counter, one window
 * per epoch) uses the same code; 2.6 ids are u32.  The optional "timestamp" is the
 * long-form replay timestamp of tls-auth/tls-crypt: a larger one starts a new sequence,
 * a smaller one is rejected.  Short-form users pass ts = 0 always.
 *
 * Check and commit are separate: check before (or after) authentication, commit ONLY after
 * the packet authenticated, so forged packets never move the window.
 */
#ifndef BURROW_PROTO_REPLAY_H
#define BURROW_PROTO_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLAY_WINDOW_DEFAULT 64
#define REPLAY_WINDOW_MAX 65536
#define REPLAY_TIME_DEFAULT 15		/* seconds */

enum replay_err {
	REPLAY_OK = 0,
	REPLAY_ERR_ZERO = -2001,	/* id 0 is never valid */
	REPLAY_ERR_DUP = -2002,		/* already seen */
	REPLAY_ERR_OLD = -2003,		/* older than the window */
	REPLAY_ERR_EXPIRED = -2004,	/* in the window but older than the time window */
	REPLAY_ERR_TS_OLD = -2005,	/* long form: timestamp older than the current sequence */
	REPLAY_ERR_STATE = -2006,	/* not initialised (or freed): fail closed */
};

struct replay {
	uint32_t window;	/* ids remembered behind the highest */
	uint32_t time_window;	/* seconds; 0 = no time expiry */
	bool any;		/* something was committed */
	uint32_t ts;		/* long-form timestamp of the current sequence */
	uint64_t highest;	/* highest committed id */
	uint64_t *seen;		/* window bits, slot = id % window */
	uint32_t *opened;	/* per slot: time (s) the slot entered the window; NULL if no
				 * time window */
	uint64_t n_ok, n_rejected;
};

/* window: 1..REPLAY_WINDOW_MAX (0 = 64); time_window_s: 0 disables time expiry.
 * Returns 0, -EINVAL or -ENOMEM. */
int replay_init(struct replay *r, uint32_t window, uint32_t time_window_s);
void replay_free(struct replay *r);
/* Forget everything (new key); keeps the configuration. */
void replay_reset(struct replay *r);

/* 0 (REPLAY_OK) if (id, ts) would be accepted now, else a replay_err.  Does not modify r. */
int replay_check(const struct replay *r, uint64_t id, uint32_t ts, uint64_t now_s);
/* Records (id, ts) as seen.  Call only after replay_check() passed and the packet
 * authenticated.  A rejected pair is ignored. */
void replay_commit(struct replay *r, uint64_t id, uint32_t ts, uint64_t now_s);
/* check + commit in one (for callers that authenticated already).  Counts n_ok/n_rejected. */
int replay_accept(struct replay *r, uint64_t id, uint32_t ts, uint64_t now_s);

const char *replay_strerror(int err);

#endif
