/* Every real-world config in the shared corpus: client profiles and server configs parse;
 * each deliberately broken file fails with a named file:line and a clear reason.
 * Parsing does not open the key files a config names (they are not in the corpus), so
 * missing files only show up in cfg_validate(), checked separately at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "util/log.h"

static char corpus[512];

static int find_corpus(void)
{
	const char *shared = getenv("BURROW_SHARED");
	const char *src = getenv("BURROW_SRC");

	if (shared)
		snprintf(corpus, sizeof(corpus), "%s/corpus", shared);
	else if (src)
		snprintf(corpus, sizeof(corpus), "%s/../shared/corpus", src);
	else
		snprintf(corpus, sizeof(corpus), "../shared/corpus");
	DIR *d = opendir(corpus);

	if (!d)
		return -1;
	closedir(d);
	return 0;
}

/* Parse every file in corpus/sub with role; returns how many there were. */
static int parse_all(const char *sub, enum cfg_role role)
{
	char dir[600], path[1200];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", corpus, sub);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct cfg c;
		struct cfg_err e;
		int ret;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		memset(&e, 0, sizeof(e));
		ret = cfg_load_file(path, role, &c, &e);
		if (ret != 0)
			fail_msg("%s: %s", de->d_name, e.text);
		cfg_free(&c);
		n++;
	}
	closedir(d);
	return n;
}

static void test_client_profiles_parse(void **state)
{
	(void)state;
	assert_int_equal(parse_all("ovpn", CFG_ROLE_CLIENT), 52);
}

static void test_server_configs_parse(void **state)
{
	(void)state;
	assert_int_equal(parse_all("server", CFG_ROLE_SERVER), 22);
}

static void test_auto_role(void **state)
{
	(void)state;
	/* with the role left to the file, every client and server file still parses */
	assert_int_equal(parse_all("ovpn", CFG_ROLE_AUTO), 52);
	assert_int_equal(parse_all("server", CFG_ROLE_AUTO), 22);
}

static const struct {
	const char *file;
	enum cfg_role role;
	int line;
	const char *directive;
	const char *problem;
} malformed[] = {
	{ "blackvpn__Privacy-Brazil.ovpn", CFG_ROLE_CLIENT, 26, "route-ipv6",
	  "bad IPv6 gateway '::1ping-restart'" },
	{ "ivacy__AF_Kabul_TCP.ovpn", CFG_ROLE_CLIENT, 1, "<<<<<<<",
	  "unresolved git merge-conflict marker" },
	{ "mikrotik-howto__client.ovpn", CFG_ROLE_CLIENT, 4, "remote",
	  "too many arguments (takes at most 3, got 4)" },
	{ "unquoted-push__server.conf", CFG_ROLE_SERVER, 24, "push",
	  "too many arguments (takes at most 1, got 3)" },
	{ "windows-server-pasted__client.ovpn", CFG_ROLE_AUTO, 1, "server.ovpn",
	  "unknown directive" },
};

static void test_malformed_fail_clearly(void **state)
{
	char path[1200], want[128];
	(void)state;

	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct cfg c;
		struct cfg_err e;

		memset(&e, 0, sizeof(e));
		snprintf(path, sizeof(path), "%s/malformed/%s", corpus, malformed[i].file);
		assert_int_equal(cfg_load_file(path, malformed[i].role, &c, &e), -EINVAL);
		assert_string_equal(e.file, path);
		assert_int_equal(e.line, malformed[i].line);
		assert_string_equal(e.directive, malformed[i].directive);
		assert_string_equal(e.problem, malformed[i].problem);
		snprintf(want, sizeof(want), "%s:%d: ", malformed[i].file, malformed[i].line);
		assert_non_null(strstr(e.text, want));
		cfg_free(&c);
	}
}

/* Spot checks that the parse is right, not just error-free. */
static void test_corpus_values(void **state)
{
	char path[1200];
	struct cfg c;
	struct cfg_err e;
	(void)state;

	snprintf(path, sizeof(path), "%s/ovpn/smartvpn__smartvpn-de001.ovpn", corpus);
	assert_int_equal(cfg_load_file(path, CFG_ROLE_CLIENT, &c, &e), 0);
	assert_int_equal(c.remotes.n, 4);	/* one per <connection> block */
	assert_true(c.ca.is_inline);
	cfg_free(&c);

	snprintf(path, sizeof(path), "%s/ovpn/nm-openvpn-tests__proxy-http.ovpn", corpus);
	assert_int_equal(cfg_load_file(path, CFG_ROLE_CLIENT, &c, &e), 0);
	assert_true(c.remotes.n >= 1);
	assert_non_null(c.unsupported.name);	/* http-proxy: refused at validate time */
	cfg_free(&c);

	snprintf(path, sizeof(path), "%s/server/windows-server__server.ovpn", corpus);
	assert_int_equal(cfg_load_file(path, CFG_ROLE_SERVER, &c, &e), 0);
	assert_non_null(c.ca.path);
	assert_non_null(strstr(c.ca.path, "C:\\Program Files\\OpenVPN\\"));
	cfg_free(&c);
}

/* cfg_validate() on every parsable corpus file: it never crashes, and when it refuses a file
 * (keys are redacted, referenced files are absent) the message names the file. */
static int validate_all(const char *sub)
{
	char dir[600], path[1200];
	struct dirent *de;
	int ok = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", corpus, sub);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct cfg c;
		struct cfg_err e;
		int ret;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		memset(&e, 0, sizeof(e));
		assert_int_equal(cfg_load_file(path, CFG_ROLE_AUTO, &c, &e), 0);
		ret = cfg_validate(&c, &e);
		if (ret == 0)
			ok++;
		else if (!strstr(e.text, de->d_name))
			fail_msg("%s: error does not name the file: %s", de->d_name, e.text);
		cfg_free(&c);
	}
	closedir(d);
	return ok;
}

static void test_validate_reports_missing_files(void **state)
{
	char path[1200], want[2048];
	struct cfg c;
	struct cfg_err e;
	(void)state;

	/* parse succeeded above; the absent ca.crt is reported by validate, with its line */
	snprintf(path, sizeof(path), "%s/ovpn/openvpn__client.conf", corpus);
	assert_int_equal(cfg_load_file(path, CFG_ROLE_CLIENT, &c, &e), 0);
	assert_int_equal(cfg_validate(&c, &e), -ENOENT);
	snprintf(want, sizeof(want), "%s:89: ca: cannot read '%s/ovpn/ca.crt': No such file or "
		 "directory", path, corpus);
	assert_non_null(strstr(e.text, want));
	cfg_free(&c);

	/* the redacted corpus keys are not keys: refused with the block's line */
	snprintf(path, sizeof(path), "%s/ovpn/nordvpn__ad10.nordvpn.com.udp.ovpn", corpus);
	assert_int_equal(cfg_load_file(path, CFG_ROLE_CLIENT, &c, &e), 0);
	assert_int_equal(cfg_validate(&c, &e), -EINVAL);
	assert_non_null(strstr(e.text, "nordvpn__ad10.nordvpn.com.udp.ovpn:63: tls-auth: inline "
			       "block: not a valid key"));
	cfg_free(&c);

	/* a Windows path gets a Windows hint */
	snprintf(path, sizeof(path), "%s/server/windows-server__server.ovpn", corpus);
	assert_int_equal(cfg_load_file(path, CFG_ROLE_SERVER, &c, &e), 0);
	assert_int_equal(cfg_validate(&c, &e), -ENOENT);
	assert_non_null(strstr(e.text, "this is a Windows path"));
	cfg_free(&c);

	/* profiles that need nothing from disk validate (inline ca + auth-user-pass) */
	assert_true(validate_all("ovpn") >= 1);
	validate_all("server");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_profiles_parse),
		cmocka_unit_test(test_server_configs_parse),
		cmocka_unit_test(test_auto_role),
		cmocka_unit_test(test_malformed_fail_clearly),
		cmocka_unit_test(test_corpus_values),
		cmocka_unit_test(test_validate_reports_missing_files),
	};

	if (find_corpus() < 0) {
		printf("SKIP config_corpus: the shared config corpus is not at %s "
		       "(check out ../shared next to the source tree, or set BURROW_SHARED)\n", corpus);
		return 77;
	}
	log_set_level(LOG_LVL_WARN);	/* the notices for ignored directives are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
