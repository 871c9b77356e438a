/* Helper of pki_openvpn.sh (not a test): writes a PKI with pki_make().
 * Usage: pkigen DIR ec|rsa [DAYS [CLIENT_CN...]]   (DAYS 0 = default, negative = expired) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/pki.h"

int main(int argc, char **argv)
{
	struct pki_opts o = { 0 };
	char *end = NULL;
	int rc;

	if (argc < 3 || (strcmp(argv[2], "ec") != 0 && strcmp(argv[2], "rsa") != 0)) {
		fprintf(stderr, "usage: pkigen DIR ec|rsa [DAYS [CLIENT_CN...]]\n");
		return 2;
	}
	o.key_type = strcmp(argv[2], "rsa") == 0 ? PKI_KEY_RSA : PKI_KEY_EC;
	if (argc > 3) {
		long d = strtol(argv[3], &end, 10);

		if (!*argv[3] || *end || d < -3650 || d > 3650) {
			fprintf(stderr, "pkigen: bad DAYS '%s'\n", argv[3]);
			return 2;
		}
		o.days = (int)d;
	}
	for (int i = 4; i < argc && o.n_clients < PKI_MAX_CLIENTS; i++)
		o.client_cns[o.n_clients++] = argv[i];
	rc = pki_make(argv[1], &o);
	if (rc) {
		fprintf(stderr, "pkigen: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
