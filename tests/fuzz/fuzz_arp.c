/* TAP neighbour answers (core/arp.c) on arbitrary frames: never crash or over-read, and any
 * answer is a well-formed ARP reply or neighbour advertisement of the advertised length. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arp_self self = { .mac = { 0x02, 0, 0, 0, 0, 1 }, .has_v4 = 1, .has_v6 = 1 };
	uint8_t out[128];
	uint8_t *frame;
	int n;

	/* Our addresses are the ones the frame asks for whenever it is long enough, so the
	 * answer paths are reached, not only the rejections. */
	if (size >= 42)
		memcpy(&self.v4, data + 38, 4);
	if (size >= 14 + 40 + 24)
		memcpy(&self.v6, data + 14 + 40 + 8, 16);
	/* An exact-size heap copy so ASan sees any read past the end. */
	frame = malloc(size ? size : 1);
	if (!frame)
		return 0;
	memcpy(frame, data, size);
	n = arp_answer(&self, frame, size, out, sizeof(out));
	if (n != 0 && n != ARP_REPLY_LEN && n != ARP_NA_LEN)
		abort();
	if (n > 0 && memcmp(out + 6, self.mac, 6) != 0)
		abort();
	n = arp_answer(&self, frame, size, out, 20);	/* too small: refused, not overrun */
	if (n > 0)
		abort();
	free(frame);
	return 0;
}
