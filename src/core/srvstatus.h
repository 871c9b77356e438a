/* The server's status file in OpenVPN's formats (status-version 1, 2 and 3), so tools that
 * read OpenVPN's status keep working, and the reader behind `burrow status`. */
#ifndef BURROW_CORE_SRVSTATUS_H
#define BURROW_CORE_SRVSTATUS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct srvstatus_client {
	char cn[256];
	char real[64];		/* "addr:port" */
	char v4[48], v6[64];	/* "" when none */
	uint64_t bytes_in, bytes_out;
	time_t since;
	uint32_t peer_id;
	char cipher[32];
};

/* The rows of one status file, sized from the number of clients (never cut at a fixed
 * count). Zero-initialised is empty; reuse it across writes (srvstatus_rows_reset). */
struct srvstatus_rows {
	struct srvstatus_client *v;
	size_t n, cap;
};

/* Room for at least `want` rows; keeps the ones there. Returns 0 or -ENOMEM. */
int srvstatus_rows_reserve(struct srvstatus_rows *r, size_t want);
/* A zeroed row at the end (grown as needed), or NULL without memory. */
struct srvstatus_client *srvstatus_rows_add(struct srvstatus_rows *r);
void srvstatus_rows_reset(struct srvstatus_rows *r);
void srvstatus_rows_free(struct srvstatus_rows *r);

/* Formats the whole file (version 1, 2 or 3) into fp. */
void srvstatus_format(FILE *fp, int version, const struct srvstatus_client *c, size_t n,
		      time_t now);
/* Parses a version 2 or 3 file (CLIENT_LIST rows) — and version 1's client list — into at
 * most max rows. Returns the count, or -EINVAL when the text is not a status file. */
int srvstatus_parse(const char *text, struct srvstatus_client *out, size_t max);

#endif
