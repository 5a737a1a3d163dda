/* `paydesk users …`: manage who may use paydesk, headless, for admins.
 * The admin proves who they are with --as NAME and their PIN
 * (PAYDESK_PIN or --pin-fd N), or with the vault passphrase; the very
 * first user (an admin) needs neither. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli_io.h"
#include "paydesk/auth.h"
#include "paydesk/db_check.h"
#include "paydesk/cli.h"
#include "paydesk/money.h"
#include "paydesk/refund_limits.h"
#include "paydesk/settings.h"
#include "paydesk/users.h"
#include "paydesk/vault.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk users list\n"
	      "       paydesk users add --name NAME --role admin|staff   < new-PIN\n"
	      "       paydesk users disable|enable NAME\n"
	      "       paydesk users reset-pin NAME                        < new-PIN\n"
	      "       paydesk users refund-limit [AMOUNT CURRENCY [DAILY|none]]\n"
	      "           what staff may refund of one payment, and each in a day, in a currency\n"
	      "           (no DAILY: the daily limit set before stays; none: no daily limit)\n"
	      "           (none set for a currency: staff cannot refund in it); no arguments: list\n"
	      "       paydesk users lock-hint TEXT                        (shown on the lock screen)\n"
	      "Admin proof: --as NAME with PAYDESK_PIN or --pin-fd N, or the vault passphrase\n"
	      "(PAYDESK_PASSPHRASE or --passphrase-fd N). The first user needs neither.\n",
	      out);
}

static void print_user(void *ctx, const struct user *u)
{
	(void)ctx;
	printf("%-24s %-6s %s%s\n", u->name, user_role_name(u->role),
	       u->disabled ? "disabled" : "active",
	       u->locked_until > time(NULL) ? ", paused after wrong PINs" : "");
}

static void print_limit(void *ctx, const struct refund_limit *l)
{
	++*(int *)ctx;
	char shown[160], cur[4];
	printf("%s  %s\n", money_currency_code(l->currency, cur),
	       auth_refund_limit_describe(l, shown, sizeof shown));
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_NAME = 256, O_ROLE, O_AS, O_PINFD, O_PASSFD, O_HELP };
	static const struct option opts[] = {
		{"name", required_argument, NULL, O_NAME},
		{"role", required_argument, NULL, O_ROLE},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PINFD},
		{"passphrase-fd", required_argument, NULL, O_PASSFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL, *role_s = NULL, *as = NULL;
	int pin_fd = -1, pass_fd = -1, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_NAME: name = optarg; break;
		case O_ROLE: role_s = optarg; break;
		case O_AS: as = optarg; break;
		case O_PINFD:
			if (cli_option_fd("pin-fd", optarg, &pin_fd))
				return 2;
			break;
		case O_PASSFD:
			if (cli_option_fd("passphrase-fd", optarg, &pass_fd))
				return 2;
			break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[optind++];
	int nargs = argc - optind;
	char **args = argv + optind;
	struct pd_error err = {0};
	enum user_role role = ROLE_STAFF;
	bool add = strcmp(verb, "add") == 0;
	bool known = (add && nargs == 0 && name && role_s) ||
		     (strcmp(verb, "list") == 0 && nargs == 0) ||
		     ((!strcmp(verb, "disable") || !strcmp(verb, "enable") ||
		       !strcmp(verb, "reset-pin") || !strcmp(verb, "lock-hint")) && nargs == 1) ||
		     (strcmp(verb, "refund-limit") == 0 && (nargs == 0 || nargs == 2 || nargs == 3));
	if (!known || (add && user_role_parse(role_s, &role) != PD_OK)) {
		usage(stderr);
		return 2;
	}
	int count = 0;
	int rc = users_count(app->db, &count, &err);
	struct session who = {0};
	/* The first admin needs no proof on a new database; on one with data
	 * (a damaged users table reads as empty), only the vault passphrase. */
	struct pd_error why = {0};
	bool first = !rc && add && count == 0;
	if (first && db_first_run_check(app->db, &why) != PD_OK) {
		if (cli_authenticate(app, NULL, -1, pass_fd, &who, &err) != PD_OK)
			return err.code == PD_ERR_USAGE ? cli_fail(why.code, why.msg) /* none given */
							: cli_fail(err.code, err.msg);
	} else if (!rc && !first) {
		rc = cli_authenticate(app, as, pin_fd, pass_fd, &who, &err);
	}
	if (rc)
		return cli_fail(rc, err.msg);

	if (add || strcmp(verb, "reset-pin") == 0) {
		char *pin = cli_read_secret(STDIN_FILENO, "new PIN on standard input", &err);
		if (!pin)
			return cli_fail(err.code, err.msg);
		rc = add ? auth_user_add(app->db, &who, name, role, pin, &err)
			 : auth_user_reset_pin(app->db, &who, args[0], pin, &err);
		vault_secret_free(&pin);
		if (!rc)
			printf(add ? "added %s (%s)\n" : "new PIN set for %s\n", add ? name : args[0],
			       user_role_name(role));
	} else if (strcmp(verb, "list") == 0) {
		rc = auth_allow_now(app->db, &who, AUTH_USERS, &err);
		if (!rc)
			rc = users_each(app->db, print_user, NULL, &err);
	} else if (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) {
		bool off = strcmp(verb, "disable") == 0;
		rc = auth_user_disable(app->db, &who, args[0], off, &err);
		if (!rc)
			printf("%s %s\n", args[0], off ? "disabled" : "enabled");
	} else if (strcmp(verb, "refund-limit") == 0 && nargs == 0) {
		rc = auth_allow_now(app->db, &who, AUTH_USERS, &err);
		int shown = 0;
		if (!rc)
			rc = refund_limits_each(app->db, print_limit, &shown, &err);
		if (!rc && !shown)
			printf("no refund limits: staff cannot refund\n");
	} else if (strcmp(verb, "refund-limit") == 0) {
		int64_t minor, daily = REFUND_NO_DAILY_LIMIT;
		char cur[4] = "";
		bool daily_kept = false;
		rc = money_currency_check(args[1], cur, &err);
		if (!rc)
			rc = money_parse(args[0], cur, &minor, &err);
		if (!rc && nargs == 3 && strcasecmp(args[2], "none") != 0)
			rc = money_parse(args[2], cur, &daily, &err); /* read as the other amount */
		if (!rc && nargs == 2) {
			/* Leaving the daily figure out keeps the one set, never drops
			 * the cap unseen: "none" removes it. */
			struct refund_limit old;
			struct pd_error none = {0};
			if (refund_limits_get(app->db, cur, &old, &none) == PD_OK &&
			    old.per_day != REFUND_NO_DAILY_LIMIT) {
				daily = old.per_day;
				daily_kept = true;
			}
		}
		if (!rc)
			rc = auth_set_refund_limit(app->db, &who, cur, minor, daily, &err);
		if (!rc) {
			struct refund_limit l = {.per_payment = minor, .per_day = daily};
			memcpy(l.currency, cur, sizeof cur);
			char shown[160], up[4];
			printf("staff may refund in %s: %s%s\n", money_currency_code(cur, up),
			       auth_refund_limit_describe(&l, shown, sizeof shown),
			       daily_kept ? " (the daily limit stays: give none to remove it)"
			       : daily == REFUND_NO_DAILY_LIMIT && nargs == 2
				       ? " (give DAILY to cap a day)"
				       : "");
		}
	} else { /* lock-hint */
		rc = auth_allow_now(app->db, &who, AUTH_USERS, &err);
		if (!rc && strlen(args[0]) > 160)
			rc = pd_error_set(&err, PD_ERR_USAGE, "the hint takes at most 160 bytes");
		if (!rc)
			rc = settings_set(app->db, "lock_hint", args[0], &err);
	}
	return rc ? cli_fail(rc, err.msg) : 0;
}

const struct cli_command cli_users = {
	.name = "users",
	.summary = "users and roles: list, add, disable, reset-pin, refund-limit",
	.run = run,
};
