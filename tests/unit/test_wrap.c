/* Control-channel wrapping (spec §2.3–§2.6, §5): known answers computed independently from
 * the spec's layout, round trips for every mode and direction, every failure path, and the
 * first packet of a real openvpn 2.6 client decoded by our server side (skipped with a
 * reason when openvpn is not installed). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "skip.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto/packet.h"
#include "proto/statickey.h"
#include "proto/wrap.h"

#define NOW 1700000000u

static const uint8_t csid[8] = { 0xb8, 0xa7, 0xdd, 0xc6, 0xe0, 0x0b, 0x4c, 0xc9 };
static const uint8_t ssid[8] = { 0x46, 0xdf, 0x53, 0xb3, 0xfe, 0x96, 0xd6, 0x0a };

static void test_key(uint8_t key[256], uint8_t salt)
{
	for (int i = 0; i < 256; i++)
		key[i] = (uint8_t)(i * 5 + salt);
}

/* Logical control packets like §16's. */
static size_t client_reset(uint8_t *out, uint8_t op)
{
	struct pkt_ctrl p = { .op = op };

	memcpy(p.sid, csid, 8);
	return (size_t)pkt_ctrl_encode(&p, out, 64);
}

static size_t server_reset(uint8_t *out)
{
	struct pkt_ctrl p = { .op = P_CONTROL_HARD_RESET_SERVER_V2, .n_acks = 1 };

	memcpy(p.sid, ssid, 8);
	memcpy(p.remote_sid, csid, 8);
	return (size_t)pkt_ctrl_encode(&p, out, 64);
}

static size_t control(uint8_t *out, size_t cap, uint8_t op, size_t payload_len)
{
	static uint8_t payload[1500];
	struct pkt_ctrl p = { .op = op, .n_acks = 1, .msgid = 1 };

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ 0x5a);
	memcpy(p.sid, csid, 8);
	memcpy(p.remote_sid, ssid, 8);
	p.payload = payload;
	p.payload_len = payload_len;
	return (size_t)pkt_ctrl_encode(&p, out, cap);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Independent tls-crypt client→server wrap per §2.4/§5.3: Ke = key[128..159],
 * Ka = key[192..223], tag = HMAC-SHA256(Ka, op||sid||pid||ts||P), C = CTR(Ke, tag[0..15]). */
static size_t ref_crypt_c2s(const uint8_t key[256], const uint8_t *plain, size_t len,
			    uint32_t pid, uint32_t ts, uint8_t *out)
{
	uint8_t buf[2048];
	unsigned int maclen = 0;
	int outl = 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	memcpy(buf, plain, 9);
	put32(buf + 9, pid);
	put32(buf + 13, ts);
	memcpy(buf + 17, plain + 9, len - 9);
	memcpy(out, buf, 17);
	assert_non_null(HMAC(EVP_sha256(), key + 192, 32, buf, 17 + len - 9, out + 17, &maclen));
	assert_int_equal(maclen, 32);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key + 128, out + 17), 1);
	assert_int_equal(EVP_EncryptUpdate(c, out + 49, &outl, plain + 9, (int)(len - 9)), 1);
	EVP_CIPHER_CTX_free(c);
	return 49 + len - 9;
}

/* Independent tls-auth wrap per §2.3: HMAC over pid||ts||op||sid||rest, key = half.hmac. */
static size_t ref_auth(const EVP_MD *md, const uint8_t *hkey, const uint8_t *plain, size_t len,
		       uint32_t pid, uint32_t ts, uint8_t *out)
{
	uint8_t buf[2048];
	unsigned int h = (unsigned int)EVP_MD_get_size(md), maclen = 0;

	put32(buf, pid);
	put32(buf + 4, ts);
	memcpy(buf + 8, plain, len);
	memcpy(out, plain, 9);
	assert_non_null(HMAC(md, hkey, (int)h, buf, 8 + len, out + 9, &maclen));
	assert_int_equal(maclen, h);
	memcpy(out + 9 + h, buf, 8);
	memcpy(out + 17 + h, plain + 9, len - 9);
	return len + h + 8;
}

static void test_tls_crypt_known_answer(void **state)
{
	struct wrap_ctx cli, srv;
	uint8_t key[256], plain[64], wire[256], ref[256], back[256];
	size_t len;
	int n;

	(void)state;
	test_key(key, 1);
	assert_int_equal(wrap_init_crypt(&cli, key, false), 0);
	assert_int_equal(wrap_init_crypt(&srv, key, true), 0);
	len = client_reset(plain, P_CONTROL_HARD_RESET_CLIENT_V2);
	n = wrap_encode(&cli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(n, 54);	/* §16: 54-byte client reset */
	assert_int_equal(ref_crypt_c2s(key, plain, len, 1, NOW, ref), 54);
	assert_memory_equal(wire, ref, 54);
	assert_int_equal(wrap_decode(&srv, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	assert_memory_equal(back, plain, len);
	/* Second packet: packet-id 2, same timestamp even if time moved on (§2.6). */
	n = wrap_encode(&cli, plain, len, NOW + 7, wire, sizeof(wire));
	ref_crypt_c2s(key, plain, len, 2, NOW, ref);
	assert_memory_equal(wire, ref, 54);
	/* Server reply: 66 bytes (§16), decodable by the client only. */
	len = server_reset(plain);
	n = wrap_encode(&srv, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(n, 66);
	assert_int_equal(wrap_decode(&cli, wire, 66, NOW, back, sizeof(back)), (int)len);
	assert_memory_equal(back, plain, len);
	assert_int_equal(wrap_decode(&srv, wire, 66, NOW, back, sizeof(back)), WRAP_ERR_AUTH);
	assert_int_equal(wrap_overhead(&cli), 40);
	assert_int_equal(wrap_mtu_overhead(&cli), 56);
	wrap_free(&cli);
	wrap_free(&srv);
}

static void test_tls_auth_known_answer(void **state)
{
	static const char *const names[] = { "SHA1", "SHA256", "SHA512", "SHA384", "SHA224" };
	uint8_t key[256], plain[2048], wire[2200], ref[2200], back[2200];
	struct wrap_ctx cli, srv;

	(void)state;
	test_key(key, 9);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const EVP_MD *md = EVP_get_digestbyname(names[i]);
		size_t h = (size_t)EVP_MD_get_size(md), len = control(plain, sizeof(plain),
								     P_CONTROL_V1, 1000);
		int n;

		/* Client: key-direction 1 (INVERSE) sends with key[1].hmac = bytes 192.. */
		assert_int_equal(wrap_init_auth(&cli, names[i], key, WRAP_DIR_INVERSE), 0);
		assert_int_equal(wrap_init_auth(&srv, names[i], key, WRAP_DIR_NORMAL), 0);
		assert_int_equal(wrap_overhead(&cli), h + 8);
		n = wrap_encode(&cli, plain, len, NOW, wire, sizeof(wire));
		assert_int_equal(n, (int)(len + h + 8));
		ref_auth(md, key + 192, plain, len, 1, NOW, ref);
		assert_memory_equal(wire, ref, (size_t)n);
		assert_int_equal(wrap_decode(&srv, wire, (size_t)n, NOW, back, sizeof(back)),
				 (int)len);
		assert_memory_equal(back, plain, len);
		/* Server (direction 0) sends with key[0].hmac = bytes 64.. */
		n = wrap_encode(&srv, plain, len, NOW, wire, sizeof(wire));
		ref_auth(md, key + 64, plain, len, 1, NOW, ref);
		assert_memory_equal(wire, ref, (size_t)n);
		assert_int_equal(wrap_decode(&cli, wire, (size_t)n, NOW, back, sizeof(back)),
				 (int)len);
		wrap_free(&cli);
		wrap_free(&srv);
	}
	/* Default digest is SHA1; unknown digests are refused. */
	assert_int_equal(wrap_init_auth(&cli, NULL, key, WRAP_DIR_BIDI), 0);
	assert_int_equal(cli.hmac_len, 20);
	wrap_free(&cli);
	assert_int_equal(wrap_init_auth(&cli, "NOPE256", key, WRAP_DIR_BIDI), -EINVAL);
	assert_int_equal(wrap_init_auth(&cli, "SHA1", key, 3), -EINVAL);
}

static void test_tls_auth_directions(void **state)
{
	uint8_t key[256], plain[128], wire[256], back[256];
	struct wrap_ctx a, b;
	size_t len;

	(void)state;
	test_key(key, 17);
	len = control(plain, sizeof(plain), P_CONTROL_V1, 50);
	/* BIDI on both ends works; NORMAL on both ends does not. */
	assert_int_equal(wrap_init_auth(&a, "SHA256", key, WRAP_DIR_BIDI), 0);
	assert_int_equal(wrap_init_auth(&b, "SHA256", key, WRAP_DIR_BIDI), 0);
	int n = wrap_encode(&a, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(wrap_decode(&b, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	wrap_free(&b);
	assert_int_equal(wrap_init_auth(&b, "SHA256", key, WRAP_DIR_NORMAL), 0);
	wrap_free(&a);
	assert_int_equal(wrap_init_auth(&a, "SHA256", key, WRAP_DIR_NORMAL), 0);
	n = wrap_encode(&a, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(wrap_decode(&b, wire, (size_t)n, NOW, back, sizeof(back)),
			 WRAP_ERR_AUTH);
	assert_int_equal(b.stats.rx_auth, 1);
	wrap_free(&a);
	wrap_free(&b);
}

/* Every single-byte change anywhere in a wrapped packet is caught, before replay. */
static void tamper_all(struct wrap_ctx *tx, struct wrap_ctx *rx)
{
	uint8_t plain[128], wire[256], bad[256], back[256];
	size_t len = control(plain, sizeof(plain), P_CONTROL_V1, 20);
	int n = wrap_encode(tx, plain, len, NOW, wire, sizeof(wire));

	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		memcpy(bad, wire, (size_t)n);
		bad[i] ^= 0x40;
		assert_int_equal(wrap_decode(rx, bad, (size_t)n, NOW, back, sizeof(back)),
				 WRAP_ERR_AUTH);
	}
	assert_int_equal(rx->stats.rx_auth, (uint64_t)n);
	/* The untouched packet still passes: the forgeries did not move the window. */
	assert_int_equal(wrap_decode(rx, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	/* And a second time it is a replay. */
	assert_int_equal(wrap_decode(rx, wire, (size_t)n, NOW, back, sizeof(back)),
			 WRAP_ERR_REPLAY);
	assert_int_equal(rx->stats.rx_replay, 1);
	assert_int_equal(rx->stats.rx_ok, 1);
	/* Truncations. */
	for (int i = 0; i < n; i++) {
		int rc = wrap_decode(rx, wire, (size_t)i, NOW, back, sizeof(back));

		assert_true(rc == WRAP_ERR_SHORT || rc == WRAP_ERR_AUTH);
	}
	assert_int_equal(wrap_decode(rx, wire, 8, NOW, back, sizeof(back)), WRAP_ERR_SHORT);
}

static void test_tamper_and_replay(void **state)
{
	struct wrap_ctx a, b;
	uint8_t key[256];

	(void)state;
	test_key(key, 33);
	assert_int_equal(wrap_init_crypt(&a, key, false), 0);
	assert_int_equal(wrap_init_crypt(&b, key, true), 0);
	tamper_all(&a, &b);
	wrap_free(&a);
	wrap_free(&b);
	assert_int_equal(wrap_init_auth(&a, "SHA512", key, WRAP_DIR_INVERSE), 0);
	assert_int_equal(wrap_init_auth(&b, "SHA512", key, WRAP_DIR_NORMAL), 0);
	tamper_all(&a, &b);
	wrap_free(&a);
	wrap_free(&b);
}

static void test_replay_rules(void **state)
{
	uint8_t key[256], plain[64], w[4][128], back[128];
	struct wrap_ctx a, b;
	size_t len;
	int n[4];

	(void)state;
	test_key(key, 40);
	assert_int_equal(wrap_init_crypt(&a, key, false), 0);
	assert_int_equal(wrap_init_crypt(&b, key, true), 0);
	len = client_reset(plain, P_CONTROL_HARD_RESET_CLIENT_V2);
	for (int i = 0; i < 4; i++)
		n[i] = wrap_encode(&a, plain, len, NOW, w[i], sizeof(w[i]));
	/* Reordering inside the window is fine; each id only once. */
	assert_int_equal(wrap_decode(&b, w[2], (size_t)n[2], NOW, back, sizeof(back)), (int)len);
	assert_int_equal(b.last_rx_pid, 3);
	assert_int_equal(b.last_rx_ts, NOW);
	assert_int_equal(wrap_decode(&b, w[0], (size_t)n[0], NOW, back, sizeof(back)), (int)len);
	assert_int_equal(wrap_decode(&b, w[0], (size_t)n[0], NOW, back, sizeof(back)),
			 WRAP_ERR_REPLAY);
	/* With replay off (stateless reset check, §4.2) duplicates pass. */
	wrap_set_replay(&b, false);
	assert_int_equal(wrap_decode(&b, w[0], (size_t)n[0], NOW, back, sizeof(back)), (int)len);
	wrap_set_replay(&b, true);
	/* A peer that restarts with a newer timestamp starts a new sequence. */
	wrap_free(&a);
	assert_int_equal(wrap_init_crypt(&a, key, false), 0);
	n[3] = wrap_encode(&a, plain, len, NOW + 100, w[3], sizeof(w[3]));
	assert_int_equal(wrap_decode(&b, w[3], (size_t)n[3], NOW + 100, back, sizeof(back)),
			 (int)len);
	assert_int_equal(wrap_decode(&b, w[1], (size_t)n[1], NOW + 100, back, sizeof(back)),
			 WRAP_ERR_REPLAY);	/* old timestamp */
	/* Stateless server: its reply was packet-id 1, the session continues at 2. */
	wrap_set_send_pid(&a, 2, 0);	/* 0: keep the timestamp */
	n[0] = wrap_encode(&a, plain, len, NOW + 200, w[0], sizeof(w[0]));
	assert_int_equal(wrap_decode(&b, w[0], (size_t)n[0], NOW, back, sizeof(back)), (int)len);
	assert_int_equal(b.last_rx_pid, 2);
	/* The send id never wraps. */
	wrap_set_send_pid(&a, UINT32_MAX, 0);
	assert_true(wrap_encode(&a, plain, len, NOW, w[0], sizeof(w[0])) > 0);
	assert_int_equal(wrap_encode(&a, plain, len, NOW, w[0], sizeof(w[0])),
			 WRAP_ERR_EXHAUSTED);
	assert_int_equal(a.stats.tx_fail, 1);
	wrap_free(&a);
	wrap_free(&b);
}

static void test_sizes_and_buffers(void **state)
{
	static uint8_t big[WRAP_WIRE_MAX + 2], out[WRAP_WIRE_MAX + 64];
	uint8_t key[256], plain[64];
	struct wrap_ctx a, b, none;
	size_t len;
	int n;

	(void)state;
	test_key(key, 50);
	assert_int_equal(wrap_init_crypt(&a, key, false), 0);
	assert_int_equal(wrap_init_crypt(&b, key, true), 0);
	assert_int_equal(wrap_init_none(&none), 0);
	memset(big, 0x20, sizeof(big));
	assert_int_equal(wrap_decode(&b, big, WRAP_WIRE_MAX + 1, NOW, out, sizeof(out)),
			 WRAP_ERR_TOO_BIG);
	assert_int_equal(b.stats.rx_too_big, 1);
	assert_int_equal(wrap_decode(&none, big, WRAP_WIRE_MAX + 1, NOW, out, sizeof(out)),
			 WRAP_ERR_TOO_BIG);
	assert_int_equal(wrap_encode(&a, big, WRAP_WIRE_MAX + 1, NOW, out, sizeof(out)),
			 WRAP_ERR_TOO_BIG);
	len = client_reset(plain, P_CONTROL_HARD_RESET_CLIENT_V2);
	assert_int_equal(wrap_encode(&a, plain, len, NOW, out, 53), WRAP_ERR_NOSPACE);
	assert_int_equal(wrap_encode(&a, plain, 8, NOW, out, 100), WRAP_ERR_SHORT);
	n = wrap_encode(&a, plain, len, NOW, out, 54);
	assert_int_equal(n, 54);
	assert_int_equal(wrap_decode(&b, out, 54, NOW, plain, len - 1), WRAP_ERR_NOSPACE);
	assert_int_equal(b.stats.rx_nospace, 1);
	/* In place: decode into the wire buffer itself. */
	assert_int_equal(wrap_decode(&b, out, 54, NOW, out, 54), (int)len);
	assert_int_equal(out[0], 0x38);
	/* In place with a long packet (ciphertext and plaintext regions overlap). */
	len = control(out, sizeof(out), P_CONTROL_V1, 1000);
	memcpy(big, out, len);
	n = wrap_encode(&a, out, len, NOW, out, sizeof(out));
	assert_int_equal(n, (int)len + 40);
	assert_int_equal(wrap_decode(&b, out, (size_t)n, NOW, out, sizeof(out)), (int)len);
	assert_memory_equal(out, big, len);
	/* In place encode too (tls-auth moves the body right). */
	wrap_free(&a);
	wrap_free(&b);
	assert_int_equal(wrap_init_auth(&a, "SHA256", key, WRAP_DIR_INVERSE), 0);
	assert_int_equal(wrap_init_auth(&b, "SHA256", key, WRAP_DIR_NORMAL), 0);
	len = control(out, sizeof(out), P_CONTROL_V1, 300);
	memcpy(big, out, len);
	n = wrap_encode(&a, out, len, NOW, out, sizeof(out));
	assert_int_equal(wrap_decode(&b, out, (size_t)n, NOW, out, sizeof(out)), (int)len);
	assert_memory_equal(out, big, len);
	/* No wrapping: bytes pass through, nothing to authenticate or replay. */
	assert_int_equal(wrap_encode(&none, plain, 14, NOW, out, sizeof(out)), 14);
	assert_int_equal(wrap_decode(&none, out, 14, NOW, out, sizeof(out)), 14);
	assert_int_equal(wrap_decode(&none, out, 14, NOW, out, sizeof(out)), 14);
	assert_int_equal(wrap_overhead(&none), 0);
	wrap_free(&a);
	wrap_free(&b);
	wrap_free(&none);
	/* A freed or zeroed ctx fails closed instead of passing packets through. */
	assert_int_equal(wrap_decode(&none, plain, 14, NOW, out, sizeof(out)), WRAP_ERR_STATE);
	assert_int_equal(wrap_encode(&none, plain, 14, NOW, out, sizeof(out)), WRAP_ERR_STATE);
	memset(&none, 0, sizeof(none));
	assert_int_equal(wrap_decode(&none, plain, 14, NOW, out, sizeof(out)), WRAP_ERR_STATE);
	assert_string_equal(wrap_strerror(WRAP_ERR_AUTH), "HMAC/tag mismatch");
}

/* Makes a tls-crypt-v2 server key and a client ctx carrying a WKc with metadata. */
static void v2_setup(uint8_t srv[128], struct wrap_ctx *cli, uint8_t kc[256], const char *meta,
		     size_t meta_len)
{
	uint8_t wkc[WRAP_WKC_MAX];
	int n;

	test_key(kc, 77);
	for (int i = 0; i < 128; i++)
		srv[i] = (uint8_t)(i * 3 + 1);
	n = wrap_v2_wrap_kc(srv, kc, (const uint8_t *)meta, meta_len, wkc, sizeof(wkc));
	assert_int_equal(n, 32 + 256 + (int)meta_len + 2);
	assert_int_equal(wrap_init_v2_client(cli, kc, wkc, (size_t)n, true), 0);
}

static void test_tls_crypt_v2(void **state)
{
	uint8_t srv[128], kc[256], plain[1600], wire[2600], back[2600], bad[2600];
	struct wrap_ctx cli, sv, sv2;
	size_t len;
	int n;

	(void)state;
	v2_setup(srv, &cli, kc, "\x01\x00\x00\x00\x00\x65\x5b\x3a\x80", 9);	/* timestamp */
	len = client_reset(plain, P_CONTROL_HARD_RESET_CLIENT_V3);
	n = wrap_encode(&cli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(n, 54 + 299);	/* §4.4: 353-byte V3 reset */
	assert_memory_equal(wire + 9, "\x0f\x00\x00\x01", 4);	/* early negotiation id */
	/* The server learns Kc from the WKc, then authenticates the packet with it. */
	assert_int_equal(wrap_init_v2_server(&sv, srv, wire, (size_t)n), 0);
	assert_int_equal(sv.meta_len, 9);
	assert_memory_equal(sv.meta, "\x01\x00\x00\x00\x00\x65\x5b\x3a\x80", 9);
	assert_int_equal(wrap_decode(&sv, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	assert_memory_equal(back, plain, len);
	assert_true(wrap_rx_early_neg(&sv));
	/* Server reply, then the client's WKC_V1 (WKc appended) and a plain CONTROL_V1. */
	len = server_reset(plain);
	n = wrap_encode(&sv, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(n, 66);
	assert_int_equal(wrap_decode(&cli, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	assert_false(wrap_rx_early_neg(&cli));
	len = control(plain, sizeof(plain), P_CONTROL_WKC_V1, 1100);
	n = wrap_encode(&cli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(n, (int)(len + 40 + 299));
	assert_int_equal(wrap_decode(&sv, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	assert_memory_equal(back, plain, len);
	len = control(plain, sizeof(plain), P_CONTROL_V1, 100);
	n = wrap_encode(&cli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(n, (int)(len + 40));
	assert_int_equal(wrap_decode(&sv, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	assert_int_equal(wrap_wkc_len(&cli), 299);
	assert_int_equal(wrap_wkc_len(&sv), 0);

	/* Bad WKc: any flipped bit, a bogus length, a wrong server key. */
	len = client_reset(plain, P_CONTROL_HARD_RESET_CLIENT_V3);
	n = wrap_encode(&cli, plain, len, NOW, wire, sizeof(wire));
	for (int i = 54; i < n; i += 7) {
		memcpy(bad, wire, (size_t)n);
		bad[i] ^= 1;
		assert_int_equal(wrap_init_v2_server(&sv2, srv, bad, (size_t)n), WRAP_ERR_WKC);
		wrap_free(&sv2);
	}
	memcpy(bad, wire, (size_t)n);
	bad[n - 1] = 0xff;
	assert_int_equal(wrap_init_v2_server(&sv2, srv, bad, (size_t)n), WRAP_ERR_WKC);
	bad[n - 2] = 0;
	bad[n - 1] = 10;
	assert_int_equal(wrap_init_v2_server(&sv2, srv, bad, (size_t)n), WRAP_ERR_WKC);
	assert_int_equal(wrap_init_v2_server(&sv2, srv, wire, 40), WRAP_ERR_SHORT);
	memcpy(bad, wire, (size_t)n);
	bad[0] = pkt_byte0(P_CONTROL_V1, 0);	/* only opcodes 10 and 11 carry a WKc */
	assert_int_equal(wrap_init_v2_server(&sv2, srv, bad, (size_t)n), WRAP_ERR_WKC);
	memcpy(bad, wire, (size_t)n);
	bad[n - 2] = 0;
	bad[n - 1] = 10;
	srv[0] ^= 1;
	assert_int_equal(wrap_init_v2_server(&sv2, srv, wire, (size_t)n), WRAP_ERR_WKC);
	srv[0] ^= 1;
	/* A WKc-carrying packet whose WKc length is bogus is refused by the server ctx too. */
	assert_int_equal(wrap_decode(&sv, bad, (size_t)n, NOW, back, sizeof(back)), WRAP_ERR_WKC);
	assert_int_equal(sv.stats.rx_wkc, 1);
	/* The tls-crypt part is checked with Kc: tamper the header, keep the WKc. */
	memcpy(bad, wire, (size_t)n);
	bad[3] ^= 1;
	assert_int_equal(wrap_init_v2_server(&sv2, srv, bad, (size_t)n), 0);
	assert_int_equal(wrap_decode(&sv2, bad, (size_t)n, NOW, back, sizeof(back)),
			 WRAP_ERR_AUTH);
	wrap_free(&sv2);
	assert_int_equal(wrap_init_v2_client(&sv2, kc, wire, 10, true), -EINVAL);
	wrap_free(&cli);
	wrap_free(&sv);
}

static void test_dynamic_tls_crypt(void **state)
{
	uint8_t key[256], ekm[256], mixed[256], plain[256], wire[512], back[512];
	struct wrap_ctx ocli, osrv, dcli, dsrv, ref, none;
	size_t len;
	int n;

	(void)state;
	test_key(key, 90);
	for (int i = 0; i < 256; i++) {
		ekm[i] = (uint8_t)(i * 11 + 3);
		mixed[i] = ekm[i] ^ key[i];
	}
	assert_int_equal(wrap_init_crypt(&ocli, key, false), 0);
	assert_int_equal(wrap_init_crypt(&osrv, key, true), 0);
	assert_int_equal(wrap_init_dynamic(&dcli, &ocli, ekm, false), 0);
	assert_int_equal(wrap_init_dynamic(&dsrv, &osrv, ekm, true), 0);
	assert_int_equal(wrap_init_dynamic(&dsrv, &dsrv, ekm, true), -EINVAL);
	len = control(plain, sizeof(plain), P_CONTROL_V1, 100);
	plain[0] = pkt_byte0(P_CONTROL_V1, 1);
	n = wrap_encode(&dcli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(wrap_decode(&dsrv, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	/* Not decodable with the original key, and fresh ids (pid 1 again). */
	assert_int_equal(wrap_decode(&osrv, wire, (size_t)n, NOW, back, sizeof(back)),
			 WRAP_ERR_AUTH);
	assert_memory_equal(wire + 9, "\0\0\0\1", 4);
	/* K = EKM XOR original key (§5.5), used as a tls-crypt key. */
	assert_int_equal(wrap_init_crypt(&ref, mixed, true), 0);
	n = wrap_encode(&dcli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(wrap_decode(&ref, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	wrap_free(&ref);
	/* Without original wrapping K = EKM. */
	assert_int_equal(wrap_init_none(&none), 0);
	wrap_free(&dcli);
	assert_int_equal(wrap_init_dynamic(&dcli, &none, ekm, false), 0);
	assert_int_equal(wrap_init_crypt(&ref, ekm, true), 0);
	n = wrap_encode(&dcli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(wrap_decode(&ref, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	/* orig NULL is the same; a fresh receiver (the sender restarted at packet-id 1). */
	wrap_free(&dcli);
	wrap_free(&ref);
	assert_int_equal(wrap_init_dynamic(&dcli, NULL, ekm, false), 0);
	assert_int_equal(wrap_init_crypt(&ref, ekm, true), 0);
	n = wrap_encode(&dcli, plain, len, NOW, wire, sizeof(wire));
	assert_int_equal(wrap_decode(&ref, wire, (size_t)n, NOW, back, sizeof(back)), (int)len);
	wrap_free(&ref);
	wrap_free(&none);
	wrap_free(&dcli);
	wrap_free(&dsrv);
	wrap_free(&ocli);
	wrap_free(&osrv);
}

/* ---- a real openvpn client's first packet ---- */

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/burrow-wrap-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void spill(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* An openvpn client needs a CA and a certificate to start; any self-signed one will do
 * because we only look at its first packet. */
static bool ovpn_ready(void)
{
	static int ready = -1;	/* 0: a tool is missing, 1: ready, 2: set-up failed */
	char cmd[512];

	if (ready < 0) {
		ready = system("command -v openvpn >/dev/null 2>&1 && "
			       "command -v openssl >/dev/null 2>&1") == 0;
		if (ready) {
			snprintf(cmd, sizeof(cmd), "cd '%s' && openssl req -x509 -newkey ec "
				 "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout k.pem "
				 "-out c.pem -subj /CN=t -days 1 >/dev/null 2>&1", tmpdir);
			ready = system(cmd) == 0 ? 1 : 2;
		}
	}
	/* openssl is there: a certificate it cannot make is a failure, not a skip */
	if (ready == 2)
		fail_msg("set-up: openssl cannot make a test certificate in %s", tmpdir);
	return ready == 1;
}

/* Starts `openvpn --client` at our UDP port with the given wrap option and returns the
 * first datagram it sends (within 10 s), then stops it. */
static int ovpn_first_packet(const char *wrap_opt, const char *wrap_file, uint8_t *buf,
			     size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char port[16];
	struct pollfd pfd;
	int fd, n = -1, status;
	pid_t pid;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(port, sizeof(port), "%u", ntohs(a.sin_port));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		if (chdir(tmpdir) != 0)
			_exit(127);
		execlp("openvpn", "openvpn", "--client", "--dev", "null", "--proto", "udp",
		       "--remote", "127.0.0.1", port, "--nobind", "--ca", "c.pem", "--cert",
		       "c.pem", "--key", "k.pem", wrap_opt, wrap_file, "--verb", "0",
		       (char *)NULL);
		_exit(127);
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 10000) == 1)
		n = (int)recv(fd, buf, cap, 0);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	close(fd);
	return n;
}

static void check_first(const uint8_t *plain, int len, uint8_t op)
{
	struct pkt_ctrl p;

	assert_int_equal(pkt_ctrl_decode(plain, (size_t)len, &p), 0);
	assert_int_equal(p.op, op);
	assert_int_equal(p.key_id, 0);
	assert_int_equal(p.n_acks, 0);
	assert_int_equal(p.msgid, 0);
	assert_int_equal(p.payload_len, 0);
}

static void test_openvpn_client_packets(void **state)
{
	char text[SKEY_TEXT_MAX];
	uint8_t key[256], srvkey[128], meta[9], buf[2048], out[2048];
	struct wrap_ctx sv;
	int n, m;

	(void)state;
	if (!ovpn_ready())
		test_skip("openvpn or openssl not installed (scripts/bootstrap installs them); "
			  "real-client check not run");
	/* tls-crypt: server side of our wrap decodes the client's 54-byte reset. */
	assert_true(skey_generate(text, sizeof(text), key) > 0);
	spill("tc.key", text);
	n = ovpn_first_packet("--tls-crypt", "tc.key", buf, sizeof(buf));
	assert_int_equal(n, 54);
	assert_int_equal(wrap_init_crypt(&sv, key, true), 0);
	m = wrap_decode(&sv, buf, (size_t)n, NOW, out, sizeof(out));
	assert_int_equal(m, 14);
	check_first(out, m, P_CONTROL_HARD_RESET_CLIENT_V2);
	assert_int_equal(sv.last_rx_pid, 1);
	wrap_free(&sv);

	/* tls-auth, SHA1 default, client key-direction 1. */
	n = ovpn_first_packet("--tls-auth", "tc.key", buf, sizeof(buf));
	assert_true(n > 0);
	/* Without key-direction openvpn uses the key bidirectionally. */
	assert_int_equal(wrap_init_auth(&sv, "SHA1", key, WRAP_DIR_BIDI), 0);
	m = wrap_decode(&sv, buf, (size_t)n, NOW, out, sizeof(out));
	assert_int_equal(m, 14);
	check_first(out, m, P_CONTROL_HARD_RESET_CLIENT_V2);
	wrap_free(&sv);

	/* tls-crypt-v2 with a client key WE generated: openvpn must accept its format. */
	assert_true(skey_v2_server_generate(text, sizeof(text), srvkey) > 0);
	skey_v2_meta_timestamp(NOW, meta);
	assert_true(skey_v2_client_generate(srvkey, meta, sizeof(meta), text, sizeof(text),
					    NULL) > 0);
	spill("v2cli.key", text);
	n = ovpn_first_packet("--tls-crypt-v2", "v2cli.key", buf, sizeof(buf));
	assert_int_equal(n, 353);
	assert_int_equal(wrap_init_v2_server(&sv, srvkey, buf, (size_t)n), 0);
	assert_memory_equal(sv.meta, meta, sizeof(meta));
	m = wrap_decode(&sv, buf, (size_t)n, NOW, out, sizeof(out));
	assert_int_equal(m, 14);
	check_first(out, m, P_CONTROL_HARD_RESET_CLIENT_V3);
	assert_int_equal(sv.last_rx_pid, 0x0F000001u);
	assert_true(wrap_rx_early_neg(&sv));
	wrap_free(&sv);
}

/* tls-auth with an explicit key-direction and digest, as a 2.6 client is configured (§5.2). */
static void test_openvpn_tls_auth_keydir(void **state)
{
	char text[SKEY_TEXT_MAX];
	uint8_t key[256], buf[2048], out[2048];
	struct wrap_ctx sv;
	int n, m;

	(void)state;
	if (!ovpn_ready())
		test_skip("openvpn or openssl not installed (scripts/bootstrap installs them); "
			  "real-client check not run");
	assert_true(skey_generate(text, sizeof(text), key) > 0);
	spill("ta.key", text);
	/* "--tls-auth ta.key 1" needs two words; pass them through a config file. */
	spill("ta.conf", "tls-auth ta.key 1\nauth SHA256\n");
	n = ovpn_first_packet("--config", "ta.conf", buf, sizeof(buf));
	assert_int_equal(n, 14 + 32 + 8);
	assert_int_equal(wrap_init_auth(&sv, "SHA256", key, WRAP_DIR_NORMAL), 0);
	m = wrap_decode(&sv, buf, (size_t)n, NOW, out, sizeof(out));
	assert_int_equal(m, 14);
	check_first(out, m, P_CONTROL_HARD_RESET_CLIENT_V2);
	wrap_free(&sv);
	/* The wrong direction does not authenticate. */
	assert_int_equal(wrap_init_auth(&sv, "SHA256", key, WRAP_DIR_INVERSE), 0);
	assert_int_equal(wrap_decode(&sv, buf, (size_t)n, NOW, out, sizeof(out)), WRAP_ERR_AUTH);
	wrap_free(&sv);
}

/* Starts a peer-to-peer `openvpn --tls-server` (no device, no root) on a free loopback port
 * with the given wrap option, sends it our wrapped HARD_RESET from `cli`, and decodes its
 * HARD_RESET_SERVER_V2 with `cli`.  Resends every 300 ms while openvpn starts; 10 s at most. */
static void ovpn_server_reply(const char *wrap_opt, const char *wrap_file, struct wrap_ctx *cli,
			      uint8_t op, struct pkt_ctrl *reply, uint8_t *plain, size_t cap)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	const struct timespec pause = { .tv_nsec = 300 * 1000 * 1000 };
	uint8_t reset[64], wire[2048], buf[2048];
	char port[16];
	int fd, n = -1, m = -1, status;
	size_t len;
	pid_t pid;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);	/* openvpn takes this port; ours gets a new one */
	snprintf(port, sizeof(port), "%u", ntohs(a.sin_port));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		if (chdir(tmpdir) != 0)
			_exit(127);
		execlp("openvpn", "openvpn", "--tls-server", "--dev", "null", "--proto", "udp",
		       "--local", "127.0.0.1", "--lport", port, "--ca", "c.pem", "--cert", "c.pem",
		       "--key", "k.pem", "--dh", "none", wrap_opt, wrap_file, "--verb", "0",
		       (char *)NULL);
		_exit(127);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	len = client_reset(reset, op);
	for (int tries = 0; tries < 33 && m < 0; tries++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		n = wrap_encode(cli, reset, len, NOW, wire, sizeof(wire));
		assert_true(n > 0);
		send(fd, wire, (size_t)n, 0);	/* may be refused while openvpn starts */
		if (poll(&pfd, 1, 300) == 1 && (n = (int)recv(fd, buf, sizeof(buf), 0)) > 0)
			m = wrap_decode(cli, buf, (size_t)n, NOW, plain, cap);
		else
			nanosleep(&pause, NULL);	/* refused: not listening yet */
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	close(fd);
	assert_true(m > 0);
	assert_int_equal(pkt_ctrl_decode(plain, (size_t)m, reply), 0);
	assert_int_equal(reply->op, P_CONTROL_HARD_RESET_SERVER_V2);
	assert_int_equal(reply->key_id, 0);
	assert_int_equal(reply->n_acks, 1);
	assert_int_equal(reply->acks[0], 0);
	assert_memory_equal(reply->remote_sid, csid, 8);
	assert_int_equal(reply->msgid, 0);
	/* Replay id 1; a p2p tls-crypt-v2 openvpn 2.6 server starts at 0x0F000001 as well. */
	assert_true(cli->last_rx_pid == 1 ||
		    (op == P_CONTROL_HARD_RESET_CLIENT_V3 && cli->last_rx_pid == 0x0F000001u));
}

/* The other direction: a real openvpn server's reset reply, decoded by our client side. */
static void test_openvpn_server_replies(void **state)
{
	char text[SKEY_TEXT_MAX];
	uint8_t key[256], srvkey[128], wkc[WRAP_WKC_MAX], plain[2048];
	struct wrap_ctx cli;
	struct pkt_ctrl r;
	int n;

	(void)state;
	if (!ovpn_ready())
		test_skip("openvpn or openssl not installed (scripts/bootstrap installs them); "
			  "real-client check not run");
	assert_true(skey_generate(text, sizeof(text), key) > 0);
	spill("s.key", text);
	assert_int_equal(wrap_init_crypt(&cli, key, false), 0);
	ovpn_server_reply("--tls-crypt", "s.key", &cli,
			  P_CONTROL_HARD_RESET_CLIENT_V2, &r, plain, sizeof(plain));
	assert_int_equal(r.payload_len, 0);
	wrap_free(&cli);

	/* tls-auth: server key-direction 0, we are 1; SHA256. */
	assert_int_equal(wrap_init_auth(&cli, "SHA256", key, WRAP_DIR_INVERSE), 0);
	spill("auth.conf", "tls-auth s.key 0\nauth SHA256\n");
	ovpn_server_reply("--config", "auth.conf", &cli,
			  P_CONTROL_HARD_RESET_CLIENT_V2, &r, plain, sizeof(plain));
	wrap_free(&cli);

	/* tls-crypt-v2 with our keys; the reply may carry the early-negotiation TLV. */
	assert_true(skey_v2_server_generate(text, sizeof(text), srvkey) > 0);
	spill("v2s.key", text);
	n = wrap_v2_wrap_kc(srvkey, key, (const uint8_t *)"\0burrow", 7, wkc, sizeof(wkc));
	assert_true(n > 0);
	assert_int_equal(wrap_init_v2_client(&cli, key, wkc, (size_t)n, true), 0);
	ovpn_server_reply("--tls-crypt-v2", "v2s.key", &cli,
			  P_CONTROL_HARD_RESET_CLIENT_V3, &r, plain, sizeof(plain));
	assert_true(r.payload_len == 0 || (r.payload_len == 6 &&
					   memcmp(r.payload, "\0\1\0\2\0\1", 6) == 0));
	print_message("tls-crypt-v2 server reset payload: %zu bytes\n", r.payload_len);
	wrap_free(&cli);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_crypt_known_answer),
		cmocka_unit_test(test_tls_auth_known_answer),
		cmocka_unit_test(test_tls_auth_directions),
		cmocka_unit_test(test_tamper_and_replay),
		cmocka_unit_test(test_replay_rules),
		cmocka_unit_test(test_sizes_and_buffers),
		cmocka_unit_test(test_tls_crypt_v2),
		cmocka_unit_test(test_dynamic_tls_crypt),
		cmocka_unit_test(test_openvpn_client_packets),
		cmocka_unit_test(test_openvpn_tls_auth_keydir),
		cmocka_unit_test(test_openvpn_server_replies),
	};

	return test_exit(cmocka_run_group_tests(tests, setup_dir, remove_dir));
}
