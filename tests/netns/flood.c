/* Test helper (not a test): floods an OpenVPN UDP port with bounded, seeded junk.
 *
 *   flood -t ADDR:PORT -m MODE [-n COUNT] [-p PORTS] [-k TLS_CRYPT_KEY] [-r PPS] [-T SECS]
 *         [-s SRC:PORT] [-S SEED] [-w HOLD_SECS] [-b LOCAL_ADDR]
 *
 * MODE reset:    COUNT P_CONTROL_HARD_RESET_CLIENT_V2 with random session ids from PORTS
 *                source ports (tls-crypt wrapped with -k); counts the server's replies.
 * MODE garbage:  COUNT datagrams of random length and bytes (half of them start with a valid
 *                opcode byte so they get past the first check). With -s the datagrams are
 *                sent from the spoofed SRC:PORT through a raw socket (root), e.g. "from"
 *                the server to a client's port.
 * MODE tcp:      COUNT TCP connections, each sending a random mix of valid-looking records
 *                (u16 length + a packet with a real opcode), bad lengths (0, huge) and raw
 *                bytes, then closing (some abruptly with a reset).
 * MODE halfopen: COUNT clients (one source port each) that complete the stateless cookie
 *                exchange (reset, the server's reset, an ACK with the server's session id)
 *                and then go silent; the sockets stay open for HOLD_SECS (default 0).
 * MODE tcpidle:  COUNT TCP connections that never send a byte, held for HOLD_SECS; one the
 *                server closes is opened again (paced by PPS), so COUNT stay open or pending.
 *                -b ADDR binds them (and the tcp mode's) to a local address.
 * Bounded: at most PPS packets a second (default 20000) and T seconds (default 30) in all.
 * Prints one line: "flood: MODE sent N replies N" (halfopen: "accepted N"; tcpidle: "open N"
 * once all are open, then "reopened N" at the end). IPv4 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/packet.h"
#include "proto/statickey.h"
#include "proto/wrap.h"

#define FL_PORTS_MAX 1024
#define FL_BUF 2048

struct flood {
	struct sockaddr_in dst, src, bind_to;
	bool spoof, wrapped, bind;
	const char *mode;
	unsigned count, ports, pps, secs, hold;
	uint64_t rng, end_ms;
	uint8_t key[SKEY_LEN];
	struct wrap_ctx w;
	int fds[FL_PORTS_MAX];
	unsigned nfds;
	uint64_t sent, replies, accepted;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t fl_rand(struct flood *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ULL;
}

static void fl_fill(struct flood *f, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(fl_rand(f) >> 56);
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
	if (*end || port > 65535)
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

static int read_key(struct flood *f, const char *path)
{
	char text[SKEY_TEXT_MAX];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		return -1;
	n = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	if (skey_parse(text, n, f->key) < 0)
		return -1;
	f->wrapped = true;
	return 0;
}

/* Waits until the send rate allows one more packet; false once time is up. */
static bool fl_pace(struct flood *f, uint64_t start)
{
	for (;;) {
		uint64_t now = now_ms();

		if (now >= f->end_ms)
			return false;
		if (f->sent * 1000 < (uint64_t)f->pps * (now - start + 1))
			return true;
		usleep(1000);
	}
}

static void fl_drain(struct flood *f)
{
	uint8_t buf[FL_BUF];

	for (unsigned i = 0; i < f->nfds; i++)
		while (recv(f->fds[i], buf, sizeof(buf), MSG_DONTWAIT) > 0)
			f->replies++;
}

static int fl_open_ports(struct flood *f, unsigned n)
{
	for (f->nfds = 0; f->nfds < n; f->nfds++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (const struct sockaddr *)&f->dst, sizeof(f->dst)) < 0) {
			perror("flood: socket");
			if (fd >= 0)
				close(fd);
			return -1;
		}
		f->fds[f->nfds] = fd;
	}
	return 0;
}

/* A logical control packet (no payload) wrapped as configured; returns its wire length. */
static int fl_ctrl(struct flood *f, const struct pkt_ctrl *c, uint8_t *out, size_t cap)
{
	uint8_t plain[FL_BUF];
	int n = pkt_ctrl_encode(c, plain, sizeof(plain));

	if (n < 0)
		return n;
	if (!f->wrapped) {
		if ((size_t)n > cap)
			return -ENOBUFS;
		memcpy(out, plain, (size_t)n);
		return n;
	}
	return wrap_encode(&f->w, plain, (size_t)n, (uint64_t)time(NULL), out, cap);
}

static int fl_reset_pkt(struct flood *f, uint8_t sid[8], uint8_t *out, size_t cap)
{
	struct pkt_ctrl c = { .op = P_CONTROL_HARD_RESET_CLIENT_V2, .msgid = 0 };

	do
		fl_fill(f, c.sid, 8);
	while (!c.sid[0]);	/* never the all-zero id */
	memcpy(sid, c.sid, 8);
	return fl_ctrl(f, &c, out, cap);
}

static int fl_mode_reset(struct flood *f)
{
	uint8_t pkt[FL_BUF], sid[8];
	uint64_t start = now_ms();

	if (fl_open_ports(f, f->ports) < 0)
		return 1;
	for (unsigned i = 0; i < f->count && fl_pace(f, start); i++) {
		int n = fl_reset_pkt(f, sid, pkt, sizeof(pkt));

		if (n < 0)
			return 1;
		if (send(f->fds[i % f->nfds], pkt, (size_t)n, 0) == n)
			f->sent++;
		if (i % 64 == 0)
			fl_drain(f);
	}
	usleep(200000);
	fl_drain(f);
	printf("flood: reset sent %llu replies %llu\n", (unsigned long long)f->sent,
	       (unsigned long long)f->replies);
	return 0;
}

/* A raw IPv4/UDP datagram from the spoofed source (UDP checksum 0 = none, valid for IPv4). */
static int fl_raw_send(int raw, const struct flood *f, const uint8_t *data, size_t len)
{
	uint8_t pkt[20 + 8 + FL_BUF];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + 20);

	if (len > FL_BUF)
		return -1;
	memset(pkt, 0, 28);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(28 + len));
	ip->saddr = f->src.sin_addr.s_addr;
	ip->daddr = f->dst.sin_addr.s_addr;
	udp->source = f->src.sin_port;
	udp->dest = f->dst.sin_port;
	udp->len = htons((uint16_t)(8 + len));
	memcpy(pkt + 28, data, len);
	return sendto(raw, pkt, 28 + len, 0, (const struct sockaddr *)&f->dst,
		      sizeof(f->dst)) == (ssize_t)(28 + len) ? 0 : -1;
}

static int fl_mode_garbage(struct flood *f)
{
	static const uint8_t ops[] = { 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	uint8_t pkt[FL_BUF];
	uint64_t start = now_ms();
	int raw = -1;

	if (f->spoof) {
		raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		if (raw < 0) {
			perror("flood: raw socket");
			return 1;
		}
	} else if (fl_open_ports(f, f->ports) < 0) {
		return 1;
	}
	for (unsigned i = 0; i < f->count && fl_pace(f, start); i++) {
		size_t n = 1 + (size_t)(fl_rand(f) >> 33) % 1400;

		fl_fill(f, pkt, n);
		if (i & 1)	/* a real opcode and key id: gets past the first check */
			pkt[0] = pkt_byte0(ops[(pkt[0] >> 3) % sizeof(ops)], pkt[0] & 7);
		if (raw >= 0 ? fl_raw_send(raw, f, pkt, n) == 0 :
		    send(f->fds[i % f->nfds], pkt, n, 0) == (ssize_t)n)
			f->sent++;
		if (raw < 0 && i % 64 == 0)
			fl_drain(f);
	}
	if (raw >= 0)
		close(raw);
	fl_drain(f);
	printf("flood: garbage sent %llu replies %llu\n", (unsigned long long)f->sent,
	       (unsigned long long)f->replies);
	return 0;
}

/* One client's cookie exchange: reset, the server's reset (its session id), ACK of msgid 0. */
static int fl_halfopen_one(struct flood *f, int fd)
{
	uint8_t pkt[FL_BUF], plain[FL_BUF], sid[8];
	struct pkt_ctrl in, ack = { .op = P_ACK_V1, .n_acks = 1 };
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	int n = fl_reset_pkt(f, sid, pkt, sizeof(pkt));
	ssize_t r;

	if (n < 0 || send(fd, pkt, (size_t)n, 0) != n)
		return -1;
	f->sent++;
	if (poll(&pf, 1, 1000) != 1 || (r = recv(fd, pkt, sizeof(pkt), 0)) <= 0)
		return -1;
	f->replies++;
	n = f->wrapped ? wrap_decode(&f->w, pkt, (size_t)r, (uint64_t)time(NULL), plain,
				     sizeof(plain)) : (int)r;
	if (n < 0 || pkt_ctrl_decode(f->wrapped ? plain : pkt, (size_t)n, &in) < 0 ||
	    in.op != P_CONTROL_HARD_RESET_SERVER_V2)
		return -1;
	memcpy(ack.sid, sid, 8);
	ack.acks[0] = 0;
	memcpy(ack.remote_sid, in.sid, 8);
	n = fl_ctrl(f, &ack, pkt, sizeof(pkt));
	if (n < 0 || send(fd, pkt, (size_t)n, 0) != n)
		return -1;
	f->sent++;
	f->accepted++;
	return 0;
}

static int fl_mode_halfopen(struct flood *f)
{
	uint64_t start = now_ms();

	if (f->count > FL_PORTS_MAX || fl_open_ports(f, f->count) < 0)
		return 1;
	for (unsigned i = 0; i < f->count && fl_pace(f, start); i++)
		(void)fl_halfopen_one(f, f->fds[i]);
	printf("flood: halfopen sent %llu replies %llu accepted %llu\n",
	       (unsigned long long)f->sent, (unsigned long long)f->replies,
	       (unsigned long long)f->accepted);
	fflush(stdout);
	for (unsigned s = 0; s < f->hold && now_ms() < f->end_ms; s++)
		sleep(1);
	return 0;
}

/* A connected TCP socket (from -b's address when given), or -1. */
static int fl_tcp_connect(const struct flood *f)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if ((f->bind && bind(fd, (const struct sockaddr *)&f->bind_to, sizeof(f->bind_to)) < 0) ||
	    connect(fd, (const struct sockaddr *)&f->dst, sizeof(f->dst)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One TCP connection's worth of junk: records with a real opcode, odd lengths, raw bytes. */
static void fl_tcp_one(struct flood *f)
{
	uint8_t buf[FL_BUF + 2];
	int fd = fl_tcp_connect(f);
	unsigned parts = 1 + (unsigned)(fl_rand(f) >> 60);

	if (fd < 0)
		return;
	for (unsigned i = 0; i < parts; i++) {
		size_t n = 1 + (size_t)(fl_rand(f) >> 33) % FL_BUF;
		uint64_t kind = fl_rand(f) >> 62;

		fl_fill(f, buf, n + 2);
		if (kind == 0) {		/* a framed record with a real opcode */
			buf[0] = (uint8_t)(n >> 8);
			buf[1] = (uint8_t)n;
			buf[2] = pkt_byte0((uint8_t)(3 + buf[2] % 9), buf[2] & 7);
		} else if (kind == 1) {		/* length 0 or above any limit */
			buf[0] = buf[1] = (fl_rand(f) & 1) ? 0 : 0xff;
		}
		if (send(fd, buf, n + 2, MSG_NOSIGNAL) < 0)
			break;
		f->sent++;
	}
	if (fl_rand(f) & 1) {	/* half the time: RST instead of FIN */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(fd);
}

static int fl_mode_tcp(struct flood *f)
{
	uint64_t start = now_ms();

	for (unsigned i = 0; i < f->count && fl_pace(f, start); i++)
		fl_tcp_one(f);
	printf("flood: tcp sent %llu records\n", (unsigned long long)f->sent);
	return 0;
}

/* COUNT silent connections held open; each one the server closes is opened again. */
static int fl_mode_tcpidle(struct flood *f)
{
	struct pollfd pf[FL_PORTS_MAX];
	uint64_t start = now_ms(), hold_end = start + (uint64_t)f->hold * 1000, reopened = 0;
	uint8_t buf[256];

	if (f->count > FL_PORTS_MAX)
		return 1;
	for (f->nfds = 0; f->nfds < f->count && fl_pace(f, start); f->nfds++) {
		f->fds[f->nfds] = fl_tcp_connect(f);
		f->sent++;
	}
	printf("flood: tcpidle open %u\n", f->nfds);
	fflush(stdout);
	while (now_ms() < hold_end && now_ms() < f->end_ms) {
		for (unsigned i = 0; i < f->nfds; i++)
			pf[i] = (struct pollfd){ .fd = f->fds[i], .events = POLLIN };
		if (poll(pf, f->nfds, 100) < 0)
			break;
		for (unsigned i = 0; i < f->nfds; i++) {
			if (f->fds[i] >= 0 && !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (f->fds[i] >= 0 && recv(f->fds[i], buf, sizeof(buf), MSG_DONTWAIT) > 0)
				continue;	/* the server said something: stay silent */
			if (!fl_pace(f, start))
				break;
			if (f->fds[i] >= 0)
				close(f->fds[i]);
			f->fds[i] = fl_tcp_connect(f);	/* -1: tried again on the next round */
			f->sent++;
			reopened++;
		}
	}
	printf("flood: tcpidle reopened %llu\n", (unsigned long long)reopened);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: flood -t ADDR:PORT -m reset|garbage|tcp|halfopen|tcpidle "
		"[-n COUNT] [-p PORTS] [-k TLS_CRYPT_KEY] [-r PPS] [-T SECS] [-s SRC:PORT] "
		"[-S SEED] [-w HOLD_SECS] [-b LOCAL_ADDR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct flood f;
	unsigned seed = 1;
	bool have_t = false;
	int opt, rc = 2;

	f.count = 1000;
	f.ports = 64;
	f.pps = 20000;
	f.secs = 30;
	while ((opt = getopt(argc, argv, "t:m:n:p:k:r:T:s:S:w:b:")) != -1) {
		int bad = 0;

		switch (opt) {
		case 't': bad = parse_addr(optarg, &f.dst); have_t = true; break;
		case 'm': f.mode = optarg; break;
		case 'n': bad = parse_num(optarg, 10000000, &f.count); break;
		case 'p': bad = parse_num(optarg, FL_PORTS_MAX, &f.ports) || !f.ports; break;
		case 'k': bad = read_key(&f, optarg); break;
		case 'r': bad = parse_num(optarg, 1000000, &f.pps) || !f.pps; break;
		case 'T': bad = parse_num(optarg, 600, &f.secs); break;
		case 's': bad = parse_addr(optarg, &f.src); f.spoof = true; break;
		case 'S': bad = parse_num(optarg, 0xFFFFFFFFu, &seed); break;
		case 'w': bad = parse_num(optarg, 600, &f.hold); break;
		case 'b':
			f.bind = true;
			f.bind_to.sin_family = AF_INET;
			bad = inet_pton(AF_INET, optarg, &f.bind_to.sin_addr) != 1;
			break;
		default: usage();
		}
		if (bad)
			usage();
	}
	if (!have_t || !f.mode)
		usage();
	f.rng = 0x9E3779B97F4A7C15ULL ^ seed;
	f.end_ms = now_ms() + (uint64_t)f.secs * 1000;
	if ((f.wrapped ? wrap_init_crypt(&f.w, f.key, false) : wrap_init_none(&f.w)) < 0)
		return 1;
	wrap_set_replay(&f.w, false);
	if (!strcmp(f.mode, "reset"))
		rc = fl_mode_reset(&f);
	else if (!strcmp(f.mode, "garbage"))
		rc = fl_mode_garbage(&f);
	else if (!strcmp(f.mode, "tcp"))
		rc = fl_mode_tcp(&f);
	else if (!strcmp(f.mode, "halfopen"))
		rc = fl_mode_halfopen(&f);
	else if (!strcmp(f.mode, "tcpidle"))
		rc = fl_mode_tcpidle(&f);
	else
		usage();
	for (unsigned i = 0; i < f.nfds; i++)
		if (f.fds[i] >= 0)
			close(f.fds[i]);
	wrap_free(&f.w);
	fflush(stdout);
	return rc;
}
