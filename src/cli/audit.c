/* `paydesk audit verify | list`: check the audit log's chain, MACs and head
 * and say where it breaks; list or export entries (admins), filtered by date, user
 * and action. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "cli_io.h"
#include "paydesk/audit.h"
#include "paydesk/audit_events.h"
#include "paydesk/audit_view.h"
#include "paydesk/cli.h"
#include "paydesk/csv.h"
#include "paydesk/harden.h"
#include "paydesk/money.h"
#include "paydesk/sanitize.h"
#include "paydesk/tz.h"
#include "paydesk/vault.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk audit verify [--passphrase-fd N]\n"
	      "       paydesk audit list [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--actor NAME]\n"
	      "                          [--action PREFIX] [--format text|csv] [--as NAME]\n"
	      "verify checks the MACs and prints the head with the vault passphrase\n"
	      "(PAYDESK_PASSPHRASE or --passphrase-fd N); without it, the chain only.\n"
	      "list needs an admin: --as NAME with PAYDESK_PIN, or the vault passphrase.\n",
	      out);
}

/* The MACs need the audit key, which only the vault releases: with the
 * passphrase every MAC and the head are checked; without it the chain alone. */
static bool unlock_for_verify(struct app *app, int pass_fd, struct pd_error *err)
{
	bool exists = false;
	if (vault_exists(app->db, &exists, err) || !exists)
		return false;
	if (pass_fd < 0 && !harden_env_secret_waiting("PAYDESK_PASSPHRASE"))
		return false;
	char *pass = cli_passphrase(pass_fd, err);
	if (!pass)
		return false;
	struct vault *v = NULL;
	int rc = vault_unlock(app->db, pass, &v, err);
	vault_secret_free(&pass);
	if (rc)
		return false;
	vault_lock(&app->vault);
	app->vault = v;
	return true;
}

static void print_parts(const struct audit_report *r)
{
	if (r->epoch_start > 1)
		printf("entries 1-%lld were written before keyed audit (their chain is checked, "
		       "and entry %lld seals them as they were then); from %lld on keyed\n",
		       (long long)r->epoch_start - 1, (long long)r->epoch_start,
		       (long long)r->epoch_start);
	if (r->late_count)
		printf("sealed late: %lld entr%s from entry %lld were written while the vault was "
		       "locked and sealed at the next keyed entry\n",
		       (long long)r->late_count, r->late_count == 1 ? "y" : "ies",
		       (long long)r->late_first);
	if (r->unsealed_count)
		printf("not sealed: entries %lld-%lld were written while the vault was locked; "
		       "anyone who can write the database could still change them. The next "
		       "action with the vault unlocked seals them\n",
		       (long long)r->unsealed_first,
		       (long long)(r->unsealed_first + r->unsealed_count - 1));
}

static int verify(struct app *app, int argc, char **argv)
{
	int pass_fd = -1;
	int opts = cli_switch_and_pfd(argc, argv, NULL, NULL, &pass_fd,
				      "paydesk audit verify [--passphrase-fd N]");
	if (opts)
		return opts == CLI_HELP_SHOWN ? 0 : opts;
	struct pd_error err = {0};
	bool unlocked = unlock_for_verify(app, pass_fd, &err);
	if (err.code && err.code != PD_ERR_USAGE)
		return cli_fail(err.code, err.msg);
	err = (struct pd_error){0};
	struct audit_report r;
	int rc = audit_report(app->db, &r, &err);
	if (rc == PD_ERR_TAMPERED) {
		printf("audit log: %lld entries intact, then broken at entry %lld\n",
		       (long long)r.entries, (long long)r.broken_id);
		return cli_fail(rc, err.msg);
	}
	if (rc)
		return cli_fail(rc, err.msg);
	printf("audit log: %lld entries, chain intact\n", (long long)r.entries);
	if (unlocked && !r.key_checked && r.has_head) {
		printf("audit log: keyed from entry %lld on, but the vault has no audit key\n",
		       (long long)r.epoch_start);
		char msg[160];
		snprintf(msg, sizeof msg,
			 "audit log broken at entry %lld: the audit key was removed from the "
			 "vault, so nothing from there on can be trusted",
			 (long long)r.epoch_start);
		return cli_fail(PD_ERR_TAMPERED, msg);
	}
	if (!r.key_checked) {
		if (unlocked || r.has_head)
			printf("MACs not checked: %s\n",
			       unlocked ? "the vault has no usable audit key (see the log)"
					: "give the vault passphrase (PAYDESK_PASSPHRASE or "
					  "--passphrase-fd N) to check them");
		return 0;
	}
	print_parts(&r);
	char fp[17];
	audit_head_fingerprint(&r, fp, sizeof fp);
	/* Noted off the machine, the head shows a later rollback of the whole
	 * database to an older copy, which no check inside it can. */
	printf("head: %lld entries, MAC %s\n", (long long)r.head_count, fp);
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
	enum { O_SINCE = 256, O_UNTIL, O_ACTOR, O_ACTION, O_FORMAT, O_AS, O_PINFD, O_PASSFD,
	       O_HELP };
	static const struct option opts[] = {
		{"since", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"actor", required_argument, NULL, O_ACTOR},
		{"action", required_argument, NULL, O_ACTION},
		{"format", required_argument, NULL, O_FORMAT},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PINFD},
		{"passphrase-fd", required_argument, NULL, O_PASSFD},
		{"help", no_argument, NULL, O_HELP},
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
		case O_HELP: usage(stdout); return 0;
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
	if (!rc && l.csv)
		rc = audit_event_export(app->db, who.name, "audit", l.n, "entries", NULL, &err);
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
	if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
		optind = 0;
		return verify(app, argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		optind = 0;
		return list(app, argc - 1, argv + 1);
	}
	usage(stderr);
	return 2;
}

const struct cli_command cli_audit = {
	.name = "audit",
	.summary = "audit verify | list: check the keyed chain and its head; list or export",
	.run = run,
};
