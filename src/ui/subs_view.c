/* Shared by the Subscriptions forms: queueing a job, and what a finished
 * subscribe / change left in the store. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/money.h"
#include "paydesk/setup.h"
#include "paydesk/tz.h"
#include "paydesk/stripe_key.h"
#include "subs_forms.h"
#include "widgets.h"

uint64_t subs_ui_submit(struct ui *ui, const struct subs_job_request *req)
{
	bool quiet = req->op == SUBS_OP_SYNC;
	if (!ui->app->jobs || !stripe_key_unlocked(ui->app)) {
		if (!quiet)
			ui_notify(ui, UI_NOTICE_ERROR,
			          "Stripe is locked: unlock it with the admin passphrase first");
		return 0;
	}
	/* no key here: the job opens it on its worker */
	uint64_t id = subs_job_submit(ui->app->jobs, req, NULL, &ui->app->session);
	if (!id)
		ui_notify(ui, UI_NOTICE_ERROR, "the request could not be queued");
	return id;
}

static void day(int64_t t, char *out, size_t len)
{
	struct tz_civil c;
	if (!t) {
		snprintf(out, len, "—");
		return;
	}
	tz_to_civil(t, &c);
	snprintf(out, len, "%04d-%02d-%02d", c.year % 10000, c.month % 100, c.day % 100);
}

int subs_outcome_read(sqlite3 *db, const char *result, struct subscription *out)
{
	char sid[64] = "";
	if (sscanf(result, "Subscription %63[^:]", sid) != 1)
		return PD_ERR_NOT_FOUND;
	return subs_store_find(db, sid, out, NULL);
}

void subs_outcome_draw(const struct subscription *sp, int y, struct ui_rect a)
{
	int x = a.x + 2, w = a.w - 4;
	const struct subscription s = *sp;
	char line[700], money[64], next[16], trial[16];
	money_format(s.amount, s.currency, money, sizeof money);
	day(s.current_period_end, next, sizeof next);
	day(s.trial_end, trial, sizeof trial);
	snprintf(line, sizeof line, "%s · %s ×%d · %s · %s", s.client_name, s.plan_name, s.quantity,
	         money, s.status);
	ui_put(y++, x, w, ROLE_NORMAL, line, false);
	snprintf(line, sizeof line, "Next bill %s · trial end %s · %s", next, trial,
	         !strcmp(s.collection, "send_invoice") ? "invoices emailed" : "card charged");
	ui_put(y++, x, w, ROLE_NORMAL, line, false);
	y++;
	if (!s.invoice_id[0]) {
		ui_put(y, x, w, ROLE_DIM, "No invoice yet (the first comes when the trial ends).",
		       false);
	} else {
		money_format(s.invoice_amount, s.currency, money, sizeof money);
		bool failed = s.last_failure[0] ||
		              subs_attention(&s, (int64_t)time(NULL)) == SUBS_ATTN_FAILED;
		snprintf(line, sizeof line, "First invoice %s · %s · %s%s%s", s.invoice_id, money,
		         s.invoice_status[0] ? s.invoice_status : "—",
		         s.payment_status[0] ? " · payment " : "", s.payment_status);
		ui_put(y++, x, w,
		       !strcmp(s.invoice_status, "paid") ? ROLE_OK
		       : failed                          ? ROLE_ERROR
		                                         : ROLE_NORMAL,
		       line, false);
		if (s.last_failure[0])
			ui_put(y, x, w, ROLE_ERROR, s.last_failure, false);
	}
}
