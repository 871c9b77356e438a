/* Fuzzes the data-channel receive path: data_decrypt on arbitrary wire bytes, a round trip
 * (encrypt the input, decrypt, compare; a flipped byte must then be rejected), and the
 * payload parsers that follow decryption (comp_unframe in every mode, dpkt_classify).
 * Input: byte 0 picks cipher / digest / header version / format; the rest is the packet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/comp.h"
#include "proto/data.h"
#include "proto/dpkt.h"

#define BUF 5000

static const char *const ciphers[] = { "AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305",
				       "AES-256-CBC", "AES-128-CBC" };
static const char *const digests[] = { "SHA1", "SHA256", "SHA512", "none" };

static struct data_key *mk(uint8_t sel, enum data_role role)
{
	uint8_t key2[DATA_KEY2_LEN];
	struct data_key_cfg cfg = {
		.cipher = cipher_find(ciphers[sel % 5]),
		.auth = cipher_digest_find(digests[(sel >> 3) % 4]),
		.role = role,
		.key_id = 0,
		.peer_id = (sel & 0x80) ? -1 : 0x42,
	};

	/* bit 6 picks the 2.7 epoch format where it exists (AEAD, P_DATA_V2) */
	if ((sel & 0x40) && cipher_is_aead(cfg.cipher) && cfg.peer_id >= 0)
		cfg.format = DATA_FMT_EPOCH;

	for (size_t i = 0; i < sizeof(key2); i++)
		key2[i] = (uint8_t)(i * 37 + 11);
	return data_key_new(&cfg, key2, NULL);
}

static void fuzz_parsers(const uint8_t *p, size_t len)
{
	static struct comp_ctx comp;
	static uint8_t out[BUF];
	struct dpkt_info info;

	for (int m = COMP_NONE; m <= COMP_LZ4_V2; m++) {
		if (comp_init(&comp, (enum comp_mode)m) != 0)
			abort();
		ssize_t n = comp_unframe(&comp, p, len, out, sizeof(out));
		if (n > (ssize_t)sizeof(out))
			abort();
		if (n >= 0)
			(void)dpkt_classify(out, (size_t)n, &info);
		/* whatever we frame, we unframe back to the same bytes */
		static uint8_t fr[BUF], back[BUF];
		ssize_t f = comp_frame(&comp, p, len, fr, sizeof(fr));
		if (f < 0)
			continue;
		ssize_t b = comp_unframe(&comp, fr, (size_t)f, back, sizeof(back));
		if (b != (ssize_t)len || (len && memcmp(back, p, len) != 0))
			abort();
	}
	int k = dpkt_classify(p, len, &info);
	if (k == DPKT_OCC && info.occ_op == DPKT_OCC_REPLY &&
	    strlen(info.occ_reply) >= info.occ_args_len)
		abort();	/* the reply string must end inside the payload */
}

static void fuzz_roundtrip(struct data_key *cli, struct data_key *srv, const uint8_t *p,
			   size_t len)
{
	static uint8_t pkt[BUF], out[BUF];

	ssize_t n = data_encrypt(cli, 0, p, len, pkt, sizeof(pkt));
	if (n < 0)
		return;
	ssize_t m = data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1);
	if (m != (ssize_t)len || memcmp(out, p, len) != 0)
		abort();
	/* flip one byte after the (unauthenticated for CBC) header: must not decrypt,
	 * unless nothing authenticates it (CBC with auth none) */
	if (data_key_cipher(cli)->kind == CIPHER_KIND_CBC && data_key_headroom(cli) <= 4 + 16)
		return;
	size_t at = DATA_HDR_V2_LEN + (len ? p[0] : 0) % ((size_t)n - DATA_HDR_V2_LEN);
	pkt[at] ^= 0x01;
	if (data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1) >= 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[BUF];

	if (size < 1 || size > 4000)
		return 0;
	struct data_key *cli = mk(data[0], DATA_ROLE_CLIENT);
	struct data_key *srv = mk(data[0], DATA_ROLE_SERVER);
	struct data_key *srv2 = mk(data[0], DATA_ROLE_SERVER);	/* fresh replay window */
	if (!cli || !srv || !srv2)
		abort();
	const uint8_t *p = data + 1;
	size_t len = size - 1;
	ssize_t n = data_decrypt(srv, p, len, out, sizeof(out), 1);
	if (n > (ssize_t)len)
		abort();
	uint8_t op, kid;
	uint32_t peer;
	(void)data_peek_header(p, len, &op, &kid, &peer);
	fuzz_roundtrip(cli, srv2, p, len);
	fuzz_parsers(p, len);
	data_key_free(cli);
	data_key_free(srv);
	data_key_free(srv2);
	return 0;
}
