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
/* client-connect, without blocking the loop: 0 = started (p->cc set), < 0 = it could not
 * run. The script gets the client's variables, client_connect_config_file (also its
 * argument) and client_connect_deferred_file. When it exits 0 and the deferred file holds
 * nothing or "1" (or "2" and later "1"), what it wrote to the config file replaces p->ccd;
 * then server_peer_connect_done(p, r) with r = 0 (nothing written), 1 (p->ccd from the
 * script) or < 0 (refuse: non-zero exit, "0", killed after 30 s, bad output). Never called
 * from inside this call. */
int script_server_connect(struct peer *p);
/* The client goes away first: kills the script, stops watching, removes the files. */
void script_server_connect_cancel(struct peer *p);
/* client-disconnect, for a client that was admitted: queued (see below). */
void script_server_disconnect(struct peer *p);
/* learn-address OP ADDR [CN] for the client's tunnel addresses (OP: add, update, delete):
 * queued. client-disconnect and learn-address calls of all clients run one at a time in
 * the order they were queued, watched in the loop, each killed after 30 s. */
void script_server_learn(struct peer *p, const char *op);
/* On the way out (script_server_down calls it): waits for the running call and runs the
 * queued ones to completion. */
void script_server_hooks_flush(struct server *srv);

#endif
