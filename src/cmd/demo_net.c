/* burrow demo: namespaces, veth, processes in namespaces, ping and a TCP stream. All of it
 * disappears with the namespace fds and the child processes. */
#include "cmd/demo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vif/nl.h"
#include "util/log.h"

static long long demo_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int demo_in_ns(const struct demo_ns *ns, int (*fn)(void *), void *arg)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int rc;

	if (home < 0)
		return -errno;
	if (setns(ns->fd, CLONE_NEWNET) < 0) {
		rc = -errno;
		close(home);
		return rc;
	}
	rc = fn(arg);
	if (setns(home, CLONE_NEWNET) < 0)
		fatal("cannot return to the original network namespace: %s", strerror(errno));
	close(home);
	return rc;
}

static int demo_lo_up(void *arg)
{
	struct nl_err err;
	int idx = nl_link_index("lo", &err);

	(void)arg;
	return idx < 0 ? idx : nl_link_set_up(idx, true, &err);
}

int demo_ns_new(struct demo_ns *ns)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int rc = 0;

	ns->fd = -1;
	if (home < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0) {
		rc = -errno;
		close(home);
		return rc;
	}
	ns->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0)
		rc = -errno;
	if (setns(home, CLONE_NEWNET) < 0)
		fatal("cannot return to the original network namespace: %s", strerror(errno));
	close(home);
	return rc ? rc : demo_in_ns(ns, demo_lo_up, NULL);
}

void demo_ns_free(struct demo_ns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
}

struct demo_ifup {
	const char *name, *cidr;
};

static int demo_ifup(void *arg)
{
	struct demo_ifup *u = arg;
	struct nl_addr a;
	struct nl_err err;
	int idx, rc;

	if ((rc = nl_parse_cidr(u->cidr, &a, &err)) < 0)
		return rc;
	idx = nl_link_index(u->name, &err);
	if (idx < 0)
		return idx;
	rc = nl_addr_add(idx, &a, NULL, &err);
	return rc ? rc : nl_link_set_up(idx, true, &err);
}

int demo_veth(const struct demo_ns *na, const char *a, const char *addr_a,
	      const struct demo_ns *nb, const char *b, const char *addr_b)
{
	struct nl_err err;
	struct demo_ifup ua = { a, addr_a }, ub = { b, addr_b };
	int rc = nl_veth_add(a, na->fd, b, nb->fd, &err);

	if (rc < 0) {
		log_error("%s", err.msg);
		return rc;
	}
	rc = demo_in_ns(na, demo_ifup, &ua);
	return rc ? rc : demo_in_ns(nb, demo_ifup, &ub);
}

pid_t demo_spawn(const struct demo_ns *ns, char *const argv[], const char *log)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	if (setns(ns->fd, CLONE_NEWNET) < 0)
		_exit(126);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	setpgid(0, 0);	/* Ctrl-C goes to the demo, which stops the children itself */
	execv(argv[0], argv);
	execvp(argv[0], argv);
	_exit(127);
}

void demo_stop(pid_t pid, int timeout_ms)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < timeout_ms / 10; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ---- ping ---- */

static uint16_t demo_cksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static int demo_raw_icmp(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	return *fd < 0 ? -errno : 0;
}

static bool demo_is_reply(const uint8_t *b, ssize_t n, uint16_t id, int seq)
{
	size_t ihl;
	const struct icmphdr *h;

	if (n < 20)
		return false;
	ihl = (size_t)(b[0] & 0x0f) * 4;
	if ((size_t)n < ihl + sizeof(*h))
		return false;
	h = (const struct icmphdr *)(b + ihl);
	return h->type == ICMP_ECHOREPLY && h->un.echo.id == htons(id) &&
	       h->un.echo.sequence == htons((uint16_t)seq);
}

long demo_ping(const struct demo_ns *ns, const char *dst, int seq, int timeout_ms)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t pkt[64] = { 0 }, buf[1500];
	struct icmphdr *h = (struct icmphdr *)pkt;
	uint16_t id = (uint16_t)getpid();
	long long t0, left;
	int fd = -1, rc;

	if (inet_pton(AF_INET, dst, &to.sin_addr) != 1)
		return -EINVAL;
	if ((rc = demo_in_ns(ns, demo_raw_icmp, &fd)) < 0)
		return rc;
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(id);
	h->un.echo.sequence = htons((uint16_t)seq);
	h->checksum = demo_cksum(pkt, sizeof(pkt));
	t0 = demo_now_us();
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((left = timeout_ms - (demo_now_us() - t0) / 1000) > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (demo_is_reply(buf, n, id, seq)) {
			close(fd);
			return (long)(demo_now_us() - t0);
		}
	}
	close(fd);
	return -ETIMEDOUT;
}

/* ---- a TCP stream ---- */

struct demo_sock {
	const char *dst;
	int port;
	int fd;
	bool listen;
};

static int demo_open_sock(void *arg)
{
	struct demo_sock *s = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port) };
	int on = 1;

	struct timeval tv = { .tv_sec = 3 };

	inet_pton(AF_INET, s->dst, &a.sin_addr);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* a tunnel that dies mid-stream must not hang the demo */
	setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (s->listen ? bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s->fd, 1) < 0 :
			connect(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = -errno;

		close(s->fd);
		s->fd = -1;
		return e;
	}
	return 0;
}

struct demo_sink {
	int fd;
	long long bytes;
};

static void *demo_sink_run(void *arg)
{
	struct demo_sink *k = arg;
	static char buf[1 << 16];
	int c = accept(k->fd, NULL, NULL);
	ssize_t n;

	struct timeval tv = { .tv_sec = 3 };

	if (c < 0)
		return NULL;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((n = read(c, buf, sizeof(buf))) > 0)
		k->bytes += n;
	close(c);
	return NULL;
}

long long demo_tcp(const struct demo_ns *from, const struct demo_ns *to, const char *dst,
		   int port, int secs)
{
	struct demo_sock ls = { dst, port, -1, true }, cs = { dst, port, -1, false };
	struct demo_sink k = { -1, 0 };
	static char buf[1 << 16];
	pthread_t th;
	long long end;
	int rc;

	if ((rc = demo_in_ns(to, demo_open_sock, &ls)) < 0)
		return rc;
	k.fd = ls.fd;
	if (pthread_create(&th, NULL, demo_sink_run, &k) != 0) {
		close(ls.fd);
		return -EAGAIN;
	}
	rc = demo_in_ns(from, demo_open_sock, &cs);
	if (rc == 0) {
		end = demo_now_us() + (long long)secs * 1000000;
		while (demo_now_us() < end && write(cs.fd, buf, sizeof(buf)) > 0)
			;
		close(cs.fd);
	} else {
		shutdown(ls.fd, SHUT_RDWR);	/* wakes the sink's accept */
	}
	pthread_join(th, NULL);
	close(ls.fd);
	return rc < 0 ? rc : k.bytes;
}

/* ---- logs ---- */

void demo_log_line(const char *file, const char *text, char *out, size_t n)
{
	char line[1024];
	FILE *fp = fopen(file, "r");

	out[0] = '\0';
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, text)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, n, "%s", line);
			break;
		}
	fclose(fp);
}

bool demo_wait_log(const char *file, const char *text, int timeout_ms)
{
	char line[8];

	for (int i = 0; i <= timeout_ms / 10; i++) {
		demo_log_line(file, text, line, sizeof(line));
		if (line[0])
			return true;
		usleep(10000);
	}
	return false;
}
