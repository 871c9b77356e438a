/* crl-verify: certificate revocation that can change while sessions run.
 *
 * File or inline form: the CRLs live in the tls_conf (c->crls), not in the X509_STORE; the
 * store's CRL lookup is pointed at them, so every verification (a new handshake or a
 * renegotiation) takes the list current at that moment, and tls_conf_reload_crl swaps the
 * whole list under crl_lock. A new list is parsed and checked completely before the swap: a
 * half-written or invalid file never replaces a good list.
 *
 * Dir form (crl-verify DIR dir): a file named by the leaf's serial number in decimal means
 * revoked; its content is never read. Nothing is cached, so a file added or removed counts
 * from the next handshake on. */
#include "proto/tls_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

struct tls_cert;	/* is an X509 */

static void crls_free(STACK_OF(X509_CRL) *sk)
{
	sk_X509_CRL_pop_free(sk, X509_CRL_free);
}

/* Every CRL in p; a PEM error after the last good one (a truncated or garbled file) fails
 * the whole read. */
static int crl_read(const struct tls_pem *p, STACK_OF(X509_CRL) **out, char *err, size_t el)
{
	BIO *b;
	X509_CRL *crl;
	STACK_OF(X509_CRL) *sk;
	unsigned long e;

	*out = NULL;
	ERR_clear_error();
	b = tls_pem_bio(p);
	if (!b) {
		int no = errno ? errno : ENOENT;

		tls_set_err(err, el, "cannot read %s: %s", tls_pem_what(p), strerror(no));
		ERR_clear_error();
		return -ENOENT;
	}
	sk = sk_X509_CRL_new_null();
	while (sk && (crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL))) {
		if (!sk_X509_CRL_push(sk, crl)) {
			X509_CRL_free(crl);
			break;
		}
	}
	e = ERR_peek_last_error();
	BIO_free(b);
	if (!sk) {
		ERR_clear_error();
		return -ENOMEM;
	}
	if (sk_X509_CRL_num(sk) == 0 || (e && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)) {
		tls_set_err(err, el, "%s: %s", tls_pem_what(p),
			    sk_X509_CRL_num(sk) == 0 ? "no PEM X509 CRL in it"
						     : ERR_reason_error_string(e));
		ERR_clear_error();
		crls_free(sk);
		return -EINVAL;
	}
	ERR_clear_error();
	*out = sk;
	return 0;
}

/* A CRL issued by a CA we trust must carry that CA's signature (1); one from an issuer we
 * do not know (0) is kept, as it can only ever match certificates we refuse anyway; -1: the
 * signature does not verify. */
static int crl_signed(SSL_CTX *ctx, X509_CRL *crl)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509_OBJECT) *objs;
	bool known = false, ok = false;

	X509_STORE_lock(st);
	objs = X509_STORE_get0_objects(st);
	for (int i = 0; !ok && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		EVP_PKEY *k;

		if (!ca || X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(crl)))
			continue;
		known = true;
		k = X509_get0_pubkey(ca);
		ok = k && X509_CRL_verify(crl, k) == 1;
	}
	X509_STORE_unlock(st);
	ERR_clear_error();
	return ok ? 1 : known ? -1 : 0;
}

/* Every CRL signed by its CA, and at least one from a CA we trust: with none, every
 * handshake would fail for want of a CRL. */
static int crls_check(SSL_CTX *ctx, const struct tls_pem *p, STACK_OF(X509_CRL) *sk,
		      char *err, size_t el)
{
	int known = 0;

	for (int i = 0; i < sk_X509_CRL_num(sk); i++) {
		X509_CRL *crl = sk_X509_CRL_value(sk, i);
		int r = crl_signed(ctx, crl);

		known += r > 0;
		if (r < 0) {
			char issuer[TLS_NAME_MAX];

			X509_NAME_oneline(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
			tls_set_err(err, el, "%s: CRL %d (issuer %s): signature does not verify "
				    "with that CA", tls_pem_what(p), i + 1, issuer);
			return -EINVAL;
		}
	}
	if (!known) {
		tls_set_err(err, el, "%s: no CRL issued by the CA (ca) in it", tls_pem_what(p));
		return -EINVAL;
	}
	return 0;
}

/* The store's CRL lookup: the CRLs of our conf for issuer nm, each with a reference. */
static STACK_OF(X509_CRL) *crl_lookup(const X509_STORE_CTX *xs, const X509_NAME *nm)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_sess *s = ssl ? SSL_get_app_data(ssl) : NULL;
	struct tls_conf *c = s ? s->conf : NULL;
	STACK_OF(X509_CRL) *out = sk_X509_CRL_new_null();

	if (!c || !out)
		return out;
	pthread_mutex_lock(&c->crl_lock);
	for (int i = 0; i < sk_X509_CRL_num(c->crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(c->crls, i);

		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), nm) == 0 && X509_CRL_up_ref(crl) &&
		    !sk_X509_CRL_push(out, crl))
			X509_CRL_free(crl);
	}
	pthread_mutex_unlock(&c->crl_lock);
	return out;
}

int tls_crl_setup(struct tls_conf *c, const struct tls_conf_opts *o, char *err, size_t el)
{
	X509_STORE *st = SSL_CTX_get_cert_store(c->ctx);
	bool file = o->crl.data || o->crl.path;
	char why[TLS_ERR_MAX];
	int rc;

	if (o->crl_dir) {
		if (file) {
			tls_set_err(err, el, "crl-verify: a CRL file and a CRL directory at once");
			return -EINVAL;
		}
		c->crl_dir = strdup(o->crl_dir);
		return c->crl_dir ? 0 : -ENOMEM;
	}
	if (!file)
		return 0;
	rc = crl_read(&o->crl, &c->crls, why, sizeof(why));
	if (!rc && (rc = crls_check(c->ctx, &o->crl, c->crls, why, sizeof(why))) < 0) {
		crls_free(c->crls);
		c->crls = NULL;
	}
	if (rc) {
		tls_set_err(err, el, "cannot load CRL from %s", why);
		return -EINVAL;
	}
	X509_STORE_set_lookup_crls(st, crl_lookup);
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	return 0;
}

void tls_crl_destroy(struct tls_conf *c)
{
	crls_free(c->crls);
	c->crls = NULL;
	free(c->crl_dir);
	c->crl_dir = NULL;
	pthread_mutex_destroy(&c->crl_lock);
}

int tls_conf_reload_crl(struct tls_conf *c, const struct tls_pem *p, char *err, size_t el)
{
	STACK_OF(X509_CRL) *sk, *old;
	int rc;

	tls_set_err(err, el, "%s", "");
	if (!c->crls)
		return -ENOTSUP;
	rc = crl_read(p, &sk, err, el);
	if (rc)
		return rc;
	rc = crls_check(c->ctx, p, sk, err, el);
	if (rc) {
		crls_free(sk);
		return rc;
	}
	pthread_mutex_lock(&c->crl_lock);
	old = c->crls;
	c->crls = sk;
	pthread_mutex_unlock(&c->crl_lock);
	crls_free(old);	/* a verification running now holds its own references */
	return 0;
}

/* The serial in decimal, as the dir form names its files. */
static int serial_dec(X509 *x, char *out, size_t cap)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *dec = bn ? BN_bn2dec(bn) : NULL;
	int rc = dec && strlen(dec) < cap ? 0 : -ENOSPC;

	if (!rc)
		memcpy(out, dec, strlen(dec) + 1);
	OPENSSL_free(dec);
	BN_free(bn);
	return rc;
}

bool tls_crl_check_dir(const struct tls_conf *c, X509 *x, char *why, size_t cap)
{
	char serial[128], path[4096];
	struct stat sb;

	if (!c->crl_dir)
		return true;
	if (serial_dec(x, serial, sizeof(serial)) < 0 || serial[0] == '-') {
		snprintf(why, cap, "crl-verify dir: certificate serial number cannot be checked");
		return false;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->crl_dir, serial) >= sizeof(path)) {
		snprintf(why, cap, "crl-verify dir: path too long");
		return false;
	}
	if (stat(path, &sb) != 0)
		return true;
	snprintf(why, cap, "certificate serial %s is revoked (%s exists)", serial, path);
	return false;
}

struct tls_cert *tls_peer_cert_get(const struct tls_sess *s)
{
	X509 *x = s && s->ssl ? SSL_get0_peer_certificate(s->ssl) : NULL;

	return x && X509_up_ref(x) ? (struct tls_cert *)x : NULL;
}

void tls_cert_free(struct tls_cert *crt)
{
	X509_free((X509 *)crt);
}

int tls_conf_cert_revoked(struct tls_conf *c, const struct tls_cert *crt, char *why, size_t cap)
{
	X509 *x = (X509 *)crt;
	int revoked = 0;

	if (!x)
		return 0;
	if (c->crl_dir)
		return !tls_crl_check_dir(c, x, why, cap);
	pthread_mutex_lock(&c->crl_lock);
	for (int i = 0; !revoked && i < sk_X509_CRL_num(c->crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(c->crls, i);
		X509_REVOKED *rev = NULL;

		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(x)) == 0 &&
		    X509_CRL_get0_by_cert(crl, &rev, x) == 1)
			revoked = 1;
	}
	pthread_mutex_unlock(&c->crl_lock);
	if (revoked) {
		char serial[128] = "?";

		serial_dec(x, serial, sizeof(serial));
		snprintf(why, cap, "certificate serial %s is revoked", serial);
	}
	return revoked;
}
