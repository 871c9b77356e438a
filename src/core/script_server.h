/* The server's scripts: up/down for its device, client-connect (its output file is applied
 * like a client-config-dir file), client-disconnect and learn-address. */
#ifndef BURROW_CORE_SCRIPT_SERVER_H
#define BURROW_CORE_SCRIPT_SERVER_H

#include <stdbool.h>

struct server;
struct peer;
struct cfg_ccd;

/* up after the device is configured (before the privilege drop): non-zero = do not start. */
int script_server_up(struct server *srv);
/* down after the device is closed (unprivileged if user/group dropped root). */
void script_server_down(struct server *srv);
/* client-connect FILE: 0 = admit as is, 1 = admit with the directives the script wrote (now in
 * *ccd, *have set; a ccd file already in *ccd is replaced); negative = refuse the client. */
int script_server_connect(struct peer *p, struct cfg_ccd *ccd, bool *have);
/* client-disconnect, for a client that was admitted. */
void script_server_disconnect(struct peer *p);
/* learn-address OP ADDR [CN] for the client's tunnel addresses (OP: add, update, delete). */
void script_server_learn(struct peer *p, const char *op);

#endif
