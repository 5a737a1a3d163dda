/* `paydesk doctor [--full] [--json]`: is the database whole (SQLite's
 * integrity check, naming what is damaged), then the Setup checklist,
 * printed, for admins and cron. Exit 0 only when everything paydesk needs
 * is in place. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/backup.h"
#include "paydesk/db_check.h"
#include "paydesk/sanitize.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/vault.h"
#include "paydesk/vault_cost.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk doctor [--full] [--json] [--passphrase-fd N]\n"
	      "Checks the database (SQLite's quick check; --full: the full integrity check,\n"
	      "which also compares every index with its table and takes much longer), then\n"
	      "the Stripe connection and the key's permissions. Exit 0 when all is well.\n",
	      out);
}

struct damage_out {
	FILE *out;
	int tables; /* damaged tables, not only indexes: a backup is needed */
};

static void print_damage(void *ctx, const struct db_damage *d)
{
	struct damage_out *o = ctx;
	char detail[600];
	sanitize_text(d->detail, detail, sizeof detail);
	if (strcmp(d->kind, "index") == 0)
		fprintf(o->out, "  damaged: index %s (of table %s): %s\n", d->name, d->table, detail);
	else if (strcmp(d->kind, "table") == 0)
		fprintf(o->out, "  damaged: table %s: %s\n", d->name, detail);
	else
		fprintf(o->out, "  damaged: %s\n", detail);
	if (strcmp(d->kind, "index") != 0)
		o->tables++;
}

/* The database part of the report, on out. 0 when whole, 1 when damaged. */
static int check_database(struct app *app, bool full, FILE *out)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct damage_out o = {out, 0};
	int damaged = 0;
	struct pd_error err = {0};
	fprintf(out, "Database %s\n", app->db_path);
	fflush(out); /* the check may take a while */
	if (db_integrity_check(app->db, full, print_damage, &o, &damaged, &err) != PD_OK) {
		fprintf(out, "  not checked: %s\n", err.msg);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	const char *how = full ? "full integrity check" : "quick check";
	if (!damaged) {
		fprintf(out, "Database: ok (%s, %.1f s)\n", how, secs);
		fflush(out); /* before any message on stderr */
		return 0;
	}
	fprintf(out, "Database: DAMAGED (%s found %d damaged object%s)\n", how, damaged,
		damaged == 1 ? "" : "s");
	fprintf(out, "  -> %s\n"
		     "     Stop taking payments with this file: copy it aside (keep it), and restore "
		     "your latest backup.\n"
		     "     paydesk does not repair a damaged file; SQLite's integrity check found it.\n",
		o.tables ? "rows of the damaged tables may be lost"
			 : "the rows themselves read back whole; only indexes are damaged");
	fflush(out);
	return 1;
}

/* A warning, on out, when the vault unlocks at less than paydesk's default
 * cost (made with PAYDESK_VAULT_KDF=interactive, for test suites). It does
 * not change doctor's exit status: the cost is still libsodium's floor. */
static bool check_vault_cost(struct app *app, FILE *out)
{
	struct vault_kdf kdf;
	struct pd_error err = {0};
	if (vault_cost_get(app->db, &kdf, &err) != PD_OK || !vault_cost_below_default(&kdf))
		return false;
	fprintf(out,
		"Vault: warning: its key derivation costs less than paydesk's default "
		"(Argon2id %llu passes over %zu MiB; the default is %llu over %zu MiB)\n"
		"  -> it was made with PAYDESK_VAULT_KDF=interactive, which is meant for test "
		"suites:\n"
		"     a copy of this database is cheaper to guess the passphrase of. "
		"`paydesk passphrase`\n"
		"     re-wraps it at the default cost.\n",
		kdf.opslimit, kdf.memlimit >> 20, VAULT_KDF_DEFAULT.opslimit,
		VAULT_KDF_DEFAULT.memlimit >> 20);
	fflush(out);
	return true;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_JSON = 256, O_FULL, O_PFD, O_HELP };
	static const struct option opts[] = {
		{"json", no_argument, NULL, O_JSON},
		{"full", no_argument, NULL, O_FULL},
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	bool json = false, full = false;
	int pfd = -1, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_FULL: full = true; break;
		case O_PFD: {
			int64_t fd;
			if (cli_number(optarg, "--passphrase-fd", 0, 1023, &fd))
				return 2;
			pfd = (int)fd;
			break;
		}
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* With --json, stdout carries one JSON document: the database part goes
	 * to stderr. */
	/* The desk's own checks count in the closing line with Stripe's. */
	struct cli_desk_checks desk = {.n = 3};
	int db_status = check_database(app, full, json ? stderr : stdout);
	desk.failures += db_status != 0;
	desk.warnings += check_vault_cost(app, json ? stderr : stdout);
	char last[160];
	bool stale = backup_describe_last(backup_last_at(app->db), (int64_t)time(NULL), last,
					  sizeof last);
	desk.warnings += stale;
	fprintf(json ? stderr : stdout, "Backup: %s%s\n", stale ? "WARNING " : "", last);
	fflush(json ? stderr : stdout);
	struct pd_error err = {0};
	struct stripe_account_row acct;
	if (stripe_account_get(app->db, &acct, &err) != PD_OK) {
		cli_fail(PD_ERR, "no Stripe account is connected: run paydesk setup first");
		return 1;
	}
	struct cli_stripe st;
	int rc = cli_stripe_open(&st, app, pfd, &err);
	struct verify_report report = {0};
	if (!rc)
		rc = verify_run(st.client, st.key, acct.account_id, acct.connected_account, &report, NULL,
				NULL, NULL, &err);
	int status;
	if (rc && !json) {
		/* What could be checked stays on the screen, with what could not. */
		printf("Stripe: not checked: %s\n", err.msg);
		cli_print_counts(stdout, desk.n + 1, desk.failures, desk.warnings, 1);
		fflush(stdout);
		status = cli_fail(rc, err.msg); /* and on stderr, for scripts */
	} else if (rc) {
		status = cli_fail(rc, err.msg);
	} else {
		cli_print_report(stdout, &report, acct.mode, json, &desk);
		status = report.key_ok && report.failures == 0 && report.unknown == 0 ? 0 : 1;
	}
	cli_stripe_close(&st);
	return status ? status : db_status;
}

const struct cli_command cli_doctor = {
	.name = "doctor",
	.summary = "check the database and the Stripe connection and key permissions (--json)",
	.run = run,
};
