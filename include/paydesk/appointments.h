/* Appointments (table appointments): times in UTC unix seconds, the state
 * of the visit and of its payment, the price copied from the service when
 * booked. Booking rules live in booking.h; this is storage. */
#ifndef PAYDESK_APPOINTMENTS_H
#define PAYDESK_APPOINTMENTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

enum appt_state {
	APPT_BOOKED,
	APPT_AWAITING_PAYMENT,
	APPT_CONFIRMED,
	APPT_COMPLETED,
	APPT_CANCELLED,
	APPT_NO_SHOW,
	APPT_STATE_COUNT
};

enum appt_payment {
	PAY_NONE,
	PAY_PENDING,
	PAY_PAID,
	PAY_PARTIALLY_REFUNDED,
	PAY_REFUNDED,
	PAY_FAILED,
	PAY_STATE_COUNT
};

/* Stored names ("no_show") and names for people ("no-show"). */
const char *appt_state_key(enum appt_state s);
const char *appt_state_label(enum appt_state s);
const char *appt_payment_key(enum appt_payment p);
const char *appt_payment_label(enum appt_payment p);
enum appt_state appt_state_parse(const char *key);
enum appt_payment appt_payment_parse(const char *key);
/* Whether the slot is still held (not cancelled, not a no-show). */
bool appt_state_holds_slot(enum appt_state s);

struct appointment {
	int64_t id, client_id, service_id, staff_id;
	int64_t starts_at, ends_at; /* UTC */
	enum appt_state state;
	enum appt_payment payment;
	int64_t amount, deposit;
	char currency[4];
	char *notes;
	char *payment_intent_id, *checkout_session_id, *last_request_id; /* NULL when unset */
	int64_t version, created_at, updated_at;
	/* Joined for display: */
	char *client_name, *service_name, *staff_name;
};

/* The payment as the desk reads it: appt_payment_label, except that a
 * deposit (paid, less than the price) reads "deposit 10.00 · 15.00 due"
 * (in the appointment's currency), or with brief "15.00 due" for a narrow
 * column. Returns out. */
char *appt_payment_text(const struct appointment *a, bool brief, char *out, size_t size);

void appointment_free(struct appointment *a);
void appointments_free_list(struct appointment **list, size_t n);

int appointments_get(sqlite3 *db, int64_t id, struct appointment *out, struct pd_error *err);
/* A write transaction begun (db_begin) and appointment id read in it, the
 * start of every use case that changes an appointment or its money; when
 * either fails nothing is left open. End it with db_finish. */
int appointments_begin_get(sqlite3 *db, int64_t id, struct appointment *out,
			   struct pd_error *err);

/* Appointments starting in [from, to), optionally for one staff member
 * (staff_id 0: all), ordered by start then staff name. *out heap. */
int appointments_range(sqlite3 *db, int64_t from, int64_t to, int64_t staff_id,
		       struct appointment **out, size_t *n, struct pd_error *err);

/* The first appointment of staff_id that holds its slot and overlaps
 * [start, end), other than exclude_id: 1 and *clash filled, or 0. */
int appointments_find_clash(sqlite3 *db, int64_t staff_id, int64_t start, int64_t end,
			    int64_t exclude_id, struct appointment *clash, struct pd_error *err);

/* Low-level writes used by booking.c inside its transaction. */
int appointments_insert(sqlite3 *db, const struct appointment *a, int64_t *id,
			struct pd_error *err);
/* Rewrite the editable columns of a->id if still at a->version (else
 * PD_ERR_CONFLICT); bumps the version. */
int appointments_update(sqlite3 *db, const struct appointment *a, struct pd_error *err);

/* Remember the state appointment id left at a cancel / complete / no-show
 * (has_prev false: forget it, nothing to undo) and when (UTC). Inside the
 * caller's transaction, after the state's own update. */
int appointments_note_state_change(sqlite3 *db, int64_t id, bool has_prev, enum appt_state prev,
				   int64_t at, struct pd_error *err);
/* What appointments_note_state_change kept: *has_prev false when nothing. */
int appointments_last_state_change(sqlite3 *db, int64_t id, bool *has_prev, enum appt_state *prev,
				   int64_t *at, struct pd_error *err);

/* How many appointments name client id. */
int appointments_count_client(sqlite3 *db, int64_t client_id, int64_t *n, struct pd_error *err);

#endif
