/* Status file: KEY=VALUE text, replaced atomically (util/afile) so readers never see a torn
 * file. */
#include "core/status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/afile.h"

struct sbuf {
	char *p;
	size_t len, used;	/* used may exceed len: the size needed */
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->used < b->len ? b->len - b->used : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? b->p + b->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used += (size_t)n;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "-");
}

static void status_peer_fmt(struct sbuf *b, const struct status_peer *p, time_t now)
{
	char since[32];

	fmt_time(p->since, since, sizeof(since));
	sb_add(b, "name=%s\nremote=%s\nproto=%s\nstate=%s\ndevice=%s\n", or_dash(p->name),
	       or_dash(p->remote), or_dash(p->proto), or_dash(p->state), or_dash(p->device));
	sb_add(b, "ipv4=%s\nipv6=%s\ncipher=%s\n", or_dash(p->ipv4), or_dash(p->ipv6),
	       or_dash(p->cipher));
	if (p->key_id >= 0)
		sb_add(b, "key_id=%d\n", p->key_id);
	else
		sb_add(b, "key_id=-\n");
	sb_add(b, "connected_since=%s\n", since);
	sb_add(b, "connected_seconds=%lld\n",
	       p->since && now >= p->since ? (long long)(now - p->since) : 0LL);
	sb_add(b, "tun_bytes_in=%" PRIu64 "\ntun_bytes_out=%" PRIu64 "\n", p->bytes_in,
	       p->bytes_out);
	sb_add(b, "link_bytes_in=%" PRIu64 "\nlink_bytes_out=%" PRIu64 "\n", p->link_in,
	       p->link_out);
	sb_add(b, "dropped_packets=%" PRIu64 "\n", p->dropped);
}

int status_format(char *buf, size_t len, const struct status_peer *peers, size_t n, time_t now)
{
	struct sbuf b = { buf, len, 0 };
	char updated[32];

	if (len)
		buf[0] = '\0';
	fmt_time(now, updated, sizeof(updated));
	sb_add(&b, "# burrow status, updated %s\n", updated);
	sb_add(&b, "peers=%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		if (n > 1)
			sb_add(&b, "\n[peer %zu]\n", i);
		status_peer_fmt(&b, &peers[i], now);
	}
	if (b.used > INT32_MAX)
		return -EOVERFLOW;
	return (int)b.used;
}

/* The client has one status file: its afile keeps the descriptor of the first write (made
 * before the privilege drop) so that the file stays current after it. */
static struct afile status_file = { .fd = -1 };

int status_write(const char *path, const struct status_peer *peers, size_t n)
{
	char *text;
	int need, e;

	if (!status_file.path || strcmp(status_file.path, path) != 0) {
		afile_close(&status_file);
		if ((e = afile_init(&status_file, "status", path, 0600)) < 0)
			return e;
	}
	need = status_format(NULL, 0, peers, n, time(NULL));
	if (need < 0)
		return need;
	text = malloc((size_t)need + 1);
	if (!text)
		return -ENOMEM;
	status_format(text, (size_t)need + 1, peers, n, time(NULL));
	e = afile_write(&status_file, text, strlen(text));
	free(text);
	return e;
}
