/* Form encoding of Stripe request parameters: keys and values from the
 * input (separated by 0xff bytes), encoded, then decoded by the small
 * decoder below; decode(encode(x)) must give back every pair exactly, and
 * the encoding may only hold the characters a form body allows. */
#include "fuzz.h"

#include "paydesk/stripe_params.h"

static int sf_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* the encoder writes upper case only */
}

/* Percent-decode s[0..len) into a heap buffer; *out_len its length; NULL on a bad escape. */
static char *sf_decode(const char *s, size_t len, size_t *out_len)
{
	char *out = malloc(len + 1);
	size_t o = 0;
	FUZZ_CHECK(out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= len) {
			free(out);
			return NULL;
		}
		int hi = sf_hex(s[i + 1]), lo = hi < 0 ? -1 : sf_hex(s[i + 2]);
		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

static bool sf_allowed(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '=' || c == '&' ||
	       c == '[' || c == ']';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Raw bytes (NULs included) through the escaper, both modes. */
	for (int kb = 0; kb < 2; kb++) {
		char *esc = stripe_form_escape((const char *)data, size, kb);
		FUZZ_CHECK(esc);
		size_t elen = strlen(esc), dlen = 0;
		for (size_t i = 0; i < elen; i++) {
			FUZZ_CHECK(sf_allowed((unsigned char)esc[i]) && esc[i] != '=' && esc[i] != '&');
			if (!kb)
				FUZZ_CHECK(esc[i] != '[' && esc[i] != ']');
		}
		char *back = sf_decode(esc, elen, &dlen);
		FUZZ_CHECK(back && dlen == size && (!size || memcmp(back, data, size) == 0));
		free(back);
		free(esc);
	}

	/* Pairs: key, value, key, value, … */
	struct fuzz_in in = {data, size};
	struct stripe_params *p = stripe_params_new();
	FUZZ_CHECK(p);
	char *keys[64], *vals[64];
	size_t n = 0;
	while (in.n && n < 63) { /* one slot left for "amount" */
		char *k = fuzz_chunk(&in);
		char *v = fuzz_chunk(&in);
		int rc = stripe_params_add(p, k, v);
		if (!*k) {
			FUZZ_CHECK(rc == -1);
			free(k);
			free(v);
			continue;
		}
		FUZZ_CHECK(rc == 0);
		keys[n] = k;
		vals[n] = v;
		n++;
	}
	if (n && in.n == 0 && data[0] & 1) {
		stripe_params_add_int(p, "amount", (int64_t)size * (data[0] & 2 ? -1 : 1));
		keys[n] = strdup("amount");
		char num[24];
		snprintf(num, sizeof num, "%lld", (long long)size * (data[0] & 2 ? -1 : 1));
		vals[n++] = strdup(num);
	}
	FUZZ_CHECK(stripe_params_count(p) == n);
	for (size_t i = 0; i < n; i++) {
		const char *got = stripe_params_get(p, keys[i]);
		FUZZ_CHECK(got);
		size_t first = 0;
		while (strcmp(keys[first], keys[i]) != 0)
			first++;
		FUZZ_CHECK(strcmp(got, vals[first]) == 0);
	}
	char *enc = stripe_params_encode(p);
	FUZZ_CHECK(enc);
	/* Split on '&' and '=' (both always escaped inside keys and values). */
	const char *s = enc;
	size_t i = 0;
	while (*s) {
		const char *amp = strchr(s, '&');
		size_t plen = amp ? (size_t)(amp - s) : strlen(s);
		const char *eq = memchr(s, '=', plen);
		FUZZ_CHECK(eq);
		FUZZ_CHECK(memchr(eq + 1, '=', plen - (size_t)(eq + 1 - s)) == NULL);
		for (const char *c = s; c < s + plen; c++)
			FUZZ_CHECK(sf_allowed((unsigned char)*c));
		size_t kl, vl;
		char *k = sf_decode(s, (size_t)(eq - s), &kl);
		char *v = sf_decode(eq + 1, plen - (size_t)(eq + 1 - s), &vl);
		FUZZ_CHECK(k && v && i < n);
		FUZZ_CHECK(strcmp(k, keys[i]) == 0 && kl == strlen(keys[i]));
		FUZZ_CHECK(strcmp(v, vals[i]) == 0 && vl == strlen(vals[i]));
		free(k);
		free(v);
		i++;
		s += plen;
		if (*s == '&') {
			s++;
			FUZZ_CHECK(*s); /* no trailing '&' */
		}
	}
	FUZZ_CHECK(i == n);
	free(enc);
	for (size_t j = 0; j < n; j++) {
		free(keys[j]);
		free(vals[j]);
	}
	stripe_params_free(&p);
	FUZZ_CHECK(p == NULL);
	return 0;
}
