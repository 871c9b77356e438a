/* Status file: the fields a person or script reads, atomic replacement, sizing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/status.h"

static const struct status_peer peer = {
	.name = "server", .remote = "127.0.0.1:1194", .proto = "udp", .state = "connected",
	.device = "tun0", .ipv4 = "10.8.0.2/24", .ipv6 = NULL, .cipher = "AES-256-GCM",
	.key_id = 1, .since = 1000, .bytes_in = 12345, .bytes_out = 678,
	.link_in = 20000, .link_out = 3000, .dropped = 42,
};

static void test_format_fields(void **state)
{
	char buf[2048];
	int n;

	(void)state;
	n = status_format(buf, sizeof(buf), &peer, 1, 1060);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(strstr(buf, "# burrow status, updated 1970-01-01T00:17:40Z\n"));
	assert_non_null(strstr(buf, "\nstate=connected\n"));
	assert_non_null(strstr(buf, "\ndevice=tun0\n"));
	assert_non_null(strstr(buf, "\nipv4=10.8.0.2/24\n"));
	assert_non_null(strstr(buf, "\nipv6=-\n"));
	assert_non_null(strstr(buf, "\ncipher=AES-256-GCM\n"));
	assert_non_null(strstr(buf, "\nkey_id=1\n"));
	assert_non_null(strstr(buf, "\nconnected_since=1970-01-01T00:16:40Z\n"));
	assert_non_null(strstr(buf, "\nconnected_seconds=60\n"));
	assert_non_null(strstr(buf, "\ntun_bytes_in=12345\ntun_bytes_out=678\n"));
	assert_non_null(strstr(buf, "\nlink_bytes_in=20000\nlink_bytes_out=3000\n"));
	assert_non_null(strstr(buf, "\ndropped_packets=42\n"));
}

static void test_format_sizing_and_many(void **state)
{
	struct status_peer two[2] = { peer, peer };
	char small[16], *big;
	int need;

	(void)state;
	two[1].key_id = -1;
	two[1].since = 0;
	need = status_format(small, sizeof(small), two, 2, 1060);
	assert_true(need > (int)sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);	/* truncated, terminated */
	big = malloc((size_t)need + 1);
	assert_non_null(big);
	assert_int_equal(status_format(big, (size_t)need + 1, two, 2, 1060), need);
	assert_non_null(strstr(big, "[peer 0]"));
	assert_non_null(strstr(big, "[peer 1]"));
	assert_non_null(strstr(big, "key_id=-\n"));
	assert_non_null(strstr(big, "connected_since=-\n"));
	free(big);
}

static void test_write_replaces(void **state)
{
	char dir[] = "/tmp/burrow-status-XXXXXX", path[128], tmp[140], buf[4096];
	struct status_peer p = peer;
	FILE *fp;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/status", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(status_write(path, &p, 1), 0);
	p.bytes_in = 99;
	assert_int_equal(status_write(path, &p, 1), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(buf, "tun_bytes_in=99\n"));
	assert_int_equal(access(tmp, F_OK), -1);	/* no temp file left */
	assert_int_equal(status_write("/nonexistent-dir/x/status", &p, 1), -ENOENT);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_fields),
		cmocka_unit_test(test_format_sizing_and_many),
		cmocka_unit_test(test_write_replaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
