#include "client_detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "paydesk/plans.h"
#include "paydesk/subscriptions.h"
#include "paydesk/tz.h"

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

static int draw_subscriptions(struct ui *ui, const struct client *c, int y, int last,
                              struct ui_rect a)
{
	int x = a.x + 2, w = a.w - 4;
	struct subscription *subs = NULL;
	size_t n = 0;
	struct subs_filter f = {.client_id = c->id, .with_ended = true};
	ui_put(y++, x, w, ROLE_HEADER, "Subscriptions", true);
	if (subs_store_list(ui->app->db, &f, &subs, &n, NULL) != PD_OK || n == 0) {
		ui_put(y++, x + 1, w - 1, ROLE_DIM,
		       "none (Subscriptions tab, n subscribes the client)", false);
		return y;
	}
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n && y + 1 < last; i++) {
		const struct subscription *s = &subs[i];
		char line[600], money[64], next[16], inv[128] = "none yet";
		money_format(s->amount, s->currency, money, sizeof money);
		day(s->current_period_end, next, sizeof next);
		if (s->invoice_status[0]) {
			char im[64];
			money_format(s->invoice_amount, s->currency, im, sizeof im);
			snprintf(inv, sizeof inv, "%s %s", im, s->invoice_status);
		}
		enum subs_attention at = subs_attention(s, now);
		snprintf(line, sizeof line, "%s ×%d · %s · %s%s", s->plan_name, s->quantity, money,
		         s->status,
		         s->cancel_at_period_end ? " (cancels at period end)"
		         : s->paused             ? " (collection paused)"
		                                 : "");
		ui_put(y++, x + 1, w - 1,
		       at == SUBS_ATTN_FAILED           ? ROLE_ERROR
		       : at == SUBS_ATTN_TRIAL_SOON     ? ROLE_WARNING
		       : !strcmp(s->status, "canceled") ? ROLE_DIM
		                                        : ROLE_NORMAL,
		       line, false);
		snprintf(line, sizeof line, "next bill %s · latest invoice %s%s%s", next, inv,
		         s->last_failure[0] ? " · " : "", s->last_failure);
		ui_put(y++, x + 3, w - 3, s->last_failure[0] ? ROLE_ERROR : ROLE_DIM, line, false);
	}
	subs_free_list(&subs, n);
	return y;
}

static int draw_billing(struct ui *ui, const struct client *c, int y, int last, struct ui_rect a)
{
	int x = a.x + 2, w = a.w - 4;
	ui_put(y++, x, w, ROLE_HEADER, "Subscription invoices and payments (billing history)",
	       true);
	struct subs_billing_row *rows = NULL;
	size_t n = 0;
	size_t room = last > y ? (size_t)(last - y) : 0;
	if (subs_store_client_billing(ui->app->db, c->stripe_customer_id, room, &rows, &n, NULL) !=
	        PD_OK ||
	    n == 0) {
		ui_put(y++, x + 1, w - 1, ROLE_DIM, "none synced yet (paydesk sync brings them)",
		       false);
		free(rows);
		return y;
	}
	for (size_t i = 0; i < n; i++) {
		const struct subs_billing_row *r = &rows[i];
		char when[16], money[64], line[300];
		day(r->created, when, sizeof when);
		money_format(r->amount, r->currency, money, sizeof money);
		snprintf(line, sizeof line, "%s  %-7s %13s  %-10s %s", when, r->type, money,
		         r->status, r->stripe_id);
		bool bad = !strcmp(r->status, "failed") || !strcmp(r->status, "uncollectible") ||
		           !strcmp(r->status, "open");
		ui_put(y++, x + 1, w - 1, bad ? ROLE_WARNING : ROLE_NORMAL, line, false);
	}
	free(rows);
	return y;
}

void client_detail_draw(struct ui *ui, int64_t client_id, const struct cards_refresh *cards,
                        struct ui_rect a)
{
	struct client c;
	int x = a.x + 2, w = a.w - 4, y = a.y + 1;
	int last = a.y + a.h - 2;
	if (clients_get(ui->app->db, client_id, &c, NULL) != PD_OK) {
		ui_put(y, x, w, ROLE_DIM, "This client is gone.", false);
		ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY, "Esc: back", false);
		return;
	}
	char line[700];
	snprintf(line, sizeof line, "%s%s%s%s%s%s", c.name, c.email[0] ? " <" : "", c.email,
	         c.email[0] ? ">" : "", c.phone[0] ? " · " : "", c.phone);
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	char line_cards[300];
	cards_refresh_line(ui, cards, &c, false, line_cards, sizeof line_cards);
	ui_put(y++, x, w, ROLE_DIM, line_cards, false);
	y++;
	y = draw_subscriptions(ui, &c, y, last - 3, a);
	y++;
	if (c.stripe_customer_id)
		draw_billing(ui, &c, y, last, a);
	client_free(&c);
	ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY, "H: visit history   Esc: back to the clients",
	       false);
}
