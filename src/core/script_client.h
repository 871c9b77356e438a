/* The client's up and down scripts (client engine side of core/script.h). */
#ifndef BURROW_CORE_SCRIPT_CLIENT_H
#define BURROW_CORE_SCRIPT_CLIENT_H

#include <stdbool.h>

#include "core/script.h"

struct client;

/* Runs `up` (if configured) for the device just configured; RESTART when the device was kept
 * from an earlier session (persist-tun, up-restart). Returns 0 (also when there is no up
 * script), or non-zero: the script failed and the client must stop, as OpenVPN does. */
int script_client_up(struct client *cl, bool restart);
/* Fills SC for `down` while the device and its addresses still exist; false = no down script.
 * The caller runs it with script_run after closing the device (before, with down-pre). */
bool script_client_down_prepare(struct client *cl, struct script_call *sc);

#endif
