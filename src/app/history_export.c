/* Export of a filtered history (CSV per RFC 4180, JSON Lines) and the date
 * ranges both the History screen and `paydesk export` offer. */
#include "paydesk/history_export.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/csv.h"
#include "paydesk/file_replace.h"
#include "paydesk/money.h"
#include "paydesk/payments.h"

#define EXPORT_PAGE 256

const char *const history_range_names[] = {
	"all", "today", "this week", "this month", "last month", "custom", NULL,
};

static int64_t local_midnight(struct tm tm)
{
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int64_t history_next_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_mday++;
	return local_midnight(tm);
}

void history_range_bounds(enum history_range r, time_t now, int64_t *since, int64_t *until)
{
	struct tm tm;
	localtime_r(&now, &tm);
	*since = *until = 0;
	switch (r) {
	case HISTORY_RANGE_TODAY:
		*since = local_midnight(tm);
		*until = history_next_day(*since);
		break;
	case HISTORY_RANGE_THIS_WEEK: {
		struct tm m = tm;
		m.tm_mday -= (tm.tm_wday + 6) % 7; /* back to Monday */
		*since = local_midnight(m);
		m.tm_mday += 7;
		*until = local_midnight(m);
		break;
	}
	case HISTORY_RANGE_THIS_MONTH:
	case HISTORY_RANGE_LAST_MONTH: {
		struct tm m = tm;
		m.tm_mday = 1;
		if (r == HISTORY_RANGE_LAST_MONTH)
			m.tm_mon--;
		*since = local_midnight(m);
		m.tm_mon++;
		*until = local_midnight(m);
		break;
	}
	default:
		break;
	}
}

int history_date_parse(const char *text, int64_t *day_start, struct pd_error *err)
{
	int y, mo, d;
	char tail;
	if (!text || sscanf(text, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || strlen(text) != 10 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || y < 2000 || y > 2200)
		return pd_error_set(err, PD_ERR_USAGE, "'%s' is not a date: type YYYY-MM-DD",
				    text ? text : "");
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	int64_t t = local_midnight(tm);
	time_t tt = (time_t)t;
	struct tm back;
	localtime_r(&tt, &back);
	if (back.tm_mday != d) /* 2026-02-30 */
		return pd_error_set(err, PD_ERR_USAGE, "%s is not a day of the calendar", text);
	*day_start = t;
	return PD_OK;
}

int history_format_parse(const char *s, enum history_format *fmt, struct pd_error *err)
{
	if (s && strcmp(s, "csv") == 0)
		*fmt = HISTORY_CSV;
	else if (s && strcmp(s, "jsonl") == 0)
		*fmt = HISTORY_JSONL;
	else
		return pd_error_set(err, PD_ERR_USAGE, "unknown format '%s' (allowed: csv, jsonl)",
				    s ? s : "");
	return PD_OK;
}

/* Minor units as a plain decimal for spreadsheets: "1234.50", "-3.00", "1200". */
static char *decimal(int64_t minor, const char *currency, char *out, size_t len)
{
	int exp = money_exponent(currency);
	int64_t div = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
	uint64_t a = minor < 0 ? (uint64_t)(-(minor + 1)) + 1 : (uint64_t)minor;
	if (exp == 0)
		snprintf(out, len, "%s%" PRIu64, minor < 0 ? "-" : "", a);
	else
		snprintf(out, len, "%s%" PRIu64 ".%0*" PRIu64, minor < 0 ? "-" : "", a / (uint64_t)div,
			 exp, a % (uint64_t)div);
	return out;
}

static void iso_time(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
}

static const char *const csv_header[] = {
	"created", "type", "stripe_id", "amount", "currency", "status", "client", "email",
	"description", "card_brand", "card_last4", "fee", "net", "amount_refunded",
	"customer_id", "reviewed", "flagged", "note", "payment", "subscription", "plan",
	"decline_code", "decline", "dispute_status", "dispute_due_by", "reviewed_by", "reviewed_at",
	"payout", /* the payout that took its money to the bank (payouts.h), "" before one */
	NULL,
};

/* Why a failed payment failed, in words, "" when it did not. */
static const char *decline_text(const struct history_row *r)
{
	if (!r->failure_code[0] && !r->decline_code[0])
		return "";
	return payments_decline_reason(r->failure_code, r->decline_code);
}

/* The texts a history row holds cut to its fixed buffers (for the screen),
 * read whole for an export: a cut name is not the name, and a cut inside a
 * character is not UTF-8 (JSON then had null). With the review: its note,
 * and who marked it reviewed and when. */
struct whole_text {
	char *client, *email, *description, *note;
	char *reviewed_by;
	int64_t reviewed_at;
	char *payout;
};

/* The review of a record that has a mark or a note (one primary-key read). */
static void review_of(sqlite3_stmt *st, const char *stripe_id, struct whole_text *w)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, stripe_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_text(st, 0))
			w->note = strdup((const char *)sqlite3_column_text(st, 0));
		if (sqlite3_column_text(st, 1))
			w->reviewed_by = strdup((const char *)sqlite3_column_text(st, 1));
		w->reviewed_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? strdup((const char *)t) : NULL;
}

static void whole_text_read(sqlite3_stmt *st, const struct history_row *r, struct whole_text *w)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		w->client = column_dup(st, 0);
		w->email = column_dup(st, 1);
		w->description = column_dup(st, 2);
		w->payout = column_dup(st, 3);
	}
	sqlite3_reset(st);
}

static void whole_text_free(struct whole_text *w)
{
	free(w->client);
	free(w->email);
	free(w->description);
	free(w->note);
	free(w->reviewed_by);
	free(w->payout);
	memset(w, 0, sizeof *w);
}

/* A JSON string, or null when the text is missing or not UTF-8 (never
 * dropped from the object: every record has every key). */
static json_t *json_text(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;
	return j ? j : json_null();
}

/* The amount as the list shows it: money out (a refund, a desk refund)
 * negative, never read as money in. */
static int64_t signed_amount(const struct history_row *r)
{
	bool out = !strcmp(r->type, "refund") || !strcmp(r->type, "desk_refund");
	return out ? -r->amount : r->amount;
}

static void write_csv(FILE *out, const struct history_row *r, const struct whole_text *w)
{
	char when[32], amount[40], fee[40] = "", net[40] = "", refunded[40], due[32] = "",
		reviewed[32] = "";
	iso_time(r->created, when, sizeof when);
	if (w->reviewed_by)
		iso_time(w->reviewed_at, reviewed, sizeof reviewed);
	if (r->dispute_due_by)
		iso_time(r->dispute_due_by, due, sizeof due);
	decimal(signed_amount(r), r->currency, amount, sizeof amount);
	decimal(r->amount_refunded, r->currency, refunded, sizeof refunded);
	if (r->has_fee) {
		decimal(r->fee, r->currency, fee, sizeof fee);
		decimal(r->net, r->currency, net, sizeof net);
	}
	const char *f[] = {when,
			   r->type,
			   r->stripe_id,
			   amount,
			   r->currency,
			   r->status,
			   w->client,
			   w->email,
			   w->description,
			   r->brand,
			   r->last4,
			   fee,
			   net,
			   refunded,
			   r->customer_id,
			   (r->marks & HISTORY_MARK_REVIEWED) ? "yes" : "no",
			   (r->marks & HISTORY_MARK_FLAGGED) ? "yes" : "no",
			   w->note,
			   r->payment,
			   r->subscription,
			   r->plan,
			   r->decline_code[0] ? r->decline_code : r->failure_code,
			   decline_text(r),
			   r->dispute_status,
			   due,
			   w->reviewed_by,
			   reviewed,
			   w->payout};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (!f[i])
			f[i] = "";
	struct csv_buf b = {0};
	if (csv_write(&b, f, sizeof f / sizeof f[0]) == 0)
		fwrite(b.data, 1, b.len, out);
	csv_buf_free(&b);
}

static int write_jsonl(FILE *out, const struct history_row *r, const struct whole_text *w)
{
	char when[32];
	iso_time(r->created, when, sizeof when);
	json_t *o = json_object();
	if (!o)
		return -1;
	json_object_set_new(o, "created", json_string(when));
	json_object_set_new(o, "type", json_string(r->type));
	json_object_set_new(o, "stripe_id", json_string(r->stripe_id));
	json_object_set_new(o, "amount", json_integer(signed_amount(r)));
	json_object_set_new(o, "currency", json_string(r->currency));
	json_object_set_new(o, "status", json_string(r->status));
	json_object_set_new(o, "client", json_text(w->client));
	json_object_set_new(o, "email", json_text(w->email));
	json_object_set_new(o, "description", json_text(w->description));
	json_object_set_new(o, "card_brand", json_string(r->brand));
	json_object_set_new(o, "card_last4", json_string(r->last4));
	json_object_set_new(o, "fee", r->has_fee ? json_integer(r->fee) : json_null());
	json_object_set_new(o, "net", r->has_fee ? json_integer(r->net) : json_null());
	json_object_set_new(o, "amount_refunded", json_integer(r->amount_refunded));
	json_object_set_new(o, "customer_id", json_string(r->customer_id));
	json_object_set_new(o, "reviewed", json_boolean(r->marks & HISTORY_MARK_REVIEWED));
	json_object_set_new(o, "flagged", json_boolean(r->marks & HISTORY_MARK_FLAGGED));
	json_object_set_new(o, "note", json_text(w->note));
	json_object_set_new(o, "payment", json_text(r->payment[0] ? r->payment : NULL));
	json_object_set_new(o, "subscription",
			    json_text(r->subscription[0] ? r->subscription : NULL));
	json_object_set_new(o, "plan", json_text(r->plan[0] ? r->plan : NULL));
	const char *code = r->decline_code[0] ? r->decline_code : r->failure_code;
	json_object_set_new(o, "decline_code", json_text(code[0] ? code : NULL));
	json_object_set_new(o, "decline", json_text(code[0] ? decline_text(r) : NULL));
	json_object_set_new(o, "dispute_status",
			    json_text(r->dispute_status[0] ? r->dispute_status : NULL));
	char due[32];
	if (r->dispute_due_by)
		iso_time(r->dispute_due_by, due, sizeof due);
	json_object_set_new(o, "dispute_due_by", json_text(r->dispute_due_by ? due : NULL));
	char reviewed[32];
	if (w->reviewed_by)
		iso_time(w->reviewed_at, reviewed, sizeof reviewed);
	json_object_set_new(o, "reviewed_by", json_text(w->reviewed_by));
	json_object_set_new(o, "reviewed_at", json_text(w->reviewed_by ? reviewed : NULL));
	json_object_set_new(o, "payout", json_text(w->payout));
	int rc = json_dumpf(o, out, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
	return rc;
}

static int export_watched(sqlite3 *db, const struct history_filter *f, enum history_format fmt,
			  FILE *out, const struct history_export_watch *watch, long *rows,
			  struct pd_error *err);

int history_export(sqlite3 *db, const struct history_filter *f, enum history_format fmt,
		   FILE *out, long *rows, struct pd_error *err)
{
	return export_watched(db, f, fmt, out, NULL, rows, err);
}

static int export_watched(sqlite3 *db, const struct history_filter *f, enum history_format fmt,
			  FILE *out, const struct history_export_watch *watch, long *rows,
			  struct pd_error *err)
{
	*rows = 0;
	long total = -1;
	struct history_view *v = NULL;
	int rc = history_view_new(db, f, watch ? watch->sort : HISTORY_SORT_DATE,
				  watch ? watch->descending : true, &v, err);
	if (rc)
		return rc;
	sqlite3_stmt *note_st = NULL, *text_st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT note, CASE WHEN reviewed THEN reviewed_by END, reviewed_at"
			       " FROM reviews WHERE stripe_id = ?",
			       -1, &note_st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT h.client_name, h.email, h.description, (SELECT t.payout_id"
			       " FROM payout_txns t WHERE t.id = h.balance_txn) FROM history h"
			       " WHERE h.id = ?",
			       -1, &text_st, NULL) != SQLITE_OK) {
		sqlite3_finalize(note_st);
		history_view_free(&v);
		return pd_error_set(err, PD_ERR_IO, "database error: %s", sqlite3_errmsg(db));
	}
	struct history_row *page = malloc(EXPORT_PAGE * sizeof *page);
	if (!page) {
		rc = pd_error_set(err, PD_ERR, "out of memory");
		goto out;
	}
	if (fmt == HISTORY_CSV) {
		for (int i = 0; csv_header[i]; i++)
			fprintf(out, "%s%s", i ? "," : "", csv_header[i]);
		fputs("\r\n", out);
	}
	if (watch && watch->on_rows) {
		/* what the screen's totals count: a guide for the bar, not a promise */
		struct history_total t[HISTORY_MAX_CURRENCIES];
		int n = 0;
		if (history_view_totals(v, t, HISTORY_MAX_CURRENCIES, &n, NULL) == PD_OK) {
			total = 0;
			for (int i = 0; i < n; i++)
				total += (long)t[i].count;
		}
		watch->on_rows(watch->ctx, 0, total);
	}
	struct history_key key, *from = NULL;
	for (;;) {
		int got = 0;
		if (watch && watch->cancel && atomic_load(watch->cancel)) {
			rc = pd_error_set(err, PD_ERR_CONFLICT, "export stopped after %ld records",
					  *rows);
			break;
		}
		if ((rc = history_view_page(v, from, true, page, EXPORT_PAGE, &got, err)))
			break;
		for (int i = 0; i < got; i++) {
			struct whole_text w = {0};
			whole_text_read(text_st, &page[i], &w);
			if (page[i].marks & (HISTORY_MARK_NOTE | HISTORY_MARK_REVIEWED))
				review_of(note_st, page[i].stripe_id, &w);
			if (fmt == HISTORY_CSV)
				write_csv(out, &page[i], &w);
			else
				write_jsonl(out, &page[i], &w);
			whole_text_free(&w);
			(*rows)++;
		}
		if (watch && watch->on_rows)
			watch->on_rows(watch->ctx, *rows, total);
		if (got < EXPORT_PAGE)
			break;
		key = history_view_key(v, &page[got - 1]);
		from = &key;
	}
	if (!rc && (fflush(out) != 0 || ferror(out)))
		rc = pd_error_set(err, PD_ERR_IO, "writing the export failed: %s", strerror(errno));
out:
	free(page);
	sqlite3_finalize(note_st);
	sqlite3_finalize(text_st);
	history_view_free(&v);
	return rc;
}

struct export_fill {
	sqlite3 *db;
	const struct history_filter *f;
	enum history_format fmt;
	const struct history_export_watch *watch;
	long *rows;
};

static int fill_export(FILE *out, void *ctx, struct pd_error *err)
{
	struct export_fill *c = ctx;
	return export_watched(c->db, c->f, c->fmt, out, c->watch, c->rows, err);
}

int history_export_file_watched(sqlite3 *db, const struct history_filter *f,
				enum history_format fmt, const char *path, bool replace,
				const struct history_export_watch *watch, long *rows,
				struct pd_error *err)
{
	struct export_fill c = {db, f, fmt, watch, rows};
	/* A failed or stopped fill leaves no file: the temp file is removed. */
	return replace ? file_replace(path, fill_export, &c, err)
		       : file_write_new(path, fill_export, &c, err);
}

int history_export_file(sqlite3 *db, const struct history_filter *f, enum history_format fmt,
			const char *path, bool replace, long *rows, struct pd_error *err)
{
	return history_export_file_watched(db, f, fmt, path, replace, NULL, rows, err);
}
