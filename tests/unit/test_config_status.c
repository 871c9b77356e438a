/* The status column of the option table (issue 12, "nothing silently ignored"): every row
 * says whether burrow honours the directive (and names the test that shows it), notices it
 * (a warning saying why it does not matter here) or refuses it (file:line: why — what to
 * do). The named tests exist, noticed directives warn, refused ones fail cfg_validate(),
 * `help directives --json` carries the column, and the manual lists the reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/cfg_impl.h"
#include "util/log.h"

static const char *src_dir(void)
{
	const char *src = getenv("BURROW_SRC");

	if (!src)
		fail_msg("BURROW_SRC is not set (meson sets it for the unit tests)");
	return src;
}

/* The whole file, NUL-terminated (NULL when it cannot be read). */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[n] = '\0';
		}
	}
	fclose(fp);
	return buf;
}

static void test_every_row_declares_a_status(void **state)
{
	const char *src = src_dir();
	unsigned counts[4] = { 0 };
	(void)state;

	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];

		switch (o->status) {
		case CFG_ST_HONOURED: {
			char file[512], path[1024];
			const char *fn;
			char *text;

			if (!o->test || !o->test[0])
				fail_msg("%s: honoured, but names no test", o->name);
			if (strncmp(o->test, "tests/", 6) != 0)
				fail_msg("%s: test '%s' is not under tests/", o->name, o->test);
			snprintf(file, sizeof(file), "%s", o->test);
			fn = strchr(o->test, ':');
			if (fn)
				file[fn++ - o->test] = '\0';
			snprintf(path, sizeof(path), "%s/%s", src, file);
			text = slurp(path);
			if (!text)
				fail_msg("%s: its test %s does not exist", o->name, path);
			/* the test names the directive, or the anchor after ':' (a function, or
			 * how the test spells it, e.g. OVPN_PROTO=tcp) says where it is used */
			if (fn && !strstr(text, fn))
				fail_msg("%s: %s has no '%s'", o->name, file, fn);
			if (!fn && !strstr(text, o->name))
				fail_msg("%s: %s does not mention it", o->name, file);
			free(text);
			assert_null(o->why);
			break;
		}
		case CFG_ST_NOTICED:
			if (!o->why || strlen(o->why) < 10)
				fail_msg("%s: noticed, but says not why it does not matter", o->name);
			assert_null(o->test);
			assert_null(o->todo);
			break;
		case CFG_ST_REFUSED:
			if (!o->why || !o->why[0] || !o->todo || !o->todo[0])
				fail_msg("%s: refused, but without why and what to do", o->name);
			assert_null(o->test);
			break;
		default:
			fail_msg("%s: no status (HON/NOTE/REFUSE in src/config/options.c)", o->name);
		}
		counts[o->status]++;
	}
	printf("option table: %u honoured, %u noticed, %u refused\n", counts[CFG_ST_HONOURED],
	       counts[CFG_ST_NOTICED], counts[CFG_ST_REFUSED]);
	assert_int_equal(counts[CFG_ST_UNDECLARED], 0);
}

static int load(const char *text, enum cfg_role role, struct cfg *c, struct cfg_err *e)
{
	memset(e, 0, sizeof(*e));
	cfg_init(c, role);
	return cfg_load_text(text, strlen(text), "t.conf", NULL, c, e);
}

/* The refusal names file:line and the directive, then the table's why — what to do. */
static void expect_refused(const char *text, enum cfg_role role, int line, const char *dir,
			   const char *why)
{
	struct cfg c;
	struct cfg_err e;
	char want[512];

	assert_int_equal(load(text, role, &c, &e), 0);
	assert_int_equal(cfg_validate(&c, &e), -EINVAL);
	snprintf(want, sizeof(want), "t.conf:%d: %s: %s", line, dir, why);
	if (strncmp(e.text, want, strlen(want)) != 0 || !strstr(e.text, " \u2014 "))
		fail_msg("want '%s... \u2014 what to do', got '%s'", want, e.text);
	cfg_free(&c);
}

static void test_refused_rows_fail_validate(void **state)
{
	(void)state;

	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];
		char text[256];

		/* the refused directives that take one number or nothing: given as such */
		if (o->status != CFG_ST_REFUSED || o->min_args > 1 || !(o->roles & CFG_R_CLIENT))
			continue;
		snprintf(text, sizeof(text), "client\nremote vpn.example\n%s%s\n", o->name,
			 o->min_args ? " 30" : "");
		expect_refused(text, CFG_ROLE_CLIENT, 3, o->name, o->why);
	}
	expect_refused("client\nremote x\nremote-cert-ku 80 08\n", CFG_ROLE_CLIENT, 3,
		       "remote-cert-ku", cfg_option_find("remote-cert-ku")->why);
	expect_refused("server 10.8.0.0 255.255.255.0\ntls-crypt-v2-max-age 30\n",
		       CFG_ROLE_SERVER, 2, "tls-crypt-v2-max-age",
		       cfg_option_find("tls-crypt-v2-max-age")->why);
	expect_refused("server 10.8.0.0 255.255.255.0\nifconfig-pool 10.8.0.10 10.8.0.20\n",
		       CFG_ROLE_SERVER, 2, "ifconfig-pool", cfg_option_find("ifconfig-pool")->why);
	/* honoured by the client; a server refuses them, and inactive's BYTES */
	expect_refused("server 10.8.0.0 255.255.255.0\ninactive 600\n", CFG_ROLE_SERVER, 2,
		       "inactive", "a burrow server does not stop");
	expect_refused("server 10.8.0.0 255.255.255.0\nping-exit 60\n", CFG_ROLE_SERVER, 2,
		       "ping-exit", "a burrow server does not stop");
	expect_refused("client\nremote x\ninactive 600 100000\n", CFG_ROLE_CLIENT, 3,
		       "inactive", "the BYTES threshold is not counted");
	/* argument-level refusals inside honoured rows */
	expect_refused("server 10.8.0.0 255.255.255.0 nopool\n", CFG_ROLE_SERVER, 1, "server",
		       "'nopool' is not honoured");
	expect_refused("client\nremote x\nredirect-gateway def1 block-local\n", CFG_ROLE_CLIENT, 3,
		       "redirect-gateway", "'block-local' is not implemented");
	expect_refused("server 10.8.0.0 255.255.255.0\nifconfig-pool-persist ipp.txt 0\n",
		       CFG_ROLE_SERVER, 2, "ifconfig-pool-persist", "SECONDS 0");
	expect_refused("dev tap\nserver-bridge 192.168.1.1 255.255.255.0 192.168.1.100 "
		       "192.168.1.200\n", CFG_ROLE_SERVER, 2, "server-bridge",
		       "its address pool is not handed out");
}

/* Noticed directives are accepted and counted (each logs its warning). */
static void test_noticed_rows_are_counted(void **state)
{
	static const char *const noticed[] = {
		"mute 20", "auth-nocache", "resolv-retry infinite", "float", "txqueuelen 1000",
		"server-poll-timeout 10", "persist-key", "allow-compression yes", "comp-lzo no",
		"daemon", "writepid /run/x.pid",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(noticed) / sizeof(noticed[0]); i++) {
		char text[256], name[64];
		struct cfg c;
		struct cfg_err e;

		sscanf(noticed[i], "%63s", name);
		assert_int_equal(cfg_option_find(name)->status, CFG_ST_NOTICED);
		snprintf(text, sizeof(text), "client\nremote x\n%s\n", noticed[i]);
		assert_int_equal(load(text, CFG_ROLE_CLIENT, &c, &e), 0);
		assert_int_equal(c.n_ignored, 1);
		assert_null(c.unsupported.name);
		cfg_free(&c);
	}
	/* argument-level notices: the row is honoured, the flag is only noticed */
	{
		struct cfg c;
		struct cfg_err e;

		assert_int_equal(load("client\nremote x\nredirect-gateway def1 bypass-dhcp\n",
				      CFG_ROLE_CLIENT, &c, &e), 0);
		assert_int_equal(c.n_ignored, 1);
		assert_null(c.unsupported.name);
		cfg_free(&c);
		assert_int_equal(load("server 10.8.0.0 255.255.255.0\nifconfig-pool-persist f 300\n",
				      CFG_ROLE_SERVER, &c, &e), 0);
		assert_int_equal(c.n_ignored, 1);
		cfg_free(&c);
		/* the table default (600) is not the user's: no notice */
		assert_int_equal(load("server 10.8.0.0 255.255.255.0\nifconfig-pool-persist f\n",
				      CFG_ROLE_SERVER, &c, &e), 0);
		assert_int_equal(c.n_ignored, 0);
		cfg_free(&c);
	}
}

static void test_help_prints_status(void **state)
{
	static char buf[1 << 20];
	FILE *fp = fmemopen(buf, sizeof(buf) - 1, "w");
	char want[512];
	(void)state;

	assert_non_null(fp);
	cfg_print_directives(fp);
	fclose(fp);
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];

		if (o->status == CFG_ST_HONOURED)
			snprintf(want, sizeof(want), "honoured (%s)\n", o->test);
		else if (o->status == CFG_ST_NOTICED)
			snprintf(want, sizeof(want), "noticed: %s\n", o->why);
		else
			snprintf(want, sizeof(want), "refused: %s \u2014 %s\n", o->why, o->todo);
		if (!strstr(buf, want))
			fail_msg("help directives lacks '%s'", want);
	}

	fp = fmemopen(buf, sizeof(buf) - 1, "w");
	assert_non_null(fp);
	cfg_print_directives_json(fp);
	fclose(fp);
	assert_true(buf[0] == '[');
	assert_non_null(strstr(buf, "{\"name\": \"mute\", \"roles\": [\"client\", \"server\"], "
				    "\"min_args\": 1, \"max_args\": 1, \"args\": \"N\", "
				    "\"inline\": false, \"status\": \"noticed\", \"default\": null, "
				    "\"reason\": \""));
	assert_non_null(strstr(buf, "\"name\": \"pull-filter\", \"roles\": [\"client\"]"));
	assert_non_null(strstr(buf, "\"status\": \"honoured\", \"default\": null, "
				    "\"test\": \"tests/netns/client_pullfilter.sh\""));
	assert_non_null(strstr(buf, "\"status\": \"refused\""));
	assert_non_null(strstr(buf, "\"todo\": \""));
	assert_non_null(strstr(buf, "\"default\": \"1194\""));
	assert_non_null(strstr(buf, "}\n]\n"));
}

/* Roff source as a reader sees it: no \- \f? \& \(em escapes. */
static void deroff(const char *in, char *out, size_t cap)
{
	size_t w = 0;

	for (const char *p = in; *p && w + 4 < cap; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			out[w++] = '-';
			p++;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2]) {
			p += 2;
		} else if (p[0] == '\\' && p[1] == '&') {
			p++;
		} else if (p[0] == '\\' && p[1] == '(' && p[2] == 'e' && p[3] == 'm') {
			memcpy(out + w, "\u2014", 3);
			w += 3;
			p += 3;
		} else {
			out[w++] = *p;
		}
	}
	out[w] = '\0';
}

/* man/burrow.8 lists every noticed and refused directive with its reason. */
static void test_man_page_lists_reasons(void **state)
{
	char path[512], *raw, *page;
	size_t len;
	(void)state;

	snprintf(path, sizeof(path), "%s/man/burrow.8", src_dir());
	raw = slurp(path);
	assert_non_null(raw);
	len = strlen(raw) + 1;
	page = malloc(len);
	assert_non_null(page);
	deroff(raw, page, len);
	/* joined lines: roff wraps a reason anywhere */
	for (char *p = page; *p; p++)
		if (*p == '\n')
			*p = ' ';
	for (size_t i = 0; i < cfg_n_options; i++) {
		const struct cfg_option *o = &cfg_options[i];
		char want[512];

		if (o->status == CFG_ST_HONOURED)
			continue;
		snprintf(want, sizeof(want), ".B %s %s: %s", o->name,
			 o->status == CFG_ST_NOTICED ? "noticed" : "refused", o->why);
		if (!strstr(page, want))
			fail_msg("man/burrow.8 does not give '%s'", want);
		if (o->todo && !strstr(page, o->todo))
			fail_msg("man/burrow.8 does not say what to do about %s: '%s'", o->name,
				 o->todo);
	}
	free(page);
	free(raw);
}

/* Honoured directives whose effect lives in core code (sessconf.c, client_sess.c,
 * server_peer.c, script_client.c, client_tun.c) with no end-to-end test yet: at least the
 * value reaches the field that code reads. */
static void test_values_for_core(void **state)
{
	struct cfg c;
	struct cfg_err e;
	(void)state;

	assert_int_equal(load("client\nremote x\nauth-retry nointeract\ndown-pre\nup-restart\n"
			      "log-append /tmp/x.log\ntls-ciphersuites TLS_AES_256_GCM_SHA384\n"
			      "tls-version-max 1.3\nreneg-pkts 1000\necdh-curve prime256v1\n"
			      "ifconfig-ipv6 fd00::2/64 fd00::1\n", CFG_ROLE_CLIENT, &c, &e), 0);
	assert_string_equal(c.auth_retry, "nointeract");
	assert_true(c.down_pre);
	assert_true(c.up_restart);
	assert_true(c.log_append);
	assert_string_equal(c.log, "/tmp/x.log");
	assert_string_equal(c.tls_ciphersuites, "TLS_AES_256_GCM_SHA384");
	assert_int_equal(c.tls_version_max, 0x0304);	/* TLS1_3_VERSION */
	assert_int_equal(c.reneg_pkts, 1000);
	assert_string_equal(c.ecdh_curve, "prime256v1");
	assert_true(c.ifconfig_ipv6.set);
	assert_int_equal(c.ifconfig_ipv6.prefix, 64);
	assert_int_equal(c.n_ignored, 0);
	cfg_free(&c);

	assert_int_equal(load("dev tap\nserver-bridge\nccd-exclusive\n", CFG_ROLE_SERVER, &c, &e),
			 0);
	assert_true(c.server_bridge.set);
	assert_int_equal(c.mode, CFG_MODE_SERVER);
	assert_true(c.ccd_exclusive);
	assert_null(c.unsupported.name);
	cfg_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_declares_a_status),
		cmocka_unit_test(test_refused_rows_fail_validate),
		cmocka_unit_test(test_noticed_rows_are_counted),
		cmocka_unit_test(test_help_prints_status),
		cmocka_unit_test(test_man_page_lists_reasons),
		cmocka_unit_test(test_values_for_core),
	};

	log_set_level(LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
