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

void ui_trace_frame(void)
{
	if (!tracing())
		return;
	char line[96];
	int n = snprintf(line, sizeof line, "frame %d %lld %lld\n", key_code, key_code >= 0 ? key_ns : 0,
			 now_ns());
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
