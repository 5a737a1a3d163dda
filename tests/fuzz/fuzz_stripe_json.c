/* Stripe's JSON answers: stripe_error_parse on any body (with any status and
 * Request-Id), and every typed object reader of stripe/objects.c on the
 * parsed value and on every object nested inside it. */
#include "fuzz.h"

#include <jansson.h>

#include "paydesk/error.h"
#include "paydesk/stripe_error.h"
#include "paydesk/stripe_objects.h"

static void sj_read_objects(json_t *v, int depth)
{
	if (depth > 8)
		return;
	struct pd_error err;
	struct stripe_object_ref ref;
	if (stripe_object_ref_read(v, &ref, &err) == 0)
		FUZZ_CHECK(ref.id != NULL);
	stripe_object_ref_clear(&ref);
	struct stripe_payment_intent pi;
	if (stripe_payment_intent_read(v, &pi, &err) == 0)
		FUZZ_CHECK(pi.id && pi.status && pi.currency);
	else
		FUZZ_CHECK(!pi.id && !pi.status && err.msg[0]);
	stripe_payment_intent_clear(&pi);
	if (json_is_object(v)) {
		const char *k;
		json_t *m;
		json_object_foreach(v, k, m) sj_read_objects(m, depth + 1);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *m;
		json_array_foreach(v, i, m) sj_read_objects(m, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* First byte: status class and whether a Request-Id came along. */
	uint8_t sel = size ? data[0] : 0;
	const char *body = size ? (const char *)data + 1 : "";
	size_t len = size ? size - 1 : 0;
	static const long statuses[] = {0, 200, 400, 401, 402, 403, 404, 409, 429, 500, 502, -1};
	long status = statuses[sel % (sizeof statuses / sizeof statuses[0])];

	struct stripe_error e = {0};
	int rc = stripe_error_parse(&e, status, body, len, (sel & 0x80) ? "req_fuzz" : NULL);
	FUZZ_CHECK(rc == PD_OK || rc == PD_ERR);
	FUZZ_CHECK(e.message != NULL);
	FUZZ_CHECK(e.http_status == status);
	char small[8], line[600];
	stripe_error_format(&e, small, sizeof small);
	FUZZ_CHECK(strlen(small) < sizeof small);
	stripe_error_format(&e, line, sizeof line);
	FUZZ_CHECK(strlen(line) < sizeof line);
	stripe_error_clear(&e);
	FUZZ_CHECK(e.message == NULL && e.http_status == 0);

	/* The same body as a 2xx answer: the object readers. */
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);
	if (root) {
		sj_read_objects(root, 0);
		json_decref(root);
	}
	/* NULL body is a documented input too. */
	if (sel == 0) {
		rc = stripe_error_parse(&e, 500, NULL, 0, NULL);
		FUZZ_CHECK(rc == PD_ERR && e.message);
		stripe_error_clear(&e);
	}
	return 0;
}
