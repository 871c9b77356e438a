/* A kernel TUN/TAP port's I/O: one packet per read/write on the TUN fd. The fd stays
 * non-blocking; a blocking read waits in poll() on it and on a link-notification socket, so
 * "down" and "delete" wake a blocked reader at once with -ENETDOWN / -ENODEV (the TUN driver
 * wakes readers only on delete). A non-blocking read of an empty queue is -ENETDOWN while
 * down, as the userspace device answers (docs/vif.md point 3), else -EAGAIN. */
#include "vif/kernel_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

static const struct vif_port_ops vif_kernel_ops;

/* Is the device still there? The kernel detaches every queue when the link is deleted;
 * TUNGETIFF then fails with EBADFD. */
static bool vif_kernel_detached(int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	return ioctl(fd, TUNGETIFF, &ifr) < 0 && errno == EBADFD;
}

static void vif_kernel_query(struct vif_kport *k)
{
	unsigned flags = 0;
	int rc = nl_link_flags(k->ifindex, &flags, NULL);

	if (rc == -ENODEV)
		__atomic_store_n(&k->gone, true, __ATOMIC_RELEASE);
	else if (rc == 0)
		__atomic_store_n(&k->down, !(flags & IFF_UP), __ATOMIC_RELEASE);
}

/* Brings down/gone up to date from the notifications heard since the last call. */
static void vif_kernel_refresh(struct vif_kport *k)
{
	enum nl_watch_news news;

	if (k->watch < 0) {
		vif_kernel_query(k);
		return;
	}
	pthread_mutex_lock(&k->watch_lock);
	news = nl_watch_drain(k->watch, k->ifindex);
	if (news == NL_WATCH_UP || news == NL_WATCH_DOWN)
		__atomic_store_n(&k->down, news == NL_WATCH_DOWN, __ATOMIC_RELEASE);
	else if (news == NL_WATCH_GONE)
		__atomic_store_n(&k->gone, true, __ATOMIC_RELEASE);
	else if (news == NL_WATCH_LOST)
		vif_kernel_query(k);
	pthread_mutex_unlock(&k->watch_lock);
}

/* A blocking call found nothing to do: 0 once the fd may be ready, or why not to wait. */
static int vif_kernel_wait(struct vif_kport *k, short events)
{
	struct pollfd pfd[2] = { { .fd = k->fd, .events = events },
				 { .fd = k->watch, .events = POLLIN } };

	vif_kernel_refresh(k);
	if (__atomic_load_n(&k->gone, __ATOMIC_ACQUIRE) || vif_kernel_detached(k->fd))
		return -ENODEV;
	if (__atomic_load_n(&k->down, __ATOMIC_ACQUIRE))
		return -ENETDOWN;
	/* A notification that lands after the refresh above makes poll return: no lost wake-up. */
	if (poll(pfd, k->watch >= 0 ? 2 : 1, -1) < 0)
		return -errno;		/* -EINTR lets a signal stop a blocked caller */
	return 0;
}

/* A non-blocking read found the queue empty: -ENODEV or -ENETDOWN if the device is gone or
 * down (as a blocking reader would hear), else -EAGAIN. */
static int vif_kernel_empty(struct vif_kport *k)
{
	vif_kernel_refresh(k);
	if (__atomic_load_n(&k->gone, __ATOMIC_ACQUIRE))
		return -ENODEV;
	if (__atomic_load_n(&k->down, __ATOMIC_ACQUIRE))
		return -ENETDOWN;
	return -EAGAIN;
}

/* errno of a failed read/write that is not EAGAIN, as the port reports it. */
static int vif_kernel_ioerr(struct vif_kport *k, int e)
{
	/* A deleted device fails its readers with EFAULT or EBADFD. */
	if (vif_kernel_detached(k->fd))
		return -ENODEV;
	return e == EIO ? -ENETDOWN : -e;	/* the kernel says EIO to writes while down */
}

static ssize_t vif_kernel_read(struct vif_port *p, void *buf, size_t len)
{
	struct vif_kport *k = vif_kport(p);
	struct iovec iov[2] = {
		{ .iov_base = buf, .iov_len = len },
		{ .iov_base = k->tail, .iov_len = VIF_KERNEL_PKT_MAX },
	};

	for (;;) {
		ssize_t n = readv(k->fd, iov, 2);
		int rc;

		if (n >= 0)	/* longer than buf: the kernel has dequeued it, so it is dropped */
			return (size_t)n > len ? -EMSGSIZE : n;
		if (errno != EAGAIN)
			return errno == EINTR ? -EINTR : vif_kernel_ioerr(k, errno);
		if (__atomic_load_n(&k->nonblock, __ATOMIC_ACQUIRE))
			return vif_kernel_empty(k);
		rc = vif_kernel_wait(k, POLLIN);
		if (rc < 0)
			return rc;
	}
}

static ssize_t vif_kernel_write(struct vif_port *p, const void *buf, size_t len)
{
	struct vif_kport *k = vif_kport(p);

	if (len == 0)
		return -EINVAL;
	if (len > VIF_KERNEL_PKT_MAX)
		return -EMSGSIZE;
	for (;;) {
		ssize_t n = write(k->fd, buf, len);
		int rc;

		if (n >= 0)
			return n;
		if (errno != EAGAIN)
			return errno == EINTR ? -EINTR : vif_kernel_ioerr(k, errno);
		/* Only with a small socket send buffer; the default never fills. */
		if (__atomic_load_n(&k->nonblock, __ATOMIC_ACQUIRE))
			return -EAGAIN;
		rc = vif_kernel_wait(k, POLLOUT);
		if (rc < 0)
			return rc;
	}
}

static int vif_kernel_fd(struct vif_port *p)
{
	return vif_kport(p)->fd;
}

static unsigned vif_kernel_state(struct vif_port *p)
{
	struct vif_kport *k = vif_kport(p);
	struct pollfd pfd = { .fd = k->fd, .events = POLLIN | POLLOUT };
	unsigned st = 0;

	vif_kernel_refresh(k);
	if (__atomic_load_n(&k->gone, __ATOMIC_ACQUIRE) || vif_kernel_detached(k->fd))
		return VIF_ST_GONE;
	if (__atomic_load_n(&k->down, __ATOMIC_ACQUIRE))
		st |= VIF_ST_DOWN;
	if (poll(&pfd, 1, 0) == 1) {
		if (pfd.revents & POLLIN)
			st |= VIF_ST_READABLE;
		if (pfd.revents & POLLOUT)
			st |= VIF_ST_WRITABLE;
	}
	return st;
}

static int vif_kernel_set_nonblock(struct vif_port *p, bool on)
{
	__atomic_store_n(&vif_kport(p)->nonblock, on, __ATOMIC_RELEASE);
	return 0;
}

void vif_kernel_port_release(struct vif_port *p)
{
	struct vif_kport *k = vif_kport(p);

	if (k->watch >= 0)
		close(k->watch);
	pthread_mutex_destroy(&k->watch_lock);
	free(k->tail);
	free(k);
}

static void vif_kernel_close(struct vif_port *p)
{
	close(vif_kport(p)->fd);
	vif_kernel_port_release(p);
}

/* Writes never wait on a TUN/TAP (the kernel drops instead), so there is no space fd. */
static const struct vif_port_ops vif_kernel_ops = {
	.read = vif_kernel_read,
	.write = vif_kernel_write,
	.fd = vif_kernel_fd,
	.state = vif_kernel_state,
	.set_nonblock = vif_kernel_set_nonblock,
	.close = vif_kernel_close,
	.space_fd = NULL,
};

int vif_kernel_ifindex(struct vif_port *p)
{
	if (!p || p->ops != &vif_kernel_ops)
		return -EINVAL;
	return vif_kport(p)->ifindex;
}

int vif_kernel_port_new(int fd, const char *name, enum vif_type type, struct vif_port **out,
			struct nl_err *err)
{
	struct vif_kport *k = calloc(1, sizeof(*k));
	int idx = nl_link_index(name, err);
	int fl = fcntl(fd, F_GETFL);

	if (idx < 0 || !k || !(k->tail = malloc(VIF_KERNEL_PKT_MAX))) {
		free(k);
		return idx < 0 ? idx : nl_fail(err, -ENOMEM, "out of memory");
	}
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		free(k->tail);
		free(k);
		return nl_fail(err, -errno, "%s: cannot make the TUN fd non-blocking: %s", name,
			       strerror(errno));
	}
	pthread_mutex_init(&k->watch_lock, NULL);
	k->pub.ops = &vif_kernel_ops;
	snprintf(k->pub.name, sizeof(k->pub.name), "%s", name);
	k->pub.type = type;
	k->pub.side = VIF_SIDE_APP;
	k->fd = fd;
	k->ifindex = idx;
	/* Listen first, then ask: a change in between is heard, not missed. Without the socket
	 * (unlikely) blocking reads still work but only a delete wakes them. */
	k->watch = nl_watch_open(NULL);
	vif_kernel_query(k);
	*out = &k->pub;
	return 0;
}
