/* TLS sessions over OpenSSL memory BIOs (spec §6): the ciphertext goes in and out as bytes,
 * the caller moves them over the control channel. See tls.h. */
#include "proto/tls_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util/log.h"
#include "util/sanitize.h"

#define TLS_RECORD_MAX 16384

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
	/* A server holds hundreds of these: give the ~34 KB record buffers back between records
	 * (after the handshake the control channel is nearly idle). */
	SSL_set_mode(s->ssl, SSL_MODE_RELEASE_BUFFERS);
	s->conf = conf;
	atomic_fetch_add(&conf->refs, 1);
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

/* The peer's name (x509-username-field, sanitised as OpenVPN 2.6 names it: never a raw
 * control byte in a log line, status or pool file) or its subject, into out[cap] (emptied
 * first); -ENOSPC (no room) or -ENOENT (no certificate). */
static int tls_peer_text(const struct tls_sess *s, char *out, size_t cap, bool subject)
{
	X509 *x = SSL_get0_peer_certificate(s->ssl);
	int rc;

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (!x)
		return -ENOENT;
	if (subject) {
		tls_cert_subject(x, out, cap);
		return strlen(out) + 1 >= cap ? -ENOSPC : 0;
	}
	rc = tls_cert_username(s->conf, x, out, cap);
	if (rc == 0)
		sanitize_name(out);
	return rc;
}

int tls_peer_cn(const struct tls_sess *s, char *out, size_t cap)
{
	return tls_peer_text(s, out, cap, false);
}

int tls_peer_subject(const struct tls_sess *s, char *out, size_t cap)
{
	return tls_peer_text(s, out, cap, true);
}

int tls_peer_serial(const struct tls_sess *s, char *out, size_t cap)
{
	X509 *x = SSL_get0_peer_certificate(s->ssl);
	BIGNUM *bn;
	char *dec;
	int rc = -ENOSPC;

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (!x)
		return -ENOENT;
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	dec = bn ? BN_bn2dec(bn) : NULL;
	if (dec && strlen(dec) < cap) {
		memcpy(out, dec, strlen(dec) + 1);
		rc = 0;
	}
	OPENSSL_free(dec);
	BN_free(bn);
	return dec ? rc : -ENOMEM;
}

int tls_peer_fingerprint(const struct tls_sess *s, uint8_t out[32])
{
	X509 *x = SSL_get0_peer_certificate(s->ssl);
	unsigned int n = 0;

	if (!x)
		return -ENOENT;
	if (!X509_digest(x, EVP_sha256(), out, &n) || n != 32)
		return -EIO;
	return 0;
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
