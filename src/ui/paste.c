/* Bracketed pastes: the text between the terminal's paste markers, read
 * straight from the terminal and handed to the focused field whole (or
 * refused with the reason), never run as keys. */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/csv.h"
#include "paste.h"

/* A bracketed paste: read straight from the terminal up to the end marker
 * (curses reads a byte per system call: a megabyte took seconds), kept up
 * to PASTE_KEEP bytes; the rest is only scanned for the marker. */
#define PASTE_KEEP (2u << 20)
#define PASTE_FEED_MAX 65536
/* Copied text may itself hold the end marker (ESC[201~): bytes that come
 * with the paste are read on for this long after a marker, and a later end
 * marker before any start marker shows the first one was text. */
#define PASTE_SETTLE_MS 50
#define PASTE_AFTER_MAX (1u << 20)
static const char paste_end_marker[] = "\033[201~";
static const char paste_start_marker[] = "\033[200~";
#define MARKER_LEN (sizeof paste_end_marker - 1)

struct paste_raw {
	char *data;
	size_t len, total;
	char tail[8]; /* the last bytes seen, for a marker split across reads */
	size_t ntail;
	bool ended;
	char *after; /* what came after the first end marker: keys, or more paste */
	size_t nafter, capafter;
};

/* Text of the paste: kept up to PASTE_KEEP bytes, all counted. */
static void paste_keep(struct paste_raw *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p->len < PASTE_KEEP)
			p->data[p->len++] = s[i];
		p->total++;
	}
}

static void after_add(struct paste_raw *p, const char *s, size_t n)
{
	if (n == 0)
		return; /* nothing after the marker: p->after may not exist yet */
	if (p->nafter + n > p->capafter) {
		size_t cap = p->capafter ? p->capafter : 4096;
		while (cap < p->nafter + n)
			cap *= 2;
		char *a = realloc(p->after, cap);
		if (!a)
			return; /* out of memory: what follows is lost, not run */
		p->after = a;
		p->capafter = cap;
	}
	memcpy(p->after + p->nafter, s, n);
	p->nafter += n;
}

static void paste_take(struct paste_raw *p, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && !p->ended; i++) {
		if (p->len < PASTE_KEEP)
			p->data[p->len++] = buf[i];
		p->total++;
		if (p->ntail == MARKER_LEN) {
			memmove(p->tail, p->tail + 1, MARKER_LEN - 1);
			p->ntail--;
		}
		p->tail[p->ntail++] = buf[i];
		if (p->ntail == MARKER_LEN && memcmp(p->tail, paste_end_marker, MARKER_LEN) == 0) {
			p->ended = true;
			p->total -= MARKER_LEN;
			p->len = p->total < p->len ? p->total
						   : p->len - (p->len == PASTE_KEEP ? 0 : MARKER_LEN);
			after_add(p, buf + i + 1, n - i - 1);
		}
	}
}

/* Where the paste really ends in `after`: the last end marker that comes
 * before any start marker (a new paste), or -1 when there is none. */
static long inner_end(const char *a, size_t n)
{
	long last = -1;
	for (size_t i = 0; i + MARKER_LEN <= n; i++) {
		if (memcmp(a + i, paste_start_marker, MARKER_LEN) == 0)
			break;
		if (memcmp(a + i, paste_end_marker, MARKER_LEN) == 0)
			last = (long)i;
	}
	return last;
}

static void paste_read(struct paste_raw *p)
{
	char buf[65536];
	while (!p->ended) {
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		if (poll(&pfd, 1, 1000) <= 0)
			break; /* no end marker within a second: take what came */
		errno = 0;
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break; /* end of file: the terminal hung up mid-paste */
		if (n > 0)
			paste_take(p, buf, (size_t)n);
	}
	sodium_memzero(buf, sizeof buf); /* a paste may be a key */
	if (!p->ended)
		return;
	/* The rest of the burst: more of the paste when the text held the marker. */
	while (p->nafter < PASTE_AFTER_MAX) {
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		if (poll(&pfd, 1, PASTE_SETTLE_MS) <= 0)
			break;
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n <= 0)
			break;
		after_add(p, buf, (size_t)n);
		sodium_memzero(buf, sizeof buf);
	}
	long end = inner_end(p->after, p->nafter);
	if (end >= 0) {
		/* The first marker and what followed it up to the last one were text. */
		paste_keep(p, paste_end_marker, MARKER_LEN);
		paste_keep(p, p->after, (size_t)end);
		size_t rest = (size_t)end + MARKER_LEN;
		memmove(p->after, p->after + rest, p->nafter - rest);
		p->nafter -= rest;
	}
	/* Keys typed right after the paste go back to curses, in order. */
	for (size_t j = p->nafter; j-- > 0;)
		ungetch((unsigned char)p->after[j]);
}

/* Why a paste cannot go into a one-line text field as it is, or NULL. A
 * paste is taken whole or not at all; the reasons are short because the
 * status line has about 35 columns for them at 80x24. */
static const char *paste_refusal(const char *s, size_t len)
{
	size_t end = len;
	while (end && (s[end - 1] == '\n' || s[end - 1] == '\r'))
		end--; /* a copied line often ends in a line break */
	if (!csv_utf8_valid(s, len))
		return "paste refused: not UTF-8 text";
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x1b)
			return "paste refused: escape sequences";
		if (c == '\n' || c == '\r')
			return "paste refused: several lines";
		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    (c == 0xc2 && i + 1 < end && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9f))
			return "paste refused: control characters";
	}
	return NULL;
}

/* The paste as keys between UI_KEY_PASTE_START and _END: the field takes
 * it whole or refuses it (too long) in place. */
static void paste_feed(struct ui *ui, const char *s, size_t len, ui_paste_key_fn dispatch_key)
{
	dispatch_key(ui, UI_KEY_PASTE_START);
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long fed = 0;
	while (p < end && *p != '\n' && *p != '\r' && fed <= PASTE_FEED_MAX) {
		uint32_t cp;
		int n = 1;
		if (*p < 0x80)
			cp = *p;
		else if (*p < 0xe0)
			cp = *p & 0x1f, n = 2;
		else if (*p < 0xf0)
			cp = *p & 0x0f, n = 3;
		else
			cp = *p & 0x07, n = 4;
		for (int i = 1; i < n && p + i < end; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		p += n;
		dispatch_key(ui, cp == '\t' ? ' ' : (int)cp);
		fed++; /* one past any field's size tells the form it did not fit */
	}
	dispatch_key(ui, UI_KEY_PASTE_END);
}

void ui_paste(struct ui *ui, bool into_field, ui_paste_key_fn dispatch_key)
{
	struct paste_raw p = {.data = malloc(PASTE_KEEP)};
	if (!p.data) {
		ui_notify(ui, UI_NOTICE_ERROR, "paste refused: out of memory");
		return;
	}
	paste_read(&p);
	if (p.after)
		sodium_memzero(p.after, p.capafter); /* it may hold part of the paste */
	free(p.after);
	const char *why = NULL;
	if (!into_field)
		why = "paste ignored: no text field";
	else if (p.total > p.len)
		why = "paste refused: more than 2 MB";
	else
		why = paste_refusal(p.data, p.len);
	if (why)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", why);
	else
		paste_feed(ui, p.data, p.len, dispatch_key);
	sodium_memzero(p.data, p.len);
	free(p.data);
}
