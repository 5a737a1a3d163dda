/* Desks that unlock themselves (app/desk.c, sys/desk_key.c): enrolling
 * writes a private key file and an audited slot; the file opens the vault
 * without the passphrase and with the audit key attached; a file others can
 * read is refused with the chmod to run; a copy of the database in another
 * home opens nothing; a revoked desk's file says so; only admins manage
 * desks. */
#include "testutil.h"

#include <sodium.h>
#include <sys/stat.h>

#include "paydesk/audit.h"
#include "paydesk/auth.h"
#include "paydesk/db.h"
#include "paydesk/desk.h"
#include "paydesk/desk_key.h"
#include "paydesk/log.h"
#include "paydesk/vault.h"

#define PASS "correct horse battery staple"

struct fixture {
	char *dir, *db_path, *key_path;
	sqlite3 *db;
	struct session admin;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = tu_tempdir();
	f->db_path = tu_path(f->dir, "paydesk.db");
	f->key_path = tu_path(f->dir, "config/paydesk/desk.key");
	struct pd_error err = {0};
	assert_int_equal(vault_init(&err), 0);
	assert_int_equal(db_open(f->db_path, &f->db, &err), 0);
	struct vault *v = NULL;
	assert_int_equal(vault_create(f->db, PASS, &VAULT_KDF_INTERACTIVE, &v, &err), 0);
	assert_int_equal(vault_seal(v, f->db, "stripe_key", "acct_1", "rk_test_desk_key", 16, &err),
			 0);
	vault_lock(&v);
	f->admin = session_system_admin();
	snprintf(f->admin.name, sizeof f->admin.name, "Alex");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	db_close(&f->db);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->db_path);
	free(f->key_path);
	free(f);
	return 0;
}

static void enrol(struct fixture *f, const char *name)
{
	struct pd_error err = {0};
	struct vault *v = NULL;
	char got[VAULT_DESK_NAME_MAX + 1];
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), 0);
	if (desk_enrol(f->db, v, &f->admin, f->key_path, name, got, &err))
		fail_msg("desk_enrol: %s", err.msg);
	assert_string_equal(got, name);
	vault_lock(&v);
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

static void open_key(sqlite3 *db, struct vault *v)
{
	struct pd_error err = {0};
	char *key = NULL;
	assert_int_equal(vault_open_secret(v, db, "stripe_key", "acct_1", &key, NULL, &err), 0);
	assert_string_equal(key, "rk_test_desk_key");
	vault_secret_free(&key);
}

static void test_enrolled_desk_unlocks_without_passphrase(void **state)
{
	struct fixture *f = *state;
	struct pd_error err = {0};
	enrol(f, "front desk");
	struct stat st;
	assert_int_equal(stat(f->key_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The key file holds no secret of the database, and the database no desk key. */
	size_t len;
	unsigned char *file = tu_read_file(f->key_path, &len);
	assert_true(len > 64);
	free(file);

	unsigned long kdfs = vault_kdf_count();
	struct vault *v = NULL;
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), 0);
	assert_int_equal(vault_kdf_count(), kdfs); /* no passphrase, no Argon2 */
	open_key(f->db, v);
	/* The audit key came with it: what this desk appends is sealed. */
	struct audit_entry e = {.actor = "Sam", .action = "test.desk", .detail = "desk-unlocked"};
	assert_int_equal(audit_append(f->db, &e, &err), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action = 'test.desk'"
				      " AND mac IS NOT NULL AND keyed = 1"),
			 1);
	struct audit_report r;
	assert_int_equal(audit_report(f->db, &r, &err), 0);
	assert_true(r.key_checked);
	assert_int_equal(r.unsealed_count, 0);
	vault_lock(&v);
	/* Enrolment is audited, under the admin's name; last use is noted. */
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action ="
				      " 'vault.desk_enrol' AND actor = 'Alex'"),
			 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM vault_slot WHERE name = 'front desk'"
				      " AND last_used_at > 0"),
			 1);
	/* A second enrolment of the same desk is refused, its file untouched. */
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), 0);
	char got[VAULT_DESK_NAME_MAX + 1];
	assert_int_equal(desk_enrol(f->db, v, &f->admin, f->key_path, "again", got, &err),
			 PD_ERR_EXISTS);
	assert_non_null(strstr(err.msg, "already enrolled as 'front desk'"));
	vault_lock(&v);
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), 0);
	vault_lock(&v);
}

static void test_key_file_readable_by_others_refused(void **state)
{
	struct fixture *f = *state;
	struct pd_error err = {0};
	enrol(f, "front desk");
	assert_int_equal(chmod(f->key_path, 0644), 0);
	struct vault *v = NULL;
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), PD_ERR_FORBIDDEN);
	assert_null(v);
	char want[512];
	snprintf(want, sizeof want, "Run: chmod 600 %s", f->key_path);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "mode 0644"));
	assert_int_equal(chmod(f->key_path, 0640), 0);
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), PD_ERR_FORBIDDEN);
	assert_int_equal(chmod(f->key_path, 0600), 0); /* as the message says */
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), 0);
	vault_lock(&v);
	if (geteuid() == 0) { /* another user's file, even private, is not ours to trust */
		assert_int_equal(chown(f->key_path, 65534, 65534), 0);
		assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), PD_ERR_FORBIDDEN);
		assert_non_null(strstr(err.msg, "belongs to another user"));
		assert_int_equal(chown(f->key_path, 0, 0), 0);
	}
}

/* The database copied to another home: there is no desk key there, and a
 * desk key of that home's own database is not tried on it. */
static void test_copy_elsewhere_opens_nothing(void **state)
{
	struct fixture *f = *state;
	struct pd_error err = {0};
	enrol(f, "front desk");
	assert_int_equal(sqlite3_wal_checkpoint_v2(f->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
						   NULL),
			 SQLITE_OK);
	char *other = tu_tempdir();
	char *copy = tu_path(other, "paydesk.db");
	char *other_key = tu_path(other, "desk.key");
	size_t len;
	unsigned char *bytes = tu_read_file(f->db_path, &len);
	FILE *out = fopen(copy, "wb");
	assert_int_equal(fwrite(bytes, 1, len, out), len);
	fclose(out);
	free(bytes);
	sqlite3 *db2 = NULL;
	assert_int_equal(db_open(copy, &db2, &err), 0);
	struct vault *v = NULL;
	assert_int_equal(desk_unlock(db2, other_key, &v, &err), PD_ERR_NOT_FOUND);
	assert_null(v);
	/* That home's own database with its own enrolled desk: its key file
	 * names another vault, so it is not tried on the copy. */
	char *own_db = tu_path(other, "own.db");
	sqlite3 *db3 = NULL;
	assert_int_equal(db_open(own_db, &db3, &err), 0);
	assert_int_equal(vault_create(db3, PASS, &VAULT_KDF_INTERACTIVE, &v, &err), 0);
	char got[VAULT_DESK_NAME_MAX + 1];
	assert_int_equal(desk_enrol(db3, v, &f->admin, other_key, "elsewhere", got, &err), 0);
	vault_lock(&v);
	assert_int_equal(desk_unlock(db2, other_key, &v, &err), PD_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "another paydesk database"));
	assert_null(v);
	/* Nor can that home enrol over its own file for the copy. */
	assert_int_equal(vault_unlock(db2, PASS, &v, &err), 0); /* the passphrase still opens it */
	assert_int_equal(desk_enrol(db2, v, &f->admin, other_key, "copy", got, &err), PD_ERR_EXISTS);
	assert_non_null(strstr(err.msg, "another paydesk database"));
	vault_lock(&v);
	db_close(&db3);
	db_close(&db2);
	tu_rm_rf(other);
	free(own_db);
	free(other_key);
	free(copy);
	free(other);
}

static void test_revoked_desk_is_told(void **state)
{
	struct fixture *f = *state;
	struct pd_error err = {0};
	enrol(f, "front desk");
	/* Revoked from elsewhere (another key path): this desk's file goes stale. */
	bool here = true;
	assert_int_equal(desk_revoke(f->db, &f->admin, "/nonexistent/desk.key", "front desk", &here,
				     &err),
			 0);
	assert_false(here);
	struct vault *v = NULL;
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), PD_ERR_LOCKED);
	assert_non_null(strstr(err.msg, "this desk was revoked"));
	assert_non_null(strstr(err.msg, "passphrase"));
	assert_null(v);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit_log WHERE action ="
				      " 'vault.desk_revoke' AND actor = 'Alex'"),
			 1);
	/* Its stale file does not stop enrolling it again. */
	enrol(f, "front desk");
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), 0);
	vault_lock(&v);
	/* Revoked from this desk: the file goes with the slot. */
	assert_int_equal(desk_revoke(f->db, &f->admin, f->key_path, "front desk", &here, &err), 0);
	assert_true(here);
	assert_int_not_equal(access(f->key_path, F_OK), 0);
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(desk_revoke(f->db, &f->admin, f->key_path, "front desk", &here, &err),
			 PD_ERR_NOT_FOUND);
}

static void test_only_admins_manage_desks(void **state)
{
	struct fixture *f = *state;
	struct pd_error err = {0};
	struct session staff = f->admin;
	staff.role = ROLE_STAFF;
	struct vault *v = NULL;
	char got[VAULT_DESK_NAME_MAX + 1];
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), 0);
	assert_int_equal(desk_enrol(f->db, v, &staff, f->key_path, "x", got, &err), PD_ERR_FORBIDDEN);
	assert_int_not_equal(access(f->key_path, F_OK), 0);
	vault_lock(&v);
	/* Without the vault unlocked even an admin cannot enrol. */
	assert_int_equal(desk_enrol(f->db, NULL, &f->admin, f->key_path, "x", got, &err),
			 PD_ERR_LOCKED);
	enrol(f, "front desk");
	struct vault_desk *list = NULL;
	size_t n = 0;
	int64_t here = 0;
	assert_int_equal(desk_list(f->db, &staff, f->key_path, &list, &n, &here, &err),
			 PD_ERR_FORBIDDEN);
	assert_int_equal(desk_list(f->db, &f->admin, f->key_path, &list, &n, &here, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].slot, here);
	assert_string_equal(list[0].created_by, "Alex");
	free(list);
	bool was_here;
	assert_int_equal(desk_revoke(f->db, &staff, f->key_path, "front desk", &was_here, &err),
			 PD_ERR_FORBIDDEN);
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), 0);
	vault_lock(&v);
}

/* A damaged or foreign file in the key's place is named, not crashed on. */
static void test_damaged_key_file(void **state)
{
	struct fixture *f = *state;
	struct pd_error err = {0};
	enrol(f, "front desk");
	size_t len;
	char *text = (char *)tu_read_file(f->key_path, &len);
	text[len - 3] = text[len - 3] == 'a' ? 'b' : 'a'; /* one hex digit of the key */
	FILE *out = fopen(f->key_path, "w");
	fputs(text, out);
	fclose(out);
	struct vault *v = NULL;
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), PD_ERR_TAMPERED);
	assert_non_null(strstr(err.msg, "does not open this vault"));
	tu_write_file(f->key_path, "not a key\n");
	assert_int_equal(chmod(f->key_path, 0600), 0);
	assert_int_equal(desk_unlock(f->db, f->key_path, &v, &err), PD_ERR_TAMPERED);
	assert_non_null(strstr(err.msg, "is not a paydesk desk key"));
	assert_null(v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enrolled_desk_unlocks_without_passphrase, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_key_file_readable_by_others_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy_elsewhere_opens_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_desk_is_told, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_admins_manage_desks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_key_file, setup, teardown),
	};
	return cmocka_run_group_tests_name("desk", tests, NULL, NULL);
}
