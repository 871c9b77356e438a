/* The client engine: remotes with failover and retry backoff, the session on a transport,
 * the tunnel device configured from PUSH_REPLY, keepalive, signals, status file. */
#ifndef BURROW_CORE_CLIENT_H
#define BURROW_CORE_CLIENT_H

struct cfg;

/* Exit statuses of core_client_run (documented in `burrow help client`). */
enum {
	CORE_EXIT_OK = 0,		/* stopped by SIGINT/SIGTERM or HALT */
	CORE_EXIT_FAIL = 1,		/* setup error, retries exhausted */
	CORE_EXIT_AUTH = 3,		/* AUTH_FAILED from the server */
};

/* Runs the client on a validated config (cfg_validate done) until a signal, HALT,
 * AUTH_FAILED or connect-retry-max. Must run as root (or with CAP_NET_ADMIN) for the device.
 * Returns one of the CORE_EXIT_* values. */
int core_client_run(struct cfg *cfg);
/* Same, with credentials obtained elsewhere (a terminal prompt); NULL = from the cfg. */
int core_client_run_creds(struct cfg *cfg, const char *user, const char *pass);

#endif
