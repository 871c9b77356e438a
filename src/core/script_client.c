/* up/down for the client: OpenVPN's arguments
 *   cmd tun_dev tun_mtu link_mtu(0) ifconfig_local ifconfig_netmask|ifconfig_remote init|restart
 * and its environment (dev, tun_mtu, ifconfig_*, route_vpn_gateway, foreign_option_N for the
 * pushed dhcp-options, common_name, trusted_ip/port, script_context ...). */
#include "core/script_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "core/client_impl.h"
#include "util/addr.h"
#include "util/bytes.h"
#include "util/log.h"

/* OpenVPN 2.6 no longer computes a link MTU: its scripts get 0 there, and so do ours. */
#define SCRIPT_LINK_MTU 0

/* An address in network byte order, as text. */
static void ip4(const uint8_t *b, char *out, size_t n)
{
	addr_v4_str(bytes_get_u32(b), out, n);
}

static void mask_of(unsigned prefix, char *out, size_t n)
{
	uint32_t m = prefix ? htonl(0xffffffffu << (32 - prefix)) : 0;

	ip4((const uint8_t *)&m, out, n);
}

static void env_addrs(struct client *cl, struct script_call *sc, char *local, char *second,
		      size_t n)
{
	const struct client_net *net = &cl->net;
	char v6[INET6_ADDRSTRLEN];

	local[0] = second[0] = '\0';
	if (net->has_v4) {
		ip4(net->v4.bytes, local, n);
		if (net->v4_p2p)
			ip4(net->v4_peer.bytes, second, n);
		else
			mask_of(net->v4.prefix, second, n);
		script_env(sc, "ifconfig_local", "%s", local);
		script_env(sc, net->v4_p2p ? "ifconfig_remote" : "ifconfig_netmask", "%s", second);
	}
	if (net->has_v6 && inet_ntop(AF_INET6, net->v6.bytes, v6, sizeof(v6))) {
		script_env(sc, "ifconfig_ipv6_local", "%s", v6);
		script_env(sc, "ifconfig_ipv6_netbits", "%u", net->v6.prefix);
		if (cl->push.has_ifconfig6 &&
		    inet_ntop(AF_INET6, &cl->push.ifc6_remote, v6, sizeof(v6)))
			script_env(sc, "ifconfig_ipv6_remote", "%s", v6);
	}
}

static void env_remote(struct client *cl, struct script_call *sc)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&cl->remote.ss, cl->remote.len, host,
			sizeof(host), port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
		script_env(sc, "trusted_ip", "%s", host);
		script_env(sc, "trusted_port", "%s", port);
	}
	if (cl->peer_cn[0])
		script_env(sc, "common_name", "%s", cl->peer_cn);
}

/* Pushed dhcp-options as OpenVPN hands them to scripts: foreign_option_1 ... */
static void env_foreign(struct client *cl, struct script_call *sc)
{
	char name[32];

	for (int i = 0; i < cl->push.n_dhcp; i++) {
		snprintf(name, sizeof(name), "foreign_option_%d", i + 1);
		script_env(sc, name, "dhcp-option %s%s%s", cl->push.dhcp[i].type,
			   cl->push.dhcp[i].value[0] ? " " : "", cl->push.dhcp[i].value);
	}
}

static void build(struct client *cl, struct script_call *sc, const char *what, const char *cmd,
		  bool restart)
{
	const struct client_net *net = &cl->net;
	char local[INET_ADDRSTRLEN], second[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	unsigned mtu = net->mtu ? net->mtu : 1500;

	script_init(sc, what, cmd);
	script_env_cfg(sc, cl->cfg);
	script_env(sc, "dev", "%s", net->dev.name);
	script_env(sc, "dev_type", "%s", net->dev.tap ? "tap" : "tun");
	script_env(sc, "tun_mtu", "%u", mtu);
	script_env(sc, "script_context", "%s", restart ? "restart" : "init");
	script_env(sc, "verb", "%d", cl->cfg->verb);
	script_env(sc, "daemon", "0");
	env_addrs(cl, sc, local, second, sizeof(local));
	if (cl->push.has_route_gw && !cl->push.route_gw_dhcp) {
		ip4((const uint8_t *)&cl->push.route_gw, gw, sizeof(gw));
		script_env(sc, "route_vpn_gateway", "%s", gw);
	} else if (net->has_v4 && net->v4_p2p) {
		script_env(sc, "route_vpn_gateway", "%s", second);
	}
	env_remote(cl, sc);
	env_foreign(cl, sc);
	script_arg(sc, "%s", net->dev.name);
	script_arg(sc, "%u", mtu);
	script_arg(sc, "%d", SCRIPT_LINK_MTU);
	script_arg(sc, "%s", local);
	script_arg(sc, "%s", second);
	script_arg(sc, "%s", restart ? "restart" : "init");
}

int script_client_up(struct client *cl, bool restart)
{
	struct script_call sc;
	int e;

	if (!cl->cfg->up || (restart && !cl->cfg->up_restart))
		return 0;
	build(cl, &sc, "up", cl->cfg->up, restart);
	log_info("running up script: %s", cl->cfg->up);
	e = script_run(&sc, SCRIPT_TIMEOUT_MS);
	return e;
}

bool script_client_down_prepare(struct client *cl, struct script_call *sc)
{
	if (!cl->cfg->down)
		return false;
	build(cl, sc, "down", cl->cfg->down, false);
	return true;
}
