#include "cmd/cli.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "util/log.h"

const struct cli_cmd *cli_table;
/* -v/-q given: they win over a config's verb (cli_verbosity_given). */
static bool cli_level_given;

bool cli_verbosity_given(void)
{
	return cli_level_given;
}

const struct cli_cmd *cli_find(const struct cli_cmd *cmds, const char *name)
{
	for (; cmds->name; cmds++)
		if (strcmp(cmds->name, name) == 0)
			return cmds;
	return NULL;
}

void cli_print_help(const struct cli_cmd *cmds)
{
	printf("Usage: burrow [-v|-vv|-q] COMMAND [ARGS...]\n\n"
	       "burrow is an OpenVPN-compatible VPN client and server with its own\n"
	       "TUN/TAP device layer.\n\nCommands:\n");
	for (; cmds->name; cmds++)
		printf("  %-10s %s\n", cmds->name, cmds->summary);
	printf("\nGlobal options:\n"
	       "  -v, --verbose   more detail (repeat for debug output)\n"
	       "  -q, --quiet     errors and warnings only\n"
	       "  -h, --help      this text\n"
	       "  -V, --version   same as `burrow version`\n\n"
	       "`burrow help COMMAND` describes one command. See burrow(8).\n"
	       "First time? `sudo burrow demo` builds a VPN between two throw-away namespaces.\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "burrow%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'burrow help%s%s' for usage.\n", cmd ? " " : "", cmd ? cmd : "");
	return CLI_USAGE;
}

static void cli_print_usage(const struct cli_cmd *cmd)
{
	printf("%s\n", cmd->usage ? cmd->usage : cmd->summary);
}

int cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cli_print_usage(cmd);
			return 1;
		}
	}
	return 0;
}

int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		cli_print_help(cli_table);
		return CLI_OK;
	}
	if (strcmp(argv[1], "directives") == 0) {
		/* the config option table: every directive a profile may use */
		if (argc > 2 && strcmp(argv[2], "--json") == 0)
			cfg_print_directives_json(stdout);
		else if (argc > 2)
			return cli_usage_error("help", "'directives' takes only --json (got '%s')",
					       argv[2]);
		else
			cfg_print_directives(stdout);
		return CLI_OK;
	}
	cmd = cli_find(cli_table, argv[1]);
	if (!cmd)
		return cli_usage_error("help", "no command '%s'", argv[1]);
	if (argc > 2 && cmd->fn == cmd_dev) {
		/* `burrow help dev add`: the command with subcommands explains each itself. */
		char *sub[] = { argv[1], argv[2], "--help", NULL };
		return cmd->fn(3, sub);
	}
	if (argc > 2)
		return cli_usage_error("help", "'%s' has no subcommands (got '%s')", argv[1], argv[2]);
	cli_print_usage(cmd);
	return CLI_OK;
}

/* Returns the index of the command word, or -1 after handling a global option. */
static int cli_globals(int argc, char **argv, int *status)
{
	int lvl = LOG_LVL_NOTICE;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			lvl++;
		else if (!strcmp(a, "-vv"))
			lvl += 2;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			lvl = LOG_LVL_WARN;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_print_help(cli_table);
			*status = CLI_OK;
			return -1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			*status = cmd_version(1, (char *[]){ "version", NULL });
			return -1;
		} else {
			*status = cli_usage_error(NULL, "unknown option '%s'", a);
			return -1;
		}
	}
	cli_level_given = i > 1;	/* only -v/-vv/-q get this far */
	log_set_level((enum log_level)lvl);
	return i;
}

/* Suggest a command that starts with the same letters, for typos like `burrow serv`. */
static const char *cli_guess(const struct cli_cmd *cmds, const char *name)
{
	for (; cmds->name; cmds++)
		if (strncmp(cmds->name, name, 2) == 0)
			return cmds->name;
	return NULL;
}

int cli_main(const struct cli_cmd *cmds, int argc, char **argv)
{
	const struct cli_cmd *cmd;
	const char *guess;
	int status = CLI_OK;
	int i;

	cli_table = cmds;
	i = cli_globals(argc, argv, &status);
	if (i < 0)
		return status;
	if (i >= argc) {
		cli_print_help(cmds);
		return CLI_USAGE;
	}
	cmd = cli_find(cmds, argv[i]);
	if (cmd)
		return cli_wants_help(cmd, argc - i, argv + i) ? CLI_OK : cmd->fn(argc - i, argv + i);
	guess = cli_guess(cmds, argv[i]);
	fprintf(stderr, "burrow: unknown command '%s'\n", argv[i]);
	if (guess)
		fprintf(stderr, "Did you mean 'burrow %s'? ", guess);
	fprintf(stderr, "Try 'burrow --help' for the list of commands.\n");
	return CLI_USAGE;
}
