/* Fuzzes a whole session: the input is a sequence of records [flags u8][len u16 BE][bytes]
 * fed to a fresh client or server session (flags bit 0 picks the side, bit 1 advances the
 * clock by 3 s and runs the timers first). No wrapping, so the fuzzer can reach the reset,
 * reliability, key-id and data paths with plain packets. Certificates are made once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/session.h"
#include "proto/tls.h"
#include "util/log.h"
#include "util/pki.h"

static struct tls_conf *client_tls, *server_tls;

static struct tls_conf *make_tls(const char *dir, bool server)
{
	char ca[256], crt[256], key[256];
	struct tls_conf_opts o = { .role = server ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT };
	struct tls_conf *t = NULL;
	const char *who = server ? "server" : "client";

	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", dir, who);
	o.ca.path = ca;
	o.cert.path = crt;
	o.key.path = key;
	if (tls_conf_new(&t, &o, NULL, 0))
		abort();
	return t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/burrow-fuzz-sess-XXXXXX";

	(void)argc;
	(void)argv;
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(dir) || pki_make(dir, NULL))
		abort();
	client_tls = make_tls(dir, false);
	server_tls = make_tls(dir, true);
	return 0;	/* the PEM files stay in /tmp for the run; they are small */
}

static void drain(struct sess *s)
{
	struct sess_buf b;
	struct sess_event e;

	while (sess_pop_wire(s, &b))
		;
	while (sess_pop_tun(s, &b))
		;
	while (sess_pop_event(s, &e))
		if (e.type == SESS_EV_AUTH_REQUEST)
			sess_auth_reply(s, true, "ifconfig 10.8.0.2 255.255.255.0", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sess_conf cc = { .role = SESS_CLIENT, .tls = client_tls, .unix_time = 1700000000 };
	struct sess_conf sc = { .role = SESS_SERVER, .tls = server_tls, .unix_time = 1700000000 };
	uint64_t now = 1000000;
	struct sess *c = sess_new(&cc, now), *s = sess_new(&sc, now);

	while (c && s && size >= 3) {
		uint8_t flags = data[0];
		size_t len = (size_t)(data[1] << 8 | data[2]);
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		struct sess *to = flags & 1 ? s : c;
		if (flags & 2) {
			now += 3000;
			sess_timer(c, now);
			sess_timer(s, now);
		}
		sess_input(to, data, len, now);
		if (flags & 4)
			sess_send_data(to, data, len, now);
		drain(c);
		drain(s);
		data += len;
		size -= len;
	}
	sess_free(c);
	sess_free(s);
	return 0;
}
