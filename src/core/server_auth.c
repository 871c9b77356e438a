/* auth-user-pass-verify SCRIPT via-file|via-env, run without blocking the event loop
 * (script_watch, core/script.c: the child's exit watched through its pidfd in the loop); a
 * script that hangs is killed after 30 s and the client refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/script.h"
#include "core/server_impl.h"
#include "proto/tls.h"
#include "util/log.h"
#include "util/sanitize.h"

#define AUTH_TIMEOUT_MS 30000
#define AUTH_CRED_MAX 4096	/* the protocol's limit, NUL included (proto/keys.h) */

/* Who the client is: the name in its certificate (x509-username-field, CN by default; the
 * TLS handshake already refused certificates without a usable one); the username only with
 * username-as-common-name, or when no certificate was presented (verify-client-cert none or
 * optional), "UNDEF" when there is neither, as OpenVPN names it. The username is then the
 * one auth-user-pass-verify checks (cfg_validate requires the script in both cases). The
 * name is sanitised as OpenVPN 2.6 does (util/sanitize.h: control bytes become '_'), so the
 * status and pool files, client-config-dir, scripts and logs all see that form. A
 * re-authentication may not change the name. Returns 0, or -EACCES (refuse the client). */
int server_auth_identity(struct peer *p, char *out, size_t n)
{
	const struct cfg *c = p->srv->cfg;
	const char *user = sess_peer_username(p->sess);
	const char *name;
	char safe[TLS_USERNAME_MAX];
	bool cert = sess_peer_has_cert(p->sess);

	if (c->username_as_cn && *user)
		name = user;
	else if (cert)
		name = sess_peer_cn(p->sess);
	else if (c->verify_client_cert == CFG_VCC_REQUIRE)
		return -EACCES;		/* the handshake requires one; never trust its absence */
	else
		name = *user ? user : "UNDEF";
	if (!*name || strlen(name) >= n || strlen(name) >= TLS_USERNAME_MAX)
		return -EACCES;
	sanitize_name_copy(safe, sizeof(safe), name);
	if (p->state == PEER_ACTIVE && strcmp(p->cn, safe) != 0)
		return -EACCES;		/* re-authentication under another name */
	memcpy(out, safe, strlen(safe) + 1);
	return 0;
}

/* The username and password as scripts see them: control bytes made '_' (OpenVPN 2.6), so
 * neither can add a line to the credentials file or the environment. */
static void auth_creds(const struct peer *p, char *user, size_t un, char *pass, size_t pn)
{
	sanitize_name_copy(user, un, sess_peer_username(p->sess));
	sanitize_name_copy(pass, pn, sess_peer_password(p->sess));
}

/* via-file: a 0600 file with the username and password on two lines. */
static int auth_write_file(struct peer *p)
{
	char user[AUTH_CRED_MAX], pass[AUTH_CRED_MAX];
	int fd;
	FILE *fp;

	snprintf(p->auth_file, sizeof(p->auth_file), "/tmp/burrow-auth.XXXXXX");
	fd = mkstemp(p->auth_file);
	if (fd < 0)
		return -errno;
	fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		return -errno;
	}
	auth_creds(p, user, sizeof(user), pass, sizeof(pass));
	fprintf(fp, "%s\n%s\n", user, pass);
	explicit_bzero(pass, sizeof(pass));
	return fclose(fp) == 0 ? 0 : -EIO;
}

/* OpenVPN's variables for the script; via-file passes the credentials file as argument. */
static void auth_call(struct peer *p, bool via_file, struct script_call *sc)
{
	char ip[64], *port, cn[TLS_USERNAME_MAX];

	snprintf(ip, sizeof(ip), "%s", p->addr_str);
	port = strrchr(ip, ':');
	if (port)
		*port++ = '\0';
	if (ip[0] == '[' && port && port[-2] == ']')
		port[-2] = '\0';
	script_init(sc, "user-pass-verify", p->srv->cfg->auth_user_pass_verify.script);
	script_env_cfg(sc, p->srv->cfg);	/* setenv reaches every script, as in OpenVPN */
	sanitize_name_copy(cn, sizeof(cn), sess_peer_cn(p->sess));
	script_env(sc, "common_name", "%s", cn);
	script_env(sc, "untrusted_ip", "%s", ip[0] == '[' ? ip + 1 : ip);
	script_env(sc, "untrusted_port", "%s", port ? port : "");
	if (via_file) {
		script_arg(sc, "%s", p->auth_file);
	} else {
		char user[AUTH_CRED_MAX], pass[AUTH_CRED_MAX];

		auth_creds(p, user, sizeof(user), pass, sizeof(pass));
		script_env(sc, "username", "%s", user);
		script_env(sc, "password", "%s", pass);
		explicit_bzero(pass, sizeof(pass));
	}
}

/* status: the script's exit status (0 = accept) or negative (killed, timed out). */
static void auth_on_exit(void *arg, int status)
{
	struct peer *p = arg;

	server_peer_hold(p);
	server_auth_cancel(p);
	if (p->closing)
		goto out;
	if (status != 0) {
		log_info("client '%s': auth-user-pass-verify refused (exit %d)", p->cn,
			 status > 0 ? status : -1);
		server_peer_reject(p, "");
	} else {
		server_peer_authorize(p);
	}
	sessdrv_pump(&p->drv);
out:
	server_peer_unhold(p);
}

int server_auth_start(struct peer *p)
{
	bool via_file = p->srv->cfg->auth_user_pass_verify.method == CFG_AUPV_VIA_FILE;
	struct script_call sc;
	int e;

	if (via_file && (e = auth_write_file(p)) < 0) {
		log_error("auth-user-pass-verify: cannot write the credentials file: %s", strerror(-e));
		return e;
	}
	auth_call(p, via_file, &sc);
	e = script_watch_start(&p->auth_w, p->srv->lp, &sc, AUTH_TIMEOUT_MS, auth_on_exit, p);
	if (e < 0)
		server_auth_cancel(p);
	return e;
}

/* Stops watching, kills a script still running and removes the credentials file. */
void server_auth_cancel(struct peer *p)
{
	script_watch_cancel(&p->auth_w);
	if (p->auth_file[0]) {
		unlink(p->auth_file);
		p->auth_file[0] = '\0';
	}
}
