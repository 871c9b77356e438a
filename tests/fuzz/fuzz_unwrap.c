/* Fuzzes control-channel unwrapping: wrap_decode() in every mode, the tls-crypt-v2 WKc
 * unwrap, a wrap/unwrap round trip of the input as plaintext (which must succeed and give
 * the input back), and the key file parsers.  Byte 0 picks the case; keys are fixed so runs
 * are reproducible. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/packet.h"
#include "proto/statickey.h"
#include "proto/wrap.h"

#define NOW 1700000000u

static void fixed_key(uint8_t *k, size_t n, uint8_t salt)
{
	for (size_t i = 0; i < n; i++)
		k[i] = (uint8_t)(i * 7 + salt);
}

/* Sets up a receiving ctx (and, for the round trip, its peer) for case c. */
static int setup(uint8_t c, struct wrap_ctx *rx, struct wrap_ctx *tx)
{
	static const char *const digests[] = { "SHA1", "SHA256", "SHA512" };
	uint8_t key[WRAP_KEY2_LEN], srv[WRAP_V2_SERVER_KEY_LEN], wkc[WRAP_WKC_MAX];
	int n;

	fixed_key(key, sizeof(key), 3);
	switch (c % 6) {
	case 0:
		return wrap_init_none(rx) || wrap_init_none(tx);
	case 1: case 2: case 3:
		return wrap_init_auth(rx, digests[c % 6 - 1], key, WRAP_DIR_NORMAL) ||
		       wrap_init_auth(tx, digests[c % 6 - 1], key, WRAP_DIR_INVERSE);
	case 4:
		return wrap_init_crypt(rx, key, true) || wrap_init_crypt(tx, key, false);
	default:
		fixed_key(srv, sizeof(srv), 11);
		n = wrap_v2_wrap_kc(srv, key, (const uint8_t *)"\0meta", 5, wkc, sizeof(wkc));
		if (n < 0)
			return 1;
		return wrap_init_crypt(rx, key, true) ||
		       wrap_init_v2_client(tx, key, wkc, (size_t)n, true);
	}
}

static void decode_only(uint8_t c, const uint8_t *data, size_t size)
{
	struct wrap_ctx rx, tx;
	uint8_t out[WRAP_WIRE_MAX], srv[WRAP_V2_SERVER_KEY_LEN], kc[WRAP_KEY2_LEN];
	uint8_t meta[WRAP_META_MAX];
	size_t meta_len;
	struct pkt_ctrl pkt;
	int n;

	if (setup(c, &rx, &tx) == 0) {
		n = wrap_decode(&rx, data, size, NOW, out, sizeof(out));
		if (n >= 0)
			pkt_ctrl_decode(out, (size_t)n, &pkt);
	}
	wrap_free(&rx);
	wrap_free(&tx);
	fixed_key(srv, sizeof(srv), 11);
	wrap_v2_unwrap_wkc(srv, data, size, kc, meta, sizeof(meta), &meta_len);
	if (wrap_init_v2_server(&rx, srv, data, size) == 0)
		wrap_decode(&rx, data, size, NOW, out, sizeof(out));
	wrap_free(&rx);
}

static void round_trip(uint8_t c, const uint8_t *data, size_t size)
{
	struct wrap_ctx rx, tx;
	uint8_t wire[WRAP_WIRE_MAX], out[WRAP_WIRE_MAX], srv[WRAP_V2_SERVER_KEY_LEN];
	int n, m;

	if (size < 9 || size > 2048)
		return;
	if (setup(c, &rx, &tx) == 0) {
		n = wrap_encode(&tx, data, size, NOW, wire, sizeof(wire));
		if (n < 0)
			abort();
		if (c % 6 == 5 && wrap_wkc_len(&tx) && (pkt_op(data[0]) == P_CONTROL_WKC_V1 ||
		    pkt_op(data[0]) == P_CONTROL_HARD_RESET_CLIENT_V3)) {
			/* The server learns Kc from the WKc the client appended. */
			wrap_free(&rx);
			fixed_key(srv, sizeof(srv), 11);
			if (wrap_init_v2_server(&rx, srv, wire, (size_t)n) != 0 || rx.meta_len != 5)
				abort();
		}
		m = wrap_decode(&rx, wire, (size_t)n, NOW, out, sizeof(out));
		if (m != (int)size || memcmp(out, data, size) != 0)
			abort();
		/* The same packet again is a replay, except without wrapping. */
		m = wrap_decode(&rx, wire, (size_t)n, NOW, out, sizeof(out));
		if ((c % 6 == 0) != (m == (int)size))
			abort();
	}
	wrap_free(&rx);
	wrap_free(&tx);
}

static void parse_keys(const uint8_t *data, size_t size)
{
	uint8_t key[SKEY_LEN], srv[SKEY_V2_SERVER_LEN], wkc[SKEY_WKC_MAX];
	char text[SKEY_TEXT_MAX];
	size_t wkc_len;

	/* Whatever parses must format and parse back to the same key. */
	if (skey_parse((const char *)data, size, key) == 0) {
		uint8_t back[SKEY_LEN];

		if (skey_format(key, text, sizeof(text)) <= 0 ||
		    skey_parse(text, strlen(text), back) != 0 || memcmp(key, back, SKEY_LEN))
			abort();
	}
	skey_v2_server_parse((const char *)data, size, srv);
	skey_v2_client_parse((const char *)data, size, key, wkc, sizeof(wkc), &wkc_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] == '-' || data[0] == '#') {
		parse_keys(data, size);
		return 0;
	}
	if (data[0] & 0x80)
		round_trip(data[0], data + 1, size - 1);
	else
		decode_only(data[0], data + 1, size - 1);
	return 0;
}
