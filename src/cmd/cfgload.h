/* Loading a config for `burrow client` and `burrow server`: the file (first word or
 * --config FILE), then OpenVPN-style --directive overrides, then validation. */
#ifndef BURROW_CMD_CFGLOAD_H
#define BURROW_CMD_CFGLOAD_H

#include "config/config.h"

/* Returns 0, CLI_USAGE (message printed) or CLI_FAIL (config error logged with file:line).
 * c is always safe to cfg_free() afterwards. */
int cmd_load_config(const char *cmd, enum cfg_role role, int argc, char **argv, struct cfg *c);

#endif
