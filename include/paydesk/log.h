/* The log file: one line per event, UTC timestamp and level, safe to call
 * from any thread. Every line passes through secret_redact() before it is
 * written, as a second line of defence; callers still never log secrets. */
#ifndef PAYDESK_LOG_H
#define PAYDESK_LOG_H

#include "paydesk/error.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Open (append, mode 0600, parent dirs 0700) the log at path; lines above
 * level are dropped. Until opened, and after log_close(), messages go nowhere. */
int log_open(const char *path, enum log_level level, struct pd_error *err);
void log_close(void);

/* Write one line at level (printf-style; a trailing newline is added). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse "error" | "warn" | "info" | "debug". Returns 0, or -1 when unknown. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

#endif
