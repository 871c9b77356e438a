/* Fuzzes the control packet decoder (round trip through the encoder) and the TCP stream
 * reassembler (input cut into chunks whose sizes come from the input itself). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/packet.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ctrl(data, size);
	fuzz_tcp(data, size);
	return 0;
}
