/* Test helper for dev.sh (not a test itself): attaches to existing kernel TUN devices in other
 * network namespaces through the kernel backend and
 *   fwd  NS_A DEV_A NS_B DEV_B [SECONDS]  copies packets both ways between them (a wire), or
 *   read NS DEV [SECONDS]                 blocks in vif_read() until an error, then reports it.
 * NS is a name under /run/netns or a path. Prints "ready" once attached. Bounded: exits after
 * SECONDS (default 60) even if nothing happens. Exit 0 when a device went away (ENODEV). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vif/kernel.h"

#define FWD_BUF 65600

static int fwd_enter(const char *ns)
{
	char path[256];
	int fd, rc;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tunfwd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = setns(fd, CLONE_NEWNET);
	if (rc < 0)
		fprintf(stderr, "tunfwd: setns %s: %s\n", path, strerror(errno));
	close(fd);
	return rc;
}

/* Attaches to the TUN device dev inside namespace ns; the fd keeps working from anywhere. */
static struct vif_port *fwd_attach(const char *ns, const char *dev)
{
	struct vif_config cfg;
	struct vif_port *p = NULL;
	struct nl_err err;

	if (fwd_enter(ns) < 0)
		return NULL;
	vif_config_init(&cfg);
	cfg.mtu = 0;
	snprintf(cfg.name, sizeof(cfg.name), "%s", dev);
	if (vif_kernel_open_ex(&cfg, false, NULL, 0, &p, &err) < 0) {
		fprintf(stderr, "tunfwd: %s\n", err.msg);
		return NULL;
	}
	return p;
}

static unsigned fwd_seconds(const char *s)
{
	long v = s ? strtol(s, NULL, 10) : 60;

	return v > 0 && v < 3600 ? (unsigned)v : 60;
}

/* Moves one packet from `from` to `to`; returns 0, or -errno when `from` failed. */
static int fwd_one(struct vif_port *from, struct vif_port *to, unsigned char *buf)
{
	ssize_t n = vif_read(from, buf, FWD_BUF);

	if (n == -EAGAIN || n == -EINTR)
		return 0;
	if (n < 0)
		return (int)n;
	/* A full or down peer loses the packet, as a wire would. */
	vif_write(to, buf, (size_t)n);
	return 0;
}

static int fwd_loop(struct vif_port *a, struct vif_port *b)
{
	static unsigned char buf[FWD_BUF];
	struct pollfd pfd[2] = { { .fd = vif_fd(a), .events = POLLIN },
				 { .fd = vif_fd(b), .events = POLLIN } };
	int rc = 0;

	vif_set_nonblock(a, true);
	vif_set_nonblock(b, true);
	while (rc == 0) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (pfd[0].revents)
			rc = fwd_one(a, b, buf);
		if (rc == 0 && pfd[1].revents)
			rc = fwd_one(b, a, buf);
	}
	return rc;
}

static int fwd_read(struct vif_port *p)
{
	static unsigned char buf[FWD_BUF];
	ssize_t n;

	do
		n = vif_read(p, buf, sizeof(buf));
	while (n >= 0 || n == -EINTR);
	return (int)n;
}

static int fwd_report(int rc)
{
	printf("tunfwd: stopped: %s\n", strerror(-rc));
	fflush(stdout);
	return rc == -ENODEV ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct vif_port *a, *b;
	int rc;

	if (argc >= 4 && !strcmp(argv[1], "read")) {
		alarm(fwd_seconds(argc > 4 ? argv[4] : NULL));
		a = fwd_attach(argv[2], argv[3]);
		if (!a)
			return 1;
		printf("ready\n");
		fflush(stdout);
		rc = fwd_read(a);
		vif_close(a);
		return fwd_report(rc);
	}
	if (argc >= 6 && !strcmp(argv[1], "fwd")) {
		alarm(fwd_seconds(argc > 6 ? argv[6] : NULL));
		a = fwd_attach(argv[2], argv[3]);
		b = a ? fwd_attach(argv[4], argv[5]) : NULL;
		if (!b) {
			vif_close(a);
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		rc = fwd_loop(a, b);
		vif_close(a);
		vif_close(b);
		return fwd_report(rc);
	}
	fprintf(stderr, "usage: tunfwd fwd NS_A DEV_A NS_B DEV_B [SECONDS]\n"
			"       tunfwd read NS DEV [SECONDS]\n");
	return 2;
}
