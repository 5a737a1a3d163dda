#include "qr_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "paydesk/payments_store.h"
#include "paydesk/qr_text.h"

int ui_qr_draw(const char *url, int y, int x, struct ui_rect a)
{
	if (url && *url && ui_charset_ascii()) { /* half blocks would read as "?" */
		ui_put(y++, x, a.w - 4, ROLE_DIM,
		       "(this terminal shows no QR code: give the client the link above)", false);
		return y;
	}
	int cols = 0, rows = 0;
	char *qr = url && *url ? qr_text_render(url, &cols, &rows) : NULL;
	if (!qr)
		return y;
	if (rows > a.y + a.h - y - 2 || cols > a.w - 2) {
		ui_put(y++, x, a.w - 4, ROLE_DIM, "(make the terminal bigger to show the QR code)",
		       false);
		free(qr);
		return y;
	}
	int qx = a.x + (a.w - cols) / 2;
	char *line = qr;
	for (int i = 0; i < rows && line && *line; i++) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		ui_put(y++, qx, cols, ROLE_NORMAL, line, false);
		line = nl ? nl + 1 : NULL;
	}
	free(qr);
	return y;
}

int ui_card_link_draw(sqlite3 *db, int64_t client_id, int y, struct ui_rect a)
{
	struct card_setup s;
	int x = a.x + 2;
	if (card_setups_latest(db, client_id, &s, NULL) != PD_OK) {
		ui_put(y + 1, x, a.w - 4, ROLE_DIM, "Making the save-a-card link…", false);
		return y + 2;
	}
	char line[300];
	snprintf(line, sizeof line, "Save a card for next time · link %s", s.status);
	ui_put(y++, x, a.w - 4, ROLE_TITLE, line, false);
	if (strcmp(s.status, "open") == 0) {
		ui_put(y++, x, a.w - 4, ROLE_HEADER, s.url, false);
		y = ui_qr_draw(s.url, y, x, a);
	} else if (strcmp(s.status, "complete") == 0) {
		ui_put(y++, x, a.w - 4, ROLE_OK, "The card is saved.", false);
	}
	card_setup_free(&s);
	return y;
}
