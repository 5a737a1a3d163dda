/* `paydesk connect …`: Express accounts for admins over SSH. The platform's
 * key (saved by `paydesk setup`) creates the business's Express account,
 * an onboarding link is shown as a URL and a QR code for a phone, and once
 * onboarding is done every call acts for that account. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_io.h"
#include "paydesk/audit_events.h"
#include "paydesk/audit.h"
#include "paydesk/cli.h"
#include "paydesk/connect.h"
#include "paydesk/qr_text.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/stripe_keys.h"
#include "paydesk/textcheck.h"
#include "paydesk/vault.h"

#define DEFAULT_RETURN_URL "https://dashboard.stripe.com/"

static void usage(FILE *out)
{
	fputs("usage: paydesk connect express [--email E] [--country CC] [--replace]\n"
	      "                                                            create the Express account\n"
	      "       paydesk connect onboarding-link                     a new one-time link + QR\n"
	      "       paydesk connect status [--wait SECONDS]              onboarding state\n"
	      "       paydesk connect link acct_... [--replace]            act for an existing account\n"
	      "       paydesk connect login-link                           Express dashboard link\n"
	      "       paydesk connect unlink                               act for the platform again\n"
	      "Common: [--passphrase-fd N] [--return-url URL]\n"
	      "While paydesk acts for an Express account, express and link refuse to replace it\n"
	      "unless --replace is given.\n",
	      out);
}

struct connect_session {
	struct app *app;
	struct stripe_account_row acct;
	struct cli_stripe stripe;
};

static int session_open(struct connect_session *s, struct app *app, int pfd, struct pd_error *err)
{
	memset(s, 0, sizeof *s);
	s->app = app;
	int rc = stripe_account_get(app->db, &s->acct, err);
	if (rc)
		return pd_error_set(err, rc, "no platform account is connected: run paydesk setup "
					     "with the platform's key first");
	return cli_stripe_open_admin(&s->stripe, app, pfd, err);
}

static void session_close(struct connect_session *s)
{
	cli_stripe_close(&s->stripe);
}

static void audit(struct app *app, const char *action, const char *account, const char *detail)
{
	struct pd_error err;
	char holder[USER_NAME_MAX + 1];
	audit_event_vault_holder(app->db, holder, sizeof holder);
	struct audit_entry e = {.actor = holder, .action = action, .detail = detail,
				.object_id = account};
	audit_append(app->db, &e, &err);
}

static void print_link(const char *what, const char *url, long long expires_at)
{
	printf("%s: %s\n", what, url);
	if (expires_at > 0) {
		time_t t = (time_t)expires_at;
		char when[32];
		strftime(when, sizeof when, "%H:%M", localtime(&t));
		printf("(one-time link, valid until %s; run `paydesk connect onboarding-link` for a "
		       "new one)\n",
		       when);
	}
	char *qr = qr_text_render(url, NULL, NULL);
	if (qr && isatty(STDOUT_FILENO))
		fputs(qr, stdout);
	free(qr);
}

static int need_connected(struct connect_session *s, struct pd_error *err)
{
	if (!s->acct.connected_account[0])
		return pd_error_set(err, PD_ERR_USAGE,
				    "paydesk is not acting for an Express account: run paydesk "
				    "connect express, or connect link acct_...");
	return PD_OK;
}

static void print_status(const struct connect_status *st)
{
	printf("account %s%s%s: details %s, charges %s, payouts %s, %d requirement%s due\n",
	       st->account_id, st->email[0] ? " " : "", st->email,
	       st->details_submitted ? "submitted" : "not submitted",
	       st->charges_enabled ? "enabled" : "not enabled",
	       st->payouts_enabled ? "enabled" : "not enabled", st->currently_due,
	       st->currently_due == 1 ? "" : "s");
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_EMAIL = 256, O_COUNTRY, O_PFD, O_RETURN, O_WAIT, O_REPLACE, O_HELP };
	static const struct option opts[] = {
		{"email", required_argument, NULL, O_EMAIL},
		{"country", required_argument, NULL, O_COUNTRY},
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{"return-url", required_argument, NULL, O_RETURN},
		{"wait", required_argument, NULL, O_WAIT},
		{"replace", no_argument, NULL, O_REPLACE},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *email = NULL, *country = NULL, *return_url = DEFAULT_RETURN_URL;
	int64_t wait = 0;
	int pfd = -1, c;
	bool replace = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_EMAIL: email = optarg; break;
		case O_COUNTRY: country = optarg; break;
		case O_PFD: {
			int64_t fd;
			if (cli_number(optarg, "--passphrase-fd", 0, 1023, &fd))
				return 2;
			pfd = (int)fd;
			break;
		}
		case O_RETURN: return_url = optarg; break;
		case O_WAIT: /* seconds, at most a day of onboarding */
			if (cli_number(optarg, "--wait", 0, 86400, &wait))
				return 2;
			break;
		case O_REPLACE: replace = true; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[optind++];
	const char *arg = optind < argc ? argv[optind++] : NULL;
	bool takes_arg = strcmp(verb, "link") == 0;
	if (optind < argc || (takes_arg != (arg != NULL)) ||
	    (strcmp(verb, "express") && strcmp(verb, "onboarding-link") && strcmp(verb, "status") &&
	     strcmp(verb, "link") && strcmp(verb, "login-link") && strcmp(verb, "unlink"))) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	if (takes_arg && stripe_check_account_id(arg, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	if (email && strcmp(verb, "express") == 0 && text_check_email(email, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);

	struct connect_session s;
	int rc = session_open(&s, app, pfd, &err);
	int status = 0;
	if (!rc && strcmp(verb, "express") == 0) {
		char id[64];
		char *url = NULL;
		long long expires = 0;
		rc = connect_check_replace(s.acct.connected_account, NULL, replace, &err);
		if (!rc)
			rc = connect_create_express(s.stripe.client, s.stripe.key, email, country, id,
						    &err);
		if (!rc)
			rc = stripe_account_set_connected(app->db, id, &err);
		if (!rc) {
			audit(app, "connect.express.create", id, "created an Express account");
			printf("created Express account %s; paydesk now acts for it\n", id);
			rc = connect_onboarding_link(s.stripe.client, s.stripe.key, id, return_url, &url, &expires,
						     &err);
		}
		if (!rc)
			print_link("onboarding link (open it on a phone)", url, expires);
		free(url);
	} else if (!rc && strcmp(verb, "onboarding-link") == 0) {
		char *url = NULL;
		long long expires = 0;
		rc = need_connected(&s, &err);
		if (!rc)
			rc = connect_onboarding_link(s.stripe.client, s.stripe.key, s.acct.connected_account,
						     return_url, &url, &expires, &err);
		if (!rc)
			print_link("onboarding link (open it on a phone)", url, expires);
		free(url);
	} else if (!rc && strcmp(verb, "status") == 0) {
		struct connect_status st;
		rc = need_connected(&s, &err);
		time_t deadline = time(NULL) + wait;
		while (!rc) {
			rc = connect_get_status(s.stripe.client, s.stripe.key, s.acct.connected_account, &st, &err);
			if (rc || connect_ready(&st) || time(NULL) >= deadline)
				break;
			sleep(2); /* the admin is onboarding on a phone: poll gently */
		}
		if (!rc) {
			print_status(&st);
			status = connect_ready(&st) ? 0 : 1;
		}
	} else if (!rc && strcmp(verb, "link") == 0) {
		struct connect_status st;
		rc = connect_check_replace(s.acct.connected_account, arg, replace, &err);
		if (!rc)
			rc = connect_get_status(s.stripe.client, s.stripe.key, arg, &st, &err);
		if (!rc)
			rc = stripe_account_set_connected(app->db, arg, &err);
		if (!rc) {
			audit(app, "connect.link", arg, "acting for an existing connected account");
			printf("paydesk now acts for %s\n", arg);
			print_status(&st);
		}
	} else if (!rc && strcmp(verb, "login-link") == 0) {
		char *url = NULL;
		rc = need_connected(&s, &err);
		if (!rc)
			rc = connect_login_link(s.stripe.client, s.stripe.key, s.acct.connected_account, &url, &err);
		if (!rc)
			print_link("Express dashboard", url, 0);
		free(url);
	} else if (!rc && strcmp(verb, "unlink") == 0) {
		rc = stripe_account_set_connected(app->db, NULL, &err);
		if (!rc) {
			audit(app, "connect.unlink", s.acct.connected_account,
			      "acting for the platform again");
			printf("paydesk now acts for the platform account %s\n", s.acct.account_id);
		}
	}
	session_close(&s);
	return rc ? cli_fail(rc, err.msg) : status;
}

const struct cli_command cli_connect = {
	.name = "connect",
	.summary = "Express accounts: create, onboard (URL + QR), status, link, login link",
	.run = run,
};
