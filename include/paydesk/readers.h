/* Stripe Terminal readers as a desk sees them: listed by label, registered
 * (registration code, label, location — admins), and chosen per desk: each
 * desk (a machine running paydesk, named by PAYDESK_DESK or its host name)
 * keeps the reader it uses in the settings table, so two desks sharing one
 * database each send payments to their own reader. In test mode (training)
 * a simulated reader can be presented a test card, so the whole reader path
 * can be tried without hardware. Runs on a worker or a headless command
 * (network); every change is audited. */
#ifndef PAYDESK_READERS_H
#define PAYDESK_READERS_H

#include <stddef.h>
#include <stdint.h>

#include "paydesk/payments.h"
#include "paydesk/terminal_readers.h"

/* Stripe lists at most this many readers (and locations) a page: a desk
 * has a handful. */
#define READERS_MAX 100

/* What the desk is told when Stripe has no reader. */
#define READERS_NONE_HELP                                                                 \
	"No card reader is registered with Stripe. An admin registers one in Setup (5, r: "  \
	"card readers) or with paydesk readers register (training: code simulated-wpe). "    \
	"Meanwhile take this payment by pay link, or at the desk."

struct reader_location {
	char id[64];
	char name[128]; /* display_name */
};

/* This desk's name: PAYDESK_DESK when set, else the host name ("this desk"). */
void readers_desk_name(char *out, size_t len);

/* The reader this desk uses: *id and *label ("" when none was chosen). */
void readers_desk_reader(sqlite3 *db, char id[64], char label[128]);

/* The readers registered with Stripe (GET /v1/terminal/readers), oldest
 * first, also kept as the store's display copy (terminal_readers.h).
 * *out heap (free()), may be NULL when *n is 0. */
int readers_list(const struct pay_env *e, struct reader_info **out, size_t *n,
		 struct pd_error *err);

/* The Terminal locations (GET /v1/terminal/locations). */
int readers_locations(const struct pay_env *e, struct reader_location **out, size_t *n,
		      struct pd_error *err);

/* Register a reader (POST /v1/terminal/readers: registration_code, label,
 * location — location may be NULL or ""). Admins only (AUTH_SETUP), checked
 * before Stripe is asked. A desk that has no reader yet starts using it
 * (*chosen). Audited reader.register (and reader.use). */
int readers_register(const struct pay_env *e, const char *code, const char *label,
		     const char *location, struct reader_info *out, bool *chosen,
		     struct pd_error *err);

/* This desk uses the reader named by which (its label, or its tmr_ id),
 * looked up at Stripe. Anyone who takes payments (AUTH_TAKE_PAYMENT).
 * Audited reader.use. */
int readers_use(const struct pay_env *e, const char *which, struct reader_info *out,
		struct pd_error *err);

/* Training only (a test-mode account): the simulated reader of the
 * appointment's waiting reader payment is presented a test card (Stripe's
 * POST /v1/test_helpers/terminal/readers/{id}/present_payment_method), as
 * a client tapping it; then the payment is read back as
 * payments_reader_check does. card_number NULL: Stripe's default card
 * (succeeds). Refused in live mode. */
/* The same for a card held on the reader (customers_reader_hold_start):
 * present a test card to the client's waiting hold, then read it back. */
int readers_tap_hold(const struct pay_env *e, int64_t client_id, const char *card_number,
		     struct pay_result *r, struct pd_error *err);
int readers_tap(const struct pay_env *e, int64_t appointment_id, const char *card_number,
		struct pay_result *r, struct pd_error *err);
/* The same for a package sold on the reader (packages_sell_reader): present
 * a test card to the sale waiting there, then read it back
 * (packages_sale_check). */
int readers_tap_sale(const struct pay_env *e, int64_t sale, const char *card_number,
		     struct pay_result *r, struct pd_error *err);

#endif
