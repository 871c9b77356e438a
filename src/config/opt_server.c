/* Parse functions for server mode, pools, push, scripts, logging/status, setenv and the
 * client-config-dir directives. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "config/cfg_impl.h"
#include "util/addr.h"
#include "util/log.h"

static int net_mask(struct cfg_ctx *x, const char *n, const char *m, struct in_addr *net,
		    struct in_addr *mask)
{
	if (cfg_parse_ipv4(n, net) < 0)
		return cfg_fail(x, "use a dotted IPv4 network, e.g. 10.8.0.0", "bad network '%s'", n);
	if (cfg_parse_netmask(m, mask) < 0)
		return cfg_fail(x, "use a contiguous netmask, e.g. 255.255.255.0", "bad netmask '%s'", m);
	if ((net->s_addr & ~mask->s_addr) != 0)
		return cfg_fail(x, "clear the host bits, e.g. 10.8.0.0 255.255.255.0",
				"%s is not a network address for netmask %s", n, m);
	return 0;
}

/* "10.8.0.0/24" -> "10.8.0.0" and "255.255.255.0" */
static int cidr_split(struct cfg_ctx *x, const char *s, char *net, char *mask)
{
	const char *slash = strchr(s, '/');
	size_t n = (size_t)(slash - s);
	long bits;

	if (n >= INET_ADDRSTRLEN || cfg_parse_long(slash + 1, 0, 32, &bits) < 0)
		return cfg_fail(x, "e.g. server 10.8.0.0/24", "bad network '%s'", s);
	memcpy(net, s, n);
	net[n] = '\0';
	addr_v4_str(bits ? 0xffffffffu << (32 - bits) : 0, mask, INET_ADDRSTRLEN);
	return 0;
}

int cfg_opt_server(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg *c = x->c;

	char mask[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];
	int opt = 3, ret;

	/* OpenVPN 2.7 also takes "server 10.8.0.0/24" */
	ret = strchr(argv[1], '/') ? cidr_split(x, argv[1], net, mask) : 0;
	if (ret < 0)
		return ret;
	if (strchr(argv[1], '/'))
		opt = 2;
	else if (argc < 3)
		return cfg_fail(x, "e.g. server 10.8.0.0 255.255.255.0", "missing netmask");
	if (net_mask(x, opt == 2 ? net : argv[1], opt == 2 ? mask : argv[2], &c->server.net,
		     &c->server.mask) < 0)
		return -EINVAL;
	if (ntohl(c->server.mask.s_addr) > 0xfffffff8u)
		return cfg_fail(x, "use at least a /29, e.g. 255.255.255.0", "netmask %s is too small "
				"for a server pool", opt == 2 ? mask : argv[2]);
	if (argc > opt + 1)
		return cfg_fail(x, "usage: server NETWORK NETMASK [nopool]", "too many arguments");
	if (argc > opt && strcmp(argv[opt], "nopool") != 0)
		return cfg_fail(x, "the only option is 'nopool'", "unknown option '%s'", argv[opt]);
	c->server.nopool = argc > opt;
	c->server.set = true;
	c->mode = CFG_MODE_SERVER;
	return 0;
}

int cfg_opt_server6(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg *c = x->c;

	if (cfg_parse_ipv6_prefix(argv[1], &c->server_ipv6.net, &c->server_ipv6.prefix, -1) < 0)
		return cfg_fail(x, "use NET/BITS, e.g. fd00:8::/64", "bad IPv6 network '%s'", argv[1]);
	if (c->server_ipv6.prefix < 64 || c->server_ipv6.prefix > 124)
		return cfg_fail(x, "use a prefix between /64 and /124", "prefix /%u not supported",
				c->server_ipv6.prefix);
	c->server_ipv6.set = true;
	return 0;
}

int cfg_opt_server_bridge(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg *c = x->c;

	c->mode = CFG_MODE_SERVER;
	c->server_bridge.set = true;
	if (argc == 1 || (argc == 2 && strcmp(argv[1], "nogw") == 0))
		return 0;
	if (argc != 5)
		return cfg_fail(x, "usage: server-bridge GATEWAY NETMASK POOL-START POOL-END",
				"needs 4 arguments or 'nogw'");
	if (cfg_parse_ipv4(argv[1], &c->server_bridge.net) < 0 ||
	    cfg_parse_netmask(argv[2], &c->server_bridge.mask) < 0)
		return cfg_fail(x, NULL, "bad gateway/netmask '%s %s'", argv[1], argv[2]);
	c->server_bridge.pool_start = cfg_mem_strdup(x->mem, argv[3]);
	c->server_bridge.pool_end = cfg_mem_strdup(x->mem, argv[4]);
	return 0;
}

int cfg_opt_mode(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (strcmp(argv[1], "server") == 0)
		x->c->mode = CFG_MODE_SERVER;
	else if (strcmp(argv[1], "p2p") == 0)
		x->c->mode = CFG_MODE_P2P;
	else
		return cfg_fail(x, "use server or p2p", "unknown mode '%s'", argv[1]);
	return 0;
}

int cfg_opt_client(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	x->c->client = true;
	x->c->pull = true;
	x->c->tls_client = true;
	return 0;
}

int cfg_opt_topology(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (strcmp(argv[1], "subnet") == 0)
		x->c->topology = CFG_TOPO_SUBNET;
	else if (strcmp(argv[1], "net30") == 0)
		x->c->topology = CFG_TOPO_NET30;
	else if (strcmp(argv[1], "p2p") == 0)
		x->c->topology = CFG_TOPO_P2P;
	else
		return cfg_fail(x, "use subnet, net30 or p2p", "unknown topology '%s'", argv[1]);
	if (!x->dflt)
		x->c->topology_set = true;
	return 0;
}

int cfg_opt_pool(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg *c = x->c;

	if (cfg_parse_ipv4(argv[1], &c->ifconfig_pool.start) < 0 ||
	    cfg_parse_ipv4(argv[2], &c->ifconfig_pool.end) < 0)
		return cfg_fail(x, "use two dotted IPv4 addresses", "bad pool '%s %s'", argv[1], argv[2]);
	if (ntohl(c->ifconfig_pool.start.s_addr) > ntohl(c->ifconfig_pool.end.s_addr))
		return cfg_fail(x, "swap them", "pool start %s is after its end %s", argv[1], argv[2]);
	c->ifconfig_pool.mask.s_addr = 0;
	if (argc > 3 && cfg_parse_netmask(argv[3], &c->ifconfig_pool.mask) < 0)
		return cfg_fail(x, "use a netmask like 255.255.255.0", "bad netmask '%s'", argv[3]);
	c->ifconfig_pool.set = true;
	return 0;
}

int cfg_opt_pool6(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (cfg_parse_ipv6_prefix(argv[1], &x->c->ifconfig_ipv6_pool.start,
				  &x->c->ifconfig_ipv6_pool.prefix, -1) < 0)
		return cfg_fail(x, "use ADDR/BITS, e.g. fd00::1000/64", "bad IPv6 pool '%s'", argv[1]);
	x->c->ifconfig_ipv6_pool.set = true;
	return 0;
}

/* The table's default SECONDS when omitted; applied as a default, FILE is NULL. */
int cfg_opt_pool_persist(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	char dflt[16];
	const char *s = argc > 2 ? argv[2] : cfg_dflt_arg(o, 2, dflt, sizeof(dflt)) == 0 ? dflt : "";
	long secs;

	if (cfg_parse_long(s, 0, INT_MAX, &secs) < 0)
		return cfg_fail(x, NULL, "'%s' is not a number of seconds", s);
	x->c->pool_persist.seconds = (int)secs;
	if (!argv[1])
		return 0;
	x->c->pool_persist.file = cfg_resolve_path(x, argv[1]);
	return x->c->pool_persist.file ? 0 : -ENOMEM;
}

/* Options a server pushes that are not config directives burrow itself takes. */
static const char *const push_only[] = {
	"auth-token", "auth-token-user", "block-ipv6", "echo", "key-derivation", "peer-id",
	"protocol-flags", "register-dns",
};

/* A typo in a pushed option only shows up on the clients; say so at load time. */
static void push_check(struct cfg_ctx *x, const char *text)
{
	size_t n = strcspn(text, " \t");
	char name[48];

	if (n == 0 || n >= sizeof(name))
		goto warn;
	memcpy(name, text, n);
	name[n] = '\0';
	if (cfg_option_find(name))
		return;
	for (size_t i = 0; i < sizeof(push_only) / sizeof(push_only[0]); i++)
		if (strcmp(push_only[i], name) == 0)
			return;
warn:
	log_warn("%s:%d: push: '%.*s' is not an option clients know (a typo?)", x->file, x->line,
		 (int)(n < 48 ? n : 48), text);
}

/* push "OPTION ARGS": one quoted argument, kept as text for the PUSH_REPLY. */
int cfg_opt_push(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	char **slot;

	if (!argv[1][0])
		return cfg_fail(x, "e.g. push \"route 10.0.0.0 255.255.255.0\"", "empty option");
	if (strchr(argv[1], ','))
		return cfg_fail(x, "push one option per line", "',' separates pushed options");
	push_check(x, argv[1]);
	slot = x->ccd ? CFG_VEC_ADD(x->ccd->push) : CFG_VEC_ADD(x->c->push);
	if (!slot)
		return cfg_fail(x, NULL, "too many push lines");
	*slot = cfg_mem_strdup(x->mem, argv[1]);
	return *slot ? 0 : -ENOMEM;
}

int cfg_opt_aupv(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (strcmp(argv[2], "via-file") == 0)
		x->c->auth_user_pass_verify.method = CFG_AUPV_VIA_FILE;
	else if (strcmp(argv[2], "via-env") == 0)
		x->c->auth_user_pass_verify.method = CFG_AUPV_VIA_ENV;
	else
		return cfg_fail(x, "use via-file or via-env", "unknown method '%s'", argv[2]);
	x->c->auth_user_pass_verify.script = cfg_mem_strdup(x->mem, argv[1]);
	return x->c->auth_user_pass_verify.script ? 0 : -ENOMEM;
}

int cfg_opt_verify_cc(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (strcmp(argv[1], "none") == 0)
		x->c->verify_client_cert = CFG_VCC_NONE;
	else if (strcmp(argv[1], "optional") == 0)
		x->c->verify_client_cert = CFG_VCC_OPTIONAL;
	else if (strcmp(argv[1], "require") == 0)
		x->c->verify_client_cert = CFG_VCC_REQUIRE;
	else
		return cfg_fail(x, "use none, optional or require", "unknown value '%s'", argv[1]);
	return 0;
}

/* The table's default SECONDS when omitted; applied as a default, FILE is NULL (the
 * interval still matters: the server writes its default status file). */
int cfg_opt_status(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	char dflt[16];
	const char *s = argc > 2 ? argv[2] : cfg_dflt_arg(o, 2, dflt, sizeof(dflt)) == 0 ? dflt : "";
	long secs;

	if (cfg_parse_long(s, 1, INT_MAX, &secs) < 0)
		return cfg_fail(x, NULL, "'%s' is not a number of seconds", s);
	x->c->status_interval = (int)secs;
	if (!argv[1])
		return 0;
	x->c->status = cfg_resolve_path(x, argv[1]);
	return x->c->status ? 0 : -ENOMEM;
}

int cfg_opt_log(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	x->c->log = cfg_resolve_path(x, argv[1]);
	x->c->log_append = strcmp(o->name, "log-append") == 0;
	return x->c->log ? 0 : -ENOMEM;
}

/* Scripts are command lines, not paths: kept as written. */
int cfg_opt_script(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	return cfg_opt_str(x, o, argc, argv);
}

/* setenv NAME VALUE, or `setenv opt DIRECTIVE ARGS`: the directive, skipped if unknown. */
int cfg_opt_setenv(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_setenv *e;
	int ret;

	if (strcmp(argv[1], "opt") == 0 && argc > 2) {
		bool was = x->optional;

		x->optional = true;
		ret = cfg_dispatch(x, argc - 2, argv + 2);
		x->optional = was;
		return ret;
	}
	if (argc > 3)
		return cfg_fail(x, "quote a value with spaces", "too many arguments");
	e = CFG_VEC_ADD(x->c->setenv);
	if (!e)
		return cfg_fail(x, NULL, "too many setenv lines");
	e->name = cfg_mem_strdup(x->mem, argv[1]);
	e->value = cfg_mem_strdup(x->mem, argc > 2 ? argv[2] : "");
	return e->name && e->value ? 0 : -ENOMEM;
}

int cfg_opt_ignore_unknown(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char **slot = CFG_VEC_ADD(x->c->ignore_unknown);

		if (!slot)
			return cfg_fail(x, NULL, "too many names");
		*slot = cfg_mem_strdup(x->mem, argv[i]);
		if (!*slot)
			return -ENOMEM;
	}
	return 0;
}

/* config FILE: another file's directives, in place, with its own name in messages. */
int cfg_opt_config(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	const char *file = x->file;
	int line = x->line, ret;
	char *path, *text;
	size_t len;

	if (x->in_conn || x->depth >= 2)
		return cfg_fail(x, "include files only from the top level, one level deep",
				"nested config include");
	path = cfg_resolve_path(x, argv[1]);
	if (!path)
		return -ENOMEM;
	ret = cfg_read_file(x->mem, path, &text, &len);
	if (ret < 0)
		return cfg_fail(x, "check the path", "cannot read '%s': %s", path, strerror(-ret));
	x->file = path;
	ret = cfg_parse_text(x, text, len, path, 1);
	x->file = file;
	x->line = line;
	return ret;
}

/* ---- client-config-dir ------------------------------------------------------------------ */

int cfg_opt_ccd_ifconfig_push(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_ccd *d = x->ccd;

	if (cfg_parse_ipv4(argv[1], &d->ifconfig_push.local) < 0 ||
	    cfg_parse_ipv4(argv[2], &d->ifconfig_push.remote_or_mask) < 0)
		return cfg_fail(x, "use two dotted IPv4 addresses, e.g. 10.8.0.10 255.255.255.0",
				"bad address in '%s %s'", argv[1], argv[2]);
	d->ifconfig_push.set = true;
	return 0;
}

int cfg_opt_ccd_ifconfig6_push(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_ccd *d = x->ccd;

	if (cfg_parse_ipv6_prefix(argv[1], &d->ifconfig_ipv6_push.local,
				  &d->ifconfig_ipv6_push.prefix, -1) < 0 ||
	    (argc > 2 && inet_pton(AF_INET6, argv[2], &d->ifconfig_ipv6_push.remote) != 1))
		return cfg_fail(x, "use ADDR/BITS [PEER], e.g. fd00::10/64", "bad IPv6 address '%s'",
				argv[1]);
	d->ifconfig_ipv6_push.set = true;
	return 0;
}

int cfg_opt_ccd_iroute(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_route r = { .metric = -1, .where = cfg_here(x) };

	r.mask.s_addr = 0xffffffffu;
	if (cfg_parse_ipv4(argv[1], &r.net) < 0 ||
	    (argc > 2 && cfg_parse_netmask(argv[2], &r.mask) < 0))
		return cfg_fail(x, "e.g. iroute 192.168.4.0 255.255.255.0", "bad network '%s %s'",
				argv[1], argc > 2 ? argv[2] : "");
	if ((r.net.s_addr & ~r.mask.s_addr) != 0)
		return cfg_fail(x, "clear the host bits", "%s is not a network address", argv[1]);
	if (!CFG_VEC_ADD(x->ccd->iroutes))
		return cfg_fail(x, NULL, "too many iroutes");
	x->ccd->iroutes.v[x->ccd->iroutes.n - 1] = r;
	return 0;
}

int cfg_opt_ccd_iroute6(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_route6 r = { .metric = -1, .where = cfg_here(x) };

	if (cfg_parse_ipv6_prefix(argv[1], &r.net, &r.prefix, 128) < 0)
		return cfg_fail(x, "e.g. iroute-ipv6 fd00:4::/64", "bad IPv6 network '%s'", argv[1]);
	if (!CFG_VEC_ADD(x->ccd->iroutes6))
		return cfg_fail(x, NULL, "too many iroutes");
	x->ccd->iroutes6.v[x->ccd->iroutes6.n - 1] = r;
	return 0;
}

int cfg_opt_ccd_flag(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (strcmp(o->name, "disable") == 0)
		x->ccd->disable = true;
	else
		x->ccd->push_reset = true;
	return 0;
}
