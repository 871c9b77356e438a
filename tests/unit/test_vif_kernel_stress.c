/* Stress for the kernel backend (also run under ThreadSanitizer): a multiqueue TUN with a
 * blocked reader per queue and a writer, host traffic pouring in, the link toggled up/down
 * many times, then deleted: every thread must return promptly with -ENODEV, nothing hangs.
 * Runs in a private network namespace (unshare at start); skipped when not root. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vif/kernel.h"
#include "vif/nl.h"

#define ST_QUEUES 4
#define ST_TOGGLES 300
#define ST_JOIN_SECONDS 5
#define ST_BATCH 100

struct st_reader {
	struct vif_port *p;
	long packets;
	long downs;	/* -ENETDOWN seen: the toggling reached this reader */
	ssize_t last;
};

struct st_sender {
	int stop;
	long sent;
};

static void *st_read(void *arg)
{
	struct st_reader *r = arg;
	unsigned char buf[2048];
	ssize_t n;

	/* Bounded by the delete at the end of the test, which wakes every blocked reader. While
	 * the link is down a blocking read says so at once; wait a little for it to come up. */
	for (;;) {
		n = vif_read(r->p, buf, sizeof(buf));
		if (n > 0) {
			__atomic_fetch_add(&r->packets, 1, __ATOMIC_RELAXED);
		} else if (n == -ENETDOWN) {
			r->downs++;
			usleep(100);
		} else if (n != -EINTR) {
			break;
		}
	}
	r->last = n;
	return NULL;
}

static void *st_send(void *arg)
{
	struct st_sender *s = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return NULL;
	inet_pton(AF_INET, "10.99.0.2", &sa.sin_addr);
	for (long i = 0; i < 1000000 && !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE); i++) {
		/* Different source ports spread the flows over the queues. */
		sa.sin_port = htons((uint16_t)(9 + (i & 63)));
		if (sendto(fd, "stress", 6, 0, (struct sockaddr *)&sa, sizeof(sa)) == 6)
			s->sent++;
	}
	close(fd);
	return NULL;
}

static long st_total(struct st_reader *rd)
{
	long total = 0;

	for (int i = 0; i < ST_QUEUES; i++)
		total += __atomic_load_n(&rd[i].packets, __ATOMIC_RELAXED);
	return total;
}

/* With the link up and quiet: ST_BATCH more packets must reach the readers, within 3 s. */
static void st_batch_arrives(struct st_reader *rd)
{
	long before = st_total(rd);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, "10.99.0.2", &sa.sin_addr), 1);
	for (int i = 0; i < ST_BATCH; i++)
		assert_int_equal(sendto(fd, "batch", 5, 0, (struct sockaddr *)&sa, sizeof(sa)), 5);
	close(fd);
	for (int ms = 0; ms < 3000 && st_total(rd) < before + ST_BATCH; ms++)
		usleep(1000);
	assert_true(st_total(rd) >= before + ST_BATCH);
}

static void no_ipv6(const char *dev)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", dev);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		assert_int_equal(write(fd, "1", 1), 1);
		close(fd);
	}
}

static void st_join(pthread_t th)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
	ts.tv_sec += ST_JOIN_SECONDS;
	assert_int_equal(pthread_timedjoin_np(th, NULL, &ts), 0);
}

static void test_toggle_and_delete_under_load(void **state)
{
	struct st_reader rd[ST_QUEUES] = { 0 };
	struct st_sender snd = { 0 };
	pthread_t rth[ST_QUEUES], sth;
	struct vif_config cfg;
	struct nl_addr a;
	char name[IFNAMSIZ];
	long total = 0, downs = 0;
	int idx;

	(void)state;
	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "%s", "kst0");
	cfg.multiqueue = true;
	for (int i = 0; i < ST_QUEUES; i++)
		assert_int_equal(vif_kernel_open_ex(&cfg, false, name, sizeof(name), &rd[i].p, NULL),
				 0);
	idx = vif_kernel_ifindex(rd[0].p);
	no_ipv6("kst0");
	assert_int_equal(nl_parse_cidr("10.99.0.1/24", &a, NULL), 0);
	assert_int_equal(nl_addr_add(idx, &a, NULL, NULL), 0);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	for (int i = 0; i < ST_QUEUES; i++)
		assert_int_equal(pthread_create(&rth[i], NULL, st_read, &rd[i]), 0);
	assert_int_equal(pthread_create(&sth, NULL, st_send, &snd), 0);
	for (int i = 0; i < ST_TOGGLES; i++)
		assert_int_equal(nl_link_set_up(idx, i % 2 != 0, NULL), 0);
	assert_int_equal(nl_link_set_up(idx, true, NULL), 0);
	__atomic_store_n(&snd.stop, 1, __ATOMIC_RELEASE);
	st_join(sth);
	st_batch_arrives(rd);
	assert_int_equal(nl_link_del(idx, NULL), 0);
	for (int i = 0; i < ST_QUEUES; i++) {
		st_join(rth[i]);
		assert_int_equal(rd[i].last, -ENODEV);
		assert_int_equal(vif_state(rd[i].p), VIF_ST_GONE);
		total += rd[i].packets;
		downs += rd[i].downs;
		vif_close(rd[i].p);
	}
	print_message("sent %ld + %d, read %ld over %d queues, %d up/down toggles, %ld reads "
		      "saw the link down\n", snd.sent, ST_BATCH, total, ST_QUEUES, ST_TOGGLES, downs);
	assert_true(downs > 0);
	assert_true(total >= ST_BATCH);
	assert_true(total <= snd.sent + ST_BATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toggle_and_delete_under_load),
	};

	if (geteuid() != 0) {
		printf("SKIP vif_kernel_stress: needs root (a private network namespace and TUN devices)\n");
		return 77;
	}
	/* root but no namespace: the set-up failed, which is a failure, not a skip */
	if (unshare(CLONE_NEWNET) < 0) {
		printf("FAIL vif_kernel_stress: set-up: unshare(CLONE_NEWNET) as root: %s\n", strerror(errno));
		return 1;
	}
	if (nl_link_set_up(1, true, NULL) < 0) {
		printf("FAIL vif_kernel_stress: set-up: cannot bring lo up in the private namespace\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
