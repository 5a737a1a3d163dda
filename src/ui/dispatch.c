/* Key dispatch: key → action → function. A key goes to the first of these
 * that is open: the lock screen, the passphrase prompt, a dialog, the help
 * or messages overlay, the full-screen QR, then the screen's raw-key hook
 * (text fields, modal forms) and the keymap stack: the open panel's
 * keymaps, the screen's keys, the list moves, the global keys. ? (help.c)
 * walks the same stack. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qr_view.h"
#include "shell.h"
#include "widgets.h"

static bool can_switch_theme(const void *state, const struct ui *ui)
{
	(void)state;
	return ui->color || ui->theme.uses_color;
}

static bool can_open_setup(const void *state, const struct ui *ui)
{
	(void)state;
	return ui_screen_allowed(ui, 4);
}

static bool can_open_audit(const void *state, const struct ui *ui)
{
	(void)state;
	return ui_screen_allowed(ui, UI_SCREEN_AUDIT);
}

const struct ui_binding ui_global_keys[] = {
	{'q', UI_ACT_QUIT, NULL, NULL},
	{UI_CTRL('c'), UI_ACT_QUIT, NULL, NULL},
	{'?', UI_ACT_HELP, NULL, NULL},
	{'\t', UI_ACT_TAB_NEXT, NULL, NULL},
	{UI_KEY_FN(KEY_BTAB), UI_ACT_TAB_PREV, NULL, NULL},
	{UI_KEY_FN(KEY_F(1)), UI_ACT_TAB_1, NULL, NULL},
	{'1', UI_ACT_TAB_1, NULL, NULL},
	{UI_KEY_FN(KEY_F(2)), UI_ACT_TAB_2, NULL, NULL},
	{'2', UI_ACT_TAB_2, NULL, NULL},
	{UI_KEY_FN(KEY_F(3)), UI_ACT_TAB_3, NULL, NULL},
	{'3', UI_ACT_TAB_3, NULL, NULL},
	{UI_KEY_FN(KEY_F(4)), UI_ACT_TAB_4, NULL, NULL},
	{'4', UI_ACT_TAB_4, NULL, NULL},
	{UI_KEY_FN(KEY_F(5)), UI_ACT_TAB_5, NULL, NULL},
	{'5', UI_ACT_TAB_5, NULL, NULL},
	{UI_CTRL('l'), UI_ACT_REDRAW, NULL, NULL},
	{'T', UI_ACT_THEME_NEXT, NULL, NULL},
	{'L', UI_ACT_LOCK, NULL, NULL},
	{'A', UI_ACT_AUDIT, NULL, NULL},
	{'M', UI_ACT_MESSAGES, NULL, NULL},
};
const size_t ui_global_nkeys = sizeof ui_global_keys / sizeof ui_global_keys[0];

/* ---- actions --------------------------------------------------------- */

static bool anything_unsaved(struct ui *ui)
{
	for (int i = 0; i < UI_SCREENS; i++)
		if (ui_screens[i]->dirty && ui_screens[i]->dirty(ui->state[i]))
			return true;
	return false;
}

static void confirm_quit(struct ui *ui, void *ctx)
{
	(void)ctx;
	ui->running = false;
}

void ui_request_quit(struct ui *ui)
{
	bool unsaved = anything_unsaved(ui);
	if (ui->pending_jobs == 0 && !unsaved) {
		ui->running = false;
		return;
	}
	char body[256];
	if (ui->pending_jobs > 0)
		snprintf(body, sizeof body,
			 "%d job%s still running. Payments in flight are kept in\n"
			 "the outbox and finished at the next start.%s",
			 ui->pending_jobs, ui->pending_jobs == 1 ? " is" : "s are",
			 unsaved ? "\nA form also has unsaved changes." : "");
	else
		snprintf(body, sizeof body, "A form has unsaved changes that will be lost.");
	ui_dialog_open(ui, &(struct ui_dialog_spec){.title = "Quit paydesk?", .body = body,
						   .confirm_label = "quit", .on_confirm = confirm_quit});
}

bool ui_screen_allowed(const struct ui *ui, int i)
{
	return !ui_screens[i]->admin_only ||
	       (ui->app->session.signed_in && ui->app->session.role == ROLE_ADMIN);
}

static void switch_tab(struct ui *ui, int tab)
{
	if (tab < UI_TABS || tab >= UI_SCREENS)
		tab = (tab + UI_TABS) % UI_TABS;
	if (!ui_screen_allowed(ui, tab)) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s is for admins", ui_screens[tab]->title);
		return;
	}
	if (tab != ui->tab)
		ui_clear_notices(ui); /* what was said belonged to the screen left */
	ui->tab = tab;
	const struct ui_screen *s = ui_screens[ui->tab];
	if (s->reload)
		s->reload(ui->state[ui->tab], ui);
}

void ui_switch_screen(struct ui *ui, int i)
{
	switch_tab(ui, i);
}

static void next_theme(struct ui *ui)
{
	int i = 0;
	while (i < ui_theme_count && strcmp(ui_theme_names[i], ui->theme_name) != 0)
		i++;
	const char *name = ui_theme_names[(i + 1) % ui_theme_count];
	char *warning = NULL;
	ui_theme_load(ui, name, &warning);
	ui_theme_apply(ui);
	if (warning)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", warning);
	else
		ui_notify(ui, UI_NOTICE_INFO, "theme: %s", ui->theme_name);
	free(warning);
}

/* ---- the global keys' actions: one small function each ------------------ */

static enum ui_result do_quit(void *state, struct ui *ui)
{
	(void)state;
	ui_request_quit(ui);
	return UI_HANDLED;
}

static enum ui_result do_help(void *state, struct ui *ui)
{
	(void)state;
	ui->help_open = true;
	return UI_HANDLED;
}

/* From a panel, Tab goes to the first tab and Shift-Tab to the last. */
static enum ui_result step_tab(struct ui *ui, int step)
{
	int t = ui->tab >= UI_TABS ? (step > 0 ? 0 : UI_TABS - 1) : ui->tab + step;
	while (!ui_screen_allowed(ui, (t + UI_TABS) % UI_TABS))
		t += step;
	switch_tab(ui, (t + UI_TABS) % UI_TABS);
	return UI_HANDLED;
}

static enum ui_result do_tab_next(void *state, struct ui *ui)
{
	(void)state;
	return step_tab(ui, 1);
}

static enum ui_result do_tab_prev(void *state, struct ui *ui)
{
	(void)state;
	return step_tab(ui, -1);
}

#define GO_TO_TAB(fn, i)                                    \
	static enum ui_result fn(void *state, struct ui *ui) \
	{                                                    \
		(void)state;                                 \
		switch_tab(ui, i);                           \
		return UI_HANDLED;                           \
	}
GO_TO_TAB(do_tab_1, 0)
GO_TO_TAB(do_tab_2, 1)
GO_TO_TAB(do_tab_3, 2)
GO_TO_TAB(do_tab_4, 3)
GO_TO_TAB(do_tab_5, 4)
GO_TO_TAB(do_audit, UI_SCREEN_AUDIT)

static enum ui_result do_lock(void *state, struct ui *ui)
{
	(void)state;
	ui_clear_notices(ui); /* the next person starts with a clean line */
	ui_messages_clear(ui); /* and reads nothing of the last one's */
	ui_signin_open(ui, NULL);
	return UI_HANDLED;
}

static enum ui_result do_messages(void *state, struct ui *ui)
{
	(void)state;
	ui->help_open = false;
	ui->messages_open = true;
	ui->messages_scroll = 0;
	return UI_HANDLED;
}

static enum ui_result do_redraw(void *state, struct ui *ui)
{
	(void)state, (void)ui;
	clearok(curscr, TRUE);
	return UI_HANDLED;
}

static enum ui_result do_next_theme(void *state, struct ui *ui)
{
	(void)state;
	next_theme(ui);
	return UI_HANDLED;
}

static const struct ui_function global_functions[] = {
	{UI_ACT_QUIT, do_quit, NULL},
	{UI_ACT_HELP, do_help, NULL},
	{UI_ACT_TAB_NEXT, do_tab_next, NULL},
	{UI_ACT_TAB_PREV, do_tab_prev, NULL},
	{UI_ACT_TAB_1, do_tab_1, NULL},
	{UI_ACT_TAB_2, do_tab_2, NULL},
	{UI_ACT_TAB_3, do_tab_3, NULL},
	{UI_ACT_TAB_4, do_tab_4, NULL},
	{UI_ACT_TAB_5, do_tab_5, can_open_setup},
	{UI_ACT_REDRAW, do_redraw, NULL},
	{UI_ACT_THEME_NEXT, do_next_theme, can_switch_theme},
	{UI_ACT_LOCK, do_lock, NULL},
	{UI_ACT_AUDIT, do_audit, can_open_audit},
	{UI_ACT_MESSAGES, do_messages, NULL},
};

void ui_keymaps_push(struct ui_keymaps *s, struct ui_keymap m)
{
	if (s->n < UI_KEYMAPS_MAX)
		s->map[s->n++] = m;
}

void ui_keymaps_in_effect(struct ui *ui, struct ui_keymaps *s)
{
	const struct ui_screen *scr = ui_screens[ui->tab];
	void *st = ui->state[ui->tab];
	s->n = 0;
	if (scr->keymaps)
		scr->keymaps(st, ui, s);
	ui_keymaps_push(s, (struct ui_keymap){.title = scr->title, .keys = scr->keys,
					      .nkeys = scr->nkeys, .state = st, .funcs = scr->funcs,
					      .nfuncs = scr->nfuncs});
	if (scr->list_keys) /* after the screen's own keys, under its heading */
		ui_keymaps_push(s, (struct ui_keymap){.keys = ui_list_bindings,
						      .nkeys = ui_list_nbindings, .state = st,
						      .allowed = scr->list_allowed, .funcs = scr->funcs,
						      .nfuncs = scr->nfuncs});
	ui_keymaps_push(s, (struct ui_keymap){.title = "Everywhere", .keys = ui_global_keys,
					      .nkeys = ui_global_nkeys, .funcs = global_functions,
					      .nfuncs = sizeof global_functions /
							sizeof global_functions[0]});
}

/* The binding for key, allowed or not: a key whose precondition fails
 * says why instead of doing nothing. */
static const struct ui_binding *lookup(const struct ui_keymap *m, int key)
{
	for (size_t i = 0; i < m->nkeys; i++)
		if (m->keys[i].key == key)
			return &m->keys[i];
	return NULL;
}

static const struct ui_function *function_of(const struct ui_keymap *m, enum ui_action a)
{
	for (size_t i = 0; i < m->nfuncs; i++)
		if (m->funcs[i].action == a)
			return &m->funcs[i];
	return NULL;
}

bool ui_keymap_allows(const struct ui_keymap *m, const struct ui_binding *b,
		      const struct ui *ui)
{
	if ((m->allowed && !m->allowed(m->state, ui)) || (b->allowed && !b->allowed(m->state, ui)))
		return false;
	const struct ui_function *f = function_of(m, b->action);
	return f && (!f->allowed || f->allowed(m->state, ui));
}

static enum ui_result run(const struct ui_keymap *m, struct ui *ui, enum ui_action a)
{
	const struct ui_function *f = function_of(m, a);
	return f ? f->run(m->state, ui) : UI_UNHANDLED;
}

static bool refused(struct ui *ui, const struct ui_keymap *m, const struct ui_binding *b)
{
	if (ui_keymap_allows(m, b, ui))
		return false;
	if (b->action >= UI_ACT_TAB_1 && b->action <= UI_ACT_TAB_5)
		ui_notify(ui, UI_NOTICE_ERROR, "%s is for admins",
			  ui_screens[b->action - UI_ACT_TAB_1]->title);
	else if (b->action == UI_ACT_AUDIT)
		ui_notify(ui, UI_NOTICE_ERROR, "%s is for admins", ui_screens[UI_SCREEN_AUDIT]->title);
	else
		ui_notify(ui, UI_NOTICE_ERROR, "not available now: %s",
			  b->help ? b->help : ui_action_help(b->action));
	return true;
}

static const struct ui_binding *last_binding;

const struct ui_binding *ui_dispatch_last_binding(void)
{
	return last_binding;
}

/* The keymaps in effect, first to last: the first binding of key runs;
 * an action its keymap leaves (UI_UNHANDLED) goes on to the next. */
static enum ui_taken walk(struct ui *ui, int key)
{
	struct ui_keymaps maps;
	ui_keymaps_in_effect(ui, &maps);
	for (int i = 0; i < maps.n; i++) {
		const struct ui_keymap *m = &maps.map[i];
		const struct ui_binding *b = lookup(m, key);
		if (!b)
			continue;
		last_binding = b;
		if (refused(ui, m, b))
			return UI_TAKEN_REFUSED;
		if (run(m, ui, b->action) != UI_UNHANDLED)
			return UI_TAKEN_BINDING;
	}
	last_binding = NULL;
	return UI_TAKEN_NONE;
}

enum ui_taken ui_dispatch(struct ui *ui, int key)
{
	last_binding = NULL;
	if (ui->signin && !ui->dialog) {
		if (ui_signin_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return UI_TAKEN_OVERLAY;
	}
	if (ui->unlock) {
		ui_unlock_key(ui, key);
		return UI_TAKEN_OVERLAY;
	}
	if (ui_signin_recheck(ui))
		return UI_TAKEN_OVERLAY; /* disabled or re-roled meanwhile: this key does nothing */
	if (ui->dialog) {
		ui_dialog_key(ui, key);
		return UI_TAKEN_OVERLAY;
	}
	if (ui->help_open) {
		if (ui_help_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return UI_TAKEN_OVERLAY;
	}
	if (ui->messages_open) {
		if (ui_messages_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return UI_TAKEN_OVERLAY;
	}
	if (ui->qr_screen_url) {
		if (ui_qr_screen_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return UI_TAKEN_OVERLAY;
	}
	if (ui->too_small) {
		if (key == 'q' || key == UI_CTRL('c'))
			ui_request_quit(ui);
		return UI_TAKEN_OVERLAY;
	}
	const struct ui_screen *s = ui_screens[ui->tab];
	void *st = ui->state[ui->tab];
	if (s->key && s->key(st, ui, key) != UI_UNHANDLED)
		return UI_TAKEN_HOOK;
	return walk(ui, key);
}

void ui_dispatch_key(struct ui *ui, int key)
{
	(void)ui_dispatch(ui, key);
}
