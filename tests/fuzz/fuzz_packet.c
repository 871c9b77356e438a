/* Fuzzes the control packet decoder (round trip through the encoder), the TCP stream
 * reassembler (input cut into chunks whose sizes come from the input itself), and the
 * reliability layer driven by the input as a sequence of operations. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/packet.h"
#include "proto/reliable.h"

static void fuzz_ctrl(const uint8_t *data, size_t size)
{
	struct pkt_ctrl pkt, again;
	uint8_t out[PKT_CTRL_MAX];
	int n;

	if (pkt_ctrl_decode(data, size, &pkt) != 0)
		return;
	n = pkt_ctrl_encode(&pkt, out, sizeof(out));
	/* Whatever decodes must re-encode to the same bytes. */
	if (n != (int)size || memcmp(out, data, size) != 0)
		abort();
	if (pkt_ctrl_decode(out, (size_t)n, &again) != 0 || again.msgid != pkt.msgid ||
	    again.n_acks != pkt.n_acks || again.payload_len != pkt.payload_len)
		abort();
}

static void fuzz_tcp(const uint8_t *data, size_t size)
{
	struct pkt_tcp_rx rx;
	size_t off = 1, total = 0;

	if (size < 1 || pkt_tcp_rx_init(&rx, 64 + (size_t)data[0] * 8) != 0)
		return;
	while (off < size) {
		size_t chunk = 1 + data[off] % 37, used, plen = 0;
		const uint8_t *p = NULL;
		int r;

		if (chunk > size - off)
			chunk = size - off;
		r = pkt_tcp_rx_feed(&rx, data + off, chunk, &used, &p, &plen);
		if (used > chunk || (r == 1 && (plen == 0 || plen > rx.max)))
			abort();
		if (r < 0)
			break;
		if (r == 1)
			total += plen;
		if (used == 0 && r == 0)
			abort();	/* no progress */
		off += used;
	}
	(void)total;
	pkt_tcp_rx_free(&rx);
}

static uint32_t u32_at(const uint8_t *p, size_t left)
{
	uint32_t v = 0;

	for (size_t i = 0; i < 4 && i < left; i++)
		v = v << 8 | p[i];
	return v;
}

/* Each step: op byte, then an argument; invariants checked after every step. */
static void fuzz_reliable(const uint8_t *data, size_t size)
{
	static struct rel_send s;
	static struct rel_recv r;
	static uint8_t payload[4096];	/* lengths up to 3000 must point at real bytes */
	uint32_t acks[REL_ACK_MAX];
	uint64_t now = 0;

	rel_send_init(&s, 0);
	rel_recv_init(&r);
	for (size_t i = 0; i + 1 < size; i += 5) {
		uint32_t arg = u32_at(data + i + 1, size - i - 1);
		const struct rel_pkt *p;
		const struct rel_msg *m;
		uint32_t before = r.next;

		switch (data[i] % 7) {
		case 0:
			rel_send_queue(&s, P_CONTROL_V1, payload, arg % 3000, now, NULL);
			break;
		case 1:
			rel_send_ack(&s, arg % 64, now);
			break;
		case 2:
			now += arg % 20000;
			while ((p = rel_send_due(&s, now)) != NULL)
				if (p->due_ms <= now || p->len > REL_PAYLOAD_MAX)
					abort();
			break;
		case 3:
			rel_recv_accept(&r, P_CONTROL_V1, arg % 40, payload, arg % 2100);
			break;
		case 4:
			if ((m = rel_recv_peek(&r)) != NULL && m->msgid != r.next)
				abort();
			rel_recv_pop(&r);
			if (r.next != before && r.next != before + 1)
				abort();
			break;
		case 5:
			if (rel_ack_build(&r, acks, arg % 12) > REL_ACK_MAX)
				abort();
			break;
		default:
			rel_send_queue_stream(&s, P_CONTROL_V1, data, size, 1 + arg % 2100, now);
		}
		if (rel_send_space(&s) > REL_SEND_WINDOW || rel_ack_pending(&r) > REL_ACK_QUEUE)
			abort();
	}
	rel_send_free(&s);
	rel_recv_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ctrl(data, size);
	fuzz_tcp(data, size);
	fuzz_reliable(data, size);
	return 0;
}
