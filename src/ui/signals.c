/* Signals: a quit request (SIGTERM, SIGHUP, SIGINT) wakes the UI loop
 * through a self-pipe, so it quits cleanly; a crash gives the user their
 * terminal back first. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"

static int signal_pipe[2] = {-1, -1};

/* A crash still gives the user their terminal back, then dies as asked. */
static void on_fatal_signal(int sig)
{
	ui_terminal_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SIGTERM/SIGHUP: wake the loop through the pipe; it quits cleanly. */
static void on_quit_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;
	if (write(signal_pipe[1], &b, 1) < 0) {
		/* pipe full: a quit is already pending */
	}
	errno = saved;
}

int ui_signals_install(struct pd_error *err)
{
	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return pd_error_set(err, PD_ERR, "cannot create a pipe: %s", strerror(errno));
	struct sigaction sa = {0};
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	return PD_OK;
}

void ui_signals_close(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		signal_pipe[i] = -1;
	}
}

int ui_signals_fd(void)
{
	return signal_pipe[0];
}

int ui_signals_take(void)
{
	unsigned char b = 0, last = 0;
	while (read(signal_pipe[0], &b, 1) > 0)
		last = b;
	return last;
}
