/* Status file: a small text file rewritten atomically (util/afile: temp + fsync + rename,
 * mode 0600; in place after a privilege drop) so a reader never sees half of it. Generic: the client writes one peer, a server writes one row per client. */
#ifndef BURROW_CORE_STATUS_H
#define BURROW_CORE_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct status_peer {
	const char *name;	/* common name / profile name */
	const char *remote;	/* "addr:port" of the peer */
	const char *proto;	/* "udp" / "tcp" */
	const char *state;	/* "connecting", "connected", "reconnecting", ... */
	const char *device;	/* tun/tap name or NULL */
	const char *ipv4;	/* tunnel addresses or NULL */
	const char *ipv6;
	const char *cipher;	/* data cipher or NULL */
	int key_id;		/* current data key id, -1 none */
	time_t since;		/* wall-clock time connected (0 = not connected) */
	uint64_t bytes_in, bytes_out;	/* tunnel payload bytes */
	uint64_t link_in, link_out;	/* transport bytes */
	uint64_t dropped;		/* packets the session dropped (bad, forged, replayed) */
};

/* Writes a header line ("burrow status, updated <time>"), then one "KEY=VALUE" block per peer
 * (single peer: no index; several: "peer N" headers). Returns 0 or -errno; a failure is
 * logged once (util/afile). */
int status_write(const char *path, const struct status_peer *peers, size_t n);
/* Formats the same text into buf; returns the length it needs (like snprintf) or -errno. */
int status_format(char *buf, size_t len, const struct status_peer *peers, size_t n, time_t now);

#endif
