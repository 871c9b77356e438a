/* Server scripts with OpenVPN's arguments and environment. They run to completion (with the
 * time limit of core/script.c) the way OpenVPN runs them, so their effect is in place before
 * the client is admitted or its address used. */
#include "core/script_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/script.h"
#include "core/server_impl.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/sanitize.h"

/* learn-address is called per address change; a slow one should not hold the server long. */
#define SCRIPT_LEARN_TIMEOUT_MS 5000
#define SCRIPT_CCD_MAX 65536

static void dev_call(struct server *srv, struct script_call *sc, const char *what,
		     const char *cmd)
{
	const struct cfg *c = srv->cfg;
	unsigned mtu = (unsigned)c->tun_mtu;
	char local[INET_ADDRSTRLEN] = "", mask[INET_ADDRSTRLEN] = "";

	script_init(sc, what, cmd);
	script_env_cfg(sc, c);
	script_env(sc, "dev", "%s", srv->dev.name);
	script_env(sc, "dev_type", "%s", srv->dev.tap ? "tap" : "tun");
	script_env(sc, "tun_mtu", "%u", mtu);
	script_env(sc, "script_context", "init");
	script_env(sc, "daemon", "0");
	script_env(sc, "verb", "%d", c->verb);
	if (srv->has_pool || srv->srv_v4) {
		addr_v4_str(srv->srv_v4, local, sizeof(local));
		addr_v4_str(srv->srv_mask, mask, sizeof(mask));
		script_env(sc, "ifconfig_local", "%s", local);
		script_env(sc, "ifconfig_netmask", "%s", mask);
	}
	script_arg(sc, "%s", srv->dev.name);
	script_arg(sc, "%u", mtu);
	script_arg(sc, "0");	/* link_mtu: 0, as OpenVPN 2.6 passes */
	script_arg(sc, "%s", local);
	script_arg(sc, "%s", mask);
	script_arg(sc, "init");
}

int script_server_up(struct server *srv)
{
	struct script_call sc;

	if (!srv->cfg->up)
		return 0;
	dev_call(srv, &sc, "up", srv->cfg->up);
	return script_run(&sc, SCRIPT_TIMEOUT_MS);
}

void script_server_down(struct server *srv)
{
	struct script_call sc;

	if (!srv->cfg->down || !srv->dev.name[0])
		return;
	dev_call(srv, &sc, "down", srv->cfg->down);
	script_run(&sc, SCRIPT_TIMEOUT_MS);
}

/* The client's peer-info IV_/UV_ lines as variables, as OpenVPN 2.6 passes them: a line
 * with another key, or a key not of [A-Za-z0-9_], is left out; values sanitised
 * (util/sanitize.h). At most PEER_INFO_ENV_MAX lines, each shorter than 256 bytes. */
#define PEER_INFO_ENV_MAX 40
static void peer_info_env(const char *info, struct script_call *sc)
{
	unsigned n = 0;

	while (info && *info && n < PEER_INFO_ENV_MAX) {
		size_t len = strcspn(info, "\n");
		char line[256], *eq;

		if (len < sizeof(line)) {
			memcpy(line, info, len);
			line[len] = '\0';
			if (len && line[len - 1] == '\r')
				line[len - 1] = '\0';
			if (sanitize_peer_info_line(line) && (eq = strchr(line, '='))) {
				*eq = '\0';
				script_env(sc, line, "%s", eq + 1);
				n++;
			}
		}
		info += len + (info[len] == '\n');
	}
}

/* The client's identity: common_name, trusted_ip/port, username, peer-info, its tunnel
 * addresses. */
static void peer_env(struct peer *p, struct script_call *sc)
{
	char host[NI_MAXHOST], port[NI_MAXSERV], a[INET6_ADDRSTRLEN];

	const struct server *srv = p->srv;

	script_env_cfg(sc, srv->cfg);
	script_env(sc, "common_name", "%s", p->cn);
	if (getnameinfo((const struct sockaddr *)&p->addr.ss, p->addr.len, host, sizeof(host),
			port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
		script_env(sc, "trusted_ip", "%s", host);
		script_env(sc, "trusted_port", "%s", port);
		script_env(sc, "untrusted_ip", "%s", host);
		script_env(sc, "untrusted_port", "%s", port);
	}
	if (p->sess && *sess_peer_username(p->sess)) {
		char user[SCRIPT_ENV_MAX];

		script_env(sc, "username", "%s",
			   sanitize_name_copy(user, sizeof(user), sess_peer_username(p->sess)));
	}
	if (p->sess)
		peer_info_env(sess_peer_info(p->sess), sc);
	script_env(sc, "dev", "%s", srv->dev.name);
	script_env(sc, "dev_type", "%s", srv->dev.tap ? "tap" : "tun");
	script_env(sc, "tun_mtu", "%d", srv->cfg->tun_mtu);
	script_env(sc, "script_context", "init");
	script_env(sc, "verb", "%d", srv->cfg->verb);
	script_env(sc, "daemon", "0");
	if (srv->has_pool) {
		addr_v4_str(srv->srv_v4, a, sizeof(a));
		script_env(sc, "ifconfig_local", "%s", a);
		addr_v4_str(srv->srv_mask, a, sizeof(a));
		script_env(sc, "ifconfig_netmask", "%s", a);
	}
	if (p->has_v4) {
		addr_v4_str(p->v4, a, sizeof(a));
		script_env(sc, "ifconfig_pool_remote_ip", "%s", a);
		if (!srv->topo_net30) {
			addr_v4_str(srv->srv_mask, a, sizeof(a));
			script_env(sc, "ifconfig_pool_netmask", "%s", a);
		}
	}
	if (p->has_v6 && inet_ntop(AF_INET6, &p->v6, a, sizeof(a)))
		script_env(sc, "ifconfig_pool_remote_ip6", "%s", a);
	script_env(sc, "time_unix", "%lld", (long long)(p->since ? p->since : time(NULL)));
}

/* Reads what the script wrote (bounded) and parses it as ccd directives. */
static int connect_output(struct peer *p, int fd, const char *path, struct cfg_ccd *ccd,
			  bool *have)
{
	char *buf = malloc(SCRIPT_CCD_MAX);
	struct cfg_ccd out;
	struct cfg_err err;
	ssize_t n = 0, r;
	int e;

	if (!buf)
		return -ENOMEM;
	while (n < SCRIPT_CCD_MAX && (r = pread(fd, buf + n, (size_t)(SCRIPT_CCD_MAX - n), n)) > 0)
		n += r;
	if (n == 0) {
		free(buf);
		return 0;
	}
	memset(&out, 0, sizeof(out));
	memset(&err, 0, sizeof(err));
	e = cfg_ccd_parse(buf, (size_t)n, path, &out, &err);
	free(buf);
	if (e < 0) {
		log_warn("client '%s': client-connect output: %s", p->cn, err.text);
		cfg_ccd_free(&out);
		return e;
	}
	if (*have)
		cfg_ccd_free(ccd);
	*ccd = out;
	*have = true;
	return ccd->disable ? -EACCES : 1;
}

int script_server_connect(struct peer *p, struct cfg_ccd *ccd, bool *have)
{
	char path[] = "/tmp/burrow-cc.XXXXXX";
	struct script_call sc;
	int fd, e;

	if (!p->srv->cfg->client_connect)
		return 0;
	fd = mkstemp(path);
	if (fd < 0) {
		log_error("client-connect: cannot create its file: %s", strerror(errno));
		return -errno;
	}
	script_init(&sc, "client-connect", p->srv->cfg->client_connect);
	peer_env(p, &sc);
	script_arg(&sc, "%s", path);
	e = script_run(&sc, SCRIPT_TIMEOUT_MS);
	if (e == 0)
		e = connect_output(p, fd, path, ccd, have);
	else if (e > 0)
		e = -EACCES;
	close(fd);
	unlink(path);
	return e;
}

void script_server_disconnect(struct peer *p)
{
	struct script_call sc;

	if (!p->srv->cfg->client_disconnect)
		return;
	script_init(&sc, "client-disconnect", p->srv->cfg->client_disconnect);
	peer_env(p, &sc);
	script_env(&sc, "bytes_received", "%llu", (unsigned long long)p->tun_in);
	script_env(&sc, "bytes_sent", "%llu", (unsigned long long)p->tun_out);
	script_env(&sc, "time_duration", "%lld", (long long)(time(NULL) - p->since));
	script_run(&sc, SCRIPT_TIMEOUT_MS);
}

static void learn_one(struct peer *p, const char *op, const char *addr)
{
	struct script_call sc;

	script_init(&sc, "learn-address", p->srv->cfg->learn_address);
	peer_env(p, &sc);
	script_arg(&sc, "%s", op);
	script_arg(&sc, "%s", addr);
	if (strcmp(op, "delete") != 0)
		script_arg(&sc, "%s", p->cn);
	script_run(&sc, SCRIPT_LEARN_TIMEOUT_MS);
}

void script_server_learn(struct peer *p, const char *op)
{
	char a[INET6_ADDRSTRLEN];

	if (!p->srv->cfg->learn_address)
		return;
	if (p->has_v4) {
		addr_v4_str(p->v4, a, sizeof(a));
		learn_one(p, op, a);
	}
	if (p->has_v6 && inet_ntop(AF_INET6, &p->v6, a, sizeof(a)))
		learn_one(p, op, a);
}
