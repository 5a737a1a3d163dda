/* The fixture of the payment unit tests: a database with a client
 * (Zoë Martin), a service (Haircut, 45.00 EUR), a staff member (Alice), an
 * appointment on Mon 2030-01-07 10:00 UTC, and an admin (Alex) and a staff
 * user (Sam) with their sessions. Shared by test_payments.c and
 * test_payments_desk.c. */
#ifndef PAYDESK_TEST_PAY_FIXTURE_H
#define PAYDESK_TEST_PAY_FIXTURE_H

#include "testutil.h"

#include "paydesk/auth.h"
#include "paydesk/booking.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/tz.h"
#include "paydesk/users.h"
#include "paydesk/vault.h"

struct fx {
	char *dir, *path;
	sqlite3 *db;
	int64_t client, appt;
	struct session admin, staff;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct pd_error err = {0};
	tz_set("UTC", NULL);
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "paydesk.db");
	assert_int_equal(db_open(f->path, &f->db, &err), 0);
	struct client_input c = {"Zoë Martin", "zoe@example.com", "", "", true};
	assert_int_equal(clients_insert(f->db, &c, &f->client, &err), 0);
	struct service_input s = {"Haircut", 60, 4500, "eur", true};
	int64_t service, staff;
	assert_int_equal(services_insert(f->db, &s, &service, &err), 0);
	struct staff_input a = {.name = "Alice", .active = true};
	assert_int_equal(staff_hours_parse("mon-sun 08:00-20:00", &a.hours, &err), 0);
	assert_int_equal(staff_insert(f->db, &a, &staff, &err), 0);
	int64_t start;
	bool amb;
	assert_int_equal(tz_from_civil(2030, 1, 7, 10, 0, &start, &amb, &err), 0);
	/* The users the sessions are: money actions re-read their user's state. */
	assert_int_equal(vault_init(&err), 0);
	assert_int_equal(users_add(f->db, "Alex", ROLE_ADMIN, "2468", &err), 0);
	assert_int_equal(users_add(f->db, "Sam", ROLE_STAFF, "1357", &err), 0);
	f->admin = (struct session){.signed_in = true, .user_id = 1, .name = "Alex",
				    .role = ROLE_ADMIN};
	struct booking_request req = {&f->admin, f->client, service, staff, start, ""};
	assert_int_equal(booking_create(f->db, &req, &f->appt, &err), 0);
	f->staff = (struct session){.signed_in = true, .user_id = 2, .name = "Sam",
				    .role = ROLE_STAFF};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(&f->db);
	tu_rm_rf(f->dir);
	free(f->path);
	free(f->dir);
	free(f);
	return 0;
}

#endif
