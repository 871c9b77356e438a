/* Reading the files a configuration names and checking that each parses: certificates,
 * CRLs, DH parameters, PKCS#12, static keys, user/pass. The private key and its match with
 * the certificate are in certkey.c. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "config/cfg_impl.h"
#include "proto/statickey.h"

int cfg_read_file(struct cfg_mem **m, const char *path, char **text, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, ret = 0;

	/* O_NONBLOCK: opening a FIFO named by a config must not hang; only regular files pass */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if (st.st_size > CFG_FILE_MAX) {
		ret = -E2BIG;
		goto out;
	}
	buf = cfg_mem_alloc(m, (size_t)st.st_size);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;	/* the file shrank while we read it */
		got += (size_t)n;
	}
	*text = buf;
	*len = got;
out:
	close(fd);
	return ret;
}

int cfg_blob_fail(const struct cfg_blob *b, const char *directive, const char *hint,
		  const char *problem, struct cfg_err *err)
{
	const char *what = b->is_inline ? "inline block" : b->path;

	return cfg_err_set(err, -EINVAL, b->where.file, b->where.line, directive, hint, "%s: %s",
			   what, problem);
}

/* An OpenSSL reason for the message, or a fallback. */
const char *cfg_ssl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : fallback;
}

static int count_certs(BIO *bio)
{
	int n = 0;
	X509 *x;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	ERR_clear_error();	/* the loop always ends with a "no start line" error */
	return n;
}

static int check_certs(const struct cfg_blob *b, const char *d, struct cfg_err *err)
{
	BIO *bio = BIO_new_mem_buf(b->text, (int)b->len);
	int n;

	if (!bio)
		return -ENOMEM;
	n = count_certs(bio);
	BIO_free(bio);
	if (n == 0)
		return cfg_blob_fail(b, d, "it must hold a PEM certificate (-----BEGIN CERTIFICATE-----)",
				     "no certificate found", err);
	return 0;
}

static int check_crl(const struct cfg_blob *b, const char *d, struct cfg_err *err)
{
	BIO *bio = BIO_new_mem_buf(b->text, (int)b->len);
	X509_CRL *crl;

	if (!bio)
		return -ENOMEM;
	crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!crl)
		return cfg_blob_fail(b, d, "it must hold a PEM X509 CRL", cfg_ssl_reason("no CRL found"),
				     err);
	X509_CRL_free(crl);
	return 0;
}

static int check_dh(const struct cfg_blob *b, const char *d, struct cfg_err *err)
{
	BIO *bio = BIO_new_mem_buf(b->text, (int)b->len);
	EVP_PKEY *p;

	if (!bio)
		return -ENOMEM;
	p = PEM_read_bio_Parameters(bio, NULL);
	BIO_free(bio);
	if (!p)
		return cfg_blob_fail(b, d, "it must hold PEM DH parameters, or write 'dh none'",
				     cfg_ssl_reason("no DH parameters found"), err);
	EVP_PKEY_free(p);
	return 0;
}

/* An inline <pkcs12> block is base64 (the file form is DER): decode it in place. */
static int p12_unbase64(struct cfg *c, struct cfg_blob *b)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char *out = cfg_mem_alloc(&c->mem, b->len);
	int n1 = 0, n2 = 0, ret = -EINVAL;

	if (!ctx || !out) {
		ret = -ENOMEM;
		goto out;
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, out, &n1, (const unsigned char *)b->text, (int)b->len) < 0 ||
	    EVP_DecodeFinal(ctx, out + n1, &n2) < 0)
		goto out;
	b->text = (char *)out;
	b->len = (size_t)(n1 + n2);
	ret = 0;
out:
	EVP_ENCODE_CTX_free(ctx);
	return ret;
}

static int check_pkcs12(struct cfg *c, struct cfg_blob *b, const char *d, struct cfg_err *err)
{
	BIO *bio;
	PKCS12 *p12;

	if (b->is_inline && p12_unbase64(c, b) < 0)
		return cfg_blob_fail(b, d, "an inline <pkcs12> block holds the file in base64",
				     "not base64", err);
	bio = BIO_new_mem_buf(b->text, (int)b->len);
	if (!bio)
		return -ENOMEM;
	p12 = d2i_PKCS12_bio(bio, NULL);
	BIO_free(bio);
	if (!p12)
		return cfg_blob_fail(b, d, "give a DER PKCS#12 file, or ca/cert/key PEM files",
				     cfg_ssl_reason("not a PKCS#12 file"), err);
	PKCS12_free(p12);
	return 0;
}

/* Static key formats: the protocol's parsers decide what a valid key is. */
static int check_statickey(struct cfg *c, const struct cfg_blob *b, const char *d,
			   struct cfg_err *err)
{
	uint8_t *key = OPENSSL_malloc(SKEY_LEN + SKEY_WKC_MAX);
	size_t wkc_len;
	int ret;

	if (!key)
		return -ENOMEM;
	if (b == &c->tls_crypt_v2.key && c->role == CFG_ROLE_SERVER)
		ret = skey_v2_server_parse(b->text, b->len, key);
	else if (b == &c->tls_crypt_v2.key)
		ret = skey_v2_client_parse(b->text, b->len, key, key + SKEY_LEN, SKEY_WKC_MAX,
					   &wkc_len);
	else
		ret = skey_parse(b->text, b->len, key);
	OPENSSL_clear_free(key, SKEY_LEN + SKEY_WKC_MAX);
	if (ret < 0)
		return cfg_blob_fail(b, d, b == &c->tls_crypt_v2.key ?
				     "expected an 'OpenVPN tls-crypt-v2' key for this role" :
				     "expected '-----BEGIN OpenVPN Static key V1-----' and 512 hex digits",
				     "not a valid key", err);
	return 0;
}

/* "C:\\..." from a Windows profile, possibly prefixed with the profile's directory. */
static bool windows_path(const char *path, const char *dir)
{
	size_t dl = dir ? strlen(dir) : 0;

	if (dl && strncmp(path, dir, dl) == 0 && path[dl] == '/')
		path += dl + 1;
	return ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) &&
	       path[1] == ':' && (path[2] == '\\' || path[2] == '/');
}

int cfg_load_blob(struct cfg *c, struct cfg_blob *b, const char *d, struct cfg_err *err)
{
	char hint[320];
	int ret;

	if (!cfg_blob_set(b))
		return 0;
	if (b == &c->crl && c->crl_is_dir)
		return cfg_check_crl_dir(c, err);
	if (!b->is_inline) {
		ret = cfg_read_file(&c->mem, b->path, &b->text, &b->len);
		if (ret < 0) {
			if (windows_path(b->path, c->dir))
				snprintf(hint, sizeof(hint), "this is a Windows path; give the file's "
					 "path on this machine");
			else
				snprintf(hint, sizeof(hint), "check the path (relative paths are "
					 "relative to %s)", c->dir ? c->dir : "the current directory");
			return cfg_err_set(err, ret, b->where.file, b->where.line, d, hint,
					   "cannot read '%s': %s", b->path, strerror(-ret));
		}
	}
	if (b == &c->ca || b == &c->cert || b == &c->extra_certs)
		return check_certs(b, d, err);
	if (b == &c->crl)
		return check_crl(b, d, err);
	if (b == &c->dh)
		return check_dh(b, d, err);
	if (b == &c->pkcs12)
		return check_pkcs12(c, b, d, err);
	if (b == &c->tls_auth.key || b == &c->tls_crypt.key || b == &c->tls_crypt_v2.key)
		return check_statickey(c, b, d, err);
	return 0;	/* key: checked with its certificate in cfg_check_pki() */
}

/* auth-user-pass FILE or block: username on line 1, password on line 2 (may be absent). */
int cfg_load_user_pass(struct cfg *c, struct cfg_err *err)
{
	struct cfg_blob *b = &c->auth_user_pass.file;
	const char *p, *end;
	size_t n;
	int ret;

	if (c->auth_user_pass.source != CFG_AUP_FILE && c->auth_user_pass.source != CFG_AUP_INLINE)
		return 0;
	ret = cfg_load_blob(c, b, "auth-user-pass", err);
	if (ret < 0)
		return ret;
	p = b->text;
	end = b->text + b->len;
	n = strcspn(p, "\r\n");
	if (n == 0 || n > 4096)
		return cfg_blob_fail(b, "auth-user-pass", "put the username on line 1 and the "
				     "password on line 2", "no username on the first line", err);
	c->auth_user_pass.username = cfg_mem_strndup(&c->mem, p, n);
	p += n;
	p += (p < end && *p == '\r');
	p += (p < end && *p == '\n');
	n = strcspn(p, "\r\n");
	c->auth_user_pass.password = n ? cfg_mem_strndup(&c->mem, p, n) : NULL;
	if (n > 4096)
		return cfg_blob_fail(b, "auth-user-pass", NULL, "password longer than 4096 bytes", err);
	return c->auth_user_pass.username ? 0 : -ENOMEM;
}
