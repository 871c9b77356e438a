/* The data path's packet rewriting on arbitrary input: virtio-net header + packet through
 * vif_vnet_split (checksum completion, TCP segmentation), and mssfix on the raw packet as a
 * TUN and as a TAP frame. Never crash or over-read; every emitted packet lies inside the
 * buffer, is no longer than the input, and a clamped SYN's MSS never rises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mss.h"
#include "vif/vnet.h"

struct span {
	const uint8_t *lo, *hi;
	size_t total;
	unsigned sink;
};

static void emit(void *arg, const uint8_t *pkt, size_t len)
{
	struct span *s = arg;

	if (pkt < s->lo || pkt + len > s->hi)
		abort();
	s->total += len;
	for (size_t i = 0; i < len; i++)	/* touch every byte: ASan sees over-reads */
		s->sink += pkt[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct span s = { .lo = buf, .hi = buf + size };
	int n = vif_vnet_split(buf, size, emit, &s);
	if (n > 0 && (size_t)n > size)
		abort();

	for (int tap = 0; tap < 2; tap++) {
		memcpy(buf, data, size);
		int fam = mss_syn_family(buf, size, tap);
		if (mss_clamp(buf, size, tap, 536) && !fam)
			abort();	/* only a SYN with an MSS option is ever changed */
		if (!fam && memcmp(buf, data, size))
			abort();
	}
	free(buf);
	return 0;
}
