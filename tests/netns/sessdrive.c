/* Helper of session_interop.sh (not a test by itself): drives ONE burrow client session
 * (proto/session.h, no core) over a UDP socket against a real openvpn server, with the real
 * clock: handshake, ICMP echo to the server's tunnel address (answered by the server's
 * kernel), OCC request/reply, renegotiations, explicit exit. Exit 0 when all checks passed.
 *
 * sessdrive HOST PORT PKI_DIR [--tls-crypt F | --tls-auth F | --v2 F] [--no-ekm] [--p2p]
 *           [--renegs N] [--seconds S]
 *
 * With --server (first option) it is the other way round: one burrow SERVER session behind
 * the stateless cookie, listening on HOST:PORT, answering ICMP echo requests to 10.8.0.1
 * that a real openvpn client sends through the tunnel; it ends when the client's EXIT
 * arrives (0 if at least --echoes N requests were answered and --renegs N renegotiations
 * happened), or fails at --seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/rand.h>
#include <time.h>
#include <unistd.h>

#include "drvlib.h"
#include "proto/cookie.h"
#include "proto/dpkt.h"
#include "proto/push.h"
#include "proto/session.h"
#include "proto/statickey.h"
#include "proto/tls.h"
#include "util/log.h"

struct drv {
	int fd;
	struct sess *s;
	int keys, renegs_wanted, echo_ok, echo_sent, echo_since_keys;
	uint64_t next_probe;
	uint8_t last_key;
	bool failed, exit_done;
	struct in_addr local;
	uint8_t target[4];		/* the peer's tunnel address we ping */
	uint16_t echo_seq;
};

/* IPv4 ICMP echo request local -> the peer's tunnel address. */
static size_t icmp_echo(struct drv *d, uint8_t *p)
{
	return drv_icmp_echo(p, &d->local, d->target, d->echo_seq);
}

static void flush(struct drv *d)
{
	struct sess_buf b;
	while (sess_pop_wire(d->s, &b))
		if (send(d->fd, b.data, b.len, 0) < 0)
			perror("send");
	while (sess_pop_tun(d->s, &b)) {
		uint16_t seq;

		/* an echo reply from the peer's tunnel address with our id */
		if (drv_is_echo_reply(b.data, b.len, &seq)) {
			d->echo_ok++;
			d->echo_since_keys++;
			printf("echo reply %u on key %u\n", seq, d->last_key);
		}
	}
}

static void send_probe(struct drv *d, uint64_t t)
{
	uint8_t p[128];
	d->echo_seq++;
	if (sess_send_data(d->s, p, icmp_echo(d, p), t) == 0)
		d->echo_sent++;
	uint8_t occ[DPKT_MAGIC_LEN + 1];
	ssize_t n = dpkt_build_occ(0, NULL, 0, occ, sizeof(occ));	/* OCC_REQUEST */
	if (n > 0)
		sess_send_data(d->s, occ, (size_t)n, t);
}

static void on_event(struct drv *d, const struct sess_event *e, uint64_t t)
{
	switch (e->type) {
	case SESS_EV_TLS_UP:
		printf("tls up key %u peer '%s'\n", e->key_id, e->text);
		break;
	case SESS_EV_PUSH_REPLY:
		if (e->push->has_ifconfig)
			d->local = e->push->ifc_local;
		printf("push reply: cipher '%s' peer-id %ld ifconfig %s\n", e->push->cipher,
		       e->push->peer_id, inet_ntoa(d->local));
		break;
	case SESS_EV_KEYS_READY:
		d->keys++;
		d->echo_since_keys = 0;
		d->last_key = e->key_id;
		printf("keys ready key %u %s %s\n", e->key_id, e->text, e->ekm ? "EKM" : "PRF");
		send_probe(d, t);
		break;
	case SESS_EV_AUTH_FAILED:
	case SESS_EV_ERROR:
		printf("FAIL: event %d: %s\n", e->type, e->text);
		d->failed = true;
		break;
	default:
		printf("event %d %s\n", e->type, e->text);
		break;
	}
}

static int open_sock(const char *host, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_port = htons((uint16_t)strtoul(port, NULL, 10));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

/* One poll round: input, timers, events, output. */
static void step(struct drv *d, int wait_ms)
{
	struct pollfd p = { .fd = d->fd, .events = POLLIN };
	uint8_t buf[4096];
	struct sess_event e;

	if (poll(&p, 1, wait_ms) > 0) {
		ssize_t n = recv(d->fd, buf, sizeof(buf), 0);
		if (n > 0)
			sess_input(d->s, buf, (size_t)n, drv_now_ms());
	}
	uint64_t t = drv_now_ms();
	if (sess_next_deadline(d->s) <= t)
		sess_timer(d->s, t);
	if (d->keys && t >= d->next_probe) {
		/* data sent before the peer installed its keys is dropped (by design): retry */
		send_probe(d, t);
		d->next_probe = t + 500;
	}
	while (sess_pop_event(d->s, &e))
		on_event(d, &e, t);
	flush(d);
}

static int client_main(int argc, char **argv)
{
	struct sess_conf c = { .role = SESS_CLIENT, .transport = SESS_UDP };
	struct tls_conf *tls = NULL;
	struct drv d = { .renegs_wanted = 0, .target = { 10, 8, 0, 1 } };
	int seconds = 30;

	if (argc < 4) {
		fprintf(stderr, "usage: sessdrive HOST PORT PKI_DIR [options]\n");
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--no-ekm")) {
			c.no_ekm = true;
		} else if (!strcmp(argv[i], "--p2p")) {
			/* peer-to-peer: we are 10.9.0.2, the openvpn tls-server 10.9.0.1 */
			c.p2p = true;
			d.target[1] = 9;
			inet_pton(AF_INET, "10.9.0.2", &d.local);
		} else if (!strcmp(argv[i], "--renegs") && i + 1 < argc) {
			d.renegs_wanted = (int)strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = (int)strtol(argv[++i], NULL, 10);
		} else if (i + 1 < argc && drv_wrap_arg(&c, argv[i], argv[i + 1]) == 0) {
			i++;
		} else {
			fprintf(stderr, "bad option %s\n", argv[i]);
			return 2;
		}
	}
	log_set_level(LOG_LVL_INFO);
	d.fd = open_sock(argv[1], argv[2]);
	if (d.fd < 0 || drv_make_tls(&tls, argv[3], false))
		return 1;
	c.tls = tls;
	c.unix_time = (uint32_t)time(NULL);
	d.s = sess_new(&c, drv_now_ms());
	if (!d.s)
		return 1;
	flush(&d);
	uint64_t end = drv_now_ms() + (uint64_t)seconds * 1000;
	while (!d.failed && drv_now_ms() < end &&
	       !(d.keys > d.renegs_wanted && d.echo_since_keys && sess_get_stats(d.s)->occ_rx))
		step(&d, 50);
	const struct sess_stats *st = sess_get_stats(d.s);
	printf("keys %d echo %d/%d occ %llu pings %llu renegs %llu\n", d.keys, d.echo_ok,
	       d.echo_sent, (unsigned long long)st->occ_rx, (unsigned long long)st->pings_rx,
	       (unsigned long long)st->renegotiations);
	bool ok = !d.failed && d.keys > d.renegs_wanted && d.echo_since_keys > 0 &&
		  st->occ_rx >= 1;
	sess_send_exit(d.s, drv_now_ms());
	for (int i = 0; i < 20; i++)	/* give the EXIT a second to be delivered and ACKed */
		step(&d, 50);
	sess_free(d.s);
	tls_conf_free(tls);
	close(d.fd);
	printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

/* ---- server mode ---- */

struct srvd {
	int fd;
	struct sess *s;
	struct cookie_ctx *cookie;
	struct sess_conf conf;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	int echoes, keys, exits;
	bool failed;
};

/* Turns an ICMP echo request to 10.8.0.1 (p2p: 10.9.0.1) into the reply, in place. */
static bool echo_reply(uint8_t *p, size_t n)
{
	if (n < 28 || (p[0] >> 4) != 4 || p[9] != 1 || p[16] != 10 ||
	    (p[17] != 8 && p[17] != 9) || p[18] != 0 || p[19] != 1)
		return false;
	size_t ihl = (size_t)(p[0] & 15) * 4;
	if (ihl < 20 || n < ihl + 8 || p[ihl] != 8)
		return false;
	uint8_t tmp[4];
	memcpy(tmp, p + 12, 4);
	memcpy(p + 12, p + 16, 4);
	memcpy(p + 16, tmp, 4);
	p[10] = p[11] = 0;
	uint16_t c = drv_csum(p, ihl);
	p[10] = (uint8_t)(c >> 8), p[11] = (uint8_t)c;
	p[ihl] = 0;
	p[ihl + 2] = p[ihl + 3] = 0;
	c = drv_csum(p + ihl, n - ihl);
	p[ihl + 2] = (uint8_t)(c >> 8), p[ihl + 3] = (uint8_t)c;
	return true;
}

static void srv_flush(struct srvd *d)
{
	struct sess_buf b;
	struct sess_event e;
	uint8_t pkt[2048];

	while (d->s && sess_pop_event(d->s, &e)) {
		if (e.type == SESS_EV_AUTH_REQUEST) {
			printf("auth request from '%s'\n", e.text);
			sess_auth_reply(d->s, true, "ifconfig 10.8.0.2 255.255.255.0,topology subnet,"
					"route-gateway 10.8.0.1,ping 2,ping-restart 20", drv_now_ms());
		} else if (e.type == SESS_EV_KEYS_READY) {
			d->keys++;
			printf("keys ready key %u %s %s\n", e.key_id, e.text, e.ekm ? "EKM" : "PRF");
		} else if (e.type == SESS_EV_EXIT) {
			d->exits++;
			printf("client exit\n");
		} else if (e.type == SESS_EV_ERROR) {
			printf("FAIL: %s\n", e.text);
			d->failed = true;
		} else {
			printf("event %d %s\n", e.type, e.text);
		}
	}
	while (d->s && sess_pop_tun(d->s, &b)) {
		if (b.len > sizeof(pkt))
			continue;
		memcpy(pkt, b.data, b.len);
		if (echo_reply(pkt, b.len) && sess_send_data(d->s, pkt, b.len, drv_now_ms()) == 0)
			d->echoes++;
	}
	while (d->s && sess_pop_wire(d->s, &b))
		sendto(d->fd, b.data, b.len, 0, (struct sockaddr *)&d->peer, d->peer_len);
}

static void srv_packet(struct srvd *d, const uint8_t *buf, size_t n)
{
	uint8_t reply[COOKIE_REPLY_MAX];
	size_t rlen = 0;
	struct cookie_accept acc;
	enum cookie_drop why;

	if (d->s) {
		sess_input(d->s, buf, n, drv_now_ms());
		return;
	}
	if (d->conf.p2p) {	/* a p2p tls-server has no cookie: the reset creates the session */
		d->conf.unix_time = (uint32_t)time(NULL);
		d->s = sess_new(&d->conf, drv_now_ms());
		if (d->s)
			sess_input(d->s, buf, n, drv_now_ms());
		else
			d->failed = true;
		return;
	}
	enum cookie_verdict v = cookie_check(d->cookie, &d->peer, d->peer_len, drv_now_ms(),
					     (uint32_t)time(NULL), buf, n, reply, &rlen, &acc, &why);
	if (v == COOKIE_REPLY) {
		printf("cookie reply\n");
		sendto(d->fd, reply, rlen, 0, (struct sockaddr *)&d->peer, d->peer_len);
	} else if (v == COOKIE_ACCEPT) {
		printf("cookie accepted\n");
		d->conf.unix_time = (uint32_t)time(NULL);	/* >= the cookie reply's timestamp */
		d->s = acc.reset ? sess_new(&d->conf, drv_now_ms())
				 : sess_new_accepted(&d->conf, acc.own_sid, acc.peer_sid,
						     acc.early_neg, drv_now_ms());
		if (d->s)
			sess_input(d->s, buf, n, drv_now_ms());
		else
			d->failed = true;
	} else {
		printf("cookie drop %d\n", why);
	}
}

static void srv_step(struct srvd *d)
{
	struct pollfd p = { .fd = d->fd, .events = POLLIN };
	uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);

	if (poll(&p, 1, 50) > 0) {
		ssize_t n = recvfrom(d->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n > 0) {
			if (!d->s) {
				d->peer = from;
				d->peer_len = flen;
			}
			srv_packet(d, buf, (size_t)n);
		}
	}
	if (d->s && sess_next_deadline(d->s) <= drv_now_ms())
		sess_timer(d->s, drv_now_ms());
	srv_flush(d);
}

static int open_listen(const char *host, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_port = htons((uint16_t)strtoul(port, NULL, 10));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

static int server_main(int argc, char **argv)
{
	struct srvd d;
	struct tls_conf *tls = NULL;
	uint8_t secret[COOKIE_SECRET_LEN];
	int seconds = 30, echoes = 3, renegs = 0;

	memset(&d, 0, sizeof(d));
	d.conf.role = SESS_SERVER;
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "--echoes") && i + 1 < argc)
			echoes = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--renegs") && i + 1 < argc)
			renegs = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--reneg-sec") && i + 1 < argc)
			d.conf.reneg_sec = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--p2p"))
			d.conf.p2p = true;
		else if (!strcmp(argv[i], "--v2") && i + 1 < argc) {
			char text[4096];
			int n = drv_load(argv[++i], text, sizeof(text));
			d.conf.wrap = SESS_WRAP_TLS_CRYPT_V2;
			if (n < 0 || skey_v2_server_parse(text, (size_t)n, d.conf.v2_server_key))
				return 2;
		} else if (i + 1 < argc && drv_wrap_arg(&d.conf, argv[i], argv[i + 1]) == 0) {
			if (d.conf.wrap == SESS_WRAP_TLS_AUTH)
				d.conf.key_dir = SESS_KEYDIR_NORMAL;
			i++;
		} else {
			fprintf(stderr, "bad option %s\n", argv[i]);
			return 2;
		}
	}
	log_set_level(LOG_LVL_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	d.fd = open_listen(argv[2], argv[3]);
	if (d.fd < 0 || drv_make_tls(&tls, argv[4], true) || RAND_bytes(secret, sizeof(secret)) != 1)
		return 1;
	d.conf.tls = tls;
	d.conf.peer_id = 3;
	d.cookie = cookie_new(secret, &d.conf);
	if (!d.cookie)
		return 1;
	printf("listening\n");
	uint64_t end = drv_now_ms() + (uint64_t)seconds * 1000;
	while (!d.failed && !d.exits && drv_now_ms() < end)
		srv_step(&d);
	bool ok = !d.failed && d.exits && d.echoes >= echoes && d.keys > renegs;
	printf("keys %d echoes %d exits %d: %s\n", d.keys, d.echoes, d.exits, ok ? "PASS" : "FAIL");
	sess_free(d.s);
	cookie_free(d.cookie);
	tls_conf_free(tls);
	close(d.fd);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 4 && !strcmp(argv[1], "--server"))
		return server_main(argc, argv);
	return client_main(argc, argv);
}
