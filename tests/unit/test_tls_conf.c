/* proto/tls contexts: the config-facing options on real handshakes in memory —
 * tls-cipher with OpenVPN's IANA names, tls-groups, tls-cert-profile, remote-cert-eku, DH
 * parameters (DHE), encrypted keys, PKCS#12, CRLs (reloaded while running, the dir form) and
 * tls-version-min. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "proto/tls.h"
#include "util/log.h"
#include "util/pki.h"

static char ec_dir[] = "/tmp/burrow-tlsc-ec-XXXXXX";
static char rsa_dir[] = "/tmp/burrow-tlsc-rsa-XXXXXX";

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct pki_opts rsa = { .key_type = PKI_KEY_RSA };

	(void)state;
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(ec_dir) || !mkdtemp(rsa_dir))
		return -1;
	return pki_make(ec_dir, NULL) || pki_make(rsa_dir, &rsa) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(ec_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	nftw(rsa_dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static char paths[32][256];
static int npaths;

static const char *p(const char *dir, const char *name)
{
	char *s = paths[npaths++ % 32];

	assert_int_equal(pki_path(s, 256, dir, name), 0);
	return s;
}

static struct tls_conf_opts side(enum tls_role role, const char *dir, const char *base)
{
	char crt[64], key[64];
	struct tls_conf_opts o = { .role = role };

	snprintf(crt, sizeof(crt), "%s.crt", base);
	snprintf(key, sizeof(key), "%s.key", base);
	o.ca.path = p(dir, "ca.crt");
	o.cert.path = p(dir, crt);
	o.key.path = p(dir, key);
	o.remote_cert = role == TLS_ROLE_CLIENT ? TLS_REMOTE_CERT_SERVER : TLS_REMOTE_CERT_CLIENT;
	return o;
}

struct pair {
	struct tls_conf *cc, *sc;
	struct tls_sess *c, *s;
};

static void pump(struct tls_sess *from, struct tls_sess *to)
{
	uint8_t buf[4096];
	size_t n;

	while ((n = tls_take_ciphertext(from, buf, sizeof(buf))) > 0)
		tls_feed_ciphertext(to, buf, n);
}

/* Handshake with both confs; returns true when both sides completed. */
static bool shake(struct pair *pr, const struct tls_conf_opts *co,
		  const struct tls_conf_opts *so)
{
	char err[TLS_ERR_MAX];

	memset(pr, 0, sizeof(*pr));
	assert_int_equal(tls_conf_new(&pr->cc, co, err, sizeof(err)), 0);
	assert_int_equal(tls_conf_new(&pr->sc, so, err, sizeof(err)), 0);
	assert_int_equal(tls_sess_new(&pr->c, pr->cc), 0);
	assert_int_equal(tls_sess_new(&pr->s, pr->sc), 0);
	for (int i = 0; i < 10; i++) {
		pump(pr->c, pr->s);
		pump(pr->s, pr->c);
	}
	return tls_handshake_done(pr->c) && tls_handshake_done(pr->s);
}

static void pair_close(struct pair *pr)
{
	tls_sess_free(pr->c);
	tls_sess_free(pr->s);
	tls_conf_free(pr->cc);
	tls_conf_free(pr->sc);
}

static int conf_rc(const struct tls_conf_opts *o, char *err)
{
	struct tls_conf *c = NULL;
	int rc = tls_conf_new(&c, o, err, TLS_ERR_MAX);

	tls_conf_free(c);
	return rc;
}

static void test_cipher_iana_names(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	char err[TLS_ERR_MAX];
	struct pair pr;

	(void)state;
	co.version_max = TLS1_2_VERSION;
	so.cipher_list = "TLS-BOGUS-SUITE:TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256";
	assert_true(shake(&pr, &co, &so));
	assert_string_equal(tls_cipher(pr.c), "ECDHE-ECDSA-AES128-GCM-SHA256");
	pair_close(&pr);
	/* OpenSSL names and keywords pass through unchanged. */
	so.cipher_list = "!aNULL:ECDHE-ECDSA-CHACHA20-POLY1305";
	assert_true(shake(&pr, &co, &so));
	assert_string_equal(tls_cipher(pr.c), "ECDHE-ECDSA-CHACHA20-POLY1305");
	pair_close(&pr);
	so.cipher_list = "TLS-NOT-A-SUITE";
	assert_int_equal(conf_rc(&so, err), -EINVAL);
	assert_non_null(strstr(err, "cipher"));
}

static void test_groups_and_profile(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	char err[TLS_ERR_MAX];
	struct pair pr;

	(void)state;
	co.groups = "secp384r1";
	so.groups = "X25519:P-384";
	so.cert_profile = "preferred";
	assert_true(shake(&pr, &co, &so));
	pair_close(&pr);
	/* No group in common: the handshake fails. */
	so.groups = "X25519";
	assert_false(shake(&pr, &co, &so));
	assert_true(tls_failed(pr.s) || tls_failed(pr.c));
	pair_close(&pr);
	so.groups = "no-such-group";
	assert_int_equal(conf_rc(&so, err), -EINVAL);
	so.groups = NULL;
	so.cert_profile = "bogus";
	assert_int_equal(conf_rc(&so, err), -EINVAL);
	assert_non_null(strstr(err, "profile"));
}

static void test_remote_cert_eku(void **state)
{
	static const char *const ok[] = { "TLS Web Server Authentication", "serverAuth",
					  "1.3.6.1.5.5.7.3.1" };
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	char err[TLS_ERR_MAX];
	struct pair pr;

	(void)state;
	co.remote_cert = TLS_REMOTE_CERT_ANY;
	for (int i = 0; i < 3; i++) {
		co.remote_cert_eku = ok[i];
		assert_true(shake(&pr, &co, &so));
		pair_close(&pr);
	}
	co.remote_cert_eku = "clientAuth";
	assert_false(shake(&pr, &co, &so));
	assert_non_null(strstr(tls_error(pr.c),
			       "remote-cert-eku: certificate lacks extendedKeyUsage clientAuth"));
	pair_close(&pr);
	co.remote_cert_eku = "No Such Usage";
	assert_int_equal(conf_rc(&co, err), -EINVAL);
	assert_non_null(strstr(err, "remote-cert-eku"));
}

/* PEM text of ffdhe2048 parameters (a named group: no slow generation). */
static char *dh_pem(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"ffdhe2048", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *dh = NULL;
	BIO *b = BIO_new(BIO_s_mem());
	char *out = calloc(1, 4096);

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_paramgen_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_params(ctx, params), 1);
	assert_int_equal(EVP_PKEY_paramgen(ctx, &dh), 1);
	assert_int_equal(PEM_write_bio_Parameters(b, dh), 1);
	assert_true(BIO_read(b, out, 4095) > 0);
	BIO_free(b);
	EVP_PKEY_free(dh);
	EVP_PKEY_CTX_free(ctx);
	return out;
}

static void test_dh_params(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, rsa_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, rsa_dir, "server");
	char *dh = dh_pem(), err[TLS_ERR_MAX];
	struct pair pr;

	(void)state;
	co.version_max = TLS1_2_VERSION;
	so.cipher_list = "TLS-DHE-RSA-WITH-AES-256-GCM-SHA384";
	/* Without DH parameters a DHE-only server has nothing to offer. */
	assert_false(shake(&pr, &co, &so));
	pair_close(&pr);
	so.dh.data = dh;
	assert_true(shake(&pr, &co, &so));
	assert_string_equal(tls_cipher(pr.c), "DHE-RSA-AES256-GCM-SHA384");
	pair_close(&pr);
	so.dh.data = "-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH PARAMETERS-----\n";
	assert_int_equal(conf_rc(&so, err), -EINVAL);
	assert_non_null(strstr(err, "DH parameters"));
	free(dh);
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *fp = fopen(path, "r");
	EVP_PKEY *k;

	assert_non_null(fp);
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(k);
	return k;
}

static X509 *read_crt(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	return x;
}

static void test_encrypted_key(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	EVP_PKEY *k = read_key(p(ec_dir, "client.key"));
	BIO *b = BIO_new(BIO_s_mem());
	char enc[4096] = "", err[TLS_ERR_MAX];
	struct pair pr;

	(void)state;
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), NULL, 0, NULL,
						       (void *)"pass phrase"), 1);
	assert_true(BIO_read(b, enc, sizeof(enc) - 1) > 0);
	co.key.path = NULL;
	co.key.data = enc;
	co.key_password = "pass phrase";
	assert_true(shake(&pr, &co, &so));
	pair_close(&pr);
	/* Wrong or missing passphrase: refused, never a terminal prompt. */
	co.key_password = "wrong";
	assert_int_equal(conf_rc(&co, err), -EINVAL);
	assert_non_null(strstr(err, "cannot load private key"));
	co.key_password = NULL;
	assert_int_equal(conf_rc(&co, err), -EINVAL);
	BIO_free(b);
	EVP_PKEY_free(k);
}

static void test_pkcs12(void **state)
{
	struct tls_conf_opts co = { .role = TLS_ROLE_CLIENT };
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	EVP_PKEY *k = read_key(p(ec_dir, "client.key"));
	X509 *crt = read_crt(p(ec_dir, "client.crt")), *ca = read_crt(p(ec_dir, "ca.crt"));
	STACK_OF(X509) *cas = sk_X509_new_null();
	PKCS12 *p12;
	unsigned char *der = NULL;
	char cn[32], err[TLS_ERR_MAX];
	struct pair pr;
	int len;

	(void)state;
	sk_X509_push(cas, ca);
	p12 = PKCS12_create("p12pass", "client", k, crt, cas, 0, 0, 0, 0, 0);
	assert_non_null(p12);
	len = i2d_PKCS12(p12, &der);
	assert_true(len > 0);
	co.pkcs12.data = (const char *)der;
	co.pkcs12.len = (size_t)len;
	co.key_password = "p12pass";
	co.remote_cert = TLS_REMOTE_CERT_SERVER;
	/* No separate CA: the one inside the PKCS#12 is trusted. */
	assert_true(shake(&pr, &co, &so));
	assert_int_equal(tls_peer_cn(pr.s, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "client1");
	pair_close(&pr);
	co.key_password = "nope";
	assert_int_equal(conf_rc(&co, err), -EINVAL);
	assert_non_null(strstr(err, "PKCS#12"));
	OPENSSL_free(der);
	PKCS12_free(p12);
	sk_X509_pop_free(cas, X509_free);
	X509_free(crt);
	EVP_PKEY_free(k);
}

/* A CRL signed by the CA, revoking the certificate in revoke (or nothing). */
static char *make_crl(X509 *revoke)
{
	EVP_PKEY *cakey = read_key(p(ec_dir, "ca.key"));
	X509 *ca = read_crt(p(ec_dir, "ca.crt"));
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), -1, 0);
	ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 30, 0);
	BIO *b = BIO_new(BIO_s_mem());
	char *out = calloc(1, 4096);

	assert_true(X509_CRL_set_version(crl, X509_CRL_VERSION_2));
	assert_true(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)));
	assert_true(X509_CRL_set1_lastUpdate(crl, t));
	assert_true(X509_CRL_set1_nextUpdate(crl, next));
	if (revoke) {
		X509_REVOKED *r = X509_REVOKED_new();

		assert_true(X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoke)));
		assert_true(X509_REVOKED_set_revocationDate(r, t));
		assert_true(X509_CRL_add0_revoked(crl, r));
	}
	assert_true(X509_CRL_sort(crl));
	assert_true(X509_CRL_sign(crl, cakey, EVP_sha256()) > 0);
	assert_true(PEM_write_bio_X509_CRL(b, crl));
	assert_true(BIO_read(b, out, 4095) > 0);
	BIO_free(b);
	ASN1_TIME_free(t);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	return out;
}

static void test_crl(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	X509 *client = read_crt(p(ec_dir, "client.crt"));
	char *none = make_crl(NULL), *revoked = make_crl(client);
	struct pair pr;

	(void)state;
	so.crl.data = none;
	assert_true(shake(&pr, &co, &so));
	pair_close(&pr);
	so.crl.data = revoked;
	assert_false(shake(&pr, &co, &so));
	assert_non_null(strstr(tls_error(pr.s), "certificate revoked"));
	pair_close(&pr);
	X509_free(client);
	free(none);
	free(revoked);
}

/* A handshake of a new client session against the server conf sc (kept by the caller). */
static bool shake_sc(struct tls_conf *sc, const struct tls_conf_opts *co, char *why)
{
	struct tls_conf *cc;
	struct tls_sess *c, *s;
	char err[TLS_ERR_MAX];
	bool ok;

	assert_int_equal(tls_conf_new(&cc, co, err, sizeof(err)), 0);
	assert_int_equal(tls_sess_new(&c, cc), 0);
	assert_int_equal(tls_sess_new(&s, sc), 0);
	for (int i = 0; i < 10; i++) {
		pump(c, s);
		pump(s, c);
	}
	ok = tls_handshake_done(c) && tls_handshake_done(s);
	snprintf(why, TLS_ERR_MAX, "%s", tls_error(s));
	tls_sess_free(c);
	tls_sess_free(s);
	tls_conf_free(cc);
	return ok;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* crl-verify reloaded into a running conf: the next handshake uses the new list, a held peer
 * certificate is checked against it, and a bad file keeps the list in use. */
static void test_crl_reload(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	const char *crl = p(ec_dir, "reload-crl.pem"), *other = p(rsa_dir, "other-crl.pem");
	const char *rev[] = { "client.crt" };
	struct tls_pem pem = { .path = crl };
	struct tls_conf *sc, *plain;
	struct tls_cert *held;
	struct pair pr;
	char err[TLS_ERR_MAX], why[TLS_ERR_MAX];
	char *text;
	FILE *fp;
	long n;

	(void)state;
	assert_int_equal(pki_make_crl(ec_dir, crl, NULL, 0), 0);
	so.crl.path = crl;
	assert_true(shake(&pr, &co, &so));
	held = tls_peer_cert_get(pr.s);
	assert_non_null(held);
	sc = pr.sc;
	tls_sess_free(pr.c);
	tls_sess_free(pr.s);
	tls_conf_free(pr.cc);
	assert_int_equal(tls_conf_cert_revoked(sc, held, why, sizeof(why)), 0);

	/* Revoke the client: refused from the next handshake on, and the held one is revoked. */
	assert_int_equal(pki_make_crl(ec_dir, crl, rev, 1), 0);
	assert_int_equal(tls_conf_reload_crl(sc, &pem, err, sizeof(err)), 0);
	assert_int_equal(tls_conf_cert_revoked(sc, held, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "revoked"));
	assert_false(shake_sc(sc, &co, why));
	assert_non_null(strstr(why, "certificate revoked"));

	/* Bad files keep that list, with the file named in the reason. */
	fp = fopen(crl, "r");
	assert_non_null(fp);
	text = calloc(1, 8192);
	n = (long)fread(text, 1, 8191, fp);
	fclose(fp);
	assert_true(n > 100);
	text[n / 2] = '\0';			/* a half-written file */
	write_file(crl, text);
	assert_int_equal(tls_conf_reload_crl(sc, &pem, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, crl));
	write_file(crl, "garbage\n");
	assert_int_equal(tls_conf_reload_crl(sc, &pem, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no PEM X509 CRL"));
	unlink(crl);
	assert_int_equal(tls_conf_reload_crl(sc, &pem, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, crl));
	/* Same issuer name ("burrow-ca"), another CA's key: the signature does not verify. */
	assert_int_equal(pki_make_crl(rsa_dir, other, NULL, 0), 0);
	pem.path = other;
	assert_int_equal(tls_conf_reload_crl(sc, &pem, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "signature"));
	/* A CRL of a CA we do not trust: every handshake would lack a CRL. */
	{
		char odir[] = "/tmp/burrow-tlsc-other-XXXXXX";
		struct pki_opts oo = { .ca_cn = "other-ca" };

		assert_non_null(mkdtemp(odir));
		assert_int_equal(pki_make(odir, &oo), 0);
		assert_int_equal(pki_make_crl(odir, other, NULL, 0), 0);
		assert_int_equal(tls_conf_reload_crl(sc, &pem, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "no CRL issued by the CA"));
		nftw(odir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	}
	pem.path = crl;
	assert_int_equal(tls_conf_cert_revoked(sc, held, why, sizeof(why)), 1);
	assert_false(shake_sc(sc, &co, why));

	/* Unrevoked again: accepted again. */
	assert_int_equal(pki_make_crl(ec_dir, crl, NULL, 0), 0);
	assert_int_equal(tls_conf_reload_crl(sc, &pem, err, sizeof(err)), 0);
	assert_int_equal(tls_conf_cert_revoked(sc, held, why, sizeof(why)), 0);
	assert_true(shake_sc(sc, &co, why));

	/* A conf without crl-verify has nothing to reload. */
	so.crl.path = NULL;
	assert_int_equal(tls_conf_new(&plain, &so, err, sizeof(err)), 0);
	assert_int_equal(tls_conf_reload_crl(plain, &pem, err, sizeof(err)), -ENOTSUP);
	tls_conf_free(plain);
	tls_cert_free(held);
	tls_conf_free(sc);
	free(text);
	unlink(crl);
	unlink(other);
}

/* crl-verify DIR dir: a file named by the serial in decimal revokes; its content is unread. */
static void test_crl_dir(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	X509 *client = read_crt(p(ec_dir, "client.crt"));
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(client), NULL);
	char *dec = BN_bn2dec(bn), dir[256], file[512], err[TLS_ERR_MAX], why[TLS_ERR_MAX];
	struct tls_conf *sc;
	struct tls_cert *held;
	struct pair pr;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/crl.d", ec_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/%s", dir, dec);
	so.crl_dir = dir;
	assert_true(shake(&pr, &co, &so));
	held = tls_peer_cert_get(pr.s);
	sc = pr.sc;
	tls_sess_free(pr.c);
	tls_sess_free(pr.s);
	tls_conf_free(pr.cc);
	assert_int_equal(tls_conf_cert_revoked(sc, held, why, sizeof(why)), 0);
	write_file(file, "");
	assert_int_equal(tls_conf_cert_revoked(sc, held, why, sizeof(why)), 1);
	assert_false(shake_sc(sc, &co, why));
	assert_non_null(strstr(why, dec));
	assert_non_null(strstr(why, "revoked"));
	unlink(file);
	assert_true(shake_sc(sc, &co, why));
	/* Both forms at once is a setup error. */
	so.crl.data = "x";
	assert_int_equal(conf_rc(&so, err), -EINVAL);
	tls_cert_free(held);
	tls_conf_free(sc);
	rmdir(dir);
	OPENSSL_free(dec);
	BN_free(bn);
	X509_free(client);
}

static void test_version_min(void **state)
{
	struct tls_conf_opts co = side(TLS_ROLE_CLIENT, ec_dir, "client");
	struct tls_conf_opts so = side(TLS_ROLE_SERVER, ec_dir, "server");
	struct pair pr;

	(void)state;
	co.version_min = TLS1_3_VERSION;
	so.version_max = TLS1_2_VERSION;
	assert_false(shake(&pr, &co, &so));
	assert_true(tls_failed(pr.s));
	assert_non_null(strstr(tls_error(pr.s), "TLS error"));
	pair_close(&pr);
	/* The server's default minimum is 1.2: a 1.1-only client is refused. */
	co.version_min = TLS1_1_VERSION;
	co.version_max = TLS1_1_VERSION;
	co.cert_profile = "insecure";	/* let OpenSSL offer 1.1 at all */
	so.version_max = 0;
	assert_false(shake(&pr, &co, &so));
	assert_true(tls_failed(pr.s));
	pair_close(&pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cipher_iana_names),
		cmocka_unit_test(test_groups_and_profile),
		cmocka_unit_test(test_remote_cert_eku),
		cmocka_unit_test(test_dh_params),
		cmocka_unit_test(test_encrypted_key),
		cmocka_unit_test(test_pkcs12),
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_crl_reload),
		cmocka_unit_test(test_crl_dir),
		cmocka_unit_test(test_version_min),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
