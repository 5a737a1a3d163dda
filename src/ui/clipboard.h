/* Copy text to the clipboard of the terminal paydesk runs in, with OSC 52,
 * so an admin over SSH can paste a link on their own machine. Terminals (and
 * tmux with `set-clipboard on`) may ignore it: callers say so. UI thread only. */
#ifndef PAYDESK_UI_CLIPBOARD_H
#define PAYDESK_UI_CLIPBOARD_H

/* Write ESC ] 52 ; c ; base64(text) BEL to the terminal. 0, or -1 when it
 * could not be built or written. */
int ui_clipboard_copy(const char *text);

#endif
