#include "paydesk/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "paydesk/paths.h"
#include "paydesk/secret_mask.h"

/* The log is a process-wide sink, like stderr: one file, one lock. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static enum log_level log_max = LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i <= LOG_DEBUG; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return level <= LOG_DEBUG ? level_names[level] : "?";
}

int log_open(const char *path, enum log_level level, struct pd_error *err)
{
	int rc = paths_make_parent(path, err);
	if (rc)
		return rc;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return pd_error_set(err, PD_ERR_IO, "cannot open log %s: %s", path, strerror(errno));
	FILE *f = fdopen(fd, "a");
	if (!f) {
		close(fd);
		return pd_error_set(err, PD_ERR_IO, "cannot open log %s: %s", path, strerror(errno));
	}
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = f;
	log_max = level;
	pthread_mutex_unlock(&log_lock);
	return PD_OK;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	secret_redact(line);
	for (char *p = line; *p; p++) /* one event, one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&log_lock);
	if (log_file && level <= log_max)
		fprintf(log_file, "%s.%03ldZ %-5s %s\n", stamp, ts.tv_nsec / 1000000L,
			log_level_name(level), line);
	pthread_mutex_unlock(&log_lock);
}
