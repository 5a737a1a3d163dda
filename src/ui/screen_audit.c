/* The Audit view (admins, `A` from anywhere): the hash-chained audit log,
 * newest first, filtered by date range, user and action; the chain check's
 * verdict on top; details of one entry; export of the filter to CSV. Rows
 * come through the app layer (audit_view.h), which refuses staff; the list
 * keeps a window of at most WINDOW_MAX rows, paged by id. */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit_verify_job.h"
#include "paydesk/audit_view.h"
#include "paydesk/file_replace.h"
#include "paydesk/money.h"
#include "paydesk/paths.h"
#include "paydesk/textcheck.h"
#include "widgets.h"

#define FETCH 100
#define WINDOW_MAX (4 * FETCH)
#define FILTER_TEXT_MAX 64

enum mode { MODE_LIST, MODE_DETAIL, MODE_FILTER, MODE_EXPORT };

struct audit_screen {
	struct ui *ui;
	enum mode mode;
	/* the filter, as typed (applied ones are kept here for the header) */
	char since[16], until[16], actor[FILTER_TEXT_MAX + 1], action[FILTER_TEXT_MAX + 1];
	struct audit_filter filter;
	int64_t count;
	struct ui_list list;
	/* rows [start, start + n) of the list, newest first */
	struct audit_row *rows;
	size_t n;
	long start;
	/* the chain check */
	bool verified, intact;
	time_t verified_at, drawn_at;
	int64_t entries, broken_id;
	char verdict[512];
	/* the check runs on a worker: the view answers keys meanwhile */
	struct audit_verify_progress check;
	uint64_t check_job;
	bool check_asked; /* v started it: its verdict comes as a notice too */
	/* the open form */
	struct ui_field fields[4];
	struct ui_form form;
	bool form_open;
};

static const struct ui_binding keys[] = {
	{UI_KEY_ENTER, UI_ACT_OPEN, "details of the selected entry", NULL},
	{UI_KEY_ESC, UI_ACT_BACK, "stop the chain check / close details / the form", NULL},
	{'F', UI_ACT_FILTER, "filter by date, user, action", NULL},
	{'x', UI_ACT_CLEAR, "clear the filter", NULL},
	{'e', UI_ACT_EXPORT, "export the filtered entries to CSV", NULL},
	{'v', UI_ACT_SYNC, "check the hash chain again", NULL},
};

static const struct session *who(const struct audit_screen *s)
{
	return &s->ui->app->session;
}

static void fail(struct audit_screen *s, const struct pd_error *err)
{
	ui_notify(s->ui, UI_NOTICE_ERROR, "%.200s", err->msg);
}

/* ---- the window of rows ----------------------------------------------------- */

static void drop_rows(struct audit_screen *s)
{
	audit_rows_free(&s->rows, s->n);
	s->n = 0;
	s->start = 0;
}

/* Reset the window to the newest (top) or the oldest (bottom) rows. */
static bool load_end(struct audit_screen *s, bool top)
{
	drop_rows(s);
	struct audit_row *got;
	size_t n;
	struct pd_error err = {0};
	if (audit_view_page(s->ui->app->db, who(s), &s->filter, top, 0, FETCH, &got, &n, &err)) {
		fail(s, &err);
		return false;
	}
	if (!top) /* oldest first from the store: the list shows newest first */
		for (size_t i = 0; i < n / 2; i++) {
			struct audit_row t = got[i];
			got[i] = got[n - 1 - i];
			got[n - 1 - i] = t;
		}
	s->rows = got;
	s->n = n;
	s->start = top ? 0 : (long)(s->count - (int64_t)n);
	return n > 0;
}

/* Fetch the rows after the last (older) or before the first (newer), and
 * drop from the other end beyond WINDOW_MAX. */
static bool extend(struct audit_screen *s, bool older)
{
	if (s->n == 0)
		return false;
	struct audit_row *got;
	size_t n;
	struct pd_error err = {0};
	int64_t after = older ? s->rows[s->n - 1].id : s->rows[0].id;
	if (audit_view_page(s->ui->app->db, who(s), &s->filter, older, after, FETCH, &got, &n,
			    &err)) {
		fail(s, &err);
		return false;
	}
	if (n == 0) {
		audit_rows_free(&got, 0);
		return false;
	}
	struct audit_row *all = malloc((s->n + n) * sizeof *all);
	if (!all) {
		audit_rows_free(&got, n);
		return false;
	}
	if (older) {
		memcpy(all, s->rows, s->n * sizeof *all);
		memcpy(all + s->n, got, n * sizeof *all);
	} else {
		for (size_t i = 0; i < n; i++) /* ascending from the store */
			all[n - 1 - i] = got[i];
		memcpy(all + n, s->rows, s->n * sizeof *all);
		s->start -= (long)n;
	}
	free(got); /* the strings moved into all */
	free(s->rows);
	s->rows = all;
	s->n += n;
	if (s->n > WINDOW_MAX) {
		size_t extra = s->n - WINDOW_MAX;
		struct audit_row *gone = malloc(extra * sizeof *gone);
		if (gone) {
			if (older) {
				memcpy(gone, s->rows, extra * sizeof *gone);
				memmove(s->rows, s->rows + extra, WINDOW_MAX * sizeof *gone);
				s->start += (long)extra;
			} else {
				memcpy(gone, s->rows + WINDOW_MAX, extra * sizeof *gone);
			}
			s->n = WINDOW_MAX;
			audit_rows_free(&gone, extra);
		}
	}
	return true;
}

/* The row at list index i, fetching around it as needed (NULL: none). */
static const struct audit_row *row_at(struct audit_screen *s, long i)
{
	if (i < 0 || i >= s->count)
		return NULL;
	if (s->n == 0 || i < s->start - WINDOW_MAX || i >= s->start + (long)s->n + WINDOW_MAX) {
		/* a jump: start again from the nearer end */
		if (!load_end(s, i < s->count - i))
			return NULL;
	}
	while (i >= s->start + (long)s->n)
		if (!extend(s, true))
			return NULL;
	while (i < s->start)
		if (!extend(s, false))
			return NULL;
	return &s->rows[i - s->start];
}

/* ---- loading ------------------------------------------------------------------ */

/* The verdict of a finished check, into what the view draws. */
static void take_verdict(struct audit_screen *s)
{
	struct audit_verify_progress p;
	audit_verify_progress_snapshot(&s->check, &p);
	if (!p.verified)
		return;
	s->verified = true;
	s->verified_at = time(NULL);
	s->intact = p.intact;
	s->entries = p.entries;
	s->broken_id = p.broken_id;
	snprintf(s->verdict, sizeof s->verdict, "%s", p.verdict);
}

static void verify(struct audit_screen *s)
{
	struct jobs *jobs = s->ui->app->jobs;
	if (s->check_job)
		return; /* one walk at a time */
	if (jobs) {
		s->check_job = audit_verify_job_submit(jobs, &s->check, who(s));
		if (s->check_job) {
			s->verified_at = time(NULL); /* asked now: not again at every reload */
			return;
		}
	}
	/* no workers (offline): here, as before */
	struct pd_error err = {0};
	int rc = audit_view_verify(s->ui->app->db, who(s), &s->broken_id, &s->entries, &err);
	s->verified = rc == PD_OK || rc == PD_ERR_TAMPERED;
	s->verified_at = time(NULL);
	s->intact = rc == PD_OK;
	if (rc == PD_OK)
		snprintf(s->verdict, sizeof s->verdict, "chain intact: %lld entries verified",
			 (long long)s->entries);
	else
		snprintf(s->verdict, sizeof s->verdict, "CHAIN BROKEN: %.480s", err.msg);
}

static void requery(struct audit_screen *s, bool to_top)
{
	drop_rows(s);
	struct pd_error err = {0};
	if (audit_view_count(s->ui->app->db, who(s), &s->filter, &s->count, &err)) {
		s->count = 0;
		fail(s, &err);
	}
	if (to_top)
		s->list.sel = s->list.top = 0;
	ui_list_set_count(&s->list, (long)s->count);
}

static bool allowed(const struct audit_screen *s)
{
	return auth_allow(who(s), AUTH_AUDIT, NULL) == PD_OK;
}

static void reload(void *state, struct ui *ui)
{
	struct audit_screen *s = state;
	(void)ui;
	if (!allowed(s)) { /* a staff user signed in: nothing of the log stays around */
		drop_rows(s);
		s->count = 0;
		s->verified = false;
		ui_list_set_count(&s->list, 0);
		return;
	}
	requery(s, false);
	/* The walk reads every entry (0.25 s for 200,000): on opening the view,
	 * at most every 30 s as jobs finish, and on v. */
	time_t now = time(NULL);
	if ((!s->verified && !s->verified_at) || now - s->verified_at >= 30 ||
	    now - s->drawn_at > 2)
		verify(s); /* on a worker: its verdict arrives with its completion */
}

static void *open_audit(struct ui *ui)
{
	struct audit_screen *s = calloc(1, sizeof *s);
	if (s) {
		s->ui = ui;
		s->list.sel = -1;
		audit_verify_progress_init(&s->check);
	}
	return s;
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	struct audit_screen *s = state;
	if (!s->check_job || c->id != s->check_job)
		return;
	s->check_job = 0;
	bool asked = s->check_asked;
	s->check_asked = false;
	if (c->status == JOBS_CANCELLED) {
		ui_notify(ui, UI_NOTICE_INFO, "audit check stopped: v checks again");
		return;
	}
	if (!allowed(s))
		return; /* signed out meanwhile: nothing of the log stays around */
	take_verdict(s);
	if (asked && s->verified)
		ui_notify(ui, s->intact ? UI_NOTICE_INFO : UI_NOTICE_ERROR, "%.200s", s->verdict);
}

static void close_form(struct audit_screen *s)
{
	if (s->form_open)
		ui_form_free(&s->form);
	s->form_open = false;
	s->mode = MODE_LIST;
}

static void drop(void *state, struct ui *ui)
{
	(void)ui;
	close_form(state);
}

static void close_audit(void *state)
{
	struct audit_screen *s = state;
	if (!s)
		return;
	close_form(s);
	drop_rows(s);
	audit_verify_progress_destroy(&s->check);
	free(s);
}

/* ---- forms -------------------------------------------------------------------- */

static int validate_day(const char *v, char *msg, size_t len)
{
	if (!*v)
		return 0;
	int64_t ms;
	struct pd_error err = {0};
	return ui_field_verdict(audit_parse_day(v, false, &ms, &err), &err, msg, len);
}

static int validate_actor(const char *v, char *msg, size_t len)
{
	struct pd_error err = {0};
	return ui_field_verdict(text_check("user", v, FILTER_TEXT_MAX, false, false, &err), &err,
				msg, len);
}

static int validate_action(const char *v, char *msg, size_t len)
{
	struct pd_error err = {0};
	return ui_field_verdict(text_check("action", v, FILTER_TEXT_MAX, false, false, &err), &err,
				msg, len);
}

static int validate_path(const char *v, char *msg, size_t len)
{
	struct pd_error err = {0};
	return ui_field_verdict(text_check("file name", v, 1024, true, false, &err), &err, msg,
				len);
}

static void open_form(struct audit_screen *s, enum mode mode, const struct ui_field *spec, int n,
		      size_t max)
{
	close_form(s);
	memset(s->fields, 0, sizeof s->fields);
	memcpy(s->fields, spec, (size_t)n * sizeof *spec);
	ui_form_init(&s->form, s->fields, n, max);
	s->form_open = true;
	s->mode = mode;
}

static void open_filter(struct audit_screen *s)
{
	const struct ui_field spec[] = {
		{.label = "From", .hint = "YYYY-MM-DD (empty: from the first entry)", .validate = validate_day},
		{.label = "To", .hint = "YYYY-MM-DD, included (empty: up to now)", .validate = validate_day},
		{.label = "User", .hint = "exactly as signed in (empty: everyone)", .validate = validate_actor},
		{.label = "Action", .hint = "a prefix: payment. booking. user. setup. (empty: all)", .validate = validate_action},
	};
	open_form(s, MODE_FILTER, spec, 4, 256);
	textedit_set(&s->fields[0].edit, s->since);
	textedit_set(&s->fields[1].edit, s->until);
	textedit_set(&s->fields[2].edit, s->actor);
	textedit_set(&s->fields[3].edit, s->action);
	s->form.dirty = false;
}

static void open_export(struct audit_screen *s)
{
	const struct ui_field spec[] = {
		{.label = "File", .hint = "CSV of the filtered entries, written 0600; never over an existing file", .validate = validate_path},
	};
	open_form(s, MODE_EXPORT, spec, 1, 4096);
	char name[64];
	time_t now = time(NULL);
	struct tm tm;
	strftime(name, sizeof name, "paydesk-audit-%Y%m%d.csv", localtime_r(&now, &tm));
	char *free_name = file_free_name(name); /* a second export today: -2, not over the first */
	textedit_set(&s->fields[0].edit, free_name ? free_name : name);
	free(free_name);
	s->form.dirty = false;
}

static void apply_filter(struct audit_screen *s)
{
	if (ui_form_validate(&s->form) >= 0)
		return;
	const char *since = ui_form_value(&s->form, 0), *until = ui_form_value(&s->form, 1);
	int64_t since_ms = 0, until_ms = 0;
	if (*since)
		audit_parse_day(since, false, &since_ms, NULL);
	if (*until)
		audit_parse_day(until, true, &until_ms, NULL);
	if (since_ms && until_ms && until_ms <= since_ms) {
		snprintf(s->fields[1].error, sizeof s->fields[1].error,
			 "the end date is before the start date");
		return;
	}
	snprintf(s->since, sizeof s->since, "%s", since);
	snprintf(s->until, sizeof s->until, "%s", until);
	char *actor = text_trim_dup(ui_form_value(&s->form, 2));
	char *action = text_trim_dup(ui_form_value(&s->form, 3));
	snprintf(s->actor, sizeof s->actor, "%s", actor ? actor : "");
	snprintf(s->action, sizeof s->action, "%s", action ? action : "");
	free(actor);
	free(action);
	s->filter = (struct audit_filter){.since_ms = since_ms, .until_ms = until_ms,
					  .actor = s->actor[0] ? s->actor : NULL,
					  .action = s->action[0] ? s->action : NULL};
	close_form(s);
	requery(s, true);
}

static void do_export(struct audit_screen *s)
{
	if (ui_form_validate(&s->form) >= 0)
		return;
	char *path = strdup(ui_form_value(&s->form, 0));
	long rows = 0;
	struct pd_error err = {0};
	if (!path) {
		return;
	} else if (audit_view_export_file(s->ui->app->db, who(s), &s->filter, path, &rows, &err)) {
		snprintf(s->fields[0].error, sizeof s->fields[0].error, "%.400s", err.msg);
	} else {
		close_form(s);
		char whole[PATH_MAX];
		ui_notify(s->ui, UI_NOTICE_INFO, "exported %ld entr%s to %.400s", rows,
			  rows == 1 ? "y" : "ies", paths_whole(path, whole, sizeof whole));
	}
	free(path);
}

/* ---- keys ---------------------------------------------------------------------- */

static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct audit_screen *s = state;
	(void)ui;
	if (!s->form_open)
		return UI_UNHANDLED;
	if (k == UI_KEY_ESC) {
		close_form(s);
		return UI_HANDLED;
	}
	if (k == UI_KEY_ENTER) {
		if (s->mode == MODE_FILTER)
			apply_filter(s);
		else
			do_export(s);
		return UI_HANDLED;
	}
	ui_form_key(&s->form, k);
	return UI_HANDLED; /* nothing typed here reaches the list or the shell */
}

static bool editing(void *state)
{
	const struct audit_screen *s = state;
	return s->form_open;
}

/* ---- actions: one small function each ------------------------------------ */

/* Every action first checks who is signed in: the log is the admins'. */
static bool refused_here(struct audit_screen *s, struct ui *ui)
{
	if (allowed(s))
		return false;
	ui_notify(ui, UI_NOTICE_ERROR, "only an admin can read the audit log");
	return true;
}

static enum ui_result do_open(void *state, struct ui *ui)
{
	struct audit_screen *s = state;
	if (!refused_here(s, ui) && row_at(s, s->list.sel))
		s->mode = MODE_DETAIL;
	return UI_HANDLED;
}

static enum ui_result do_back(void *state, struct ui *ui)
{
	struct audit_screen *s = state;
	if (s->check_job) { /* Esc first stops a running check */
		jobs_cancel(ui->app->jobs, s->check_job);
		return UI_HANDLED;
	}
	if (!refused_here(s, ui))
		s->mode = MODE_LIST;
	return UI_HANDLED;
}

static enum ui_result do_filter(void *state, struct ui *ui)
{
	struct audit_screen *s = state;
	if (!refused_here(s, ui))
		open_filter(s);
	return UI_HANDLED;
}

static enum ui_result do_clear(void *state, struct ui *ui)
{
	struct audit_screen *s = state;
	if (refused_here(s, ui))
		return UI_HANDLED;
	s->since[0] = s->until[0] = s->actor[0] = s->action[0] = '\0';
	s->filter = (struct audit_filter){0};
	requery(s, true);
	ui_notify(ui, UI_NOTICE_INFO, "filter cleared");
	return UI_HANDLED;
}

static enum ui_result do_open_export(void *state, struct ui *ui)
{
	struct audit_screen *s = state;
	if (!refused_here(s, ui))
		open_export(s);
	return UI_HANDLED;
}

static enum ui_result do_verify(void *state, struct ui *ui)
{
	struct audit_screen *s = state;
	if (refused_here(s, ui))
		return UI_HANDLED;
	if (s->check_job) {
		ui_notify(ui, UI_NOTICE_INFO, "checking the hash chain… (Esc stops)");
		return UI_HANDLED;
	}
	verify(s);
	if (s->check_job) { /* on a worker: its verdict comes with its completion */
		s->check_asked = true;
		ui_notify(ui, UI_NOTICE_INFO, "checking the hash chain… (Esc stops)");
	} else {
		ui_notify(ui, s->intact ? UI_NOTICE_INFO : UI_NOTICE_ERROR, "%.200s", s->verdict);
	}
	return UI_HANDLED;
}

static enum ui_result move_in_log(void *state, struct ui *ui, enum ui_action a)
{
	struct audit_screen *s = state;
	if (refused_here(s, ui))
		return UI_HANDLED;
	if (s->mode == MODE_DETAIL)
		s->mode = MODE_LIST; /* moving on closes the details */
	return ui_list_act(&s->list, a);
}

#define AUDIT_MOVE(fn, action)                              \
	static enum ui_result fn(void *state, struct ui *ui) \
	{                                                    \
		return move_in_log(state, ui, action);       \
	}
AUDIT_MOVE(list_move_up, UI_ACT_UP)
AUDIT_MOVE(list_move_down, UI_ACT_DOWN)
AUDIT_MOVE(list_move_page_up, UI_ACT_PAGE_UP)
AUDIT_MOVE(list_move_page_down, UI_ACT_PAGE_DOWN)
AUDIT_MOVE(list_move_half_up, UI_ACT_HALF_UP)
AUDIT_MOVE(list_move_half_down, UI_ACT_HALF_DOWN)
AUDIT_MOVE(list_move_top, UI_ACT_TOP)
AUDIT_MOVE(list_move_bottom, UI_ACT_BOTTOM)

static const struct ui_function functions[] = {
	{UI_ACT_OPEN, do_open, NULL},
	{UI_ACT_BACK, do_back, NULL},
	{UI_ACT_FILTER, do_filter, NULL},
	{UI_ACT_CLEAR, do_clear, NULL},
	{UI_ACT_EXPORT, do_open_export, NULL},
	{UI_ACT_SYNC, do_verify, NULL},
	UI_LIST_MOVE_ENTRIES(list_move, NULL),
};

/* ---- drawing --------------------------------------------------------------------- */

#define W_WHEN 16
#define W_WHO 10
#define W_ACTION 22
#define W_AMOUNT 12

static void draw_row(void *ctx, long index, struct ui_rect r, bool selected)
{
	struct audit_screen *s = ctx;
	const struct audit_row *row = row_at(s, index);
	enum theme_role role = selected ? ROLE_SELECTION : ROLE_NORMAL;
	ui_fill(r, role);
	if (!row)
		return;
	char when[32], amount[48] = "";
	audit_format_when(row->at_ms, when, sizeof when);
	when[W_WHEN] = '\0'; /* to the minute */
	if (row->e.has_amount)
		money_format(row->e.amount, row->e.currency, amount, sizeof amount);
	int x = r.x;
	x += ui_put(r.y, x, W_WHEN + 1, role, when, true);
	x += ui_put(r.y, x, W_WHO + 1, role, row->e.actor, true);
	x += ui_put(r.y, x, W_ACTION + 1, role, row->e.action, true);
	ui_putf(r.y, x, W_AMOUNT, role, "%*s", W_AMOUNT, amount);
	x += W_AMOUNT + 1;
	if (x < r.x + r.w)
		ui_put(r.y, x, r.x + r.w - x, role, row->e.object_id ? row->e.object_id : "", false);
}

static void draw_detail(struct audit_screen *s, struct ui_rect area)
{
	const struct audit_row *row = row_at(s, s->list.sel);
	if (!row)
		return;
	int w = area.w - 4 < 76 ? area.w - 4 : 76, h = 12;
	struct ui_rect box = {area.y + (area.h - h) / 2, area.x + (area.w - w) / 2, h, w};
	char title[64];
	snprintf(title, sizeof title, "Audit entry %lld — Esc to close", (long long)row->id);
	ui_box(box, ROLE_DIALOG, title);
	char when[32], amount[48] = "—";
	audit_format_when(row->at_ms, when, sizeof when);
	if (row->e.has_amount)
		money_format(row->e.amount, row->e.currency, amount, sizeof amount);
	const char *labels[] = {"When", "Who", "Action", "Amount", "Stripe id"};
	const char *values[] = {when, row->e.actor, row->e.action, amount,
				row->e.object_id && *row->e.object_id ? row->e.object_id : "—"};
	int y = box.y + 1, x = box.x + 2, vw = w - 16;
	for (int i = 0; i < 5; i++, y++) {
		ui_put(y, x, 12, ROLE_DIM, labels[i], true);
		ui_put(y, x + 12, vw, ROLE_DIALOG, values[i] ? values[i] : "", true);
	}
	ui_put(y, x, 12, ROLE_DIM, "Detail", true);
	/* The detail may be long: wrapped over the lines left, by characters. */
	const char *d = row->e.detail ? row->e.detail : "";
	for (int line = 0; line < box.y + box.h - 1 - y && *d; line++) {
		char chunk[512];
		size_t bytes = 0;
		int chars = 0;
		while (d[bytes] && chars < vw && bytes + 4 < sizeof chunk) {
			size_t n = 1;
			/* a character's continuation bytes, at most 3 (invalid runs are cut) */
			while (n < 4 && (d[bytes + n] & 0xc0) == 0x80)
				n++;
			bytes += n;
			chars++;
		}
		memcpy(chunk, d, bytes);
		chunk[bytes] = '\0';
		ui_put(y + line, x + 12, vw, ROLE_DIALOG, chunk, true);
		d += bytes;
	}
}

static void draw_form(struct audit_screen *s, struct ui_rect area)
{
	int h = s->mode == MODE_FILTER ? 12 : 6;
	int w = area.w - 4 < 76 ? area.w - 4 : 76;
	struct ui_rect box = {area.y + 3, area.x + (area.w - w) / 2, h, w};
	ui_box(box, ROLE_DIALOG,
	       s->mode == MODE_FILTER ? "Filter — Enter applies, Esc cancels"
				      : "Export to CSV — Enter writes, Esc cancels");
	ui_fill((struct ui_rect){box.y + 1, box.x + 1, box.h - 2, box.w - 2}, ROLE_DIALOG);
	ui_form_draw(&s->form, (struct ui_rect){box.y + 1, box.x + 2, box.h - 2, box.w - 4});
}

static void draw(void *state, struct ui *ui, struct ui_rect area)
{
	struct audit_screen *s = state;
	s->drawn_at = time(NULL);
	if (!allowed(s)) {
		ui_put(area.y + 1, area.x + 1, area.w - 2, ROLE_ERROR,
		       "The audit log is for admins.", false);
		return;
	}
	char head[512];
	char filt[256] = "";
	if (s->since[0] || s->until[0] || s->actor[0] || s->action[0])
		snprintf(filt, sizeof filt, " · %s…%s%s%s%s%s", s->since[0] ? s->since : "",
			 s->until[0] ? s->until : "", s->actor[0] ? " · user " : "", s->actor,
			 s->action[0] ? " · action " : "", s->action);
	snprintf(head, sizeof head, "Audit log · %lld entr%s%s", (long long)s->count,
		 s->count == 1 ? "y" : "ies", filt);
	ui_put(area.y, area.x, area.w, ROLE_TITLE, head, true);
	if (s->check_job) {
		static const char spin[] = "|/-\\";
		char line[96];
		snprintf(line, sizeof line, "%c checking the hash chain… (Esc stops)",
			 spin[ui->spinner % 4]);
		ui_put(area.y + 1, area.x, area.w, ROLE_PROGRESS, line, true);
	} else if (s->verified) {
		ui_put(area.y + 1, area.x, area.w, s->intact ? ROLE_OK : ROLE_ERROR, s->verdict,
		       true);
	}
	char cols[256];
	snprintf(cols, sizeof cols, "%-*s %-*s %-*s %*s %s", W_WHEN, "When", W_WHO, "Who",
		 W_ACTION, "Action", W_AMOUNT, "Amount", "Stripe id");
	ui_put(area.y + 2, area.x, area.w, ROLE_HEADER, cols, true);
	struct ui_rect rows = {area.y + 3, area.x, area.h - 5, area.w};
	if (s->count == 0)
		ui_put(rows.y + 1, area.x + 2, area.w - 4, ROLE_DIM,
		       s->filter.since_ms || s->filter.until_ms || s->filter.actor || s->filter.action
			       ? "No entry matches the filter. x clears it."
			       : "The audit log is empty.",
		       false);
	else
		ui_list_draw(&s->list, rows, draw_row, s);
	ui_put(area.y + area.h - 1, area.x, area.w, ROLE_DIM,
	       " Enter details  F filter  x clear  e export CSV  v verify  ?: keys", true);
	if (s->mode == MODE_DETAIL)
		draw_detail(s, area);
	else if (s->form_open)
		draw_form(s, area);
}

const struct ui_screen screen_audit = {
	.name = "audit",
	.admin_only = true,
	.title = "Audit",
	.keys = keys,
	.nkeys = sizeof keys / sizeof keys[0],
	.list_keys = true,
	.open = open_audit,
	.close = close_audit,
	.draw = draw,
	.funcs = functions,
	.nfuncs = sizeof functions / sizeof functions[0],
	.key = key,
	.editing = editing,
	.reload = reload,
	.job_done = job_done,
	.drop = drop,
};
