#include "paydesk/stripe_retry.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

struct stripe_retry_policy stripe_retry_policy_default(int max_retries)
{
	return (struct stripe_retry_policy){
	    .max_retries = max_retries < 0 ? 0 : max_retries,
	    .base_delay = 0.5,
	    .max_delay = 8.0,
	    .retry_after_cap = 60.0,
	};
}

double stripe_retry_backoff(const struct stripe_retry_policy *p, int retry, double jitter)
{
	double d = p->base_delay;
	for (int i = 1; i < retry && d < p->max_delay; i++)
		d *= 2;
	if (d > p->max_delay)
		d = p->max_delay;
	if (jitter < 0)
		jitter = 0;
	if (jitter > 1)
		jitter = 1;
	/* Full-range jitter spreads clients that failed together; the floor keeps
	 * the first retry from hammering a server that just said "busy". */
	d *= 0.5 + 0.5 * jitter;
	return d < p->base_delay ? p->base_delay : d;
}

static bool status_is_retryable(long status)
{
	switch (status) {
	case 409: /* lock timeout or the same idempotency key still in flight */
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
		return true;
	default:
		return false;
	}
}

bool stripe_retry_decide(const struct stripe_retry_policy *p, const struct stripe_attempt *a,
                         int attempts_made, double jitter, double *delay)
{
	*delay = 0;
	if (attempts_made > p->max_retries)
		return false;
	bool retry;
	switch (a->transport) {
	case STRIPE_NET_TRANSIENT:
		retry = true;
		break;
	case STRIPE_NET_FATAL:
		retry = false;
		break;
	default:
		if (a->http_status >= 200 && a->http_status < 300)
			return false;
		retry = a->should_retry >= 0 ? a->should_retry == 1
		                             : status_is_retryable(a->http_status);
		break;
	}
	if (!retry)
		return false;
	double d = stripe_retry_backoff(p, attempts_made, jitter);
	if (a->transport == STRIPE_NET_OK && a->retry_after >= 0) {
		double ra =
		    a->retry_after > p->retry_after_cap ? p->retry_after_cap : a->retry_after;
		if (ra > d)
			d = ra;
	}
	*delay = d;
	return true;
}

int stripe_retry_parse_should_retry(const char *value)
{
	if (!value)
		return -1;
	if (strcasecmp(value, "true") == 0)
		return 1;
	if (strcasecmp(value, "false") == 0)
		return 0;
	return -1;
}

double stripe_retry_parse_retry_after(const char *value)
{
	if (!value || !isdigit((unsigned char)*value))
		return -1;
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || *end)
		return -1; /* HTTP dates are legal but Stripe sends seconds; treat as absent */
	return (double)v;
}
