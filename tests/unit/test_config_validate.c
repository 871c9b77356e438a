/* cfg_validate(): defaults and cross-checks, and real files checked with OpenSSL — a fresh
 * PKI from util/pki.h, static keys from proto/statickey.h — so that a missing file, a
 * certificate that does not parse, or a key that does not match its certificate fails
 * before any packet, naming the file:line of the directive. */
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "skip.h"

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "config/cfg_impl.h"
#include "proto/cipher.h"
#include "proto/statickey.h"
#include "util/log.h"
#include "util/pki.h"

static char dir[64];
static char prof[128];
static struct cfg c;
static struct cfg_err e;

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static char *read_text(const char *name)
{
	static char buf[4][16384];
	static int slot;
	char path[256];
	char *b = buf[slot++ & 3];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(b, 1, sizeof(buf[0]) - 1, fp);
	b[n] = '\0';
	fclose(fp);
	return b;
}

/* client.p12 (no password, with the CA) and nocap.p12 (password "pw", no CA) */
static void write_p12(const char *name, const char *pass, bool with_ca)
{
	char path[256];
	FILE *fp;
	EVP_PKEY *pk;
	X509 *x, *ca;
	STACK_OF(X509) *cas = sk_X509_new_null();
	PKCS12 *p12;

	snprintf(path, sizeof(path), "%s/client.key", dir);
	fp = fopen(path, "r");
	pk = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/client.crt", dir);
	fp = fopen(path, "r");
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	fp = fopen(path, "r");
	ca = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_true(pk && x && ca && cas);
	if (with_ca)
		sk_X509_push(cas, ca);
	p12 = PKCS12_create(pass, "client1", pk, x, cas, 0, 0, 0, 0, 0);
	assert_non_null(p12);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	assert_int_equal(i2d_PKCS12_fp(fp, p12), 1);
	fclose(fp);
	PKCS12_free(p12);
	sk_X509_free(cas);
	X509_free(ca);
	X509_free(x);
	EVP_PKEY_free(pk);
}

/* client.key encrypted with the passphrase "pw" */
static void write_encrypted_key(void)
{
	char path[256];
	EVP_PKEY *pk;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/client.key", dir);
	fp = fopen(path, "r");
	pk = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(pk);
	snprintf(path, sizeof(path), "%s/enc.key", dir);
	fp = fopen(path, "w");
	assert_int_equal(PEM_write_PrivateKey(fp, pk, EVP_aes_256_cbc(), (unsigned char *)"pw", 2,
					      NULL, NULL), 1);
	fclose(fp);
	EVP_PKEY_free(pk);
}

static int setup(void **state)
{
	char key[SKEY_TEXT_MAX], v2s[SKEY_TEXT_MAX], v2c[SKEY_TEXT_MAX];
	uint8_t skey[SKEY_V2_SERVER_LEN], meta[9];
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/burrow-cfgv-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pki_make(dir, NULL), 0);
	assert_true(skey_generate(key, sizeof(key), NULL) > 0);
	write_file("ta.key", key);
	assert_true(skey_v2_server_generate(v2s, sizeof(v2s), skey) > 0);
	write_file("v2s.key", v2s);
	skey_v2_meta_timestamp(1700000000, meta);
	assert_true(skey_v2_client_generate(skey, meta, sizeof(meta), v2c, sizeof(v2c), NULL) > 0);
	write_file("v2c.key", v2c);
	write_file("up.txt", "alice\r\ns3cret\r\n");
	write_file("user-only.txt", "bob\n");
	write_file("empty.txt", "");
	write_file("garbage.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
		   "-----END CERTIFICATE-----\n");
	snprintf(prof, sizeof(prof), "%s/p.ovpn", dir);
	write_p12("client.p12", "", true);
	write_p12("nocap.p12", "pw", false);
	write_file("pw.txt", "pw\n");
	write_file("wrong.txt", "nope\n");
	write_encrypted_key();
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	(void)state;
	cfg_free(&c);
	return nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int after_each(void **state)
{
	(void)state;
	cfg_free(&c);
	return 0;
}

/* Write text as p.ovpn, load it, and validate. */
static int load(const char *text, enum cfg_role role)
{
	int ret;

	write_file("p.ovpn", text);
	cfg_free(&c);
	memset(&e, 0, sizeof(e));
	ret = cfg_load_file(prof, role, &c, &e);
	return ret < 0 ? ret : cfg_validate(&c, &e);
}

static void expect(const char *text, enum cfg_role role, int ret, const char *msg_tail)
{
	char want[1024];
	int got = load(text, role);

	if (got != ret)
		fail_msg("ret %d, want %d; err: %s", got, ret, e.text);
	snprintf(want, sizeof(want), "%s", msg_tail);
	if (!strstr(e.text, want))
		fail_msg("got  '%s'\nwant '...%s'", e.text, want);
}

#define CLIENT_BASE "client\ndev tun\nremote 127.0.0.1\nca ca.crt\ncert client.crt\nkey client.key\n"
#define SERVER_BASE "port 1194\nproto udp\ndev tun\ntopology subnet\nserver 10.8.0.0 255.255.255.0\n" \
	"ca ca.crt\ncert server.crt\nkey server.key\ndh none\nkeepalive 10 60\n"

/* crl-verify DIR dir: the directory must exist; only "dir" is a flag; last one wins. */
static void test_crl_verify_dir(void **state)
{
	char rev[128];

	(void)state;
	snprintf(rev, sizeof(rev), "%s/revoked", dir);
	assert_true(mkdir(rev, 0700) == 0 || errno == EEXIST);
	assert_int_equal(load(SERVER_BASE "crl-verify revoked dir\n", CFG_ROLE_SERVER), 0);
	assert_true(c.crl_is_dir);
	assert_non_null(strstr(c.crl.path, "revoked"));
	assert_null(c.crl.text);		/* the files in it are never read */
	expect(SERVER_BASE "crl-verify nodir dir\n", CFG_ROLE_SERVER, -ENOENT,
	       "p.ovpn:11: crl-verify: cannot read '");
	expect(SERVER_BASE "crl-verify ca.crt dir\n", CFG_ROLE_SERVER, -ENOTDIR,
	       "is not a directory");
	expect(SERVER_BASE "crl-verify revoked file\n", CFG_ROLE_SERVER, -EINVAL,
	       "unknown flag 'file'");
	/* A later crl-verify FILE replaces the dir form (and ca.crt is no CRL). */
	expect(SERVER_BASE "crl-verify revoked dir\ncrl-verify ca.crt\n", CFG_ROLE_SERVER, -EINVAL,
	       "p.ovpn:12: crl-verify: ");
	assert_false(c.crl_is_dir);
	rmdir(rev);
}

static void test_client_ok(void **state)
{
	(void)state;
	assert_int_equal(load(CLIENT_BASE "remote ::1 1195 tcp\nport 1300\ntls-auth ta.key\n"
			      "key-direction 1\nkeepalive 10 60\nauth-user-pass up.txt\n",
			      CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.role, CFG_ROLE_CLIENT);
	assert_int_equal(c.dev_type, CFG_DEV_TUN);
	assert_int_equal(c.remotes.v[0].port, 1300);		/* from `port` */
	assert_int_equal(c.remotes.v[0].proto, CFG_PROTO_UDP);
	assert_int_equal(c.remotes.v[1].port, 1195);
	assert_int_equal(c.remotes.v[1].proto, CFG_PROTO_TCP_CLIENT);
	assert_int_equal(c.tls_auth.direction, 1);		/* from key-direction */
	assert_non_null(strstr(c.tls_auth.key.text, "OpenVPN Static key V1"));
	assert_non_null(strstr(c.ca.text, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(c.key.text, "PRIVATE KEY"));
	assert_int_equal(c.ping, 10);
	assert_int_equal(c.ping_restart, 60);
	assert_string_equal(c.auth_user_pass.username, "alice");
	assert_string_equal(c.auth_user_pass.password, "s3cret");
	assert_true(c.tls_client && !c.tls_server);
}

/* The same profile with everything inline validates the same way. */
static void test_client_inline(void **state)
{
	char text[32768];
	(void)state;

	/* no `client`: tls-client + pull (directives.md #12); an openssl text dump before the
	 * PEM in <cert> (#1); comment lines inside blocks */
	snprintf(text, sizeof(text), "tls-client\npull\ndev tap\nremote localhost 1194\n<ca>\n"
		 "# CA\n%s</ca>\n<cert>\nCertificate:\n    Data:\n        Version: 3 (0x2)\n%s</cert>\n"
		 "<key>\n%s</key>\n<tls-crypt>\n#\n# 2048 bit OpenVPN static key\n#\n%s</tls-crypt>\n"
		 "<auth-user-pass>\nuser\npass\n</auth-user-pass>\n",
		 read_text("ca.crt"), read_text("client.crt"), read_text("client.key"),
		 read_text("ta.key"));
	assert_int_equal(load(text, CFG_ROLE_AUTO), 0);
	assert_int_equal(c.role, CFG_ROLE_CLIENT);
	assert_int_equal(c.dev_type, CFG_DEV_TAP);
	assert_true(c.tls_crypt.key.is_inline);
	assert_string_equal(c.auth_user_pass.username, "user");
	assert_string_equal(c.auth_user_pass.password, "pass");
}

static void test_tls_crypt_v2(void **state)
{
	(void)state;
	assert_int_equal(load(CLIENT_BASE "tls-crypt-v2 v2c.key\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(load(SERVER_BASE "tls-crypt-v2 v2s.key\n", CFG_ROLE_SERVER), 0);
	/* a client key on the server is the wrong kind */
	expect(SERVER_BASE "tls-crypt-v2 v2c.key\n", CFG_ROLE_SERVER, -EINVAL,
	       "p.ovpn:11: tls-crypt-v2: ");
	assert_non_null(strstr(e.text, "not a valid key"));
}

static void test_missing_and_broken_files(void **state)
{
	char want[512];
	(void)state;

	snprintf(want, sizeof(want), "p.ovpn:4: ca: cannot read '%s/nope.crt': No such file or "
		 "directory \u2014 check the path (relative paths are relative to %s)", dir, dir);
	expect("client\ndev tun\nremote h\nca nope.crt\ncert client.crt\nkey client.key\n",
	       CFG_ROLE_CLIENT, -ENOENT, want);
	expect("client\ndev tun\nremote h\nca garbage.crt\ncert client.crt\nkey client.key\n",
	       CFG_ROLE_CLIENT, -EINVAL, "p.ovpn:4: ca: ");
	assert_non_null(strstr(e.text, "garbage.crt: no certificate found \u2014 it must hold a PEM"));
	expect("client\ndev tun\nremote h\nca ca.crt\n<cert>\n</cert>\nkey client.key\n",
	       CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:5: cert: inline block: no certificate found");
	/* key not matching the certificate */
	expect("client\ndev tun\nremote h\nca ca.crt\ncert client.crt\nkey server.key\n",
	       CFG_ROLE_CLIENT, -EINVAL, "p.ovpn:6: key: ");
	assert_non_null(strstr(e.text, "private key does not match the certificate \u2014 use the "
			       "key the certificate was issued for"));
	expect("client\ndev tun\nremote h\nca ca.crt\ncert client.crt\nkey ca.crt\n",
	       CFG_ROLE_CLIENT, -EINVAL, "p.ovpn:6: key: ");
	expect(CLIENT_BASE "tls-auth empty.txt 1\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:7: tls-auth: ");
	expect(CLIENT_BASE "auth-user-pass empty.txt\n", CFG_ROLE_CLIENT, -EINVAL,
	       "no username on the first line");
	assert_int_equal(load(CLIENT_BASE "auth-user-pass user-only.txt\n", CFG_ROLE_CLIENT), 0);
	assert_string_equal(c.auth_user_pass.username, "bob");
	assert_null(c.auth_user_pass.password);	/* the client asks for it */
	{
		char fifo[128];

		snprintf(fifo, sizeof(fifo), "%s/fifo.crt", dir);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		expect("client\ndev tun\nremote h\nca fifo.crt\ncert client.crt\nkey client.key\n",
		       CFG_ROLE_CLIENT, -EINVAL, "p.ovpn:4: ca: cannot read '");	/* no hang */
		expect("client\ndev tun\nremote h\nca .\ncert client.crt\nkey client.key\n",
		       CFG_ROLE_CLIENT, -EISDIR, "Is a directory");
	}
	expect("client\ndev tun\nremote h\nca ca.crt\ncert client.crt\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:5: cert: cert without key \u2014 give both cert and key");
}

static void test_cross_checks(void **state)
{
	(void)state;
	expect("client\ndev tun\nca ca.crt\ncert client.crt\nkey client.key\n", CFG_ROLE_CLIENT,
	       -EINVAL, "p.ovpn: remote: no server to connect to \u2014 add 'remote HOST [PORT]' "
	       "or pass --remote HOST");
	expect("client\nremote h\nca ca.crt\ncert client.crt\nkey client.key\n", CFG_ROLE_CLIENT,
	       -EINVAL, "p.ovpn: dev: no device configured \u2014 add 'dev tun' (or 'dev tap')");
	expect("client\ndev mine\nremote h\nca ca.crt\ncert client.crt\nkey client.key\n",
	       CFG_ROLE_CLIENT, -EINVAL, "p.ovpn:2: dev: cannot tell the type of device 'mine' \u2014 add "
	       "'dev-type tun' or 'dev-type tap'");
	assert_int_equal(load("client\ndev mine\ndev-type tap\nremote h\nca ca.crt\ncert client.crt\n"
			      "key client.key\n", CFG_ROLE_CLIENT), 0);
	expect(CLIENT_BASE "data-ciphers AES-256-GCM:FOO-1\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:7: data-ciphers: unknown cipher 'FOO-1'");
	expect(CLIENT_BASE "auth SHA7\n", CFG_ROLE_CLIENT, -EINVAL, "p.ovpn:7: auth: unknown digest 'SHA7'");
	assert_int_equal(load(CLIENT_BASE "cipher aes-256-cbc\nauth sha1\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(load(CLIENT_BASE "data-ciphers aes-256-gcm:?FUTURE-CIPHER:?chacha20-poly1305\n"
			      "cipher aes-128-cbc\nauth sha256\n", CFG_ROLE_CLIENT), 0);
	/* canonical names for the engines; unknown optional ciphers dropped */
	assert_string_equal(c.data_ciphers, "AES-256-GCM:CHACHA20-POLY1305");
	assert_string_equal(c.cipher, "AES-128-CBC");
	assert_string_equal(c.auth, "SHA256");
	assert_int_equal(load(CLIENT_BASE "cipher none\nauth none\n", CFG_ROLE_CLIENT), 0);
	assert_string_equal(c.cipher, "none");
	expect(CLIENT_BASE "data-ciphers ?FUTURE-1:?FUTURE-2\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:7: data-ciphers: no usable cipher left");
	expect(CLIENT_BASE "tls-auth ta.key 1\ntls-crypt ta.key\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:8: tls-crypt: tls-auth and tls-crypt together");
	expect(CLIENT_BASE "up ./up.sh\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:7: up: external scripts are not allowed at script-security 1 \u2014 add 'script-security 2'");
	expect(CLIENT_BASE "verb 3\nhttp-proxy p 8080\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:8: http-proxy: connecting through an HTTP proxy is not implemented");
	expect(CLIENT_BASE "proto %HOST_TUN_PROTOCOL%\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:7: proto: unexpanded template placeholder '%HOST_TUN_PROTOCOL%' \u2014 "
	       "replace it with a real value");
	expect("client\ndev tun\nremote h\npush \"route 10.0.0.0 255.0.0.0\"\n", CFG_ROLE_AUTO, -EINVAL,
	       "p.ovpn:4: push: server-only directive in a client configuration \u2014 remove it "
	       "from the client profile");
	expect("tls-server\ndev tun\nremote-random\n", CFG_ROLE_AUTO, -EINVAL,
	       "p.ovpn:3: remote-random: client-only directive in a server configuration");
	expect("dev tun\nremote h\nca ca.crt\n", CFG_ROLE_AUTO, -EINVAL,
	       "cannot tell whether this is a client or a server configuration");
	expect("remote \"my server\"\n" CLIENT_BASE, CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:1: remote: 'my server' is not a host \u2014 give a host name or an IP address");
	expect("remote 192.168.0/xx\n" CLIENT_BASE, CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:1: remote: '192.168.0/xx' is not a host");
	expect("remote ''\n" CLIENT_BASE, CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:1: remote: '' is not a host");
	expect("remote h 1194 tcp-server\n" CLIENT_BASE, CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:1: remote: a client cannot connect with tcp-server");
}

static void test_server(void **state)
{
	char text[1024];
	(void)state;

	assert_int_equal(load(SERVER_BASE "proto tcp\ntls-crypt ta.key\n", CFG_ROLE_AUTO), 0);
	assert_int_equal(c.role, CFG_ROLE_SERVER);
	assert_true(c.tls_server);
	assert_int_equal(c.proto, CFG_PROTO_TCP_SERVER);	/* "tcp" on a server listens */
	assert_int_equal(c.lport, 1194);
	assert_int_equal(c.ping, 10);
	assert_int_equal(c.ping_restart, 120);		/* the server waits twice as long */
	expect(SERVER_BASE "dh missing.pem\n", CFG_ROLE_SERVER, -ENOENT, "p.ovpn:11: dh: cannot read");
	expect(SERVER_BASE "dh ca.crt\n", CFG_ROLE_SERVER, -EINVAL, "p.ovpn:11: dh: ");
	expect(SERVER_BASE "crl-verify ca.crt\n", CFG_ROLE_SERVER, -EINVAL, "p.ovpn:11: crl-verify: ");
	expect(SERVER_BASE "client-config-dir nodir\n", CFG_ROLE_SERVER, -ENOENT,
	       "p.ovpn:11: client-config-dir: '");
	expect(SERVER_BASE "verify-client-cert none\n", CFG_ROLE_SERVER, -EINVAL,
	       "p.ovpn:11: verify-client-cert: clients without certificates would not be authenticated at all");
	assert_int_equal(load(SERVER_BASE "verify-client-cert none\nscript-security 2\n"
			      "auth-user-pass-verify /bin/true via-env\n", CFG_ROLE_SERVER), 0);
	/* The username becomes the name only when a script checks it (OpenVPN 2.6 too). */
	expect(SERVER_BASE "username-as-common-name\n", CFG_ROLE_SERVER, -EINVAL,
	       "p.ovpn:11: username-as-common-name: clients could choose any name");
	assert_int_equal(load(SERVER_BASE "username-as-common-name\nscript-security 2\n"
			      "auth-user-pass-verify /bin/true via-env\n", CFG_ROLE_SERVER), 0);
	/* burrow hands out the whole server network: a narrower range is refused, not ignored */
	expect(SERVER_BASE "ifconfig-pool 10.8.0.50 10.8.0.99\n", CFG_ROLE_SERVER, -EINVAL,
	       "p.ovpn:11: ifconfig-pool: burrow hands out addresses from the whole 'server' "
	       "network, not from this range \u2014 remove it");
	expect("mode server\ntls-server\ndev tun\nca ca.crt\ncert server.crt\nkey server.key\n",
	       CFG_ROLE_SERVER, -EINVAL, "server mode without an address pool");
	/* ccd files are read from the validated directory */
	snprintf(text, sizeof(text), "%s/ccd", dir);
	assert_int_equal(mkdir(text, 0700), 0);
	write_file("ccd/client1", "ifconfig-push 10.8.0.50 255.255.255.0\niroute 10.50.0.0 255.255.0.0\n");
	assert_int_equal(load(SERVER_BASE "client-config-dir ccd\n", CFG_ROLE_SERVER), 0);
	{
		struct cfg_ccd d;

		assert_int_equal(cfg_ccd_load(&c, "client1", &d, &e), 0);
		assert_true(d.ifconfig_push.set);
		assert_int_equal(d.iroutes.n, 1);
		cfg_ccd_free(&d);
		assert_int_equal(cfg_ccd_load(&c, "client2", &d, &e), -ENOENT);
		cfg_ccd_free(&d);
		assert_int_equal(cfg_ccd_load(&c, "..", &d, &e), -EINVAL);
		cfg_ccd_free(&d);
		assert_int_equal(cfg_ccd_load(&c, "../p.ovpn", &d, &e), -EINVAL);
		cfg_ccd_free(&d);
	}
	snprintf(text, sizeof(text), "%s/ccd/client1", dir);
	remove(text);
	snprintf(text, sizeof(text), "%s/ccd", dir);
	rmdir(text);
}

static void test_encrypted_key(void **state)
{
	(void)state;
	assert_int_equal(load("client\ndev tun\nremote h\nca ca.crt\ncert client.crt\nkey enc.key\n"
			      "askpass pw.txt\n", CFG_ROLE_CLIENT), 0);
	assert_null(strstr(c.key.text, "ENCRYPTED"));	/* engines get the plain key */
	assert_non_null(strstr(c.key.text, "BEGIN PRIVATE KEY"));
	expect("client\ndev tun\nremote h\nca ca.crt\ncert client.crt\nkey enc.key\n",
	       CFG_ROLE_CLIENT, -EINVAL, "p.ovpn:6: key: ");
	assert_non_null(strstr(e.text, "an encrypted one also needs 'askpass FILE'"));
	expect("client\ndev tun\nremote h\nca ca.crt\ncert client.crt\nkey enc.key\n"
	       "askpass wrong.txt\n", CFG_ROLE_CLIENT, -EINVAL, "check the askpass passphrase");
}

static void test_pkcs12(void **state)
{
	(void)state;
	assert_int_equal(load("client\ndev tun\nremote h\npkcs12 client.p12\n", CFG_ROLE_CLIENT), 0);
	assert_non_null(strstr(c.cert.text, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(c.key.text, "PRIVATE KEY"));
	assert_non_null(strstr(c.ca.text, "BEGIN CERTIFICATE"));
	assert_int_equal(c.cert.where.line, 4);
	expect("client\ndev tun\nremote h\npkcs12 nocap.p12\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:4: pkcs12: ");
	assert_non_null(strstr(e.text, "cannot unpack the certificate and key \u2014 a "
			       "password-protected bundle needs 'askpass FILE'"));
	expect("client\ndev tun\nremote h\npkcs12 nocap.p12\naskpass pw.txt\n", CFG_ROLE_CLIENT,
	       -EINVAL, "p.ovpn:4: pkcs12: the bundle holds no CA certificate \u2014 add 'ca FILE'");
	assert_int_equal(load("client\ndev tun\nremote h\npkcs12 nocap.p12\naskpass pw.txt\n"
			      "ca ca.crt\n", CFG_ROLE_CLIENT), 0);
	assert_non_null(strstr(c.key.text, "PRIVATE KEY"));
	expect("client\ndev tun\nremote h\npkcs12 ca.crt\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:4: pkcs12: ");
	{
		/* inline: base64 of the DER file, as OpenVPN writes it */
		char cmd[512], text[16384];

		snprintf(cmd, sizeof(cmd), "openssl base64 -in %s/client.p12 -out %s/p12.b64", dir, dir);
		if (system("command -v openssl >/dev/null 2>&1") != 0)
			test_skip("openssl not installed (scripts/bootstrap installs it); inline <pkcs12> not checked");
		if (system(cmd) != 0)
			fail_msg("set-up: %s failed", cmd);
		snprintf(text, sizeof(text), "client\ndev tun\nremote h\n<pkcs12>\n%s</pkcs12>\n",
			 read_text("p12.b64"));
		assert_int_equal(load(text, CFG_ROLE_CLIENT), 0);
		assert_non_null(strstr(c.key.text, "PRIVATE KEY"));
		assert_int_equal(c.key.where.line, 4);
		expect("client\ndev tun\nremote h\n<pkcs12>\n!!!\n</pkcs12>\n", CFG_ROLE_CLIENT,
		       -EINVAL, "p.ovpn:4: pkcs12: inline block: ");
	}
}

/* Keys and parameters made by the real tools (openvpn --genkey, openssl dhparam/ca). */
static void test_real_tool_output(void **state)
{
	char cmd[1024];
	(void)state;

	if (system("command -v openvpn >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1") != 0)
		test_skip("openvpn or openssl not installed (scripts/bootstrap installs them); "
			  "real tool output not checked");
	snprintf(cmd, sizeof(cmd), "exec >/dev/null 2>&1; cd %s && openvpn --genkey tls-auth o-ta.key && "
		 "openvpn --genkey tls-crypt o-tc.key && "
		 "openvpn --genkey tls-crypt-v2-server o-v2s.key && "
		 "openvpn --genkey tls-crypt-v2-client o-v2c.key --tls-crypt-v2 o-v2s.key && "
		 "openssl dhparam -out o-dh.pem 512 && "
		 "printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=idx\\ncrlnumber=crln\\n"
		 "default_md=sha256\\ndefault_crl_days=3\\n' > o-ca.cnf && : > idx && "
		 "echo 01 > crln && openssl ca -config o-ca.cnf -gencrl -keyfile ca.key -cert ca.crt "
		 "-out o-crl.pem", dir);
	if (system(cmd) != 0)
		fail_msg("key generation failed: %s", cmd);
	assert_int_equal(load(CLIENT_BASE "tls-auth o-ta.key 1\ncrl-verify o-crl.pem\n",
			      CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.tls_auth.direction, 1);
	assert_int_equal(load(CLIENT_BASE "tls-crypt o-tc.key\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(load(CLIENT_BASE "tls-crypt-v2 o-v2c.key\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(load(SERVER_BASE "tls-crypt-v2 o-v2s.key\ndh o-dh.pem\ncrl-verify o-crl.pem\n",
			      CFG_ROLE_SERVER), 0);
	assert_false(c.dh_none);
	assert_non_null(strstr(c.dh.text, "DH PARAMETERS"));
}

static void test_config_include(void **state)
{
	char want[512];
	(void)state;

	write_file("common.conf", "dev tun\nca ca.crt\ncert client.crt\nkey client.key\n");
	assert_int_equal(load("client\nremote h\nconfig common.conf\nverb 4\n", CFG_ROLE_CLIENT), 0);
	assert_string_equal(c.dev, "tun");
	assert_int_equal(c.verb, 4);
	snprintf(want, sizeof(want), "%s/common.conf", dir);
	assert_string_equal(c.cert.where.file, want);	/* errors would name the include */
	assert_int_equal(c.cert.where.line, 3);
	write_file("conn.conf", "<connection>\nremote h3 1196\n</connection>\n");
	assert_int_equal(load("client\nconfig common.conf\nconfig conn.conf\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.remotes.v[0].port, 1196);
	write_file("bad.conf", "dev tun\nproto quic\n");
	snprintf(want, sizeof(want), "%s/bad.conf:2: proto: unknown protocol 'quic'", dir);
	expect("client\nconfig bad.conf\n", CFG_ROLE_CLIENT, -EINVAL, want);
	write_file("loop.conf", "config loop.conf\n");
	snprintf(want, sizeof(want), "%s/loop.conf:1: config: nested config include", dir);
	expect("client\nconfig loop.conf\n", CFG_ROLE_CLIENT, -EINVAL, want);
	expect("client\nconfig none.conf\n", CFG_ROLE_CLIENT, -EINVAL,
	       "p.ovpn:2: config: cannot read '");
}

static void test_command_line_override(void **state)
{
	char *argv[] = { "--remote", "10.0.0.1", "2000", "--dev", "tap3", "--verb", "6", NULL };
	char *bad[] = { "--ca", "nonexistent.crt", NULL };
	(void)state;

	write_file("p.ovpn", "client\nca ca.crt\ncert client.crt\nkey client.key\nverb 1\n");
	cfg_free(&c);
	assert_int_equal(cfg_load_file(prof, CFG_ROLE_CLIENT, &c, &e), 0);
	assert_int_equal(cfg_apply_args(7, argv, &c, &e), 0);
	assert_int_equal(cfg_validate(&c, &e), 0);
	assert_int_equal(c.remotes.v[0].port, 2000);
	assert_int_equal(c.dev_type, CFG_DEV_TAP);
	assert_int_equal(c.verb, 6);
	cfg_free(&c);
	assert_int_equal(cfg_load_file(prof, CFG_ROLE_CLIENT, &c, &e), 0);
	assert_int_equal(cfg_apply_args(7, argv, &c, &e), 0);
	assert_int_equal(cfg_apply_args(2, bad, &c, &e), 0);
	assert_int_equal(cfg_validate(&c, &e), -ENOENT);
	assert_non_null(strstr(e.text, "<command line>:1: ca: cannot read 'nonexistent.crt'"));
}

/* ---- table defaults ------------------------------------------------------------------ */

/* A field a table default sets; strings compare by content. */
struct dfield {
	size_t off, size;
	bool str;
};
#define DF(f) { offsetof(struct cfg, f), sizeof(((struct cfg *)0)->f), false }
#define DS(f) { offsetof(struct cfg, f), sizeof(char *), true }

/* Every row with a default: the role whose minimal config it is checked in, the line that
 * says the same thing explicitly, and the fields it sets. */
static const struct {
	const char *name;
	enum cfg_role role;
	const char *line;	/* NULL = "NAME DEFAULT" */
	struct dfield f[3];
} dflt_rows[] = {
	{ "allow-compression", CFG_ROLE_CLIENT, NULL, { DF(allow_compression) } },
	{ "auth", CFG_ROLE_SERVER, NULL, { DS(auth) } },
	{ "connect-retry", CFG_ROLE_CLIENT, NULL, { DF(connect_retry), DF(connect_retry_max_wait) } },
	{ "data-ciphers", CFG_ROLE_CLIENT, NULL, { DS(data_ciphers) } },
	{ "hand-window", CFG_ROLE_SERVER, NULL, { DF(hand_window) } },
	{ "ifconfig-pool-persist", CFG_ROLE_SERVER, "ifconfig-pool-persist ipp.txt 600",
	  { DF(pool_persist.seconds) } },
	{ "max-clients", CFG_ROLE_SERVER, NULL, { DF(max_clients) } },
	{ "mssfix", CFG_ROLE_CLIENT, NULL, { DF(mssfix), DF(mssfix_mtu) } },
	{ "port", CFG_ROLE_CLIENT, NULL, { DF(port), DF(lport), DF(rport) } },
	{ "proto", CFG_ROLE_SERVER, NULL, { DF(proto), DF(proto_af) } },
	{ "reneg-sec", CFG_ROLE_CLIENT, NULL, { DF(reneg_sec) } },
	{ "replay-window", CFG_ROLE_SERVER, NULL, { DF(replay_window) } },
	{ "resolv-retry", CFG_ROLE_CLIENT, NULL, { DF(resolv_retry) } },
	{ "script-security", CFG_ROLE_CLIENT, NULL, { DF(script_security) } },
	{ "status", CFG_ROLE_SERVER, "status st.txt 60", { DF(status_interval) } },
	{ "status-version", CFG_ROLE_SERVER, NULL, { DF(status_version) } },
	{ "tls-timeout", CFG_ROLE_CLIENT, NULL, { DF(tls_timeout) } },
	{ "tls-version-min", CFG_ROLE_CLIENT, NULL,
	  { DF(tls_version_min), DF(tls_version_min_or_highest) } },
	{ "topology", CFG_ROLE_SERVER, NULL, { DF(topology) } },
	{ "tran-window", CFG_ROLE_SERVER, NULL, { DF(tran_window) } },
	{ "tun-mtu", CFG_ROLE_CLIENT, NULL, { DF(tun_mtu) } },
	{ "verb", CFG_ROLE_SERVER, NULL, { DF(verb) } },
	{ "verify-client-cert", CFG_ROLE_SERVER, NULL, { DF(verify_client_cert) } },
};

#define MIN_CLIENT "client\ndev tun\nremote 127.0.0.1\nca ca.crt\ncert client.crt\nkey client.key\n"
#define MIN_SERVER "dev tun\nserver 10.8.0.0 255.255.255.0\nca ca.crt\ncert server.crt\n" \
	"key server.key\ndh none\n"

/* Load text and take the result out of the shared `c`. */
static void load_into(struct cfg *out, const char *text, enum cfg_role role)
{
	if (load(text, role) != 0)
		fail_msg("'%s' does not validate: %s", text, e.text);
	*out = c;
	memset(&c, 0, sizeof(c));
}

static void same_fields(const char *name, const struct cfg *a, const struct cfg *b,
			const struct dfield *f, size_t n)
{
	for (size_t i = 0; i < n && f[i].size; i++) {
		const char *pa = (const char *)a + f[i].off, *pb = (const char *)b + f[i].off;

		if (f[i].str) {
			const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;

			if (!sa || !sb || strcmp(sa, sb) != 0)
				fail_msg("%s: field %zu is '%s' by default, '%s' when written out", name,
					 i, sa ? sa : "(null)", sb ? sb : "(null)");
		} else if (memcmp(pa, pb, f[i].size) != 0) {
			fail_msg("%s: field %zu differs between the default and writing it out", name, i);
		}
	}
}

/* After cfg_validate a minimal client and a minimal server hold every table default: the
 * same fields as when each default is written out as a directive. */
static void test_table_defaults_applied(void **state)
{
	struct cfg mc, ms;
	char text[1024], line[256];
	size_t n = sizeof(dflt_rows) / sizeof(dflt_rows[0]), rows = 0;
	(void)state;

	/* every row with a default is listed above (and nothing else) */
	for (size_t i = 0; i < cfg_n_options; i++) {
		bool listed = false;

		for (size_t j = 0; j < n; j++)
			listed |= strcmp(dflt_rows[j].name, cfg_options[i].name) == 0;
		if (listed != (cfg_options[i].dflt != NULL))
			fail_msg("%s: default in the table and in this test differ", cfg_options[i].name);
		rows += listed;
	}
	assert_int_equal(rows, n);

	load_into(&mc, MIN_CLIENT, CFG_ROLE_CLIENT);
	load_into(&ms, MIN_SERVER, CFG_ROLE_SERVER);
	for (size_t j = 0; j < n; j++) {
		const struct cfg_option *o = cfg_option_find(dflt_rows[j].name);
		bool srv = dflt_rows[j].role == CFG_ROLE_SERVER;
		struct cfg w;

		assert_non_null(o);
		if (dflt_rows[j].line)
			snprintf(line, sizeof(line), "%s", dflt_rows[j].line);
		else
			snprintf(line, sizeof(line), "%s %s", o->name, o->dflt);
		snprintf(text, sizeof(text), "%s%s\n", srv ? MIN_SERVER : MIN_CLIENT, line);
		load_into(&w, text, dflt_rows[j].role);
		same_fields(o->name, srv ? &ms : &mc, &w, dflt_rows[j].f, 3);
		cfg_free(&w);
	}

	/* the values, spelled out: what the engines used to fall back to */
	assert_int_equal(mc.allow_compression, CFG_ALLOW_COMP_NO);
	assert_string_equal(ms.auth, "SHA1");
	assert_int_equal(mc.connect_retry, 5);
	assert_int_equal(mc.connect_retry_max_wait, 300);
	assert_string_equal(mc.data_ciphers, CIPHER_DEFAULT_LIST);
	assert_string_equal(ms.data_ciphers, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305");
	assert_int_equal(ms.hand_window, 60);
	assert_int_equal(mc.hand_window, 60);
	assert_int_equal(ms.pool_persist.seconds, 600);
	assert_null(ms.pool_persist.file);
	assert_int_equal(ms.max_clients, 1024);
	assert_int_equal(mc.mssfix, 1492);
	assert_true(mc.mssfix_mtu);
	assert_int_equal(mc.port, 1194);
	assert_int_equal(mc.rport, 1194);
	assert_int_equal(mc.remotes.v[0].port, 1194);
	assert_int_equal(ms.lport, 1194);
	assert_false(mc.lport_set);
	assert_int_equal(ms.proto, CFG_PROTO_UDP);
	assert_int_equal(mc.remotes.v[0].proto, CFG_PROTO_UDP);
	assert_int_equal(mc.reneg_sec, 3600);
	assert_int_equal(ms.replay_window, 64);
	assert_int_equal(mc.resolv_retry, -1);
	assert_int_equal(mc.script_security, 1);
	assert_int_equal(ms.status_interval, 60);
	assert_int_equal(mc.status_interval, 60);
	assert_null(ms.status);
	assert_int_equal(ms.status_version, 1);
	assert_int_equal(mc.tls_timeout, 2);
	assert_int_equal(mc.tls_version_min, TLS1_2_VERSION);
	assert_int_equal(ms.topology, CFG_TOPO_NET30);
	assert_false(ms.topology_set);
	assert_false(mc.allow_compression_set);
	assert_int_equal(ms.tran_window, 3600);
	assert_int_equal(mc.tun_mtu, 1500);
	assert_int_equal(ms.verb, 1);
	assert_int_equal(ms.verify_client_cert, CFG_VCC_REQUIRE);
	/* no default: still unset */
	assert_int_equal(mc.ping, -1);
	assert_int_equal(mc.ping_restart, -1);
	assert_int_equal(mc.reneg_bytes, -1);
	assert_int_equal(mc.key_direction, -1);
	cfg_free(&mc);
	cfg_free(&ms);
}

/* A user's value wins over the default, also when written with another spelling or only
 * partly; "set by the user" flags stay false for defaults. */
static void test_table_defaults_user_wins(void **state)
{
	(void)state;
	assert_int_equal(load(MIN_SERVER "client-cert-not-required\nauth-user-pass-verify /bin/true "
			      "via-env\nscript-security 2\n", CFG_ROLE_SERVER), 0);
	assert_int_equal(c.verify_client_cert, CFG_VCC_NONE);
	assert_int_equal(load(MIN_CLIENT "ncp-ciphers AES-128-GCM\n", CFG_ROLE_CLIENT), 0);
	assert_string_equal(c.data_ciphers, "AES-128-GCM");
	assert_int_equal(load(MIN_CLIENT "connect-retry 7\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.connect_retry, 7);
	assert_int_equal(c.connect_retry_max_wait, 300);	/* MAX from the table */
	assert_int_equal(load(MIN_CLIENT "connect-retry 7 60\nconnect-retry 8\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.connect_retry_max_wait, 60);		/* an earlier MAX stays */
	assert_int_equal(load(MIN_CLIENT "mssfix\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.mssfix, 1492);
	assert_false(c.mssfix_mtu);				/* bare mssfix: no mtu */
	assert_int_equal(load(MIN_SERVER "status st.txt\nifconfig-pool-persist ipp.txt\n",
			      CFG_ROLE_SERVER), 0);
	assert_int_equal(c.status_interval, 60);
	assert_int_equal(c.pool_persist.seconds, 600);
	assert_non_null(strstr(c.status, "st.txt"));
	assert_int_equal(load(MIN_SERVER "topology net30\nallow-compression no\n", CFG_ROLE_SERVER), 0);
	assert_true(c.topology_set);
	assert_true(c.allow_compression_set);
	assert_int_equal(load(MIN_CLIENT "port 0\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.rport, 1194);			/* port 0 = unset */
	assert_int_equal(c.remotes.v[0].port, 1194);
	/* proto/port inside <connection> are that block's: the global ones keep the default */
	assert_int_equal(load("client\ndev tun\nca ca.crt\ncert client.crt\nkey client.key\n"
			      "<connection>\nremote 10.0.0.1\nproto tcp\nport 443\n</connection>\n"
			      "remote 10.0.0.2\n", CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.proto, CFG_PROTO_UDP);
	assert_int_equal(c.port, 1194);
	assert_int_equal(c.remotes.v[0].proto, CFG_PROTO_TCP_CLIENT);
	assert_int_equal(c.remotes.v[0].port, 443);
	assert_int_equal(c.remotes.v[1].proto, CFG_PROTO_UDP);
	assert_int_equal(c.remotes.v[1].port, 1194);
	/* tun-mtu inside <connection> is global: the default must not override it */
	assert_int_equal(load("client\ndev tun\nca ca.crt\ncert client.crt\nkey client.key\n"
			      "<connection>\nremote 10.0.0.1\ntun-mtu 1400\n</connection>\n",
			      CFG_ROLE_CLIENT), 0);
	assert_int_equal(c.tun_mtu, 1400);
}

/* A man page line as a reader sees it: \- is -, font escapes gone. */
static void deroff(const char *raw, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = raw; *p && *p != '\n' && o + 1 < cap; p++) {
		if (p[0] == '\\' && p[1] == '-')
			out[o++] = *++p;
		else if (p[0] == '\\' && p[1] == 'f' && p[2])
			p += 2;
		else
			out[o++] = *p;
	}
	out[o] = '\0';
}

/* "NAME DEFAULT" at the start of the line (a role note may follow); for defaults of the
 * trailing arguments, "NAME file DEFAULT". */
static bool lists_default(const char *ln, const struct cfg_option *o)
{
	size_t nl = strlen(o->name), dl = strlen(o->dflt);
	const char *p;

	if (strncmp(ln, o->name, nl) != 0 || ln[nl] != ' ')
		return false;
	p = ln + nl + 1;
	if (o->flags & CFG_F_DTAIL)
		p = strstr(p, " ") ? strstr(p, " ") + 1 : p + strlen(p);
	return strncmp(p, o->dflt, dl) == 0 && (p[dl] == '\0' || p[dl] == ' ');
}

/* The manual lists every default of the table (man/burrow.8, section CONFIGURATION). */
static void test_table_defaults_in_man_page(void **state)
{
	const char *src = getenv("BURROW_SRC");
	char path[512], raw[1024], ln[1024];
	(void)state;

	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/man/burrow.8", src);
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];
		bool found = false;
		FILE *fp;

		if (!o->dflt)
			continue;
		fp = fopen(path, "r");
		assert_non_null(fp);
		while (!found && fgets(raw, sizeof(raw), fp)) {
			deroff(raw, ln, sizeof(ln));
			found = lists_default(ln, o);
		}
		fclose(fp);
		if (!found)
			fail_msg("man/burrow.8 does not list the default of %s (%s)", o->name, o->dflt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_client_ok, after_each),
		cmocka_unit_test_teardown(test_client_inline, after_each),
		cmocka_unit_test_teardown(test_tls_crypt_v2, after_each),
		cmocka_unit_test_teardown(test_missing_and_broken_files, after_each),
		cmocka_unit_test_teardown(test_cross_checks, after_each),
		cmocka_unit_test_teardown(test_server, after_each),
		cmocka_unit_test_teardown(test_encrypted_key, after_each),
		cmocka_unit_test_teardown(test_pkcs12, after_each),
		cmocka_unit_test_teardown(test_real_tool_output, after_each),
		cmocka_unit_test_teardown(test_config_include, after_each),
		cmocka_unit_test_teardown(test_command_line_override, after_each),
		cmocka_unit_test_teardown(test_table_defaults_applied, after_each),
		cmocka_unit_test_teardown(test_table_defaults_user_wins, after_each),
		cmocka_unit_test_teardown(test_table_defaults_in_man_page, after_each),
		cmocka_unit_test_teardown(test_crl_verify_dir, after_each),
	};

	log_set_level(LOG_LVL_ERROR);
	return test_exit(cmocka_run_group_tests(tests, setup, teardown));
}
