/* Reading a small text file a person points paydesk at (config, theme)
 * whole, with a size limit: `--config /dev/zero` is refused, not read until
 * memory runs out. */
#ifndef PAYDESK_TEXT_FILE_H
#define PAYDESK_TEXT_FILE_H

#include <stddef.h>

#include "paydesk/error.h"

/* The limit for config and theme files: far above any real one. */
#define TEXT_FILE_MAX ((size_t)1 << 20)

/* Read path whole into *text (heap, NUL-terminated; caller frees). what
 * names the file in messages ("config", "theme"). Refused (PD_ERR_USAGE)
 * when it is larger than max bytes ("config PATH is larger than 1 MiB…") or
 * holds a NUL byte; PD_ERR_NOT_FOUND when it does not exist; PD_ERR_IO when
 * it cannot be read. *text is NULL on failure. */
int text_file_read(const char *path, const char *what, size_t max, char **text,
		   struct pd_error *err);

#endif
