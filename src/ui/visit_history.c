/* The visit history panel: store/visits.c reads the data, this draws it.
 * Each visit takes two rows — when, service, staff, what happened, price;
 * then its money by tender — under the client's totals; the list scrolls
 * with the shared list keys. */
#include "visit_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/tz.h"
#include "paydesk/visits.h"
#include "packages_panel.h"
#include "qr_view.h"
#include "widgets.h"

struct visits_screen {
	int64_t client_id, focus; /* the appointment to select once loaded */
	int back_to;              /* the tab it was opened from */
	char name[256];
	struct visit *v;
	size_t n;
	struct visit_summary sum;
	struct ui_list list; /* one entry a visit, two rows each */
	char error[300];
	struct pkg_panel *pkg; /* the client's packages and credit */
};

static const struct ui_binding keys[] = {
	{UI_KEY_ESC, UI_ACT_BACK, "back to where the history was opened", NULL},
	{'b', UI_ACT_PACKAGE_SELL, NULL, NULL},
	{'R', UI_ACT_PACKAGE_REFUND, NULL, NULL},
	{'Q', UI_ACT_QR, "the package's pay link as a QR code", NULL},
	{'C', UI_ACT_COPY, "copy the package's pay link", NULL},
	{'K', UI_ACT_STOP, "stop the package's sale on the reader", NULL},
	{'t', UI_ACT_TAP, "tap a test card on the simulated reader (training)", NULL},
};

static void *open_visits(struct ui *ui)
{
	struct visits_screen *s = calloc(1, sizeof *s);
	if (s)
		s->list.sel = -1;
	if (s && !(s->pkg = pkg_panel_new(ui))) {
		free(s);
		return NULL;
	}
	return s;
}

static void close_visits(void *state)
{
	struct visits_screen *s = state;
	if (!s)
		return;
	free(s->v);
	pkg_panel_free(&s->pkg);
	free(s);
}

static void reload(void *state, struct ui *ui)
{
	struct visits_screen *s = state;
	free(s->v);
	s->v = NULL;
	s->n = 0;
	s->error[0] = '\0';
	struct pd_error err = {0};
	struct client c;
	if (clients_get(ui->app->db, s->client_id, &c, &err) == PD_OK) {
		snprintf(s->name, sizeof s->name, "%s", c.name);
		client_free(&c);
	} else {
		snprintf(s->name, sizeof s->name, "client %lld", (long long)s->client_id);
	}
	if (visits_for_client(ui->app->db, s->client_id, (int64_t)time(NULL), &s->v, &s->n,
			      &s->sum, &err) != PD_OK)
		snprintf(s->error, sizeof s->error, "%.290s", err.msg);
	pkg_panel_reload(s->pkg, s->client_id);
	ui_list_set_count(&s->list, (long)s->n);
	if (!s->focus)
		return;
	/* newest first: the one asked for, else the next upcoming visit */
	long pick = -1;
	for (size_t i = 0; i < s->n; i++) {
		if (s->focus > 0 && s->v[i].appointment_id == s->focus)
			pick = (long)i;
		if (s->focus < 0 && s->v[i].upcoming)
			pick = (long)i;
	}
	s->list.sel = pick >= 0 ? pick : s->n ? 0 : -1;
	s->list.top = s->list.sel > 2 ? s->list.sel - 2 : 0;
	s->focus = 0;
}

void ui_visits_open(struct ui *ui, int64_t client_id, int64_t appointment_id)
{
	struct visits_screen *s = ui->state[UI_SCREEN_VISITS];
	if (!s)
		return;
	if (ui->tab != UI_SCREEN_VISITS)
		s->back_to = ui->tab;
	s->client_id = client_id;
	s->focus = appointment_id ? appointment_id : -1;
	s->list = (struct ui_list){.sel = -1};
	ui_switch_screen(ui, UI_SCREEN_VISITS); /* reloads */
}

static enum ui_result do_back(void *state, struct ui *ui)
{
	struct visits_screen *s = state;
	ui_switch_screen(ui, s->back_to);
	return UI_HANDLED;
}

static enum ui_result do_sell(void *state, struct ui *ui)
{
	(void)ui;
	pkg_panel_sell(((struct visits_screen *)state)->pkg);
	return UI_HANDLED;
}

static enum ui_result do_refund(void *state, struct ui *ui)
{
	(void)ui;
	pkg_panel_refund(((struct visits_screen *)state)->pkg);
	return UI_HANDLED;
}

/* The sell form takes every key while it is open. */
static enum ui_result raw_key(void *state, struct ui *ui, int key)
{
	(void)ui;
	return pkg_panel_key(((struct visits_screen *)state)->pkg, key);
}

static bool editing(void *state)
{
	return pkg_panel_form_open(((struct visits_screen *)state)->pkg);
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	(void)ui;
	pkg_panel_job_done(((struct visits_screen *)state)->pkg, c);
}

static bool link_open(const void *state, const struct ui *ui)
{
	(void)ui;
	return pkg_panel_open_link(((const struct visits_screen *)state)->pkg) != NULL;
}

static bool on_reader(const void *state, const struct ui *ui)
{
	(void)ui;
	return pkg_panel_on_reader(((const struct visits_screen *)state)->pkg);
}

static enum ui_result link_key(void *state, struct ui *ui, int key)
{
	const char *url = pkg_panel_open_link(((struct visits_screen *)state)->pkg);
	return url ? ui_link_key(ui, url, "Pay for the package", key) : UI_UNHANDLED;
}

static enum ui_result do_qr(void *state, struct ui *ui)
{
	return link_key(state, ui, 'Q');
}

static enum ui_result do_copy(void *state, struct ui *ui)
{
	return link_key(state, ui, 'C');
}

/* Training only, as in the payment view: a test card for the sale. */
static bool on_reader_training(const void *state, const struct ui *ui)
{
	return on_reader(state, ui) && strcmp(ui->mode, "test") == 0;
}

static enum ui_result do_tap(void *state, struct ui *ui)
{
	(void)ui;
	pkg_panel_tap(((struct visits_screen *)state)->pkg);
	return UI_HANDLED;
}

static enum ui_result do_stop(void *state, struct ui *ui)
{
	(void)ui;
	pkg_panel_stop(((struct visits_screen *)state)->pkg);
	return UI_HANDLED;
}

UI_LIST_MOVE_FUNCTIONS(list_move, struct visits_screen, list)

static const struct ui_function functions[] = {
	{UI_ACT_BACK, do_back, NULL},
	{UI_ACT_PACKAGE_SELL, do_sell, NULL},
	{UI_ACT_PACKAGE_REFUND, do_refund, NULL},
	{UI_ACT_QR, do_qr, link_open},
	{UI_ACT_COPY, do_copy, link_open},
	{UI_ACT_STOP, do_stop, on_reader},
	{UI_ACT_TAP, do_tap, on_reader_training},
	UI_LIST_MOVE_ENTRIES(list_move, NULL),
};

/* "12.50" without the currency code (the row's price says it). */
static char *bare(int64_t minor, const char *cur, char *out, size_t len)
{
	money_format(minor, cur, out, len);
	char *sp = strrchr(out, ' ');
	if (sp)
		*sp = '\0';
	return out;
}

/* "paid 10.00 cash · 35.00 due", "paid 30.00 card, 5.00 refunded · 1 declined",
 * "no-show fee 20.00 (20.00 refunded)" */
static void money_line(const struct visit *v, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
#define ADD(...)                                                                  \
	do {                                                                      \
		if (used < len)                                                   \
			used += (size_t)snprintf(out + used, len - used, __VA_ARGS__); \
	} while (0)
	char a[48], b[48];
	for (int t = 0; t < v->ntenders; t++) {
		const struct visit_tender *x = &v->tenders[t];
		ADD("%s%s %s", t ? ", " : "paid ", bare(x->paid, v->currency, a, sizeof a),
		    payrow_method_label(x->method));
		if (x->refunded)
			ADD(" (%s refunded)", bare(x->refunded, v->currency, b, sizeof b));
	}
	if (v->paid && v->paid < v->price && v->due)
		ADD(" · deposit");
	if (v->due)
		ADD("%s%s due", used ? " · " : "", bare(v->due, v->currency, a, sizeof a));
	if (v->failed)
		ADD("%s%d declined", used ? " · " : "", v->failed);
	if (v->fee_charged) {
		ADD("%s%s fee %s", used ? " · " : "", v->fee_late ? "late-cancel" : "no-show",
		    bare(v->fee_charged, v->currency, a, sizeof a));
		if (v->fee_refunded)
			ADD(" (%s refunded)", bare(v->fee_refunded, v->currency, b, sizeof b));
	}
	if (!used)
		ADD("%s", v->state == APPT_NO_SHOW     ? "no-show: nothing paid"
			  : v->state == APPT_CANCELLED ? "cancelled: nothing paid"
						       : "nothing paid");
#undef ADD
}

struct draw_ctx {
	struct visits_screen *s;
	int base; /* the list's first row */
};

static void draw_visit(void *ctx, long index, struct ui_rect r, bool selected)
{
	struct draw_ctx *d = ctx;
	const struct visit *v = &d->s->v[index];
	int y = d->base + 2 * (r.y - d->base);
	struct tz_civil c;
	tz_to_civil(v->starts_at, &c);
	char when[40], price[64], line[600], money[400];
	snprintf(when, sizeof when, "%s %04d-%02d-%02d %02d:%02d", tz_weekday_abbr(c.wday),
		 c.year % 10000, c.month % 100, c.day % 100, c.hour % 100, c.minute % 100);
	money_format(v->price, v->currency, price, sizeof price);
	const char *what = v->upcoming && appt_state_holds_slot(v->state) ? "upcoming"
										  : appt_state_label(v->state);
	snprintf(line, sizeof line, "%-20s %-16.16s %-10.10s %-10s %s", when, v->service, v->staff,
		 what, price);
	enum theme_role role = selected		      ? ROLE_SELECTION
			       : v->state == APPT_NO_SHOW   ? ROLE_WARNING
			       : v->state == APPT_CANCELLED ? ROLE_DIM
							    : ROLE_NORMAL;
	ui_put(y, r.x, r.w, role, line, true);
	money_line(v, money, sizeof money);
	ui_put(y + 1, r.x + 3, r.w - 3,
	       v->failed && !v->paid ? ROLE_ERROR : v->due ? ROLE_WARNING : ROLE_DIM, money, false);
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct visits_screen *s = state;
	(void)ui;
	if (pkg_panel_form_open(s->pkg)) {
		pkg_panel_draw_form(s->pkg, a);
		return;
	}
	int x = a.x + 2, w = a.w - 4, y = a.y;
	char line[700];
	snprintf(line, sizeof line, "Visit history · %s", s->name);
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	const struct visit_summary *m = &s->sum;
	char open[48] = "";
	if (m->not_closed) /* past and never marked: the counts add up, and it shows */
		snprintf(open, sizeof open, " · %d not closed", m->not_closed);
	snprintf(line, sizeof line, "%d visit%s · %d upcoming · %d completed%s · %d no-show%s · %d "
				    "cancelled",
		 m->visits, m->visits == 1 ? "" : "s", m->upcoming, m->completed, open, m->no_shows,
		 m->no_shows == 1 ? "" : "s", m->cancelled);
	ui_put(y++, x, w, ROLE_NORMAL, line, false);
	size_t used = 0;
	line[0] = '\0';
	for (int i = 0; i < m->ncurrencies && used < sizeof line; i++) {
		char p[64], r[48], d[48];
		money_format(m->money[i].paid, m->money[i].currency, p, sizeof p);
		used += (size_t)snprintf(line + used, sizeof line - used,
					 "%spaid %s · refunded %s · due %s", i ? "  ·  " : "", p,
					 bare(m->money[i].refunded, m->money[i].currency, r, sizeof r),
					 bare(m->money[i].due, m->money[i].currency, d, sizeof d));
		if (m->money[i].fees && used < sizeof line) /* fees are not the price's money */
			used += (size_t)snprintf(
				line + used, sizeof line - used, " · fees paid %s%s%s%s",
				bare(m->money[i].fees, m->money[i].currency, r, sizeof r),
				m->money[i].fees_refunded ? " (" : "",
				m->money[i].fees_refunded ? bare(m->money[i].fees_refunded,
								 m->money[i].currency, d, sizeof d)
							  : "",
				m->money[i].fees_refunded ? " refunded)" : "");
	}
	ui_put(y++, x, w, ROLE_NORMAL, used ? line : "no money taken or due", false);
	y += pkg_panel_draw_lines(s->pkg, y, x, w, 3);
	snprintf(line, sizeof line, "%-20s %-16s %-10s %-10s %s", "When", "Service", "Staff",
		 "Visit", "Price");
	ui_put(y++, x, w, ROLE_HEADER, line, true);
	int last = a.y + a.h - 1; /* the keys line */
	if (s->error[0]) {
		ui_put(y, x, w, ROLE_ERROR, s->error, false);
	} else if (s->n == 0) {
		ui_put(y, x, w, ROLE_DIM, "No visits yet.", false);
	} else {
		int visible = (last - y) / 2;
		struct draw_ctx d = {s, y};
		ui_list_draw(&s->list, (struct ui_rect){y, x, visible > 0 ? visible : 1, w},
			     draw_visit, &d);
		if (s->list.top > 0 || s->list.top + visible < (long)s->n) {
			snprintf(line, sizeof line, "%ld-%ld of %zu", s->list.top + 1,
				 s->list.top + visible < (long)s->n ? s->list.top + visible
								    : (long)s->n,
				 s->n);
			ui_put(a.y, a.x + a.w - 2 - (int)strlen(line), (int)strlen(line) + 1, ROLE_DIM,
			       line, false);
		}
	}
	ui_put(last, x, w, ROLE_HELP_KEY, "j/k move  g/G first/last  b sell package  R refund it  Esc back  ?: keys",
	       false);
}

const struct ui_screen screen_visits = {
	.name = "visits",
	.title = "Visits",
	.keys = keys,
	.nkeys = sizeof keys / sizeof keys[0],
	.list_keys = true,
	.open = open_visits,
	.close = close_visits,
	.draw = draw,
	.funcs = functions,
	.nfuncs = sizeof functions / sizeof functions[0],
	.reload = reload,
	.key = raw_key,
	.editing = editing,
	.job_done = job_done,
};
