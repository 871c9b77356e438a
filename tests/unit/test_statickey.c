/* Key file formats (spec §5.1, §5.4), including keys made by the real `openvpn --genkey`
 * (skipped with a reason when openvpn is not installed). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "skip.h"

#include "proto/statickey.h"
#include "proto/wrap.h"

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/burrow-skey-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool have_openvpn(void)
{
	return system("command -v openvpn >/dev/null 2>&1") == 0;
}

/* Runs `openvpn ARGS` in tmpdir; fails the test if it does not succeed. */
static void openvpn(const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cd '%s' && openvpn %s >/dev/null 2>&1", tmpdir, args);
	assert_int_equal(system(cmd), 0);
}

static size_t slurp(const char *name, char *buf, size_t cap)
{
	char path[128];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, cap - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return n;
}

static void spill(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	fclose(fp);
}

static void test_v1_format_parse(void **state)
{
	uint8_t key[SKEY_LEN], back[SKEY_LEN];
	char text[SKEY_TEXT_MAX];
	int n;

	(void)state;
	for (int i = 0; i < SKEY_LEN; i++)
		key[i] = (uint8_t)i;
	n = skey_format(key, text, sizeof(text));
	assert_int_equal(n, (int)strlen(text));
	assert_int_equal(n, 38 + 16 * 33 + 36);
	assert_memory_equal(text, "-----BEGIN OpenVPN Static key V1-----\n"
				  "000102030405060708090a0b0c0d0e0f\n", 38 + 33);
	assert_string_equal(text + n - 36 - 33, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff\n"
						"-----END OpenVPN Static key V1-----\n");
	assert_int_equal(skey_parse(text, (size_t)n, back), 0);
	assert_memory_equal(back, key, SKEY_LEN);
	/* Too small a buffer. */
	assert_int_equal(skey_format(key, text, 100), -ENOBUFS);
	assert_int_equal(skey_format(key, text, (size_t)n), -ENOBUFS);
	assert_int_equal(skey_format(key, text, (size_t)n + 1), n);
}

static void test_v1_parse_variants(void **state)
{
	char text[SKEY_TEXT_MAX * 2], body[600];
	uint8_t key[SKEY_LEN];
	size_t off = 0;

	(void)state;
	/* Comments outside, CRLF lines, upper-case digits, odd line lengths. */
	for (int i = 0; i < SKEY_LEN; i++) {
		snprintf(body + off, sizeof(body) - off, "%02X", (unsigned)(255 - i));
		off += 2;
	}
	snprintf(text, sizeof(text), "#\r\n# 2048 bit OpenVPN static key\r\n#\r\n"
		 "-----BEGIN OpenVPN Static key V1-----\r\n%.100s\r\n%.300s \t\r\n%s\r\n"
		 "-----END OpenVPN Static key V1-----\r\ntrailing junk\n", body, body + 100,
		 body + 400);
	assert_int_equal(skey_parse(text, strlen(text), key), 0);
	for (int i = 0; i < SKEY_LEN; i++)
		assert_int_equal(key[i], 255 - i);
}

#define BEGIN1 "-----BEGIN OpenVPN Static key V1-----\n"
#define END1 "\n-----END OpenVPN Static key V1-----\n"

static void expect_bad(const char *head, const char *body, const char *tail)
{
	char text[2048];
	uint8_t key[SKEY_LEN];

	snprintf(text, sizeof(text), "%s%s%s", head, body, tail);
	assert_int_equal(skey_parse(text, strlen(text), key), -EINVAL);
}

static void test_v1_errors(void **state)
{
	char body[520];
	uint8_t key[SKEY_LEN];

	(void)state;
	memset(body, 'a', 512);
	body[512] = '\0';
	expect_bad(BEGIN1, body, "\n");				/* no END */
	expect_bad("", body, END1);					/* no BEGIN */
	expect_bad(BEGIN1, body, "\n" BEGIN1 END1);			/* two BEGINs */
	expect_bad(BEGIN1, body, "a" END1);				/* 513 digits */
	body[511] = '\0';
	expect_bad(BEGIN1, body, END1);					/* 511 digits */
	body[511] = 'g';
	expect_bad(BEGIN1, body, END1);					/* not hex */
	body[511] = 'a';
	expect_bad(BEGIN1, body, "\n-----END OpenVPN Static key V2-----\n");
	assert_int_equal(skey_parse(NULL, 10, key), -EINVAL);
	assert_int_equal(skey_parse("", 0, key), -EINVAL);
}

static void test_halves(void **state)
{
	uint8_t key[SKEY_LEN] = { 0 };
	const uint8_t *s, *r;

	(void)state;
	assert_int_equal(skey_halves(key, SKEY_DIR_NORMAL, &s, &r), 0);
	assert_ptr_equal(s, key);
	assert_ptr_equal(r, key + 128);
	assert_int_equal(skey_halves(key, SKEY_DIR_INVERSE, &s, &r), 0);
	assert_ptr_equal(s, key + 128);
	assert_ptr_equal(r, key);
	assert_int_equal(skey_halves(key, SKEY_DIR_BIDI, &s, &r), 0);
	assert_ptr_equal(s, key);
	assert_ptr_equal(r, key);
	assert_int_equal(skey_halves(key, 2, &s, &r), -EINVAL);
}

static void test_generate(void **state)
{
	char text[SKEY_TEXT_MAX], text2[SKEY_TEXT_MAX];
	uint8_t key[SKEY_LEN], back[SKEY_LEN], srv[SKEY_V2_SERVER_LEN], srv2[SKEY_V2_SERVER_LEN];

	(void)state;
	assert_true(skey_generate(text, sizeof(text), key) > 0);
	assert_int_equal(skey_parse(text, strlen(text), back), 0);
	assert_memory_equal(back, key, SKEY_LEN);
	assert_true(skey_generate(text2, sizeof(text2), NULL) > 0);
	assert_string_not_equal(text, text2);
	assert_true(skey_v2_server_generate(text, sizeof(text), srv) > 0);
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv2), 0);
	assert_memory_equal(srv, srv2, sizeof(srv));
}

static void test_v2_client_roundtrip(void **state)
{
	uint8_t srv[SKEY_V2_SERVER_LEN], kc[SKEY_LEN], kc2[SKEY_LEN], kc3[SKEY_LEN];
	uint8_t wkc[SKEY_WKC_MAX], meta[WRAP_META_MAX], tsmeta[9];
	char text[SKEY_TEXT_MAX];
	size_t wkc_len, meta_len;

	(void)state;
	assert_true(skey_v2_server_generate(text, sizeof(text), srv) > 0);
	skey_v2_meta_timestamp(0x0102030405060708u, tsmeta);
	assert_memory_equal(tsmeta, "\x01\x01\x02\x03\x04\x05\x06\x07\x08", 9);
	assert_true(skey_v2_client_generate(srv, tsmeta, 9, text, sizeof(text), kc) > 0);
	assert_int_equal(skey_v2_client_parse(text, strlen(text), kc2, wkc, sizeof(wkc),
					      &wkc_len), 0);
	assert_memory_equal(kc, kc2, SKEY_LEN);
	assert_int_equal(wkc_len, 32 + 256 + 9 + 2);	/* 299, as openvpn's default */
	assert_int_equal(wrap_v2_unwrap_wkc(srv, wkc, wkc_len, kc3, meta, sizeof(meta),
					    &meta_len), 0);
	assert_memory_equal(kc3, kc, SKEY_LEN);
	assert_int_equal(meta_len, 9);
	assert_memory_equal(meta, tsmeta, 9);
	/* A different server key does not unwrap it. */
	srv[70] ^= 1;
	assert_int_equal(wrap_v2_unwrap_wkc(srv, wkc, wkc_len, kc3, meta, sizeof(meta),
					    &meta_len), WRAP_ERR_WKC);
	/* Oversized metadata, and a WKc too large for the caller's buffer. */
	assert_int_equal(skey_v2_client_generate(srv, meta, WRAP_META_MAX + 1, text,
						 sizeof(text), NULL), -EINVAL);
	assert_int_equal(skey_v2_client_parse(text, strlen(text), kc2, wkc, 100, &wkc_len),
			 -EINVAL);
}

static void test_base64_errors(void **state)
{
	uint8_t srv[SKEY_V2_SERVER_LEN];
	char text[SKEY_TEXT_MAX];
	char *p;

	(void)state;
	assert_true(skey_v2_server_generate(text, sizeof(text), srv) > 0);
	p = strchr(text, '\n') + 1;	/* first base64 character */
	p[5] = '*';
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), -EINVAL);
	p[5] = 'A';
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), 0);
	/* 128 bytes end in one '=' of padding; padding in the middle is wrong. */
	p[5] = '=';
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), -EINVAL);
	p[5] = 'A';
	p = strstr(text, "=\n");
	assert_non_null(p);
	p[0] = 'A';	/* padding missing */
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), -EINVAL);
	p[0] = '=';
	p[-1] ^= 1;	/* non-zero bits in the padding */
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), -EINVAL);
	p[-1] ^= 1;
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), 0);
	memmove(p + 1, p, strlen(p) + 1);	/* "==": one '=' too many */
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), -EINVAL);
	/* A static key is not a v2 key and vice versa. */
	assert_true(skey_generate(text, sizeof(text), NULL) > 0);
	assert_int_equal(skey_v2_server_parse(text, strlen(text), srv), -EINVAL);
}

/* Keys from the real openvpn: our parser reads them and our formatter writes the same. */
static void test_openvpn_keys(void **state)
{
	char ovpn[SKEY_TEXT_MAX], ours[SKEY_TEXT_MAX];
	uint8_t key[SKEY_LEN], srv[SKEY_V2_SERVER_LEN], kc[SKEY_LEN], kc2[SKEY_LEN];
	uint8_t wkc[SKEY_WKC_MAX], meta[WRAP_META_MAX];
	size_t n, wkc_len, meta_len;
	uint64_t ts = 0;

	(void)state;
	if (!have_openvpn())
		test_skip("openvpn not installed (scripts/bootstrap installs it); --genkey interop not checked");
	openvpn("--genkey tls-auth ta.key");
	n = slurp("ta.key", ovpn, sizeof(ovpn));
	assert_int_equal(skey_parse(ovpn, n, key), 0);
	assert_true(skey_format(key, ours, sizeof(ours)) > 0);
	/* openvpn adds three comment lines before the armour; the rest is identical. */
	assert_non_null(strstr(ovpn, ours));

	openvpn("--genkey tls-crypt-v2-server v2srv.key");
	n = slurp("v2srv.key", ovpn, sizeof(ovpn));
	assert_int_equal(skey_v2_server_parse(ovpn, n, srv), 0);
	assert_true(skey_v2_server_format(srv, ours, sizeof(ours)) > 0);
	assert_string_equal(ours, ovpn);

	openvpn("--tls-crypt-v2 v2srv.key --genkey tls-crypt-v2-client v2cli.key");
	n = slurp("v2cli.key", ovpn, sizeof(ovpn));
	assert_int_equal(skey_v2_client_parse(ovpn, n, kc, wkc, sizeof(wkc), &wkc_len), 0);
	assert_int_equal(wkc_len, 299);
	assert_true(skey_v2_client_format(kc, wkc, wkc_len, ours, sizeof(ours)) > 0);
	assert_string_equal(ours, ovpn);
	assert_int_equal(wrap_v2_unwrap_wkc(srv, wkc, wkc_len, kc2, meta, sizeof(meta),
					    &meta_len), 0);
	assert_memory_equal(kc2, kc, SKEY_LEN);
	assert_int_equal(meta_len, 9);
	assert_int_equal(meta[0], SKEY_META_TIMESTAMP);
	for (int i = 1; i < 9; i++)
		ts = ts << 8 | meta[i];
	assert_true(ts + 86400 > (uint64_t)time(NULL) && ts < (uint64_t)time(NULL) + 86400);

	/* openvpn accepts our server key and makes client keys we can unwrap. */
	assert_true(skey_v2_server_generate(ours, sizeof(ours), srv) > 0);
	spill("oursrv.key", ours);
	openvpn("--tls-crypt-v2 oursrv.key --genkey tls-crypt-v2-client c2.key");
	n = slurp("c2.key", ovpn, sizeof(ovpn));
	assert_int_equal(skey_v2_client_parse(ovpn, n, kc, wkc, sizeof(wkc), &wkc_len), 0);
	assert_int_equal(wrap_v2_unwrap_wkc(srv, wkc, wkc_len, kc2, meta, sizeof(meta),
					    &meta_len), 0);
	assert_memory_equal(kc2, kc, SKEY_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_format_parse),
		cmocka_unit_test(test_v1_parse_variants),
		cmocka_unit_test(test_v1_errors),
		cmocka_unit_test(test_halves),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_v2_client_roundtrip),
		cmocka_unit_test(test_base64_errors),
		cmocka_unit_test(test_openvpn_keys),
	};

	return test_exit(cmocka_run_group_tests(tests, setup_dir, remove_dir));
}
