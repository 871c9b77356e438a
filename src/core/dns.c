/* DNS hand-over. The pushed options become nameserver/search lines (resolvconf reads them
 * on stdin, as resolv.conf text) or resolvectl dns/domain arguments. The programs run through
 * core/script.c: bounded in time, their failure logged and returned. */
#include "core/dns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/script.h"
#include "proto/push.h"
#include "util/log.h"

#define DNS_MAX 16
#define DNS_TOOL_TIMEOUT_MS 10000

struct dns_set {
	const char *server[DNS_MAX];
	char server_buf[DNS_MAX][64];	/* from `dns server N address A[:port]` */
	int n_server;
	const char *domain[DNS_MAX];
	char domain_buf[DNS_MAX][PUSH_OPT_MAX + 1];
	int n_domain;
};

static const char *const resolvectl_paths[] = { "/usr/bin/resolvectl", "/bin/resolvectl" };
static const char *const resolvconf_paths[] = { "/usr/sbin/resolvconf", "/sbin/resolvconf" };

static const char *find_tool(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* A name server or domain is handed to a shell and into resolv.conf: only plain characters. */
static bool dns_word_ok(const char *w)
{
	if (!*w || strlen(w) >= 64)
		return false;
	for (; *w; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
		      (*w >= '0' && *w <= '9') || strchr(".-:_%", *w)))
			return false;
	return true;
}

static void add_server(struct dns_set *s, const char *a)
{
	char *b;

	if (!dns_word_ok(a)) {
		log_warn("DNS: ignoring the pushed server '%.64s' (not a plain address)", a);
		return;
	}
	if (s->n_server >= DNS_MAX)
		return;
	b = s->server_buf[s->n_server];
	snprintf(b, sizeof(s->server_buf[0]), "%s", a);
	/* "10.0.0.1:5353": resolv.conf has no port; drop it for IPv4 (one ':' only) */
	if (strchr(b, '.') && strchr(b, ':') && strchr(b, ':') == strrchr(b, ':'))
		*strchr(b, ':') = '\0';
	s->server[s->n_server++] = b;
}

static void add_domain(struct dns_set *s, const char *d)
{
	if (!dns_word_ok(d)) {
		log_warn("DNS: ignoring the pushed domain '%.64s' (not a plain name)", d);
		return;
	}
	if (s->n_domain >= DNS_MAX)
		return;
	snprintf(s->domain_buf[s->n_domain], sizeof(s->domain_buf[0]), "%s", d);
	s->domain[s->n_domain] = s->domain_buf[s->n_domain];
	s->n_domain++;
}

/* `dns server 1 address A B`, `dns search-domains D E`: word by word, bounded. */
static void from_dns_line(struct dns_set *s, const char *line)
{
	char buf[PUSH_OPT_MAX + 1], *w[24], *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " \t", &save); t && n < 24; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	if (n >= 5 && !strcmp(w[1], "server") && !strcmp(w[3], "address"))
		for (int i = 4; i < n; i++)
			add_server(s, w[i]);
	else if (n >= 3 && !strcmp(w[1], "search-domains"))
		for (int i = 2; i < n; i++)
			add_domain(s, w[i]);
}

static void collect(struct dns_set *s, const struct push_opts *p)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < p->n_dhcp; i++) {
		const char *t = p->dhcp[i].type, *v = p->dhcp[i].value;

		if (!strcmp(t, "DNS") || !strcmp(t, "DNS6"))
			add_server(s, v);
		else if (!strcmp(t, "DOMAIN") || !strcmp(t, "DOMAIN-SEARCH"))
			add_domain(s, v);
	}
	for (int i = 0; i < p->n_dns; i++)
		from_dns_line(s, p->dns[i]);
}

static int run_tool(const char *tool, const char *const *args, int n, const char *input)
{
	struct script_call sc;

	script_init(&sc, "dns", tool);
	for (int i = 0; i < n; i++)
		script_arg(&sc, "%s", args[i]);
	sc.input = input;
	return script_run(&sc, DNS_TOOL_TIMEOUT_MS);
}

static int via_resolvconf(const char *tool, const char *dev, const struct dns_set *s)
{
	char text[2048];
	size_t off = 0;
	const char *args[] = { "-a", dev };

	for (int i = 0; i < s->n_server && off < sizeof(text); i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "nameserver %s\n",
					s->server[i]);
	if (s->n_domain && off < sizeof(text))
		off += (size_t)snprintf(text + off, sizeof(text) - off, "search");
	for (int i = 0; i < s->n_domain && off < sizeof(text); i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, " %s", s->domain[i]);
	if (s->n_domain && off < sizeof(text))
		off += (size_t)snprintf(text + off, sizeof(text) - off, "\n");
	if (off >= sizeof(text))
		return -E2BIG;
	return run_tool(tool, args, 2, text);
}

static int via_resolved(const char *tool, const char *dev, const struct dns_set *s)
{
	const char *args[2 + DNS_MAX];
	int e = 0;

	args[0] = "dns";
	args[1] = dev;
	for (int i = 0; i < s->n_server; i++)
		args[2 + i] = s->server[i];
	if (s->n_server)
		e = run_tool(tool, args, 2 + s->n_server, NULL);
	args[0] = "domain";
	for (int i = 0; i < s->n_domain; i++)
		args[2 + i] = s->domain[i];
	if (e == 0 && s->n_domain)
		e = run_tool(tool, args, 2 + s->n_domain, NULL);
	return e;
}

int dns_apply(struct dns_state *st, const char *dev, const struct push_opts *p)
{
	struct dns_set s;
	const char *tool;
	int e;

	dns_revert(st);
	collect(&s, p);
	if (!s.n_server && !s.n_domain)
		return 0;
	/* BURROW_DNS=print: leave the system alone (the test suite sets it so that a test in a
	 * namespace never rewrites the host's resolv.conf) */
	if (getenv("BURROW_DNS") && !strcmp(getenv("BURROW_DNS"), "print"))
		return 0;
	tool = find_tool(resolvectl_paths, 2);
	if (tool && access("/run/systemd/resolve/io.systemd.Resolve", F_OK) == 0) {
		st->how = DNS_RESOLVED;
	} else if ((tool = find_tool(resolvconf_paths, 2))) {
		st->how = DNS_RESOLVCONF;
	} else {
		return 0;
	}
	st->tool = tool;
	snprintf(st->dev, sizeof(st->dev), "%s", dev);
	e = st->how == DNS_RESOLVED ? via_resolved(tool, dev, &s) : via_resolvconf(tool, dev, &s);
	if (e != 0) {
		log_warn("DNS: %s could not take the pushed servers for %s", tool, dev);
		dns_revert(st);
		return e < 0 ? e : -EIO;
	}
	log_notice("DNS: %d server%s and %d domain%s for %s handed to %s", s.n_server,
		   s.n_server == 1 ? "" : "s", s.n_domain, s.n_domain == 1 ? "" : "s", dev, tool);
	return 1;
}

bool dns_may_run(void)
{
	if (getenv("BURROW_DNS") && !strcmp(getenv("BURROW_DNS"), "print"))
		return false;
	return find_tool(resolvectl_paths, 2) || find_tool(resolvconf_paths, 2);
}

void dns_revert(struct dns_state *st)
{
	const char *args[2];
	int e;

	if (st->how == DNS_NONE)
		return;
	args[0] = st->how == DNS_RESOLVED ? "revert" : "-d";
	args[1] = st->dev;
	e = run_tool(st->tool, args, 2, NULL);
	if (e != 0)
		log_warn("DNS: %s %s %s failed%s", st->tool, args[0], st->dev,
			 geteuid() ? " (privileges were dropped: undo it as root)" : "");
	else
		log_info("DNS: settings for %s removed", st->dev);
	st->how = DNS_NONE;
}
