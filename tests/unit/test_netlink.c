/* nl.h against the real kernel, in a private network namespace (unshare at start): CIDR text,
 * link up/down/MTU/MAC/delete, addresses, routes and route lookup, and every error path. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "vif/kernel.h"
#include "vif/nl.h"

/* ---- helpers ---- */

static struct nl_addr addr(const char *text)
{
	struct nl_addr a;
	struct nl_err err;

	if (nl_parse_cidr(text, &a, &err) < 0)
		fail_msg("%s", err.msg);
	return a;
}

/* A persistent kernel device to configure: opened, made persistent, closed again. */
static int make_dev(const char *name, enum vif_type type)
{
	struct vif_config cfg;
	struct vif_port *p = NULL;
	struct nl_err err;
	char out[IFNAMSIZ];
	int rc;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.type = type;
	cfg.persist = true;
	rc = vif_kernel_open_ex(&cfg, true, out, sizeof(out), &p, &err);
	if (rc < 0)
		fail_msg("make %s: %s", name, err.msg);
	vif_close(p);
	rc = nl_link_index(name, &err);
	assert_true(rc > 0);
	return rc;
}

static bool has_addr(int ifindex, const char *cidr)
{
	struct nl_link_info *li = calloc(1, sizeof(*li));
	struct nl_addr want = addr(cidr);
	bool found = false;

	assert_non_null(li);
	assert_int_equal(nl_link_get(ifindex, li, NULL), 0);
	for (size_t i = 0; i < li->n_addrs; i++)
		if (li->addrs[i].family == want.family && li->addrs[i].prefix == want.prefix &&
		    memcmp(li->addrs[i].bytes, want.bytes, 16) == 0)
			found = true;
	free(li);
	return found;
}

/* ---- CIDR text ---- */

static void test_cidr_valid(void **state)
{
	struct nl_addr a;
	char buf[64];

	(void)state;
	assert_int_equal(nl_parse_cidr("10.8.0.2/24", &a, NULL), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.prefix, 24);
	assert_memory_equal(a.bytes, "\x0a\x08\x00\x02", 4);
	assert_int_equal(nl_parse_cidr("10.8.0.2", &a, NULL), 0);
	assert_int_equal(a.prefix, 32);
	assert_int_equal(nl_parse_cidr("fd00::2/64", &a, NULL), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefix, 64);
	assert_int_equal(a.bytes[0], 0xfd);
	assert_int_equal(a.bytes[15], 2);
	assert_int_equal(nl_parse_cidr("::1", &a, NULL), 0);
	assert_int_equal(a.prefix, 128);
	assert_int_equal(nl_parse_cidr("0.0.0.0/0", &a, NULL), 0);
	assert_int_equal(a.prefix, 0);
	assert_int_equal(nl_format_addr(&a, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0.0.0.0/0");
	a = addr("fd00:0:0::2/64");
	assert_int_equal(nl_format_addr(&a, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "fd00::2/64");
	assert_int_equal(nl_format_addr(&a, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "fd00::2");
	assert_int_equal(nl_mask_prefix((struct in_addr){ htonl(0xffffff00u) }), 24);
	assert_int_equal(nl_mask_prefix((struct in_addr){ htonl(0xfffffffcu) }), 30);
	assert_int_equal(nl_mask_prefix((struct in_addr){ 0 }), 0);
	assert_int_equal(nl_mask_prefix((struct in_addr){ 0xffffffffu }), 32);
	assert_int_equal(nl_format_addr(&a, true, buf, 5), -ENOSPC);
	a.family = AF_UNIX;
	assert_int_equal(nl_format_addr(&a, true, buf, sizeof(buf)), -EAFNOSUPPORT);
}

static void expect_bad(const char *text, const char *needle)
{
	struct nl_addr a;
	struct nl_err err = { { 0 } };

	assert_int_equal(nl_parse_cidr(text, &a, &err), -EINVAL);
	if (!strstr(err.msg, needle))
		fail_msg("parse '%s': message '%s' lacks '%s'", text, err.msg, needle);
}

static void test_cidr_invalid(void **state)
{
	struct nl_addr a;
	struct nl_err err;

	(void)state;
	expect_bad("10.8.0.300/24", "'10.8.0.300'");
	expect_bad("10.8.0.1/33", "'33'");
	expect_bad("fd00::1/129", "'129'");
	expect_bad("10.8.0.1/", "in '10.8.0.1/'");
	expect_bad("/24", "'/24'");
	expect_bad("10.8.0.1/-1", "'-1'");
	expect_bad("10.8.0.1/+8", "'+8'");
	expect_bad("10.8.0.1/0024", "'0024'");
	expect_bad("10.8.0.1/2 4", "'2 4'");
	expect_bad(" 10.8.0.1", "' 10.8.0.1'");
	expect_bad("hello", "'hello'");
	expect_bad("", "empty");
	expect_bad("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/64", "bad address");
	assert_int_equal(nl_parse_cidr(NULL, &a, NULL), -EINVAL);
	assert_int_equal(nl_parse_addr("10.0.0.1/24", &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "10.0.0.1/24"));
	assert_int_equal(nl_parse_addr("10.0.0.1", &a, NULL), 0);
}

/* ---- links ---- */

static void test_link_index(void **state)
{
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_link_index("lo", &err), 1);
	assert_int_equal(nl_link_index("nosuchdev0", &err), -ENODEV);
	assert_non_null(strstr(err.msg, "nosuchdev0"));
	assert_int_equal(nl_link_index("waytoolongname0123", &err), -EINVAL);
	assert_int_equal(nl_link_index("", &err), -EINVAL);
	assert_int_equal(nl_link_index(NULL, &err), -EINVAL);
}

static void test_link_up_down(void **state)
{
	int idx = make_dev("nlud0", VIF_TUN);
	struct nl_link_info li;
	unsigned flags = 0;

	(void)state;
	assert_int_equal(nl_link_flags(idx, &flags, NULL), 0);
	assert_false(flags & IFF_UP);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	assert_int_equal(nl_link_flags(idx, &flags, NULL), 0);
	assert_true(flags & IFF_UP);
	assert_int_equal(nl_link_get(idx, &li, NULL), 0);
	assert_true(li.up);
	assert_false(li.running);	/* nobody has the persistent device open */
	assert_string_equal(li.name, "nlud0");
	assert_int_equal(li.kind, NL_KIND_TUN);
	assert_string_equal(li.kind_name, "tun");
	assert_true(li.persist);
	assert_int_equal(nl_link_set_up(idx, false, NULL), 0);
	assert_int_equal(nl_link_flags(idx, &flags, NULL), 0);
	assert_false(flags & IFF_UP);
	assert_int_equal(nl_link_del(idx, NULL), 0);
}

static void test_link_mtu(void **state)
{
	int idx = make_dev("nlmtu0", VIF_TUN);
	struct nl_link_info li;
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_link_set_mtu(idx, 1400, &err), 0);
	assert_int_equal(nl_link_get(idx, &li, NULL), 0);
	assert_int_equal(li.mtu, 1400);
	assert_int_equal(li.min_mtu, 68);
	assert_int_equal(li.max_mtu, 65535);
	assert_int_equal(nl_link_set_mtu(idx, 67, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "68..65535"));
	assert_int_equal(nl_link_set_mtu(idx, 65536, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nlmtu0"));
	assert_int_equal(nl_link_get(idx, &li, NULL), 0);
	assert_int_equal(li.mtu, 1400);
	assert_int_equal(nl_link_del(idx, NULL), 0);
	assert_int_equal(nl_link_set_mtu(idx, 1400, &err), -ENODEV);
}

static void test_link_mac(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t mcast[6] = { 0x01, 0x11, 0x22, 0x33, 0x44, 0x55 };
	int tap = make_dev("nlmac0", VIF_TAP);
	int tun = make_dev("nlmac1", VIF_TUN);
	struct nl_link_info li;
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_link_get(tap, &li, NULL), 0);
	assert_int_equal(li.kind, NL_KIND_TAP);
	assert_true(li.has_mac);
	assert_int_equal(nl_link_set_mac(tap, mac, &err), 0);
	assert_int_equal(nl_link_get(tap, &li, NULL), 0);
	assert_memory_equal(li.mac, mac, 6);
	/* The kernel refuses a multicast MAC and a MAC on a TUN device; both are reported. */
	assert_true(nl_link_set_mac(tap, mcast, &err) < 0);
	assert_non_null(strstr(err.msg, "set MAC address"));
	assert_true(nl_link_set_mac(tun, mac, &err) < 0);
	assert_int_equal(nl_link_get(tun, &li, NULL), 0);
	assert_false(li.has_mac);
	assert_int_equal(nl_link_del(tap, NULL), 0);
	assert_int_equal(nl_link_del(tun, NULL), 0);
}

static void test_link_del_errors(void **state)
{
	int idx = make_dev("nldel0", VIF_TUN);
	struct nl_link_info li;
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_link_del(idx, &err), 0);
	assert_int_equal(nl_link_index("nldel0", NULL), -ENODEV);
	assert_int_equal(nl_link_del(idx, &err), -ENODEV);
	assert_non_null(strstr(err.msg, "delete link"));
	assert_int_equal(nl_link_del(0, &err), -EINVAL);
	assert_int_equal(nl_link_get(idx, &li, &err), -ENODEV);
	assert_int_equal(nl_link_get(-3, &li, &err), -EINVAL);
	assert_int_equal(nl_link_set_up(0, true, &err), -EINVAL);
	assert_int_equal(nl_link_set_up(idx, true, &err), -ENODEV);
	assert_int_equal(nl_link_flags(idx, &(unsigned){ 0 }, &err), -ENODEV);
}

struct count_ctx {
	int links;
	bool saw_lo, saw_dev;
};

static int count_links(const struct nl_link_info *li, void *arg)
{
	struct count_ctx *c = arg;

	c->links++;
	if (strcmp(li->name, "lo") == 0)
		c->saw_lo = li->n_addrs >= 1;	/* 127.0.0.1 at least, lo is up */
	if (strcmp(li->name, "nlall0") == 0)
		c->saw_dev = li->kind == NL_KIND_TAP;
	return 0;
}

static int stop_at_first(const struct nl_link_info *li, void *arg)
{
	(*(int *)arg)++;
	return 42;
}

static void test_link_foreach(void **state)
{
	int idx = make_dev("nlall0", VIF_TAP);
	struct count_ctx c = { 0 };
	int n = 0;

	(void)state;
	assert_int_equal(nl_link_foreach(count_links, &c, NULL), 0);
	assert_true(c.links >= 2);
	assert_true(c.saw_lo);
	assert_true(c.saw_dev);
	assert_int_equal(nl_link_foreach(stop_at_first, &n, NULL), 42);
	assert_int_equal(n, 1);
	assert_int_equal(nl_link_del(idx, NULL), 0);
}

/* ---- addresses ---- */

static void test_addr_v4_v6(void **state)
{
	int idx = make_dev("nladdr0", VIF_TUN);
	struct nl_addr a4 = addr("10.77.0.1/24"), a6 = addr("fd77::1/64");
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_addr_add(idx, &a4, NULL, &err), 0);
	assert_int_equal(nl_addr_add(idx, &a6, NULL, &err), 0);
	assert_true(has_addr(idx, "10.77.0.1/24"));
	assert_true(has_addr(idx, "fd77::1/64"));
	assert_int_equal(nl_addr_add(idx, &a4, NULL, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "10.77.0.1/24"));
	assert_int_equal(nl_addr_del(idx, &a4, &err), 0);
	assert_int_equal(nl_addr_del(idx, &a6, &err), 0);
	assert_false(has_addr(idx, "10.77.0.1/24"));
	assert_false(has_addr(idx, "fd77::1/64"));
	assert_int_equal(nl_addr_del(idx, &a4, &err), -EADDRNOTAVAIL);
	assert_int_equal(nl_link_del(idx, NULL), 0);
	assert_int_equal(nl_addr_add(idx, &a4, NULL, &err), -ENODEV);
}

static void test_addr_peer_and_errors(void **state)
{
	int idx = make_dev("nlp2p0", VIF_TUN);
	struct nl_addr local = addr("10.78.0.1/32"), peer = addr("10.78.0.2/32");
	struct nl_addr v6 = addr("fd78::1"), bad = local;
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_addr_add(idx, &local, &peer, &err), 0);
	assert_true(has_addr(idx, "10.78.0.1/32"));
	assert_int_equal(nl_addr_add(idx, &local, &v6, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "families"));
	bad.family = AF_UNIX;
	assert_int_equal(nl_addr_add(idx, &bad, NULL, &err), -EAFNOSUPPORT);
	bad = local;
	bad.prefix = 40;
	assert_int_equal(nl_addr_add(idx, &bad, NULL, &err), -EINVAL);
	assert_int_equal(nl_addr_add(0, &local, NULL, &err), -EINVAL);
	assert_int_equal(nl_addr_add(idx, NULL, NULL, &err), -EAFNOSUPPORT);
	assert_int_equal(nl_link_del(idx, NULL), 0);
}

/* ---- routes ---- */

static int up_with_addr(const char *name, const char *cidr4, const char *cidr6)
{
	int idx = make_dev(name, VIF_TUN);
	struct nl_addr a4 = addr(cidr4), a6 = addr(cidr6);

	assert_int_equal(nl_addr_add(idx, &a4, NULL, NULL), 0);
	assert_int_equal(nl_addr_add(idx, &a6, NULL, NULL), 0);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	return idx;
}

static void test_route_dev_v4_v6(void **state)
{
	int idx = up_with_addr("nlrt0", "10.80.0.1/24", "fd80::1/64");
	struct nl_route r = { .dst = addr("10.81.0.0/16"), .ifindex = idx };
	struct nl_route r6 = { .dst = addr("fd81::/64"), .ifindex = idx };
	struct nl_route got;
	struct nl_addr probe = addr("10.81.2.3"), probe6 = addr("fd81::5");
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_route_get(&probe, &got, &err), -ENETUNREACH);
	assert_int_equal(nl_route_add(&r, &err), 0);
	assert_int_equal(nl_route_add(&r6, &err), 0);
	assert_int_equal(nl_route_get(&probe, &got, &err), 0);
	assert_int_equal(got.ifindex, idx);
	assert_false(got.has_gw);
	assert_true(got.has_src);
	assert_memory_equal(got.src.bytes, addr("10.80.0.1").bytes, 4);
	assert_int_equal(nl_route_get(&probe6, &got, &err), 0);
	assert_int_equal(got.ifindex, idx);
	assert_int_equal(nl_route_add(&r, &err), -EEXIST);
	assert_int_equal(nl_route_del(&r, &err), 0);
	assert_int_equal(nl_route_del(&r6, &err), 0);
	assert_int_equal(nl_route_get(&probe, &got, &err), -ENETUNREACH);
	assert_non_null(strstr(err.msg, "10.81.2.3"));
	assert_int_equal(nl_route_del(&r, &err), -ESRCH);
	assert_int_equal(nl_link_del(idx, NULL), 0);
}

static void test_route_gateway_metric(void **state)
{
	int idx = up_with_addr("nlgw0", "10.82.0.1/24", "fd82::1/64");
	struct nl_route r = { .dst = addr("10.83.0.0/16"), .has_gw = true,
			      .gw = addr("10.82.0.254"), .has_metric = true, .metric = 77 };
	struct nl_route r6 = { .dst = addr("fd83::/48"), .has_gw = true, .gw = addr("fd82::fe"),
			       .ifindex = idx };
	struct nl_route got;
	struct nl_addr probe = addr("10.83.1.1"), probe6 = addr("fd83::9");
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_route_add(&r, &err), 0);
	assert_int_equal(nl_route_add(&r6, &err), 0);
	assert_int_equal(nl_route_get(&probe, &got, &err), 0);
	assert_true(got.has_gw);
	assert_memory_equal(got.gw.bytes, r.gw.bytes, 4);
	assert_int_equal(got.ifindex, idx);
	assert_int_equal(nl_route_get(&probe6, &got, &err), 0);
	assert_true(got.has_gw);
	assert_memory_equal(got.gw.bytes, r6.gw.bytes, 16);
	/* The lookup does not report the metric; deleting by it proves it was set. */
	r.metric = 78;
	assert_int_equal(nl_route_del(&r, &err), -ESRCH);
	r.metric = 77;
	assert_int_equal(nl_route_del(&r, &err), 0);
	assert_int_equal(nl_route_del(&r6, &err), 0);
	assert_int_equal(nl_route_get(&probe, &got, &err), -ENETUNREACH);
	/* A gateway that is not on any link: the kernel refuses, with its reason. */
	r.gw = addr("192.0.2.1");
	assert_true(nl_route_add(&r, &err) < 0);
	assert_non_null(strstr(err.msg, "add route 10.83.0.0/16"));
	/* ...with the kernel's own words (extended ack), not only strerror. */
	assert_non_null(strcasestr(err.msg, "gateway"));
	r.gw = addr("fd82::fe");
	assert_int_equal(nl_route_add(&r, &err), -EINVAL);
	assert_int_equal(nl_link_del(idx, NULL), 0);
}

/* What the client does for redirect-gateway def1: find how the server is reached now, pin a
 * host route to it through that gateway, then cover 0/1 and 128/1 with the tunnel. */
static void test_route_redirect_gateway(void **state)
{
	int lan = up_with_addr("nllan0", "10.84.0.2/24", "fd84::2/64");
	int vpn = up_with_addr("nlvpn0", "10.85.0.2/24", "fd85::2/64");
	struct nl_route def = { .dst = addr("0.0.0.0/0"), .has_gw = true, .gw = addr("10.84.0.1") };
	struct nl_route lo_half = { .dst = addr("0.0.0.0/1"), .ifindex = vpn };
	struct nl_route hi_half = { .dst = addr("128.0.0.0/1"), .ifindex = vpn };
	struct nl_addr server = addr("198.51.100.7");
	struct nl_route via, pin, got;
	struct nl_err err;

	(void)state;
	assert_int_equal(nl_route_add(&def, &err), 0);
	assert_int_equal(nl_route_get(&server, &via, &err), 0);
	assert_true(via.has_gw);
	assert_int_equal(via.ifindex, lan);
	pin = (struct nl_route){ .dst = server, .has_gw = true, .gw = via.gw, .ifindex = via.ifindex };
	assert_int_equal(nl_route_add(&pin, &err), 0);
	assert_int_equal(nl_route_add(&lo_half, &err), 0);
	assert_int_equal(nl_route_add(&hi_half, &err), 0);
	assert_int_equal(nl_route_get(&server, &got, &err), 0);
	assert_int_equal(got.ifindex, lan);
	server = addr("198.51.100.8");
	assert_int_equal(nl_route_get(&server, &got, &err), 0);
	assert_int_equal(got.ifindex, vpn);
	assert_int_equal(nl_route_del(&hi_half, &err), 0);
	assert_int_equal(nl_route_del(&lo_half, &err), 0);
	assert_int_equal(nl_route_del(&pin, &err), 0);
	assert_int_equal(nl_route_del(&def, &err), 0);
	assert_int_equal(nl_link_del(lan, NULL), 0);
	assert_int_equal(nl_link_del(vpn, NULL), 0);
}

static void test_route_host_bits_and_errors(void **state)
{
	int idx = up_with_addr("nlhb0", "10.86.0.1/24", "fd86::1/64");
	struct nl_route r = { .dst = addr("10.87.1.2/16"), .ifindex = idx };
	struct nl_route got, bad = r;
	struct nl_addr probe = addr("10.87.200.1");
	struct nl_err err;

	(void)state;
	/* Host bits are cleared: 10.87.1.2/16 is the route 10.87.0.0/16. */
	assert_int_equal(nl_route_add(&r, &err), 0);
	assert_int_equal(nl_route_get(&probe, &got, &err), 0);
	assert_int_equal(got.ifindex, idx);
	assert_int_equal(nl_route_del(&r, &err), 0);
	bad.dst.family = AF_UNIX;
	assert_int_equal(nl_route_add(&bad, &err), -EAFNOSUPPORT);
	assert_int_equal(nl_route_add(NULL, &err), -EAFNOSUPPORT);
	bad = r;
	bad.dst.prefix = 33;
	assert_int_equal(nl_route_del(&bad, &err), -EINVAL);
	bad = r;
	bad.ifindex = 999;
	assert_int_equal(nl_route_add(&bad, &err), -ENODEV);
	assert_int_equal(nl_route_get(NULL, &got, &err), -EAFNOSUPPORT);
	assert_int_equal(nl_link_del(idx, NULL), 0);
}

/* ---- link notifications ---- */

static void test_watch(void **state)
{
	int idx = make_dev("nlw0", VIF_TUN), other = make_dev("nlw1", VIF_TUN);
	int fd = nl_watch_open(NULL), small = nl_watch_open(NULL);
	int tiny = 1;

	(void)state;
	assert_true(fd >= 0);
	assert_true(small >= 0);
	assert_int_equal(nl_watch_drain(fd, idx), NL_WATCH_NONE);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	assert_int_equal(nl_watch_drain(fd, idx), NL_WATCH_UP);
	assert_int_equal(nl_link_set_up(other, true, NULL), 0);
	assert_int_equal(nl_watch_drain(fd, idx), NL_WATCH_NONE);	/* not about idx */
	assert_int_equal(nl_link_set_up(idx, false, NULL), 0);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	assert_int_equal(nl_link_set_up(idx, false, NULL), 0);
	assert_int_equal(nl_watch_drain(fd, idx), NL_WATCH_DOWN);	/* the latest wins */
	/* A socket that cannot keep up says so instead of giving stale news. */
	assert_int_equal(setsockopt(small, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny)), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(nl_link_set_up(other, i % 2, NULL), 0);
	assert_int_equal(nl_watch_drain(small, idx), NL_WATCH_LOST);
	nl_watch_drain(fd, idx);	/* the flood may have overflowed this one too */
	assert_int_equal(nl_link_del(idx, NULL), 0);
	assert_int_equal(nl_watch_drain(fd, idx), NL_WATCH_GONE);
	assert_int_equal(nl_link_del(other, NULL), 0);
	close(fd);
	close(small);
}

/* ---- privileges ---- */

static void test_not_permitted(void **state)
{
	int idx = make_dev("nlperm0", VIF_TUN);
	pid_t pid;
	int st = 0;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct nl_err err = { { 0 } };
		int ok;

		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(3);
		ok = nl_link_set_up(idx, true, &err) == -EPERM && strstr(err.msg, "root");
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(nl_link_del(idx, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_valid),
		cmocka_unit_test(test_cidr_invalid),
		cmocka_unit_test(test_link_index),
		cmocka_unit_test(test_link_up_down),
		cmocka_unit_test(test_link_mtu),
		cmocka_unit_test(test_link_mac),
		cmocka_unit_test(test_link_del_errors),
		cmocka_unit_test(test_link_foreach),
		cmocka_unit_test(test_addr_v4_v6),
		cmocka_unit_test(test_addr_peer_and_errors),
		cmocka_unit_test(test_route_dev_v4_v6),
		cmocka_unit_test(test_route_gateway_metric),
		cmocka_unit_test(test_route_redirect_gateway),
		cmocka_unit_test(test_route_host_bits_and_errors),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_not_permitted),
	};

	if (geteuid() != 0) {
		printf("SKIP netlink: needs root (a private network namespace and TUN devices)\n");
		return 77;
	}
	/* root but no namespace: the set-up failed, which is a failure, not a skip */
	if (unshare(CLONE_NEWNET) < 0) {
		printf("FAIL netlink: set-up: unshare(CLONE_NEWNET) as root: %s\n", strerror(errno));
		return 1;
	}
	if (nl_link_set_up(1, true, NULL) < 0) {
		printf("FAIL netlink: set-up: cannot bring lo up in the private namespace\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
