/* Users and roles at the app layer: what staff may not do is refused here,
 * whatever the screens show. PIN failures slow the next try. */
#include "testutil.h"

#include <pthread.h>
#include <unistd.h>

#include "paydesk/audit.h"
#include "paydesk/audit_view.h"
#include "paydesk/auth.h"
#include "paydesk/db.h"
#include "paydesk/refund_limits.h"
#include "paydesk/settings.h"
#include "paydesk/setup.h"
#include "paydesk/users.h"
#include "../../src/store/migrations.h"
#include "paydesk/vault.h"

struct fx {
	char *dir, *path;
	sqlite3 *db;
	struct session admin, staff;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct pd_error err = {0};
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "paydesk.db");
	assert_int_equal(vault_init(&err), 0);
	assert_int_equal(db_open(f->path, &f->db, &err), 0);
	/* First run: anyone may create the first admin, and only an admin. */
	assert_int_equal(auth_user_add(f->db, NULL, "Sam", ROLE_STAFF, "1234", &err), PD_ERR_USAGE);
	assert_int_equal(auth_user_add(f->db, NULL, "Alex", ROLE_ADMIN, "2468", &err), 0);
	struct user u;
	assert_int_equal(users_sign_in(f->db, "Alex", "2468", &u, &err), 0);
	f->admin = session_for(&u);
	assert_int_equal(auth_user_add(f->db, &f->admin, "Sam", ROLE_STAFF, "1357", &err), 0);
	assert_int_equal(users_sign_in(f->db, "Sam", "1357", &u, &err), 0);
	f->staff = session_for(&u);
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

static void test_staff_refused_at_app_layer(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	assert_int_equal(auth_allow(&f->staff, AUTH_SETUP, &err), PD_ERR_FORBIDDEN);
	assert_string_equal(err.msg, "only an admin can change the Stripe connection or settings");
	assert_int_equal(auth_allow(&f->staff, AUTH_KEY_MATERIAL, &err), PD_ERR_FORBIDDEN);
	assert_int_equal(auth_allow(&f->staff, AUTH_USERS, &err), PD_ERR_FORBIDDEN);
	assert_int_equal(auth_allow(&f->staff, AUTH_BOOK, &err), 0);
	assert_int_equal(auth_allow(&f->staff, AUTH_TAKE_PAYMENT, &err), 0);
	struct session nobody = {0};
	assert_int_equal(auth_allow(&nobody, AUTH_BOOK, &err), PD_ERR_FORBIDDEN);

	/* The Setup use cases themselves refuse staff, before touching anything. */
	struct setup_input in = {.account_id = "acct_1Abcdefgh",
				 .secret_key = "rk_test_51abcdefghijklmnop"};
	struct verify_report report = {.key_ok = true};
	assert_int_equal(setup_save(f->db, NULL, &in, &report, &f->staff, &err), PD_ERR_FORBIDDEN);
	assert_int_equal(setup_disconnect(f->db, &f->staff, &err), PD_ERR_FORBIDDEN);

	/* Users: staff cannot add, disable or reset. */
	assert_int_equal(auth_user_add(f->db, &f->staff, "Eve", ROLE_ADMIN, "9999", &err),
			 PD_ERR_FORBIDDEN);
	assert_int_equal(auth_user_disable(f->db, &f->staff, "Alex", true, &err), PD_ERR_FORBIDDEN);
	assert_int_equal(auth_user_reset_pin(f->db, &f->staff, "Alex", "0000", &err),
			 PD_ERR_FORBIDDEN);
	assert_int_equal(auth_set_refund_limit(f->db, &f->staff, "usd", 100000, -1, &err),
			 PD_ERR_FORBIDDEN);
	struct user u;
	assert_int_equal(users_get(f->db, "Eve", &u, &err), PD_ERR_NOT_FOUND);
}

/* The Audit view's reads go through the app layer: staff get nothing, not
 * even a count or the chain verdict, and no export file appears. */
static void test_audit_view_admins_only(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	for (int i = 0; i < 250; i++) {
		char obj[32];
		snprintf(obj, sizeof obj, "pi_%04d", i);
		struct audit_entry e = {.actor = i % 2 ? "Sam" : "Alex",
					.action = i % 3 ? "payment.card.succeeded" : "payment.refund",
					.detail = "x", .has_amount = true, .amount = 100 + i,
					.currency = "usd", .object_id = obj};
		assert_int_equal(audit_append(f->db, &e, &err), 0);
	}
	struct audit_filter all = {0}, refunds = {.action = "payment.refund", .actor = "Alex"};
	int64_t count = -1, broken = -1, entries = -1;
	struct audit_row *rows = NULL;
	size_t n = 99;
	char *csv = tu_path(f->dir, "audit.csv");
	long written = -1;

	assert_int_equal(audit_view_count(f->db, &f->staff, &all, &count, &err), PD_ERR_FORBIDDEN);
	assert_string_equal(err.msg, "only an admin can read the audit log");
	assert_int_equal(count, 0);
	assert_int_equal(audit_view_page(f->db, &f->staff, &all, true, 0, 50, &rows, &n, &err),
			 PD_ERR_FORBIDDEN);
	assert_null(rows);
	assert_int_equal(n, 0);
	assert_int_equal(audit_view_verify(f->db, &f->staff, &broken, &entries, &err),
			 PD_ERR_FORBIDDEN);
	assert_int_equal(audit_view_export_file(f->db, &f->staff, &all, csv, &written, &err),
			 PD_ERR_FORBIDDEN);
	assert_int_equal(access(csv, F_OK), -1);
	struct session nobody = {0};
	assert_int_equal(audit_view_count(f->db, &nobody, &all, &count, &err), PD_ERR_FORBIDDEN);

	/* Admins: keyset pages walk the whole filter, newest first, no gaps or repeats. */
	int64_t total = 0, expect = 0;
	assert_int_equal(audit_view_count(f->db, &f->admin, &refunds, &total, &err), 0);
	for (int i = 0; i < 250; i++)
		expect += i % 3 == 0 && i % 2 == 0;
	assert_int_equal(total, expect);
	int64_t after = 0, seen = 0, last = INT64_MAX;
	do {
		assert_int_equal(audit_view_page(f->db, &f->admin, &refunds, true, after, 7, &rows,
						 &n, &err), 0);
		for (size_t i = 0; i < n; i++) {
			assert_true(rows[i].id < last);
			last = rows[i].id;
			assert_string_equal(rows[i].e.actor, "Alex");
			assert_string_equal(rows[i].e.action, "payment.refund");
			seen++;
		}
		after = n ? rows[n - 1].id : 0;
		audit_rows_free(&rows, n);
	} while (n == 7);
	assert_int_equal(seen, total);
	/* Oldest first from the other end gives the first entry of the filter. */
	assert_int_equal(audit_view_page(f->db, &f->admin, &refunds, false, 0, 1, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].e.object_id, "pi_0000");
	audit_rows_free(&rows, n);

	assert_int_equal(audit_view_verify(f->db, &f->admin, &broken, &entries, &err), 0);
	assert_int_equal(broken, 0);
	assert_true(entries >= 250);
	assert_int_equal(audit_view_export_file(f->db, &f->admin, &refunds, csv, &written, &err), 0);
	assert_int_equal(written, total);
	size_t len;
	char *text = (char *)tu_read_file(csv, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "id,at,actor,action,amount,object,detail\r\n"));
	assert_non_null(strstr(text, ",Alex,payment.refund,1.00 USD,pi_0000,x\r\n"));
	assert_null(strstr(text, "Sam"));
	free(text);
	free(csv);
}

static int reserve(struct fx *f, const struct session *who, const char *pi, int64_t amount,
		   const char *cur, struct pd_error *err)
{
	struct auth_refund_part part = {pi, amount, 0};
	int rc = auth_refund_reserve(f->db, who, cur, &part, 1, err);
	if (!rc)
		auth_refund_settle(f->db, &part, AUTH_REFUND_MADE);
	return rc;
}

static void test_refund_limits(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	/* No limit set: staff may not refund at all; admins may. */
	assert_int_equal(reserve(f, &f->staff, "pi_1", 100, "usd", &err), PD_ERR_FORBIDDEN);
	assert_string_equal(err.msg, "staff may not refund in USD until an admin sets a USD refund limit");
	assert_int_equal(reserve(f, &f->admin, "pi_1", 99999999, "usd", &err), 0);
	assert_int_equal(auth_set_refund_limit(f->db, &f->admin, "usd", 5000, 6000, &err), 0);
	assert_int_equal(reserve(f, &f->staff, "pi_1", 5001, "usd", &err), PD_ERR_FORBIDDEN);
	assert_string_equal(err.msg,
			    "a refund of 50.01 USD is above the staff limit of 50.00 USD a payment: ask an admin");
	/* Across refunds of one payment: 40 then 30 is 70, above 50. */
	assert_int_equal(reserve(f, &f->staff, "pi_1", 4000, "usd", &err), 0);
	assert_int_equal(reserve(f, &f->staff, "pi_1", 3000, "usd", &err), PD_ERR_FORBIDDEN);
	assert_string_equal(err.msg, "a refund of 30.00 USD is above the staff limit of 50.00 USD a "
				     "payment (40.00 USD of it refunded by staff already): ask an admin");
	/* A day: 40 + 25 of another payment is above 60. */
	assert_int_equal(reserve(f, &f->staff, "pi_2", 2500, "usd", &err), PD_ERR_FORBIDDEN);
	assert_non_null(strstr(err.msg, "above Sam's daily staff limit of 60.00 USD (40.00 USD refunded today)"));
	/* What Stripe refused no longer counts; what is unknown still does. */
	struct auth_refund_part p = {"pi_2", 2000, 0};
	assert_int_equal(auth_refund_reserve(f->db, &f->staff, "usd", &p, 1, &err), 0);
	auth_refund_settle(f->db, &p, AUTH_REFUND_NOT_MADE);
	p = (struct auth_refund_part){"pi_2", 2000, 0};
	assert_int_equal(auth_refund_reserve(f->db, &f->staff, "USD", &p, 1, &err), 0);
	auth_refund_settle(f->db, &p, AUTH_REFUND_UNKNOWN);
	auth_refund_settle(f->db, &p, AUTH_REFUND_NOT_MADE); /* a caller's clean-up after it */
	assert_int_equal(reserve(f, &f->staff, "pi_3", 1, "usd", &err), PD_ERR_FORBIDDEN);
	/* One limit a currency: USD says nothing of EUR. */
	assert_int_equal(reserve(f, &f->staff, "pi_4", 100, "eur", &err), PD_ERR_FORBIDDEN);
	assert_non_null(strstr(err.msg, "until an admin sets a EUR refund limit"));
	/* Every refusal is audited: who, which payment, how much, the limit. */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT actor, object_id, amount, detail FROM "
						   "audit_log WHERE action = 'refund.refused' ORDER BY id",
					    -1, &st, NULL),
			 SQLITE_OK);
	int refusals = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		refusals++;
		assert_string_equal(sqlite3_column_text(st, 0), "Sam");
		if (refusals == 3) {
			assert_string_equal(sqlite3_column_text(st, 1), "pi_1");
			assert_int_equal(sqlite3_column_int64(st, 2), 3000);
			assert_non_null(strstr((const char *)sqlite3_column_text(st, 3),
					       "limit of 50.00 USD a payment"));
		}
	}
	sqlite3_finalize(st);
	assert_int_equal(refusals, 6);
}

/* The desk's check before the confirm gives the reserve's own answer, and
 * writes nothing: no reservation, no audit row. */
static int count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_refund_check_matches_reserve(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	char why[300];
	struct auth_refund_room room;
	struct auth_refund_part p = {"pi_1", 100, 0};
	assert_int_equal(auth_refund_check(f->db, &f->staff, "USD", &p, 1, why, sizeof why, &err), 0);
	assert_string_equal(why,
			    "staff may not refund in USD until an admin sets a USD refund limit");
	assert_int_equal(auth_refund_room(f->db, &f->staff, "usd", &room, &err), 0);
	assert_false(room.has_limit);
	assert_int_equal(auth_set_refund_limit(f->db, &f->admin, "usd", 5000, 6000, &err), 0);
	assert_int_equal(reserve(f, &f->staff, "pi_1", 4000, "usd", &err), 0);
	int audit_before = count_rows(f->db, "SELECT count(*) FROM audit_log");
	p.amount = 3000; /* 40 + 30 of one payment: above 50 */
	assert_int_equal(auth_refund_check(f->db, &f->staff, "usd", &p, 1, why, sizeof why, &err), 0);
	assert_int_equal(reserve(f, &f->staff, "pi_1", 3000, "usd", &err), PD_ERR_FORBIDDEN);
	assert_string_equal(why, err.msg);
	audit_before++; /* the reserve's refusal is audited; the check's is not */
	p = (struct auth_refund_part){"pi_2", 2000, 0};
	assert_int_equal(auth_refund_check(f->db, &f->staff, "usd", &p, 1, why, sizeof why, &err), 0);
	assert_string_equal(why, "");
	assert_int_equal(auth_refund_check(f->db, &f->admin, "usd", &p, 1, why, sizeof why, &err), 0);
	assert_string_equal(why, "");
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM audit_log"), audit_before);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM staff_refunds"), 1);
	assert_int_equal(auth_refund_room(f->db, &f->staff, "usd", &room, &err), 0);
	assert_true(room.has_limit);
	assert_int_equal(room.limit.per_payment, 5000);
	assert_int_equal(room.day_left, 2000);
	assert_int_equal(auth_refund_room(f->db, &f->admin, "usd", &room, &err), 0);
	assert_true(room.unlimited);
}

/* Desks refunding at once: each with its own connection, as two paydesk
 * processes are. The check and the reservation are one write transaction,
 * so exactly as many pass as the limit holds. */
struct racer {
	const char *path;
	struct session who;
	int rc;
};

static void *race_one(void *arg)
{
	struct racer *r = arg;
	sqlite3 *db;
	struct pd_error err = {0};
	r->rc = -1;
	if (db_open(r->path, &db, &err))
		return NULL;
	struct auth_refund_part part = {"pi_race", 1000, 0};
	r->rc = auth_refund_reserve(db, &r->who, "usd", &part, 1, &err);
	db_close(&db);
	return NULL;
}

static void test_refund_limit_race(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	assert_int_equal(auth_set_refund_limit(f->db, &f->admin, "usd", 5000, -1, &err), 0);
	enum { N = 12 };
	pthread_t th[N];
	struct racer r[N];
	for (int i = 0; i < N; i++) {
		r[i] = (struct racer){f->path, f->staff, -1};
		assert_int_equal(pthread_create(&th[i], NULL, race_one, &r[i]), 0);
	}
	int passed = 0, refused = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		passed += r[i].rc == 0;
		refused += r[i].rc == PD_ERR_FORBIDDEN;
	}
	assert_int_equal(passed, 5);
	assert_int_equal(refused, N - 5);
}

/* Schema 9: the single limit of before ("5000 usd", a refund of at most
 * that, in USD only) becomes USD's limit a payment, no daily limit. */
static void test_refund_limit_migrates(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	/* A database as schema 8 left it (later migrations cannot be undone). */
	db_close(&f->db);
	unlink(f->path);
	char side[512];
	snprintf(side, sizeof side, "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", f->path);
	unlink(side);
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	for (int i = 0; i < store_migrations_count && store_migrations[i].version <= 8; i++)
		assert_int_equal(sqlite3_exec(raw, store_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
				      "PRAGMA user_version = 8; PRAGMA application_id = 1346655051;"
				      "INSERT INTO settings VALUES ('staff_refund_limit', '5000 usd', 1);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(db_open(f->path, &f->db, &err), 0);
	struct refund_limit l;
	assert_int_equal(refund_limits_get(f->db, "usd", &l, &err), 0);
	assert_int_equal(l.per_payment, 5000);
	assert_int_equal(l.per_day, REFUND_NO_DAILY_LIMIT);
	assert_int_equal(refund_limits_get(f->db, "eur", &l, &err), PD_ERR_NOT_FOUND);
	char *v = NULL;
	assert_int_equal(settings_get(f->db, "staff_refund_limit", &v, &err), PD_ERR_NOT_FOUND);
	free(v);
}

/* The admin sets the limits; staff and a disabled admin may not. */
static void test_refund_limit_set(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	assert_int_equal(auth_set_refund_limit(f->db, &f->admin, "usd", -1, -1, &err), PD_ERR_USAGE);
	assert_int_equal(auth_set_refund_limit(f->db, &f->admin, "us", 100, -1, &err), PD_ERR_USAGE);
	assert_int_equal(auth_set_refund_limit(f->db, &f->admin, "EUR", 2000, 5000, &err), 0);
	struct refund_limit l;
	assert_int_equal(refund_limits_get(f->db, "eur", &l, &err), 0);
	assert_int_equal(l.per_payment, 2000);
	assert_int_equal(l.per_day, 5000);
	char shown[160];
	assert_string_equal(auth_refund_limit_describe(&l, shown, sizeof shown),
			    "20.00 EUR a payment, 50.00 EUR a day each");
}

static void test_pin_failures_slow_down_and_are_audited(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct user u;
	for (int i = 0; i < USER_FREE_ATTEMPTS; i++)
		assert_int_equal(users_sign_in(f->db, "Sam", "0000", &u, &err), PD_ERR_WRONG_PASS);
	assert_string_equal(err.msg, "wrong name or PIN");
	/* Now paused: even the right PIN waits. */
	assert_int_equal(users_sign_in(f->db, "Sam", "1357", &u, &err), PD_ERR_LOCKED);
	assert_non_null(strstr(err.msg, "too many wrong PINs: try again in"));
	/* An unknown name reads the same as a wrong PIN. */
	assert_int_equal(users_sign_in(f->db, "Nobody", "1357", &u, &err), PD_ERR_WRONG_PASS);
	assert_string_equal(err.msg, "wrong name or PIN");
	/* Each failure is in the audit log, chain intact. */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT count(*) FROM audit_log WHERE action = "
						   "'user.sign_in_failed' AND actor = 'Sam'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), USER_FREE_ATTEMPTS);
	sqlite3_finalize(st);
	int64_t broken, n;
	assert_int_equal(audit_verify(f->db, &broken, &n, &err), 0);
	/* An admin's PIN reset clears the pause. */
	assert_int_equal(auth_user_reset_pin(f->db, &f->admin, "Sam", "8642", &err), 0);
	assert_int_equal(users_sign_in(f->db, "Sam", "8642", &u, &err), 0);
	assert_int_equal(u.failed_attempts, 0);
}

static void test_disable_and_names(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct user u;
	assert_int_equal(auth_user_disable(f->db, &f->admin, "Alex", true, &err), PD_ERR_USAGE);
	assert_int_equal(auth_user_disable(f->db, &f->admin, "Sam", true, &err), 0);
	assert_int_equal(users_sign_in(f->db, "Sam", "1357", &u, &err), PD_ERR_WRONG_PASS);
	assert_non_null(strstr(err.msg, "is disabled"));
	assert_int_equal(auth_user_disable(f->db, &f->admin, "Sam", false, &err), 0);
	assert_int_equal(users_sign_in(f->db, "Sam", "1357", &u, &err), 0);
	assert_int_equal(auth_user_add(f->db, &f->admin, "Sam", ROLE_STAFF, "5802", &err),
			 PD_ERR_EXISTS);
	/* A name is a name whatever its case: "sam" at the lock screen is Sam, and
	 * no second user "sam" (or "SAM") can stand beside him. */
	assert_int_equal(users_sign_in(f->db, "sam", "1357", &u, &err), 0);
	assert_string_equal(u.name, "Sam");
	assert_int_equal(users_sign_in(f->db, "SAM", "0000", &u, &err), PD_ERR_WRONG_PASS);
	assert_int_equal(auth_user_add(f->db, &f->admin, "sam", ROLE_STAFF, "5802", &err),
			 PD_ERR_EXISTS);
	assert_non_null(strstr(err.msg, "Sam"));
	assert_int_equal(auth_user_add(f->db, &f->admin, "bad\x1b[2Jname", ROLE_STAFF, "5802", &err),
			 PD_ERR_USAGE);
	assert_int_equal(auth_user_add(f->db, &f->admin, "", ROLE_STAFF, "5802", &err), PD_ERR_USAGE);
	assert_int_equal(auth_user_add(f->db, &f->admin, "Kim", ROLE_STAFF, "12", &err), PD_ERR_USAGE);
	/* Trivial PINs are refused wherever a PIN is set, with what to choose. */
	const char *trivial[] = {"0000", "1234", "4321", "98765", "1212", "6969", "2000", "aaaa",
				 "1004", "777777"};
	for (size_t i = 0; i < sizeof trivial / sizeof *trivial; i++) {
		assert_int_equal(auth_user_add(f->db, &f->admin, "Kim", ROLE_STAFF, trivial[i], &err),
				 PD_ERR_USAGE);
		assert_non_null(strstr(err.msg, "pick 4+ random digits"));
		assert_int_equal(auth_user_reset_pin(f->db, &f->admin, "Sam", trivial[i], &err),
				 PD_ERR_USAGE);
	}
	assert_false(users_pin_is_trivial("5802"));
	assert_false(users_pin_is_trivial("2468")); /* a step of 2 is not a straight run */
	assert_false(users_pin_is_trivial("correct horse"));
	/* PINs are stored only as Argon2id hashes. */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT pin_hash FROM users WHERE name = 'Sam'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 0), "$argon2id$"));
	sqlite3_finalize(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_staff_refused_at_app_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_view_admins_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_check_matches_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_limit_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_limit_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_limit_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_failures_slow_down_and_are_audited, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disable_and_names, setup, teardown),
	};
	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
