/* PUSH_REPLY options (spec §8.2): parse into struct push_opts on the client, build the
 * (multi-part) reply from it on the server. Table-driven: one row per option. */
#include "proto/push_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

#define PUSH_WORDS_MAX 16
#define PUSH_PART_LIMIT (PUSH_BUNDLE_SIZE - 84)	/* 2.6 splits at 1024 - 84 (§8.2) */
#define PUSH_PREFIX "PUSH_REPLY"
#define PUSH_CONT_MORE ",push-continuation 2"
#define PUSH_CONT_LAST ",push-continuation 1"

void push_opts_init(struct push_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tun_mtu = -1;
	o->peer_id = -1;
	o->ping = -1;
	o->ping_restart = -1;
	o->explicit_exit_notify = -1;
}

/* ---- words of one option line: spaces separate, quotes group, backslash escapes ---- */

struct push_words {
	int n;
	char *w[PUSH_WORDS_MAX];
	char buf[PUSH_OPT_MAX + 1];
};

static int push_split_words(const char *opt, struct push_words *ws)
{
	char *d = ws->buf;
	const char *s = opt;

	ws->n = 0;
	if (strlen(opt) > PUSH_OPT_MAX)
		return -EINVAL;
	while (*s) {
		char quote = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (ws->n == PUSH_WORDS_MAX)
			return -EINVAL;
		ws->w[ws->n++] = d;
		for (; *s && (quote || (*s != ' ' && *s != '\t')); s++) {
			if (!quote && (*s == '"' || *s == '\'')) {
				quote = *s;
			} else if (quote && *s == quote) {
				quote = 0;
			} else if (*s == '\\' && quote != '\'' && s[1]) {
				*d++ = *++s;
			} else {
				*d++ = *s;
			}
		}
		if (quote)
			return -EINVAL;		/* unbalanced quote */
		*d++ = '\0';
	}
	return 0;
}

/* ---- value parsers ---- */

static int push_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && min < 0)))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int push_int(const char *s, long min, long max, int *out)
{
	long v;
	int rc = push_num(s, min, max, &v);

	if (!rc)
		*out = (int)v;
	return rc;
}

static int push_ip4(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -EINVAL;
}

/* "addr/bits" (bits required when need_bits, else /128 default). */
static int push_ip6_prefix(const char *s, struct in6_addr *a, int *bits)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	char *slash;

	if (strlen(s) >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, strlen(s) + 1);
	slash = strchr(tmp, '/');
	*bits = 128;
	if (slash) {
		*slash = '\0';
		if (push_int(slash + 1, 0, 128, bits))
			return -EINVAL;
	}
	return inet_pton(AF_INET6, tmp, a) == 1 ? 0 : -EINVAL;
}

static int push_str(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= cap)
		return -EINVAL;
	memcpy(dst, s, n + 1);
	return 0;
}

/* ---- one handler per option ---- */

typedef int (*push_handler)(struct push_opts *o, const struct push_words *ws, const char *opt);

static int po_ifconfig(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (push_ip4(ws->w[1], &o->ifc_local) || push_ip4(ws->w[2], &o->ifc_mask))
		return -EINVAL;
	o->has_ifconfig = true;
	return 0;
}

static int po_ifconfig6(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (push_ip6_prefix(ws->w[1], &o->ifc6_local, &o->ifc6_bits) ||
	    inet_pton(AF_INET6, ws->w[2], &o->ifc6_remote) != 1)
		return -EINVAL;
	o->has_ifconfig6 = true;
	return 0;
}

static int po_topology(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	static const char *const names[] = { "net30", "p2p", "subnet" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(ws->w[1], names[i]) == 0) {
			o->topology = (enum push_topology)(PUSH_TOPO_NET30 + i);
			return 0;
		}
	}
	return -EINVAL;
}

/* Gateway words meaning "the default (VPN) gateway". */
static bool push_default_gw(const char *s)
{
	return strcmp(s, "vpn_gateway") == 0 || strcmp(s, "default") == 0;
}

/* route NET [MASK [GATEWAY [METRIC]]] (af AF_INET) and route-ipv6 NET/BITS [GATEWAY [METRIC]]:
 * "vpn_gateway" or "default" as GATEWAY leave has_gw false, "default" as MASK or METRIC leaves
 * it unset. 0, -EINVAL or -ENOSPC. */
static int po_route_af(struct push_opts *o, const struct push_words *ws, int af)
{
	bool v6 = af == AF_INET6;
	int *n = v6 ? &o->n_route6 : &o->n_route4;
	int at = v6 ? 2 : 3;	/* the gateway's word */
	struct push_route4 r4;
	struct push_route6 r6;
	bool *has_gw = v6 ? &r6.has_gw : &r4.has_gw;
	int *metric = v6 ? &r6.metric : &r4.metric;

	if (*n == PUSH_MAX_ROUTES)
		return -ENOSPC;
	memset(&r4, 0, sizeof(r4));	/* padding too: callers may compare whole structs */
	memset(&r6, 0, sizeof(r6));
	*metric = -1;
	r4.mask.s_addr = 0xffffffff;
	if (v6 ? push_ip6_prefix(ws->w[1], &r6.net, &r6.bits) : push_ip4(ws->w[1], &r4.net))
		return -EINVAL;
	if (!v6 && ws->n > 2 && strcmp(ws->w[2], "default") != 0 && push_ip4(ws->w[2], &r4.mask))
		return -EINVAL;
	if (ws->n > at && !push_default_gw(ws->w[at])) {
		if (v6 ? inet_pton(AF_INET6, ws->w[at], &r6.gw) != 1 : push_ip4(ws->w[at], &r4.gw) != 0)
			return -EINVAL;
		*has_gw = true;
	}
	if (ws->n > at + 1 && strcmp(ws->w[at + 1], "default") != 0 &&
	    push_int(ws->w[at + 1], 0, INT_MAX, metric))
		return -EINVAL;
	if (v6)
		o->route6[(*n)++] = r6;
	else
		o->route4[(*n)++] = r4;
	return 0;
}

static int po_route(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return po_route_af(o, ws, AF_INET);
}

static int po_route6(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return po_route_af(o, ws, AF_INET6);
}

static int po_route_gateway(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (strcmp(ws->w[1], "dhcp") == 0) {
		o->route_gw_dhcp = true;
	} else if (push_ip4(ws->w[1], &o->route_gw)) {
		return -EINVAL;
	}
	o->has_route_gw = true;
	return 0;
}

static const struct { const char *name; unsigned flag; } push_rg_flags[] = {
	{ "local", PUSH_RG_LOCAL },
	{ "autolocal", PUSH_RG_AUTO_LOCAL },
	{ "def1", PUSH_RG_DEF1 },
	{ "bypass-dhcp", PUSH_RG_BYPASS_DHCP },
	{ "bypass-dns", PUSH_RG_BYPASS_DNS },
	{ "block-local", PUSH_RG_BLOCK_LOCAL },
	{ "ipv6", PUSH_RG_IPV6 },
	{ "!ipv4", PUSH_RG_NOT_IPV4 },
};
#define PUSH_NRG (sizeof(push_rg_flags) / sizeof(push_rg_flags[0]))

static int po_redirect(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	unsigned flags = PUSH_RG_ENABLE;

	if (strcmp(ws->w[0], "redirect-private") == 0)
		flags |= PUSH_RG_PRIVATE;
	for (int i = 1; i < ws->n; i++) {
		size_t k;

		for (k = 0; k < PUSH_NRG; k++)
			if (strcmp(ws->w[i], push_rg_flags[k].name) == 0)
				break;
		if (k == PUSH_NRG)
			return -EINVAL;
		flags |= push_rg_flags[k].flag;
	}
	o->redirect = flags;
	return 0;
}

static int po_dhcp(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	struct push_dhcp *d;

	if (o->n_dhcp == PUSH_MAX_DHCP)
		return -ENOSPC;
	d = &o->dhcp[o->n_dhcp];
	if (push_str(d->type, sizeof(d->type), ws->w[1]))
		return -EINVAL;
	d->value[0] = '\0';
	if (ws->n > 2 && push_str(d->value, sizeof(d->value), ws->w[2]))
		return -EINVAL;
	o->n_dhcp++;
	return 0;
}

/* Structured `dns` lines are kept verbatim for the client's resolver code. */
static int po_dns(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (o->n_dns == PUSH_MAX_DNS)
		return -ENOSPC;
	if (strcmp(ws->w[1], "server") != 0 && strcmp(ws->w[1], "search-domains") != 0)
		return -EINVAL;
	return push_str(o->dns[o->n_dns++], PUSH_OPT_MAX + 1, opt);
}

static int po_tun_mtu(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return push_int(ws->w[1], 48, 65535, &o->tun_mtu);
}

static int po_peer_id(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return push_num(ws->w[1], 0, 0xffffff, &o->peer_id);
}

static int po_cipher(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return push_str(o->cipher, sizeof(o->cipher), ws->w[1]);
}

static int po_key_derivation(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (strcmp(ws->w[1], "tls-ekm") != 0)
		return -EINVAL;
	o->key_derivation_ekm = true;
	return 0;
}

static int po_protocol_flags(struct push_opts *o, const struct push_words *ws,
			     const char *opt)
{
	static const struct { const char *name; unsigned flag; } tok[] = {
		{ "cc-exit", PUSH_PF_CC_EXIT },
		{ "tls-ekm", PUSH_PF_TLS_EKM },
		{ "dyn-tls-crypt", PUSH_PF_DYN_TLS_CRYPT },
		{ "aead-epoch", PUSH_PF_AEAD_EPOCH },
	};

	for (int i = 1; i < ws->n; i++) {
		size_t k;

		for (k = 0; k < sizeof(tok) / sizeof(tok[0]); k++)
			if (strcmp(ws->w[i], tok[k].name) == 0)
				break;
		if (k < sizeof(tok) / sizeof(tok[0]))
			o->proto_flags |= tok[k].flag;
		else	/* as 2.6: unknown tokens are only logged */
			log_info("push: ignoring unknown protocol-flags token '%s'", ws->w[i]);
	}
	o->has_proto_flags = true;
	return 0;
}

static int po_ping(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return push_int(ws->w[1], 0, 86400, &o->ping);
}

static int po_ping_restart(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return push_int(ws->w[1], 0, 86400, &o->ping_restart);
}

static int po_keepalive(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (push_int(ws->w[1], 0, 86400, &o->ping) ||
	    push_int(ws->w[2], 0, 86400, &o->ping_restart))
		return -EINVAL;
	return 0;
}

static int po_auth_token(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return push_str(o->auth_token, sizeof(o->auth_token), ws->w[1]);
}

static int po_auth_token_user(struct push_opts *o, const struct push_words *ws,
			      const char *opt)
{
	return push_str(o->auth_token_user, sizeof(o->auth_token_user), ws->w[1]);
}

static int po_exit_notify(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (ws->n == 1) {
		o->explicit_exit_notify = 1;
		return 0;
	}
	return push_int(ws->w[1], 0, 86400, &o->explicit_exit_notify);
}

static int po_comp_lzo(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (ws->n > 1 && strcmp(ws->w[1], "no") == 0)
		o->comp = PUSH_COMP_LZO_NO;
	else if (ws->n == 1 || !strcmp(ws->w[1], "yes") || !strcmp(ws->w[1], "adaptive"))
		o->comp = PUSH_COMP_LZO;
	else
		return -EINVAL;
	return 0;
}

static const char *const push_comp_names[] = {
	[PUSH_COMP_STUB] = "stub", [PUSH_COMP_STUB_V2] = "stub-v2",
	[PUSH_COMP_LZ4] = "lz4", [PUSH_COMP_LZ4_V2] = "lz4-v2",
	[PUSH_COMP_LZO] = "lzo", [PUSH_COMP_MIGRATE] = "migrate",
};

static int po_compress(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	if (ws->n == 1) {
		o->comp = PUSH_COMP_STUB;
		return 0;
	}
	for (int c = PUSH_COMP_STUB; c <= PUSH_COMP_MIGRATE; c++) {
		if (strcmp(ws->w[1], push_comp_names[c]) == 0) {
			o->comp = (enum push_comp)c;
			return 0;
		}
	}
	return -EINVAL;
}

static int po_block_ipv6(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	o->block_ipv6 = true;
	return 0;
}

static int po_continuation(struct push_opts *o, const struct push_words *ws, const char *opt)
{
	return push_int(ws->w[1], 1, 2, &o->continuation);
}

/* name, handler, minimum and maximum argument count */
static const struct push_row {
	const char *name;
	push_handler fn;
	int min, max;
} push_table[] = {
	{ "ifconfig", po_ifconfig, 2, 2 },
	{ "ifconfig-ipv6", po_ifconfig6, 2, 2 },
	{ "topology", po_topology, 1, 1 },
	{ "route", po_route, 1, 4 },
	{ "route-ipv6", po_route6, 1, 3 },
	{ "route-gateway", po_route_gateway, 1, 1 },
	{ "redirect-gateway", po_redirect, 0, 8 },
	{ "redirect-private", po_redirect, 0, 8 },
	{ "dhcp-option", po_dhcp, 1, 2 },
	{ "dns", po_dns, 1, PUSH_WORDS_MAX - 1 },
	{ "tun-mtu", po_tun_mtu, 1, 1 },
	{ "peer-id", po_peer_id, 1, 1 },
	{ "cipher", po_cipher, 1, 1 },
	{ "key-derivation", po_key_derivation, 1, 1 },
	{ "protocol-flags", po_protocol_flags, 0, 8 },
	{ "ping", po_ping, 1, 1 },
	{ "ping-restart", po_ping_restart, 1, 1 },
	{ "keepalive", po_keepalive, 2, 2 },
	{ "auth-token", po_auth_token, 1, 1 },
	{ "auth-token-user", po_auth_token_user, 1, 1 },
	{ "explicit-exit-notify", po_exit_notify, 0, 1 },
	{ "comp-lzo", po_comp_lzo, 0, 1 },
	{ "compress", po_compress, 0, 1 },
	{ "block-ipv6", po_block_ipv6, 0, 0 },
	{ "push-continuation", po_continuation, 1, 1 },
};

static int push_keep_unknown(struct push_opts *o, const char *opt)
{
	if (o->n_unknown == PUSH_MAX_UNKNOWN)
		return -ENOSPC;
	return push_str(o->unknown[o->n_unknown++], PUSH_OPT_MAX + 1, opt);
}

int push_opt_apply(struct push_opts *o, const char *opt)
{
	struct push_words ws;

	if (push_split_words(opt, &ws) || ws.n == 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(push_table) / sizeof(push_table[0]); i++) {
		const struct push_row *r = &push_table[i];

		if (strcmp(ws.w[0], r->name) != 0)
			continue;
		if (ws.n - 1 < r->min || ws.n - 1 > r->max)
			return -EINVAL;
		return r->fn(o, &ws, opt);
	}
	return push_keep_unknown(o, opt);
}

/* One option of a PUSH_REPLY: a bad one is logged, counted and skipped, as 2.6 does. */
static int push_reply_option(void *arg, char *s)
{
	struct push_opts *o = arg;
	int rc = push_opt_apply(o, s);

	if (rc) {
		o->n_bad++;
		log_warn("push: ignoring bad option '%.64s' (%s)", s,
			 rc == -ENOSPC ? "too many" : "malformed");
	}
	return 0;
}

int push_reply_parse(struct push_opts *o, const char *msg, size_t len)
{
	return push_list_parse(msg, len, PUSH_PREFIX, &o->continuation, push_reply_option, o);
}

/* ---- building the reply (server) ---- */

struct push_packer {
	struct push_parts *out;
	int rc;
};

static char *push_cur(struct push_packer *pk, size_t **len)
{
	*len = &pk->out->len[pk->out->n];
	return pk->out->part[pk->out->n];
}

static void push_part_start(struct push_packer *pk)
{
	size_t *len;
	char *p;

	if (pk->out->n == PUSH_MAX_PARTS) {
		pk->rc = -E2BIG;
		return;
	}
	p = push_cur(pk, &len);
	memcpy(p, PUSH_PREFIX, sizeof(PUSH_PREFIX));
	*len = strlen(PUSH_PREFIX);
}

/* Appends ",opt" to the current part, first closing it with push-continuation 2 when the
 * option and a closing continuation would not fit (room for that is always kept). */
static void push_add(struct push_packer *pk, const char *opt)
{
	size_t n = strlen(opt), *len;
	char *p;

	if (pk->rc)
		return;
	if (n == 0 || n > PUSH_OPT_MAX) {
		pk->rc = -EMSGSIZE;
		return;
	}
	p = push_cur(pk, &len);
	if (*len + 1 + n + strlen(PUSH_CONT_MORE) + 1 > PUSH_PART_LIMIT) {
		memcpy(p + *len, PUSH_CONT_MORE, sizeof(PUSH_CONT_MORE));
		*len += strlen(PUSH_CONT_MORE);
		pk->out->len[pk->out->n] = *len + 1;	/* NUL included */
		pk->out->n++;
		push_part_start(pk);
		if (pk->rc)
			return;
		p = push_cur(pk, &len);
	}
	p[(*len)++] = ',';
	memcpy(p + *len, opt, n + 1);
	*len += n;
}

static void push_addf(struct push_packer *pk, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void push_addf(struct push_packer *pk, const char *fmt, ...)
{
	char opt[PUSH_OPT_MAX + 2];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(opt, sizeof(opt), fmt, ap);
	va_end(ap);
	if (n < 0 || n > PUSH_OPT_MAX) {
		if (!pk->rc)
			pk->rc = -EMSGSIZE;
		return;
	}
	push_add(pk, opt);
}

static const char *push_a4(const struct in_addr *a, char *buf)
{
	return inet_ntop(AF_INET, a, buf, INET_ADDRSTRLEN);
}

static const char *push_a6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static void push_build_routes(struct push_packer *pk, const struct push_opts *o)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN], m[16];

	for (int i = 0; i < o->n_route4; i++) {
		const struct push_route4 *r = &o->route4[i];

		snprintf(m, sizeof(m), " %d", r->metric);
		push_addf(pk, "route %s %s%s%s%s", push_a4(&r->net, a), push_a4(&r->mask, b),
			  r->has_gw || r->metric >= 0 ? " " : "",
			  r->has_gw ? push_a4(&r->gw, c) : r->metric >= 0 ? "vpn_gateway" : "",
			  r->metric >= 0 ? m : "");
	}
	for (int i = 0; i < o->n_route6; i++) {
		const struct push_route6 *r = &o->route6[i];

		snprintf(m, sizeof(m), " %d", r->metric);
		push_addf(pk, "route-ipv6 %s/%d%s%s%s", push_a6(&r->net, a), r->bits,
			  r->has_gw || r->metric >= 0 ? " " : "",
			  r->has_gw ? push_a6(&r->gw, c) : r->metric >= 0 ? "vpn_gateway" : "",
			  r->metric >= 0 ? m : "");
	}
}

static void push_build_redirect(struct push_packer *pk, unsigned rg)
{
	char opt[PUSH_OPT_MAX + 1];
	size_t len;

	if (!(rg & PUSH_RG_ENABLE))
		return;
	len = (size_t)snprintf(opt, sizeof(opt), "%s",
			       rg & PUSH_RG_PRIVATE ? "redirect-private" : "redirect-gateway");
	for (size_t k = 0; k < PUSH_NRG; k++)
		if (rg & push_rg_flags[k].flag)
			len += (size_t)snprintf(opt + len, sizeof(opt) - len, " %s",
						push_rg_flags[k].name);
	push_add(pk, opt);
}

/* The options a `push` config would produce: routes, DNS, gateway, topology, timers. */
static void push_build_common(struct push_packer *pk, const struct push_opts *o)
{
	static const char *const topo[] = { "", "net30", "p2p", "subnet" };
	char a[INET6_ADDRSTRLEN];

	push_build_routes(pk, o);
	for (int i = 0; i < o->n_dhcp; i++)
		push_addf(pk, "dhcp-option %s%s%s%s%s", o->dhcp[i].type,
			  o->dhcp[i].value[0] ? " " : "",
			  strchr(o->dhcp[i].value, ' ') ? "\"" : "", o->dhcp[i].value,
			  strchr(o->dhcp[i].value, ' ') ? "\"" : "");
	for (int i = 0; i < o->n_dns; i++)
		push_add(pk, o->dns[i]);
	push_build_redirect(pk, o->redirect);
	if (o->has_route_gw)
		push_addf(pk, "route-gateway %s",
			  o->route_gw_dhcp ? "dhcp" : push_a4(&o->route_gw, a));
	if (o->topology != PUSH_TOPO_UNSET)
		push_addf(pk, "topology %s", topo[o->topology]);
	if (o->ping >= 0)
		push_addf(pk, "ping %d", o->ping);
	if (o->ping_restart >= 0)
		push_addf(pk, "ping-restart %d", o->ping_restart);
	if (o->block_ipv6)
		push_add(pk, "block-ipv6");
	if (o->comp == PUSH_COMP_LZO_NO)
		push_add(pk, "comp-lzo no");
	else if (o->comp == PUSH_COMP_STUB)
		push_add(pk, "compress");
	else if (o->comp != PUSH_COMP_UNSET)
		push_addf(pk, "compress %s", push_comp_names[o->comp]);
	if (o->explicit_exit_notify >= 0)
		push_addf(pk, "explicit-exit-notify %d", o->explicit_exit_notify);
	for (int i = 0; i < o->n_unknown; i++)
		push_add(pk, o->unknown[i]);
}

/* Per-client options, in 2.6's order (§8.2). */
static void push_build_client(struct push_packer *pk, const struct push_opts *o)
{
	static const char *const pf[] = { "cc-exit", "tls-ekm", "dyn-tls-crypt", "aead-epoch" };
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], opt[PUSH_OPT_MAX + 1];

	if (o->has_ifconfig6)
		push_addf(pk, "ifconfig-ipv6 %s/%d %s", push_a6(&o->ifc6_local, a), o->ifc6_bits,
			  push_a6(&o->ifc6_remote, b));
	if (o->has_ifconfig)
		push_addf(pk, "ifconfig %s %s", push_a4(&o->ifc_local, a),
			  push_a4(&o->ifc_mask, b));
	if (o->peer_id >= 0)
		push_addf(pk, "peer-id %ld", o->peer_id);
	if (o->auth_token[0])
		push_addf(pk, "auth-token %s", o->auth_token);
	if (o->auth_token_user[0])
		push_addf(pk, "auth-token-user %s", o->auth_token_user);
	if (o->cipher[0])
		push_addf(pk, "cipher %s", o->cipher);
	if (o->key_derivation_ekm)
		push_add(pk, "key-derivation tls-ekm");
	if (o->has_proto_flags && o->proto_flags) {
		size_t len = (size_t)snprintf(opt, sizeof(opt), "protocol-flags");

		for (int i = 0; i < 4; i++)
			if (o->proto_flags & (1u << i))
				len += (size_t)snprintf(opt + len, sizeof(opt) - len, " %s", pf[i]);
		push_add(pk, opt);
	}
	if (o->tun_mtu >= 0)
		push_addf(pk, "tun-mtu %d", o->tun_mtu);
}

int push_reply_build(const struct push_opts *o, struct push_parts *out)
{
	struct push_packer pk = { .out = out };
	size_t *len;
	char *p;

	out->n = 0;
	push_part_start(&pk);
	push_build_common(&pk, o);
	push_build_client(&pk, o);
	if (pk.rc)
		return pk.rc;
	p = push_cur(&pk, &len);
	/* Only a multi-part reply carries push-continuation; room for it was kept. */
	if (out->n > 0) {
		memcpy(p + *len, PUSH_CONT_LAST, sizeof(PUSH_CONT_LAST));
		*len += strlen(PUSH_CONT_LAST);
	}
	*len += 1;	/* NUL */
	out->n++;
	return 0;
}
