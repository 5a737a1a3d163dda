/* Telling the desk before it confirms (pay_precheck.h). */
#include "paydesk/pay_precheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/appointments.h"
#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"
#include "payments_internal.h"

static bool has_card(sqlite3 *db, int64_t client_id)
{
	struct client_card *cards = NULL;
	size_t n = 0;
	bool any = client_cards_list(db, client_id, &cards, &n, NULL) == PD_OK && n > 0;
	free(cards);
	return any;
}

bool pay_precheck_cards_unknown(sqlite3 *db, int64_t appointment_id, int64_t *client_id)
{
	struct appointment a;
	if (appointments_get(db, appointment_id, &a, NULL) != PD_OK)
		return false;
	struct client c;
	bool unknown = false;
	if (clients_get(db, a.client_id, &c, NULL) == PD_OK) {
		unknown = c.stripe_customer_id && !has_card(db, c.id);
		*client_id = c.id;
		client_free(&c);
	}
	appointment_free(&a);
	return unknown;
}

int pay_precheck_take(sqlite3 *db, int64_t appointment_id, int64_t amount,
		      enum payrow_method method, bool cards_listed, char *why, size_t len)
{
	why[0] = '\0';
	struct appointment a;
	if (appointments_get(db, appointment_id, &a, NULL) != PD_OK)
		return PD_OK; /* the use case says what is wrong */
	int64_t due = 0, paid = 0;
	char money[64];
	if (payments_due(db, appointment_id, &due, &paid, NULL, NULL) == PD_OK) {
		if (due == 0)
			snprintf(why, len, "nothing is due: %s already paid",
				 money_format(paid, a.currency, money, sizeof money));
		else if (amount < 0 || amount > due)
			snprintf(why, len, "at most %s is due",
				 money_format(due, a.currency, money, sizeof money));
	}
	struct client c;
	if (!why[0] && method == PAYROW_CARD && clients_get(db, a.client_id, &c, NULL) == PD_OK) {
		if (!c.stripe_customer_id)
			snprintf(why, len,
				 "%s has no Stripe customer yet: turn on Stripe billing for them "
				 "(Clients tab), or send a pay link",
				 c.name);
		else if (cards_listed && !has_card(db, c.id))
			snprintf(why, len,
				 "%s has no saved card: send a pay link or save a card for next "
				 "time (Clients tab)",
				 c.name);
		client_free(&c);
	}
	appointment_free(&a);
	return PD_OK;
}

/* The parts a refund of `amount` would touch, planned as the use cases plan
 * them: newest payment first, each up to what is left on it. */
static size_t plan_parts(const struct pay_attempt *rows, size_t n, int64_t amount, bool desk,
			 struct auth_refund_part *parts, char (*ids)[32])
{
	size_t nparts = 0;
	int64_t todo = amount;
	for (size_t k = n; todo > 0 && k-- > 0;) {
		int64_t room = rows[k].amount - rows[k].refunded;
		if (rows[k].status != PAYROW_SUCCEEDED || room <= 0 ||
		    payrow_method_is_desk(rows[k].method) != desk ||
		    (!desk && !rows[k].payment_intent_id))
			continue;
		int64_t part = todo < room ? todo : room;
		if (desk)
			snprintf(ids[nparts], sizeof ids[nparts], "desk_%lld",
				 (long long)rows[k].id);
		parts[nparts] = (struct auth_refund_part){
			desk ? ids[nparts] : rows[k].payment_intent_id, part, 0};
		nparts++;
		todo -= part;
	}
	return nparts;
}

int pay_precheck_refund(sqlite3 *db, const struct session *who, int64_t appointment_id,
			int64_t amount, bool desk, char *why, size_t len)
{
	why[0] = '\0';
	struct appointment a;
	if (appointments_get(db, appointment_id, &a, NULL) != PD_OK)
		return PD_OK;
	int64_t paid = 0, refunded = 0, desk_left = 0;
	int rc = payrows_totals(db, appointment_id, &paid, &refunded, NULL);
	if (!rc)
		rc = payments_desk_refundable(db, appointment_id, &desk_left, NULL);
	int64_t left = desk ? desk_left : paid - refunded - desk_left;
	char money[64];
	if (!rc && amount > left)
		snprintf(why, len, "at most %s can be refunded%s",
			 money_format(left, a.currency, money, sizeof money),
			 desk ? " at the desk" : "");
	if (!rc && amount == 0)
		amount = left;
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	if (!rc && !why[0] && amount > 0 &&
	    payrows_list(db, appointment_id, &rows, &n, NULL) == PD_OK && n) {
		struct auth_refund_part *parts = calloc(n, sizeof *parts);
		char(*ids)[32] = calloc(n, sizeof *ids);
		if (parts && ids) {
			size_t nparts = plan_parts(rows, n, amount, desk, parts, ids);
			for (size_t k = 0; !desk && k < nparts && !why[0]; k++)
				if (pay_refund_unresolved(db, parts[k].payment))
					snprintf(why, len,
						 "a refund of this payment is still unresolved: Y "
						 "re-checks it at Stripe; refund again after that");
			if (!why[0])
				auth_refund_check(db, who, a.currency, parts, nparts, why, len,
						  NULL);
		}
		free(parts);
		free(ids);
	}
	pay_attempts_free_list(&rows, n);
	appointment_free(&a);
	return PD_OK;
}

bool pay_precheck_refund_unresolved(sqlite3 *db, int64_t appointment_id)
{
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	bool open = false;
	if (payrows_list(db, appointment_id, &rows, &n, NULL) != PD_OK)
		return false;
	for (size_t i = 0; i < n && !open; i++)
		open = rows[i].payment_intent_id && pay_refund_unresolved(db, rows[i].payment_intent_id);
	pay_attempts_free_list(&rows, n);
	return open;
}

char *pay_refund_limit_text(sqlite3 *db, const struct session *who, const char *currency,
			    char *out, size_t len)
{
	out[0] = '\0';
	struct auth_refund_room room;
	if (auth_refund_room(db, who, currency, &room, NULL) != PD_OK || room.unlimited)
		return out;
	char CUR[4];
	for (int i = 0; i < 4; i++)
		CUR[i] = (char)(currency[i] >= 'a' && currency[i] <= 'z' ? currency[i] - 32
									 : currency[i]);
	CUR[3] = '\0';
	if (!room.has_limit) {
		snprintf(out, len, "staff may not refund in %s until an admin sets a limit", CUR);
		return out;
	}
	char each[48], day[48];
	money_format(room.limit.per_payment, currency, each, sizeof each);
	if (room.day_left < 0) {
		snprintf(out, len, "your limit: %s a payment, no daily limit", each);
	} else {
		money_format(room.day_left, currency, day, sizeof day);
		snprintf(out, len, "your limit: %s a payment, %s left today", each, day);
	}
	return out;
}
