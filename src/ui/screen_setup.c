/* The Setup tab: connect the business's Stripe account. The admin fills the
 * form, verifies (a live checklist built on a worker), then saves: the key
 * is sealed in the vault, created with a passphrase on first setup. To
 * rotate the key, type the new one, verify, save; the old key stays until
 * the new one has passed. */
#include <curses.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/backup.h"
#include "paydesk/jobs.h"
#include "paydesk/settings.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/stripe_keys.h"
#include "paydesk/stripe_key.h"
#include "paydesk/verify_job.h"
#include "setup_desks.h"
#include "setup_express.h"
#include "setup_limits.h"
#include "setup_readers.h"
#include "widgets.h"

extern const struct ui_screen screen_setup_ops;

enum { F_ACCOUNT, F_PUBLISHABLE, F_KEY, F_CURRENCY, F_BOOKING, F_BILLING, F_COUNT };
enum setup_mode { MODE_VIEW, MODE_EDIT, MODE_NEW_PASSPHRASE, MODE_EXPRESS, MODE_DISCONNECT,
		  MODE_LIMITS, MODE_DESKS, MODE_READERS };

/* Disconnect wipes the vault: confirmed by typing this word, which no stray
 * key (Enter, y) can give. */
#define DISCONNECT_WORD "disconnect"

static const char *const booking_choices[] = {"off", "optional", "required", NULL};
static const char *const billing_choices[] = {"off", "on", NULL};

struct setup_state {
	struct ui *ui;
	struct stripe_account_row row;
	bool connected;
	enum setup_mode mode;
	struct ui_field fields[F_COUNT];
	struct ui_form form;
	struct ui_field pass_fields[2];
	struct ui_form pass_form;
	char pass_error[600];
	struct ui_field word_field; /* MODE_DISCONNECT: the confirming word */
	struct ui_form word_form;

	struct verify_progress progress;
	uint64_t job;
	unsigned char verified_inputs[crypto_generichash_BYTES]; /* what passed verification */
	bool sk_accepted, live_accepted;
	struct ui_list checklist;
	char key_placeholder[128];
	struct setup_express *express;
	struct setup_limits *limits;
	struct setup_desks *desks;
	struct setup_readers *readers;
	int64_t backup_at; /* when the last backup was made, 0 never */
};

/* ---- field checks --------------------------------------------------- */

static int validate_account(const char *v, char *msg, size_t len)
{
	struct pd_error err;
	return ui_field_verdict(stripe_check_account_id(v, &err), &err, msg, len);
}

static int validate_publishable(const char *v, char *msg, size_t len)
{
	struct pd_error err;
	if (!*v)
		return 0; /* optional: paydesk's own calls never use it */
	return ui_field_verdict(stripe_check_publishable_key(v, &err), &err, msg, len);
}

/* Empty keeps the saved key (when there is one). sk_ is allowed here; the
 * warning comes as a dialog when verifying. */
static int validate_key(const char *v, char *msg, size_t len)
{
	struct pd_error err;
	if (!*v)
		return 0;
	return ui_field_verdict(stripe_check_secret_key(v, true, &err), &err, msg, len);
}

/* ---- state ------------------------------------------------------------ */

static int choice_index(const char *const *choices, const char *value)
{
	for (int i = 0; value && choices[i]; i++)
		if (strcmp(choices[i], value) == 0)
			return i;
	return 0;
}

static void load(struct setup_state *st)
{
	struct pd_error err;
	sqlite3 *db = st->ui->app->db;
	st->connected = stripe_account_get(db, &st->row, &err) == PD_OK;
	st->backup_at = backup_last_at(db);
	if (st->form.dirty)
		return; /* never overwrite what the admin is typing */
	textedit_set(&st->fields[F_ACCOUNT].edit, st->connected ? st->row.account_id : "");
	textedit_set(&st->fields[F_PUBLISHABLE].edit, st->connected ? st->row.publishable_key : "");
	textedit_set(&st->fields[F_KEY].edit, "");
	snprintf(st->key_placeholder, sizeof st->key_placeholder, "%s%s%s",
		 st->connected ? "saved: " : "", st->connected ? st->row.key_hint : "",
		 st->connected ? " (type a new key to rotate)" : "");
	st->fields[F_KEY].placeholder = st->key_placeholder;
	char *v = NULL;
	settings_get(db, "currency", &v, &err);
	textedit_set(&st->fields[F_CURRENCY].edit, v ? v : st->ui->app->cfg.currency);
	free(v);
	v = NULL;
	settings_get(db, "payment_at_booking", &v, &err);
	st->fields[F_BOOKING].choice = choice_index(booking_choices, v ? v : "optional");
	free(v);
	v = NULL;
	settings_get(db, "bill_with_stripe", &v, &err);
	st->fields[F_BILLING].choice = choice_index(billing_choices, v ? v : "off");
	free(v);
	st->form.dirty = false;
}

static void *open_setup(struct ui *ui)
{
	struct setup_state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->ui = ui;
	st->fields[F_ACCOUNT] = (struct ui_field){
		.label = "Account ID", .hint = "acct_…: Stripe Dashboard > Settings > Business",
		.validate = validate_account};
	st->fields[F_PUBLISHABLE] = (struct ui_field){
		.label = "Publishable key", .hint = "pk_test_… or pk_live_… (optional)",
		.validate = validate_publishable};
	st->fields[F_KEY] = (struct ui_field){
		.label = "Restricted key", .kind = UI_FIELD_SECRET,
		.hint = "rk_…, pasted; needs the permissions listed below. Empty: keep the saved key",
		.validate = validate_key};
	st->fields[F_CURRENCY] = (struct ui_field){.label = "Default currency",
						  .validate = ui_validate_currency};
	st->fields[F_BOOKING] = (struct ui_field){
		.label = "Take payment at booking", .kind = UI_FIELD_CHOICE,
		.choices = booking_choices, .hint = "Space or arrows: off / optional / required"};
	st->fields[F_BILLING] = (struct ui_field){
		.label = "Bill clients with Stripe", .kind = UI_FIELD_CHOICE,
		.choices = billing_choices, .hint = "on enables subscription billing"};
	ui_form_init(&st->form, st->fields, F_COUNT, 512);
	st->pass_fields[0] = (struct ui_field){.label = "New passphrase", .kind = UI_FIELD_SECRET};
	st->pass_fields[1] = (struct ui_field){.label = "Again", .kind = UI_FIELD_SECRET};
	ui_form_init(&st->pass_form, st->pass_fields, 2, 1024);
	st->word_field = (struct ui_field){.label = "Type " DISCONNECT_WORD};
	ui_form_init(&st->word_form, &st->word_field, 1, 64);
	verify_progress_init(&st->progress);
	st->express = setup_express_new();
	st->limits = setup_limits_new();
	st->desks = setup_desks_new();
	st->readers = setup_readers_new();
	load(st);
	return st;
}

static void close_setup(void *state)
{
	struct setup_state *st = state;
	if (!st)
		return;
	ui_form_free(&st->form);
	ui_form_free(&st->pass_form);
	ui_form_free(&st->word_form);
	verify_progress_destroy(&st->progress);
	setup_express_free(st->express);
	setup_limits_free(st->limits);
	setup_desks_free(st->desks);
	setup_readers_free(st->readers);
	free(st);
}

static void reload(void *state, struct ui *ui)
{
	(void)ui;
	load(state);
}

/* A digest of what verification saw, so a later edit forces a new one. */
static void inputs_digest(struct setup_state *st, const char *key, unsigned char *out)
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
	const char *parts[] = {ui_form_value(&st->form, F_ACCOUNT),
			       ui_form_value(&st->form, F_PUBLISHABLE), key};
	for (int i = 0; i < 3; i++)
		crypto_generichash_update(&h, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
	crypto_generichash_final(&h, out, crypto_generichash_BYTES);
}

/* The key to check: a copy of what was typed, or — for the saved key, which
 * this screen never opens (the jobs and app_setup_save do) — its masked
 * hint ("rk_live_…9f3a"), whose prefix tells its kind and mode and which
 * stands for it in the digest of what was verified. */
static char *current_key(struct setup_state *st, bool *from_vault)
{
	const char *typed = ui_form_value(&st->form, F_KEY);
	*from_vault = false;
	if (!*typed && (!st->connected || !stripe_key_unlocked(st->ui->app) ||
			!st->row.key_hint[0]))
		return NULL;
	*from_vault = !*typed;
	const char *k = *typed ? typed : st->row.key_hint;
	char *copy = sodium_malloc(strlen(k) + 1);
	if (copy)
		memcpy(copy, k, strlen(k) + 1);
	return copy;
}

static struct setup_state *setup_of(struct ui *ui)
{
	for (int i = 0; i < UI_TABS; i++)
		if (ui_screens[i] == &screen_setup_ops)
			return ui->state[i];
	return NULL;
}

static void start_verify(struct setup_state *st);

static void verify_after_unlock(struct ui *ui)
{
	struct setup_state *st = setup_of(ui);
	if (st)
		start_verify(st);
}

static void accept_sk(struct ui *ui, void *ctx)
{
	struct setup_state *st = ctx;
	st->sk_accepted = true;
	start_verify(st);
	(void)ui;
}

static void accept_live(struct ui *ui, void *ctx)
{
	struct setup_state *st = ctx;
	st->live_accepted = true;
	start_verify(st);
	(void)ui;
}

static void start_verify(struct setup_state *st)
{
	struct ui *ui = st->ui;
	int bad = ui_form_validate(&st->form);
	if (bad >= 0) {
		st->form.focus = bad;
		ui_notify(ui, UI_NOTICE_ERROR, "%s: %s", st->fields[bad].label,
			  st->fields[bad].error);
		return;
	}
	if (!*ui_form_value(&st->form, F_KEY) && st->connected && !stripe_key_unlocked(ui->app)) {
		ui_unlock_open(ui, "Unlock the vault to verify with the saved key.",
			       verify_after_unlock);
		return;
	}
	bool from_vault;
	char *key = current_key(st, &from_vault);
	if (!key) {
		st->form.focus = F_KEY;
		ui_notify(ui, UI_NOTICE_ERROR, "enter the restricted key (rk_…)");
		return;
	}
	/* A secret key can do anything on the account: warn, and for live
	 * money ask twice. */
	if (stripe_key_kind(key) == STRIPE_KEY_SECRET && !st->sk_accepted) {
		sodium_free(key);
		ui_dialog_open(ui, &(struct ui_dialog_spec){
					   .title = "Use a secret key?",
					   .body = "This is a secret key (sk_…): it can do everything on\n"
						   "the Stripe account. A restricted key (rk_…) with only\n"
						   "the permissions paydesk needs is safer.",
					   .confirm_label = "use it anyway", .on_confirm = accept_sk,
					   .ctx = st});
		return;
	}
	if (stripe_key_kind(key) == STRIPE_KEY_SECRET &&
	    stripe_key_mode(key) == STRIPE_MODE_LIVE && !st->live_accepted) {
		sodium_free(key);
		ui_dialog_open(ui, &(struct ui_dialog_spec){
					   .title = "Live secret key",
					   .body = "A LIVE secret key gives paydesk full control of real\n"
						   "money on this account. Confirm a second time.",
					   .confirm_label = "use the live secret key",
					   .on_confirm = accept_live, .ctx = st});
		return;
	}
	struct pd_error err;
	if (stripe_check_same_mode(ui_form_value(&st->form, F_PUBLISHABLE), key, &err)) {
		sodium_free(key);
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	if (st->job && ui->app->jobs)
		jobs_cancel(ui->app->jobs, st->job);
	inputs_digest(st, key, st->verified_inputs);
	/* the saved key: the job opens it on its worker */
	st->job = verify_job_submit(ui->app->jobs, &st->progress, from_vault ? NULL : key,
				    ui_form_value(&st->form, F_ACCOUNT), st->row.connected_account);
	sodium_free(key);
	if (!st->job) {
		ui_notify(ui, UI_NOTICE_ERROR, "cannot verify: the workers are not running");
		return;
	}
	st->checklist = (struct ui_list){0};
	st->mode = MODE_VIEW;
	ui->pending_jobs = (int)jobs_pending(ui->app->jobs);
	ui_notify(ui, UI_NOTICE_INFO, "verifying…");
}

/* ---- save -------------------------------------------------------------- */

static void do_save(struct setup_state *st);

static void save_after_unlock(struct ui *ui)
{
	struct setup_state *st = setup_of(ui);
	if (st)
		do_save(st);
}

static void do_save(struct setup_state *st)
{
	struct ui *ui = st->ui;
	struct verify_progress snap;
	verify_progress_snapshot(&st->progress, &snap);
	if (!snap.done || snap.running) {
		ui_notify(ui, UI_NOTICE_ERROR, "verify first (v), then save");
		return;
	}
	if (!snap.report.key_ok || snap.report.failures > 0) {
		ui_notify(ui, UI_NOTICE_ERROR,
			  "not saved: %d check%s failing — fix them and verify again",
			  snap.report.failures, snap.report.failures == 1 ? " is" : "s are");
		return;
	}
	bool from_vault;
	bool has_vault = false;
	struct pd_error err = {0};
	app_vault_exists(ui->app, &has_vault, &err);
	if (has_vault && !stripe_key_unlocked(ui->app)) {
		ui_unlock_open(ui, "Unlock the vault to save the key.", save_after_unlock);
		return;
	}
	char *key = current_key(st, &from_vault);
	unsigned char digest[crypto_generichash_BYTES];
	if (key)
		inputs_digest(st, key, digest);
	if (!key || sodium_memcmp(digest, st->verified_inputs, sizeof digest) != 0) {
		sodium_free(key);
		ui_notify(ui, UI_NOTICE_ERROR, "the form changed since it was verified: verify again (v)");
		return;
	}
	if (!has_vault) {
		sodium_free(key);
		st->mode = MODE_NEW_PASSPHRASE;
		st->pass_form.focus = 0;
		st->pass_error[0] = '\0';
		return;
	}
	char cur[4];
	snprintf(cur, sizeof cur, "%s", ui_form_value(&st->form, F_CURRENCY));
	for (int i = 0; i < 3; i++)
		cur[i] = (char)(cur[i] | 0x20);
	struct setup_input in = {
		.account_id = ui_form_value(&st->form, F_ACCOUNT),
		.publishable = ui_form_value(&st->form, F_PUBLISHABLE),
		.secret_key = from_vault ? NULL : key, /* NULL: app_setup_save opens the saved one */
		.connected = st->row.connected_account,
		.allow_secret = st->sk_accepted,
		.live_secret_confirmed = st->live_accepted,
		.currency = cur,
		.payment_at_booking = st->fields[F_BOOKING].choice,
		.bill_with_stripe = st->fields[F_BILLING].choice,
	};
	int rc = app_setup_save(ui->app, &in, &snap.report, &ui->app->session, &err);
	sodium_free(key);
	if (rc) {
		ui_notify(ui, UI_NOTICE_ERROR, "not saved: %s", err.msg);
		return;
	}
	st->form.dirty = false;
	load(st);
	ui_load_account(ui);
	ui_notify(ui, UI_NOTICE_INFO, "saved: %s is connected", st->row.account_id);
}

static void create_vault_and_save(struct setup_state *st)
{
	struct ui *ui = st->ui;
	const char *p1 = ui_form_value(&st->pass_form, 0), *p2 = ui_form_value(&st->pass_form, 1);
	if (strcmp(p1, p2) != 0) {
		snprintf(st->pass_error, sizeof st->pass_error,
			 "the two passphrases differ: type them again");
		textedit_set(&st->pass_fields[0].edit, "");
		textedit_set(&st->pass_fields[1].edit, "");
		st->pass_form.focus = 0;
		return;
	}
	struct pd_error err = {0};
	if (app_vault_create(ui->app, p1, &err)) {
		snprintf(st->pass_error, sizeof st->pass_error, "%s", err.msg);
		textedit_set(&st->pass_fields[0].edit, "");
		textedit_set(&st->pass_fields[1].edit, "");
		st->pass_form.focus = 0;
		return;
	}
	textedit_set(&st->pass_fields[0].edit, "");
	textedit_set(&st->pass_fields[1].edit, "");
	st->mode = MODE_VIEW;
	do_save(st);
}

static void disconnect(struct setup_state *st)
{
	struct ui *ui = st->ui;
	struct pd_error err = {0};
	if (setup_disconnect(ui->app->db, &ui->app->session, &err)) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	app_vault_replace(ui->app, NULL); /* wiped: nothing left to unlock */
	st->form.dirty = false;
	/* A verification still running was of the wiped account: stop it, and
	 * forget it under the lock its worker writes with, so it can neither
	 * finish as "verified" nor let the next save skip verifying. */
	if (st->job && ui->app->jobs)
		jobs_cancel(ui->app->jobs, st->job);
	st->job = 0;
	verify_progress_reset(&st->progress);
	load(st);
	ui_load_account(ui);
	ui_notify(ui, UI_NOTICE_INFO, "disconnected: the key and the vault were wiped");
}

/* ---- keys -------------------------------------------------------------- */

static bool has_account(const void *state, const struct ui *ui)
{
	(void)state;
	return ui->account[0] != '\0';
}

static const struct ui_binding setup_keys[] = {
	{'e', UI_ACT_EDIT, "edit the form (Esc: done)", NULL},
	{UI_KEY_ENTER, UI_ACT_EDIT, "edit the form (Esc: done)", NULL},
	{'v', UI_ACT_OPEN, "verify the connection (live checklist)", NULL},
	{'s', UI_ACT_SAVE, "save: seal the key in the vault", NULL},
	{'x', UI_ACT_BACK, "disconnect: wipe the key and account", NULL},
	{'X', UI_ACT_VIEW, "Express account (Stripe Connect): create, onboard, link", NULL},
	{'R', UI_ACT_REFUND, "staff refund limits, a currency each", NULL},
	{'D', UI_ACT_DESKS, "desks: enrol this one, revoke, change the admin passphrase", NULL},
	{'r', UI_ACT_READERS, NULL, NULL},
	{'j', UI_ACT_DOWN, "scroll the checklist", NULL},
	{UI_KEY_FN(KEY_DOWN), UI_ACT_DOWN, "scroll the checklist", NULL},
	{'k', UI_ACT_UP, "scroll the checklist back", NULL},
	{UI_KEY_FN(KEY_UP), UI_ACT_UP, "scroll the checklist back", NULL},
};

/* ---- actions: one small function each ------------------------------------ */

static enum ui_result do_edit(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	(void)ui;
	st->mode = MODE_EDIT;
	return UI_HANDLED;
}

static enum ui_result do_verify(void *state, struct ui *ui)
{
	(void)ui;
	start_verify(state);
	return UI_HANDLED;
}

static enum ui_result do_save_key(void *state, struct ui *ui)
{
	(void)ui;
	do_save(state);
	return UI_HANDLED;
}

/* Disconnect asks for a typed word first (MODE_DISCONNECT). */
static enum ui_result do_disconnect(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	(void)ui;
	st->mode = MODE_DISCONNECT;
	textedit_set(&st->word_field.edit, "");
	st->word_field.error[0] = '\0';
	st->word_form.focus = 0;
	return UI_HANDLED;
}

static enum ui_result do_express(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	(void)ui;
	st->mode = MODE_EXPRESS;
	return UI_HANDLED;
}

static enum ui_result do_refund_limits(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	if (!st->limits)
		return UI_UNHANDLED;
	setup_limits_load(st->limits, ui);
	st->mode = MODE_LIMITS;
	return UI_HANDLED;
}

static enum ui_result do_desks(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	if (!st->desks)
		return UI_UNHANDLED;
	setup_desks_load(st->desks, ui);
	st->mode = MODE_DESKS;
	return UI_HANDLED;
}

static enum ui_result do_readers(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	if (!st->readers)
		return UI_UNHANDLED;
	setup_readers_open(st->readers, ui);
	st->mode = MODE_READERS;
	return UI_HANDLED;
}

static enum ui_result do_scroll_down(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	(void)ui;
	return ui_list_act(&st->checklist, UI_ACT_DOWN);
}

static enum ui_result do_scroll_up(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	(void)ui;
	return ui_list_act(&st->checklist, UI_ACT_UP);
}

static const struct ui_function setup_functions[] = {
	{UI_ACT_EDIT, do_edit, NULL},
	{UI_ACT_OPEN, do_verify, NULL},
	{UI_ACT_SAVE, do_save_key, NULL},
	{UI_ACT_BACK, do_disconnect, has_account},
	{UI_ACT_VIEW, do_express, has_account},
	{UI_ACT_REFUND, do_refund_limits, NULL},
	{UI_ACT_DESKS, do_desks, has_account},
	{UI_ACT_READERS, do_readers, has_account},
	{UI_ACT_DOWN, do_scroll_down, NULL},
	{UI_ACT_UP, do_scroll_up, NULL},
};

static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct setup_state *st = state;
	if (st->mode == MODE_EXPRESS) /* a field asked for; else its keymap */
		return setup_express_key(st->express, ui, k, &st->row);
	if (st->mode == MODE_DISCONNECT) {
		if (k == UI_KEY_ESC) {
			st->mode = MODE_VIEW;
		} else if (k == UI_KEY_ENTER) {
			if (strcmp(ui_form_value(&st->word_form, 0), DISCONNECT_WORD) == 0) {
				st->mode = MODE_VIEW;
				disconnect(st);
			} else {
				snprintf(st->word_field.error, sizeof st->word_field.error,
					 "type the word " DISCONNECT_WORD " to wipe them (Esc: keep them)");
			}
		} else {
			ui_form_key(&st->word_form, k);
			st->word_field.error[0] = '\0';
		}
		return UI_HANDLED;
	}
	if (st->mode == MODE_DESKS) {
		if (setup_desks_key(st->desks, ui, k) == UI_HANDLED)
			return UI_HANDLED;
		if (k == UI_KEY_ESC) {
			st->mode = MODE_VIEW;
			return UI_HANDLED;
		}
		return UI_UNHANDLED;
	}
	if (st->mode == MODE_LIMITS) {
		if (setup_limits_key(st->limits, ui, k) != UI_UNHANDLED)
			return UI_HANDLED;
		if (k == UI_KEY_ESC) {
			st->mode = MODE_VIEW;
			return UI_HANDLED;
		}
		return UI_UNHANDLED;
	}
	if (st->mode == MODE_READERS) /* the register form; else its keymap */
		return setup_readers_key(st->readers, ui, k);
	if (st->mode == MODE_NEW_PASSPHRASE) {
		if (k == UI_KEY_ESC) {
			st->mode = MODE_VIEW;
		} else if (k == UI_KEY_ENTER) {
			if (st->pass_form.focus == 0)
				st->pass_form.focus = 1;
			else
				create_vault_and_save(st);
		} else {
			ui_form_key(&st->pass_form, k);
			st->pass_error[0] = '\0';
		}
		return UI_HANDLED;
	}
	if (st->mode != MODE_EDIT)
		return UI_UNHANDLED;
	if (k == UI_KEY_ESC) {
		ui_form_validate(&st->form);
		st->mode = MODE_VIEW;
		return UI_HANDLED;
	}
	if (k == UI_KEY_ENTER) {
		if (st->form.focus == F_COUNT - 1) {
			ui_form_validate(&st->form);
			st->mode = MODE_VIEW;
		} else {
			ui_form_key(&st->form, '\t');
		}
		return UI_HANDLED;
	}
	ui_form_key(&st->form, k);
	return UI_HANDLED; /* while editing, every key is the form's */
}

static bool editing(void *state)
{
	const struct setup_state *st = state;
	if (st->mode == MODE_EXPRESS)
		return setup_express_editing(st->express);
	if (st->mode == MODE_DISCONNECT || st->mode == MODE_LIMITS)
		return true;
	if (st->mode == MODE_DESKS)
		return setup_desks_editing(st->desks);
	if (st->mode == MODE_READERS)
		return setup_readers_editing(st->readers);
	return st->mode != MODE_VIEW &&
	       (st->mode == MODE_NEW_PASSPHRASE || st->fields[st->form.focus].kind != UI_FIELD_CHOICE);
}

static bool dirty(void *state)
{
	const struct setup_state *st = state;
	return st->form.dirty;
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	struct setup_state *st = state;
	setup_express_job_done(st->express, ui, c, &st->row);
	setup_desks_job_done(st->desks, ui, c);
	setup_readers_job_done(st->readers, ui, c);
	if (c->id != st->job)
		return;
	st->job = 0;
	if (c->status == JOBS_DONE)
		ui_notify(ui, UI_NOTICE_INFO, "%s", c->result);
}

/* ---- drawing ------------------------------------------------------------ */

/* When the last backup was made; a warning when never or over a day ago. */
static void draw_backup(struct setup_state *st, struct ui_rect a, int *y)
{
	char text[160], line[200];
	bool stale = backup_describe_last(st->backup_at, (int64_t)time(NULL), text, sizeof text);
	snprintf(line, sizeof line, "Backup: %s", text);
	ui_put((*y)++, a.x + 2, a.w - 4, stale ? ROLE_WARNING : ROLE_DIM, line, false);
}

static void draw_summary(struct setup_state *st, struct ui_rect a, int *y)
{
	if (!st->connected) {
		ui_put((*y)++, a.x + 2, a.w - 4, ROLE_WARNING,
		       "Not connected. Fill the form (e), verify (v), save (s).", false);
		return;
	}
	char when[32] = "never";
	if (st->row.verified_at) {
		time_t t = (time_t)st->row.verified_at;
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&t));
	}
	char line[400];
	snprintf(line, sizeof line, "Connected: %s%s%s (%s mode)", st->row.display_name,
		 st->row.display_name[0] ? " · " : "", st->row.account_id, st->row.mode);
	ui_put((*y)++, a.x + 2, a.w - 4, ROLE_OK, line, false);
	snprintf(line, sizeof line, "Key %s · last verified %s%s%s", st->row.key_hint, when,
		 st->row.connected_account[0] ? " · acting for " : "", st->row.connected_account);
	ui_put((*y)++, a.x + 2, a.w - 4, ROLE_DIM, line, false);
}

static void draw_row(void *ctx, long index, struct ui_rect r, bool selected)
{
	const struct verify_report *rep = ctx;
	const struct verify_row *row = &rep->rows[index];
	enum theme_role role = row->state == VERIFY_OK     ? ROLE_OK
			       : row->state == VERIFY_FAIL ? ROLE_ERROR
			       : row->state == VERIFY_NOTE ? ROLE_DIM
							   : ROLE_WARNING;
	(void)selected;
	ui_put(r.y, r.x, 5, role, verify_state_name(row->state), true);
	ui_put(r.y, r.x + 5, 30, ROLE_NORMAL, row->label, true);
	char text[420];
	snprintf(text, sizeof text, "%s%s%s", row->detail, row->fix[0] ? " → " : "", row->fix);
	ui_put(r.y, r.x + 35, r.w - 35, row->fix[0] ? role : ROLE_DIM, text, false);
}

static void draw_checklist(struct setup_state *st, struct ui_rect a)
{
	struct verify_progress snap;
	verify_progress_snapshot(&st->progress, &snap);
	char head[600];
	if (snap.running)
		snprintf(head, sizeof head, "Checklist — verifying… %d checks so far", snap.report.n);
	else if (snap.done)
		snprintf(head, sizeof head, "Checklist — %d failing, %d warnings, %d not checked",
			 snap.report.failures, snap.report.warnings, snap.report.unknown);
	else if (snap.error[0])
		snprintf(head, sizeof head, "Checklist — %s", snap.error);
	else
		snprintf(head, sizeof head, "Checklist — press v to verify. Permissions paydesk needs:");
	ui_put(a.y, a.x + 2, a.w - 4, ROLE_HEADER, head, false);
	struct ui_rect rows = {a.y + 1, a.x + 2, a.h - 1, a.w - 4};
	if (snap.report.n == 0) {
		/* Before any verification: what the key must allow. */
		for (int i = 0; i < verify_permission_count && i < rows.h; i++) {
			const struct verify_permission *p = &verify_permissions[i];
			char line[160];
			snprintf(line, sizeof line, "%-5s on %-22s for %s", p->write ? "Write" : "Read",
				 p->resource, p->why);
			ui_put(rows.y + i, rows.x, rows.w, ROLE_DIM, line, false);
		}
		char line[160] = "Not needed:";
		for (int i = 0; i < verify_not_needed_count; i++)
			snprintf(line + strlen(line), sizeof line - strlen(line), "%s %s",
				 i ? "," : "", verify_not_needed[i].resource);
		if (verify_permission_count < rows.h)
			ui_put(rows.y + verify_permission_count, rows.x, rows.w, ROLE_DIM, line,
			       false);
		return;
	}
	ui_list_set_count(&st->checklist, snap.report.n);
	ui_list_draw(&st->checklist, rows, draw_row, &snap.report);
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct setup_state *st = state;
	int y = a.y + 1;
	if (st->mode == MODE_EXPRESS) {
		/* Jobs and the panel change the connected account: show the store's. */
		struct pd_error err;
		st->connected = stripe_account_get(ui->app->db, &st->row, &err) == PD_OK;
	}
	(void)ui;
	ui_put(y++, a.x + 2, a.w - 4, ROLE_TITLE, "Stripe account", false);
	draw_summary(st, a, &y);
	draw_backup(st, a, &y); /* in the blank line's place: the layout below stays */
	if (st->mode == MODE_EXPRESS) {
		setup_express_draw(st->express, ui, (struct ui_rect){y, a.x, a.y + a.h - y, a.w},
				   &st->row);
		return;
	}
	if (st->mode == MODE_DISCONNECT) {
		ui_put(y++, a.x + 2, a.w - 4, ROLE_WARNING, "Disconnect Stripe?", false);
		ui_put(y++, a.x + 2, a.w - 4, ROLE_NORMAL,
		       "The sealed key, the vault and the account details are wiped.", false);
		ui_put(y++, a.x + 2, a.w - 4, ROLE_NORMAL,
		       "Payments cannot be taken until an admin connects an account again.", false);
		y++;
		ui_form_draw(&st->word_form, (struct ui_rect){y, a.x + 2, 2, a.w - 4});
		int cy, cx;
		getyx(stdscr, cy, cx);
		ui_put(y + 3, a.x + 2, a.w - 4, ROLE_HELP_KEY,
		       "Enter: disconnect (after typing " DISCONNECT_WORD ")    Esc: keep the account",
		       false);
		move(cy, cx);
		return;
	}
	if (st->mode == MODE_LIMITS) {
		setup_limits_draw(st->limits, (struct ui_rect){y, a.x, a.y + a.h - y, a.w});
		return;
	}
	if (st->mode == MODE_DESKS) {
		setup_desks_draw(st->desks, (struct ui_rect){y, a.x, a.y + a.h - y, a.w});
		return;
	}
	if (st->mode == MODE_READERS) {
		setup_readers_draw(st->readers, ui, (struct ui_rect){y, a.x, a.y + a.h - y, a.w});
		return;
	}
	if (st->mode == MODE_NEW_PASSPHRASE) {
		ui_put(y++, a.x + 2, a.w - 4, ROLE_NORMAL,
		       "Create the admin passphrase that seals the key (asked at each start).", false);
		y++;
		ui_form_draw(&st->pass_form, (struct ui_rect){y, a.x + 2, 2, a.w - 4});
		int cy, cx;
		getyx(stdscr, cy, cx);
		y += 3;
		const char *hint = setup_passphrase_hint(ui_form_value(&st->pass_form, 0));
		if (st->pass_error[0])
			ui_put(y++, a.x + 2, a.w - 4, ROLE_ERROR, st->pass_error, false);
		else if (*hint)
			ui_put(y++, a.x + 2, a.w - 4, ROLE_WARNING, hint, false);
		else
			ui_put(y++, a.x + 2, a.w - 4, ROLE_OK, "strong enough", false);
		ui_put(y + 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
		       "Enter: next / create the vault and save    Esc: back", false);
		move(cy, cx);
		return;
	}
	/* The form: fields, with their inline errors (and the focused hint while editing). */
	int form_h = F_COUNT + 2;
	st->form.inactive = st->mode != MODE_EDIT; /* focus shows only while editing */
	ui_form_draw(&st->form, (struct ui_rect){y, a.x + 2, form_h, a.w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	int used = F_COUNT;
	for (int i = 0; i < F_COUNT; i++)
		used += st->fields[i].error[0] || (st->mode == MODE_EDIT && i == st->form.focus &&
						   st->fields[i].hint);
	y += used > form_h ? form_h : used;
	/* Two lines: every key of the tab fits at 80 columns, none cut. */
	if (st->mode == MODE_EDIT) {
		ui_put(y++, a.x + 2, a.w - 4, ROLE_HELP_KEY,
		       "Tab/Enter: next field   Esc: done editing", false);
	} else {
		ui_put(y++, a.x + 2, a.w - 4, ROLE_HELP_KEY,
		       "e edit  v verify  s save  x disconnect  X Express", false);
		ui_put(y++, a.x + 2, a.w - 4, ROLE_HELP_KEY,
		       "r readers  R refund limits  D desks  ? all keys", false);
	}
	draw_checklist(st, (struct ui_rect){y, a.x, a.y + a.h - y, a.w});
	if (st->mode == MODE_EDIT)
		move(cy, cx);
}

/* Esc from the Express panel, under the panel's own keys. */
static const struct ui_binding express_back_keys[] = {
	{UI_KEY_ESC, UI_ACT_BACK, "back to Setup", NULL},
};

static enum ui_result do_leave_express(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	(void)ui;
	st->mode = MODE_VIEW;
	return UI_HANDLED;
}

static const struct ui_function express_back_functions[] = {
	{UI_ACT_BACK, do_leave_express, NULL},
};

/* Esc from the card readers' list, under the panel's own keys. */
static const struct ui_binding readers_back_keys[] = {
	{UI_KEY_ESC, UI_ACT_BACK, "back to Setup", NULL},
};

static const struct ui_function readers_back_functions[] = {
	{UI_ACT_BACK, do_leave_express, NULL}, /* the same: back to the Setup view */
};

static void keymaps(void *state, struct ui *ui, struct ui_keymaps *s)
{
	struct setup_state *st = state;
	(void)ui;
	if (st->mode == MODE_READERS && !setup_readers_editing(st->readers)) {
		setup_readers_keymaps(st->readers, s);
		ui_keymaps_push(s, (struct ui_keymap){.keys = readers_back_keys, .nkeys = 1,
						      .state = st, .funcs = readers_back_functions,
						      .nfuncs = 1});
		return;
	}
	if (st->mode != MODE_EXPRESS || setup_express_editing(st->express))
		return;
	setup_express_keymaps(st->express, &st->row, s);
	ui_keymaps_push(s, (struct ui_keymap){.keys = express_back_keys, .nkeys = 1, .state = st,
					      .funcs = express_back_functions, .nfuncs = 1});
}

const struct ui_screen screen_setup_ops = {
	.name = "setup",
	.admin_only = true,
	.title = "Setup",
	.keys = setup_keys,
	.nkeys = sizeof setup_keys / sizeof setup_keys[0],
	.open = open_setup,
	.close = close_setup,
	.draw = draw,
	.funcs = setup_functions,
	.nfuncs = sizeof setup_functions / sizeof setup_functions[0],
	.key = key,
	.keymaps = keymaps,
	.editing = editing,
	.dirty = dirty,
	.reload = reload,
	.job_done = job_done,
};
