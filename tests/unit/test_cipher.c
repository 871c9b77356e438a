/* Cipher/digest table: names, sizes against OpenSSL's own numbers, list parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "proto/cipher.h"

static void test_find_case_insensitive(void **s)
{
	(void)s;
	const struct cipher_info *c = cipher_find("aes-256-gcm");

	assert_non_null(c);
	assert_string_equal(c->name, "AES-256-GCM");
	assert_ptr_equal(cipher_find("AES-256-GCM"), c);
	assert_ptr_equal(cipher_find("id-aes256-GCM"), c);
	assert_string_equal(cipher_find("ChaCha20-Poly1305")->name, "CHACHA20-POLY1305");
	assert_null(cipher_find("AES-256-GCMX"));
	assert_null(cipher_find("BF-CBC"));
	assert_null(cipher_find(""));
	assert_null(cipher_find(NULL));
	assert_int_equal(cipher_find("none")->kind, CIPHER_KIND_NONE);
}

/* Every table row agrees with what OpenSSL reports for the EVP cipher. */
static void test_sizes_match_openssl(void **s)
{
	(void)s;
	for (size_t i = 0; cipher_at(i); i++) {
		const struct cipher_info *c = cipher_at(i);
		if (c->kind == CIPHER_KIND_NONE) {
			assert_null(cipher_evp_fetch(c));
			continue;
		}
		EVP_CIPHER *e = cipher_evp_fetch(c);
		assert_non_null(e);
		assert_int_equal(EVP_CIPHER_get_key_length(e), c->key_len);
		assert_int_equal(EVP_CIPHER_get_iv_length(e), c->iv_len);
		assert_int_equal(EVP_CIPHER_get_block_size(e), c->block_len);
		bool aead = (EVP_CIPHER_get_flags(e) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
		assert_int_equal(aead, c->kind == CIPHER_KIND_AEAD);
		assert_int_equal(c->tag_len, aead ? 16 : 0);
		assert_true(c->key_len <= CIPHER_MAX_KEY_LEN);
		assert_true(cipher_available(c));
		EVP_CIPHER_free(e);
	}
}

static void test_digests(void **s)
{
	(void)s;
	const char *names[] = { "SHA1", "sha256", "SHA-384", "sha512", "SHA224" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct cipher_digest *d = cipher_digest_find(names[i]);
		assert_non_null(d);
		EVP_MD *md = cipher_digest_evp_fetch(d);
		assert_non_null(md);
		assert_int_equal(EVP_MD_get_size(md), d->len);
		assert_true(d->len <= CIPHER_DIGEST_MAX_LEN);
		EVP_MD_free(md);
	}
	assert_string_equal(cipher_digest_find("sha-256")->name, "SHA256");
	assert_int_equal(cipher_digest_find("NONE")->len, 0);
	assert_null(cipher_digest_evp_fetch(cipher_digest_find("none")));
	assert_null(cipher_digest_find("MD4"));
	assert_null(cipher_digest_find(NULL));
}

static void test_list_parse(void **s)
{
	(void)s;
	const struct cipher_info *l[8];
	size_t unk = 99;

	int n = cipher_list_parse("AES-256-GCM:aes-128-gcm:CHACHA20-POLY1305", l, 8, &unk);
	assert_int_equal(n, 3);
	assert_int_equal(unk, 0);
	assert_string_equal(l[0]->name, "AES-256-GCM");
	assert_string_equal(l[1]->name, "AES-128-GCM");
	assert_string_equal(l[2]->name, "CHACHA20-POLY1305");
	/* unknown skipped, duplicate dropped */
	n = cipher_list_parse("BF-CBC:AES-256-GCM:FOO:AES-256-GCM", l, 8, &unk);
	assert_int_equal(n, 1);
	assert_int_equal(unk, 2);
	assert_int_equal(cipher_list_parse("AES-256-GCM", l, 8, NULL), 1);
	assert_int_equal(cipher_list_parse("", l, 8, NULL), -EINVAL);
	assert_int_equal(cipher_list_parse("AES-256-GCM:", l, 8, NULL), -EINVAL);
	assert_int_equal(cipher_list_parse(":AES-256-GCM", l, 8, NULL), -EINVAL);
	assert_int_equal(cipher_list_parse("A::B", l, 8, NULL), -EINVAL);
	char longname[100];
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(cipher_list_parse(longname, l, 8, NULL), -EINVAL);
	assert_int_equal(cipher_list_parse("AES-256-GCM:AES-128-GCM", l, 1, NULL), -E2BIG);
	assert_int_equal(cipher_list_parse(NULL, l, 8, NULL), -EINVAL);
}

static void test_list_format_pick(void **s)
{
	(void)s;
	const struct cipher_info *ours[3], *theirs[3];
	char buf[128];

	assert_int_equal(cipher_list_parse("AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", ours, 3,
					   NULL), 3);
	int n = cipher_list_format(ours, 3, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen("AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305"));
	assert_string_equal(buf, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305");
	assert_int_equal(cipher_list_format(ours, 3, buf, 41), -ENOSPC);
	assert_int_equal(cipher_list_format(ours, 3, buf, 42), 41);
	assert_int_equal(cipher_list_format(ours, 0, buf, 1), 0);
	assert_string_equal(buf, "");

	assert_int_equal(cipher_list_parse("chacha20-poly1305:aes-128-gcm", theirs, 3, NULL), 2);
	assert_string_equal(cipher_list_pick(ours, 3, theirs, 2)->name, "AES-128-GCM");
	assert_string_equal(cipher_list_pick(theirs, 2, ours, 3)->name, "CHACHA20-POLY1305");
	assert_int_equal(cipher_list_parse("AES-256-CBC", theirs, 3, NULL), 1);
	assert_null(cipher_list_pick(ours, 3, theirs, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_case_insensitive),
		cmocka_unit_test(test_sizes_match_openssl),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_list_parse),
		cmocka_unit_test(test_list_format_pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
