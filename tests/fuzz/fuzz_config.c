/* libFuzzer target for the config parser: arbitrary bytes as a profile (lexer, inline
 * blocks, <connection>, every parse function, then cfg_validate() with its PEM, PKCS#12,
 * static-key and user/pass checks on inline blocks), as a client-config-dir file, and
 * split on NUL bytes as command-line overrides. Relative paths resolve under a directory
 * that does not exist; cfg_validate() only ever reads regular files. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "util/log.h"

#define MAX_ARGV 64

static void fuzz_args(const uint8_t *data, size_t size, struct cfg *c)
{
	static char buf[4096];
	char *argv[MAX_ARGV];
	struct cfg_err err;
	size_t n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
	int argc = 0;

	memcpy(buf, data, n);
	buf[n] = '\0';
	for (size_t i = 0; i <= n && argc < MAX_ARGV; ) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	cfg_apply_args(argc, argv, c, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg c;
	struct cfg_ccd ccd = { 0 };
	struct cfg_err err;

	log_set_level(LOG_LVL_ERROR);
	cfg_init(&c, size && (data[0] & 1) ? CFG_ROLE_SERVER : CFG_ROLE_AUTO);
	if (cfg_load_text((const char *)data, size, "fuzz.ovpn", "/nonexistent", &c, &err) == 0)
		cfg_validate(&c, &err);
	cfg_free(&c);
	cfg_init(&c, CFG_ROLE_CLIENT);
	fuzz_args(data, size, &c);
	cfg_free(&c);
	cfg_ccd_parse((const char *)data, size, "ccd/fuzz", &ccd, &err);
	cfg_ccd_free(&ccd);
	return 0;
}
