/* Our certificate and private key: an askpass-encrypted key is decrypted, a PKCS#12 bundle
 * is unpacked, and the key must belong to the certificate. The engines then only see PEM. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "config/cfg_impl.h"

/* One PEM-encoded object into a blob that takes the place of a file (origin: pkcs12). */
static int pem_into(struct cfg *c, struct cfg_blob *dst, const struct cfg_blob *src,
		    int (*write)(BIO *, const void *), const void *obj)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int ret = -ENOMEM;

	if (!bio)
		return -ENOMEM;
	if (write(bio, obj) != 1)
		goto out;
	n = BIO_get_mem_data(bio, &data);
	memset(dst, 0, sizeof(*dst));
	dst->where = src->where;
	dst->is_inline = true;
	dst->text = cfg_mem_strndup(&c->mem, data, (size_t)n);
	dst->len = (size_t)n;
	ret = dst->text ? 0 : -ENOMEM;
out:
	BIO_free(bio);
	return ret;
}

static int write_x509(BIO *b, const void *x) { return PEM_write_bio_X509(b, (X509 *)x); }
static int write_key(BIO *b, const void *k)
{
	return PEM_write_bio_PrivateKey(b, (EVP_PKEY *)k, NULL, NULL, 0, NULL, NULL);
}

/* The CA certificates of a PKCS#12 bundle, appended as PEM to the ca blob. */
static int p12_cas(struct cfg *c, STACK_OF(X509) *cas)
{
	int ret = 0;

	for (int i = 0; ret == 0 && i < sk_X509_num(cas); i++) {
		struct cfg_blob one;
		char *joined;

		ret = pem_into(c, &one, &c->pkcs12, write_x509, sk_X509_value(cas, i));
		if (ret < 0)
			break;
		joined = cfg_mem_alloc(&c->mem, c->ca.len + one.len);
		if (!joined)
			return -ENOMEM;
		if (c->ca.len)
			memcpy(joined, c->ca.text, c->ca.len);
		memcpy(joined + c->ca.len, one.text, one.len);
		c->ca.text = joined;
		c->ca.len += one.len;
		c->ca.is_inline = true;
		c->ca.where = c->pkcs12.where;
	}
	return ret;
}

/* pkcs12: unpacked into cert, key and (unless ca is given) ca, so that the engines only
 * ever see PEM. The password comes from askpass, else none. */
int cfg_unpack_pkcs12(struct cfg *c, struct cfg_err *err)
{
	BIO *bio;
	PKCS12 *p12;
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	STACK_OF(X509) *cas = NULL;
	char *pass = NULL, buf[256] = "";
	size_t plen;
	bool own_ca = !cfg_blob_set(&c->ca);
	int ret;

	if (!cfg_blob_set(&c->pkcs12))
		return 0;
	if (c->askpass && c->askpass[0] && cfg_read_file(&c->mem, c->askpass, &pass, &plen) == 0)
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(pass, "\r\n"), pass);
	bio = BIO_new_mem_buf(c->pkcs12.text, (int)c->pkcs12.len);
	if (!bio)
		return -ENOMEM;
	p12 = d2i_PKCS12_bio(bio, NULL);
	BIO_free(bio);
	ret = p12 && PKCS12_parse(p12, buf, &pk, &x, &cas) == 1 && pk && x ? 0 : -EINVAL;
	PKCS12_free(p12);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (ret < 0) {
		ret = cfg_blob_fail(&c->pkcs12, "pkcs12", "a password-protected bundle needs 'askpass FILE'",
				    "cannot unpack the certificate and key", err);
		goto out;
	}
	ret = pem_into(c, &c->cert, &c->pkcs12, write_x509, x);
	if (ret == 0)
		ret = pem_into(c, &c->key, &c->pkcs12, write_key, pk);
	if (ret == 0 && own_ca)
		ret = p12_cas(c, cas);
out:
	ERR_clear_error();
	EVP_PKEY_free(pk);
	X509_free(x);
	sk_X509_pop_free(cas, X509_free);
	return ret;
}

/* The askpass file's first line, for encrypted keys. */
static int key_pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	if (!pass)
		return -1;
	n = strcspn(pass, "\r\n");
	if (n >= (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

static int load_key(struct cfg *c, EVP_PKEY **pk, struct cfg_err *err)
{
	char *pass = NULL;
	size_t plen;
	BIO *bio;
	int ret;

	if (c->askpass && c->askpass[0]) {
		ret = cfg_read_file(&c->mem, c->askpass, &pass, &plen);
		if (ret < 0)
			return cfg_err_set(err, ret, c->key.where.file, c->key.where.line, "askpass",
					   "check the path", "cannot read '%s': %s", c->askpass,
					   strerror(-ret));
	}
	bio = BIO_new_mem_buf(c->key.text, (int)c->key.len);
	if (!bio)
		return -ENOMEM;
	*pk = PEM_read_bio_PrivateKey(bio, NULL, key_pass_cb, pass);
	BIO_free(bio);
	/* hand the engines the decrypted key, so that only config deals with passphrases */
	if (*pk && pass && strstr(c->key.text, "ENCRYPTED"))
		return pem_into(c, &c->key, &c->key, write_key, *pk);
	if (!*pk) {
		char problem[200];

		snprintf(problem, sizeof(problem), "not a usable private key (OpenSSL: %s)",
			 cfg_ssl_reason("no PEM private key found"));
		return cfg_blob_fail(&c->key, "key", pass ? "check the askpass passphrase" :
				     "give a PEM private key; an encrypted one also needs 'askpass FILE'",
				     problem, err);
	}
	return 0;
}

static int first_cert(const struct cfg_blob *b, X509 **x)
{
	BIO *bio = BIO_new_mem_buf(b->text, (int)b->len);

	if (!bio)
		return -ENOMEM;
	*x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return *x ? 0 : -EINVAL;
}

/* cert and key must come together and belong to each other. */
int cfg_check_pki(struct cfg *c, struct cfg_err *err)
{
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	int ret;

	if (cfg_blob_set(&c->cert) != cfg_blob_set(&c->key)) {
		const struct cfg_blob *b = cfg_blob_set(&c->cert) ? &c->cert : &c->key;

		return cfg_err_set(err, -EINVAL, b->where.file, b->where.line,
				   b == &c->cert ? "cert" : "key", "give both cert and key",
				   "%s without %s", b == &c->cert ? "cert" : "key",
				   b == &c->cert ? "key" : "cert");
	}
	if (!cfg_blob_set(&c->key))
		return 0;
	ret = load_key(c, &pk, err);
	if (ret < 0)
		return ret;
	ret = first_cert(&c->cert, &x);
	if (ret == 0 && X509_check_private_key(x, pk) != 1) {
		ERR_clear_error();
		ret = cfg_blob_fail(&c->key, "key", "use the key the certificate was issued for",
				    "private key does not match the certificate", err);
	}
	X509_free(x);
	EVP_PKEY_free(pk);
	return ret;
}
