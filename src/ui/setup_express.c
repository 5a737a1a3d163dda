/* The Express account panel of the Setup tab (Stripe Connect): create the
 * business's Express account or link an existing one, show the one-time
 * onboarding link as a URL and a QR code for a phone, and poll until
 * onboarding is done. Calls run on workers (app/connect_job.c). */
#include "setup_express.h"

#include <curses.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/qr_text.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_keys.h"
#include "paydesk/vault.h"

#define POLL_MS 3000

enum ask { ASK_NONE, ASK_EMAIL, ASK_ACCOUNT };

struct setup_express {
	struct connect_result result;
	uint64_t job, poll_job;
	bool polling;
	enum ask asking;
	struct ui_field field;
	struct ui_form form;
	enum connect_op pending_op; /* what to run after an unlock */
	const struct stripe_account_row *row; /* the Setup tab's, while its keymap is pushed */
};

struct setup_express *setup_express_new(void)
{
	struct setup_express *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	connect_result_init(&x->result);
	x->field = (struct ui_field){.label = "Email"};
	ui_form_init(&x->form, &x->field, 1, 256);
	return x;
}

void setup_express_free(struct setup_express *x)
{
	if (!x)
		return;
	ui_form_free(&x->form);
	connect_result_destroy(&x->result);
	free(x);
}

static struct setup_express *current; /* the panel an unlock continues */

static void submit(struct setup_express *x, struct ui *ui, enum connect_op op,
		   const char *account, const char *email);

static void after_unlock(struct ui *ui)
{
	if (current)
		submit(current, ui, current->pending_op, NULL, NULL);
}

static void submit(struct setup_express *x, struct ui *ui, enum connect_op op,
		   const char *account, const char *email)
{
	struct stripe_account_row row;
	struct pd_error err = {0};
	if (stripe_account_get(ui->app->db, &row, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "connect the platform's key first (e, v, s)");
		return;
	}
	if (!ui->app->vault) {
		x->pending_op = op;
		current = x;
		ui_unlock_open(ui, "Unlock the vault to use the platform's key.", after_unlock);
		return;
	}
	char *key = NULL;
	if (setup_open_key(ui->app->db, ui->app->vault, &key, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	struct connect_request req = {
		.op = op, .key = key, .email = email, .actor = ui->app->session.name,
		.account = account ? account : row.connected_account,
		.delay_ms = op == CONNECT_OP_STATUS && x->polling ? POLL_MS : 0,
	};
	uint64_t id = connect_job_submit(ui->app->jobs, &x->result, &req);
	vault_secret_free(&key);
	if (!id) {
		ui_notify(ui, UI_NOTICE_ERROR, "cannot reach Stripe: the workers are not running");
		return;
	}
	if (op == CONNECT_OP_STATUS)
		x->poll_job = id;
	else
		x->job = id;
}

static bool need_connected(struct ui *ui, const struct stripe_account_row *row)
{
	if (row->connected_account[0])
		return true;
	ui_notify(ui, UI_NOTICE_ERROR, "no Express account yet: c creates one, k links one");
	return false;
}

static void confirm_unlink(struct ui *ui, void *ctx)
{
	struct setup_express *x = ctx;
	struct pd_error err = {0};
	if (auth_allow(&ui->app->session, AUTH_SETUP, &err) ||
	    stripe_account_set_connected(ui->app->db, NULL, &err)) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	struct audit_entry e = {.actor = ui->app->session.name, .action = "connect.unlink"};
	audit_append(ui->app->db, &e, &err);
	x->polling = false;
	pthread_mutex_lock(&x->result.lock);
	x->result.url[0] = '\0';
	x->result.have_status = false;
	pthread_mutex_unlock(&x->result.lock);
	ui_load_account(ui);
	ui_notify(ui, UI_NOTICE_INFO, "paydesk acts for the platform account again");
}

enum ui_result setup_express_key(struct setup_express *x, struct ui *ui, int key,
				 const struct stripe_account_row *row)
{
	if (x->asking != ASK_NONE) {
		if (key == UI_KEY_ESC) {
			x->asking = ASK_NONE;
		} else if (key == UI_KEY_ENTER) {
			const char *v = ui_form_value(&x->form, 0);
			struct pd_error err;
			if (x->asking == ASK_ACCOUNT && stripe_check_account_id(v, &err)) {
				snprintf(x->field.error, sizeof x->field.error, "%s", err.msg);
				return UI_HANDLED;
			}
			char value[256];
			snprintf(value, sizeof value, "%s", v);
			enum ask was = x->asking;
			x->asking = ASK_NONE;
			submit(x, ui, was == ASK_EMAIL ? CONNECT_OP_CREATE : CONNECT_OP_LINK,
			       was == ASK_ACCOUNT ? value : NULL, was == ASK_EMAIL ? value : NULL);
			x->polling = true;
		} else {
			ui_form_key(&x->form, key);
		}
		return UI_HANDLED;
	}
	(void)row;
	return UI_UNHANDLED; /* the panel's other keys are a keymap */
}

static const struct ui_binding express_keys[] = {
	{'c', UI_ACT_NEW, "create the business's Express account", NULL},
	{'k', UI_ACT_LINK, "link an existing Express account (its acct_ ID)", NULL},
	{'o', UI_ACT_ONBOARD, "a new one-time onboarding link (URL and QR)", NULL},
	{'r', UI_ACT_CHECK, "check onboarding with Stripe now", NULL},
	{'g', UI_ACT_DASHBOARD, "a sign-in link to the Express dashboard", NULL},
	{'u', UI_ACT_UNLINK, "unlink: act for the platform account again", NULL},
};

/* c / k: ask for the owner's email or the account ID (a field, then Enter). */
static enum ui_result ask_for(struct setup_express *x, struct ui *ui, enum ask what)
{
	const struct stripe_account_row *row = x->row;
	if (row->connected_account[0]) {
		/* where payments land is never swapped by a second create */
		ui_notify(ui, UI_NOTICE_ERROR, "already acting for %s: u unlinks it first",
			  row->connected_account);
		return UI_HANDLED;
	}
	x->asking = what;
	x->field.label = what == ASK_EMAIL ? "Owner's email" : "Account ID";
	x->field.error[0] = '\0';
	textedit_set(&x->field.edit, "");
	return UI_HANDLED;
}

static enum ui_result do_create(void *state, struct ui *ui)
{
	return ask_for(state, ui, ASK_EMAIL);
}

static enum ui_result do_link(void *state, struct ui *ui)
{
	return ask_for(state, ui, ASK_ACCOUNT);
}

static enum ui_result do_onboard(void *state, struct ui *ui)
{
	struct setup_express *x = state;
	if (need_connected(ui, x->row)) {
		submit(x, ui, CONNECT_OP_ONBOARDING, NULL, NULL);
		x->polling = true;
	}
	return UI_HANDLED;
}

static enum ui_result do_check(void *state, struct ui *ui)
{
	struct setup_express *x = state;
	if (need_connected(ui, x->row)) {
		bool was = x->polling;
		x->polling = false; /* now, not after the poll delay */
		submit(x, ui, CONNECT_OP_STATUS, NULL, NULL);
		x->polling = was;
	}
	return UI_HANDLED;
}

static enum ui_result do_dashboard(void *state, struct ui *ui)
{
	struct setup_express *x = state;
	if (need_connected(ui, x->row))
		submit(x, ui, CONNECT_OP_LOGIN, NULL, NULL);
	return UI_HANDLED;
}

static enum ui_result do_unlink(void *state, struct ui *ui)
{
	struct setup_express *x = state;
	if (need_connected(ui, x->row))
		ui_dialog_open(ui, &(struct ui_dialog_spec){
					   .title = "Stop acting for the Express account?",
					   .body = "Calls go to the platform account again.\n"
						   "The Express account itself is not deleted.",
					   .confirm_label = "unlink", .on_confirm = confirm_unlink,
					   .ctx = x});
	return UI_HANDLED;
}

static const struct ui_function express_functions[] = {
	{UI_ACT_NEW, do_create, NULL},
	{UI_ACT_LINK, do_link, NULL},
	{UI_ACT_ONBOARD, do_onboard, NULL},
	{UI_ACT_CHECK, do_check, NULL},
	{UI_ACT_DASHBOARD, do_dashboard, NULL},
	{UI_ACT_UNLINK, do_unlink, NULL},
};

void setup_express_keymaps(struct setup_express *x, const struct stripe_account_row *row,
			   struct ui_keymaps *s)
{
	if (x->asking != ASK_NONE)
		return; /* the field takes the keys */
	x->row = row;
	ui_keymaps_push(s, (struct ui_keymap){.title = "Express account", .keys = express_keys,
					      .nkeys = sizeof express_keys / sizeof express_keys[0],
					      .state = x, .funcs = express_functions,
					      .nfuncs = sizeof express_functions /
							sizeof express_functions[0]});
}

bool setup_express_editing(const struct setup_express *x)
{
	return x->asking != ASK_NONE;
}

void setup_express_job_done(struct setup_express *x, struct ui *ui,
			    const struct jobs_completion *c, const struct stripe_account_row *row)
{
	if (c->id != x->job && c->id != x->poll_job)
		return;
	if (c->id == x->job)
		x->job = 0;
	else
		x->poll_job = 0;
	struct connect_result snap;
	connect_result_snapshot(&x->result, &snap);
	if (snap.have_status && connect_ready(&snap.status)) {
		if (x->polling)
			ui_notify(ui, UI_NOTICE_INFO, "Express account ready: %s takes payments",
				  snap.status.account_id);
		x->polling = false;
	}
	/* Keep polling while onboarding is open on someone's phone. The job may
	 * have just linked an account: read the row afresh, not the screen's copy. */
	struct stripe_account_row now;
	struct pd_error err;
	(void)row;
	if (x->polling && !x->poll_job && c->status != JOBS_CANCELLED &&
	    stripe_account_get(ui->app->db, &now, &err) == PD_OK && now.connected_account[0])
		submit(x, ui, CONNECT_OP_STATUS, NULL, NULL);
}

void setup_express_draw(struct setup_express *x, struct ui *ui, struct ui_rect a,
			const struct stripe_account_row *row)
{
	(void)ui;
	struct connect_result snap;
	connect_result_snapshot(&x->result, &snap);
	int y = a.y;
	ui_put(y++, a.x + 2, a.w - 4, ROLE_TITLE, "Express account (Stripe Connect)", false);
	char line[400];
	if (!row->connected_account[0]) {
		snprintf(line, sizeof line, "None: payments go to the platform account %s.",
			 row->account_id);
		ui_put(y++, a.x + 2, a.w - 4, ROLE_NORMAL, line, false);
	} else if (snap.have_status && strcmp(snap.status.account_id, row->connected_account) == 0) {
		const struct connect_status *s = &snap.status;
		snprintf(line, sizeof line, "Acting for %s: details %s, charges %s, %d due%s",
			 s->account_id, s->details_submitted ? "submitted" : "not submitted",
			 s->charges_enabled ? "on" : "off", s->currently_due,
			 x->polling ? " (checking…)" : "");
		ui_put(y++, a.x + 2, a.w - 4, connect_ready(s) ? ROLE_OK : ROLE_WARNING, line, false);
	} else {
		snprintf(line, sizeof line, "Acting for %s (r: check onboarding)",
			 row->connected_account);
		ui_put(y++, a.x + 2, a.w - 4, ROLE_NORMAL, line, false);
	}
	if (snap.error[0])
		ui_put(y++, a.x + 2, a.w - 4, ROLE_ERROR, snap.error, false);
	if (x->asking != ASK_NONE) {
		x->form.inactive = false;
		ui_form_draw(&x->form, (struct ui_rect){y + 1, a.x + 2, 2, a.w - 4});
		int cy, cx;
		getyx(stdscr, cy, cx);
		ui_put(y + 3, a.x + 2, a.w - 4, ROLE_HELP_KEY, "Enter: go    Esc: back", false);
		move(cy, cx);
		return;
	}
	ui_put(y++, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "c create  k link existing  o onboarding link  r refresh  g dashboard  u unlink  "
	       "Esc back",
	       false);
	if (!snap.url[0])
		return;
	if (snap.expires_at > 0) {
		time_t t = (time_t)snap.expires_at;
		char when[16];
		strftime(when, sizeof when, "%H:%M", localtime(&t));
		snprintf(line, sizeof line, "One-time link, valid until %s (o: a new one):", when);
		ui_put(y++, a.x + 2, a.w - 4, ROLE_DIM, line, false);
	}
	ui_put(y++, a.x + 2, a.w - 4, ROLE_NORMAL, snap.url, false);
	int cols = 0, rows = 0;
	char *qr = qr_text_render(snap.url, &cols, &rows);
	if (qr && rows <= a.y + a.h - y && cols <= a.w - 4) {
		/* The code is drawn as it is: sanitising keeps its block characters. */
		char *save = NULL;
		for (char *l = strtok_r(qr, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			ui_put(y++, a.x + 2, cols, ROLE_NORMAL, l, false);
	} else if (qr) {
		ui_put(y, a.x + 2, a.w - 4, ROLE_DIM,
		       "(enlarge the terminal to see the QR code for a phone)", false);
	}
	free(qr);
}
