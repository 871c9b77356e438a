/* Private to the transports: the common struct xport and the per-protocol operations. */
#ifndef BURROW_CORE_XPORT_IMPL_H
#define BURROW_CORE_XPORT_IMPL_H

#include "core/xport.h"

struct xport_ops {
	int (*send)(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to);
	void (*close)(struct xport *xp);	/* releases resources; xport_close frees xp */
};

struct xport {
	const struct xport_ops *ops;
	enum xport_proto proto;
	struct loop *lp;
	struct loop_io io;
	int fd;
	const struct xport_cb *cb;
	void *cb_arg;
	int connected;			/* UDP connected / TCP established */
	struct xport_addr peer;		/* valid when connected or connecting */
	struct xport_stats st;
	/* A callback may close its transport: the free is deferred until the dispatcher that
	 * called it returns (xport_leave). */
	int busy;
	int dead;
	int corked;			/* UDP: sends wait in batch until xport_uncork() */
	struct udp_batch *batch;	/* udp_gso.c; allocated on first use */
};

static inline void xport_enter(struct xport *xp) { xp->busy++; }
/* Returns 1 when xp was closed during the callbacks (and is now freed): stop using it. */
int xport_leave(struct xport *xp);

/* udp_gso.c: the corked UDP send batch. add holds (or flushes and holds) one packet; flush
 * sends what is held (0 or -errno); free drops it. */
int udp_batch_add(struct xport *xp, const uint8_t *pkt, size_t len, const struct xport_addr *to);
int udp_batch_flush(struct xport *xp);
void udp_batch_free(struct xport *xp);

/* Creates a nonblocking close-on-exec socket. Returns the fd or -errno. */
int xport_socket(int family, int type);

#endif
