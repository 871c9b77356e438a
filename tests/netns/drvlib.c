/* Helpers shared by sessdrive and manyc (drvlib.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drvlib.h"
#include "proto/session.h"
#include "proto/statickey.h"
#include "proto/tls.h"

uint64_t drv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint16_t drv_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t drv_icmp_echo(uint8_t *p, const struct in_addr *src, const uint8_t dst[4], uint16_t seq)
{
	uint8_t *icmp = p + 20;
	uint16_t c;

	memset(p, 0, DRV_ECHO_LEN);
	p[0] = 0x45;
	p[3] = DRV_ECHO_LEN;
	p[8] = 64;
	p[9] = 1;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	c = drv_csum(p, 20);
	p[10] = (uint8_t)(c >> 8), p[11] = (uint8_t)c;
	icmp[0] = 8;
	icmp[4] = DRV_ECHO_ID >> 8, icmp[5] = DRV_ECHO_ID & 0xff;
	icmp[6] = (uint8_t)(seq >> 8), icmp[7] = (uint8_t)seq;
	memcpy(icmp + 8, "burrow-session-interop-check....................", 48);
	c = drv_csum(icmp, DRV_ECHO_LEN - 20);
	icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
	return DRV_ECHO_LEN;
}

bool drv_is_echo_reply(const uint8_t *p, size_t n, uint16_t *seq)
{
	size_t ihl;

	if (n < 28 || (p[0] >> 4) != 4 || p[9] != 1)
		return false;
	ihl = (size_t)(p[0] & 15) * 4;
	if (ihl < 20 || n < ihl + 8 || p[ihl] != 0 ||
	    (p[ihl + 4] << 8 | p[ihl + 5]) != DRV_ECHO_ID)
		return false;
	*seq = (uint16_t)(p[ihl + 6] << 8 | p[ihl + 7]);
	return true;
}

int drv_load(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = 0;
	return (int)n;
}

int drv_wrap_arg(struct sess_conf *c, const char *opt, const char *file)
{
	char text[8192];
	int n;

	if (strcmp(opt, "--tls-crypt") && strcmp(opt, "--tls-auth") && strcmp(opt, "--v2"))
		return -EINVAL;
	n = drv_load(file, text, sizeof(text));
	if (n < 0)
		return n;
	if (!strcmp(opt, "--tls-crypt")) {
		c->wrap = SESS_WRAP_TLS_CRYPT;
		return skey_parse(text, (size_t)n, c->wrap_key);
	}
	if (!strcmp(opt, "--tls-auth")) {
		c->wrap = SESS_WRAP_TLS_AUTH;
		c->key_dir = SESS_KEYDIR_INVERSE;
		return skey_parse(text, (size_t)n, c->wrap_key);
	}
	c->wrap = SESS_WRAP_TLS_CRYPT_V2;
	return skey_v2_client_parse(text, (size_t)n, c->wrap_key, c->wkc, sizeof(c->wkc),
				    &c->wkc_len);
}

int drv_make_tls(struct tls_conf **out, const char *dir, bool server)
{
	char ca[512], crt[512], key[512], err[TLS_ERR_MAX];
	struct tls_conf_opts o = { .role = TLS_ROLE_CLIENT, .remote_cert = TLS_REMOTE_CERT_SERVER };
	const char *who = server ? "server" : "client";
	int r;

	if (server) {
		o.role = TLS_ROLE_SERVER;
		o.remote_cert = TLS_REMOTE_CERT_CLIENT;
	}
	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", dir, who);
	o.ca.path = ca;
	o.cert.path = crt;
	o.key.path = key;
	r = tls_conf_new(out, &o, err, sizeof(err));
	if (r)
		fprintf(stderr, "tls: %s\n", err);
	return r;
}
