/* OCC: the options-compatibility string carried in KM2 (spec §7.2) and the OCC messages of
 * the data channel (§9.8).
 *
 * 2.6 only warns about mismatches; the only functional use is the peer's `cipher` entry
 * (poor man's NCP for old peers), which occ_get() extracts. */
#ifndef BURROW_PROTO_OCC_H
#define BURROW_PROTO_OCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum occ_proto {
	OCC_PROTO_UDP4 = 0,
	OCC_PROTO_UDP6,
	OCC_PROTO_TCP4_CLIENT,
	OCC_PROTO_TCP4_SERVER,
	OCC_PROTO_TCP6_CLIENT,
	OCC_PROTO_TCP6_SERVER,
};

/* Local settings the string is built from. occ_opts_default() gives 2.6.14's values
 * (tun, tun-mtu 1500, auth SHA1, keysize 128); link_mtu 0 = derived as 2.6 does
 * (1541 UDP/SHA1, +2 TCP, +32 TAP, + the digest size difference for other auth). */
struct occ_opts {
	bool tap;			/* dev-type tap (else tun) */
	int link_mtu;
	int tun_mtu;
	enum occ_proto proto;
	bool comp_lzo;			/* any compression framing configured */
	bool mtu_dynamic;		/* --fragment */
	int keydir;			/* -1 = not set, else 0/1 (tls-auth direction) */
	char cipher[64];		/* "" = omitted (2.6: only with p2p/no NCP) */
	char auth[32];			/* "" = "[null-digest]" */
	int keysize;			/* bits */
	bool tls_auth;
	bool tls_server;		/* tls-server (else tls-client) */
};

#define OCC_STRING_MAX 511		/* receive limit, §14 */

void occ_opts_default(struct occ_opts *o, bool tls_server, enum occ_proto proto, bool tap);
/* Writes the string ("V4,dev-type tun,..."); returns its length or -ENOSPC / -EINVAL. */
int occ_build(const struct occ_opts *o, char *out, size_t cap);
/* The string the peer should send us: role, TCP client/server and keydir swapped. */
int occ_build_expected_remote(const struct occ_opts *local, char *out, size_t cap);
/* Lenient compare (as 2.6): logs each differing element at warn level (prefixed by who),
 * returns the number of differences (0 = equal), or -EINVAL if received is not a V4 string. */
int occ_compare(const char *expected, const char *received, const char *who);
/* Value of element NAME in an options string ("cipher" -> "AES-256-CBC"). Returns 0,
 * -ENOENT (absent or no value) or -ENOSPC. */
int occ_get(const char *occ, const char *name, char *out, size_t cap);

/* The OCC messages in the data channel (§9.8) are built and classified by dpkt.h. */

#endif
