#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/srvstatus.h"

static const struct srvstatus_client two[2] = {
	{ .cn = "alice", .real = "10.99.1.2:40000", .v4 = "10.8.0.2", .v6 = "fd00::1000",
	  .bytes_in = 1234, .bytes_out = 5678, .since = 1764075540, .peer_id = 0,
	  .cipher = "AES-256-GCM" },
	{ .cn = "bob", .real = "[fd00:99::2]:1194", .v4 = "10.8.0.3", .bytes_in = 1,
	  .bytes_out = 2, .since = 1764075541, .peer_id = 1, .cipher = "CHACHA20-POLY1305" },
};

static char *format(int version)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	srvstatus_format(fp, version, two, 2, 1764075600);
	fclose(fp);
	return buf;
}

static void round_trip(int version)
{
	struct srvstatus_client got[4];
	char *text = format(version);

	assert_int_equal(srvstatus_parse(text, got, 4), 2);
	assert_string_equal(got[0].cn, "alice");
	assert_string_equal(got[1].real, "[fd00:99::2]:1194");
	assert_int_equal(got[0].bytes_in, 1234);
	assert_int_equal(got[1].bytes_out, 2);
	if (version != 1) {
		assert_string_equal(got[0].v4, "10.8.0.2");
		assert_string_equal(got[0].v6, "fd00::1000");
		assert_int_equal(got[1].since, 1764075541);
		assert_int_equal(got[1].peer_id, 1);
		assert_string_equal(got[1].cipher, "CHACHA20-POLY1305");
	}
	free(text);
}

static void test_v1(void **state) { (void)state; round_trip(1); }
static void test_v2(void **state) { (void)state; round_trip(2); }
static void test_v3(void **state) { (void)state; round_trip(3); }

static void test_v2_layout(void **state)
{
	char *text = format(2);

	(void)state;
	assert_non_null(strstr(text, "HEADER,CLIENT_LIST,Common Name,Real Address,"));
	assert_non_null(strstr(text, "CLIENT_LIST,alice,10.99.1.2:40000,10.8.0.2,fd00::1000,1234,5678,"));
	assert_non_null(strstr(text, "ROUTING_TABLE,10.8.0.3,bob,"));
	assert_non_null(strstr(text, "\nEND\n"));
	free(text);
}

static void test_not_a_status_file(void **state)
{
	struct srvstatus_client got[1];

	(void)state;
	assert_int_equal(srvstatus_parse("hello\nworld\n", got, 1), -EINVAL);
	assert_int_equal(srvstatus_parse("", got, 1), -EINVAL);
	/* short CLIENT_LIST rows are skipped, not trusted */
	assert_int_equal(srvstatus_parse("TITLE,x\nCLIENT_LIST,a,b\nEND\n", got, 1), 0);
	/* more rows than room */
	char *text = format(2);
	assert_int_equal(srvstatus_parse(text, got, 1), 1);
	free(text);
}

/* A ',' or a line break in a name (had one slipped past server_auth_identity) can never add
 * a column or a row: each row still parses with the right fields. */
static void test_name_cannot_split_rows(void **state)
{
	struct srvstatus_client odd[1] = { two[0] }, got[2];

	(void)state;
	snprintf(odd[0].cn, sizeof(odd[0].cn), "ev,il\nx\t$(id)");
	for (int v = 1; v <= 3; v++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&buf, &len);

		assert_non_null(fp);
		srvstatus_format(fp, v, odd, 1, 1764075600);
		fclose(fp);
		assert_int_equal(srvstatus_parse(buf, got, 2), 1);
		assert_string_equal(got[0].cn, v == 3 ? "ev,il_x_$(id)" : "ev_il_x_$(id)");
		assert_string_equal(got[0].real, "10.99.1.2:40000");
		assert_int_equal(got[0].bytes_in, 1234);
		free(buf);
	}
}

/* The rows grow with the clients: a server with more than 1,024 clients lists them all. */
static void test_many_clients(void **state)
{
	enum { N = 1500 };
	struct srvstatus_rows rows = { 0 };
	struct srvstatus_client *got = calloc(N + 10, sizeof(*got));
	char *text = NULL;
	FILE *fp;
	size_t size = 0;

	(void)state;
	assert_non_null(got);
	for (int i = 0; i < N; i++) {
		struct srvstatus_client *r = srvstatus_rows_add(&rows);

		assert_non_null(r);
		snprintf(r->cn, sizeof(r->cn), "client%d", i);
		snprintf(r->real, sizeof(r->real), "10.99.%d.%d:1194", i / 250, i % 250 + 1);
		snprintf(r->v4, sizeof(r->v4), "10.8.%d.%d", i / 250, i % 250 + 2);
		r->peer_id = (uint32_t)i;
	}
	assert_int_equal(rows.n, N);
	assert_true(rows.cap >= N);
	fp = open_memstream(&text, &size);
	assert_non_null(fp);
	srvstatus_format(fp, 2, rows.v, rows.n, 1764075600);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(srvstatus_parse(text, got, N + 10), N);
	assert_string_equal(got[N - 1].cn, "client1499");
	assert_int_equal(got[N - 1].peer_id, N - 1);
	/* reused for the next write: emptied, room kept */
	srvstatus_rows_reset(&rows);
	assert_int_equal(rows.n, 0);
	assert_true(rows.cap >= N);
	assert_int_equal(srvstatus_rows_reserve(&rows, 10), 0);
	srvstatus_rows_free(&rows);
	assert_null(rows.v);
	free(text);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v3),
		cmocka_unit_test(test_v2_layout),
		cmocka_unit_test(test_name_cannot_split_rows),
		cmocka_unit_test(test_not_a_status_file),
		cmocka_unit_test(test_many_clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
