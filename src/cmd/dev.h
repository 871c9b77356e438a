/* Internal to `burrow dev` (dev.c, dev_show.c). */
#ifndef BURROW_CMD_DEV_H
#define BURROW_CMD_DEV_H

/* `burrow dev show [NAME] [--json]`; argv[0] is "show". Returns the exit status. */
int cmd_dev_show(int argc, char **argv);

#endif
