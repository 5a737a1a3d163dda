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

/* What the detail shows, read by client_detail_reload (or at the first
 * frame of a client), never while drawing. */
#define BILLING_ROWS_MAX 64
static struct shown {
	bool loaded;
	int64_t id;
	bool have_client, have_cards;
	struct client c;
	struct client_card *cards;
	size_t ncards;
	struct subscription *subs;
	size_t nsubs;
	struct subs_billing_row *bill;
	size_t nbill;
} shown;

static void forget(void)
{
	if (shown.have_client)
		client_free(&shown.c);
	free(shown.cards);
	subs_free_list(&shown.subs, shown.nsubs);
	free(shown.bill);
	memset(&shown, 0, sizeof shown);
}

void client_detail_reload(struct ui *ui, int64_t client_id)
{
	forget();
	if (!ui || !client_id)
		return;
	sqlite3 *db = ui->app->db;
	shown.loaded = true;
	shown.id = client_id;
	if (clients_get(db, client_id, &shown.c, NULL) != PD_OK)
		return;
	shown.have_client = true;
	shown.have_cards = shown.c.stripe_customer_id &&
			   client_cards_list(db, client_id, &shown.cards, &shown.ncards, NULL) == PD_OK;
	struct subs_filter f = {.client_id = client_id, .with_ended = true};
	if (subs_store_list(db, &f, &shown.subs, &shown.nsubs, NULL) != PD_OK)
		shown.nsubs = 0;
	if (shown.c.stripe_customer_id &&
	    subs_store_client_billing(db, shown.c.stripe_customer_id, BILLING_ROWS_MAX, &shown.bill,
				      &shown.nbill, NULL) != PD_OK)
		shown.nbill = 0;
}

static int draw_subscriptions(int y, int last, struct ui_rect a)
{
	int x = a.x + 2, w = a.w - 4;
	const struct subscription *subs = shown.subs;
	size_t n = shown.nsubs;
	ui_put(y++, x, w, ROLE_HEADER, "Subscriptions", true);
	if (n == 0) {
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
	return y;
}

static int draw_billing(int y, int last, struct ui_rect a)
{
	int x = a.x + 2, w = a.w - 4;
	ui_put(y++, x, w, ROLE_HEADER, "Subscription invoices and payments (billing history)",
	       true);
	const struct subs_billing_row *rows = shown.bill;
	size_t room = last > y ? (size_t)(last - y) : 0;
	size_t n = shown.nbill < room ? shown.nbill : room;
	if (shown.nbill == 0) {
		ui_put(y++, x + 1, w - 1, ROLE_DIM, "none synced yet (paydesk sync brings them)",
		       false);
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
	return y;
}

void client_detail_draw(struct ui *ui, int64_t client_id, const struct cards_refresh *cards,
                        struct ui_rect a)
{
	(void)ui; /* drawn from what client_detail_reload read */
	int x = a.x + 2, w = a.w - 4, y = a.y + 1;
	int last = a.y + a.h - 2;
	const struct client c = shown.c;
	if (!shown.loaded || shown.id != client_id || !shown.have_client) {
		ui_put(y, x, w, ROLE_DIM, "This client is gone.", false);
		ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY, "Esc: back", false);
		return;
	}
	char line[700];
	snprintf(line, sizeof line, "%s%s%s%s%s%s", c.name, c.email[0] ? " <" : "", c.email,
	         c.email[0] ? ">" : "", c.phone[0] ? " · " : "", c.phone);
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	char line_cards[300];
	cards_refresh_line_of(cards, &c, shown.have_cards, shown.cards, shown.ncards, false,
			      line_cards, sizeof line_cards);
	ui_put(y++, x, w, ROLE_DIM, line_cards, false);
	y++;
	y = draw_subscriptions(y, last - 3, a);
	y++;
	if (c.stripe_customer_id)
		draw_billing(y, last, a);
	ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY, "H: visit history   Esc: back to the clients",
	       false);
}
