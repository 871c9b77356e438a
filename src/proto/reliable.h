/* Control-channel reliability layer (spec §3) — a pure data structure.
 *
 * One rel_send and one rel_recv per key state.  The session decides when to emit packets:
 *   send:  rel_send_queue*() stores payloads; rel_send_due() hands out the packets that must
 *          go out now (first transmission or retransmission) one at a time; the session
 *          encodes each with the current ACK list and a fresh wrap packet-id.
 *          rel_send_ack() for every ACKed id received; rel_next_timeout() for the timer.
 *   recv:  rel_recv_accept() for each packet with a msgid; rel_recv_peek()/rel_recv_pop()
 *          give payloads in msgid order; rel_ack_pending()/rel_ack_build() give the ACK list
 *          to piggy-back (max 4) or to send in a P_ACK_V1 (max 8).
 * Times are uint64_t milliseconds from any monotonic origin.  Errors are negative errno.
 */
#ifndef BURROW_PROTO_RELIABLE_H
#define BURROW_PROTO_RELIABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REL_SEND_WINDOW 6		/* outstanding un-ACKed msgids */
#define REL_RECV_WINDOW 12		/* TLS_RELIABLE_N_REC_BUFFERS */
#define REL_ACK_MAX 8			/* ACKs in a P_ACK_V1 */
#define REL_ACK_PIGGYBACK 4		/* ACKs on other control packets */
#define REL_ACK_MRU 8			/* recently sent ACKs re-sent to repair losses */
#define REL_ACK_QUEUE 32		/* pending (never sent) ACKs kept */
#define REL_TIMEOUT_MS 2000		/* tls-timeout: first retransmit */
#define REL_TIMEOUT_MAX_MS 16000	/* backoff cap */
#define REL_FAST_RETRANSMIT 3		/* ACKs for later ids that trigger a resend */
#define REL_PAYLOAD_MAX 2048		/* one control packet's payload (tls-mtu ≤ 2048) */
#define REL_TLS_MTU_DEFAULT 1250	/* --max-packet-size / tls-mtu */

/* One outgoing reliable packet. */
struct rel_pkt {
	bool used;
	uint8_t op;			/* P_CONTROL_V1, a reset, P_CONTROL_WKC_V1 */
	uint32_t msgid;
	uint64_t due_ms;		/* next (re)transmission */
	uint32_t timeout_ms;		/* current backoff step */
	uint32_t n_sent;		/* transmissions so far */
	uint32_t n_later_acks;		/* ACKs for later ids seen since the last send */
	size_t len;
	uint8_t *payload;		/* len bytes, malloc'd while queued (NULL if len 0) */
};

struct rel_send {
	uint32_t next_msgid;
	uint32_t timeout_ms, timeout_max_ms;
	struct rel_pkt slot[REL_SEND_WINDOW];	/* slot = msgid % window */
	uint64_t n_retransmits;
};

/* timeout_ms = first retransmit delay (0 = REL_TIMEOUT_MS).  First msgid is 0.
 * Payloads are held in heap buffers only while queued (a server keeps hundreds of mostly
 * idle windows): call rel_send_free() before dropping or re-initialising a used window. */
void rel_send_init(struct rel_send *s, uint32_t timeout_ms);
/* Frees the queued payloads; the window is then empty (init it again to reuse it). */
void rel_send_free(struct rel_send *s);
/* Next new msgid will be msgid (UDP server accepted by cookie: 1).  Only while empty. */
int rel_send_set_next(struct rel_send *s, uint32_t msgid);
/* Free slots in the send window (a new msgid m needs m - oldest_unacked < 6). */
size_t rel_send_space(const struct rel_send *s);
/* True when nothing is waiting for an ACK (key state may become ACTIVE). */
bool rel_send_idle(const struct rel_send *s);
/* Queues one packet, due at now_ms.  *msgid (may be NULL) gets its id.
 * -EAGAIN if the window is full, -EMSGSIZE if len > REL_PAYLOAD_MAX. */
int rel_send_queue(struct rel_send *s, uint8_t op, const uint8_t *payload, size_t len,
		   uint64_t now_ms, uint32_t *msgid);
/* Cuts a byte stream (TLS output, §3.1) into packets of at most max_payload bytes and queues
 * as many as the window allows.  Returns the number of bytes consumed (the rest must be
 * offered again later), or -EINVAL if max_payload is 0 or > REL_PAYLOAD_MAX. */
long rel_send_queue_stream(struct rel_send *s, uint8_t op, const uint8_t *data, size_t len,
			   size_t max_payload, uint64_t now_ms);
/* The oldest packet due at now_ms, or NULL.  It is marked as sent: its next deadline is
 * armed with exponential backoff (2, 4, 8 … capped), so calling again in a loop ends. */
const struct rel_pkt *rel_send_due(struct rel_send *s, uint64_t now_ms);
/* Makes every outstanding packet due now (the client's "burst" on the first server
 * packet, §4.3). */
void rel_send_all_due(struct rel_send *s, uint64_t now_ms);
/* An ACK for msgid arrived: 1 if it removed a packet, 0 if unknown (tolerated, e.g. MRU
 * re-sent ACKs).  Outstanding older packets count it; after REL_FAST_RETRANSMIT such ACKs
 * they become due at now_ms. */
int rel_send_ack(struct rel_send *s, uint32_t msgid, uint64_t now_ms);
/* Earliest deadline of an outstanding packet; UINT64_MAX if none. */
uint64_t rel_next_timeout(const struct rel_send *s);

/* One incoming message buffered for in-order delivery. */
struct rel_msg {
	bool used;
	uint8_t op;
	uint32_t msgid;
	size_t len;
	uint8_t *payload;		/* len bytes, malloc'd while buffered (NULL if len 0) */
};

struct rel_recv {
	uint32_t next;				/* next msgid to deliver */
	struct rel_msg slot[REL_RECV_WINDOW];	/* slot = msgid % window */
	uint32_t pending[REL_ACK_QUEUE];	/* ACKs not yet sent, oldest first */
	size_t n_pending;
	uint32_t mru[REL_ACK_MRU];		/* ACKs sent recently, newest first */
	size_t n_mru;
	bool resend_mru;			/* fill ACK lists with MRU entries (2.6 does) */
	uint64_t n_dup, n_out_of_window;
};

void rel_recv_init(struct rel_recv *r);
/* Frees the buffered payloads (as rel_send_free). */
void rel_recv_free(struct rel_recv *r);
/* Next msgid expected (UDP server accepted by cookie: 1).  Only while empty. */
int rel_recv_set_next(struct rel_recv *r, uint32_t msgid);

#define REL_NEW 1	/* buffered for delivery */
#define REL_DUP 0	/* already delivered or buffered; ACKed again */
/* A packet with a msgid arrived (after unwrap and session-id checks).  In-window packets are
 * queued for ACK (duplicates too).  Returns REL_NEW, REL_DUP, -ERANGE if outside the receive
 * window (not ACKed, §3), -EMSGSIZE if len > REL_PAYLOAD_MAX (not ACKed). */
int rel_recv_accept(struct rel_recv *r, uint8_t op, uint32_t msgid, const uint8_t *payload,
		    size_t len);
/* The next in-order message, or NULL.  Valid until rel_recv_pop() or _accept(). */
const struct rel_msg *rel_recv_peek(const struct rel_recv *r);
void rel_recv_pop(struct rel_recv *r);

/* ACKs waiting to be sent (the session sends a P_ACK_V1 if nothing else carries them). */
size_t rel_ack_pending(const struct rel_recv *r);
/* Fills acks[0..max) (max ≤ 8): pending ACKs first (oldest first, which are then counted as
 * sent and move to the MRU list), then, if resend_mru, recently sent ones newest first
 * without duplicates.  Returns the count. */
size_t rel_ack_build(struct rel_recv *r, uint32_t *acks, size_t max);

/* Largest TLS payload per control packet (§3.1): tls_mtu (0 = 1250) minus headers with
 * n_acks piggy-backed ACKs (capped at 4), the wrap overhead (wrap_mtu_overhead()), the IP/UDP
 * overhead (28, or 48 if ipv6) and extra (e.g. the WKc length on a WKC packet).
 * Returns 0 if nothing fits. */
size_t rel_max_payload(size_t tls_mtu, size_t n_acks, size_t wrap_overhead, bool ipv6,
		       size_t extra);

#endif
