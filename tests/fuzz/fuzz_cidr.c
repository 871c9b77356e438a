/* nl_parse_cidr/nl_parse_addr on arbitrary text (config files and `burrow dev` pass user text
 * to them): never crash, and whatever parses must format and parse back to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vif/nl.h"

static void fuzz_roundtrip(const struct nl_addr *a)
{
	struct nl_addr back;
	char text[64];

	if (nl_format_addr(a, true, text, sizeof(text)) < 0)
		abort();
	if (nl_parse_cidr(text, &back, NULL) < 0)
		abort();
	if (back.family != a->family || back.prefix != a->prefix ||
	    memcmp(back.bytes, a->bytes, sizeof(a->bytes)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_addr a;
	struct nl_err err;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (nl_parse_cidr(text, &a, &err) == 0)
		fuzz_roundtrip(&a);
	if (nl_parse_addr(text, &a, &err) == 0)
		fuzz_roundtrip(&a);
	free(text);
	return 0;
}
