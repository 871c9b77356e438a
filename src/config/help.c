/* `burrow help directives`: printed from the option table, so it cannot drift. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_impl.h"

static const char *roles_tag(const struct cfg_option *o)
{
	if (o->roles == CFG_R_CCD)
		return "ccd";
	if ((o->roles & CFG_R_BOTH) == CFG_R_BOTH)
		return "";
	if (o->roles & CFG_R_CLIENT)
		return "client";
	return o->roles & CFG_R_CCD ? "server, ccd" : "server";
}

static const char *flags_tag(const struct cfg_option *o)
{
	if (o->flags & CFG_F_IGNORED)
		return "ignored";
	if (o->flags & CFG_F_UNSUPPORTED)
		return "unsupported";
	if (o->flags & CFG_F_INLINE)
		return "inline";
	return "";
}

int cfg_default_text(const struct cfg_option *o, char *buf, size_t cap)
{
	char args[128], *w[CFG_MAX_ARGS], *save = NULL;
	int nw = 0, nd = 0;
	size_t n = 0;

	if (!o->dflt)
		return -ENOENT;
	if (!(o->flags & CFG_F_DTAIL))
		return snprintf(buf, cap, "%s", o->dflt) < (int)cap ? 0 : -ENOSPC;
	/* "FILE [SECONDS]" with default "60": "SECONDS 60" */
	snprintf(args, sizeof(args), "%s", o->args ? o->args : "");
	for (char *t = strtok_r(args, " []", &save); t && nw < CFG_MAX_ARGS;
	     t = strtok_r(NULL, " []", &save))
		w[nw++] = t;
	for (const char *p = o->dflt; *p; p += strspn(p, " "))
		nd++, p += strcspn(p, " ");
	buf[0] = '\0';
	for (int i = nw - nd; i < nw; i++)
		if (i >= 0)
			n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s ", w[i]);
	n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s", o->dflt);
	return n < cap ? 0 : -ENOSPC;
}

void cfg_print_directives(FILE *fp)
{
	fprintf(fp, "Configuration directives (OpenVPN 2.6 syntax; '--NAME ARGS' on the command line).\n"
		"Tags: client/server = only in that role, ccd = client-config-dir files,\n"
		"inline = may be an inline <NAME> block, ignored = accepted with a notice,\n"
		"unsupported = recognised but refused. [default: ...] is what applies when\n"
		"a configuration leaves the directive out.\n\n");
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];
		const char *r = roles_tag(o), *f = flags_tag(o);
		bool args = o->args && o->args[0] && o->args[0] != '.';
		char usage[96], dflt[128];

		snprintf(usage, sizeof(usage), "%s%s%s", o->name, args ? " " : "", args ? o->args : "");
		fprintf(fp, "  %-44s %s", usage, o->help);
		if (*r || *f)
			fprintf(fp, " (%s%s%s)", r, *r && *f ? ", " : "", f);
		if (cfg_default_text(o, dflt, sizeof(dflt)) == 0)
			fprintf(fp, " [default: %s]", dflt);
		fputc('\n', fp);
	}
}
