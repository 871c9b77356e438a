/* burrow demo, private: the throw-away network (namespaces, veth, processes inside them)
 * and the measurements through the tunnel. */
#ifndef BURROW_CMD_DEMO_H
#define BURROW_CMD_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct demo_ns {
	int fd;			/* /proc/self/ns/net of the namespace; -1 = none */
};

/* A new network namespace with loopback up; it lives while fd (or a process in it) does. */
int demo_ns_new(struct demo_ns *ns);
void demo_ns_free(struct demo_ns *ns);
/* Runs fn(arg) with the calling thread inside ns, then comes back. */
int demo_in_ns(const struct demo_ns *ns, int (*fn)(void *), void *arg);

/* veth pair a<->b, ends in namespaces na and nb, with addresses (CIDR text), up. */
int demo_veth(const struct demo_ns *na, const char *a, const char *addr_a,
	      const struct demo_ns *nb, const char *b, const char *addr_b);

/* Starts argv in ns with stdout/stderr into log; returns the pid or -errno. */
pid_t demo_spawn(const struct demo_ns *ns, char *const argv[], const char *log);
/* SIGTERM, then SIGKILL after timeout_ms; reaps. */
void demo_stop(pid_t pid, int timeout_ms);

/* One ICMP echo from ns to dst (IPv4 text): returns the round trip in microseconds, or -errno
 * (-ETIMEDOUT after timeout_ms). */
long demo_ping(const struct demo_ns *ns, const char *dst, int seq, int timeout_ms);

/* TCP for secs seconds from a socket in `from` to a sink in `to` listening on dst:port.
 * Returns the bytes received, or -errno. */
long long demo_tcp(const struct demo_ns *from, const struct demo_ns *to, const char *dst,
		   int port, int secs);

/* Waits until file contains text (polling every 10 ms, at most timeout_ms). */
bool demo_wait_log(const char *file, const char *text, int timeout_ms);
/* The line of file containing text, copied into out ("" if none). */
void demo_log_line(const char *file, const char *text, char *out, size_t n);

#endif
