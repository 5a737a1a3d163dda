/* The Express account panel of the Setup tab. */
#ifndef PAYDESK_UI_SETUP_EXPRESS_H
#define PAYDESK_UI_SETUP_EXPRESS_H

#include "paydesk/audit.h"
#include "paydesk/connect_job.h"
#include "paydesk/stripe_account.h"
#include "widgets.h"

struct setup_express;

struct setup_express *setup_express_new(void);
void setup_express_free(struct setup_express *x);
void setup_express_draw(struct setup_express *x, struct ui *ui, struct ui_rect area,
			const struct stripe_account_row *row);
/* Raw keys while a field is asked for (UI_UNHANDLED otherwise). */
enum ui_result setup_express_key(struct setup_express *x, struct ui *ui, int key,
				 const struct stripe_account_row *row);
/* The panel's keys (c k o r g u), pushed while no field is asked for;
 * row is the Setup tab's, read when a key runs. */
void setup_express_keymaps(struct setup_express *x, const struct stripe_account_row *row,
			   struct ui_keymaps *s);
bool setup_express_editing(const struct setup_express *x);
void setup_express_job_done(struct setup_express *x, struct ui *ui,
			    const struct jobs_completion *c, const struct stripe_account_row *row);

#endif
