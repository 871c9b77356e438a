/* The server's files: the status file and ifconfig-pool-persist, written through util/afile
 * (temp + fsync + rename, mode 0600, never through a planted symlink; a failure is logged
 * once and leaves the previous file). Both are written once before the privilege drop, as
 * OpenVPN opens them before it: after the drop a root-owned directory (/var/log,
 * /etc/openvpn/server) cannot take a temporary file, and afile rewrites the file in place
 * through the descriptor it kept from that first write. No file is written that the config
 * does not name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/server_impl.h"
#include "core/srvstatus.h"
#include "util/afile.h"
#include "util/log.h"

#define SERVER_FILE_MODE 0600	/* OpenVPN's mode for both files */

/* Reads the pool file whole (up to AFILE_READ_MAX). A file that exists but cannot be read is
 * never overwritten: the leases in it would be lost. */
static void server_persist_load(struct server *srv, const char *path)
{
	unsigned skipped = 0;
	char *text;
	size_t n;
	int e;

	e = afile_read(path, AFILE_READ_MAX, &text, &n);
	if (e == -ENOENT)
		return;
	if (e < 0) {
		log_error("ifconfig-pool-persist: cannot read %s: %s%s; not loaded, and it will "
			  "not be overwritten (fix or remove it and restart)", path, strerror(-e),
			  e == -EFBIG ? " (larger than 16 MiB)" : "");
		afile_close(&srv->pool_file);
		return;
	}
	pool_load(&srv->pool, text, n, &skipped);
	free(text);
	if (skipped)
		log_warn("%s: %u line(s) skipped (not 'NAME,ADDRESS' inside the pool)", path, skipped);
}

int server_persist_init(struct server *srv)
{
	const struct cfg *c = srv->cfg;
	int e;

	if (c->status && (e = afile_init(&srv->status_file, "status", c->status,
					 SERVER_FILE_MODE)) < 0)
		return e;
	if (c->pool_persist.file && srv->has_pool) {
		if ((e = afile_init(&srv->pool_file, "ifconfig-pool-persist", c->pool_persist.file,
				    SERVER_FILE_MODE)) < 0)
			return e;
		server_persist_load(srv, c->pool_persist.file);
		if (c->pool_persist.seconds == 0)
			afile_close(&srv->pool_file);	/* 0 s: read-only, as in OpenVPN */
	}
	return 0;
}

void server_persist_save(struct server *srv)
{
	size_t cap;
	char *buf;
	int n;

	if (!srv->pool_file.path || !srv->has_pool)
		return;
	cap = pool_save_size(&srv->pool);
	buf = malloc(cap);
	if (!buf) {
		log_warn("ifconfig-pool-persist: out of memory for %zu bytes", cap);
		return;
	}
	n = pool_save(&srv->pool, buf, cap);
	if (n >= 0)
		afile_write(&srv->pool_file, buf, (size_t)n);
	free(buf);
}

void server_persist_status(struct server *srv, const struct srvstatus_client *rows, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	if (!srv->status_file.path)
		return;
	fp = open_memstream(&text, &len);
	if (!fp) {
		log_warn("status: out of memory");
		return;
	}
	srvstatus_format(fp, srv->cfg->status_version, rows, n, time(NULL));
	if (fclose(fp) == 0)
		afile_write(&srv->status_file, text, len);
	free(text);
}

void server_persist_close(struct server *srv)
{
	afile_close(&srv->status_file);
	afile_close(&srv->pool_file);
}
