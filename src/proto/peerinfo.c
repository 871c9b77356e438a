/* Peer-info (IV_* variables, spec §7.4): build on the client, parse on the server. */
#include "proto/peerinfo.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

#define PINFO_NAME_MAX 64

/* One row per variable: where it lives in struct pinfo. Numeric rows have str == NULL. */
struct pinfo_var {
	const char *name;
	size_t str_off, str_len;	/* string fields */
	size_t num_off;			/* int fields; proto is the one long */
	enum { PV_STR, PV_INT, PV_LONG } kind;
};

#define PV_S(n, f) { n, offsetof(struct pinfo, f), sizeof(((struct pinfo *)0)->f), 0, PV_STR }
#define PV_I(n, f) { n, 0, 0, offsetof(struct pinfo, f), PV_INT }

/* In the order a 2.6 client writes them (§7.4), extras last. */
static const struct pinfo_var pinfo_vars[] = {
	PV_S("IV_VER", ver),
	PV_S("IV_PLAT", plat),
	PV_I("IV_TCPNL", tcpnl),
	PV_I("IV_MTU", mtu),
	PV_I("IV_NCP", ncp),
	PV_S("IV_CIPHERS", ciphers),
	{ "IV_PROTO", 0, 0, offsetof(struct pinfo, proto), PV_LONG },
	PV_I("IV_LZ4", lz4),
	PV_I("IV_LZ4v2", lz4v2),
	PV_I("IV_LZO", lzo),
	PV_I("IV_LZO_STUB", lzo_stub),
	PV_I("IV_COMP_STUB", comp_stub),
	PV_I("IV_COMP_STUBv2", comp_stubv2),
	PV_S("IV_GUI_VER", gui_ver),
	PV_S("IV_SSO", sso),
	PV_S("IV_PLAT_VER", plat_ver),
	PV_S("IV_HWADDR", hwaddr),
	PV_S("IV_SSL", ssl),
};
#define PINFO_NVARS (sizeof(pinfo_vars) / sizeof(pinfo_vars[0]))

static char *pinfo_str(struct pinfo *p, const struct pinfo_var *v)
{
	return (char *)p + v->str_off;
}

static int *pinfo_int(struct pinfo *p, const struct pinfo_var *v)
{
	return (int *)((char *)p + v->num_off);
}

void pinfo_init(struct pinfo *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < PINFO_NVARS; i++)
		if (pinfo_vars[i].kind == PV_INT)
			*pinfo_int(p, &pinfo_vars[i]) = -1;
	p->proto = -1;
}

void pinfo_default_client(struct pinfo *p)
{
	pinfo_init(p);
	snprintf(p->ver, sizeof(p->ver), "%s", PINFO_VERSION);
	snprintf(p->plat, sizeof(p->plat), "linux");
	snprintf(p->ciphers, sizeof(p->ciphers), "%s", PINFO_DEFAULT_CIPHERS);
	p->tcpnl = 1;
	p->mtu = 1600;
	p->ncp = 2;
	p->proto = PINFO_PROTO_26_PULL;
	p->lzo_stub = 1;
	p->comp_stub = 1;
	p->comp_stubv2 = 1;
}

static int pinfo_put(char *out, size_t cap, size_t *len, const char *name, const char *val)
{
	int n = snprintf(out + *len, cap - *len, "%s=%s\n", name, val);

	if (n < 0 || (size_t)n >= cap - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

int pinfo_build(const struct pinfo *p, char *out, size_t cap)
{
	struct pinfo *pm = (struct pinfo *)p;	/* read-only use of the accessors */
	size_t len = 0;
	char num[24];
	int rc = 0;

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	for (size_t i = 0; !rc && i < PINFO_NVARS; i++) {
		const struct pinfo_var *v = &pinfo_vars[i];
		long n = v->kind == PV_LONG ? p->proto : v->kind == PV_INT ? *pinfo_int(pm, v) : 0;

		if (v->kind == PV_STR) {
			if (pinfo_str(pm, v)[0])
				rc = pinfo_put(out, cap, &len, v->name, pinfo_str(pm, v));
		} else if (n >= 0) {
			snprintf(num, sizeof(num), "%ld", n);
			rc = pinfo_put(out, cap, &len, v->name, num);
		}
	}
	if (rc) {
		out[0] = '\0';
		return rc;
	}
	return (int)len;
}

static bool pinfo_parse_num(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* One NAME=value line (NUL-terminated copy). */
static void pinfo_line(struct pinfo *p, char *line)
{
	char *eq = strchr(line, '=');
	long num;

	if (!eq || eq == line) {
		p->n_bad++;
		return;
	}
	*eq = '\0';
	for (size_t i = 0; i < PINFO_NVARS; i++) {
		const struct pinfo_var *v = &pinfo_vars[i];

		if (strcmp(v->name, line) != 0)
			continue;
		if (v->kind == PV_STR) {
			if (strlen(eq + 1) >= v->str_len)
				p->n_bad++;
			else
				memcpy(pinfo_str(p, v), eq + 1, strlen(eq + 1) + 1);
		} else if (!pinfo_parse_num(eq + 1, v->kind == PV_LONG ? LONG_MAX : INT_MAX,
					    &num)) {
			p->n_bad++;
		} else if (v->kind == PV_LONG) {
			p->proto = num;
		} else {
			*pinfo_int(p, v) = (int)num;
		}
		return;
	}
	p->n_unknown++;
}

/* Printable ASCII, tab, CR/LF and UTF-8 bytes (UV_ values may carry them); no NUL or
 * other control characters. */
static bool pinfo_text_ok(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
			return false;
		if (c == 0x7f)
			return false;
	}
	return true;
}

int pinfo_parse(struct pinfo *p, const char *text, size_t len)
{
	char line[PINFO_MAX + 1];
	size_t i = 0;

	pinfo_init(p);
	if (len > PINFO_MAX)
		return -EMSGSIZE;
	if (!pinfo_text_ok(text, len))
		return -EBADMSG;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		size_t keep = n;

		memcpy(line, text + i, n);
		while (keep && line[keep - 1] == '\r')
			keep--;
		line[keep] = '\0';
		if (keep)
			pinfo_line(p, line);
		i += n + 1;
	}
	if (p->n_bad)
		log_debug("peer-info: %d malformed line(s) ignored", p->n_bad);
	return 0;
}

bool pinfo_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; *s;) {
		const char *c = strchr(s, ':');
		size_t len = c ? (size_t)(c - s) : strlen(s);

		if (len == n && n && strncasecmp(s, name, n) == 0)
			return true;
		s += len + (c ? 1 : 0);
	}
	return false;
}

bool pinfo_has_cipher(const struct pinfo *p, const char *name)
{
	return pinfo_list_has(p->ciphers, name);
}

int pinfo_get(const char *text, size_t len, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		const char *end = memchr(text + i, '\n', len - i);
		size_t n = end ? (size_t)(end - (text + i)) : len - i;

		if (n > nl && text[i + nl] == '=' && memcmp(text + i, name, nl) == 0) {
			size_t vlen = n - nl - 1;

			while (vlen && text[i + nl + vlen] == '\r')
				vlen--;
			if (vlen >= cap)
				return -ENOSPC;
			memcpy(out, text + i + nl + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		i += n + 1;
	}
	return -ENOENT;
}
