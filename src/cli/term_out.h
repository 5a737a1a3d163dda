/* Private to the CLI: what commands print to a terminal is made inert. */
#ifndef PAYDESK_CLI_TERM_OUT_H
#define PAYDESK_CLI_TERM_OUT_H

/* When standard output or standard error is a terminal, route it through
 * sanitize_text line by line (escape sequences dropped, control characters
 * shown as '?'), until exit. A pipe or a file gets the bytes unchanged. */
void cli_terminal_guard(void);

#endif
