/* `paydesk setup`: connect the Stripe account headlessly (admins over SSH).
 * The key comes on stdin, the passphrase from --passphrase-fd or
 * PAYDESK_PASSPHRASE; the same checks and verification as the Setup screen.
 * Exit 0 only when verified and saved. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_io.h"
#include "paydesk/audit_events.h"
#include "paydesk/cli.h"
#include "paydesk/secret_mask.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_keys.h"
#include "paydesk/vault.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk setup --account acct_... [--publishable pk_...] [--connected acct_...]\n"
	      "                     [--passphrase-fd N] [--allow-secret-key [--confirm-live]]\n"
	      "                     [--currency CUR] [--payment-at-booking off|optional|required]\n"
	      "                     [--bill-with-stripe on|off] [--json]  < restricted-key\n"
	      "The restricted key (rk_...) is read from standard input; the vault passphrase\n"
	      "from descriptor N or PAYDESK_PASSPHRASE (created on first setup).\n",
	      out);
}

static int parse_choice(const char *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -2;
}

/* An unlocked vault: the existing one, or (first setup) none yet — then
 * *create is set and the passphrase is checked for creation. */
static int open_vault(struct app *app, const char *pass, struct vault **v, bool *create,
		      struct pd_error *err)
{
	bool exists = false;
	int rc = vault_exists(app->db, &exists, err);
	if (rc)
		return rc;
	*create = !exists;
	if (exists)
		return vault_unlock(app->db, pass, v, err);
	const char *hint = setup_passphrase_hint(pass);
	if (strlen(pass) < VAULT_PASSPHRASE_MIN)
		return pd_error_set(err, PD_ERR_USAGE, "new vault passphrase %s", hint);
	if (*hint)
		fprintf(stderr, "paydesk: note: passphrase %s\n", hint);
	return PD_OK;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_ACCOUNT = 256, O_PK, O_CONNECTED, O_PFD, O_ALLOW_SK, O_LIVE, O_CUR, O_BOOK,
	       O_BILL, O_JSON, O_HELP };
	static const struct option opts[] = {
		{"account", required_argument, NULL, O_ACCOUNT},
		{"publishable", required_argument, NULL, O_PK},
		{"connected", required_argument, NULL, O_CONNECTED},
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{"allow-secret-key", no_argument, NULL, O_ALLOW_SK},
		{"confirm-live", no_argument, NULL, O_LIVE},
		{"currency", required_argument, NULL, O_CUR},
		{"payment-at-booking", required_argument, NULL, O_BOOK},
		{"bill-with-stripe", required_argument, NULL, O_BILL},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	static const char *const booking[] = {"off", "optional", "required"};
	static const char *const onoff[] = {"off", "on"};
	struct setup_input in = {.payment_at_booking = -1, .bill_with_stripe = -1};
	int pfd = -1, c;
	bool json = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_ACCOUNT: in.account_id = optarg; break;
		case O_PK: in.publishable = optarg; break;
		case O_CONNECTED: in.connected = optarg; break;
		case O_PFD:
			if ((pfd = cli_parse_fd(optarg)) < 0) {
				fprintf(stderr, "paydesk: --passphrase-fd takes a descriptor number\n");
				return 2;
			}
			break;
		case O_ALLOW_SK: in.allow_secret = true; break;
		case O_LIVE: in.live_secret_confirmed = true; break;
		case O_CUR: in.currency = optarg; break;
		case O_BOOK:
			if ((in.payment_at_booking = parse_choice(optarg, booking, 3)) < 0) {
				fprintf(stderr, "paydesk: --payment-at-booking takes off, optional or required\n");
				return 2;
			}
			break;
		case O_BILL:
			if ((in.bill_with_stripe = parse_choice(optarg, onoff, 2)) < 0) {
				fprintf(stderr, "paydesk: --bill-with-stripe takes on or off\n");
				return 2;
			}
			break;
		case O_JSON: json = true; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || !in.account_id) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	char *key = cli_read_secret(STDIN_FILENO, "restricted key on standard input", &err);
	if (!key)
		return cli_fail(err.code, err.msg);
	in.secret_key = key;
	int status = 0;
	char *pass = NULL;
	struct vault *v = NULL;
	struct stripe_client *client = NULL;
	bool create = false;
	int rc = setup_check_input(&in, &err);
	if (!rc && stripe_key_kind(key) == STRIPE_KEY_SECRET)
		fprintf(stderr, "paydesk: warning: using a secret key (sk_...), which can do "
				"everything on the account; a restricted key is safer\n");
	if (!rc && !(pass = cli_passphrase(pfd, &err)))
		rc = err.code;
	if (!rc)
		rc = open_vault(app, pass, &v, &create, &err);
	struct stripe_client_opts copts;
	stripe_client_opts_from_config(&copts, &app->cfg);
	if (!rc)
		rc = stripe_client_new(&copts, &client, &err);
	struct verify_report report;
	if (!rc)
		rc = verify_run(client, key, in.account_id, in.connected, &report, NULL, NULL, NULL,
				&err);
	if (!rc) {
		cli_print_report(json ? stdout : stderr, &report,
				 stripe_key_mode_name(stripe_key_mode(key)), json, NULL);
		if (!report.key_ok || report.failures > 0) {
			fprintf(stderr, "paydesk: not saved: fix the failing checks and run setup "
					"again\n");
			status = 1;
		}
	}
	if (!rc && !status && create)
		rc = setup_vault_create(app->db, pass, &v, &err);
	/* Whoever holds the vault passphrase is the admin. */
	struct session admin = session_system_admin();
	audit_event_vault_holder(app->db, admin.name, sizeof admin.name);
	if (!rc && !status)
		rc = setup_save(app->db, v, &in, &report, &admin, &err);
	if (!rc && !status && !json) {
		char hint[64];
		secret_mask(key, hint, sizeof hint);
		printf("saved: %s account %s, key %s\n", stripe_key_mode_name(stripe_key_mode(key)),
		       in.account_id, hint);
	}
	if (rc)
		status = cli_fail(rc, err.msg);
	stripe_client_free(&client);
	vault_lock(&v);
	vault_secret_free(&pass);
	vault_secret_free(&key);
	return status;
}

const struct cli_command cli_setup = {
	.name = "setup",
	.summary = "connect the Stripe account (key on stdin), verify and save it",
	.run = run,
};
