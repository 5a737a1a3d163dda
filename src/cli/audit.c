/* `paydesk audit verify | list`: check the audit log's hash chain and say
 * where it breaks; list or export entries (admins), filtered by date, user
 * and action. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "cli_io.h"
#include "paydesk/audit.h"
#include "paydesk/audit_view.h"
#include "paydesk/cli.h"
#include "paydesk/csv.h"
#include "paydesk/money.h"
#include "paydesk/sanitize.h"
#include "paydesk/tz.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk audit verify\n"
	      "       paydesk audit list [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--actor NAME]\n"
	      "                          [--action PREFIX] [--format text|csv] [--as NAME]\n"
	      "list needs an admin: --as NAME with PAYDESK_PIN, or the vault passphrase.\n",
	      out);
}

static int verify(struct app *app)
{
	int64_t broken = 0, entries = 0;
	struct pd_error err = {0};
	int rc = audit_verify(app->db, &broken, &entries, &err);
	if (rc == PD_ERR_TAMPERED) {
		printf("audit log: %lld entries intact, then broken at entry %lld\n",
		       (long long)entries, (long long)broken);
		return cli_fail(rc, err.msg);
	}
	if (rc)
		return cli_fail(rc, err.msg);
	printf("audit log: %lld entries, chain intact\n", (long long)entries);
	return 0;
}

struct lister {
	bool csv;
	struct csv_buf buf;
	long n;
};

static void print_row(void *ctx, const struct audit_row *r)
{
	struct lister *l = ctx;
	l->n++;
	if (l->csv) {
		audit_csv_row(&l->buf, r);
		return;
	}
	char when[32], amount[48] = "", id[24];
	audit_format_when(r->at_ms, when, sizeof when);
	if (r->e.has_amount)
		money_format(r->e.amount, r->e.currency, amount, sizeof amount);
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	/* Names and details came from people and Stripe: shown inert. */
	char *actor = sanitize_dup(r->e.actor), *detail = sanitize_dup(r->e.detail);
	printf("%5s %s %-16s %-26s %14s %s\n", id, when, actor ? actor : "", r->e.action, amount,
	       detail ? detail : "");
	free(actor);
	free(detail);
}

static int parse_day(const char *s, int64_t *ms, bool end)
{
	return audit_parse_day(s, end, ms, NULL) == PD_OK ? 0 : -1;
}

static int list(struct app *app, int argc, char **argv)
{
	enum { O_SINCE = 256, O_UNTIL, O_ACTOR, O_ACTION, O_FORMAT, O_AS, O_PINFD, O_PASSFD };
	static const struct option opts[] = {
		{"since", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"actor", required_argument, NULL, O_ACTOR},
		{"action", required_argument, NULL, O_ACTION},
		{"format", required_argument, NULL, O_FORMAT},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PINFD},
		{"passphrase-fd", required_argument, NULL, O_PASSFD},
		{NULL, 0, NULL, 0},
	};
	struct audit_filter f = {0};
	struct lister l = {0};
	const char *as = NULL;
	int pin_fd = -1, pass_fd = -1, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case O_SINCE: ok = parse_day(optarg, &f.since_ms, false) == 0; break;
		case O_UNTIL: ok = parse_day(optarg, &f.until_ms, true) == 0; break;
		case O_ACTOR: f.actor = optarg; ok = *optarg; break;
		case O_ACTION: f.action = optarg; ok = *optarg; break;
		case O_FORMAT:
			ok = !strcmp(optarg, "text") || !strcmp(optarg, "csv");
			l.csv = !strcmp(optarg, "csv");
			break;
		case O_AS: as = optarg; break;
		case O_PINFD: ok = (pin_fd = cli_parse_fd(optarg)) >= 0; break;
		case O_PASSFD: ok = (pass_fd = cli_parse_fd(optarg)) >= 0; break;
		default: ok = false;
		}
		if (!ok) {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	struct session who = {0};
	int rc = cli_authenticate(app, as, pin_fd, pass_fd, &who, &err);
	if (!rc)
		rc = auth_allow(&who, AUTH_USERS, &err);
	if (!rc && l.csv)
		audit_csv_header(&l.buf);
	if (!rc)
		rc = audit_each(app->db, &f, print_row, &l, &err);
	if (!rc && l.csv)
		fwrite(l.buf.data, 1, l.buf.len, stdout);
	csv_buf_free(&l.buf);
	if (rc)
		return cli_fail(rc, err.msg);
	if (!l.csv)
		printf("%ld entr%s\n", l.n, l.n == 1 ? "y" : "ies");
	return 0;
}

static int run(struct app *app, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "verify") == 0 && argc == 2)
		return verify(app);
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		optind = 0;
		return list(app, argc - 1, argv + 1);
	}
	usage(stderr);
	return 2;
}

const struct cli_command cli_audit = {
	.name = "audit",
	.summary = "audit verify | list: check the hash chain; list or export entries",
	.run = run,
};
