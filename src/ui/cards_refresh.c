#include "cards_refresh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/history.h"
#include "paydesk/payments_job.h"
#include "paydesk/payments_store.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_key.h"

enum { SEEN_MAX = 64 };

struct cards_refresh {
	uint64_t job;     /* the listing in flight, 0: none */
	int64_t job_client;
	struct {
		int64_t client;
		time_t at; /* when its listing was queued */
		/* the client's version and the last history sync then: an
		 * import, a match to a customer or a sync since lists again */
		int64_t version, synced;
	} seen[SEEN_MAX];
	size_t next; /* the slot to reuse when seen[] is full */
};

struct cards_refresh *cards_refresh_new(void)
{
	return calloc(1, sizeof(struct cards_refresh));
}

void cards_refresh_free(struct cards_refresh **r)
{
	free(*r);
	*r = NULL;
}

static size_t slot(struct cards_refresh *r, int64_t client)
{
	for (size_t i = 0; i < SEEN_MAX; i++)
		if (r->seen[i].client == client)
			return i;
	size_t i = r->next;
	r->next = (r->next + 1) % SEEN_MAX;
	r->seen[i].client = client;
	r->seen[i].at = 0;
	r->seen[i].version = r->seen[i].synced = -1;
	return i;
}

void cards_refresh_shown(struct cards_refresh *r, struct ui *ui, int64_t client_id, bool opened)
{
	if (!r || !client_id)
		return;
	size_t i = slot(r, client_id);
	struct client c;
	struct pd_error err = {0};
	if (clients_get(ui->app->db, client_id, &c, &err) != PD_OK)
		return;
	bool at_stripe = c.stripe_customer_id != NULL;
	int64_t version = c.version, synced = 0;
	client_free(&c);
	history_last_synced(ui->app->db, &synced, &err);
	if (opened || version != r->seen[i].version || synced != r->seen[i].synced)
		r->seen[i].at = 0;
	time_t now = time(NULL);
	if (r->job || (r->seen[i].at && now - r->seen[i].at < CARDS_FRESH_SECONDS))
		return;
	/* asked (or nothing to ask): not again for a while */
	r->seen[i].at = now;
	r->seen[i].version = version;
	r->seen[i].synced = synced;
	if (!at_stripe || !ui->app->jobs || !stripe_key_unlocked(ui->app))
		return; /* offline or locked: the line shows what was last listed */
	struct pay_job_request req = {.op = PAY_OP_CARDS, .id = client_id};
	/* no key here: the job opens it on its worker */
	r->job = payments_job_submit(ui->app->jobs, &req, NULL, &ui->app->session);
	r->job_client = client_id;
}

bool cards_refresh_job_done(struct cards_refresh *r, const struct jobs_completion *c)
{
	if (!r || !r->job || c->id != r->job)
		return false;
	r->job = 0;
	r->job_client = 0;
	return true;
}

void cards_refresh_line(struct ui *ui, const struct cards_refresh *r, const struct client *c,
			bool hints, char *out, size_t len)
{
	struct client_card *cc = NULL;
	size_t n = 0;
	bool have = c->stripe_customer_id &&
		    client_cards_list(ui->app->db, c->id, &cc, &n, NULL) == PD_OK;
	cards_refresh_line_of(r, c, have, cc, n, hints, out, len);
	free(cc);
}

void cards_refresh_line_of(const struct cards_refresh *r, const struct client *c, bool have,
			   const struct client_card *cc, size_t n, bool hints, char *out,
			   size_t len)
{
	out[0] = '\0';
	if (!c->stripe_customer_id || !have) {
		if (c->bill_with_stripe)
			snprintf(out, len, "not at Stripe yet%s", hints ? " (Y sends the client)" : "");
		else if (!hints)
			snprintf(out, len, "not billed with Stripe");
		return;
	}
	size_t used = (size_t)snprintf(out, len, "Stripe %s · ", c->stripe_customer_id);
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s ·%s %02d/%02d", i ? ", " : "",
					 cc[i].brand, cc[i].last4, cc[i].exp_month % 100,
					 cc[i].exp_year % 100);
	if (n == 0 && used < len) {
		if (r && r->job && r->job_client == c->id)
			snprintf(out + used, len - used, "asking Stripe for saved cards…");
		else
			snprintf(out + used, len - used, "no saved card%s",
				 hints ? " (S saves one)" : "");
	}
}
