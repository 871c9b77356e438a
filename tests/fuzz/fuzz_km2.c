/* Fuzzes the key-method-2 parser (both layouts) and what the server does with the result:
 * peer-info parsing and the OCC cipher lookup. Whatever parses must rebuild and parse back
 * to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/keys.h"
#include "proto/occ.h"
#include "proto/peerinfo.h"

static struct keys_km2 km, again;
static uint8_t out[KEYS_KM2_MAX];

static void fuzz_layout(const uint8_t *data, size_t size, bool from_client)
{
	struct pinfo pi;
	char cipher[64];
	int n;

	if (keys_km2_parse(&km, from_client, data, size) != 0)
		return;
	n = keys_km2_build(&km, out, sizeof(out));
	if (n < 0 || keys_km2_parse(&again, from_client, out, (size_t)n) != 0 ||
	    memcmp(&km, &again, sizeof(km)) != 0)
		abort();
	pinfo_parse(&pi, km.peer_info, strlen(km.peer_info));
	occ_get(km.options, "cipher", cipher, sizeof(cipher));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_layout(data, size, true);
	fuzz_layout(data, size, false);
	return 0;
}
