/* Server engine: the half-open limit, its evictions and its waiting room.
 *
 * The clients still handshaking are listed here, oldest first (server_half_*). When a new
 * client arrives (UDP: it passed the cookie; TCP: accepted) while SERVER_MAX_HALF_OPEN are,
 * the one whose session has accepted no packet for longest is closed for it, provided that
 * silence is SERVER_EVICT_IDLE_MS or more: stalled handshakes (a client that went away, or
 * one that completed the cookie exchange only to hold a slot) cannot lock new clients out,
 * while a client busy handshaking (a packet every round trip) is never evicted. A client
 * waiting for auth-user-pass-verify is the server's to answer: never evicted either. A
 * newcomer from an address that already has handshakes running evicts only from an address
 * with two more, so the addresses holding the slots cannot evict one another in turn (a
 * churn a real client would have to win at every try). TCP adds a limit per source address
 * (server.c) and a first-packet deadline.
 *
 * A UDP client that passed the stateless cookie while SERVER_MAX_HALF_OPEN handshakes are
 * running, none stalled, is refused; without more, it retries only when its own retransmit
 * timer fires
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
#include "util/log.h"

/* ---- the handshaking clients ---- */

static bool half_open(const struct peer *p)
{
	return p->state != PEER_ACTIVE && !p->closing;
}

/* Called with the new client counted in n_half (<= the cap): the table drops the clients
 * that became active since, so it always has room; without room the client is not
 * evictable, nothing worse. */
void server_half_track(struct server *srv, struct peer *p)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < srv->n_half_tab; i++)
		if (half_open(srv->half[i]))
			srv->half[k++] = srv->half[i];
	srv->n_half_tab = k;
	if (k < SERVER_MAX_HALF_OPEN)
		srv->half[srv->n_half_tab++] = p;
}

void server_half_forget(struct peer *p)
{
	struct server *srv = p->srv;

	for (uint32_t i = 0; i < srv->n_half_tab; i++)
		if (srv->half[i] == p) {
			memmove(&srv->half[i], &srv->half[i + 1],
				(srv->n_half_tab - i - 1) * sizeof(srv->half[0]));
			srv->n_half_tab--;
			return;
		}
}

/* The last packet its session accepted (its creation until then). */
static uint64_t half_last_rx(const struct peer *p)
{
	uint64_t t = p->sess ? sess_last_rx_ms(p->sess) : 0;

	return t > p->last_rx_ms ? t : p->last_rx_ms;
}

/* The host part of an address (a port does not make another source). */
static bool same_host(const struct xport_addr *a, const struct xport_addr *b)
{
	const struct sockaddr_in *a4 = (const void *)&a->ss, *b4 = (const void *)&b->ss;
	const struct sockaddr_in6 *a6 = (const void *)&a->ss, *b6 = (const void *)&b->ss;

	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a->ss.ss_family == AF_INET6 &&
	       memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
}

unsigned server_half_from(struct server *srv, const struct xport_addr *a)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < srv->n_half_tab; i++)
		if (half_open(srv->half[i]) && same_host(&srv->half[i]->addr, a))
			n++;
	return n;
}

/* Waiting for auth-user-pass-verify or client-connect: the server owes the answer. */
static bool server_owes_answer(const struct peer *p)
{
	return (p->state == PEER_AUTH || p->state == PEER_CONNECT) && !p->refused;
}

/* The victim: silent SERVER_EVICT_IDLE_MS or more (waiting for a script does not
 * count: the server owes the answer), the oldest silence first. A newcomer whose address
 * already has handshakes running may evict only from an address with at least two more:
 * addresses holding slots cannot evict one another in turn (churn that a real client would
 * have to win), the spread only evens out; an address with none may always. */
bool server_half_evict(struct server *srv, const struct xport_addr *for_whom)
{
	uint64_t now = loop_clock_ms(), oldest = UINT64_MAX;
	unsigned mine = server_half_from(srv, for_whom);
	struct peer *v = NULL;
	char who[64], why[96];

	for (uint32_t i = 0; i < srv->n_half_tab; i++) {	/* oldest first: wins a tie */
		struct peer *p = srv->half[i];
		uint64_t t = half_last_rx(p);

		if (!half_open(p) || server_owes_answer(p) || t >= oldest ||
		    now - t < SERVER_EVICT_IDLE_MS)
			continue;
		if (mine && mine + 1 >= server_half_from(srv, &p->addr))
			continue;
		oldest = t;
		v = p;
	}
	if (!v)
		return false;
	server_count_drop(srv, SERVER_DROP_EVICTED, 1);
	if (server_limit_log(srv))
		log_notice("half-open limit (%d handshakes) reached: evicting the stalled one from "
			   "%s (silent %llu ms) for a new client from %s; more are counted",
			   SERVER_MAX_HALF_OPEN, v->addr_str, (unsigned long long)(now - oldest),
			   xport_addr_str(for_whom, who, sizeof(who)));
	snprintf(why, sizeof(why), "evicted (silent %llu ms at the half-open limit)",
		 (unsigned long long)(now - oldest));
	server_peer_close(v, why);
	return true;
}

/* ---- the waiting room ---- */

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
