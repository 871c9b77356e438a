/* `burrow dev`: create, configure, show and delete persistent kernel TUN/TAP devices, through
 * the kernel backend (src/vif/kernel.c) and rtnetlink (src/vif/nl.h). */
#include "cmd/cli.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/dev.h"
#include "vif/kernel.h"
#include "vif/nl.h"

#define DEV_MAX_ADDRS 16

const char cmd_dev_usage[] =
	"Usage: burrow dev add NAME --type tun|tap [--mtu N] [--addr CIDR]... [--up]\n"
	"                      [--user U] [--group G] [--multiqueue]\n"
	"       burrow dev set NAME up|down\n"
	"       burrow dev set NAME mtu N\n"
	"       burrow dev set NAME addr add|del CIDR\n"
	"       burrow dev set NAME route add|del CIDR [via GW] [metric N]\n"
	"       burrow dev show [NAME] [--json]\n"
	"       burrow dev del NAME\n"
	"\n"
	"Manages kernel TUN/TAP devices (needs root or CAP_NET_ADMIN).\n"
	"\n"
	"  add   creates a persistent device and prints its name. NAME is exact (tun0) or a\n"
	"        template whose %d the kernel replaces with the first free number (tun%d).\n"
	"        --type    tun (IP packets) or tap (Ethernet frames); required\n"
	"        --mtu N   68..65535 (default 1500)\n"
	"        --addr    an address with prefix, IPv4 or IPv6; may be repeated\n"
	"        --up      bring the device up after adding the addresses\n"
	"        --user, --group  user/group (name or number) allowed to open the device\n"
	"                  later without privileges\n"
	"        --multiqueue     the device takes several queues (one per open)\n"
	"  set   changes one thing: state, MTU, an address, or a route through the device\n"
	"  show  type, state, MTU, MAC, addresses and rx/tx counters of NAME, or of every\n"
	"        TUN/TAP device; --json prints an array of objects with stable keys:\n"
	"        ifname ifindex type(tun|tap|other) kind up running mtu address(MAC|null)\n"
	"        persist multi_queue owner group addr_info[{family local prefixlen}]\n"
	"        stats{rx_,tx_ + packets bytes dropped errors}; ifname, ifindex, mtu,\n"
	"        address and addr_info mean what they mean in `ip -j`\n"
	"  del   deletes the device, also while a program has it open (its reads then fail)\n"
	"\n"
	"Examples:\n"
	"  burrow dev add tun%d --type tun --addr 10.8.0.1/24 --addr fd00::1/64 --up\n"
	"  burrow dev add tap0 --type tap --user alice --mtu 9000\n"
	"  burrow dev set tun0 route add 10.9.0.0/16 via 10.8.0.2 metric 10\n"
	"  burrow dev set tun0 addr del 10.8.0.1/24\n"
	"  burrow dev show tun0 --json\n"
	"  burrow dev del tun0";

static const char *dev_sub_usage(const char *sub)
{
	if (!strcmp(sub, "add"))
		return "Usage: burrow dev add NAME --type tun|tap [--mtu N] [--addr CIDR]... [--up]\n"
		       "                      [--user U] [--group G] [--multiqueue]\n"
		       "Example: burrow dev add tun%d --type tun --addr 10.8.0.1/24 --up";
	if (!strcmp(sub, "set"))
		return "Usage: burrow dev set NAME up|down | mtu N | addr add|del CIDR |\n"
		       "                      route add|del CIDR [via GW] [metric N]\n"
		       "Example: burrow dev set tun0 route add 10.9.0.0/16 via 10.8.0.2";
	if (!strcmp(sub, "show"))
		return "Usage: burrow dev show [NAME] [--json]\n"
		       "Example: burrow dev show tun0 --json";
	if (!strcmp(sub, "del"))
		return "Usage: burrow dev del NAME\nExample: burrow dev del tun0";
	return NULL;
}

/* Prints "burrow dev: MESSAGE" and returns CLI_FAIL. */
static int dev_fail(const char *msg)
{
	fprintf(stderr, "burrow dev: %s\n", msg);
	return CLI_FAIL;
}

/* Strict decimal: digits only, no sign, within max. */
static bool dev_number(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/* Parses --mtu's value: not a number is a usage error, out of range a runtime one. */
static int dev_mtu(const char *s, unsigned *out)
{
	unsigned long v;
	char msg[128];

	if (!dev_number(s, 10000000UL, &v))
		return cli_usage_error("dev", "MTU '%s' is not a number", s);
	if (v < VIF_MTU_MIN || v > VIF_MTU_MAX) {
		snprintf(msg, sizeof(msg), "MTU %lu is out of range: %u..%u", v, VIF_MTU_MIN,
			 VIF_MTU_MAX);
		return dev_fail(msg);
	}
	*out = (unsigned)v;
	return CLI_OK;
}

static int dev_user(const char *s, long *out)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	unsigned long v;

	if (dev_number(s, 0xfffffffeUL, &v)) {
		*out = (long)v;
		return CLI_OK;
	}
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return cli_usage_error("dev", "no user '%s'", s);
	*out = (long)pw.pw_uid;
	return CLI_OK;
}

static int dev_group(const char *s, long *out)
{
	struct group gr, *res = NULL;
	char buf[4096];
	unsigned long v;

	if (dev_number(s, 0xfffffffeUL, &v)) {
		*out = (long)v;
		return CLI_OK;
	}
	if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return cli_usage_error("dev", "no group '%s'", s);
	*out = (long)gr.gr_gid;
	return CLI_OK;
}

/* ---- add ---- */

struct dev_add {
	struct vif_config cfg;
	bool has_type, up;
	const char *addrs[DEV_MAX_ADDRS];
	size_t n_addrs;
};

/* Options that take a value; returns CLI_OK or the exit status of the error. */
static int dev_add_opt(struct dev_add *a, const char *opt, const char *val)
{
	if (!val)
		return cli_usage_error("dev", "%s needs a value", opt);
	if (!strcmp(opt, "--type")) {
		if (strcmp(val, "tun") && strcmp(val, "tap"))
			return cli_usage_error("dev", "--type must be tun or tap (got '%s')", val);
		a->cfg.type = strcmp(val, "tap") ? VIF_TUN : VIF_TAP;
		a->has_type = true;
		return CLI_OK;
	}
	if (!strcmp(opt, "--mtu"))
		return dev_mtu(val, &a->cfg.mtu);
	if (!strcmp(opt, "--user"))
		return dev_user(val, &a->cfg.owner);
	if (!strcmp(opt, "--group"))
		return dev_group(val, &a->cfg.group);
	if (a->n_addrs == DEV_MAX_ADDRS)
		return cli_usage_error("dev", "at most %d --addr", DEV_MAX_ADDRS);
	a->addrs[a->n_addrs++] = val;
	return CLI_OK;
}

static int dev_add_args(int argc, char **argv, struct dev_add *a)
{
	const char *name = NULL;
	int rc;

	vif_config_init(&a->cfg);
	a->cfg.persist = true;
	a->cfg.mtu = 0;		/* keep the kernel's default unless asked */
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--up"))
			a->up = true;
		else if (!strcmp(o, "--multiqueue"))
			a->cfg.multiqueue = true;
		else if (!strcmp(o, "--type") || !strcmp(o, "--mtu") || !strcmp(o, "--addr") ||
			 !strcmp(o, "--user") || !strcmp(o, "--group")) {
			rc = dev_add_opt(a, o, i + 1 < argc ? argv[i + 1] : NULL);
			if (rc != CLI_OK)
				return rc;
			i++;
		} else if (o[0] == '-')
			return cli_usage_error("dev", "add: unknown option '%s'", o);
		else if (name)
			return cli_usage_error("dev", "add: one NAME only (got '%s' and '%s')", name, o);
		else
			name = o;
	}
	if (!name)
		return cli_usage_error("dev", "add: NAME is missing");
	if (!a->has_type)
		return cli_usage_error("dev", "add: --type tun|tap is required");
	if (strlen(name) >= sizeof(a->cfg.name))
		return cli_usage_error("dev", "add: name '%.20s...' is too long", name);
	memcpy(a->cfg.name, name, strlen(name) + 1);
	return CLI_OK;
}

/* Addresses are parsed before anything is created, so a typo leaves no device behind. */
static int dev_add_parse_addrs(const struct dev_add *a, struct nl_addr *out)
{
	struct nl_err err;

	for (size_t i = 0; i < a->n_addrs; i++)
		if (nl_parse_cidr(a->addrs[i], &out[i], &err) < 0)
			return dev_fail(err.msg);
	return CLI_OK;
}

static int dev_add_configure(int ifindex, const struct dev_add *a, const struct nl_addr *addrs,
			     struct nl_err *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < a->n_addrs; i++)
		rc = nl_addr_add(ifindex, &addrs[i], NULL, err);
	if (rc == 0 && a->up)
		rc = nl_link_set_up(ifindex, true, err);
	return rc;
}

static int dev_add(int argc, char **argv)
{
	struct dev_add a = { 0 };
	struct nl_addr addrs[DEV_MAX_ADDRS];
	struct vif_port *p = NULL;
	struct nl_err err;
	char name[NL_IFNAMSIZ];
	int rc = dev_add_args(argc, argv, &a);

	if (rc != CLI_OK)
		return rc;
	rc = dev_add_parse_addrs(&a, addrs);
	if (rc != CLI_OK)
		return rc;
	if (vif_kernel_open_ex(&a.cfg, true, name, sizeof(name), &p, &err) < 0)
		return dev_fail(err.msg);
	rc = dev_add_configure(vif_kernel_ifindex(p), &a, addrs, &err);
	if (rc < 0) {
		/* Half-configured devices are worse than none. */
		nl_link_del(vif_kernel_ifindex(p), NULL);
		vif_close(p);
		return dev_fail(err.msg);
	}
	vif_close(p);
	printf("%s\n", name);
	return CLI_OK;
}

/* ---- set ---- */

/* The ifindex of a TUN/TAP device: set and del refuse other links, so a typo such as
 * `burrow dev del eth0` cannot take a machine off the network. */
static int dev_index(const char *name, int *ifindex)
{
	struct nl_link_info *li;
	struct nl_err err;
	char msg[200];
	bool other;
	int rc = nl_link_index(name, &err);

	if (rc < 0)
		return dev_fail(err.msg);
	*ifindex = rc;
	li = calloc(1, sizeof(*li));	/* large (addresses, stats): not on the stack */
	if (!li)
		return dev_fail("out of memory");
	rc = nl_link_get(*ifindex, li, &err);
	other = rc == 0 && li->kind == NL_KIND_OTHER;
	snprintf(msg, sizeof(msg), "'%s' is %s%s%s TUN/TAP device: burrow dev changes only TUN/TAP "
		 "devices (use ip link for others)", name, li->kind_name[0] ? "a " : "not a",
		 li->kind_name, li->kind_name[0] ? " device, not a" : "");
	free(li);
	if (rc < 0)
		return dev_fail(err.msg);
	return other ? dev_fail(msg) : CLI_OK;
}

/* Netlink messages name the ifindex; the user typed a name, so lead with it. */
static int dev_result(const char *name, int rc, const struct nl_err *err)
{
	if (rc >= 0)
		return CLI_OK;
	fprintf(stderr, "burrow dev: %s: %s%s\n", name, err->msg,
		rc == -EEXIST ? " (it is already there)" : "");
	return CLI_FAIL;
}

static int dev_set_addr(const char *name, int ifindex, int argc, char **argv)
{
	struct nl_addr a;
	struct nl_err err;
	bool add;

	if (argc != 2 || (strcmp(argv[0], "add") && strcmp(argv[0], "del")))
		return cli_usage_error("dev", "set: want 'addr add|del CIDR'");
	add = !strcmp(argv[0], "add");
	if (nl_parse_cidr(argv[1], &a, &err) < 0)
		return dev_fail(err.msg);
	return dev_result(name, add ? nl_addr_add(ifindex, &a, NULL, &err) :
				nl_addr_del(ifindex, &a, &err), &err);
}

/* "[via GW] [metric N]" after the CIDR. */
static int dev_route_opts(struct nl_route *r, int argc, char **argv)
{
	struct nl_err err;
	unsigned long m;

	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return cli_usage_error("dev", "set: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "via")) {
			if (nl_parse_addr(argv[i + 1], &r->gw, &err) < 0)
				return dev_fail(err.msg);
			r->has_gw = true;
		} else if (!strcmp(argv[i], "metric")) {
			if (!dev_number(argv[i + 1], 0xffffffffUL, &m))
				return cli_usage_error("dev", "metric '%s' is not a number", argv[i + 1]);
			r->metric = (uint32_t)m;
			r->has_metric = true;
		} else {
			return cli_usage_error("dev", "set: unknown route option '%s'", argv[i]);
		}
	}
	return CLI_OK;
}

static int dev_set_route(const char *name, int ifindex, int argc, char **argv)
{
	struct nl_route r = { .ifindex = ifindex };
	struct nl_err err;
	bool add;
	int rc;

	if (argc < 2 || (strcmp(argv[0], "add") && strcmp(argv[0], "del")))
		return cli_usage_error("dev", "set: want 'route add|del CIDR [via GW] [metric N]'");
	add = !strcmp(argv[0], "add");
	if (nl_parse_cidr(argv[1], &r.dst, &err) < 0)
		return dev_fail(err.msg);
	rc = dev_route_opts(&r, argc - 2, argv + 2);
	if (rc != CLI_OK)
		return rc;
	if (r.has_gw && r.gw.family != r.dst.family)
		return dev_fail("the gateway and the destination are not the same IP version");
	return dev_result(name, add ? nl_route_add(&r, &err) : nl_route_del(&r, &err), &err);
}

static int dev_set(int argc, char **argv)
{
	struct nl_err err;
	unsigned mtu;
	int ifindex, rc;

	if (argc < 3)
		return cli_usage_error("dev", "set: want 'set NAME up|down|mtu N|addr ...|route ...'");
	/* What to change is checked before the device, so a typo is reported as a typo. */
	if (strcmp(argv[2], "up") && strcmp(argv[2], "down") && strcmp(argv[2], "mtu") &&
	    strcmp(argv[2], "addr") && strcmp(argv[2], "route"))
		return cli_usage_error("dev", "set: unknown setting '%s' (up, down, mtu, addr, "
				       "route)", argv[2]);
	if (((!strcmp(argv[2], "up") || !strcmp(argv[2], "down")) && argc != 3) ||
	    (!strcmp(argv[2], "mtu") && argc != 4))
		return cli_usage_error("dev", "set: want 'set NAME %s'", !strcmp(argv[2], "mtu") ?
				       "mtu N" : argv[2]);
	rc = dev_index(argv[1], &ifindex);
	if (rc != CLI_OK)
		return rc;
	if (!strcmp(argv[2], "up") || !strcmp(argv[2], "down"))
		return dev_result(argv[1], nl_link_set_up(ifindex, !strcmp(argv[2], "up"), &err),
				  &err);
	if (!strcmp(argv[2], "mtu")) {
		rc = dev_mtu(argv[3], &mtu);
		if (rc != CLI_OK)
			return rc;
		return dev_result(argv[1], nl_link_set_mtu(ifindex, mtu, &err), &err);
	}
	if (!strcmp(argv[2], "addr"))
		return dev_set_addr(argv[1], ifindex, argc - 3, argv + 3);
	return dev_set_route(argv[1], ifindex, argc - 3, argv + 3);
}

/* ---- del ---- */

static int dev_del(int argc, char **argv)
{
	struct nl_err err;
	int ifindex, rc;

	if (argc != 2)
		return cli_usage_error("dev", "del: want exactly one NAME");
	rc = dev_index(argv[1], &ifindex);
	if (rc != CLI_OK)
		return rc;
	return dev_result(argv[1], nl_link_del(ifindex, &err), &err);
}

int cmd_dev(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *usage = sub ? dev_sub_usage(sub) : NULL;

	if (!sub)
		return cli_usage_error("dev", "missing subcommand (add, set, show, del)");
	if (!usage)
		return cli_usage_error("dev", "unknown subcommand '%s' (add, set, show, del)", sub);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n", usage);
			return CLI_OK;
		}
	}
	if (!strcmp(sub, "add"))
		return dev_add(argc - 1, argv + 1);
	if (!strcmp(sub, "set"))
		return dev_set(argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return cmd_dev_show(argc - 1, argv + 1);
	return dev_del(argc - 1, argv + 1);
}
