/* The History tab's E: Stripe's receipt of the selected card payment
 * emailed again to the email on the record (receipts_resend_payment, on a
 * worker; audited). Desk records have no Stripe receipt: paydesk receipt
 * prints theirs. */
#include <stdio.h>
#include <string.h>

#include "paydesk/payments_job.h"
#include "paydesk/stripe_key.h"
#include "screen_history.h"

void history_receipt_resend(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	struct ui *ui = h->ui;
	if (!row)
		return;
	if (strcmp(row->type, "payment") != 0) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s",
			  strncmp(row->type, "desk", 4) == 0
				  ? "a desk payment's receipt: paydesk receipt prints it"
				  : "only a card payment has a Stripe receipt to send again");
		return;
	}
	if (!row->email[0]) {
		ui_notify(ui, UI_NOTICE_ERROR,
			  "no email on this payment: add the client's email, then sync");
		return;
	}
	if (!ui->app->jobs || !stripe_key_unlocked(ui->app)) {
		ui_notify(ui, UI_NOTICE_ERROR,
			  "Stripe is locked: unlock it with the admin passphrase first");
		return;
	}
	struct pay_job_request req = {.op = PAY_OP_RECEIPT_PAYMENT};
	snprintf(req.payment, sizeof req.payment, "%s", row->stripe_id);
	snprintf(req.email, sizeof req.email, "%s", row->email);
	h->receipt_job = payments_job_submit(ui->app->jobs, &req, NULL, &ui->app->session);
	if (h->receipt_job)
		ui_notify(ui, UI_NOTICE_INFO, "asking Stripe to email the receipt to %s again…",
			  row->email);
	else
		ui_notify(ui, UI_NOTICE_ERROR, "the receipt could not be queued");
}
