/* The History tab's drawing: the list with its header and totals, the
 * status bar, the detail pane and the forms' frame. The state is in
 * history_window.c, the keys in screen_history.c. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "paydesk/history.h"
#include "paydesk/history_export.h"
#include "paydesk/history_review.h"
#include "paydesk/money.h"
#include "paydesk/number.h"
#include "paydesk/payments.h"
#include "bench_trace.h"
#include "screen_history.h"
#include "widgets.h"

/* ---- formatting ---------------------------------------------------------------- */

/* "1,234.50" (no currency code); refunds shown negative. */
static char *amount_text(int64_t minor, const char *cur, char *out, size_t len)
{
	money_format(minor, cur, out, len);
	char *sp = strrchr(out, ' ');
	if (sp)
		*sp = '\0';
	return out;
}

static const char *short_status(const char *s)
{
	static const struct {
		const char *from, *to;
	} map[] = {
		{"partially_refunded", "part refund"}, {"requires_payment_method", "needs card"},
		{"requires_action", "needs action"},   {"requires_capture", "uncaptured"},
		{"uncollectible", "uncollect."},       {"dispute_lost", "disp. lost"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(s, map[i].from) == 0)
			return map[i].to;
	return s;
}

static enum theme_role status_role(const char *s)
{
	if (!strcmp(s, "succeeded") || !strcmp(s, "paid"))
		return ROLE_OK;
	if (!strcmp(s, "failed") || !strcmp(s, "disputed") || !strcmp(s, "dispute_lost") ||
	    !strcmp(s, "uncollectible"))
		return ROLE_ERROR;
	if (strstr(s, "refund") || !strcmp(s, "canceled") || !strcmp(s, "void"))
		return ROLE_WARNING;
	return ROLE_NORMAL;
}

void history_fmt_time(int64_t t, bool with_time, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(out, len, with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", localtime_r(&tt, &tm));
}

/* Stripe's snake_case codes as words ("insufficient_funds" → "insufficient funds"). */
static void code_words(const char *code, char *out, size_t len)
{
	snprintf(out, len, "%s", code);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
}

/* What a record is about, before its description in the list: why a
 * payment failed, what a refund refunds, the plan an invoice bills, where
 * a dispute stands. "" when nothing. */
static void row_about(const struct history_row *row, char *out, size_t len)
{
	char words[40], due[24];
	out[0] = '\0';
	/* a dispute: the status column says disputed (or disp. lost); here
	 * where it stands and by when evidence is due */
	if (row->dispute_status[0] && strcmp(row->dispute_status, "lost") != 0 &&
	    strcmp(row->dispute_status, "won") != 0 &&
	    strcmp(row->dispute_status, "warning_closed") != 0) {
		code_words(row->dispute_status, words, sizeof words);
		if (row->dispute_due_by) {
			history_fmt_time(row->dispute_due_by, false, due, sizeof due);
			snprintf(out, len, "%s by %s", words, due);
		} else {
			snprintf(out, len, "%s", words);
		}
	} else if (row->dispute_status[0] && strcmp(row->dispute_status, "lost") != 0) {
		snprintf(out, len, "dispute %s", strcmp(row->dispute_status, "won") == 0
							  ? "won"
							  : "closed");
	} else if (row->decline_code[0] || row->failure_code[0]) {
		/* the status says failed: the reason alone, to fit 80 columns */
		code_words(row->decline_code[0] ? row->decline_code : row->failure_code, out, len);
	} else if (strstr(row->type, "refund") && row->payment[0]) {
		snprintf(out, len, "of %s", row->payment);
	} else if (!strcmp(row->type, "invoice") && row->plan[0]) {
		snprintf(out, len, "%s", row->plan);
	}
}

/* ---- drawing ---------------------------------------------------------------------- */

struct columns {
	bool wide;
	int date, client, desc;
};

static struct columns layout(int w)
{
	struct columns c = {.wide = w >= 120, .date = 10};
	/* mark 2, amount 12, cur 3, status 11, card 9, single spaces between */
	int fixed = 2 + 1 + 12 + 1 + 3 + 1 + 11 + 1 + 9 + 1;
	if (c.wide) {
		c.date = 16;
		fixed += 10 + 1 + 12 + 1; /* fee, net */
	}
	fixed += c.date + 1;
	int rest = w - fixed;
	if (rest < 10)
		rest = 10;
	c.client = rest * 5 / 10;
	if (c.client > 28)
		c.client = 28;
	c.desc = rest - c.client - 1;
	return c;
}

static void draw_header(struct ui_rect r, const struct columns *c)
{
	char line[512];
	if (c->wide)
		snprintf(line, sizeof line, "   %-*s %12s cur %-11s %-*s %-9s %10s %12s %s", c->date,
			 "date", "amount", "status", c->client, "client", "card", "fee", "net",
			 "description");
	else
		snprintf(line, sizeof line, "   %-*s %12s cur %-11s %-*s %-9s %s", c->date, "date",
			 "amount", "status", c->client, "client", "card", "description");
	ui_put(r.y, r.x, r.w, ROLE_HEADER, line, true);
}

static void draw_row(const struct history_row *row, struct ui_rect r, const struct columns *c,
		     bool selected)
{
	enum theme_role base = selected ? ROLE_SELECTION : ROLE_NORMAL;
	if (selected)
		ui_fill((struct ui_rect){r.y, r.x, 1, r.w}, ROLE_SELECTION);
	int x = r.x;
	char mark[8];
	snprintf(mark, sizeof mark, "%s%s",
		 (row->marks & HISTORY_MARK_FLAGGED)    ? "!"
		 : (row->marks & HISTORY_MARK_REVIEWED) ? "\u2713"
							: " ",
		 (row->marks & HISTORY_MARK_NOTE) ? "*" : " ");
	x += ui_put(r.y, x, 2, selected ? base : ((row->marks & HISTORY_MARK_FLAGGED) ? ROLE_ERROR : ROLE_OK),
		    mark, true) + 1;
	char buf[64];
	history_fmt_time(row->created, c->wide, buf, sizeof buf);
	ui_put(r.y, x, c->date, base, buf, true);
	x += c->date + 1;
	char amt[48];
	bool out = strcmp(row->type, "refund") == 0 || strcmp(row->type, "desk_refund") == 0;
	bool desk = strncmp(row->type, "desk", 4) == 0;
	amount_text(out ? -row->amount : row->amount, row->currency, amt, sizeof amt);
	snprintf(buf, sizeof buf, "%12s", amt);
	ui_put(r.y, x, 12, selected ? base : (out ? ROLE_MONEY_NEGATIVE : ROLE_MONEY_POSITIVE),
	       buf, true);
	x += 13;
	ui_put(r.y, x, 3, base, row->currency, true);
	x += 4;
	ui_put(r.y, x, 11, selected ? base : status_role(row->status), short_status(row->status), true);
	x += 12;
	ui_put(r.y, x, c->client, base, row->client[0] ? row->client : row->email, true);
	x += c->client + 1;
	if (desk) /* the desk tender where Stripe records show the card */
		snprintf(buf, sizeof buf, "%s",
			 strcmp(row->brand, "terminal") == 0 ? "ext card" : row->brand);
	else if (row->last4[0])
		snprintf(buf, sizeof buf, "%.4s %s",
			 strcmp(row->brand, "mastercard") == 0 ? "mc" : row->brand, row->last4);
	else
		snprintf(buf, sizeof buf, "%s", strcmp(row->type, "invoice") == 0 ? "invoice" : "");
	ui_put(r.y, x, 9, base, buf, true);
	x += 10;
	if (c->wide) {
		char fee[48] = "", net[48] = "";
		if (row->has_fee) {
			amount_text(row->fee, row->currency, fee, sizeof fee);
			amount_text(row->net, row->currency, net, sizeof net);
		}
		snprintf(buf, sizeof buf, "%10s", fee);
		ui_put(r.y, x, 10, base, buf, true);
		x += 11;
		snprintf(buf, sizeof buf, "%12s", net);
		ui_put(r.y, x, 12, base, buf, true);
		x += 13;
	}
	char about[128], text[320];
	row_about(row, about, sizeof about);
	snprintf(text, sizeof text, "%s%s%s", about, about[0] && row->description[0] ? " · " : "",
		 row->description);
	ui_put(r.y, x, r.x + r.w - x, base, text, true);
}

/* Lines the totals take: a currency's Stripe line, its disputes line and
 * its desk line. */
static int totals_lines(const struct hist *h)
{
	int n = 0;
	for (int i = 0; i < h->ntotals; i++)
		n += (h->totals[i].count > h->totals[i].desk_count || !h->totals[i].desk_count) +
		     (h->totals[i].desk_count != 0) +
		     (h->totals[i].disputed != 0 || h->totals[i].dispute_lost != 0);
	return n + (h->desk_tenders[0] != '\0');
}

static void draw_totals(struct hist *h, struct ui_rect r)
{
	char line[256], count[32];
	snprintf(line, sizeof line, "%-4s %10s %15s %15s %15s %15s", "", "records", "gross",
		 "refunds", "fees", "net");
	ui_put(r.y, r.x, r.w, ROLE_HEADER, line, true);
	/* Stripe's money on a currency's line; desk tenders (cash, cheque,
	 * voucher, other machine) on a line of their own under it. What does
	 * not fit is named on the last line, never written over a figure (a
	 * tester found "+1 more" over a net). */
	int room = r.h - 1;
	bool over = totals_lines(h) > room;
	int limit = over ? room - 1 : room;
	int lines = 0, shown = 0;
	for (int i = 0; i < h->ntotals && lines < limit; i++, shown++) {
		const struct history_total *t = &h->totals[i];
		char g[48], rf[48], fe[48], ne[48], cur[8];
		snprintf(cur, sizeof cur, "%s", t->currency);
		for (char *p = cur; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		number_grouped(t->count - t->desk_count, count, sizeof count);
		snprintf(line, sizeof line, "%-4s %10s %15s %15s %15s %15s", cur, count,
			 amount_text(t->gross, t->currency, g, sizeof g),
			 amount_text(t->refunds, t->currency, rf, sizeof rf),
			 amount_text(t->fees, t->currency, fe, sizeof fe),
			 amount_text(t->net, t->currency, ne, sizeof ne));
		if (t->count > t->desk_count || !t->desk_count)
			ui_put(r.y + 1 + lines++, r.x, r.w, ROLE_NORMAL, line, true);
		/* disputed money is not earned: apart from gross, never in it */
		if ((t->disputed || t->dispute_lost) && lines < limit) {
			snprintf(line, sizeof line, "%-4s %10s %15s %15s  disputed · lost, not in gross",
				 cur, "", amount_text(t->disputed, t->currency, g, sizeof g),
				 amount_text(t->dispute_lost, t->currency, rf, sizeof rf));
			ui_put(r.y + 1 + lines++, r.x, r.w, ROLE_WARNING, line, true);
		}
		if (t->desk_count && lines < limit) {
			number_grouped(t->desk_count, count, sizeof count);
			snprintf(line, sizeof line, "%-4s %10s %15s %15s  desk tenders, no Stripe", cur,
				 count, amount_text(t->desk, t->currency, g, sizeof g),
				 amount_text(t->desk_refunds, t->currency, rf, sizeof rf));
			ui_put(r.y + 1 + lines++, r.x, r.w, ROLE_NORMAL, line, true);
		}
	}
	if (h->desk_tenders[0] && lines < limit && shown == h->ntotals)
		ui_put(r.y + 1 + lines++, r.x, r.w, ROLE_NORMAL, h->desk_tenders, true);
	if (h->ntotals == 0) {
		ui_put(r.y + 1, r.x, r.w, ROLE_DIM, h->totals_pending ? "adding up\u2026" : "no records",
		       true);
		return;
	}
	if (!over) {
		if (h->totals_pending && lines < room)
			ui_put(r.y + 1 + lines, r.x, r.w, ROLE_DIM, "adding up\u2026", true);
		return;
	}
	/* the last line: what is still being added up, and the currencies left */
	size_t used = (size_t)snprintf(line, sizeof line, "%s", h->totals_pending ? "adding up\u2026 " : "");
	if (shown < h->ntotals) {
		used += (size_t)snprintf(line + used, sizeof line - used, "+%d more:", h->ntotals - shown);
		for (int i = shown; i < h->ntotals && used < sizeof line; i++) {
			used += (size_t)snprintf(line + used, sizeof line - used, " ");
			for (const char *c = h->totals[i].currency; *c && used + 1 < sizeof line; c++)
				line[used++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
			line[used] = '\0';
		}
		if (used < sizeof line)
			snprintf(line + used, sizeof line - used, " (F: one currency's totals)");
	} else if (used < sizeof line) {
		snprintf(line + used, sizeof line - used, "(F: one currency's totals)");
	}
	ui_put(r.y + 1 + lines, r.x, r.w, ROLE_DIM, line, true);
}

static void draw_bar(struct hist *h, struct ui_rect r)
{
	char desc[400], right[160], synced[40] = "never", count[32], pos[32];
	history_filter_describe(&h->filter, desc, sizeof desc);
	if (h->last_synced)
		history_fmt_time(h->last_synced, true, synced, sizeof synced);
	number_grouped(h->count, count, sizeof count);
	if (h->totals_pending && h->count == 0) /* not "1/0…", one of none */
		snprintf(count, sizeof count, "\u2026");
	else if (h->totals_pending) /* a search's count, still adding up */
		snprintf(count + strlen(count), sizeof count - strlen(count), "\u2026");
	if (h->pos >= 0)
		number_grouped(h->pos + 1, pos, sizeof pos);
	else
		snprintf(pos, sizeof pos, "~");
	snprintf(right, sizeof right, " %s/%s · synced %s", h->n ? pos : "0", count, synced);
	char left[512];
	snprintf(left, sizeof left, " %s %s · %s", h->sort == HISTORY_SORT_DATE ? "date" : "amount",
		 h->desc ? "\u2193" : "\u2191", desc);
	ui_fill((struct ui_rect){r.y, r.x, 1, r.w}, ROLE_TITLE);
	int rw = ui_text_width(right);
	ui_put(r.y, r.x, r.w - rw, ROLE_TITLE, left, false);
	ui_put(r.y, r.x + r.w - rw, rw, ROLE_TITLE, right, false);
}

static void draw_list(struct hist *h, struct ui_rect area)
{
	int nl = totals_lines(h);
	int tl = (nl < TOTAL_LINES ? (nl ? nl : 1) : TOTAL_LINES) + 1;
	struct ui_rect list = {area.y + 2, area.x, area.h - 2 - tl, area.w};
	h->page = list.h;
	history_ensure(h);
	history_clamp(h);
	struct ui_rect top = {area.y, area.x, 1, area.w};
	if (!history_export_draw(h, top) && !history_sync_draw(h, top))
		draw_bar(h, (struct ui_rect){area.y, area.x, 1, area.w});
	struct columns c = layout(area.w);
	draw_header((struct ui_rect){area.y + 1, area.x, 1, area.w}, &c);
	for (int i = 0; i < list.h && h->top + i < h->n; i++) {
		int idx = h->top + i;
		draw_row(&h->rows[idx], (struct ui_rect){list.y + i, list.x, 1, list.w}, &c,
			 idx == h->sel);
	}
	if (h->n == 0) {
		/* by amount the list holds one currency, which x keeps: another
		 * currency's record is found by date */
		char cur[4] = "";
		if (h->sort_currency && !h->matched_nowhere)
			money_currency_code(h->filter.currency, cur);
		char said[96], hint[160];
		if (cur[0])
			snprintf(said, sizeof said,
				 "Nothing matches in %s: by amount is one currency, %s: by date.", cur,
				 h->desc ? "s s" : "s");
		ui_put(list.y + 1, list.x + 2, list.w - 4, ROLE_DIM,
		       cur[0] ? said
		       : h->count || !history_filter_is_empty(&h->filter)
			       ? "Nothing matches: x clears the filters and the search."
			       : "Billing history: nothing yet. It arrives with a sync from Stripe.",
		       false);
		/* "79.000" typed for 79.00 found nothing, and said nothing of why */
		if (h->filter.search[0] &&
		    history_search_amount_hint(h->filter.search, hint, sizeof hint))
			ui_put(list.y + 2, list.x + 2, list.w - 4, ROLE_DIM, hint, false);
	}
	draw_totals(h, (struct ui_rect){area.y + area.h - tl, area.x, tl, area.w});
}

static void detail_line(int *y, struct ui_rect a, const char *label, const char *value)
{
	if (!value || !*value || *y >= a.y + a.h)
		return;
	ui_put(*y, a.x + 1, 12, ROLE_DIM, label, false);
	ui_put(*y, a.x + 14, a.w - 15, ROLE_NORMAL, value, false);
	(*y)++;
}

static void draw_detail(struct hist *h, struct ui_rect a)
{
	const struct history_detail *d = &h->detail;
	const struct history_row *r = &d->row;
	char buf[512], t1[32], t2[32], m[48], m2[48], m3[48], m4[48];
	int y = a.y;
	snprintf(buf, sizeof buf, " %s %s · %s%s", r->type, r->stripe_id, r->status,
		 d->livemode ? " · LIVE" : "");
	ui_put(y++, a.x, a.w, ROLE_TITLE, buf, true);
	y++;
	money_format(r->amount, r->currency, m, sizeof m);
	if (strcmp(r->type, "payment") != 0 && r->has_fee)
		snprintf(buf, sizeof buf, "%s · fee %s · net %s", m,
			 amount_text(r->fee, r->currency, m3, sizeof m3),
			 amount_text(r->net, r->currency, m4, sizeof m4));
	else if (strcmp(r->type, "payment") != 0)
		snprintf(buf, sizeof buf, "%s", m);
	else if (r->has_fee)
		snprintf(buf, sizeof buf, "%s · refunded %s · fee %s · net %s", m,
			 amount_text(r->amount_refunded, r->currency, m2, sizeof m2),
			 amount_text(r->fee, r->currency, m3, sizeof m3),
			 amount_text(r->net, r->currency, m4, sizeof m4));
	else
		snprintf(buf, sizeof buf, "%s · refunded %s", m,
			 amount_text(r->amount_refunded, r->currency, m2, sizeof m2));
	detail_line(&y, a, "Amount", buf);
	snprintf(buf, sizeof buf, "%s%s%s%s%s", d->client, d->email[0] ? " <" : "", d->email,
		 d->email[0] ? ">" : "", r->customer_id[0] ? "" : "");
	detail_line(&y, a, "Client", buf);
	detail_line(&y, a, "Customer", r->customer_id);
	detail_line(&y, a, "Description", d->description);
	if (r->last4[0]) {
		snprintf(buf, sizeof buf, "%s \u2022\u2022\u2022\u2022 %s (%s)", r->brand, r->last4,
			 d->payment_method[0] ? d->payment_method : "card");
		detail_line(&y, a, "Paid with", buf);
	}
	history_fmt_time(r->created, true, t1, sizeof t1);
	int n = snprintf(buf, sizeof buf, "created %s", t1);
	if (d->succeeded_at && n > 0 && (size_t)n < sizeof buf) {
		history_fmt_time(d->succeeded_at, true, t2, sizeof t2);
		n += snprintf(buf + n, sizeof buf - (size_t)n, " · succeeded %s", t2);
	}
	if (d->refunded_at && n > 0 && (size_t)n < sizeof buf) {
		history_fmt_time(d->refunded_at, true, t2, sizeof t2);
		n += snprintf(buf + n, sizeof buf - (size_t)n, " · refunded %s", t2);
	}
	if (d->disputed && n > 0 && (size_t)n < sizeof buf)
		snprintf(buf + n, sizeof buf - (size_t)n, " · disputed");
	detail_line(&y, a, "Timeline", buf);
	/* what the record is about: why it failed, its dispute, its plan, its payment */
	if (r->failure_code[0] || r->decline_code[0]) {
		snprintf(buf, sizeof buf, "%s (%s)",
			 payments_decline_reason(r->failure_code, r->decline_code),
			 r->decline_code[0] ? r->decline_code : r->failure_code);
		detail_line(&y, a, "Declined", buf);
	}
	if (r->dispute_status[0]) {
		n = snprintf(buf, sizeof buf, "%s", r->dispute_status);
		if (r->dispute_due_by && n > 0 && (size_t)n < sizeof buf) {
			history_fmt_time(r->dispute_due_by, true, t1, sizeof t1);
			snprintf(buf + n, sizeof buf - (size_t)n, " · evidence due by %s", t1);
		}
		detail_line(&y, a, "Dispute", buf);
	}
	if (r->plan[0])
		detail_line(&y, a, "Plan", r->plan);
	if (r->payment[0] && strstr(r->type, "refund"))
		detail_line(&y, a, "Refund of", r->payment);
	/* refunds, one line each */
	char *refunds = strdup(d->refunds ? d->refunds : ""), *save = NULL;
	bool first = true;
	for (char *l = refunds ? strtok_r(refunds, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		detail_line(&y, a, first ? "Refunds" : "", l);
		first = false;
	}
	free(refunds);
	buf[0] = '\0';
	if (d->appointment_id[0])
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "appointment %s  ",
			 d->appointment_id);
	if (d->subscription_id[0])
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "subscription %s  ",
			 d->subscription_id);
	if (d->invoice_id[0] && strcmp(r->type, "invoice") != 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "invoice %s", d->invoice_id);
	detail_line(&y, a, "Linked", buf);
	buf[0] = '\0';
	if (d->payment_intent[0] && strcmp(d->payment_intent, r->stripe_id) != 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s  ", d->payment_intent);
	if (d->charge_id[0])
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s  ", d->charge_id);
	if (d->balance_txn[0])
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s", d->balance_txn);
	detail_line(&y, a, "Stripe ids", buf);
	buf[0] = '\0';
	if (d->created_request_id[0])
		snprintf(buf, sizeof buf, "created %s  ", d->created_request_id);
	if (d->request_id[0])
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "synced %s", d->request_id);
	detail_line(&y, a, "Request-Id", buf);
	/* the URL on a line of its own, so 80 columns show it whole for copying */
	if (strncmp(r->type, "desk", 4) == 0) /* no Stripe object to open */
		snprintf(buf, sizeof buf, "none: %s at the desk (%s), no Stripe call",
			 strcmp(r->type, "desk") == 0 ? "taken" : "refunded", r->brand);
	else
		history_dashboard_url(r->type, r->stripe_id, d->livemode, buf, sizeof buf);
	if (y + 1 < a.y + a.h) {
		ui_put(y++, a.x + 1, 12, ROLE_DIM, "Dashboard", false);
		ui_put(y++, a.x + 1, a.w - 2, ROLE_NORMAL, buf, false);
	}
	buf[0] = '\0';
	if (r->marks & HISTORY_MARK_REVIEWED) {
		history_fmt_time(d->reviewed_at, true, t1, sizeof t1);
		snprintf(buf, sizeof buf, "reviewed by %s %s  ", d->reviewed_by, t1);
	}
	if (r->marks & HISTORY_MARK_FLAGGED) {
		history_fmt_time(d->flagged_at, true, t1, sizeof t1);
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "flagged by %s %s",
			 d->flagged_by, t1);
	}
	detail_line(&y, a, "Review", buf[0] ? buf : "not reviewed");
	if (d->note[0]) {
		history_fmt_time(d->note_at, true, t1, sizeof t1);
		snprintf(buf, sizeof buf, "%s (%s, %s)", d->note, d->note_by, t1);
		detail_line(&y, a, "Note", buf);
	}
	if (y < a.y + a.h - 1)
		ui_put(a.y + a.h - 1, a.x + 1, a.w - 2, ROLE_DIM,
		       "Esc back · Space reviewed · f flag · a note · j/k next/previous record",
		       false);
}

static void draw_form(struct hist *h, struct ui_rect area, const char *title, const char *help)
{
	int rows = 0;
	for (int i = 0; i < h->form.n; i++)
		rows += 1 + (h->fields[i].error[0] || i == h->form.focus);
	int bh = rows + 4, bw = area.w - 8 < 72 ? area.w - 8 : 72;
	if (bh > area.h)
		bh = area.h;
	struct ui_rect box = {area.y + (area.h - bh) / 2, area.x + (area.w - bw) / 2, bh, bw};
	ui_box(box, ROLE_DIALOG, title);
	ui_put(box.y + box.h - 2, box.x + 2, box.w - 4, ROLE_DIM, help, false);
	ui_form_draw(&h->form, (struct ui_rect){box.y + 1, box.x + 2, box.h - 3, box.w - 4});
}

void history_draw(void *state, struct ui *ui, struct ui_rect area)
{
	struct hist *h = state;
	h->ui = ui;
	if (!h->loaded)
		history_requery(h, true);
	if (h->mode == MODE_DETAIL && h->has_detail) {
		draw_detail(h, area);
		return;
	}
	draw_list(h, area);
	if (h->mode == MODE_SEARCH) {
		ui_fill((struct ui_rect){area.y, area.x, 1, area.w}, ROLE_INPUT_FOCUS);
		ui_put(area.y, area.x, 2, ROLE_INPUT_FOCUS, "/", false);
		/* a search longer than the line scrolls: what is typed stays seen */
		int full = h->search_full && area.w > 20 ? 6 : 0;
		if (full) /* says so where the eye is */
			ui_put(area.y, area.x + area.w - 6, 6, ROLE_INPUT_FOCUS, " full ", false);
		ui_textedit_draw(&h->search, false, ROLE_INPUT_FOCUS, true, area.y, area.x + 1,
				 area.w - 1 - full);
	} else if (h->mode == MODE_FILTER) {
		draw_form(h, area, "Filters", "Enter apply · Esc cancel · Tab next · Space/←→ choose");
	} else if (h->mode == MODE_NOTE) {
		draw_form(h, area, "Note", "Enter save (empty clears) · Esc cancel");
	} else if (h->mode == MODE_EXPORT) {
		draw_form(h, area, "Export what is shown", "Enter export · Esc cancel");
	} else if (h->mode == MODE_JUMP) {
		draw_form(h, area, "Jump to a date", "Enter jump · Esc cancel");
	} else if (h->mode == MODE_REFUND) {
		draw_form(h, area, "Refund", "Enter refund (asks first) · Esc cancel");
	}
}

