/* Table-driven command-line dispatch: burrow CMD [ARGS], burrow help CMD. */
#ifndef BURROW_CMD_CLI_H
#define BURROW_CMD_CLI_H

#include <stdbool.h>

/* A subcommand gets argv with argv[0] = its own name; returns the exit status. */
typedef int (*cli_fn)(int argc, char **argv);

struct cli_cmd {
	const char *name;
	cli_fn fn;
	const char *summary;	/* one line for `burrow --help` */
	const char *usage;	/* full text for `burrow help NAME` and `NAME --help` */
};

/* Exit statuses, as documented in burrow(8). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Parses global options (-v, -q, --help, --version) and runs the command.
 * cmds ends with an entry whose name is NULL. */
int cli_main(const struct cli_cmd *cmds, int argc, char **argv);

const struct cli_cmd *cli_find(const struct cli_cmd *cmds, const char *name);
void cli_print_help(const struct cli_cmd *cmds);

/* For subcommands: report a usage error the same way everywhere (one line + hint), returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when -v/-vv/-q came before the command: the command line wins over a config's verb. */
bool cli_verbosity_given(void);
/* True when argv holds -h/--help; prints the command's usage. */
int cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv);

/* The table itself lives in main.c; cmd files reach it through this pointer for `help`. */
extern const struct cli_cmd *cli_table;

/* Subcommands implemented in src/cmd/. */
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_client(int argc, char **argv);
/* burrow dev (dev.c): kernel TUN/TAP devices; its usage text is shared with the table. */
int cmd_dev(int argc, char **argv);
/* burrow server (server.c). */
int cmd_server(int argc, char **argv);
extern const char cmd_server_usage[];
/* burrow demo (demo.c). */
int cmd_demo(int argc, char **argv);
extern const char cmd_demo_usage[];
/* burrow status (status.c). */
int cmd_status(int argc, char **argv);
extern const char cmd_status_usage[];
extern const char cmd_dev_usage[];

#endif
