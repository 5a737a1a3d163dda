/* The Setup tab: the connected Stripe account as paydesk knows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/stripe_account.h"
#include "screen_info.h"

struct setup_state {
	struct stripe_account_row row;
	bool connected;
};

static void *open_setup(struct ui *ui)
{
	struct setup_state *st = calloc(1, sizeof *st);
	(void)ui;
	return st;
}

static void close_setup(void *state)
{
	free(state);
}

static void reload(void *state, struct ui *ui)
{
	struct setup_state *st = state;
	struct pd_error err;
	st->connected = stripe_account_get(ui->app->db, &st->row, &err) == PD_OK;
}

static void row(int *y, struct ui_rect a, const char *label, const char *value, enum theme_role r)
{
	ui_put(*y, a.x + 2, 22, ROLE_DIM, label, false);
	ui_put(*y, a.x + 24, a.w - 26, r, value, false);
	(*y)++;
}

static void draw(void *state, struct ui *ui, struct ui_rect area)
{
	struct setup_state *st = state;
	int y = area.y + 1;
	ui_put(y, area.x + 2, area.w - 4, ROLE_TITLE, "Stripe account", false);
	y += 2;
	if (!st->connected) {
		row(&y, area, "Status", "not connected", ROLE_WARNING);
		y++;
		ui_put(y++, area.x + 2, area.w - 4, ROLE_NORMAL,
		       "Connecting an account (Account ID, publishable key, restricted key,",
		       false);
		ui_put(y++, area.x + 2, area.w - 4, ROLE_NORMAL,
		       "verified on a worker and sealed in the vault) arrives with the setup "
		       "feature.",
		       false);
		return;
	}
	char when[64] = "never";
	if (st->row.verified_at) {
		time_t t = (time_t)st->row.verified_at;
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&t));
	}
	row(&y, area, "Business", st->row.display_name[0] ? st->row.display_name : "—",
	    ROLE_NORMAL);
	row(&y, area, "Account ID", st->row.account_id, ROLE_NORMAL);
	row(&y, area, "Mode", strcmp(st->row.mode, "live") == 0 ? "LIVE" : "test",
	    strcmp(st->row.mode, "live") == 0 ? ROLE_BADGE_LIVE : ROLE_BADGE_TEST);
	row(&y, area, "Restricted key", st->row.key_hint[0] ? st->row.key_hint : "—",
	    ROLE_NORMAL);
	row(&y, area, "Publishable key",
	    st->row.publishable_key[0] ? st->row.publishable_key : "—", ROLE_NORMAL);
	if (st->row.connected_account[0])
		row(&y, area, "Acting for", st->row.connected_account, ROLE_NORMAL);
	row(&y, area, "Last verified", when, st->row.verified_at ? ROLE_OK : ROLE_WARNING);
	(void)ui;
}

const struct ui_screen screen_setup = {
	.name = "setup",
	.title = "Setup",
	.open = open_setup,
	.close = close_setup,
	.draw = draw,
	.reload = reload,
};
