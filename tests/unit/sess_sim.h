/* A simulated network and clock for session tests (test_handshake, test_session).
 * Header-only so each test stays one file plus this; everything is static. */
#ifndef BURROW_TESTS_SESS_SIM_H
#define BURROW_TESTS_SESS_SIM_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/session.h"
#include "proto/tls.h"
#include "util/pki.h"

#define SIM_QCAP 1024

struct sim_pkt {
	uint64_t at;
	size_t len;
	uint8_t *data;
};

/* One direction of a lossy link: drops, duplicates and delays (hence reorders). */
struct sim_link {
	struct sim_pkt q[SIM_QCAP];
	size_t n;
	uint64_t rng;
	unsigned drop_pct, dup_pct, max_delay_ms;
	uint64_t sent, dropped, dups;
};

static inline uint32_t sim_rand(uint64_t *st)
{
	uint64_t x = *st;	/* xorshift64*: deterministic per seed */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

static inline void sim_link_init(struct sim_link *l, uint64_t seed, unsigned drop, unsigned dup,
			  unsigned delay)
{
	memset(l, 0, sizeof(*l));
	l->rng = seed ? seed : 1;
	l->drop_pct = drop;
	l->dup_pct = dup;
	l->max_delay_ms = delay ? delay : 1;
}

static inline void sim_link_free(struct sim_link *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->q[i].data);
	l->n = 0;
}

static inline void sim_link_put(struct sim_link *l, const uint8_t *d, size_t len, uint64_t now)
{
	if (l->n == SIM_QCAP)
		return;
	struct sim_pkt *p = &l->q[l->n];
	p->data = malloc(len ? len : 1);
	if (!p->data)
		return;
	memcpy(p->data, d, len);
	p->len = len;
	p->at = now + 1 + sim_rand(&l->rng) % l->max_delay_ms;
	l->n++;
}

static inline void sim_link_send(struct sim_link *l, const uint8_t *d, size_t len, uint64_t now)
{
	l->sent++;
	if (sim_rand(&l->rng) % 100 < l->drop_pct) {
		l->dropped++;
		return;
	}
	sim_link_put(l, d, len, now);
	if (sim_rand(&l->rng) % 100 < l->dup_pct) {
		l->dups++;
		sim_link_put(l, d, len, now);
	}
}

static inline uint64_t sim_link_next(const struct sim_link *l)
{
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; i < l->n; i++)
		if (l->q[i].at < t)
			t = l->q[i].at;
	return t;
}

/* The earliest due packet (caller frees data), false if none is due. */
static inline bool sim_link_pop(struct sim_link *l, uint64_t now, struct sim_pkt *out)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < l->n; i++)
		if (l->q[i].at <= now && (best == SIZE_MAX || l->q[i].at < l->q[best].at))
			best = i;
	if (best == SIZE_MAX)
		return false;
	*out = l->q[best];
	memmove(&l->q[best], &l->q[best + 1], (l->n - best - 1) * sizeof(l->q[0]));
	l->n--;
	return true;
}

/* Test PKI + TLS contexts, made once per test program. */
struct sim_pki {
	char dir[64];
	struct tls_conf *client, *server, *client2;
};

static inline int sim_tls_conf(struct tls_conf **out, const char *dir, bool server, const char *cert,
			const char *key)
{
	char ca[128], crt[128], k[128], err[TLS_ERR_MAX];
	struct tls_conf_opts o;

	memset(&o, 0, sizeof(o));
	o.role = server ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT;
	if (pki_path(ca, sizeof(ca), dir, "ca.crt") || pki_path(crt, sizeof(crt), dir, cert) ||
	    pki_path(k, sizeof(k), dir, key))
		return -ENAMETOOLONG;
	o.ca.path = ca;
	o.cert.path = crt;
	o.key.path = k;
	o.remote_cert = server ? TLS_REMOTE_CERT_CLIENT : TLS_REMOTE_CERT_SERVER;
	int r = tls_conf_new(out, &o, err, sizeof(err));
	if (r)
		fprintf(stderr, "tls_conf_new: %s\n", err);
	return r;
}

static inline int sim_pki_make(struct sim_pki *p)
{
	struct pki_opts o;

	memset(p, 0, sizeof(*p));
	memset(&o, 0, sizeof(o));
	o.key_type = PKI_KEY_EC;
	o.client_cns[0] = "client1";
	o.client_cns[1] = "client2";
	o.n_clients = 2;
	snprintf(p->dir, sizeof(p->dir), "/tmp/burrow-sess-XXXXXX");
	if (!mkdtemp(p->dir))
		return -errno;
	int r = pki_make(p->dir, &o);
	if (!r)
		r = sim_tls_conf(&p->server, p->dir, true, "server.crt", "server.key");
	if (!r)
		r = sim_tls_conf(&p->client, p->dir, false, "client.crt", "client.key");
	if (!r)
		r = sim_tls_conf(&p->client2, p->dir, false, "client-client2.crt",
				 "client-client2.key");
	return r;
}

static inline void sim_pki_free(struct sim_pki *p)
{
	char path[512];
	struct dirent *e;

	tls_conf_free(p->client);
	tls_conf_free(p->client2);
	tls_conf_free(p->server);
	DIR *d = opendir(p->dir);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && !pki_path(path, sizeof(path), p->dir, e->d_name))
			unlink(path);
	if (d)
		closedir(d);
	rmdir(p->dir);
}

#endif
