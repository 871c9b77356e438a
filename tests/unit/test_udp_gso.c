/* Corked UDP sends (udp_gso.c) over loopback: whatever runs of sizes and destinations are
 * sent between xport_cork and xport_uncork, the receivers get exactly the same datagrams in
 * the same order, and nothing leaves before the uncork (or a change of destination); closing
 * a corked transport still sends what it held; received batches come in through recvmmsg unchanged. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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

static const struct xport_cb no_cb;

/* A plain UDP socket on 127.0.0.1 (the receiver); its address in *a. */
static int sink(struct xport_addr *a)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), sz = 4 << 20;

	assert_true(fd >= 0);
	memset(a, 0, sizeof(*a));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->len = sizeof(*in);
	assert_int_equal(bind(fd, (struct sockaddr *)in, a->len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a->ss, &a->len), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

/* Packet i: its size and a byte pattern naming it. */
static size_t fill(uint8_t *p, int i, size_t len)
{
	for (size_t k = 0; k < len; k++)
		p[k] = (uint8_t)(i * 13 + k);
	return len;
}

static void expect(int fd, int i, size_t len)
{
	uint8_t want[XPORT_MAX_PKT], got[XPORT_MAX_PKT + 1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(recv(fd, got, sizeof(got), 0), (ssize_t)len);
	fill(want, i, len);
	assert_memory_equal(got, want, len);
}

static void nothing(int fd)
{
	uint8_t b[16];

	assert_int_equal(recv(fd, b, sizeof(b), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

static void test_runs_and_order(void **st)
{
	/* equal runs, a short tail, a longer one, runs over 64, single ones, up to the maximum */
	static const size_t sizes[] = { 1400, 1400, 1400, 700, 1400, 1500, 1500, 1, 2, 3, 4096,
					 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096,
					 4096, 4096, 4096, 4096, 4096, 4096, 4096, 100 };
	struct loop *lp;
	struct xport *xp;
	struct xport_addr a;
	uint8_t p[XPORT_MAX_PKT];
	int fd = sink(&a);
	int n = (int)(sizeof(sizes) / sizeof(sizes[0]));

	(void)st;
	assert_int_equal(loop_new(&lp), 0);
	assert_int_equal(xport_udp_open(lp, AF_INET, NULL, &a, &no_cb, NULL, &xp), 0);
	for (int round = 0; round < 2; round++) {
		xport_cork(xp);
		for (int i = 0; i < n; i++)
			assert_int_equal(xport_send(xp, p, fill(p, i, sizes[i]), NULL), 0);
		for (int i = 0; i < 70; i++)	/* more than one GSO send holds */
			assert_int_equal(xport_send(xp, p, fill(p, n + i, 1000), NULL), 0);
		assert_int_equal(xport_uncork(xp), 0);
		for (int i = 0; i < n; i++)
			expect(fd, i, sizes[i]);
		for (int i = 0; i < 70; i++)
			expect(fd, n + i, 1000);
		nothing(fd);
	}
	assert_int_equal(xport_uncork(xp), 0);	/* not corked: nothing to do */
	xport_close(xp);
	loop_free(lp);
	close(fd);
}

static void test_destinations_and_close(void **st)
{
	struct loop *lp;
	struct xport *xp;
	struct xport_addr a, b;
	uint8_t p[XPORT_MAX_PKT];
	int fa = sink(&a), fb = sink(&b);

	(void)st;
	assert_int_equal(loop_new(&lp), 0);
	assert_int_equal(xport_udp_open(lp, AF_INET, NULL, NULL, &no_cb, NULL, &xp), 0);
	xport_cork(xp);
	/* unconnected: a destination is required */
	assert_int_equal(xport_send(xp, p, 10, NULL), -ENOTCONN);
	assert_int_equal(xport_send(xp, p, fill(p, 0, 1200), &a), 0);
	nothing(fa);	/* held */
	assert_int_equal(xport_send(xp, p, fill(p, 1, 1200), &b), 0);
	expect(fa, 0, 1200);	/* another destination: the held run went out first */
	assert_int_equal(xport_send(xp, p, fill(p, 2, 1200), &b), 0);
	nothing(fb);
	assert_int_equal(xport_send(xp, p, fill(p, 3, 1200), &a), 0);
	expect(fb, 1, 1200);
	expect(fb, 2, 1200);
	nothing(fa);
	xport_close(xp);	/* the close sends what is held */
	expect(fa, 3, 1200);
	nothing(fa);
	nothing(fb);
	loop_free(lp);
	close(fa);
	close(fb);
}

/* The receiving side: a burst bigger than one recvmmsg batch arrives whole and in order. */
struct rx {
	int got;
	size_t bad;
};

static void on_recv(void *arg, struct xport *xp, const uint8_t *pkt, size_t len,
		    const struct xport_addr *from)
{
	struct rx *r = arg;
	uint8_t want[XPORT_MAX_PKT];

	(void)xp, (void)from;
	if (len != 300 + (size_t)r->got || memcmp(pkt, want, fill(want, r->got, len)))
		r->bad++;
	r->got++;
}

static void test_receive_batches(void **st)
{
	static const struct xport_cb cb = { .recv = on_recv };
	struct loop *lp;
	struct xport *rx, *tx;
	struct xport_addr a;
	struct rx r = { 0 };
	uint8_t p[XPORT_MAX_PKT];
	int fd = sink(&a);

	(void)st;
	close(fd);	/* only its free port: the transport binds it */
	assert_int_equal(loop_new(&lp), 0);
	assert_int_equal(xport_udp_open(lp, AF_INET, &a, NULL, &cb, &r, &rx), 0);
	assert_int_equal(xport_udp_open(lp, AF_INET, NULL, &a, &no_cb, NULL, &tx), 0);
	xport_cork(tx);
	for (int i = 0; i < 150; i++)
		assert_int_equal(xport_send(tx, p, fill(p, i, 300 + (size_t)i), NULL), 0);
	assert_int_equal(xport_uncork(tx), 0);
	for (int i = 0; i < 50 && r.got < 150; i++)
		assert_true(loop_run_once(lp, 100) >= 0);
	assert_int_equal(r.got, 150);
	assert_int_equal(r.bad, 0);
	xport_close(tx);
	xport_close(rx);
	loop_free(lp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_and_order),
		cmocka_unit_test(test_destinations_and_close),
		cmocka_unit_test(test_receive_batches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
