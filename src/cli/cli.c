#include "paydesk/cli.h"

#include <string.h>

#include "paydesk/error.h"
#include "paydesk/sanitize.h"
#include "term_out.h"

extern const struct cli_command cli_audit, cli_doctor, cli_setup, cli_connect, cli_users;
extern const struct cli_command cli_clients, cli_agenda, cli_takings;
extern const struct cli_command cli_export, cli_sync, cli_recover;
extern const struct cli_command cli_plans, cli_subscriptions;
extern const struct cli_command cli_backup, cli_restore;
extern const struct cli_command cli_desk, cli_passphrase_change;
extern const struct cli_command cli_readers;
extern const struct cli_command cli_fees;
extern const struct cli_command cli_policies;
extern const struct cli_command cli_packages;
extern const struct cli_command cli_receipt;
extern const struct cli_command cli_close;
extern const struct cli_command cli_payouts;

static const struct cli_command *const commands[] = {
	&cli_setup,
	&cli_doctor,
	&cli_connect,
	&cli_users,
	&cli_desk,
	&cli_passphrase_change,
	&cli_audit,
	&cli_clients,
	&cli_agenda,
	&cli_takings,
	&cli_close,
	&cli_export,
	&cli_sync,
	&cli_recover,
	&cli_plans, &cli_subscriptions,
	&cli_backup, &cli_restore,
	&cli_readers,
	&cli_fees,
	&cli_policies,
	&cli_packages,
	&cli_receipt,
	&cli_payouts,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

int cli_run(const struct cli_command *cmd, struct app *app, int argc, char **argv)
{
	/* Commands print names, descriptions and messages from Stripe and from
	 * people: on a terminal none of it may act as a control sequence. */
	cli_terminal_guard();
	return cmd->run(app, argc, argv);
}

void cli_list(FILE *out)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-18s %s\n", commands[i]->name, commands[i]->summary);
}

int cli_fail(int rc, const char *message)
{
	char shown[1024]; /* messages quote paths and values as typed: made inert */
	sanitize_text(message, shown, sizeof shown);
	fprintf(stderr, "paydesk: %s\n", shown);
	return rc == PD_ERR_USAGE ? 2 : 1;
}
