/* Argon2id in a helper process (sys/kdf.c): the paydesk binary (PAYDESK_BIN)
 * answers exactly what libsodium answers here, the derivation's memory never
 * enters this process, and a helper that does not answer (not paydesk, or
 * gone) leaves the derivation to this process, with the same result. */
#include "testutil.h"

#include <sodium.h>

#include "paydesk/kdf.h"

#define PASS "correct horse battery staple"
#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static long status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* The peak (VmHWM) back to what is resident now (Linux 4.0+). */
static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	assert_non_null(f);
	fputs("5", f);
	fclose(f);
}

static const char *paydesk_bin(void)
{
	const char *bin = getenv("PAYDESK_BIN");
	return bin && access(bin, X_OK) == 0 ? bin : NULL;
}

static void expected_key(unsigned char out[32], const unsigned char *salt)
{
	assert_int_equal(crypto_pwhash(out, 32, PASS, strlen(PASS), salt, OPS, MEM,
				       crypto_pwhash_ALG_ARGON2ID13),
			 0);
}

static void test_in_process_without_helper(void **state)
{
	(void)state;
	kdf_child_use(NULL);
	assert_false(kdf_child_enabled());
	unsigned char salt[crypto_pwhash_SALTBYTES], want[32], got[32];
	randombytes_buf(salt, sizeof salt);
	expected_key(want, salt);
	assert_int_equal(kdf_derive(got, sizeof got, PASS, salt, OPS, MEM), 0);
	assert_memory_equal(got, want, sizeof want);
}

static void test_helper_answers_as_libsodium(void **state)
{
	(void)state;
	if (!paydesk_bin())
		skip();
	kdf_child_use(paydesk_bin());
	unsigned char salt[crypto_pwhash_SALTBYTES], want[32], got[32];
	randombytes_buf(salt, sizeof salt);
	reset_peak();
	long before = status_kb("VmHWM");
	assert_int_equal(kdf_derive(got, sizeof got, PASS, salt, OPS, MEM), 0);
	char hash[crypto_pwhash_STRBYTES];
	assert_int_equal(kdf_hash_str(hash, "2468", OPS, MEM), 0);
	assert_int_equal(kdf_verify_str(hash, "2468", 4), 0);
	/* 64 MiB each time, in the helper: this process's peak grew by far less. */
	long grown = status_kb("VmHWM") - before;
	if (grown >= 16 * 1024)
		fail_msg("this process's peak grew by %ld kB", grown);
	expected_key(want, salt);
	assert_memory_equal(got, want, sizeof want);

	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_int_equal(crypto_pwhash_str_verify(hash, "2468", 4), 0); /* libsodium agrees */
	assert_int_equal(kdf_verify_str(hash, "2469", 4), -1);
	assert_int_equal(kdf_verify_str("not a hash", "2468", 4), -1);
	kdf_child_use(NULL);
}

static void test_helper_not_answering_falls_back(void **state)
{
	(void)state;
	/* /bin/true exits without a word; a path that is not there cannot run. */
	const char *helpers[] = {"/bin/true", "/nonexistent/paydesk"};
	for (size_t i = 0; i < 2; i++) {
		kdf_child_use(helpers[i]);
		unsigned char salt[crypto_pwhash_SALTBYTES], want[32], got[32];
		randombytes_buf(salt, sizeof salt);
		expected_key(want, salt);
		assert_int_equal(kdf_derive(got, sizeof got, PASS, salt, OPS, MEM), 0);
		assert_memory_equal(got, want, sizeof want);
		char hash[crypto_pwhash_STRBYTES];
		assert_int_equal(kdf_hash_str(hash, "2468", OPS, MEM), 0);
		assert_int_equal(kdf_verify_str(hash, "2468", 4), 0);
		assert_int_equal(kdf_verify_str(hash, "1357", 4), -1);
	}
	kdf_child_use(NULL);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_process_without_helper),
		cmocka_unit_test(test_helper_answers_as_libsodium),
		cmocka_unit_test(test_helper_not_answering_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
