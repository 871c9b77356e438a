/* The protocol session's settings (struct sess_conf + the TLS context) from a validated
 * config, for either role: one place that the client and the server engines share. */
#ifndef BURROW_CORE_SESSCONF_H
#define BURROW_CORE_SESSCONF_H

#include "config/config.h"
#include "proto/session.h"

/* Fills s (zeroed here) and creates *tls. Logs the reason on failure (names the directive
 * to fix). Returns 0 or -errno; on failure nothing needs freeing. */
int core_sess_conf(const struct cfg *c, enum sess_role role, struct sess_conf *s,
		   struct tls_conf **tls);
/* Wipes key material in s and drops the TLS context. */
void core_sess_conf_free(struct sess_conf *s, struct tls_conf **tls);

#endif
