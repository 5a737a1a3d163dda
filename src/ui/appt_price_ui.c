/* The Appointments tab's % key: a discount or a new price for the selected
 * appointment, typed on one line ("10% loyalty", "5.00 voucher", "=45.00
 * longer cut"), confirmed with the price before and after, then written
 * (appt_price_change: audited, never below zero). Once paid, the notice
 * says what is due back; R refunds it as any refund. Also E: Stripe's
 * receipt emailed again (a job). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt_screen.h"
#include "pay_panel.h"
#include "paydesk/appt_price.h"
#include "paydesk/money.h"

struct price_ask {
	struct appt_screen *st;
	int64_t id;
	enum price_change_kind kind;
	int64_t value;
	char reason[APPT_PRICE_REASON_MAX * 4 + 1];
};

void appt_price_ask(struct appt_screen *st)
{
	const struct appointment *sel = appt_selected(st);
	if (!sel)
		return;
	if (!appt_state_holds_slot(sel->state)) {
		ui_notify(st->ui, UI_NOTICE_ERROR, "a %s appointment has no price to change",
			  appt_state_label(sel->state));
		return;
	}
	appt_prompt_open(st, APPT_PROMPT_PRICE);
}

static void reload(struct ui *ui)
{
	if (ui_screens[ui->tab]->reload)
		ui_screens[ui->tab]->reload(ui->state[ui->tab], ui);
}

static void price_confirmed(struct ui *ui, void *ctx)
{
	struct price_ask *pa = ctx;
	struct appt_price_result r;
	struct pd_error err = {0};
	if (appt_price_change(ui->app->db, &ui->app->session, pa->id, pa->kind, pa->value,
			      pa->reason, &r, &err))
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(ui, UI_NOTICE_INFO, "%s", r.message);
	reload(ui);
}

/* "10% loyalty" → "10%" and "loyalty"; "10 % loyalty" too. */
static void split(const char *text, char *value, size_t vlen, const char **reason)
{
	const char *sp = strchr(text, ' ');
	size_t n = sp ? (size_t)(sp - text) : strlen(text);
	snprintf(value, vlen, "%.*s", (int)n, text);
	const char *rest = sp ? sp : text + n;
	while (*rest == ' ')
		rest++;
	if (*rest == '%' && (rest[1] == ' ' || !rest[1])) {
		strncat(value, "%", vlen - strlen(value) - 1);
		rest++;
		while (*rest == ' ')
			rest++;
	}
	*reason = rest;
}

bool appt_price_submit(struct appt_screen *st, const char *text)
{
	const struct appointment *sel = appt_selected(st);
	if (!sel)
		return true;
	char value[64];
	const char *reason;
	split(text, value, sizeof value, &reason);
	bool set = value[0] == '=';
	enum price_change_kind kind;
	int64_t v = 0, list = 0, after = 0;
	struct pd_error err = {0};
	if (!value[0] || appt_price_parse(set ? value + 1 : value, sel->currency, &kind, &v, &err)) {
		snprintf(st->prompt_error, sizeof st->prompt_error, "%.190s",
			 value[0] ? err.msg : "type 10% or 5.00 off, or =45.00, then why");
		return false;
	}
	if (set)
		kind = PRICE_SET;
	if (!*reason) {
		snprintf(st->prompt_error, sizeof st->prompt_error,
			 "then say why, such as: %s loyalty", value);
		return false;
	}
	if (appt_price_preview(st->ui->app->db, sel->id, kind, v, &list, &after, &err)) {
		snprintf(st->prompt_error, sizeof st->prompt_error, "%.190s", err.msg);
		return false;
	}
	char m1[64], m2[64];
	if (after < 0) {
		snprintf(st->prompt_error, sizeof st->prompt_error,
			 "below zero: at most %s off",
			 money_format(list, sel->currency, m1, sizeof m1));
		return false;
	}
	struct price_ask *pa = calloc(1, sizeof *pa);
	if (!pa)
		return true;
	pa->st = st;
	pa->id = sel->id;
	pa->kind = kind;
	pa->value = v;
	snprintf(pa->reason, sizeof pa->reason, "%s", reason);
	char who[200], what[128], body[900];
	appt_short_name(sel, who, sizeof who);
	appt_price_describe(kind, v, sel->currency, what, sizeof what);
	snprintf(body, sizeof body, "%s\nPrice %s \u2192 %s: %s (%.100s).\nAudited in your name.",
		 who, money_format(list, sel->currency, m1, sizeof m1),
		 money_format(after, sel->currency, m2, sizeof m2), what, reason);
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){
				       .title = "Change the price?", .body = body, .money = true,
				       .amount = after, .currency = sel->currency,
				       .confirm_label = "change it", .on_confirm = price_confirmed,
				       .ctx = pa, .free_ctx = free});
	return true;
}

void appt_receipt_resend(struct appt_screen *st)
{
	const struct appointment *sel = appt_selected(st);
	if (!sel)
		return;
	struct pay_job_request req = {.op = PAY_OP_RECEIPT, .id = sel->id};
	if (pay_panel_run(st->pay, &req))
		ui_notify(st->ui, UI_NOTICE_INFO, "asking Stripe to email the receipt again…");
}
