/* Data channel: known answers built independently with raw EVP calls from the §9.2/§9.3
 * layouts, round trips, replay window, tampering, key ids, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto/data.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	fill_key2();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
