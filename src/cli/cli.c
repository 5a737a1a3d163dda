#include "paydesk/cli.h"

#include <string.h>

#include "paydesk/error.h"

extern const struct cli_command cli_audit, cli_doctor, cli_setup, cli_connect;

static const struct cli_command *const commands[] = {
	&cli_setup,
	&cli_doctor,
	&cli_connect,
	&cli_audit,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void cli_list(FILE *out)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-18s %s\n", commands[i]->name, commands[i]->summary);
}

int cli_fail(int rc, const char *message)
{
	fprintf(stderr, "paydesk: %s\n", message);
	return rc == PD_ERR_USAGE ? 2 : 1;
}
