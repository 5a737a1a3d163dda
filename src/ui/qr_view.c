#include "qr_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charset.h"
#include "clipboard.h"
#include "paydesk/payments_store.h"
#include "paydesk/qr_text.h"

extern const struct ui *ui_current;

int ui_link_url_draw(const char *url, int y, int x, int w, int last_row, enum theme_role role)
{
	/* Every character kept: at spaces where there are some, else by width
	 * (a URL has none). */
	char chunk[512];
	const char *s = url ? url : "";
	while (*s && y <= last_row && w > 0) {
		size_t n = ui_wrap(s, w < (int)sizeof chunk / 4 ? w : (int)sizeof chunk / 4);
		if (n == 0)
			n = 1;
		memcpy(chunk, s, n);
		chunk[n] = '\0';
		ui_put(y++, x, w, role, chunk, false);
		s += n;
	}
	return y;
}

/* Lines of a rendered QR code on the fixed light background, from (y, x). */
static void put_qr_lines(const char *qr, int rows, int y, int x)
{
	attr_t attr = ui_current ? (attr_t)ui_current->qr_attr : A_REVERSE;
	const char *line = qr;
	for (int i = 0; i < rows && line && *line && y + i < LINES; i++) {
		const char *nl = strchr(line, '\n');
		attrset(attr);
		mvaddnstr(y + i, x, line, nl ? (int)(nl - line) : -1);
		attrset(A_NORMAL);
		line = nl ? nl + 1 : NULL;
	}
}

/* The codes last encoded (the panel's, and the whole screen's at each quiet
 * zone), kept until their URL changes: encoding took ~1.2 ms a frame. */
static struct qr_memo {
	char *url;
	enum qr_text_ink ink;
	int quiet;
	char *text; /* NULL: the URL has no code (too long) */
	int cols, rows;
} memo[3];
static unsigned memo_next;

const char *ui_qr_text(const char *url, enum qr_text_ink ink, int quiet, int *cols, int *rows)
{
	for (size_t i = 0; i < sizeof memo / sizeof memo[0]; i++) {
		if (memo[i].url && memo[i].ink == ink && memo[i].quiet == quiet &&
		    strcmp(memo[i].url, url) == 0) {
			*cols = memo[i].cols;
			*rows = memo[i].rows;
			return memo[i].text;
		}
	}
	struct qr_memo *m = &memo[memo_next++ % (sizeof memo / sizeof memo[0])];
	free(m->url);
	free(m->text);
	*m = (struct qr_memo){.url = strdup(url), .ink = ink, .quiet = quiet};
	m->text = qr_text_render_ink(url, ink, quiet, &m->cols, &m->rows);
	if (!m->url) { /* out of memory: not kept */
		free(m->text);
		*m = (struct qr_memo){0};
		return NULL;
	}
	*cols = m->cols;
	*rows = m->rows;
	return m->text;
}

void ui_qr_forget(void)
{
	for (size_t i = 0; i < sizeof memo / sizeof memo[0]; i++) {
		free(memo[i].url);
		free(memo[i].text);
		memo[i] = (struct qr_memo){0};
	}
}

int ui_qr_draw(const char *url, int y, int x, struct ui_rect a)
{
	if (url && *url && ui_charset_ascii()) { /* half blocks would read as "?" */
		ui_put(y++, x, a.w - 4, ROLE_DIM,
		       "(this terminal shows no QR code: give the client the link above)", false);
		return y;
	}
	int cols = 0, rows = 0;
	const char *qr = url && *url ? ui_qr_text(url, QR_TEXT_DARK_BLOCKS, 2, &cols, &rows) : NULL;
	if (!qr)
		return y;
	if (rows > a.y + a.h - y - 2 || cols > a.w - 2) {
		ui_put(y++, x, a.w - 4, ROLE_DIM, "(Q: the QR code on the whole screen)", false);
		return y;
	}
	put_qr_lines(qr, rows, y, a.x + (a.w - cols) / 2);
	return y + rows;
}

/* ---- the QR code alone on the screen ------------------------------------------ */

void ui_qr_screen_open(struct ui *ui, const char *url, const char *title)
{
	char *copy = url ? strdup(url) : NULL;
	if (!copy)
		return;
	free(ui->qr_screen_url);
	ui->qr_screen_url = copy;
	snprintf(ui->qr_screen_title, sizeof ui->qr_screen_title, "%s", title ? title : "Link");
}

void ui_qr_screen_close(struct ui *ui)
{
	free(ui->qr_screen_url);
	ui->qr_screen_url = NULL;
}

void ui_link_copy(struct ui *ui, const char *url)
{
	if (ui_clipboard_copy(url) == 0)
		ui_notify(ui, UI_NOTICE_INFO, "link copied to the clipboard (if your terminal allows it)");
	else
		ui_notify(ui, UI_NOTICE_ERROR, "could not write the link to the terminal");
}

enum ui_result ui_qr_screen_key(struct ui *ui, int key)
{
	if (key == UI_CTRL('c'))
		return UI_UNHANDLED;
	if (key == 'C')
		ui_link_copy(ui, ui->qr_screen_url);
	else
		ui_qr_screen_close(ui); /* any other key: back */
	return UI_HANDLED;
}

void ui_qr_screen_draw(struct ui *ui)
{
	const char *url = ui->qr_screen_url;
	int cols = 0, rows = 0;
	const char *qr = NULL;
	if (!ui_charset_ascii()) {
		/* A quiet zone of 2 modules if it fits, else 1: phones read both. */
		for (int quiet = 2; quiet >= 1 && !qr; quiet--) {
			qr = ui_qr_text(url, QR_TEXT_DARK_BLOCKS, quiet, &cols, &rows);
			if (qr && (rows > LINES || cols > COLS))
				qr = NULL;
		}
	}
	int tx = 1, ty = 0, tw = COLS - 2, last = LINES - 1;
	if (qr) {
		put_qr_lines(qr, rows, 0, 0);
		if (COLS - cols - 3 >= 20) { /* the text beside the code */
			tx = cols + 2;
			tw = COLS - tx - 1;
		} else { /* below it, if any row is left */
			ty = rows + 1;
		}
	} else if (ui_charset_ascii()) {
		ui_put(ty++, tx, tw, ROLE_DIM, "(this terminal shows no QR code)", false);
	} else {
		ui_put(ty++, tx, tw, ROLE_WARNING,
		       "The QR code of this link needs a taller terminal.", false);
	}
	if (ty > last)
		return;
	ui_put(ty++, tx, tw, ROLE_TITLE, ui->qr_screen_title, false);
	ty = ui_link_url_draw("Show the client this code or link.", ty, tx, tw, last - 2,
			      ROLE_NORMAL);
	ty = ui_link_url_draw(url, ty + 1, tx, tw, last - 2, ROLE_HEADER);
	/* No status line here: the last notice (a copy) shows in the text. */
	if (ui->notice[0] && time(NULL) < ui->notice_until)
		ui_link_url_draw(ui->notice, ty + 1, tx, tw, last - 2,
				 ui->notice_kind == UI_NOTICE_ERROR ? ROLE_ERROR : ROLE_NOTICE);
	ui_put(last - 1, tx, tw, ROLE_HELP_KEY, "C: copy the link", false);
	ui_put(last, tx, tw, ROLE_HELP_KEY, "any other key: back", false);
}

enum ui_result ui_link_key(struct ui *ui, const char *url, const char *title, int key)
{
	if (!url || !*url)
		return UI_UNHANDLED;
	if (key == 'Q') {
		ui_qr_screen_open(ui, url, title);
		return UI_HANDLED;
	}
	if (key == 'C') {
		ui_link_copy(ui, url);
		return UI_HANDLED;
	}
	return UI_UNHANDLED;
}

/* ---- save-a-card links --------------------------------------------------------- */

int ui_card_setup_draw(const struct card_setup *s, int y, struct ui_rect a)
{
	int x = a.x + 2;
	if (!s) {
		ui_put(y + 1, x, a.w - 4, ROLE_DIM, "Making the save-a-card link…", false);
		return y + 2;
	}
	char line[300];
	snprintf(line, sizeof line, "Save a card for next time · link %s", s->status);
	ui_put(y++, x, a.w - 4, ROLE_TITLE, line, false);
	if (strcmp(s->status, "open") == 0) {
		ui_put(y++, x, a.w - 4, ROLE_NORMAL,
		       "Show the client this code or link (nothing was sent to them).", false);
		y = ui_link_url_draw(s->url, y, x, a.w - 4, a.y + a.h - 3, ROLE_HEADER);
		y = ui_qr_draw(s->url, y, x, a);
	} else if (strcmp(s->status, "complete") == 0) {
		ui_put(y++, x, a.w - 4, ROLE_OK, "The card is saved.", false);
	}
	return y;
}

int ui_card_link_draw(sqlite3 *db, int64_t client_id, int y, struct ui_rect a)
{
	struct card_setup s;
	if (card_setups_latest(db, client_id, &s, NULL) != PD_OK)
		return ui_card_setup_draw(NULL, y, a);
	y = ui_card_setup_draw(&s, y, a);
	card_setup_free(&s);
	return y;
}

enum ui_result ui_card_link_key(struct ui *ui, int64_t client_id, int key)
{
	if (key != 'Q' && key != 'C')
		return UI_UNHANDLED;
	struct card_setup s;
	if (card_setups_latest(ui->app->db, client_id, &s, NULL) != PD_OK)
		return UI_UNHANDLED;
	enum ui_result r = strcmp(s.status, "open") == 0
				   ? ui_link_key(ui, s.url, "Save a card for next time", key)
				   : UI_UNHANDLED;
	card_setup_free(&s);
	return r;
}
