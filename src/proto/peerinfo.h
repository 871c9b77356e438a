/* Peer-info: the client's IV_* variables sent in KM2 (spec §7.4; 2.7 bits: addendum §A1.1).
 * Newline-separated NAME=value lines. A p2mp server sends an empty string. */
#ifndef BURROW_PROTO_PEERINFO_H
#define BURROW_PROTO_PEERINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/cipher.h"

/* IV_PROTO bits */
#define PINFO_PROTO_RESERVED		(1u << 0)
#define PINFO_PROTO_DATA_V2		(1u << 1)
#define PINFO_PROTO_REQUEST_PUSH	(1u << 2)
#define PINFO_PROTO_TLS_KEY_EXPORT	(1u << 3)
#define PINFO_PROTO_AUTH_PENDING_KW	(1u << 4)
#define PINFO_PROTO_NCP_P2P		(1u << 5)
#define PINFO_PROTO_DNS_OPTION		(1u << 6)
#define PINFO_PROTO_CC_EXIT_NOTIFY	(1u << 7)
#define PINFO_PROTO_AUTH_FAIL_TEMP	(1u << 8)
#define PINFO_PROTO_DYN_TLS_CRYPT	(1u << 9)
#define PINFO_PROTO_DATA_EPOCH		(1u << 10)	/* 2.7 */
#define PINFO_PROTO_DNS_OPTION_V2	(1u << 11)	/* 2.7 */
#define PINFO_PROTO_PUSH_UPDATE		(1u << 12)	/* 2.7 */
/* What a 2.6 `pull` client sends: 990. */
#define PINFO_PROTO_26_PULL (PINFO_PROTO_DATA_V2 | PINFO_PROTO_REQUEST_PUSH | \
	PINFO_PROTO_TLS_KEY_EXPORT | PINFO_PROTO_AUTH_PENDING_KW | PINFO_PROTO_DNS_OPTION | \
	PINFO_PROTO_CC_EXIT_NOTIFY | PINFO_PROTO_AUTH_FAIL_TEMP | PINFO_PROTO_DYN_TLS_CRYPT)

#define PINFO_DEFAULT_CIPHERS CIPHER_DEFAULT_LIST
#define PINFO_VERSION "2.6.14"		/* what we claim to be compatible with */
#define PINFO_MAX 8191			/* same bound as KEYS_PEERINFO_MAX */

/* Build input and parse output. Numeric fields: -1 = absent. */
struct pinfo {
	char ver[32];			/* IV_VER */
	char plat[16];			/* IV_PLAT */
	char plat_ver[64];		/* IV_PLAT_VER (push-peer-info only) */
	char ciphers[256];		/* IV_CIPHERS, colon-separated */
	char gui_ver[64];		/* IV_GUI_VER */
	char sso[128];			/* IV_SSO */
	char hwaddr[32];		/* IV_HWADDR */
	char ssl[64];			/* IV_SSL */
	long proto;			/* IV_PROTO bits */
	int ncp;			/* IV_NCP */
	int mtu;			/* IV_MTU */
	int tcpnl;			/* IV_TCPNL */
	int lzo_stub, comp_stub, comp_stubv2;	/* IV_LZO_STUB, IV_COMP_STUB, IV_COMP_STUBv2 */
	int lz4, lz4v2, lzo;		/* IV_LZ4, IV_LZ4v2, IV_LZO */
	int n_unknown;			/* parse: lines not listed above (IV_*, UV_*, others) */
	int n_bad;			/* parse: malformed lines skipped */
};

/* Empty: strings "", numbers -1. */
void pinfo_init(struct pinfo *p);
/* What a default 2.6.14 Linux `pull` client sends (§7.4), IV_PROTO = 990. */
void pinfo_default_client(struct pinfo *p);
/* NAME=value\n lines for each present field, in 2.6's order. Returns length (< cap, NUL
 * written) or -ENOSPC. */
int pinfo_build(const struct pinfo *p, char *out, size_t cap);
/* Parses peer-info text (len bytes, NUL not required). Tolerant like OpenVPN: bad lines are
 * counted in n_bad and skipped, unknown names in n_unknown. Returns 0, or -EMSGSIZE when
 * len > PINFO_MAX, -EBADMSG when the text has a NUL or a control character other than
 * tab/CR/LF (bytes >= 0x80 are allowed: UV_ values may be UTF-8). */
int pinfo_parse(struct pinfo *p, const char *text, size_t len);
/* Case-insensitive membership in the colon-separated IV_CIPHERS list. */
bool pinfo_has_cipher(const struct pinfo *p, const char *name);
/* Case-insensitive membership of name in a colon-separated list ("A:B:C"). */
bool pinfo_list_has(const char *list, const char *name);
/* Value of any NAME in raw peer-info text (e.g. "UV_FOO"). Returns 0, -ENOENT or -ENOSPC. */
int pinfo_get(const char *text, size_t len, const char *name, char *out, size_t cap);

#endif
