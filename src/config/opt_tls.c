/* Parse functions for TLS, keys, ciphers, compression and user authentication. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "config/cfg_impl.h"
#include "util/log.h"

static int parse_dir(const char *s, int *dir)
{
	if (strcmp(s, "0") == 0)
		*dir = 0;
	else if (strcmp(s, "1") == 0)
		*dir = 1;
	else
		return -EINVAL;
	return 0;
}

/* tls-auth FILE [DIR] / tls-crypt FILE / tls-crypt-v2 FILE [force-cookie|allow-noncookie].
 * The key text is loaded by cfg_validate() and parsed by the protocol code. */
int cfg_opt_statickey(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_statickey *k = (struct cfg_statickey *)((char *)x->c + o->off);
	struct cfg_option blob = *o;
	int dir = -1, ret;

	if (argc > 2 && o->off == offsetof(struct cfg, tls_auth) && parse_dir(argv[2], &dir) < 0)
		return cfg_fail(x, "the direction is 0 (server) or 1 (client)", "bad direction '%s'",
				argv[2]);
	if (argc > 2 && o->off == offsetof(struct cfg, tls_crypt))
		log_notice("%s:%d: tls-crypt: direction '%s' ignored (tls-crypt keys its "
			   "direction by role)", x->file, x->line, argv[2]);
	if (argc > 2 && o->off == offsetof(struct cfg, tls_crypt_v2) &&
	    strcmp(argv[2], "force-cookie") != 0 && strcmp(argv[2], "allow-noncookie") != 0)
		return cfg_fail(x, "use force-cookie or allow-noncookie", "unknown option '%s'",
				argv[2]);
	blob.off = o->off + offsetof(struct cfg_statickey, key);
	ret = cfg_opt_blob(x, &blob, argc, argv);
	if (ret < 0)
		return ret;
	k->direction = dir;
	return 0;
}

int cfg_opt_key_direction(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (parse_dir(argv[1], &x->c->key_direction) < 0)
		return cfg_fail(x, "use 0 (server) or 1 (client)", "bad direction '%s'", argv[1]);
	return 0;
}

static int cert_role(struct cfg_ctx *x, const char *s)
{
	if (strcmp(s, "server") == 0)
		x->c->remote_cert_tls = CFG_CERT_TLS_SERVER;
	else if (strcmp(s, "client") == 0)
		x->c->remote_cert_tls = CFG_CERT_TLS_CLIENT;
	else
		return cfg_fail(x, "use server or client", "unknown role '%s'", s);
	return 0;
}

int cfg_opt_remote_cert_tls(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	return cert_role(x, argv[1]);
}

/* ns-cert-type is gone from OpenVPN 2.6; the nearest check that still means something is
 * the certificate's TLS role, so it is enforced as remote-cert-tls rather than dropped. */
int cfg_opt_ns_cert_type(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	log_warn("%s:%d: ns-cert-type: obsolete, checking 'remote-cert-tls %s' instead", x->file,
		 x->line, argv[1]);
	return cert_role(x, argv[1]);
}

int cfg_opt_verify_x509(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	enum cfg_x509_type t = CFG_X509_SUBJECT;

	if (argc > 2) {
		if (strcmp(argv[2], "name") == 0)
			t = CFG_X509_NAME;
		else if (strcmp(argv[2], "name-prefix") == 0)
			t = CFG_X509_NAME_PREFIX;
		else if (strcmp(argv[2], "subject") != 0)
			return cfg_fail(x, "use name, name-prefix or subject", "unknown type '%s'",
					argv[2]);
	}
	x->c->verify_x509.type = t;
	x->c->verify_x509.name = cfg_mem_strdup(x->mem, argv[1]);
	return x->c->verify_x509.name ? 0 : -ENOMEM;
}

/* x509-username-field FIELD: one subject attribute (CN, emailAddress, OU, ...) names the
 * peer. An all-lowercase name is upper-cased as OpenVPN 2.6 still does ("ou" -> "OU"). The
 * ext:subjectAltName/issuerAltName forms, the certificate serialNumber and several fields
 * joined with '_' are OpenVPN features burrow does not implement: refused here, so a server
 * never names clients differently from what its configuration says. */
int cfg_opt_x509_user(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	char field[64];
	bool lower = true;
	size_t n = strlen(argv[1]);

	if (argc > 2)
		return cfg_fail(x, "name one subject attribute, e.g. CN or emailAddress",
				"several fields joined with '_' are not supported by burrow");
	if (strncmp(argv[1], "ext:", 4) == 0)
		return cfg_fail(x, "use a subject attribute such as CN or emailAddress",
				"'%s': X.509 extensions are not supported by burrow", argv[1]);
	if (n == 0 || n >= sizeof(field))
		return cfg_fail(x, "use a subject attribute such as CN or emailAddress",
				"bad field name");
	for (size_t i = 0; i < n; i++)
		lower = lower && !(argv[1][i] >= 'A' && argv[1][i] <= 'Z');
	for (size_t i = 0; i <= n; i++)
		field[i] = lower && argv[1][i] >= 'a' && argv[1][i] <= 'z' ? argv[1][i] - 32
									   : argv[1][i];
	if (strcmp(field, "serialNumber") == 0 || strcmp(field, "SERIALNUMBER") == 0)
		return cfg_fail(x, "use a subject attribute such as CN or emailAddress",
				"the certificate serial number as a name is not supported by burrow");
	if (OBJ_txt2nid(field) == NID_undef)
		return cfg_fail(x, "use a subject attribute such as CN, emailAddress or OU",
				"unknown subject attribute '%s'", field);
	x->c->x509_username_field = cfg_mem_strdup(x->mem, field);
	return x->c->x509_username_field ? 0 : -ENOMEM;
}

/* tls-remote (removed in 2.4) compared the common name; keep that check. */
int cfg_opt_tls_remote(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	log_warn("%s:%d: tls-remote: obsolete, checking 'verify-x509-name %s name' instead",
		 x->file, x->line, argv[1]);
	x->c->verify_x509.type = CFG_X509_NAME;
	x->c->verify_x509.name = cfg_mem_strdup(x->mem, argv[1]);
	return x->c->verify_x509.name ? 0 : -ENOMEM;
}

int cfg_opt_tls_version(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	bool is_min = strcmp(o->name, "tls-version-min") == 0;
	int v;

	if (strcmp(argv[1], "1.0") == 0)
		v = TLS1_VERSION;
	else if (strcmp(argv[1], "1.1") == 0)
		v = TLS1_1_VERSION;
	else if (strcmp(argv[1], "1.2") == 0)
		v = TLS1_2_VERSION;
	else if (strcmp(argv[1], "1.3") == 0)
		v = TLS1_3_VERSION;
	else
		return cfg_fail(x, "use 1.2 or 1.3", "unknown TLS version '%s'", argv[1]);
	if (argc > 2 && (!is_min || strcmp(argv[2], "or-highest") != 0))
		return cfg_fail(x, "the only option is 'or-highest'", "unknown option '%s'", argv[2]);
	if (is_min) {
		x->c->tls_version_min = v;
		x->c->tls_version_min_or_highest = argc > 2;
	} else {
		x->c->tls_version_max = v;
	}
	return 0;
}

int cfg_opt_dh(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_option blob = *o;

	if (!x->inl && strcmp(argv[1], "none") == 0) {
		memset(&x->c->dh, 0, sizeof(x->c->dh));
		x->c->dh_none = true;
		return 0;
	}
	x->c->dh_none = false;
	blob.off = offsetof(struct cfg, dh);
	return cfg_opt_blob(x, &blob, argc, argv);
}

/* data-ciphers / ncp-ciphers: a colon list; names are checked against OpenSSL later. */
int cfg_opt_cipher_list(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	const char *s = argv[1];

	if (!*s || s[0] == ':' || s[strlen(s) - 1] == ':' || strstr(s, "::"))
		return cfg_fail(x, "e.g. AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305",
				"empty name in cipher list '%s'", s);
	return cfg_opt_str(x, o, argc, argv);
}

static const struct {
	const char *name;
	enum cfg_comp comp;
} comp_names[] = {
	{ "stub", CFG_COMP_STUB }, { "stub-v2", CFG_COMP_STUB_V2 }, { "lzo", CFG_COMP_LZO },
	{ "lz4", CFG_COMP_LZ4 }, { "lz4-v2", CFG_COMP_LZ4_V2 }, { "migrate", CFG_COMP_MIGRATE },
};

int cfg_opt_compress(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (argc == 1) {
		x->c->compress = CFG_COMP_STUB;
		return 0;
	}
	for (size_t i = 0; i < sizeof(comp_names) / sizeof(comp_names[0]); i++) {
		if (strcmp(argv[1], comp_names[i].name) == 0) {
			x->c->compress = comp_names[i].comp;
			return 0;
		}
	}
	return cfg_fail(x, "use lz4, lz4-v2, lzo, stub, stub-v2 or migrate",
			"unknown compression '%s'", argv[1]);
}

const char *cfg_comp_name(enum cfg_comp c)
{
	for (size_t i = 0; i < sizeof(comp_names) / sizeof(comp_names[0]); i++)
		if (comp_names[i].comp == c)
			return comp_names[i].name;
	return c == CFG_COMP_LZO_NO ? "comp-lzo no" : "none";
}

int cfg_opt_comp_lzo(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (argc == 1 || strcmp(argv[1], "yes") == 0 || strcmp(argv[1], "adaptive") == 0)
		x->c->compress = CFG_COMP_LZO;
	else if (strcmp(argv[1], "no") == 0)
		x->c->compress = CFG_COMP_LZO_NO;
	else
		return cfg_fail(x, "use yes, no or adaptive", "unknown value '%s'", argv[1]);
	return 0;
}

int cfg_opt_allow_comp(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	if (strcmp(argv[1], "no") == 0)
		x->c->allow_compression = CFG_ALLOW_COMP_NO;
	else if (strcmp(argv[1], "asym") == 0)
		x->c->allow_compression = CFG_ALLOW_COMP_ASYM;
	else if (strcmp(argv[1], "yes") == 0)
		x->c->allow_compression = CFG_ALLOW_COMP_YES;
	else
		return cfg_fail(x, "use no, asym or yes", "unknown value '%s'", argv[1]);
	if (!x->dflt)
		x->c->allow_compression_set = true;
	return 0;
}

/* auth-user-pass [FILE]: no argument = ask; "stdin" also means ask, as in OpenVPN. */
int cfg_opt_auth_user_pass(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_option blob = *o;
	int ret;

	memset(&x->c->auth_user_pass.file, 0, sizeof(x->c->auth_user_pass.file));
	x->c->auth_user_pass.username = NULL;
	x->c->auth_user_pass.password = NULL;
	if (!x->inl && (argc == 1 || strcmp(argv[1], "stdin") == 0)) {
		x->c->auth_user_pass.source = CFG_AUP_PROMPT;
		x->c->auth_user_pass.file.where = cfg_here(x);
		return 0;
	}
	blob.off = offsetof(struct cfg, auth_user_pass.file);
	ret = cfg_opt_blob(x, &blob, argc, argv);
	if (ret == 0)
		x->c->auth_user_pass.source = x->inl ? CFG_AUP_INLINE : CFG_AUP_FILE;
	return ret;
}

int cfg_opt_reneg(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	long v;

	if (cfg_parse_long(argv[1], 0, LONG_MAX, &v) < 0)
		return cfg_fail(x, NULL, "'%s' is not a non-negative number", argv[1]);
	if (strcmp(o->name, "reneg-sec") == 0) {
		if (v > INT_MAX)
			return cfg_fail(x, NULL, "'%s' is too large", argv[1]);
		x->c->reneg_sec = (int)v;
	} else if (strcmp(o->name, "reneg-bytes") == 0) {
		x->c->reneg_bytes = v;
	} else {
		x->c->reneg_pkts = v;
	}
	return 0;
}

int cfg_opt_client_cert_not_required(struct cfg_ctx *x, const struct cfg_option *o, int argc,
				     char **argv)
{
	log_warn("%s:%d: client-cert-not-required: obsolete, using 'verify-client-cert none'",
		 x->file, x->line);
	x->c->verify_client_cert = CFG_VCC_NONE;
	return 0;
}

int cfg_opt_pull_filter(struct cfg_ctx *x, const struct cfg_option *o, int argc, char **argv)
{
	struct cfg_pull_filter *f;
	enum cfg_pf_action a;

	if (strcmp(argv[1], "accept") == 0)
		a = CFG_PF_ACCEPT;
	else if (strcmp(argv[1], "ignore") == 0)
		a = CFG_PF_IGNORE;
	else if (strcmp(argv[1], "reject") == 0)
		a = CFG_PF_REJECT;
	else
		return cfg_fail(x, "use accept, ignore or reject", "unknown action '%s'", argv[1]);
	f = CFG_VEC_ADD(x->c->pull_filters);
	if (!f)
		return cfg_fail(x, NULL, "too many pull-filter lines");
	f->action = a;
	f->text = cfg_mem_strdup(x->mem, argv[2]);
	return f->text ? 0 : -ENOMEM;
}
