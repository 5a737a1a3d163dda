/* Calendar and time-zone math: times are stored as UTC unix seconds and
 * shown in the configured zone. Conversions go through the C library
 * (TZ + tzset + localtime_r), so DST rules come from the system's tzdata. */
#ifndef PAYDESK_TZ_H
#define PAYDESK_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/error.h"

/* A civil date and time in the configured zone. */
struct tz_civil {
	int year, month, day; /* month 1-12, day 1-31 */
	int hour, minute;
	int wday;             /* 0 = Monday … 6 = Sunday */
};

/* Select the zone for every conversion in this process: "local" (the
 * system's), "UTC", or an IANA name. Call once at start, before threads:
 * it changes the environment. */
int tz_set(const char *zone, struct pd_error *err);

/* The zone as configured ("local", "UTC", "Europe/Paris"). */
const char *tz_name(void);

/* UTC seconds to civil time in the zone. */
void tz_to_civil(int64_t utc, struct tz_civil *out);

/* Civil date and time in the zone to UTC seconds. A time that does not
 * exist (skipped by a DST change) is refused with PD_ERR_USAGE and a message
 * naming the change; an ambiguous one (repeated when clocks go back) gives
 * the first occurrence and sets *ambiguous (may be NULL). */
int tz_from_civil(int year, int month, int day, int hour, int minute, int64_t *utc,
		  bool *ambiguous, struct pd_error *err);

/* UTC of the first instant of the civil day (its midnight, or the first
 * existing minute when midnight is skipped). */
int64_t tz_day_start(int year, int month, int day);

/* Add days to a civil date (pure calendar arithmetic, no zone). */
void tz_date_add(int *year, int *month, int *day, int days);

/* Day of the week of a date: 0 = Monday … 6 = Sunday. */
int tz_weekday(int year, int month, int day);

/* Today's date in the zone. */
void tz_today(int *year, int *month, int *day);

/* Parse "YYYY-MM-DD" (a real date) and "HH:MM" (00:00-23:59). -1 on error. */
int tz_parse_date(const char *s, int *year, int *month, int *day);
int tz_parse_time(const char *s, int *hour, int *minute);

/* "Mon", "Tue", … for wday 0-6. */
const char *tz_weekday_abbr(int wday);

#endif
