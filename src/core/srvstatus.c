/* The server's status file: its rows (sized from the number of clients), the formats of
 * status-version 1, 2 and 3, the atomic write, and the parser behind `burrow status`. */
#include "core/srvstatus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util/sanitize.h"

int srvstatus_rows_reserve(struct srvstatus_rows *r, size_t want)
{
	struct srvstatus_client *v;
	size_t cap = r->cap ? r->cap : 16;

	if (want <= r->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
}

struct srvstatus_client *srvstatus_rows_add(struct srvstatus_rows *r)
{
	struct srvstatus_client *c;

	if (srvstatus_rows_reserve(r, r->n + 1) < 0)
		return NULL;
	c = &r->v[r->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

void srvstatus_rows_reset(struct srvstatus_rows *r)
{
	r->n = 0;
}

void srvstatus_rows_free(struct srvstatus_rows *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void srvstatus_time(time_t t, char *buf, size_t n)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Belt and braces: a name reaches us sanitised (server_auth_identity), but a separator or
 * a line break in one must still never add a column or a row; OpenVPN 2.6 writes a ',' in
 * a common name as is and breaks its own rows. */
_Static_assert(sizeof(((struct srvstatus_client *)0)->cn) > sizeof(char *),
	       "SRVSTATUS_CN needs cn to be an array");
#define SRVSTATUS_CN(cn, sep) sanitize_field((char[sizeof(cn)]){ 0 }, sizeof(cn), (cn), (sep))

static void srvstatus_v1(FILE *fp, const struct srvstatus_client *c, size_t n, time_t now)
{
	char t[32];

	srvstatus_time(now, t, sizeof(t));
	fprintf(fp, "OpenVPN CLIENT LIST\nUpdated,%s\n"
		"Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n", t);
	for (size_t i = 0; i < n; i++) {
		srvstatus_time(c[i].since, t, sizeof(t));
		fprintf(fp, "%s,%s,%llu,%llu,%s\n", SRVSTATUS_CN(c[i].cn, ','), c[i].real,
			(unsigned long long)c[i].bytes_in, (unsigned long long)c[i].bytes_out, t);
	}
	fprintf(fp, "ROUTING TABLE\nVirtual Address,Common Name,Real Address,Last Ref\n");
	srvstatus_time(now, t, sizeof(t));
	for (size_t i = 0; i < n; i++)
		if (c[i].v4[0])
			fprintf(fp, "%s,%s,%s,%s\n", c[i].v4, SRVSTATUS_CN(c[i].cn, ','), c[i].real, t);
	fprintf(fp, "GLOBAL STATS\nMax bcast/mcast queue length,0\nEND\n");
}

/* Versions 2 (commas) and 3 (tabs): one record per line, led by its type. */
static void srvstatus_v23(FILE *fp, char s, const struct srvstatus_client *c, size_t n,
			  time_t now)
{
	char t[32];

	srvstatus_time(now, t, sizeof(t));
	fprintf(fp, "TITLE%cburrow %s\nTIME%c%s%c%lld\n", s, BURROW_VERSION, s, t, s, (long long)now);
	fprintf(fp, "HEADER%cCLIENT_LIST%cCommon Name%cReal Address%cVirtual Address%c"
		"Virtual IPv6 Address%cBytes Received%cBytes Sent%cConnected Since%c"
		"Connected Since (time_t)%cUsername%cClient ID%cPeer ID%cData Channel Cipher\n",
		s, s, s, s, s, s, s, s, s, s, s, s, s);
	for (size_t i = 0; i < n; i++) {
		srvstatus_time(c[i].since, t, sizeof(t));
		fprintf(fp, "CLIENT_LIST%c%s%c%s%c%s%c%s%c%llu%c%llu%c%s%c%lld%cUNDEF%c%u%c%u%c%s\n",
			s, SRVSTATUS_CN(c[i].cn, s), s, c[i].real, s, c[i].v4, s, c[i].v6, s,
			(unsigned long long)c[i].bytes_in, s, (unsigned long long)c[i].bytes_out, s,
			t, s, (long long)c[i].since, s, s, c[i].peer_id, s, c[i].peer_id, s,
			c[i].cipher);
	}
	fprintf(fp, "HEADER%cROUTING_TABLE%cVirtual Address%cCommon Name%cReal Address%c"
		"Last Ref%cLast Ref (time_t)\n", s, s, s, s, s, s);
	srvstatus_time(now, t, sizeof(t));
	for (size_t i = 0; i < n; i++)
		if (c[i].v4[0])
			fprintf(fp, "ROUTING_TABLE%c%s%c%s%c%s%c%s%c%lld\n", s, c[i].v4, s,
				SRVSTATUS_CN(c[i].cn, s),
				s, c[i].real, s, t, s, (long long)now);
	fprintf(fp, "GLOBAL_STATS%cMax bcast/mcast queue length%c0\nEND\n", s, s);
}

void srvstatus_format(FILE *fp, int version, const struct srvstatus_client *c, size_t n,
		      time_t now)
{
	if (version == 2 || version == 3)
		srvstatus_v23(fp, version == 3 ? '\t' : ',', c, n, now);
	else
		srvstatus_v1(fp, c, n, now);
}

/* Splits line at sep into at most max fields (in place). */
static size_t srvstatus_split(char *line, char sep, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, sep);
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static void srvstatus_copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

static int srvstatus_row23(char **f, size_t nf, struct srvstatus_client *c)
{
	if (nf < 9)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	srvstatus_copy(c->cn, sizeof(c->cn), f[1]);
	srvstatus_copy(c->real, sizeof(c->real), f[2]);
	srvstatus_copy(c->v4, sizeof(c->v4), f[3]);
	srvstatus_copy(c->v6, sizeof(c->v6), f[4]);
	c->bytes_in = strtoull(f[5], NULL, 10);
	c->bytes_out = strtoull(f[6], NULL, 10);
	c->since = (time_t)strtoll(f[8], NULL, 10);
	if (nf > 11)
		c->peer_id = (uint32_t)strtoul(f[11], NULL, 10);
	if (nf > 12)
		srvstatus_copy(c->cipher, sizeof(c->cipher), f[12]);
	return 0;
}

int srvstatus_parse(const char *text, struct srvstatus_client *out, size_t max)
{
	char *copy = strdup(text), *save = NULL, *line;
	bool v1 = strncmp(text, "OpenVPN CLIENT LIST", 19) == 0, in_v1 = false, known = v1;
	size_t n = 0;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *f[16];
		char sep = strchr(line, '\t') ? '\t' : ',';
		size_t nf = srvstatus_split(line, sep, f, 16);

		if (!strcmp(f[0], "TITLE") || !strcmp(f[0], "TIME"))
			known = true;
		if (v1) {
			if (!strcmp(f[0], "Common Name"))
				in_v1 = true;
			else if (!strcmp(f[0], "ROUTING TABLE"))
				in_v1 = false;
			else if (in_v1 && nf >= 5 && n < max) {
				memset(&out[n], 0, sizeof(out[n]));
				srvstatus_copy(out[n].cn, sizeof(out[n].cn), f[0]);
				srvstatus_copy(out[n].real, sizeof(out[n].real), f[1]);
				out[n].bytes_in = strtoull(f[2], NULL, 10);
				out[n].bytes_out = strtoull(f[3], NULL, 10);
				n++;
			}
			continue;
		}
		if (!strcmp(f[0], "CLIENT_LIST") && n < max && srvstatus_row23(f, nf, &out[n]) == 0)
			n++;
	}
	free(copy);
	return known ? (int)n : -EINVAL;
}
