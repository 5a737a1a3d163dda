/* Accounting exports: QuickBooks Online bank CSV (3 and 4 columns) and
 * Xero's precoded bank statement. See accounting_export.h. */
#include "paydesk/accounting_export.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/accounting_store.h"
#include "paydesk/csv.h"
#include "paydesk/file_replace.h"
#include "paydesk/money.h"
#include "paydesk/tz.h"

int accounting_format_parse(const char *name, int columns, enum accounting_format *out,
			    struct pd_error *err)
{
	if (strcmp(name, "quickbooks") == 0 && (columns == 0 || columns == 3))
		*out = ACCT_QUICKBOOKS3;
	else if (strcmp(name, "quickbooks") == 0 && columns == 4)
		*out = ACCT_QUICKBOOKS4;
	else if (strcmp(name, "xero") == 0 && columns == 0)
		*out = ACCT_XERO;
	else if (strcmp(name, "quickbooks") == 0 || strcmp(name, "xero") == 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "--columns goes with quickbooks: 3 (Date, Description, Amount) "
				    "or 4 (Date, Description, Credit, Debit)");
	else
		return pd_error_set(err, PD_ERR_USAGE, "unknown accounting format (quickbooks, xero)");
	return PD_OK;
}

int accounting_dates_parse(const char *name, enum accounting_dates *out, struct pd_error *err)
{
	if (strcmp(name, "mdy") == 0)
		*out = ACCT_DATES_MDY;
	else if (strcmp(name, "dmy") == 0)
		*out = ACCT_DATES_DMY;
	else if (strcmp(name, "iso") == 0)
		*out = ACCT_DATES_ISO;
	else
		return pd_error_set(err, PD_ERR_USAGE,
				    "--date-format is mdy (12/31/2026), dmy (31/12/2026) or iso "
				    "(2026-12-31)");
	return PD_OK;
}

int accounting_export_check(sqlite3 *db, struct accounting_opts *o, struct pd_error *err)
{
	if (o->until && o->since >= o->until)
		return pd_error_set(err, PD_ERR_USAGE, "the range ends before it starts");
	if (o->payout && *o->payout && (o->since || o->until))
		return pd_error_set(err, PD_ERR_USAGE,
				    "a payout's statement covers its own transactions: give --payout "
				    "or dates, not both");
	char cur[8][4];
	int n = 0;
	int rc = accounting_currencies(db, o->since, o->until ? o->until : INT64_MAX, o->payout,
				       cur, 8, &n, err);
	if (rc)
		return rc;
	if (o->payout && *o->payout && n == 0)
		return pd_error_set(err, PD_ERR_NOT_FOUND,
				    "no synced payout %.60s: run paydesk sync, then paydesk payouts "
				    "lists them",
				    o->payout);
	if (o->currency[0])
		return PD_OK;
	if (n > 1) {
		char list[64] = "";
		for (int i = 0; i < n && i < 8; i++) {
			size_t used = strlen(list);
			snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", cur[i]);
		}
		return pd_error_set(err, PD_ERR_USAGE,
				    "the range holds money in %s: a bank file is one currency, "
				    "choose one with --currency",
				    list);
	}
	if (n == 1)
		memcpy(o->currency, cur[0], 4);
	return PD_OK;
}

/* ---- lines ---------------------------------------------------------------- */

struct writer {
	const struct accounting_opts *o;
	struct csv_buf buf; /* the lines not yet written */
	long lines;
	FILE *out;          /* streaming: written as they come */
	int (*part_full)(struct writer *w, struct pd_error *err); /* files: a part is done */
	long part_lines;
	struct pd_error *err;
};

static void date_text(const struct accounting_opts *o, int64_t t, char *out, size_t len)
{
	struct tz_civil c;
	tz_to_civil(t, &c);
	enum accounting_dates d = o->dates;
	if (d == ACCT_DATES_DEFAULT)
		d = o->format == ACCT_XERO ? ACCT_DATES_DMY : ACCT_DATES_MDY;
	int y = c.year % 10000, m = c.month % 100, day = c.day % 100;
	if (d == ACCT_DATES_MDY)
		snprintf(out, len, "%02d/%02d/%04d", m, day, y);
	else if (d == ACCT_DATES_DMY)
		snprintf(out, len, "%02d/%02d/%04d", day, m, y);
	else
		snprintf(out, len, "%04d-%02d-%02d", y, m, day);
}

/* "Payment", "Refund", "Payout to the bank", … for a balance transaction type. */
static const char *kind_words(const char *type)
{
	if (!strcmp(type, "charge") || !strcmp(type, "payment"))
		return "Payment";
	if (!strcmp(type, "refund") || !strcmp(type, "payment_refund"))
		return "Refund";
	if (!strcmp(type, "payout"))
		return "Payout to the bank";
	if (!strcmp(type, "payout_cancel") || !strcmp(type, "payout_failure"))
		return "Payout returned";
	if (!strcmp(type, "adjustment"))
		return "Adjustment (dispute)";
	if (!strcmp(type, "stripe_fee"))
		return "Stripe fee";
	return type;
}

static const char *account_for(const struct accounting_opts *o, const char *type, bool fee)
{
	const char *a = fee || !strcmp(type, "stripe_fee") ? o->fee_account
			: !strncmp(type, "payout", 6)	   ? o->payout_account
							   : o->sales_account;
	return a ? a : "";
}

static int emit(struct writer *w, int64_t t, int64_t amount, const char *payee,
		const char *description, const char *reference, const char *account)
{
	const struct accounting_opts *o = w->o;
	char date[16], a[32], abs_a[32];
	date_text(o, t, date, sizeof date);
	money_plain(amount, o->currency, a, sizeof a);
	money_plain(amount < 0 ? -amount : amount, o->currency, abs_a, sizeof abs_a);
	int rc;
	if (o->format == ACCT_QUICKBOOKS3) {
		const char *row[] = {date, description, a};
		rc = csv_write(&w->buf, row, 3);
	} else if (o->format == ACCT_QUICKBOOKS4) {
		const char *row[] = {date, description, amount >= 0 ? abs_a : "",
				     amount < 0 ? abs_a : ""};
		rc = csv_write(&w->buf, row, 4);
	} else {
		const char *row[] = {date, a, payee, description, reference, "", account, ""};
		rc = csv_write(&w->buf, row, 8);
	}
	if (rc)
		return pd_error_set(w->err, PD_ERR, "out of memory writing the export");
	w->lines++;
	w->part_lines++;
	if (w->out) { /* streaming */
		if (fwrite(w->buf.data, 1, w->buf.len, w->out) != w->buf.len)
			return pd_error_set(w->err, PD_ERR_IO, "could not write the export");
		w->buf.len = 0;
		w->buf.data[0] = '\0';
	}
	if (w->part_full && w->part_lines == ACCOUNTING_XERO_FILE_LINES - 1)
		return w->part_full(w, w->err);
	return PD_OK;
}

static int one_txn(void *ctx, const struct accounting_txn *t)
{
	struct writer *w = ctx;
	char desc[600];
	const char *kind = kind_words(t->type);
	if (t->client[0] && t->description[0])
		snprintf(desc, sizeof desc, "%s · %s · %s", kind, t->client, t->description);
	else if (t->client[0] || t->description[0])
		snprintf(desc, sizeof desc, "%s · %s", kind, t->client[0] ? t->client : t->description);
	else
		snprintf(desc, sizeof desc, "%s", kind);
	const char *ref = t->source[0] ? t->source : t->id;
	/* QuickBooks has no reference column: the id goes in the description */
	if (w->o->format != ACCT_XERO) {
		size_t used = strlen(desc);
		snprintf(desc + used, sizeof desc - used, " (%s)", ref);
	}
	int rc = emit(w, t->created, t->amount, strcmp(t->type, "stripe_fee") ? t->client : "Stripe",
		      desc, ref, account_for(w->o, t->type, false));
	if (!rc && t->fee) {
		char fee_desc[200];
		snprintf(fee_desc, sizeof fee_desc, "Stripe fee · %s%s%s%s", kind_words(t->type),
			 w->o->format != ACCT_XERO ? " (" : "", w->o->format != ACCT_XERO ? ref : "",
			 w->o->format != ACCT_XERO ? ")" : "");
		rc = emit(w, t->created, -t->fee, "Stripe", fee_desc, ref,
			  account_for(w->o, t->type, true));
	}
	return rc;
}

static int header(struct writer *w)
{
	static const char *const qb3[] = {"Date", "Description", "Amount"};
	static const char *const qb4[] = {"Date", "Description", "Credit", "Debit"};
	static const char *const xero[] = {"*Date",	"*Amount",	 "Payee",
					   "Description", "Reference",	 "Cheque Number",
					   "Account Code", "Tax Rate"};
	int rc = w->o->format == ACCT_QUICKBOOKS3   ? csv_write(&w->buf, qb3, 3)
		 : w->o->format == ACCT_QUICKBOOKS4 ? csv_write(&w->buf, qb4, 4)
						    : csv_write(&w->buf, xero, 8);
	return rc ? pd_error_set(w->err, PD_ERR, "out of memory writing the export") : PD_OK;
}

static int run_lines(sqlite3 *db, struct writer *w, struct pd_error *err)
{
	const struct accounting_opts *o = w->o;
	return accounting_txns_each(db, o->since, o->until ? o->until : INT64_MAX, o->currency,
				    o->payout, one_txn, w, err);
}

static int64_t statement_lines(sqlite3 *db, const struct accounting_opts *o, struct pd_error *err)
{
	int64_t txns = 0, fees = 0;
	if (accounting_txns_count(db, o->since, o->until ? o->until : INT64_MAX, o->currency,
				  o->payout, &txns, &fees, err))
		return -1;
	return txns + fees;
}

int accounting_export_stream(sqlite3 *db, const struct accounting_opts *o, FILE *out,
			     long *lines, struct pd_error *err)
{
	*lines = 0;
	if (o->format == ACCT_XERO) {
		int64_t n = statement_lines(db, o, err);
		if (n < 0)
			return err->code ? err->code : PD_ERR;
		if (n > ACCOUNTING_XERO_FILE_LINES - 1)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%lld statement lines: Xero takes at most %d a file "
					    "(header included); give --output FILE to have them "
					    "split into numbered files",
					    (long long)n, ACCOUNTING_XERO_FILE_LINES - 1);
	}
	struct writer w = {.o = o, .out = out, .err = err};
	int rc = header(&w);
	if (!rc && fwrite(w.buf.data, 1, w.buf.len, out) != w.buf.len)
		rc = pd_error_set(err, PD_ERR_IO, "could not write the export");
	w.buf.len = 0;
	if (!rc)
		rc = run_lines(db, &w, err);
	*lines = w.lines;
	csv_buf_free(&w.buf);
	return rc;
}

/* ---- files ---------------------------------------------------------------- */

struct file_job {
	struct writer w;
	sqlite3 *db;
	const char *path;
	bool replace, split;
	char **files;
	int nfiles;
};

static char *part_name(const char *path, int part)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : path))
		dot = path + strlen(path);
	size_t len = strlen(path) + 16;
	char *s = malloc(len);
	if (s)
		snprintf(s, len, "%.*s-%d%s", (int)(dot - path), path, part, dot);
	return s;
}

static int fill_buffer(FILE *out, void *ctx, struct pd_error *err)
{
	struct csv_buf *b = ctx;
	if (b->len && fwrite(b->data, 1, b->len, out) != b->len)
		return pd_error_set(err, PD_ERR_IO, "could not write the export");
	return PD_OK;
}

static int write_part(struct file_job *j, const char *name, struct pd_error *err)
{
	int rc = j->replace ? file_replace(name, fill_buffer, &j->w.buf, err)
			    : file_write_new(name, fill_buffer, &j->w.buf, err);
	if (rc)
		return rc;
	char **grown = realloc(j->files, sizeof *grown * (size_t)(j->nfiles + 1));
	if (!grown)
		return pd_error_set(err, PD_ERR, "out of memory");
	j->files = grown;
	j->files[j->nfiles] = strdup(name);
	if (!j->files[j->nfiles])
		return pd_error_set(err, PD_ERR, "out of memory");
	j->nfiles++;
	return PD_OK;
}

/* A Xero part is full: write it, start the next with its header. */
static int part_full(struct writer *w, struct pd_error *err)
{
	struct file_job *j = (struct file_job *)w; /* w is the job's first member */
	char *name = part_name(j->path, j->nfiles + 1);
	if (!name)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = write_part(j, name, err);
	free(name);
	w->buf.len = 0;
	if (w->buf.data)
		w->buf.data[0] = '\0';
	w->part_lines = 0;
	return rc ? rc : header(w);
}

static int fill_stream(FILE *out, void *ctx, struct pd_error *err)
{
	struct file_job *j = ctx;
	j->w.out = out;
	int rc = header(&j->w);
	if (!rc && fwrite(j->w.buf.data, 1, j->w.buf.len, out) != j->w.buf.len)
		rc = pd_error_set(err, PD_ERR_IO, "could not write the export");
	j->w.buf.len = 0;
	return rc ? rc : run_lines(j->db, &j->w, err);
}

void accounting_files_free(char **files, int n)
{
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

int accounting_export_files(sqlite3 *db, const struct accounting_opts *o, const char *path,
			    bool replace, char ***files, int *nfiles, long *lines,
			    struct pd_error *err)
{
	*files = NULL;
	*nfiles = 0;
	*lines = 0;
	struct file_job j = {.w = {.o = o, .err = err}, .db = db, .path = path,
			     .replace = replace};
	int rc = PD_OK;
	if (o->format != ACCT_XERO) {
		/* one file, streamed through its temp file */
		rc = replace ? file_replace(path, fill_stream, &j, err)
			     : file_write_new(path, fill_stream, &j, err);
		if (!rc) {
			j.files = malloc(sizeof *j.files);
			if (j.files && (j.files[0] = strdup(path)))
				j.nfiles = 1;
		}
	} else {
		int64_t n = statement_lines(db, o, err);
		if (n < 0)
			return err->code ? err->code : PD_ERR;
		j.split = n > ACCOUNTING_XERO_FILE_LINES - 1;
		/* every name free before the first is written: no half set */
		int parts = j.split ? (int)((n + ACCOUNTING_XERO_FILE_LINES - 2) /
					    (ACCOUNTING_XERO_FILE_LINES - 1))
				    : 1;
		for (int p = 1; !replace && p <= parts; p++) {
			char *name = j.split ? part_name(path, p) : strdup(path);
			bool taken = name && access(name, F_OK) == 0;
			if (taken)
				rc = pd_error_set(err, PD_ERR_EXISTS,
						  "%s exists: choose another name, or --replace", name);
			free(name);
			if (rc)
				return rc;
		}
		if (j.split)
			j.w.part_full = part_full;
		rc = header(&j.w);
		if (!rc)
			rc = run_lines(db, &j.w, err);
		/* what is left: the whole export, or the split's last part */
		if (!rc && (!j.split || j.w.part_lines > 0)) {
			char *name = j.split ? part_name(path, j.nfiles + 1) : strdup(path);
			rc = name ? write_part(&j, name, err) : pd_error_set(err, PD_ERR, "out of memory");
			free(name);
		}
	}
	csv_buf_free(&j.w.buf);
	*lines = j.w.lines;
	*files = j.files;
	*nfiles = j.nfiles;
	return rc;
}
