/* TCP MSS clamping inside the tunnel (`mssfix`, spec §11): lower the MSS option of TCP SYNs
 * crossing the tunnel so that full-sized segments, once encrypted and wrapped, fit the outer
 * path without IP fragmentation. Purely local; nothing is negotiated. */
#ifndef BURROW_CORE_MSS_H
#define BURROW_CORE_MSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSS_DEFAULT 1492	/* OpenVPN 2.6's default: `mssfix 1492 mtu` */

/* What the outer packet of this tunnel looks like. */
struct mss_tunnel {
	int mssfix;		/* cfg->mssfix: -1 = default (1492, mtu), 0 = off */
	bool mtu;		/* `mssfix N mtu`: N includes the outer IP and UDP/TCP headers */
	int outer_family;	/* AF_INET or AF_INET6 of the transport socket */
	bool tcp;		/* TCP transport (20-byte header + 2-byte length prefix) */
	const char *cipher;	/* negotiated data cipher (OpenVPN name); NULL = AES-256-GCM */
	unsigned hmac_len;	/* CBC ciphers: HMAC length (0 = SHA1's 20) */
	bool v1;		/* P_DATA_V1 (1-byte header) instead of V2 (4 bytes) */
	bool comp;		/* a compression framing byte precedes the payload */
};

/* Largest MSS for inner packets of family AF_INET/AF_INET6; 0 when clamping is off. */
unsigned mss_max(const struct mss_tunnel *t, int inner_family);

/* Inner family (AF_INET/AF_INET6) when pkt is a TCP SYN carrying an MSS option, else 0.
 * tap: pkt is an Ethernet frame. Cheap: the hot path calls it on every packet. */
int mss_syn_family(const uint8_t *pkt, size_t len, bool tap);

/* Lowers the MSS option of a TCP SYN to at most max and fixes the TCP checksum (RFC 1624).
 * Returns 1 when lowered, 0 when left alone (not a SYN, no MSS, already small, max 0). */
int mss_clamp(uint8_t *pkt, size_t len, bool tap, unsigned max);

struct cfg;
struct sess;

/* The tunnel as an engine knows it: the profile's mssfix and compression, the session's
 * cipher and header format, the transport. */
void mss_tunnel_init(struct mss_tunnel *t, const struct cfg *c, const struct sess *s,
		     int outer_family, bool tcp);

/* For the engines, on every packet crossing the tunnel (either way): a TCP SYN whose MSS is
 * too large for this tunnel is copied into buf (cap bytes; pkt may already be buf) and
 * clamped there, and buf is returned; anything else comes back as pkt, untouched. */
const uint8_t *mss_fix(const struct cfg *c, const struct sess *s, int outer_family, bool tcp,
		       bool tap, const uint8_t *pkt, size_t len, uint8_t *buf, size_t cap);

#endif
