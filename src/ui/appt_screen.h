/* The Appointments tab's private state, shared by its modules:
 * screen_appointments.c (agenda, booking form, keys, drawing),
 * appt_close.c (cancel / completed / no-show, the money on them, undo) and
 * appt_find.c (the / and J prompts, which day's rows are selected). UI
 * thread only. */
#ifndef PAYDESK_UI_APPT_SCREEN_H
#define PAYDESK_UI_APPT_SCREEN_H

#include "paydesk/appointments.h"
#include "paydesk/clients.h"
#include "paydesk/queued_charges.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/textedit.h"
#include "fees_view.h"
#include "pay_panel.h"
#include "widgets.h"

enum { F_CLIENT, F_SERVICE, F_STAFF, F_DATE, F_TIME, F_NOTES, F_COUNT };
enum { MF_MONEY, MF_AMOUNT, MF_REASON, MF_COUNT };
enum appt_prompt {
	APPT_PROMPT_NONE,
	APPT_PROMPT_FIND,
	APPT_PROMPT_DATE,
	APPT_PROMPT_DROP,
	APPT_PROMPT_PRICE, /* %: a discount or new price and why (appt_price_ui.c) */
};
#define APPT_FOLLOWUPS 4

/* What to do when a job started by a cancel / no-show finishes. */
struct appt_followup {
	uint64_t job;          /* 0: free slot */
	bool after_refund;     /* the refund ran: now change the state; else PAY_OP_CANCEL ran */
	int64_t id;
	enum appt_state to;
	int64_t kept;          /* money the desk chose to keep (audited once closed) */
	int64_t desk_refund;   /* then handed back at the desk (cash paid), before closing */
	char currency[4];
	/* The refund's outcome was not known (Stripe gave no clear answer):
	 * waiting (job 0) until a re-check of appointment id, which recheck
	 * marks; the close then goes on once the refund is found made. */
	bool waiting, recheck;
	int64_t stripe_refund;   /* what the refund asked of Stripe */
	int64_t refunded_before; /* the appointment's refunded total before it was known */
};

/* The money step of a cancel / no-show with money paid on it. */
struct appt_money {
	bool open;
	int64_t id, version;
	enum appt_state to;
	int64_t left; /* paid less refunded */
	char currency[4];
	char what[200]; /* "Zoë Martin's 10:00 Haircut" */
	struct ui_field fields[MF_COUNT];
	struct ui_form form;
	char error[400];
};

struct appt_screen {
	struct ui *ui;
	int y, m, d;          /* the day shown (or a day of the week shown) */
	bool week;
	int64_t staff_filter; /* 0: all staff */
	char staff_filter_name[STAFF_NAME_MAX * 4 + 1];
	struct appointment *rows;
	size_t n;
	struct ui_list list;

	bool form_open;
	struct ui_field fields[F_COUNT];
	struct ui_form form;
	int64_t edit_id, edit_version;
	int64_t edit_start, edit_staff; /* as it was before the edit */
	char form_error[600];
	bool past_ok, overlap_ok; /* the desk said yes to the booking's warnings */
	bool policy_ok;           /* the client accepted the service's booking policy */
	bool policy_by_phone;     /* …by phone (Ctrl-P), else at the desk */
	char warning[400];        /* what it was warned of */
	int64_t *matches; /* client picker: ids matching what is typed */
	size_t nmatches;
	int pick;
	int64_t client_id; /* the client chosen */
	struct service *services;
	size_t nservices;
	struct staff *staff;
	size_t nstaff;
	char **service_labels, **staff_labels;
	struct pay_panel *pay; /* take payment / refund / pay link and reader view */

	struct appt_money money;
	struct appt_followup follow[APPT_FOLLOWUPS];

	enum appt_prompt prompt;
	struct textedit prompt_text;
	/* the last search, offered again: Enter finds its next match, a
	 * typed character replaces it, an arrow or Backspace edits it */
	bool prompt_offered;
	char find[200]; /* the last client searched for */
	char prompt_error[200];

	/* charges queued, not charged (appt_queue.c), read with the rows */
	struct queued_charge *queued;
	size_t nqueued;
	int64_t drop_id; /* the queued charge the drop prompt asks about */
	struct fees_view *fees; /* the fees queue (F), drawn instead of the agenda when open */
};

/* Re-read the rows of the day / week shown. */
void appt_load(struct appt_screen *st);
/* The selected row, or NULL. */
const struct appointment *appt_selected(const struct appt_screen *st);
/* "Zoë Martin's 10:00 Haircut" (local time). */
void appt_short_name(const struct appointment *a, char *out, size_t len);

/* ---- appt_draw.c ---- */
void appt_draw_agenda(struct appt_screen *st, struct ui_rect area);
void appt_draw_form(struct appt_screen *st, struct ui_rect area);
/* The booking policy of the service chosen in the form, for a new booking:
 * false when it asks nothing (or the form edits a booking). text and asked
 * ("deposit 9.00 EUR required · card to hold") filled otherwise. */
bool appt_form_policy(const struct appt_screen *st, char *text, size_t text_len, char *asked,
		      size_t asked_len);

/* ---- appt_close.c ---- */
/* c / d / x: ask first (what is due, what happens to money paid), then act. */
void appt_close_ask(struct appt_screen *st, enum appt_state to);
/* U: undo the selected appointment's last state change, if made today. */
void appt_close_undo(struct appt_screen *st);
enum ui_result appt_money_key(struct appt_screen *st, int key);
void appt_money_draw(struct appt_screen *st, struct ui_rect area);
bool appt_money_editing(const struct appt_screen *st);
void appt_money_close(struct appt_screen *st);
/* Y on the agenda: when the selected appointment's close waits on a refund
 * whose outcome was not known, re-check it and finish the close (true);
 * false: nothing of ours waits (the plain re-check applies). */
bool appt_close_recheck(struct appt_screen *st, const struct appointment *a);
/* A job finished: true when it was one of ours (then acted on). */
bool appt_close_job_done(struct appt_screen *st, const struct jobs_completion *c);

/* ---- appt_queue.c: saved-card charges queued while Stripe was down ---- */
/* Re-read which appointments have a charge queued (with appt_load). */
void appt_queue_load(struct appt_screen *st);
void appt_queue_free(struct appt_screen *st);
/* Whether appointment id has a charge queued, not charged. */
bool appt_queue_has(const struct appt_screen *st, int64_t id);
/* p on an appointment with a queued charge: ask to send it now (true:
 * handled, the pay form does not open). */
bool appt_queue_pay(struct appt_screen *st, const struct appointment *a);
/* D: drop the selected appointment's queued charge (asks why). */
void appt_queue_drop_ask(struct appt_screen *st);
/* The drop prompt's Enter: reason typed. */
void appt_queue_drop(struct appt_screen *st, const char *reason);
/* Q: list every queued charge; Enter goes to the oldest. */
void appt_queue_list(struct appt_screen *st);
/* The detail line's words for a's queued charge, or "" (out). */
void appt_queue_detail(const struct appt_screen *st, const struct appointment *a, char *out,
		       size_t size);

/* ---- appt_price_ui.c: % a discount or new price, E the receipt again ---- */
void appt_price_ask(struct appt_screen *st);
/* The price prompt's Enter: true when it may close (a dialog follows). */
bool appt_price_submit(struct appt_screen *st, const char *text);
void appt_receipt_resend(struct appt_screen *st);

/* ---- appt_find.c ---- */
/* Open the / (find a client) or J (go to a date) prompt. */
void appt_prompt_open(struct appt_screen *st, enum appt_prompt which);
enum ui_result appt_prompt_key(struct appt_screen *st, int key);
/* The prompt on one line (the agenda's key hints give way to it). */
void appt_prompt_draw(const struct appt_screen *st, struct ui_rect line);
/* Select the first row on the day st->y/m/d, else the next one after it. */
void appt_select_day(struct appt_screen *st);

#endif
