/* Loading credentials into a TLS context: CA, certificate + chain, key (optionally
 * encrypted), PKCS#12, CRL, DH parameters. Inputs are PEM (DER for PKCS#12) buffers or
 * files (struct tls_pem). */
#include "proto/tls_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

BIO *tls_pem_bio(const struct tls_pem *p)
{
	if (p->data)
		return BIO_new_mem_buf(p->data, p->len ? (int)p->len : -1);
	if (p->path)
		return BIO_new_file(p->path, "rb");
	return NULL;
}

static bool tls_pem_given(const struct tls_pem *p)
{
	return p->data || p->path;
}

const char *tls_pem_what(const struct tls_pem *p)
{
	return p->path && !p->data ? p->path : "<inline>";
}

/* Every certificate in p into the verify store, up to the first one the store refuses.
 * Returns how many were added, or -ENOENT. */
static int tls_store_add(SSL_CTX *ctx, const struct tls_pem *p)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	BIO *b = tls_pem_bio(p);
	int n = 0, ok = 1;

	if (!b)
		return -ENOENT;
	while (ok) {
		X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

		if (!x)
			break;
		ok = X509_STORE_add_cert(st, x);
		X509_free(x);
		n += ok;
	}
	ERR_clear_error();	/* the loop ends on "no start line" */
	BIO_free(b);
	return n;
}

static int tls_load_ca(SSL_CTX *ctx, const struct tls_pem *p)
{
	int n = tls_store_add(ctx, p);

	return n < 0 ? n : n > 0 ? 0 : -EINVAL;
}

/* First certificate = ours (when leaf_first), the rest = chain. */
static int tls_load_cert(SSL_CTX *ctx, const struct tls_pem *p, bool leaf_first)
{
	BIO *b = tls_pem_bio(p);
	X509 *x;
	int n = 0, rc = 0;

	if (!b)
		return -ENOENT;
	while (!rc && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		int ok = (leaf_first && n == 0) ? SSL_CTX_use_certificate(ctx, x)
						 : SSL_CTX_add1_chain_cert(ctx, x);
		X509_free(x);
		rc = ok ? 0 : -EINVAL;
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return rc ? rc : (n > 0 ? 0 : -EINVAL);
}

static int tls_load_key(SSL_CTX *ctx, const struct tls_pem *p, const char *password)
{
	BIO *b = tls_pem_bio(p);
	EVP_PKEY *k;
	int ok;

	if (!b)
		return -ENOENT;
	/* With no callback, OpenSSL takes the last argument as the passphrase. An empty one
	 * stops it from prompting on the terminal for an encrypted key. */
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(password ? password : ""));
	BIO_free(b);
	if (!k)
		return -EINVAL;
	ok = SSL_CTX_use_PrivateKey(ctx, k);
	EVP_PKEY_free(k);
	return ok ? 0 : -EINVAL;
}

static int tls_load_dh(SSL_CTX *ctx, const struct tls_pem *p)
{
	BIO *b = tls_pem_bio(p);
	EVP_PKEY *dh;

	if (!b)
		return -ENOENT;
	dh = PEM_read_bio_Parameters(b, NULL);
	BIO_free(b);
	if (!dh)
		return -EINVAL;
	/* set0: the context owns dh on success. */
	if (!SSL_CTX_set0_tmp_dh_pkey(ctx, dh)) {
		EVP_PKEY_free(dh);
		return -EINVAL;
	}
	return 0;
}

/* PKCS#12: key + certificate, extra certificates as chain; they are also trusted as CAs
 * when no separate CA was given (as OpenVPN does). */
static int tls_use_p12(SSL_CTX *ctx, EVP_PKEY *key, X509 *crt, STACK_OF(X509) *cas,
		       bool trust_cas)
{
	if (!key || !crt || !SSL_CTX_use_certificate(ctx, crt) ||
	    !SSL_CTX_use_PrivateKey(ctx, key))
		return -EINVAL;
	for (int i = 0; i < sk_X509_num(cas); i++) {
		X509 *x = sk_X509_value(cas, i);

		if (!SSL_CTX_add1_chain_cert(ctx, x))
			return -EINVAL;
		if (trust_cas && !X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x))
			return -EINVAL;
	}
	return 0;
}

static int tls_load_p12(SSL_CTX *ctx, const struct tls_pem *p, const char *password,
			bool trust_cas)
{
	BIO *b = tls_pem_bio(p);
	PKCS12 *p12;
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	STACK_OF(X509) *cas = NULL;
	int rc = -EINVAL;

	if (!b)
		return -ENOENT;
	p12 = d2i_PKCS12_bio(b, NULL);
	BIO_free(b);
	if (p12 && PKCS12_parse(p12, password ? password : "", &key, &crt, &cas))
		rc = tls_use_p12(ctx, key, crt, cas, trust_cas);
	PKCS12_free(p12);
	EVP_PKEY_free(key);
	X509_free(crt);
	sk_X509_pop_free(cas, X509_free);
	return rc;
}

/* A client with neither certificate nor key authenticates with username/password alone (the
 * server runs verify-client-cert none or optional); the config checked auth-user-pass. */
static bool tls_no_own_cert(const struct tls_conf_opts *o)
{
	return o->role == TLS_ROLE_CLIENT && !tls_pem_given(&o->pkcs12) &&
	       !tls_pem_given(&o->cert) && !tls_pem_given(&o->key);
}

/* Own certificate and key, from PEM or PKCS#12. */
static int tls_load_own(SSL_CTX *ctx, const struct tls_conf_opts *o, char *err, size_t el)
{
	if (tls_no_own_cert(o))
		return 0;
	if (tls_pem_given(&o->pkcs12)) {
		if (tls_load_p12(ctx, &o->pkcs12, o->key_password, !tls_pem_given(&o->ca))) {
			tls_set_err(err, el, "cannot load PKCS#12 from %s: %s",
				    tls_pem_what(&o->pkcs12), tls_ossl_reason());
			return -EINVAL;
		}
		return 0;
	}
	if (!tls_pem_given(&o->cert) || !tls_pem_given(&o->key)) {
		tls_set_err(err, el, "certificate and key are required");
		return -EINVAL;
	}
	if (tls_load_cert(ctx, &o->cert, true)) {
		tls_set_err(err, el, "cannot load certificate from %s: %s",
			    tls_pem_what(&o->cert), tls_ossl_reason());
		return -EINVAL;
	}
	if (tls_load_key(ctx, &o->key, o->key_password)) {
		tls_set_err(err, el, "cannot load private key from %s: %s",
			    tls_pem_what(&o->key), tls_ossl_reason());
		return -EINVAL;
	}
	return 0;
}

/* Optional inputs: extra chain, DH parameters (the CRL: tls_crl.c). */
static int tls_load_extras(SSL_CTX *ctx, const struct tls_conf_opts *o, char *err, size_t el)
{
	if (tls_pem_given(&o->extra_certs) && tls_load_cert(ctx, &o->extra_certs, false)) {
		tls_set_err(err, el, "cannot load extra certificates from %s",
			    tls_pem_what(&o->extra_certs));
		return -EINVAL;
	}
	if (tls_pem_given(&o->dh) && tls_load_dh(ctx, &o->dh)) {
		tls_set_err(err, el, "cannot load DH parameters from %s: %s",
			    tls_pem_what(&o->dh), tls_ossl_reason());
		return -EINVAL;
	}
	return 0;
}

int tls_conf_load(SSL_CTX *ctx, const struct tls_conf_opts *o, char *err, size_t el)
{
	bool need_ca = o->role == TLS_ROLE_CLIENT || o->verify_client != TLS_VERIFY_CLIENT_NONE;
	bool has_ca = tls_pem_given(&o->ca) || tls_pem_given(&o->pkcs12);
	int rc;

	if (need_ca && !has_ca) {
		tls_set_err(err, el, "no CA certificate given");
		return -EINVAL;
	}
	if (tls_pem_given(&o->ca) && tls_load_ca(ctx, &o->ca)) {
		tls_set_err(err, el, "cannot load CA from %s", tls_pem_what(&o->ca));
		return -EINVAL;
	}
	rc = tls_load_own(ctx, o, err, el);
	if (!rc && !tls_no_own_cert(o) && !SSL_CTX_check_private_key(ctx)) {
		tls_set_err(err, el, "private key does not match the certificate");
		rc = -EINVAL;
	}
	if (!rc)
		rc = tls_load_extras(ctx, o, err, el);
	ERR_clear_error();
	return rc;
}
