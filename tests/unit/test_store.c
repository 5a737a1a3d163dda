/* Store: opening, permissions, migrations, refusal of foreign, corrupt and
 * newer files (left untouched), concurrent first opens, settings, audit log. */
#include "testutil.h"

#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/day_close_store.h"
#include "paydesk/settings.h"
#include "paydesk/vault.h"
#include "store_testutil.h"

static int query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_new_database(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "nested/deeper/paydesk.db");
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	assert_int_equal(db_open(path, &db, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *sub = tu_path(dir, "nested/deeper");
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(query_int(db, "PRAGMA user_version"), db_schema_latest());
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
				       "('settings','vault','vault_secret','stripe_account','audit_log')"),
			 5);
	sqlite3_stmt *jm;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &jm, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(jm), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(jm, 0), "wal");
	sqlite3_finalize(jm);
	db_close(&db);
	assert_null(db);
	/* Reopening an up-to-date database changes nothing. */
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), db_schema_latest());
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
	free(sub);
}

/* Open must fail with want_rc and leave the file byte-for-byte as it was. */
static void expect_refused_untouched(const char *path, int want_rc, const char *want_msg)
{
	size_t before_len, after_len;
	unsigned char *before = tu_read_file(path, &before_len);
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	int rc = db_open(path, &db, &err);
	if (rc != want_rc || !strstr(err.msg, want_msg))
		fail_msg("rc %d msg '%s', wanted %d '%s'", rc, err.msg, want_rc, want_msg);
	assert_null(db);
	unsigned char *after = tu_read_file(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static void test_refuses_foreign_files(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *text = tu_path(dir, "notes.txt");
	tu_write_file(text, "these are not the bytes you are looking for\n");
	expect_refused_untouched(text, PD_ERR_NOT_PAYDESK, "is not an SQLite database");

	/* Valid header, garbage after it: a corrupt database. */
	char *corrupt = tu_path(dir, "corrupt.db");
	FILE *f = fopen(corrupt, "wb");
	fwrite("SQLite format 3", 1, 16, f);
	for (int i = 0; i < 8192; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	expect_refused_untouched(corrupt, PD_ERR_NOT_PAYDESK, "damaged or not a database");

	/* A healthy SQLite database that some other program owns. */
	char *other = tu_path(dir, "other.db");
	sqlite3 *odb;
	assert_int_equal(sqlite3_open(other, &odb), SQLITE_OK);
	assert_int_equal(sqlite3_exec(odb, "CREATE TABLE recipes(x); INSERT INTO recipes VALUES (1);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(odb);
	expect_refused_untouched(other, PD_ERR_NOT_PAYDESK, "of another application");

	char *dirpath = tu_path(dir, "");
	sqlite3 *db = NULL;
	struct pd_error err;
	assert_int_equal(db_open(dirpath, &db, &err), PD_ERR_NOT_PAYDESK);
	tu_rm_rf(dir);
	free(dir);
	free(text);
	free(corrupt);
	free(other);
	free(dirpath);
}

static void test_refuses_newer_schema(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "paydesk.db");
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	assert_int_equal(db_open(path, &db, &err), 0);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", db_schema_latest() + 1);
	assert_int_equal(db_exec(db, sql, &err), 0);
	assert_int_equal(db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err), 0);
	db_close(&db);
	expect_refused_untouched(path, PD_ERR_SCHEMA, "written by a newer paydesk");
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

/* Several processes opening a brand-new database at once: one migrates,
 * all succeed, the schema is applied exactly once. */
static void test_concurrent_first_open(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "paydesk.db");
	enum { N = 6 };
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			sqlite3 *db = NULL;
			struct pd_error err;
			int rc = db_open(path, &db, &err);
			if (rc)
				fprintf(stderr, "child %d: %s\n", i, err.msg);
			db_close(&db);
			_exit(rc ? 1 : 0);
		}
	}
	for (int i = 0; i < N; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	sqlite3 *db = NULL;
	struct pd_error err;
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), db_schema_latest());
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

static void test_settings(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "paydesk.db");
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	assert_int_equal(db_open(path, &db, &err), 0);
	char *v = NULL;
	assert_int_equal(settings_get(db, "payment_at_booking", &v, &err), PD_ERR_NOT_FOUND);
	assert_null(v);
	assert_int_equal(settings_set(db, "payment_at_booking", "optional", &err), 0);
	assert_int_equal(settings_set(db, "payment_at_booking", "required", &err), 0);
	assert_int_equal(settings_get(db, "payment_at_booking", &v, &err), 0);
	assert_string_equal(v, "required");
	free(v);
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

static void test_audit_chain(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "paydesk.db");
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	assert_int_equal(vault_init(&err), 0);
	assert_int_equal(db_open(path, &db, &err), 0);
	for (int i = 0; i < 5; i++) {
		struct audit_entry e = {.actor = "admin", .action = "payment.refund",
					.detail = "partial refund", .has_amount = true,
					.amount = 1000 + i, .currency = "usd", .object_id = "pi_123"};
		assert_int_equal(audit_append(db, &e, &err), 0);
	}
	int64_t broken, n;
	assert_int_equal(audit_verify(db, &broken, &n, &err), 0);
	assert_int_equal(broken, 0);
	assert_int_equal(n, 5);

	/* An edited amount is found at its entry. */
	assert_int_equal(db_exec(db, "UPDATE audit_log SET amount = 1 WHERE id = 3", &err), 0);
	assert_int_equal(audit_verify(db, &broken, &n, &err), PD_ERR_TAMPERED);
	assert_int_equal(broken, 3);
	assert_non_null(strstr(err.msg, "content was changed"));
	assert_int_equal(db_exec(db, "UPDATE audit_log SET amount = 1002 WHERE id = 3", &err), 0);
	assert_int_equal(audit_verify(db, &broken, &n, &err), 0);

	/* A deleted entry is named where it is missing. */
	assert_int_equal(db_exec(db, "DELETE FROM audit_log WHERE id = 2", &err), 0);
	assert_int_equal(audit_verify(db, &broken, &n, &err), PD_ERR_TAMPERED);
	assert_int_equal(broken, 2);
	assert_non_null(strstr(err.msg, "it is missing"));
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

static int64_t append_n(sqlite3 *db, int n)
{
	struct pd_error err = {0};
	for (int i = 0; i < n; i++) {
		struct audit_entry e = {.actor = "Alex", .action = "settings.refund_limit",
					.has_amount = true, .amount = 100 * i, .currency = "eur"};
		assert_int_equal(audit_append(db, &e, &err), 0);
	}
	return n;
}

/* Keyed audit: the key comes with the unlocked vault; entries written while
 * it is locked are chained, reported as not sealed, and sealed by the next
 * keyed append; the head catches a deleted tail. */
static void test_audit_keyed(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "paydesk.db");
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	struct vault *v = NULL;
	assert_int_equal(vault_init(&err), 0);
	assert_int_equal(db_open(path, &db, &err), 0);
	append_n(db, 2); /* before any vault: the pre-key part */
	assert_int_equal(vault_create(db, "correct horse battery", &VAULT_KDF_INTERACTIVE, &v, &err),
			 0);
	append_n(db, 3);
	struct audit_report r;
	assert_int_equal(audit_report(db, &r, &err), 0);
	assert_true(r.key_checked);
	assert_int_equal(r.entries, 6); /* 2 + audit.keyed + 3 */
	assert_int_equal(r.epoch_start, 3);
	assert_int_equal(r.head_count, 6);
	assert_int_equal(r.unsealed_count, 0);

	vault_lock(&v); /* staff working while the vault is locked */
	append_n(db, 2);
	assert_int_equal(audit_report(db, &r, &err), 0);
	assert_false(r.key_checked);
	assert_int_equal(r.entries, 8);
	assert_int_equal(vault_unlock(db, "correct horse battery", &v, &err), 0);
	assert_int_equal(audit_report(db, &r, &err), 0);
	assert_int_equal(r.unsealed_first, 7);
	assert_int_equal(r.unsealed_count, 2);
	append_n(db, 1); /* the next keyed entry seals them */
	assert_int_equal(audit_report(db, &r, &err), 0);
	assert_int_equal(r.unsealed_count, 0);
	assert_int_equal(r.late_first, 7);
	assert_int_equal(r.late_count, 2);
	assert_int_equal(r.head_count, 9);

	/* Without the key nobody can hide the last entry. */
	assert_int_equal(db_exec(db, "DELETE FROM audit_log WHERE id = 9", &err), 0);
	assert_int_equal(audit_report(db, &r, &err), PD_ERR_TAMPERED);
	assert_int_equal(r.broken_id, 9);
	vault_lock(&v);
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

/* A history made before desk tenders (schema 9) takes desk records after
 * the upgrade and keeps every record and id: the wider CHECK is written in
 * place. (Schema 39 then rebuilds the table once, for its id indexes:
 * test_history.c, test_ids_keyed_by_date_after_the_upgrade.) */
static void test_history_upgrade_in_place(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "v9.db");
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	for (int i = 0; i < store_migrations_count && store_migrations[i].version <= 9; i++)
		assert_int_equal(sqlite3_exec(raw, store_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
				      "PRAGMA user_version = 9; PRAGMA application_id = 1346655051;"
				      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				      "  WHERE i < 3000)"
				      "INSERT INTO history (id, stripe_id, type, created, amount, currency,"
				      "  status, client_name, description, synced_at)"
				      "  SELECT i * 7, 'pi_' || i, 'payment', 1700000000 + i * 60, i,"
				      "  'usd', 'succeeded', 'Client ' || i, printf('%0200d', i), 1"
				      "  FROM n;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);

	sqlite3 *db;
	struct pd_error err = {0};
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), db_schema_latest());
	assert_int_equal(query_int(db, "SELECT count(*) FROM history"), 3000);
	assert_int_equal(query_int(db, "SELECT sum(id) FROM history WHERE amount = id / 7"),
			 7 * 3000 * 3001 / 2);
	assert_int_equal(db_exec(db,
				 "INSERT INTO history (stripe_id, type, created, amount, currency,"
				 "  status, synced_at) VALUES ('desk_1', 'desk', 1, 2500, 'usd',"
				 "  'succeeded', 1), ('desk_2', 'desk_refund', 2, 500, 'usd',"
				 "  'succeeded', 1)",
				 &err),
			 0);
	assert_int_not_equal(db_exec(db,
				     "INSERT INTO history (stripe_id, type, created, amount,"
				     " currency, status, synced_at) VALUES ('x', 'bogus', 1, 1, 'usd',"
				     " 'succeeded', 1)",
				     &err),
			     0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	db_close(&db);
	free(path);
	free(dir);
}

/* Schema 27: a fee charged before it (no desk, no charged_by/at) keeps
 * its money: counted in the all-desks close of the day it was charged, by
 * the user who charged it; no desk's close claims it. */
static void test_charged_fee_upgrade(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "v26.db");
	struct pd_error err = {0};
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	for (int i = 0; i < store_migrations_count && store_migrations[i].version <= 26; i++) {
		assert_int_equal(sqlite3_exec(raw, store_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
		if (store_migrations[i].apply)
			assert_int_equal(store_migrations[i].apply(raw, &err), 0);
	}
	assert_int_equal(
		sqlite3_exec(raw,
			     "PRAGMA user_version = 26; PRAGMA application_id = 1346655051;"
			     "INSERT INTO clients (id, name, created_at, updated_at)"
			     "  VALUES (1, 'Amy Pond', 1, 1);"
			     "INSERT INTO services (id, name, duration_min, price, currency,"
			     "  created_at, updated_at) VALUES (1, 'Haircut', 30, 4000, 'eur', 1, 1);"
			     "INSERT INTO staff (id, name, hours, created_at, updated_at)"
			     "  VALUES (1, 'Kim', '', 1, 1);"
			     "INSERT INTO appointments (id, client_id, service_id, staff_id, starts_at,"
			     "  ends_at, state, amount, currency, created_at, updated_at)"
			     "  VALUES (1, 1, 1, 1, 1000, 1900, 'no_show', 4000, 'eur', 1, 1);"
			     "INSERT INTO appointment_fees (appointment_id, kind, amount, policy_amount,"
			     "  currency, state, policy_version, visit_at, payment_intent_id,"
			     "  proposed_by, proposed_at, updated_by, updated_at)"
			     "  VALUES (1, 'no_show', 2000, 2000, 'eur', 'charged', 1, 1000, 'pi_old',"
			     "  'Sam', 2000, 'Sam', 90000);",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(raw);

	sqlite3 *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), db_schema_latest());
	assert_int_equal(query_int(db, "SELECT charged_at FROM appointment_fees"), 90000);
	assert_int_equal(query_int(db, "SELECT charged_by = 'Sam' AND desk IS NULL AND refunded = 0"
				       " FROM appointment_fees"),
			 1);
	struct day_close_line lines[DAY_CLOSE_MAX_LINES];
	int n = 0;
	struct day_close_scope all = {86400, 2 * 86400, "", ""};
	assert_int_equal(day_close_expected(db, &all, lines, DAY_CLOSE_MAX_LINES, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0].tender, "card");
	assert_int_equal(lines[0].count, 1);
	assert_int_equal(lines[0].taken, 2000);
	struct day_close_scope sam = {86400, 2 * 86400, "", "sam"};
	assert_int_equal(day_close_expected(db, &sam, lines, DAY_CLOSE_MAX_LINES, &n, &err), 0);
	assert_int_equal(n, 1);
	struct day_close_scope front = {86400, 2 * 86400, "front", ""};
	assert_int_equal(day_close_expected(db, &front, lines, DAY_CLOSE_MAX_LINES, &n, &err), 0);
	assert_int_equal(n, 0);
	struct day_close_scope before = {0, 86400, "", ""};
	assert_int_equal(day_close_expected(db, &before, lines, DAY_CLOSE_MAX_LINES, &n, &err), 0);
	assert_int_equal(n, 0);
	db_close(&db);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

/* Schema 13: a vault made before key slots (its passphrase wrap in the vault
 * row) migrates in place into the passphrase slot: the same passphrase opens
 * it and the sealed key reads back; the vault gets an id for desk files. */
static void test_vault_upgrade_to_slots(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "v12.db");
	struct pd_error err = {0};
	assert_int_equal(vault_init(&err), 0);
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	for (int i = 0; i < store_migrations_count && store_migrations[i].version <= 12; i++) {
		assert_int_equal(sqlite3_exec(raw, store_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
		if (store_migrations[i].apply)
			assert_int_equal(store_migrations[i].apply(raw, &err), 0);
	}
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 12;"
					   " PRAGMA application_id = 1346655051;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	/* The old vault, as schema 1-12's vault.c wrote it. */
	static const char pass[] = "the old admin passphrase";
	unsigned char data_key[32], kek[32], salt[crypto_pwhash_SALTBYTES], nonce[24],
		wrapped[48], snonce[24], sealed[13 + 16];
	crypto_aead_xchacha20poly1305_ietf_keygen(data_key);
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(nonce, sizeof nonce);
	randombytes_buf(snonce, sizeof snonce);
	assert_int_equal(crypto_pwhash(kek, sizeof kek, pass, strlen(pass), salt,
				       crypto_pwhash_OPSLIMIT_INTERACTIVE,
				       crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13),
			 0);
	crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped, NULL, data_key, 32,
						   (const unsigned char *)"paydesk-vault-v1", 16,
						   NULL, nonce, kek);
	static const unsigned char ad[] = "paydesk-secret-v1\0stripe_key\0acct_1Old";
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, (const unsigned char *)"rk_test_old1x",
						   13, ad, sizeof ad - 1, NULL, snonce, data_key);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(raw,
					    "INSERT INTO vault (id, format, kdf_salt, kdf_opslimit,"
					    " kdf_memlimit, wrap_nonce, wrapped_key, created_at,"
					    " updated_at) VALUES (1, 1, ?, ?, ?, ?, ?, 1, 1)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, salt, sizeof salt, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	sqlite3_bind_int64(st, 3, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	sqlite3_bind_blob(st, 4, nonce, sizeof nonce, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, wrapped, sizeof wrapped, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(raw,
					    "INSERT INTO vault_secret (name, account, nonce, ciphertext,"
					    " updated_at) VALUES ('stripe_key', 'acct_1Old', ?, ?, 1)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, snonce, sizeof snonce, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sealed, sizeof sealed, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(raw);

	sqlite3 *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), db_schema_latest());
	assert_int_equal(query_int(db, "SELECT count(*) FROM vault_slot WHERE kind = 'passphrase'"),
			 1);
	assert_int_equal(query_int(db, "SELECT length(vault_id) FROM vault"), VAULT_ID_BYTES);
	struct vault *v = NULL;
	assert_int_equal(vault_unlock(db, "not the old passphrase", &v, &err), PD_ERR_WRONG_PASS);
	assert_int_equal(vault_unlock(db, pass, &v, &err), 0);
	char *plain = NULL;
	assert_int_equal(vault_open_secret(v, db, "stripe_key", "acct_1Old", &plain, NULL, &err), 0);
	assert_string_equal(plain, "rk_test_old1x");
	vault_secret_free(&plain);
	/* And the migrated vault takes desks. */
	unsigned char *desk = sodium_malloc(VAULT_DESK_KEY_BYTES);
	int64_t slot = 0;
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(vault_desk_add(v, db, "front", "Alex", desk, &slot, &err), 0);
	assert_int_equal(db_commit(db, &err), 0);
	vault_lock(&v);
	assert_int_equal(vault_unlock_desk(db, slot, desk, &v, &err), 0);
	vault_lock(&v);
	sodium_free(desk);
	sodium_memzero(data_key, sizeof data_key);
	sodium_memzero(kek, sizeof kek);
	db_close(&db);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

static int64_t told_records, told_seconds;
static int ticks;
static int64_t last_tick_ms;

static void notice(int from, int to, int64_t records, int64_t seconds)
{
	(void)from;
	(void)to;
	told_records = records;
	told_seconds = seconds;
}

static void tick(int64_t elapsed_ms)
{
	assert_true(elapsed_ms > last_tick_ms);
	last_tick_ms = elapsed_ms;
	ticks++;
}

/* An upgrade that copies the billing history says, while it runs, that it
 * still does (at 10M records it is minutes with nothing moving: a tester
 * could not tell it from a hang). */
static void test_a_long_upgrade_says_it_is_still_going(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "v38.db");
	struct pd_error err = {0};
	sqlite3 *raw = tu_schema_at(path, 38);
	assert_int_equal(sqlite3_exec(raw,
				      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				      "  WHERE i < 60000)"
				      "INSERT INTO history (stripe_id, type, created, amount, currency,"
				      "  status, charge_id, client_name, description, synced_at)"
				      "  SELECT printf('pi_%024d', i), 'payment', 1735689600 + i * 500, i,"
				      "  'usd', 'succeeded', printf('ch_%024d', i), 'Client ' || i,"
				      "  printf('%0100d', i), 1 FROM n;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	db_on_upgrade(notice);
	db_on_upgrade_tick(tick, 20);
	sqlite3 *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	db_on_upgrade(NULL);
	db_on_upgrade_tick(NULL, 0);
	assert_int_equal(told_records, 60000);
	assert_true(ticks >= 2);
	/* and no tick after it: the handler is gone */
	int before = ticks;
	assert_int_equal(query_int(db, "SELECT count(*) FROM history WHERE amount > 0"), 60000);
	assert_int_equal(ticks, before);
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_database),
		cmocka_unit_test(test_refuses_foreign_files),
		cmocka_unit_test(test_refuses_newer_schema),
		cmocka_unit_test(test_concurrent_first_open),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_audit_chain),
		cmocka_unit_test(test_audit_keyed),
		cmocka_unit_test(test_history_upgrade_in_place),
		cmocka_unit_test(test_a_long_upgrade_says_it_is_still_going),
		cmocka_unit_test(test_vault_upgrade_to_slots),
		cmocka_unit_test(test_charged_fee_upgrade),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
