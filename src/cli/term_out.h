/* Private to the CLI: what commands print to a terminal is made inert. */
#ifndef PAYDESK_CLI_TERM_OUT_H
#define PAYDESK_CLI_TERM_OUT_H

#include <stdio.h>

/* When standard output or standard error is a terminal, route it through
 * sanitize_text line by line (escape sequences dropped, control characters
 * shown as '?'), until exit. A pipe or a file gets the bytes unchanged. */
void cli_terminal_guard(void);

/* Standard error as it was before the guard, for a command's own progress
 * line (it moves the cursor with CR, which the guard would show as a space)
 * and never for text from outside. stderr when there is no guard. */
FILE *cli_progress_stream(void);

#endif
