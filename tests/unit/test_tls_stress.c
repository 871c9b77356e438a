/* proto/tls under threads: worker threads share one client and one server tls_conf (as a
 * multi-threaded server shares its SSL_CTX) and run many handshakes at once; each pair must
 * agree on its EKM, and the conf reference count must end exactly at zero (ASan/TSan). */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "proto/tls.h"
#include "util/pki.h"

#define THREADS 4
#define ROUNDS 25

static struct tls_conf *cc, *sc;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static void pump(struct tls_sess *a, struct tls_sess *b)
{
	uint8_t buf[4096];
	size_t n;

	while ((n = tls_take_ciphertext(a, buf, sizeof(buf))) > 0)
		tls_feed_ciphertext(b, buf, n);
}

/* One handshake; returns 0 when both ends finished with equal EKM. */
static int one_round(void)
{
	struct tls_sess *c = NULL, *s = NULL;
	uint8_t kc[64], ks[64];
	int rc = -1;

	if (tls_sess_new(&c, cc) || tls_sess_new(&s, sc))
		goto out;
	for (int i = 0; i < 10 && !(tls_handshake_done(c) && tls_handshake_done(s)); i++) {
		pump(c, s);
		pump(s, c);
	}
	if (!tls_export_ekm(c, "EXPORTER-test", kc, sizeof(kc)) &&
	    !tls_export_ekm(s, "EXPORTER-test", ks, sizeof(ks)) && !memcmp(kc, ks, sizeof(kc)))
		rc = 0;
out:
	tls_sess_free(c);
	tls_sess_free(s);
	return rc;
}

static void *worker(void *arg)
{
	int *fails = arg;

	for (int i = 0; i < ROUNDS; i++)
		if (one_round())
			(*fails)++;
	return NULL;
}

static void test_shared_conf_threads(void **state)
{
	char dir[] = "/tmp/burrow-tlss-XXXXXX", path[5][256], err[TLS_ERR_MAX];
	const char *names[] = { "ca.crt", "client.crt", "client.key", "server.crt", "server.key" };
	struct tls_conf_opts co = { .role = TLS_ROLE_CLIENT }, so = { .role = TLS_ROLE_SERVER };
	pthread_t th[THREADS];
	int fails[THREADS] = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pki_make(dir, NULL), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pki_path(path[i], sizeof(path[i]), dir, names[i]), 0);
	co.ca.path = so.ca.path = path[0];
	co.cert.path = path[1];
	co.key.path = path[2];
	so.cert.path = path[3];
	so.key.path = path[4];
	assert_int_equal(tls_conf_new(&cc, &co, err, sizeof(err)), 0);
	assert_int_equal(tls_conf_new(&sc, &so, err, sizeof(err)), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, &fails[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(fails[i], 0);
	}
	/* Every session dropped its reference: these frees release the contexts. */
	tls_conf_free(cc);
	tls_conf_free(sc);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_conf_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
