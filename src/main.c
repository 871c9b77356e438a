/* burrow: the command table, nothing else. Each command lives in src/cmd/. */
#include <stddef.h>

#include "cmd/cli.h"

static const struct cli_cmd burrow_cmds[] = {
	{ "help", cmd_help, "describe a command: burrow help COMMAND",
	  "Usage: burrow help [COMMAND [SUBCOMMAND]]\n       burrow help directives   (every configuration directive)" },
	{ "version", cmd_version, "print version, OpenSSL version and build options",
	  "Usage: burrow version\n\nPrints burrow's version, the OpenSSL it runs with, and the build type." },
	{ "dev", cmd_dev, "create, configure, show and delete kernel TUN/TAP devices",
	  cmd_dev_usage },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	return cli_main(burrow_cmds, argc, argv);
}
