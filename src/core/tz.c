#include "paydesk/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/civil.h"

static char zone_name[128] = "local";

int tz_set(const char *zone, struct pd_error *err)
{
	if (!zone || !*zone || strcmp(zone, "local") == 0) {
		zone = "local"; /* the process's own TZ (or /etc/localtime) stays */
	} else if (strcmp(zone, "UTC") == 0) {
		setenv("TZ", "UTC0", 1);
	} else {
		if (strlen(zone) >= sizeof zone_name - 1 || zone[0] == '/' || strstr(zone, ".."))
			return pd_error_set(err, PD_ERR_USAGE, "unknown time zone '%s'", zone);
		char spec[sizeof zone_name + 1];
		snprintf(spec, sizeof spec, ":%s", zone);
		setenv("TZ", spec, 1);
	}
	tzset();
	snprintf(zone_name, sizeof zone_name, "%s", zone);
	return PD_OK;
}

const char *tz_name(void)
{
	return zone_name;
}

void tz_to_civil(int64_t utc, struct tz_civil *out)
{
	time_t t = (time_t)utc;
	struct tm tm;
	localtime_r(&t, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->minute = tm.tm_min;
	out->wday = (tm.tm_wday + 6) % 7;
}

/* Seconds east of UTC in the zone at utc. */
static long offset_at(int64_t utc)
{
	time_t t = (time_t)utc;
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* The civil time read as if it were UTC. */
static int64_t civil_as_utc(int y, int m, int d, int hh, int mm)
{
	return civil_days(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static bool valid_date(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	int n = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return d <= n;
}

/* Every UTC instant whose civil reading in the zone is exactly the given
 * one: the offsets in force a day either side are the only candidates
 * (zones change offset at most once a day). */
int tz_from_civil(int year, int month, int day, int hour, int minute, int64_t *utc,
		  bool *ambiguous, struct pd_error *err)
{
	if (ambiguous)
		*ambiguous = false;
	if (!valid_date(year, month, day) || hour < 0 || hour > 23 || minute < 0 || minute > 59)
		return pd_error_set(err, PD_ERR_USAGE, "%04d-%02d-%02d %02d:%02d is not a valid date and time",
				    year, month, day, hour, minute);
	int64_t local = civil_as_utc(year, month, day, hour, minute);
	long offs[3] = {offset_at(local - 86400), offset_at(local), offset_at(local + 86400)};
	int64_t found[3];
	int n = 0;
	for (int i = 0; i < 3; i++) {
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen |= offs[j] == offs[i];
		if (seen)
			continue;
		int64_t t = local - offs[i];
		if (offset_at(t) == offs[i])
			found[n++] = t;
	}
	if (n == 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "%04d-%02d-%02d %02d:%02d does not exist in %s: the clocks "
				    "go forward that night; choose a time after the change",
				    year, month, day, hour, minute, zone_name);
	int64_t best = found[0];
	for (int i = 1; i < n; i++)
		if (found[i] < best)
			best = found[i];
	if (n > 1 && ambiguous)
		*ambiguous = true;
	*utc = best;
	return PD_OK;
}

int64_t tz_day_start(int year, int month, int day)
{
	int64_t utc;
	/* Midnight, or (where a DST change skips it) the first minute that exists. */
	for (int m = 0; m < 24 * 60; m += 15)
		if (tz_from_civil(year, month, day, m / 60, m % 60, &utc, NULL, NULL) == PD_OK)
			return utc;
	return civil_as_utc(year, month, day, 0, 0);
}

void tz_date_add(int *year, int *month, int *day, int days)
{
	int64_t z = civil_as_utc(*year, *month, *day, 0, 0) / 86400 + days;
	civil_from_days(z, year, month, day);
}

int tz_weekday(int year, int month, int day)
{
	int64_t z = civil_as_utc(year, month, day, 0, 0) / 86400; /* 1970-01-01 was a Thursday */
	return (int)(((z % 7) + 7 + 3) % 7);
}

void tz_today(int *year, int *month, int *day)
{
	struct tz_civil c;
	tz_to_civil((int64_t)time(NULL), &c);
	*year = c.year;
	*month = c.month;
	*day = c.day;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int tz_parse_date(const char *s, int *year, int *month, int *day)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0 || !valid_date(y, m, d))
		return -1;
	*year = y;
	*month = m;
	*day = d;
	return 0;
}

int tz_parse_time(const char *s, int *hour, int *minute)
{
	if (!s)
		return -1;
	size_t len = strlen(s);
	/* "9:30" is fine too */
	if (len == 4 && s[1] == ':') {
		int h = digits(s, 1), m = digits(s + 2, 2);
		if (h < 0 || m < 0 || m > 59)
			return -1;
		*hour = h;
		*minute = m;
		return 0;
	}
	if (len != 5 || s[2] != ':')
		return -1;
	int h = digits(s, 2), m = digits(s + 3, 2);
	if (h < 0 || m < 0 || h > 23 || m > 59)
		return -1;
	*hour = h;
	*minute = m;
	return 0;
}

const char *tz_weekday_abbr(int wday)
{
	static const char *const names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	return wday >= 0 && wday < 7 ? names[wday] : "?";
}
