/* Peer certificate policy on top of OpenSSL's chain check (spec §6): remote-cert-tls,
 * remote-cert-eku, a usable name (x509-username-field, CN by default), verify-x509-name.
 * The first reason a certificate is refused is kept in the session for tls_error(). */
#include "proto/tls_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "util/sanitize.h"

int tls_cert_field(X509 *x, int nid, char *out, size_t cap)
{
	X509_NAME *nm = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(nm, nid, -1);
	unsigned char *utf8 = NULL;
	int n, rc = 0;

	out[0] = '\0';
	if (i < 0)
		return -ENODATA;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i)));
	if (n < 0)
		return -EINVAL;
	if (n == 0)
		rc = -ENODATA;
	else if ((size_t)n >= cap)
		rc = -ENOSPC;
	else if (memchr(utf8, '\0', (size_t)n))
		rc = -EINVAL;	/* an embedded NUL would let "a\0b" pass as "a" */
	else
		memcpy(out, utf8, (size_t)n + 1);
	OPENSSL_free(utf8);
	return rc;
}

int tls_cert_username(const struct tls_conf *c, X509 *x, char *out, size_t cap)
{
	return tls_cert_field(x, c->user_nid ? c->user_nid : NID_commonName, out, cap);
}

/* The subject as "C=US, O=x, CN=y" (the order OpenVPN prints it). */
void tls_cert_subject(X509 *x, char *out, size_t cap)
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
		snprintf(why, cap, "remote-cert-tls: certificate has no keyUsage extension");
		return false;
	}
	if (!(flags & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(x) & want)) {
		snprintf(why, cap, "remote-cert-tls: certificate lacks extendedKeyUsage %s",
			    name);
		return false;
	}
	return true;
}

/* remote-cert-eku: the peer's extendedKeyUsage must list the configured OID. */
static bool tls_check_eku(const struct tls_conf *c, X509 *x, char *why, size_t cap)
{
	EXTENDED_KEY_USAGE *eku;
	bool found = false;

	if (!c->eku)
		return true;
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	for (int i = 0; eku && !found && i < sk_ASN1_OBJECT_num(eku); i++)
		found = OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), c->eku) == 0;
	EXTENDED_KEY_USAGE_free(eku);
	if (!found)
		snprintf(why, cap, "remote-cert-eku: certificate lacks extendedKeyUsage %.150s",
			 c->eku_text);
	return found;
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
	} else if (tls_cert_username(c, x, got, sizeof(got)) < 0) {
		ok = false;
	} else if (c->x509_type == TLS_X509_NAME_PREFIX) {
		ok = strncmp(got, c->x509_name, strlen(c->x509_name)) == 0;
	} else {
		ok = strcmp(got, c->x509_name) == 0;
	}
	if (!ok) {
		sanitize_name(got);	/* the reason is logged: one line */
		snprintf(why, cap, "verify-x509-name: %.20s '%.90s' does not match '%.90s'",
			    c->x509_type == TLS_X509_SUBJECT ? "subject" : c->user_field, got,
			    c->x509_name);
	}
	return ok;
}

/* The peer's name (x509-username-field, CN by default) becomes its identity on a server, so
 * a leaf without one, or with one that cannot be used as a name, is refused during the
 * handshake as OpenVPN 2.6 does (on both sides, as it does): a shorter copy or a fallback
 * to the client-chosen username would let any CA-signed certificate pose as another. */
static bool tls_check_username(const struct tls_conf *c, X509 *x, char *why, size_t cap)
{
	char got[TLS_USERNAME_MAX];
	int rc = tls_cert_username(c, x, got, sizeof(got));

	if (rc == 0)
		return true;
	if (rc == -ENODATA)
		snprintf(why, cap, "certificate has no %s (x509-username-field) in its subject",
			 c->user_field);
	else if (rc == -ENOSPC)
		snprintf(why, cap, "certificate %s is %d bytes or longer (the limit is %d)",
			 c->user_field, TLS_USERNAME_MAX, TLS_USERNAME_MAX - 1);
	else
		snprintf(why, cap, "certificate %s contains a NUL byte or cannot be read as text",
			 c->user_field);
	return false;
}

/* OpenSSL calls this per chain element. The first reason found is kept for tls_error(). */
int tls_verify_cb(int preverify_ok, X509_STORE_CTX *xs)
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
				!tls_check_eku(s->conf, x, why, sizeof(why)) ||
				!tls_check_username(s->conf, x, why, sizeof(why)) ||
				!tls_check_name(s->conf, x, why, sizeof(why)) ||
				!tls_crl_check_dir(s->conf, x, why, sizeof(why)))) {
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
