/* The UDP server's stateless HMAC session-id cookie (spec §4.2).
 *
 * The loop calls cookie_check() for every packet from an address that has no session yet,
 * BEFORE creating any per-client state:
 *   - a valid HARD_RESET_CLIENT_V2/V3 gets COOKIE_REPLY: send `reply` back (the server's
 *     HARD_RESET_SERVER_V2 whose session id is an HMAC of time slot, peer address and
 *     client session id); nothing is remembered;
 *   - a P_ACK_V1 / P_CONTROL_V1 / P_CONTROL_WKC_V1 (key_id 0) that passes the wrapping and
 *     ACKs msgid 0 with the cookie of the current or the previous time slot gets
 *     COOKIE_ACCEPT: create the session with sess_new_accepted(conf, acc.own_sid,
 *     acc.peer_sid, acc.early_neg, now) and feed it this same packet;
 *   - everything else: COOKIE_DROP.
 * Time slots are (hand_window + 1) / 2 seconds long (30 s by default).
 */
#ifndef BURROW_PROTO_COOKIE_H
#define BURROW_PROTO_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/session.h"

#define COOKIE_SECRET_LEN 32
#define COOKIE_REPLY_MAX 256

enum cookie_verdict { COOKIE_DROP = 0, COOKIE_REPLY = 1, COOKIE_ACCEPT = 2 };

/* Why a packet was dropped (for the loop's counters/logs). */
enum cookie_drop {
	COOKIE_OK = 0, COOKIE_E_SHORT, COOKIE_E_OPCODE, COOKIE_E_UNWRAP, COOKIE_E_KEY_ID,
	COOKIE_E_SID, COOKIE_E_COOKIE, COOKIE_E_MSGID,
};

struct cookie_accept {
	uint8_t own_sid[8];	/* the server session id the cookie proved */
	uint8_t peer_sid[8];	/* the client's session id */
	bool early_neg;		/* tls-crypt-v2 client announced early negotiation (§4.4) */
	/* tls-crypt-v2 client WITHOUT early negotiation: its reset cannot be answered
	 * statelessly (the WKc would be lost), so create the session with sess_new() and feed
	 * it this reset (own_sid/peer_sid unused). */
	bool reset;
};

/* Immutable after creation: the secret and the server's wrapping keys (from conf). */
struct cookie_ctx;

/* secret: COOKIE_SECRET_LEN random bytes chosen at server start. conf: the server's
 * session configuration (wrap mode/keys, hand_window). NULL on bad conf. */
struct cookie_ctx *cookie_new(const uint8_t secret[COOKIE_SECRET_LEN],
			      const struct sess_conf *conf);
void cookie_free(struct cookie_ctx *c);

/* peer: the raw sockaddr bytes of the client (bound into the cookie). now_ms: any
 * monotonic-or-wall clock in ms (only its slot matters; use the same clock every call).
 * unix_time: seconds for the reply's replay timestamp (0 = now_ms / 1000).
 * On COOKIE_REPLY fills reply/reply_len (reply must hold COOKIE_REPLY_MAX bytes);
 * on COOKIE_ACCEPT fills *acc; on COOKIE_DROP sets *why if non-NULL. */
enum cookie_verdict cookie_check(const struct cookie_ctx *c, const void *peer, size_t peer_len,
				 uint64_t now_ms, uint32_t unix_time,
				 const uint8_t *pkt, size_t len,
				 uint8_t *reply, size_t *reply_len,
				 struct cookie_accept *acc, enum cookie_drop *why);

/* The server session id for (slot, peer, client sid) — exposed for tests. */
void cookie_sid(const struct cookie_ctx *c, uint64_t slot, const void *peer, size_t peer_len,
		const uint8_t client_sid[8], uint8_t out[8]);

#endif
