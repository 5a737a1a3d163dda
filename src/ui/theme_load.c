/* Finding theme files and turning a theme into curses colour pairs. */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/text_file.h"
#include "ui.h"

const char *const ui_theme_names[] = {"default", "dark", "light", "mono", "high-contrast"};
const int ui_theme_count = sizeof ui_theme_names / sizeof ui_theme_names[0];

/* Where a theme name is looked for, in order: the user's config dir, the
 * installed data dir, and themes/ beside the binary (a source checkout). */
static char *find_theme(const char *name, char *looked, size_t looked_len)
{
	char *candidates[3] = {NULL, NULL, NULL};
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		asprintf(&candidates[0], "%s/paydesk/themes/%s.theme", xdg, name);
	else if (home)
		asprintf(&candidates[0], "%s/.config/paydesk/themes/%s.theme", home, name);
	asprintf(&candidates[1], "%s/themes/%s.theme", PAYDESK_DATADIR, name);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		/* build/asan/paydesk and ./paydesk both find the checkout's themes/. */
		for (int up = 0; up < 3 && !candidates[2]; up++) {
			char *p = NULL;
			asprintf(&p, "%s/themes/%s.theme", exe, name);
			if (p && access(p, R_OK) == 0)
				candidates[2] = p;
			else
				free(p);
			char *s = strrchr(exe, '/');
			if (!s)
				break;
			*s = '\0';
		}
	}
	char *found = NULL;
	looked[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (!candidates[i])
			continue;
		if (!found && access(candidates[i], R_OK) == 0)
			found = strdup(candidates[i]);
		if (strlen(looked) + strlen(candidates[i]) + 3 < looked_len) {
			strcat(looked, looked[0] ? ", " : "");
			strcat(looked, candidates[i]);
		}
		free(candidates[i]);
	}
	return found;
}

static bool no_color_requested(void)
{
	const char *nc = getenv("NO_COLOR");
	return nc && *nc;
}

void ui_theme_load(struct ui *ui, const char *spec, char **warning)
{
	*warning = NULL;
	struct pd_error err = {0};
	struct theme t;
	theme_mono(&t);
	theme_parse(&t, theme_default_text, "default.theme", &err); /* compiled in, tested */
	free(ui->theme_name);
	if (no_color_requested() || !has_colors()) {
		theme_mono(&ui->theme);
		ui->theme_name = strdup("mono");
		return;
	}
	ui->theme = t;
	ui->theme_name = strdup("default");
	if (!spec || strcmp(spec, "default") == 0)
		return;
	char looked[1024];
	char *path = strchr(spec, '/') ? strdup(spec) : find_theme(spec, looked, sizeof looked);
	if (!path) {
		asprintf(warning, "theme '%s' not found (looked in %s); using the default theme",
			 spec, looked);
		return;
	}
	char *text;
	if (text_file_read(path, "theme", TEXT_FILE_MAX, &text, &err) != PD_OK) {
		asprintf(warning, "%s; using the default theme", err.msg);
		free(path);
		return;
	}
	struct theme custom = t;
	if (theme_parse(&custom, text, path, &err) != 0) {
		asprintf(warning, "%s; using the default theme", err.msg);
	} else {
		ui->theme = custom;
		free(ui->theme_name);
		ui->theme_name = strdup(spec);
	}
	free(text);
	free(path);
}

/* A colour the terminal lacks falls back to something it has. */
static short fit_color(short c, attr_t *extra)
{
	if (c < 0 || c < COLORS)
		return c;
	if (c < 16 && COLORS >= 8) {
		*extra |= A_BOLD; /* bright colours on 8-colour terminals */
		return (short)(c - 8);
	}
	return -1;
}

void ui_theme_apply(struct ui *ui)
{
	ui->color = has_colors() && ui->theme.uses_color;
	if (ui->color) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < ROLE_COUNT; i++) {
		const struct theme_style *s = &ui->theme.role[i];
		attr_t a = A_NORMAL;
		if (s->attrs & THEME_BOLD)
			a |= A_BOLD;
		if (s->attrs & THEME_UNDERLINE)
			a |= A_UNDERLINE;
		if (s->attrs & THEME_REVERSE)
			a |= A_REVERSE;
		if (s->attrs & THEME_DIM)
			a |= A_DIM;
		if (s->attrs & THEME_ITALIC)
			a |= A_ITALIC;
		if (s->attrs & THEME_BLINK)
			a |= A_BLINK;
		if (s->attrs & THEME_STANDOUT)
			a |= A_STANDOUT;
		if (ui->color && i + 1 < COLOR_PAIRS) {
			short fg = fit_color(s->fg, &a), bg = fit_color(s->bg, &a);
			init_pair((short)(i + 1), fg, bg);
			a |= COLOR_PAIR(i + 1);
		}
		ui->role_attr[i] = a;
	}
	/* Not a theme role: a QR code must be dark modules on light whatever the
	 * theme (the light theme once drew it inverted and phones could not read
	 * it). Bright white where there is one; without colour, reverse video. */
	ui->qr_attr = A_REVERSE;
	if (ui->color && ROLE_COUNT + 1 < COLOR_PAIRS) {
		init_pair((short)(ROLE_COUNT + 1), COLOR_BLACK, COLORS >= 16 ? 15 : COLOR_WHITE);
		ui->qr_attr = COLOR_PAIR(ROLE_COUNT + 1);
	}
}

unsigned long ui_role_attr(const struct ui *ui, enum theme_role role)
{
	return role < ROLE_COUNT ? ui->role_attr[role] : A_NORMAL;
}
