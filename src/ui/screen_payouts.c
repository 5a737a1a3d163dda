/* The Payouts panel (not in the tab bar; P on History): each payout Stripe
 * made — date, amount, status, arrival, method, and whether its balance
 * transactions add up to it; Enter lists those transactions (payments,
 * refunds, fees, disputes, adjustments) and, on one, the record behind it
 * (client, appointment, subscription); m shows a month's reconciliation.
 * store/payouts_read.c reads it all; this draws it. */
#include "screen_payouts.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/money.h"
#include "paydesk/payouts.h"
#include "paydesk/payouts_text.h"
#include "paydesk/tz.h"
#include "bench_trace.h"
#include "widgets.h"

#define PAGE 100 /* payouts read at a time (keyset), more as the list scrolls */

enum view { V_PAYOUTS, V_TXNS, V_MONTH };

struct payouts_screen {
	int back_to;
	enum view view;
	struct payout_row *p;
	size_t n;
	bool at_end;
	struct ui_list list;
	/* V_TXNS: the open payout's transactions, one of them shown whole */
	struct payout_row open;
	struct payout_txn_row *t;
	size_t nt;
	struct ui_list tlist;
	bool behind; /* the selected transaction's record shown */
	/* V_MONTH */
	int year, month;
	struct payout_month *m;
	size_t nm;
	char error[300];
};

static bool in_month(const void *state, const struct ui *ui)
{
	(void)ui;
	return ((const struct payouts_screen *)state)->view == V_MONTH;
}

static const struct ui_binding keys[] = {
	{UI_KEY_ENTER, UI_ACT_OPEN, "the payout's transactions / what is behind one", NULL},
	{UI_KEY_ESC, UI_ACT_BACK, "back (to the payouts, then to History)", NULL},
	{'m', UI_ACT_MONTH, NULL, NULL},
	{UI_KEY_FN(KEY_LEFT), UI_ACT_LEFT, "the month before", in_month},
	{UI_KEY_FN(KEY_RIGHT), UI_ACT_RIGHT, "the month after", in_month},
	{'S', UI_ACT_SYNC, "sync from Stripe (on History: payouts come with it)", NULL},
};

static void *open_payouts(struct ui *ui)
{
	(void)ui;
	struct payouts_screen *s = calloc(1, sizeof *s);
	if (s)
		s->list.sel = s->tlist.sel = -1;
	return s;
}

static void close_payouts(void *state)
{
	struct payouts_screen *s = state;
	if (!s)
		return;
	free(s->p);
	free(s->t);
	free(s->m);
	free(s);
}

/* The next page of payouts after the last one read. */
static void load_more(struct payouts_screen *s, struct ui *ui)
{
	if (s->at_end)
		return;
	struct payout_row *more = NULL;
	size_t got = 0;
	struct pd_error err = {0};
	const struct payout_row *last = s->n ? &s->p[s->n - 1] : NULL;
	if (payouts_page(ui->app->db, last ? last->created : 0, last ? last->id : "", PAGE, &more,
			 &got, &err) != PD_OK) {
		snprintf(s->error, sizeof s->error, "%.290s", err.msg);
		s->at_end = true;
		return;
	}
	s->at_end = got < PAGE;
	if (got) {
		struct payout_row *grown = realloc(s->p, (s->n + got) * sizeof *grown);
		if (grown) {
			memcpy(grown + s->n, more, got * sizeof *more);
			s->p = grown;
			s->n += got;
		} else {
			s->at_end = true;
		}
	}
	free(more);
	ui_list_set_count(&s->list, (long)s->n);
}

static void load_month(struct payouts_screen *s, struct ui *ui)
{
	free(s->m);
	s->m = NULL;
	s->nm = 0;
	char month[16];
	snprintf(month, sizeof month, "%04d-%02d", s->year % 10000, s->month % 100);
	struct pd_error err = {0};
	if (payouts_month(ui->app->db, month, &s->m, &s->nm, &err) != PD_OK)
		snprintf(s->error, sizeof s->error, "%.290s", err.msg);
}

static void load_txns(struct payouts_screen *s, struct ui *ui)
{
	free(s->t);
	s->t = NULL;
	s->nt = 0;
	struct pd_error err = {0};
	if (payout_get(ui->app->db, s->open.id, &s->open, &err) != PD_OK ||
	    payout_txns(ui->app->db, s->open.id, &s->t, &s->nt, &err) != PD_OK)
		snprintf(s->error, sizeof s->error, "%.290s", err.msg);
	ui_list_set_count(&s->tlist, (long)s->nt);
}

static void reload(void *state, struct ui *ui)
{
	struct payouts_screen *s = state;
	s->error[0] = '\0';
	/* the place is kept: the first pages again, as many as were read */
	size_t had = s->n;
	free(s->p);
	s->p = NULL;
	s->n = 0;
	s->at_end = false;
	do
		load_more(s, ui);
	while (!s->at_end && s->n < had);
	if (s->view == V_TXNS)
		load_txns(s, ui);
	if (s->view == V_MONTH)
		load_month(s, ui);
}

void ui_payouts_open(struct ui *ui)
{
	struct payouts_screen *s = ui->state[UI_SCREEN_PAYOUTS];
	if (!s)
		return;
	if (ui->tab != UI_SCREEN_PAYOUTS)
		s->back_to = ui->tab;
	s->view = V_PAYOUTS;
	ui_switch_screen(ui, UI_SCREEN_PAYOUTS); /* reloads */
}

static enum ui_result do_back(void *state, struct ui *ui)
{
	struct payouts_screen *s = state;
	if (s->view == V_TXNS && s->behind)
		s->behind = false;
	else if (s->view != V_PAYOUTS)
		s->view = V_PAYOUTS;
	else
		ui_switch_screen(ui, s->back_to);
	return UI_HANDLED;
}

static enum ui_result do_open(void *state, struct ui *ui)
{
	struct payouts_screen *s = state;
	if (s->view == V_TXNS) {
		s->behind = s->tlist.sel >= 0 && !s->behind;
		return UI_HANDLED;
	}
	if (s->view != V_PAYOUTS || s->list.sel < 0 || (size_t)s->list.sel >= s->n)
		return UI_HANDLED;
	s->open = s->p[s->list.sel];
	s->view = V_TXNS;
	s->behind = false;
	s->tlist = (struct ui_list){.sel = -1};
	load_txns(s, ui);
	return UI_HANDLED;
}

static enum ui_result do_month(void *state, struct ui *ui)
{
	struct payouts_screen *s = state;
	if (s->view == V_MONTH) {
		s->view = V_PAYOUTS;
		return UI_HANDLED;
	}
	/* the selected payout's month, else this one */
	struct tz_civil c;
	tz_to_civil(s->view == V_TXNS ? s->open.created
		    : s->list.sel >= 0 && (size_t)s->list.sel < s->n ? s->p[s->list.sel].created
								       : (int64_t)time(NULL),
		    &c);
	s->year = c.year;
	s->month = c.month;
	s->view = V_MONTH;
	load_month(s, ui);
	return UI_HANDLED;
}

static enum ui_result month_step(struct payouts_screen *s, struct ui *ui, int by)
{
	s->month += by;
	if (s->month < 1) {
		s->month = 12;
		s->year--;
	} else if (s->month > 12) {
		s->month = 1;
		s->year++;
	}
	load_month(s, ui);
	return UI_HANDLED;
}

static enum ui_result do_left(void *state, struct ui *ui)
{
	return month_step(state, ui, -1);
}

static enum ui_result do_right(void *state, struct ui *ui)
{
	return month_step(state, ui, 1);
}

static enum ui_result do_sync(void *state, struct ui *ui)
{
	/* the sync, its bar and its stop key live on History */
	struct payouts_screen *s = state;
	ui_switch_screen(ui, s->back_to);
	ui_notify(ui, UI_NOTICE_INFO, "S syncs from History (payouts come with the history); "
				      "P comes back here");
	return UI_HANDLED;
}

/* The list moves: on the payouts (reading more near the end) or on a
 * payout's transactions. */
static enum ui_result list_move(void *state, struct ui *ui, enum ui_action a)
{
	struct payouts_screen *s = state;
	if (s->view == V_TXNS)
		return ui_list_act(&s->tlist, a);
	if (s->view != V_PAYOUTS)
		return UI_HANDLED;
	if (a == UI_ACT_BOTTOM)
		while (!s->at_end)
			load_more(s, ui);
	enum ui_result r = ui_list_act(&s->list, a);
	if (s->list.sel + 2 * (long)(s->list.page > 0 ? s->list.page : 10) >= (long)s->n)
		load_more(s, ui);
	return r;
}

#define MOVE(fn, action)                                        \
	static enum ui_result fn(void *state, struct ui *ui)    \
	{                                                       \
		return list_move(state, ui, action);                 \
	}
MOVE(m_up, UI_ACT_UP)
MOVE(m_down, UI_ACT_DOWN)
MOVE(m_page_up, UI_ACT_PAGE_UP)
MOVE(m_page_down, UI_ACT_PAGE_DOWN)
MOVE(m_half_up, UI_ACT_HALF_UP)
MOVE(m_half_down, UI_ACT_HALF_DOWN)
MOVE(m_top, UI_ACT_TOP)
MOVE(m_bottom, UI_ACT_BOTTOM)
#undef MOVE

static const struct ui_function functions[] = {
	{UI_ACT_BACK, do_back, NULL},
	{UI_ACT_OPEN, do_open, NULL},
	{UI_ACT_MONTH, do_month, NULL},
	{UI_ACT_LEFT, do_left, in_month},
	{UI_ACT_RIGHT, do_right, in_month},
	{UI_ACT_SYNC, do_sync, NULL},
	{UI_ACT_UP, m_up, NULL},
	{UI_ACT_DOWN, m_down, NULL},
	{UI_ACT_PAGE_UP, m_page_up, NULL},
	{UI_ACT_PAGE_DOWN, m_page_down, NULL},
	{UI_ACT_HALF_UP, m_half_up, NULL},
	{UI_ACT_HALF_DOWN, m_half_down, NULL},
	{UI_ACT_TOP, m_top, NULL},
	{UI_ACT_BOTTOM, m_bottom, NULL},
};

/* ---- drawing ------------------------------------------------------------------ */

static const char *method(const struct payout_row *p)
{
	return p->automatic ? "automatic" : strcmp(p->method, "instant") == 0 ? "instant" : "manual";
}

static void check_text(const struct payout_row *p, char *out, size_t len)
{
	char a[48];
	if (!p->txns_done)
		snprintf(out, len, "not synced");
	else if (p->difference == 0)
		snprintf(out, len, "adds up");
	else
		snprintf(out, len, "off %s",
		         payouts_amount(p->difference, p->currency, a, sizeof a));
}

static void draw_payout(void *ctx, long index, struct ui_rect r, bool selected)
{
	const struct payouts_screen *s = ctx;
	const struct payout_row *p = &s->p[index];
	char d1[16], d2[16], amt[64], ck[64], line[256];
	money_format(p->amount, p->currency, amt, sizeof amt);
	check_text(p, ck, sizeof ck);
	snprintf(line, sizeof line, "%-10s  %16s  %-10.10s %-10s  %-9s  %s",
	         payouts_day(p->created, d1, sizeof d1), amt, p->status,
	         payouts_day(p->arrival_date, d2, sizeof d2), method(p), ck);
	enum theme_role role = selected ? ROLE_SELECTION
			       : strcmp(p->status, "failed") == 0 || strcmp(p->status, "canceled") == 0
				       ? ROLE_ERROR
			       : p->txns_done && p->difference ? ROLE_WARNING
							       : ROLE_NORMAL;
	ui_put(r.y, r.x, r.w, role, line, true);
}

static void draw_txn(void *ctx, long index, struct ui_rect r, bool selected)
{
	const struct payouts_screen *s = ctx;
	const struct payout_txn_row *t = &s->t[index];
	char d[16], a[48], f[48], n[48], line[300];
	const char *who = t->client[0] ? t->client : t->record[0] ? t->record : t->source;
	snprintf(line, sizeof line, "%-10s  %-11s %11s %9s %11s  %s",
	         payouts_day(t->created, d, sizeof d), payouts_txn_kind(t),
	         payouts_amount(t->amount, t->currency, a, sizeof a),
	         payouts_amount(t->fee, t->currency, f, sizeof f),
	         payouts_amount(t->net, t->currency, n, sizeof n), who);
	ui_put(r.y, r.x, r.w,
	       selected ? ROLE_SELECTION : t->net < 0 ? ROLE_MONEY_NEGATIVE : ROLE_NORMAL, line,
	       true);
}

/* What is behind the selected transaction, on the lines above the keys. */
static void draw_behind(const struct payouts_screen *s, int y, int x, int w)
{
	const struct payout_txn_row *t = &s->t[s->tlist.sel];
	char line[400], d[16];
	if (!t->record[0]) {
		snprintf(line, sizeof line, "Behind it: %s (not in the billing history)",
			 t->source[0] ? t->source : t->description[0] ? t->description : t->id);
		ui_put(y, x, w, ROLE_DIM, line, true);
	} else {
		snprintf(line, sizeof line, "Behind it: %s · client %s", t->record,
			 t->client[0] ? t->client : "(none)");
		ui_put(y, x, w, ROLE_NORMAL, line, true);
	}
	if (t->appointment[0] || t->subscription[0])
		snprintf(line, sizeof line, "%s%s%s%s%s%s", t->appointment[0] ? "appointment " : "",
			 t->appointment, t->appointment[0] && t->subscription[0] ? " · " : "",
			 t->subscription[0] ? "subscription " : "", t->subscription,
			 t->plan[0] ? " · plan " : "");
	else
		snprintf(line, sizeof line, "no appointment or subscription");
	if (t->plan[0] && strlen(line) + strlen(t->plan) < sizeof line - 1)
		strcat(line, t->plan);
	ui_put(y + 1, x, w, ROLE_NORMAL, line, true);
	snprintf(line, sizeof line, "%s · available %s · %s", t->id,
	         payouts_day(t->available_on, d, sizeof d), t->description);
	ui_put(y + 2, x, w, ROLE_DIM, line, true);
}

static void draw_txns(struct payouts_screen *s, struct ui_rect a, int x, int w, int last)
{
	int y = a.y;
	const struct payout_row *p = &s->open;
	char line[400], amt[64], d1[16], d2[16], b1[48], b2[48], b3[48];
	money_format(p->amount, p->currency, amt, sizeof amt);
	snprintf(line, sizeof line, "Payout %s · %s · %s", p->id, amt, p->status);
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	snprintf(line, sizeof line, "%s %s · created %s · arrives %s%s%s", method(p), p->method,
	         payouts_day(p->created, d1, sizeof d1),
	         payouts_day(p->arrival_date, d2, sizeof d2), p->failure[0] ? " · failed: " : "",
	         p->failure);
	ui_put(y++, x, w, ROLE_NORMAL, line, false);
	int64_t sum = 0;
	for (size_t i = 0; i < s->nt; i++)
		if (!(strcmp(s->t[i].type, "payout") == 0 && strcmp(s->t[i].source, p->id) == 0))
			sum += s->t[i].net;
	if (!p->txns_done)
		snprintf(line, sizeof line, "Transactions not all synced yet (S on History)");
	else
		snprintf(line, sizeof line, "Transactions %s = payout %s%s%s · %s %s",
		         payouts_amount(sum, p->currency, b1, sizeof b1),
		         payouts_amount(p->amount, p->currency, b2, sizeof b2),
		         p->payout_fee ? " + fee " : "",
		         p->payout_fee ? payouts_amount(p->payout_fee, p->currency, b3, sizeof b3)
		                       : "",
		         p->difference ? "difference" : "adds up,",
		         p->difference ? payouts_amount(p->difference, p->currency, b3, sizeof b3)
		                       : "difference 0.00");
	ui_put(y++, x, w, p->txns_done && p->difference ? ROLE_WARNING : ROLE_OK, line, false);
	snprintf(line, sizeof line, "%-10s  %-11s %11s %9s %11s  %s", "Date", "Type", "Amount", "Fee",
		 "Net", "Behind it");
	ui_put(y++, x, w, ROLE_HEADER, line, true);
	int rows = last - y - (s->behind ? 3 : 0);
	if (s->nt == 0)
		ui_put(y, x, w, ROLE_DIM, "No transactions synced for this payout yet.", false);
	else
		ui_list_draw(&s->tlist, (struct ui_rect){y, x, rows > 0 ? rows : 1, w}, draw_txn, s);
	if (s->behind && s->tlist.sel >= 0 && (size_t)s->tlist.sel < s->nt)
		draw_behind(s, last - 3, x, w);
}

static void draw_month(struct payouts_screen *s, struct ui_rect a, int x, int w, int last)
{
	int y = a.y;
	char line[300];
	snprintf(line, sizeof line, "Month %04d-%02d (%s) · Left/Right: another month",
		 s->year % 10000, s->month % 100, tz_name());
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	if (s->nm == 0) {
		ui_put(y + 1, x, w, ROLE_DIM, "No money moved in Stripe that month (as last synced).",
		       false);
		return;
	}
	/* currencies side by side, up to four at 80 columns */
	static const char *const labels[] = {"Gross payments", "Refunds", "Disputes",
					     "Adjustments", "Stripe fees", "Net", "Paid out",
					     "Still in balance", "Check", "Payouts made",
					     "Instant fees"};
	size_t cols = s->nm < 4 ? s->nm : 4;
	snprintf(line, sizeof line, "%-16s", "");
	for (size_t c = 0; c < cols; c++) {
		char cur[8];
		snprintf(cur, sizeof cur, "%s", s->m[c].currency);
		for (char *k = cur; *k; k++)
			*k = (char)(*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
		size_t used = strlen(line);
		snprintf(line + used, sizeof line - used, " %14s", cur);
	}
	ui_put(++y, x, w, ROLE_HEADER, line, true);
	y++;
	bool off = false;
	for (size_t c = 0; c < s->nm; c++)
		off = off || s->m[c].net - s->m[c].paid_out - s->m[c].in_balance != 0;
	for (size_t l = 0; l < sizeof labels / sizeof labels[0] && y < last; l++, y++) {
		snprintf(line, sizeof line, "%-16s", labels[l]);
		for (size_t c = 0; c < cols; c++) {
			const struct payout_month *m = &s->m[c];
			int64_t v[] = {m->gross, m->refunds, m->disputes, m->adjustments, -m->fees,
				       m->net, m->paid_out, m->in_balance,
				       m->net - m->paid_out - m->in_balance, m->payouts,
				       m->payout_fees};
			char b[48];
			size_t used = strlen(line);
			snprintf(line + used, sizeof line - used, " %14s",
			         payouts_amount(v[l], m->currency, b, sizeof b));
		}
		ui_put(y, x, w, l == 8 ? (off ? ROLE_WARNING : ROLE_OK) : l == 5 ? ROLE_TITLE
										  : ROLE_NORMAL,
		       line, true);
	}
	/* the verdict on a line of its own: at 80 columns beside four currencies it was cut */
	snprintf(line, sizeof line, "%s%s", off ? "Does not reconcile: net - paid out - still in "
						"balance is not 0"
					      : "Reconciled: net = paid out + still in balance",
		 s->nm > cols ? " (more currencies: paydesk payouts month)" : "");
	if (y + 1 < last)
		ui_put(y + 1, x, w, off ? ROLE_WARNING : ROLE_OK, line, false);
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct payouts_screen *s = state;
	(void)ui;
	int x = a.x + 2, w = a.w - 4, y = a.y;
	int last = a.y + a.h - 1; /* the keys line */
	char line[300];
	if (s->error[0]) {
		ui_put(last - 1, x, w, ROLE_ERROR, s->error, true);
		last--;
	}
	if (s->view == V_TXNS) {
		draw_txns(s, a, x, w, last);
		ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
		       "j/k move  Enter behind it  m month  Esc payouts  ?: keys", false);
		return;
	}
	if (s->view == V_MONTH) {
		draw_month(s, a, x, w, last);
		ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
		       "Left/Right month  m or Esc payouts  ?: keys", false);
		return;
	}
	snprintf(line, sizeof line, "Payouts · %zu%s · as of the last sync", s->n,
		 s->at_end ? "" : "+");
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	snprintf(line, sizeof line, "%-10s  %16s  %-10s %-10s  %-9s  %s", "Date", "Amount", "Status",
		 "Arrives", "Method", "Check");
	ui_put(y++, x, w, ROLE_HEADER, line, true);
	if (s->n == 0)
		ui_put(y, x, w, ROLE_DIM,
		       "No payouts synced yet: S on History syncs them with the history.", false);
	else
		ui_list_draw(&s->list, (struct ui_rect){y, x, last - y, w}, draw_payout, s);
	ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
	       "j/k move  Enter transactions  m month  Esc History  ?: keys", false);
}

const struct ui_screen screen_payouts = {
	.name = "payouts",
	.title = "Payouts",
	.keys = keys,
	.nkeys = sizeof keys / sizeof keys[0],
	.list_keys = true,
	.open = open_payouts,
	.close = close_payouts,
	.draw = draw,
	.funcs = functions,
	.nfuncs = sizeof functions / sizeof functions[0],
	.reload = reload,
};
