#include "paydesk/theme.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
#define X(id, name) name,
	THEME_ROLES(X)
#undef X
};

static const char *const color_names[] = {"black", "red",     "green", "yellow",
					  "blue",  "magenta", "cyan",  "white"};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{"bold", THEME_BOLD},     {"underline", THEME_UNDERLINE}, {"reverse", THEME_REVERSE},
	{"dim", THEME_DIM},       {"italic", THEME_ITALIC},       {"blink", THEME_BLINK},
	{"standout", THEME_STANDOUT}, {"normal", 0},
};

const char *theme_role_name(enum theme_role role)
{
	return role < ROLE_COUNT ? role_names[role] : "?";
}

void theme_mono(struct theme *t)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		t->role[i] = (struct theme_style){THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0};
	/* Without colour, attributes carry the meaning. */
	t->role[ROLE_TAB_ACTIVE].attrs = THEME_REVERSE | THEME_BOLD;
	t->role[ROLE_STATUS].attrs = THEME_REVERSE;
	t->role[ROLE_BADGE_TEST].attrs = THEME_BOLD;
	t->role[ROLE_BADGE_LIVE].attrs = THEME_BOLD | THEME_UNDERLINE | THEME_BLINK;
	t->role[ROLE_TITLE].attrs = THEME_BOLD;
	t->role[ROLE_HEADER].attrs = THEME_UNDERLINE;
	t->role[ROLE_SELECTION].attrs = THEME_REVERSE;
	t->role[ROLE_DIM].attrs = THEME_DIM;
	t->role[ROLE_ERROR].attrs = THEME_BOLD;
	t->role[ROLE_WARNING].attrs = THEME_BOLD;
	t->role[ROLE_INPUT].attrs = THEME_UNDERLINE;
	t->role[ROLE_INPUT_FOCUS].attrs = THEME_REVERSE;
	t->role[ROLE_HELP_KEY].attrs = THEME_BOLD;
	t->role[ROLE_NOTICE].attrs = THEME_BOLD;
	t->role[ROLE_PROGRESS].attrs = THEME_REVERSE;
	t->uses_color = false;
}

/* "default", a name, "bright"+name (8..15), or "colorN" (0..255). */
static int parse_color(const char *s, short *out)
{
	if (strcmp(s, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	int base = 0;
	if (strncmp(s, "bright", 6) == 0) {
		base = 8;
		s += 6;
	}
	for (int i = 0; i < 8; i++) {
		if (strcmp(s, color_names[i]) == 0) {
			*out = (short)(base + i);
			return 0;
		}
	}
	if (!base && strncmp(s, "color", 5) == 0 && isdigit((unsigned char)s[5])) {
		char *end;
		long n = strtol(s + 5, &end, 10);
		if (!*end && n >= 0 && n <= 255) {
			*out = (short)n;
			return 0;
		}
	}
	return -1;
}

static int parse_role(const char *s)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

#define COLOR_HELP "default, black, red, green, yellow, blue, magenta, cyan, white, bright<name>, color0..color255"

static int parse_line(struct theme *t, char *line, const char *where, struct pd_error *err)
{
	char *words[8];
	int n = 0;
	for (char *w = strtok(line, " \t"); w; w = strtok(NULL, " \t")) {
		if (n == 8)
			return pd_error_set(err, PD_ERR_USAGE, "%s: too many words (write: role fg bg [attr...])", where);
		words[n++] = w;
	}
	if (n < 3)
		return pd_error_set(err, PD_ERR_USAGE,
				    "%s: expected 'role fg bg [attr...]', found %d word%s", where, n,
				    n == 1 ? "" : "s");
	int role = parse_role(words[0]);
	if (role < 0) {
		char allowed[600] = "";
		for (int i = 0; i < ROLE_COUNT; i++) {
			strcat(allowed, i ? ", " : "");
			strcat(allowed, role_names[i]);
		}
		return pd_error_set(err, PD_ERR_USAGE, "%s: unknown role '%s' (allowed: %s)", where,
				    words[0], allowed);
	}
	struct theme_style st = {0, 0, 0};
	if (parse_color(words[1], &st.fg) || parse_color(words[2], &st.bg))
		return pd_error_set(err, PD_ERR_USAGE, "%s: unknown colour '%s' (allowed: %s)",
				    where, parse_color(words[1], &st.fg) ? words[1] : words[2],
				    COLOR_HELP);
	for (int i = 3; i < n; i++) {
		size_t a;
		for (a = 0; a < sizeof attr_names / sizeof attr_names[0]; a++)
			if (strcmp(words[i], attr_names[a].name) == 0)
				break;
		if (a == sizeof attr_names / sizeof attr_names[0])
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: unknown attribute '%s' (allowed: bold, underline, "
					    "reverse, dim, italic, blink, standout, normal)",
					    where, words[i]);
		st.attrs |= attr_names[a].bit;
	}
	t->role[role] = st;
	if (st.fg != THEME_COLOR_DEFAULT || st.bg != THEME_COLOR_DEFAULT)
		t->uses_color = true;
	return PD_OK;
}

int theme_parse(struct theme *t, const char *text, const char *origin, struct pd_error *err)
{
	char *copy = strdup(text ? text : "");
	if (!copy)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = PD_OK, lineno = 0;
	char *next;
	for (char *line = copy; line && !rc; line = next) {
		lineno++;
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			continue;
		char where[320];
		snprintf(where, sizeof where, "%s:%d", origin, lineno);
		rc = parse_line(t, s, where, err);
	}
	free(copy);
	return rc;
}
