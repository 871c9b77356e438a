/* `burrow help directives`: printed from the option table, so it cannot drift. */
#include <stdbool.h>
#include <stdio.h>

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

void cfg_print_directives(FILE *fp)
{
	fprintf(fp, "Configuration directives (OpenVPN 2.6 syntax; '--NAME ARGS' on the command line).\n"
		"Tags: client/server = only in that role, ccd = client-config-dir files,\n"
		"inline = may be an inline <NAME> block, ignored = accepted with a notice,\n"
		"unsupported = recognised but refused.\n\n");
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];
		const char *r = roles_tag(o), *f = flags_tag(o);
		bool args = o->args && o->args[0] && o->args[0] != '.';
		char usage[96];

		snprintf(usage, sizeof(usage), "%s%s%s", o->name, args ? " " : "", args ? o->args : "");
		fprintf(fp, "  %-44s %s", usage, o->help);
		if (*r || *f)
			fprintf(fp, " (%s%s%s)", r, *r && *f ? ", " : "", f);
		fputc('\n', fp);
	}
}
