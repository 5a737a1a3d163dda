/* `paydesk desk …`: desks that unlock themselves. An admin enrols this host
 * (a random key in a 0600 file here wraps the vault's data key in its own
 * slot), lists the desks, or revokes one; the passphrase stays the way in
 * everywhere else. Each change is audited (app/desk.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_io.h"
#include "paydesk/auth.h"
#include "paydesk/cli.h"
#include "paydesk/desk.h"
#include "paydesk/vault.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk desk enrol [--name NAME]   this host unlocks without the passphrase\n"
	      "                                          (NAME: default the host name)\n"
	      "       paydesk desk list                  the enrolled desks\n"
	      "       paydesk desk revoke NAME           remove a desk's key slot: it asks for the\n"
	      "                                          passphrase again\n"
	      "Admin proof: --as NAME with PAYDESK_PIN or --pin-fd N, or the vault passphrase\n"
	      "(PAYDESK_PASSPHRASE or --passphrase-fd N). Enrolling also needs the vault: the\n"
	      "passphrase, or a desk key that already opens it. The key file is [vault] desk_key\n"
	      "in the config, else $XDG_CONFIG_HOME/paydesk/desk.key.\n",
	      out);
}

static void when(int64_t t, char *out, size_t len)
{
	if (t <= 0) {
		snprintf(out, len, "never");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M", &tm);
}

static int list(struct app *app, const struct session *who, const char *path,
		struct pd_error *err)
{
	struct vault_desk *desks = NULL;
	size_t n = 0;
	int64_t here = 0;
	int rc = desk_list(app->db, who, path, &desks, &n, &here, err);
	if (rc)
		return rc;
	if (n == 0)
		printf("no desk is enrolled: every start asks for the passphrase\n");
	else
		printf("%-24s %-16s %-16s %-16s\n", "NAME", "ENROLLED", "BY", "LAST USED");
	for (size_t i = 0; i < n; i++) {
		char made[32], used[32];
		when(desks[i].created_at, made, sizeof made);
		when(desks[i].last_used_at, used, sizeof used);
		printf("%-24s %-16s %-16s %-16s%s\n", desks[i].name, made, desks[i].created_by, used,
		       desks[i].slot == here ? "  (this desk)" : "");
	}
	free(desks);
	return PD_OK;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_NAME = 256, O_AS, O_PINFD, O_PASSFD, O_HELP };
	static const struct option opts[] = {
		{"name", required_argument, NULL, O_NAME},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PINFD},
		{"passphrase-fd", required_argument, NULL, O_PASSFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL, *as = NULL;
	int pin_fd = -1, pass_fd = -1, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_NAME: name = optarg; break;
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
	const char *verb = optind < argc ? argv[optind++] : "";
	int nargs = argc - optind;
	bool enrol = strcmp(verb, "enrol") == 0 && nargs == 0;
	bool revoke = strcmp(verb, "revoke") == 0 && nargs == 1 && !name;
	bool show = strcmp(verb, "list") == 0 && nargs == 0 && !name;
	if (!enrol && !revoke && !show) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	bool exists = false;
	int rc = vault_exists(app->db, &exists, &err);
	if (!rc && !exists)
		return cli_fail(PD_ERR_NOT_FOUND, "there is no vault yet: connect Stripe first "
						  "(paydesk setup), then enrol desks");
	struct session who = {0};
	if (!rc)
		rc = cli_authenticate(app, as, pin_fd, pass_fd, &who, &err);
	char *path = desk_key_path(&app->cfg);
	if (!rc && enrol) {
		/* Proven by the passphrase, the vault is open; with --as, open it. */
		rc = auth_allow_now(app->db, &who, AUTH_SETUP, &err); /* before asking more */
		if (!rc && !app->vault)
			rc = cli_vault_open(app, pass_fd, &app->vault, &err);
		char got[VAULT_DESK_NAME_MAX + 1];
		if (!rc)
			rc = desk_enrol(app->db, app->vault, &who, path, name, got, &err);
		if (!rc)
			printf("enrolled this desk as '%s': paydesk here unlocks with %s, without the "
			       "passphrase\n",
			       got, path);
	} else if (!rc && revoke) {
		bool here = false;
		rc = desk_revoke(app->db, &who, path, argv[optind], &here, &err);
		if (!rc)
			printf("revoked desk '%s'%s: it asks for the passphrase from now on\n",
			       argv[optind], here ? " (this desk; its key file is removed)" : "");
	} else if (!rc) {
		rc = list(app, &who, path, &err);
	}
	free(path);
	return rc ? cli_fail(rc, err.msg) : 0;
}

const struct cli_command cli_desk = {
	.name = "desk",
	.summary = "desks that unlock without the passphrase: enrol, list, revoke (admin)",
	.run = run,
};
