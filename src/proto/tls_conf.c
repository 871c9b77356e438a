/* TLS contexts (struct tls_conf): protocol settings of spec §6 and the verification policy.
 * Credentials are loaded by tls_load.c, peer certificates checked by tls_verify.c. */
#include "proto/tls_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "util/log.h"

/* OpenVPN's default TLS <= 1.2 cipher list: forward secrecy only (§6). */
#define TLS_DEFAULT_CIPHERS "DEFAULT:!EXP:!LOW:!MEDIUM:!kDH:!kECDH:!DSS:!PSK:!SRP:!kRSA"
#define TLS_CIPHER_NAME_MAX 128

void tls_set_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!err || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

const char *tls_ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown TLS error";
}

/* ---- --tls-cipher names ---- */

/* OpenSSL's name for an IANA suite name written with dashes, as OpenVPN configs do
 * ("TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"); the mapping comes from OpenSSL itself. */
static const char *tls_ossl_cipher_name(STACK_OF(SSL_CIPHER) *all, const char *dashed)
{
	char std[TLS_CIPHER_NAME_MAX];
	size_t n = strlen(dashed);

	if (n >= sizeof(std))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		std[i] = dashed[i] == '-' ? '_' : dashed[i];
	for (int i = 0; i < sk_SSL_CIPHER_num(all); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
		const char *sn = SSL_CIPHER_standard_name(c);

		if (sn && strcmp(sn, std) == 0)
			return SSL_CIPHER_get_name(c);
	}
	return NULL;
}

/* Appends one list element (with its !/+/- prefix) to out. */
static int tls_cipher_append(char *out, size_t cap, size_t *len, const char *pfx, size_t plen,
			     const char *name)
{
	int n = snprintf(out + *len, cap - *len, "%s%.*s%s", *len ? ":" : "", (int)plen, pfx,
			 name);

	if (n < 0 || (size_t)n >= cap - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

/* Rewrites IANA-style elements of a colon list into OpenSSL names; other elements
 * ("DEFAULT", "!aNULL", OpenSSL names) pass through. Unknown IANA names are dropped with a
 * warning, as OpenVPN does. */
static int tls_translate_ciphers(SSL_CTX *all_ctx, const char *in, char *out, size_t cap)
{
	STACK_OF(SSL_CIPHER) *all = SSL_CTX_get_ciphers(all_ctx);
	size_t len = 0;
	int rc = 0;

	out[0] = '\0';
	for (const char *s = in; !rc && s && *s;) {
		const char *c = strchr(s, ':');
		size_t tlen = c ? (size_t)(c - s) : strlen(s), plen = strspn(s, "!+-");
		char tok[TLS_CIPHER_NAME_MAX];
		const char *name;

		if (tlen > 0 && tlen < sizeof(tok) && plen < tlen) {
			memcpy(tok, s + plen, tlen - plen);
			tok[tlen - plen] = '\0';
			name = strncmp(tok, "TLS-", 4) == 0 ? tls_ossl_cipher_name(all, tok) : tok;
			if (name)
				rc = tls_cipher_append(out, cap, &len, s, plen, name);
			else
				log_warn("tls-cipher: unknown cipher suite '%s' ignored", tok);
		}
		s = c ? c + 1 : NULL;
	}
	return rc ? rc : (len ? 0 : -EINVAL);
}

static int tls_conf_ciphers(SSL_CTX *ctx, const char *list)
{
	SSL_CTX *all = SSL_CTX_new(TLS_method());
	size_t cap = strlen(list) * 2 + 64;
	char *out = malloc(cap);
	int rc = -ENOMEM;

	if (all && out) {
		SSL_CTX_set_security_level(all, 0);
		rc = SSL_CTX_set_cipher_list(all, "ALL:COMPLEMENTOFALL") ? 0 : -EINVAL;
		if (!rc)
			rc = tls_translate_ciphers(all, list, out, cap);
		if (!rc && !SSL_CTX_set_cipher_list(ctx, out))
			rc = -EINVAL;
	}
	free(out);
	SSL_CTX_free(all);
	return rc;
}

/* ---- protocol ---- */

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

/* --tls-cert-profile as an OpenSSL security level (legacy = 1 is OpenVPN's default). */
static int tls_profile_level(const char *profile)
{
	static const char *const names[] = { "insecure", "legacy", "preferred", "suiteb" };

	if (!profile)
		return 1;
	for (int i = 0; i < 4; i++)
		if (strcmp(profile, names[i]) == 0)
			return i;
	return -1;
}

/* Protocol options of §6: no compression, no renegotiation, no resumption. */
static int tls_conf_protocol(SSL_CTX *ctx, const struct tls_conf_opts *o)
{
	int vmin = o->version_min ? o->version_min : TLS1_2_VERSION;
	int level = tls_profile_level(o->cert_profile);

	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	if (level < 0)
		return -EINVAL;
	SSL_CTX_set_security_level(ctx, level);
	if (!SSL_CTX_set_min_proto_version(ctx, vmin) ||
	    !SSL_CTX_set_max_proto_version(ctx, o->version_max))
		return -EINVAL;
	if (tls_conf_ciphers(ctx, o->cipher_list ? o->cipher_list : TLS_DEFAULT_CIPHERS))
		return -EINVAL;
	if (o->ciphersuites && !SSL_CTX_set_ciphersuites(ctx, o->ciphersuites))
		return -EINVAL;
	if (o->groups && !SSL_CTX_set1_groups_list(ctx, o->groups))
		return -EINVAL;
	SSL_CTX_set_verify(ctx, tls_conf_verify_mode(o), tls_verify_cb);
	return 0;
}

/* ---- verification policy ---- */

static int tls_conf_policy(struct tls_conf *c, const struct tls_conf_opts *o, char *err,
			   size_t el)
{
	c->role = o->role;
	c->remote_cert = o->remote_cert;
	c->x509_type = o->x509_type;
	c->user_nid = NID_commonName;
	snprintf(c->user_field, sizeof(c->user_field), "CN");
	if (o->username_field) {
		/* Short ("CN") or long ("commonName") names, or a dotted OID. */
		c->user_nid = OBJ_txt2nid(o->username_field);
		if (c->user_nid == NID_undef || strlen(o->username_field) >= sizeof(c->user_field)) {
			tls_set_err(err, el, "x509-username-field: unknown subject attribute '%s'",
				    o->username_field);
			return -EINVAL;
		}
		snprintf(c->user_field, sizeof(c->user_field), "%s", o->username_field);
	}
	if (o->remote_cert_eku) {
		/* txt2obj with names allowed: "1.3.6.1.5.5.7.3.1", "serverAuth" or
		 * "TLS Web Server Authentication" all name the same object. */
		c->eku = OBJ_txt2obj(o->remote_cert_eku, 0);
		if (!c->eku || strlen(o->remote_cert_eku) >= sizeof(c->eku_text)) {
			tls_set_err(err, el, "remote-cert-eku: unknown OID or name '%s'",
				    o->remote_cert_eku);
			return -EINVAL;
		}
		snprintf(c->eku_text, sizeof(c->eku_text), "%s", o->remote_cert_eku);
	}
	if (o->x509_type == TLS_X509_NONE)
		return 0;
	if (!o->x509_name || !o->x509_name[0] ||
	    strlen(o->x509_name) >= sizeof(c->x509_name)) {
		tls_set_err(err, el, "verify-x509-name needs a name (< %d bytes)", TLS_NAME_MAX);
		return -EINVAL;
	}
	snprintf(c->x509_name, sizeof(c->x509_name), "%s", o->x509_name);
	return 0;
}

static void tls_conf_destroy(struct tls_conf *c)
{
	ASN1_OBJECT_free(c->eku);
	tls_crl_destroy(c);
	SSL_CTX_free(c->ctx);
	free(c);
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
	atomic_init(&c->refs, 1);
	pthread_mutex_init(&c->crl_lock, NULL);
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
		tls_set_err(err, el, "bad TLS version, cipher, group or profile setting: %s",
			    tls_ossl_reason());
		goto fail;
	}
	rc = tls_conf_load(c->ctx, o, err, el);
	if (!rc)
		rc = tls_crl_setup(c, o, err, el);
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	ERR_clear_error();
	tls_conf_destroy(c);
	return rc;
}

void tls_conf_free(struct tls_conf *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1)
		tls_conf_destroy(c);
}
