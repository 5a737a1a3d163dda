/* What a command prints to a terminal goes through sanitize_text, line by
 * line: a client or plan name from Stripe can hold escape sequences that
 * would clear the screen or set the window title. Only a terminal gets this:
 * a pipe or a file receives the bytes as they are (an export stays whole). */
#include "term_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/sanitize.h"

/* A line longer than this is shown in pieces (sanitize_text never cuts a
 * character; a piece may end inside an escape sequence, which is then shown
 * inert rather than run). */
#define TERM_LINE_MAX 65536

struct term_out {
	int fd;
	char *line; /* the current line, not yet shown */
	size_t len, cap;
};

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return; /* the terminal went away: nothing useful to do */
		s += w;
		n -= (size_t)w;
	}
}

/* Show line[0..len) made inert, then a newline when ended. */
static void show(struct term_out *t, size_t len, bool ended)
{
	if (ended && len && t->line[len - 1] == '\r')
		len--; /* CRLF (CSV): the terminal gets its own line end */
	char saved = t->line[len];
	t->line[len] = '\0';
	size_t cap = len * 3 + 2;
	char *out = malloc(cap);
	if (out) {
		size_t n = sanitize_text(t->line, out, cap);
		if (ended)
			out[n++] = '\n';
		write_all(t->fd, out, n);
		free(out);
	}
	t->line[len] = saved;
}

static ssize_t term_write(void *cookie, const char *buf, size_t size)
{
	struct term_out *t = cookie;
	for (size_t i = 0; i < size; i++) {
		if (t->len + 2 > t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 256;
			char *l = realloc(t->line, cap);
			if (!l)
				return -1;
			t->line = l;
			t->cap = cap;
		}
		if (buf[i] == '\n') {
			show(t, t->len, true);
			t->len = 0;
			continue;
		}
		t->line[t->len++] = buf[i];
		if (t->len >= TERM_LINE_MAX) {
			show(t, t->len, false);
			t->len = 0;
		}
	}
	return (ssize_t)size;
}

static int term_close(void *cookie)
{
	struct term_out *t = cookie;
	if (t->len)
		show(t, t->len, false);
	free(t->line);
	free(t);
	return 0;
}

static FILE *guarded_out, *guarded_err, *plain_out, *plain_err;

/* At exit, before stdio's own clean-up: a last line without its newline is shown too. */
static void close_guards(void)
{
	if (guarded_out) {
		stdout = plain_out; /* for anything printed by a later exit handler */
		fclose(guarded_out);
		guarded_out = NULL;
	}
	if (guarded_err) {
		stderr = plain_err;
		fclose(guarded_err);
		guarded_err = NULL;
	}
}

static FILE *guard(int fd)
{
	struct term_out *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->fd = fd;
	FILE *f = fopencookie(t, "w", (cookie_io_functions_t){.write = term_write,
							      .close = term_close});
	if (!f) {
		free(t);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

void cli_terminal_guard(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	bool any = false;
	FILE *f;
	if (isatty(STDOUT_FILENO) && (f = guard(STDOUT_FILENO))) {
		fflush(stdout);
		plain_out = stdout;
		stdout = guarded_out = f;
		any = true;
	}
	if (isatty(STDERR_FILENO) && (f = guard(STDERR_FILENO))) {
		fflush(stderr);
		plain_err = stderr;
		stderr = guarded_err = f;
		any = true;
	}
	if (any)
		atexit(close_guards);
}

FILE *cli_progress_stream(void)
{
	if (guarded_err) {
		fflush(guarded_err); /* what was printed before stays before */
		return plain_err;
	}
	return stderr;
}
