/* `paydesk agenda [--date YYYY-MM-DD] [--staff NAME]`: one day's
 * appointments as aligned plain text, for a printer or a morning email. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "paydesk/appointments.h"
#include "paydesk/booking_policy.h"
#include "paydesk/cli.h"
#include "paydesk/sanitize.h"
#include "paydesk/staff.h"
#include "paydesk/tz.h"

enum { C_TIME, C_CLIENT, C_SERVICE, C_STAFF, C_STATE, C_PAYMENT, C_COUNT };
static const char *const heads[C_COUNT] = {"TIME", "CLIENT", "SERVICE", "STAFF", "STATE",
					   "PAYMENT"};
static const int caps[C_COUNT] = {11, 28, 24, 18, 16, 42}; /* payment: "deposit 10.00 · 15.00 due · card needed" */

static void usage(FILE *out)
{
	fputs("usage: paydesk agenda [--date YYYY-MM-DD] [--staff NAME]\n"
	      "Prints the day's appointments (default: today) in the configured time zone.\n",
	      out);
}

/* Columns one UTF-8 character takes (wide characters 2). */
static int char_width(const char *s, size_t *bytes)
{
	mbstate_t ps = {0};
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		size_t k = 1;
		while ((s[k] & 0xc0) == 0x80)
			k++;
		*bytes = k;
		return 1;
	}
	*bytes = n;
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/* Print s padded (or cut with "…") to exactly width columns. */
static void put_cell(const char *s, int width, bool last)
{
	int used = 0;
	size_t total = 0;
	for (const char *p = s; *p;) {
		size_t b;
		used += char_width(p, &b);
		p += b;
	}
	if (used <= width) {
		fputs(s, stdout);
	} else {
		used = 0;
		for (const char *p = s; *p;) {
			size_t b;
			int w = char_width(p, &b);
			if (used + w > width - 1)
				break;
			fwrite(p, 1, b, stdout);
			used += w;
			p += b;
		}
		fputs("…", stdout);
		used++;
	}
	(void)total;
	if (!last)
		printf("%*s", width - used + 2, "");
}

static int cell_width(const char *s)
{
	int used = 0;
	for (const char *p = s; *p;) {
		size_t b;
		used += char_width(p, &b);
		p += b;
	}
	return used;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_DATE = 256, O_STAFF, O_HELP };
	static const struct option opts[] = {
		{"date", required_argument, NULL, O_DATE},
		{"staff", required_argument, NULL, O_STAFF},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *date = NULL, *staff_name = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_DATE: date = optarg; break;
		case O_STAFF: staff_name = optarg; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	int y, m, d;
	if (date && tz_parse_date(date, &y, &m, &d) != 0) {
		fprintf(stderr, "paydesk: --date takes a date as YYYY-MM-DD, such as 2025-03-31\n");
		return 2;
	}
	if (!date)
		tz_today(&y, &m, &d);
	struct pd_error err = {0};
	struct staff sf = {0};
	if (staff_name) {
		int rc = staff_find_name(app->db, staff_name, &sf, &err);
		if (rc == PD_ERR_NOT_FOUND) {
			fprintf(stderr, "paydesk: --staff: %s\n", err.msg);
			return 2;
		}
		if (rc)
			return cli_fail(rc, err.msg);
	}
	int ny = y, nm = m, nd = d;
	tz_date_add(&ny, &nm, &nd, 1);
	struct appointment *list = NULL;
	size_t n = 0;
	int rc = appointments_range(app->db, tz_day_start(y, m, d), tz_day_start(ny, nm, nd), sf.id,
				    &list, &n, &err);
	if (rc)
		return cli_fail(rc, err.msg);

	char sname[STAFF_NAME_MAX * 4 + 1];
	sanitize_text(sf.name, sname, sizeof sname);
	printf("Agenda for %s %04d-%02d-%02d (%s) — %s\n", tz_weekday_abbr(tz_weekday(y, m, d)), y,
	       m, d, tz_name(), staff_name ? sname : "all staff");
	if (n == 0) {
		printf("\nNo appointments.\n");
		return 0;
	}
	/* Cells, sanitised, then widths from the content (capped). */
	char *(*cells)[C_COUNT] = calloc(n, sizeof *cells);
	if (!cells) {
		appointments_free_list(&list, n);
		return cli_fail(PD_ERR, "out of memory");
	}
	int width[C_COUNT];
	for (int k = 0; k < C_COUNT; k++)
		width[k] = cell_width(heads[k]);
	for (size_t i = 0; i < n; i++) {
		struct tz_civil s, e;
		tz_to_civil(list[i].starts_at, &s);
		tz_to_civil(list[i].ends_at, &e);
		char t[32];
		snprintf(t, sizeof t, "%02d:%02d-%02d:%02d", s.hour, s.minute, e.hour, e.minute);
		cells[i][C_TIME] = strdup(t);
		cells[i][C_CLIENT] = sanitize_dup(list[i].client_name);
		cells[i][C_SERVICE] = sanitize_dup(list[i].service_name);
		cells[i][C_STAFF] = sanitize_dup(list[i].staff_name);
		cells[i][C_STATE] = strdup(appt_state_label(list[i].state));
		char payment[160];
		{
			/* The card a booking policy holds for fees: there, or still needed. */
			char shown[200];
			struct policy_ask ask;
			const char *card = appt_state_holds_slot(list[i].state) &&
						   policy_ask_for(app->db, &list[i], &ask, NULL) == PD_OK
					       ? policy_card_word(&ask)
					       : "";
			snprintf(shown, sizeof shown, "%s%s%s",
				 appt_payment_text(&list[i], false, payment, sizeof payment),
				 card[0] ? " \u00b7 " : "", card);
			cells[i][C_PAYMENT] = strdup(shown);
		}
		for (int k = 0; k < C_COUNT; k++) {
			if (!cells[i][k])
				cells[i][k] = strdup("");
			int w = cells[i][k] ? cell_width(cells[i][k]) : 0;
			if (w > width[k])
				width[k] = w > caps[k] ? caps[k] : w;
		}
	}
	printf("\n");
	for (int k = 0; k < C_COUNT; k++)
		put_cell(heads[k], width[k], k == C_COUNT - 1);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < C_COUNT; k++)
			put_cell(cells[i][k] ? cells[i][k] : "", width[k], k == C_COUNT - 1);
		printf("\n");
		for (int k = 0; k < C_COUNT; k++)
			free(cells[i][k]);
	}
	printf("\n%zu appointment%s\n", n, n == 1 ? "" : "s");
	free(cells);
	appointments_free_list(&list, n);
	return 0;
}

const struct cli_command cli_agenda = {
	.name = "agenda",
	.summary = "print a day's appointments (--date YYYY-MM-DD, --staff NAME)",
	.run = run,
};
