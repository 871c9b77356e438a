/* Small value parsers: numbers, ports, IPv4 addresses and netmasks, IPv6 prefixes and
 * proto names. Strict: the whole string must be consumed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg_impl.h"

int cfg_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int cfg_parse_port(const char *s, uint16_t *out)
{
	long v;

	if (cfg_parse_long(s, 0, 65535, &v) < 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int cfg_parse_ipv4(const char *s, struct in_addr *out)
{
	return inet_pton(AF_INET, s, out) == 1 ? 0 : -EINVAL;
}

int cfg_parse_netmask(const char *s, struct in_addr *out)
{
	uint32_t m;

	if (cfg_parse_ipv4(s, out) < 0)
		return -EINVAL;
	m = ntohl(out->s_addr);
	/* contiguous: the inverted mask plus one is a power of two */
	if (((~m + 1) & ~m) != 0)
		return -EINVAL;
	return 0;
}

int cfg_parse_ipv6_prefix(const char *s, struct in6_addr *out, uint8_t *prefix, int dflt)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long bits = dflt;

	if (n >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, out) != 1)
		return -EINVAL;
	if (slash && cfg_parse_long(slash + 1, 0, 128, &bits) < 0)
		return -EINVAL;
	if (!slash && dflt < 0)
		return -EINVAL;
	*prefix = (uint8_t)bits;
	return 0;
}

static const struct {
	const char *name;
	enum cfg_proto proto;	/* CFG_PROTO_UNSET: tcp, resolved by role */
	enum cfg_af af;
} proto_names[] = {
	{ "udp", CFG_PROTO_UDP, CFG_AF_ANY },
	{ "udp4", CFG_PROTO_UDP, CFG_AF_INET },
	{ "udp6", CFG_PROTO_UDP, CFG_AF_INET6 },
	{ "tcp", CFG_PROTO_UNSET, CFG_AF_ANY },
	{ "tcp4", CFG_PROTO_UNSET, CFG_AF_INET },
	{ "tcp6", CFG_PROTO_UNSET, CFG_AF_INET6 },
	{ "tcp-client", CFG_PROTO_TCP_CLIENT, CFG_AF_ANY },
	{ "tcp4-client", CFG_PROTO_TCP_CLIENT, CFG_AF_INET },
	{ "tcp6-client", CFG_PROTO_TCP_CLIENT, CFG_AF_INET6 },
	{ "tcp-server", CFG_PROTO_TCP_SERVER, CFG_AF_ANY },
	{ "tcp4-server", CFG_PROTO_TCP_SERVER, CFG_AF_INET },
	{ "tcp6-server", CFG_PROTO_TCP_SERVER, CFG_AF_INET6 },
};

/* "tcp" is the client end on a client and the listening end on a server; with the role
 * still unknown it is recorded as tcp-client and cfg_validate() flips it for a server. */
int cfg_parse_proto(const char *s, enum cfg_proto *p, enum cfg_af *af, enum cfg_role role)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (strcasecmp(s, proto_names[i].name) != 0)
			continue;
		*p = proto_names[i].proto;
		if (*p == CFG_PROTO_UNSET)
			*p = role == CFG_ROLE_SERVER ? CFG_PROTO_TCP_SERVER : CFG_PROTO_TCP_CLIENT;
		*af = proto_names[i].af;
		return 0;
	}
	return -EINVAL;
}

const char *cfg_proto_name(enum cfg_proto p)
{
	switch (p) {
	case CFG_PROTO_UDP: return "udp";
	case CFG_PROTO_TCP_CLIENT: return "tcp-client";
	case CFG_PROTO_TCP_SERVER: return "tcp-server";
	default: return "unset";
	}
}
