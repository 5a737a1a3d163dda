/* Desk tenders (cash, cheque, gift voucher, another card machine): taken
 * and refunded in one local transaction each — the payment row, the
 * appointment's derived state (pay_settle_in, shared with Stripe payments),
 * the history record and the audit entry. Nothing here touches the network. */
#include "paydesk/payments_desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/appt_money.h"
#include "paydesk/clients.h"
#include "paydesk/day_close_store.h"
#include "paydesk/db.h"
#include "paydesk/history_desk.h"
#include "paydesk/money.h"
#include "paydesk/readers.h"
#include "paydesk/textcheck.h"
#include "payments_internal.h"

/* "Cut & colour · by anna · cheque 004512" for the history's description. */
static void describe(const struct appointment *a, const char *who, const char *note, char *out,
		     size_t len)
{
	snprintf(out, len, "%s · by %s%s%s", a->service_name ? a->service_name : "", who,
		 note && *note ? " · " : "", note && *note ? note : "");
}

/* The history record of a desk payment row (or of a refund of it). */
static int add_history(sqlite3 *db, const struct appointment *a, const struct pay_attempt *row,
		       const char *type, const char *id, const char *payment_of, int64_t amount,
		       const char *who, const char *note, struct pd_error *err)
{
	struct client c = {0};
	bool have_client = clients_get(db, a->client_id, &c, NULL) == PD_OK;
	char desc[400], appt[24];
	describe(a, who, note, desc, sizeof desc);
	snprintf(appt, sizeof appt, "%lld", (long long)a->id);
	struct history_desk_record rec = {
		.id = id, .type = type, .created = (int64_t)time(NULL), .amount = amount,
		.currency = row->currency, .tender = payrow_method_key(row->method),
		.client = a->client_name, .email = have_client ? c.email : NULL,
		.customer_id = have_client ? c.stripe_customer_id : NULL, .description = desc,
		.appointment_id = appt, .payment_of = payment_of};
	int rc = history_desk_add(db, &rec, err);
	if (have_client)
		client_free(&c);
	return rc;
}

/* "in cash", "by cheque", "by gift voucher", "on another card machine". */
static const char *paid_how(enum payrow_method m)
{
	switch (m) {
	case PAYROW_CASH: return "in cash";
	case PAYROW_CHEQUE: return "by cheque";
	case PAYROW_VOUCHER: return "by gift voucher";
	case PAYROW_TERMINAL: return "on another card machine";
	default: return "at the desk";
	}
}

static int check_note(const char *note, struct pd_error *err)
{
	return note && *note ? text_check("Note", note, PAYMENTS_DESK_NOTE_MAX, false, false, err)
			     : PD_OK;
}

int payments_desk_take(sqlite3 *db, const struct session *who, int64_t appointment_id,
		       enum payrow_method tender, int64_t amount, const char *note,
		       struct pay_result *r, struct pd_error *err)
{
	return payments_desk_take_tip(db, who, appointment_id, tender, amount, 0, note, r, err);
}

int payments_desk_take_tip(sqlite3 *db, const struct session *who, int64_t appointment_id,
			   enum payrow_method tender, int64_t amount, int64_t tip, const char *note,
			   struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	if (tip < 0)
		return pd_error_set(err, PD_ERR_USAGE, "a tip is 0 or more");
	if (!payrow_method_is_desk(tender))
		return pd_error_set(err, PD_ERR_USAGE,
				    "choose cash, cheque, gift voucher or other card machine");
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (!rc)
		rc = check_note(note, err);
	struct appointment a;
	if (!rc)
		rc = appointments_begin_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	int64_t due = 0;
	rc = pay_due_check(db, &a, amount, &due, err);
	if (!rc && amount == 0)
		amount = due;
	struct pay_attempt row = {0};
	char msg[200], hid[48];
	if (!rc) {
		char tipm[64] = "";
		if (tip > 0)
			money_format(tip, a.currency, tipm, sizeof tipm);
		snprintf(msg, sizeof msg, "%s taken at the desk%s%s%s%s", payrow_method_label(tender),
			 note && *note ? " · " : "", note && *note ? note : "",
			 tip > 0 ? " · tip " : "", tipm);
		row.appointment_id = appointment_id;
		row.method = tender;
		row.status = PAYROW_SUCCEEDED;
		row.amount = amount;
		memcpy(row.currency, a.currency, sizeof row.currency);
		row.actor = strdup(pay_actor(who));
		row.message = strdup(msg);
		row.note = note && *note ? strdup(note) : NULL;
		readers_desk_name(row.desk, sizeof row.desk);
		rc = payrows_insert(db, &row, &row.id, err);
	}
	/* The tip is kept apart from the price (the row's amount) but was
	 * taken too: the history record, and so the takings, hold both. */
	if (!rc && tip > 0)
		rc = payrow_tip_set(db, row.id, tip, err);
	if (!rc) {
		snprintf(hid, sizeof hid, "desk_%lld", (long long)row.id);
		rc = add_history(db, &a, &row, "desk", hid, NULL, amount + tip, pay_actor(who), note,
				 err);
	}
	if (!rc) {
		struct pay_env e = {.db = db, .who = who};
		rc = pay_settle_in(&e, &row, NULL, "payment.desk", amount, hid, r, err);
	}
	rc = db_finish(db, rc, err);
	if (!rc) {
		pay_copy(r->object_id, sizeof r->object_id, hid);
		char payment[160];
		struct appointment now;
		if (appointments_get(db, appointment_id, &now, NULL) == PD_OK) {
			appt_payment_text(&now, false, payment, sizeof payment);
			appointment_free(&now);
		} else {
			snprintf(payment, sizeof payment, "%s", appt_payment_label(r->payment));
		}
		char tipped[96] = "", money[64];
		if (tip > 0)
			snprintf(tipped, sizeof tipped, " + tip %s",
				 money_format(tip, a.currency, money, sizeof money));
		snprintf(r->message, sizeof r->message, "Took %s%s %s (%s).",
			 money_format(amount, a.currency, money, sizeof money), tipped,
			 paid_how(tender), payment);
		r->done = true;
	}
	pay_attempt_free(&row);
	appointment_free(&a);
	return rc;
}

int payments_desk_refundable(sqlite3 *db, int64_t appointment_id, int64_t *left,
			     struct pd_error *err)
{
	int64_t paid = 0, refunded = 0;
	int rc = payrows_desk_totals(db, appointment_id, &paid, &refunded, err);
	*left = rc ? 0 : paid - refunded;
	return rc;
}

int payments_desk_refund(sqlite3 *db, const struct session *who, int64_t appointment_id,
			 int64_t amount, const char *note, struct pay_result *r,
			 struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = check_note(note, err);
	if (rc)
		return rc;
	struct appointment a;
	rc = appointments_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	int64_t left = 0;
	rc = payments_desk_refundable(db, appointment_id, &left, err);
	char money[64];
	if (!rc && left <= 0)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "nothing to refund at the desk: no cash, cheque, voucher or "
				  "other-machine payment is left on it");
	else if (!rc && (amount < 0 || amount > left))
		rc = pd_error_set(err, PD_ERR_USAGE, "at most %s can be refunded at the desk",
				  money_format(left, a.currency, money, sizeof money));
	if (!rc && amount == 0)
		amount = left;
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	if (!rc)
		rc = payrows_list(db, appointment_id, &rows, &n, err);
	/* Newest desk payment first, each up to what is left on it: planned
	 * whole, so the staff limits see every payment the refund touches
	 * (each desk payment counts as one payment, "desk_<row>"). */
	struct auth_refund_part *parts = n ? calloc(n, sizeof *parts) : NULL;
	size_t *part_row = n ? calloc(n, sizeof *part_row) : NULL;
	char(*pids)[32] = n ? calloc(n, sizeof *pids) : NULL;
	size_t nparts = 0;
	if (!rc && n && (!parts || !part_row || !pids))
		rc = pd_error_set(err, PD_ERR, "out of memory");
	int64_t todo = amount;
	for (size_t k = n; !rc && todo > 0 && k-- > 0;) {
		int64_t room = rows[k].amount - rows[k].refunded;
		if (rows[k].status != PAYROW_SUCCEEDED || room <= 0 ||
		    !payrow_method_is_desk(rows[k].method))
			continue;
		int64_t part = todo < room ? todo : room;
		snprintf(pids[nparts], sizeof pids[nparts], "desk_%lld", (long long)rows[k].id);
		parts[nparts] = (struct auth_refund_part){pids[nparts], part, 0};
		part_row[nparts++] = k;
		todo -= part;
	}
	if (!rc)
		rc = auth_refund_reserve(db, who, a.currency, parts, nparts, err);
	bool began = false;
	if (!rc) {
		rc = db_begin(db, err);
		began = rc == PD_OK;
	}
	char tenders[120] = "", desk[64];
	readers_desk_name(desk, sizeof desk);
	struct pay_env e = {.db = db, .who = who};
	for (size_t i = 0; !rc && i < nparts; i++) {
		struct pay_attempt *row = &rows[part_row[i]];
		int64_t part = parts[i].amount;
		/* Read again inside the write lock: another desk may have refunded it. */
		struct pay_attempt now;
		rc = payrows_get(db, row->id, &now, err);
		if (!rc && now.amount - now.refunded < part)
			rc = pd_error_set(err, PD_ERR_CONFLICT,
					  "someone refunded this appointment meanwhile; nothing was "
					  "refunded — look at it again, then retry");
		if (!rc)
			row->refunded = now.refunded + part;
		pay_attempt_free(&now);
		if (rc)
			break;
		char rid[64], msg[200];
		snprintf(rid, sizeof rid, "deskre_%lld_%lld", (long long)row->id,
			 (long long)row->refunded);
		snprintf(msg, sizeof msg, "%s refunded at the desk (%s)%s%s",
			 money_format(part, row->currency, money, sizeof money),
			 payrow_method_label(row->method), note && *note ? " · " : "",
			 note && *note ? note : "");
		free(row->message);
		row->message = strdup(msg);
		rc = add_history(db, &a, row, "desk_refund", rid, pids[i], part, pay_actor(who), note,
				 err);
		if (!rc) /* the day close counts it for who handed it back, here */
			rc = day_close_note_desk_refund(db, rid, desk, pay_actor(who), err);
		if (!rc)
			rc = history_desk_set_refunded(db, pids[i], row->refunded, err);
		if (!rc)
			rc = pay_settle_in(&e, row, NULL, "payment.desk_refund", part, rid, r, err);
		if (!strstr(tenders, payrow_method_label(row->method))) {
			size_t used = strlen(tenders);
			snprintf(tenders + used, sizeof tenders - used, "%s%s", used ? " and " : "",
				 payrow_method_label(row->method));
		}
	}
	if (began)
		rc = db_finish(db, rc, err);
	/* Made only when it was recorded; otherwise the reservation goes. */
	for (size_t i = 0; i < nparts; i++)
		auth_refund_settle(db, &parts[i], rc ? AUTH_REFUND_NOT_MADE : AUTH_REFUND_MADE);
	free(parts);
	free(part_row);
	free(pids);
	pay_attempts_free_list(&rows, n);
	if (!rc) {
		r->done = true;
		char how[160];
		if (strcmp(tenders, "cash") == 0)
			snprintf(how, sizeof how, "in cash at the desk");
		else
			snprintf(how, sizeof how, "at the desk as it was paid (%s)", tenders);
		snprintf(r->message, sizeof r->message,
			 "Refunded %s %s (%s); nothing was sent to Stripe.",
			 money_format(amount, a.currency, money, sizeof money), how,
			 appt_payment_label(r->payment));
	}
	appointment_free(&a);
	return rc;
}
