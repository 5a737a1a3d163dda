/* `paydesk payouts [list|show ID|month YYYY-MM]`: the payouts Stripe made,
 * what each paid out (with the record behind every transaction and a check
 * that they add up to it), and a month's reconciliation — from the store as
 * last synced (paydesk sync). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/cli.h"
#include "paydesk/money.h"
#include "paydesk/payouts.h"
#include "paydesk/payouts_text.h"
#include "paydesk/tz.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk payouts [list [--limit N]]\n"
	      "       paydesk payouts show PAYOUT_ID\n"
	      "       paydesk payouts month YYYY-MM\n"
	      "list: the payouts, newest first (date, amount, status, arrival, method, and\n"
	      "whether their transactions add up to them). show: one payout's transactions\n"
	      "(payments, refunds, fees, disputes, adjustments) and the client, appointment\n"
	      "or subscription behind each. month: gross, refunds, disputes, fees, net, paid\n"
	      "out and still in balance. As of the last paydesk sync.\n",
	      out);
}

static void upper(const char *in, char *out)
{
	size_t i = 0;
	for (; in[i] && i < 3; i++)
		out[i] = (char)(in[i] >= 'a' && in[i] <= 'z' ? in[i] - 32 : in[i]);
	out[i] = '\0';
}

/* "ok", "off 1.23" or "…" (transactions not all known yet). */
static const char *check(const struct payout_row *p, char *out, size_t len)
{
	char a[48];
	if (!p->txns_done)
		snprintf(out, len, "syncing");
	else if (p->difference == 0)
		snprintf(out, len, "adds up");
	else
		snprintf(out, len, "off %s",
		         payouts_amount(p->difference, p->currency, a, sizeof a));
	return out;
}

static int list(struct app *app, long limit)
{
	struct payout_row *rows = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	int rc = payouts_page(app->db, 0, "", (size_t)limit, &rows, &n, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	if (n == 0) {
		printf("No payouts synced yet: paydesk sync fetches them from Stripe.\n");
		return 0;
	}
	printf("%-10s  %-30s %12s %-3s  %-10s %-10s  %-17s  %s\n", "DATE", "PAYOUT", "AMOUNT",
	       "CUR", "STATUS", "ARRIVES", "METHOD", "CHECK");
	for (size_t i = 0; i < n; i++) {
		const struct payout_row *p = &rows[i];
		char d1[16], d2[16], a[48], cur[4], ck[64], how[24];
		upper(p->currency, cur);
		snprintf(how, sizeof how, "%s %s", p->automatic ? "automatic" : "manual", p->method);
		printf("%-10s  %-30s %12s %-3s  %-10s %-10s  %-17s  %s\n",
		       payouts_day(p->created, d1, sizeof d1), p->id,
		       payouts_amount(p->amount, p->currency, a, sizeof a), cur, p->status,
		       payouts_day(p->arrival_date, d2, sizeof d2), how, check(p, ck, sizeof ck));
	}
	free(rows);
	return 0;
}

/* The record behind: client, then the appointment or subscription. */
static void behind(const struct payout_txn_row *t, char *out, size_t len)
{
	if (!t->record[0]) {
		snprintf(out, len, "%s", t->source[0] ? t->source : "-");
		return;
	}
	const char *what = t->appointment[0] ? "appointment " : t->subscription[0] ? "subscription " : "";
	const char *which = t->appointment[0] ? t->appointment : t->subscription;
	snprintf(out, len, "%s%s%s%s", t->client[0] ? t->client : t->record,
		 what[0] ? " · " : "", what, which);
}

static int show(struct app *app, const char *id)
{
	struct payout_row p;
	struct pd_error err = {0};
	int rc = payout_get(app->db, id, &p, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	struct payout_txn_row *t = NULL;
	size_t n = 0;
	if ((rc = payout_txns(app->db, p.id, &t, &n, &err)))
		return cli_fail(rc, err.msg);
	char d1[16], d2[16], a[48], b[48], c[48], cur[4];
	upper(p.currency, cur);
	printf("Payout %s: %s %s, %s (%s, %s)\n", p.id,
	       payouts_amount(p.amount, p.currency, a, sizeof a), cur, p.status,
	       p.automatic ? "automatic" : "manual", p.method);
	printf("Created %s, arrives %s%s%s\n", payouts_day(p.created, d1, sizeof d1),
	       payouts_day(p.arrival_date, d2, sizeof d2), p.failure[0] ? "; failed: " : "",
	       p.failure);
	printf("\n%-10s  %-11s %12s %10s %12s  %s\n", "DATE", "TYPE", "AMOUNT", "FEE", "NET",
	       "BEHIND IT");
	int64_t sum = 0, own = 0;
	for (size_t i = 0; i < n; i++) {
		char who[200];
		behind(&t[i], who, sizeof who);
		printf("%-10s  %-11s %12s %10s %12s  %s\n",
		       payouts_day(t[i].created, d1, sizeof d1), payouts_txn_kind(&t[i]),
		       payouts_amount(t[i].amount, t[i].currency, a, sizeof a),
		       payouts_amount(t[i].fee, t[i].currency, b, sizeof b),
		       payouts_amount(t[i].net, t[i].currency, c, sizeof c), who);
		if (strcmp(t[i].type, "payout") == 0 && strcmp(t[i].source, p.id) == 0)
			own += t[i].net;
		else
			sum += t[i].net;
	}
	free(t);
	printf("\nTransactions %s; payout %s", payouts_amount(sum, p.currency, a, sizeof a),
	       payouts_amount(p.amount, p.currency, b, sizeof b));
	if (p.payout_fee)
		printf(" + instant payout fee %s",
		       payouts_amount(p.payout_fee, p.currency, c, sizeof c));
	if (!p.txns_done)
		printf("; its transactions are not all synced yet (paydesk sync)\n");
	else if (p.difference == 0)
		printf(": they add up (difference 0)\n");
	else
		printf(": difference %s %s\n",
		       payouts_amount(p.difference, p.currency, c, sizeof c), cur);
	(void)own;
	return 0;
}

static int month(struct app *app, const char *which)
{
	struct payout_month *m = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	int rc = payouts_month(app->db, which, &m, &n, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	printf("Month %s (%s), from the balance transactions as last synced\n", which, tz_name());
	if (n == 0)
		printf("\nNo money moved in Stripe that month (or paydesk sync has not fetched it).\n");
	for (size_t i = 0; i < n; i++) {
		const struct payout_month *s = &m[i];
		const char *c = s->currency;
		char cur[4], v[48];
		upper(c, cur);
		printf("\n%s (%ld transactions)\n", cur, s->txn_count);
		printf("  %-28s %14s\n", "Gross payments",
		       payouts_amount(s->gross, c, v, sizeof v));
		printf("  %-28s %14s\n", "Refunds", payouts_amount(s->refunds, c, v, sizeof v));
		printf("  %-28s %14s\n", "Disputes", payouts_amount(s->disputes, c, v, sizeof v));
		printf("  %-28s %14s\n", "Adjustments",
		       payouts_amount(s->adjustments, c, v, sizeof v));
		printf("  %-28s %14s\n", "Stripe fees", payouts_amount(-s->fees, c, v, sizeof v));
		printf("  %-28s %14s\n", "Net", payouts_amount(s->net, c, v, sizeof v));
		printf("  %-28s %14s\n", "Paid out", payouts_amount(s->paid_out, c, v, sizeof v));
		printf("  %-28s %14s\n", "Still in balance",
		       payouts_amount(s->in_balance, c, v, sizeof v));
		int64_t gap = s->net - s->paid_out - s->in_balance;
		printf("  %-28s %14s%s\n", "Net - paid out - in balance",
		       payouts_amount(gap, c, v, sizeof v),
		       gap == 0 ? "  (reconciled)" : "  (does not reconcile)");
		printf("  %-28s %14s", "Payouts made in the month",
		       payouts_amount(s->payouts, c, v, sizeof v));
		printf("  (%ld", s->payout_count);
		if (s->payout_fees)
			printf(", instant payout fees %s",
			       payouts_amount(s->payout_fees, c, v, sizeof v));
		printf(")\n");
	}
	free(m);
	return 0;
}

static int run(struct app *app, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(sub, "list") == 0) {
		long limit = 50;
		if (argc == 4 && strcmp(argv[2], "--limit") == 0) {
			char *end;
			limit = strtol(argv[3], &end, 10);
			if (*end || limit < 1 || limit > 100000) {
				fprintf(stderr, "paydesk: --limit takes a number from 1 to 100000\n");
				return 2;
			}
		} else if (argc > 2) {
			usage(stderr);
			return 2;
		}
		return list(app, limit);
	}
	if (strcmp(sub, "show") == 0 && argc == 3)
		return show(app, argv[2]);
	if (strcmp(sub, "month") == 0 && argc == 3)
		return month(app, argv[2]);
	usage(stderr);
	return 2;
}

const struct cli_command cli_payouts = {
	.name = "payouts",
	.summary = "payouts and what each paid out; a month reconciled (list|show ID|month YYYY-MM)",
	.run = run,
};
