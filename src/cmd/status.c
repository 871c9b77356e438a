/* burrow status FILE [--json]: the clients of a running burrow (or OpenVPN) server, read
 * from its status file (status-version 1, 2 or 3). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "cmd/cli.h"
#include "core/srvstatus.h"

#define STATUS_MAX_CLIENTS 4096
#define STATUS_MAX_BYTES (8 << 20)

const char cmd_status_usage[] =
	"Usage: burrow status FILE [--json]\n"
	"\n"
	"Lists the clients of a running server: common name, real address, virtual addresses,\n"
	"bytes in/out, connected since, data cipher. FILE is the server's status file, the\n"
	"one its `status` directive names (a server without `status` writes no file).\n"
	"OpenVPN's own status files (status-version 1, 2, 3) work too.\n"
	"\n"
	"  --json   one JSON object: {\"clients\": [...]}";

static char *status_slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t n;

	if (!fp)
		return NULL;
	buf = malloc(STATUS_MAX_BYTES + 1);
	if (buf) {
		n = fread(buf, 1, STATUS_MAX_BYTES, fp);
		buf[n] = '\0';
	}
	fclose(fp);
	return buf;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void status_json(const struct srvstatus_client *c, int n)
{
	printf("{\"clients\": [");
	for (int i = 0; i < n; i++) {
		printf("%s\n  {\"common_name\": ", i ? "," : "");
		json_str(c[i].cn);
		printf(", \"real_address\": ");
		json_str(c[i].real);
		printf(", \"virtual_address\": ");
		json_str(c[i].v4);
		printf(", \"virtual_ipv6_address\": ");
		json_str(c[i].v6);
		printf(", \"bytes_received\": %llu, \"bytes_sent\": %llu, \"connected_since\": %lld, "
		       "\"peer_id\": %u, \"cipher\": ", (unsigned long long)c[i].bytes_in,
		       (unsigned long long)c[i].bytes_out, (long long)c[i].since, c[i].peer_id);
		json_str(c[i].cipher);
		putchar('}');
	}
	printf("%s]}\n", n ? "\n" : "");
}

/* How old the file is: a stopped server leaves its last list behind, so say when it was
 * written, and ask outright when that is long ago. */
static void status_age(const char *path)
{
	struct stat st;
	long long age;

	if (stat(path, &st) != 0)
		return;
	age = (long long)(time(NULL) - st.st_mtime);
	if (age < 0)
		age = 0;
	if (age < 120)
		printf(" (as of %lld s ago)", age);
	else
		printf(" (as of %lld min ago%s)", age / 60,
		       age >= 600 ? ": is the server still running?" : "");
}

static void status_human(const char *path, const struct srvstatus_client *c, int n)
{
	char since[32];

	printf("%d client%s connected", n, n == 1 ? "" : "s");
	status_age(path);
	putchar('\n');
	if (!n)
		return;
	printf("%-20s %-22s %-15s %-20s %10s %10s  %-19s %s\n", "COMMON NAME", "REAL ADDRESS",
	       "VIRTUAL", "VIRTUAL IPv6", "BYTES IN", "BYTES OUT", "CONNECTED SINCE", "CIPHER");
	for (int i = 0; i < n; i++) {
		struct tm tm;

		localtime_r(&c[i].since, &tm);
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%-20s %-22s %-15s %-20s %10llu %10llu  %-19s %s\n", c[i].cn, c[i].real,
		       c[i].v4[0] ? c[i].v4 : "-", c[i].v6[0] ? c[i].v6 : "-",
		       (unsigned long long)c[i].bytes_in, (unsigned long long)c[i].bytes_out,
		       c[i].since ? since : "-", c[i].cipher[0] ? c[i].cipher : "-");
	}
}

int cmd_status(int argc, char **argv)
{
	const char *path = NULL;
	static struct srvstatus_client rows[STATUS_MAX_CLIENTS];
	bool json = false, have_path = false;
	char *text;
	int n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] != '-' && !have_path)
			path = argv[i], have_path = true;
		else
			return cli_usage_error("status", "unexpected argument '%s'", argv[i]);
	}
	if (!path)
		return cli_usage_error("status", "give the server's status file as FILE (the file "
				       "its `status` directive names; a server without `status` "
				       "writes none)");
	text = status_slurp(path);
	if (!text) {
		/* A one-shot command: its errors read like dev's, without a log timestamp. */
		fprintf(stderr, "burrow status: cannot read %s: %s; is a burrow server running? "
			"Give its status file (the `status` directive) as FILE\n", path,
			strerror(errno));
		return CLI_FAIL;
	}
	n = srvstatus_parse(text, rows, STATUS_MAX_CLIENTS);
	free(text);
	if (n < 0) {
		fprintf(stderr, "burrow status: %s is not a server status file (OpenVPN "
			"status-version 1, 2 or 3)\n", path);
		return CLI_FAIL;
	}
	if (json)
		status_json(rows, n);
	else
		status_human(path, rows, n);
	return CLI_OK;
}
