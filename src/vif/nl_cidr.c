/* CIDR text <-> struct nl_addr. Shared by the config module and `burrow dev`. */
#include "vif/nl_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Longest address text we accept before the '/': a full IPv6 with embedded IPv4. */
#define NL_ADDR_TEXT_MAX INET6_ADDRSTRLEN

static int nl_parse_prefix(const char *text, const char *p, unsigned max, unsigned *out,
			   struct nl_err *err)
{
	unsigned v = 0;
	size_t i;

	/* Digits only: no sign, no spaces, no hex, at most 3 of them. */
	for (i = 0; p[i]; i++) {
		if (p[i] < '0' || p[i] > '9' || i >= 3)
			return nl_fail(err, -EINVAL, "bad prefix length '%s' in '%s' (want 0..%u)",
				       p, text, max);
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (i == 0 || v > max)
		return nl_fail(err, -EINVAL, "bad prefix length '%s' in '%s' (want 0..%u)", p,
			       text, max);
	*out = v;
	return 0;
}

static int nl_parse_any(const char *text, struct nl_addr *out, bool allow_prefix,
			struct nl_err *err)
{
	char host[NL_ADDR_TEXT_MAX];
	const char *slash;
	size_t hlen;

	if (!text || !*text)
		return nl_fail(err, -EINVAL, "empty address");
	slash = strchr(text, '/');
	hlen = slash ? (size_t)(slash - text) : strlen(text);
	if (slash && !allow_prefix)
		return nl_fail(err, -EINVAL, "bad address '%s': no /prefix allowed here", text);
	if (hlen == 0 || hlen >= sizeof(host))
		return nl_fail(err, -EINVAL, "bad address '%.*s' in '%s'", (int)(hlen > 64 ? 64 : hlen),
			       text, text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, out->bytes) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, host, out->bytes) == 1)
		out->family = AF_INET6;
	else
		return nl_fail(err, -EINVAL,
			       "bad address '%s' in '%s' (want IPv4 like 10.8.0.2/24 or IPv6 like fd00::2/64)",
			       host, text);
	out->prefix = out->family == AF_INET ? 32 : 128;
	if (slash)
		return nl_parse_prefix(text, slash + 1, out->prefix, &out->prefix, err);
	return 0;
}

unsigned nl_mask_prefix(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	unsigned n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

int nl_parse_cidr(const char *text, struct nl_addr *out, struct nl_err *err)
{
	return nl_parse_any(text, out, true, err);
}

int nl_parse_addr(const char *text, struct nl_addr *out, struct nl_err *err)
{
	return nl_parse_any(text, out, false, err);
}

int nl_format_addr(const struct nl_addr *a, bool with_prefix, char *buf, size_t n)
{
	char host[INET6_ADDRSTRLEN];
	int len;

	if (!nl_family_len(a->family))
		return -EAFNOSUPPORT;
	if (!inet_ntop(a->family, a->bytes, host, sizeof(host)))
		return -errno;
	len = with_prefix ? snprintf(buf, n, "%s/%u", host, a->prefix) :
			    snprintf(buf, n, "%s", host);
	return len < 0 || (size_t)len >= n ? -ENOSPC : 0;
}
