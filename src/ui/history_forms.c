/* The History tab's forms: the filter (F), a note (a), export (e) and
 * jump to a day (J), each checked as typed and applied on Ctrl-S
 * (history_form_submit). The refund form is history_actions.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paydesk/file_replace.h"
#include "paydesk/history.h"
#include "paydesk/history_export.h"
#include "paydesk/history_review.h"
#include "paydesk/money.h"
#include "paydesk/paths.h"
#include "paydesk/textcheck.h"
#include "screen_history.h"

static const char *const status_choices[] = {
	"any", "succeeded", "partially_refunded", "refunded", "disputed", "dispute_lost", "failed",
	"processing",
	"requires_payment_method", "requires_action", "requires_capture", "canceled", "pending",
	"paid", "open", "void", "uncollectible", "draft", NULL,
};
static const char *const type_choices[] = {"any", "payment", "refund", "invoice", "desk",
					   "desk_refund", NULL};
static const char *const review_choices[] = {"any", "reviewed", "unreviewed", "flagged", NULL};
static const char *const format_choices[] = {"csv", "jsonl", "quickbooks", "quickbooks 4 columns",
					    "xero", NULL};

static int validate_date(const char *v, char *msg, size_t len)
{
	struct pd_error err = {0};
	if (!*v || !history_date_parse(v, &(int64_t){0}, &err))
		return 0;
	snprintf(msg, len, "%s", err.msg);
	return -1;
}

static int validate_required_date(const char *v, char *msg, size_t len)
{
	if (!*v) {
		snprintf(msg, len, "type a date: YYYY-MM-DD");
		return -1;
	}
	return validate_date(v, msg, len);
}

static int validate_amount(const char *v, char *msg, size_t len)
{
	struct pd_error err = {0};
	/* the currency's decimals are checked when the filter is applied */
	if (!*v || !money_check(v, &err))
		return 0;
	snprintf(msg, len, "%s", err.msg);
	return -1;
}

static int validate_currency(const char *v, char *msg, size_t len)
{
	if (!*v)
		return 0;
	if (strlen(v) == 3 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3)
		return 0;
	snprintf(msg, len, "a 3-letter currency code such as usd, or empty for all");
	return -1;
}

/* A name typed with stray blanks is that name (text_trim_dup below);
 * blanks alone are none. */
static int validate_path(const char *v, char *msg, size_t len)
{
	if (v[strspn(v, " \t")])
		return 0;
	snprintf(msg, len, "type a file name");
	return -1;
}

void history_close_form(struct hist *h)
{
	if (h->form_open)
		ui_form_free(&h->form);
	h->form_open = false;
	if (h->mode != MODE_DETAIL || !h->has_detail)
		h->mode = MODE_LIST;
	else
		h->mode = MODE_DETAIL;
}

void history_open_form(struct hist *h, enum mode mode, const struct ui_field *spec, int n)
{
	if (h->form_open)
		ui_form_free(&h->form);
	memset(h->fields, 0, sizeof h->fields);
	for (int i = 0; i < n; i++)
		h->fields[i] = spec[i];
	ui_form_init(&h->form, h->fields, n, 512);
	h->form_open = true;
	h->mode = mode;
}

static int choice_index(const char *const *choices, const char *value)
{
	for (int i = 0; choices[i]; i++)
		if (strcmp(choices[i], value) == 0)
			return i;
	return 0;
}

void history_filter_form_open(struct hist *h)
{
	const struct ui_field spec[FF_COUNT] = {
		[FF_DATES] = {.label = "Dates", .kind = UI_FIELD_CHOICE, .hint = "Space or ←/→ to choose", .choices = history_range_names},
		[FF_FROM] = {.label = "From", .kind = UI_FIELD_TEXT, .hint = "YYYY-MM-DD (custom dates)", .validate = validate_date},
		[FF_TO] = {.label = "To", .kind = UI_FIELD_TEXT, .hint = "YYYY-MM-DD, included (custom dates)", .validate = validate_date},
		[FF_STATUS] = {.label = "Status", .kind = UI_FIELD_CHOICE, .choices = status_choices},
		[FF_TYPE] = {.label = "Type", .kind = UI_FIELD_CHOICE, .choices = type_choices},
		[FF_CLIENT] = {.label = "Client", .kind = UI_FIELD_TEXT, .hint = "name or email words, or cus_…"},
		[FF_MIN] = {.label = "Amount from", .kind = UI_FIELD_TEXT, .hint = "in the currency's units, e.g. 20.00", .validate = validate_amount},
		[FF_MAX] = {.label = "Amount to", .kind = UI_FIELD_TEXT, .hint = "included", .validate = validate_amount},
		[FF_CURRENCY] = {.label = "Currency", .kind = UI_FIELD_TEXT, .hint = "usd, eur, …; empty for all", .validate = validate_currency},
		[FF_REVIEW] = {.label = "Review", .kind = UI_FIELD_CHOICE, .choices = review_choices},
	};
	history_open_form(h, MODE_FILTER, spec, FF_COUNT);
	const struct history_filter *f = &h->filter;
	h->fields[FF_DATES].choice = h->range;
	char buf[64];
	if (h->range == HISTORY_RANGE_CUSTOM) {
		if (f->since) {
			history_fmt_time(f->since, false, buf, sizeof buf);
			textedit_set(&h->fields[FF_FROM].edit, buf);
		}
		if (f->until) {
			history_fmt_time(f->until - 1, false, buf, sizeof buf);
			textedit_set(&h->fields[FF_TO].edit, buf);
		}
	}
	h->fields[FF_STATUS].choice = f->status[0] ? choice_index(status_choices, f->status) : 0;
	h->fields[FF_TYPE].choice = f->type[0] ? choice_index(type_choices, f->type) : 0;
	textedit_set(&h->fields[FF_CLIENT].edit, f->client);
	const char *cur = f->currency[0] ? f->currency : h->ui->app->cfg.currency;
	if (f->amount_min_set) {
		money_format(f->amount_min, cur, buf, sizeof buf);
		*strrchr(buf, ' ') = '\0';
		textedit_set(&h->fields[FF_MIN].edit, buf);
	}
	if (f->amount_max_set) {
		money_format(f->amount_max, cur, buf, sizeof buf);
		*strrchr(buf, ' ') = '\0';
		textedit_set(&h->fields[FF_MAX].edit, buf);
	}
	textedit_set(&h->fields[FF_CURRENCY].edit, f->currency);
	h->fields[FF_REVIEW].choice = (int)f->review;
	h->form.dirty = false;
}

/* The filter form → a filter; false (errors shown inline) when a field is wrong. */
static bool apply_filter_form(struct hist *h)
{
	if (ui_form_validate(&h->form) >= 0)
		return false;
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", h->filter.search);
	int range = h->fields[FF_DATES].choice;
	const char *from = ui_form_value(&h->form, FF_FROM), *to = ui_form_value(&h->form, FF_TO);
	struct pd_error err = {0};
	if (range == HISTORY_RANGE_CUSTOM || ((*from || *to) && range == HISTORY_RANGE_ALL)) {
		range = HISTORY_RANGE_CUSTOM;
		if (*from)
			history_date_parse(from, &f.since, &err);
		if (*to && !history_date_parse(to, &f.until, &err))
			f.until = history_next_day(f.until);
	} else {
		history_range_bounds((enum history_range)range, time(NULL), &f.since, &f.until);
	}
	int s = h->fields[FF_STATUS].choice, t = h->fields[FF_TYPE].choice;
	if (s > 0)
		snprintf(f.status, sizeof f.status, "%s", status_choices[s]);
	if (t > 0)
		snprintf(f.type, sizeof f.type, "%s", type_choices[t]);
	snprintf(f.client, sizeof f.client, "%s", ui_form_value(&h->form, FF_CLIENT));
	snprintf(f.currency, sizeof f.currency, "%s", ui_form_value(&h->form, FF_CURRENCY));
	for (char *p = f.currency; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	const char *cur = f.currency[0] ? f.currency : h->ui->app->cfg.currency;
	snprintf(f.amount_currency, sizeof f.amount_currency, "%s", cur);
	const char *min = ui_form_value(&h->form, FF_MIN), *max = ui_form_value(&h->form, FF_MAX);
	if (*min && money_parse(min, cur, &f.amount_min, &err)) {
		snprintf(h->fields[FF_MIN].error, sizeof h->fields[FF_MIN].error, "%.190s", err.msg);
		return false;
	}
	f.amount_min_set = *min;
	if (*max && money_parse(max, cur, &f.amount_max, &err)) {
		snprintf(h->fields[FF_MAX].error, sizeof h->fields[FF_MAX].error, "%.190s", err.msg);
		return false;
	}
	f.amount_max_set = *max;
	f.review = (enum history_review_filter)h->fields[FF_REVIEW].choice;
	if (history_filter_check(&f, &err)) {
		snprintf(h->fields[FF_TO].error, sizeof h->fields[FF_TO].error, "%.190s", err.msg);
		return false;
	}
	/* a currency typed in the form is the reviewer's own now; the one the
	 * amount sort took, left as it was, is still the sort's (and goes
	 * with it back to by date) */
	bool sort_took = h->sort_currency && !strcmp(f.currency, h->filter.currency);
	h->filter = f;
	h->sort_currency = sort_took;
	h->range = range;
	return true;
}

void history_note_form_open(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	if (!row)
		return;
	struct history_detail d;
	struct pd_error err = {0};
	char *note = NULL;
	if (!history_detail_get(h->ui->app->db, row->id, &d, &err)) {
		note = strdup(d.note);
		history_detail_free(&d);
	}
	const struct ui_field spec[] = {
		{.label = "Note", .kind = UI_FIELD_TEXT, .hint = "kept with your name and the time"},
	};
	history_open_form(h, MODE_NOTE, spec, 1);
	textedit_set(&h->fields[0].edit, note ? note : "");
	free(note);
	h->form.dirty = false;
}

void history_export_form_open(struct hist *h)
{
	const struct ui_field spec[] = {
		{.label = "Format", .kind = UI_FIELD_CHOICE, .hint = "Space/←/→: csv, jsonl, quickbooks (3/4 columns), xero", .choices = format_choices},
		{.label = "File", .kind = UI_FIELD_TEXT, .hint = "written 0600; never over an existing file", .validate = validate_path},
	};
	history_open_form(h, MODE_EXPORT, spec, 2);
	char name[64];
	time_t now = time(NULL);
	struct tm tm;
	strftime(name, sizeof name, "paydesk-history-%Y%m%d.csv", localtime_r(&now, &tm));
	char *free_name = file_free_name(name); /* a second export today: -2, not over the first */
	textedit_set(&h->fields[1].edit, free_name ? free_name : name);
	free(free_name);
	h->form.dirty = false;
}

void history_jump_form_open(struct hist *h)
{
	const struct ui_field spec[] = {
		{.label = "Date", .kind = UI_FIELD_TEXT, .hint = "YYYY-MM-DD", .validate = validate_required_date},
	};
	history_open_form(h, MODE_JUMP, spec, 1);
}

/* Whether the folder of path (a whole path) takes a new file; the field's
 * error says why not. */
static bool folder_writable(struct hist *h, const char *path)
{
	char folder[PATH_MAX];
	snprintf(folder, sizeof folder, "%s", path);
	char *slash = strrchr(folder, '/');
	if (!slash)
		snprintf(folder, sizeof folder, ".");
	else if (slash == folder)
		slash[1] = '\0'; /* "/name": the root */
	else
		*slash = '\0';
	struct stat sb;
	char *err = h->fields[1].error;
	size_t len = sizeof h->fields[1].error;
	if (stat(folder, &sb) != 0 || !S_ISDIR(sb.st_mode))
		snprintf(err, len, "no folder %.120s: make it first, or type another path", folder);
	else if (access(folder, W_OK | X_OK) != 0)
		snprintf(err, len, "%.120s: paydesk may not write there; type another path", folder);
	else
		return true;
	return false;
}

void history_form_submit(struct hist *h)
{
	struct pd_error err = {0};
	const struct history_row *row = history_selected(h);
	switch (h->mode) {
	case MODE_FILTER:
		if (!apply_filter_form(h))
			return;
		history_close_form(h);
		h->mode = MODE_LIST;
		history_requery(h, true);
		return;
	case MODE_NOTE:
		if (row && history_review_note(h->ui->app, row->stripe_id, ui_form_value(&h->form, 0),
					       &err)) {
			history_fail(h, &err);
			return;
		}
		history_close_form(h);
		history_refresh_row(h, h->sel);
		return;
	case MODE_EXPORT: {
		if (ui_form_validate(&h->form) >= 0)
			return;
		enum history_format fmt = h->fields[0].choice == 1 ? HISTORY_JSONL : HISTORY_CSV;
		char *path = text_trim_dup(ui_form_value(&h->form, 1));
		if (!path)
			return;
		/* A file already there, or a folder that is not, is refused here,
		 * where the path can be changed (after, the form and the path were
		 * gone and the reason past column 80). */
		char buf[PATH_MAX];
		const char *whole = paths_whole(path, buf, sizeof buf);
		bool exists = access(whole, F_OK) == 0;
		if (exists)
			snprintf(h->fields[1].error, sizeof h->fields[1].error,
				 "%.100s already exists: type another name (an export never "
				 "replaces a file)",
				 path);
		if (exists || !folder_writable(h, whole)) {
			free(path);
			return;
		}
		/* On a worker: a large history takes seconds, and keys keep answering. */
		history_close_form(h);
		int acct = h->fields[0].choice; /* 2-4: the Stripe balance for accounting */
		if (acct >= 2)
			history_accounting_export_start(h, acct == 2   ? ACCT_QUICKBOOKS3
							   : acct == 3 ? ACCT_QUICKBOOKS4
								       : ACCT_XERO,
							path);
		else
			history_export_start(h, fmt, path);
		free(path);
		return;
	}
	case MODE_REFUND:
		history_refund_submit(h);
		return;
	case MODE_JUMP: {
		if (ui_form_validate(&h->form) >= 0)
			return;
		int64_t day = 0;
		history_date_parse(ui_form_value(&h->form, 0), &day, &err);
		history_close_form(h);
		h->mode = MODE_LIST;
		history_jump_to_day(h, day);
		return;
	}
	default:
		return;
	}
}
