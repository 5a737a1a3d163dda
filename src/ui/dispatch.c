/* Key dispatch: key → action → handler. A key goes to the first of these
 * that is open: the lock screen, the passphrase prompt, a dialog, the help
 * or messages overlay, the full-screen QR, then the screen (its raw-key
 * hook, its key table, the list moves) and last the global table. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qr_view.h"
#include "shell.h"
#include "widgets.h"

static bool can_switch_theme(const struct ui *ui)
{
	return ui->color || ui->theme.uses_color;
}

static bool can_open_setup(const struct ui *ui)
{
	return ui_screen_allowed(ui, 4);
}

static bool can_open_audit(const struct ui *ui)
{
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
	{UI_KEY_FN(KEY_F(5)), UI_ACT_TAB_5, NULL, can_open_setup},
	{'5', UI_ACT_TAB_5, NULL, can_open_setup},
	{UI_CTRL('l'), UI_ACT_REDRAW, NULL, NULL},
	{'T', UI_ACT_THEME_NEXT, NULL, can_switch_theme},
	{'L', UI_ACT_LOCK, NULL, NULL},
	{'A', UI_ACT_AUDIT, NULL, can_open_audit},
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

static void global_action(struct ui *ui, enum ui_action a)
{
	switch (a) {
	case UI_ACT_QUIT:
		ui_request_quit(ui);
		break;
	case UI_ACT_HELP:
		ui->help_open = true;
		break;
	case UI_ACT_TAB_NEXT:
	case UI_ACT_TAB_PREV: {
		int step = a == UI_ACT_TAB_NEXT ? 1 : -1;
		/* From a panel, Tab goes to the first tab and Shift-Tab to the last. */
		int t = ui->tab >= UI_TABS ? (step > 0 ? 0 : UI_TABS - 1) : ui->tab + step;
		while (!ui_screen_allowed(ui, (t + UI_TABS) % UI_TABS))
			t += step;
		switch_tab(ui, (t + UI_TABS) % UI_TABS);
		break;
	}
	case UI_ACT_LOCK:
		ui_clear_notices(ui); /* the next person starts with a clean line */
		ui_messages_clear(ui); /* and reads nothing of the last one's */
		ui_signin_open(ui, NULL);
		break;
	case UI_ACT_TAB_1:
	case UI_ACT_TAB_2:
	case UI_ACT_TAB_3:
	case UI_ACT_TAB_4:
	case UI_ACT_TAB_5:
		switch_tab(ui, (int)(a - UI_ACT_TAB_1));
		break;
	case UI_ACT_MESSAGES:
		ui->help_open = false;
		ui->messages_open = true;
		ui->messages_scroll = 0;
		break;
	case UI_ACT_AUDIT:
		switch_tab(ui, UI_SCREEN_AUDIT);
		break;
	case UI_ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case UI_ACT_THEME_NEXT:
		next_theme(ui);
		break;
	default:
		break;
	}
}

/* The binding for key, allowed or not: a key whose precondition fails
 * says why instead of doing nothing. */
static const struct ui_binding *lookup(const struct ui_binding *t, size_t n, int key)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].key == key)
			return &t[i];
	return NULL;
}

static bool refused(struct ui *ui, const struct ui_binding *b)
{
	if (!b->allowed || b->allowed(ui))
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

void ui_dispatch_key(struct ui *ui, int key)
{
	if (ui->signin && !ui->dialog) {
		if (ui_signin_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return;
	}
	if (ui->unlock) {
		ui_unlock_key(ui, key);
		return;
	}
	if (ui_signin_recheck(ui))
		return; /* disabled or re-roled meanwhile: this key does nothing */
	if (ui->dialog) {
		ui_dialog_key(ui, key);
		return;
	}
	if (ui->help_open) {
		if (ui_help_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return;
	}
	if (ui->messages_open) {
		if (ui_messages_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return;
	}
	if (ui->qr_screen_url) {
		if (ui_qr_screen_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			ui_request_quit(ui);
		return;
	}
	if (ui->too_small) {
		if (key == 'q' || key == UI_CTRL('c'))
			ui_request_quit(ui);
		return;
	}
	const struct ui_screen *s = ui_screens[ui->tab];
	void *st = ui->state[ui->tab];
	if (s->key && s->key(st, ui, key) == UI_HANDLED)
		return;
	const struct ui_binding *b = lookup(s->keys, s->nkeys, key);
	if (!b && s->list_keys)
		b = lookup(ui_list_bindings, ui_list_nbindings, key);
	if (b && refused(ui, b))
		return;
	if (b && s->act && s->act(st, ui, b->action) == UI_HANDLED)
		return;
	b = lookup(ui_global_keys, ui_global_nkeys, key);
	if (b && !refused(ui, b))
		global_action(ui, b->action);
}
