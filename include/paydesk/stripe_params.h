/* Request parameters for the Stripe API and their form encoding.
 *
 * Keys are written the way Stripe spells nested parameters, e.g.
 * "metadata[appointment_id]", "items[0][price]", "expand[]". Pairs keep their
 * insertion order; the same key may repeat (for "expand[]"). The container
 * owns copies of every key and value. */
#ifndef PAYDESK_STRIPE_PARAMS_H
#define PAYDESK_STRIPE_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stripe_params;

/* An empty parameter list (NULL only when out of memory). */
struct stripe_params *stripe_params_new(void);

/* Free the list and NULL *p. */
void stripe_params_free(struct stripe_params **p);

/* Append key=value; value "" means "unset" to Stripe and is sent as such.
 * Returns 0, or -1 when out of memory or key is empty / value NULL. */
int stripe_params_add(struct stripe_params *p, const char *key, const char *value);

/* Append an integer (amounts, timestamps) in decimal. */
int stripe_params_add_int(struct stripe_params *p, const char *key, int64_t value);

/* Append a boolean as the strings "true" / "false". */
int stripe_params_add_bool(struct stripe_params *p, const char *key, bool value);

/* Number of pairs. */
size_t stripe_params_count(const struct stripe_params *p);

/* The value of the first pair named key, or NULL. */
const char *stripe_params_get(const struct stripe_params *p, const char *key);

/* application/x-www-form-urlencoded text of all pairs in order: every byte
 * but unreserved ones percent-encoded (space as %20), brackets in keys kept
 * literal as Stripe's libraries send them. p may be NULL or empty (""). Heap
 * string for the caller to free; NULL when out of memory. */
char *stripe_params_encode(const struct stripe_params *p);

/* Percent-encode len bytes of s; keep_brackets leaves '[' and ']' as they
 * are (for keys). Heap string, NULL when out of memory. */
char *stripe_form_escape(const char *s, size_t len, bool keep_brackets);

#endif
