/* Storage of saved-card charges queued while Stripe was unreachable
 * (schema 16, table queued_charges). A queued charge is a promise, not a
 * payment: nothing was sent. It leaves the queue once, either sent (in the
 * transaction that starts its payment attempt, which it then names) or
 * dropped with a reason; both moves are guarded by its state, so a second
 * confirm or drop finds it gone. The rules live in charge_queue.h. */
#ifndef PAYDESK_QUEUED_CHARGES_H
#define PAYDESK_QUEUED_CHARGES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/clients.h"
#include "paydesk/error.h"
#include "paydesk/services.h"
#include "paydesk/users.h"

enum qcharge_state { QCHARGE_QUEUED, QCHARGE_SENT, QCHARGE_DROPPED };

const char *qcharge_state_key(enum qcharge_state s);

struct queued_charge {
	int64_t id, appointment_id;
	enum qcharge_state state;
	int64_t amount; /* minor units */
	char currency[4];
	char payment_method[64]; /* pm_…, or "": the client's first saved card when sent */
	char card[64];           /* "visa ·4242" as the desk saw it, or "" */
	char queued_by[USER_NAME_MAX + 1];
	int64_t queued_at, down_since; /* down_since: the outage it was queued in (0: unknown) */
	char done_by[USER_NAME_MAX + 1]; /* who sent or dropped it */
	int64_t done_at;
	int64_t payment_row;             /* sent: its appointment_payments row */
	char reason[400];                /* dropped: why */
	/* read with it, for lists: */
	char client[CLIENT_NAME_MAX * 4 + 1];
	char service[SERVICE_NAME_MAX * 4 + 1];
	int64_t starts_at;
};

/* Insert q (appointment, amount, currency, payment_method, card, queued_by,
 * down_since) as queued; *id the new row. PD_ERR_CONFLICT when the
 * appointment already has a queued charge. */
int qcharges_insert(sqlite3 *db, const struct queued_charge *q, int64_t *id,
		    struct pd_error *err);
int qcharges_get(sqlite3 *db, int64_t id, struct queued_charge *out, struct pd_error *err);
/* The appointment's queued charge; PD_ERR_NOT_FOUND when none waits. */
int qcharges_open_for(sqlite3 *db, int64_t appointment_id, struct queued_charge *out,
		      struct pd_error *err);
/* Every charge still queued on an appointment neither cancelled nor a
 * no-show, oldest first (*out heap, free()); and how many. */
int qcharges_list_open(sqlite3 *db, struct queued_charge **out, size_t *n, struct pd_error *err);
int qcharges_count_open(sqlite3 *db, int *n, struct pd_error *err);
/* queued → sent (payment_row the attempt that carries it) or → dropped
 * (reason); PD_ERR_CONFLICT when it is no longer queued. */
int qcharges_mark_sent(sqlite3 *db, int64_t id, int64_t payment_row, const char *by,
		       struct pd_error *err);
int qcharges_mark_dropped(sqlite3 *db, int64_t id, const char *by, const char *reason,
			  struct pd_error *err);

#endif
