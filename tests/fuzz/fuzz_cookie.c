/* Fuzzes the stateless cookie check with fixed keys in every wrapping mode (byte 0 picks the
 * mode and the time slot); a REPLY must fit the buffer and an ACCEPT must name the sid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cookie.h"
#include "proto/wrap.h"

static struct cookie_ctx *ctx[4];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t secret[COOKIE_SECRET_LEN] = { 1, 2, 3 };
	struct sess_conf c;

	(void)argc;
	(void)argv;
	for (int m = 0; m < 4; m++) {
		memset(&c, 0, sizeof(c));
		c.role = SESS_SERVER;
		c.wrap = (enum sess_wrap)m;
		for (size_t i = 0; i < sizeof(c.wrap_key); i++)
			c.wrap_key[i] = (uint8_t)(i * 5 + 1);
		for (size_t i = 0; i < sizeof(c.v2_server_key); i++)
			c.v2_server_key[i] = (uint8_t)(i * 3 + 7);
		ctx[m] = cookie_new(secret, &c);
		if (!ctx[m])
			abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t peer[16] = { 2, 0, 4, 0xaa, 127, 0, 0, 1 };
	uint8_t reply[COOKIE_REPLY_MAX];
	size_t rlen = 0;
	struct cookie_accept acc;

	if (size < 1)
		return 0;
	uint64_t now = (uint64_t)(data[0] >> 2) * 30000;
	enum cookie_verdict v = cookie_check(ctx[data[0] & 3], peer, sizeof(peer), now, 1700000000,
					     data + 1, size - 1, reply, &rlen, &acc, NULL);
	if (v == COOKIE_REPLY && (rlen == 0 || rlen > sizeof(reply)))
		abort();
	return 0;
}
