/* Whole numbers typed by a person (command-line options, ids): the whole
 * text or nothing, range-checked, never atoi's "abc is 0" or "1abc is 1". */
#ifndef PAYDESK_NUMBER_H
#define PAYDESK_NUMBER_H

#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

/* Parse text as a decimal integer in [min, max] into *out. Digits only
 * (a leading '-' only when min < 0): no blanks, '+', hex, fractions or
 * trailing text; overflow is out of range. On failure *out is untouched and
 * err says "<what> takes a whole number from min to max, not '<text>'". */
int number_parse(const char *text, const char *what, int64_t min, int64_t max, int64_t *out,
		 struct pd_error *err);

/* v with its thousands grouped by commas ("91,562"), into out (cut to
 * fit, always ended). Returns out. */
char *number_grouped(int64_t v, char *out, size_t len);

#endif
