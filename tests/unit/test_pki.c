/* util/pki: the generated certificates verify against the CA, carry the EKU/keyUsage that
 * remote-cert-tls checks, keys match and are private, bad options are refused. */
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

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/pki.h"

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static X509 *load_crt(const char *dir, const char *name)
{
	char path[512];
	FILE *fp;
	X509 *x;

	assert_int_equal(pki_path(path, sizeof(path), dir, name), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *load_key(const char *dir, const char *name)
{
	char path[512];
	struct stat st;
	FILE *fp;
	EVP_PKEY *k;

	assert_int_equal(pki_path(path, sizeof(path), dir, name), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	fp = fopen(path, "r");
	assert_non_null(fp);
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(k);
	return k;
}

/* Returns the X509_V_ result of verifying leaf against ca. */
static int verify(X509 *ca, X509 *leaf)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err;

	assert_true(X509_STORE_add_cert(st, ca));
	assert_true(X509_STORE_CTX_init(ctx, st, leaf, NULL));
	X509_verify_cert(ctx);
	err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return err;
}

static void cn_of(X509 *x, char *out, int cap)
{
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
					      out, cap) > 0);
}

/* Checks one leaf: verifies, has keyUsage and exactly the expected EKU, key matches. */
static void check_leaf(const char *dir, X509 *ca, const char *base, uint32_t xku,
		       const char *cn, int key_id)
{
	char name[128], got[64];
	X509 *x;
	EVP_PKEY *k;

	snprintf(name, sizeof(name), "%s.crt", base);
	x = load_crt(dir, name);
	snprintf(name, sizeof(name), "%s.key", base);
	k = load_key(dir, name);
	assert_int_equal(verify(ca, x), X509_V_OK);
	assert_int_not_equal(X509_get_key_usage(x), UINT32_MAX);	/* KU present */
	assert_int_equal(X509_get_extended_key_usage(x), xku);
	assert_int_equal(X509_check_purpose(x, -1, 0), 1);
	assert_int_equal(X509_check_ca(x), 0);
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_int_equal(EVP_PKEY_get_base_id(k), key_id);
	cn_of(x, got, sizeof(got));
	assert_string_equal(got, cn);
	EVP_PKEY_free(k);
	X509_free(x);
}

static void make_and_check(const struct pki_opts *o, int key_id)
{
	char dir[] = "/tmp/burrow-pki-XXXXXX";
	X509 *ca;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(pki_make(dir, o), 0);
	ca = load_crt(dir, "ca.crt");
	assert_int_equal(verify(ca, ca), X509_V_OK);
	assert_int_equal(X509_check_ca(ca), 1);
	check_leaf(dir, ca, "server", XKU_SSL_SERVER, "server", key_id);
	check_leaf(dir, ca, "client", XKU_SSL_CLIENT,
		   o && o->n_clients ? o->client_cns[0] : "client1", key_id);
	for (int i = 0; o && i < o->n_clients; i++) {
		char base[96];

		snprintf(base, sizeof(base), "client-%s", o->client_cns[i]);
		check_leaf(dir, ca, base, XKU_SSL_CLIENT, o->client_cns[i], key_id);
	}
	X509_free(ca);
	rm_tree(dir);
}

static void test_ec_default(void **state)
{
	(void)state;
	make_and_check(NULL, EVP_PKEY_EC);
}

static void test_rsa_several_clients(void **state)
{
	struct pki_opts o = { .key_type = PKI_KEY_RSA, .n_clients = 3,
			      .client_cns = { "alice", "bob", "carol.x-1" } };
	(void)state;
	make_and_check(&o, EVP_PKEY_RSA);
}

static void test_expired(void **state)
{
	struct pki_opts o = { .days = -2 };
	char dir[] = "/tmp/burrow-pki-XXXXXX";
	X509 *ca, *srv;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pki_make(dir, &o), 0);
	ca = load_crt(dir, "ca.crt");
	srv = load_crt(dir, "server.crt");
	assert_int_equal(verify(ca, ca), X509_V_OK);
	assert_int_equal(verify(ca, srv), X509_V_ERR_CERT_HAS_EXPIRED);
	X509_free(srv);
	X509_free(ca);
	rm_tree(dir);
}

/* Two PKIs never trust each other (distinct CA keys). */
static void test_distinct_cas(void **state)
{
	char d1[] = "/tmp/burrow-pki-XXXXXX", d2[] = "/tmp/burrow-pki-XXXXXX";
	X509 *ca1, *srv2;

	(void)state;
	assert_non_null(mkdtemp(d1));
	assert_non_null(mkdtemp(d2));
	assert_int_equal(pki_make(d1, NULL), 0);
	assert_int_equal(pki_make(d2, NULL), 0);
	ca1 = load_crt(d1, "ca.crt");
	srv2 = load_crt(d2, "server.crt");
	assert_int_not_equal(verify(ca1, srv2), X509_V_OK);
	X509_free(srv2);
	X509_free(ca1);
	rm_tree(d1);
	rm_tree(d2);
}

/* pki_make_odd: valid client certificates of the same CA whose CN no server may use, or
 * (metacn) one it must sanitise: the exact bytes, commas, newline and all. */
static void test_odd(void **state)
{
	static const struct {
		enum pki_odd odd;
		const char *base;
		int len;		/* of the CN's data; -1 = no CN */
	} cases[] = {
		{ PKI_ODD_NO_CN, "nocn", -1 },
		{ PKI_ODD_EMPTY_CN, "emptycn", 0 },
		{ PKI_ODD_LONG_CN, "longcn", 70 },
		{ PKI_ODD_NUL_CN, "nulcn", 11 },
		{ PKI_ODD_META_CN, "metacn", (int)sizeof(PKI_ODD_META_TEXT) - 1 },
	};
	char dir[] = "/tmp/burrow-pki-XXXXXX", name[64];
	X509 *ca, *x;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pki_make_odd(dir, "x", PKI_ODD_NO_CN), -ENOENT);	/* no CA yet */
	assert_int_equal(pki_make(dir, NULL), 0);
	ca = load_crt(dir, "ca.crt");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		X509_NAME *nm;
		int at;

		assert_int_equal(pki_make_odd(dir, cases[i].base, cases[i].odd), 0);
		snprintf(name, sizeof(name), "%s.crt", cases[i].base);
		x = load_crt(dir, name);
		snprintf(name, sizeof(name), "%s.key", cases[i].base);
		EVP_PKEY_free(load_key(dir, name));
		assert_int_equal(verify(ca, x), X509_V_OK);
		assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
		nm = X509_get_subject_name(x);
		at = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
		if (cases[i].len < 0) {
			assert_int_equal(at, -1);
		} else {
			const ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, at));

			assert_true(at >= 0);
			assert_int_equal(ASN1_STRING_length(d), cases[i].len);
			if (cases[i].odd == PKI_ODD_META_CN)
				assert_memory_equal(ASN1_STRING_get0_data(d), PKI_ODD_META_TEXT,
						    cases[i].len);
		}
		X509_free(x);
	}
	assert_int_equal(pki_make_odd(dir, "x", (enum pki_odd)9), -EINVAL);
	X509_free(ca);
	rm_tree(dir);
}

static void test_bad_opts(void **state)
{
	char dir[] = "/tmp/burrow-pki-XXXXXX";
	struct pki_opts bad_cn = { .n_clients = 1, .client_cns = { "a/b" } };
	struct pki_opts empty_cn = { .server_cn = "" };
	struct pki_opts too_many = { .n_clients = PKI_MAX_CLIENTS + 1 };
	struct pki_opts bad_type = { .key_type = (enum pki_key_type)7 };
	char path[16];

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pki_make(dir, &bad_cn), -EINVAL);
	assert_int_equal(pki_make(dir, &empty_cn), -EINVAL);
	assert_int_equal(pki_make(dir, &too_many), -EINVAL);
	assert_int_equal(pki_make(dir, &bad_type), -EINVAL);
	assert_int_equal(pki_make(NULL, NULL), -EINVAL);
	/* A directory under a missing parent cannot be made. */
	assert_true(pki_make("/nonexistent-burrow/x", NULL) < 0);
	assert_int_equal(pki_path(path, sizeof(path), "/a/long/directory", "ca.crt"),
			 -ENAMETOOLONG);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ec_default),
		cmocka_unit_test(test_rsa_several_clients),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_distinct_cas),
		cmocka_unit_test(test_odd),
		cmocka_unit_test(test_bad_opts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
