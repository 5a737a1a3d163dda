/* Subcommands for scripts, cron and admins over SSH (`paydesk NAME …`).
 * Each lives in src/cli/NAME.c and is listed in the table in src/cli/cli.c. */
#ifndef PAYDESK_CLI_H
#define PAYDESK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "paydesk/app.h"

struct cli_command {
	const char *name;
	const char *summary; /* one line for `paydesk --help` */
	/* Run with argv[0] = the command name. Returns an exit status:
	 * 0 ok, 1 runtime error, 2 usage error. Prints its own messages. */
	int (*run)(struct app *app, int argc, char **argv);
	/* The command opens (or replaces) the database itself: main does not
	 * open it first, so app->db is NULL (restore into a fresh home). */
	bool own_db;
};

/* Run cmd; on a terminal, everything it prints is first made inert
 * (sanitize_text, line by line); a pipe or file gets its bytes unchanged. */
int cli_run(const struct cli_command *cmd, struct app *app, int argc, char **argv);

/* The command called name, or NULL. */
const struct cli_command *cli_find(const char *name);

/* Print "  name  summary" lines for every command. */
void cli_list(FILE *out);

/* Print "paydesk: <message>" to stderr and return the exit status for rc. */
int cli_fail(int rc, const char *message);

#endif
