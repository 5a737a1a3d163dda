/* Colour themes: one line per semantic role, `role fg bg [attr...]`.
 * Screen code asks for roles, never for raw colours. Parsing is pure; the
 * UI maps the result onto curses colour pairs. */
#ifndef PAYDESK_THEME_H
#define PAYDESK_THEME_H

#include <stdbool.h>

#include "paydesk/error.h"

/* Every role, declared once: enum, names and the mono fallback all come from it. */
#define THEME_ROLES(X)                                                                 \
	X(NORMAL, "normal")                                                            \
	X(TAB, "tab")                                                                  \
	X(TAB_ACTIVE, "tab_active")                                                    \
	X(STATUS, "status")                                                            \
	X(BADGE_TEST, "badge_test")                                                    \
	X(BADGE_LIVE, "badge_live")                                                    \
	X(BADGE_NONE, "badge_none")                                                    \
	X(TITLE, "title")                                                              \
	X(HEADER, "header")                                                            \
	X(SELECTION, "selection")                                                      \
	X(DIM, "dim")                                                                  \
	X(ERROR, "error")                                                              \
	X(WARNING, "warning")                                                          \
	X(OK, "ok")                                                                    \
	X(MONEY_POSITIVE, "money_positive")                                            \
	X(MONEY_NEGATIVE, "money_negative")                                            \
	X(INPUT, "input")                                                              \
	X(INPUT_FOCUS, "input_focus")                                                  \
	X(DIALOG, "dialog")                                                            \
	X(HELP_KEY, "help_key")                                                        \
	X(NOTICE, "notice")                                                            \
	X(PROGRESS, "progress")

enum theme_role {
#define X(id, name) ROLE_##id,
	THEME_ROLES(X)
#undef X
	ROLE_COUNT
};

enum theme_attr {
	THEME_BOLD = 1 << 0,
	THEME_UNDERLINE = 1 << 1,
	THEME_REVERSE = 1 << 2,
	THEME_DIM = 1 << 3,
	THEME_ITALIC = 1 << 4,
	THEME_BLINK = 1 << 5,
	THEME_STANDOUT = 1 << 6,
};

#define THEME_COLOR_DEFAULT (-1)

struct theme_style {
	short fg, bg;      /* 0..255, or THEME_COLOR_DEFAULT */
	unsigned attrs;    /* enum theme_attr bits */
};

struct theme {
	struct theme_style role[ROLE_COUNT];
	bool uses_color;   /* false for a theme that sets no colour (mono) */
};

/* Name of a role as written in theme files. */
const char *theme_role_name(enum theme_role role);

/* The compiled-in default theme (the text of themes/default.theme). */
extern const char theme_default_text[];

/* The mono theme: attributes only, readable without colour (NO_COLOR). */
void theme_mono(struct theme *t);

/* Parse theme text over t (roles not mentioned keep their value). A bad
 * line stops with PD_ERR_USAGE and "origin:line: what is wrong (allowed: …)". */
int theme_parse(struct theme *t, const char *text, const char *origin, struct pd_error *err);

#endif
