/* `paydesk passphrase`: change the admin's vault passphrase. Only the
 * passphrase slot is re-wrapped: enrolled desks keep unlocking. The old
 * passphrase is the proof (it is the admin's); both come from descriptors,
 * the environment (PAYDESK_PASSPHRASE, PAYDESK_NEW_PASSPHRASE), or the
 * terminal, the new one typed twice. Audited (vault.passphrase_change). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_io.h"
#include "paydesk/audit_events.h"
#include "paydesk/cli.h"
#include "paydesk/harden.h"
#include "paydesk/setup.h"
#include "paydesk/users.h"
#include "paydesk/vault.h"

static const char USAGE[] =
	"paydesk passphrase [--passphrase-fd N] [--new-passphrase-fd N]\n"
	"Old passphrase: --passphrase-fd N, PAYDESK_PASSPHRASE, or asked on the terminal.\n"
	"New passphrase: --new-passphrase-fd N, PAYDESK_NEW_PASSPHRASE, or asked twice.\n"
	"Enrolled desks keep unlocking; the new passphrase is the way in everywhere else.";

static char *old_passphrase(int fd, struct pd_error *err)
{
	if (fd >= 0 || harden_env_secret_waiting("PAYDESK_PASSPHRASE"))
		return cli_passphrase(fd, err);
	return cli_prompt_secret("Current vault passphrase", err);
}

static char *new_passphrase(int fd, struct pd_error *err)
{
	if (fd >= 0)
		return cli_read_secret(fd, "new passphrase", err);
	char *env = harden_env_secret_claim("PAYDESK_NEW_PASSPHRASE");
	if (env && *env)
		return env;
	vault_secret_free(&env);
	char *first = cli_prompt_secret("New vault passphrase", err);
	if (!first)
		return NULL;
	char *again = cli_prompt_secret("The new passphrase again", err);
	if (again && strcmp(first, again) != 0) {
		pd_error_set(err, PD_ERR_USAGE, "the two new passphrases differ: nothing changed");
		vault_secret_free(&first);
	}
	vault_secret_free(&again);
	return first;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_PASSFD = 256, O_NEWFD, O_HELP };
	static const struct option opts[] = {
		{"passphrase-fd", required_argument, NULL, O_PASSFD},
		{"new-passphrase-fd", required_argument, NULL, O_NEWFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	int old_fd = -1, new_fd = -1, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int64_t fd;
		if (c == O_HELP) {
			printf("usage: %s\n", USAGE);
			return 0;
		}
		if (c != O_PASSFD && c != O_NEWFD) {
			fprintf(stderr, "usage: %s\n", USAGE);
			return 2;
		}
		if (cli_number(optarg, c == O_PASSFD ? "--passphrase-fd" : "--new-passphrase-fd", 0,
			       1023, &fd))
			return 2;
		*(c == O_PASSFD ? &old_fd : &new_fd) = (int)fd;
	}
	if (optind < argc) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 2;
	}
	struct pd_error err = {0};
	bool exists = false;
	int rc = vault_exists(app->db, &exists, &err);
	if (!rc && !exists)
		return cli_fail(PD_ERR_NOT_FOUND, "there is no vault yet: paydesk setup creates it "
						  "with its passphrase");
	if (rc)
		return cli_fail(rc, err.msg);
	char *old = old_passphrase(old_fd, &err);
	if (!old)
		return cli_fail(err.code ? err.code : PD_ERR_USAGE, err.msg);
	char *fresh = new_passphrase(new_fd, &err);
	if (!fresh)
		rc = err.code ? err.code : PD_ERR_USAGE;
	else if (strcmp(old, fresh) == 0)
		rc = pd_error_set(&err, PD_ERR_USAGE,
				  "the new passphrase is the old one: nothing changed");
	if (!rc) {
		const char *hint = setup_passphrase_hint(fresh);
		if (strlen(fresh) < VAULT_PASSPHRASE_MIN)
			rc = pd_error_set(&err, PD_ERR_USAGE, "new vault passphrase %s", hint);
		else if (*hint)
			fprintf(stderr, "paydesk: note: passphrase %s\n", hint);
	}
	char holder[USER_NAME_MAX + 1]; /* the passphrase's holder: the admin */
	audit_event_vault_holder(app->db, holder, sizeof holder);
	if (!rc)
		rc = vault_change_passphrase_as(app->db, old, fresh, &VAULT_KDF_DEFAULT, holder,
						&err);
	vault_secret_free(&old);
	vault_secret_free(&fresh);
	if (rc == PD_ERR_WRONG_PASS)
		return cli_fail(rc, "wrong passphrase: the current one is needed to change it; "
				    "nothing changed");
	if (rc)
		return cli_fail(rc, err.msg);
	printf("vault passphrase changed; enrolled desks still unlock\n");
	return 0;
}

const struct cli_command cli_passphrase_change = {
	.name = "passphrase",
	.summary = "change the admin's vault passphrase (enrolled desks keep working)",
	.run = run,
};
