/* Staff members (or rooms) who are booked (table staff), with working hours. */
#ifndef PAYDESK_STAFF_H
#define PAYDESK_STAFF_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

#define STAFF_NAME_MAX 60

/* Working hours per weekday (0 = Monday), minutes from local midnight;
 * start == end == 0 means not working that day. */
struct staff_hours {
	int start[7], end[7];
};

struct staff {
	int64_t id;
	char name[STAFF_NAME_MAX * 4 + 1];
	struct staff_hours hours;
	bool active;
	int64_t version;
};

struct staff_input {
	const char *name;
	struct staff_hours hours;
	bool active;
};

/* Parse what a person types: "mon-fri 09:00-17:00, sat 10:00-14:00" (days
 * not named are off). Days: mon tue wed thu fri sat sun, or a range. */
int staff_hours_parse(const char *text, struct staff_hours *out, struct pd_error *err);
/* Format in the same syntax, ranges merged ("mon-fri 09:00-17:00"). */
void staff_hours_format(const struct staff_hours *h, char *out, size_t len);
/* The stored form: seven "HH:MM-HH:MM" or "-" tokens, Monday first. */
void staff_hours_encode(const struct staff_hours *h, char *out, size_t len);
int staff_hours_decode(const char *text, struct staff_hours *out);

int staff_check(const struct staff_input *in, struct pd_error *err);
/* A name used by another staff member (any case) is PD_ERR_EXISTS. */
int staff_insert(sqlite3 *db, const struct staff_input *in, int64_t *id, struct pd_error *err);
int staff_update(sqlite3 *db, int64_t id, int64_t version, const struct staff_input *in,
		 struct pd_error *err);
int staff_get(sqlite3 *db, int64_t id, struct staff *out, struct pd_error *err);
/* By name, case-insensitively. PD_ERR_NOT_FOUND when none. */
int staff_find_name(sqlite3 *db, const char *name, struct staff *out, struct pd_error *err);
int staff_list(sqlite3 *db, bool active_only, struct staff **out, size_t *n,
	       struct pd_error *err);

#endif
