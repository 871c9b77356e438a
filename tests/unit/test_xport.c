/* Transports over loopback: UDP and TCP echo through the event loop, IPv4 and IPv6, TCP
 * framing across partial reads, resolution, closing from inside a callback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"
#include "core/xport.h"

/* ---- an echo peer and a client that counts what comes back ---- */

struct echo {
	struct xport *srv;		/* UDP socket or TCP listener */
	struct xport *conn;		/* TCP: the accepted stream */
	struct xport *cli;
	int got, connected, closed;
	uint8_t last[XPORT_MAX_PKT];
	size_t last_len;
};

static void srv_recv(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
		     const struct xport_addr *from)
{
	(void)arg;
	assert_int_equal(xport_send(xp, pkt, len, from), 0);
}

static const struct xport_cb srv_cb = { .recv = srv_recv };

static void srv_accept(void *arg, struct xport *l, struct xport *conn,
		       const struct xport_addr *from)
{
	struct echo *e = arg;

	(void)l;
	(void)from;
	e->conn = conn;
	xport_set_cb(conn, &srv_cb, e);
}

static const struct xport_cb listen_cb = { .accept = srv_accept };

static void cli_recv(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
		     const struct xport_addr *from)
{
	struct echo *e = arg;

	(void)xp;
	(void)from;
	e->got++;
	memcpy(e->last, pkt, len);
	e->last_len = len;
}

static void cli_event(void *arg, struct xport *xp, enum xport_event ev, int err)
{
	struct echo *e = arg;

	(void)xp;
	(void)err;
	if (ev == XPORT_EV_CONNECTED)
		e->connected = 1;
	else
		e->closed = ev;
}

static const struct xport_cb cli_cb = { .recv = cli_recv, .event = cli_event };

static void run_until(struct loop *lp, const int *flag, int want)
{
	for (int guard = 0; *flag < want && guard < 200; guard++)
		assert_true(loop_run_once(lp, 50) >= 0);
	assert_true(*flag >= want);
}

static void local_addr(int family, struct xport_addr *a)
{
	size_t n;

	assert_int_equal(xport_resolve(family == AF_INET ? "127.0.0.1" : "::1", "0", family,
				       XPORT_UDP, 1, a, 1, &n), 0);
	assert_int_equal(n, 1);
}

static void echo_packets(struct loop *lp, struct echo *e, const struct xport_addr *to)
{
	uint8_t pkt[1400];

	for (int i = 0; i < 20; i++) {
		size_t len = 1 + (size_t)i * 70;

		memset(pkt, 'a' + i, len);
		assert_int_equal(xport_send(e->cli, pkt, len, to), 0);
		run_until(lp, &e->got, i + 1);
		assert_int_equal(e->last_len, len);
		assert_memory_equal(e->last, pkt, len);
	}
}

static void udp_echo(int family, int connected)
{
	struct loop *lp;
	struct echo e = { 0 };
	struct xport_addr a, bound;

	assert_int_equal(loop_new(&lp), 0);
	local_addr(family, &a);
	assert_int_equal(xport_udp_open(lp, family, &a, NULL, &srv_cb, &e, &e.srv), 0);
	assert_int_equal(xport_local_addr(e.srv, &bound), 0);
	assert_int_equal(xport_udp_open(lp, family, NULL, connected ? &bound : NULL, &cli_cb, &e,
					&e.cli), 0);
	echo_packets(lp, &e, connected ? NULL : &bound);
	{
		struct xport_stats st;

		xport_get_stats(e.cli, &st);
		assert_int_equal(st.tx_pkts, 20);
		assert_int_equal(st.rx_pkts, 20);
	}
	/* Unconnected socket without a destination, empty and oversized packets are refused. */
	if (!connected)
		assert_int_equal(xport_send(e.cli, (const uint8_t *)"x", 1, NULL), -ENOTCONN);
	assert_int_equal(xport_send(e.cli, (const uint8_t *)"x", 0, &bound), -EMSGSIZE);
	xport_close(e.cli);
	xport_close(e.srv);
	loop_free(lp);
}

static void test_udp_echo_v4(void **state) { (void)state; udp_echo(AF_INET, 0); }
static void test_udp_echo_v4_connected(void **state) { (void)state; udp_echo(AF_INET, 1); }
static void test_udp_echo_v6(void **state) { (void)state; udp_echo(AF_INET6, 1); }

/* A connected UDP socket to a port nobody listens on reports the ICMP error. */
static void test_udp_refused(void **state)
{
	struct loop *lp;
	struct echo e = { 0 };
	struct xport_addr a, bound;
	struct xport *tmp;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	local_addr(AF_INET, &a);
	assert_int_equal(xport_udp_open(lp, AF_INET, &a, NULL, &srv_cb, &e, &tmp), 0);
	assert_int_equal(xport_local_addr(tmp, &bound), 0);
	xport_close(tmp);	/* the port is now closed */
	assert_int_equal(xport_udp_open(lp, AF_INET, NULL, &bound, &cli_cb, &e, &e.cli), 0);
	assert_int_equal(xport_send(e.cli, (const uint8_t *)"ping", 4, NULL), 0);
	run_until(lp, &e.closed, XPORT_EV_ERROR);
	assert_int_equal(e.closed, XPORT_EV_ERROR);
	xport_close(e.cli);
	loop_free(lp);
}

static void tcp_echo(int family)
{
	struct loop *lp;
	struct echo e = { 0 };
	struct xport_addr a, bound;

	assert_int_equal(loop_new(&lp), 0);
	local_addr(family, &a);
	assert_int_equal(xport_tcp_listen(lp, &a, 4, &listen_cb, &e, &e.srv), 0);
	assert_int_equal(xport_local_addr(e.srv, &bound), 0);
	assert_int_equal(xport_tcp_connect(lp, &bound, NULL, &cli_cb, &e, &e.cli), 0);
	/* Queued before the connect completes, delivered after. */
	assert_int_equal(xport_send(e.cli, (const uint8_t *)"early", 5, NULL), 0);
	run_until(lp, &e.connected, 1);
	run_until(lp, &e.got, 1);
	assert_int_equal(e.last_len, 5);
	assert_memory_equal(e.last, "early", 5);
	e.got = 0;
	echo_packets(lp, &e, NULL);
	/* The server side goes away: the client hears CLOSED. */
	xport_close(e.conn);
	run_until(lp, &e.closed, XPORT_EV_CLOSED);
	xport_close(e.cli);
	xport_close(e.srv);
	loop_free(lp);
}

static void test_tcp_echo_v4(void **state) { (void)state; tcp_echo(AF_INET); }
static void test_tcp_echo_v6(void **state) { (void)state; tcp_echo(AF_INET6); }

/* Records split byte by byte across writes reassemble; a zero length closes the stream. */
static void test_tcp_partial_and_bad_framing(void **state)
{
	struct loop *lp;
	struct echo e = { 0 };
	struct xport_addr a, bound;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	const uint8_t rec[] = { 0x00, 0x03, 'a', 'b', 'c', 0x00, 0x00 };
	int fd, lfd;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	/* A raw listening socket plays the peer so we control the bytes. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	memcpy(&bound.ss, &sin, sizeof(sin));
	bound.len = sizeof(sin);
	(void)a;
	assert_int_equal(xport_tcp_connect(lp, &bound, NULL, &cli_cb, &e, &e.cli), 0);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	run_until(lp, &e.connected, 1);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(write(fd, &rec[i], 1), 1);
		assert_true(loop_run_once(lp, 20) >= 0);
	}
	run_until(lp, &e.got, 1);
	assert_int_equal(e.last_len, 3);
	assert_memory_equal(e.last, "abc", 3);
	assert_int_equal(write(fd, rec + 5, 2), 2);	/* length 0: invalid */
	run_until(lp, &e.closed, XPORT_EV_CLOSED);
	{
		struct xport_stats st;

		xport_get_stats(e.cli, &st);
		assert_int_equal(st.rx_errors, 1);
	}
	xport_close(e.cli);
	close(fd);
	close(lfd);
	loop_free(lp);
}

/* Closing the transport from inside its own receive callback is safe (ASan checks). */
static void close_recv(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
		       const struct xport_addr *from)
{
	struct echo *e = arg;

	(void)pkt;
	(void)len;
	(void)from;
	e->got++;
	xport_close(xp);
}

static const struct xport_cb close_cb = { .recv = close_recv };

static void test_close_in_callback(void **state)
{
	struct loop *lp;
	struct echo e = { 0 };
	struct xport_addr a, bound;
	struct xport *victim;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	local_addr(AF_INET, &a);
	assert_int_equal(xport_udp_open(lp, AF_INET, &a, NULL, &close_cb, &e, &victim), 0);
	assert_int_equal(xport_local_addr(victim, &bound), 0);
	assert_int_equal(xport_udp_open(lp, AF_INET, NULL, &bound, &cli_cb, &e, &e.cli), 0);
	/* Two datagrams queued: the first closes the socket, the second must not be read. */
	assert_int_equal(xport_send(e.cli, (const uint8_t *)"1", 1, NULL), 0);
	assert_int_equal(xport_send(e.cli, (const uint8_t *)"2", 1, NULL), 0);
	usleep(10000);
	run_until(lp, &e.got, 1);
	assert_true(loop_run_once(lp, 20) >= 0);
	assert_int_equal(e.got, 1);
	xport_close(e.cli);
	loop_free(lp);
}

static void test_resolve_and_format(void **state)
{
	struct xport_addr a[4];
	char buf[64];
	size_t n;

	(void)state;
	assert_int_equal(xport_resolve("127.0.0.1", "1194", AF_UNSPEC, XPORT_UDP, 0, a, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(xport_addr_str(&a[0], buf, sizeof(buf)), "127.0.0.1:1194");
	assert_int_equal(xport_resolve("::1", "443", AF_INET6, XPORT_TCP, 0, a, 4, &n), 0);
	assert_string_equal(xport_addr_str(&a[0], buf, sizeof(buf)), "[::1]:443");
	assert_int_equal(xport_resolve("localhost", "1194", AF_INET, XPORT_UDP, 0, a, 4, &n), 0);
	assert_int_equal(xport_addr_family(&a[0]), AF_INET);
	assert_int_equal(xport_resolve("no-such-host.invalid", "1194", AF_UNSPEC, XPORT_UDP, 0,
				       a, 4, &n) < 0, 1);
	assert_int_equal(xport_resolve("127.0.0.1", "notaport", AF_UNSPEC, XPORT_UDP, 0, a, 4,
				       &n) < 0, 1);
	/* Truncation still terminates. */
	assert_int_equal(xport_resolve("127.0.0.1", "1194", AF_INET, XPORT_UDP, 0, a, 4, &n), 0);
	xport_addr_str(&a[0], buf, 5);
	assert_string_equal(buf, "127.");
	assert_true(xport_addr_equal(&a[0], &a[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_echo_v4),
		cmocka_unit_test(test_udp_echo_v4_connected),
		cmocka_unit_test(test_udp_echo_v6),
		cmocka_unit_test(test_udp_refused),
		cmocka_unit_test(test_tcp_echo_v4),
		cmocka_unit_test(test_tcp_echo_v6),
		cmocka_unit_test(test_tcp_partial_and_bad_framing),
		cmocka_unit_test(test_close_in_callback),
		cmocka_unit_test(test_resolve_and_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
