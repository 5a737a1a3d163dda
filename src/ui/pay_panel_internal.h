/* The payment panel's state, shared by its two modules: pay_panel.c (forms,
 * confirms, keys, jobs) and pay_panel_draw.c (drawing what pay_panel_reload
 * read). Not for other screens: they use pay_panel.h. */
#ifndef PAYDESK_UI_PAY_PANEL_INTERNAL_H
#define PAYDESK_UI_PAY_PANEL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/payments_store.h"
#include "paydesk/reader_holds.h"
#include "widgets.h"

/* PANEL_CARD_READER: the card held on the reader instead of the link. */
enum panel_mode { PANEL_NONE, PANEL_PAY, PANEL_REFUND, PANEL_VIEW, PANEL_CARD_LINK,
		  PANEL_CARD_READER };
/* Tip last (take payment only): Tab reaches it; Enter on the note still continues. */
enum { PF_AMOUNT, PF_CHOICE, PF_NOTE, PF_TIP, PF_COUNT };

struct pay_panel {
	struct ui *ui;
	enum panel_mode mode;
	int64_t id; /* appointment (or client for PANEL_CARD_LINK) */
	char currency[4];
	char title[300];
	struct ui_field fields[PF_COUNT];
	struct ui_form form;
	bool form_ready;
	/* refund form: "at the desk" first when desk tenders took money, then
	 * Stripe's reasons when Stripe did */
	const char *refund_choices[5];
	int refund_reason[4]; /* index into reason_keys, -1: at the desk */
	char desk_refund_label[64];
	char error[300];
	char limit[400]; /* refund form: the staff member's refund limit (and a package's note) */
	uint64_t jobs[8]; /* ours, for notices */
	/* The job whose payment the view waits for, and why it failed: the
	 * view then says so and what to do, never "Sending…" for good. */
	uint64_t view_job;
	char view_error[512];
	/* The client's saved cards, listed from Stripe as the pay form opens
	 * when the store has none: only then is "no saved card" known before
	 * the confirm. */
	uint64_t cards_job;
	bool cards_listed; /* that listing found no card at Stripe */
	/* What the view and the save-a-card link show, read by pay_panel_reload
	 * (when the view opens, a job finished, the screen reloads), never by
	 * drawing: a watched link is drawn again only when a poll answers. */
	struct {
		bool loaded;		 /* read for this mode and id */
		int appointment_rc;	 /* appointments_get: PD_OK or why not */
		struct appointment ap;	 /* when appointment_rc is PD_OK */
		bool have_last;
		struct pay_attempt last; /* the newest attempt */
		bool have_card;
		struct card_setup card;	 /* PANEL_CARD_LINK: the newest save-a-card link */
		char desk_reader[64], reader_label[128]; /* the reader this desk uses */
		bool have_hold;
		struct reader_hold hold; /* PANEL_CARD_READER: the client's newest try */
		char client[200];	 /* PANEL_CARD_READER: whose card */
	} shown;
	int64_t hold_before; /* PANEL_CARD_READER: the newest try before ours (0: none) */
};

/* Every change of what the panel shows goes through here (a watched
 * save-a-card link is let go when its view is left). */
void pay_panel_set_mode(struct pay_panel *p, enum panel_mode mode);
/* Training mode: the simulated reader takes a test card on `t`. */
bool pay_panel_training(const struct pay_panel *p);

#endif
