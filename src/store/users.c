#include "paydesk/users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/kdf.h"
#include "paydesk/log.h"

#define LOCK_MAX_SECONDS 300

const char *user_role_name(enum user_role r)
{
	return r == ROLE_ADMIN ? "admin" : "staff";
}

int user_role_parse(const char *s, enum user_role *out)
{
	if (strcmp(s, "admin") == 0)
		*out = ROLE_ADMIN;
	else if (strcmp(s, "staff") == 0)
		*out = ROLE_STAFF;
	else
		return PD_ERR_USAGE;
	return PD_OK;
}

static int check_name(const char *name, struct pd_error *err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > USER_NAME_MAX)
		return pd_error_set(err, PD_ERR_USAGE, "a user name has 1 to %d characters",
				    USER_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return pd_error_set(err, PD_ERR_USAGE,
					    "a user name cannot contain control characters");
	}
	return PD_OK;
}

/* The 4-digit PINs people choose most (DataGenetics' study of 3.4 million
 * PINs): a guesser tries these first, so they buy almost nothing. */
static const char *const common_pins[] = {
	"1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969",
	"9999", "3333", "5555", "6666", "1122", "1313", "8888", "4321", "2001", "1010",
};

bool users_pin_is_trivial(const char *pin)
{
	size_t n = strlen(pin);
	if (n == 0)
		return true;
	bool digits = true, same = true, up = true, down = true, pairs = n >= 4;
	for (size_t i = 0; i < n; i++) {
		digits = digits && pin[i] >= '0' && pin[i] <= '9';
		if (i > 0) {
			same = same && pin[i] == pin[0];
			up = up && pin[i] == pin[i - 1] + 1;
			down = down && pin[i] == pin[i - 1] - 1;
		}
		if (i >= 2)
			pairs = pairs && pin[i] == pin[i - 2]; /* 1212, 6969, 101010 */
	}
	if (same)
		return true; /* 0000, 777777, "aaaa" */
	if (!digits)
		return false; /* a passphrase: its length is its strength */
	if (up || down || pairs)
		return true; /* 1234, 56789, 4321, 1313 */
	for (size_t i = 0; i < sizeof common_pins / sizeof *common_pins; i++)
		if (strcmp(pin, common_pins[i]) == 0)
			return true;
	return false;
}

static int check_pin(const char *pin, struct pd_error *err)
{
	if (!pin || strlen(pin) < USER_PIN_MIN)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a PIN has at least %d characters (digits, or a passphrase)",
				    USER_PIN_MIN);
	if (strlen(pin) > 1024)
		return pd_error_set(err, PD_ERR_USAGE, "that PIN is too long (1024 at most)");
	if (users_pin_is_trivial(pin))
		return pd_error_set(err, PD_ERR_USAGE, USER_PIN_TRIVIAL_MSG);
	return PD_OK;
}

/* Interactive limits: a PIN is typed at a shared desk many times a day. */
static int hash_pin(const char *pin, char out[crypto_pwhash_STRBYTES], struct pd_error *err)
{
	if (kdf_hash_str(out, pin, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			 crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return pd_error_set(err, PD_ERR, "not enough memory to hash the PIN");
	return PD_OK;
}

static void row_to_user(sqlite3_stmt *st, struct user *u)
{
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(st, 0);
	snprintf(u->name, sizeof u->name, "%s", (const char *)sqlite3_column_text(st, 1));
	u->role = strcmp((const char *)sqlite3_column_text(st, 2), "admin") == 0 ? ROLE_ADMIN
										 : ROLE_STAFF;
	u->disabled = sqlite3_column_int(st, 3) != 0;
	u->failed_attempts = sqlite3_column_int(st, 4);
	u->locked_until = sqlite3_column_int64(st, 5);
}

#define USER_COLUMNS "id, name, role, disabled, failed_attempts, locked_until"

int users_count(sqlite3 *db, int *count, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT count(*) FROM users", &st, err);
	if (rc)
		return rc;
	*count = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return PD_OK;
}

int users_add(sqlite3 *db, const char *name, enum user_role role, const char *pin,
	      struct pd_error *err)
{
	int rc = check_name(name, err);
	if (!rc)
		rc = check_pin(pin, err);
	char hash[crypto_pwhash_STRBYTES];
	if (!rc)
		rc = hash_pin(pin, hash, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	/* "sam" beside "Sam" (or "Zoe" beside "Zoë") would let one sign in as
	 * the other by a slip of the shift key. */
	rc = db_prepare(db, "SELECT name FROM users WHERE fold(name) = fold(?1)", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = pd_error_set(err, PD_ERR_EXISTS,
				  "there is already a user called %s: choose a name that differs by "
				  "more than case or accents",
				  (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc)
		return rc;
	rc = db_prepare(db,
			"INSERT INTO users (name, role, pin_hash, created_at, updated_at)"
			" VALUES (?, ?, ?, ?4, ?4)",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	int step = sqlite3_step(st);
	if (step == SQLITE_CONSTRAINT)
		rc = pd_error_set(err, PD_ERR_EXISTS, "there is already a user called %s", name);
	else if (step != SQLITE_DONE)
		rc = db_fail(db, "adding a user", err);
	sqlite3_finalize(st);
	return rc;
}

/* For db_read_one, which sees rows as void *. */
static int read_user(sqlite3_stmt *st, void *p)
{
	row_to_user(st, p);
	return 0;
}

/* The user a typed name means: the exact name, else the one name equal to
 * it once case and accents are folded ("sam" is Sam). users_add keeps
 * folded names unique, so only a database from before that can hold two. */
#define USER_BY_NAME                                                                     \
	" FROM users WHERE id = (SELECT id FROM users WHERE name = ?1 UNION ALL"       \
	" SELECT id FROM users WHERE fold(name) = fold(?1) AND"                         \
	" (SELECT count(*) FROM users WHERE fold(name) = fold(?1)) = 1 LIMIT 1)"

int users_get(sqlite3 *db, const char *name, struct user *out, struct pd_error *err)
{
	return db_read_one(db, "SELECT " USER_COLUMNS USER_BY_NAME, 0, name,
			   read_user, NULL, out, "reading users", err, "no user called %s", name);
}

int users_get_id(sqlite3 *db, int64_t id, struct user *out, struct pd_error *err)
{
	return db_read_one(db, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", id, NULL,
			   read_user, NULL, out, "reading users", err, "no user with id %lld",
			   (long long)id);
}

/* 5 s after the third failure in a row, doubling each time, at most 5 min:
 * a person who mistypes barely notices, a guesser gets ~20 tries an hour. */
static int64_t lock_seconds(int failures)
{
	if (failures < USER_FREE_ATTEMPTS)
		return 0;
	int64_t s = 5;
	for (int i = USER_FREE_ATTEMPTS; i < failures && s < LOCK_MAX_SECONDS; i++)
		s *= 2;
	return s < LOCK_MAX_SECONDS ? s : LOCK_MAX_SECONDS;
}

/* A failure is counted before the PIN is checked, in the same write
 * transaction that read the pause: N guesses at once count N (the slow
 * Argon2 check ran outside any lock, so parallel guesses all read the same
 * count and wrote 1). The right PIN clears the count afterwards. */
static int reserve_failure(sqlite3 *db, const char *name, struct user *u,
			   char hash[crypto_pwhash_STRBYTES], struct pd_error *err)
{
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	rc = db_prepare(db, "SELECT " USER_COLUMNS ", pin_hash" USER_BY_NAME, &st, err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_STATIC);
	u->id = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		row_to_user(st, u);
		snprintf(hash, crypto_pwhash_STRBYTES, "%s",
			 (const char *)sqlite3_column_text(st, 6));
	}
	sqlite3_finalize(st);
	int64_t now = (int64_t)time(NULL);
	if (!u->id) {
		/* Same words for an unknown name and a wrong PIN: names are not probed. */
		log_msg(LOG_WARN, "sign-in refused: unknown user");
		rc = pd_error_set(err, PD_ERR_WRONG_PASS, "wrong name or PIN");
	} else if (u->locked_until > now) {
		rc = pd_error_set(err, PD_ERR_LOCKED,
				  "too many wrong PINs: try again in %lld second%s",
				  (long long)(u->locked_until - now),
				  u->locked_until - now == 1 ? "" : "s");
	}
	if (rc) {
		db_rollback(db);
		return rc;
	}
	int failures = u->failed_attempts + 1;
	rc = db_prepare(db, "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?",
			&st, err);
	if (!rc) {
		sqlite3_bind_int(st, 1, failures);
		sqlite3_bind_int64(st, 2, lock_seconds(failures) ? now + lock_seconds(failures) : 0);
		sqlite3_bind_int64(st, 3, u->id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "counting a sign-in", err);
		sqlite3_finalize(st);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	u->failed_attempts = failures;
	return rc;
}

/* The reserved failure stands: log and audit it. */
static void note_failure(sqlite3 *db, const struct user *u, const char *why)
{
	struct pd_error err;
	char detail[128];
	snprintf(detail, sizeof detail, "sign-in refused (%s), %d failure%s in a row", why,
		 u->failed_attempts, u->failed_attempts == 1 ? "" : "s");
	struct audit_entry e = {.actor = u->name, .action = "user.sign_in_failed",
				.detail = detail};
	audit_append(db, &e, &err);
	log_msg(LOG_WARN, "user %s: %s", u->name, detail);
}

int users_sign_in(sqlite3 *db, const char *name, const char *pin, struct user *out,
		  struct pd_error *err)
{
	struct user u;
	char hash[crypto_pwhash_STRBYTES] = "";
	int rc = reserve_failure(db, name, &u, hash, err);
	if (rc)
		return rc;
	if (kdf_verify_str(hash, pin ? pin : "", pin ? strlen(pin) : 0) != 0) {
		note_failure(db, &u, "wrong PIN");
		return pd_error_set(err, PD_ERR_WRONG_PASS, "wrong name or PIN");
	}
	if (u.disabled) {
		note_failure(db, &u, "disabled");
		return pd_error_set(err, PD_ERR_WRONG_PASS,
				    "%s is disabled: ask an admin to enable the account", name);
	}
	sqlite3_stmt *st;
	rc = db_prepare(db, "UPDATE users SET failed_attempts = 0, locked_until = 0 WHERE id = ?",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, u.id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "clearing the sign-in count", err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	u.failed_attempts = 0;
	u.locked_until = 0;
	*out = u;
	return PD_OK;
}

static int update_one(sqlite3 *db, const char *sql, const char *name, const char *text,
		      int64_t number, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, number);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "updating a user", err);
	else if (sqlite3_changes(db) == 0)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND, "no user called %s", name);
	sqlite3_finalize(st);
	return rc;
}

int users_set_disabled(sqlite3 *db, const char *name, bool disabled, struct pd_error *err)
{
	return update_one(db, "UPDATE users SET disabled = ?, updated_at = ? WHERE name = ?",
			  name, NULL, disabled, err);
}

int users_reset_pin(sqlite3 *db, const char *name, const char *pin, struct pd_error *err)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc = check_pin(pin, err);
	if (!rc)
		rc = hash_pin(pin, hash, err);
	if (!rc)
		rc = update_one(db,
				"UPDATE users SET pin_hash = ?, failed_attempts = 0, locked_until = 0,"
				" updated_at = ? WHERE name = ?",
				name, hash, 0, err);
	return rc;
}

int users_each(sqlite3 *db, void (*fn)(void *ctx, const struct user *u), void *ctx,
	       struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT " USER_COLUMNS " FROM users ORDER BY name", &st, err);
	if (rc)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct user u;
		row_to_user(st, &u);
		fn(ctx, &u);
	}
	sqlite3_finalize(st);
	return PD_OK;
}
