/* Private to the shell's files (shell.c and the files it was split into):
 * terminal.c, signals.c, key_input.c, status_line.c, dispatch.c,
 * job_drain.c, signin_flow.c, idle_lock.c. */
#ifndef PAYDESK_UI_SHELL_H
#define PAYDESK_UI_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "paydesk/error.h"
#include "ui.h"

struct screen; /* curses' SCREEN */

/* ---- terminal.c: set-up and restore ------------------------------------ */

/* Curses on this terminal (*scr, for delscreen): raw keys, no echo,
 * bracketed paste on. An error when the terminal cannot be used. */
int ui_terminal_start(struct screen **scr, struct pd_error *err);
/* Give the terminal back (also from the fatal-signal handler); idempotent. */
void ui_terminal_restore(void);
/* The key codes curses reports for the paste markers (define_key). */
#define UI_PASTE_START_CODE 0x6f00
#define UI_PASTE_END_CODE 0x6f01

/* ---- signals.c --------------------------------------------------------- */

/* SIGTERM/SIGHUP/SIGINT wake the loop through a self-pipe; a crash
 * restores the terminal first. */
int ui_signals_install(struct pd_error *err);
void ui_signals_close(void);
/* The pipe's read end, for poll(). */
int ui_signals_fd(void);
/* Empty the pipe; the last signal read. */
int ui_signals_take(void);

/* ---- key_input.c: key reading and paste filtering ---------------------- */

/* The next key, with escape sequences curses does not know dropped whole
 * (UI_KEY_NONE: none waiting). */
int ui_input_next_key(struct ui *ui);
/* A key (or the start of a paste) from the terminal: to dispatch. */
void ui_input_handle_key(struct ui *ui, int key);

/* ---- status_line.c: the tab bar and the status line -------------------- */

void ui_tabs_draw(struct ui *ui);
void ui_status_draw(struct ui *ui);
void ui_too_small_draw(void);

/* ---- dispatch.c: key → action → handler ------------------------------- */

/* Who took a key: nobody, an overlay (lock screen, dialog, help…), the
 * screen's raw-key hook, a key binding, or a binding whose precondition
 * failed (it says why). */
enum ui_taken { UI_TAKEN_NONE, UI_TAKEN_OVERLAY, UI_TAKEN_HOOK, UI_TAKEN_BINDING, UI_TAKEN_REFUSED };
/* overlay → screen → global. */
enum ui_taken ui_dispatch(struct ui *ui, int key);
void ui_dispatch_key(struct ui *ui, int key);
/* The binding the last ui_dispatch ran or refused (NULL: none), for tests. */
const struct ui_binding *ui_dispatch_last_binding(void);
/* Quit, asking first when jobs run or a form has unsaved changes. */
void ui_request_quit(struct ui *ui);
extern const struct ui_binding ui_global_keys[];
extern const size_t ui_global_nkeys;

/* ---- job_drain.c: the worker pool seen from the UI --------------------- */

void ui_jobs_start(struct ui *ui);
/* Hand finished jobs to the screens; re-read what they changed. */
void ui_jobs_drain(struct ui *ui);
/* Finish what the last stop left in flight (once the key is at hand). */
void ui_jobs_recover(struct ui *ui);

/* ---- signin_flow.c: sign-in, then unlock ------------------------------- */

/* Sign in before anything shows, then unlock the vault when needed. */
void ui_signin_flow_start(struct ui *ui);

/* ---- idle_lock.c ------------------------------------------------------- */

/* The poll timeout (ms) until the idle lock, 0 when it has just locked,
 * or -1 (no idle lock now). */
int ui_idle_lock_timeout(struct ui *ui);

/* Someone is at the desk (a key, a paste, a sign-in): a whole idle period
 * starts now. */
void ui_idle_restart(struct ui *ui);

#endif
