/* Helper of pki_openvpn.sh (not a test): writes a PKI with pki_make().
 * Usage: pkigen DIR ec|rsa [DAYS [CLIENT_CN...]]   (DAYS 0 = default, negative = expired)
 *        pkigen DIR odd nocn|emptycn|longcn|nulcn|metacn BASE   (a client cert a server must refuse, or
 *        metacn: one it must accept under a sanitised name,
 *        signed by DIR's CA: BASE.crt, BASE.key; see pki_make_odd)
 *        pkigen DIR crl OUT [CERT...]   (a CRL signed by DIR's CA revoking the CERT files) */
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

	if (argc >= 4 && strcmp(argv[2], "crl") == 0) {
		rc = pki_make_crl(argv[1], argv[3], (const char *const *)argv + 4, argc - 4);
		if (rc)
			fprintf(stderr, "pkigen: %s\n", strerror(-rc));
		return rc ? 1 : 0;
	}
	if (argc == 5 && strcmp(argv[2], "odd") == 0) {
		static const char *const kinds[] = { "nocn", "emptycn", "longcn", "nulcn",
						      "metacn" };

		for (int k = 0; k < 5; k++)
			if (strcmp(argv[3], kinds[k]) == 0) {
				rc = pki_make_odd(argv[1], argv[4], (enum pki_odd)k);
				if (rc)
					fprintf(stderr, "pkigen: %s\n", strerror(-rc));
				return rc ? 1 : 0;
			}
		fprintf(stderr, "pkigen: unknown odd kind '%s'\n", argv[3]);
		return 2;
	}
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
