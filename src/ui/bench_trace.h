/* Timing trace for `make bench` (PAYDESK_BENCH_TRACE=FILE): one line per
 * frame, "frame <key> <key-read ns> <frame-done ns> <draw statements>"
 * (CLOCK_REALTIME), so latencies are measured inside paydesk from key read
 * to doupdate() returning; the last field counts the SQL statements the UI
 * connection ran while the frame was drawn (drawing renders what reload()
 * read: it should be 0). Unset, every call is one branch. */
#ifndef PAYDESK_UI_BENCH_TRACE_H
#define PAYDESK_UI_BENCH_TRACE_H

#include <sqlite3.h>

/* Count the statements run on db (the UI thread's connection) while tracing. */
void ui_trace_watch_db(sqlite3 *db);
/* The frame's drawing starts: its statement count starts from 0. */
void ui_trace_draw_start(void);
/* A key was read (the first since the last frame starts the clock). */
void ui_trace_key(int key);
/* doupdate() returned: write the line for this frame. */
void ui_trace_frame(void);
/* A named instant ("mark <what> <ns>"), e.g. around the sign-in KDF. */
void ui_trace_mark(const char *what);

#endif
