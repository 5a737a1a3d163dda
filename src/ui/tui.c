#include "paydesk/tui.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const tab_names[] = {"Appointments", "Clients", "Subscriptions", "History",
					"Setup"};
#define N_TABS (int)(sizeof tab_names / sizeof tab_names[0])

static volatile sig_atomic_t curses_active;

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
}

/* Fatal signals: give the user their terminal back, then die as asked. */
static void on_fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void draw(int tab)
{
	erase();
	int x = 0;
	for (int i = 0; i < N_TABS; i++) {
		if (i == tab)
			attron(A_REVERSE | A_BOLD);
		mvprintw(0, x, " %d %s ", i + 1, tab_names[i]);
		if (i == tab)
			attroff(A_REVERSE | A_BOLD);
		x += (int)strlen(tab_names[i]) + 4;
	}
	mvprintw(2, 2, "%s", tab_names[tab]);
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvprintw(LINES - 1, 0, " TEST  |  ?: help  q: quit");
	attroff(A_REVERSE);
	refresh();
}

int tui_run(struct app *app, struct pd_error *err)
{
	(void)app;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return pd_error_set(err, PD_ERR_USAGE,
				    "paydesk needs a terminal; for scripts use a subcommand (see "
				    "--help)");
	if (!initscr())
		return pd_error_set(err, PD_ERR, "cannot initialise the terminal");
	curses_active = 1;
	atexit(restore_terminal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGHUP, on_fatal_signal);
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	raw();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);

	int tab = 0;
	bool running = true;
	draw(tab);
	while (running) {
		int ch = getch();
		if (ch == 'q')
			running = false;
		else if (ch >= '1' && ch < '1' + N_TABS)
			tab = ch - '1';
		else if (ch == KEY_F(1) || ch == KEY_F(2) || ch == KEY_F(3) || ch == KEY_F(4) ||
			 ch == KEY_F(5))
			tab = ch - KEY_F(1);
		else if (ch == '\t')
			tab = (tab + 1) % N_TABS;
		draw(tab);
	}
	restore_terminal();
	return PD_OK;
}
