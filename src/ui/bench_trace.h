/* Timing trace for `make bench` (PAYDESK_BENCH_TRACE=FILE): one line per
 * frame, "frame <key> <key-read ns> <frame-done ns>" (CLOCK_REALTIME), so
 * latencies are measured inside paydesk from key read to doupdate()
 * returning. Unset, every call is one branch. */
#ifndef PAYDESK_UI_BENCH_TRACE_H
#define PAYDESK_UI_BENCH_TRACE_H

/* A key was read (the first since the last frame starts the clock). */
void ui_trace_key(int key);
/* doupdate() returned: write the line for this frame. */
void ui_trace_frame(void);
/* A named instant ("mark <what> <ns>"), e.g. around the sign-in KDF. */
void ui_trace_mark(const char *what);

#endif
