/* The kernel backend (kernel.c) against the real /dev/net/tun, in a private network namespace
 * (unshare at start): create by name and template, persistence and owner, multiqueue, MTU,
 * reads and writes through the kernel's IP stack, readiness, down, delete while open, stats. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/log.h"
#include "vif/kernel.h"
#include "vif/nl.h"

/* ---- helpers ---- */

static struct vif_config cfg_of(const char *name, enum vif_type type)
{
	struct vif_config cfg;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.type = type;
	return cfg;
}

static struct vif_port *open_ok(const struct vif_config *cfg, char *name, size_t n)
{
	struct vif_port *p = NULL;
	struct nl_err err;
	int rc = vif_kernel_open_ex(cfg, false, name, n, &p, &err);

	if (rc < 0)
		fail_msg("open %s: %s", cfg->name, err.msg);
	return p;
}

static struct nl_addr addr(const char *text)
{
	struct nl_addr a;

	assert_int_equal(nl_parse_cidr(text, &a, NULL), 0);
	return a;
}

/* No IPv6 on the device: its router solicitations would make packet counts vary. */
static void no_ipv6(const char *dev)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", dev);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;		/* kernel without IPv6: nothing to silence */
	assert_int_equal(write(fd, "1", 1), 1);
	close(fd);
}

/* An up TUN device with local address 10.N.0.1/24 and the port attached. */
static struct vif_port *tun_up(const char *name, const char *cidr)
{
	char got[IFNAMSIZ];
	struct vif_config cfg = cfg_of(name, VIF_TUN);
	struct vif_port *p = open_ok(&cfg, got, sizeof(got));
	struct nl_addr a = addr(cidr);
	int idx = vif_kernel_ifindex(p);

	no_ipv6(got);
	assert_int_equal(nl_addr_add(idx, &a, NULL, NULL), 0);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	return p;
}

/* Sends a UDP datagram from the host stack to dst:port; the route sends it into the TUN. */
static void send_udp(const char *dst, uint16_t port, const void *data, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_int_equal(inet_pton(AF_INET, dst, &sa.sin_addr), 1);
	assert_int_equal(sendto(s, data, len, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)len);
	close(s);
}

static bool wait_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4/UDP packet src:sport -> dst:dport carrying payload (UDP checksum 0 = none). */
static size_t build_udp(uint8_t *pkt, const char *src, const char *dst, uint16_t sport,
			uint16_t dport, const char *payload)
{
	size_t plen = strlen(payload), total = 28 + plen;
	uint16_t c;

	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(total >> 8);
	pkt[3] = (uint8_t)total;
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	assert_int_equal(inet_pton(AF_INET, src, pkt + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, pkt + 16), 1);
	c = ip_csum(pkt, 20);
	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
	pkt[20] = (uint8_t)(sport >> 8);
	pkt[21] = (uint8_t)sport;
	pkt[22] = (uint8_t)(dport >> 8);
	pkt[23] = (uint8_t)dport;
	pkt[24] = (uint8_t)((8 + plen) >> 8);
	pkt[25] = (uint8_t)(8 + plen);
	memcpy(pkt + 28, payload, plen);
	return total;
}

static bool link_exists(const char *name)
{
	return nl_link_index(name, NULL) > 0;
}

/* ---- create ---- */

static void test_create_tun_by_name(void **state)
{
	struct vif_config cfg = cfg_of("kt0", VIF_TUN);
	struct nl_link_info li;
	struct vif_port *p;
	char name[IFNAMSIZ];

	(void)state;
	p = open_ok(&cfg, name, sizeof(name));
	assert_string_equal(name, "kt0");
	assert_string_equal(p->name, "kt0");
	assert_int_equal(p->side, VIF_SIDE_APP);
	assert_int_equal(vif_kernel_ifindex(p), nl_link_index("kt0", NULL));
	assert_int_equal(nl_link_get(vif_kernel_ifindex(p), &li, NULL), 0);
	assert_int_equal(li.kind, NL_KIND_TUN);
	assert_false(li.up);		/* a new device starts down */
	assert_false(li.persist);
	assert_int_equal(li.mtu, 1500);
	vif_close(p);
	/* Not persistent: the device goes with its last fd. */
	assert_false(link_exists("kt0"));
}

static void test_create_tap_by_template(void **state)
{
	struct vif_config cfg = cfg_of("ktap%d", VIF_TAP);
	struct nl_link_info li;
	struct vif_port *a, *b, *c;
	char n1[IFNAMSIZ], n2[IFNAMSIZ], n3[IFNAMSIZ];

	(void)state;
	a = open_ok(&cfg, n1, sizeof(n1));
	b = open_ok(&cfg, n2, sizeof(n2));
	assert_string_equal(n1, "ktap0");
	assert_string_equal(n2, "ktap1");
	assert_int_equal(nl_link_get(vif_kernel_ifindex(b), &li, NULL), 0);
	assert_int_equal(li.kind, NL_KIND_TAP);
	assert_true(li.has_mac);
	assert_int_equal(li.mac[0] & 1, 0);	/* unicast */
	/* An empty name means the type's own template. */
	cfg.name[0] = '\0';
	c = open_ok(&cfg, n3, sizeof(n3));
	assert_string_equal(n3, "tap0");
	vif_close(c);
	/* vif_config_init()'s "tun%d" on a TAP config means the TAP template too. */
	vif_config_init(&cfg);
	cfg.type = VIF_TAP;
	c = open_ok(&cfg, n3, sizeof(n3));
	assert_string_equal(n3, "tap0");
	vif_close(a);
	vif_close(b);
	vif_close(c);
}

static void test_create_tap_with_mac_and_mtu(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0xbb, 0x00, 0x00, 0x00, 0x01 };
	struct vif_config cfg = cfg_of("ktmac0", VIF_TAP);
	struct nl_link_info li;
	struct vif_port *p;
	char name[IFNAMSIZ];

	(void)state;
	cfg.has_mac = true;
	memcpy(cfg.mac, mac, 6);
	cfg.mtu = 9000;
	p = open_ok(&cfg, name, sizeof(name));
	assert_int_equal(nl_link_get(vif_kernel_ifindex(p), &li, NULL), 0);
	assert_memory_equal(li.mac, mac, 6);
	assert_int_equal(li.mtu, 9000);
	vif_close(p);
}

static void test_create_errors(void **state)
{
	struct vif_config cfg = cfg_of("kterr0", VIF_TUN);
	struct vif_port *p = NULL, *q = NULL;
	struct nl_err err;
	char name[IFNAMSIZ];

	(void)state;
	cfg.mtu = 67;
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "68..65535"));
	cfg.mtu = 65536;
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err), -EINVAL);
	cfg.mtu = 0;
	snprintf(cfg.name, sizeof(cfg.name), "%s", "a-very-long-name0");
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
	snprintf(cfg.name, sizeof(cfg.name), "%s", "bad/name");
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "bad/name"));
	snprintf(cfg.name, sizeof(cfg.name), "%s", "kterr0");
	cfg.vnet_hdr = true;	/* TUN only (vnet.h) */
	cfg.type = VIF_TAP;
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err),
			 -EOPNOTSUPP);
	cfg.type = VIF_TUN;
	cfg.vnet_hdr = false;
	/* Name taken: by a non-TUN device, by an open TUN, by any device when exclusive. */
	snprintf(cfg.name, sizeof(cfg.name), "%s", "lo");
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "taken"));
	snprintf(cfg.name, sizeof(cfg.name), "%s", "kterr0");
	p = open_ok(&cfg, name, sizeof(name));
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "already open"));
	assert_int_equal(vif_kernel_open_ex(&cfg, true, name, sizeof(name), &q, &err), -EEXIST);
	cfg.type = VIF_TAP;
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &q, &err), -EEXIST);
	assert_null(q);
	/* vif_kernel_open() says the same through the log. */
	assert_int_equal(vif_kernel_open(&cfg, name, sizeof(name), &q), -EEXIST);
	vif_close(p);
	assert_int_equal(vif_kernel_ifindex(NULL), -EINVAL);
}

static void test_not_root(void **state)
{
	pid_t pid;
	int st = 0;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct vif_config cfg = cfg_of("ktperm0", VIF_TUN);
		struct vif_port *p = NULL;
		struct nl_err err = { { 0 } };
		char name[IFNAMSIZ];
		int rc;

		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(3);
		rc = vif_kernel_open_ex(&cfg, false, name, sizeof(name), &p, &err);
		_exit(rc == -EPERM && strstr(err.msg, "root") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_no_dev_net_tun(void **state)
{
	pid_t pid;
	int st = 0;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct vif_config cfg = cfg_of("ktnod0", VIF_TUN);
		struct vif_port *p = NULL;
		struct nl_err err = { { 0 } };
		char name[IFNAMSIZ];
		int rc;

		/* A private mount namespace where /dev/net is an empty tmpfs: the host is untouched. */
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("none", "/dev/net", "tmpfs", 0, NULL) < 0)
			_exit(3);
		rc = vif_kernel_open_ex(&cfg, false, name, sizeof(name), &p, &err);
		_exit(rc == -ENOENT && strstr(err.msg, "modprobe tun") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- persistence and owner ---- */

/* In a child that is uid 65534 with no capabilities: attach to an existing device with a
 * /dev/net/tun fd opened while still root (the node itself is root-only). */
static int attach_as_nobody(const char *name, short type)
{
	pid_t pid;
	int st = 0;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ifreq ifr;

		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(3);
		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_flags = (short)(type | IFF_NO_PI);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		_exit(ioctl(fd, TUNSETIFF, &ifr) == 0 ? 0 : errno == EPERM ? 1 : 2);
	}
	close(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_persist_and_owner(void **state)
{
	struct vif_config cfg = cfg_of("ktper0", VIF_TUN);
	struct nl_link_info li;
	struct vif_port *p;
	char name[IFNAMSIZ];
	int idx;

	(void)state;
	cfg.persist = true;
	cfg.owner = 65534;
	cfg.group = 65534;
	p = open_ok(&cfg, name, sizeof(name));
	vif_close(p);
	idx = nl_link_index("ktper0", NULL);
	assert_true(idx > 0);
	assert_int_equal(nl_link_get(idx, &li, NULL), 0);
	assert_true(li.persist);
	assert_true(li.has_owner);
	assert_int_equal(li.owner, 65534);
	assert_true(li.has_group);
	assert_int_equal(li.group, 65534);
	assert_int_equal(attach_as_nobody("ktper0", IFF_TUN), 0);
	/* Reopen by name: attaches to the persistent device instead of failing. */
	cfg = cfg_of("ktper0", VIF_TUN);
	p = open_ok(&cfg, name, sizeof(name));
	assert_int_equal(vif_kernel_ifindex(p), idx);
	vif_close(p);
	assert_int_equal(nl_link_del(idx, NULL), 0);

	/* Owned by root only: nobody is refused. */
	cfg = cfg_of("ktper1", VIF_TUN);
	cfg.persist = true;
	cfg.owner = 0;
	p = open_ok(&cfg, name, sizeof(name));
	vif_close(p);
	assert_int_equal(attach_as_nobody("ktper1", IFF_TUN), 1);
	assert_int_equal(nl_link_del(nl_link_index("ktper1", NULL), NULL), 0);
}

static void test_failed_open_leaves_nothing(void **state)
{
	struct vif_config cfg = cfg_of("ktleak0", VIF_TAP);
	static const uint8_t mcast[6] = { 0x01, 0, 0, 0, 0, 1 };
	struct vif_port *p = NULL;
	struct nl_err err;
	char name[IFNAMSIZ];

	(void)state;
	/* The kernel refuses a multicast MAC after the device exists: it must be undone. */
	cfg.persist = true;
	cfg.has_mac = true;
	memcpy(cfg.mac, mcast, 6);
	assert_true(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &p, &err) < 0);
	assert_non_null(strstr(err.msg, "MAC"));
	assert_null(p);
	assert_false(link_exists("ktleak0"));

	/* A failed attach to an existing persistent device leaves that device alone. */
	cfg.has_mac = false;
	p = open_ok(&cfg, name, sizeof(name));
	vif_close(p);
	cfg.has_mac = true;
	assert_true(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &p, &err) < 0);
	assert_true(link_exists("ktleak0"));
	assert_int_equal(nl_link_del(nl_link_index("ktleak0", NULL), NULL), 0);
}

/* ---- multiqueue ---- */

static void test_multiqueue(void **state)
{
	struct vif_config cfg = cfg_of("ktmq0", VIF_TUN);
	struct nl_link_info li;
	struct vif_port *q[4];
	struct vif_port *extra = NULL;
	struct nl_err err;
	char name[IFNAMSIZ];

	(void)state;
	cfg.multiqueue = true;
	for (int i = 0; i < 4; i++) {
		q[i] = open_ok(&cfg, name, sizeof(name));
		assert_string_equal(name, "ktmq0");
	}
	assert_int_equal(nl_link_get(vif_kernel_ifindex(q[0]), &li, NULL), 0);
	assert_true(li.multi_queue);
	assert_int_equal(li.num_queues, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(q[i]->queue, i);
	assert_true(vif_fd(q[0]) != vif_fd(q[3]));
	/* A single-queue open of a multiqueue device is refused. */
	cfg.multiqueue = false;
	assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &extra, &err),
			 -EEXIST);
	assert_non_null(strstr(err.msg, "single queue"));
	for (int i = 0; i < 4; i++)
		vif_close(q[i]);
	assert_false(link_exists("ktmq0"));
}

/* ---- reading and writing through the kernel ---- */

static void test_read_packet_and_emsgsize(void **state)
{
	struct vif_port *p = tun_up("ktrd0", "10.90.0.1/24");
	uint8_t small[16], buf[2048];
	ssize_t n;

	(void)state;
	send_udp("10.90.0.2", 5000, "first-packet-is-too-long", 24);
	send_udp("10.90.0.2", 5001, "second", 6);
	assert_true(wait_readable(vif_fd(p), 2000));
	/* The buffer is shorter than the packet: an error, never a truncated packet. */
	assert_int_equal(vif_read(p, small, sizeof(small)), -EMSGSIZE);
	assert_true(wait_readable(vif_fd(p), 2000));
	n = vif_read(p, buf, sizeof(buf));
	assert_int_equal(n, 20 + 8 + 6);
	assert_int_equal(buf[0], 0x45);
	assert_int_equal(buf[9], IPPROTO_UDP);
	assert_int_equal(buf[22] << 8 | buf[23], 5001);
	assert_memory_equal(buf + 28, "second", 6);
	/* Exactly-sized buffer works. */
	send_udp("10.90.0.2", 5002, "exact", 5);
	assert_true(wait_readable(vif_fd(p), 2000));
	assert_int_equal(vif_read(p, buf, 33), 33);
	vif_close(p);
}

static void test_nonblock_and_poll(void **state)
{
	struct vif_port *p = tun_up("ktnb0", "10.91.0.1/24");
	uint8_t buf[2048];
	unsigned st;

	(void)state;
	assert_int_equal(vif_set_nonblock(p, true), 0);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -EAGAIN);
	assert_false(wait_readable(vif_fd(p), 0));
	st = vif_state(p);
	assert_false(st & VIF_ST_READABLE);
	assert_true(st & VIF_ST_WRITABLE);
	assert_false(st & (VIF_ST_DOWN | VIF_ST_GONE));
	send_udp("10.91.0.2", 6000, "ping", 4);
	assert_true(wait_readable(vif_fd(p), 2000));
	assert_true(vif_state(p) & VIF_ST_READABLE);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), 32);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(vif_space_fd(p), -EOPNOTSUPP);
	assert_int_equal(vif_set_nonblock(p, false), 0);
	/* Blocking again: a queued packet is returned at once. */
	send_udp("10.91.0.2", 6000, "pong", 4);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), 32);
	vif_close(p);
}

static void test_write_delivers_to_socket(void **state)
{
	struct vif_port *p = tun_up("ktwr0", "10.92.0.1/24");
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7000) };
	struct timeval tv = { .tv_sec = 2 };
	uint8_t pkt[128];
	char got[32] = { 0 };
	size_t len;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)state;
	assert_true(s >= 0);
	assert_int_equal(inet_pton(AF_INET, "10.92.0.1", &sa.sin_addr), 1);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	len = build_udp(pkt, "10.92.0.2", "10.92.0.1", 7001, 7000, "hello-tun");
	assert_int_equal(vif_write(p, pkt, len), (ssize_t)len);
	assert_int_equal(recv(s, got, sizeof(got), 0), 9);
	assert_string_equal(got, "hello-tun");
	assert_int_equal(vif_write(p, pkt, 0), -EINVAL);
	assert_int_equal(vif_write(p, pkt, VIF_KERNEL_PKT_MAX + 1), -EMSGSIZE);
	close(s);
	vif_close(p);
}

static void test_down_and_up(void **state)
{
	struct vif_port *p = tun_up("ktdn0", "10.93.0.1/24");
	int idx = vif_kernel_ifindex(p);
	uint8_t pkt[128];
	size_t len = build_udp(pkt, "10.93.0.2", "10.93.0.1", 1, 9, "x");

	(void)state;
	assert_int_equal(nl_link_set_up(idx, false, NULL), 0);
	assert_true(vif_state(p) & VIF_ST_DOWN);
	assert_int_equal(vif_write(p, pkt, len), -ENETDOWN);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	assert_false(vif_state(p) & VIF_ST_DOWN);
	assert_int_equal(vif_write(p, pkt, len), (ssize_t)len);
	vif_close(p);
}

struct reader {
	struct vif_port *p;
	ssize_t rc;
	int done;
};

static void *blocked_reader(void *arg)
{
	struct reader *r = arg;
	uint8_t buf[2048];

	r->rc = vif_read(r->p, buf, sizeof(buf));
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_down_wakes_blocked_reader(void **state)
{
	struct vif_port *p = tun_up("ktdw0", "10.96.0.1/24");
	int idx = vif_kernel_ifindex(p);
	struct reader r = { .p = p, .rc = 1 };
	struct timespec ts;
	pthread_t th;
	uint8_t buf[2048];

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, blocked_reader, &r), 0);
	usleep(50 * 1000);	/* let it block; the result does not depend on it */
	assert_int_equal(nl_link_set_up(idx, false, NULL), 0);
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
	ts.tv_sec += 3;
	assert_int_equal(pthread_timedjoin_np(th, NULL, &ts), 0);
	assert_int_equal(r.rc, -ENETDOWN);
	/* A reader arriving after the event hears it at once too. */
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -ENETDOWN);
	/* A non-blocking reader hears it too, as from the userspace device (docs/vif.md 3). */
	assert_int_equal(vif_set_nonblock(p, true), 0);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_set_nonblock(p, false), 0);
	/* Up again: blocking reads wait for packets again. */
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	send_udp("10.96.0.2", 6100, "after", 5);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), 33);
	vif_close(p);
}

/* The same answers as the userspace device (test_vif_user.c test_haiku_nonblock_honoured): a
 * non-blocking read of an empty queue is -ENETDOWN while down, -EAGAIN up, -ENODEV deleted. */
static void test_nonblock_read_down(void **state)
{
	struct vif_port *p = tun_up("ktnbd0", "10.97.0.1/24");
	int idx = vif_kernel_ifindex(p);
	uint8_t buf[2048];

	(void)state;
	assert_int_equal(vif_set_nonblock(p, true), 0);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(nl_link_set_up(idx, false, NULL), 0);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(nl_link_del(idx, NULL), 0);
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -ENODEV);
	vif_close(p);
}

/* ---- delete while open ---- */

static void test_delete_while_open(void **state)
{
	struct vif_port *p = tun_up("ktdel0", "10.94.0.1/24");
	struct reader r = { .p = p, .rc = 1 };
	struct pollfd pfd = { .fd = vif_fd(p), .events = POLLIN };
	struct timespec ts;
	pthread_t th;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, blocked_reader, &r), 0);
	/* Give the reader time to block; correctness does not depend on it having done so. */
	usleep(50 * 1000);
	assert_int_equal(nl_link_del(vif_kernel_ifindex(p), NULL), 0);
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
	ts.tv_sec += 3;
	assert_int_equal(pthread_timedjoin_np(th, NULL, &ts), 0);
	assert_int_equal(r.rc, -ENODEV);
	assert_false(link_exists("ktdel0"));
	assert_int_equal(vif_read(p, buf, sizeof(buf)), -ENODEV);
	assert_int_equal(vif_write(p, buf, 20), -ENODEV);
	assert_int_equal(vif_state(p), VIF_ST_GONE);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_true(pfd.revents & POLLERR);
	vif_close(p);
}

/* ---- statistics ---- */

static void test_stats64_after_traffic(void **state)
{
	struct vif_port *p = tun_up("ktst0", "10.95.0.1/24");
	int idx = vif_kernel_ifindex(p);
	struct nl_link_info li;
	uint8_t pkt[128], buf[2048];
	size_t len = build_udp(pkt, "10.95.0.2", "10.95.0.1", 1, 9999, "abcd");	/* 32 bytes */
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9999) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)state;
	/* A listener, or the kernel would answer each write with an ICMP port unreachable. */
	assert_true(s >= 0);
	assert_int_equal(inet_pton(AF_INET, "10.95.0.1", &sa.sin_addr), 1);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(vif_write(p, pkt, len), (ssize_t)len);
	for (int i = 0; i < 3; i++) {
		send_udp("10.95.0.2", 9, "0123456789", 10);	/* 38 bytes */
		assert_true(wait_readable(vif_fd(p), 2000));
		assert_int_equal(vif_read(p, buf, sizeof(buf)), 38);
	}
	assert_int_equal(nl_link_get(idx, &li, NULL), 0);
	/* rx: what the app wrote into the network; tx: what the network sent to the app. */
	assert_int_equal(li.stats.rx_packets, 5);
	assert_int_equal(li.stats.rx_bytes, 5 * 32);
	assert_int_equal(li.stats.tx_packets, 3);
	assert_int_equal(li.stats.tx_bytes, 3 * 38);
	assert_int_equal(li.stats.rx_errors, 0);
	assert_int_equal(li.stats.tx_dropped, 0);
	assert_true(li.running);
	assert_true(li.n_addrs >= 1);
	close(s);
	vif_close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_tun_by_name),
		cmocka_unit_test(test_create_tap_by_template),
		cmocka_unit_test(test_create_tap_with_mac_and_mtu),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_no_dev_net_tun),
		cmocka_unit_test(test_persist_and_owner),
		cmocka_unit_test(test_failed_open_leaves_nothing),
		cmocka_unit_test(test_multiqueue),
		cmocka_unit_test(test_read_packet_and_emsgsize),
		cmocka_unit_test(test_nonblock_and_poll),
		cmocka_unit_test(test_write_delivers_to_socket),
		cmocka_unit_test(test_down_and_up),
		cmocka_unit_test(test_down_wakes_blocked_reader),
		cmocka_unit_test(test_nonblock_read_down),
		cmocka_unit_test(test_delete_while_open),
		cmocka_unit_test(test_stats64_after_traffic),
	};

	if (geteuid() != 0) {
		printf("SKIP vif_kernel: needs root (a private network namespace and TUN devices)\n");
		return 77;
	}
	/* root but no namespace: the set-up failed, which is a failure, not a skip */
	if (unshare(CLONE_NEWNET) < 0) {
		printf("FAIL vif_kernel: set-up: unshare(CLONE_NEWNET) as root: %s\n", strerror(errno));
		return 1;
	}
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		printf("SKIP vif_kernel: no /dev/net/tun (modprobe tun)\n");
		return 77;
	}
	if (nl_link_set_up(1, true, NULL) < 0) {
		printf("FAIL vif_kernel: set-up: cannot bring lo up in the private namespace\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
