/* Booking: clashes (also two processes racing for one slot: exactly one
 * wins), working hours, optimistic concurrency for appointments and
 * clients, state changes, and the audit entries each change leaves. */
#include "testutil.h"

#include <sys/wait.h>

#include "paydesk/audit.h"
#include "paydesk/booking.h"

#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/tz.h"

/* The signed-in user the audit log names. */
static const struct session desk = {.signed_in = true, .user_id = 1, .name = "Sam",
				    .role = ROLE_STAFF};

struct fx {
	char *dir, *path;
	sqlite3 *db;
	int64_t client, service, alice, bob;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct pd_error err = {0};
	tz_set("Europe/Paris", NULL);
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "paydesk.db");
	assert_int_equal(db_open(f->path, &f->db, &err), 0);
	struct client_input c = {"Zoë Martin", "zoe@example.com", "", "", false};
	assert_int_equal(clients_insert(f->db, &c, &f->client, &err), 0);
	struct service_input s = {"Haircut", 60, 4500, "eur", true};
	assert_int_equal(services_insert(f->db, &s, &f->service, &err), 0);
	struct staff_input a = {.name = "Alice", .active = true};
	assert_int_equal(staff_hours_parse("mon-sat 08:00-20:00", &a.hours, &err), 0);
	assert_int_equal(staff_insert(f->db, &a, &f->alice, &err), 0);
	struct staff_input b = a;
	b.name = "Bob";
	assert_int_equal(staff_insert(f->db, &b, &f->bob, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(&f->db);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static int64_t local(int y, int mo, int d, int h, int mi)
{
	int64_t t = 0;
	assert_int_equal(tz_from_civil(y, mo, d, h, mi, &t, NULL, NULL), 0);
	return t;
}

static int book(struct fx *f, int64_t staff, int64_t start, int64_t *id, struct pd_error *err)
{
	struct booking_request r = {&desk, f->client, f->service, staff, start, "first visit"};
	return booking_create(f->db, &r, id, err);
}

static int count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_book_and_clash(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	int64_t id = 0, id2 = 0;
	/* Monday 2030-01-07 10:00 Paris. */
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 10, 0), &id, &err), 0);
	struct appointment a;
	assert_int_equal(appointments_get(f->db, id, &a, &err), 0);
	assert_int_equal(a.ends_at - a.starts_at, 3600);
	assert_int_equal(a.amount, 4500);
	assert_string_equal(a.currency, "eur");
	assert_int_equal(a.state, APPT_BOOKED);
	assert_int_equal(a.payment, PAY_NONE);
	assert_string_equal(a.client_name, "Zoë Martin");
	appointment_free(&a);
	/* Overlapping Alice: refused, naming the other booking. */
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 10, 30), &id2, &err), PD_ERR_CLASH);
	assert_non_null(strstr(err.msg, "Alice's booking 10:00-11:00"));
	assert_non_null(strstr(err.msg, "Zoë Martin"));
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 9, 30), &id2, &err), PD_ERR_CLASH);
	/* Back to back is fine; another staff member at the same time too. */
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 11, 0), &id2, &err), 0);
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 9, 0), &id2, &err), 0);
	assert_int_equal(book(f, f->bob, local(2030, 1, 7, 10, 30), &id2, &err), 0);
	/* Outside working hours, and on the day off. */
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 19, 30), &id2, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "outside Alice's hours"));
	assert_int_equal(book(f, f->alice, local(2030, 1, 6, 10, 0), &id2, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "does not work on Sundays"));
	/* A cancelled booking frees its slot. */
	assert_int_equal(appointments_get(f->db, id, &a, &err), 0);
	assert_int_equal(booking_set_state(f->db, &desk, id, a.version, APPT_CANCELLED, &err), 0);
	appointment_free(&a);
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 10, 0), &id2, &err), 0);
	/* The agenda of the day, all staff or one. */
	struct appointment *list = NULL;
	size_t n = 0;
	assert_int_equal(appointments_range(f->db, tz_day_start(2030, 1, 7), tz_day_start(2030, 1, 8),
					    0, &list, &n, &err),
			 0);
	assert_int_equal(n, 5);
	appointments_free_list(&list, n);
	assert_int_equal(appointments_range(f->db, tz_day_start(2030, 1, 7), tz_day_start(2030, 1, 8),
					    f->bob, &list, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].staff_name, "Bob");
	appointments_free_list(&list, n);
}

static void test_reschedule_states_and_audit(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	int64_t id = 0, other = 0;
	assert_int_equal(book(f, f->alice, local(2030, 1, 8, 10, 0), &id, &err), 0);
	assert_int_equal(book(f, f->alice, local(2030, 1, 8, 12, 0), &other, &err), 0);
	struct appointment a;
	assert_int_equal(appointments_get(f->db, id, &a, &err), 0);
	int64_t v = a.version;
	appointment_free(&a);
	/* Rescheduling onto the other booking clashes; excluding itself it does not. */
	struct booking_request r = {&desk, f->client, f->service, f->alice,
				    local(2030, 1, 8, 11, 30), ""};
	assert_int_equal(booking_update(f->db, id, v, &r, &err), PD_ERR_CLASH);
	r.starts_at = local(2030, 1, 8, 10, 30);
	assert_int_equal(booking_update(f->db, id, v, &r, &err), 0);
	/* The version read before that is stale now. */
	assert_int_equal(booking_update(f->db, id, v, &r, &err), PD_ERR_CONFLICT);
	assert_int_equal(booking_set_state(f->db, &desk, id, v, APPT_COMPLETED, &err), PD_ERR_CONFLICT);
	assert_int_equal(appointments_get(f->db, id, &a, &err), 0);
	assert_int_equal(a.version, v + 1);
	/* No-show only once it has started (this one is in 2030). */
	assert_int_equal(booking_set_state(f->db, &desk, id, a.version, APPT_NO_SHOW, &err), PD_ERR_USAGE);
	assert_int_equal(booking_set_state(f->db, &desk, id, a.version, APPT_COMPLETED, &err), 0);
	assert_int_equal(booking_set_state(f->db, &desk, id, a.version + 1, APPT_CANCELLED, &err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "already completed"));
	appointment_free(&a);
	/* Not signed in: refused before anything is written. */
	struct session nobody = {0};
	assert_int_equal(booking_set_state(f->db, &nobody, id, v + 2, APPT_CANCELLED, &err),
			 PD_ERR_FORBIDDEN);
	/* The audit log names who did it. */
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action = 'booking.create'"
				      " AND actor = 'Sam' AND amount = 4500 AND currency = 'eur'"),
			 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action ="
				      " 'booking.reschedule' AND detail LIKE '%10:30-11:30 Zoë Martin%'"),
			 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action ="
				      " 'booking.complete'"),
			 1);
	int64_t broken, entries;
	assert_int_equal(audit_verify(f->db, &broken, &entries, &err), 0);
	assert_int_equal(entries, 4);
}

/* Two processes book the same slot at the same moment: one wins. */
static void test_two_processes_race_for_one_slot(void **state)
{
	struct fx *f = *state;
	int64_t start = local(2030, 1, 9, 15, 0);
	for (int round = 0; round < 5; round++) {
		int go[2];
		assert_int_equal(pipe(go), 0);
		pid_t kids[2];
		for (int k = 0; k < 2; k++) {
			kids[k] = fork();
			assert_true(kids[k] >= 0);
			if (kids[k] == 0) {
				close(go[1]);
				sqlite3 *db = NULL;
				struct pd_error err = {0};
				if (db_open(f->path, &db, &err))
					_exit(3);
				char b;
				if (read(go[0], &b, 1) != 0) /* wait for the start signal (EOF) */
					_exit(4);
				struct booking_request r = {&desk, f->client, f->service, f->alice,
							    start + round * 3600, NULL};
				int64_t id;
				int rc = booking_create(db, &r, &id, &err);
				db_close(&db);
				_exit(rc == 0 ? 0 : rc == PD_ERR_CLASH ? 1 : 2);
			}
		}
		close(go[0]);
		usleep(50 * 1000);
		close(go[1]); /* both start now */
		int wins = 0, clashes = 0;
		for (int k = 0; k < 2; k++) {
			int status;
			assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
			assert_true(WIFEXITED(status));
			wins += WEXITSTATUS(status) == 0;
			clashes += WEXITSTATUS(status) == 1;
		}
		assert_int_equal(wins, 1);
		assert_int_equal(clashes, 1);
	}
	assert_int_equal(count(f->db, "SELECT count(*) FROM appointments WHERE starts_at >= "
				      "(SELECT min(starts_at) FROM appointments WHERE notes = '' )"),
			 5);
}

static void test_client_conflict_and_checks(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct client c;
	assert_int_equal(clients_get(f->db, f->client, &c, &err), 0);
	struct client_input in = {"Zoë Martin-Dupont", c.email, "+33 6", "", true};
	/* Two editors read version 1; the first save wins, the second sees a conflict. */
	assert_int_equal(clients_update(f->db, c.id, c.version, &in, &err), 0);
	in.name = "Someone Else";
	assert_int_equal(clients_update(f->db, c.id, c.version, &in, &err), PD_ERR_CONFLICT);
	assert_non_null(strstr(err.msg, "someone else changed it"));
	client_free(&c);
	assert_int_equal(clients_get(f->db, f->client, &c, &err), 0);
	assert_string_equal(c.name, "Zoë Martin-Dupont");
	assert_int_equal(c.version, 2);
	assert_true(c.bill_with_stripe);
	assert_null(c.stripe_customer_id);
	client_free(&c);
	/* Same email in another case: refused, naming the client. */
	int64_t id;
	struct client_input dup = {"Other", "ZOE@example.com", "", "", false};
	assert_int_equal(clients_insert(f->db, &dup, &id, &err), PD_ERR_EXISTS);
	assert_non_null(strstr(err.msg, "Zoë Martin-Dupont"));
	int64_t found;
	assert_int_equal(clients_find_email(f->db, "zoe@EXAMPLE.com", &found, &err), 0);
	assert_int_equal(found, f->client);
	/* Checks: control characters, lengths, email and phone shapes. */
	struct client_input bad = {"Evil\x1b[2J", "", "", "", false};
	assert_int_equal(clients_insert(f->db, &bad, &id, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "control character"));
	bad.name = "ok";
	bad.email = "not-an-email";
	assert_int_equal(clients_insert(f->db, &bad, &id, &err), PD_ERR_USAGE);
	bad.email = "";
	bad.phone = "call me";
	assert_int_equal(clients_insert(f->db, &bad, &id, &err), PD_ERR_USAGE);
	char long_name[400];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	bad.phone = "";
	bad.name = long_name;
	assert_int_equal(clients_insert(f->db, &bad, &id, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "too long"));
	/* Search is case-insensitive, over name, email and phone. */
	int64_t *ids = NULL;
	size_t n = 0;
	assert_int_equal(clients_search(f->db, "DUPONT", &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	free(ids);
	assert_int_equal(clients_search(f->db, "100%", &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	free(ids);
	/* ... and folds accents both ways: a desk types "lukasz" or "ZOE". */
	int64_t lukasz, zoe;
	struct client_input polish = {.name = "Łukasz Wiśniewski", .email = "", .phone = ""};
	struct client_input french = {.name = "Zoë Lefèvre", .email = "", .phone = ""};
	assert_int_equal(clients_insert(f->db, &polish, &lukasz, &err), 0);
	assert_int_equal(clients_insert(f->db, &french, &zoe, &err), 0);
	const char *finds_lukasz[] = {"lukasz wisniewski", "ŁUKASZ", "Wiśniew", "WISNIEWSKI"};
	for (size_t i = 0; i < sizeof finds_lukasz / sizeof *finds_lukasz; i++) {
		assert_int_equal(clients_search(f->db, finds_lukasz[i], &ids, &n, &err), 0);
		assert_int_equal(n, 1);
		assert_int_equal(ids[0], lukasz);
		free(ids);
	}
	assert_int_equal(clients_search(f->db, "zoe lefevre", &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], zoe);
	free(ids);
	assert_int_equal(clients_search(f->db, "ZOË", &ids, &n, &err), 0);
	assert_int_equal(n, 2); /* Zoë Martin-Dupont too */
	free(ids);
	/* A client with appointments is kept. */
	int64_t appt;
	assert_int_equal(book(f, f->alice, local(2030, 1, 10, 9, 0), &appt, &err), 0);
	assert_int_equal(clients_get(f->db, f->client, &c, &err), 0);
	assert_int_equal(clients_delete(f->db, c.id, c.version, &err), PD_ERR_EXISTS);
	client_free(&c);
}

/* U: a cancel / completed / no-show is undone the same day (local time),
 * audited; not a change of another day, not into a slot taken since. */
static void test_undo_the_same_day(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	int64_t id, other;
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 10, 0), &id, &err), 0);
	struct appointment a;
	enum appt_state now = APPT_STATE_COUNT;
	assert_int_equal(booking_undo_state(f->db, &desk, id, 1, &now, &err), PD_ERR_USAGE);
	assert_string_equal(err.msg, "nothing to undo: it is booked");
	assert_int_equal(booking_set_state(f->db, &desk, id, 1, APPT_COMPLETED, &err), 0);
	assert_int_equal(booking_undo_state(f->db, &desk, id, 1, &now, &err), PD_ERR_CONFLICT);
	assert_int_equal(booking_undo_state(f->db, &desk, id, 2, &now, &err), 0);
	assert_int_equal(now, APPT_BOOKED);
	assert_int_equal(appointments_get(f->db, id, &a, &err), 0);
	assert_int_equal(a.state, APPT_BOOKED);
	appointment_free(&a);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action = 'booking.undo'"
				      " AND detail LIKE 'completed → booked · Mon 2030-01-07 10:00%'"),
			 1);
	/* Undone once: nothing more to undo. */
	assert_int_equal(booking_undo_state(f->db, &desk, id, 3, &now, &err), PD_ERR_USAGE);

	/* Cancelled, then the slot booked again: the undo would clash. */
	assert_int_equal(booking_set_state(f->db, &desk, id, 3, APPT_CANCELLED, &err), 0);
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 10, 30), &other, &err), 0);
	assert_int_equal(booking_undo_state(f->db, &desk, id, 4, &now, &err), PD_ERR_CLASH);
	assert_int_equal(appointments_get(f->db, id, &a, &err), 0);
	assert_int_equal(a.state, APPT_CANCELLED);
	appointment_free(&a);

	/* A change made on another day stays. */
	assert_int_equal(booking_set_state(f->db, &desk, other, 1, APPT_CANCELLED, &err), 0);
	assert_int_equal(db_exec(f->db, "UPDATE appointments SET state_changed_at ="
					" state_changed_at - 2 * 86400", &err), 0);
	assert_int_equal(booking_undo_state(f->db, &desk, other, 2, &now, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "only a change made today can be undone"));
}

/* The same client with two staff members at overlapping times is found (a
 * warning at booking), the same staff member is the clash's business. */
static void test_client_overlap_and_money_kept(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	int64_t id;
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 10, 0), &id, &err), 0);
	struct appointment other = {0};
	int64_t at = local(2030, 1, 7, 10, 30);
	assert_int_equal(booking_client_overlap(f->db, f->client, f->bob, at, at + 3600, 0, &other,
						&err),
			 1);
	assert_int_equal(other.id, id);
	assert_string_equal(other.staff_name, "Alice");
	appointment_free(&other);
	assert_int_equal(booking_client_overlap(f->db, f->client, f->alice, at, at + 3600, 0,
						&other, &err),
			 0);
	at = local(2030, 1, 7, 11, 0); /* starts as the other ends */
	assert_int_equal(booking_client_overlap(f->db, f->client, f->bob, at, at + 3600, 0, &other,
						&err),
			 0);
	/* Keeping the money is audited with the cancel, in its transaction. */
	assert_int_equal(booking_close(f->db, &desk, id, 2, APPT_CANCELLED, 4500, "eur", &err),
			 PD_ERR_CONFLICT);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action = 'booking.keep'"),
			 0);
	assert_int_equal(booking_close(f->db, &desk, id, 1, APPT_CANCELLED, 4500, "eur", &err), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action = 'booking.keep'"
				      " AND amount = 4500 AND actor = 'Sam'"
				      " AND detail LIKE 'cancelled, 45.00 EUR kept · %'"),
			 1);
	/* After a cancel through Stripe (PAY_OP_CANCEL), the same entry on its own. */
	int64_t later;
	assert_int_equal(book(f, f->alice, local(2030, 1, 7, 14, 0), &later, &err), 0);
	assert_int_equal(booking_set_state(f->db, &desk, later, 1, APPT_CANCELLED, &err), 0);
	assert_int_equal(booking_money_kept(f->db, &desk, later, 1000, "eur", &err), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action = 'booking.keep'"
				      " AND detail LIKE 'cancelled, 10.00 EUR kept · %14:00%'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_book_and_clash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reschedule_states_and_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_processes_race_for_one_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_conflict_and_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undo_the_same_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_overlap_and_money_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
