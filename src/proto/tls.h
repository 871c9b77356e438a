/* TLS for the control channel: OpenSSL over memory BIOs (spec §6).
 *
 * Pure: no sockets, no clock. The reliability layer feeds the ciphertext bytes it received
 * (in message-id order) with tls_feed_ciphertext() and sends what tls_take_ciphertext()
 * returns, cut into P_CONTROL_V1 payloads. After the handshake each tls_write_plain() is
 * one TLS record (one KM2 message or one text control message, §3.2), and each
 * tls_read_plain() returns one record's plaintext.
 *
 * A tls_conf (an SSL_CTX: certificates, verification policy) is shared by all sessions of
 * one process side; a tls_sess is one TLS session = one key_id (renegotiation makes a new
 * tls_sess, never TLS-level renegotiation or resumption). */
#ifndef BURROW_PROTO_TLS_H
#define BURROW_PROTO_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum tls_role {
	TLS_ROLE_CLIENT = 0,	/* OpenVPN client = TLS client, also on renegotiation */
	TLS_ROLE_SERVER = 1,
};

/* --remote-cert-tls: require keyUsage present + the matching extendedKeyUsage. */
enum tls_remote_cert {
	TLS_REMOTE_CERT_ANY = 0,	/* no check */
	TLS_REMOTE_CERT_SERVER = 1,	/* peer must be a server cert (EKU serverAuth) */
	TLS_REMOTE_CERT_CLIENT = 2,	/* peer must be a client cert (EKU clientAuth) */
};

/* --verify-x509-name NAME TYPE */
enum tls_x509_name {
	TLS_X509_NONE = 0,
	TLS_X509_NAME_CN = 1,		/* "name": CN equals NAME */
	TLS_X509_NAME_PREFIX = 2,	/* "name-prefix": CN starts with NAME */
	TLS_X509_SUBJECT = 3,		/* "subject": full subject, OpenVPN's "C=.., CN=.." form */
};

/* --verify-client-cert (server only) */
enum tls_verify_client {
	TLS_VERIFY_CLIENT_REQUIRE = 0,	/* default */
	TLS_VERIFY_CLIENT_OPTIONAL = 1,
	TLS_VERIFY_CLIENT_NONE = 2,
};

/* One PEM input: either a buffer (data/len, len 0 = strlen) or a file path.
 * data wins when both are set; all NULL = not given. */
struct tls_pem {
	const char *data;
	size_t len;
	const char *path;
};

struct tls_conf_opts {
	enum tls_role role;
	struct tls_pem ca;		/* required unless verify-client-cert none on a server
					 * or a pkcs12 carries the CA */
	struct tls_pem cert;		/* own certificate (may contain the chain after it);
					 * cert+key or pkcs12 are required */
	struct tls_pem key;		/* own private key (see key_password) */
	struct tls_pem extra_certs;	/* optional extra chain certificates */
	struct tls_pem crl;		/* optional CRL(s); checked for the leaf when given */
	int version_min;		/* 0 = TLS 1.2; else TLS1_2_VERSION / TLS1_3_VERSION */
	int version_max;		/* 0 = highest available */
	enum tls_remote_cert remote_cert;
	enum tls_x509_name x509_type;
	const char *x509_name;		/* for x509_type != NONE */
	enum tls_verify_client verify_client;
	/* TLS <= 1.2 (--tls-cipher); NULL = OpenVPN's default (§6). OpenSSL names, or the
	 * IANA names OpenVPN configs use ("TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"). */
	const char *cipher_list;
	const char *ciphersuites;	/* TLS 1.3; NULL = OpenSSL's default */
	/* Added after the first release of this header; zero/NULL = default. */
	const char *groups;		/* --tls-groups / --ecdh-curve: "X25519:P-256" */
	const char *cert_profile;	/* insecure|legacy|preferred|suiteb; NULL = legacy */
	const char *remote_cert_eku;	/* OID, long or short name ("serverAuth") */
	struct tls_pem dh;		/* server DH parameters (PEM); none = ECDHE only */
	struct tls_pem pkcs12;		/* DER PKCS#12 (data+len or path): cert, key and CA
					 * (the CA only when ca is not given) */
	const char *key_password;	/* encrypted PEM key or PKCS#12 (--askpass) */
	/* --x509-username-field: the subject attribute that names the peer ("CN",
	 * "emailAddress", any name OpenSSL knows); NULL = CN. The peer's leaf certificate is
	 * refused when it lacks the attribute or its value is empty, has a NUL byte or is
	 * TLS_USERNAME_MAX bytes or longer, as OpenVPN 2.6 refuses it. */
	const char *username_field;
	/* crl-verify DIR dir: a directory with one file per revoked serial, named by the serial
	 * in decimal; only whether the file exists matters. Exclusive with crl. */
	const char *crl_dir;
};

/* OpenVPN's TLS_USERNAME_LEN: a certificate name must be shorter than this. */
#define TLS_USERNAME_MAX 64

struct tls_conf;
struct tls_sess;

#define TLS_ERR_MAX 256

/* Builds the context. On failure returns a negative errno and, when err is given, a
 * readable reason ("cannot load certificate: ...", "key does not match certificate"). */
int tls_conf_new(struct tls_conf **out, const struct tls_conf_opts *opts,
		 char *err, size_t errlen);
/* Reference counted (atomically: sessions of one conf may run on different threads);
 * every tls_sess holds one; freed when the last user is done. */
void tls_conf_free(struct tls_conf *conf);

/* A new session. A client session has its ClientHello ready in tls_take_ciphertext()
 * right away. Returns 0 or -ENOMEM / -EPROTO. */
int tls_sess_new(struct tls_sess **out, struct tls_conf *conf);
void tls_sess_free(struct tls_sess *sess);

/* Bytes from the peer, in order. Drives the handshake. Returns 0, or a negative errno
 * when the handshake failed (-EACCES: peer certificate rejected, -EPROTO: TLS error);
 * tls_error() then says why. The alert for the peer, if any, is in tls_take_ciphertext(). */
int tls_feed_ciphertext(struct tls_sess *sess, const uint8_t *in, size_t len);

/* Drives the handshake without new input (normally done by feed). Same returns as feed. */
int tls_advance(struct tls_sess *sess);

/* Bytes waiting to be sent to the peer. */
size_t tls_pending_ciphertext(const struct tls_sess *sess);
/* Moves up to cap pending bytes into out; returns the count (0 = nothing to send). */
size_t tls_take_ciphertext(struct tls_sess *sess, uint8_t *out, size_t cap);

/* One TLS record with len bytes of plaintext. Returns len, -EAGAIN before the handshake is
 * done, -EMSGSIZE if len > 16384 or 0, -EPROTO after an error. */
ssize_t tls_write_plain(struct tls_sess *sess, const uint8_t *buf, size_t len);
/* Up to cap bytes of one received record; 0 = nothing available, -EPIPE = peer closed,
 * -EPROTO on error. */
ssize_t tls_read_plain(struct tls_sess *sess, uint8_t *buf, size_t cap);

bool tls_handshake_done(const struct tls_sess *sess);
bool tls_failed(const struct tls_sess *sess);
/* Readable reason of the last failure ("" if none): a certificate verify error
 * ("certificate has expired", "unable to get local issuer certificate", "remote-cert-tls:
 * certificate lacks extendedKeyUsage TLS Web Server Authentication", "verify-x509-name:
 * CN 'x' does not match 'y'") or the TLS error/alert. */
const char *tls_error(const struct tls_sess *sess);

/* The peer certificate's name: its x509-username-field attribute, CN by default ("" if
 * none). Returns 0, -ENOENT (no peer certificate), or for a certificate without a usable
 * name (the handshake refuses those) -ENODATA (no such attribute, or empty), -ENOSPC
 * (longer than cap - 1) or -EINVAL (a NUL byte inside). The name comes sanitised as
 * OpenVPN 2.6 does (util/sanitize.h: control bytes become '_'). */
int tls_peer_cn(const struct tls_sess *sess, char *out, size_t cap);
/* Peer certificate subject in OpenVPN's "C=.., O=.., CN=.." form, and its serial number in
 * decimal (what OpenVPN exports as tls_id_0 / tls_serial_0 to scripts). Returns 0, -ENOENT
 * (no peer certificate) or -ENOSPC. */
int tls_peer_subject(const struct tls_sess *sess, char *out, size_t cap);
int tls_peer_serial(const struct tls_sess *sess, char *out, size_t cap);
/* SHA-256 over the peer certificate's DER (peer-fingerprint). Returns 0 or -ENOENT. */
int tls_peer_fingerprint(const struct tls_sess *sess, uint8_t out[32]);
/* For logs: "TLSv1.3", "TLS_AES_256_GCM_SHA384" ("" before the handshake). */
const char *tls_version(const struct tls_sess *sess);
const char *tls_cipher(const struct tls_sess *sess);

/* ---- revocation (tls_crl.c) ----
 * The CRLs of a tls_conf can be replaced while sessions run: each handshake (also a
 * renegotiation) checks the peer against the CRLs current when it verifies. */

/* A peer certificate kept after the handshake (a reference; opaque). */
struct tls_cert;
/* The peer's leaf certificate, or NULL (none, or no memory); free with tls_cert_free. */
struct tls_cert *tls_peer_cert_get(const struct tls_sess *sess);
void tls_cert_free(struct tls_cert *crt);
/* Replaces the CRLs of conf with every CRL in p (PEM, one or more). On any problem (file
 * unreadable, no CRL, a PEM error, a CRL whose signature does not verify with the CA of its
 * issuer) the CRLs in use stay and the reason is in err. Returns 0, -ENOENT, -EINVAL, or
 * -ENOTSUP when conf has no CRL file (no crl-verify, or the dir form: nothing to load). */
int tls_conf_reload_crl(struct tls_conf *conf, const struct tls_pem *p, char *err,
			size_t errlen);
/* Is crt revoked by conf's current CRLs (or, in the dir form, does its serial's file exist)?
 * Returns 1 with a reason in why ("serial 4 revoked"), else 0. Times are not checked: an
 * expired CRL still revokes what it lists. */
int tls_conf_cert_revoked(struct tls_conf *conf, const struct tls_cert *crt, char *why,
			  size_t cap);

/* RFC 5705/8446 keying-material exporter without context (spec §6). Returns 0 or
 * -EAGAIN (handshake not done) / -EPROTO. */
int tls_export_ekm(struct tls_sess *sess, const char *label, uint8_t *out, size_t len);

#endif
