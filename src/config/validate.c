/* cfg_validate(): resolve the role and defaults, cross-check directives, and load and
 * verify every referenced file, so that a bad profile fails before any packet is sent. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "config/cfg_impl.h"

/* file:line of the directive's last use, for messages about its value */
#define SEEN(c, d) cfg_seen(c, d).file, cfg_seen(c, d).line

static int vfail(struct cfg_err *err, const struct cfg_where *w, const char *d,
		 const char *hint, const char *problem)
{
	return cfg_err_set(err, -EINVAL, w ? w->file : NULL, w ? w->line : 0, d, hint, "%s",
			   problem);
}

/* With the role left to the file, directives were not checked against it while parsing. */
static int check_roles(const struct cfg *c, struct cfg_err *err)
{
	unsigned want = c->role == CFG_ROLE_SERVER ? CFG_R_SERVER : CFG_R_CLIENT;

	for (size_t i = 0; c->seen && i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];

		if (c->seen[i].file && !(o->roles & want))
			return cfg_err_set(err, -EINVAL, c->seen[i].file, c->seen[i].line, o->name,
					   want == CFG_R_SERVER ? "remove it from the server configuration" :
					   "remove it from the client profile",
					   "%s-only directive in a %s configuration",
					   want == CFG_R_SERVER ? "client" : "server",
					   want == CFG_R_SERVER ? "server" : "client");
	}
	return 0;
}

static int resolve_role(struct cfg *c, struct cfg_err *err)
{
	bool server = c->mode == CFG_MODE_SERVER || c->tls_server;
	bool client = c->client || c->pull || c->tls_client;

	if (c->role == CFG_ROLE_AUTO) {
		if (server == client)
			return cfg_err_set(err, -EINVAL, c->file, 0, NULL,
					   server ? "keep only the client or only the server directives" :
					   "add 'client' (or 'tls-client' + 'pull'), or 'server NET MASK'",
					   server ? "both client and server directives" :
					   "cannot tell whether this is a client or a server configuration");
		c->role = server ? CFG_ROLE_SERVER : CFG_ROLE_CLIENT;
		if (check_roles(c, err) < 0)
			return -EINVAL;
	}
	if (c->role == CFG_ROLE_SERVER) {
		c->tls_server = true;
		if (c->proto == CFG_PROTO_TCP_CLIENT)
			c->proto = CFG_PROTO_TCP_SERVER;
	} else {
		c->tls_client = true;
	}
	return 0;
}

/* Every table default the user left unset, through the row's own parse function. */
static int apply_defaults(struct cfg *c, struct cfg_err *err)
{
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];
		int ret;

		if (!cfg_default_needed(c, o))
			continue;
		ret = cfg_apply_default(c, o, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int check_dev(struct cfg *c, struct cfg_err *err)
{
	if (!c->dev)
		return cfg_err_set(err, -EINVAL, c->file, 0, "dev", "add 'dev tun' (or 'dev tap')",
				   "no device configured");
	if (c->dev_type == CFG_DEV_UNSET) {
		if (strncmp(c->dev, "tun", 3) == 0)
			c->dev_type = CFG_DEV_TUN;
		else if (strncmp(c->dev, "tap", 3) == 0)
			c->dev_type = CFG_DEV_TAP;
		else
			return cfg_err_set(err, -EINVAL, SEEN(c, "dev"), "dev",
					   "add 'dev-type tun' or 'dev-type tap'",
					   "cannot tell the type of device '%s'", c->dev);
	}
	return 0;
}

static int check_remotes(struct cfg *c, struct cfg_err *err)
{
	uint16_t dport;
	enum cfg_proto dproto = c->proto;	/* given, or the table's default */

	/* `port 0` counts as unset, as it always has */
	if (!c->port && cfg_apply_default(c, cfg_option_find("port"), err) < 0)
		return -EINVAL;
	dport = c->rport ? c->rport : c->port;
	if (c->role == CFG_ROLE_CLIENT && c->remotes.n == 0)
		return cfg_err_set(err, -EINVAL, c->file, 0, "remote",
				   "add 'remote HOST [PORT]' or pass --remote HOST",
				   "no server to connect to");
	for (size_t i = 0; i < c->remotes.n; i++) {
		struct cfg_remote *r = &c->remotes.v[i];

		if (!r->port)
			r->port = dport;
		if (!r->proto) {
			r->proto = dproto;
			r->af = c->proto_af;
		}
		/* checked here, not while parsing: exported profiles carry masked values */
		if (!r->host[0] || strspn(r->host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					  "0123456789.-_:%") != strlen(r->host))
			return cfg_err_set(err, -EINVAL, r->where.file, r->where.line, "remote",
					   "give a host name or an IP address",
					   "'%s' is not a host", r->host);
		if (r->proto == CFG_PROTO_TCP_SERVER)
			return vfail(err, &r->where, "remote", "use tcp or tcp-client",
				     "a client cannot connect with tcp-server");
	}
	if (!c->lport_set)
		c->lport = c->port;
	if (!c->rport)
		c->rport = dport;
	return 0;
}

/* A colon list (data-ciphers) or one name must be ciphers OpenSSL has. */
static int check_ciphers(const char *list, const char *d, struct cfg *c, struct cfg_err *err)
{
	char name[64];
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ":");

		if (n == 0 || n >= sizeof(name))
			return cfg_err_set(err, -EINVAL, SEEN(c, d), d, NULL, "bad cipher list '%s'", list);
		memcpy(name, p, n);
		name[n] = '\0';
		/* OpenVPN 2.6: "?NAME" is optional, dropped when this OpenSSL lacks it */
		if (name[0] != '?' && strcasecmp(name, "none") != 0 && !EVP_get_cipherbyname(name))
			return cfg_err_set(err, -EINVAL, SEEN(c, d), d,
					   "e.g. AES-256-GCM, AES-128-GCM, CHACHA20-POLY1305",
					   "unknown cipher '%s'", name);
		p += n + (p[n] == ':');
	}
	return 0;
}

/* Canonical names for the engines: upper case (as OpenVPN writes and negotiates them),
 * "none" as is, and optional "?NAME" entries kept only when OpenSSL has the cipher. */
static char *normalize_list(struct cfg *c, const char *list)
{
	char *out = list ? cfg_mem_alloc(&c->mem, strlen(list)) : NULL;
	const char *p = list;
	size_t o = 0;

	if (!out)
		return NULL;
	while (*p) {
		size_t n = strcspn(p, ":");
		bool opt = *p == '?';
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)(n - opt), p + opt);
		p += n + (p[n] == ':');
		if (opt && !EVP_get_cipherbyname(name))
			continue;
		if (strcasecmp(name, "none") != 0)
			for (char *q = name; *q; q++)
				*q = (char)toupper((unsigned char)*q);
		o += (size_t)snprintf(out + o, strlen(list) + 1 - o, "%s%s", o ? ":" : "", name);
	}
	return out;
}

static int normalize_names(struct cfg *c)
{
	char **names[] = { &c->data_ciphers, &c->data_ciphers_fallback, &c->cipher, &c->auth };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (*names[i] && !(*names[i] = normalize_list(c, *names[i])))
			return -ENOMEM;
	return 0;
}

static int check_crypto(struct cfg *c, struct cfg_err *err)
{
	int ret = check_ciphers(c->data_ciphers, "data-ciphers", c, err);

	if (!ret)
		ret = check_ciphers(c->data_ciphers_fallback, "data-ciphers-fallback", c, err);
	if (!ret)
		ret = check_ciphers(c->cipher, "cipher", c, err);
	if (ret)
		return ret;
	if (c->auth && strcasecmp(c->auth, "none") != 0 && !EVP_get_digestbyname(c->auth))
		return cfg_err_set(err, -EINVAL, SEEN(c, "auth"), "auth", "e.g. SHA1, SHA256, SHA512",
				   "unknown digest '%s'", c->auth);
	if (normalize_names(c) < 0)
		return -ENOMEM;
	if ((c->data_ciphers && !c->data_ciphers[0]) || (c->cipher && !c->cipher[0]))
		return cfg_err_set(err, -EINVAL, SEEN(c, "data-ciphers"), "data-ciphers",
				   "list at least one cipher this OpenSSL has",
				   "no usable cipher left");
	if (cfg_blob_set(&c->tls_auth.key) && cfg_blob_set(&c->tls_crypt.key))
		return vfail(err, &c->tls_crypt.key.where, "tls-crypt",
			     "keep either tls-auth or tls-crypt (the server decides which)",
			     "tls-auth and tls-crypt together");
	if (c->tls_auth.direction < 0)
		c->tls_auth.direction = c->key_direction;
	return 0;
}

static int check_client(struct cfg *c, struct cfg_err *err)
{
	if (!cfg_blob_set(&c->ca) && !cfg_blob_set(&c->pkcs12))
		return cfg_err_set(err, -EINVAL, c->file, 0, "ca",
				   "add 'ca FILE' or an inline <ca> block",
				   "no CA certificate to verify the server with");
	if (!cfg_blob_set(&c->cert) && !cfg_blob_set(&c->pkcs12) &&
	    c->auth_user_pass.source == CFG_AUP_NONE)
		return cfg_err_set(err, -EINVAL, c->file, 0, "cert",
				   "add cert + key, or auth-user-pass",
				   "no client certificate and no username/password");
	if (c->keepalive_interval > 0) {
		if (c->ping < 0)
			c->ping = c->keepalive_interval;
		if (c->ping_restart < 0)
			c->ping_restart = c->keepalive_timeout;
	}
	return 0;
}

static int check_server_auth(struct cfg *c, struct cfg_err *err)
{
	if (!cfg_blob_set(&c->ca) && !cfg_blob_set(&c->pkcs12))
		return cfg_err_set(err, -EINVAL, c->file, 0, "ca", "add 'ca FILE'",
				   "no CA certificate to verify clients with");
	if (!cfg_blob_set(&c->cert) && !cfg_blob_set(&c->pkcs12))
		return cfg_err_set(err, -EINVAL, c->file, 0, "cert", "add 'cert FILE' and 'key FILE'",
				   "a server needs a certificate");
	if (c->verify_client_cert != CFG_VCC_REQUIRE && !c->auth_user_pass_verify.script)
		return cfg_err_set(err, -EINVAL, SEEN(c, "verify-client-cert"), "verify-client-cert",
				   "add auth-user-pass-verify, or require client certificates",
				   "clients without certificates would not be authenticated at all");
	/* The username becomes the client's name: unchecked, any client could pick another's
	 * (OpenVPN 2.6 refuses this combination too). */
	if (c->username_as_cn && !c->auth_user_pass_verify.script)
		return cfg_err_set(err, -EINVAL, SEEN(c, "username-as-common-name"),
				   "username-as-common-name", "add auth-user-pass-verify",
				   "clients could choose any name: the username is not checked");
	return 0;
}

static bool in_net(struct in_addr a, struct in_addr net, struct in_addr mask)
{
	return ((a.s_addr ^ net.s_addr) & mask.s_addr) == 0;
}

static int check_server_pool(struct cfg *c, struct cfg_err *err)
{
	struct stat st;

	if (c->mode == CFG_MODE_SERVER && !c->server.set && !c->server_bridge.set &&
	    !c->ifconfig_pool.set && !c->server_ipv6.set)
		return cfg_err_set(err, -EINVAL, c->file, 0, "server",
				   "add 'server NETWORK NETMASK', e.g. server 10.8.0.0 255.255.255.0",
				   "server mode without an address pool");
	if (c->server.set && c->ifconfig_pool.set &&
	    (!in_net(c->ifconfig_pool.start, c->server.net, c->server.mask) ||
	     !in_net(c->ifconfig_pool.end, c->server.net, c->server.mask)))
		return cfg_err_set(err, -EINVAL, SEEN(c, "ifconfig-pool"), "ifconfig-pool",
				   "keep the pool inside the 'server' network",
				   "pool outside the server network");
	if (c->client_config_dir && (stat(c->client_config_dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		return cfg_err_set(err, -ENOENT, SEEN(c, "client-config-dir"), "client-config-dir",
				   "create the directory or fix the path", "'%s' is not a directory",
				   c->client_config_dir);
	return 0;
}

static int check_server(struct cfg *c, struct cfg_err *err)
{
	int ret = check_server_auth(c, err);

	if (ret == 0)
		ret = check_server_pool(c, err);
	if (ret == 0 && c->keepalive_interval > 0) {
		/* the server side waits twice as long as it tells the clients to */
		if (c->ping < 0)
			c->ping = c->keepalive_interval;
		if (c->ping_restart < 0)
			c->ping_restart = c->keepalive_timeout * 2;
	}
	return ret;
}

static int check_scripts(struct cfg *c, struct cfg_err *err)
{
	const char *need = c->up ? "up" : c->down ? "down" : c->client_connect ? "client-connect" :
		c->client_disconnect ? "client-disconnect" : c->learn_address ? "learn-address" :
		c->auth_user_pass_verify.script ? "auth-user-pass-verify" : NULL;

	if (need && c->script_security < 2)
		return cfg_err_set(err, -EINVAL, SEEN(c, need), need, "add 'script-security 2'",
				   "external scripts are not allowed at script-security %d",
				   c->script_security);
	return 0;
}

static int load_files(struct cfg *c, struct cfg_err *err)
{
	static const struct {
		size_t off;
		const char *name;
	} blobs[] = {
		{ offsetof(struct cfg, ca), "ca" },
		{ offsetof(struct cfg, cert), "cert" },
		{ offsetof(struct cfg, key), "key" },
		{ offsetof(struct cfg, extra_certs), "extra-certs" },
		{ offsetof(struct cfg, pkcs12), "pkcs12" },
		{ offsetof(struct cfg, crl), "crl-verify" },
		{ offsetof(struct cfg, dh), "dh" },
		{ offsetof(struct cfg, tls_auth.key), "tls-auth" },
		{ offsetof(struct cfg, tls_crypt.key), "tls-crypt" },
		{ offsetof(struct cfg, tls_crypt_v2.key), "tls-crypt-v2" },
	};
	int ret;

	for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++) {
		ret = cfg_load_blob(c, (struct cfg_blob *)((char *)c + blobs[i].off), blobs[i].name,
				    err);
		if (ret < 0)
			return ret;
	}
	ret = cfg_unpack_pkcs12(c, err);
	if (ret == 0 && cfg_blob_set(&c->pkcs12) && !cfg_blob_set(&c->ca))
		return vfail(err, &c->pkcs12.where, "pkcs12", "add 'ca FILE'",
			     "the bundle holds no CA certificate");
	if (ret == 0)
		ret = cfg_check_pki(c, err);
	return ret < 0 ? ret : cfg_load_user_pass(c, err);
}

int cfg_validate(struct cfg *c, struct cfg_err *err)
{
	int ret;

	if (c->unsupported.name)
		return vfail(err, &c->unsupported.where, c->unsupported.name,
			     "remove it; see 'burrow help directives'",
			     cfg_option_find(c->unsupported.name)->help);
	if (c->placeholder.directive)
		return cfg_err_set(err, -EINVAL, c->placeholder.where.file, c->placeholder.where.line,
				   c->placeholder.directive, "replace it with a real value",
				   "unexpanded template placeholder '%s'", c->placeholder.value);
	ret = resolve_role(c, err);
	if (!ret)
		ret = apply_defaults(c, err);
	if (!ret)
		ret = check_dev(c, err);
	if (!ret)
		ret = check_remotes(c, err);
	if (!ret)
		ret = check_crypto(c, err);
	if (!ret)
		ret = c->role == CFG_ROLE_SERVER ? check_server(c, err) : check_client(c, err);
	if (!ret)
		ret = check_scripts(c, err);
	if (!ret)
		ret = load_files(c, err);
	return ret;
}
