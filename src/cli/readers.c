/* `paydesk readers …`: Stripe Terminal card readers — list them by label,
 * register one (admins), choose the one this desk uses. The Setup tab does
 * the same on screen. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/readers.h"
#include "paydesk/stripe_account.h"
#include "plans_cli.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk readers list                      the readers at Stripe, by label\n"
	      "       paydesk readers locations                 Stripe Terminal locations\n"
	      "       paydesk readers register --code CODE [--label LABEL] [--location tml_…]\n"
	      "                                                 (admins; training: --code simulated-wpe)\n"
	      "       paydesk readers use LABEL|tmr_…           the reader this desk uses\n"
	      "A reader shows its registration code under Settings > Generate pairing code.\n"
	      "This desk is PAYDESK_DESK when set, else the host name; the reader marked *\n"
	      "is the one its reader payments go to.\n"
	      "Common: [--as NAME (PIN in PAYDESK_PIN or --pin-fd N)] [--passphrase-fd N]\n"
	      "With --as, an enrolled desk's key opens the vault; without it, the passphrase.\n",
	      out);
}

struct opts {
	const char *code, *label, *location, *as;
	int pin_fd, pass_fd;
};

static int parse(int argc, char **argv, struct opts *o)
{
	enum { O_CODE = 256, O_LABEL, O_LOCATION, O_AS, O_PIN_FD, O_PASS_FD, O_HELP };
	static const struct option longs[] = {
		{"code", required_argument, NULL, O_CODE},
		{"label", required_argument, NULL, O_LABEL},
		{"location", required_argument, NULL, O_LOCATION},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PIN_FD},
		{"passphrase-fd", required_argument, NULL, O_PASS_FD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->pin_fd = o->pass_fd = -1;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case O_CODE: o->code = optarg; break;
		case O_LABEL: o->label = optarg; break;
		case O_LOCATION: o->location = optarg; break;
		case O_AS: o->as = optarg; break;
		case O_PIN_FD:
			if (cli_option_fd("pin-fd", optarg, &o->pin_fd))
				return 2;
			break;
		case O_PASS_FD:
			if (cli_option_fd("passphrase-fd", optarg, &o->pass_fd))
				return 2;
			break;
		case O_HELP: usage(stdout); return CLI_HELP_SHOWN;
		default: usage(stderr); return 2;
		}
	}
	return 0;
}

static void print_list(struct stripe_cli *s)
{
	struct reader_info *list = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (readers_list(&s->env, &list, &n, &err) != PD_OK) {
		cli_fail(PD_ERR, err.msg);
		return;
	}
	char desk[64], id[64], label[128];
	readers_desk_name(desk, sizeof desk);
	readers_desk_reader(s->env.db, id, label);
	if (n == 0) {
		printf("No card reader is registered with Stripe. Register one:\n"
		       "  paydesk readers register --code CODE --label LABEL [--location tml_…]\n"
		       "(training: --code simulated-wpe gives Stripe's simulated reader)\n");
	} else {
		printf("Card readers at Stripe (* the one this desk, %s, uses):\n", desk);
		printf("  %-28s %-8s %-22s %s\n", "LABEL", "STATUS", "DEVICE", "ID");
		for (size_t i = 0; i < n; i++)
			printf("%c %-28s %-8s %-22s %s\n", strcmp(list[i].id, id) == 0 ? '*' : ' ',
			       list[i].label, list[i].status[0] ? list[i].status : "?",
			       list[i].device_type, list[i].id);
		if (!id[0])
			printf("This desk has not chosen a reader: paydesk readers use LABEL\n");
	}
	free(list);
}

static int print_locations(struct stripe_cli *s)
{
	struct reader_location *list = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (readers_locations(&s->env, &list, &n, &err) != PD_OK)
		return cli_fail(PD_ERR, err.msg);
	if (n == 0)
		printf("No Terminal location at Stripe (Dashboard > Terminal > Locations adds one;\n"
		       "a reader may be registered without one).\n");
	for (size_t i = 0; i < n; i++)
		printf("%-24s %s\n", list[i].id, list[i].name);
	free(list);
	return 0;
}

static int run(struct app *app, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	struct opts o;
	int prc = parse(argc - 1, argv + 1, &o);
	if (prc)
		return prc == CLI_HELP_SHOWN ? 0 : prc;
	int rest = argc - 1 - optind; /* arguments after the options */
	char **args = argv + 1 + optind;
	bool is_list = strcmp(sub, "list") == 0, is_loc = strcmp(sub, "locations") == 0;
	bool is_reg = strcmp(sub, "register") == 0, is_use = strcmp(sub, "use") == 0;
	if (!(is_list || is_loc || is_reg || is_use) || (is_use ? rest != 1 : rest != 0) ||
	    (is_reg && !o.code)) {
		if (is_reg && !o.code && rest == 0)
			fprintf(stderr, "paydesk: readers register needs --code (the code the reader "
					"shows; training: simulated-wpe)\n");
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	struct stripe_account_row acct;
	if (stripe_account_get(app->db, &acct, &err) != PD_OK)
		return cli_fail(PD_ERR, "no Stripe account is connected: run paydesk setup first");
	/* Who acts: --as NAME (a staff member may not register), else the
	 * holder of the vault passphrase, an admin. */
	struct session who = {0};
	if (o.as && cli_authenticate(app, o.as, o.pin_fd, -1, &who, &err) != PD_OK)
		return cli_fail(PD_ERR, err.msg);
	/* Signed in by PIN: an enrolled desk opens the key without the passphrase. */
	struct stripe_cli s;
	int rc = o.as ? stripe_cli_open_as(&s, app, &who, o.pass_fd, &err)
		      : stripe_cli_open(&s, app, o.pass_fd, &err);
	if (rc && !o.as && (rc == PD_ERR_USAGE || rc == PD_ERR_LOCKED)) {
		/* Staff have no passphrase: say what they can give. */
		stripe_cli_close(&s);
		char why[sizeof err.msg + 96];
		snprintf(why, sizeof why, "%s; or, on an enrolled desk, --as NAME with your PIN",
			 err.msg);
		return cli_fail(rc, why);
	}
	if (rc) {
		stripe_cli_close(&s);
		return cli_fail(rc, err.msg);
	}
	int status = 0;
	char desk[64];
	readers_desk_name(desk, sizeof desk);
	if (is_list) {
		print_list(&s);
	} else if (is_loc) {
		status = print_locations(&s);
	} else if (is_reg) {
		struct reader_info r;
		bool chosen = false;
		rc = readers_register(&s.env, o.code, o.label, o.location, &r, &chosen, &err);
		if (rc) {
			status = cli_fail(rc, err.msg);
		} else {
			printf("Registered %s (%s, %s, %s).\n", r.label, r.id, r.device_type,
			       r.status[0] ? r.status : "status unknown");
			if (chosen)
				printf("this desk (%s) now uses it.\n", desk);
			else
				printf("this desk (%s) keeps its reader: paydesk readers use '%s' "
				       "changes it.\n",
				       desk, r.label);
		}
	} else {
		struct reader_info r;
		rc = readers_use(&s.env, args[0], &r, &err);
		if (rc)
			status = cli_fail(rc, err.msg);
		else
			printf("This desk (%s) now uses %s (%s).\n", desk, r.label, r.id);
	}
	stripe_cli_close(&s);
	return status;
}

const struct cli_command cli_readers = {
	.name = "readers",
	.summary = "card readers (Stripe Terminal): list, register, choose this desk's",
	.run = run,
};
