/* Private to the Clients tab: screen_clients.c (the tab: switching lists,
 * search, the form and delete flows, the frame) and its three lists, one
 * file each: clients_list.c, services_list.c, staff_list.c. */
#ifndef PAYDESK_UI_CLIENTS_TAB_H
#define PAYDESK_UI_CLIENTS_TAB_H

#include <sqlite3.h>
#include <stdint.h>

#include "paydesk/clients.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "cards_refresh.h"
#include "pay_panel.h"
#include "policy_form.h"
#include "widgets.h"

enum list_kind { LK_CLIENTS, LK_SERVICES, LK_STAFF, LK_COUNT };
enum clients_mode { M_LIST, M_SEARCH, M_FORM };
#define CLIENTS_TAB_MAX_FIELDS 5

struct clients_state {
	struct ui *ui;
	enum list_kind kind;
	enum clients_mode mode;
	struct ui_list list;
	struct textedit query;
	int64_t *ids;
	size_t nids;
	struct service *services;
	size_t nservices;
	struct staff *staff;
	size_t nstaff;
	struct client cur; /* the selected client, for drawing */

	struct ui_field fields[CLIENTS_TAB_MAX_FIELDS];
	struct ui_form form;
	bool form_ready;
	int64_t edit_id, edit_version;
	char form_error[600];
	struct pay_panel *pay; /* the save-a-card link view */
	int64_t detail_id;     /* the client shown at a glance (o), 0: none */
	int64_t cards_opened;  /* detail_id whose opening listed its cards */
	struct cards_refresh *cards;
	struct policy_form *policy; /* P / B on the services list */
};

/* One list of the tab: what the tab's flows (load, form, save, delete,
 * draw) do for that kind of row. */
struct tab_list {
	const char *name; /* "Clients", in the list switcher */
	const char *one;  /* "client", in titles and notices */
	/* Read the rows into st (the tab freed the last ones); *count rows. */
	int (*load)(struct clients_state *st, sqlite3 *db, long *count, struct pd_error *err);
	/* The form's fields (clients_tab_form_setup), filled from row sel when edit. */
	void (*open_form)(struct clients_state *st, bool edit, long sel);
	/* Insert or update from the form (*id: the row, 0 for a new one). */
	int (*save)(struct clients_state *st, sqlite3 *db, int64_t *id, struct pd_error *err);
	/* The field a PD_ERR_EXISTS is about (NULL: found from the message). */
	int (*exists_field)(const char *msg);
	/* After a save (NULL: nothing). */
	void (*saved)(struct clients_state *st, int64_t id);
	int64_t (*row_id)(const struct clients_state *st, long i);
	/* The question before deleting / disabling row sel; false: do not ask. */
	bool (*delete_question)(struct clients_state *st, long sel, char *body, size_t len,
				const char **title, const char **label);
	int (*delete_row)(struct clients_state *st, sqlite3 *db, long sel, struct pd_error *err);
	const char *deleted; /* the notice after delete_row */
	/* Column heads on line y, then the rows. */
	void (*draw_rows)(struct clients_state *st, struct ui_rect rows, int y);
	const char *(*empty)(const struct clients_state *st);
	/* Under the rows, about the selected one (NULL: nothing). */
	void (*draw_footer)(struct clients_state *st, struct ui *ui, struct ui_rect a);
};

extern const struct tab_list list_clients, list_services, list_staff;

/* Blank fields past n, the form ready over the first n; mode M_FORM. */
void clients_tab_form_setup(struct clients_state *st, int n);

#endif
