/* burrow server CONFIG [--directive args...]: serve OpenVPN 2.6 clients. */
#include "cmd/cfgload.h"
#include "cmd/cli.h"
#include "core/server.h"
#include "util/log.h"

const char cmd_server_usage[] =
	"Usage: burrow server CONFIG [--DIRECTIVE ARGS]...\n"
	"       burrow server --config CONFIG [--DIRECTIVE ARGS]...\n"
	"\n"
	"Serves OpenVPN 2.6 clients (and burrow clients) with an OpenVPN server config:\n"
	"the same syntax and directives as openvpn's server.conf (server, topology, push,\n"
	"client-to-client, client-config-dir, keepalive, tls-crypt/tls-auth/tls-crypt-v2,\n"
	"data-ciphers, auth-user-pass-verify, status, ...). `burrow help directives` lists\n"
	"every directive burrow knows. Directives on the command line override the file.\n"
	"\n"
	"Needs root or CAP_NET_ADMIN (it creates the tun/tap device). With user/group it\n"
	"drops to them once the device, sockets and pool are set up; down and the per-client\n"
	"scripts (client-connect, client-disconnect, learn-address) then run unprivileged;\n"
	"the status and ifconfig-pool-persist files, written once before the drop (mode\n"
	"0600), stay current after it. Stops on SIGINT or SIGTERM; SIGHUP/SIGUSR1 rewrite\n"
	"the status file (written only with `status FILE`).\n"
	"\n"
	"Example:\n"
	"  burrow server /etc/openvpn/server.conf --verb 4\n"
	"\n"
	"Exit status: 0 after a clean stop, 1 on a config or setup error, 2 on bad usage.";

int cmd_server(int argc, char **argv)
{
	struct cfg c;
	int e = cmd_load_config("server", CFG_ROLE_SERVER, argc, argv, &c);

	if (e == 0)
		e = cmd_need_net_admin("server");
	if (e == 0)
		e = core_server_run(&c);
	cfg_free(&c);
	return e;
}
