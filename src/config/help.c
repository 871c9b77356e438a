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
	return o->flags & CFG_F_INLINE ? "inline" : "";
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
		"inline = may be an inline <NAME> block. [default: ...] is what applies when\n"
		"a configuration leaves the directive out. Each line ends with what burrow does\n"
		"with the directive:\n"
		"  honoured  it has its effect (the named test shows it)\n"
		"  noticed   accepted with a warning saying why it does not matter here\n"
		"  refused   the configuration is refused, saying why and what to do\n\n");
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
		fprintf(fp, "\n  %-44s %s", "", cfg_status_name(o->status));
		if (o->status == CFG_ST_HONOURED)
			fprintf(fp, " (%s)\n", o->test);
		else if (o->status == CFG_ST_NOTICED)
			fprintf(fp, ": %s\n", o->why);
		else
			fprintf(fp, ": %s — %s\n", o->why, o->todo ? o->todo : "remove it");
	}
}

static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

void cfg_print_directives_json(FILE *fp)
{
	fputs("[\n", fp);
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];
		char dflt[128];

		fputs("  {\"name\": ", fp);
		json_str(fp, o->name);
		fputs(", \"roles\": [", fp);
		fprintf(fp, "%s%s%s%s%s", o->roles & CFG_R_CLIENT ? "\"client\"" : "",
			(o->roles & CFG_R_CLIENT) && (o->roles & (CFG_R_SERVER | CFG_R_CCD)) ? ", " : "",
			o->roles & CFG_R_SERVER ? "\"server\"" : "",
			(o->roles & CFG_R_SERVER) && (o->roles & CFG_R_CCD) ? ", " : "",
			o->roles & CFG_R_CCD ? "\"ccd\"" : "");
		fprintf(fp, "], \"min_args\": %u, \"max_args\": %u, \"args\": ", o->min_args,
			o->max_args);
		json_str(fp, o->args && o->args[0] != '.' ? o->args : "");
		fputs(", \"inline\": ", fp);
		fputs(o->flags & CFG_F_INLINE ? "true" : "false", fp);
		fputs(", \"status\": ", fp);
		json_str(fp, cfg_status_name(o->status));
		fputs(", \"default\": ", fp);
		if (cfg_default_text(o, dflt, sizeof(dflt)) == 0)
			json_str(fp, dflt);
		else
			fputs("null", fp);
		if (o->status == CFG_ST_HONOURED) {
			fputs(", \"test\": ", fp);
			json_str(fp, o->test);
		} else {
			fputs(", \"reason\": ", fp);
			json_str(fp, o->why);
			if (o->status == CFG_ST_REFUSED) {
				fputs(", \"todo\": ", fp);
				json_str(fp, o->todo ? o->todo : "remove it");
			}
		}
		fputs(", \"help\": ", fp);
		json_str(fp, o->help);
		fprintf(fp, "}%s\n", i + 1 < cfg_n_options ? "," : "");
	}
	fputs("]\n", fp);
}
