/* Data channel: known answers built independently with raw EVP calls from the §9.2/§9.3
 * layouts, round trips, replay window, tampering, key ids, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto/data.h"
#include "proto/wrap.h"

#define BUF 2048

static uint8_t key2[DATA_KEY2_LEN];

static void fill_key2(void)
{
	for (size_t i = 0; i < sizeof(key2); i++)
		key2[i] = (uint8_t)(i * 37 + 11);
}

static struct data_key *mk(const char *cipher, const char *auth, enum data_role role,
			   uint8_t key_id, int32_t peer_id)
{
	struct data_key_cfg cfg = {
		.cipher = cipher_find(cipher),
		.auth = auth ? cipher_digest_find(auth) : NULL,
		.role = role,
		.key_id = key_id,
		.peer_id = peer_id,
	};
	int err = 0;

	assert_non_null(cfg.cipher);
	struct data_key *k = data_key_new(&cfg, key2, &err);
	assert_non_null(k);
	assert_int_equal(err, 0);
	return k;
}

static void payload_fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

/* Expected AEAD packet from the spec, written with nothing but EVP: client->server, so
 * key = key2[0..], implicit IV = key2[64..71]. */
static size_t aead_expected(const char *evp_name, size_t keylen, int v2, uint8_t key_id,
			    uint32_t peer_id, uint32_t pid, const uint8_t *pt, size_t len,
			    uint8_t *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, evp_name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t hdr[8], nonce[12], tag[16];
	size_t hl = v2 ? 4 : 1;
	int n;

	assert_non_null(c);
	assert_true(keylen <= 64);
	if (v2) {
		hdr[0] = (uint8_t)(0x48 | key_id);
		hdr[1] = (uint8_t)(peer_id >> 16);
		hdr[2] = (uint8_t)(peer_id >> 8);
		hdr[3] = (uint8_t)peer_id;
	} else {
		hdr[0] = (uint8_t)(0x30 | key_id);
	}
	uint8_t pidb[4] = { (uint8_t)(pid >> 24), (uint8_t)(pid >> 16), (uint8_t)(pid >> 8),
			    (uint8_t)pid };
	memcpy(hdr + hl, pidb, 4);
	memcpy(nonce, pidb, 4);
	memcpy(nonce + 4, key2 + 64, 8);
	assert_int_equal(EVP_EncryptInit_ex(ctx, c, NULL, key2, nonce), 1);
	/* AAD: full header + id for V2, id only for V1 */
	if (v2)
		assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, hdr, 8), 1);
	else
		assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, pidb, 4), 1);
	memcpy(out, hdr, hl + 4);
	assert_int_equal(EVP_EncryptUpdate(ctx, out + hl + 20, &n, pt, (int)len), 1);
	assert_int_equal((size_t)n, len);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, out + hl + 20 + n, &n), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
	memcpy(out + hl + 4, tag, 16);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return hl + 20 + len;
}

static void aead_kat(const char *name, const char *evp_name, size_t keylen, int v2)
{
	struct data_key *cli = mk(name, NULL, DATA_ROLE_CLIENT, 3, v2 ? 0x123456 : -1);
	struct data_key *srv = mk(name, NULL, DATA_ROLE_SERVER, 3, v2 ? 0x123456 : -1);
	uint8_t pt[300], exp[BUF], got[BUF], dec[BUF];

	for (uint32_t pid = 1; pid <= 3; pid++) {
		size_t len = 100 + pid * 50;
		payload_fill(pt, len, (uint8_t)pid);
		size_t elen = aead_expected(evp_name, keylen, v2, 3, 0x123456, pid, pt, len, exp);
		ssize_t n = data_encrypt(cli, 3, pt, len, got, sizeof(got));
		assert_int_equal(n, (ssize_t)elen);
		assert_memory_equal(got, exp, elen);
		ssize_t m = data_decrypt(srv, got, (size_t)n, dec, sizeof(dec), 100);
		assert_int_equal(m, (ssize_t)len);
		assert_memory_equal(dec, pt, len);
	}
	assert_int_equal(data_key_stats(cli)->tx_packets, 3);
	assert_int_equal(data_key_stats(srv)->rx_packets, 3);
	assert_int_equal(data_key_send_pid(cli), 3);
	data_key_free(cli);
	data_key_free(srv);
}

static void test_kat_aes128gcm_v2(void **s) { (void)s; aead_kat("AES-128-GCM", "AES-128-GCM", 16, 1); }
static void test_kat_aes128gcm_v1(void **s) { (void)s; aead_kat("aes-128-gcm", "AES-128-GCM", 16, 0); }
static void test_kat_aes256gcm_v2(void **s) { (void)s; aead_kat("AES-256-GCM", "AES-256-GCM", 32, 1); }
static void test_kat_aes256gcm_v1(void **s) { (void)s; aead_kat("AES-256-GCM", "AES-256-GCM", 32, 0); }
static void test_kat_chacha_v2(void **s) { (void)s; aead_kat("CHACHA20-POLY1305", "ChaCha20-Poly1305", 32, 1); }
static void test_kat_chacha_v1(void **s) { (void)s; aead_kat("CHACHA20-POLY1305", "ChaCha20-Poly1305", 32, 0); }

/* The server sends with key[1]: check the direction split with the expected builder by
 * swapping the halves of key2. */
static void test_server_direction(void **s)
{
	(void)s;
	struct data_key *srv = mk("AES-256-GCM", NULL, DATA_ROLE_SERVER, 0, 7);
	uint8_t pt[64], exp[BUF], got[BUF], save[DATA_KEY2_LEN];

	payload_fill(pt, sizeof(pt), 9);
	ssize_t n = data_encrypt(srv, 0, pt, sizeof(pt), got, sizeof(got));
	memcpy(save, key2, sizeof(save));
	memcpy(key2, save + 128, 128);
	memcpy(key2 + 128, save, 128);
	size_t elen = aead_expected("AES-256-GCM", 32, 1, 0, 7, 1, pt, sizeof(pt), exp);
	memcpy(key2, save, sizeof(save));
	assert_int_equal(n, (ssize_t)elen);
	assert_memory_equal(got, exp, elen);
	data_key_free(srv);
}

/* CBC: decrypt and HMAC-check the packet independently, then round trip. */
static void cbc_check(const char *digest, size_t hm, int v2)
{
	struct data_key *cli = mk("AES-256-CBC", digest, DATA_ROLE_CLIENT, 1, v2 ? 5 : -1);
	struct data_key *srv = mk("AES-256-CBC", digest, DATA_ROLE_SERVER, 1, v2 ? 5 : -1);
	uint8_t pt[200], got[BUF], dec[BUF], mac[64], plain[BUF];
	size_t hl = v2 ? 4 : 1;
	unsigned maclen = 0;

	for (size_t len = 1; len <= sizeof(pt); len += 37) {
		payload_fill(pt, len, (uint8_t)len);
		ssize_t n = data_encrypt(cli, 1, pt, len, got, sizeof(got));
		size_t ct_len = (4 + len) / 16 * 16 + 16;
		assert_int_equal(n, (ssize_t)(hl + hm + 16 + ct_len));
		assert_int_equal(got[0], v2 ? 0x49 : 0x31);
		/* HMAC over IV || ciphertext with key2[64..] */
		const uint8_t *iv = got + hl + hm;
		assert_non_null(HMAC(EVP_get_digestbyname(digest), key2 + 64, (int)hm, iv,
				     16 + ct_len, mac, &maclen));
		assert_int_equal(maclen, hm);
		assert_memory_equal(mac, got + hl, hm);
		/* CBC decrypt with key2[0..31]: packet id || payload */
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int a, b;
		assert_int_equal(EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key2, iv), 1);
		assert_int_equal(EVP_DecryptUpdate(ctx, plain, &a, iv + 16, (int)ct_len), 1);
		assert_int_equal(EVP_DecryptFinal_ex(ctx, plain + a, &b), 1);
		EVP_CIPHER_CTX_free(ctx);
		assert_int_equal(a + b, 4 + len);
		uint32_t pid = (uint32_t)data_key_send_pid(cli);
		assert_int_equal((uint32_t)plain[0] << 24 | (uint32_t)plain[1] << 16 |
				 (uint32_t)plain[2] << 8 | plain[3], pid);
		assert_memory_equal(plain + 4, pt, len);
		/* round trip */
		ssize_t m = data_decrypt(srv, got, (size_t)n, dec, sizeof(dec), 1);
		assert_int_equal(m, (ssize_t)len);
		assert_memory_equal(dec, pt, len);
	}
	data_key_free(cli);
	data_key_free(srv);
}

static void test_cbc_sha1_v2(void **s) { (void)s; cbc_check("SHA1", 20, 1); }
static void test_cbc_sha256_v1(void **s) { (void)s; cbc_check("SHA256", 32, 0); }
static void test_cbc_sha512_v2(void **s) { (void)s; cbc_check("SHA512", 64, 1); }

static void test_cbc_default_sha1(void **s)
{
	(void)s;
	struct data_key *k = mk("AES-128-CBC", NULL, DATA_ROLE_CLIENT, 0, 0);
	assert_int_equal(data_key_headroom(k), 4 + 20 + 16);
	data_key_free(k);
}

/* Encrypt with a chosen packet id. */
static size_t enc_pid(struct data_key *k, uint32_t pid, uint8_t *out)
{
	uint8_t pt[40];

	payload_fill(pt, sizeof(pt), (uint8_t)pid);
	data_key_set_send_pid(k, pid - 1);
	ssize_t n = data_encrypt(k, data_key_id(k), pt, sizeof(pt), out, BUF);
	assert_true(n > 0);
	return (size_t)n;
}

static int dec_pid(struct data_key *cli, struct data_key *srv, uint32_t pid, uint64_t now)
{
	uint8_t pkt[BUF], out[BUF];
	size_t n = enc_pid(cli, pid, pkt);
	ssize_t m = data_decrypt(srv, pkt, n, out, sizeof(out), now);
	return m < 0 ? (int)m : 0;
}

static void replay_suite(const char *cipher)
{
	struct data_key *cli = mk(cipher, "SHA256", DATA_ROLE_CLIENT, 0, 1);
	struct data_key *srv = mk(cipher, "SHA256", DATA_ROLE_SERVER, 0, 1);
	uint8_t pkt[BUF], out[BUF];

	/* duplicate */
	size_t n = enc_pid(cli, 1, pkt);
	assert_true(data_decrypt(srv, pkt, n, out, sizeof(out), 10) > 0);
	assert_int_equal(data_decrypt(srv, pkt, n, out, sizeof(out), 10), DATA_ERR_REPLAY);
	/* jump ahead, then reorder inside the window */
	assert_int_equal(dec_pid(cli, srv, 100, 10), 0);
	assert_int_equal(dec_pid(cli, srv, 99, 10), 0);
	assert_int_equal(dec_pid(cli, srv, 50, 10), 0);
	/* window edge: highest 100, window 64 -> 37 is the oldest acceptable */
	assert_int_equal(dec_pid(cli, srv, 37, 10), 0);
	assert_int_equal(dec_pid(cli, srv, 36, 10), DATA_ERR_REPLAY);
	assert_int_equal(dec_pid(cli, srv, 2, 10), DATA_ERR_REPLAY);
	assert_int_equal(dec_pid(cli, srv, 99, 10), DATA_ERR_REPLAY);
	assert_int_equal(dec_pid(cli, srv, 101, 10), 0);
	assert_int_equal(data_key_stats(srv)->err_replay, 4);
	assert_int_equal(data_key_stats(srv)->rx_packets, 6);
	data_key_free(cli);
	data_key_free(srv);
}

/* §9.6: a gap in the window is only filled within 15 s (replay_time) of opening. */
static void test_replay_time(void **s)
{
	(void)s;
	struct data_key *cli = mk("AES-256-GCM", NULL, DATA_ROLE_CLIENT, 0, 1);
	struct data_key *srv = mk("AES-256-GCM", NULL, DATA_ROLE_SERVER, 0, 1);

	assert_int_equal(dec_pid(cli, srv, 10, 100), 0);
	assert_int_equal(dec_pid(cli, srv, 20, 100), 0);	/* opens 11..19 at t=100 */
	assert_int_equal(dec_pid(cli, srv, 14, 115), 0);
	assert_int_equal(dec_pid(cli, srv, 15, 116), DATA_ERR_REPLAY);
	assert_int_equal(dec_pid(cli, srv, 21, 116), 0);	/* newer ids are always fine */
	data_key_free(cli);
	data_key_free(srv);
}

static void test_replay_aead(void **s) { (void)s; replay_suite("AES-256-GCM"); }
static void test_replay_cbc(void **s) { (void)s; replay_suite("AES-256-CBC"); }

/* Packet id 0 never authenticates as fresh, even with a valid tag. */
static void test_replay_pid_zero(void **s)
{
	(void)s;
	struct data_key *cli = mk("AES-128-GCM", NULL, DATA_ROLE_CLIENT, 0, 1);
	struct data_key *srv = mk("AES-128-GCM", NULL, DATA_ROLE_SERVER, 0, 1);
	uint8_t pt[16] = { 0x45 }, exp[BUF], out[BUF];

	size_t n = aead_expected("AES-128-GCM", 16, 1, 0, 1, 0, pt, sizeof(pt), exp);
	assert_int_equal(data_decrypt(srv, exp, n, out, sizeof(out), 1), DATA_ERR_REPLAY);
	data_key_free(cli);
	data_key_free(srv);
}

/* Flipping any authenticated byte must be rejected, and must not consume the id. */
static void tamper_suite(const char *cipher, int32_t peer_id, size_t first_covered)
{
	struct data_key *cli = mk(cipher, "SHA1", DATA_ROLE_CLIENT, 2, peer_id);
	struct data_key *srv = mk(cipher, "SHA1", DATA_ROLE_SERVER, 2, peer_id);
	uint8_t pt[77], pkt[BUF], bad[BUF], out[BUF];

	payload_fill(pt, sizeof(pt), 1);
	ssize_t n = data_encrypt(cli, 2, pt, sizeof(pt), pkt, sizeof(pkt));
	assert_true(n > 0);
	for (size_t i = 0; i < (size_t)n; i++) {
		if (i > 0 && i < first_covered)
			continue;	/* unauthenticated header bytes: see test_cbc_header */
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, pkt, (size_t)n);
			bad[i] ^= (uint8_t)(1u << bit);
			ssize_t m = data_decrypt(srv, bad, (size_t)n, out, sizeof(out), 1);
			assert_true(m < 0);
		}
	}
	assert_true(data_key_stats(srv)->err_auth > 0);
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1), sizeof(pt));
	assert_memory_equal(out, pt, sizeof(pt));
	data_key_free(cli);
	data_key_free(srv);
}

static void test_tamper_gcm_v2(void **s) { (void)s; tamper_suite("AES-256-GCM", 9, 1); }
static void test_tamper_gcm_v1(void **s) { (void)s; tamper_suite("AES-128-GCM", -1, 1); }
static void test_tamper_chacha(void **s) { (void)s; tamper_suite("CHACHA20-POLY1305", 9, 1); }
static void test_tamper_cbc_v2(void **s) { (void)s; tamper_suite("AES-256-CBC", 9, 4); }

/* §9.3: the CBC header is not covered by the HMAC, so a changed peer-id still decrypts;
 * AEAD V2 covers it. */
static void test_cbc_header(void **s)
{
	(void)s;
	struct data_key *cli = mk("AES-256-CBC", "SHA1", DATA_ROLE_CLIENT, 0, 9);
	struct data_key *srv = mk("AES-256-CBC", "SHA1", DATA_ROLE_SERVER, 0, 9);
	uint8_t pt[10] = { 1 }, pkt[BUF], out[BUF];

	ssize_t n = data_encrypt(cli, 0, pt, sizeof(pt), pkt, sizeof(pkt));
	pkt[3] ^= 0x40;
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1), sizeof(pt));
	data_key_free(cli);
	data_key_free(srv);
}

static void test_wrong_key_id(void **s)
{
	(void)s;
	struct data_key *cli = mk("AES-256-GCM", NULL, DATA_ROLE_CLIENT, 1, 0);
	struct data_key *srv = mk("AES-256-GCM", NULL, DATA_ROLE_SERVER, 2, 0);
	uint8_t pt[10] = { 1 }, pkt[BUF], out[BUF];

	assert_int_equal(data_encrypt(cli, 2, pt, sizeof(pt), pkt, sizeof(pkt)), DATA_ERR_KEY_ID);
	ssize_t n = data_encrypt(cli, 1, pt, sizeof(pt), pkt, sizeof(pkt));
	assert_true(n > 0);
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1), DATA_ERR_KEY_ID);
	assert_int_equal(data_key_stats(srv)->err_key_id, 1);
	/* Forcing the key id byte does not help: key_id is in the AAD. */
	pkt[0] = (uint8_t)((pkt[0] & ~7) | 2);
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1), DATA_ERR_AUTH);
	data_key_free(cli);
	data_key_free(srv);
}

static void test_short_and_opcode(void **s)
{
	(void)s;
	const char *ciphers[] = { "AES-256-GCM", "AES-256-CBC" };

	for (size_t c = 0; c < 2; c++) {
		struct data_key *cli = mk(ciphers[c], "SHA1", DATA_ROLE_CLIENT, 0, 0);
		struct data_key *srv = mk(ciphers[c], "SHA1", DATA_ROLE_SERVER, 0, 0);
		uint8_t pt[1] = { 0x45 }, pkt[BUF], out[BUF];
		ssize_t n = data_encrypt(cli, 0, pt, 1, pkt, sizeof(pkt));
		assert_true(n > 0);
		for (size_t len = 0; len < (size_t)n; len++)
			assert_int_equal(data_decrypt(srv, pkt, len, out, sizeof(out), 1),
					 DATA_ERR_SHORT);
		assert_int_equal(data_key_stats(srv)->err_short, (uint64_t)n);
		pkt[0] = 0x20;	/* P_CONTROL_V1 */
		assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1),
				 DATA_ERR_OPCODE);
		assert_int_equal(data_encrypt(cli, 0, pt, 0, pkt, sizeof(pkt)), DATA_ERR_SHORT);
		data_key_free(cli);
		data_key_free(srv);
	}
}

static void test_nospace(void **s)
{
	(void)s;
	struct data_key *cli = mk("AES-256-GCM", NULL, DATA_ROLE_CLIENT, 0, 0);
	struct data_key *srv = mk("AES-256-GCM", NULL, DATA_ROLE_SERVER, 0, 0);
	uint8_t pt[100] = { 0 }, pkt[BUF], out[BUF];

	assert_int_equal(data_encrypt(cli, 0, pt, 100, pkt, 123), DATA_ERR_NOSPACE);
	assert_int_equal(data_key_send_pid(cli), 0);	/* no id burnt */
	ssize_t n = data_encrypt(cli, 0, pt, 100, pkt, 124);
	assert_int_equal(n, 124);
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, 99, 1), DATA_ERR_NOSPACE);
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, 100, 1), 100);
	data_key_free(cli);
	data_key_free(srv);
}

static void test_pid_limits(void **s)
{
	(void)s;
	struct data_key *cli = mk("CHACHA20-POLY1305", NULL, DATA_ROLE_CLIENT, 0, 0);
	struct data_key *srv = mk("CHACHA20-POLY1305", NULL, DATA_ROLE_SERVER, 0, 0);
	uint8_t pt[8] = { 1 }, pkt[BUF], out[BUF];

	data_key_set_send_pid(cli, DATA_PID_RENEG - 2);
	assert_true(data_encrypt(cli, 0, pt, 8, pkt, sizeof(pkt)) > 0);
	assert_false(data_key_needs_renegotiation(cli));
	assert_true(data_encrypt(cli, 0, pt, 8, pkt, sizeof(pkt)) > 0);
	assert_true(data_key_needs_renegotiation(cli));
	data_key_set_send_pid(cli, DATA_PID_MAX - 1);
	ssize_t n = data_encrypt(cli, 0, pt, 8, pkt, sizeof(pkt));
	assert_true(n > 0);
	assert_memory_equal(pkt + 4, "\xff\xff\xff\xff", 4);
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1), 8);
	assert_int_equal(data_encrypt(cli, 0, pt, 8, pkt, sizeof(pkt)), DATA_ERR_EXHAUSTED);
	assert_int_equal(data_key_stats(cli)->err_exhausted, 1);
	data_key_free(cli);
	data_key_free(srv);
}

static void test_peek(void **s)
{
	(void)s;
	uint8_t op = 0, kid = 0;
	uint32_t peer = 0;
	const uint8_t v2[] = { 0x4d, 0xab, 0xcd, 0xef };
	const uint8_t v1[] = { 0x37 };

	assert_int_equal(data_peek_header(v2, 4, &op, &kid, &peer), 0);
	assert_int_equal(op, DATA_OP_V2);
	assert_int_equal(kid, 5);
	assert_int_equal(peer, 0xabcdef);
	assert_int_equal(data_peek_header(v2, 3, &op, &kid, &peer), DATA_ERR_SHORT);
	assert_int_equal(data_peek_header(v1, 1, &op, &kid, &peer), 0);
	assert_int_equal(op, DATA_OP_V1);
	assert_int_equal(kid, 7);
	assert_int_equal(peer, DATA_PEER_ID_NONE);
	assert_int_equal(data_peek_header(v1, 0, NULL, NULL, NULL), DATA_ERR_SHORT);
	const uint8_t ctl[] = { 0x20 };
	assert_int_equal(data_peek_header(ctl, 1, NULL, NULL, NULL), DATA_ERR_OPCODE);
}

/* V1 sender, V2 sender: a receiver takes both. */
static void test_mixed_versions(void **s)
{
	(void)s;
	struct data_key *cli1 = mk("AES-256-GCM", NULL, DATA_ROLE_CLIENT, 0, -1);
	struct data_key *srv = mk("AES-256-GCM", NULL, DATA_ROLE_SERVER, 0, 3);
	uint8_t pt[20] = { 7 }, pkt[BUF], out[BUF];

	ssize_t n = data_encrypt(cli1, 0, pt, 20, pkt, sizeof(pkt));
	assert_int_equal(n, 1 + 4 + 16 + 20);
	assert_int_equal(data_decrypt(srv, pkt, (size_t)n, out, sizeof(out), 1), 20);
	n = data_encrypt(srv, 0, pt, 20, pkt, sizeof(pkt));
	assert_int_equal(n, 4 + 4 + 16 + 20);
	assert_memory_equal(pkt, "\x48\x00\x00\x03", 4);
	assert_int_equal(data_decrypt(cli1, pkt, (size_t)n, out, sizeof(out), 1), 20);
	data_key_free(cli1);
	data_key_free(srv);
}

static void test_in_place(void **s)
{
	(void)s;
	struct data_key *cli = mk("AES-128-GCM", NULL, DATA_ROLE_CLIENT, 0, 0);
	struct data_key *srv = mk("AES-128-GCM", NULL, DATA_ROLE_SERVER, 0, 0);
	uint8_t buf[BUF], pt[300];
	size_t hr = data_key_headroom(cli);

	assert_int_equal(hr, 24);
	payload_fill(pt, sizeof(pt), 3);
	memcpy(buf + hr, pt, sizeof(pt));
	ssize_t n = data_encrypt(cli, 0, buf + hr, sizeof(pt), buf, sizeof(buf));
	assert_int_equal(n, (ssize_t)(hr + sizeof(pt)));
	ssize_t m = data_decrypt(srv, buf, (size_t)n, buf + hr, sizeof(buf) - hr, 1);
	assert_int_equal(m, sizeof(pt));
	assert_memory_equal(buf + hr, pt, sizeof(pt));
	data_key_free(cli);
	data_key_free(srv);
}

static void test_bad_cfg(void **s)
{
	(void)s;
	struct data_key_cfg cfg = { .cipher = cipher_find("AES-256-GCM"), .peer_id = -1 };
	int err = 0;

	cfg.key_id = 8;
	assert_null(data_key_new(&cfg, key2, &err));
	assert_int_equal(err, -EINVAL);
	cfg.key_id = 0;
	cfg.role = (enum data_role)2;
	assert_null(data_key_new(&cfg, key2, &err));
	assert_int_equal(err, -EINVAL);
	cfg.role = DATA_ROLE_CLIENT;
	cfg.peer_id = 0x1000000;
	assert_null(data_key_new(&cfg, key2, &err));
	assert_int_equal(err, -EINVAL);
	cfg.peer_id = 0;
	cfg.cipher = cipher_find("none");
	assert_null(data_key_new(&cfg, key2, &err));
	assert_int_equal(err, -ENOTSUP);
	cfg.cipher = NULL;
	assert_null(data_key_new(&cfg, key2, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(data_key_new(NULL, key2, &err));
	data_key_free(NULL);
	assert_string_equal(data_strerror(DATA_ERR_AUTH), "authentication failed");
}

/* The raw constructor (for 2.7 epochs later) matches the key2 one. */
static void test_new_raw(void **s)
{
	(void)s;
	struct data_key_cfg cfg = { .cipher = cipher_find("AES-256-GCM"), .peer_id = 0 };
	struct data_dir_keys tx, rx;
	uint8_t pt[30] = { 5 }, a[BUF], b[BUF];
	int err = 0;

	memcpy(&tx, key2, sizeof(tx));
	memcpy(&rx, key2 + 128, sizeof(rx));
	struct data_key *k1 = data_key_new_raw(&cfg, &tx, &rx, &err);
	struct data_key *k2 = mk("AES-256-GCM", NULL, DATA_ROLE_CLIENT, 0, 0);
	assert_non_null(k1);
	ssize_t n1 = data_encrypt(k1, 0, pt, sizeof(pt), a, sizeof(a));
	ssize_t n2 = data_encrypt(k2, 0, pt, sizeof(pt), b, sizeof(b));
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, (size_t)n1);
	data_key_free(k1);
	data_key_free(k2);
}

/* ---- classic AEAD usage limit (2.7 §A5, renegotiate at 7/8 of L) ---- */

static void test_usage_limit_classic(void **s)
{
	(void)s;
	struct data_key *cli = mk("AES-256-GCM", NULL, DATA_ROLE_CLIENT, 0, 0);
	struct data_key *cc = mk("CHACHA20-POLY1305", NULL, DATA_ROLE_CLIENT, 0, 0);
	uint8_t pt[1000] = { 0 }, pkt[BUF];

	/* each packet: 1 + ceil(1024 / 16) = 65; 7/8 of 800 = 700 -> the 11th crosses it */
	data_key_set_usage_limit(cli, 800);
	for (int i = 0; i < 10; i++) {
		assert_true(data_encrypt(cli, 0, pt, sizeof(pt), pkt, sizeof(pkt)) > 0);
		assert_true(data_encrypt(cc, 0, pt, sizeof(pt), pkt, sizeof(pkt)) > 0);
	}
	assert_false(data_key_needs_renegotiation(cli));
	assert_true(data_encrypt(cli, 0, pt, sizeof(pt), pkt, sizeof(pkt)) > 0);
	assert_true(data_key_needs_renegotiation(cli));
	assert_false(data_key_needs_renegotiation(cc));	/* ChaCha20: no limit */
	data_key_free(cli);
	data_key_free(cc);
}

/* ---- 2.7 epoch format: vectors from openvpn-2.7-addendum §A3.4 / §A8.3 ---- */

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		while (*h == ' ')
			h++;
		unsigned v;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void label_is(const char *secret_hex, const char *label, const char *want_hex)
{
	uint8_t secret[32], want[32], got[32];
	size_t n = unhex(want_hex, want);

	assert_int_equal(unhex(secret_hex, secret), 32);
	assert_int_equal(data_expand_label(secret, label, got, n), 0);
	assert_memory_equal(got, want, n);
}

#define E1_SYNTH "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define E2_SYNTH "e35bffa31e2723bf09e8d394fa9171ca4e534553bffa1d3482de4c9b3bc639d7"

static void test_epoch_labels(void **s)
{
	(void)s;
	label_is(E1_SYNTH, "data_key",
		 "ebbbf838a8658beb56f2324d691351bd4c8c230fb271ada8f67de830b7ee3192");
	label_is(E1_SYNTH, "data_key", "c0b015350de890ee8e1849d2c29a1b94");
	label_is(E1_SYNTH, "data_iv", "568de14f8f744bfb0b721f66");
	label_is(E1_SYNTH, "datakey upd", E2_SYNTH);
	label_is(E2_SYNTH, "data_key",
		 "4010426e3e169cd80289883d7f38d7eee445ead5fa21812fabebe155a4408ee5");
	label_is(E2_SYNTH, "data_iv", "9caaa619cb6277bbb0e90c48");
	label_is(E2_SYNTH, "datakey upd",
		 "f42019f62ea8cd6a2dc9e3e0778903253a1320d2c87f27e15e0494b796665101");
	/* live values cross-checked against OpenVPN 2.7.6's own key log (§A8.3) */
	label_is("9dce169d16995c9e85cdc09445f42e2ee54915198b5f18ebedc45f91dd8a5d19", "data_key",
		 "d643314163ae66cb8a5b5c9aafa04103a7b972c29774ef7f940b10d6fb7bb5ad");
	label_is("877b6fc1b0d8e51d9104a993e431c994e4c0ef5cd1ff373106470b788abac8a3", "data_iv",
		 "deb604c24d0b40abae9b405c");
	label_is("51dee6d2dc14ffe0f0480a92476ee788d78328b8a0dce7b3e747658518fd4ff4", "datakey upd",
		 "624abaa91020c745795416ffa57a93bb4df64ab095496319fa4f7b69e529231d");
	label_is("624abaa91020c745795416ffa57a93bb4df64ab095496319fa4f7b69e529231d", "data_key",
		 "bc7c55f24beb8560d62ddd79fcab88364eef170b771888bca636eb269d773430");
	uint8_t out[33];
	assert_int_equal(data_expand_label(out, "x", out, 33), DATA_ERR_CRYPTO);
}

/* An epoch key whose send E1 is tx_hex and receive E1 is rx_hex. */
static struct data_key *mk_epoch(const char *cipher, const char *tx_hex, const char *rx_hex)
{
	struct data_key_cfg cfg = { .cipher = cipher_find(cipher), .peer_id = 0,
				    .format = DATA_FMT_EPOCH };
	struct data_dir_keys tx, rx;
	int err = 0;

	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	assert_int_equal(unhex(tx_hex, tx.cipher), 32);
	assert_int_equal(unhex(rx_hex, rx.cipher), 32);
	struct data_key *k = data_key_new_raw(&cfg, &tx, &rx, &err);
	assert_int_equal(err, 0);
	assert_non_null(k);
	return k;
}

static const uint8_t ping_magic[16] = { 0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
					0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48 };

static void test_epoch_kat(void **s)
{
	(void)s;
	struct data_key *tx = mk_epoch("AES-256-GCM", E1_SYNTH, E2_SYNTH);
	struct data_key *rx = mk_epoch("AES-256-GCM", E2_SYNTH, E1_SYNTH);
	uint8_t want[64], pkt[BUF], out[BUF];

	assert_int_equal(data_key_headroom(tx), 12);
	assert_int_equal(data_key_overhead(tx), 28);
	size_t wl = unhex("48000000 0001000000000001 c2fe07b4542687fb92a265089da510f7"
			  "7994d54b50bc82bcbf8269100e42f469", want);
	assert_int_equal(wl, 44);
	ssize_t n = data_encrypt(tx, 0, ping_magic, 16, pkt, sizeof(pkt));
	assert_int_equal(n, 44);
	assert_memory_equal(pkt, want, 44);
	assert_int_equal(data_decrypt(rx, pkt, 44, out, sizeof(out), 1), 16);
	assert_memory_equal(out, ping_magic, 16);
	assert_int_equal(data_key_send_pid(tx), (1ull << 48) | 1);

	/* a tiny usage limit makes the sender move to epoch 2 on the next packet */
	data_key_set_usage_limit(tx, 1);
	unhex("48000000 0002000000000001 b2b1afbd0d32ea732be948cf8ca9d09a"
	      "e9f32d32f6527cec8164d8644ca271bc", want);
	n = data_encrypt(tx, 0, ping_magic, 16, pkt, sizeof(pkt));
	assert_int_equal(n, 44);
	assert_memory_equal(pkt, want, 44);
	assert_int_equal(data_key_send_epoch(tx), 2);
	/* the receiver moves on the authenticated packet and its sender follows */
	assert_int_equal(data_key_send_epoch(rx), 1);
	assert_int_equal(data_decrypt(rx, pkt, 44, out, sizeof(out), 1), 16);
	assert_int_equal(data_key_recv_epoch(rx), 2);
	assert_int_equal(data_key_send_epoch(rx), 2);
	data_key_free(tx);
	data_key_free(rx);
}

/* A server->client keepalive captured from OpenVPN 2.7.6 (§A8.3), decrypted from E1 alone. */
static void test_epoch_live_packet(void **s)
{
	(void)s;
	struct data_key *cli = mk_epoch("AES-256-GCM", E1_SYNTH,
		"9dce169d16995c9e85cdc09445f42e2ee54915198b5f18ebedc45f91dd8a5d19");
	uint8_t pkt[64], out[64];
	size_t n = unhex("48000000 0001 000000000004 ac60d5e2e3f10e2c77df81e571e8e61c"
			 "c6ca80a2f9b0ffd21efde352c5bfdae1", pkt);

	assert_int_equal(n, 44);
	assert_int_equal(data_decrypt(cli, pkt, n, out, sizeof(out), 1), 16);
	assert_memory_equal(out, ping_magic, 16);
	assert_int_equal(data_decrypt(cli, pkt, n, out, sizeof(out), 1), DATA_ERR_REPLAY);
	data_key_free(cli);
}

static size_t ep_pkt(struct data_key *tx, uint16_t epoch, uint8_t *pkt)
{
	uint8_t pt[50];

	payload_fill(pt, sizeof(pt), (uint8_t)epoch);
	assert_int_equal(data_key_epoch_advance(tx, epoch), 0);
	ssize_t n = data_encrypt(tx, 0, pt, sizeof(pt), pkt, BUF);
	assert_int_equal(n, 12 + 50 + 16);
	return (size_t)n;
}

static void test_epoch_window(void **s)
{
	(void)s;
	struct data_key *tx = mk_epoch("AES-128-GCM", E1_SYNTH, E2_SYNTH);
	struct data_key *rx = mk_epoch("AES-128-GCM", E2_SYNTH, E1_SYNTH);
	uint8_t a[BUF], b[BUF], c[BUF], d[BUF], out[BUF];

	size_t na = ep_pkt(tx, 1, a), nb = ep_pkt(tx, 1, b), nc = ep_pkt(tx, 2, c);
	size_t nd = ep_pkt(tx, 3, d);
	assert_int_equal(data_decrypt(rx, a, na, out, BUF, 1), 50);
	assert_int_equal(data_decrypt(rx, c, nc, out, BUF, 1), 50);	/* r: 1 -> 2 */
	assert_int_equal(data_decrypt(rx, b, nb, out, BUF, 1), 50);	/* late epoch 1 */
	assert_int_equal(data_decrypt(rx, a, na, out, BUF, 1), DATA_ERR_REPLAY);
	assert_int_equal(data_decrypt(rx, d, nd, out, BUF, 1), 50);	/* r: 2 -> 3 */
	/* only one retiring epoch: 2 is still accepted (dup here), 1 is gone */
	assert_int_equal(data_decrypt(rx, c, nc, out, BUF, 1), DATA_ERR_REPLAY);
	assert_int_equal(data_decrypt(rx, b, nb, out, BUF, 1), DATA_ERR_EPOCH);
	/* 16 future keys: from r = 3, epoch 19 is accepted, 36 is not */
	size_t n19 = ep_pkt(tx, 19, a), n36 = ep_pkt(tx, 36, b);
	assert_int_equal(data_decrypt(rx, b, n36, out, BUF, 1), DATA_ERR_EPOCH);
	assert_int_equal(data_decrypt(rx, a, n19, out, BUF, 1), 50);
	assert_int_equal(data_key_recv_epoch(rx), 19);
	assert_int_equal(data_decrypt(rx, b, n36, out, BUF, 1), DATA_ERR_EPOCH);
	assert_int_equal(data_key_stats(rx)->err_epoch, 3);
	data_key_free(tx);
	data_key_free(rx);
}

static void test_epoch_tamper(void **s)
{
	(void)s;
	struct data_key *tx = mk_epoch("CHACHA20-POLY1305", E1_SYNTH, E2_SYNTH);
	struct data_key *rx = mk_epoch("CHACHA20-POLY1305", E2_SYNTH, E1_SYNTH);
	uint8_t pkt[BUF], bad[BUF], out[BUF];

	ssize_t n = data_encrypt(tx, 0, ping_magic, 16, pkt, sizeof(pkt));
	assert_int_equal(n, 44);
	for (size_t i = 0; i < (size_t)n; i++) {
		memcpy(bad, pkt, (size_t)n);
		bad[i] ^= 0x01;
		assert_true(data_decrypt(rx, bad, (size_t)n, out, sizeof(out), 1) < 0);
	}
	for (size_t len = 0; len < 29; len++)
		assert_true(data_decrypt(rx, pkt, len, out, sizeof(out), 1) < 0);
	memcpy(bad, pkt, (size_t)n);
	bad[4] = bad[5] = 0;	/* epoch 0 */
	assert_int_equal(data_decrypt(rx, bad, (size_t)n, out, sizeof(out), 1), DATA_ERR_EPOCH);
	bad[0] = 0x30;	/* P_DATA_V1 cannot carry the epoch format */
	assert_int_equal(data_decrypt(rx, bad, (size_t)n, out, sizeof(out), 1), DATA_ERR_OPCODE);
	assert_int_equal(data_decrypt(rx, pkt, (size_t)n, out, sizeof(out), 1), 16);
	assert_int_equal(data_key_recv_epoch(rx), 1);	/* forgeries moved nothing */
	data_key_free(tx);
	data_key_free(rx);
}

static void test_epoch_limits(void **s)
{
	(void)s;
	struct data_key *tx = mk_epoch("AES-256-GCM", E1_SYNTH, E2_SYNTH);
	struct data_key *rx = mk_epoch("AES-256-GCM", E2_SYNTH, E1_SYNTH);
	uint8_t pkt[BUF], out[BUF];

	/* the 48-bit counter runs out: next epoch, counter 1 */
	data_key_set_send_pid(tx, DATA_EPOCH_CTR_MAX - 1);
	assert_int_equal(data_encrypt(tx, 0, ping_magic, 16, pkt, sizeof(pkt)), 44);
	assert_memory_equal(pkt + 4, "\x00\x01\xff\xff\xff\xff\xff\xff", 8);
	assert_int_equal(data_decrypt(rx, pkt, 44, out, sizeof(out), 1), 16);
	assert_int_equal(data_encrypt(tx, 0, ping_magic, 16, pkt, sizeof(pkt)), 44);
	assert_memory_equal(pkt + 4, "\x00\x02\x00\x00\x00\x00\x00\x01", 8);
	assert_int_equal(data_decrypt(rx, pkt, 44, out, sizeof(out), 1), 16);
	/* renegotiation once the send epoch reaches 0xF000 */
	assert_int_equal(data_key_epoch_advance(tx, 0xEFFF), 0);
	assert_false(data_key_needs_renegotiation(tx));
	assert_int_equal(data_key_epoch_advance(tx, 0xF000), 0);
	assert_true(data_key_needs_renegotiation(tx));
	assert_int_equal(data_key_epoch_advance(tx, 0xEFFF), -EINVAL);	/* never back */
	/* last epoch, last counter: nothing more can be sent */
	assert_int_equal(data_key_epoch_advance(tx, 65535), 0);
	data_key_set_send_pid(tx, DATA_EPOCH_CTR_MAX);
	assert_int_equal(data_encrypt(tx, 0, ping_magic, 16, pkt, sizeof(pkt)),
			 DATA_ERR_EXHAUSTED);
	data_key_free(tx);
	data_key_free(rx);
}

static void test_epoch_cfg(void **s)
{
	(void)s;
	struct data_key_cfg cfg = { .cipher = cipher_find("AES-256-CBC"), .peer_id = 0,
				    .format = DATA_FMT_EPOCH };
	int err = 0;

	assert_null(data_key_new(&cfg, key2, &err));
	assert_int_equal(err, -EINVAL);
	cfg.cipher = cipher_find("AES-256-GCM");
	cfg.peer_id = -1;
	assert_null(data_key_new(&cfg, key2, &err));
	assert_int_equal(err, -EINVAL);
	cfg.format = (enum data_format)7;
	cfg.peer_id = 0;
	assert_null(data_key_new(&cfg, key2, &err));
	/* from key2: E1 is key2[0..31] for the client's sending direction (§A3.2) */
	cfg.format = DATA_FMT_EPOCH;
	struct data_key *cli = data_key_new(&cfg, key2, &err);
	cfg.role = DATA_ROLE_SERVER;
	struct data_key *srv = data_key_new(&cfg, key2, &err);
	struct data_dir_keys tx;
	memcpy(tx.cipher, key2, 32);
	struct data_key_cfg raw = cfg;
	struct data_dir_keys rx;
	memcpy(rx.cipher, key2 + 128, 32);
	struct data_key *ref = data_key_new_raw(&raw, &tx, &rx, &err);
	uint8_t a[BUF], b[BUF], out[BUF];
	ssize_t na = data_encrypt(cli, 0, ping_magic, 16, a, sizeof(a));
	ssize_t nb = data_encrypt(ref, 0, ping_magic, 16, b, sizeof(b));
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, (size_t)na);
	assert_int_equal(data_decrypt(srv, a, (size_t)na, out, sizeof(out), 1), 16);
	assert_int_equal(data_key_send_epoch(NULL), 0);
	data_key_free(cli);
	data_key_free(srv);
	data_key_free(ref);
}

/* Error codes are data: one range per module, one distinct text per code. */
static void test_err_codes(void **state)
{
	(void)state;
	assert_true(DATA_ERR_LAST < DATA_ERR_BASE && WRAP_ERR_LAST < WRAP_ERR_BASE);
	/* the ranges do not overlap */
	assert_true((int)DATA_ERR_LAST > (int)WRAP_ERR_BASE || (int)DATA_ERR_BASE < (int)WRAP_ERR_LAST);
	for (int e = DATA_ERR_BASE - 1; e >= DATA_ERR_LAST; e--) {
		assert_string_not_equal(data_strerror(e), "unknown");
		assert_string_equal(wrap_strerror(e), "unknown wrap error");
		for (int f = e - 1; f >= DATA_ERR_LAST; f--)
			assert_string_not_equal(data_strerror(e), data_strerror(f));
	}
	for (int e = WRAP_ERR_BASE - 1; e >= WRAP_ERR_LAST; e--) {
		assert_string_not_equal(wrap_strerror(e), "unknown wrap error");
		assert_string_equal(data_strerror(e), "unknown");
		for (int f = e - 1; f >= WRAP_ERR_LAST; f--)
			assert_string_not_equal(wrap_strerror(e), wrap_strerror(f));
	}
	assert_string_equal(data_strerror(DATA_ERR_BASE), "unknown");
	assert_string_equal(data_strerror(DATA_ERR_LAST - 1), "unknown");
	assert_string_equal(data_strerror(-EINVAL), "unknown");
	assert_string_equal(data_strerror(DATA_ERR_EPOCH), "unknown epoch");
	assert_string_equal(wrap_strerror(WRAP_ERR_BASE), "unknown wrap error");
	assert_string_equal(wrap_strerror(WRAP_ERR_LAST - 1), "unknown wrap error");
	assert_string_equal(wrap_strerror(0), "ok");
	assert_string_equal(wrap_strerror(WRAP_ERR_STATE), "wrap context not usable for this");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_codes),
		cmocka_unit_test(test_kat_aes128gcm_v2),
		cmocka_unit_test(test_kat_aes128gcm_v1),
		cmocka_unit_test(test_kat_aes256gcm_v2),
		cmocka_unit_test(test_kat_aes256gcm_v1),
		cmocka_unit_test(test_kat_chacha_v2),
		cmocka_unit_test(test_kat_chacha_v1),
		cmocka_unit_test(test_server_direction),
		cmocka_unit_test(test_cbc_sha1_v2),
		cmocka_unit_test(test_cbc_sha256_v1),
		cmocka_unit_test(test_cbc_sha512_v2),
		cmocka_unit_test(test_cbc_default_sha1),
		cmocka_unit_test(test_replay_aead),
		cmocka_unit_test(test_replay_cbc),
		cmocka_unit_test(test_replay_pid_zero),
		cmocka_unit_test(test_replay_time),
		cmocka_unit_test(test_tamper_gcm_v2),
		cmocka_unit_test(test_tamper_gcm_v1),
		cmocka_unit_test(test_tamper_chacha),
		cmocka_unit_test(test_tamper_cbc_v2),
		cmocka_unit_test(test_cbc_header),
		cmocka_unit_test(test_wrong_key_id),
		cmocka_unit_test(test_short_and_opcode),
		cmocka_unit_test(test_nospace),
		cmocka_unit_test(test_pid_limits),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_mixed_versions),
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_bad_cfg),
		cmocka_unit_test(test_new_raw),
		cmocka_unit_test(test_usage_limit_classic),
		cmocka_unit_test(test_epoch_labels),
		cmocka_unit_test(test_epoch_kat),
		cmocka_unit_test(test_epoch_live_packet),
		cmocka_unit_test(test_epoch_window),
		cmocka_unit_test(test_epoch_tamper),
		cmocka_unit_test(test_epoch_limits),
		cmocka_unit_test(test_epoch_cfg),
	};

	fill_key2();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
