/* Where Stripe calls go. Real Stripe is https; plain http is allowed only to
 * this machine (the fake Stripe of tests and training mode). */
#ifndef PAYDESK_API_BASE_H
#define PAYDESK_API_BASE_H

#include <stdbool.h>

#include "paydesk/error.h"

#define API_BASE_DEFAULT "https://api.stripe.com"

/* Check an API base URL: https://HOST[:PORT][/], or http:// with a loopback
 * host (localhost, 127.0.0.0/8, [::1]). No user info, query or fragment.
 * Returns 0, or PD_ERR_USAGE with a message saying what to write instead. */
int api_base_check(const char *url, struct pd_error *err);

/* True when url is a valid base whose host is on this machine. */
bool api_base_is_loopback(const char *url);

#endif
