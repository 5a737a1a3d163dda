/* Drawing the payment panel: the pay/refund form, the payment view, the
 * save-a-card link and the card held on the reader, from what
 * pay_panel_reload read (never from the store while drawing). */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "pay_panel.h"
#include "pay_panel_internal.h"
#include "paydesk/money.h"
#include "paydesk/payments.h"
#include "qr_view.h"
#include "widgets.h"

/* ---- drawing ------------------------------------------------------------------ */

/* text wrapped at width from row y, at most up to row last */
static void draw_wrapped(const char *t, int y, int x, int width, int last, enum theme_role role)
{
	while (*t && y <= last) {
		size_t n = ui_wrap(t, width);
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)n, t);
		ui_put(y++, x, width, role, line, false);
		t += n;
		while (*t == ' ')
			t++;
	}
}

static void draw_view(struct pay_panel *p, struct ui_rect a)
{
	int y = a.y;
	int x = a.x + 2;
	if (p->shown.loaded && p->shown.appointment_rc != PD_OK) {
		pay_panel_set_mode(p, PANEL_NONE); /* gone (deleted meanwhile): nothing to show */
		return;
	}
	const struct appointment ap = p->shown.ap;
	const struct pay_attempt last = p->shown.last;
	if (p->view_error[0] || !p->shown.have_last) { /* not read yet, or no attempt yet */
		/* Refused before any attempt was recorded (no reader, Stripe
		 * locked): said whole, with what to do. */
		if (p->view_error[0])
			draw_wrapped(p->view_error, y + 1, x, a.w - 4, a.y + a.h - 2, ROLE_ERROR);
		else
			ui_put(y + 1, x, a.w - 4, ROLE_DIM, "Sending to Stripe…", false);
		ui_put(a.y + a.h - 1, x, a.w - 4, ROLE_HELP_KEY, "Esc: back", false);
		return;
	}
	char money[64], line[700];
	money_format(last.amount, last.currency, money, sizeof money);
	snprintf(line, sizeof line, "%s · %s · %s · %s %s", ap.client_name, ap.service_name, money,
		 payrow_method_label(last.method), payrow_status_key(last.status));
	ui_put(y++, x, a.w - 4, ROLE_TITLE, line, false);
	char payment[160];
	snprintf(line, sizeof line, "Appointment %s · payment %s", appt_state_label(ap.state),
		 appt_payment_text(&ap, false, payment, sizeof payment));
	ui_put(y++, x, a.w - 4,
	       ap.payment == PAY_PAID ? ROLE_OK : ap.payment == PAY_FAILED ? ROLE_ERROR : ROLE_NORMAL,
	       line, false);
	ui_put(y++, x, a.w - 4, last.status == PAYROW_FAILED ? ROLE_ERROR : ROLE_NORMAL,
	       last.message ? last.message : "", false);
	const char *help = "Esc: back";
	if (last.method == PAYROW_LINK) {
		if (last.status == PAYROW_OPEN && last.url) {
			/* The whole URL, wrapped: the QR code rarely fits under it at 80x24. */
			y = ui_link_url_draw(last.url, y, x, a.w - 4, a.y + a.h - 3, ROLE_HEADER);
			y = ui_qr_draw(last.url, y, x, a);
			help = "Q: QR code  C: copy link  c: check now  Esc: back (paydesk keeps watching)";
		} else if (last.status == PAYROW_EXPIRED) {
			help = "n: make a new link   Esc: back";
		}
	} else if (last.method == PAYROW_READER && last.status == PAYROW_OPEN) {
		static const char spin[] = "|/-\\";
		const char *label = p->shown.reader_label;
		bool ours = last.reader_id && label[0] &&
			    strcmp(p->shown.desk_reader, last.reader_id) == 0;
		snprintf(line, sizeof line, "%c waiting for the card on %s", spin[p->ui->spinner % 4],
			 ours ? label : last.reader_id ? last.reader_id : "the reader");
		ui_put(y++, x, a.w - 4, ROLE_PROGRESS, line, false);
		help = pay_panel_training(p) ? "t: tap a test card (training)   K: stop the reader   Esc: back"
				   : "K: stop the reader   Esc: back (paydesk keeps watching)";
	}
	ui_put(a.y + a.h - 1, x, a.w - 4, ROLE_HELP_KEY, help, false);
}

static void draw_card_link(struct pay_panel *p, struct ui_rect a)
{
	ui_card_setup_draw(p->shown.have_card ? &p->shown.card : NULL, a.y, a);
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Q: QR code  C: copy link  r: on the card reader instead  Esc: back", false);
}

/* The card held on the reader: what the reader is doing, then its end. */
static void draw_card_reader(struct pay_panel *p, struct ui_rect a)
{
	int y = a.y, x = a.x + 2;
	char line[700];
	snprintf(line, sizeof line, "Hold a card on the reader · %s", p->shown.client);
	ui_put(y++, x, a.w - 4, ROLE_TITLE, line, false);
	const struct reader_hold *h = &p->shown.hold;
	if (p->view_error[0] || !p->shown.have_hold) {
		if (p->view_error[0])
			draw_wrapped(p->view_error, y + 1, x, a.w - 4, a.y + a.h - 2, ROLE_ERROR);
		else
			ui_put(y + 1, x, a.w - 4, ROLE_DIM, "Asking the reader…", false);
		ui_put(a.y + a.h - 1, x, a.w - 4, ROLE_HELP_KEY, "Esc: back", false);
		return;
	}
	enum theme_role role = h->status == HOLD_COMPLETE ? ROLE_OK
			       : h->status == HOLD_OPEN	   ? ROLE_NORMAL
							   : ROLE_ERROR;
	draw_wrapped(h->message, y + 1, x, a.w - 4, a.y + a.h - 4, role);
	const char *help = "Esc: back";
	if (h->status == HOLD_OPEN) {
		static const char spin[] = "|/-\\";
		bool ours = p->shown.reader_label[0] && strcmp(p->shown.desk_reader, h->reader_id) == 0;
		snprintf(line, sizeof line, "%c waiting for the card on %s", spin[p->ui->spinner % 4],
			 ours ? p->shown.reader_label : h->reader_id);
		ui_put(a.y + a.h - 3, x, a.w - 4, ROLE_PROGRESS, line, false);
		help = pay_panel_training(p) ? "t: tap a test card (training)   K: stop the reader   Esc: back"
				   : "K: stop the reader   Esc: back (paydesk keeps watching)";
	} else if (h->status != HOLD_COMPLETE) {
		help = "r: try the reader again   Esc: back";
	}
	ui_put(a.y + a.h - 1, x, a.w - 4, ROLE_HELP_KEY, help, false);
}

void pay_panel_draw(struct pay_panel *p, struct ui_rect a)
{
	if (p->mode == PANEL_VIEW) {
		draw_view(p, a);
		return;
	}
	if (p->mode == PANEL_CARD_LINK) {
		draw_card_link(p, a);
		return;
	}
	if (p->mode == PANEL_CARD_READER) {
		draw_card_reader(p, a);
		return;
	}
	int y = a.y + 1;
	ui_put(y, a.x + 2, a.w - 4, ROLE_TITLE, p->title, false);
	if (p->mode == PANEL_REFUND && p->limit[0])
		ui_put(y + 1, a.x + 2, a.w - 4, ROLE_DIM, p->limit, false);
	y += 2;
	ui_form_draw(&p->form, (struct ui_rect){y, a.x + 2, p->form.n * 2 + 2, a.w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	if (p->error[0]) { /* whole, wrapped: a refusal is read before anything is confirmed */
		const char *t = p->error;
		int rows = 0;
		for (; *t && rows < 3; rows++) {
			t += ui_wrap(t, a.w - 4);
			while (*t == ' ')
				t++;
		}
		t = p->error;
		for (int i = 0; i < rows; i++) {
			char line[sizeof p->error];
			size_t n = ui_wrap(t, a.w - 4);
			snprintf(line, sizeof line, "%.*s", (int)n, t);
			ui_put(a.y + a.h - 2 - rows + i, a.x + 2, a.w - 4, ROLE_ERROR, line, false);
			t += n;
			while (*t == ' ')
				t++;
		}
	}
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Tab: next field   Enter on the last field / Ctrl-S: continue   Esc: cancel", false);
	move(cy, cx);
}
