/* A throw-away PKI with the OpenSSL 3 API (no openssl CLI). See pki.h. */
#include "util/pki.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/log.h"

#define PKI_DEFAULT_DAYS 825
#define PKI_CA_DAYS 3650

/* Which extension profile a certificate gets. */
enum pki_kind { PKI_CA, PKI_SERVER, PKI_CLIENT };

struct pki_item {
	EVP_PKEY *key;
	X509 *crt;
};

int pki_path(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

static bool pki_cn_ok(const char *cn)
{
	size_t n = cn ? strlen(cn) : 0;

	if (n == 0 || n >= PKI_CN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = cn[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

static EVP_PKEY *pki_genkey(enum pki_key_type type)
{
	if (type == PKI_KEY_RSA)
		return EVP_RSA_gen(2048);
	return EVP_EC_gen("P-256");
}

static int pki_add_ext(X509 *crt, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, crt, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EIO;
	ok = X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -EIO;
}

/* The extensions OpenVPN's remote-cert-tls and the §15.1 recipe expect. */
static int pki_add_exts(X509 *crt, X509 *issuer, enum pki_kind kind, enum pki_key_type kt)
{
	const char *ku, *eku = NULL, *bc = "CA:FALSE";
	int rc;

	switch (kind) {
	case PKI_CA:
		bc = "critical,CA:TRUE";
		ku = "critical,keyCertSign,cRLSign";
		break;
	case PKI_SERVER:
		/* keyEncipherment only makes sense for RSA keys. */
		ku = kt == PKI_KEY_RSA ? "critical,digitalSignature,keyEncipherment"
				       : "critical,digitalSignature";
		eku = "serverAuth";
		break;
	default:
		ku = "critical,digitalSignature";
		eku = "clientAuth";
		break;
	}
	rc = pki_add_ext(crt, issuer, NID_basic_constraints, bc);
	if (!rc)
		rc = pki_add_ext(crt, issuer, NID_key_usage, ku);
	if (!rc && eku)
		rc = pki_add_ext(crt, issuer, NID_ext_key_usage, eku);
	if (!rc)
		rc = pki_add_ext(crt, issuer, NID_subject_key_identifier, "hash");
	if (!rc && kind != PKI_CA)
		rc = pki_add_ext(crt, issuer, NID_authority_key_identifier, "keyid");
	return rc;
}

static int pki_set_serial(X509 *crt)
{
	uint8_t raw[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	raw[0] &= 0x7f;		/* positive, as RFC 5280 asks */
	raw[0] |= 0x01;		/* and never zero */
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	if (!bn)
		return -EIO;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)) != NULL;
	BN_free(bn);
	return ok ? 0 : -EIO;
}

/* days < 0: the validity window ended -days ago (expired-cert tests). */
static int pki_set_validity(X509 *crt, int days)
{
	long day = 24L * 3600;
	long from = -3600, to = (long)days * day;

	if (days < 0) {
		from = ((long)days - 30) * day;
		to = (long)days * day;
	}
	if (!X509_gmtime_adj(X509_getm_notBefore(crt), from) ||
	    !X509_gmtime_adj(X509_getm_notAfter(crt), to))
		return -EIO;
	return 0;
}

/* Makes item->key and item->crt, signed by issuer (NULL: self-signed CA). The subject is
 * CN=cn (cn_len >= 0: exactly those bytes as a UTF8String, NULs and any length allowed, for
 * odd certificates) or, with cn
 * NULL, O=burrow-test only. */
static int pki_issue_name(struct pki_item *item, const struct pki_item *issuer, const char *cn,
			  int cn_len, enum pki_kind kind, enum pki_key_type kt, int days)
{
	X509_NAME *name;
	X509 *signer_crt;
	EVP_PKEY *signer_key;
	int ok;

	item->key = pki_genkey(kt);
	item->crt = X509_new();
	if (!item->key || !item->crt)
		return -EIO;
	signer_crt = issuer ? issuer->crt : item->crt;
	signer_key = issuer ? issuer->key : item->key;
	name = X509_get_subject_name(item->crt);
	if (cn && cn_len >= 0)	/* raw UTF8String: no length limits, NULs kept */
		ok = X509_NAME_add_entry_by_txt(name, "CN", V_ASN1_UTF8STRING,
						(const unsigned char *)cn, cn_len, -1, 0);
	else if (cn)
		ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						(const unsigned char *)cn, -1, -1, 0);
	else
		ok = X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
						(const unsigned char *)"burrow-test", -1, -1, 0);
	if (!X509_set_version(item->crt, X509_VERSION_3) || pki_set_serial(item->crt) ||
	    pki_set_validity(item->crt, days) || !ok ||
	    !X509_set_issuer_name(item->crt, X509_get_subject_name(signer_crt)) ||
	    !X509_set_pubkey(item->crt, item->key) ||
	    pki_add_exts(item->crt, signer_crt, kind, kt) ||
	    !X509_sign(item->crt, signer_key, EVP_sha256()))
		return -EIO;
	return 0;
}

static int pki_issue(struct pki_item *item, const struct pki_item *issuer, const char *cn,
		     enum pki_kind kind, enum pki_key_type kt, int days)
{
	return pki_issue_name(item, issuer, cn, -1, kind, kt, days);
}

static FILE *pki_open(const char *dir, const char *name, mode_t mode)
{
	char path[4096];
	int fd;
	FILE *fp;

	if (pki_path(path, sizeof(path), dir, name))
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return NULL;
	/* The file may have existed with wider permissions. */
	if (fchmod(fd, mode) < 0) {
		close(fd);
		return NULL;
	}
	fp = fdopen(fd, "w");
	if (!fp)
		close(fd);
	return fp;
}

/* Writes base.crt (0644) and base.key (0600). */
static int pki_write(const char *dir, const char *base, const struct pki_item *item)
{
	char name[PKI_CN_MAX + 32];
	FILE *fp;
	int ok;

	if (snprintf(name, sizeof(name), "%s.crt", base) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	fp = pki_open(dir, name, 0644);
	if (!fp)
		return -errno ? -errno : -EIO;
	ok = PEM_write_X509(fp, item->crt);
	if (fclose(fp) != 0 || !ok)
		return -EIO;
	if (snprintf(name, sizeof(name), "%s.key", base) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	fp = pki_open(dir, name, 0600);
	if (!fp)
		return -errno ? -errno : -EIO;
	ok = PEM_write_PrivateKey(fp, item->key, NULL, NULL, 0, NULL, NULL);
	if (fclose(fp) != 0 || !ok)
		return -EIO;
	return 0;
}

static void pki_item_free(struct pki_item *item)
{
	EVP_PKEY_free(item->key);
	X509_free(item->crt);
	item->key = NULL;
	item->crt = NULL;
}

static int pki_check_opts(const struct pki_opts *o)
{
	if (o->key_type != PKI_KEY_EC && o->key_type != PKI_KEY_RSA)
		return -EINVAL;
	if (o->n_clients < 0 || o->n_clients > PKI_MAX_CLIENTS)
		return -EINVAL;
	if ((o->ca_cn && !pki_cn_ok(o->ca_cn)) || (o->server_cn && !pki_cn_ok(o->server_cn)))
		return -EINVAL;
	for (int i = 0; i < o->n_clients; i++)
		if (!pki_cn_ok(o->client_cns[i]))
			return -EINVAL;
	return 0;
}

static int pki_make_client(const char *dir, const struct pki_item *ca, const char *cn,
			   bool first, enum pki_key_type kt, int days)
{
	struct pki_item cl = { 0 };
	char base[PKI_CN_MAX + 16];
	int rc;

	snprintf(base, sizeof(base), "client-%s", cn);
	rc = pki_issue(&cl, ca, cn, PKI_CLIENT, kt, days);
	if (!rc)
		rc = pki_write(dir, base, &cl);
	if (!rc && first)
		rc = pki_write(dir, "client", &cl);
	pki_item_free(&cl);
	return rc;
}

int pki_make(const char *dir, const struct pki_opts *opts)
{
	static const struct pki_opts defaults;
	const struct pki_opts *o = opts ? opts : &defaults;
	struct pki_item ca = { 0 }, srv = { 0 };
	int days = o->days ? o->days : PKI_DEFAULT_DAYS;
	int n = o->n_clients ? o->n_clients : 1;
	int rc;

	if (!dir)
		return -EINVAL;
	rc = pki_check_opts(o);
	if (rc)
		return rc;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	rc = pki_issue(&ca, NULL, o->ca_cn ? o->ca_cn : "burrow-ca", PKI_CA, o->key_type,
		       PKI_CA_DAYS);
	if (rc)
		goto out;
	rc = pki_write(dir, "ca", &ca);
	if (rc)
		goto out;
	rc = pki_issue(&srv, &ca, o->server_cn ? o->server_cn : "server", PKI_SERVER,
		       o->key_type, days);
	if (!rc)
		rc = pki_write(dir, "server", &srv);
	for (int i = 0; !rc && i < n; i++)
		rc = pki_make_client(dir, &ca, o->n_clients ? o->client_cns[i] : "client1",
				     i == 0, o->key_type, days);
out:
	if (rc)
		log_debug("pki: cannot create PKI in %s (%d)", dir, rc);
	pki_item_free(&srv);
	pki_item_free(&ca);
	return rc;
}

static int pki_read_ca(const char *dir, struct pki_item *ca)
{
	char path[4096];
	FILE *fp;

	if (pki_path(path, sizeof(path), dir, "ca.crt") || !(fp = fopen(path, "re")))
		return -ENOENT;
	ca->crt = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (pki_path(path, sizeof(path), dir, "ca.key") || !(fp = fopen(path, "re")))
		return -ENOENT;
	ca->key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	return ca->crt && ca->key ? 0 : -EIO;
}

int pki_make_odd(const char *dir, const char *base, enum pki_odd odd)
{
	static const char nul_cn[] = "alice\0.evil";
	char long_cn[71];
	struct pki_item ca = { 0 }, cl = { 0 };
	const char *cn = NULL;
	int len = -1, rc;

	memset(long_cn, 'x', 70);
	long_cn[70] = '\0';
	switch (odd) {
	case PKI_ODD_NO_CN:
		break;
	case PKI_ODD_EMPTY_CN:
		cn = "";
		len = 0;
		break;
	case PKI_ODD_LONG_CN:
		cn = long_cn;
		len = 70;
		break;
	case PKI_ODD_NUL_CN:
		cn = nul_cn;
		len = (int)sizeof(nul_cn) - 1;
		break;
	case PKI_ODD_META_CN:
		cn = PKI_ODD_META_TEXT;
		len = (int)strlen(PKI_ODD_META_TEXT);
		break;
	default:
		return -EINVAL;
	}
	rc = pki_read_ca(dir, &ca);
	if (!rc)
		rc = pki_issue_name(&cl, &ca, cn, len, PKI_CLIENT,
				    EVP_PKEY_is_a(ca.key, "RSA") ? PKI_KEY_RSA : PKI_KEY_EC,
				    PKI_DEFAULT_DAYS);
	if (!rc)
		rc = pki_write(dir, base, &cl);
	pki_item_free(&cl);
	pki_item_free(&ca);
	return rc;
}

/* The serial of the certificate at path (relative paths: inside dir). */
static ASN1_INTEGER *pki_cert_serial(const char *dir, const char *path)
{
	char full[4096];
	ASN1_INTEGER *sn = NULL;
	FILE *fp;
	X509 *x;

	if (path[0] != '/' && pki_path(full, sizeof(full), dir, path))
		return NULL;
	fp = fopen(path[0] == '/' ? path : full, "re");
	if (!fp)
		return NULL;
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x)
		sn = ASN1_INTEGER_dup(X509_get0_serialNumber(x));
	X509_free(x);
	return sn;
}

static int pki_crl_revoke(X509_CRL *crl, const char *dir, const char *cert, const ASN1_TIME *t)
{
	ASN1_INTEGER *sn = pki_cert_serial(dir, cert);
	X509_REVOKED *r = sn ? X509_REVOKED_new() : NULL;
	int ok = r && X509_REVOKED_set_serialNumber(r, sn) &&
		 X509_REVOKED_set_revocationDate(r, (ASN1_TIME *)t) && X509_CRL_add0_revoked(crl, r);

	ASN1_INTEGER_free(sn);
	if (!ok)
		X509_REVOKED_free(r);
	return ok ? 0 : -EIO;
}

int pki_make_crl(const char *dir, const char *out, const char *const *certs, int n)
{
	struct pki_item ca = { 0 };
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), 0, -60);
	ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 30, 0);
	FILE *fp = NULL;
	int rc = pki_read_ca(dir, &ca);

	if (!rc && (!crl || !t || !next || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
		    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.crt)) ||
		    !X509_CRL_set1_lastUpdate(crl, t) || !X509_CRL_set1_nextUpdate(crl, next)))
		rc = -EIO;
	for (int i = 0; !rc && i < n; i++)
		rc = pki_crl_revoke(crl, dir, certs[i], t);
	if (!rc && (!X509_CRL_sort(crl) || X509_CRL_sign(crl, ca.key, EVP_sha256()) <= 0))
		rc = -EIO;
	if (!rc && !(fp = fopen(out, "we")))
		rc = -errno;
	if (fp) {
		int wrote = PEM_write_X509_CRL(fp, crl);	/* closed whatever happened */

		if (fclose(fp) != 0 || !wrote)
			rc = -EIO;
	}
	ASN1_TIME_free(t);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	pki_item_free(&ca);
	return rc;
}
