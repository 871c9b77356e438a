/* burrow: the command table, nothing else (in the order `burrow --help` lists them). Each
 * command lives in src/cmd/. */
#include <stddef.h>

#include "cmd/cli.h"

static const struct cli_cmd burrow_cmds[] = {
	{ "client", cmd_client, "connect to an OpenVPN 2.6 server: burrow client PROFILE.ovpn",
	  "Usage: burrow client PROFILE.ovpn [--DIRECTIVE [ARGS...]]...\n"
	  "       burrow client --config PROFILE.ovpn [--DIRECTIVE [ARGS...]]...\n\n"
	  "Connects to the profile's remote servers (in order; shuffled with remote-random), brings\n"
	  "up a TUN/TAP device with the addresses and routes the server pushes, and keeps the tunnel\n"
	  "up: keepalive and ping-restart, reconnects with connect-retry backoff and failover to the\n"
	  "next remote, renegotiates keys. Any OpenVPN directive can follow the profile as\n"
	  "--directive args and overrides it (e.g. --verb 4, --remote vpn.example.com 443 tcp,\n"
	  "--auth-user-pass creds.txt).\n\n"
	  "Credentials: with auth-user-pass and no file (or a file holding only the username) burrow\n"
	  "asks on the terminal without echoing the password.\n\n"
	  "Signals: SIGINT/SIGTERM notify the server (explicit-exit-notify), remove the routes and\n"
	  "the device, and exit; SIGHUP reconnects from scratch; SIGUSR1 reconnects keeping the\n"
	  "device with persist-tun; SIGUSR2 rewrites the status file (status FILE).\n\n"
	  "Needs root or CAP_NET_ADMIN; user/group drop privileges once the tunnel is up.\n"
	  "Pushed DNS servers go to systemd-resolved or resolvconf when present (else printed).\n"
	  "Scripts (script-security 2): up runs as root before the drop and must exit 0; down\n"
	  "runs after the device is closed, as the unprivileged user when user/group is set.\n\n"
	  "Exit status: 0 stopped by a signal or the server's HALT; 1 error (bad profile, device or\n"
	  "route setup failed, connect-retry-max reached); 2 usage error; 3 authentication failed." },
	{ "server", cmd_server, "serve OpenVPN 2.6 clients with an OpenVPN server config",
	  cmd_server_usage },
	{ "demo", cmd_demo, "run a throw-away VPN between two network namespaces and report",
	  cmd_demo_usage },
	{ "status", cmd_status, "list the clients of a running server (from its status file)",
	  cmd_status_usage },
	{ "dev", cmd_dev, "create, configure, show and delete kernel TUN/TAP devices",
	  cmd_dev_usage },
	{ "help", cmd_help, "describe a command: burrow help COMMAND",
	  "Usage: burrow help [COMMAND [SUBCOMMAND]]\n       burrow help directives [--json]   (every configuration directive and its status)" },
	{ "version", cmd_version, "print version, OpenSSL version and build options",
	  "Usage: burrow version\n\nPrints burrow's version, the OpenSSL it runs with, and the build type." },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	return cli_main(burrow_cmds, argc, argv);
}
