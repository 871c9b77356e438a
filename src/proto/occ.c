/* OCC options string (spec §7.2) and data-channel OCC messages (§9.8). See occ.h. */
#include "proto/occ.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/log.h"

#define OCC_ELEMS_MAX 32

static const char *const occ_proto_names[] = {
	[OCC_PROTO_UDP4] = "UDPv4", [OCC_PROTO_UDP6] = "UDPv6",
	[OCC_PROTO_TCP4_CLIENT] = "TCPv4_CLIENT", [OCC_PROTO_TCP4_SERVER] = "TCPv4_SERVER",
	[OCC_PROTO_TCP6_CLIENT] = "TCPv6_CLIENT", [OCC_PROTO_TCP6_SERVER] = "TCPv6_SERVER",
};

static bool occ_is_tcp(enum occ_proto p)
{
	return p >= OCC_PROTO_TCP4_CLIENT;
}

void occ_opts_default(struct occ_opts *o, bool tls_server, enum occ_proto proto, bool tap)
{
	memset(o, 0, sizeof(*o));
	o->tap = tap;
	o->tun_mtu = 1500;
	o->link_mtu = 0;	/* derived in occ_build() from tun-mtu, proto, dev-type, auth */
	o->proto = proto;
	o->keydir = -1;
	snprintf(o->auth, sizeof(o->auth), "SHA1");
	o->keysize = 128;
	o->tls_server = tls_server;
}

struct occ_out {
	char *p;
	size_t cap, len;
	bool overflow;
};

static void occ_add(struct occ_out *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void occ_add(struct occ_out *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len)
		w->overflow = true;
	else
		w->len += (size_t)n;
}

/* link-mtu is informational, but 2.6 prints it from the legacy BF-CBC placeholder framing:
 * tun-mtu + opcode 1 + packet-id 4 + HMAC + IV/padding 16, TCP +2, TAP +32
 * (1541 UDP tun SHA1, 1555 TCP SHA256, 1573 UDP tap). */
static int occ_link_mtu(const struct occ_opts *o)
{
	const EVP_MD *md = o->auth[0] ? EVP_get_digestbyname(o->auth) : NULL;
	int hmac = md ? EVP_MD_get_size(md) : o->auth[0] ? 20 : 0;

	return o->tun_mtu + 1 + 4 + hmac + 16 + (occ_is_tcp(o->proto) ? 2 : 0) +
	       (o->tap ? 32 : 0);
}

int occ_build(const struct occ_opts *o, char *out, size_t cap)
{
	struct occ_out w = { .p = out, .cap = cap };

	if (cap == 0)
		return -ENOSPC;
	if ((unsigned)o->proto > OCC_PROTO_TCP6_SERVER)
		return -EINVAL;
	out[0] = '\0';
	occ_add(&w, "V4,dev-type %s,link-mtu %d,tun-mtu %d,proto %s", o->tap ? "tap" : "tun",
		o->link_mtu > 0 ? o->link_mtu : occ_link_mtu(o), o->tun_mtu,
		occ_proto_names[o->proto]);
	if (o->comp_lzo)
		occ_add(&w, ",comp-lzo");
	if (o->mtu_dynamic)
		occ_add(&w, ",mtu-dynamic");
	if (o->keydir >= 0)
		occ_add(&w, ",keydir %d", o->keydir);
	if (o->cipher[0])
		occ_add(&w, ",cipher %s", o->cipher);
	occ_add(&w, ",auth %s,keysize %d", o->auth[0] ? o->auth : "[null-digest]", o->keysize);
	if (o->tls_auth)
		occ_add(&w, ",tls-auth");
	occ_add(&w, ",key-method 2,%s", o->tls_server ? "tls-server" : "tls-client");
	if (w.overflow) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return (int)w.len;
}

int occ_build_expected_remote(const struct occ_opts *local, char *out, size_t cap)
{
	struct occ_opts r = *local;

	r.tls_server = !local->tls_server;
	if (local->keydir >= 0)
		r.keydir = !local->keydir;
	switch (local->proto) {
	case OCC_PROTO_TCP4_CLIENT: r.proto = OCC_PROTO_TCP4_SERVER; break;
	case OCC_PROTO_TCP4_SERVER: r.proto = OCC_PROTO_TCP4_CLIENT; break;
	case OCC_PROTO_TCP6_CLIENT: r.proto = OCC_PROTO_TCP6_SERVER; break;
	case OCC_PROTO_TCP6_SERVER: r.proto = OCC_PROTO_TCP6_CLIENT; break;
	default: break;
	}
	return occ_build(&r, out, cap);
}

/* Splits a copy of s at commas into elems; returns the count or -EINVAL. */
static int occ_split(char *s, char **elems, int max)
{
	int n = 0;

	for (char *tok = s, *next; tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (n == max)
			return -EINVAL;
		elems[n++] = tok;
	}
	return n;
}

/* Length of the element's key (up to the first space). */
static size_t occ_keylen(const char *e)
{
	const char *sp = strchr(e, ' ');

	return sp ? (size_t)(sp - e) : strlen(e);
}

static const char *occ_find(char **elems, int n, const char *e)
{
	size_t k = occ_keylen(e);

	for (int i = 0; i < n; i++)
		if (occ_keylen(elems[i]) == k && strncmp(elems[i], e, k) == 0)
			return elems[i];
	return NULL;
}

int occ_compare(const char *expected, const char *received, const char *who)
{
	char a[OCC_STRING_MAX + 1], b[OCC_STRING_MAX + 1];
	char *ea[OCC_ELEMS_MAX], *eb[OCC_ELEMS_MAX];
	int na, nb, diffs = 0;

	if (strlen(expected) > OCC_STRING_MAX || strlen(received) > OCC_STRING_MAX ||
	    strncmp(received, "V4", 2) != 0 || (received[2] && received[2] != ','))
		return -EINVAL;
	memcpy(a, expected, strlen(expected) + 1);
	memcpy(b, received, strlen(received) + 1);
	na = occ_split(a, ea, OCC_ELEMS_MAX);
	nb = occ_split(b, eb, OCC_ELEMS_MAX);
	if (na < 0 || nb < 0)
		return -EINVAL;
	for (int i = 0; i < na; i++) {
		const char *got = occ_find(eb, nb, ea[i]);

		if (got && strcmp(got, ea[i]) == 0)
			continue;
		diffs++;
		log_warn("%s: options differ: local wants '%s', peer has '%s'", who, ea[i],
			 got ? got : "(missing)");
	}
	for (int i = 0; i < nb; i++) {
		if (occ_find(ea, na, eb[i]))
			continue;
		diffs++;
		log_warn("%s: options differ: peer has '%s', local has none", who, eb[i]);
	}
	return diffs;
}

int occ_get(const char *occ, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name);

	for (const char *e = occ; e && *e;) {
		const char *end = strchr(e, ',');
		size_t len = end ? (size_t)(end - e) : strlen(e);

		if (len > k + 1 && e[k] == ' ' && strncmp(e, name, k) == 0) {
			if (len - k - 1 >= cap)
				return -ENOSPC;
			memcpy(out, e + k + 1, len - k - 1);
			out[len - k - 1] = '\0';
			return 0;
		}
		e = end ? end + 1 : NULL;
	}
	return -ENOENT;
}
