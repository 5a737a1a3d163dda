/* Private to the CLI: table cells padded by display width, so a name with
 * accents (Zoë) or wide characters keeps the columns after it in place. */
#ifndef PAYDESK_CLI_CELLS_H
#define PAYDESK_CLI_CELLS_H

#include <stdbool.h>
#include <stdio.h>

/* Columns s takes on a terminal (a wide character 2, an invalid byte 1). */
int cli_text_width(const char *s);

/* Print s to out in exactly width columns: padded after it (before it when
 * right), or cut with "…"; then sep (a column gap, or "\n"). */
void cli_cell(FILE *out, const char *s, int width, bool right, const char *sep);

#endif
