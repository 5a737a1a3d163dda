/* Showing secrets without revealing them: the masked form used on screen,
 * and a scrubber that the log runs over every line it writes. */
#ifndef PAYDESK_SECRET_MASK_H
#define PAYDESK_SECRET_MASK_H

#include <stddef.h>

/* Write the masked form of a Stripe key into out: the prefix up to the mode
 * ("rk_live_"), an ellipsis, and the last four characters ("rk_live_…9f3a").
 * Anything too short to mask safely becomes "…". out is always terminated. */
void secret_mask(const char *key, char *out, size_t outlen);

/* Replace, in place, every token in s that looks like a Stripe secret
 * (sk_/rk_ + test/live, whsec_) by its masked form. The result is never
 * longer than the input. */
void secret_redact(char *s);

#endif
