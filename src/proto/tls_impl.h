/* Internals shared by tls.c (sessions), tls_conf.c (contexts) and tls_verify.c (peer
 * certificate policy). Not for other modules: use tls.h. */
#ifndef BURROW_PROTO_TLS_IMPL_H
#define BURROW_PROTO_TLS_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/ssl.h>

#include "proto/tls.h"

#define TLS_NAME_MAX 256

struct tls_conf {
	SSL_CTX *ctx;
	atomic_int refs;		/* sessions may live on several worker threads */
	enum tls_role role;
	enum tls_remote_cert remote_cert;
	enum tls_x509_name x509_type;
	char x509_name[TLS_NAME_MAX];
	ASN1_OBJECT *eku;		/* remote-cert-eku, NULL = none */
	char eku_text[TLS_NAME_MAX];	/* as configured, for messages */
	int user_nid;			/* x509-username-field (NID_commonName by default) */
	char user_field[64];		/* its name, for messages ("CN") */
	/* crl-verify (tls_crl.c): the CRLs every verification looks up, replaced whole by
	 * tls_conf_reload_crl under crl_lock; or the directory of the dir form. */
	pthread_mutex_t crl_lock;
	STACK_OF(X509_CRL) *crls;	/* NULL = no CRL file or block */
	char *crl_dir;			/* NULL = not the dir form */
};

struct tls_sess {
	struct tls_conf *conf;
	SSL *ssl;
	BIO *in;		/* ciphertext from the peer -> OpenSSL */
	BIO *out;		/* OpenSSL -> ciphertext for the peer */
	bool done;
	bool failed;
	bool verify_failed;	/* our callback rejected the peer certificate */
	char err[TLS_ERR_MAX];
};

/* OpenSSL verify callback: chain errors and our policy, reason kept in the tls_sess. */
int tls_verify_cb(int preverify_ok, X509_STORE_CTX *xs);
/* First subject attribute nid of x as UTF-8. Returns 0, -ENODATA (no such attribute or an
 * empty one; out = ""), -EINVAL (embedded NUL or not convertible) or -ENOSPC. */
int tls_cert_field(X509 *x, int nid, char *out, size_t cap);
/* The x509-username-field of c (CN by default): tls_cert_field with c's nid. */
int tls_cert_username(const struct tls_conf *c, X509 *x, char *out, size_t cap);
/* Loads CA, own cert/key (PEM or PKCS#12), extra chain, CRL, DH into ctx (tls_load.c).
 * Returns 0 or -EINVAL with the reason in err. */
int tls_conf_load(SSL_CTX *ctx, const struct tls_conf_opts *o, char *err, size_t errlen);
/* tls_crl.c: crl-verify at tls_conf_new (CRL check flag, lookup from c->crls, or the
 * directory); 0 or -EINVAL with the reason in err. Destroy frees what it set up. */
int tls_crl_setup(struct tls_conf *c, const struct tls_conf_opts *o, char *err, size_t errlen);
void tls_crl_destroy(struct tls_conf *c);
/* The dir form, for the leaf: false with the reason in why when its serial's file exists. */
bool tls_crl_check_dir(const struct tls_conf *c, X509 *x, char *why, size_t cap);
/* tls_load.c: a BIO over p (memory or file; NULL with errno when the file cannot be
 * opened), and p's name for messages (its path, or "<inline>"). */
BIO *tls_pem_bio(const struct tls_pem *p);
const char *tls_pem_what(const struct tls_pem *p);
/* snprintf into err when err is given. */
void tls_set_err(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The subject as "C=US, O=x, CN=y" ("" on failure; truncated to cap). */
void tls_cert_subject(X509 *x, char *out, size_t cap);
/* The last OpenSSL error as text ("unknown TLS error" if none); clears the queue. */
const char *tls_ossl_reason(void);

#endif
