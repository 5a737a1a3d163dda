/* Vault: round trip, wrong passphrase, tamper detection, passphrase change,
 * wipe, one KDF per unlock, and no plaintext key in the db, WAL or log. */
#include "testutil.h"

#include <sodium.h>

#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/vault.h"

#define PASS "correct horse battery staple"
#define ACCOUNT "acct_1TestAccount000"

struct fixture {
	char *dir, *db_path, *log_path;
	sqlite3 *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = tu_tempdir();
	f->db_path = tu_path(f->dir, "paydesk.db");
	f->log_path = tu_path(f->dir, "paydesk.log");
	struct pd_error err;
	assert_int_equal(vault_init(&err), 0);
	assert_int_equal(log_open(f->log_path, LOG_DEBUG, &err), 0);
	assert_int_equal(db_open(f->db_path, &f->db, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	db_close(&f->db);
	log_close();
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->db_path);
	free(f->log_path);
	free(f);
	return 0;
}

/* A key shaped like a real restricted key, random each run. */
static void random_key(char *out, size_t len)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	strcpy(out, "rk_test_");
	size_t i = strlen(out);
	for (; i < len - 1; i++)
		out[i] = alnum[randombytes_uniform(sizeof alnum - 1)];
	out[i] = '\0';
}

static struct vault *create_vault(sqlite3 *db)
{
	struct vault *v = NULL;
	struct pd_error err;
	int rc = vault_create(db, PASS, &VAULT_KDF_INTERACTIVE, &v, &err);
	if (rc)
		fail_msg("vault_create: %s", err.msg);
	return v;
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err;
	char key[108];
	random_key(key, sizeof key);
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, key, strlen(key), &err), 0);
	vault_lock(&v);
	assert_null(v);

	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), 0);
	char *plain = NULL;
	size_t len = 0;
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, &len, &err), 0);
	assert_int_equal(len, strlen(key));
	assert_string_equal(plain, key);
	vault_secret_free(&plain);
	assert_null(plain);

	/* The same name under another account is a different record. */
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", "acct_other", &plain, NULL, &err),
			 PD_ERR_NOT_FOUND);
	vault_lock(&v);
}

static void test_create_twice_refused(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db), *v2 = NULL;
	struct pd_error err;
	assert_int_equal(vault_create(f->db, PASS, &VAULT_KDF_INTERACTIVE, &v2, &err), PD_ERR_EXISTS);
	assert_null(v2);
	vault_lock(&v);
}

static void test_weak_inputs_refused(void **state)
{
	struct fixture *f = *state;
	struct vault *v = NULL;
	struct pd_error err;
	assert_int_equal(vault_create(f->db, "short", &VAULT_KDF_INTERACTIVE, &v, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "at least"));
	struct vault_kdf weak = {1, 8192};
	assert_int_equal(vault_create(f->db, PASS, &weak, &v, &err), PD_ERR_USAGE);
	bool exists = true;
	assert_int_equal(vault_exists(f->db, &exists, &err), 0);
	assert_false(exists);
}

static void test_wrong_passphrase(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	vault_lock(&v);
	struct pd_error err;
	assert_int_equal(vault_unlock(f->db, "not the passphrase", &v, &err), PD_ERR_WRONG_PASS);
	assert_string_equal(err.msg, "wrong passphrase");
	assert_null(v);
	assert_int_equal(vault_unlock(f->db, "", &v, &err), PD_ERR_WRONG_PASS);
}

static void test_unlock_without_vault(void **state)
{
	struct fixture *f = *state;
	struct vault *v = NULL;
	struct pd_error err;
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), PD_ERR_NOT_FOUND);
}

/* Flip one byte of column col (nonce or ciphertext) at offset i. */
static void tamper(sqlite3 *db, const char *col, int i)
{
	sqlite3_stmt *st;
	char sel[128];
	snprintf(sel, sizeof sel, "SELECT %s FROM vault_secret WHERE name = 'stripe_key'", col);
	assert_int_equal(sqlite3_prepare_v2(db, sel, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_bytes(st, 0);
	unsigned char *blob = malloc((size_t)n);
	memcpy(blob, sqlite3_column_blob(st, 0), (size_t)n);
	sqlite3_finalize(st);
	blob[i] ^= 0x01;
	char upd[128];
	snprintf(upd, sizeof upd, "UPDATE vault_secret SET %s = ? WHERE name = 'stripe_key'", col);
	assert_int_equal(sqlite3_prepare_v2(db, upd, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob, n, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(blob);
}

static int blob_len(sqlite3 *db, const char *col)
{
	char sel[128];
	snprintf(sel, sizeof sel, "SELECT length(%s) FROM vault_secret WHERE name = 'stripe_key'", col);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sel, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_every_byte_tamper_detected(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err;
	char key[108];
	random_key(key, sizeof key);
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, key, strlen(key), &err), 0);

	const char *cols[] = {"nonce", "ciphertext"};
	int checked = 0;
	for (int c = 0; c < 2; c++) {
		int n = blob_len(f->db, cols[c]);
		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			tamper(f->db, cols[c], i);
			char *plain = NULL;
			int rc = vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, NULL, &err);
			if (rc != PD_ERR_TAMPERED)
				fail_msg("flip of %s byte %d not detected (rc %d)", cols[c], i, rc);
			assert_null(plain);
			assert_non_null(strstr(err.msg, "altered"));
			tamper(f->db, cols[c], i); /* flip back */
			checked++;
		}
	}
	/* Truncations and a moved record are caught too. */
	assert_int_equal(sqlite3_exec(f->db, "UPDATE vault_secret SET ciphertext = substr(ciphertext, 1, 10) WHERE name = 'stripe_key'", NULL, NULL, NULL), SQLITE_OK);
	char *plain = NULL;
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, NULL, &err), PD_ERR_TAMPERED);
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, key, strlen(key), &err), 0);
	assert_int_equal(sqlite3_exec(f->db, "UPDATE vault_secret SET account = 'acct_evil' WHERE name = 'stripe_key'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", "acct_evil", &plain, NULL, &err), PD_ERR_TAMPERED);
	assert_true(checked > (int)strlen(key));
	vault_lock(&v);
}

static void test_tampered_vault_row(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	vault_lock(&v);
	struct pd_error err;
	/* An altered wrapped key cannot be told from a wrong passphrase, and must not open. */
	assert_int_equal(sqlite3_exec(f->db, "UPDATE vault_slot SET wrapped_key = zeroblob(48)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), PD_ERR_WRONG_PASS);
	/* Absurd stored limits are refused, not allocated. */
	assert_int_equal(sqlite3_exec(f->db, "UPDATE vault_slot SET kdf_memlimit = 1099511627776", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), PD_ERR_TAMPERED);
	assert_null(v);
}

static void test_change_passphrase(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err;
	char key[64];
	random_key(key, sizeof key);
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, key, strlen(key), &err), 0);
	vault_lock(&v);

	const char *np = "a new and longer passphrase";
	assert_int_equal(vault_change_passphrase(f->db, "wrong old one", np, &VAULT_KDF_INTERACTIVE, &err),
			 PD_ERR_WRONG_PASS);
	assert_int_equal(vault_change_passphrase(f->db, PASS, np, &VAULT_KDF_INTERACTIVE, &err), 0);
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), PD_ERR_WRONG_PASS);
	assert_int_equal(vault_unlock(f->db, np, &v, &err), 0);
	char *plain = NULL;
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, NULL, &err), 0);
	assert_string_equal(plain, key); /* secrets survive: only the data key was re-wrapped */
	vault_secret_free(&plain);
	vault_lock(&v);
	/* The change is in the audit log (once: the refused one changed nothing). */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT count(*) FROM audit_log WHERE action ="
						   " 'vault.passphrase_change'", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
}

static void test_one_kdf_per_unlock(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err;
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof name, "secret_%d", i);
		assert_int_equal(vault_seal(v, f->db, name, ACCOUNT, "value", 5, &err), 0);
	}
	vault_lock(&v);
	unsigned long before = vault_kdf_count();
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), 0);
	for (int i = 0; i < 20; i++) {
		char name[32], *plain = NULL;
		snprintf(name, sizeof name, "secret_%d", i);
		assert_int_equal(vault_open_secret(v, f->db, name, ACCOUNT, &plain, NULL, &err), 0);
		vault_secret_free(&plain);
	}
	assert_int_equal(vault_kdf_count() - before, 1);
	vault_lock(&v);
}

static void test_wipe(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err;
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, "rk_test_x", 9, &err), 0);
	vault_lock(&v);
	assert_int_equal(vault_wipe(f->db, &err), 0);
	bool exists = true;
	assert_int_equal(vault_exists(f->db, &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), PD_ERR_NOT_FOUND);
	v = create_vault(f->db); /* a new vault can be made after a wipe */
	char *plain = NULL;
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, NULL, &err), PD_ERR_NOT_FOUND);
	vault_lock(&v);
}

static void test_locked_vault_refuses(void **state)
{
	struct fixture *f = *state;
	struct pd_error err;
	char *plain = NULL;
	assert_int_equal(vault_seal(NULL, f->db, "k", "", "x", 1, &err), PD_ERR_LOCKED);
	assert_int_equal(vault_open_secret(NULL, f->db, "k", "", &plain, NULL, &err), PD_ERR_LOCKED);
}

/* The key must not appear in the database, its WAL or the log, even when a
 * careless caller logs it. Also checked: a long distinctive substring. */
static void test_key_absent_from_files(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err;
	char key[108];
	random_key(key, sizeof key);
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, key, strlen(key), &err), 0);
	log_msg(LOG_ERROR, "careless caller logged the key: %s (and again: %s)", key, key);
	char *plain = NULL;
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, NULL, &err), 0);
	vault_secret_free(&plain);
	vault_lock(&v);

	char *wal = tu_path(f->dir, "paydesk.db-wal");
	const char *secret_part = key + 8; /* without the public prefix */
	size_t probe = 16; /* any 16 consecutive secret characters */
	const char *files[] = {f->db_path, wal, f->log_path};
	size_t wal_len;
	free(tu_read_file(wal, &wal_len));
	assert_true(wal_len > 0); /* the WAL really holds the writes we search */
	for (int i = 0; i < 3; i++) {
		assert_false(tu_file_contains(files[i], key, strlen(key)));
		for (size_t off = 0; off + probe <= strlen(secret_part) - 4; off += 4)
			if (tu_file_contains(files[i], secret_part + off, probe))
				fail_msg("%s contains key bytes at offset %zu", files[i], off);
	}
	assert_true(tu_file_contains(f->log_path, "rk_test_", 8)); /* the masked form is there */
	free(wal);
}

/* A desk slot: enrolled under an unlocked vault, it opens the vault with its
 * random key and no KDF; another key, a revoked slot, or the slot's wrap
 * moved to another slot do not. */
static int64_t add_desk(struct vault *v, sqlite3 *db, const char *name, unsigned char *key)
{
	struct pd_error err = {0};
	int64_t slot = 0;
	assert_int_equal(db_begin(db, &err), 0);
	if (vault_desk_add(v, db, name, "Alex", key, &slot, &err))
		fail_msg("vault_desk_add: %s", err.msg);
	assert_int_equal(db_commit(db, &err), 0);
	assert_true(slot > 0);
	return slot;
}

static void test_desk_slot(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err = {0};
	char key[64];
	random_key(key, sizeof key);
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, key, strlen(key), &err), 0);
	unsigned char *desk = sodium_malloc(VAULT_DESK_KEY_BYTES);
	unsigned char *other = sodium_malloc(VAULT_DESK_KEY_BYTES);
	int64_t slot = add_desk(v, f->db, "front desk", desk);
	int64_t slot2 = add_desk(v, f->db, "back office", other);
	int64_t ignored;
	assert_int_equal(vault_desk_add(v, f->db, "front desk", "Alex", other, &ignored, &err),
			 PD_ERR_EXISTS); /* names are unique */
	assert_int_equal(vault_desk_add(v, f->db, "passphrase", "Alex", other, &ignored, &err),
			 PD_ERR_EXISTS);
	vault_lock(&v);

	unsigned long kdfs = vault_kdf_count();
	assert_int_equal(vault_unlock_desk(f->db, slot, desk, &v, &err), 0);
	assert_int_equal(vault_kdf_count(), kdfs); /* no Argon2 for a random key */
	char *plain = NULL;
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, NULL, &err), 0);
	assert_string_equal(plain, key);
	vault_secret_free(&plain);
	vault_lock(&v);

	/* Another desk's key, a flipped bit, or this key on that slot: refused. */
	assert_int_equal(vault_unlock_desk(f->db, slot, other, &v, &err), PD_ERR_WRONG_PASS);
	assert_int_equal(vault_unlock_desk(f->db, slot2, desk, &v, &err), PD_ERR_WRONG_PASS);
	desk[3] ^= 1;
	assert_int_equal(vault_unlock_desk(f->db, slot, desk, &v, &err), PD_ERR_WRONG_PASS);
	desk[3] ^= 1;
	assert_null(v);
	/* The wrap names its slot: copied over another slot's, it does not open. */
	char sql[200];
	snprintf(sql, sizeof sql, "UPDATE vault_slot SET (wrap_nonce, wrapped_key) = (SELECT"
		 " wrap_nonce, wrapped_key FROM vault_slot WHERE id = %lld) WHERE id = %lld",
		 (long long)slot, (long long)slot2);
	assert_int_equal(db_exec(f->db, sql, &err), 0);
	assert_int_equal(vault_unlock_desk(f->db, slot2, desk, &v, &err), PD_ERR_WRONG_PASS);

	/* Listed, then revoked: its key opens nothing, the passphrase still does. */
	struct vault_desk *list = NULL;
	size_t n = 0;
	assert_int_equal(vault_desk_list(f->db, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "front desk");
	assert_string_equal(list[0].created_by, "Alex");
	free(list);
	int64_t removed = 0;
	assert_int_equal(db_begin(f->db, &err), 0);
	assert_int_equal(vault_desk_remove(f->db, "front desk", &removed, &err), 0);
	assert_int_equal(db_commit(f->db, &err), 0);
	assert_int_equal(removed, slot);
	assert_int_equal(vault_desk_remove(f->db, "passphrase", &removed, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(vault_unlock_desk(f->db, slot, desk, &v, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), 0);
	vault_lock(&v);
	/* A new desk never gets the revoked one's slot id back. */
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), 0);
	int64_t again = add_desk(v, f->db, "front desk", other);
	assert_true(again > slot2);
	vault_lock(&v);
	sodium_free(desk);
	sodium_free(other);
}

/* Changing the passphrase re-wraps the passphrase slot only: desks still open. */
static void test_passphrase_change_keeps_desks(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err = {0};
	assert_int_equal(vault_seal(v, f->db, "stripe_key", ACCOUNT, "rk_test_desk", 12, &err), 0);
	unsigned char *desk = sodium_malloc(VAULT_DESK_KEY_BYTES);
	int64_t slot = add_desk(v, f->db, "front desk", desk);
	vault_lock(&v);
	const char *np = "the new admin passphrase";
	assert_int_equal(vault_change_passphrase(f->db, PASS, np, &VAULT_KDF_INTERACTIVE, &err), 0);
	assert_int_equal(vault_unlock(f->db, PASS, &v, &err), PD_ERR_WRONG_PASS);
	assert_int_equal(vault_unlock_desk(f->db, slot, desk, &v, &err), 0);
	char *plain = NULL;
	assert_int_equal(vault_open_secret(v, f->db, "stripe_key", ACCOUNT, &plain, NULL, &err), 0);
	assert_string_equal(plain, "rk_test_desk");
	vault_secret_free(&plain);
	vault_lock(&v);
	assert_int_equal(vault_unlock(f->db, np, &v, &err), 0);
	vault_lock(&v);
	sodium_free(desk);
}

/* A wiped vault takes its desk slots with it. */
static void test_wipe_removes_desks(void **state)
{
	struct fixture *f = *state;
	struct vault *v = create_vault(f->db);
	struct pd_error err = {0};
	unsigned char *desk = sodium_malloc(VAULT_DESK_KEY_BYTES);
	int64_t slot = add_desk(v, f->db, "front desk", desk);
	vault_lock(&v);
	assert_int_equal(vault_wipe(f->db, &err), 0);
	assert_int_not_equal(vault_unlock_desk(f->db, slot, desk, &v, &err), 0);
	v = create_vault(f->db);
	vault_lock(&v);
	assert_int_equal(vault_unlock_desk(f->db, slot, desk, &v, &err), PD_ERR_NOT_FOUND);
	sodium_free(desk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_twice_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weak_inputs_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlock_without_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_byte_tamper_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_vault_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_kdf_per_unlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_vault_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_absent_from_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_desk_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passphrase_change_keeps_desks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wipe_removes_desks, setup, teardown),
	};
	return cmocka_run_group_tests_name("vault", tests, NULL, NULL);
}
