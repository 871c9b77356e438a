#include "cmd/cli.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <stdio.h>

#include "config.h"

/* clang's __VERSION__ names itself; gcc's is the bare number. */
#if defined(__GNUC__) && !defined(__clang__)
#define VERSION_CC_NAME "gcc "
#else
#define VERSION_CC_NAME ""
#endif

int cmd_version(int argc, char **argv)
{
	if (argc > 1)
		return cli_usage_error("version", "takes no arguments (got '%s')", argv[1]);
	printf("burrow %s\n", BURROW_VERSION);
	printf("OpenSSL: %s (built against %s)\n", OpenSSL_version(OPENSSL_VERSION),
	       OPENSSL_VERSION_TEXT);
	printf("build: %s, sanitizers: %s, compiler: %s%s\n", BURROW_BUILD_TYPE,
	       BURROW_SANITIZE, VERSION_CC_NAME, __VERSION__);
	return CLI_OK;
}
