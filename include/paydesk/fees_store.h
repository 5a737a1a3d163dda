/* Storage of appointment fees (schema 19, table appointment_fees): a fee
 * proposed from the booking policy at a no-show or a late cancellation,
 * and what a person then did with it in the fees queue. Every move is
 * guarded by the state it leaves (fees_move), so two desks working the same
 * fee find it moved. The rules live in fees.h. */
#ifndef PAYDESK_FEES_STORE_H
#define PAYDESK_FEES_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/clients.h"
#include "paydesk/error.h"
#include "paydesk/services.h"
#include "paydesk/users.h"

enum fee_kind { FEE_NO_SHOW, FEE_LATE_CANCEL };

enum fee_state {
	FEE_PROPOSED,     /* waiting for a person */
	FEE_CHARGING,     /* a charge was started: its outcome is being (or was not) read */
	FEE_CHARGED,      /* Stripe says the PaymentIntent succeeded */
	FEE_DECLINED,     /* the saved card was declined: a pay link is the next step */
	FEE_NEEDS_ACTION, /* the bank wants the client to authenticate: a pay link */
	FEE_WAIVED,       /* a person let it go, with a reason */
	FEE_WITHDRAWN,    /* the no-show or cancellation was undone */
};
#define FEE_STATE_COUNT 7

const char *fee_kind_key(enum fee_kind k);     /* "no_show", "late_cancel" */
const char *fee_kind_label(enum fee_kind k);   /* "no-show", "late cancel" */
const char *fee_state_key(enum fee_state s);   /* "proposed", …, "needs_action" */
const char *fee_state_label(enum fee_state s); /* "proposed", …, "needs action" */
/* Whether the fees queue still shows it (someone has something to do). */
int fee_state_open(enum fee_state s);

struct appt_fee {
	int64_t id, appointment_id;
	enum fee_kind kind;
	enum fee_state state;
	int64_t amount, policy_amount; /* minor units; policy_amount: what the policy gave */
	char currency[4];
	char reason[400];  /* waived / amount changed: why (as typed) */
	char message[512]; /* the last charge's outcome in plain words */
	int64_t policy_id, policy_version;
	int64_t visit_at;  /* the appointment's start */
	char payment_intent_id[64], checkout_session_id[80], pay_link_url[512];
	int attempts;      /* charges started */
	char proposed_by[USER_NAME_MAX + 1], updated_by[USER_NAME_MAX + 1];
	int64_t proposed_at, updated_at;
	/* charged (schema 27): the desk and user it was charged by, when Stripe
	 * confirmed it (0: not charged), and how much was refunded since */
	char desk[64], charged_by[USER_NAME_MAX + 1];
	int64_t charged_at, refunded;
	/* read with it, for lists: */
	int64_t client_id;
	char client[CLIENT_NAME_MAX * 4 + 1];
	char service[SERVICE_NAME_MAX * 4 + 1];
};

/* Insert f (appointment, kind, amount, policy_amount, currency, policy,
 * visit_at, proposed_by) as proposed; *id the new row. PD_ERR_EXISTS when
 * the appointment has a live fee already. */
int fees_insert(sqlite3 *db, const struct appt_fee *f, int64_t *id, struct pd_error *err);
int fees_get(sqlite3 *db, int64_t id, struct appt_fee *out, struct pd_error *err);
/* The appointment's fee other than withdrawn; PD_ERR_NOT_FOUND when none. */
int fees_live_for(sqlite3 *db, int64_t appointment_id, struct appt_fee *out,
		  struct pd_error *err);
/* Fees still to be worked (proposed, charging, declined, needs action),
 * oldest visit first; all: every fee, newest first. *out heap (free()). */
int fees_list(sqlite3 *db, int all, struct appt_fee **out, size_t *n, struct pd_error *err);
/* Rewrite state, amount, reason, message, Stripe ids, link, attempts,
 * desk, charged_by/at, refunded and updated_by/at of f->id if it is still in state from;
 * PD_ERR_CONFLICT when it moved since. */
int fees_move(sqlite3 *db, const struct appt_fee *f, enum fee_state from, struct pd_error *err);
/* Add part to what was refunded of charged fee id, never past its amount;
 * PD_ERR_CONFLICT when it is not charged or part does not fit any more. */
int fees_add_refund(sqlite3 *db, int64_t id, int64_t part, struct pd_error *err);
/* The charged fee whose PaymentIntent is pi; PD_ERR_NOT_FOUND when none. */
int fees_by_intent(sqlite3 *db, const char *pi, struct appt_fee *out, struct pd_error *err);

#endif
