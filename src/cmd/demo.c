/* burrow demo: a throw-away VPN on this machine — PKI, two network namespaces joined by a
 * veth pair, a server in one and a burrow client in the other, traffic through the tunnel,
 * and a short report. Everything but the generated configs is gone when it returns. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/demo.h"
#include "proto/statickey.h"
#include "util/log.h"
#include "util/pki.h"

#define SRV_ADDR "10.77.0.1"
#define CLI_ADDR "10.77.0.2"
#define TUN_SRV "10.8.0.1"
#define N_PINGS 20

const char cmd_demo_usage[] =
	"Usage: burrow demo [--peer burrow|openvpn] [--proto udp|tcp] [--seconds N]\n"
	"\n"
	"Builds a throw-away VPN on this machine and reports on it: a new PKI (CA, server and\n"
	"client certificates, tls-crypt key), two network namespaces joined by a veth pair\n"
	"(" SRV_ADDR " and " CLI_ADDR "), a server in the first and a burrow client in the\n"
	"second. It waits for the tunnel, pings through it, measures a few seconds of TCP\n"
	"throughput and prints a short report. The namespaces, devices and processes are removed\n"
	"on exit or Ctrl-C; the generated configs stay in a /tmp/burrow-demo-* directory so you\n"
	"can try them by hand.\n"
	"\n"
	"  --peer openvpn   run OpenVPN 2.6 as the server instead of burrow (compatibility)\n"
	"  --proto tcp      use TCP instead of UDP\n"
	"  --seconds N      length of the throughput test (default 3, 1..60)\n"
	"\n"
	"Needs root (network namespaces, veth and tun devices).";

struct demo {
	bool openvpn;
	const char *proto;
	int secs;
	char dir[64];
	char self[PATH_MAX];
	struct demo_ns ns_s, ns_c;
	pid_t srv, cli;
	char srv_log[128], cli_log[128];
	long up_ms;
	long rtt[N_PINGS];
	int answered;
	double mbps;
};

static volatile sig_atomic_t demo_interrupted;

static void demo_on_sigint(int sig)
{
	(void)sig;
	demo_interrupted = 1;
}

static int demo_args(struct demo *d, int argc, char **argv)
{
	d->proto = "udp";
	d->secs = 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--peer") && v && (!strcmp(v, "burrow") || !strcmp(v, "openvpn")))
			d->openvpn = !strcmp(argv[++i], "openvpn");
		else if (!strcmp(a, "--proto") && v && (!strcmp(v, "udp") || !strcmp(v, "tcp")))
			d->proto = argv[++i];
		else if (!strcmp(a, "--seconds") && v && atoi(v) >= 1 && atoi(v) <= 60)
			d->secs = atoi(argv[++i]);
		else if (!strcmp(a, "--peer") || !strcmp(a, "--proto") || !strcmp(a, "--seconds"))
			return cli_usage_error("demo", "%s needs one of: %s", a,
					       !strcmp(a, "--peer") ? "burrow, openvpn" :
					       !strcmp(a, "--proto") ? "udp, tcp" : "a number 1..60");
		else
			return cli_usage_error("demo", "unknown argument '%s'", a);
	}
	return 0;
}

/* ---- the files ---- */

static int demo_write(const struct demo *d, const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		return -EIO;
	return 0;
}

static int demo_files(struct demo *d)
{
	char key[SKEY_TEXT_MAX], conf[2048];
	const char *dir = d->dir;
	int n;

	if (pki_make(dir, NULL) < 0 || skey_generate(key, sizeof(key), NULL) < 0 ||
	    demo_write(d, "tc.key", key) < 0)
		return -EIO;
	chmod(d->dir, 0755);
	n = snprintf(conf, sizeof(conf),
		     "# burrow demo server (namespace A). Works with openvpn too.\n"
		     "port 1194\nproto %s\nlocal " SRV_ADDR "\ndev tun\ntopology subnet\n"
		     "server 10.8.0.0 255.255.255.0\nca %s/ca.crt\ncert %s/server.crt\n"
		     "key %s/server.key\ndh none\ntls-crypt %s/tc.key\nkeepalive 10 60\n"
		     "verb 3\n%s", d->proto, dir, dir, dir, dir,
		     d->openvpn ? "disable-dco\n" : "");
	if (n < 0 || (size_t)n >= sizeof(conf) || demo_write(d, "server.conf", conf) < 0)
		return -EIO;
	n = snprintf(conf, sizeof(conf),
		     "# burrow demo client (namespace B): burrow client client.ovpn\n"
		     "client\ndev tun\nproto %s\nremote " SRV_ADDR " 1194\nnobind\n"
		     "ca %s/ca.crt\ncert %s/client.crt\nkey %s/client.key\n"
		     "remote-cert-tls server\ntls-crypt %s/tc.key\nverb 3\n",
		     d->proto, dir, dir, dir, dir);
	if (n < 0 || (size_t)n >= sizeof(conf) || demo_write(d, "client.ovpn", conf) < 0)
		return -EIO;
	snprintf(d->srv_log, sizeof(d->srv_log), "%s/server.log", dir);
	snprintf(d->cli_log, sizeof(d->cli_log), "%s/client.log", dir);
	return 0;
}

/* ---- the run ---- */

static long demo_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int demo_start_server(struct demo *d)
{
	char conf[128];
	char *burrow[] = { d->self, "-v", "server", conf, NULL };
	char *ovpn[] = { "openvpn", "--config", conf, NULL };
	const char *ready = d->openvpn ? "Initialization Sequence Completed" : "server ready";

	snprintf(conf, sizeof(conf), "%s/server.conf", d->dir);
	log_notice("starting the %s server in namespace A (%s:1194 %s)",
		   d->openvpn ? "OpenVPN 2.6" : "burrow", SRV_ADDR, d->proto);
	d->srv = demo_spawn(&d->ns_s, d->openvpn ? ovpn : burrow, d->srv_log);
	if (d->srv < 0 || !demo_wait_log(d->srv_log, ready, 15000)) {
		log_error("the server did not start; its log is %s", d->srv_log);
		return -EIO;
	}
	return 0;
}

/* Starts the client and pings the server's tunnel address until it answers. */
static int demo_start_client(struct demo *d)
{
	char conf[128];
	char *argv[] = { d->self, "-v", "client", conf, NULL };
	struct timespec t0;

	snprintf(conf, sizeof(conf), "%s/client.ovpn", d->dir);
	log_notice("starting the burrow client in namespace B (%s)", CLI_ADDR);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d->cli = demo_spawn(&d->ns_c, argv, d->cli_log);
	if (d->cli < 0)
		return -EIO;
	for (int seq = 0; !demo_interrupted && demo_ms_since(&t0) < 20000; seq++) {
		if (demo_ping(&d->ns_c, TUN_SRV, seq, 50) >= 0) {
			d->up_ms = demo_ms_since(&t0);
			return 0;
		}
	}
	log_error("the tunnel did not come up in 20 s; logs: %s, %s", d->cli_log, d->srv_log);
	return -ETIMEDOUT;
}

static void demo_measure(struct demo *d)
{
	long long bytes;

	log_notice("tunnel up; pinging %s and measuring %d s of TCP", TUN_SRV, d->secs);
	for (int i = 0; i < N_PINGS && !demo_interrupted; i++) {
		long us = demo_ping(&d->ns_c, TUN_SRV, 1000 + i, 1000);

		if (us >= 0)
			d->rtt[d->answered++] = us;
		usleep(20000);
	}
	if (demo_interrupted)
		return;
	bytes = demo_tcp(&d->ns_c, &d->ns_s, TUN_SRV, 5201, d->secs);
	d->mbps = bytes > 0 ? (double)bytes * 8 / d->secs / 1e6 : 0;
}

static void demo_report(const struct demo *d)
{
	long mn = 0, mx = 0, sum = 0;
	char up[512], *p;

	for (int i = 0; i < d->answered; i++) {
		mn = i == 0 || d->rtt[i] < mn ? d->rtt[i] : mn;
		mx = d->rtt[i] > mx ? d->rtt[i] : mx;
		sum += d->rtt[i];
	}
	demo_log_line(d->cli_log, "tunnel up", up, sizeof(up));
	p = strstr(up, "tunnel up");
	printf("\nburrow demo: a VPN between two network namespaces on this machine\n\n");
	printf("  server   %s in namespace A, %s %s:1194, tunnel address %s\n",
	       d->openvpn ? "OpenVPN 2.6" : "burrow server", d->proto, SRV_ADDR, TUN_SRV);
	printf("  client   burrow client in namespace B (%s)\n", CLI_ADDR);
	printf("  tunnel   first ping answered %ld ms after the client started\n", d->up_ms);
	if (p)
		printf("           %s\n", p);
	printf("  ping     %d/%d answered through the tunnel", d->answered, N_PINGS);
	if (d->answered)
		printf(", round trip min/avg/max %.3f/%.3f/%.3f ms", mn / 1000.0,
		       sum / 1000.0 / d->answered, mx / 1000.0);
	printf("\n  TCP      %.1f Mbit/s over %d s, one stream, client -> server\n", d->mbps, d->secs);
	printf("  configs  %s/server.conf and client.ovpn (logs beside them)\n", d->dir);
	printf("\nThe namespaces, devices and processes are gone; remove the configs with: rm -r %s\n",
	       d->dir);
}

static void demo_cleanup(struct demo *d)
{
	demo_stop(d->cli, 3000);
	demo_stop(d->srv, 3000);
	demo_ns_free(&d->ns_c);
	demo_ns_free(&d->ns_s);
}

static int demo_setup(struct demo *d)
{
	ssize_t n = readlink("/proc/self/exe", d->self, sizeof(d->self) - 1);

	if (n <= 0)
		return -errno;
	d->self[n] = '\0';
	snprintf(d->dir, sizeof(d->dir), "/tmp/burrow-demo-XXXXXX");
	if (!mkdtemp(d->dir))
		return -errno;
	log_notice("making a throw-away PKI and configs in %s", d->dir);
	if (demo_files(d) < 0) {
		log_error("cannot write the demo's PKI and configs into %s", d->dir);
		return -EIO;
	}
	log_notice("creating namespaces A and B joined by a veth pair");
	if (demo_ns_new(&d->ns_s) < 0 || demo_ns_new(&d->ns_c) < 0 ||
	    demo_veth(&d->ns_s, "demo0", SRV_ADDR "/24", &d->ns_c, "demo1", CLI_ADDR "/24") < 0) {
		log_error("cannot create the network namespaces and veth pair");
		return -EIO;
	}
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	struct demo d = { .ns_s = { -1 }, .ns_c = { -1 } };
	struct sigaction sa = { .sa_handler = demo_on_sigint };
	int rc = demo_args(&d, argc, argv);

	if (rc)
		return rc;
	if (geteuid() != 0) {
		log_error("burrow demo needs root: it creates network namespaces, a veth pair and tun "
			  "devices. Run it as root, e.g. sudo burrow demo");
		return CLI_FAIL;
	}
	if (d.openvpn && system("openvpn --version >/dev/null 2>&1") != 0) {
		log_error("--peer openvpn needs the openvpn program (apt-get install openvpn)");
		return CLI_FAIL;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = demo_setup(&d);
	if (rc == 0)
		rc = demo_start_server(&d);
	if (rc == 0 && !demo_interrupted)
		rc = demo_start_client(&d);
	if (rc == 0 && !demo_interrupted)
		demo_measure(&d);
	if (rc == 0 && !demo_interrupted)
		demo_report(&d);
	demo_cleanup(&d);
	if (demo_interrupted) {
		log_notice("interrupted: everything the demo made is removed (configs: %s)", d.dir);
		return 130;
	}
	return rc == 0 && d.answered > 0 ? CLI_OK : CLI_FAIL;
}
