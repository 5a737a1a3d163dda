/* Writing an export file: into a private temp file beside it (0600), then
 * flushed, fsynced and renamed over the name asked for, so a reader never
 * sees half a file and a failure leaves any old one as it was. */
#ifndef PAYDESK_FILE_REPLACE_H
#define PAYDESK_FILE_REPLACE_H

#include <stdio.h>

#include "paydesk/error.h"

/* Writes the content to out; 0, or an error code with err filled. */
typedef int (*file_fill_fn)(FILE *out, void *ctx, struct pd_error *err);

int file_replace(const char *path, file_fill_fn fill, void *ctx, struct pd_error *err);

#endif
