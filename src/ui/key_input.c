/* Keys from the terminal before dispatch: escape sequences curses does not
 * know are dropped whole, and bracketed pastes go to the focused field
 * (never run as keys). */
#include <curses.h>
#include <errno.h>

#include "bench_trace.h"
#include "paste.h"
#include "shell.h"

static int pending_key = UI_KEY_NONE;

/* The next key. An escape sequence curses does not know (pasted without
 * bracketed paste, or a key this terminfo lacks) arrives as Esc followed by
 * its bytes in the same read: it is dropped whole, so "\e[31m" neither
 * cancels a form nor types "[31m" into it or runs "3" as a command. */
int ui_input_next_key(struct ui *ui)
{
	int k = pending_key;
	if (k == UI_KEY_NONE) {
		errno = 0;
		k = ui_key_read();
		if (k == UI_KEY_NONE && errno == EILSEQ) { /* curses dropped bytes that are not UTF-8 */
			ui_notify(ui, UI_NOTICE_ERROR, "ignored input: not UTF-8");
			return ui_input_next_key(ui);
		}
	}
	pending_key = UI_KEY_NONE;
	if (k != UI_KEY_ESC)
		return k;
	int n = ui_key_read();
	if (n != '[' && n != ']' && n != 'P' && n != '_' && n != '^' && n != 'O') {
		pending_key = n; /* a lone Esc (or Alt-key): Esc first */
		return UI_KEY_ESC;
	}
	int c = UI_KEY_NONE;
	for (int i = 0; i < 256; i++) { /* CSI/SS3: up to a final byte; OSC/DCS…: up to BEL or ST */
		c = ui_key_read();
		if (c == UI_KEY_NONE)
			break;
		if ((n == '[' || n == 'O') && c >= 0x40 && c <= 0x7e)
			break;
		if (n != '[' && n != 'O' && (c == 0x07 || c == '\\'))
			break;
	}
	ui_notify(ui, UI_NOTICE_ERROR, "ignored an escape sequence");
	return ui_input_next_key(ui);
}

static bool typing_into_field(struct ui *ui)
{
	if (ui->signin || ui->unlock)
		return !ui->dialog;
	if (ui->dialog || ui->help_open || ui->messages_open || ui->too_small)
		return false;
	const struct ui_screen *s = ui_screens[ui->tab];
	return s->editing && s->editing(ui->state[ui->tab]);
}

/* True when key belonged to a paste (taken care of here). */
static bool paste_key(struct ui *ui, int key)
{
	if (key == UI_KEY_PASTE_START) {
		ui_paste(ui, typing_into_field(ui), ui_dispatch_key);
		return true;
	}
	return key == UI_KEY_PASTE_END; /* a stray end marker */
}

void ui_input_handle_key(struct ui *ui, int key)
{
	ui_trace_key(key);
	if (key == UI_KEY_FN(KEY_RESIZE))
		return; /* curses has the new size; the next draw uses it */
	/* The idle time may have run out while poll() slept on (a suspended
	 * laptop, whose sleep poll does not count): this key is not the desk's.
	 * The lock comes first and the key is dropped; a paste goes to the lock
	 * screen's field. */
	bool locked_now = ui_idle_lock_timeout(ui) == 0;
	ui_idle_restart(ui); /* any key or paste is someone at the desk */
	if (paste_key(ui, key) || locked_now)
		return;
	ui_dispatch_key(ui, key);
}
