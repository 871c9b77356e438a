/* Sliding-window replay protection (spec §2.6, §9.6).
 *
 * The window is a ring of `window` slots, slot = id % window, holding one "seen" bit and,
 * with a time window, the time the slot entered the window (when a later id made it a
 * gap).  An older id is accepted only while its slot is younger than time_window: a packet
 * that lags later traffic by more than that is treated as replayed.
 */
#include "proto/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t words(uint32_t window)
{
	return ((size_t)window + 63) / 64;
}

int replay_init(struct replay *r, uint32_t window, uint32_t time_window_s)
{
	memset(r, 0, sizeof(*r));
	if (window == 0)
		window = REPLAY_WINDOW_DEFAULT;
	if (window > REPLAY_WINDOW_MAX)
		return -EINVAL;
	r->window = window;
	r->time_window = time_window_s;
	r->seen = calloc(words(window), sizeof(uint64_t));
	if (!r->seen)
		goto fail;
	if (time_window_s) {
		r->opened = calloc(window, sizeof(uint32_t));
		if (!r->opened)
			goto fail;
	}
	return 0;
fail:
	replay_free(r);
	return -ENOMEM;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	free(r->seen);
	free(r->opened);
	memset(r, 0, sizeof(*r));
}

void replay_reset(struct replay *r)
{
	r->any = false;
	r->ts = 0;
	r->highest = 0;
	if (r->seen)
		memset(r->seen, 0, words(r->window) * sizeof(uint64_t));
}

static bool bit_get(const struct replay *r, uint64_t id)
{
	uint64_t slot = id % r->window;

	return (r->seen[slot / 64] >> (slot % 64)) & 1u;
}

/* Marks a slot as a fresh gap: unseen, entering the window now. */
static void slot_open(struct replay *r, uint64_t id, uint32_t now)
{
	uint64_t slot = id % r->window;

	r->seen[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
	if (r->opened)
		r->opened[slot] = now;
}

static void open_all(struct replay *r, uint32_t now)
{
	memset(r->seen, 0, words(r->window) * sizeof(uint64_t));
	if (r->opened)
		for (uint32_t i = 0; i < r->window; i++)
			r->opened[i] = now;
}

int replay_check(const struct replay *r, uint64_t id, uint32_t ts, uint64_t now_s)
{
	uint64_t slot;

	if (!r->seen)
		return REPLAY_ERR_STATE;
	if (id == 0)
		return REPLAY_ERR_ZERO;
	if (!r->any || ts > r->ts)
		return REPLAY_OK;	/* first packet, or a new long-form sequence */
	if (ts < r->ts)
		return REPLAY_ERR_TS_OLD;
	if (id > r->highest)
		return REPLAY_OK;
	if (r->highest - id >= r->window)
		return REPLAY_ERR_OLD;
	if (bit_get(r, id))
		return REPLAY_ERR_DUP;
	slot = id % r->window;
	if (r->opened && (uint64_t)r->opened[slot] + r->time_window < (uint32_t)now_s)
		return REPLAY_ERR_EXPIRED;
	return REPLAY_OK;
}

void replay_commit(struct replay *r, uint64_t id, uint32_t ts, uint64_t now_s)
{
	uint32_t now = (uint32_t)now_s;
	uint64_t slot;

	if (!r->seen || replay_check(r, id, ts, now_s) != REPLAY_OK)
		return;
	if (!r->any || ts > r->ts) {
		open_all(r, now);
		r->any = true;
		r->ts = ts;
		r->highest = id;
	} else if (id > r->highest) {
		if (id - r->highest >= r->window)
			open_all(r, now);
		else
			for (uint64_t k = r->highest + 1; k <= id; k++)
				slot_open(r, k, now);
		r->highest = id;
	}
	slot = id % r->window;
	r->seen[slot / 64] |= UINT64_C(1) << (slot % 64);
}

int replay_accept(struct replay *r, uint64_t id, uint32_t ts, uint64_t now_s)
{
	int rc = replay_check(r, id, ts, now_s);

	if (rc != REPLAY_OK) {
		r->n_rejected++;
		return rc;
	}
	replay_commit(r, id, ts, now_s);
	r->n_ok++;
	return REPLAY_OK;
}

const char *replay_strerror(int err)
{
	switch (err) {
	case REPLAY_OK:
		return "ok";
	case REPLAY_ERR_ZERO:
		return "packet id 0";
	case REPLAY_ERR_DUP:
		return "replayed packet id";
	case REPLAY_ERR_OLD:
		return "packet id older than the replay window";
	case REPLAY_ERR_EXPIRED:
		return "packet id older than the replay time window";
	case REPLAY_ERR_TS_OLD:
		return "replay timestamp older than the current one";
	case REPLAY_ERR_STATE:
		return "replay window not initialised";
	default:
		return "unknown replay error";
	}
}
