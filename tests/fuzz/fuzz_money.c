/* money_parse on any text for every kind of currency, and the round trip
 * money_parse(money_format(x) without its code) == x over the whole range,
 * also as a European desk writes it (1.234,50) and with spaces (1 234.50):
 * a rendering is read as the same amount or refused, never as another. */
#include "fuzz.h"

#include <inttypes.h>

#include "paydesk/error.h"
#include "paydesk/money.h"

static const char *const mo_currencies[] = {"usd", "EUR", "jpy", "KRW", "bhd", "kwd",
					    "xyz", "",    "u",   "usdx", NULL};

/* f ("1,234.50") with the marks swapped ("1.234,50") and with spaces for
 * thousands ("1 234.50"). Both are read as amount; the swapped one may be
 * refused only where it is ambiguous (a three-decimal amount below 1,000). */
static void check_renderings(const char *f, const char *cur, int exp, int64_t amount)
{
	char swapped[64], spaced[64];
	size_t i = 0;
	for (; f[i] && i + 1 < sizeof swapped; i++) {
		swapped[i] = f[i] == ',' ? '.' : f[i] == '.' ? ',' : f[i];
		spaced[i] = f[i] == ',' ? ' ' : f[i];
	}
	swapped[i] = spaced[i] = '\0';
	struct pd_error e;
	int64_t back = -1;
	int rc = money_parse(swapped, cur, &back, &e);
	FUZZ_CHECK(rc != PD_OK || back == amount);
	FUZZ_CHECK(rc == PD_OK || (exp == 3 && amount < 1000000));
	back = -1;
	FUZZ_CHECK(money_parse(spaced, cur, &back, &e) == PD_OK && back == amount);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t nc = sizeof mo_currencies / sizeof mo_currencies[0];
	const char *cur = mo_currencies[data[0] % nc];
	int exp = money_exponent(cur);
	FUZZ_CHECK(exp == 0 || exp == 2 || exp == 3);
	char *text = fuzz_cstr(data + 1, size - 1);

	struct pd_error err = {0};
	int64_t minor = -12345;
	int rc = money_parse(text, cur, &minor, &err);
	if (rc == PD_OK) {
		FUZZ_CHECK(minor >= 0 && minor <= MONEY_MAX_MINOR);
		FUZZ_CHECK(exp != 3 || minor % 10 == 0);
	} else {
		FUZZ_CHECK(rc == PD_ERR_USAGE && err.msg[0]);
		FUZZ_CHECK(minor == -12345); /* untouched on failure */
	}

	/* Format any int64 (the input's bytes) into buffers of every size. */
	int64_t v = 0;
	memcpy(&v, data + 1, size - 1 < sizeof v ? size - 1 : sizeof v);
	char out[64];
	for (size_t cap = 1; cap <= sizeof out; cap += 7) {
		memset(out, 'Z', sizeof out);
		money_format(v, cur, out, cap);
		FUZZ_CHECK(strlen(out) < cap);
		FUZZ_CHECK(cap == sizeof out || out[cap] == 'Z');
	}

	/* Round trip for every amount in range (and the parsed one). */
	int64_t amounts[2] = {(int64_t)((uint64_t)v % (MONEY_MAX_MINOR + 1)), rc ? 0 : minor};
	if (exp == 3)
		amounts[0] -= amounts[0] % 10;
	for (int i = 0; i < 2; i++) {
		char f[64];
		money_format(amounts[i], cur, f, sizeof f);
		char *sp = strrchr(f, ' ');
		FUZZ_CHECK(sp);
		*sp = '\0'; /* drop " USD" */
		int64_t back = -1;
		struct pd_error e2;
		int rc2 = money_parse(f, cur, &back, &e2);
		if (rc2)
			fprintf(stderr, "'%s' (%s): %s\n", f, cur, e2.msg);
		FUZZ_CHECK(rc2 == PD_OK && back == amounts[i]);
		check_renderings(f, cur, exp, amounts[i]);
	}
	/* Negative amounts format with a '-' and are refused by the parser. */
	if (v < 0) {
		money_format(v, cur, out, sizeof out);
		FUZZ_CHECK(out[0] == '-');
		int64_t back;
		FUZZ_CHECK(money_parse(out, cur, &back, &err) == PD_ERR_USAGE);
	}
	free(text);
	return 0;
}
