#include "cmd/cfgload.h"

#include <errno.h>
#include <string.h>

#include "cmd/cli.h"
#include "util/log.h"

/* Splits argv into the config file (first non-option word or --config FILE) and overrides. */
static int cfg_args(const char *cmd, int argc, char **argv, const char **file, int *first)
{
	int i = 1;

	*file = NULL;
	if (i < argc && strcmp(argv[i], "--config") == 0) {
		if (i + 1 >= argc)
			return cli_usage_error(cmd, "--config needs a FILE");
		*file = argv[i + 1];
		i += 2;
	} else if (i < argc && argv[i][0] != '-') {
		*file = argv[i++];
	}
	for (int j = i; j < argc; j++)
		if (strcmp(argv[j], "--config") == 0)
			return cli_usage_error(cmd, "give only one config file");
	if (!*file && i >= argc)
		return cli_usage_error(cmd, "missing the config file");
	*first = i;
	return 0;
}

int cmd_load_config(const char *cmd, enum cfg_role role, int argc, char **argv, struct cfg *c)
{
	const char *file;
	struct cfg_err err;
	int first = 1, e;

	memset(c, 0, sizeof(*c));
	e = cfg_args(cmd, argc, argv, &file, &first);
	if (e) {
		cfg_init(c, role);
		return e;
	}
	memset(&err, 0, sizeof(err));
	if (file)
		e = cfg_load_file(file, role, c, &err);
	else
		cfg_init(c, role);
	if (e == 0)
		e = cfg_apply_args(argc - first, argv + first, c, &err);
	if (e == 0)
		e = cfg_validate(c, &err);
	if (e < 0) {
		log_error("%s", err.text[0] ? err.text : strerror(-e));
		return CLI_FAIL;
	}
	if (c->role != role) {
		log_error("%s is a %s configuration; use 'burrow %s'", file ? file : "this",
			  c->role == CFG_ROLE_SERVER ? "server" : "client",
			  c->role == CFG_ROLE_SERVER ? "server" : "client");
		return CLI_FAIL;
	}
	return 0;
}
