/* Internal to the kernel backend: kernel.c opens devices, kernel_port.c does a port's I/O. */
#ifndef BURROW_VIF_KERNEL_IMPL_H
#define BURROW_VIF_KERNEL_IMPL_H

#include <pthread.h>

#include "vif/kernel.h"

struct vif_kport {
	struct vif_port pub;	/* first: the generic calls see only this */
	int fd;			/* the TUN fd, always O_NONBLOCK; blocking is done with poll */
	int watch;		/* nl_watch socket for this link's down/delete, or -1 */
	int ifindex;
	bool nonblock;		/* the caller's mode (atomic) */
	bool down;		/* administratively down, as last heard (atomic) */
	bool gone;		/* deleted, as last heard (atomic) */
	pthread_mutex_t watch_lock;	/* one drainer of the watch socket at a time */
	uint8_t *tail;		/* VIF_KERNEL_PKT_MAX bytes after the caller's buffer */
};

static inline struct vif_kport *vif_kport(struct vif_port *p)
{
	return (struct vif_kport *)p;
}

/* Wraps an attached TUN fd (takes it over only on success) in a port, in the namespace the
 * device lives in (for the ifindex and the link notifications). */
int vif_kernel_port_new(int fd, const char *name, enum vif_type type, struct vif_port **out,
			struct nl_err *err);
/* Frees a port from vif_kernel_port_new() without closing its TUN fd (error unwinding). */
void vif_kernel_port_release(struct vif_port *p);

#endif
