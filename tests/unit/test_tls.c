/* proto/tls: two real OpenSSL sessions talk through memory (no sockets): handshake with
 * TLS 1.2 and 1.3, RSA and EC, plaintext both ways, equal EKM, and the failure cases
 * with a readable reason. Certificates come from pki_make() in a temp dir. */
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

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "proto/tls.h"
#include "util/pki.h"

static char ec_dir[] = "/tmp/burrow-tls-ec-XXXXXX";
static char rsa_dir[] = "/tmp/burrow-tls-rsa-XXXXXX";
static char other_dir[] = "/tmp/burrow-tls-other-XXXXXX";	/* a different CA */
static char old_dir[] = "/tmp/burrow-tls-old-XXXXXX";	/* expired leaves */

#define LONGEST_CN "c23456789-123456789-123456789-123456789-123456789-123456789-123"

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct pki_opts rsa = { .key_type = PKI_KEY_RSA };
	/* other: client1, and a client with the longest CN OpenVPN accepts (63 bytes). */
	struct pki_opts other = { .ca_cn = "other-ca", .n_clients = 2,
				  .client_cns = { "client1", LONGEST_CN } };
	struct pki_opts old = { .days = -3 };

	(void)state;
	if (!mkdtemp(ec_dir) || !mkdtemp(rsa_dir) || !mkdtemp(other_dir) || !mkdtemp(old_dir))
		return -1;
	if (pki_make(ec_dir, NULL) || pki_make(rsa_dir, &rsa) || pki_make(other_dir, &other) ||
	    pki_make(old_dir, &old))
		return -1;
	/* Client certificates of ec_dir's CA whose name no server may use. */
	if (pki_make_odd(ec_dir, "nocn", PKI_ODD_NO_CN) ||
	    pki_make_odd(ec_dir, "emptycn", PKI_ODD_EMPTY_CN) ||
	    pki_make_odd(ec_dir, "longcn", PKI_ODD_LONG_CN) ||
	    pki_make_odd(ec_dir, "nulcn", PKI_ODD_NUL_CN))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(ec_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	nftw(rsa_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	nftw(other_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	nftw(old_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static char paths[16][256];
static int npaths;

static const char *p(const char *dir, const char *name)
{
	char *s = paths[npaths++ % 16];

	assert_int_equal(pki_path(s, 256, dir, name), 0);
	return s;
}

/* Options for one side: ca from ca_dir, own cert/key from dir/base. */
static struct tls_conf_opts side(enum tls_role role, const char *ca_dir, const char *dir,
				 const char *base)
{
	char crt[128], key[128];
	struct tls_conf_opts o = { .role = role };

	snprintf(crt, sizeof(crt), "%s.crt", base);
	snprintf(key, sizeof(key), "%s.key", base);
	o.ca.path = p(ca_dir, "ca.crt");
	o.cert.path = p(dir, crt);
	o.key.path = p(dir, key);
	o.remote_cert = role == TLS_ROLE_CLIENT ? TLS_REMOTE_CERT_SERVER : TLS_REMOTE_CERT_CLIENT;
	return o;
}

struct pair {
	struct tls_conf *cc, *sc;
	struct tls_sess *c, *s;
	int rc_c, rc_s;
};

/* Moves bytes one way; returns how many. */
static size_t pump(struct tls_sess *from, struct tls_sess *to, int *rc)
{
	uint8_t buf[700];	/* smaller than a flight: exercises partial feeding */
	size_t n, total = 0;

	while ((n = tls_take_ciphertext(from, buf, sizeof(buf))) > 0) {
		int r = tls_feed_ciphertext(to, buf, n);

		if (r < 0 && *rc == 0)
			*rc = r;
		total += n;
	}
	return total;
}

static void run(struct pair *pr)
{
	/* Bounded: a TLS handshake needs at most a few flights. */
	for (int i = 0; i < 20; i++) {
		size_t a = pump(pr->c, pr->s, &pr->rc_s);
		size_t b = pump(pr->s, pr->c, &pr->rc_c);

		if (a == 0 && b == 0)
			break;
	}
}

static void pair_open(struct pair *pr, const struct tls_conf_opts *co,
		      const struct tls_conf_opts *so)
{
	char err[TLS_ERR_MAX];

	memset(pr, 0, sizeof(*pr));
	assert_int_equal(tls_conf_new(&pr->cc, co, err, sizeof(err)), 0);
	assert_int_equal(tls_conf_new(&pr->sc, so, err, sizeof(err)), 0);
	assert_int_equal(tls_sess_new(&pr->c, pr->cc), 0);
	assert_int_equal(tls_sess_new(&pr->s, pr->sc), 0);
	assert_true(tls_pending_ciphertext(pr->c) > 0);		/* ClientHello ready */
	assert_int_equal(tls_pending_ciphertext(pr->s), 0);
	run(pr);
}

static void pair_close(struct pair *pr)
{
	tls_sess_free(pr->c);
	tls_sess_free(pr->s);
	tls_conf_free(pr->cc);
	tls_conf_free(pr->sc);
}

/* Plaintext records both ways and equal EKM: proves a real shared session. */
static void check_channel(struct pair *pr)
{
	const char *hello = "hello from the client";
	uint8_t buf[64], ekm_c[256], ekm_s[256], other[256];
	char cn[64];

	assert_int_equal(pr->rc_c, 0);
	assert_int_equal(pr->rc_s, 0);
	assert_true(tls_handshake_done(pr->c));
	assert_true(tls_handshake_done(pr->s));
	assert_int_equal(tls_write_plain(pr->c, (const uint8_t *)hello, strlen(hello) + 1),
			 (ssize_t)strlen(hello) + 1);
	assert_int_equal(tls_write_plain(pr->s, (const uint8_t *)"pong", 4), 4);
	run(pr);
	assert_int_equal(tls_read_plain(pr->s, buf, sizeof(buf)), (ssize_t)strlen(hello) + 1);
	assert_string_equal((char *)buf, hello);
	assert_int_equal(tls_read_plain(pr->c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "pong", 4);
	assert_int_equal(tls_read_plain(pr->c, buf, sizeof(buf)), 0);	/* nothing more */

	assert_int_equal(tls_export_ekm(pr->c, "EXPORTER-OpenVPN-datakeys", ekm_c, 256), 0);
	assert_int_equal(tls_export_ekm(pr->s, "EXPORTER-OpenVPN-datakeys", ekm_s, 256), 0);
	assert_memory_equal(ekm_c, ekm_s, 256);
	assert_int_equal(tls_export_ekm(pr->s, "EXPORTER-OpenVPN-other", other, 256), 0);
	assert_memory_not_equal(ekm_s, other, 256);

	assert_int_equal(tls_peer_cn(pr->s, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "client1");
	assert_int_equal(tls_peer_cn(pr->c, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "server");
	assert_int_equal(tls_peer_cn(pr->c, cn, 3), -ENOSPC);
}

static void handshake_ok(const char *dir, int version, const char *want_version)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, dir, dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, dir, dir, "server");
	struct pair pr;

	co.version_min = co.version_max = version;
	pair_open(&pr, &co, &so);
	check_channel(&pr);
	assert_string_equal(tls_version(pr.c), want_version);
	assert_string_equal(tls_version(pr.s), want_version);
	assert_true(strlen(tls_cipher(pr.c)) > 0);
	pair_close(&pr);
}

static void test_ec_tls13(void **state)
{
	(void)state;
	handshake_ok(ec_dir, TLS1_3_VERSION, "TLSv1.3");
}

static void test_ec_tls12(void **state)
{
	(void)state;
	handshake_ok(ec_dir, TLS1_2_VERSION, "TLSv1.2");
}

static void test_rsa_tls13(void **state)
{
	(void)state;
	handshake_ok(rsa_dir, TLS1_3_VERSION, "TLSv1.3");
}

static void test_rsa_tls12(void **state)
{
	(void)state;
	handshake_ok(rsa_dir, TLS1_2_VERSION, "TLSv1.2");
}

/* PEM from memory, not files; verify-x509-name matching forms that succeed. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 16384);
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, 16383, fp);
	assert_true(n > 0);
	fclose(fp);
	return buf;
}

static void test_pem_buffers_and_names(void **state)
{
	struct tls_conf_opts co = { .role = TLS_ROLE_CLIENT };
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");
	char *ca = slurp(p(ec_dir, "ca.crt")), *crt = slurp(p(ec_dir, "client.crt"));
	char *key = slurp(p(ec_dir, "client.key"));
	const struct { enum tls_x509_name t; const char *n; } ok[] = {
		{ TLS_X509_NAME_CN, "server" },
		{ TLS_X509_NAME_PREFIX, "serv" },
		{ TLS_X509_SUBJECT, "CN=server" },
	};
	struct pair pr;

	(void)state;
	co.ca.data = ca;
	co.cert.data = crt;
	co.key.data = key;
	co.remote_cert = TLS_REMOTE_CERT_SERVER;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		co.x509_type = ok[i].t;
		co.x509_name = ok[i].n;
		pair_open(&pr, &co, &so);
		check_channel(&pr);
		pair_close(&pr);
	}
	free(ca);
	free(crt);
	free(key);
}

/* Subject, serial and SHA-256 fingerprint of the peer match the certificate file. */
static void test_peer_details(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");
	FILE *fp = fopen(p(ec_dir, "client.crt"), "r");
	X509 *x = fp ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
	uint8_t fp_want[32], fp_got[32];
	unsigned int n = 0;
	char buf[128], *dec;
	BIGNUM *bn;
	struct pair pr;

	(void)state;
	assert_non_null(x);
	fclose(fp);
	assert_int_equal(X509_digest(x, EVP_sha256(), fp_want, &n), 1);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	dec = BN_bn2dec(bn);
	pair_open(&pr, &co, &so);
	assert_int_equal(tls_peer_subject(pr.s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "CN=client1");
	assert_int_equal(tls_peer_subject(pr.s, buf, 5), -ENOSPC);
	assert_int_equal(tls_peer_serial(pr.s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, dec);
	assert_int_equal(tls_peer_serial(pr.s, buf, 3), -ENOSPC);
	assert_int_equal(tls_peer_fingerprint(pr.s, fp_got), 0);
	assert_memory_equal(fp_got, fp_want, 32);
	assert_int_equal(tls_peer_fingerprint(pr.c, fp_got), 0);
	assert_memory_not_equal(fp_got, fp_want, 32);	/* the client sees the server's */
	pair_close(&pr);
	OPENSSL_free(dec);
	BN_free(bn);
	X509_free(x);
}

/* Runs a handshake expected to fail; checks who fails and why. */
static void expect_fail(const struct tls_conf_opts *co, const struct tls_conf_opts *so,
			bool client_rejects, const char *reason)
{
	struct pair pr;

	pair_open(&pr, co, so);
	if (client_rejects) {
		assert_int_equal(pr.rc_c, -EACCES);
		assert_true(tls_failed(pr.c));
		assert_non_null(strstr(tls_error(pr.c), reason));
		/* The server learns it from the alert. */
		assert_false(tls_handshake_done(pr.s));
	} else {
		assert_int_equal(pr.rc_s, -EACCES);
		assert_true(tls_failed(pr.s));
		assert_non_null(strstr(tls_error(pr.s), reason));
	}
	assert_int_equal(tls_export_ekm(pr.c, "x", (uint8_t[4]){0}, 4),
			 tls_handshake_done(pr.c) ? 0 : -EAGAIN);
	pair_close(&pr);
}

static void test_unknown_ca(void **state)
{
	/* Server cert from another CA. */
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, other_dir, other_dir, "server");

	(void)state;
	/* The server sends its CA along (auto chain), so OpenSSL reports the foreign root. */
	expect_fail(&co, &so, true, "certificate verify failed (depth 1)");
	/* Client cert from another CA: the server rejects it. */
	co = side(TLS_ROLE_CLIENT, ec_dir, other_dir, "client");
	so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");
	expect_fail(&co, &so, false, "certificate verify failed");
}

static void test_wrong_eku(void **state)
{
	/* The server presents a client certificate: remote-cert-tls server must refuse. */
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "client");

	(void)state;
	expect_fail(&co, &so, true,
		    "remote-cert-tls: certificate lacks extendedKeyUsage TLS Web Server");
	/* A client presenting the server certificate is refused by remote-cert-tls client. */
	co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "server");
	so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");
	expect_fail(&co, &so, false,
		    "remote-cert-tls: certificate lacks extendedKeyUsage TLS Web Client");
}

static void test_name_mismatch(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");

	(void)state;
	co.x509_type = TLS_X509_NAME_CN;
	co.x509_name = "serve";		/* a prefix is not the name */
	expect_fail(&co, &so, true, "verify-x509-name: CN 'server' does not match 'serve'");
	co.x509_type = TLS_X509_NAME_PREFIX;
	co.x509_name = "servers";
	expect_fail(&co, &so, true, "does not match 'servers'");
	co.x509_type = TLS_X509_SUBJECT;
	co.x509_name = "CN=other";
	expect_fail(&co, &so, true, "subject 'CN=server' does not match 'CN=other'");
}

static void test_expired(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, old_dir, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, old_dir, "server");

	(void)state;
	expect_fail(&co, &so, true, "certificate has expired");
}

static void test_client_cert_policy(void **state)
{
	/* No client certificate: refused by the server by default, accepted with
	 * verify-client-cert optional/none (then username/password must authenticate). A
	 * certificate without its key, or the reverse, is refused when loading. */
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");
	struct tls_conf *cc = NULL;
	char err[TLS_ERR_MAX], cn[32];
	struct pair pr;

	(void)state;
	co.key.path = NULL;
	assert_int_equal(tls_conf_new(&cc, &co, err, sizeof(err)), -EINVAL);
	assert_null(cc);
	assert_non_null(strstr(err, "certificate and key are required"));
	co.cert.path = NULL;
	pair_open(&pr, &co, &so);		/* the default server wants a certificate */
	assert_false(tls_handshake_done(pr.s));
	assert_true(pr.rc_s < 0 || pr.rc_c < 0);
	pair_close(&pr);
	so.verify_client = TLS_VERIFY_CLIENT_NONE;
	pair_open(&pr, &co, &so);		/* username/password only */
	assert_true(tls_handshake_done(pr.c) && tls_handshake_done(pr.s));
	assert_int_equal(tls_write_plain(pr.c, (const uint8_t *)"hi", 3), 3);
	run(&pr);
	assert_int_equal(tls_read_plain(pr.s, (uint8_t *)cn, sizeof(cn)), 3);
	assert_string_equal(cn, "hi");
	assert_int_equal(tls_peer_cn(pr.s, cn, sizeof(cn)), -ENOENT);
	pair_close(&pr);

	so.verify_client = TLS_VERIFY_CLIENT_NONE;
	co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	pair_open(&pr, &co, &so);
	assert_true(tls_handshake_done(pr.c) && tls_handshake_done(pr.s));
	assert_int_equal(tls_peer_cn(pr.s, cn, sizeof(cn)), -ENOENT);
	assert_int_equal(tls_peer_subject(pr.s, cn, sizeof(cn)), -ENOENT);
	assert_int_equal(tls_peer_serial(pr.s, cn, sizeof(cn)), -ENOENT);
	assert_int_equal(tls_peer_fingerprint(pr.s, (uint8_t *)cn), -ENOENT);
	pair_close(&pr);
}

/* A certificate whose name (CN, or the x509-username-field) is missing, empty, 64 bytes or
 * longer, or has a NUL inside is refused during the handshake, as OpenVPN 2.6 refuses it:
 * the server must never fall back to a name the client chose. */
static void test_name_refused(void **state)
{
	static const struct {
		const char *base, *why;
	} bad[] = {
		{ "nocn", "certificate has no CN (x509-username-field) in its subject" },
		{ "emptycn", "certificate has no CN" },
		{ "longcn", "certificate CN is 64 bytes or longer (the limit is 63)" },
		{ "nulcn", "certificate CN contains a NUL byte" },
	};
	struct tls_conf_opts co, so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");
	struct tls_conf *tc = NULL;
	char err[TLS_ERR_MAX], cn[TLS_USERNAME_MAX];
	struct pair pr;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, bad[i].base);
		so.verify_client = TLS_VERIFY_CLIENT_REQUIRE;
		expect_fail(&co, &so, false, bad[i].why);
		/* optional: a certificate that is presented is still checked */
		so.verify_client = TLS_VERIFY_CLIENT_OPTIONAL;
		expect_fail(&co, &so, false, bad[i].why);
	}
	/* A client refuses a server certificate without a name too, as OpenVPN does. */
	co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	co.remote_cert = TLS_REMOTE_CERT_ANY;
	so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "nocn");
	so.remote_cert = TLS_REMOTE_CERT_ANY;
	expect_fail(&co, &so, true, "certificate has no CN");

	/* 63 bytes is the longest name, and it arrives whole. */
	co = side(TLS_ROLE_CLIENT, other_dir, other_dir, "client-" LONGEST_CN);
	so = side(TLS_ROLE_SERVER, other_dir, other_dir, "server");
	pair_open(&pr, &co, &so);
	assert_true(tls_handshake_done(pr.s));
	assert_int_equal(tls_peer_cn(pr.s, cn, sizeof(cn)), 0);
	assert_string_equal(cn, LONGEST_CN);
	pair_close(&pr);

	/* x509-username-field: the named attribute must be there; CN is the default. */
	co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	so = side(TLS_ROLE_SERVER, ec_dir, ec_dir, "server");
	so.username_field = "emailAddress";
	expect_fail(&co, &so, false, "certificate has no emailAddress (x509-username-field)");
	so.username_field = "commonName";
	pair_open(&pr, &co, &so);
	assert_true(tls_handshake_done(pr.s));
	assert_int_equal(tls_peer_cn(pr.s, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "client1");
	pair_close(&pr);
	so.username_field = "noSuchField";
	assert_int_equal(tls_conf_new(&tc, &so, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "x509-username-field: unknown subject attribute"));
	assert_null(tc);
}

static void test_conf_errors(void **state)
{
	struct tls_conf_opts o = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	struct tls_conf *c = NULL;
	char err[TLS_ERR_MAX];

	(void)state;
	o.key.path = p(ec_dir, "server.key");	/* key of another cert */
	assert_int_equal(tls_conf_new(&c, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mismatch"));
	o = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	o.ca.path = "/nonexistent/ca.crt";
	assert_int_equal(tls_conf_new(&c, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot load CA"));
	o = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	o.cert.data = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	assert_int_equal(tls_conf_new(&c, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot load certificate"));
	o = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	o.ca.path = NULL;
	assert_int_equal(tls_conf_new(&c, &o, err, sizeof(err)), -EINVAL);
	o = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	o.x509_type = TLS_X509_NAME_CN;
	assert_int_equal(tls_conf_new(&c, &o, err, sizeof(err)), -EINVAL);
	assert_null(c);
}

/* Garbage instead of a ServerHello fails cleanly; later calls keep failing. */
static void test_garbage_input(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, ec_dir, "client");
	struct tls_conf *cc;
	struct tls_sess *c;
	uint8_t junk[300], buf[16];
	char err[TLS_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	assert_int_equal(tls_conf_new(&cc, &co, err, sizeof(err)), 0);
	assert_int_equal(tls_sess_new(&c, cc), 0);
	tls_conf_free(cc);		/* the session keeps its reference */
	assert_int_equal(tls_write_plain(c, (const uint8_t *)"x", 1), -EAGAIN);
	assert_int_equal(tls_feed_ciphertext(c, junk, sizeof(junk)), -EPROTO);
	assert_true(tls_failed(c));
	assert_non_null(strstr(tls_error(c), "TLS error"));
	assert_int_equal(tls_feed_ciphertext(c, junk, 1), -EPROTO);
	assert_int_equal(tls_read_plain(c, buf, sizeof(buf)), -EPROTO);
	assert_int_equal(tls_write_plain(c, buf, 1), -EPROTO);
	tls_sess_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ec_tls13),
		cmocka_unit_test(test_ec_tls12),
		cmocka_unit_test(test_rsa_tls13),
		cmocka_unit_test(test_rsa_tls12),
		cmocka_unit_test(test_pem_buffers_and_names),
		cmocka_unit_test(test_peer_details),
		cmocka_unit_test(test_unknown_ca),
		cmocka_unit_test(test_wrong_eku),
		cmocka_unit_test(test_name_mismatch),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_client_cert_policy),
		cmocka_unit_test(test_name_refused),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_garbage_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
