/* Control packet codec and TCP framing (spec §1, §2.1, §16). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/packet.h"

static const uint8_t client_sid[8] = { 0xb8, 0xa7, 0xdd, 0xc6, 0xe0, 0x0b, 0x4c, 0xc9 };
static const uint8_t server_sid[8] = { 0x46, 0xdf, 0x53, 0xb3, 0xfe, 0x96, 0xd6, 0x0a };

/* §16: the logical (unwrapped) client HARD_RESET_CLIENT_V2: 38 | sid | P = 00 | 00000000. */
static const uint8_t s16_client_reset[] = {
	0x38, 0xb8, 0xa7, 0xdd, 0xc6, 0xe0, 0x0b, 0x4c, 0xc9, 0x00, 0x00, 0x00, 0x00, 0x00 };
/* §16: server reply: 40 | sid | 01 | 00000000 | client sid | 00000000. */
static const uint8_t s16_server_reset[] = {
	0x40, 0x46, 0xdf, 0x53, 0xb3, 0xfe, 0x96, 0xd6, 0x0a, 0x01, 0x00, 0x00, 0x00, 0x00,
	0xb8, 0xa7, 0xdd, 0xc6, 0xe0, 0x0b, 0x4c, 0xc9, 0x00, 0x00, 0x00, 0x00 };

static void test_opcodes(void **state)
{
	(void)state;
	assert_int_equal(pkt_byte0(P_CONTROL_HARD_RESET_CLIENT_V1, 0), 0x08);
	assert_int_equal(pkt_byte0(P_CONTROL_SOFT_RESET_V1, 0), 0x18);
	assert_int_equal(pkt_byte0(P_CONTROL_V1, 0), 0x20);
	assert_int_equal(pkt_byte0(P_ACK_V1, 0), 0x28);
	assert_int_equal(pkt_byte0(P_DATA_V1, 0), 0x30);
	assert_int_equal(pkt_byte0(P_CONTROL_HARD_RESET_CLIENT_V2, 0), 0x38);
	assert_int_equal(pkt_byte0(P_CONTROL_HARD_RESET_SERVER_V2, 0), 0x40);
	assert_int_equal(pkt_byte0(P_DATA_V2, 0), 0x48);
	assert_int_equal(pkt_byte0(P_CONTROL_HARD_RESET_CLIENT_V3, 0), 0x50);
	assert_int_equal(pkt_byte0(P_CONTROL_WKC_V1, 0), 0x58);
	for (uint8_t kid = 0; kid <= 7; kid++) {
		uint8_t b = pkt_byte0(P_CONTROL_V1, kid);

		assert_int_equal(pkt_op(b), P_CONTROL_V1);
		assert_int_equal(pkt_keyid(b), kid);
	}
	for (unsigned op = 0; op < 32; op++) {
		bool ctl = op == 3 || op == 4 || op == 5 || op == 7 || op == 8 || op == 10 ||
			   op == 11;

		assert_int_equal(pkt_op_is_control((uint8_t)op), ctl);
		assert_int_equal(pkt_op_is_data((uint8_t)op), op == 6 || op == 9);
		assert_int_equal(pkt_op_has_msgid((uint8_t)op), ctl && op != 5);
	}
	assert_string_equal(pkt_op_name(P_CONTROL_WKC_V1), "P_CONTROL_WKC_V1");
	assert_string_equal(pkt_op_name(0), "?");
	assert_string_equal(pkt_op_name(200), "?");
}

static void test_decode_s16(void **state)
{
	struct pkt_ctrl p;

	(void)state;
	assert_int_equal(pkt_ctrl_decode(s16_client_reset, sizeof(s16_client_reset), &p), 0);
	assert_int_equal(p.op, P_CONTROL_HARD_RESET_CLIENT_V2);
	assert_int_equal(p.key_id, 0);
	assert_memory_equal(p.sid, client_sid, 8);
	assert_int_equal(p.n_acks, 0);
	assert_true(p.has_msgid);
	assert_int_equal(p.msgid, 0);
	assert_int_equal(p.payload_len, 0);

	assert_int_equal(pkt_ctrl_decode(s16_server_reset, sizeof(s16_server_reset), &p), 0);
	assert_int_equal(p.op, P_CONTROL_HARD_RESET_SERVER_V2);
	assert_memory_equal(p.sid, server_sid, 8);
	assert_int_equal(p.n_acks, 1);
	assert_int_equal(p.acks[0], 0);
	assert_memory_equal(p.remote_sid, client_sid, 8);
	assert_int_equal(p.msgid, 0);
	assert_int_equal(p.payload_len, 0);
}

/* §16 third packet: P_CONTROL_V1, P = 01 | 00000000 | server sid | 00000001 | ClientHello. */
static void test_third_packet_round_trip(void **state)
{
	uint8_t hello[277], buf[512];
	struct pkt_ctrl p = { .op = P_CONTROL_V1, .n_acks = 1, .msgid = 1 }, d;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(hello); i++)
		hello[i] = (uint8_t)i;
	memcpy(p.sid, client_sid, 8);
	memcpy(p.remote_sid, server_sid, 8);
	p.payload = hello;
	p.payload_len = sizeof(hello);
	n = pkt_ctrl_encode(&p, buf, sizeof(buf));
	/* 343 B on the wire = 40 tls-crypt overhead + 303 logical bytes. */
	assert_int_equal(n, 343 - 40);
	assert_int_equal(pkt_ctrl_encoded_len(&p), n);
	assert_int_equal(buf[0], 0x20);
	assert_int_equal(buf[9], 1);
	assert_memory_equal(buf + 10, "\0\0\0\0", 4);
	assert_memory_equal(buf + 14, server_sid, 8);
	assert_memory_equal(buf + 22, "\0\0\0\1", 4);
	assert_int_equal(pkt_ctrl_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.msgid, 1);
	assert_int_equal(d.payload_len, sizeof(hello));
	assert_memory_equal(d.payload, hello, sizeof(hello));
	assert_ptr_equal(d.payload, buf + 26);
}

static void test_encode_s16_exact(void **state)
{
	struct pkt_ctrl p = { .op = P_CONTROL_HARD_RESET_SERVER_V2, .n_acks = 1 };
	uint8_t buf[64];

	(void)state;
	memcpy(p.sid, server_sid, 8);
	memcpy(p.remote_sid, client_sid, 8);
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), sizeof(s16_server_reset));
	assert_memory_equal(buf, s16_server_reset, sizeof(s16_server_reset));
	/* Exactly enough room works, one byte less does not. */
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(s16_server_reset)),
			 sizeof(s16_server_reset));
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(s16_server_reset) - 1), -ENOBUFS);
}

static void test_ack_packet(void **state)
{
	struct pkt_ctrl p = { .op = P_ACK_V1, .key_id = 3, .n_acks = 8 }, d;
	uint8_t buf[128];
	int n;

	(void)state;
	memcpy(p.sid, client_sid, 8);
	memcpy(p.remote_sid, server_sid, 8);
	for (int i = 0; i < 8; i++)
		p.acks[i] = 0x01020300u + (uint32_t)i;
	n = pkt_ctrl_encode(&p, buf, sizeof(buf));
	assert_int_equal(n, 1 + 8 + 1 + 32 + 8);
	assert_int_equal(pkt_ctrl_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.op, P_ACK_V1);
	assert_int_equal(d.key_id, 3);
	assert_false(d.has_msgid);
	assert_int_equal(d.n_acks, 8);
	assert_int_equal(d.acks[7], 0x01020307u);
	assert_int_equal(d.payload_len, 0);
	/* A pure ACK with trailing bytes, or with no ACKs at all, is malformed. */
	buf[n] = 0;
	assert_int_equal(pkt_ctrl_decode(buf, (size_t)n + 1, &d), -EBADMSG);
	p.n_acks = 0;
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pkt_ctrl_decode(buf, 10, &d), -EBADMSG);
}

static void test_decode_malformed(void **state)
{
	uint8_t buf[PKT_CTRL_MAX + 2];
	struct pkt_ctrl d;

	(void)state;
	memcpy(buf, s16_server_reset, sizeof(s16_server_reset));
	assert_int_equal(pkt_ctrl_decode(buf, 0, &d), -EBADMSG);
	assert_int_equal(pkt_ctrl_decode(NULL, 10, &d), -EBADMSG);
	/* Every truncation of a valid packet is rejected as truncated. */
	for (size_t len = 1; len < sizeof(s16_server_reset); len++)
		assert_int_equal(pkt_ctrl_decode(buf, len, &d), -EBADMSG);
	/* Bad opcodes: 0, key-method 1, data, unknown. */
	static const uint8_t bad_ops[] = { 0, 1, 2, 6, 9, 12, 13, 31 };
	for (size_t i = 0; i < sizeof(bad_ops); i++) {
		buf[0] = pkt_byte0(bad_ops[i], 0);
		assert_int_equal(pkt_ctrl_decode(buf, sizeof(s16_server_reset), &d), -EPROTO);
	}
	buf[0] = s16_server_reset[0];
	/* Ack count 9 > 8. */
	buf[9] = 9;
	assert_int_equal(pkt_ctrl_decode(buf, PKT_CTRL_MAX, &d), -ERANGE);
	buf[9] = 0xff;
	assert_int_equal(pkt_ctrl_decode(buf, PKT_CTRL_MAX, &d), -ERANGE);
	buf[9] = 1;
	/* All-zero session id / remote session id. */
	memset(buf + 1, 0, 8);
	assert_int_equal(pkt_ctrl_decode(buf, sizeof(s16_server_reset), &d), -EINVAL);
	memcpy(buf + 1, server_sid, 8);
	memset(buf + 14, 0, 8);
	assert_int_equal(pkt_ctrl_decode(buf, sizeof(s16_server_reset), &d), -EINVAL);
	memcpy(buf + 14, client_sid, 8);
	assert_int_equal(pkt_ctrl_decode(buf, sizeof(s16_server_reset), &d), 0);
	/* Too long. */
	memset(buf + sizeof(s16_server_reset), 0xaa, sizeof(buf) - sizeof(s16_server_reset));
	assert_int_equal(pkt_ctrl_decode(buf, PKT_CTRL_MAX, &d), 0);
	assert_int_equal(d.payload_len, PKT_CTRL_MAX - sizeof(s16_server_reset));
	assert_int_equal(pkt_ctrl_decode(buf, PKT_CTRL_MAX + 1, &d), -EMSGSIZE);
}

static void test_encode_invalid(void **state)
{
	struct pkt_ctrl p = { .op = P_CONTROL_V1, .n_acks = 9 };
	uint8_t buf[64], big[PKT_CTRL_MAX];

	(void)state;
	memcpy(p.sid, client_sid, 8);
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), -EINVAL);
	p.n_acks = 0;
	p.op = P_DATA_V2;
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), -EINVAL);
	p.op = P_CONTROL_HARD_RESET_CLIENT_V1;
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), -EINVAL);
	p.op = P_CONTROL_V1;
	p.key_id = 8;
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), -EINVAL);
	p.key_id = 0;
	p.payload_len = 3;	/* no payload pointer */
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), -EINVAL);
	p.payload = big;
	p.payload_len = sizeof(big);	/* header + payload > PKT_CTRL_MAX */
	assert_int_equal(pkt_ctrl_encoded_len(&p), -EINVAL);
	p.op = P_ACK_V1;
	p.n_acks = 1;
	p.payload_len = 1;
	assert_int_equal(pkt_ctrl_encode(&p, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(pkt_ctrl_encode(NULL, buf, sizeof(buf)), -EINVAL);
}

static void test_peek(void **state)
{
	uint8_t op, kid, sid[8];

	(void)state;
	assert_int_equal(pkt_peek(s16_server_reset, 9, &op, &kid, sid), 0);
	assert_int_equal(op, P_CONTROL_HARD_RESET_SERVER_V2);
	assert_int_equal(kid, 0);
	assert_memory_equal(sid, server_sid, 8);
	assert_int_equal(pkt_peek(s16_server_reset, 8, &op, &kid, sid), -EBADMSG);
}

static size_t make_stream(uint8_t *out, size_t cap, size_t *lens, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t pkt[300];

		for (size_t j = 0; j < lens[i]; j++)
			pkt[j] = (uint8_t)(i * 31 + j);
		int r = pkt_tcp_frame(pkt, lens[i], out + off, cap - off);

		assert_int_equal(r, (int)lens[i] + 2);
		off += (size_t)r;
	}
	return off;
}

/* Feeds stream in chunks of `chunk` bytes; checks every packet comes out whole. */
static void feed_all(const uint8_t *stream, size_t len, size_t chunk, size_t *lens, size_t n)
{
	struct pkt_tcp_rx rx;
	size_t off = 0, got = 0;

	assert_int_equal(pkt_tcp_rx_init(&rx, 0), 0);
	while (off < len) {
		size_t c = len - off < chunk ? len - off : chunk;
		const uint8_t *p = stream + off, *pkt;
		size_t plen;

		while (c) {
			size_t used;
			int r = pkt_tcp_rx_feed(&rx, p, c, &used, &pkt, &plen);

			assert_true(r >= 0);
			assert_true(used > 0 && used <= c);
			if (r == 1) {
				assert_true(got < n);
				assert_int_equal(plen, lens[got]);
				for (size_t j = 0; j < plen; j++)
					assert_int_equal(pkt[j], (uint8_t)(got * 31 + j));
				got++;
			}
			p += used;
			c -= used;
			off += used;
		}
	}
	assert_int_equal(got, n);
	assert_int_equal(rx.n_packets, n);
	pkt_tcp_rx_free(&rx);
}

static void test_tcp_reassembly(void **state)
{
	size_t lens[] = { 1, 54, 300, 2, 66, 255, 256, 7 };
	size_t n = sizeof(lens) / sizeof(lens[0]);
	uint8_t stream[2048];
	size_t len;

	(void)state;
	len = make_stream(stream, sizeof(stream), lens, n);
	assert_int_equal(stream[0], 0);
	assert_int_equal(stream[1], 1);
	for (size_t chunk = 1; chunk <= 20; chunk++)
		feed_all(stream, len, chunk, lens, n);
	feed_all(stream, len, 257, lens, n);
	feed_all(stream, len, len, lens, n);
}

static void test_tcp_bad_length(void **state)
{
	struct pkt_tcp_rx rx;
	const uint8_t zero[] = { 0, 0, 0x38 }, big[] = { 0x01, 0x01 }, ok[] = { 0, 1, 0x38 };
	const uint8_t *pkt;
	size_t used, plen;

	(void)state;
	assert_int_equal(pkt_tcp_rx_init(&rx, 256), 0);
	assert_int_equal(pkt_tcp_rx_feed(&rx, zero, sizeof(zero), &used, &pkt, &plen), -EBADMSG);
	/* Broken stays broken until reset. */
	assert_int_equal(pkt_tcp_rx_feed(&rx, ok, sizeof(ok), &used, &pkt, &plen), -EBADMSG);
	pkt_tcp_rx_reset(&rx);
	assert_int_equal(pkt_tcp_rx_feed(&rx, ok, sizeof(ok), &used, &pkt, &plen), 1);
	assert_int_equal(plen, 1);
	/* 257 > max 256; 256 itself is fine. */
	assert_int_equal(pkt_tcp_rx_feed(&rx, big, 1, &used, &pkt, &plen), 0);
	assert_int_equal(pkt_tcp_rx_feed(&rx, big + 1, 1, &used, &pkt, &plen), -EBADMSG);
	assert_int_equal(rx.n_bad, 2);
	pkt_tcp_rx_free(&rx);
	pkt_tcp_rx_free(&rx);	/* harmless twice */
	assert_int_equal(pkt_tcp_rx_init(&rx, PKT_TCP_MAX + 1), -EINVAL);
}

static void test_tcp_frame(void **state)
{
	uint8_t buf[16] = { 0 }, hdr[2];

	(void)state;
	memcpy(buf + 2, "abc", 3);
	/* In place. */
	assert_int_equal(pkt_tcp_frame(buf + 2, 3, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "\0\3abc", 5);
	assert_int_equal(pkt_tcp_frame(buf, 0, buf, sizeof(buf)), -EMSGSIZE);
	assert_int_equal(pkt_tcp_frame(buf, 15, buf, sizeof(buf)), -ENOBUFS);
	assert_int_equal(pkt_tcp_put_len(hdr, 65535), 0);
	assert_memory_equal(hdr, "\xff\xff", 2);
	assert_int_equal(pkt_tcp_put_len(hdr, 65536), -EMSGSIZE);
	assert_int_equal(pkt_tcp_put_len(hdr, 0), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opcodes),
		cmocka_unit_test(test_decode_s16),
		cmocka_unit_test(test_third_packet_round_trip),
		cmocka_unit_test(test_encode_s16_exact),
		cmocka_unit_test(test_ack_packet),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_encode_invalid),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_tcp_reassembly),
		cmocka_unit_test(test_tcp_bad_length),
		cmocka_unit_test(test_tcp_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
