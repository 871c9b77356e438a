#include "cmd/cfgload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "cmd/cli.h"
#include "util/afile.h"
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
		return cli_usage_error(cmd, "missing the config file%s",
				       strcmp(cmd, "client") ? "" : " (PROFILE.ovpn)");
	*first = i;
	if (i < argc && cmd_check_override(cmd, argv[i]))
		return CLI_USAGE;
	return 0;
}

int cmd_check_override(const char *cmd, const char *word)
{
	if (!strcmp(word, "-v") || !strcmp(word, "-vv") || !strcmp(word, "-q"))
		return cli_usage_error(cmd, "'%s' is a global option: put it before the command "
				       "(burrow %s %s ...)", word, word, cmd);
	if (strncmp(word, "--", 2) != 0)
		return cli_usage_error(cmd, "unexpected argument '%s': after the file come only "
				       "directives, written --name ARGS", word);
	return 0;
}

/* OpenVPN's verb scale onto ours: 0 fatal only, 1-3 normal, 4 more, 5 and up debug. */
static enum log_level cmd_verb_level(int verb)
{
	if (verb <= 0)
		return LOG_LVL_ERROR;
	if (verb <= 3)
		return LOG_LVL_NOTICE;
	return verb == 4 ? LOG_LVL_INFO : LOG_LVL_DEBUG;
}

int cmd_apply_logging(const struct cfg *c)
{
	FILE *fp;
	int fd;

	if (!cli_verbosity_given())
		log_set_level(cmd_verb_level(c->verb));
	if (!c->log)
		return 0;
	/* never through a symlink planted at the path; `log` installs a fresh file by rename */
	fd = afile_open_log(c->log, c->log_append);
	if (fd < 0)
		errno = -fd;
	fp = fd < 0 ? NULL : fdopen(fd, "a");
	if (!fp) {
		log_error("%s %s: cannot open the log file: %s — check the directory and its "
			  "permissions%s", c->log_append ? "log-append" : "log", c->log,
			  strerror(errno), errno == ELOOP ? " (it is a symbolic link: remove it)" : "");
		if (fd >= 0)
			close(fd);
		return CLI_FAIL;
	}
	/* Line-buffered: a person tailing the file sees each phase as it happens. */
	setvbuf(fp, NULL, _IOLBF, 0);
	log_set_stream(fp);
	log_set_dates(1);	/* a log file outlives the day; the terminal does not need it */
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
	return cmd_apply_logging(c);
}

int cmd_need_net_admin(const char *cmd)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	/* Without the answer, let the device setup report what is missing. */
	if (syscall(SYS_capget, &hdr, data) != 0)
		return 0;
	if (data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32)))
		return 0;
	log_error("burrow %s needs root or CAP_NET_ADMIN: it creates a tun/tap device and sets its "
		  "addresses and routes. Run it as root, e.g. sudo burrow %s ...", cmd, cmd);
	return CLI_FAIL;
}
