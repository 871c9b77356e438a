/* Parse functions for the device, transport, remotes, routes and timers. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "config/cfg_impl.h"

int cfg_opt_dev(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	size_t n = strlen(argv[1]);

	if (n == 0 || n >= 16 || strchr(argv[1], '/'))
		return cfg_fail(x, "use tun, tap, or a name of at most 15 characters",
				"'%s' is not a usable device name", argv[1]);
	x->c->dev = cfg_mem_strdup(x->mem, argv[1]);
	return x->c->dev ? 0 : -ENOMEM;
}

int cfg_opt_dev_type(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (strcmp(argv[1], "tun") == 0)
		x->c->dev_type = CFG_DEV_TUN;
	else if (strcmp(argv[1], "tap") == 0)
		x->c->dev_type = CFG_DEV_TAP;
	else
		return cfg_fail(x, "use tun or tap", "unknown device type '%s'", argv[1]);
	return 0;
}

static int bad_proto(struct cfg_ctx *x, const char *s)
{
	return cfg_fail(x, "use udp, tcp, udp4, udp6, tcp4, tcp6, tcp-client or tcp-server",
			"unknown protocol '%s'", s);
}

/* Inside <connection>, proto/port/rport belong to that block's remotes. */
int cfg_opt_proto(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	enum cfg_proto p;
	enum cfg_af af;

	if (cfg_parse_proto(argv[1], &p, &af, x->c->role) < 0)
		return bad_proto(x, argv[1]);
	if (x->in_conn) {
		x->conn.proto = p;
		x->conn.af = af;
		x->conn_local = true;
	} else {
		x->c->proto = p;
		x->c->proto_af = af;
	}
	return 0;
}

int cfg_opt_port(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	uint16_t port;

	if (cfg_parse_port(argv[1], &port) < 0)
		return cfg_fail(x, "a port is a number from 0 to 65535", "bad port '%s'", argv[1]);
	if (x->in_conn && strcmp(o->name, "lport") != 0) {
		x->conn.port = port;
		x->conn_local = true;
		return 0;
	}
	*(uint16_t *)((char *)x->c + o->off) = port;
	if (strcmp(o->name, "lport") == 0 && !x->dflt)
		x->c->lport_set = true;
	return 0;
}

int cfg_opt_remote(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_remote *r;
	uint16_t port = 0;
	enum cfg_proto p = CFG_PROTO_UNSET;
	enum cfg_af af = CFG_AF_ANY;

	if (argc > 2 && (cfg_parse_port(argv[2], &port) < 0 || port == 0))
		return cfg_fail(x, "a port is a number from 1 to 65535", "bad port '%s'", argv[2]);
	if (argc > 3 && cfg_parse_proto(argv[3], &p, &af, CFG_ROLE_CLIENT) < 0)
		return bad_proto(x, argv[3]);
	r = CFG_VEC_ADD(x->c->remotes);
	if (!r)
		return cfg_fail(x, NULL, "too many remotes");
	r->host = cfg_mem_strdup(x->mem, argv[1]);
	if (!r->host)
		return -ENOMEM;
	r->port = port;
	r->proto = p;
	r->af = af;
	r->where = cfg_here(x);
	return 0;
}

/* route NET [MASK [GW [METRIC]]]; "default" keeps a field unset, as OpenVPN reads it. */
static bool is_default(const char *s)
{
	return strcmp(s, "default") == 0;
}

static int route_gw(struct cfg_ctx *x, struct cfg_route *r, const char *s)
{
	if (is_default(s))
		r->gw_kind = CFG_GW_DEFAULT;
	else if (strcmp(s, "vpn_gateway") == 0)
		r->gw_kind = CFG_GW_VPN;
	else if (strcmp(s, "net_gateway") == 0)
		r->gw_kind = CFG_GW_NET;
	else if (strcmp(s, "remote_host") == 0)
		r->gw_kind = CFG_GW_REMOTE_HOST;
	else if (cfg_parse_ipv4(s, &r->gw) == 0)
		r->gw_kind = CFG_GW_ADDR;
	else
		return cfg_fail(x, "use an IPv4 address, vpn_gateway, net_gateway or remote_host",
				"bad gateway '%s'", s);
	return 0;
}

int cfg_opt_route(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_route r = { .metric = -1, .where = cfg_here(x) };
	long metric;

	if (cfg_parse_ipv4(argv[1], &r.net) < 0)
		return cfg_fail(x, "use a dotted IPv4 network, e.g. route 10.1.0.0 255.255.0.0",
				"bad network '%s'", argv[1]);
	r.mask.s_addr = 0xffffffffu;
	if (argc > 2 && !is_default(argv[2]) && cfg_parse_netmask(argv[2], &r.mask) < 0)
		return cfg_fail(x, "use a netmask like 255.255.255.0", "bad netmask '%s'", argv[2]);
	if ((r.net.s_addr & ~r.mask.s_addr) != 0)
		return cfg_fail(x, "clear the host bits or fix the netmask",
				"%s is not a network address for netmask %s", argv[1],
				argc > 2 ? argv[2] : "255.255.255.255");
	if (argc > 3 && route_gw(x, &r, argv[3]) < 0)
		return -EINVAL;
	if (argc > 4 && !is_default(argv[4])) {
		if (cfg_parse_long(argv[4], 0, INT_MAX, &metric) < 0)
			return cfg_fail(x, NULL, "bad metric '%s'", argv[4]);
		r.metric = (int)metric;
	}
	if (!CFG_VEC_ADD(x->c->routes))
		return cfg_fail(x, NULL, "too many routes");
	x->c->routes.v[x->c->routes.n - 1] = r;
	return 0;
}

int cfg_opt_route6(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_route6 r = { .metric = -1, .where = cfg_here(x) };
	long metric;

	if (cfg_parse_ipv6_prefix(argv[1], &r.net, &r.prefix, 128) < 0)
		return cfg_fail(x, "use NET/BITS, e.g. 2001:db8::/32", "bad IPv6 network '%s'", argv[1]);
	if (argc > 2 && !is_default(argv[2])) {
		if (inet_pton(AF_INET6, argv[2], &r.gw) != 1)
			return cfg_fail(x, "use an IPv6 address", "bad IPv6 gateway '%s'", argv[2]);
		r.has_gw = true;
	}
	if (argc > 3 && !is_default(argv[3])) {
		if (cfg_parse_long(argv[3], 0, INT_MAX, &metric) < 0)
			return cfg_fail(x, NULL, "bad metric '%s'", argv[3]);
		r.metric = (int)metric;
	}
	if (!CFG_VEC_ADD(x->c->routes6))
		return cfg_fail(x, NULL, "too many routes");
	x->c->routes6.v[x->c->routes6.n - 1] = r;
	return 0;
}

static const struct {
	const char *name;
	unsigned flag;
} rg_flags[] = {
	{ "def1", CFG_RG_DEF1 }, { "ipv6", CFG_RG_IPV6 }, { "!ipv4", CFG_RG_NOIPV4 },
	{ "local", CFG_RG_LOCAL }, { "autolocal", CFG_RG_AUTOLOCAL },
	{ "bypass-dhcp", CFG_RG_BYPASS_DHCP }, { "bypass-dns", CFG_RG_BYPASS_DNS },
	{ "block-local", CFG_RG_BLOCK_LOCAL },
};

int cfg_opt_redirect_gateway(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	unsigned flags = CFG_RG_ENABLE;

	for (int i = 1; i < argc; i++) {
		size_t k;

		for (k = 0; k < sizeof(rg_flags) / sizeof(rg_flags[0]); k++)
			if (strcmp(argv[i], rg_flags[k].name) == 0)
				break;
		if (k == sizeof(rg_flags) / sizeof(rg_flags[0]))
			return cfg_fail(x, "flags: def1 ipv6 !ipv4 local autolocal bypass-dhcp "
					"bypass-dns block-local", "unknown flag '%s'", argv[i]);
		flags |= rg_flags[k].flag;
	}
	x->c->redirect_gateway = flags;
	return 0;
}

int cfg_opt_dhcp_option(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_dhcp_opt *d = CFG_VEC_ADD(x->c->dhcp_options);

	if (!d)
		return cfg_fail(x, NULL, "too many dhcp-option lines");
	d->type = cfg_mem_strdup(x->mem, argv[1]);
	d->value = argc > 2 ? cfg_mem_strdup(x->mem, argv[2]) : NULL;
	return d->type && (argc < 3 || d->value) ? 0 : -ENOMEM;
}

int cfg_opt_ifconfig(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (cfg_parse_ipv4(argv[1], &x->c->ifconfig.local) < 0 ||
	    cfg_parse_ipv4(argv[2], &x->c->ifconfig.remote_or_mask) < 0)
		return cfg_fail(x, "use two dotted IPv4 addresses", "bad address in '%s %s'",
				argv[1], argv[2]);
	x->c->ifconfig.set = true;
	return 0;
}

int cfg_opt_ifconfig6(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (cfg_parse_ipv6_prefix(argv[1], &x->c->ifconfig_ipv6.local, &x->c->ifconfig_ipv6.prefix,
				  -1) < 0 || inet_pton(AF_INET6, argv[2], &x->c->ifconfig_ipv6.remote) != 1)
		return cfg_fail(x, "use ADDR/BITS and a peer address, e.g. fd00::2/64 fd00::1",
				"bad IPv6 address in '%s %s'", argv[1], argv[2]);
	x->c->ifconfig_ipv6.set = true;
	return 0;
}

int cfg_opt_mssfix(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	char dflt[16];
	/* bare `mssfix`: the default size, without its `mtu` (as before) */
	const char *s = argc > 1 ? argv[1] : cfg_dflt_arg(o, 1, dflt, sizeof(dflt)) == 0 ? dflt : "";
	long v;

	if (cfg_parse_long(s, 0, 65535, &v) < 0)
		return cfg_fail(x, NULL, "'%s' is not a size from 0 to 65535", argv[1]);
	if (argc > 2 && strcmp(argv[2], "mtu") != 0)
		return cfg_fail(x, "the only option is 'mtu'", "unknown mssfix option '%s'", argv[2]);
	x->c->mssfix = (int)v;
	x->c->mssfix_mtu = argc > 2;
	return 0;
}

int cfg_opt_resolv_retry(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	long v;

	if (strcmp(argv[1], "infinite") == 0) {
		x->c->resolv_retry = -1;
		return 0;
	}
	if (cfg_parse_long(argv[1], 0, INT_MAX, &v) < 0)
		return cfg_fail(x, "use a number of seconds or 'infinite'", "bad value '%s'", argv[1]);
	x->c->resolv_retry = (int)v;
	return 0;
}

/* Without MAX, an earlier connect-retry's MAX stays; with none before, the table's. */
int cfg_opt_connect_retry(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	bool again = x->c->seen && x->c->seen[o - cfg_options].file;
	long v, max = x->c->connect_retry_max_wait;
	char dflt[16];

	if (argc < 3 && !again && cfg_dflt_arg(o, 2, dflt, sizeof(dflt)) == 0 &&
	    cfg_parse_long(dflt, 0, INT_MAX, &max) < 0)
		return cfg_fail(x, NULL, "bad default MAX '%s'", dflt);
	if (cfg_parse_long(argv[1], 0, INT_MAX, &v) < 0 ||
	    (argc > 2 && cfg_parse_long(argv[2], 0, INT_MAX, &max) < 0))
		return cfg_fail(x, NULL, "'%s' is not a number of seconds", argc > 2 ? argv[2] : argv[1]);
	x->c->connect_retry = (int)v;
	x->c->connect_retry_max_wait = (int)max;
	return 0;
}

int cfg_opt_keepalive(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	long a, b;

	if (cfg_parse_long(argv[1], 1, INT_MAX / 2, &a) < 0 ||
	    cfg_parse_long(argv[2], 1, INT_MAX / 2, &b) < 0)
		return cfg_fail(x, "e.g. keepalive 10 60", "'%s %s' are not two positive numbers",
				argv[1], argv[2]);
	if (b < a * 2)
		return cfg_fail(x, "the timeout must be at least twice the interval, e.g. keepalive 10 60",
				"timeout %ld is less than twice the interval %ld", b, a);
	x->c->keepalive_interval = (int)a;
	x->c->keepalive_timeout = (int)b;
	return 0;
}

int cfg_opt_explicit_exit(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	long v = 1;

	if (argc > 1 && cfg_parse_long(argv[1], 0, 255, &v) < 0)
		return cfg_fail(x, NULL, "'%s' is not a number from 0 to 255", argv[1]);
	x->c->explicit_exit_notify = (int)v;
	return 0;
}

/* <connection>: its remotes get the block's own proto/port when they give none. */
int cfg_opt_connection(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	size_t first = x->c->remotes.n;
	const char *body = x->inl;
	size_t len = x->inl_len;
	int ret;

	if (x->in_conn)
		return cfg_fail(x, "close the first <connection> before opening another",
				"nested <connection>");
	x->in_conn = true;
	memset(&x->conn, 0, sizeof(x->conn));
	x->inl = NULL;
	ret = cfg_parse_text(x, body, len, x->file, x->line + 1);
	x->in_conn = false;
	if (ret < 0)
		return ret;
	for (size_t i = first; i < x->c->remotes.n; i++) {
		struct cfg_remote *r = &x->c->remotes.v[i];

		if (!r->port)
			r->port = x->conn.port;
		if (!r->proto) {
			r->proto = x->conn.proto;
			r->af = x->conn.af;
		}
	}
	return 0;
}
