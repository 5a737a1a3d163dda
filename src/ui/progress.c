/* The progress bar for long jobs (history sync, imports). */
#include <stdio.h>
#include <string.h>

#include "widgets.h"

static void group(long long v, char *out, size_t len)
{
	char digits[32];
	snprintf(digits, sizeof digits, "%lld", v < 0 ? 0 : v);
	size_t n = strlen(digits), w = 0;
	for (size_t i = 0; i < n && w + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			out[w++] = ',';
		out[w++] = digits[i];
	}
	out[w] = '\0';
}

void ui_progress_draw(struct ui_rect r, const char *label, long long done, long long total,
		      double rate, double eta, unsigned tick)
{
	char a[32], b[32], tail[96] = "";
	group(done, a, sizeof a);
	if (total > 0) {
		group(total, b, sizeof b);
		snprintf(tail, sizeof tail, " %s / %s", a, b);
	} else {
		snprintf(tail, sizeof tail, " %s", a);
	}
	size_t tl = strlen(tail);
	if (rate >= 0)
		tl += (size_t)snprintf(tail + tl, sizeof tail - tl, "  %.0f/s", rate);
	if (eta >= 0 && total > 0)
		snprintf(tail + tl, sizeof tail - tl, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
	int x = r.x;
	if (label && *label) {
		x += ui_put(r.y, x, r.w, ROLE_NORMAL, label, false);
		x += ui_put(r.y, x, r.w - (x - r.x), ROLE_NORMAL, " ", false);
	}
	int bar = r.w - (x - r.x) - ui_text_width(tail) - 2;
	if (bar < 4) {
		ui_put(r.y, x, r.w - (x - r.x), ROLE_NORMAL, tail, false);
		return;
	}
	int filled;
	if (total > 0) {
		long long d = done > total ? total : done;
		filled = (int)(d * bar / total);
	} else {
		filled = -1;
	}
	ui_put(r.y, x++, 1, ROLE_DIM, "[", false);
	for (int i = 0; i < bar; i++) {
		bool on = filled >= 0 ? i < filled : (int)((tick + (unsigned)i) % 12) < 3;
		ui_put(r.y, x + i, 1, on ? ROLE_PROGRESS : ROLE_DIM, on ? " " : "\xc2\xb7", false);
	}
	ui_put(r.y, x + bar, 1, ROLE_DIM, "]", false);
	ui_put(r.y, x + bar + 1, r.w, ROLE_NORMAL, tail, false);
}
