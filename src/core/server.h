/* The server engine: one event loop serving many OpenVPN clients over UDP (one socket,
 * demultiplexed by address and peer-id, the stateless cookie before any per-client state)
 * or TCP (one connection each), with an address pool, routing between the tunnel device
 * and the clients, client-to-client, keepalive, auth scripts and a status file. */
#ifndef BURROW_CORE_SERVER_H
#define BURROW_CORE_SERVER_H

struct cfg;

/* Runs the server on a validated config until SIGINT/SIGTERM. Needs root (or
 * CAP_NET_ADMIN) for the device. Returns 0 after a clean stop, 1 on a setup error. */
int core_server_run(struct cfg *cfg);

#endif
