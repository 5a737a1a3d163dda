/* Shared widgets: confirm dialog, help overlay, virtual list, form. */
#ifndef PAYDESK_UI_WIDGETS_H
#define PAYDESK_UI_WIDGETS_H

#include <stdint.h>

#include "paydesk/textedit.h"
#include "ui.h"

/* ---- confirm dialog ----------------------------------------------------- */

struct ui_dialog_spec {
	const char *title;
	const char *body;          /* may span lines ('\n') */
	bool money;                /* shows amount; only the explicit key confirms */
	int64_t amount;            /* minor units, when money */
	const char *currency;
	const char *confirm_label; /* "Refund", "Quit" */
	const char *cancel_label;  /* what n / Esc does (NULL: "cancel") */
	void (*on_confirm)(struct ui *ui, void *ctx);
	void (*on_cancel)(struct ui *ui, void *ctx); /* n / Esc (may be NULL) */
	/* A third choice with a key of its own (0: none), so n only ever means
	 * "no": other_key, what it does (other_label), and its callback, which
	 * owns ctx as on_confirm does. */
	int other_key;
	const char *other_label;
	void (*on_other)(struct ui *ui, void *ctx);
	void *ctx;
	void (*free_ctx)(void *ctx);
};

/* Open a modal dialog (replacing any open one). 'y' confirms; 'n' or Esc
 * cancels; Enter confirms only dialogs that move no money; a body longer
 * than the screen scrolls with j/k (arrows), never cut. */
void ui_dialog_open(struct ui *ui, const struct ui_dialog_spec *spec);
void ui_dialog_close(struct ui *ui);
enum ui_result ui_dialog_key(struct ui *ui, int key);
void ui_dialog_draw(struct ui *ui);

/* ---- help overlay ------------------------------------------------------- */

/* One line of the help: keys (comma-separated names) and what they do. */
#define HELP_MAX_LINES 96
struct ui_help_line {
	char keys[48];
	const char *text;
	bool heading;
};
/* The help's lines for what is on screen now (at most HELP_MAX_LINES). */
int ui_help_lines(struct ui *ui, struct ui_help_line *lines);
/* Draw the help for the current screen's key table and the global one. */
void ui_help_draw(struct ui *ui);
enum ui_result ui_help_key(struct ui *ui, int key);

/* ---- virtual list ------------------------------------------------------- */

/* Rows come from a callback, one visible row at a time: the list never
 * holds its data, so a million rows cost what a screenful costs. */
struct ui_list {
	long count; /* rows in the data source */
	long top;   /* first visible row */
	long sel;   /* selected row (-1 when count == 0) */
	int page;   /* visible rows at the last draw */
};

typedef void (*ui_list_row_fn)(void *ctx, long index, struct ui_rect row, bool selected);

/* Draw rows [top, top + r.h) via draw_row, keeping sel visible. */
void ui_list_draw(struct ui_list *l, struct ui_rect r, ui_list_row_fn draw_row, void *ctx);
/* Movement actions (up/down/page/half/top/bottom). */
enum ui_result ui_list_act(struct ui_list *l, enum ui_action a);
/* New row count (after a reload): keeps the selection in range. */
void ui_list_set_count(struct ui_list *l, long count);

/* The list moves as function-table entries (struct ui_function) for a
 * screen whose state type T keeps its list in member L:
 * UI_LIST_MOVE_FUNCTIONS(prefix, T, L) defines prefix_up … prefix_bottom;
 * UI_LIST_MOVE_ENTRIES(prefix, allowed) lists them in a table. */
#define UI_LIST_MOVE_ONE(fn, T, L, action)                                  \
	static enum ui_result fn(void *state, struct ui *ui)                \
	{                                                                   \
		(void)ui;                                                   \
		return ui_list_act(&((T *)state)->L, action);               \
	}
#define UI_LIST_MOVE_FUNCTIONS(prefix, T, L)                                \
	UI_LIST_MOVE_ONE(prefix##_up, T, L, UI_ACT_UP)                      \
	UI_LIST_MOVE_ONE(prefix##_down, T, L, UI_ACT_DOWN)                  \
	UI_LIST_MOVE_ONE(prefix##_page_up, T, L, UI_ACT_PAGE_UP)            \
	UI_LIST_MOVE_ONE(prefix##_page_down, T, L, UI_ACT_PAGE_DOWN)        \
	UI_LIST_MOVE_ONE(prefix##_half_up, T, L, UI_ACT_HALF_UP)            \
	UI_LIST_MOVE_ONE(prefix##_half_down, T, L, UI_ACT_HALF_DOWN)        \
	UI_LIST_MOVE_ONE(prefix##_top, T, L, UI_ACT_TOP)                    \
	UI_LIST_MOVE_ONE(prefix##_bottom, T, L, UI_ACT_BOTTOM)
#define UI_LIST_MOVE_ENTRIES(prefix, allowed)                               \
	{UI_ACT_UP, prefix##_up, allowed}, {UI_ACT_DOWN, prefix##_down, allowed}, \
	{UI_ACT_PAGE_UP, prefix##_page_up, allowed},                        \
	{UI_ACT_PAGE_DOWN, prefix##_page_down, allowed},                    \
	{UI_ACT_HALF_UP, prefix##_half_up, allowed},                        \
	{UI_ACT_HALF_DOWN, prefix##_half_down, allowed},                    \
	{UI_ACT_TOP, prefix##_top, allowed}, {UI_ACT_BOTTOM, prefix##_bottom, allowed}

/* Key bindings every list screen shares (vi keys, arrows, pages). */
extern const struct ui_binding ui_list_bindings[];
extern const size_t ui_list_nbindings;

/* ---- progress bar --------------------------------------------------------- */

/* One line: "label [#######.....] 1,234 / 5,000  250/s  ETA 0:15".
 * rate (per second) and eta (seconds) are shown when >= 0; total <= 0
 * draws an indeterminate bar that moves with tick. */
void ui_progress_draw(struct ui_rect r, const char *label, long long done, long long total,
		      double rate, double eta, unsigned tick);

/* ---- form --------------------------------------------------------------- */

enum ui_field_kind { UI_FIELD_TEXT, UI_FIELD_SECRET, UI_FIELD_CHOICE };

struct ui_field {
	const char *label;
	enum ui_field_kind kind;
	const char *hint;                 /* shown under the field while focused */
	const char *placeholder;          /* shown dimmed while the field is empty */
	const char *const *choices;       /* UI_FIELD_CHOICE: NULL-terminated */
	int choice;
	/* Check the value when the field is left: 0, or -1 with msg filled. */
	int (*validate)(const char *value, char *msg, size_t len);
	struct textedit edit;
	char error[512];
};

struct ui_form {
	struct ui_field *fields;
	int n;
	int focus;
	bool dirty;    /* typed into since the last save */
	bool inactive; /* drawn without the focus highlight (not being edited) */
	/* between UI_KEY_PASTE_START and _END: the field as it was, restored
	 * when the paste does not fit (ui_form_key handles all of it) */
	bool pasting, paste_over, paste_was_dirty;
	int paste_field;
	struct textedit paste_undo;
};

/* For validators: turn a check's status into the validator's answer,
 * copying err's message into msg when rc is an error. */
int ui_field_verdict(int rc, const struct pd_error *err, char *msg, size_t len);

/* The validator of a currency field: an ISO code of money in use
 * (money_currency_check), so "usb" is caught where it is typed. */
int ui_validate_currency(const char *value, char *msg, size_t len);

/* Initialise the fields' buffers (max bytes per field). */
void ui_form_init(struct ui_form *f, struct ui_field *fields, int n, size_t max);
void ui_form_free(struct ui_form *f);
/* Draw label / value / inline error for each field inside r. */
void ui_form_draw(struct ui_form *f, struct ui_rect r);

/* The line editor's keys on t, in every form field and prompt: move
 * (←→, Home/End, ^B ^F ^A ^E), delete (Backspace or DEL or ^H, Delete, ^D,
 * ^U, ^W), type. */
enum ui_edit {
	UI_EDIT_UNHANDLED,
	UI_EDIT_MOVED,
	UI_EDIT_TYPED,   /* a character went in */
	UI_EDIT_DELETED, /* text came out */
	UI_EDIT_FULL,    /* a character did not fit */
};
enum ui_edit ui_textedit_key(struct textedit *t, int key);
/* The visible part of t in w columns at y, x: a secret shows bullets, a
 * long text scrolls so the cursor stays in view; with focus the cursor is
 * moved where typing goes. */
void ui_textedit_draw(const struct textedit *t, bool secret, enum theme_role role, bool focus,
		      int y, int x, int w);
/* A one-line prompt's text t at y, x in w columns (ui_textedit_draw: it
 * scrolls), then note (a hint, an error) after it in up to half of them;
 * the cursor where typing goes. */
void ui_prompt_draw(const struct textedit *t, enum theme_role role, const char *note,
		    enum theme_role note_role, int y, int x, int w);
/* Editing keys for the focused field, Tab / Shift-Tab / Up / Down to move
 * (validating the field left). UI_UNHANDLED for keys it does not use.
 * A paste (UI_KEY_PASTE_START … _END) lands whole or, when it does not fit
 * the field, not at all, with the reason under the field. */
enum ui_result ui_form_key(struct ui_form *f, int key);
/* Validate every field; returns the index of the first bad one, or -1. */
int ui_form_validate(struct ui_form *f);
/* Value of field i (for choices: the chosen text). */
const char *ui_form_value(const struct ui_form *f, int i);

#endif
