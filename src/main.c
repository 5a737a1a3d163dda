/* paydesk: parse the command line, wire the modules, pick a subcommand or
 * the full-screen interface. Exit codes: 0 ok, 1 runtime error, 2 usage. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "paydesk/app.h"
#include "paydesk/cli.h"
#include "paydesk/error.h"
#include "paydesk/harden.h"
#include "paydesk/kdf.h"
#include "paydesk/sanitize.h"
#include "paydesk/tui.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* An argument quoted in a message, made inert (escape sequences, control
 * characters) and cut to a readable length. */
static const char *shown(const char *arg)
{
	static char buf[128];
	sanitize_text(arg, buf, sizeof buf);
	return buf;
}

static void usage(FILE *out)
{
	fputs("Usage: paydesk [OPTION]... [COMMAND [ARG]...]\n"
	      "Run a small business's Stripe payments from the keyboard.\n"
	      "Without a command, paydesk opens its full-screen interface.\n"
	      "\n"
	      "Options:\n"
	      "  --db PATH          database file (default $XDG_DATA_HOME/paydesk/paydesk.db)\n"
	      "  --config PATH      config file (default $XDG_CONFIG_HOME/paydesk/config)\n"
	      "  --theme NAME|PATH  colour theme: default, dark, light, mono, high-contrast\n"
	      "  --screen NAME      start on appointments, clients, subscriptions, history or setup\n"
	      "  -h, --help         show this help and exit\n"
	      "  -V, --version      show the version and exit\n"
	      "\n"
	      "Commands:\n",
	      out);
	cli_list(out);
	fputs("\n"
	      "Environment: PAYDESK_API_BASE, PAYDESK_THEME, PAYDESK_CURRENCY, PAYDESK_TIMEZONE,\n"
	      "PAYDESK_LOG_LEVEL override the config file; NO_COLOR selects the mono theme.\n"
	      "Exit status: 0 ok, 1 runtime error, 2 usage error. See paydesk(1).\n",
	      out);
}

int main(int argc, char **argv)
{
	/* Before anything else: not dumpable, and the secrets given by
	 * environment out of /proc/PID/environ into guarded memory. */
	harden_start();
	/* The key-derivation helper (sys/kdf.c): this program again, asked for
	 * one Argon2id on a socket. Nothing else of paydesk runs in it. */
	if (argc == 2 && strcmp(argv[1], KDF_CHILD_ARG) == 0)
		return kdf_child_main();
	kdf_child_enable();
	setlocale(LC_ALL, "");
	umask(077); /* everything paydesk writes is private to the user */

	enum { OPT_DB = 256, OPT_CONFIG, OPT_THEME, OPT_SCREEN };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
		{"db", required_argument, NULL, OPT_DB},  {"config", required_argument, NULL, OPT_CONFIG},
		{"theme", required_argument, NULL, OPT_THEME},
		{"screen", required_argument, NULL, OPT_SCREEN},
		{NULL, 0, NULL, 0},
	};
	struct app_options opt = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("paydesk %s\n", PAYDESK_VERSION);
			return EXIT_OK;
		case OPT_DB:
			opt.db_path = optarg;
			break;
		case OPT_CONFIG:
			opt.config_path = optarg;
			break;
		case OPT_THEME:
			opt.theme = optarg;
			break;
		case OPT_SCREEN:
			opt.screen = optarg;
			break;
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "paydesk: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "paydesk: unknown or incomplete option '%s'\n",
					shown(argv[optind - 1]));
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	const struct cli_command *cmd = NULL;
	if (optind < argc && !(cmd = cli_find(argv[optind]))) {
		fprintf(stderr, "paydesk: unknown command '%s'\n", shown(argv[optind]));
		usage(stderr);
		return EXIT_USAGE;
	}

	opt.no_db = cmd && cmd->own_db;
	struct app app;
	struct pd_error err = {0};
	int rc = app_open(&app, &opt, &err);
	if (rc) {
		app_close(&app);
		return cli_fail(rc, err.msg);
	}
	int status;
	if (cmd) {
		int first = optind;
		optind = 0; /* glibc: 0 re-initialises getopt, so each command parses its own options */
		status = cli_run(cmd, &app, argc - first, argv + first);
	} else {
		rc = tui_run(&app, &err);
		status = rc ? (rc == PD_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME) : EXIT_OK;
		if (rc)
			fprintf(stderr, "paydesk: %s\n", err.msg);
	}
	app_close(&app);
	return status;
}
