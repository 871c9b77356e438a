/* Test helper for capture.sh: records the OpenVPN UDP packets on one interface, then decodes
 * the recording with burrow's own codec (packet.h, wrap.h, data.h, dpkt.h) given the keys a
 * real openvpn logged.
 *
 *   datacap capture IFACE PORT OUTFILE SECONDS READYFILE
 *       AF_PACKET socket on IFACE; every IPv4/UDP datagram to or from PORT is appended to
 *       OUTFILE as dir(1: 0 = to PORT, 1 = from PORT) len(2, BE) bytes. Stops on SIGTERM /
 *       SIGINT or after SECONDS. READYFILE is created once the socket is bound.
 *   datacap decode FILE key=value...
 *       wrap=none | crypt:KEYFILE | auth:KEYFILE:DIGEST
 *       cipher=NAME auth=DIGEST c2s_key=HEX c2s_hmac=HEX s2c_key=HEX s2c_hmac=HEX
 *       (AEAD: *_hmac = the 8-byte implicit IV; CBC: the HMAC key)
 *       comp=DIRECTIVE[:ARG] (e.g. compress:lz4-v2): the compression framing to remove.
 *       min_data=N: fail unless at least N data packets decrypted in each direction.
 *   Every control packet must unwrap and parse; every data packet must authenticate and
 *   decrypt to a ping or an IP packet; AEAD packets must re-encrypt to the same bytes.
 *   Prints a summary; exit 0 only if nothing failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/comp.h"
#include "proto/data.h"
#include "proto/dpkt.h"
#include "proto/packet.h"
#include "proto/statickey.h"
#include "proto/wrap.h"

#define MAX_PKT 4096

/* ---------------- capture ---------------- */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int open_capture(const char *ifname)
{
	/* ETH_P_ALL: only "all protocols" taps also see the packets the host sends. */
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));

	if (fd < 0)
		return -1;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Returns the UDP payload of an IPv4 datagram to/from port, or NULL. */
static const uint8_t *udp_payload(const uint8_t *p, size_t n, unsigned port, int *dir,
				  size_t *len)
{
	if (n < 20 || (p[0] >> 4) != 4 || p[9] != IPPROTO_UDP)
		return NULL;
	size_t ihl = (size_t)(p[0] & 15) * 4;
	size_t tot = (size_t)p[2] << 8 | p[3];
	if (ihl < 20 || tot > n || tot < ihl + 8 || (p[6] & 0x3f) || p[7])
		return NULL;	/* fragments never carry a whole OpenVPN packet */
	unsigned sport = (unsigned)p[ihl] << 8 | p[ihl + 1];
	unsigned dport = (unsigned)p[ihl + 2] << 8 | p[ihl + 3];
	if (dport != port && sport != port)
		return NULL;
	*dir = dport == port ? 0 : 1;
	*len = tot - ihl - 8;
	return p + ihl + 8;
}

static int write_record(FILE *f, int dir, const uint8_t *p, size_t len)
{
	uint8_t hdr[3] = { (uint8_t)dir, (uint8_t)(len >> 8), (uint8_t)len };

	if (fwrite(hdr, 1, 3, f) != 3 || fwrite(p, 1, len, f) != len || fflush(f))
		return -1;
	return 0;
}

static int capture_loop(int fd, FILE *out, unsigned port, time_t deadline)
{
	static uint8_t buf[65536];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n_pkts = 0;

	while (!stop_flag && time(NULL) < deadline) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n <= 0 || from.sll_protocol != htons(ETH_P_IP))
			continue;
		int dir;
		size_t len;
		const uint8_t *p = udp_payload(buf, (size_t)n, port, &dir, &len);
		if (p && len && len <= MAX_PKT) {
			if (write_record(out, dir, p, len))
				return -1;
			n_pkts++;
		}
	}
	return n_pkts;
}

static int cmd_capture(int argc, char **argv)
{
	unsigned long port, secs;

	if (argc != 7 || parse_uint(argv[3], 65535, &port) || parse_uint(argv[5], 600, &secs)) {
		fprintf(stderr, "usage: datacap capture IFACE PORT OUTFILE SECONDS READYFILE\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	int fd = open_capture(argv[2]);
	FILE *out = fopen(argv[4], "wb");
	if (fd < 0 || !out) {
		perror("datacap capture");
		return 1;
	}
	FILE *ready = fopen(argv[6], "w");
	if (ready)
		fclose(ready);
	int n = capture_loop(fd, out, (unsigned)port, time(NULL) + (time_t)secs);
	fclose(out);
	close(fd);
	fprintf(stderr, "datacap: %d packets captured\n", n);
	return n < 0;
}

/* ---------------- decode ---------------- */

struct dec_opts {
	const char *wrap, *cipher, *auth;
	const char *c2s_key, *c2s_hmac, *s2c_key, *s2c_hmac;
	const char *comp;		/* "DIRECTIVE[:ARG]", e.g. "compress:lz4-v2" */
	unsigned long min_data;
};

struct dec_state {
	struct wrap_ctx wrap_rx[2];		/* [dir]: decodes packets going that way */
	struct data_key *key_rx[2];		/* [dir]: the receiver's key */
	struct data_key *key_tx[2];		/* [dir]: the sender's key (re-encryption) */
	struct comp_ctx comp;
	unsigned long ctrl[2], data[2], pings[2], ip[2], reenc[2], decomp[2], fail;
	bool aead;
};

static int hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		char *end;
		out[i] = (uint8_t)strtoul(b, &end, 16);
		if (*end)
			return -1;
	}
	return (int)(n / 2);
}

static int read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	size_t n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (int)n;
}

/* wrap_rx[0] decodes client->server packets (as the server), [1] the other way. */
static int setup_wrap(struct dec_state *st, const char *spec)
{
	static char text[SKEY_TEXT_MAX];
	char path[512], digest[32] = "SHA1";
	uint8_t key[SKEY_LEN];

	if (strcmp(spec, "none") == 0)
		return wrap_init_none(&st->wrap_rx[0]) || wrap_init_none(&st->wrap_rx[1]);
	const char *arg = strchr(spec, ':');
	if (!arg || strlen(arg + 1) >= sizeof(path))
		return -1;
	snprintf(path, sizeof(path), "%s", arg + 1);
	char *colon = strchr(path, ':');
	if (colon) {
		snprintf(digest, sizeof(digest), "%s", colon + 1);
		*colon = '\0';
	}
	int n = read_file(path, text, sizeof(text));
	if (n < 0 || skey_parse(text, (size_t)n, key))
		return -1;
	/* A capture holds retransmissions: replay checks would reject those. */
	int rc = -1;
	if (strncmp(spec, "crypt:", 6) == 0)
		rc = wrap_init_crypt(&st->wrap_rx[0], key, true) ||
		     wrap_init_crypt(&st->wrap_rx[1], key, false);
	else if (strncmp(spec, "auth:", 5) == 0)
		rc = wrap_init_auth(&st->wrap_rx[0], digest, key, WRAP_DIR_NORMAL) ||
		     wrap_init_auth(&st->wrap_rx[1], digest, key, WRAP_DIR_INVERSE);
	if (rc == 0) {
		wrap_set_replay(&st->wrap_rx[0], false);
		wrap_set_replay(&st->wrap_rx[1], false);
	}
	return rc;
}

static int dir_keys(const char *key_hex, const char *hmac_hex, struct data_dir_keys *k)
{
	memset(k, 0, sizeof(*k));
	return hex_decode(key_hex, k->cipher, sizeof(k->cipher)) <= 0 ||
	       hex_decode(hmac_hex, k->hmac, sizeof(k->hmac)) < 0;
}

/* The server receives c2s and sends s2c; the client the opposite. */
static int setup_keys(struct dec_state *st, const struct dec_opts *o)
{
	struct data_dir_keys c2s, s2c;
	struct data_key_cfg cfg = {
		.cipher = cipher_find(o->cipher),
		.auth = cipher_digest_find(o->auth),
		.peer_id = 0,
	};
	int err = 0;

	if (!cfg.cipher || dir_keys(o->c2s_key, o->c2s_hmac, &c2s) ||
	    dir_keys(o->s2c_key, o->s2c_hmac, &s2c))
		return -1;
	st->aead = cipher_is_aead(cfg.cipher);
	struct data_key *srv = data_key_new_raw(&cfg, &s2c, &c2s, &err);
	struct data_key *cli = data_key_new_raw(&cfg, &c2s, &s2c, &err);
	st->key_rx[0] = srv;
	st->key_tx[0] = cli;
	st->key_rx[1] = cli;
	st->key_tx[1] = srv;
	return srv && cli ? 0 : -1;
}

/* spec: NULL (no framing) or "comp-lzo:no", "compress:lz4-v2", ... */
static int setup_comp(struct dec_state *st, const char *spec)
{
	char dir[32];
	enum comp_mode m = COMP_NONE;

	if (spec) {
		const char *colon = strchr(spec, ':');
		size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
		if (n >= sizeof(dir))
			return -1;
		memcpy(dir, spec, n);
		dir[n] = '\0';
		if (comp_mode_parse(dir, colon ? colon + 1 : NULL, &m))
			return -1;
	}
	return comp_init(&st->comp, m);
}

static void bad(struct dec_state *st, int dir, unsigned long idx, const char *what, int err)
{
	st->fail++;
	fprintf(stderr, "FAIL packet %lu (%s): %s (%d)\n", idx, dir ? "s2c" : "c2s", what, err);
}

static void decode_ctrl(struct dec_state *st, int dir, const uint8_t *p, size_t len,
			unsigned long idx)
{
	static uint8_t plain[WRAP_WIRE_MAX];
	struct pkt_ctrl pkt;

	int n = wrap_decode(&st->wrap_rx[dir], p, len, (uint64_t)time(NULL), plain,
			    sizeof(plain));
	if (n < 0) {
		bad(st, dir, idx, wrap_strerror(n), n);
		return;
	}
	int rc = pkt_ctrl_decode(plain, (size_t)n, &pkt);
	if (rc) {
		bad(st, dir, idx, "control packet does not parse", rc);
		return;
	}
	st->ctrl[dir]++;
}

/* Same key, same packet id: AEAD output is deterministic, so it must match byte for byte. */
static void reencrypt(struct dec_state *st, int dir, const uint8_t *p, size_t len,
		      const uint8_t *pt, size_t pt_len, unsigned long idx)
{
	static uint8_t again[MAX_PKT + DATA_MAX_OVERHEAD];
	uint8_t key_id;
	uint32_t peer;
	size_t hl = (p[0] >> 3) == DATA_OP_V2 ? DATA_HDR_V2_LEN : DATA_HDR_V1_LEN;

	if (!st->aead || hl != DATA_HDR_V2_LEN || data_peek_header(p, len, NULL, &key_id, &peer))
		return;
	uint32_t pid = (uint32_t)p[hl] << 24 | (uint32_t)p[hl + 1] << 16 |
		       (uint32_t)p[hl + 2] << 8 | p[hl + 3];
	struct data_key *k = st->key_tx[dir];
	if (peer != 0 || key_id != 0)
		return;	/* the re-encryption key is made for peer-id 0, key_id 0 */
	data_key_set_send_pid(k, pid - 1);
	ssize_t n = data_encrypt(k, 0, pt, pt_len, again, sizeof(again));
	if (n != (ssize_t)len || memcmp(again, p, len) != 0) {
		bad(st, dir, idx, "re-encryption differs from openvpn's packet", (int)n);
		return;
	}
	st->reenc[dir]++;
}

/* The payload after the compression framing must be a ping or a sane IP packet. */
static int classify(struct dec_state *st, int dir, const uint8_t *pt, size_t n)
{
	static uint8_t un[COMP_MAX_IN * 4];
	uint64_t before = st->comp.st.decompressed;
	ssize_t m = comp_unframe(&st->comp, pt, n, un, sizeof(un));

	if (m < 0)
		return (int)m;
	st->decomp[dir] += st->comp.st.decompressed - before;
	int kind = dpkt_classify(un, (size_t)m, NULL);
	if (kind == DPKT_PING) {
		st->pings[dir]++;
		return 0;
	}
	size_t ip_len = m >= 4 ? (size_t)un[2] << 8 | un[3] : 0;
	if (kind == DPKT_DATA && m >= 20 && (un[0] >> 4) == 4 && ip_len == (size_t)m) {
		st->ip[dir]++;
		return 0;
	}
	ip_len = m >= 6 ? 40 + ((size_t)un[4] << 8 | un[5]) : 0;
	if (kind == DPKT_DATA && m >= 40 && (un[0] >> 4) == 6 && ip_len == (size_t)m) {
		st->ip[dir]++;
		return 0;
	}
	return -EBADMSG;
}

static void decode_data(struct dec_state *st, int dir, const uint8_t *p, size_t len,
			unsigned long idx)
{
	static uint8_t pt[MAX_PKT];

	ssize_t n = data_decrypt(st->key_rx[dir], p, len, pt, sizeof(pt), (uint64_t)time(NULL));
	if (n < 0) {
		bad(st, dir, idx, data_strerror((int)n), (int)n);
		return;
	}
	st->data[dir]++;
	int rc = classify(st, dir, pt, (size_t)n);
	if (rc) {
		bad(st, dir, idx, "payload is neither a ping nor an IP packet", rc);
		return;
	}
	reencrypt(st, dir, p, len, pt, (size_t)n, idx);
}

static int decode_file(struct dec_state *st, const char *path)
{
	static uint8_t buf[MAX_PKT];
	uint8_t hdr[3];
	unsigned long idx = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	while (fread(hdr, 1, 3, f) == 3) {
		size_t len = (size_t)hdr[1] << 8 | hdr[2];
		int dir = hdr[0] & 1;
		if (len == 0 || len > sizeof(buf) || fread(buf, 1, len, f) != len)
			break;
		idx++;
		uint8_t op = buf[0] >> 3;
		if (op == DATA_OP_V1 || op == DATA_OP_V2)
			decode_data(st, dir, buf, len, idx);
		else if (pkt_op_is_control(op))
			decode_ctrl(st, dir, buf, len, idx);
		else
			bad(st, dir, idx, "unknown opcode", op);
	}
	fclose(f);
	return 0;
}

static int set_opt(struct dec_opts *o, const char *arg)
{
	static const struct { const char *name; size_t off; } keys[] = {
		{ "wrap=", offsetof(struct dec_opts, wrap) },
		{ "cipher=", offsetof(struct dec_opts, cipher) },
		{ "auth=", offsetof(struct dec_opts, auth) },
		{ "c2s_key=", offsetof(struct dec_opts, c2s_key) },
		{ "c2s_hmac=", offsetof(struct dec_opts, c2s_hmac) },
		{ "s2c_key=", offsetof(struct dec_opts, s2c_key) },
		{ "s2c_hmac=", offsetof(struct dec_opts, s2c_hmac) },
		{ "comp=", offsetof(struct dec_opts, comp) },
	};

	if (strncmp(arg, "min_data=", 9) == 0)
		return parse_uint(arg + 9, 1000000, &o->min_data);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i].name);
		if (strncmp(arg, keys[i].name, n) == 0) {
			*(const char **)((char *)o + keys[i].off) = arg + n;
			return 0;
		}
	}
	return -1;
}

static int cmd_decode(int argc, char **argv)
{
	struct dec_opts o = { .wrap = "none", .auth = "none", .c2s_hmac = "", .s2c_hmac = "" };
	static struct dec_state st;

	for (int i = 3; i < argc; i++)
		if (set_opt(&o, argv[i])) {
			fprintf(stderr, "datacap decode: bad argument '%s'\n", argv[i]);
			return 2;
		}
	if (argc < 3 || !o.cipher || !o.c2s_key || !o.s2c_key) {
		fprintf(stderr, "usage: datacap decode FILE cipher=... c2s_key=... s2c_key=...\n");
		return 2;
	}
	if (setup_wrap(&st, o.wrap) || setup_keys(&st, &o) || setup_comp(&st, o.comp) ||
	    decode_file(&st, argv[2])) {
		fprintf(stderr, "datacap decode: cannot set up keys or read %s\n", argv[2]);
		return 1;
	}
	for (int d = 0; d < 2; d++)
		printf("%s: control %lu, data %lu (pings %lu, ip %lu), re-encrypted %lu, "
		       "decompressed %lu\n", d ? "s2c" : "c2s", st.ctrl[d], st.data[d],
		       st.pings[d], st.ip[d], st.reenc[d], st.decomp[d]);
	printf("failures: %lu\n", st.fail);
	bool enough = st.data[0] >= o.min_data && st.data[1] >= o.min_data && st.ctrl[0] &&
		      st.ctrl[1];
	for (int d = 0; d < 2; d++) {
		data_key_free(st.key_rx[d]);
		wrap_free(&st.wrap_rx[d]);
	}
	return st.fail == 0 && enough ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "capture") == 0)
		return cmd_capture(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "decode") == 0)
		return cmd_decode(argc, argv);
	fprintf(stderr, "usage: datacap capture|decode ...\n");
	return 2;
}
