/* The terminal: curses set up for paydesk (raw keys, bracketed paste) and
 * given back as it was, on any way out. */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shell.h"

static volatile sig_atomic_t curses_active;

/* Bracketed paste (DECSET 2004): a paste arrives between two markers, so
 * pasted text can never act as keys. Terminals without it ignore this. */
static const char paste_on[] = "\033[?2004h", paste_off[] = "\033[?2004l";

void ui_terminal_restore(void)
{
	if (curses_active) {
		curses_active = 0;
		/* write(2): this also runs from the fatal-signal handler */
		if (write(STDOUT_FILENO, paste_off, sizeof paste_off - 1) < 0) {
			/* the terminal is gone: nothing to restore */
		}
		endwin();
	}
}

int ui_terminal_start(struct screen **scr, struct pd_error *err)
{
	*scr = newterm(NULL, stdout, stdin);
	if (!*scr)
		return pd_error_set(err, PD_ERR, "cannot use this terminal (TERM=%s)",
				    getenv("TERM") ? getenv("TERM") : "unset");
	curses_active = 1;
	atexit(ui_terminal_restore);
	raw(); /* Ctrl-C is a key (quit, asking first when needed) */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	define_key("\033[200~", UI_PASTE_START_CODE);
	define_key("\033[201~", UI_PASTE_END_CODE);
	fputs(paste_on, stdout);
	fflush(stdout);
	return PD_OK;
}
