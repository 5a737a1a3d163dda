/* sanitize_text: whatever comes in, what goes out is valid UTF-8 without a
 * control character or ESC, fits the buffer, and is terminated; sanitize_dup
 * never truncates (its result equals sanitizing into a large buffer). */
#include "fuzz.h"

#include "paydesk/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t outlen = data[0]; /* 0..255, small buffers cut the text */
	char *in = fuzz_cstr(data + 1, size - 1);
	size_t inlen = strlen(in);

	char *out = malloc(outlen + 1);
	FUZZ_CHECK(out);
	out[outlen] = 'Z'; /* the byte past the buffer stays untouched */
	size_t w = sanitize_text(in, out, outlen);
	FUZZ_CHECK(out[outlen] == 'Z');
	if (outlen == 0) {
		FUZZ_CHECK(w == 0);
	} else {
		FUZZ_CHECK(w < outlen && strlen(out) == w);
		FUZZ_CHECK(fuzz_utf8_valid(out, w));
		FUZZ_CHECK(!fuzz_has_control(out, w));
	}

	size_t big = inlen * 3 + 1;
	char *full = malloc(big);
	FUZZ_CHECK(full);
	size_t fw = sanitize_text(in, full, big);
	FUZZ_CHECK(fw < big && fuzz_utf8_valid(full, fw) && !fuzz_has_control(full, fw));
	/* A cut output is a prefix of the whole one. */
	if (outlen)
		FUZZ_CHECK(w <= fw && memcmp(out, full, w) == 0);
	char *dup = sanitize_dup(in);
	FUZZ_CHECK(dup && strcmp(dup, full) == 0);
	/* Sanitizing is idempotent on text it produced. */
	char *again = sanitize_dup(full);
	FUZZ_CHECK(again && strcmp(again, full) == 0);
	/* Clean printable input comes out unchanged. */
	if (fuzz_utf8_valid(in, inlen) && !fuzz_has_control(in, inlen))
		FUZZ_CHECK(strcmp(full, in) == 0);
	free(again);
	free(dup);
	free(full);
	free(out);
	free(in);
	return 0;
}
