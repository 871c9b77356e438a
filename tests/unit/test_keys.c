/* proto/keys: KM2 build/parse (round trips, the observed 178-byte server message, every
 * malformed length), the TLS 1.0 PRF and the OpenVPN key2 derivation checked against
 * OpenSSL's own TLS1-PRF KDF, and EKM key2 equal on two live TLS sessions. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "proto/keys.h"
#include "proto/tls.h"
#include "proto/tls_impl.h"
#include "util/pki.h"

/* ---- independent expectation: OpenSSL's TLS1-PRF with MD5-SHA1 ---- */

static void ossl_prf(const uint8_t *secret, size_t slen, const uint8_t *seed, size_t seedlen,
		     uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"MD5-SHA1", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, slen),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seedlen),
		OSSL_PARAM_construct_end(),
	};

	assert_non_null(ctx);
	assert_int_equal(EVP_KDF_derive(ctx, out, outlen, params), 1);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131 + seed * 17 + (i >> 3)) & 0xff);
}

static void test_prf_matches_openssl(void **state)
{
	/* Odd and even secret lengths (S1/S2 overlap by one byte when odd). */
	static const size_t slens[] = { 1, 2, 20, 47, 48, 64, 129 };
	static const size_t olens[] = { 1, 16, 48, 100, 256 };
	uint8_t secret[129], seed[77], a[256], b[256];

	(void)state;
	fill(seed, sizeof(seed), 3);
	for (size_t i = 0; i < sizeof(slens) / sizeof(slens[0]); i++) {
		for (size_t j = 0; j < sizeof(olens) / sizeof(olens[0]); j++) {
			fill(secret, slens[i], (unsigned)(i + 1));
			assert_int_equal(keys_tls1_prf(secret, slens[i], seed, sizeof(seed),
						       a, olens[j]), 0);
			ossl_prf(secret, slens[i], seed, sizeof(seed), b, olens[j]);
			assert_memory_equal(a, b, olens[j]);
		}
	}
}

static size_t cat(uint8_t *dst, const char *label, const uint8_t *const *parts,
		  const size_t *lens, int n)
{
	size_t len = strlen(label);

	memcpy(dst, label, len);
	for (int i = 0; i < n; i++) {
		memcpy(dst + len, parts[i], lens[i]);
		len += lens[i];
	}
	return len;
}

/* §7.3(b) spelled out with OpenSSL's PRF; keys_prf_key2 must agree. */
static void test_prf_key2(void **state)
{
	struct keys_km2 *c = calloc(1, sizeof(*c)), *s = calloc(1, sizeof(*s));
	uint8_t csid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, ssid[8] = { 9, 9, 9, 9, 8, 8, 8, 8 };
	uint8_t key2[256], want[256], master[48], seed[200], again[256];
	size_t n;

	(void)state;
	assert_int_equal(keys_km2_init(c, true), 0);
	assert_int_equal(keys_km2_init(s, false), 0);
	assert_int_equal(keys_prf_key2(c, s, csid, ssid, key2), 0);

	n = cat(seed, "OpenVPN master secret", (const uint8_t *const[]){ c->random1, s->random1 },
		(const size_t[]){ 32, 32 }, 2);
	ossl_prf(c->pre_master, 48, seed, n, master, 48);
	n = cat(seed, "OpenVPN key expansion",
		(const uint8_t *const[]){ c->random2, s->random2, csid, ssid },
		(const size_t[]){ 32, 32, 8, 8 }, 4);
	ossl_prf(master, 48, seed, n, want, 256);
	assert_memory_equal(key2, want, 256);

	/* Every input matters: swapping the session ids changes the keys. */
	assert_int_equal(keys_prf_key2(c, s, ssid, csid, again), 0);
	assert_memory_not_equal(key2, again, 256);
	s->random2[31] ^= 1;
	assert_int_equal(keys_prf_key2(c, s, csid, ssid, again), 0);
	assert_memory_not_equal(key2, again, 256);
	free(c);
	free(s);
}

/* ---- KM2 ---- */

static const char *srv_opts =
	"V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,"
	"key-method 2,tls-server";

static void test_km2_server_observed_size(void **state)
{
	struct keys_km2 *km = calloc(1, sizeof(*km)), *back = calloc(1, sizeof(*back));
	uint8_t buf[512];
	int n;

	(void)state;
	assert_int_equal(strlen(srv_opts), 100);
	assert_int_equal(keys_km2_init(km, false), 0);
	assert_int_equal(keys_km2_set_options(km, srv_opts), 0);
	n = keys_km2_build(km, buf, sizeof(buf));
	assert_int_equal(n, 178);	/* §7.1 / §17.3 */
	assert_memory_equal(buf, "\0\0\0\0\2", 5);
	assert_int_equal(buf[69], 0);
	assert_int_equal(buf[70], 101);	/* options length includes the NUL */
	assert_int_equal(buf[70 + 101], 0);
	assert_memory_equal(buf + 172, "\0\0\0\0\0\0", 6);	/* three empty strings */
	assert_int_equal(keys_km2_parse(back, false, buf, (size_t)n), 0);
	assert_memory_equal(back->random1, km->random1, 32);
	assert_memory_equal(back->random2, km->random2, 32);
	assert_string_equal(back->options, srv_opts);
	assert_string_equal(back->username, "");
	assert_string_equal(back->peer_info, "");
	/* Too small an output buffer. */
	assert_int_equal(keys_km2_build(km, buf, 177), -ENOSPC);
	free(km);
	free(back);
}

static int build_client(struct keys_km2 *km, uint8_t *buf, size_t cap)
{
	assert_int_equal(keys_km2_init(km, true), 0);
	assert_int_equal(keys_km2_set_options(km, "V4,dev-type tun,tls-client"), 0);
	assert_int_equal(keys_km2_set_auth(km, "alice", "s3cret"), 0);
	assert_int_equal(keys_km2_set_peer_info(km, "IV_VER=2.6.14\nIV_PROTO=990\n"), 0);
	return keys_km2_build(km, buf, cap);
}

static void test_km2_client_round_trip(void **state)
{
	struct keys_km2 *km = calloc(1, sizeof(*km)), *back = calloc(1, sizeof(*back));
	uint8_t buf[1024];
	int n;

	(void)state;
	n = build_client(km, buf, sizeof(buf));
	assert_int_equal(n, 5 + 48 + 64 + (2 + 27) + (2 + 6) + (2 + 7) + (2 + 28));
	assert_int_equal(keys_km2_parse(back, true, buf, (size_t)n), 0);
	assert_true(back->from_client);
	assert_memory_equal(back->pre_master, km->pre_master, 48);
	assert_memory_equal(back->random1, km->random1, 32);
	assert_memory_equal(back->random2, km->random2, 32);
	assert_string_equal(back->options, km->options);
	assert_string_equal(back->username, "alice");
	assert_string_equal(back->password, "s3cret");
	assert_string_equal(back->peer_info, km->peer_info);
	/* Upper bits of the method byte are flags: accepted. */
	buf[4] = 0x12;
	assert_int_equal(keys_km2_parse(back, true, buf, (size_t)n), 0);
	keys_km2_clear(back);
	assert_string_equal(back->password, "");
	free(km);
	free(back);
}

/* Every truncation fails except the one OpenVPN tolerates (end right after options),
 * and after each of the later optional fields. */
static void test_km2_truncations(void **state)
{
	struct keys_km2 *km = calloc(1, sizeof(*km)), *back = calloc(1, sizeof(*back));
	uint8_t buf[1024];
	size_t opt_end = 5 + 48 + 64 + 2 + 27, pass_end = opt_end + 8 + 9;
	int n;

	(void)state;
	n = build_client(km, buf, sizeof(buf));
	for (size_t len = 0; len < (size_t)n; len++) {
		int rc = keys_km2_parse(back, true, buf, len);

		if (len == opt_end || len == pass_end) {
			assert_int_equal(rc, 0);
			assert_string_equal(back->options, km->options);
			assert_string_equal(back->peer_info, "");
		} else {
			assert_int_equal(rc, -EBADMSG);
			assert_string_equal(back->options, "");	/* wiped */
		}
	}
	/* A client message read with the server layout (no pre_master) is garbage. */
	assert_true(keys_km2_parse(back, false, buf, (size_t)n) < 0);
	free(km);
	free(back);
}

static void test_km2_malformed(void **state)
{
	struct keys_km2 *km = calloc(1, sizeof(*km)), *back = calloc(1, sizeof(*back));
	uint8_t buf[1024], bad[1024];
	size_t o = 5 + 48 + 64;		/* offset of the options length */
	int n;

	(void)state;
	n = build_client(km, buf, sizeof(buf));
	/* Non-zero prefix, wrong method. */
	for (int i = 0; i < 5; i++) {
		memcpy(bad, buf, (size_t)n);
		bad[i] = i < 4 ? 1 : 3;
		assert_int_equal(keys_km2_parse(back, true, bad, (size_t)n), -EBADMSG);
	}
	/* Trailing byte. */
	memcpy(bad, buf, (size_t)n);
	bad[n] = 0;
	assert_int_equal(keys_km2_parse(back, true, bad, (size_t)n + 1), -EBADMSG);
	/* Length beyond the record. */
	memcpy(bad, buf, (size_t)n);
	bad[o] = 0x01;
	assert_int_equal(keys_km2_parse(back, true, bad, (size_t)n), -EBADMSG);
	/* Missing NUL terminator (last byte of options overwritten). */
	memcpy(bad, buf, (size_t)n);
	bad[o + 2 + 26] = 'x';
	assert_int_equal(keys_km2_parse(back, true, bad, (size_t)n), -EBADMSG);
	/* Embedded NUL. */
	memcpy(bad, buf, (size_t)n);
	bad[o + 2 + 3] = 0;
	assert_int_equal(keys_km2_parse(back, true, bad, (size_t)n), -EBADMSG);
	/* Length 1 = just a NUL: an empty string written the long way; accepted. */
	{
		uint8_t m[5 + 32 + 32 + 3] = { 0, 0, 0, 0, 2 };

		m[69] = 0;
		m[70] = 1;
		m[71] = 0;
		assert_int_equal(keys_km2_parse(back, false, m, sizeof(m)), 0);
		assert_string_equal(back->options, "");
	}
	free(km);
	free(back);
}

/* Fields above their limits: refused on build (set_*) and on parse. */
static void test_km2_limits(void **state)
{
	struct keys_km2 *km = calloc(1, sizeof(*km)), *back = calloc(1, sizeof(*back));
	size_t cap = KEYS_KM2_MAX + 16;
	uint8_t *buf = malloc(cap);
	char *big = malloc(KEYS_PEERINFO_MAX + 2);
	int n;

	(void)state;
	memset(big, 'a', KEYS_PEERINFO_MAX + 1);
	big[KEYS_PEERINFO_MAX + 1] = '\0';
	assert_int_equal(keys_km2_init(km, true), 0);
	assert_int_equal(keys_km2_set_peer_info(km, big), -EMSGSIZE);
	big[KEYS_PEERINFO_MAX] = '\0';
	assert_int_equal(keys_km2_set_peer_info(km, big), 0);
	big[KEYS_USERPASS_MAX + 1] = '\0';
	assert_int_equal(keys_km2_set_auth(km, big, ""), -EMSGSIZE);
	assert_int_equal(keys_km2_set_auth(km, "u", big), -EMSGSIZE);
	big[KEYS_USERPASS_MAX] = '\0';
	assert_int_equal(keys_km2_set_auth(km, big, big), 0);
	big[KEYS_OPTIONS_MAX + 1] = '\0';
	assert_int_equal(keys_km2_set_options(km, big), -EMSGSIZE);
	big[KEYS_OPTIONS_MAX] = '\0';
	assert_int_equal(keys_km2_set_options(km, big), 0);

	/* All fields at their maximum: the largest legal message round-trips. */
	n = keys_km2_build(km, buf, cap);
	assert_int_equal(n, KEYS_KM2_MAX);
	assert_int_equal(keys_km2_parse(back, true, buf, (size_t)n), 0);
	assert_int_equal(strlen(back->peer_info), KEYS_PEERINFO_MAX);

	/* One more options byte on the wire: length 513 -> -EMSGSIZE. */
	{
		size_t o = 5 + 48 + 64;
		uint8_t m[5 + 48 + 64 + 2 + 513];

		memcpy(m, buf, o);
		m[o] = 0x02;
		m[o + 1] = 0x01;
		memset(m + o + 2, 'b', 512);
		m[o + 2 + 512] = 0;
		assert_int_equal(keys_km2_parse(back, true, m, sizeof(m)), -EMSGSIZE);
	}
	free(buf);
	free(big);
	free(km);
	free(back);
}

/* ---- EKM on two live sessions ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static void pump(struct tls_sess *a, struct tls_sess *b)
{
	uint8_t buf[2048];
	size_t n;

	while ((n = tls_take_ciphertext(a, buf, sizeof(buf))) > 0)
		assert_int_equal(tls_feed_ciphertext(b, buf, n), 0);
}

/* A client/server session pair on a fresh PKI; cipher_list != NULL forces TLS 1.2. */
struct ekm_pair {
	char dir[32];
	struct tls_conf *cc, *sc;
	struct tls_sess *c, *s;
};

static void ekm_open(struct ekm_pair *pr, const char *cipher_list)
{
	char path[5][256], err[TLS_ERR_MAX];
	const char *names[] = { "ca.crt", "client.crt", "client.key", "server.crt", "server.key" };
	struct tls_conf_opts co = { .role = TLS_ROLE_CLIENT }, so = { .role = TLS_ROLE_SERVER };

	snprintf(pr->dir, sizeof(pr->dir), "/tmp/burrow-keys-XXXXXX");
	assert_non_null(mkdtemp(pr->dir));
	assert_int_equal(pki_make(pr->dir, NULL), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pki_path(path[i], sizeof(path[i]), pr->dir, names[i]), 0);
	co.ca.path = so.ca.path = path[0];
	co.cert.path = path[1];
	co.key.path = path[2];
	so.cert.path = path[3];
	so.key.path = path[4];
	if (cipher_list) {
		co.version_max = TLS1_2_VERSION;
		co.cipher_list = cipher_list;
	}
	assert_int_equal(tls_conf_new(&pr->cc, &co, err, sizeof(err)), 0);
	assert_int_equal(tls_conf_new(&pr->sc, &so, err, sizeof(err)), 0);
	assert_int_equal(tls_sess_new(&pr->c, pr->cc), 0);
	assert_int_equal(tls_sess_new(&pr->s, pr->sc), 0);
}

static void ekm_run(struct ekm_pair *pr)
{
	for (int i = 0; i < 10 && !(tls_handshake_done(pr->c) && tls_handshake_done(pr->s));
	     i++) {
		pump(pr->c, pr->s);
		pump(pr->s, pr->c);
	}
	assert_true(tls_handshake_done(pr->c) && tls_handshake_done(pr->s));
}

static void ekm_close(struct ekm_pair *pr)
{
	tls_sess_free(pr->c);
	tls_sess_free(pr->s);
	tls_conf_free(pr->cc);
	tls_conf_free(pr->sc);
	nftw(pr->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_ekm_key2(void **state)
{
	struct ekm_pair pr;
	uint8_t kc[256], ks[256], zero[256] = { 0 };
	uint32_t pc = 0, ps = 1;

	(void)state;
	ekm_open(&pr, NULL);
	assert_int_equal(keys_ekm_key2(pr.c, kc), -EAGAIN);	/* before the handshake */
	ekm_run(&pr);
	assert_int_equal(keys_ekm_key2(pr.c, kc), 0);
	assert_int_equal(keys_ekm_key2(pr.s, ks), 0);
	assert_memory_equal(kc, ks, 256);
	assert_memory_not_equal(kc, zero, 256);
	/* Same as the exporter with the documented label. */
	assert_int_equal(tls_export_ekm(pr.s, "EXPORTER-OpenVPN-datakeys", ks, 256), 0);
	assert_memory_equal(kc, ks, 256);
	assert_int_equal(keys_ekm_p2p_peer_id(pr.c, &pc), 0);
	assert_int_equal(keys_ekm_p2p_peer_id(pr.s, &ps), 0);
	assert_int_equal(pc, ps);
	assert_true(pc <= 0xffffff);
	ekm_close(&pr);
}

/* TLS 1.2: the exporter "without context" (§6) is PRF(master, label || client_random ||
 * server_random) with the suite's PRF hash — no context-length bytes in the seed. Computed
 * here from the session's master secret with OpenSSL's TLS1-PRF KDF. */
static void ekm12_known_answer(const char *suite, const char *prf_digest)
{
	static const char label[] = "EXPORTER-OpenVPN-datakeys";
	struct ekm_pair pr;
	SSL *ssl;
	uint8_t key2[256], want[256], master[48], seed[sizeof(label) - 1 + 64];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
	OSSL_PARAM params[4];
	size_t mlen;

	ekm_open(&pr, suite);
	ekm_run(&pr);
	assert_string_equal(tls_cipher(pr.c), suite);
	assert_int_equal(keys_ekm_key2(pr.c, key2), 0);
	ssl = pr.c->ssl;	/* the test looks inside (proto/tls_impl.h) for the secrets */
	mlen = SSL_SESSION_get_master_key(SSL_get_session(ssl), master, sizeof(master));
	assert_int_equal(mlen, 48);
	memcpy(seed, label, sizeof(label) - 1);
	assert_int_equal(SSL_get_client_random(ssl, seed + sizeof(label) - 1, 32), 32);
	assert_int_equal(SSL_get_server_random(ssl, seed + sizeof(label) - 1 + 32, 32), 32);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)prf_digest, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, master, mlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed));
	params[3] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_KDF_derive(kctx, want, sizeof(want), params), 1);
	assert_memory_equal(key2, want, 256);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	ekm_close(&pr);
}

static void test_ekm_tls12_no_context(void **state)
{
	(void)state;
	ekm12_known_answer("ECDHE-ECDSA-AES128-GCM-SHA256", "SHA256");
	ekm12_known_answer("ECDHE-ECDSA-AES256-GCM-SHA384", "SHA384");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prf_matches_openssl),
		cmocka_unit_test(test_prf_key2),
		cmocka_unit_test(test_km2_server_observed_size),
		cmocka_unit_test(test_km2_client_round_trip),
		cmocka_unit_test(test_km2_truncations),
		cmocka_unit_test(test_km2_malformed),
		cmocka_unit_test(test_km2_limits),
		cmocka_unit_test(test_ekm_key2),
		cmocka_unit_test(test_ekm_tls12_no_context),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
