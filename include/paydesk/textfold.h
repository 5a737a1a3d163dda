/* Folding names for search: "Zoë", "ZOE" and "zoe" find each other, and
 * "lukasz" finds "Łukasz". Lower-case, with the accents of the Latin
 * letters European names use (U+00C0–U+017F) taken off; other text is
 * kept as it is. Not a collation: only for "does this contain that". */
#ifndef PAYDESK_TEXTFOLD_H
#define PAYDESK_TEXTFOLD_H

#include <stdbool.h>
#include <stddef.h>

/* Fold utf8 into out (size bytes, always NUL-terminated when size > 0).
 * Returns the length the whole folded text needs, like snprintf. */
size_t text_fold(const char *utf8, char *out, size_t size);

/* Whether the folded haystack contains the folded needle ("" is in all). */
bool text_fold_contains(const char *haystack, const char *needle);

#endif
