/* Test helper (not a test): an impairing UDP relay. Listens on one address, forwards every
 * datagram to the server from a per-client upstream socket (so the server sees one address
 * per client) and the replies back, impairing both directions the same way:
 *
 *   impair -l ADDR:PORT -s ADDR:PORT [-L loss%] [-D dup%] [-R reorder%] [-H hold_pkts]
 *          [-M hold_ms] [-d delay_ms] [-C corrupt%] [-S seed] [-t max_seconds]
 *
 * Loss, duplication, reordering and corruption (one flipped bit) are decided by a seeded
 * PRNG, so a run's choices repeat for the same packet sequence. A reordered packet is held back until HOLD more packets went
 * the same way or HOLD_MS passed. Everything is bounded: at most IMP_QUEUE packets wait,
 * IMP_CLIENTS clients, and the relay exits after max_seconds (default 120).
 * SIGUSR1 toggles a black hole (drop everything: a link gone silent); SIGTERM/SIGINT end the
 * relay; it prints one summary line of what it did on exit (and on SIGUSR2). IPv4 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IMP_CLIENTS 32
#define IMP_QUEUE 512
#define IMP_PKT 2048

enum { DIR_UP = 0, DIR_DOWN = 1 };

struct imp_pkt {
	bool used;
	int dir;
	int client;
	uint64_t due_ms;
	unsigned hold_left;	/* reordered: packets still to pass it (0 = by time only) */
	size_t len;
	uint8_t data[IMP_PKT];
};

struct imp_client {
	bool used;
	struct sockaddr_in addr;
	int fd;			/* connected to the server */
};

struct imp_stats {
	uint64_t in[2], out[2], lost[2], dup[2], reordered[2], blackholed[2], corrupted[2];
	uint64_t overflow;
};

struct imp {
	int lfd;
	struct sockaddr_in server;
	unsigned loss, dup, reorder, hold_pkts, hold_ms, delay_ms, corrupt;
	uint64_t rng;
	struct imp_client cl[IMP_CLIENTS];
	struct imp_pkt q[IMP_QUEUE];
	struct imp_stats st;
};

static volatile sig_atomic_t g_stop, g_black, g_report;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		g_black = !g_black;
	else if (sig == SIGUSR2)
		g_report = 1;
	else
		g_stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* xorshift64*: deterministic for a seed; a percentage draw in [0, 100). */
static unsigned imp_rand100(struct imp *im)
{
	im->rng ^= im->rng >> 12;
	im->rng ^= im->rng << 25;
	im->rng ^= im->rng >> 27;
	return (unsigned)((im->rng * 2685821657736338717ULL) >> 33) % 100;
}

static int parse_addr(const char *s, struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535)
		return -1;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static int parse_num(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int imp_client_for(struct imp *im, const struct sockaddr_in *from)
{
	int free_slot = -1;

	for (int i = 0; i < IMP_CLIENTS; i++) {
		if (im->cl[i].used && im->cl[i].addr.sin_port == from->sin_port &&
		    im->cl[i].addr.sin_addr.s_addr == from->sin_addr.s_addr)
			return i;
		if (!im->cl[i].used && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)&im->server, sizeof(im->server)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	im->cl[free_slot] = (struct imp_client){ .used = true, .addr = *from, .fd = fd };
	return free_slot;
}

static void imp_send(struct imp *im, const struct imp_pkt *p)
{
	const struct imp_client *c = &im->cl[p->client];

	if (p->dir == DIR_UP)
		(void)send(c->fd, p->data, p->len, 0);
	else
		(void)sendto(im->lfd, p->data, p->len, 0, (const struct sockaddr *)&c->addr,
			     sizeof(c->addr));
	im->st.out[p->dir]++;
}

static void imp_enqueue(struct imp *im, int dir, int client, const uint8_t *d, size_t len,
			uint64_t due, unsigned hold)
{
	for (int i = 0; i < IMP_QUEUE; i++) {
		struct imp_pkt *p = &im->q[i];

		if (p->used)
			continue;
		p->used = true;
		p->dir = dir;
		p->client = client;
		p->due_ms = due;
		p->hold_left = hold;
		p->len = len;
		memcpy(p->data, d, len);
		return;
	}
	im->st.overflow++;
}

/* A packet passed in direction dir: held packets waiting for a count move one step. */
static void imp_count_pass(struct imp *im, int dir, uint64_t now)
{
	for (int i = 0; i < IMP_QUEUE; i++) {
		struct imp_pkt *p = &im->q[i];

		if (p->used && p->dir == dir && p->hold_left && --p->hold_left == 0)
			p->due_ms = now;
	}
}

static void imp_packet(struct imp *im, int dir, int client, uint8_t *d, size_t len)
{
	uint64_t now = now_ms();
	int copies = 1;

	im->st.in[dir]++;
	if (g_black) {
		im->st.blackholed[dir]++;
		return;
	}
	if (imp_rand100(im) < im->loss) {
		im->st.lost[dir]++;
		return;
	}
	if (im->corrupt && imp_rand100(im) < im->corrupt) {
		unsigned at = imp_rand100(im) * 7919u % (unsigned)len;

		d[at] ^= (uint8_t)(1u << (imp_rand100(im) % 8));
		im->st.corrupted[dir]++;
	}
	if (imp_rand100(im) < im->dup) {
		im->st.dup[dir]++;
		copies = 2;
	}
	for (int c = 0; c < copies; c++) {
		if (imp_rand100(im) < im->reorder) {
			im->st.reordered[dir]++;
			imp_enqueue(im, dir, client, d, len, now + im->delay_ms + im->hold_ms,
				    im->hold_pkts);
			continue;
		}
		imp_count_pass(im, dir, now);
		imp_enqueue(im, dir, client, d, len, now + im->delay_ms, 0);
	}
}

/* Sends what is due, in queue-entry order per due time; returns ms until the next one. */
static int imp_flush(struct imp *im)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (;;) {
		struct imp_pkt *best = NULL;

		for (int i = 0; i < IMP_QUEUE; i++) {
			struct imp_pkt *p = &im->q[i];

			if (p->used && p->due_ms <= now && (!best || p->due_ms < best->due_ms))
				best = p;
		}
		if (!best)
			break;
		imp_send(im, best);
		best->used = false;
	}
	for (int i = 0; i < IMP_QUEUE; i++)
		if (im->q[i].used && im->q[i].due_ms < next)
			next = im->q[i].due_ms;
	if (next == UINT64_MAX)
		return 1000;
	return next > now ? (int)(next - now) : 0;
}

static void imp_summary(const struct imp *im)
{
	const struct imp_stats *s = &im->st;

	printf("impair:");
	for (int dir = 0; dir < 2; dir++)
		printf(" %s in %llu out %llu lost %llu dup %llu reordered %llu corrupted %llu "
		       "blackholed %llu;", dir == DIR_UP ? "up" : "down",
		       (unsigned long long)s->in[dir], (unsigned long long)s->out[dir],
		       (unsigned long long)s->lost[dir], (unsigned long long)s->dup[dir],
		       (unsigned long long)s->reordered[dir], (unsigned long long)s->corrupted[dir],
		       (unsigned long long)s->blackholed[dir]);
	printf(" overflow %llu\n", (unsigned long long)s->overflow);
	fflush(stdout);
}

/* Drains up to a bounded number of datagrams from one socket. */
static void imp_read(struct imp *im, int fd, int client)
{
	uint8_t buf[IMP_PKT];

	for (int n = 0; n < 64; n++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (r < 0)
			return;
		if (client >= 0) {
			imp_packet(im, DIR_DOWN, client, buf, (size_t)r);
			continue;
		}
		if (fl != sizeof(from) || from.sin_family != AF_INET)
			continue;
		int c = imp_client_for(im, &from);

		if (c >= 0)
			imp_packet(im, DIR_UP, c, buf, (size_t)r);
		else
			im->st.overflow++;
	}
}

static int imp_run(struct imp *im, unsigned max_s)
{
	uint64_t end = now_ms() + (uint64_t)max_s * 1000;

	while (!g_stop && now_ms() < end) {
		struct pollfd pf[1 + IMP_CLIENTS];
		int map[1 + IMP_CLIENTS], n = 1, wait = imp_flush(im);

		pf[0] = (struct pollfd){ .fd = im->lfd, .events = POLLIN };
		map[0] = -1;
		for (int i = 0; i < IMP_CLIENTS; i++) {
			if (!im->cl[i].used)
				continue;
			pf[n] = (struct pollfd){ .fd = im->cl[i].fd, .events = POLLIN };
			map[n++] = i;
		}
		if (g_report) {
			g_report = 0;
			imp_summary(im);
		}
		if (poll(pf, (nfds_t)n, wait > 200 ? 200 : wait) < 0 && errno != EINTR)
			return 1;
		for (int i = 0; i < n; i++)
			if (pf[i].revents & POLLIN)
				imp_read(im, pf[i].fd, map[i]);
	}
	imp_flush(im);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: impair -l ADDR:PORT -s ADDR:PORT [-L loss%%] [-D dup%%] "
		"[-R reorder%%] [-H hold_pkts] [-M hold_ms] [-d delay_ms] [-C corrupt%%] [-S seed] "
		"[-t seconds]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct imp im;
	struct sockaddr_in local;
	unsigned seed = 1, max_s = 120;
	bool have_l = false, have_s = false;
	int opt, rc;

	im.hold_pkts = 3;
	im.hold_ms = 50;
	while ((opt = getopt(argc, argv, "l:s:L:D:R:H:M:d:C:S:t:")) != -1) {
		int bad = 0;

		switch (opt) {
		case 'l': bad = parse_addr(optarg, &local); have_l = true; break;
		case 's': bad = parse_addr(optarg, &im.server); have_s = true; break;
		case 'L': bad = parse_num(optarg, 100, &im.loss); break;
		case 'D': bad = parse_num(optarg, 100, &im.dup); break;
		case 'R': bad = parse_num(optarg, 100, &im.reorder); break;
		case 'H': bad = parse_num(optarg, 1000, &im.hold_pkts); break;
		case 'M': bad = parse_num(optarg, 10000, &im.hold_ms); break;
		case 'd': bad = parse_num(optarg, 10000, &im.delay_ms); break;
		case 'C': bad = parse_num(optarg, 100, &im.corrupt); break;
		case 'S': bad = parse_num(optarg, 0xFFFFFFFFu, &seed); break;
		case 't': bad = parse_num(optarg, 3600, &max_s); break;
		default: usage();
		}
		if (bad)
			usage();
	}
	if (!have_l || !have_s)
		usage();
	im.rng = 0x9E3779B97F4A7C15ULL ^ seed;
	im.lfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (im.lfd < 0 || bind(im.lfd, (const struct sockaddr *)&local, sizeof(local)) < 0) {
		perror("impair: bind");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	printf("impair: ready\n");
	fflush(stdout);
	rc = imp_run(&im, max_s);
	imp_summary(&im);
	for (int i = 0; i < IMP_CLIENTS; i++)
		if (im.cl[i].used)
			close(im.cl[i].fd);
	close(im.lfd);
	return rc;
}
