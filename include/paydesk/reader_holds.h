/* Storage of cards held on a reader (schema 29): a SetupIntent processed
 * on a Terminal reader to save a client's card for the booking that asked
 * for it. One row per try; the rules live in customers.h. */
#ifndef PAYDESK_READER_HOLDS_H
#define PAYDESK_READER_HOLDS_H

#include <sqlite3.h>
#include <stdint.h>

#include "paydesk/error.h"

enum hold_status { HOLD_OPEN, HOLD_COMPLETE, HOLD_FAILED, HOLD_CANCELLED };

struct reader_hold {
	int64_t id, client_id, appointment_id; /* appointment_id 0: none named */
	char setup_intent_id[64];
	char reader_id[64];
	enum hold_status status;
	char payment_method_id[64]; /* the generated card, once complete */
	char brand[24], last4[8];
	char message[512];
	int64_t created_at, updated_at;
};

const char *hold_status_key(enum hold_status s);

/* A new try, open, before the reader is asked (*id the row). */
int reader_holds_insert(sqlite3 *db, const struct reader_hold *h, const char *actor, int64_t *id,
			struct pd_error *err);
/* The client's newest try; PD_ERR_NOT_FOUND when none. */
int reader_holds_latest(sqlite3 *db, int64_t client_id, struct reader_hold *out,
			struct pd_error *err);
/* Close an open try with h's status, card and message; PD_ERR_CONFLICT when
 * it was no longer open (another desk closed it first: nothing written). */
int reader_holds_close(sqlite3 *db, const struct reader_hold *h, struct pd_error *err);
/* Rewrite the SetupIntent id of an open try (known once created). */
int reader_holds_set_intent(sqlite3 *db, int64_t id, const char *setup_intent,
			    struct pd_error *err);

#endif
