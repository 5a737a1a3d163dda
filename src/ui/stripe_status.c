/* Status-line badges for a Stripe outage and the charges queued during it;
 * see stripe_status.h. */
#include "stripe_status.h"

#include <stdio.h>

#include "paydesk/auth.h"

#include "paydesk/app.h"
#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "paydesk/queued_charges.h"
#include "paydesk/reach_job.h"
#include "paydesk/stripe_key.h"
#include "paydesk/stripe_reach.h"
#include "paydesk/tz.h"

static uint64_t seen_generation; /* stripe_reach_generation() when last looked at */
static time_t told_since;        /* the outage the desk was shown, 0: none */
static int queued_known;         /* charges queued, as last read (never while drawing) */

void ui_stripe_status_when(time_t t, char *out, size_t size)
{
	struct tz_civil c, now;
	tz_to_civil((int64_t)t, &c);
	tz_to_civil((int64_t)time(NULL), &now);
	if (c.year == now.year && c.month == now.month && c.day == now.day)
		snprintf(out, size, "%02d:%02d", c.hour % 100, c.minute % 100);
	else
		snprintf(out, size, "%04d-%02d-%02d %02d:%02d", c.year % 10000, c.month % 100,
			 c.day % 100, c.hour % 100, c.minute % 100);
}

static int queued_count(struct ui *ui)
{
	int n = 0;
	if (ui->app->db && qcharges_count_open(ui->app->db, &n, NULL) == PD_OK)
		queued_known = n;
	return queued_known;
}

void ui_stripe_status_note_queued(int n)
{
	queued_known = n;
}

bool ui_stripe_status_shown(struct ui *ui)
{
	(void)ui;
	return stripe_reach_down(NULL) || queued_known > 0 ||
	       stripe_reach_waiting(time(NULL)) >= UI_STRIPE_SLOW_SECONDS;
}

int ui_stripe_status_draw(struct ui *ui, int y, int x, int room)
{
	time_t since = 0;
	bool down = stripe_reach_down(&since);
	int queued = queued_known, used = 0;
	if (ui->app->session.signed_in) { /* the signed-in name keeps its room (up to 16) */
		int name = ui_text_width(ui->app->session.name) + 1;
		room -= name < 16 ? name : 16;
	}
	char text[96], when[32];
	if (down && room > 0) {
		ui_stripe_status_when(since, when, sizeof when);
		snprintf(text, sizeof text, " Stripe unreachable since %s ", when);
		used += ui_put(y, x, room, ROLE_ERROR, text, false);
	} else if (room > 0) {
		long waited = stripe_reach_waiting(time(NULL));
		if (waited >= UI_STRIPE_SLOW_SECONDS) {
			snprintf(text, sizeof text, " Stripe slow: no answer for %lds ", waited);
			used += ui_put(y, x, room, ROLE_WARNING, text, false);
		}
	}
	if (queued > 0 && room - used > 0) {
		snprintf(text, sizeof text, " %d queued ", queued);
		used += ui_put(y, x + used, room - used, ROLE_WARNING, text, false);
	}
	return used;
}

/* One check in delay seconds (0: now), if the key can be opened. */
static void check_after(struct ui *ui, double delay)
{
	if (!ui->app->jobs || !stripe_key_unlocked(ui->app))
		return;
	reach_probe_submit(ui->app->jobs, NULL, delay); /* the job opens the key on its worker */
}

int ui_stripe_status_jobs(struct ui *ui)
{
	if (!ui->app->jobs)
		return 0;
	int n = (int)jobs_pending(ui->app->jobs) - reach_probe_count();
	return n > 0 ? n : 0;
}

void ui_stripe_status_check_now(struct ui *ui)
{
	check_after(ui, 0);
}

/* While unreachable, one check every REACH_PROBE_SECONDS. */
static void keep_checking(struct ui *ui)
{
	if (!reach_probe_pending())
		check_after(ui, REACH_PROBE_SECONDS);
}

void ui_stripe_status_tick(struct ui *ui)
{
	queued_count(ui); /* a desk elsewhere may have queued or sent one */
	time_t since = 0;
	bool down = stripe_reach_down(&since);
	uint64_t gen = stripe_reach_generation();
	if (gen != seen_generation) {
		seen_generation = gen;
		char when[32];
		if (down) {
			told_since = since;
			log_msg(LOG_WARN, "Stripe unreachable: the desk goes on without it");
		} else if (told_since) {
			ui_stripe_status_when(told_since, when, sizeof when);
			told_since = 0;
			int queued = queued_count(ui);
			if (queued > 0)
				ui_notify(ui, UI_NOTICE_ERROR,
					  "Stripe answers again (unreachable since %s). %d queued "
					  "charge%s wait%s: Q on Appointments lists them, p sends one.",
					  when, queued, queued == 1 ? "" : "s", queued == 1 ? "s" : "");
			else
				ui_notify(ui, UI_NOTICE_INFO,
					  "Stripe answers again (unreachable since %s).", when);
		}
	}
	if (down)
		keep_checking(ui);
}
