/* Closing a day at the desk. See day_close.h. */
#include "paydesk/day_close.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/textcheck.h"
#include "paydesk/tz.h"

const char *day_close_tender_label(const char *tender)
{
	return strcmp(tender, "card") == 0 ? "card (Stripe)" : history_tender_label(tender);
}

char *day_close_difference_words(int64_t difference, const char *currency, char *out,
				 size_t len)
{
	char m[64];
	if (difference == 0)
		snprintf(out, len, "exact");
	else
		snprintf(out, len, "%s %s", difference > 0 ? "over" : "short",
			 money_format(difference > 0 ? difference : -difference, currency, m,
				      sizeof m));
	return out;
}

static int day_range(const char *day, int64_t *since, int64_t *until, struct pd_error *err)
{
	int y, m, d;
	if (!day || tz_parse_date(day, &y, &m, &d) != 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the day is a date as YYYY-MM-DD, such as 2025-03-31");
	*since = tz_day_start(y, m, d);
	tz_date_add(&y, &m, &d, 1);
	*until = tz_day_start(y, m, d);
	return PD_OK;
}

/* The cash to count: the currency asked for, else the one cash was taken
 * in, else (no cash) the day's first currency. */
static int pick_cash(struct day_close_sheet *s, const char *currency, struct pd_error *err)
{
	s->cash_currency[0] = '\0';
	s->expected_cash = 0;
	if (currency && *currency) {
		char cur[4] = "";
		for (int i = 0; i < 3 && currency[i]; i++)
			cur[i] = (char)tolower((unsigned char)currency[i]);
		if (strlen(currency) != 3 || !isalpha((unsigned char)cur[0]) ||
		    !isalpha((unsigned char)cur[1]) || !isalpha((unsigned char)cur[2]))
			return pd_error_set(err, PD_ERR_USAGE,
					    "the currency is a three-letter code, such as usd");
		memcpy(s->cash_currency, cur, 4);
	}
	int found = 0;
	for (int i = 0; i < s->nlines; i++) {
		const struct day_close_line *l = &s->lines[i];
		if (strcmp(l->tender, "cash") != 0)
			continue;
		if (currency && *currency && strcmp(l->currency, s->cash_currency) != 0)
			continue;
		if (found++ == 0) {
			memcpy(s->cash_currency, l->currency, 4);
			s->expected_cash = l->taken - l->refunded;
		}
	}
	if (found > 1) {
		s->cash_currency[0] = '\0';
		s->expected_cash = 0;
		return pd_error_set(err, PD_ERR_USAGE,
				    "cash was taken in more than one currency that day: say which "
				    "is counted (--currency)");
	}
	if (!s->cash_currency[0] && s->nlines)
		memcpy(s->cash_currency, s->lines[0].currency, 4);
	if (!s->cash_currency[0])
		memcpy(s->cash_currency, s->nstripe ? s->stripe[0].currency : "usd", 4);
	return PD_OK;
}

static int tender_rank(const char *t)
{
	static const char *const order[] = {"cash", "cheque", "voucher", "terminal", "card"};
	for (int i = 0; i < 5; i++)
		if (strcmp(t, order[i]) == 0)
			return i;
	return 9;
}

/* Desk tenders first, as the sheet reads. */
static int cmp_tender(const void *a, const void *b)
{
	const struct day_close_line *x = a, *y = b;
	int r = tender_rank(x->tender) - tender_rank(y->tender);
	int c = r ? r : strcmp(x->tender, y->tender);
	return c ? c : strcmp(x->currency, y->currency);
}

bool day_close_open(const struct day_close_sheet *s)
{
	return !s->closed || s->nafter > 0;
}

/* The takings of [from, to) at the sheet's desk and user into s->lines; the
 * whole account's Stripe money of the day [since, until). */
static int read_now(sqlite3 *db, struct day_close_sheet *s, int64_t from, int64_t to,
		    int64_t since, int64_t until, struct pd_error *err)
{
	struct day_close_scope scope = {from, to, s->desk, s->user};
	int rc = day_close_expected(db, &scope, s->lines, DAY_CLOSE_MAX_LINES, &s->nlines, err);
	if (rc)
		return rc;
	s->nstripe = 0;
	/* the whole account's Stripe money, as the History tab has it */
	struct history_taking t[HISTORY_MAX_TAKINGS];
	int n = 0;
	rc = history_takings(db, since, until, NULL, t, HISTORY_MAX_TAKINGS, &n, err);
	for (int i = 0; !rc && i < n; i++)
		if (strcmp(t[i].tender, "stripe") == 0 && s->nstripe < HISTORY_MAX_CURRENCIES)
			s->stripe[s->nstripe++] = t[i];
	if (!rc)
		rc = history_last_synced(db, &s->synced_at, err);
	return rc;
}

/* s->after: the day's takings at s's desk and user now, less the lines of
 * every close of the day; lines that did not change are left out. */
static int after_closes(sqlite3 *db, struct day_close_sheet *s, int64_t since, int64_t until,
			struct pd_error *err)
{
	struct day_close_scope scope = {since, until, s->desk, s->user};
	struct day_close_line closed[DAY_CLOSE_MAX_LINES];
	int nclosed = 0, n = 0;
	int rc = day_close_expected(db, &scope, s->after, DAY_CLOSE_MAX_LINES, &n, err);
	if (!rc)
		rc = day_close_closed_lines(db, s->day, s->desk, s->user, closed,
					    DAY_CLOSE_MAX_LINES, &nclosed, err);
	if (rc)
		return rc;
	for (int k = 0; k < nclosed; k++) {
		int i = 0;
		while (i < n && (strcmp(s->after[i].tender, closed[k].tender) ||
				 strcmp(s->after[i].currency, closed[k].currency)))
			i++;
		if (i == n) { /* gone since (not expected): shown as taken back */
			if (n == DAY_CLOSE_MAX_LINES)
				continue;
			s->after[n] = (struct day_close_line){0};
			memcpy(s->after[n].tender, closed[k].tender, sizeof closed[k].tender);
			memcpy(s->after[n].currency, closed[k].currency, 4);
			n++;
		}
		s->after[i].count -= closed[k].count;
		s->after[i].taken -= closed[k].taken;
		s->after[i].refunded -= closed[k].refunded;
		s->after[i].in_history -= closed[k].in_history;
	}
	s->nafter = 0;
	s->after_cash = 0;
	for (int i = 0; i < n; i++) {
		struct day_close_line l = s->after[i];
		if (!l.count && !l.taken && !l.refunded)
			continue;
		if (l.in_history < 0)
			l.in_history = 0;
		s->after[s->nafter++] = l;
		if (!strcmp(l.tender, "cash") && !strcmp(l.currency, s->close.currency))
			s->after_cash += l.taken - l.refunded;
	}
	return PD_OK;
}

int day_close_read(sqlite3 *db, const char *day, const char *desk, const char *user,
		   const char *currency, struct day_close_sheet *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	int64_t since = 0, until = 0;
	int rc = day_range(day, &since, &until, err);
	if (rc)
		return rc;
	snprintf(out->day, sizeof out->day, "%s", day);
	snprintf(out->desk, sizeof out->desk, "%s", desk ? desk : "");
	snprintf(out->user, sizeof out->user, "%s", user ? user : "");
	rc = day_close_others(db, out->day, out->desk, out->user, out->others,
			      DAY_CLOSE_MAX_OTHERS, &out->nothers, err);
	if (rc)
		return rc;
	rc = day_close_get(db, out->day, out->desk, out->user, &out->close, err);
	if (rc == PD_OK) {
		out->closed = true;
		memcpy(out->cash_currency, out->close.currency, 4);
		/* the day as a whole: every close's lines; the till as last
		 * counted, less the differences of the day's closes */
		rc = day_close_closed_lines(db, out->day, out->desk, out->user, out->lines,
					    DAY_CLOSE_MAX_LINES, &out->nlines, err);
		if (rc)
			return rc;
		qsort(out->lines, (size_t)out->nlines, sizeof out->lines[0], cmp_tender);
		out->expected_cash = out->close.till_cash - out->close.day_difference;
		/* what came after it, as a till: the day's takings now less what
		 * its closes covered — exact, whatever second anything was taken */
		rc = after_closes(db, out, since, until, err);
		return rc ? rc : history_last_synced(db, &out->synced_at, err);
	}
	if (rc != PD_ERR_NOT_FOUND)
		return rc;
	*err = (struct pd_error){0};
	rc = read_now(db, out, since, until, since, until, err);
	return rc ? rc : pick_cash(out, currency, err);
}

/* The sheet a close made now covers: the day so far, or — closed already —
 * what came after its closes (s->after), the cash in the first close's
 * currency unless another is asked for. */
static int read_to_close(sqlite3 *db, const char *day, const char *desk, const char *user,
			 const char *currency, struct day_close_sheet *out, struct pd_error *err)
{
	int rc = day_close_read(db, day, desk, user, currency, out, err);
	if (rc || !out->closed || out->nafter == 0)
		return rc; /* closed with nothing after: refused by the caller */
	memcpy(out->lines, out->after, sizeof out->lines);
	out->nlines = out->nafter;
	out->closed = false;
	rc = pick_cash(out, currency && *currency ? currency : out->close.currency, err);
	/* the whole till: what the close before left in it + the cash since */
	if (!rc && strcmp(out->cash_currency, out->close.currency) == 0)
		out->expected_cash += out->close.till_cash;
	return rc;
}

int day_close_check(const struct day_close_sheet *s, const char *counted_text,
		    const char *comment, int64_t *counted, int64_t *difference,
		    struct pd_error *err)
{
	if (!counted_text || !*counted_text)
		return pd_error_set(err, PD_ERR_USAGE,
				    "type the cash counted in the till (0 when there is none)");
	/* closed with money since: what a later close counts */
	bool later = s->closed && s->nafter > 0;
	const char *cur = later ? s->close.currency : s->cash_currency;
	int64_t expected = later ? s->close.till_cash + s->after_cash : s->expected_cash;
	int rc = money_parse(counted_text, cur, counted, err);
	if (rc)
		return rc;
	if (*counted < 0)
		return pd_error_set(err, PD_ERR_USAGE, "the cash counted cannot be negative");
	*difference = *counted - expected;
	if (comment && *comment) {
		rc = text_check("Comment", comment, DAY_CLOSE_COMMENT_MAX, false, false, err);
		if (rc)
			return rc;
	}
	if (*difference && !(comment && *comment)) {
		char words[80], exp[64], got[64];
		return pd_error_set(
			err, PD_ERR_USAGE,
			"counted %s, expected %s: %s needs a comment saying why",
			money_format(*counted, cur, got, sizeof got),
			money_format(expected, cur, exp, sizeof exp),
			day_close_difference_words(*difference, cur, words, sizeof words));
	}
	return PD_OK;
}

static void scope_words(const struct day_close_sheet *s, char *out, size_t len)
{
	snprintf(out, len, "%s · desk %s · user %s", s->day, s->desk[0] ? s->desk : "all",
		 s->user[0] ? s->user : "all");
}

/* "2026-12-07 · desk all · user anna was closed at 18:02 by anna (counted …)" */
static int already_closed(const struct day_close_row *c, const struct day_close_sheet *s,
			  struct pd_error *err)
{
	struct tz_civil t;
	tz_to_civil(c->closed_at, &t);
	char scope[200], m[64];
	scope_words(s, scope, sizeof scope);
	return pd_error_set(err, PD_ERR_EXISTS,
			    "%s is already closed: by %s at %04d-%02d-%02d %02d:%02d, %s cash "
			    "counted; a close is kept as it was and not redone",
			    scope, c->closed_by, t.year % 10000, t.month % 100, t.day % 100,
			    t.hour % 100, t.minute % 100,
			    money_format(c->counted_cash, c->currency, m, sizeof m));
}

int day_close_save(sqlite3 *db, const struct session *who, const char *day, const char *desk,
		   const char *user, const char *currency, const char *counted_text,
		   const char *comment, struct day_close_sheet *out, struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	/* Everything read again inside the write lock: a payment taken or a
	 * close made by another desk meanwhile is seen. */
	rc = db_begin(db, err);
	if (rc)
		return rc;
	int64_t now = (int64_t)time(NULL);
	rc = read_to_close(db, day, desk, user, currency, out, err);
	if (!rc && out->closed)
		rc = already_closed(&out->close, out, err);
	int earlier = rc ? 0 : (out->close.closed_at ? out->close.earlier + 1 : 0);
	int64_t before = out->close.closed_at;
	int64_t counted = 0, difference = 0;
	if (!rc)
		rc = day_close_check(out, counted_text, comment, &counted, &difference, err);
	struct day_close_row *c = &out->close;
	if (!rc) {
		memset(c, 0, sizeof *c);
		snprintf(c->day, sizeof c->day, "%s", out->day);
		snprintf(c->desk, sizeof c->desk, "%s", out->desk);
		snprintf(c->user, sizeof c->user, "%s", out->user);
		memcpy(c->currency, out->cash_currency, 4);
		c->expected_cash = out->expected_cash;
		c->counted_cash = counted;
		snprintf(c->comment, sizeof c->comment, "%s", comment ? comment : "");
		snprintf(c->closed_by, sizeof c->closed_by, "%s",
			 who && who->name[0] ? who->name : "system");
		c->closed_at = now;
		c->covers_from = earlier ? before : 0;
		c->earlier = earlier;
		c->whole_till = earlier > 0;
		memcpy(c->lines, out->lines, sizeof c->lines);
		c->nlines = out->nlines;
		rc = day_close_insert(db, c, err);
	}
	if (!rc) {
		char detail[1024], scope[200], exp[64], words[80], obj[48];
		scope_words(out, scope, sizeof scope);
		char after[64] = "";
		if (earlier) {
			struct tz_civil t;
			tz_to_civil(before, &t);
			snprintf(after, sizeof after, " · after the close at %02d:%02d",
				 t.hour % 100, t.minute % 100);
		}
		snprintf(detail, sizeof detail, "%s%s · cash expected %s, %s%s%s", scope, after,
			 money_format(out->expected_cash, out->cash_currency, exp, sizeof exp),
			 day_close_difference_words(difference, out->cash_currency, words,
						    sizeof words),
			 c->comment[0] ? " · " : "", c->comment);
		snprintf(obj, sizeof obj, "day_close:%lld", (long long)c->id);
		struct audit_entry e = {.actor = c->closed_by, .action = "day.close",
					.detail = detail, .has_amount = true, .amount = counted,
					.currency = out->cash_currency, .object_id = obj};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	out->closed = true;
	out->nafter = 0;
	out->after_cash = 0;
	/* shown as Z shows it now: the day as a whole (kept as saved when that
	 * cannot be read: the close stands either way) */
	struct day_close_sheet *whole = malloc(sizeof *whole);
	struct pd_error ignored = {0};
	if (whole && day_close_read(db, day, desk, user, currency, whole, &ignored) == PD_OK)
		*out = *whole;
	free(whole);
	return PD_OK;
}
