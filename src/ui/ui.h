/* Internal API shared by the UI modules (src/ui/). Only the UI thread calls
 * any of this; curses is touched nowhere else. */
#ifndef PAYDESK_UI_H
#define PAYDESK_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "paydesk/app.h"
#include "paydesk/theme.h"

/* ---- keys ------------------------------------------------------------- */

/* A key is a Unicode code point, or a curses function key moved past the
 * Unicode range so the two never collide. */
#define UI_KEY_FN(k) (0x110000 + (k))
#define UI_CTRL(c) ((c)&0x1f)
#define UI_KEY_ESC 0x1b
#define UI_KEY_ENTER '\r'
#define UI_KEY_NONE (-1)
/* Bracketed paste: the shell turns the terminal's paste markers into these
 * two keys around the pasted characters (already filtered: printable only,
 * one line). Forms use them to paste a field's text whole or not at all. */
#define UI_KEY_PASTE_START UI_KEY_FN(0x6f00)
#define UI_KEY_PASTE_END UI_KEY_FN(0x6f01)

/* Every action, declared once: the enum, and the help text the overlay shows. */
#define UI_ACTIONS(X)                                                  \
	X(NONE, "")                                                    \
	X(QUIT, "quit paydesk")                                        \
	X(HELP, "show or hide this help")                              \
	X(TAB_NEXT, "next tab")                                        \
	X(TAB_PREV, "previous tab")                                    \
	X(TAB_1, "Appointments")                                       \
	X(TAB_2, "Clients")                                            \
	X(TAB_3, "Subscriptions")                                      \
	X(TAB_4, "History")                                            \
	X(TAB_5, "Setup")                                              \
	X(REDRAW, "redraw the screen")                                 \
	X(THEME_NEXT, "try the next colour theme")                     \
	X(LOCK, "lock the screen / switch user")                       \
	X(UP, "move up")                                               \
	X(DOWN, "move down")                                           \
	X(LEFT, "previous day / field")                                \
	X(RIGHT, "next day / field")                                   \
	X(PAGE_UP, "page up")                                          \
	X(PAGE_DOWN, "page down")                                      \
	X(HALF_UP, "half a page up")                                   \
	X(HALF_DOWN, "half a page down")                               \
	X(TOP, "first row")                                            \
	X(BOTTOM, "last row")                                          \
	X(SEARCH, "search")                                            \
	X(SEARCH_NEXT, "next match")                                   \
	X(SEARCH_PREV, "previous match")                               \
	X(OPEN, "open the selected row")                               \
	X(BACK, "back / cancel")                                       \
	X(NEW, "new")                                                  \
	X(EDIT, "edit")                                                \
	X(SAVE, "save")                                                 \
	X(REVIEW, "mark reviewed / not reviewed")                      \
	X(REVIEW_ALL, "mark every record of the filter reviewed")      \
	X(FLAG, "flag / unflag")                                       \
	X(NOTE, "write a note")                                        \
	X(FILTER, "filters")                                           \
	X(CLEAR, "clear filters and search")                           \
	X(SORT, "sort by date / amount, either way")                   \
	X(EXPORT, "export what is shown (CSV, JSON Lines, QuickBooks, Xero)") \
	X(JUMP, "jump to a date")                                      \
	X(DELETE, "delete / disable")                                  \
	X(TODAY, "today")                                              \
	X(VIEW, "switch view")                                         \
	X(CANCEL, "cancel the appointment")                            \
	X(COMPLETE, "mark completed")                                  \
	X(NO_SHOW, "mark no-show")                                     \
	X(PAUSE, "pause / resume")                                     \
	X(UNDO, "undo")                                                \
	X(PAY, "take payment")                                         \
	X(REFUND, "refund")                                            \
	X(PAY_VIEW, "show the payment (pay link QR, reader)")          \
	X(STOP, "stop the card reader")                                \
	X(SAVE_CARD, "save a card for next time (link / QR)")         \
	X(SYNC, "sync with Stripe")                                    \
	X(ARCHIVE, "archive / restore")                                \
	X(AUDIT, "audit log (admins)")                                 \
	X(MESSAGES, "the last messages, read whole")                   \
	X(QR, "the QR code on the whole screen")                       \
	X(COPY, "copy the link")                                       \
	X(CHECK, "check with Stripe now")                              \
	X(LINK, "link an existing account")                            \
	X(ONBOARD, "a new onboarding link")                            \
	X(DASHBOARD, "a sign-in link to the Express dashboard")        \
	X(UNLINK, "unlink")                                            \
	X(DESKS, "desks that unlock themselves; the admin passphrase")  \
	X(READERS, "card readers: register one, choose this desk's")   \
	X(TAP, "tap a test card on the simulated reader (training)")   \
	X(HOLD_READER, "hold the card on the card reader instead")     \
	X(VISITS, "visit history: past and future visits, money")     \
	X(POLICY, "booking policy")                                    \
	X(POLICY_DEFAULT, "the business's default booking policy") \
	X(PACKAGE_SELL, "sell the client a package or credit")        \
	X(PACKAGE_REFUND, "refund what is unused of a package")        \
	X(PACKAGES, "packages and credit sold ahead of visits: define") \
	X(FEES, "the fees queue: no-show and late-cancellation fees") \
	X(DISCOUNT, "a discount or new price, with why (audited)")    \
	X(RECEIPT, "email Stripe's receipt again") \
	X(DAY_CLOSE, "close the day: takings by tender, cash counted")   \
	X(RETRY, "retry a failed renewal now: its open invoice, saved card") \
	X(CARD_UPDATE, "send a card-update link (save-a-card link, QR)") \
	X(PAYOUTS, "payouts: what reached the bank, and what each paid out") \
	X(MONTH, "the month's reconciliation (gross to paid out)")

enum ui_action {
#define X(id, help) UI_ACT_##id,
	UI_ACTIONS(X)
#undef X
	UI_ACT_COUNT
};

/* Read one key without blocking (UI_KEY_NONE when there is none). */
int ui_key_read(void);
/* Human name of a key for the help overlay: "j", "Ctrl-D", "PgDn", "F1". */
const char *ui_key_name(int key, char *buf, size_t len);
/* Default help text of an action. */
const char *ui_action_help(enum ui_action a);

struct ui;
struct jobs_completion;

/* One row of a key table: the help overlay is generated from these tables. */
struct ui_binding {
	int key;
	enum ui_action action;
	const char *help;                     /* NULL: the action's own text */
	/* The precondition, given the state of its keymap (NULL: always). */
	bool (*allowed)(const void *state, const struct ui *ui);
};

/* ---- drawing ------------------------------------------------------------ */

struct ui_rect {
	int y, x, h, w;
};

/* Put text at (y, x) in role's style, clipped to width columns and padded
 * with spaces when pad. Text is sanitised here, so nothing from outside can
 * reach the terminal raw. Returns the columns used. */
int ui_put(int y, int x, int width, enum theme_role role, const char *text, bool pad);
int ui_putf(int y, int x, int width, enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Fill a rectangle with spaces in role's style. */
void ui_fill(struct ui_rect r, enum theme_role role);
/* Columns a UTF-8 string takes on screen. */
int ui_text_width(const char *s);
/* Bytes of s that make its next line of at most width columns: up to the
 * last space that fits (a word longer than the line is cut), or all of it.
 * At least one character while s is not empty. */
size_t ui_wrap(const char *s, int width);
/* Draw a box border around r in role's style, with a title. */
void ui_box(struct ui_rect r, enum theme_role role, const char *title);

/* ---- theme -------------------------------------------------------------- */

/* Load the theme named by spec ("default", a name found in the theme
 * directories, or a path). NO_COLOR or a colourless terminal give mono. On a
 * bad file, the default is used and *warning says why (caller frees). */
void ui_theme_load(struct ui *ui, const char *spec, char **warning);
/* Apply ui->theme to curses colour pairs. */
void ui_theme_apply(struct ui *ui);
/* The curses attributes for role. */
unsigned long ui_role_attr(const struct ui *ui, enum theme_role role);
/* Names of the bundled themes, for cycling. */
extern const char *const ui_theme_names[];
extern const int ui_theme_count;

/* ---- screens ------------------------------------------------------------ */

/* What a handler did, and so what must happen (htop's reaction flags): any
 * handled key is drawn; UI_RELOAD also has the screen re-read the store
 * (its reload) first, the one place a screen reads it. */
enum ui_result {
	UI_UNHANDLED = 0, /* not mine: try the next table */
	UI_HANDLED = 1,	  /* done: draw */
	UI_RELOAD = 2,	  /* done, and what the screen shows changed: reload, then draw */
};

struct ui_keymaps;

/* A screen is a table of operations over its private state. */
struct ui_screen {
	const char *name;  /* for --screen */
	bool admin_only;   /* hidden from staff (the app layer refuses too) */
	const char *title; /* for the tab bar */
	const struct ui_binding *keys;
	size_t nkeys;
	bool list_keys; /* then the virtual list's moves (ui_list_bindings) */
	/* When the list moves work (NULL: always). */
	bool (*list_allowed)(const void *state, const struct ui *ui);
	void *(*open)(struct ui *ui);
	void (*close)(void *state);
	void (*draw)(void *state, struct ui *ui, struct ui_rect area);
	/* What the key table's actions do: one small function and its
	 * precondition per action. */
	const struct ui_function *funcs;
	size_t nfuncs;
	/* Raw keys first, before any keymap: text fields and the modal forms
	 * that take every key (NULL: none). Keys that act on anything else
	 * belong in a keymap, so ? shows them. */
	enum ui_result (*key)(void *state, struct ui *ui, int key);
	/* Push the open panel's keymap(s) over the screen's (NULL: none). */
	void (*keymaps)(void *state, struct ui *ui, struct ui_keymaps *s);
	/* True while a text field has focus: the shell then shows the cursor
	 * where draw() left it (NULL: never). */
	bool (*editing)(void *state);
	/* Unsaved changes that quitting would lose (NULL: never). */
	bool (*dirty)(void *state);
	/* A background job finished (any job: check c->id against your own). */
	void (*job_done)(void *state, struct ui *ui, const struct jobs_completion *c);
	/* The store changed under us (a job finished): re-read (NULL: nothing). */
	void (*reload)(void *state, struct ui *ui);
	/* Work done between keys (a search's totals): with step, one short
	 * piece of it; returns whether any is left (NULL: never any). The
	 * shell calls it only when no key is waiting. */
	bool (*idle)(void *state, struct ui *ui, bool step);
	/* Someone else signed in at this desk: close what the last person had
	 * open — forms, panels, prompts, what they typed — keeping the lists
	 * (NULL: nothing of theirs can be open). */
	void (*drop)(void *state, struct ui *ui);
};

/* Call every open screen's drop: the person at the desk changed. */
void ui_screens_drop(struct ui *ui);

/* ---- keymaps ------------------------------------------------------------ */

/* One action of a screen or panel: the small function that runs it and
 * when it may (neomutt's function tables). A key table says which key
 * means which action; this says what the action does here. */
struct ui_function {
	enum ui_action action;
	enum ui_result (*run)(void *state, struct ui *ui);
	bool (*allowed)(const void *state, const struct ui *ui); /* NULL: always */
};

/* A key table and what runs its actions, over one state. A screen pushes
 * its open panel's keymap over its own; dispatch and the ? help walk the
 * same stack (ui_keymaps_in_effect), so help lists what dispatch does. */
struct ui_keymap {
	const char *title; /* heading in ? (NULL: under the one above) */
	const struct ui_binding *keys;
	size_t nkeys;
	void *state; /* handed to the functions and the preconditions */
	/* For every binding of the map, before its own (NULL: always). */
	bool (*allowed)(const void *state, const struct ui *ui);
	/* What the actions do here: one function each. */
	const struct ui_function *funcs;
	size_t nfuncs;
};

#define UI_KEYMAPS_MAX 8
struct ui_keymaps {
	struct ui_keymap map[UI_KEYMAPS_MAX];
	int n;
};

/* Push m (consulted after those pushed before it). */
void ui_keymaps_push(struct ui_keymaps *s, struct ui_keymap m);
/* Whether b of m may run now: m's precondition, b's, and that the action
 * has a function in m whose precondition holds. */
bool ui_keymap_allows(const struct ui_keymap *m, const struct ui_binding *b,
		      const struct ui *ui);
/* The keymaps in effect now, first consulted first: the screen's panels,
 * the screen's own keys, the list moves, then the global keys. */
void ui_keymaps_in_effect(struct ui *ui, struct ui_keymaps *s);

/* The tabs, then panels reached by a key (the Audit view), not in the tab bar. */
#define UI_TABS 5
#define UI_SCREENS 9
#define UI_SCREEN_AUDIT 5
#define UI_SCREEN_VISITS 6 /* visit_history.c: H on a client or an appointment */
#define UI_SCREEN_DAY_CLOSE 7 /* day_close_panel.c: Z on Appointments */
#define UI_SCREEN_PAYOUTS 8 /* screen_payouts.c: P on History */
extern const struct ui_screen *const ui_screens[UI_SCREENS];

/* ---- the shell ---------------------------------------------------------- */

enum ui_notice_kind { UI_NOTICE_INFO, UI_NOTICE_ERROR };
#define UI_MESSAGES_KEPT 50

struct ui_dialog;
struct ui_unlock;
struct ui_signin;

struct ui {
	struct app *app;
	struct theme theme;
	char *theme_name;
	unsigned long role_attr[ROLE_COUNT];
	unsigned long qr_attr; /* black on white in every theme (mono: reverse): QR codes scan */
	bool color;

	int tab;
	void *state[UI_SCREENS];
	bool help_open;
	int help_scroll;
	struct ui_dialog *dialog;
	struct ui_unlock *unlock; /* the passphrase prompt, while open */
	struct ui_signin *signin; /* the lock screen / first-run admin form, while open */
	int64_t last_key_ms;      /* ui_idle_clock_ms() at the last key: the idle auto-lock */

	char notice[640];
	enum ui_notice_kind notice_kind;
	time_t notice_until;

	char last_error[640];
	/* The last messages, whole, for the M overlay (status-line text may be cut). */
	struct ui_message {
		time_t at;
		enum ui_notice_kind kind;
		char text[640];
	} messages[UI_MESSAGES_KEPT];
	int messages_count; /* kept, at most UI_MESSAGES_KEPT; the newest at [messages_next - 1] */
	int messages_next;
	bool messages_open;
	int messages_scroll;
	char *qr_screen_url; /* a link's QR code given the whole screen (Q), while open */
	char qr_screen_title[80];
	char account[136];   /* business name or "acct_…", or "" */
	char mode[8];        /* "test", "live", or "" when not connected */
	char connection[16]; /* "online", "offline", "verifying", "—" */
	int pending_jobs;
	unsigned spinner;

	bool running;
	bool too_small;
};

/* Show a one-line notice in the status line for a few seconds (an error
 * stays until a newer notice or until its screen is left). */
void ui_notify(struct ui *ui, enum ui_notice_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Forget what the status line was saying (leaving a screen, locking). */
void ui_clear_notices(struct ui *ui);
/* The M overlay: every message of this session (the last UI_MESSAGES_KEPT),
 * newest first, wrapped whole; forgotten at a lock, like the status line. */
void ui_messages_add(struct ui *ui, enum ui_notice_kind kind, const char *text);
void ui_messages_clear(struct ui *ui);
void ui_messages_draw(struct ui *ui);
enum ui_result ui_messages_key(struct ui *ui, int key);

/* Ask for the vault passphrase (at start, or before a job that needs the
 * key). then, when set, runs after a successful unlock. */
void ui_unlock_open(struct ui *ui, const char *why, void (*then)(struct ui *ui));
/* A configured account with a locked vault: unlock it with
 * PAYDESK_PASSPHRASE (training mode, kiosk set-ups; the environment copy is
 * scrubbed either way) or ask for the passphrase; then is called once it is
 * unlocked. Nothing when there is no vault or it is open. */
void ui_unlock_if_needed(struct ui *ui, void (*then)(struct ui *ui));
enum ui_result ui_unlock_key(struct ui *ui, int key);
void ui_unlock_draw(struct ui *ui);
void ui_unlock_close(struct ui *ui);

/* The lock screen: sign in (or, with no users yet, create the admin).
 * then runs after a successful sign-in. */
void ui_signin_open(struct ui *ui, void (*then)(struct ui *ui));
/* The signed-in user re-read: disabled, gone or given another role since
 * signing in ends the session (the lock screen says why); true then. */
bool ui_signin_recheck(struct ui *ui);
enum ui_result ui_signin_key(struct ui *ui, int key);
void ui_signin_draw(struct ui *ui);
void ui_signin_close(struct ui *ui);

/* Whether the signed-in user may open screen i. */
bool ui_screen_allowed(const struct ui *ui, int i);

/* Show screen i (a tab, or a panel such as the visit history), as its key
 * would: refused for a role that may not, re-read, notices cleared. */
void ui_switch_screen(struct ui *ui, int i);

/* [history] sync_at_start: once the Stripe key is at hand, the History
 * tab's sync of a stale history starts in the background (its bar shows
 * on the tab; the status line counts the job), as when the tab opens. */
void ui_history_sync_at_start(struct ui *ui);

/* Re-read what the status line shows about the account. */
void ui_load_account(struct ui *ui);

/* Minimum terminal size. */
#define UI_MIN_COLS 80
#define UI_MIN_LINES 24

#endif
