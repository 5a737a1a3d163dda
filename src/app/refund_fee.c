/* The processing fee Stripe keeps when it refunds (refund_fee.h): read from
 * the original charge's balance transaction, never guessed. */
#include "paydesk/refund_fee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "payments_internal.h"

int64_t refund_fee_of_payment(json_t *payment_intent)
{
	json_t *charge = json_object_get(payment_intent, "latest_charge");
	json_t *txn = json_is_object(charge) ? json_object_get(charge, "balance_transaction") : NULL;
	json_t *fee = json_is_object(txn) ? json_object_get(txn, "fee") : NULL;
	if (!json_is_integer(fee) || json_integer_value(fee) < 0)
		return REFUND_FEE_UNKNOWN;
	return (int64_t)json_integer_value(fee);
}

int64_t refund_fee_fetch(const struct pay_env *e, const char *payment_intent)
{
	if (!payment_intent || !*payment_intent || !e->key)
		return REFUND_FEE_UNKNOWN;
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", payment_intent);
	struct stripe_params *p = stripe_params_new();
	if (!p)
		return REFUND_FEE_UNKNOWN;
	stripe_params_add(p, "expand[]", "latest_charge.balance_transaction");
	struct stripe_response resp = {0};
	struct pd_error err = {0};
	int64_t fee = REFUND_FEE_UNKNOWN;
	if (pay_send(e, STRIPE_GET, path, p, &resp, &err) == PD_OK &&
	    resp.outcome == STRIPE_OUTCOME_OK && resp.json)
		fee = refund_fee_of_payment(resp.json);
	stripe_params_free(&p);
	stripe_response_clear(&resp);
	return fee;
}

char *refund_fee_card(const char *brand, const char *last4, char *out, size_t len)
{
	if (!out || !len)
		return out;
	out[0] = '\0';
	if (!brand || !*brand || !last4 || !*last4)
		return out;
	if (strcmp(brand, "amex") == 0)
		snprintf(out, len, "American Express \u2022%.4s", last4);
	else
		snprintf(out, len, "%c%.15s \u2022%.4s",
			 brand[0] >= 'a' && brand[0] <= 'z' ? brand[0] - 32 : brand[0], brand + 1,
			 last4);
	return out;
}

int64_t refund_fee_stored(sqlite3 *db, const char *payment_intent, char *card, size_t len)
{
	if (card && len)
		card[0] = '\0';
	if (!payment_intent || !*payment_intent)
		return REFUND_FEE_UNKNOWN;
	sqlite3_stmt *st = NULL;
	int64_t fee = REFUND_FEE_UNKNOWN;
	if (sqlite3_prepare_v2(db,
			       /* a payment's row is its PaymentIntent (stripe_id, an index);
				* "OR payment_intent = ?1" read every record (0.2 s at 1M) */
			       "SELECT fee, card_brand, card_last4 FROM history WHERE type = 'payment'"
			       " AND stripe_id = ?1 ORDER BY fee IS NULL LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return REFUND_FEE_UNKNOWN;
	sqlite3_bind_text(st, 1, payment_intent, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_INTEGER && sqlite3_column_int64(st, 0) >= 0)
			fee = sqlite3_column_int64(st, 0);
		refund_fee_card((const char *)sqlite3_column_text(st, 1),
				(const char *)sqlite3_column_text(st, 2), card, len);
	}
	sqlite3_finalize(st);
	return fee;
}

int64_t refund_fee_appointment_stored(sqlite3 *db, int64_t appointment_id, int64_t amount,
				      char *card, size_t len)
{
	if (card && len)
		card[0] = '\0';
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	if (payrows_list(db, appointment_id, &rows, &n, NULL) != PD_OK)
		return REFUND_FEE_UNKNOWN;
	int64_t sum = 0, todo = amount;
	bool touched = false, known = true;
	/* as payments_refund plans it: newest Stripe payment first */
	for (size_t k = n; todo > 0 && known && k-- > 0;) {
		const struct pay_attempt *row = &rows[k];
		int64_t room = row->amount - row->refunded;
		if (row->status != PAYROW_SUCCEEDED || room <= 0 || !row->payment_intent_id ||
		    payrow_method_is_desk(row->method) || payrow_method_is_drawn(row->method))
			continue;
		int64_t fee = refund_fee_stored(db, row->payment_intent_id,
						touched ? NULL : card, touched ? 0 : len);
		known = fee != REFUND_FEE_UNKNOWN;
		sum += known ? fee : 0;
		touched = true;
		todo -= todo < room ? todo : room;
	}
	pay_attempts_free_list(&rows, n);
	return touched && known ? sum : REFUND_FEE_UNKNOWN;
}

char *refund_fee_text(int64_t fee, const char *currency, bool several, char *out, size_t len)
{
	out[0] = '\0';
	if (fee == REFUND_FEE_UNKNOWN)
		return out;
	char money[64];
	snprintf(out, len, "Stripe keeps its fee of %s on %s",
		 money_format(fee, currency, money, sizeof money),
		 several ? "these payments" : "this payment");
	return out;
}
