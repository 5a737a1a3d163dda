/* Writing an export file: into a private temp file beside it (0600), then
 * flushed, fsynced and renamed over the name asked for, so a reader never
 * sees half a file and a failure leaves any old one as it was. */
#ifndef PAYDESK_FILE_REPLACE_H
#define PAYDESK_FILE_REPLACE_H

#include <stdio.h>

#include "paydesk/error.h"

/* Writes the content to out; 0, or an error code with err filled. */
typedef int (*file_fill_fn)(FILE *out, void *ctx, struct pd_error *err);

/* Write path through a temp file, replacing any file of that name. */
int file_replace(const char *path, file_fill_fn fill, void *ctx, struct pd_error *err);

/* The same, but only where no file of that name is: PD_ERR_EXISTS (saying
 * to type another name) leaves the existing file as it was. An export never
 * replaces a file unless asked to. */
int file_write_new(const char *path, file_fill_fn fill, void *ctx, struct pd_error *err);

/* path when no file has that name, else the first free "stem-N.ext"
 * (N from 2), as a default export name that replaces nothing. Heap. */
char *file_free_name(const char *path);

#endif
