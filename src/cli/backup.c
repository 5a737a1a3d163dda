/* `paydesk backup [DEST]` and `paydesk restore FILE`, for admins and cron.
 * Neither needs the passphrase: a backup is the database as it is, with
 * the vault sealed, and restoring one needs only the file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_io.h"
#include "paydesk/backup.h"
#include "paydesk/cli.h"
#include "paydesk/textcheck.h"

static void backup_usage(FILE *out)
{
	fputs("usage: paydesk backup [--keep N] [DEST]\n"
	      "Writes a consistent, compressed and checked copy of the database while paydesk\n"
	      "runs, to DEST: a directory (default: backups beside the database), or\n"
	      "host:path / user@host:path, copied there with your own scp (the copy is also\n"
	      "kept locally). Each local directory keeps the newest N backups (--keep, or\n"
	      "[backup] keep in the config; 14). The vault stays sealed in the copy.\n",
	      out);
}

static int backup_run(struct app *app, int argc, char **argv)
{
	enum { O_KEEP = 256, O_HELP };
	static const struct option opts[] = {
		{"keep", required_argument, NULL, O_KEEP},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	int keep = app->cfg.backup_keep, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_KEEP: {
			int64_t n;
			if (cli_number(optarg, "--keep", 1, 10000, &n))
				return 2;
			keep = (int)n;
			break;
		}
		case O_HELP: backup_usage(stdout); return 0;
		default: backup_usage(stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		backup_usage(stderr);
		return 2;
	}
	const char *dest = optind < argc ? argv[optind] : NULL;
	if (dest && !*dest)
		return cli_fail(PD_ERR_USAGE, "DEST is empty: name a directory or host:path");
	struct backup_result res;
	struct pd_error err = {0};
	/* A directory name that would put control bytes on the terminal (or in
	 * cron's mail) when the backup's path is printed: refused, not used. */
	if (dest && text_check("DEST", dest, 4096, true, false, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	int rc = backup_make(app->db, app->db_path, dest, keep, &res, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	printf("backup written: %s (%.1f MB from a %.1f MB database, checked, %.1f s)\n", res.path,
	       (double)res.file_bytes / 1e6, (double)res.db_bytes / 1e6, res.seconds);
	if (res.remote[0])
		printf("copied to %s\n", res.remote);
	if (res.pruned)
		printf("removed %d older backup%s (keeping the newest %d)\n", res.pruned,
		       res.pruned == 1 ? "" : "s", keep);
	return 0;
}

const struct cli_command cli_backup = {
	.name = "backup",
	.summary = "copy the database, compressed and checked, to a directory or host:path",
	.run = backup_run,
};

static void restore_usage(FILE *out)
{
	fputs("usage: paydesk restore FILE\n"
	      "Checks FILE (a paydesk backup: checksum, SQLite integrity, schema), then puts it\n"
	      "in place of the database, keeping the old one aside. Refused while any paydesk\n"
	      "uses the database. Opening the Stripe key afterwards needs the passphrase.\n",
	      out);
}

static int restore_run(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h') {
			restore_usage(stdout);
			return 0;
		}
		restore_usage(stderr);
		return 2;
	}
	if (argc - optind != 1 || !*argv[optind]) {
		restore_usage(stderr);
		return 2;
	}
	struct restore_report rep;
	struct pd_error err = {0};
	int rc = backup_restore(argv[optind], app->db_path, &rep, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	char when[32];
	time_t t = (time_t)rep.header.created_at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	printf("restored %s\n", app->db_path);
	printf("  backup made %s (schema %d)\n", when, rep.header.schema);
	printf("  %lld clients, %lld appointments, %lld payments, %lld history rows\n",
	       (long long)rep.clients, (long long)rep.appointments, (long long)rep.payments,
	       (long long)rep.history);
	if (rep.audit_intact)
		printf("  audit log: %lld entries, chain intact, and one more saying it was "
		       "restored (paydesk audit verify with the passphrase checks the MACs "
		       "too)\n",
		       (long long)rep.audit_entries);
	else
		printf("  audit log: %lld entries intact, then BROKEN at entry %lld\n",
		       (long long)rep.audit_entries, (long long)rep.audit_broken_at);
	if (rep.aside[0])
		printf("  the database it replaced is kept as %s\n", rep.aside);
	printf("  the Stripe key is sealed as it was: it opens with the admin passphrase\n");
	return rep.audit_intact ? 0 : 1;
}

const struct cli_command cli_restore = {
	.name = "restore",
	.summary = "put a backup in place of the database (checked first; old one kept aside)",
	.run = restore_run,
	.own_db = true,
};
