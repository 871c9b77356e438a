/* The kernel TUN pair round trip (see bench_vif.h). Path of one ping:
 *   ns1 socket -> ns1 stack -> tun A -> program -> tun B -> ns2 stack -> ns2 echo socket
 *   and back the same way. No address rewriting: 10.212.0.1 lives on A, 10.212.0.2 on B. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/vif/bench_vif.h"
#include "vif/kernel.h"
#include "vif/nl.h"
#include "vif/vif.h"

#define KP_MSG 36	/* + 28 bytes of IPv4/UDP header = a 64-byte packet */
#define KP_PORT 7

struct kpair {
	struct vif_port *a, *b;	/* tun in ns1, tun in ns2 */
	int s1, s2;		/* ping socket in ns1, echo socket in ns2 */
	atomic_bool stop;
};

static int kp_enter(const char *ns)
{
	char path[128];
	int fd, rc;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

static int kp_tun(const char *cidr, struct vif_port **out)
{
	struct vif_config cfg;
	struct nl_addr local;
	struct nl_err err = { "" };
	int idx;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "bvp%%d");
	if (vif_kernel_open(&cfg, NULL, 0, out))
		return -1;
	idx = vif_kernel_ifindex(*out);
	if (idx < 0 || nl_parse_cidr(cidr, &local, &err) || nl_addr_add(idx, &local, NULL, &err) ||
	    nl_link_set_up(idx, true, &err)) {
		fprintf(stderr, "bench_vif: %s: %s\n", cidr, err.msg);
		return -1;
	}
	return 0;
}

static int kp_socket(uint32_t addr_be, bool bind_it)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(KP_PORT) };
	struct timeval tv = { 0, 200000 };	/* lets the threads see `stop` */
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	a.sin_addr.s_addr = addr_be;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if ((bind_it ? bind(s, (struct sockaddr *)&a, sizeof(a))
		     : connect(s, (struct sockaddr *)&a, sizeof(a))) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Both namespaces set up from this thread; it returns to the namespace it started in. */
static int kp_setup(struct kpair *kp, const char *ns1, const char *ns2)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), rc = -1;

	if (home < 0)
		return -1;
	if (kp_enter(ns1) || kp_tun("10.212.0.1/24", &kp->a))
		goto out;
	kp->s1 = kp_socket(htonl(0x0ad40002), false);
	if (kp->s1 < 0 || kp_enter(ns2) || kp_tun("10.212.0.2/24", &kp->b))
		goto out;
	kp->s2 = kp_socket(htonl(0x0ad40002), true);
	rc = kp->s2 < 0 ? -1 : 0;
out:
	setns(home, CLONE_NEWNET);
	close(home);
	return rc;
}

static void kp_close(struct kpair *kp)
{
	if (kp->s1 >= 0)
		close(kp->s1);
	if (kp->s2 >= 0)
		close(kp->s2);
	vif_close(kp->a);
	vif_close(kp->b);
}

/* Forwards one IPv4 UDP packet from src to dst, skipping stray kernel packets. */
static int kp_fwd_one(struct vif_port *src, struct vif_port *dst)
{
	uint8_t b[2048];

	for (int tries = 0; tries < 16; tries++) {
		ssize_t n = vif_read(src, b, sizeof(b));

		if (n <= 0)
			return -1;
		if (n >= 28 && (b[0] >> 4) == 4 && b[9] == IPPROTO_UDP)
			return vif_write(dst, b, (size_t)n) == n ? 0 : -1;
	}
	return -1;
}

static int kp_echo_one(int s2)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint8_t b[256];
	ssize_t n = recvfrom(s2, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

	if (n <= 0)
		return -1;
	return sendto(s2, b, (size_t)n, 0, (struct sockaddr *)&from, fl) == n ? 0 : -1;
}

/* ---- threads: one per direction, one echo; each polls so it can stop ---- */

struct kp_fwd {
	struct kpair *kp;
	struct vif_port *src, *dst;
};

static void *kp_fwd_thread(void *arg)
{
	struct kp_fwd *f = arg;
	struct pollfd pfd = { .fd = vif_fd(f->src), .events = POLLIN };
	uint8_t b[2048];

	while (!atomic_load(&f->kp->stop)) {
		ssize_t n;

		if (poll(&pfd, 1, 200) != 1)
			continue;
		n = vif_read(f->src, b, sizeof(b));
		if (n > 0)
			vif_write(f->dst, b, (size_t)n);
	}
	return NULL;
}

static void *kp_echo_thread(void *arg)
{
	struct kpair *kp = arg;

	while (!atomic_load(&kp->stop))
		kp_echo_one(kp->s2);
	return NULL;
}

static size_t kp_measure(struct kpair *kp, int64_t *s, size_t iters, bool threads)
{
	uint8_t msg[KP_MSG] = { 0 }, b[256];
	size_t n = 0;

	for (; n < iters; n++) {
		int64_t t0 = bv_now_ns();

		if (send(kp->s1, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
			break;
		if (!threads && (kp_fwd_one(kp->a, kp->b) || kp_echo_one(kp->s2) ||
				 kp_fwd_one(kp->b, kp->a)))
			break;
		if (recv(kp->s1, b, sizeof(b), 0) != (ssize_t)sizeof(msg))
			break;
		s[n] = bv_now_ns() - t0;
	}
	return n;
}

size_t bv_kpair_rtt(int64_t *s, size_t iters, const char *ns1, const char *ns2, bool threads)
{
	struct kpair kp = { .s1 = -1, .s2 = -1 };
	struct kp_fwd ab = { &kp, NULL, NULL }, ba = { &kp, NULL, NULL };
	pthread_t t[3];
	size_t n = 0;

	atomic_init(&kp.stop, false);
	if (kp_setup(&kp, ns1, ns2))
		goto out;
	if (threads) {
		ab.src = kp.a, ab.dst = kp.b;
		ba.src = kp.b, ba.dst = kp.a;
		pthread_create(&t[0], NULL, kp_fwd_thread, &ab);
		pthread_create(&t[1], NULL, kp_fwd_thread, &ba);
		pthread_create(&t[2], NULL, kp_echo_thread, &kp);
	}
	n = kp_measure(&kp, s, iters, threads);
	if (threads) {
		atomic_store(&kp.stop, true);
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
	}
out:
	kp_close(&kp);
	return n;
}
