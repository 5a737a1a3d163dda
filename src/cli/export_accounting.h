/* `paydesk export --format quickbooks|xero`: the accounting exports
 * (app/accounting_export.c), reached from `paydesk export`. */
#ifndef PAYDESK_CLI_EXPORT_ACCOUNTING_H
#define PAYDESK_CLI_EXPORT_ACCOUNTING_H

#include <stdbool.h>

#include "paydesk/app.h"

/* Whether argv asks for an accounting format (--format quickbooks|xero). */
bool cli_export_is_accounting(int argc, char **argv);

/* Run the accounting export with argv (argv[0] the command name). */
int cli_export_accounting(struct app *app, int argc, char **argv);

#endif
