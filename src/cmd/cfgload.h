/* Loading a config for `burrow client` and `burrow server`: the file (first word or
 * --config FILE), then OpenVPN-style --directive overrides, then validation. */
#ifndef BURROW_CMD_CFGLOAD_H
#define BURROW_CMD_CFGLOAD_H

#include "config/config.h"

/* Returns 0, CLI_USAGE (message printed) or CLI_FAIL (config error logged with file:line).
 * c is always safe to cfg_free() afterwards. */
int cmd_load_config(const char *cmd, enum cfg_role role, int argc, char **argv, struct cfg *c);

/* The first word after the config file must be a --directive: a usage error (printed, returns
 * CLI_USAGE) for a stray word or a global option like -v given after the command. */
int cmd_check_override(const char *cmd, const char *word);

/* Applies the config's verb (unless -v/-q was given) and log/log-append (the file becomes the
 * log stream). Returns 0 or CLI_FAIL (logged). */
int cmd_apply_logging(const struct cfg *c);

/* Checked before connecting, so a user without privileges learns it at once and not after the
 * handshake. Returns 0 or CLI_FAIL (logged). */
int cmd_need_net_admin(const char *cmd);

#endif
