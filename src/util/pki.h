/* A throw-away PKI (CA, server and client certificates) made with the OpenSSL 3 API.
 *
 * For tests, `burrow demo` and interop runs with the real openvpn: the files are what
 * `openvpn --ca/--cert/--key` expect (PEM; keys unencrypted PKCS#8, mode 0600).
 * Extensions follow what OpenVPN's `remote-cert-tls` checks: server certs carry keyUsage
 * (digitalSignature[, keyEncipherment for RSA]) + extendedKeyUsage serverAuth, client certs
 * keyUsage digitalSignature + extendedKeyUsage clientAuth. */
#ifndef BURROW_UTIL_PKI_H
#define BURROW_UTIL_PKI_H

#include <stddef.h>

enum pki_key_type {
	PKI_KEY_EC = 0,		/* EC P-256 (prime256v1): fast, the default */
	PKI_KEY_RSA = 1,	/* RSA-2048 */
};

#define PKI_MAX_CLIENTS 16
#define PKI_CN_MAX 64

struct pki_opts {
	enum pki_key_type key_type;
	const char *ca_cn;		/* NULL: "burrow-ca" */
	const char *server_cn;		/* NULL: "server" */
	/* Client common names; n_clients 0 means one client with CN "client1". */
	const char *client_cns[PKI_MAX_CLIENTS];
	int n_clients;
	/* Validity of the leaf certificates in days from now; 0 = 825. A negative value makes
	 * them already expired (notAfter that many days in the past) for failure tests; the CA
	 * itself stays valid. */
	int days;
};

/* Creates dir (mode 0700) if missing and writes into it:
 *   ca.crt, ca.key
 *   server.crt, server.key
 *   client.crt, client.key            (the first client)
 *   client-<CN>.crt, client-<CN>.key  (every client, the first one included)
 * opts may be NULL (EC, one client "client1"). CNs must be [A-Za-z0-9._-], 1..63 chars.
 * Returns 0 or a negative errno (-EINVAL bad opts, -EIO OpenSSL/file failure). */
int pki_make(const char *dir, const struct pki_opts *opts);

/* Client certificates with an odd subject: refused by a server (identity tests), or
 * accepted with a name a server must sanitise (PKI_ODD_META_CN). */
enum pki_odd {
	PKI_ODD_NO_CN = 0,	/* subject O=burrow-test, no CN */
	PKI_ODD_EMPTY_CN,	/* CN="" */
	PKI_ODD_LONG_CN,	/* CN of 70 'x' (OpenVPN's limit is 63 bytes) */
	PKI_ODD_NUL_CN,		/* CN "alice\0.evil" (a NUL inside) */
	PKI_ODD_META_CN,	/* a usable CN full of ',', '\n' and shell metacharacters:
				 * PKI_ODD_META_TEXT (names tests; a server must sanitise it) */
};

/* The PKI_ODD_META_CN name (UTF-8, 39 bytes): a comma, a newline, a tab, a command
 * substitution, backticks, ';', '|', '&', quotes, a space and a non-ASCII letter. */
#define PKI_ODD_META_TEXT "ev,il\nx;$(touch /tmp/pwned)`id`|&'\"\t \xc3\xa9"

/* Writes base.crt and base.key into dir: an otherwise valid client certificate (clientAuth)
 * signed by dir's ca.crt/ca.key (from pki_make), with the odd subject. Returns 0 or a
 * negative errno. */
int pki_make_odd(const char *dir, const char *base, enum pki_odd odd);

/* Writes out (PEM, mode 0644 by umask): a CRL signed by dir's ca.crt/ca.key, valid from a
 * minute ago for 30 days, revoking the n certificates at certs (paths; relative ones inside
 * dir). n = 0 makes a CRL that revokes nothing. Returns 0 or a negative errno. */
int pki_make_crl(const char *dir, const char *out, const char *const *certs, int n);

/* Joins dir and name into out ("dir/name"); returns 0 or -ENAMETOOLONG. Convenience for
 * callers that open the generated files. */
int pki_path(char *out, size_t cap, const char *dir, const char *name);

#endif
