/* struct sess_conf from struct cfg, for the client and the server alike. */
#include "core/sessconf.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/statickey.h"
#include "proto/tls.h"
#include "util/log.h"

static struct tls_pem blob_pem(const struct cfg_blob *b)
{
	struct tls_pem p = { 0 };

	if (b->text) {
		p.data = b->text;
		p.len = b->len;
	} else if (b->path) {
		p.path = b->path;
	}
	return p;
}

static enum tls_x509_name x509_type(enum cfg_x509_type t)
{
	switch (t) {
	case CFG_X509_NAME_PREFIX:
		return TLS_X509_NAME_PREFIX;
	case CFG_X509_SUBJECT:
		return TLS_X509_SUBJECT;
	default:
		return TLS_X509_NAME_CN;
	}
}

static enum tls_verify_client verify_client(enum cfg_verify_cc v)
{
	return v == CFG_VCC_NONE ? TLS_VERIFY_CLIENT_NONE :
	       v == CFG_VCC_OPTIONAL ? TLS_VERIFY_CLIENT_OPTIONAL : TLS_VERIFY_CLIENT_REQUIRE;
}

static int tls_conf_from(const struct cfg *c, enum sess_role role, struct tls_conf **tls)
{
	struct tls_conf_opts o = { 0 };
	char err[TLS_ERR_MAX];
	int e;

	o.role = role == SESS_SERVER ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT;
	o.ca = blob_pem(&c->ca);
	o.cert = blob_pem(&c->cert);
	o.key = blob_pem(&c->key);
	o.extra_certs = blob_pem(&c->extra_certs);
	if (c->crl_is_dir)
		o.crl_dir = c->crl.path;
	else
		o.crl = blob_pem(&c->crl);
	o.version_min = c->tls_version_min;
	o.version_max = c->tls_version_max;
	o.remote_cert = c->remote_cert_tls == CFG_CERT_TLS_SERVER ? TLS_REMOTE_CERT_SERVER :
			c->remote_cert_tls == CFG_CERT_TLS_CLIENT ? TLS_REMOTE_CERT_CLIENT :
			TLS_REMOTE_CERT_ANY;
	if (c->verify_x509.name) {
		o.x509_type = x509_type(c->verify_x509.type);
		o.x509_name = c->verify_x509.name;
	}
	o.verify_client = verify_client(c->verify_client_cert);
	o.cipher_list = c->tls_cipher;
	o.ciphersuites = c->tls_ciphersuites;
	o.groups = c->tls_groups ? c->tls_groups : c->ecdh_curve;
	o.cert_profile = c->tls_cert_profile;
	o.remote_cert_eku = c->remote_cert_eku;
	o.username_field = c->x509_username_field;
	if (!c->dh_none)
		o.dh = blob_pem(&c->dh);
	/* pkcs12 and askpass need nothing here: cfg_validate() already unpacked the bundle into
	 * ca/cert/key and decrypted the key. */
	err[0] = '\0';
	e = tls_conf_new(tls, &o, err, sizeof(err));
	if (e < 0)
		log_error("TLS setup failed: %s; check ca/cert/key in the config",
			  err[0] ? err : strerror(-e));
	return e;
}

static int key_direction(const struct cfg *c, const struct cfg_statickey *k)
{
	int d = k->direction >= 0 ? k->direction : c->key_direction;

	return d == 0 ? SESS_KEYDIR_NORMAL : d == 1 ? SESS_KEYDIR_INVERSE : SESS_KEYDIR_BIDI;
}

static int wrap_v2(const struct cfg *c, enum sess_role role, struct sess_conf *s)
{
	const struct cfg_blob *k = &c->tls_crypt_v2.key;
	int e;

	s->wrap = SESS_WRAP_TLS_CRYPT_V2;
	if (role == SESS_SERVER) {
		e = skey_v2_server_parse(k->text, k->len, s->v2_server_key);
		if (e < 0)
			log_error("tls-crypt-v2: the key is not an 'OpenVPN tls-crypt-v2 server key'");
		return e;
	}
	e = skey_v2_client_parse(k->text, k->len, s->wrap_key, s->wkc, sizeof(s->wkc),
				 &s->wkc_len);
	if (e < 0)
		log_error("tls-crypt-v2: the key is not an 'OpenVPN tls-crypt-v2 client key'");
	return e;
}

static int wrap_conf(const struct cfg *c, enum sess_role role, struct sess_conf *s)
{
	int e = 0;

	if (cfg_blob_set(&c->tls_crypt_v2.key))
		return wrap_v2(c, role, s);
	if (cfg_blob_set(&c->tls_crypt.key)) {
		s->wrap = SESS_WRAP_TLS_CRYPT;
		e = skey_parse(c->tls_crypt.key.text, c->tls_crypt.key.len, s->wrap_key);
		if (e < 0)
			log_error("tls-crypt: the key is not an 'OpenVPN Static key V1'");
	} else if (cfg_blob_set(&c->tls_auth.key)) {
		s->wrap = SESS_WRAP_TLS_AUTH;
		s->key_dir = key_direction(c, &c->tls_auth);
		e = skey_parse(c->tls_auth.key.text, c->tls_auth.key.len, s->wrap_key);
		if (e < 0)
			log_error("tls-auth: the key is not an 'OpenVPN Static key V1'");
	}
	return e;
}

static unsigned secs(int v)
{
	return v > 0 ? (unsigned)v : 0;
}

int core_sess_conf(const struct cfg *c, enum sess_role role, struct sess_conf *s,
		   struct tls_conf **tls)
{
	int e;

	memset(s, 0, sizeof(*s));
	*tls = NULL;
	s->role = role;
	s->key_dir = SESS_KEYDIR_BIDI;
	s->auth_digest = c->auth;
	s->data_ciphers = c->data_ciphers;
	s->data_ciphers_fallback = c->data_ciphers_fallback;
	s->dev_type = c->dev_type == CFG_DEV_TAP ? "tap" : "tun";
	s->pull_filter = c->pull_filters.v;	/* the cfg outlives the session */
	s->n_pull_filter = c->pull_filters.n;
	s->reneg_sec = c->reneg_sec == 0 ? SESS_RENEG_OFF : secs(c->reneg_sec);
	s->reneg_bytes = c->reneg_bytes > 0 ? (uint64_t)c->reneg_bytes : 0;
	s->reneg_pkts = c->reneg_pkts > 0 ? (uint64_t)c->reneg_pkts : 0;
	s->hand_window = secs(c->hand_window);
	s->tran_window = secs(c->tran_window);
	s->tls_timeout = secs(c->tls_timeout);
	s->replay_window = secs(c->replay_window);
	if (role == SESS_SERVER)
		s->tun_mtu = (unsigned)c->tun_mtu;
	e = wrap_conf(c, role, s);
	if (e == 0)
		e = tls_conf_from(c, role, tls);
	if (e < 0) {
		core_sess_conf_free(s, tls);
		return e;
	}
	s->tls = *tls;
	return 0;
}

void core_sess_conf_free(struct sess_conf *s, struct tls_conf **tls)
{
	OPENSSL_cleanse(s->wrap_key, sizeof(s->wrap_key));
	OPENSSL_cleanse(s->v2_server_key, sizeof(s->v2_server_key));
	tls_conf_free(*tls);
	*tls = NULL;
}
