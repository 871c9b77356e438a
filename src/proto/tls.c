/* TLS over OpenSSL memory BIOs (spec §6). See tls.h. */
#include "proto/tls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util/log.h"

/* OpenVPN's default TLS <= 1.2 cipher list: forward secrecy only (§6). */
#define TLS_DEFAULT_CIPHERS "DEFAULT:!EXP:!LOW:!MEDIUM:!kDH:!kECDH:!DSS:!PSK:!SRP:!kRSA"
#define TLS_RECORD_MAX 16384
#define TLS_NAME_MAX 256

struct tls_conf {
	SSL_CTX *ctx;
	int refs;
	enum tls_role role;
	enum tls_remote_cert remote_cert;
	enum tls_x509_name x509_type;
	char x509_name[TLS_NAME_MAX];
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

static void tls_set_err(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tls_set_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!err || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

/* The most useful line of OpenSSL's error queue (the last one), then clears the queue. */
static const char *tls_ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown TLS error";
}

/* ---- loading PEM inputs ---- */

static BIO *tls_pem_bio(const struct tls_pem *p)
{
	if (p->data)
		return BIO_new_mem_buf(p->data, p->len ? (int)p->len : -1);
	if (p->path)
		return BIO_new_file(p->path, "r");
	return NULL;
}

static bool tls_pem_given(const struct tls_pem *p)
{
	return p->data || p->path;
}

static const char *tls_pem_what(const struct tls_pem *p)
{
	return p->path && !p->data ? p->path : "<inline>";
}

/* Every certificate in p into the verify store. */
static int tls_load_ca(SSL_CTX *ctx, const struct tls_pem *p)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	BIO *b = tls_pem_bio(p);
	X509 *x;
	int n = 0;

	if (!b)
		return -ENOENT;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		int ok = X509_STORE_add_cert(st, x);

		X509_free(x);
		if (!ok)
			break;
		n++;
	}
	ERR_clear_error();	/* the loop ends on "no start line" */
	BIO_free(b);
	return n > 0 ? 0 : -EINVAL;
}

/* First certificate = ours, the rest = chain. */
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

static int tls_load_key(SSL_CTX *ctx, const struct tls_pem *p)
{
	BIO *b = tls_pem_bio(p);
	EVP_PKEY *k;
	int ok;

	if (!b)
		return -ENOENT;
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!k)
		return -EINVAL;
	ok = SSL_CTX_use_PrivateKey(ctx, k);
	EVP_PKEY_free(k);
	return ok ? 0 : -EINVAL;
}

static int tls_load_crl(SSL_CTX *ctx, const struct tls_pem *p)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	BIO *b = tls_pem_bio(p);
	X509_CRL *c;
	int n = 0;

	if (!b)
		return -ENOENT;
	while ((c = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL))) {
		int ok = X509_STORE_add_crl(st, c);

		X509_CRL_free(c);
		if (!ok)
			break;
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	if (n == 0)
		return -EINVAL;
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	return 0;
}

/* ---- peer certificate policy (remote-cert-tls, verify-x509-name) ---- */

static int tls_cert_cn(X509 *x, char *out, size_t cap)
{
	X509_NAME *nm = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
	unsigned char *utf8 = NULL;
	int n, rc = 0;

	out[0] = '\0';
	if (i < 0)
		return 0;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i)));
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= cap)
		rc = -ENOSPC;
	else if (memchr(utf8, '\0', (size_t)n))
		rc = -EINVAL;	/* an embedded NUL would let "a\0b" pass as "a" */
	else
		memcpy(out, utf8, (size_t)n + 1);
	OPENSSL_free(utf8);
	return rc;
}

/* The subject as "C=US, O=x, CN=y" (the order OpenVPN prints it). */
static void tls_cert_subject(X509 *x, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	unsigned long fl = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_UTF8_CONVERT |
			   ASN1_STRFLGS_ESC_CTRL;
	int n = 0;

	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, fl) >= 0)
		n = BIO_read(b, out, (int)cap - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

static bool tls_check_remote_cert(const struct tls_conf *c, X509 *x, char *why, size_t cap)
{
	uint32_t flags = X509_get_extension_flags(x);
	bool server = c->remote_cert == TLS_REMOTE_CERT_SERVER;
	uint32_t want = server ? XKU_SSL_SERVER : XKU_SSL_CLIENT;
	const char *name = server ? "TLS Web Server Authentication"
				  : "TLS Web Client Authentication";

	if (c->remote_cert == TLS_REMOTE_CERT_ANY)
		return true;
	if (!(flags & EXFLAG_KUSAGE)) {
		tls_set_err(why, cap, "remote-cert-tls: certificate has no keyUsage extension");
		return false;
	}
	if (!(flags & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(x) & want)) {
		tls_set_err(why, cap, "remote-cert-tls: certificate lacks extendedKeyUsage %s",
			    name);
		return false;
	}
	return true;
}

static bool tls_check_name(const struct tls_conf *c, X509 *x, char *why, size_t cap)
{
	char got[TLS_NAME_MAX];
	bool ok;

	if (c->x509_type == TLS_X509_NONE)
		return true;
	if (c->x509_type == TLS_X509_SUBJECT) {
		tls_cert_subject(x, got, sizeof(got));
		ok = strcmp(got, c->x509_name) == 0;
	} else if (tls_cert_cn(x, got, sizeof(got)) < 0) {
		ok = false;
	} else if (c->x509_type == TLS_X509_NAME_PREFIX) {
		ok = strncmp(got, c->x509_name, strlen(c->x509_name)) == 0;
	} else {
		ok = strcmp(got, c->x509_name) == 0;
	}
	if (!ok)
		tls_set_err(why, cap, "verify-x509-name: %s '%s' does not match '%s'",
			    c->x509_type == TLS_X509_SUBJECT ? "subject" : "CN", got,
			    c->x509_name);
	return ok;
}

/* OpenSSL calls this per chain element. The first reason found is kept for tls_error(). */
static int tls_verify_cb(int preverify_ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_sess *s = ssl ? SSL_get_app_data(ssl) : NULL;
	int depth = X509_STORE_CTX_get_error_depth(xs);
	X509 *x = X509_STORE_CTX_get_current_cert(xs);
	char why[TLS_ERR_MAX] = "";

	if (!s)
		return preverify_ok;
	/* Our policy first: a wrong-EKU cert also fails OpenSSL's purpose check, and
	 * "lacks extendedKeyUsage" says more than "unsupported certificate purpose". */
	if (depth == 0 && x && (!tls_check_remote_cert(s->conf, x, why, sizeof(why)) ||
				!tls_check_name(s->conf, x, why, sizeof(why)))) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
		preverify_ok = 0;
	} else if (!preverify_ok) {
		int e = X509_STORE_CTX_get_error(xs);

		snprintf(why, sizeof(why), "certificate verify failed (depth %d): %s", depth,
			 X509_verify_cert_error_string(e));
	}
	if (!preverify_ok && !s->verify_failed) {
		s->verify_failed = true;
		snprintf(s->err, sizeof(s->err), "%s", why);
	}
	return preverify_ok;
}

/* ---- context ---- */

static int tls_conf_verify_mode(const struct tls_conf_opts *o)
{
	if (o->role == TLS_ROLE_CLIENT)
		return SSL_VERIFY_PEER;
	switch (o->verify_client) {
	case TLS_VERIFY_CLIENT_NONE:
		return SSL_VERIFY_NONE;
	case TLS_VERIFY_CLIENT_OPTIONAL:
		return SSL_VERIFY_PEER;
	default:
		return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	}
}

/* Protocol options of §6: no compression, no renegotiation, no resumption. */
static int tls_conf_protocol(SSL_CTX *ctx, const struct tls_conf_opts *o)
{
	int vmin = o->version_min ? o->version_min : TLS1_2_VERSION;

	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_security_level(ctx, 1);
	if (!SSL_CTX_set_min_proto_version(ctx, vmin) ||
	    !SSL_CTX_set_max_proto_version(ctx, o->version_max))
		return -EINVAL;
	if (!SSL_CTX_set_cipher_list(ctx, o->cipher_list ? o->cipher_list : TLS_DEFAULT_CIPHERS))
		return -EINVAL;
	if (o->ciphersuites && !SSL_CTX_set_ciphersuites(ctx, o->ciphersuites))
		return -EINVAL;
	SSL_CTX_set_verify(ctx, tls_conf_verify_mode(o), tls_verify_cb);
	return 0;
}

static int tls_conf_load(SSL_CTX *ctx, const struct tls_conf_opts *o, char *err, size_t el)
{
	bool need_ca = o->role == TLS_ROLE_CLIENT || o->verify_client != TLS_VERIFY_CLIENT_NONE;

	if (need_ca && !tls_pem_given(&o->ca))
		return tls_set_err(err, el, "no CA certificate given"), -EINVAL;
	if (!tls_pem_given(&o->cert) || !tls_pem_given(&o->key))
		return tls_set_err(err, el, "certificate and key are required"), -EINVAL;
	if (tls_pem_given(&o->ca) && tls_load_ca(ctx, &o->ca))
		return tls_set_err(err, el, "cannot load CA from %s", tls_pem_what(&o->ca)),
		       -EINVAL;
	if (tls_load_cert(ctx, &o->cert, true))
		return tls_set_err(err, el, "cannot load certificate from %s: %s",
				   tls_pem_what(&o->cert), tls_ossl_reason()), -EINVAL;
	if (tls_pem_given(&o->extra_certs) && tls_load_cert(ctx, &o->extra_certs, false))
		return tls_set_err(err, el, "cannot load extra certificates from %s",
				   tls_pem_what(&o->extra_certs)), -EINVAL;
	if (tls_load_key(ctx, &o->key))
		return tls_set_err(err, el, "cannot load private key from %s: %s",
				   tls_pem_what(&o->key), tls_ossl_reason()), -EINVAL;
	if (!SSL_CTX_check_private_key(ctx))
		return tls_set_err(err, el, "private key does not match the certificate"),
		       ERR_clear_error(), -EINVAL;
	if (tls_pem_given(&o->crl) && tls_load_crl(ctx, &o->crl))
		return tls_set_err(err, el, "cannot load CRL from %s", tls_pem_what(&o->crl)),
		       -EINVAL;
	return 0;
}

static int tls_conf_policy(struct tls_conf *c, const struct tls_conf_opts *o, char *err,
			   size_t el)
{
	c->role = o->role;
	c->remote_cert = o->remote_cert;
	c->x509_type = o->x509_type;
	if (o->x509_type == TLS_X509_NONE)
		return 0;
	if (!o->x509_name || !o->x509_name[0] ||
	    strlen(o->x509_name) >= sizeof(c->x509_name))
		return tls_set_err(err, el, "verify-x509-name needs a name (< %d bytes)",
				   TLS_NAME_MAX), -EINVAL;
	snprintf(c->x509_name, sizeof(c->x509_name), "%s", o->x509_name);
	return 0;
}

int tls_conf_new(struct tls_conf **out, const struct tls_conf_opts *o, char *err, size_t el)
{
	struct tls_conf *c;
	int rc = -ENOMEM;

	*out = NULL;
	tls_set_err(err, el, "%s", "");
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->refs = 1;
	c->ctx = SSL_CTX_new(o->role == TLS_ROLE_SERVER ? TLS_server_method()
							: TLS_client_method());
	if (!c->ctx) {
		tls_set_err(err, el, "SSL_CTX_new: %s", tls_ossl_reason());
		goto fail;
	}
	rc = tls_conf_policy(c, o, err, el);
	if (rc)
		goto fail;
	rc = tls_conf_protocol(c->ctx, o);
	if (rc) {
		tls_set_err(err, el, "bad TLS version or cipher settings: %s",
			    tls_ossl_reason());
		goto fail;
	}
	rc = tls_conf_load(c->ctx, o, err, el);
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	ERR_clear_error();
	SSL_CTX_free(c->ctx);
	free(c);
	return rc;
}

void tls_conf_free(struct tls_conf *c)
{
	if (!c || --c->refs > 0)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

/* ---- sessions ---- */

int tls_sess_new(struct tls_sess **out, struct tls_conf *conf)
{
	struct tls_sess *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->ssl = SSL_new(conf->ctx);
	s->in = BIO_new(BIO_s_mem());
	s->out = BIO_new(BIO_s_mem());
	if (!s->ssl || !s->in || !s->out) {
		SSL_free(s->ssl);
		BIO_free(s->in);
		BIO_free(s->out);
		free(s);
		ERR_clear_error();
		return -ENOMEM;
	}
	/* An empty read BIO means "no data yet", not EOF. */
	BIO_set_mem_eof_return(s->in, -1);
	SSL_set_bio(s->ssl, s->in, s->out);	/* the SSL owns the BIOs now */
	SSL_set_app_data(s->ssl, s);
	s->conf = conf;
	conf->refs++;
	if (conf->role == TLS_ROLE_CLIENT)
		SSL_set_connect_state(s->ssl);
	else
		SSL_set_accept_state(s->ssl);
	*out = s;
	/* A client's ClientHello is ready right away. */
	if (conf->role == TLS_ROLE_CLIENT && tls_advance(s) < 0) {
		tls_sess_free(s);
		*out = NULL;
		return -EPROTO;
	}
	return 0;
}

void tls_sess_free(struct tls_sess *s)
{
	if (!s)
		return;
	SSL_free(s->ssl);
	tls_conf_free(s->conf);
	free(s);
}

/* Records the failure reason from the verify callback or the error queue. */
static int tls_fail(struct tls_sess *s)
{
	const char *r = tls_ossl_reason();

	s->failed = true;
	if (!s->verify_failed)
		snprintf(s->err, sizeof(s->err), "TLS error: %s", r);
	log_debug("tls: %s", s->err);
	return s->verify_failed ? -EACCES : -EPROTO;
}

int tls_advance(struct tls_sess *s)
{
	int r, e;

	if (s->failed)
		return s->verify_failed ? -EACCES : -EPROTO;
	if (s->done)
		return 0;
	r = SSL_do_handshake(s->ssl);
	if (r == 1) {
		s->done = true;
		log_info("tls: handshake done, %s %s", tls_version(s), tls_cipher(s));
		return 0;
	}
	e = SSL_get_error(s->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	return tls_fail(s);
}

int tls_feed_ciphertext(struct tls_sess *s, const uint8_t *in, size_t len)
{
	if (s->failed)
		return s->verify_failed ? -EACCES : -EPROTO;
	if (len > INT32_MAX)
		return -EMSGSIZE;
	if (len && BIO_write(s->in, in, (int)len) != (int)len)
		return -ENOMEM;
	return tls_advance(s);
}

size_t tls_pending_ciphertext(const struct tls_sess *s)
{
	return BIO_ctrl_pending(s->out);
}

size_t tls_take_ciphertext(struct tls_sess *s, uint8_t *out, size_t cap)
{
	size_t n = BIO_ctrl_pending(s->out);
	int r;

	if (n > cap)
		n = cap;
	if (n > INT32_MAX)
		n = INT32_MAX;
	if (n == 0)
		return 0;
	r = BIO_read(s->out, out, (int)n);
	return r > 0 ? (size_t)r : 0;
}

ssize_t tls_write_plain(struct tls_sess *s, const uint8_t *buf, size_t len)
{
	int r;

	if (s->failed)
		return -EPROTO;
	if (!s->done)
		return -EAGAIN;
	if (len == 0 || len > TLS_RECORD_MAX)
		return -EMSGSIZE;
	r = SSL_write(s->ssl, buf, (int)len);
	if (r == (int)len)
		return r;
	tls_fail(s);
	return -EPROTO;
}

ssize_t tls_read_plain(struct tls_sess *s, uint8_t *buf, size_t cap)
{
	int r, e;

	if (s->failed)
		return -EPROTO;
	if (!s->done && tls_advance(s) < 0)
		return -EPROTO;
	if (!s->done || cap == 0)
		return 0;
	r = SSL_read(s->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
	if (r > 0)
		return r;
	e = SSL_get_error(s->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN)
		return -EPIPE;
	tls_fail(s);
	return -EPROTO;
}

bool tls_handshake_done(const struct tls_sess *s)
{
	return s->done && !s->failed;
}

bool tls_failed(const struct tls_sess *s)
{
	return s->failed;
}

const char *tls_error(const struct tls_sess *s)
{
	return s->err;
}

int tls_peer_cn(const struct tls_sess *s, char *out, size_t cap)
{
	X509 *x = SSL_get0_peer_certificate(s->ssl);

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (!x)
		return -ENOENT;
	return tls_cert_cn(x, out, cap);
}

const char *tls_version(const struct tls_sess *s)
{
	return s->done ? SSL_get_version(s->ssl) : "";
}

const char *tls_cipher(const struct tls_sess *s)
{
	const SSL_CIPHER *c = s->done ? SSL_get_current_cipher(s->ssl) : NULL;

	return c ? SSL_CIPHER_get_name(c) : "";
}

int tls_export_ekm(struct tls_sess *s, const char *label, uint8_t *out, size_t len)
{
	if (!tls_handshake_done(s))
		return -EAGAIN;
	/* use_context = 0: OpenVPN's "no context" variant (§6). */
	if (SSL_export_keying_material(s->ssl, out, len, label, strlen(label), NULL, 0, 0) != 1) {
		ERR_clear_error();
		return -EPROTO;
	}
	return 0;
}
