/* Server engine: the waiting room of the half-open limit.
 *
 * A UDP client that passed the stateless cookie while SERVER_MAX_HALF_OPEN handshakes are
 * running is refused; without more, it retries only when its own retransmit timer fires
 * (tls-timeout, 2 s, then 4, 8 ...), so a storm of clients (a server restart) connects in
 * waves seconds apart although each handshake takes milliseconds. Instead its packet is
 * parked here, bounded in count and age, and fed again as soon as a handshake finishes. A
 * parked packet is checked by the cookie again, so nothing is trusted from the wait; an
 * attacker holding the half-open slots gains nothing, parked packets simply expire.
 *
 * When the last handshake in progress ends, the heap they used (TLS handshake state, some
 * tens of KB each) is handed back to the system a second later: after a storm of clients
 * the resident memory is what the connected clients hold, not the storm's peak. */
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__	/* defined by the headers above */
#include <malloc.h>
#endif

#include "core/server_impl.h"

#define SERVER_WAIT_MAX 128	/* parked packets */
#define SERVER_WAIT_MS 1500	/* under the client's first retransmit (2 s) */
#define SERVER_WAIT_PKT 2048	/* larger third packets are not parked */
#define SERVER_TRIM_MS 1000	/* after the last handshake ended */

struct server_wait_ent {
	uint64_t at;
	struct xport_addr from;
	size_t len;
	uint8_t *pkt;
};

struct server_wait {
	struct server_wait_ent e[SERVER_WAIT_MAX];
	size_t head, n;
};

static struct server_wait_ent *wait_at(struct server_wait *w, size_t i)
{
	return &w->e[(w->head + i) % SERVER_WAIT_MAX];
}

static void wait_pop(struct server_wait *w)
{
	struct server_wait_ent *e = wait_at(w, 0);

	free(e->pkt);
	e->pkt = NULL;
	w->head = (w->head + 1) % SERVER_WAIT_MAX;
	w->n--;
}

static void wait_expire(struct server_wait *w, uint64_t now)
{
	while (w->n && now - wait_at(w, 0)->at > SERVER_WAIT_MS)
		wait_pop(w);
}

static void server_on_admit(struct loop *lp, void *arg);

static struct server_wait *wait_get(struct server *srv)
{
	if (!srv->wait) {
		srv->wait = calloc(1, sizeof(*srv->wait));
		if (srv->wait)
			loop_timer_init(&srv->t_admit, server_on_admit, srv);
	}
	return srv->wait;
}

bool server_wait_add(struct server *srv, const uint8_t *pkt, size_t len,
		     const struct xport_addr *from)
{
	struct server_wait *w = len <= SERVER_WAIT_PKT ? wait_get(srv) : NULL;
	struct server_wait_ent *e = NULL;
	uint64_t now = loop_clock_ms();

	if (!w)
		return false;
	wait_expire(w, now);
	for (size_t i = 0; i < w->n && !e; i++)	/* a retransmission replaces its copy */
		if (xport_addr_equal(&wait_at(w, i)->from, from))
			e = wait_at(w, i);
	if (!e && w->n == SERVER_WAIT_MAX)
		return false;
	if (!e) {
		e = wait_at(w, w->n++);
		e->pkt = NULL;
	}
	free(e->pkt);
	e->pkt = malloc(len);
	if (!e->pkt) {
		e->len = 0;	/* an empty entry: dropped when its turn comes */
		return false;
	}
	memcpy(e->pkt, pkt, len);
	e->len = len;
	e->at = now;
	e->from = *from;
	return true;
}

static void server_on_trim(struct loop *lp, void *arg)
{
	struct server *srv = arg;

	(void)lp;
	if (srv->n_half)
		return;	/* a new storm began: its end trims */
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* A handshake finished or failed: admit parked clients from the loop, not from inside the
 * caller (which may be deep in a peer's callbacks). */
void server_wait_kick(struct server *srv)
{
	if (srv->wait && srv->wait->n && !loop_timer_armed(&srv->t_admit))
		loop_timer_in(srv->lp, &srv->t_admit, 0);
	if (srv->n_half == 0 && !loop_timer_armed(&srv->t_trim)) {
		loop_timer_init(&srv->t_trim, server_on_trim, srv);
		loop_timer_in(srv->lp, &srv->t_trim, SERVER_TRIM_MS);
	}
}

static void server_on_admit(struct loop *lp, void *arg)
{
	struct server *srv = arg;
	struct server_wait *w = srv->wait;
	uint8_t pkt[SERVER_WAIT_PKT];
	struct xport_addr from;
	size_t len;

	(void)lp;
	wait_expire(w, loop_clock_ms());
	while (w->n && srv->n_half < SERVER_MAX_HALF_OPEN) {
		len = wait_at(w, 0)->len;
		from = wait_at(w, 0)->from;
		if (len)
			memcpy(pkt, wait_at(w, 0)->pkt, len);
		wait_pop(w);
		/* the client may have got in meanwhile (its retransmission found a slot) */
		if (len && !server_peer_by_addr(srv, &from))
			server_udp_new(srv, pkt, len, &from);
	}
}

void server_wait_free(struct server *srv)
{
	loop_timer_stop(srv->lp, &srv->t_trim);
	if (!srv->wait)
		return;
	loop_timer_stop(srv->lp, &srv->t_admit);
	while (srv->wait->n)
		wait_pop(srv->wait);
	free(srv->wait);
	srv->wait = NULL;
}
