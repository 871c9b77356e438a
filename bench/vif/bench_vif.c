/* Device-layer benchmark (not a test): round trip and packet rate through the userspace
 * device, and a round trip through a kernel TUN device for comparison.
 *
 *   bench_vif [--iters N]          userspace device only
 *   bench_vif --kernel [--iters N] kernel TUN ping-pong too (root; run it in a throw-away
 *                                  network namespace: bench/vif/run does)
 *   bench_vif --kernel --pair NS1 NS2   and a kernel TUN pair across two namespaces
 *
 * Prints a Markdown table: one row per measurement. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/vif/bench_vif.h"
#include "vif/kernel.h"
#include "vif/nl.h"
#include "vif/vif.h"

#define PING_LEN 64

int64_t bv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static size_t mk_ipv4(uint8_t *buf, size_t len)
{
	memset(buf, 0, len);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	buf[8] = 64;
	buf[9] = 17;
	return len;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void row_rtt(const char *what, int64_t *s, size_t n)
{
	if (n == 0) {
		printf("| %s | failed | | |\n", what);
		return;
	}
	qsort(s, n, sizeof(*s), cmp_i64);
	printf("| %s | %.1f µs | %.1f µs | %zu round trips |\n", what, (double)s[n / 2] / 1e3,
	       (double)s[n * 99 / 100] / 1e3, n);
}

static void row_rate(const char *what, uint64_t pkts, size_t len, int64_t ns)
{
	double pps = (double)pkts * 1e9 / (double)ns;

	printf("| %s | %.2f Mpps | %.2f Gbit/s | %llu packets of %zu B |\n", what, pps / 1e6,
	       pps * (double)len * 8 / 1e9, (unsigned long long)pkts, len);
}

/* ---- userspace device ---- */

struct upair {
	struct vif_port *app, *ifc;
	char name[VIF_NAME_MAX];
};

static int up_open(struct upair *u, unsigned qlen)
{
	struct vif_config cfg;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "bench%%d");
	cfg.queue_len = qlen;
	cfg.mtu = 9000;
	if (vif_user_create(&cfg, u->name, sizeof(u->name)) || vif_user_set_up(u->name, true) ||
	    vif_user_attach(u->name, VIF_SIDE_APP, &u->app) ||
	    vif_user_attach(u->name, VIF_SIDE_IFACE, &u->ifc))
		return -1;
	return 0;
}

static void up_close(struct upair *u)
{
	vif_close(u->app);
	vif_close(u->ifc);
	vif_user_delete(u->name);
}

/* One thread does both sides: the cost of the device alone (two queue hops each way). */
static size_t user_rtt_1thread(int64_t *s, size_t iters)
{
	uint8_t p[PING_LEN], b[PING_LEN];
	struct upair u;
	size_t n = 0;

	if (up_open(&u, 0))
		return 0;
	mk_ipv4(p, PING_LEN);
	for (; n < iters; n++) {
		int64_t t0 = bv_now_ns();

		if (vif_write(u.app, p, PING_LEN) != PING_LEN ||
		    vif_read(u.ifc, b, sizeof(b)) != PING_LEN ||
		    vif_write(u.ifc, b, PING_LEN) != PING_LEN ||
		    vif_read(u.app, b, sizeof(b)) != PING_LEN)
			break;
		s[n] = bv_now_ns() - t0;
	}
	up_close(&u);
	return n;
}

struct echo {
	struct vif_port *p;
	bool use_epoll;
	size_t iters;
};

/* The interface side answers every packet; with epoll it waits the way an event loop does. */
static void *user_echo(void *arg)
{
	struct echo *e = arg;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	uint8_t b[PING_LEN * 2];
	int ep = -1;

	if (e->use_epoll) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(e->p), &ev);
		vif_set_nonblock(e->p, true);
	}
	for (size_t i = 0; i < e->iters;) {
		ssize_t n;

		if (ep >= 0 && epoll_wait(ep, &out, 1, 5000) != 1)
			break;
		n = vif_read(e->p, b, sizeof(b));
		if (n == -EAGAIN)
			continue;
		if (n <= 0 || vif_write(e->p, b, (size_t)n) != n)
			break;
		i++;
	}
	if (ep >= 0)
		close(ep);
	return NULL;
}

static size_t user_rtt_2threads(int64_t *s, size_t iters, bool use_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	uint8_t p[PING_LEN], b[PING_LEN];
	struct echo e;
	struct upair u;
	pthread_t t;
	size_t n = 0;
	int ep = -1;

	if (up_open(&u, 0))
		return 0;
	e = (struct echo){ u.ifc, use_epoll, iters };
	pthread_create(&t, NULL, user_echo, &e);
	if (use_epoll) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		epoll_ctl(ep, EPOLL_CTL_ADD, vif_fd(u.app), &ev);
		vif_set_nonblock(u.app, true);
	}
	mk_ipv4(p, PING_LEN);
	for (; n < iters; n++) {
		int64_t t0 = bv_now_ns();
		ssize_t r;

		if (vif_write(u.app, p, PING_LEN) != PING_LEN)
			break;
		if (ep >= 0 && epoll_wait(ep, &out, 1, 5000) != 1)
			break;
		r = vif_read(u.app, b, sizeof(b));
		if (r != PING_LEN)
			break;
		s[n] = bv_now_ns() - t0;
	}
	vif_user_set_up(u.name, false);	/* frees the echo thread if we stopped early */
	pthread_join(t, NULL);
	if (ep >= 0)
		close(ep);
	up_close(&u);
	return n;
}

static void user_rate_1thread(size_t len, uint64_t total)
{
	uint8_t p[9000], b[9000];
	uint64_t done = 0;
	struct upair u;
	int64_t t0;

	if (up_open(&u, 512))
		return;
	mk_ipv4(p, len);
	t0 = bv_now_ns();
	while (done < total) {
		for (int i = 0; i < 256; i++)
			vif_write(u.app, p, len);
		for (int i = 0; i < 256; i++)
			if (vif_read(u.ifc, b, sizeof(b)) == (ssize_t)len)
				done++;
	}
	row_rate("userspace, 1 thread, batches of 256", done, len, bv_now_ns() - t0);
	up_close(&u);
}

struct sink {
	struct vif_port *p;
	uint64_t got;
};

static void *user_sink(void *arg)
{
	struct sink *k = arg;
	uint8_t b[9000];

	while (vif_read(k->p, b, sizeof(b)) > 0)
		k->got++;
	return NULL;
}

static void user_rate_2threads(size_t len, uint64_t total)
{
	uint8_t p[9000];
	struct upair u;
	struct sink k;
	pthread_t t;
	int64_t t0, t1;

	if (up_open(&u, 512))
		return;
	k = (struct sink){ u.ifc, 0 };
	mk_ipv4(p, len);
	pthread_create(&t, NULL, user_sink, &k);
	t0 = bv_now_ns();
	for (uint64_t i = 0; i < total; i++)
		if (vif_write(u.app, p, len) != (ssize_t)len)
			break;
	/* The sink has the rest queued; wait for it to empty, then stop it with down. */
	while (vif_state(u.ifc) & VIF_ST_READABLE)
		sched_yield();
	t1 = bv_now_ns();
	vif_user_set_up(u.name, false);
	pthread_join(t, NULL);
	row_rate("userspace, writer + reader thread", k.got, len, t1 - t0);
	up_close(&u);
}

/* ---- kernel TUN: UDP socket -> stack -> tun -> echo -> tun -> stack -> socket ---- */

#define K_LOCAL "10.211.0.1/24"
#define K_PEER_BE htonl(0x0ad30002)	/* 10.211.0.2 */

/* Turns a UDP/IPv4 packet around: swapping addresses and ports leaves both checksums valid. */
static bool k_turn(uint8_t *b, ssize_t n)
{
	uint8_t tmp[4];
	size_t ihl;

	if (n < 28 || (b[0] >> 4) != 4 || b[9] != IPPROTO_UDP)
		return false;
	ihl = (size_t)(b[0] & 0x0f) * 4;
	if ((size_t)n < ihl + 8)
		return false;
	memcpy(tmp, b + 12, 4);
	memcpy(b + 12, b + 16, 4);
	memcpy(b + 16, tmp, 4);
	memcpy(tmp, b + ihl, 2);
	memcpy(b + ihl, b + ihl + 2, 2);
	memcpy(b + ihl + 2, tmp, 2);
	return true;
}

static int k_echo_one(struct vif_port *tun)
{
	uint8_t b[2048];

	for (int tries = 0; tries < 16; tries++) {	/* skip stray kernel packets (IPv6 etc.) */
		ssize_t n = vif_read(tun, b, sizeof(b));

		if (n <= 0)
			return -1;
		if (k_turn(b, n))
			return vif_write(tun, b, (size_t)n) == n ? 0 : -1;
	}
	return -1;
}

static int k_setup(struct vif_port **tun, int *sock)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct vif_config cfg;
	struct nl_addr local;
	struct nl_err err;
	int idx;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "bvif%%d");
	if (vif_kernel_open(&cfg, NULL, 0, tun))
		return -1;
	idx = vif_kernel_ifindex(*tun);
	if (idx < 0 || nl_parse_cidr(K_LOCAL, &local, &err) || nl_addr_add(idx, &local, NULL, &err) ||
	    nl_link_set_up(idx, true, &err)) {
		fprintf(stderr, "bench_vif: kernel setup: %s\n", err.msg);
		return -1;
	}
	*sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = K_PEER_BE;
	a.sin_port = htons(9);
	return connect(*sock, (struct sockaddr *)&a, sizeof(a));
}

struct kecho {
	struct vif_port *tun;
	size_t iters;
};

static void *k_echo_thread(void *arg)
{
	struct kecho *e = arg;

	for (size_t i = 0; i < e->iters; i++)
		if (k_echo_one(e->tun))
			break;
	return NULL;
}

static size_t kernel_rtt(int64_t *s, size_t iters, bool threads)
{
	struct vif_port *tun = NULL;
	struct kecho e;
	uint8_t msg[PING_LEN - 28] = { 0 }, b[256];
	struct timeval tv = { 2, 0 };
	pthread_t t;
	size_t n = 0;
	int sock = -1;

	if (k_setup(&tun, &sock))
		goto out;
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	e = (struct kecho){ tun, iters };
	if (threads)
		pthread_create(&t, NULL, k_echo_thread, &e);
	for (; n < iters; n++) {
		int64_t t0 = bv_now_ns();

		if (send(sock, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
			break;
		if (!threads && k_echo_one(tun))
			break;
		if (recv(sock, b, sizeof(b), 0) != (ssize_t)sizeof(msg))
			break;
		s[n] = bv_now_ns() - t0;
	}
	if (threads) {
		if (n < iters)	/* the echo thread may wait for a packet that never comes */
			pthread_cancel(t);
		pthread_join(t, NULL);
	}
out:
	if (sock >= 0)
		close(sock);
	vif_close(tun);
	return n;
}

int main(int argc, char **argv)
{
	size_t iters = 100000;
	const char *ns1 = NULL, *ns2 = NULL;
	bool kernel = false;
	int64_t *s;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel"))
			kernel = true;
		else if (!strcmp(argv[i], "--pair") && i + 2 < argc) {
			ns1 = argv[++i];
			ns2 = argv[++i];
		} else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: bench_vif [--kernel [--pair NS1 NS2]] [--iters N]\n");
			return 2;
		}
	}
	if (iters == 0 || iters > 10000000)
		iters = 100000;
	s = calloc(iters, sizeof(*s));
	if (!s)
		return 1;
	printf("| round trip (64 B packet) | p50 | p99 | samples |\n|---|---|---|---|\n");
	row_rtt("userspace device, 1 thread (both sides)", s, user_rtt_1thread(s, iters));
	row_rtt("userspace device, 2 threads, blocking read", s, user_rtt_2threads(s, iters, false));
	row_rtt("userspace device, 2 threads, epoll", s, user_rtt_2threads(s, iters, true));
	if (kernel) {
		row_rtt("kernel TUN + UDP socket, 1 thread", s, kernel_rtt(s, iters, false));
		row_rtt("kernel TUN + UDP socket, 2 threads", s, kernel_rtt(s, iters, true));
	}
	if (kernel && ns1) {
		row_rtt("kernel TUN pair across 2 netns, 1 thread", s,
			bv_kpair_rtt(s, iters, ns1, ns2, false));
		row_rtt("kernel TUN pair across 2 netns, 4 threads", s,
			bv_kpair_rtt(s, iters, ns1, ns2, true));
	}
	if (!kernel)
		printf("| kernel TUN | (run with --kernel as root, in a netns) | | |\n");
	printf("\n| packet rate | packets/s | throughput | |\n|---|---|---|---|\n");
	user_rate_1thread(64, iters * 20);
	user_rate_1thread(1400, iters * 20);
	user_rate_2threads(64, iters * 20);
	user_rate_2threads(1400, iters * 20);
	free(s);
	return 0;
}
