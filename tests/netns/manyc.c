/* Load generator (a helper of server_scale.sh and bench/scale/run, not a test by itself):
 * N OpenVPN client sessions (proto/session.h, no core) from one process, each on its own UDP
 * socket (its own source port), against one server. Every client completes the handshake,
 * then sends ICMP echo requests through its tunnel to the server's tunnel address (answered
 * by the server's kernel) until E of them were answered.
 *
 *   manyc -t ADDR:PORT -p PKI_DIR [-n N] [--tls-crypt F | --tls-auth F | --v2 F]
 *         [-e ECHOES] [-r RATE] [-c CONNECT_SECS] [-H HOLD_SECS] [-g TUNNEL_ADDR]
 *         [-R RENEG_SECS]
 *
 * N clients (default 100, at most MC_MAX) all share PKI_DIR/client.{crt,key} (the server
 * needs duplicate-cn). RATE = clients started per second (default 0: all at once, a connect
 * storm). Clients not connected after CONNECT_SECS (default 20) give up and are counted by
 * how far they got. After the echoes the connected clients stay up HOLD_SECS (default 0,
 * keepalive pings as pushed; the line "manyc: holding" marks the start, so a caller can
 * measure the server meanwhile), then send their exit notification. RENEG_SECS (default 0:
 * the session's default, an hour) makes every client renegotiate that often (tests/soak).
 * Bounded: CONNECT_SECS + 5 s of echoes + HOLD_SECS + 1 s of goodbye.
 *
 * Output, one "manyc: ..." line each: connected (count, time to connect all, p50/max),
 * failures by reason, echoes, PASS/FAIL. Exit 0 when every client connected and every
 * connected client had its echoes answered, 1 otherwise, 2 on bad usage. IPv4 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "drvlib.h"
#include "proto/push.h"
#include "proto/session.h"
#include "proto/tls.h"

#define MC_MAX 1000		/* sockets: stays under the default 1024 descriptors */
#define MC_ECHO_SECS 5		/* echo phase after the connect phase, at most */
#define MC_PROBE_MS 500		/* resend an unanswered echo request after this */
#define MC_BUF 4096

enum mc_state { MC_IDLE = 0, MC_CONNECTING, MC_UP, MC_FAILED };

/* How far a client that did not connect got: the failure reasons reported. */
enum mc_fail {
	MC_F_NO_ANSWER = 0,	/* the server never answered */
	MC_F_REFUSED,		/* answered the reset (stateless), then silence: refused */
	MC_F_TLS,		/* TLS up but no data keys */
	MC_F_AUTH,		/* AUTH_FAILED */
	MC_F_ERROR,		/* the session failed (text printed) */
	MC_F_SOCKET,		/* could not make a socket or session here */
	MC_F_COUNT
};

static const char *const mc_fail_name[MC_F_COUNT] = {
	"no-answer", "refused-after-reset", "tls-without-keys", "auth-failed", "session-error",
	"local-error",
};

struct mc_client {
	int fd;
	struct sess *s;
	enum mc_state st;
	bool rx_any, tls_up;
	uint64_t t_start, t_up;
	struct in_addr local;
	uint8_t gw[4];
	int ping_s;
	int echo_ok, echo_sent;
	uint16_t seq;
	uint64_t next_probe;
};

struct mc {
	struct sockaddr_in dst;
	struct sess_conf conf;
	struct tls_conf *tls;
	unsigned n, rate, echoes, connect_s, hold_s;
	bool gw_set;
	uint8_t gw[4];
	struct mc_client *c;
	unsigned started, up, failed;
	unsigned fails[MC_F_COUNT];
	uint64_t t0, last_up;
	struct pollfd *pfd;
	unsigned *pidx;
};

static int parse_addr(const char *s, struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -EINVAL;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* ---- one client ---- */

static void mc_fail(struct mc *m, struct mc_client *c, enum mc_fail why, const char *text)
{
	if (c->st == MC_FAILED)
		return;
	if (c->st == MC_UP)
		m->up--;
	c->st = MC_FAILED;
	m->failed++;
	m->fails[why]++;
	if (text && m->fails[why] <= 3)	/* a few examples, not one line per client */
		printf("manyc: client %ld: %s: %s\n", (long)(c - m->c), mc_fail_name[why], text);
	sess_free(c->s);
	c->s = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void mc_probe(struct mc_client *c, uint64_t t)
{
	uint8_t p[DRV_ECHO_LEN];

	if (sess_send_data(c->s, p, drv_icmp_echo(p, &c->local, c->gw, ++c->seq), t) == 0)
		c->echo_sent++;
	c->next_probe = t + MC_PROBE_MS;
}

static void mc_up(struct mc *m, struct mc_client *c, uint64_t t)
{
	c->st = MC_UP;
	c->t_up = t;
	m->up++;
	m->last_up = t;
	if (m->echoes)
		mc_probe(c, t);
}

static void mc_event(struct mc *m, struct mc_client *c, const struct sess_event *e, uint64_t t)
{
	switch (e->type) {
	case SESS_EV_TLS_UP:
		c->tls_up = true;
		break;
	case SESS_EV_PUSH_REPLY:
		if (e->push->has_ifconfig)
			c->local = e->push->ifc_local;
		if (!m->gw_set && e->push->has_route_gw)
			memcpy(c->gw, &e->push->route_gw, 4);
		c->ping_s = e->push->ping > 0 ? e->push->ping : 0;
		break;
	case SESS_EV_KEYS_READY:
		if (c->st == MC_CONNECTING)
			mc_up(m, c, t);
		break;
	case SESS_EV_AUTH_FAILED:
		mc_fail(m, c, MC_F_AUTH, e->text);
		break;
	case SESS_EV_ERROR:
	case SESS_EV_HALT:
	case SESS_EV_RESTART:
		mc_fail(m, c, MC_F_ERROR, e->text);
		break;
	default:
		break;
	}
}

/* Drains the session's queues: wire to the socket, echo replies counted, events handled. */
static void mc_flush(struct mc *m, struct mc_client *c, uint64_t t)
{
	struct sess_buf b;
	struct sess_event e;
	uint16_t seq;

	while (c->s && sess_pop_event(c->s, &e))
		mc_event(m, c, &e, t);
	while (c->s && sess_pop_tun(c->s, &b)) {
		if (drv_is_echo_reply(b.data, b.len, &seq) && seq == c->seq &&
		    c->echo_ok < (int)m->echoes) {
			c->echo_ok++;
			if (c->echo_ok < (int)m->echoes)
				mc_probe(c, t);
		}
	}
	while (c->s && sess_pop_wire(c->s, &b))
		(void)send(c->fd, b.data, b.len, MSG_DONTWAIT);	/* UDP: a loss is retried */
}

static void mc_start(struct mc *m, struct mc_client *c, uint64_t t)
{
	struct sess_conf sc = m->conf;

	c->st = MC_CONNECTING;
	c->t_start = t;
	memcpy(c->gw, m->gw, 4);
	m->started++;
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0 || connect(c->fd, (const struct sockaddr *)&m->dst, sizeof(m->dst))) {
		mc_fail(m, c, MC_F_SOCKET, strerror(errno));
		return;
	}
	sc.unix_time = (uint32_t)time(NULL);
	c->s = sess_new(&sc, t);
	if (!c->s) {
		mc_fail(m, c, MC_F_SOCKET, "cannot create a session");
		return;
	}
	mc_flush(m, c, t);
}

static void mc_read(struct mc *m, struct mc_client *c)
{
	uint8_t buf[MC_BUF];

	for (int i = 0; i < 64 && c->s; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n <= 0)
			break;	/* EAGAIN, or ECONNREFUSED (nothing listens yet): retried */
		c->rx_any = true;
		sess_input(c->s, buf, (size_t)n, drv_now_ms());
	}
}

/* Timers, echo retries and keepalive pings of one live client. */
static void mc_tick(struct mc *m, struct mc_client *c, uint64_t t)
{
	if (!c->s)
		return;
	if (sess_next_deadline(c->s) <= t)
		sess_timer(c->s, t);
	if (c->st == MC_UP && c->echo_ok < (int)m->echoes && t >= c->next_probe)
		mc_probe(c, t);	/* lost, or sent before the server installed its keys */
	if (c->st == MC_UP && c->ping_s && t - sess_last_tx_ms(c->s) >= (uint64_t)c->ping_s * 1000)
		sess_send_ping(c->s, t);
	mc_flush(m, c, t);
}

/* ---- the loop over all clients ---- */

static int mc_wait(struct mc *m, uint64_t t)
{
	uint64_t due = t + 20;
	unsigned k = 0;

	for (unsigned i = 0; i < m->n; i++) {
		struct mc_client *c = &m->c[i];

		if (!c->s)
			continue;
		if (sess_next_deadline(c->s) < due)
			due = sess_next_deadline(c->s);
		m->pfd[k] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		m->pidx[k++] = i;
	}
	return poll(m->pfd, k, due > t ? (int)(due - t) : 0) < 0 ? -errno : (int)k;
}

/* One round: start due clients, read what arrived, run timers. */
static void mc_round(struct mc *m)
{
	uint64_t t = drv_now_ms();
	int k;

	while (m->started < m->n &&
	       (!m->rate || (t - m->t0) * m->rate >= (uint64_t)m->started * 1000))
		mc_start(m, &m->c[m->started], t);
	k = mc_wait(m, t);
	for (int j = 0; j < k; j++)
		if (m->pfd[j].revents)
			mc_read(m, &m->c[m->pidx[j]]);
	t = drv_now_ms();
	for (unsigned i = 0; i < m->n; i++)
		mc_tick(m, &m->c[i], t);
}

static bool mc_connect_done(const struct mc *m)
{
	return m->started == m->n && m->up + m->failed == m->n;
}

static bool mc_echo_done(const struct mc *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->c[i].st == MC_UP && m->c[i].echo_ok < (int)m->echoes)
			return false;
	return true;
}

/* Clients still connecting at the end of the connect phase give up: why? */
static void mc_give_up(struct mc *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct mc_client *c = &m->c[i];

		if (c->st == MC_IDLE)
			c->st = MC_CONNECTING, m->started++;
		if (c->st != MC_CONNECTING)
			continue;
		mc_fail(m, c, !c->rx_any ? MC_F_NO_ANSWER : !c->tls_up ? MC_F_REFUSED : MC_F_TLS,
			NULL);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void mc_report_connect(struct mc *m)
{
	uint64_t *d = calloc(m->n ? m->n : 1, sizeof(*d));
	unsigned k = 0;

	for (unsigned i = 0; d && i < m->n; i++)
		if (m->c[i].st == MC_UP)
			d[k++] = m->c[i].t_up - m->c[i].t_start;
	if (d && k)
		qsort(d, k, sizeof(*d), cmp_u64);
	printf("manyc: connected %u of %u in %llu ms (per client p50 %llu ms, max %llu ms)\n",
	       m->up, m->n, (unsigned long long)(m->up ? m->last_up - m->t0 : 0),
	       (unsigned long long)(k ? d[k / 2] : 0), (unsigned long long)(k ? d[k - 1] : 0));
	printf("manyc: failures:");
	for (int f = 0; f < MC_F_COUNT; f++)
		printf(" %s %u", mc_fail_name[f], m->fails[f]);
	printf("\n");
	free(d);
}

static unsigned mc_report_echo(const struct mc *m)
{
	unsigned ok = 0, sent = 0, full = 0;

	for (unsigned i = 0; i < m->n; i++) {
		if (m->c[i].st != MC_UP)
			continue;
		ok += (unsigned)m->c[i].echo_ok;
		sent += (unsigned)m->c[i].echo_sent;
		full += m->c[i].echo_ok >= (int)m->echoes;
	}
	printf("manyc: echoes answered %u (%u requests sent); %u of %u connected clients got "
	       "all %u answers\n", ok, sent, full, m->up, m->echoes);
	return full;
}

static void mc_run_until(struct mc *m, uint64_t end, bool (*done)(const struct mc *))
{
	while (drv_now_ms() < end && !(done && done(m)))
		mc_round(m);
}

static void mc_goodbye(struct mc *m)
{
	uint64_t t = drv_now_ms();

	for (unsigned i = 0; i < m->n; i++)
		if (m->c[i].st == MC_UP) {
			sess_send_exit(m->c[i].s, t);
			mc_flush(m, &m->c[i], t);
		}
	mc_run_until(m, drv_now_ms() + 1000, NULL);	/* deliver the exits, answer ACKs */
}

static int mc_run(struct mc *m)
{
	unsigned full;
	bool ok;

	m->t0 = drv_now_ms();
	mc_run_until(m, m->t0 + (uint64_t)m->connect_s * 1000, mc_connect_done);
	mc_give_up(m);
	mc_report_connect(m);
	mc_run_until(m, drv_now_ms() + MC_ECHO_SECS * 1000, mc_echo_done);
	full = mc_report_echo(m);
	ok = m->up == m->n && full == m->up;
	if (m->hold_s) {
		printf("manyc: holding %u clients for %u s\n", m->up, m->hold_s);
		mc_run_until(m, drv_now_ms() + (uint64_t)m->hold_s * 1000, NULL);
		printf("manyc: still connected after holding: %u\n", m->up);
		ok = ok && m->up == m->n;
	}
	mc_goodbye(m);
	printf("manyc: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

/* ---- set-up ---- */

static int usage(void)
{
	fprintf(stderr, "usage: manyc -t ADDR:PORT -p PKI_DIR [-n N] [--tls-crypt F|--tls-auth F|"
		"--v2 F] [-e ECHOES] [-r RATE] [-c CONNECT_SECS] [-H HOLD_SECS] [-g TUNNEL_ADDR]\n"
		"       [-R RENEG_SECS]\n");
	return 2;
}

static int mc_option(struct mc *m, const char *o, const char *v, const char **pki)
{
	if (!strcmp(o, "-t"))
		return parse_addr(v, &m->dst);
	if (!strcmp(o, "-p"))
		return (*pki = v) ? 0 : -EINVAL;
	if (!strcmp(o, "-n"))
		return parse_uint(v, MC_MAX, &m->n);
	if (!strcmp(o, "-e"))
		return parse_uint(v, 1000, &m->echoes);
	if (!strcmp(o, "-r"))
		return parse_uint(v, 100000, &m->rate);
	if (!strcmp(o, "-c"))
		return parse_uint(v, 600, &m->connect_s);
	if (!strcmp(o, "-H"))
		return parse_uint(v, 3600, &m->hold_s);
	if (!strcmp(o, "-R"))
		return parse_uint(v, 3600, &m->conf.reneg_sec);
	if (!strcmp(o, "-g")) {
		m->gw_set = true;
		return inet_pton(AF_INET, v, m->gw) == 1 ? 0 : -EINVAL;
	}
	return drv_wrap_arg(&m->conf, o, v);
}

static int mc_parse(struct mc *m, int argc, char **argv, const char **pki)
{
	m->n = 100;
	m->echoes = 3;
	m->connect_s = 20;
	m->gw[0] = 10, m->gw[1] = 8, m->gw[3] = 1;	/* 10.8.0.1 unless pushed or -g */
	m->conf.role = SESS_CLIENT;
	m->conf.transport = SESS_UDP;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc || mc_option(m, argv[i], argv[i + 1], pki) < 0) {
			fprintf(stderr, "manyc: bad option '%s'\n", argv[i]);
			return -EINVAL;
		}
	}
	return m->dst.sin_port && *pki && m->n ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct mc m;
	const char *pki = NULL;
	int rc = 1;

	memset(&m, 0, sizeof(m));
	if (mc_parse(&m, argc, argv, &pki) < 0)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	m.c = calloc(m.n, sizeof(*m.c));
	m.pfd = calloc(m.n, sizeof(*m.pfd));
	m.pidx = calloc(m.n, sizeof(*m.pidx));
	if (!m.c || !m.pfd || !m.pidx || drv_make_tls(&m.tls, pki, false))
		goto out;
	m.conf.tls = m.tls;
	for (unsigned i = 0; i < m.n; i++)
		m.c[i].fd = -1;
	rc = mc_run(&m);
	for (unsigned i = 0; i < m.n; i++) {
		sess_free(m.c[i].s);
		if (m.c[i].fd >= 0)
			close(m.c[i].fd);
	}
out:
	tls_conf_free(m.tls);
	free(m.c);
	free(m.pfd);
	free(m.pidx);
	return rc;
}
