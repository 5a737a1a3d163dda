#include "bench_trace.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int trace_fd = -2; /* -2: not looked at yet, -1: off */
static long long key_ns;
static int key_code = -1;
static long draw_statements = -1; /* -1: no frame started, or no connection watched */
static bool watching;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool tracing(void)
{
	if (trace_fd == -2) {
		const char *path = getenv("PAYDESK_BENCH_TRACE");
		trace_fd = path && *path
				   ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)
				   : -1;
	}
	return trace_fd >= 0;
}

/* When the program's own code starts (after the dynamic loader): "start <ns>". */
__attribute__((constructor)) static void trace_start(void)
{
	if (!tracing())
		return;
	char line[48];
	int n = snprintf(line, sizeof line, "start %lld\n", now_ns());
	if (n > 0 && write(trace_fd, line, (size_t)n) < 0) {
		/* a bench aid only */
	}
}

void ui_trace_key(int key)
{
	if (!tracing() || key_code >= 0)
		return;
	key_ns = now_ns();
	key_code = key;
}

static int count_statement(unsigned type, void *ctx, void *p, void *x)
{
	(void)type, (void)ctx, (void)p, (void)x;
	if (draw_statements >= 0)
		draw_statements++;
	return 0;
}

void ui_trace_watch_db(sqlite3 *db)
{
	if (!tracing() || !db)
		return;
	watching = sqlite3_trace_v2(db, SQLITE_TRACE_STMT, count_statement, NULL) == SQLITE_OK;
}

void ui_trace_draw_start(void)
{
	if (tracing() && watching)
		draw_statements = 0;
}

void ui_trace_frame(void)
{
	if (!tracing())
		return;
	char line[128];
	int n = snprintf(line, sizeof line, "frame %d %lld %lld %ld\n", key_code,
			 key_code >= 0 ? key_ns : 0, now_ns(), draw_statements);
	draw_statements = -1;
	if (n > 0 && write(trace_fd, line, (size_t)n) < 0) {
		/* a bench aid: nothing to do about a full disk */
	}
	key_code = -1;
}

void ui_trace_mark(const char *what)
{
	if (!tracing())
		return;
	char line[96];
	int n = snprintf(line, sizeof line, "mark %s %lld\n", what, now_ns());
	if (n > 0 && write(trace_fd, line, (size_t)n) < 0) {
		/* a bench aid only */
	}
}
