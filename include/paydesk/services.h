/* Services the business sells (table services): name, duration, price. */
#ifndef PAYDESK_SERVICES_H
#define PAYDESK_SERVICES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

#define SERVICE_NAME_MAX 80
#define SERVICE_DURATION_MIN 5
#define SERVICE_DURATION_MAX 720

struct service {
	int64_t id;
	char name[SERVICE_NAME_MAX * 4 + 1];
	int duration_min;
	int64_t price;       /* minor units of currency */
	char currency[4];    /* lowercase ISO code */
	bool active;
	int64_t version;
};

struct service_input {
	const char *name;
	int duration_min;
	int64_t price;
	const char *currency;
	bool active;
};

/* Check name, duration (5-720 minutes), price and currency. */
int services_check(const struct service_input *in, struct pd_error *err);
int services_insert(sqlite3 *db, const struct service_input *in, int64_t *id, struct pd_error *err);
/* PD_ERR_CONFLICT when no longer at version. */
int services_update(sqlite3 *db, int64_t id, int64_t version, const struct service_input *in,
		    struct pd_error *err);
int services_get(sqlite3 *db, int64_t id, struct service *out, struct pd_error *err);
/* All services ordered by name (active_only: just the bookable ones); *out heap. */
int services_list(sqlite3 *db, bool active_only, struct service **out, size_t *n,
		  struct pd_error *err);

#endif
