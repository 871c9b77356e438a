/* The userspace device against vif.md: one group of tests per numbered point, plus each flaw of
 * Haiku's tunnel driver as a regression case (names start with test_haiku_). Every test uses
 * its own device names and deletes them, so the process-wide registry ends empty. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vif/vif.h"

/* ---- helpers ---- */

/* A minimal IPv4 packet of len bytes (len >= 20) carrying tag in its payload. */
static size_t mk_ipv4(uint8_t *buf, size_t len, uint32_t tag)
{
	memset(buf, 0, len);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	buf[8] = 64;
	buf[9] = 17;
	if (len >= 24)
		memcpy(buf + 20, &tag, sizeof(tag));
	return len;
}

static size_t mk_ipv6(uint8_t *buf, size_t len, uint32_t tag)
{
	memset(buf, 0, len);
	buf[0] = 0x60;
	buf[4] = (uint8_t)((len - 40) >> 8);
	buf[5] = (uint8_t)(len - 40);
	buf[6] = 17;
	buf[7] = 64;
	if (len >= 44)
		memcpy(buf + 40, &tag, sizeof(tag));
	return len;
}

static size_t mk_eth(uint8_t *buf, size_t len, uint32_t tag)
{
	memset(buf, 0, len);
	memset(buf, 0xff, 6);
	buf[6] = 0x02;
	buf[12] = 0x08;
	if (len >= 18)
		memcpy(buf + 14, &tag, sizeof(tag));
	return len;
}

static void mk_dev(const char *name, enum vif_type type, unsigned qlen, bool mq)
{
	struct vif_config cfg;

	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.type = type;
	cfg.queue_len = qlen;
	cfg.multiqueue = mq;
	assert_int_equal(vif_user_create(&cfg, NULL, 0), 0);
}

/* Device up with both sides attached. */
static void mk_pair(const char *name, enum vif_type type, unsigned qlen, struct vif_port **app,
		    struct vif_port **ifc)
{
	mk_dev(name, type, qlen, false);
	assert_int_equal(vif_user_set_up(name, true), 0);
	assert_int_equal(vif_user_attach(name, VIF_SIDE_APP, app), 0);
	assert_int_equal(vif_user_attach(name, VIF_SIDE_IFACE, ifc), 0);
}

static void rm_pair(const char *name, struct vif_port *app, struct vif_port *ifc)
{
	vif_close(app);
	vif_close(ifc);
	assert_int_equal(vif_user_delete(name), 0);
}

static bool fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* ---- 1. create / delete ---- */

static void test_create_exact_and_eexist(void **state)
{
	char out[VIF_NAME_MAX];
	struct vif_config cfg;

	(void)state;
	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "ex0");
	assert_int_equal(vif_user_create(&cfg, out, sizeof(out)), 0);
	assert_string_equal(out, "ex0");
	assert_int_equal(vif_user_create(&cfg, out, sizeof(out)), -EEXIST);
	assert_int_equal(vif_user_delete("ex0"), 0);
	assert_int_equal(vif_user_delete("ex0"), -ENODEV);
	assert_int_equal(vif_user_count(), 0);
}

static void test_create_template_lowest_free(void **state)
{
	char a[VIF_NAME_MAX], b[VIF_NAME_MAX], c[VIF_NAME_MAX];
	struct vif_config cfg;

	(void)state;
	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "tpl%%dx");
	assert_int_equal(vif_user_create(&cfg, a, sizeof(a)), 0);
	assert_int_equal(vif_user_create(&cfg, b, sizeof(b)), 0);
	assert_string_equal(a, "tpl0x");
	assert_string_equal(b, "tpl1x");
	/* A non-canonical number does not hold a slot; a freed slot is reused first. */
	mk_dev("tpl02x", VIF_TUN, 0, false);
	assert_int_equal(vif_user_delete("tpl0x"), 0);
	assert_int_equal(vif_user_create(&cfg, c, sizeof(c)), 0);
	assert_string_equal(c, "tpl0x");
	assert_int_equal(vif_user_create(&cfg, c, sizeof(c)), 0);
	assert_string_equal(c, "tpl2x");
	/* name_out too small: refused before the name is taken. */
	assert_int_equal(vif_user_create(&cfg, c, 4), -ENOSPC);
	for (const char *n = "tpl0x\0tpl1x\0tpl2x\0tpl02x\0"; *n; n += strlen(n) + 1)
		assert_int_equal(vif_user_delete(n), 0);
	assert_int_equal(vif_user_count(), 0);
}

static void test_create_bad_names(void **state)
{
	static const char *bad[] = { "", "a/b", "a:b", ".", "..", "sp ace", "tab\t",
		"sixteen_chars_xx", "x%s", "x%d%d", "x%", "%%d", "\x7f" };
	struct vif_config cfg;

	(void)state;
	vif_config_init(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cfg.name, sizeof(cfg.name), "%s", bad[i]);
		assert_int_equal(vif_name_check(bad[i]), -EINVAL);
		assert_int_equal(vif_user_create(&cfg, NULL, 0), -EINVAL);
	}
	assert_int_equal(vif_name_check("fifteen_chars_x"), 0);
	assert_int_equal(vif_name_check("a.b-c_%d"), 0);
	/* A template whose expansion no longer fits in 15 bytes once it needs three digits. */
	snprintf(cfg.name, sizeof(cfg.name), "abcdefghijklm%%d");
	for (int i = 0; i < 100; i++)
		assert_int_equal(vif_user_create(&cfg, NULL, 0), 0);
	assert_int_equal(vif_user_create(&cfg, NULL, 0), -ENFILE);
	for (int i = 0; i < 100; i++) {
		char n[VIF_NAME_MAX];

		snprintf(n, sizeof(n), "abcdefghijklm%d", i);
		assert_int_equal(vif_user_delete(n), 0);
	}
	assert_int_equal(vif_user_count(), 0);
}

static void test_create_bad_config(void **state)
{
	struct vif_config cfg;

	(void)state;
	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "cfg0");
	cfg.mtu = 67;
	assert_int_equal(vif_user_create(&cfg, NULL, 0), -EINVAL);
	cfg.mtu = 65536;
	assert_int_equal(vif_user_create(&cfg, NULL, 0), -EINVAL);
	cfg.mtu = 1500;
	cfg.queue_len = VIF_QUEUE_LEN_MAX + 1;
	assert_int_equal(vif_user_create(&cfg, NULL, 0), -EINVAL);
	cfg.queue_len = 0;
	cfg.type = VIF_TAP;
	cfg.has_mac = true;
	memcpy(cfg.mac, "\x01\x00\x5e\x00\x00\x01", 6);	/* multicast */
	assert_int_equal(vif_user_create(&cfg, NULL, 0), -EINVAL);
	memset(cfg.mac, 0, 6);
	assert_int_equal(vif_user_create(&cfg, NULL, 0), -EINVAL);
	cfg.has_mac = false;
	cfg.vnet_hdr = true;
	assert_int_equal(vif_user_create(&cfg, NULL, 0), -EOPNOTSUPP);
	assert_int_equal(vif_user_create(NULL, NULL, 0), -EINVAL);
	assert_int_equal(vif_user_count(), 0);
}

/* Haiku: only 10 devices. Thousands here, by template, all findable, all removable. */
static void test_haiku_thousands_of_devices(void **state)
{
	enum { N = 3000 };
	char name[VIF_NAME_MAX];
	struct vif_config cfg;
	struct vif_port *p;

	(void)state;
	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "many%%d");
	for (int i = 0; i < N; i++) {
		assert_int_equal(vif_user_create(&cfg, name, sizeof(name)), 0);
		assert_int_equal(atol(name + 4) == i, 1);
	}
	assert_int_equal(vif_user_count(), N);
	assert_int_equal(vif_user_attach("many2999", VIF_SIDE_APP, &p), 0);
	assert_string_equal(p->name, "many2999");
	vif_close(p);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "many%d", i);
		assert_int_equal(vif_user_delete(name), 0);
	}
	assert_int_equal(vif_user_count(), 0);
}

/* Haiku: deleting an open device leaked it and its name. */
static void test_haiku_delete_while_open(void **state)
{
	struct vif_port *app, *ifc, *app2;
	struct vif_stats st;
	uint8_t pkt[100], buf[2000];

	(void)state;
	mk_pair("del0", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_write(app, pkt, mk_ipv4(pkt, 100, 1)), 100);
	assert_int_equal(vif_user_delete("del0"), 0);
	/* The name is free at once: a new, independent device takes it. */
	mk_dev("del0", VIF_TUN, 0, false);
	assert_int_equal(vif_user_set_up("del0", true), 0);
	assert_int_equal(vif_user_attach("del0", VIF_SIDE_APP, &app2), 0);
	assert_int_equal(vif_write(app2, pkt, 100), 100);
	/* The old handles see the device gone, and its queued packet counted as dropped. */
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -ENODEV);
	assert_int_equal(vif_write(app, pkt, 100), -ENODEV);
	assert_int_equal(vif_state(app), VIF_ST_GONE);
	assert_int_equal(vif_get_stats(app, &st), 0);
	assert_int_equal(st.rx_dropped, 1);
	assert_int_equal(st.rx_packets, 0);
	/* The old device is freed by these closes (AddressSanitizer reports a leak otherwise). */
	vif_close(app);
	vif_close(ifc);
	vif_close(app2);
	assert_int_equal(vif_user_delete("del0"), 0);
	assert_int_equal(vif_user_count(), 0);
}

/* ---- 2. attach ---- */

/* Haiku: one opener, sides told apart by guessing. Here: explicit sides, each once. */
static void test_haiku_two_openers_rules(void **state)
{
	struct vif_port *a, *b, *i1, *x = NULL;

	(void)state;
	mk_dev("att0", VIF_TUN, 0, false);
	assert_int_equal(vif_user_attach("nosuch", VIF_SIDE_APP, &x), -ENODEV);
	assert_int_equal(vif_user_attach("att0", VIF_SIDE_APP, &a), 0);
	assert_int_equal(a->side, VIF_SIDE_APP);
	assert_int_equal(vif_user_attach("att0", VIF_SIDE_APP, &x), -EBUSY);
	assert_int_equal(vif_user_attach("att0", VIF_SIDE_IFACE, &i1), 0);
	assert_int_equal(i1->side, VIF_SIDE_IFACE);
	assert_int_equal(vif_user_attach("att0", VIF_SIDE_IFACE, &x), -EBUSY);
	assert_int_equal(vif_user_attach_queue("att0", VIF_SIDE_APP, 1, &x), -EINVAL);
	assert_int_equal(vif_user_attach("att0", (enum vif_side)7, &x), -EINVAL);
	assert_null(x);
	vif_close(a);
	assert_int_equal(vif_user_attach("att0", VIF_SIDE_APP, &b), 0);
	vif_close(b);
	vif_close(i1);
	assert_int_equal(vif_user_delete("att0"), 0);
}

static void test_multiqueue_pairs(void **state)
{
	struct vif_port *app[3], *ifc[3], *x;
	uint8_t pkt[64], buf[2000];

	(void)state;
	mk_dev("mq0", VIF_TUN, 0, true);
	assert_int_equal(vif_user_set_up("mq0", true), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(vif_user_attach("mq0", VIF_SIDE_APP, &app[i]), 0);
		assert_int_equal(app[i]->queue, i);
		assert_int_equal(vif_user_attach("mq0", VIF_SIDE_IFACE, &ifc[i]), 0);
		assert_int_equal(ifc[i]->queue, i);
		assert_int_equal(vif_set_nonblock(ifc[i], true), 0);
	}
	assert_int_equal(vif_user_attach_queue("mq0", VIF_SIDE_APP, 1, &x), -EBUSY);
	assert_int_equal(vif_user_attach_queue("mq0", VIF_SIDE_APP, VIF_MAX_QUEUES, &x), -EINVAL);
	assert_int_equal(vif_user_attach_queue("mq0", VIF_SIDE_APP, 200, &x), 0);
	assert_int_equal(x->queue, 200);
	vif_close(x);
	/* Each pair is its own path: queue 1's packet reaches queue 1 only. */
	assert_int_equal(vif_write(app[1], pkt, mk_ipv4(pkt, 64, 11)), 64);
	assert_int_equal(vif_read(ifc[0], buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(vif_read(ifc[2], buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(vif_read(ifc[1], buf, sizeof(buf)), 64);
	assert_memory_equal(buf, pkt, 64);
	for (int i = 0; i < 3; i++) {
		vif_close(app[i]);
		vif_close(ifc[i]);
	}
	assert_int_equal(vif_user_delete("mq0"), 0);
}

/* ---- 3. read ---- */

static void test_read_one_packet_per_call(void **state)
{
	static const size_t lens[] = { 20, 1500, 64, 333 };
	struct vif_port *app, *ifc;
	uint8_t pkt[1500], buf[4000];

	(void)state;
	mk_pair("rd0", VIF_TUN, 0, &app, &ifc);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(vif_write(app, pkt, mk_ipv4(pkt, lens[i], (uint32_t)i)), lens[i]);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(vif_read(ifc, buf, sizeof(buf)), lens[i]);
		assert_int_equal(buf[3], (uint8_t)lens[i]);
	}
	rm_pair("rd0", app, ifc);
}

/* Haiku: reads ignored O_NONBLOCK. An empty queue is -EAGAIN; down is -ENETDOWN and deleted
 * -ENODEV as for a blocking reader, the same answers as the kernel device gives
 * (test_vif_kernel.c test_nonblock_read_down). */
static void test_haiku_nonblock_honoured(void **state)
{
	struct vif_port *app, *ifc;
	uint8_t buf[2000];

	(void)state;
	mk_pair("nb0", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_set_nonblock(app, true), 0);
	assert_int_equal(vif_set_nonblock(ifc, true), 0);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(vif_user_set_up("nb0", false), 0);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_user_set_up("nb0", true), 0);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(vif_user_delete("nb0"), 0);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -ENODEV);
	vif_close(app);
	vif_close(ifc);
}

/* Haiku: a short read silently truncated the packet. */
static void test_haiku_short_read_emsgsize(void **state)
{
	struct vif_port *app, *ifc;
	uint8_t pkt[200], buf[2000];

	(void)state;
	mk_pair("sr0", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_write(app, pkt, mk_ipv4(pkt, 200, 0xabcd)), 200);
	assert_int_equal(vif_read(ifc, buf, 199), -EMSGSIZE);
	assert_int_equal(vif_read(ifc, buf, 10), -EMSGSIZE);
	assert_true(vif_state(ifc) & VIF_ST_READABLE);
	assert_int_equal(vif_read(ifc, buf, 200), 200);
	assert_memory_equal(buf, pkt, 200);
	rm_pair("sr0", app, ifc);
}

/* Haiku: a reader arriving after teardown slept forever (no persistent dead flag). These are
 * blocking ports: if the flag were missing the test would hang (the watchdog in main fails it). */
static void test_haiku_late_reader_after_teardown(void **state)
{
	struct vif_port *app, *ifc;
	uint8_t buf[2000];

	(void)state;
	mk_pair("late0", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_user_set_up("late0", false), 0);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_user_delete("late0"), 0);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -ENODEV);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -ENODEV);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -ENODEV);
	vif_close(app);
	vif_close(ifc);
}

struct rd_arg {
	struct vif_port *p;
	pthread_barrier_t *bar;
	ssize_t rc;
	uint8_t buf[2000];
};

static void *blocking_reader(void *arg)
{
	struct rd_arg *a = arg;

	pthread_barrier_wait(a->bar);
	a->rc = vif_read(a->p, a->buf, sizeof(a->buf));
	return NULL;
}

static void test_read_blocking_gets_packet(void **state)
{
	struct vif_port *app, *ifc;
	pthread_barrier_t bar;
	struct rd_arg a;
	pthread_t t;
	uint8_t pkt[300];

	(void)state;
	mk_pair("blk0", VIF_TUN, 0, &app, &ifc);
	pthread_barrier_init(&bar, NULL, 2);
	a.p = ifc;
	a.bar = &bar;
	assert_int_equal(pthread_create(&t, NULL, blocking_reader, &a), 0);
	pthread_barrier_wait(&bar);
	assert_int_equal(vif_write(app, pkt, mk_ipv4(pkt, 300, 7)), 300);
	pthread_join(t, NULL);
	assert_int_equal(a.rc, 300);
	assert_memory_equal(a.buf, pkt, 300);
	pthread_barrier_destroy(&bar);
	rm_pair("blk0", app, ifc);
}

/* ---- 4. write, app side ---- */

static void test_app_write_validates_tun(void **state)
{
	struct vif_port *app, *ifc;
	struct vif_stats st;
	uint8_t p[1600];
	int errors = 0;

	(void)state;
	mk_pair("val0", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 20, 0)), 20);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 1500, 0)), 1500);
	mk_ipv4(p, 100, 0);
	p[0] = 0x55;	/* version 5 */
	assert_int_equal(vif_write(app, p, 100), -EINVAL), errors++;
	p[0] = 0x44;	/* IHL 4 < 5 */
	assert_int_equal(vif_write(app, p, 100), -EINVAL), errors++;
	p[0] = 0x4f;	/* IHL 60 > 40 bytes */
	assert_int_equal(vif_write(app, p, 40), -EINVAL), errors++;
	p[0] = 0x45;	/* total length 100, but 99 written */
	assert_int_equal(vif_write(app, p, 99), -EINVAL), errors++;
	assert_int_equal(vif_write(app, p, 19), -EINVAL), errors++;
	assert_int_equal(vif_write(app, p, 0), -EINVAL), errors++;
	mk_ipv6(p, 100, 0);
	p[5] = 61;	/* payload length 61, but 60 written */
	assert_int_equal(vif_write(app, p, 100), -EINVAL), errors++;
	assert_int_equal(vif_write(app, p, 39), -EINVAL), errors++;
	/* Longer than the MTU, with a header that agrees: EMSGSIZE, until the MTU grows. */
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 1501, 0)), -EMSGSIZE), errors++;
	assert_int_equal(vif_user_set_mtu("val0", 1501), 0);
	assert_int_equal(vif_write(app, p, 1501), 1501);
	assert_int_equal(vif_user_get_stats("val0", &st), 0);
	assert_int_equal(st.rx_errors, errors);
	assert_int_equal(st.rx_dropped, 0);
	assert_int_equal(vif_read(ifc, p, sizeof(p)), 20);
	assert_int_equal(vif_read(ifc, p, sizeof(p)), 1500);
	assert_int_equal(vif_read(ifc, p, sizeof(p)), 1501);
	rm_pair("val0", app, ifc);
}

/* Haiku: TUN carried IPv4 only. */
static void test_haiku_tun_carries_ipv6(void **state)
{
	struct vif_port *app, *ifc;
	uint8_t p[1500], buf[1500];

	(void)state;
	mk_pair("v60", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_write(app, p, mk_ipv6(p, 40, 0)), 40);
	assert_int_equal(vif_write(app, p, mk_ipv6(p, 1280, 6)), 1280);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 40);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 1280);
	assert_memory_equal(buf, p, 1280);
	/* The other direction too. */
	assert_int_equal(vif_write(ifc, p, 1280), 1280);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), 1280);
	rm_pair("v60", app, ifc);
}

static void test_app_write_validates_tap(void **state)
{
	struct vif_port *app, *ifc;
	struct vif_stats st;
	uint8_t f[1600];

	(void)state;
	mk_pair("tapv0", VIF_TAP, 0, &app, &ifc);
	assert_int_equal(vif_write(app, f, mk_eth(f, 13, 0)), -EINVAL);
	assert_int_equal(vif_write(app, f, mk_eth(f, 14, 0)), 14);
	assert_int_equal(vif_write(app, f, mk_eth(f, 1514, 0)), 1514);
	assert_int_equal(vif_write(app, f, mk_eth(f, 1515, 0)), -EMSGSIZE);
	f[12] = 0x81;	/* 802.1Q tag: four more bytes allowed */
	f[13] = 0x00;
	assert_int_equal(vif_write(app, f, 1518), 1518);
	assert_int_equal(vif_write(app, f, 1519), -EMSGSIZE);
	assert_int_equal(vif_user_get_stats("tapv0", &st), 0);
	assert_int_equal(st.rx_errors, 3);
	rm_pair("tapv0", app, ifc);
}

struct wr_arg {
	struct vif_port *p;
	pthread_barrier_t *bar;
	int done_fd;
	ssize_t rc;
	uint8_t pkt[100];
};

static void *blocking_writer(void *arg)
{
	struct wr_arg *a = arg;
	uint64_t one = 1;

	pthread_barrier_wait(a->bar);
	a->rc = vif_write(a->p, a->pkt, sizeof(a->pkt));
	assert_int_equal(write(a->done_fd, &one, sizeof(one)), sizeof(one));
	return NULL;
}

static bool fd_wait(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1;
}

static void test_app_write_full_queue(void **state)
{
	struct vif_port *app, *ifc;
	pthread_barrier_t bar;
	struct wr_arg a;
	pthread_t t;
	uint8_t p[100], buf[200];
	int pfd[2];

	(void)state;
	mk_pair("full0", VIF_TUN, 4, &app, &ifc);
	assert_int_equal(vif_set_nonblock(app, true), 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, i)), 100);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 4)), -EAGAIN);
	assert_false(vif_state(app) & VIF_ST_WRITABLE);
	/* A blocking writer waits for space: not done while full, done once one is read. */
	assert_int_equal(vif_set_nonblock(app, false), 0);
	assert_int_equal(pipe(pfd), 0);
	pthread_barrier_init(&bar, NULL, 2);
	a.p = app;
	a.bar = &bar;
	a.done_fd = pfd[1];
	mk_ipv4(a.pkt, 100, 99);
	assert_int_equal(pthread_create(&t, NULL, blocking_writer, &a), 0);
	pthread_barrier_wait(&bar);
	assert_false(fd_wait(pfd[0], 50));
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 100);
	assert_true(fd_wait(pfd[0], 5000));
	pthread_join(t, NULL);
	assert_int_equal(a.rc, 100);
	for (uint32_t i = 1; i < 4; i++) {
		assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 100);
		assert_memory_equal(buf + 20, &i, 4);
	}
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, a.pkt, 100);
	close(pfd[0]);
	close(pfd[1]);
	pthread_barrier_destroy(&bar);
	rm_pair("full0", app, ifc);
}

/* ---- 5. write, interface side ---- */

static void test_iface_write_never_blocks(void **state)
{
	struct vif_port *app, *ifc;
	struct vif_stats st;
	uint8_t p[1600], buf[200];

	(void)state;
	mk_pair("ifw0", VIF_TUN, 2, &app, &ifc);
	/* A blocking port, a queue of 2: five writes return at once, three are dropped. */
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(vif_write(ifc, p, mk_ipv4(p, 100, i)), 100);
	assert_int_equal(vif_write(ifc, p, 0), -EINVAL);
	assert_int_equal(vif_write(ifc, p, 1501), -EMSGSIZE);
	assert_int_equal(vif_user_get_stats("ifw0", &st), 0);
	assert_int_equal(st.tx_dropped, 3);
	assert_int_equal(st.tx_errors, 2);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(vif_read(app, buf, sizeof(buf)), 100);
		assert_memory_equal(buf + 20, &i, 4);
	}
	assert_int_equal(vif_set_nonblock(app, true), 0);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), -EAGAIN);
	rm_pair("ifw0", app, ifc);
}

/* ---- 6. readiness (more in test_vif_ready) ---- */

/* Haiku: poll never reported hang-up, error, or lack of write space. */
static void test_haiku_poll_reports_state(void **state)
{
	struct vif_port *app, *ifc;
	uint8_t p[100], buf[200];

	(void)state;
	mk_pair("pol0", VIF_TUN, 1, &app, &ifc);
	assert_false(fd_readable(vif_fd(app)));
	assert_false(fd_readable(vif_fd(ifc)));
	assert_true(fd_readable(vif_space_fd(app)));
	assert_int_equal(vif_state(app), VIF_ST_WRITABLE);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 0)), 100);
	/* Queue full: no write space, and the other side is readable. */
	assert_false(fd_readable(vif_space_fd(app)));
	assert_int_equal(vif_state(app), 0);
	assert_true(fd_readable(vif_fd(ifc)));
	assert_int_equal(vif_state(ifc), VIF_ST_READABLE | VIF_ST_WRITABLE);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 100);
	assert_false(fd_readable(vif_fd(ifc)));
	assert_true(fd_readable(vif_space_fd(app)));
	/* Down: every fd wakes, the state says why. */
	assert_int_equal(vif_user_set_up("pol0", false), 0);
	assert_true(fd_readable(vif_fd(app)));
	assert_true(fd_readable(vif_fd(ifc)));
	assert_int_equal(vif_state(app), VIF_ST_DOWN);
	assert_int_equal(vif_user_set_up("pol0", true), 0);
	assert_false(fd_readable(vif_fd(app)));
	/* Gone ("hang-up"): readable for good, state GONE, reads -ENODEV. */
	assert_int_equal(vif_user_delete("pol0"), 0);
	assert_true(fd_readable(vif_fd(app)));
	assert_true(fd_readable(vif_fd(ifc)));
	assert_true(fd_readable(vif_space_fd(app)));
	assert_int_equal(vif_state(ifc), VIF_ST_GONE);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -ENODEV);
	assert_true(fd_readable(vif_fd(ifc)));
	vif_close(app);
	vif_close(ifc);
}

/* ---- 7. up / down / MTU / MAC ---- */

static void test_down_flushes_and_up_resumes(void **state)
{
	struct vif_port *app, *ifc;
	struct vif_stats st;
	uint8_t p[100], buf[200];

	(void)state;
	mk_dev("ud0", VIF_TUN, 0, false);
	assert_int_equal(vif_user_attach("ud0", VIF_SIDE_APP, &app), 0);
	assert_int_equal(vif_user_attach("ud0", VIF_SIDE_IFACE, &ifc), 0);
	/* A new device is down, like a new kernel interface. */
	assert_int_equal(vif_state(app), VIF_ST_DOWN);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 0)), -ENETDOWN);
	assert_int_equal(vif_user_set_up("ud0", true), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vif_write(app, p, 100), 100);
	for (int i = 0; i < 2; i++)
		assert_int_equal(vif_write(ifc, p, 100), 100);
	assert_int_equal(vif_user_set_up("ud0", false), 0);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -ENETDOWN);
	assert_int_equal(vif_write(ifc, p, 100), -ENETDOWN);
	assert_int_equal(vif_user_get_stats("ud0", &st), 0);
	assert_int_equal(st.rx_dropped, 1 + 3);	/* the refused write, the flushed three */
	assert_int_equal(st.tx_dropped, 2 + 1);
	assert_int_equal(vif_user_set_up("ud0", true), 0);
	assert_int_equal(vif_set_nonblock(ifc, true), 0);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), -EAGAIN);	/* flushed, not kept */
	assert_int_equal(vif_write(app, p, 100), 100);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 100);
	assert_int_equal(vif_user_set_up("nosuch", true), -ENODEV);
	rm_pair("ud0", app, ifc);
}

static void test_mtu_range(void **state)
{
	struct vif_port *app, *ifc;
	unsigned mtu;
	uint8_t p[1300];

	(void)state;
	mk_pair("mtu0", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_user_set_mtu("mtu0", 67), -EINVAL);
	assert_int_equal(vif_user_set_mtu("mtu0", 65536), -EINVAL);
	assert_int_equal(vif_user_set_mtu("mtu0", 65535), 0);
	assert_int_equal(vif_user_set_mtu("mtu0", 68), 0);
	assert_int_equal(vif_user_get_mtu("mtu0", &mtu), 0);
	assert_int_equal(mtu, 68);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 68, 0)), 68);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 69, 0)), -EMSGSIZE);
	/* Below 1280 the device carries no IPv6. */
	assert_int_equal(vif_user_set_mtu("mtu0", 1279), 0);
	assert_int_equal(vif_write(app, p, mk_ipv6(p, 60, 0)), -EAFNOSUPPORT);
	assert_int_equal(vif_user_set_mtu("mtu0", 1280), 0);
	assert_int_equal(vif_write(app, p, mk_ipv6(p, 1280, 0)), 1280);
	assert_int_equal(vif_user_set_mtu("nosuch", 1500), -ENODEV);
	rm_pair("mtu0", app, ifc);
}

static void test_tap_mac(void **state)
{
	static const uint8_t given[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	uint8_t m1[6], m2[6];
	struct vif_config cfg;

	(void)state;
	mk_dev("mac0", VIF_TAP, 0, false);
	mk_dev("mac1", VIF_TAP, 0, false);
	mk_dev("mac2", VIF_TUN, 0, false);
	assert_int_equal(vif_user_get_mac("mac0", m1), 0);
	assert_int_equal(vif_user_get_mac("mac1", m2), 0);
	assert_int_equal(m1[0] & 0x03, 0x02);	/* locally administered, unicast */
	assert_int_equal(m2[0] & 0x03, 0x02);
	assert_memory_not_equal(m1, m2, 6);	/* 46 random bits each */
	assert_int_equal(vif_user_get_mac("mac2", m1), -EOPNOTSUPP);
	assert_int_equal(vif_user_set_mac("mac0", (const uint8_t *)"\x03\0\0\0\0\1"), -EINVAL);
	assert_int_equal(vif_user_set_mac("mac0", given), 0);
	assert_int_equal(vif_user_get_mac("mac0", m1), 0);
	assert_memory_equal(m1, given, 6);
	vif_config_init(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "mac3");
	cfg.type = VIF_TAP;
	cfg.has_mac = true;
	memcpy(cfg.mac, given, 6);
	assert_int_equal(vif_user_create(&cfg, NULL, 0), 0);
	assert_int_equal(vif_user_get_mac("mac3", m2), 0);
	assert_memory_equal(m2, given, 6);
	for (const char *n = "mac0\0mac1\0mac2\0mac3\0"; *n; n += strlen(n) + 1)
		assert_int_equal(vif_user_delete(n), 0);
}

/* ---- 8. statistics ---- */

static void test_stats_counted_like_ip_link(void **state)
{
	struct vif_port *app, *ifc;
	struct vif_stats st;
	uint8_t p[300], buf[400];

	(void)state;
	mk_pair("st0", VIF_TUN, 0, &app, &ifc);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 100, 0)), 100);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 200, 0)), 200);
	assert_int_equal(vif_write(app, p, mk_ipv4(p, 300, 0)), 300);
	assert_int_equal(vif_write(app, p, 5), -EINVAL);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 100);
	assert_int_equal(vif_read(ifc, buf, sizeof(buf)), 200);
	assert_int_equal(vif_write(ifc, p, mk_ipv4(p, 60, 0)), 60);
	assert_int_equal(vif_read(app, buf, sizeof(buf)), 60);
	assert_int_equal(vif_user_get_stats("st0", &st), 0);
	assert_int_equal(st.rx_packets, 2);
	assert_int_equal(st.rx_bytes, 300);
	assert_int_equal(st.tx_packets, 1);
	assert_int_equal(st.tx_bytes, 60);
	assert_int_equal(st.rx_errors, 1);
	assert_int_equal(st.rx_dropped + st.tx_dropped + st.tx_errors, 0);
	/* Detaching the interface side drops what was waiting for it. */
	vif_close(ifc);
	assert_int_equal(vif_user_get_stats("st0", &st), 0);
	assert_int_equal(st.rx_dropped, 1);
	assert_int_equal(vif_user_get_stats("nosuch", &st), -ENODEV);
	vif_close(app);
	assert_int_equal(vif_user_delete("st0"), 0);
}

/* ---- 9. threads (the long version is test_vif_stress) ---- */

enum { TH_WRITERS = 4, TH_READERS = 2, TH_PER_WRITER = 2000 };

struct th_ctx {
	struct vif_port *app, *ifc;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* signalled when got reaches the total */
	uint32_t last[TH_WRITERS];	/* per writer: the last sequence number seen */
	unsigned got, bad;
};

struct th_writer {
	struct th_ctx *c;
	uint32_t id;
};

static void *th_write(void *arg)
{
	struct th_writer *w = arg;
	uint8_t p[64];

	for (uint32_t s = 1; s <= TH_PER_WRITER; s++) {
		mk_ipv4(p, sizeof(p), s);
		memcpy(p + 24, &w->id, 4);
		if (vif_write(w->c->app, p, sizeof(p)) != (ssize_t)sizeof(p))
			break;
	}
	return NULL;
}

/* Several readers: the concern here is exactly-once (order is checked with one reader). */
static void *th_read(void *arg)
{
	struct th_ctx *c = arg;
	uint8_t b[64];
	uint32_t s, id;

	for (;;) {
		ssize_t n = vif_read(c->ifc, b, sizeof(b));

		if (n != 64)
			break;
		memcpy(&s, b + 20, 4);
		memcpy(&id, b + 24, 4);
		pthread_mutex_lock(&c->mu);
		if (id >= TH_WRITERS)
			c->bad++;
		if (++c->got == TH_WRITERS * TH_PER_WRITER)
			pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	return NULL;
}

static void test_threads_exactly_once(void **state)
{
	struct th_writer w[TH_WRITERS];
	pthread_t wt[TH_WRITERS], rt[TH_READERS];
	struct vif_stats st;
	struct th_ctx c;

	(void)state;
	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.mu, NULL);
	pthread_cond_init(&c.cv, NULL);
	mk_pair("thr0", VIF_TUN, 16, &c.app, &c.ifc);
	for (int i = 0; i < TH_READERS; i++)
		assert_int_equal(pthread_create(&rt[i], NULL, th_read, &c), 0);
	for (uint32_t i = 0; i < TH_WRITERS; i++) {
		w[i] = (struct th_writer){ &c, i };
		assert_int_equal(pthread_create(&wt[i], NULL, th_write, &w[i]), 0);
	}
	for (int i = 0; i < TH_WRITERS; i++)
		pthread_join(wt[i], NULL);
	/* All written; wait (bounded) for the readers to drain, then down wakes them. */
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 20;
	pthread_mutex_lock(&c.mu);
	while (c.got < TH_WRITERS * TH_PER_WRITER)
		if (pthread_cond_timedwait(&c.cv, &c.mu, &dl))
			break;
	pthread_mutex_unlock(&c.mu);
	assert_int_equal(vif_user_get_stats("thr0", &st), 0);
	assert_int_equal(vif_user_set_up("thr0", false), 0);
	for (int i = 0; i < TH_READERS; i++)
		pthread_join(rt[i], NULL);
	assert_int_equal(c.bad, 0);
	assert_int_equal(c.got, TH_WRITERS * TH_PER_WRITER);
	assert_int_equal(st.rx_packets, TH_WRITERS * TH_PER_WRITER);
	pthread_mutex_destroy(&c.mu);
	pthread_cond_destroy(&c.cv);
	rm_pair("thr0", c.app, c.ifc);
}

/* One reader, many writers: each writer's packets arrive in the order it wrote them. */
static void test_threads_order_per_writer(void **state)
{
	struct th_writer w[TH_WRITERS];
	pthread_t wt[TH_WRITERS];
	struct th_ctx c;
	uint8_t b[64];
	uint32_t s, id;

	(void)state;
	memset(&c, 0, sizeof(c));
	mk_pair("ord0", VIF_TUN, 8, &c.app, &c.ifc);
	for (uint32_t i = 0; i < TH_WRITERS; i++) {
		w[i] = (struct th_writer){ &c, i };
		assert_int_equal(pthread_create(&wt[i], NULL, th_write, &w[i]), 0);
	}
	for (unsigned n = 0; n < TH_WRITERS * TH_PER_WRITER; n++) {
		assert_int_equal(vif_read(c.ifc, b, sizeof(b)), 64);
		memcpy(&s, b + 20, 4);
		memcpy(&id, b + 24, 4);
		assert_true(id < TH_WRITERS);
		assert_int_equal(s, c.last[id] + 1);
		c.last[id] = s;
	}
	for (int i = 0; i < TH_WRITERS; i++)
		pthread_join(wt[i], NULL);
	rm_pair("ord0", c.app, c.ifc);
}

/* A wrong port or argument is an error, not a crash. */
static void test_generic_calls_reject_null(void **state)
{
	uint8_t b[4];
	struct vif_stats st;

	(void)state;
	assert_int_equal(vif_read(NULL, b, 4), -EINVAL);
	assert_int_equal(vif_write(NULL, b, 4), -EINVAL);
	assert_int_equal(vif_fd(NULL), -EINVAL);
	assert_int_equal(vif_space_fd(NULL), -EINVAL);
	assert_int_equal(vif_state(NULL), VIF_ST_GONE);
	assert_int_equal(vif_set_nonblock(NULL, true), -EINVAL);
	assert_int_equal(vif_get_stats(NULL, &st), -EINVAL);
	assert_int_equal(vif_user_attach("x", VIF_SIDE_APP, NULL), -EINVAL);
	assert_int_equal(vif_user_delete(NULL), -EINVAL);
	assert_int_equal(vif_packet_check(VIF_TUN, 1500, NULL, 0), -EINVAL);
	mk_dev("null0", VIF_TAP, 0, false);
	assert_int_equal(vif_user_get_mtu("null0", NULL), -EINVAL);
	assert_int_equal(vif_user_get_stats("null0", NULL), -EINVAL);
	assert_int_equal(vif_user_get_mac("null0", NULL), -EINVAL);
	assert_int_equal(vif_user_set_mac("null0", NULL), -EINVAL);
	assert_int_equal(vif_user_delete("null0"), 0);
	vif_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_exact_and_eexist),
		cmocka_unit_test(test_create_template_lowest_free),
		cmocka_unit_test(test_create_bad_names),
		cmocka_unit_test(test_create_bad_config),
		cmocka_unit_test(test_haiku_thousands_of_devices),
		cmocka_unit_test(test_haiku_delete_while_open),
		cmocka_unit_test(test_haiku_two_openers_rules),
		cmocka_unit_test(test_multiqueue_pairs),
		cmocka_unit_test(test_read_one_packet_per_call),
		cmocka_unit_test(test_haiku_nonblock_honoured),
		cmocka_unit_test(test_haiku_short_read_emsgsize),
		cmocka_unit_test(test_haiku_late_reader_after_teardown),
		cmocka_unit_test(test_read_blocking_gets_packet),
		cmocka_unit_test(test_app_write_validates_tun),
		cmocka_unit_test(test_haiku_tun_carries_ipv6),
		cmocka_unit_test(test_app_write_validates_tap),
		cmocka_unit_test(test_app_write_full_queue),
		cmocka_unit_test(test_iface_write_never_blocks),
		cmocka_unit_test(test_haiku_poll_reports_state),
		cmocka_unit_test(test_down_flushes_and_up_resumes),
		cmocka_unit_test(test_mtu_range),
		cmocka_unit_test(test_tap_mac),
		cmocka_unit_test(test_stats_counted_like_ip_link),
		cmocka_unit_test(test_threads_exactly_once),
		cmocka_unit_test(test_threads_order_per_writer),
		cmocka_unit_test(test_generic_calls_reject_null),
	};

	/* Watchdog: a missed wake-up would hang a blocking call; fail the run instead. */
	alarm(60);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
