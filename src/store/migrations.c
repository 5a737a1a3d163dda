#include "migrations.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "history_internal.h"
#include "paydesk/db.h"

/* Widen a CHECK of table in place, from the text `from` to `to`: SQLite's
 * documented way to loosen a constraint without rewriting a row (sqlite.org,
 * ALTER TABLE, "making other kinds of table schema changes"): edit the
 * table's CREATE text in sqlite_schema, bump schema_version so every other
 * connection re-reads it, and check that it reads back. Every existing row
 * passes the wider CHECK, so nothing on disk changes. what names the check
 * in messages ("the history table's type check"). */
static int widen_check(sqlite3 *db, const char *table, const char *from, const char *to,
		       const char *what, struct pd_error *err)
{
	sqlite3_stmt *st;
	int64_t version = 0;
	int rc = db_int(db, "PRAGMA schema_version", &version, err);
	if (rc || (rc = db_exec(db, "PRAGMA writable_schema = ON", err)))
		return rc;
	rc = db_prepare(db,
			"UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2)"
			" WHERE type = 'table' AND name = ?3 AND instr(sql, ?1) > 0",
			&st, err);
	int changed = 0;
	if (!rc) {
		sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, table, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, "widening a check", err);
		changed = sqlite3_changes(db);
		sqlite3_finalize(st);
	}
	char bump[64];
	snprintf(bump, sizeof bump, "PRAGMA schema_version = %" PRId64, version + 1);
	if (!rc && changed != 1)
		rc = pd_error_set(err, PD_ERR_SCHEMA,
				  "%s is not the one paydesk made: run paydesk doctor", what);
	if (!rc)
		rc = db_exec(db, bump, err);
	int off = db_exec(db, "PRAGMA writable_schema = OFF", err);
	if (rc)
		return rc;
	if (off)
		return off;
	/* The edited text must parse: read it back through the new schema. */
	if ((rc = db_prepare(db, "SELECT sql FROM sqlite_schema WHERE name = ?1 AND instr(sql, ?2) > 0",
			     &st, err)))
		return rc;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	bool ok = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return ok ? PD_OK : pd_error_set(err, PD_ERR_SCHEMA, "widening %s failed", what);
}

/* Migration 10: history takes desk records (cash, cheque, ...). */
static int widen_history_types(sqlite3 *db, struct pd_error *err)
{
	return widen_check(db, "history", "CHECK (type IN ('payment', 'refund', 'invoice'))",
			   "CHECK (type IN ('payment', 'refund', 'invoice', 'desk', 'desk_refund'))",
			   "the history table's type check", err);
}

/* Migration 21: appointment_payments takes the tenders 'package' and
 * 'credit' (an appointment paid from a client's package or prepaid credit),
 * by prefixing the method list, so a list another migration widened before
 * this one is kept as it is. */
static int widen_payment_methods(sqlite3 *db, struct pd_error *err)
{
	return widen_check(db, "appointment_payments", "CHECK (method IN ('card', 'link', 'reader',",
			   "CHECK (method IN ('package', 'credit', 'card', 'link', 'reader',",
			   "the payments table's method check", err);
}

const struct migration store_migrations[] = {
	{1, "settings, vault, stripe account, audit log",
	 "CREATE TABLE settings ("
	 "  key TEXT PRIMARY KEY,"
	 "  value TEXT NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 /* One vault per database: the Argon2id parameters and the wrapped data key. */
	 "CREATE TABLE vault ("
	 "  id INTEGER PRIMARY KEY CHECK (id = 1),"
	 "  format INTEGER NOT NULL,"
	 "  kdf_salt BLOB NOT NULL,"
	 "  kdf_opslimit INTEGER NOT NULL,"
	 "  kdf_memlimit INTEGER NOT NULL,"
	 "  wrap_nonce BLOB NOT NULL,"
	 "  wrapped_key BLOB NOT NULL,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 /* Secrets sealed under the data key; (name, account) is the associated data. */
	 "CREATE TABLE vault_secret ("
	 "  name TEXT NOT NULL,"
	 "  account TEXT NOT NULL DEFAULT '',"
	 "  nonce BLOB NOT NULL,"
	 "  ciphertext BLOB NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 "  PRIMARY KEY (name, account)"
	 ");"
	 "CREATE TABLE stripe_account ("
	 "  id INTEGER PRIMARY KEY CHECK (id = 1),"
	 "  account_id TEXT NOT NULL,"
	 "  publishable_key TEXT,"
	 "  mode TEXT NOT NULL CHECK (mode IN ('test', 'live')),"
	 "  display_name TEXT,"
	 "  connected_account TEXT,"
	 "  key_hint TEXT,"
	 "  verified_at INTEGER,"
	 "  details TEXT,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 /* Append-only; each row carries the hash of the one before it. */
	 "CREATE TABLE audit_log ("
	 "  id INTEGER PRIMARY KEY,"
	 "  at INTEGER NOT NULL,"
	 "  actor TEXT NOT NULL,"
	 "  action TEXT NOT NULL,"
	 "  detail TEXT NOT NULL DEFAULT '',"
	 "  amount INTEGER,"
	 "  currency TEXT,"
	 "  object_id TEXT,"
	 "  prev_hash BLOB NOT NULL,"
	 "  hash BLOB NOT NULL"
	 ");"
	 "CREATE INDEX audit_log_at ON audit_log(at);", NULL},
	{2, "outbox of money-moving Stripe calls",
	 /* Written before a call is sent and after it is answered, so a crash or a
	  * lost answer leaves a row that start-up re-sends with the same key. */
	 "CREATE TABLE outbox ("
	 "  id INTEGER PRIMARY KEY,"
	 "  idempotency_key TEXT NOT NULL UNIQUE,"
	 "  method TEXT NOT NULL CHECK (method IN ('POST', 'DELETE')),"
	 "  path TEXT NOT NULL,"
	 "  params TEXT NOT NULL DEFAULT '',"
	 "  stripe_account TEXT,"
	 "  state TEXT NOT NULL DEFAULT 'pending'"
	 "    CHECK (state IN ('pending', 'sent', 'done', 'failed', 'unknown')),"
	 "  attempts INTEGER NOT NULL DEFAULT 0,"
	 "  http_status INTEGER,"
	 "  request_id TEXT,"
	 "  object_id TEXT,"
	 "  object_status TEXT,"
	 "  error_type TEXT,"
	 "  error_code TEXT,"
	 "  decline_code TEXT,"
	 "  error_message TEXT,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX outbox_unresolved ON outbox(id) WHERE state IN ('pending', 'sent', 'unknown');"
	 "CREATE INDEX outbox_object ON outbox(object_id);", NULL},
	{3, "billing history, review marks, sync state",
	 /* One row per money record; balance-transaction fee/net folded in. The raw
	  * JSON lives in history_raw so list and total scans stay on small rows. */
	 "CREATE TABLE history ("
	 "  id INTEGER PRIMARY KEY,"
	 "  stripe_id TEXT NOT NULL UNIQUE,"
	 "  type TEXT NOT NULL CHECK (type IN ('payment', 'refund', 'invoice')),"
	 "  created INTEGER NOT NULL,"
	 "  amount INTEGER NOT NULL,"
	 "  currency TEXT NOT NULL,"
	 "  status TEXT NOT NULL,"
	 "  customer_id TEXT,"
	 "  client_name TEXT,"
	 "  email TEXT,"
	 "  description TEXT,"
	 "  card_brand TEXT,"
	 "  card_last4 TEXT,"
	 "  fee INTEGER,"
	 "  net INTEGER,"
	 "  amount_refunded INTEGER NOT NULL DEFAULT 0,"
	 "  charge_id TEXT,"
	 "  payment_intent TEXT,"
	 "  invoice_id TEXT,"
	 "  subscription_id TEXT,"
	 "  appointment_id TEXT,"
	 "  balance_txn TEXT,"
	 "  payment_method TEXT,"
	 "  disputed INTEGER NOT NULL DEFAULT 0,"
	 "  livemode INTEGER NOT NULL DEFAULT 0,"
	 "  succeeded_at INTEGER,"
	 "  request_id TEXT,"
	 "  synced_at INTEGER NOT NULL"
	 ");"
	 /* Keyset paging: (sort key, rowid) everywhere; OFFSET is never used. */
	 "CREATE INDEX history_created ON history(created, id);"
	 "CREATE INDEX history_amount ON history(amount, id);"
	 "CREATE INDEX history_status ON history(status, created, id);"
	 "CREATE INDEX history_currency ON history(currency, created, id);"
	 "CREATE INDEX history_customer ON history(customer_id, created) WHERE customer_id IS NOT NULL;"
	 "CREATE INDEX history_charge ON history(charge_id) WHERE charge_id IS NOT NULL;"
	 "CREATE INDEX history_refunds_of ON history(payment_intent) WHERE type = 'refund';"
	 "CREATE INDEX history_subscription ON history(subscription_id)"
	 "  WHERE subscription_id IS NOT NULL;"
	 "CREATE TABLE history_raw (id INTEGER PRIMARY KEY, json TEXT NOT NULL);"
	 /* Balance transactions as fetched, so fee/net reach a row whichever comes first. */
	 "CREATE TABLE history_balance ("
	 "  id TEXT PRIMARY KEY,"
	 "  source TEXT,"
	 "  type TEXT,"
	 "  amount INTEGER,"
	 "  fee INTEGER,"
	 "  net INTEGER,"
	 "  currency TEXT,"
	 "  status TEXT,"
	 "  created INTEGER"
	 ");"
	 "CREATE INDEX history_balance_source ON history_balance(source);"
	 /* Full-text search over words people type (contentless: the triggers feed it the
	  * old values to delete). Stripe ids are found through the b-tree indexes instead:
	  * random ids would add ~5 unique terms per record to the FTS index. */
	 "CREATE VIRTUAL TABLE history_fts USING fts5(client_name, email, description,"
	 "  content='', tokenize='unicode61 remove_diacritics 2');"
	 /* Daily roll-up (UTC days) for totals over date/status/type/currency filters. */
	 "CREATE TABLE history_day ("
	 "  day INTEGER NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,"
	 "  n INTEGER NOT NULL, amount INTEGER NOT NULL, fee INTEGER NOT NULL, net INTEGER NOT NULL,"
	 "  PRIMARY KEY (day, type, status, currency)"
	 ") WITHOUT ROWID;"
	 /* ...and by UTC month (year * 12 + month - 1), so "all time" adds up ~1000 rows. */
	 "CREATE TABLE history_month ("
	 "  month INTEGER NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,"
	 "  n INTEGER NOT NULL, amount INTEGER NOT NULL, fee INTEGER NOT NULL, net INTEGER NOT NULL,"
	 "  PRIMARY KEY (month, type, status, currency)"
	 ") WITHOUT ROWID;"
	 /* history_fts is written by the ingest, one statement per page: FTS5 flushes its
	  * pending terms at every statement savepoint, so a per-row trigger costs dearly.
	  * Deleting a record (rare) still clears its terms here. */
	 "CREATE TRIGGER history_ai AFTER INSERT ON history BEGIN"
	 "  INSERT INTO history_day VALUES (new.created / 86400, new.type, new.status, new.currency,"
	 "    1, new.amount, ifnull(new.fee, 0), ifnull(new.net, 0))"
	 "    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,"
	 "    fee = fee + excluded.fee, net = net + excluded.net;"
	 "  INSERT INTO history_month VALUES (CAST(strftime('%Y', new.created, 'unixepoch') AS INTEGER) * 12"
	 "    + CAST(strftime('%m', new.created, 'unixepoch') AS INTEGER) - 1, new.type, new.status, new.currency,"
	 "    1, new.amount, ifnull(new.fee, 0), ifnull(new.net, 0))"
	 "    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,"
	 "    fee = fee + excluded.fee, net = net + excluded.net;"
	 "END;"
	 "CREATE TRIGGER history_au_day AFTER UPDATE OF created, type, status, currency, amount, fee,"
	 "  net ON history"
	 "  WHEN old.created / 86400 IS NOT new.created / 86400 OR old.type IS NOT new.type"
	 "    OR old.status IS NOT new.status OR old.currency IS NOT new.currency"
	 "    OR old.amount IS NOT new.amount OR old.fee IS NOT new.fee OR old.net IS NOT new.net BEGIN"
	 "  UPDATE history_day SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE day = old.created / 86400 AND type = old.type AND status = old.status"
	 "    AND currency = old.currency;"
	 "  UPDATE history_month SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE month = CAST(strftime('%Y', old.created, 'unixepoch') AS INTEGER) * 12"
	 "    + CAST(strftime('%m', old.created, 'unixepoch') AS INTEGER) - 1 AND type = old.type"
	 "    AND status = old.status AND currency = old.currency;"
	 "  INSERT INTO history_day VALUES (new.created / 86400, new.type, new.status, new.currency,"
	 "    1, new.amount, ifnull(new.fee, 0), ifnull(new.net, 0))"
	 "    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,"
	 "    fee = fee + excluded.fee, net = net + excluded.net;"
	 "  INSERT INTO history_month VALUES (CAST(strftime('%Y', new.created, 'unixepoch') AS INTEGER) * 12"
	 "    + CAST(strftime('%m', new.created, 'unixepoch') AS INTEGER) - 1, new.type, new.status, new.currency,"
	 "    1, new.amount, ifnull(new.fee, 0), ifnull(new.net, 0))"
	 "    ON CONFLICT DO UPDATE SET n = n + 1, amount = amount + excluded.amount,"
	 "    fee = fee + excluded.fee, net = net + excluded.net;"
	 "END;"
	 "CREATE TRIGGER history_ad AFTER DELETE ON history BEGIN"
	 "  INSERT INTO history_fts (history_fts, rowid, client_name, email, description)"
	 "    VALUES ('delete', old.id, old.client_name, old.email, old.description);"
	 "  UPDATE history_day SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE day = old.created / 86400 AND type = old.type AND status = old.status"
	 "    AND currency = old.currency;"
	 "  UPDATE history_month SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE month = CAST(strftime('%Y', old.created, 'unixepoch') AS INTEGER) * 12"
	 "    + CAST(strftime('%m', old.created, 'unixepoch') AS INTEGER) - 1 AND type = old.type"
	 "    AND status = old.status AND currency = old.currency;"
	 "  DELETE FROM history_raw WHERE id = old.id;"
	 "END;"
	 /* Review marks by Stripe id, apart from history: a re-sync never touches them. */
	 "CREATE TABLE reviews ("
	 "  stripe_id TEXT PRIMARY KEY,"
	 "  reviewed INTEGER NOT NULL DEFAULT 0,"
	 "  reviewed_by TEXT,"
	 "  reviewed_at INTEGER,"
	 "  flagged INTEGER NOT NULL DEFAULT 0,"
	 "  flagged_by TEXT,"
	 "  flagged_at INTEGER,"
	 "  note TEXT,"
	 "  note_by TEXT,"
	 "  note_at INTEGER"
	 ");"
	 /* Per object type: the created cursor of incremental syncs, the page an
	  * interrupted pass resumes after, the newest event seen, the last full pass. */
	 "CREATE TABLE sync_state ("
	 "  object TEXT PRIMARY KEY,"
	 "  cursor TEXT,"
	 "  resume_after TEXT,"
	 "  last_synced_at INTEGER"
	 ");", NULL},
	{4, "clients, services, staff, appointments",
	 /* version: optimistic concurrency; an UPDATE names the version it read. */
	 "CREATE TABLE clients ("
	 "  id INTEGER PRIMARY KEY,"
	 "  name TEXT NOT NULL CHECK (length(name) > 0),"
	 "  email TEXT NOT NULL DEFAULT '',"
	 "  phone TEXT NOT NULL DEFAULT '',"
	 "  notes TEXT NOT NULL DEFAULT '',"
	 "  bill_with_stripe INTEGER NOT NULL DEFAULT 0 CHECK (bill_with_stripe IN (0, 1)),"
	 "  stripe_customer_id TEXT,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 "  version INTEGER NOT NULL DEFAULT 1"
	 ");"
	 "CREATE UNIQUE INDEX clients_email ON clients(lower(email)) WHERE email <> '';"
	 "CREATE INDEX clients_name ON clients(name COLLATE NOCASE);"
	 "CREATE INDEX clients_customer ON clients(stripe_customer_id)"
	 "  WHERE stripe_customer_id IS NOT NULL;"
	 "CREATE TABLE services ("
	 "  id INTEGER PRIMARY KEY,"
	 "  name TEXT NOT NULL CHECK (length(name) > 0),"
	 "  duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 720),"
	 "  price INTEGER NOT NULL CHECK (price >= 0),"
	 "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
	 "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 "  version INTEGER NOT NULL DEFAULT 1"
	 ");"
	 /* hours: seven 'HH:MM-HH:MM' or '-' tokens, Monday first, local time. */
	 "CREATE TABLE staff ("
	 "  id INTEGER PRIMARY KEY,"
	 "  name TEXT NOT NULL CHECK (length(name) > 0),"
	 "  hours TEXT NOT NULL,"
	 "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 "  version INTEGER NOT NULL DEFAULT 1"
	 ");"
	 "CREATE UNIQUE INDEX staff_name ON staff(name COLLATE NOCASE);"
	 /* Times are UTC unix seconds; amount/currency copied from the service at booking. */
	 "CREATE TABLE appointments ("
	 "  id INTEGER PRIMARY KEY,"
	 "  client_id INTEGER NOT NULL REFERENCES clients(id),"
	 "  service_id INTEGER NOT NULL REFERENCES services(id),"
	 "  staff_id INTEGER NOT NULL REFERENCES staff(id),"
	 "  starts_at INTEGER NOT NULL,"
	 "  ends_at INTEGER NOT NULL,"
	 "  state TEXT NOT NULL DEFAULT 'booked' CHECK (state IN ('booked', 'awaiting_payment',"
	 "    'confirmed', 'completed', 'cancelled', 'no_show')),"
	 "  payment_state TEXT NOT NULL DEFAULT 'none' CHECK (payment_state IN ('none', 'pending',"
	 "    'paid', 'partially_refunded', 'refunded', 'failed')),"
	 "  amount INTEGER NOT NULL CHECK (amount >= 0),"
	 "  currency TEXT NOT NULL,"
	 "  deposit INTEGER NOT NULL DEFAULT 0 CHECK (deposit >= 0),"
	 "  notes TEXT NOT NULL DEFAULT '',"
	 "  payment_intent_id TEXT,"
	 "  checkout_session_id TEXT,"
	 "  last_request_id TEXT,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 "  version INTEGER NOT NULL DEFAULT 1,"
	 "  CHECK (ends_at > starts_at)"
	 ");"
	 "CREATE INDEX appointments_staff_time ON appointments(staff_id, starts_at);"
	 "CREATE INDEX appointments_time ON appointments(starts_at);"
	 "CREATE INDEX appointments_client ON appointments(client_id, starts_at);"
	 "CREATE INDEX appointments_payment_intent ON appointments(payment_intent_id)"
	 "  WHERE payment_intent_id IS NOT NULL;", NULL},
	{5, "users and roles",
	 /* PINs only as crypto_pwhash_str hashes; failures slow the next try. */
	 "CREATE TABLE users ("
	 "  id INTEGER PRIMARY KEY,"
	 "  name TEXT NOT NULL UNIQUE,"
	 "  role TEXT NOT NULL CHECK (role IN ('admin', 'staff')),"
	 "  pin_hash TEXT NOT NULL,"
	 "  disabled INTEGER NOT NULL DEFAULT 0,"
	 "  failed_attempts INTEGER NOT NULL DEFAULT 0,"
	 "  locked_until INTEGER NOT NULL DEFAULT 0,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");", NULL},
	{6, "appointment payments, saved cards",
	 /* One row per collection attempt (card on file, pay link, reader) of an
	  * appointment; refunds add to `refunded`. Stripe ids and the last Request-Id
	  * are kept so Stripe's dashboard can be searched from here. */
	 "CREATE TABLE appointment_payments ("
	 "  id INTEGER PRIMARY KEY,"
	 "  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	 "  method TEXT NOT NULL CHECK (method IN ('card', 'link', 'reader')),"
	 "  status TEXT NOT NULL CHECK (status IN ('starting', 'open', 'succeeded', 'failed',"
	 "    'expired', 'cancelled', 'unknown')),"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  currency TEXT NOT NULL,"
	 "  refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),"
	 "  payment_intent_id TEXT,"
	 "  checkout_session_id TEXT,"
	 "  reader_id TEXT,"
	 "  url TEXT,"
	 "  expires_at INTEGER,"
	 "  message TEXT NOT NULL DEFAULT '',"
	 "  request_id TEXT,"
	 "  actor TEXT NOT NULL,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX appointment_payments_appt ON appointment_payments(appointment_id, id);"
	 /* Save-a-card links (Checkout in setup mode) per client. */
	 "CREATE TABLE card_setups ("
	 "  id INTEGER PRIMARY KEY,"
	 "  client_id INTEGER NOT NULL REFERENCES clients(id),"
	 "  checkout_session_id TEXT NOT NULL,"
	 "  url TEXT NOT NULL,"
	 "  status TEXT NOT NULL CHECK (status IN ('open', 'complete', 'expired')),"
	 "  payment_method_id TEXT,"
	 "  expires_at INTEGER,"
	 "  actor TEXT NOT NULL,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX card_setups_client ON card_setups(client_id, id);"
	 /* The client's saved cards as Stripe last listed them (display only). */
	 "CREATE TABLE client_cards ("
	 "  client_id INTEGER NOT NULL REFERENCES clients(id),"
	 "  payment_method_id TEXT NOT NULL,"
	 "  brand TEXT NOT NULL,"
	 "  last4 TEXT NOT NULL,"
	 "  exp_month INTEGER NOT NULL,"
	 "  exp_year INTEGER NOT NULL,"
	 "  position INTEGER NOT NULL,"
	 "  fetched_at INTEGER NOT NULL,"
	 "  PRIMARY KEY (client_id, payment_method_id)"
	 ");", NULL},
	{7, "subscription plans and client subscriptions (cache of Stripe)",
	 /* A plan: a Stripe product and its current recurring price. */
	 "CREATE TABLE plans ("
	 "  id INTEGER PRIMARY KEY,"
	 "  product_id TEXT NOT NULL UNIQUE,"
	 "  price_id TEXT,"
	 "  name TEXT NOT NULL,"
	 "  description TEXT NOT NULL DEFAULT '',"
	 "  features TEXT NOT NULL DEFAULT '',"
	 "  limits TEXT NOT NULL DEFAULT '',"
	 "  amount INTEGER NOT NULL DEFAULT 0,"
	 "  currency TEXT NOT NULL DEFAULT '',"
	 "  interval TEXT NOT NULL DEFAULT 'month'"
	 "    CHECK (interval IN ('day', 'week', 'month', 'year')),"
	 "  interval_count INTEGER NOT NULL DEFAULT 1,"
	 "  active INTEGER NOT NULL DEFAULT 1,"
	 "  synced_at INTEGER NOT NULL,"
	 "  version INTEGER NOT NULL DEFAULT 1"
	 ");"
	 /* A client's subscription as Stripe last said (plus its latest invoice). */
	 "CREATE TABLE subscriptions ("
	 "  id INTEGER PRIMARY KEY,"
	 "  stripe_id TEXT NOT NULL UNIQUE,"
	 "  client_id INTEGER REFERENCES clients(id),"
	 "  customer_id TEXT NOT NULL,"
	 "  product_id TEXT NOT NULL DEFAULT '',"
	 "  price_id TEXT NOT NULL DEFAULT '',"
	 "  item_id TEXT NOT NULL DEFAULT '',"
	 "  status TEXT NOT NULL,"
	 "  quantity INTEGER NOT NULL DEFAULT 1,"
	 "  amount INTEGER NOT NULL DEFAULT 0,"
	 "  currency TEXT NOT NULL DEFAULT '',"
	 "  interval TEXT NOT NULL DEFAULT '',"
	 "  interval_count INTEGER NOT NULL DEFAULT 1,"
	 "  collection TEXT NOT NULL DEFAULT 'charge_automatically',"
	 "  current_period_end INTEGER NOT NULL DEFAULT 0,"
	 "  trial_end INTEGER NOT NULL DEFAULT 0,"
	 "  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,"
	 "  cancel_at INTEGER NOT NULL DEFAULT 0,"
	 "  canceled_at INTEGER NOT NULL DEFAULT 0,"
	 "  paused INTEGER NOT NULL DEFAULT 0,"
	 "  invoice_id TEXT NOT NULL DEFAULT '',"
	 "  invoice_status TEXT NOT NULL DEFAULT '',"
	 "  invoice_attempts INTEGER NOT NULL DEFAULT 0,"
	 "  invoice_amount INTEGER NOT NULL DEFAULT 0,"
	 "  payment_status TEXT NOT NULL DEFAULT '',"
	 "  last_failure TEXT NOT NULL DEFAULT '',"
	 "  created INTEGER NOT NULL DEFAULT 0,"
	 "  synced_at INTEGER NOT NULL,"
	 "  version INTEGER NOT NULL DEFAULT 1"
	 ");"
	 "CREATE INDEX subscriptions_client ON subscriptions(client_id);"
	 "CREATE INDEX subscriptions_status ON subscriptions(status, current_period_end);", NULL},
	{8, "history: Stripe customers for names, roll-ups by the ingest, no raw JSON",
	 /* Names and emails of Stripe customers fetched by the history sync, for
	  * records whose customer came as a bare id and is not a local client. */
	 "CREATE TABLE history_customers ("
	 "  id TEXT PRIMARY KEY,"
	 "  name TEXT,"
	 "  email TEXT,"
	 "  created INTEGER NOT NULL DEFAULT 0"
	 ") WITHOUT ROWID;"
	 /* The ingest adds its new rows to history_day/history_month a page at a
	  * time (one statement instead of two upserts per row: a sync of a
	  * million records spent a seventh of its time here). Updates and
	  * deletes keep their triggers. */
	 "DROP TRIGGER history_ai;"
	 /* Whole Stripe objects are no longer kept: nothing read them, and
	  * serialising and writing ~1.4 KB a record was a third of a sync's
	  * ingest. The typed columns hold what is shown, filtered and exported;
	  * the rest is one GET away by Stripe id. */
	 "DROP TRIGGER history_ad;"
	 "DROP TABLE history_raw;"
	 "CREATE TRIGGER history_ad AFTER DELETE ON history BEGIN"
	 "  INSERT INTO history_fts (history_fts, rowid, client_name, email, description)"
	 "    VALUES ('delete', old.id, old.client_name, old.email, old.description);"
	 "  UPDATE history_day SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE day = old.created / 86400 AND type = old.type AND status = old.status"
	 "    AND currency = old.currency;"
	 "  UPDATE history_month SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE month = CAST(strftime('%Y', old.created, 'unixepoch') AS INTEGER) * 12"
	 "    + CAST(strftime('%m', old.created, 'unixepoch') AS INTEGER) - 1 AND type = old.type"
	 "    AND status = old.status AND currency = old.currency;"
	 "END;", NULL},
	{9, "staff refund limits per currency, staff refunds counted against them",
	 /* What staff may refund, one row per currency: of one payment, and in a
	  * day per staff user (NULL: no daily limit). A currency without a row
	  * is one staff cannot refund in. */
	 "CREATE TABLE refund_limits ("
	 "  currency TEXT PRIMARY KEY,"
	 "  per_payment INTEGER NOT NULL CHECK (per_payment >= 0),"
	 "  per_day INTEGER CHECK (per_day >= 0),"
	 "  set_by TEXT NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 /* The single limit before this ("5000 usd" in settings, one refund of
	  * at most that, in that currency only) becomes that currency's limit a
	  * payment, with no daily limit until an admin sets one. */
	 "INSERT INTO refund_limits (currency, per_payment, per_day, set_by, updated_at)"
	 "  SELECT lower(trim(substr(value, instr(value, ' ') + 1))),"
	 "         CAST(substr(value, 1, instr(value, ' ') - 1) AS INTEGER), NULL,"
	 "         'schema 9', updated_at"
	 "  FROM settings WHERE key = 'staff_refund_limit' AND instr(value, ' ') > 1"
	 "    AND length(trim(substr(value, instr(value, ' ') + 1))) = 3"
	 "    AND CAST(substr(value, 1, instr(value, ' ') - 1) AS INTEGER) >= 0;"
	 "DELETE FROM settings WHERE key = 'staff_refund_limit';"
	 /* Every staff refund, reserved in the transaction that checked the
	  * limits and before it is sent: 'pending' until Stripe's answer
	  * (unknown outcomes stay pending and keep counting), then 'made' or
	  * 'released' (Stripe refused it, or it was never sent). */
	 "CREATE TABLE staff_refunds ("
	 "  id INTEGER PRIMARY KEY,"
	 "  user_id INTEGER NOT NULL,"
	 "  user_name TEXT NOT NULL,"
	 "  payment TEXT NOT NULL,"
	 "  currency TEXT NOT NULL,"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  day TEXT NOT NULL,"
	 "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'made', 'released')),"
	 "  created_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX staff_refunds_payment ON staff_refunds(payment);"
	 "CREATE INDEX staff_refunds_day ON staff_refunds(user_id, day, currency);", NULL},
	{10, "desk tenders: cash, cheque, gift voucher, external card machine",
	 /* Money taken at the desk without Stripe. appointment_payments (small:
	  * a row per collection attempt) is rebuilt with the wider method CHECK
	  * and a note; history's type CHECK is widened in place (below). */
	 "CREATE TABLE appointment_payments_new ("
	 "  id INTEGER PRIMARY KEY,"
	 "  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	 "  method TEXT NOT NULL CHECK (method IN ('card', 'link', 'reader', 'cash', 'cheque',"
	 "    'voucher', 'terminal')),"
	 "  status TEXT NOT NULL CHECK (status IN ('starting', 'open', 'succeeded', 'failed',"
	 "    'expired', 'cancelled', 'unknown')),"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  currency TEXT NOT NULL,"
	 "  refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),"
	 "  payment_intent_id TEXT,"
	 "  checkout_session_id TEXT,"
	 "  reader_id TEXT,"
	 "  url TEXT,"
	 "  expires_at INTEGER,"
	 "  message TEXT NOT NULL DEFAULT '',"
	 "  request_id TEXT,"
	 "  actor TEXT NOT NULL,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 /* what the desk typed: cheque number, voucher code, terminal slip */
	 "  note TEXT NOT NULL DEFAULT ''"
	 ");"
	 "INSERT INTO appointment_payments_new (id, appointment_id, method, status, amount, currency,"
	 "  refunded, payment_intent_id, checkout_session_id, reader_id, url, expires_at, message,"
	 "  request_id, actor, created_at, updated_at)"
	 "  SELECT id, appointment_id, method, status, amount, currency, refunded,"
	 "  payment_intent_id, checkout_session_id, reader_id, url, expires_at, message,"
	 "  request_id, actor, created_at, updated_at FROM appointment_payments;"
	 "DROP TABLE appointment_payments;"
	 "ALTER TABLE appointment_payments_new RENAME TO appointment_payments;"
	 "CREATE INDEX appointment_payments_appt ON appointment_payments(appointment_id, id);"
	 /* history: types desk (a desk tender taken; the tender in payment_method)
	  * and desk_refund (money handed back at the desk): its CHECK is widened
	  * in place by widen_history_types below, not by copying the table (a
	  * million records took 62-67 s and left 370 MB of free pages). */
	 /* the day's desk takings by tender without reading the day's Stripe rows */
	 "CREATE INDEX history_desk ON history(created) WHERE type IN ('desk', 'desk_refund');",
	 widen_history_types},
	{11, "keyed audit log: a MAC per entry and a MAC'd head",
	 /* mac: BLAKE2b keyed with the vault's audit key (NULL: written while the
	  * vault was locked, or before keyed audit); keyed: 1 when the MAC was
	  * made with the entry, 0 when it was added later. Rows that exist
	  * now are the pre-key part: store/audit.c explains. */
	 "ALTER TABLE audit_log ADD COLUMN mac BLOB;"
	 "ALTER TABLE audit_log ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;"
	 /* The anchor: how many entries are sealed and the last MAC, itself
	  * MAC'd, updated in the transaction of each keyed append. */
	 "CREATE TABLE audit_head ("
	 "  id INTEGER PRIMARY KEY CHECK (id = 1),"
	 "  epoch_start INTEGER NOT NULL,"
	 "  count INTEGER NOT NULL,"
	 "  last_mac BLOB NOT NULL,"
	 "  tag BLOB NOT NULL"
	 ");", NULL},
	{12, "appointments: the state left at the last cancel / complete / no-show, for undo",
	 /* prev_state is NULL when there is nothing to undo; state_changed_at
	  * (UTC) lets the desk undo only a change made today, local time. */
	 "ALTER TABLE appointments ADD COLUMN prev_state TEXT;"
	 "ALTER TABLE appointments ADD COLUMN state_changed_at INTEGER NOT NULL DEFAULT 0;", NULL},
	{13, "vault key slots: the admin passphrase and enrolled desks each wrap the data key",
	 /* One row per way in: kind 'passphrase' (exactly one: Argon2id
	  * parameters, the recovery path) or 'desk' (a random desk key kept in a
	  * file on that host; no KDF). AUTOINCREMENT: a revoked desk's slot id
	  * is never reused, so its stale key file reads as revoked. */
	 "CREATE TABLE vault_slot ("
	 "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 "  kind TEXT NOT NULL CHECK (kind IN ('passphrase', 'desk')),"
	 "  name TEXT NOT NULL UNIQUE,"
	 "  kdf_salt BLOB,"
	 "  kdf_opslimit INTEGER,"
	 "  kdf_memlimit INTEGER,"
	 "  wrap_nonce BLOB NOT NULL,"
	 "  wrapped_key BLOB NOT NULL,"
	 "  created_at INTEGER NOT NULL,"
	 "  created_by TEXT NOT NULL,"
	 "  last_used_at INTEGER,"
	 "  updated_at INTEGER NOT NULL,"
	 "  CHECK ((kind = 'passphrase') = (kdf_salt IS NOT NULL))"
	 ");"
	 "CREATE UNIQUE INDEX vault_slot_one_passphrase ON vault_slot(kind)"
	 "  WHERE kind = 'passphrase';"
	 /* The vault keeps its format and a random id that desk key files name,
	  * so a file for another database is recognised and not tried. */
	 "CREATE TABLE vault_new ("
	 "  id INTEGER PRIMARY KEY CHECK (id = 1),"
	 "  format INTEGER NOT NULL,"
	 "  vault_id BLOB NOT NULL,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 /* The existing passphrase wrap moves as it is into the passphrase slot. */
	 "INSERT INTO vault_slot (kind, name, kdf_salt, kdf_opslimit, kdf_memlimit, wrap_nonce,"
	 "  wrapped_key, created_at, created_by, updated_at)"
	 "  SELECT 'passphrase', 'passphrase', kdf_salt, kdf_opslimit, kdf_memlimit, wrap_nonce,"
	 "  wrapped_key, created_at, 'vault passphrase', updated_at FROM vault;"
	 "INSERT INTO vault_new (id, format, vault_id, created_at, updated_at)"
	 "  SELECT id, format, randomblob(16), created_at, updated_at FROM vault;"
	 "DROP TABLE vault;"
	 "ALTER TABLE vault_new RENAME TO vault;", NULL},
	{15, "card readers: the display copy of Stripe's list",
	 /* What GET /v1/terminal/readers last gave, for the Setup tab (Stripe
	  * stays the truth; which reader a desk uses is in settings,
	  * terminal_reader.<desk>). position -1 only marks when it was listed. */
	 "CREATE TABLE terminal_readers ("
	 "  position INTEGER PRIMARY KEY,"
	 "  id TEXT NOT NULL,"
	 "  label TEXT NOT NULL,"
	 "  status TEXT NOT NULL,"
	 "  device_type TEXT NOT NULL,"
	 "  location TEXT NOT NULL,"
	 "  listed_at INTEGER NOT NULL"
	 ");", NULL},
	{16, "saved-card charges queued while Stripe was unreachable",
	 /* A promise, not a payment: nothing was sent. It leaves 'queued' once:
	  * 'sent' in the transaction that starts its payment attempt
	  * (payment_row), or 'dropped' with a reason. One queued at a time per
	  * appointment. */
	 "CREATE TABLE queued_charges ("
	 "  id INTEGER PRIMARY KEY,"
	 "  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	 "  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'dropped')),"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  currency TEXT NOT NULL,"
	 "  payment_method_id TEXT NOT NULL DEFAULT '',"
	 "  card TEXT NOT NULL DEFAULT '',"
	 "  queued_by TEXT NOT NULL,"
	 "  queued_at INTEGER NOT NULL,"
	 "  down_since INTEGER NOT NULL DEFAULT 0,"
	 "  done_by TEXT NOT NULL DEFAULT '',"
	 "  done_at INTEGER NOT NULL DEFAULT 0,"
	 "  payment_row INTEGER REFERENCES appointment_payments(id),"
	 "  reason TEXT NOT NULL DEFAULT '',"
	 "  CHECK (state != 'sent' OR payment_row IS NOT NULL),"
	 "  CHECK (state != 'dropped' OR length(reason) > 0)"
	 ");"
	 "CREATE UNIQUE INDEX queued_charges_open ON queued_charges(appointment_id)"
	 "  WHERE state = 'queued';", NULL},
	{17, "history: decline reasons, invoice plans, dispute status and evidence due date",
	 /* Nullable columns without defaults: ALTER TABLE ADD COLUMN only edits
	  * the schema text, whatever the size of the history (rows read them as
	  * NULL until a sync writes them). A lost dispute is the payment status
	  * dispute_lost: the roll-ups then keep it apart with no new column. */
	 "ALTER TABLE history ADD COLUMN failure_code TEXT;"
	 "ALTER TABLE history ADD COLUMN decline_code TEXT;"
	 "ALTER TABLE history ADD COLUMN plan TEXT;"
	 "ALTER TABLE history ADD COLUMN dispute_status TEXT;"
	 "ALTER TABLE history ADD COLUMN dispute_due_by INTEGER;"
	 /* Sorting by signed amount: money out (refunds) is a range of its own,
	  * walked the other way (larger amounts first for an ascending view), so
	  * ties by id run the other way too. A partial index over refunds only:
	  * 0.4-0.5 s to build over a 1M-record history (80k refunds), and only a
	  * refund's insert writes to it. */
	 "CREATE INDEX history_out_amount ON history(amount, id DESC)"
	 "  WHERE type IN ('refund', 'desk_refund');", NULL},
	{18, "booking policies per service and the clients' acceptances of them",
	 /* service_id NULL: the business default. Percentages in basis points;
	  * fixed amounts in minor units of currency. version: one counter over
	  * every policy ever stored (removed ones in policy_versions_gone), so a
	  * version names one text for good. */
	 "CREATE TABLE booking_policies ("
	 "  id INTEGER PRIMARY KEY,"
	 "  service_id INTEGER REFERENCES services(id),"
	 "  currency TEXT NOT NULL DEFAULT '',"
	 "  deposit_kind TEXT NOT NULL DEFAULT 'none'"
	 "    CHECK (deposit_kind IN ('none', 'fixed', 'percent')),"
	 "  deposit_value INTEGER NOT NULL DEFAULT 0 CHECK (deposit_value >= 0),"
	 "  deposit_required INTEGER NOT NULL DEFAULT 0 CHECK (deposit_required IN (0, 1)),"
	 "  hold_card INTEGER NOT NULL DEFAULT 0 CHECK (hold_card IN (0, 1)),"
	 "  cancel_window_hours INTEGER NOT NULL DEFAULT 24"
	 "    CHECK (cancel_window_hours BETWEEN 0 AND 720),"
	 "  late_fee_kind TEXT NOT NULL DEFAULT 'none'"
	 "    CHECK (late_fee_kind IN ('none', 'fixed', 'percent')),"
	 "  late_fee_value INTEGER NOT NULL DEFAULT 0 CHECK (late_fee_value >= 0),"
	 "  no_show_fee_kind TEXT NOT NULL DEFAULT 'none'"
	 "    CHECK (no_show_fee_kind IN ('none', 'fixed', 'percent')),"
	 "  no_show_fee_value INTEGER NOT NULL DEFAULT 0 CHECK (no_show_fee_value >= 0),"
	 "  in_time_rule TEXT NOT NULL DEFAULT 'refund'"
	 "    CHECK (in_time_rule IN ('refund', 'keep-deposit', 'keep-all')),"
	 "  late_rule TEXT NOT NULL DEFAULT 'refund'"
	 "    CHECK (late_rule IN ('refund', 'keep-deposit', 'keep-all')),"
	 "  version INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 "  updated_by TEXT NOT NULL"
	 ");"
	 "CREATE UNIQUE INDEX booking_policies_service ON booking_policies(ifnull(service_id, 0));"
	 "CREATE TABLE policy_versions_gone (version INTEGER PRIMARY KEY);"
	 /* What the client was shown and accepted, as it was: a dispute is
	  * answered from this row whatever the policy says today. */
	 "CREATE TABLE policy_acceptances ("
	 "  id INTEGER PRIMARY KEY,"
	 "  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	 "  policy_id INTEGER,"
	 "  policy_version INTEGER NOT NULL,"
	 "  how TEXT NOT NULL CHECK (how IN ('desk', 'phone', 'link', 'reader')),"
	 "  text TEXT NOT NULL,"
	 "  accepted_at INTEGER NOT NULL,"
	 "  actor TEXT NOT NULL"
	 ");"
	 "CREATE INDEX policy_acceptances_appt ON policy_acceptances(appointment_id, id);", NULL},
	{19, "fees proposed at a no-show or a late cancellation, worked through in the fees queue",
	 /* A fee is proposed from the policy and charged only when a person
	  * says so. state: proposed → charging → charged | declined |
	  * needs_action (a pay link then); waived (with a reason) or withdrawn
	  * (the no-show or cancel undone). One live fee per appointment. */
	 "CREATE TABLE appointment_fees ("
	 "  id INTEGER PRIMARY KEY,"
	 "  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	 "  kind TEXT NOT NULL CHECK (kind IN ('no_show', 'late_cancel')),"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  policy_amount INTEGER NOT NULL CHECK (policy_amount >= 0),"
	 "  currency TEXT NOT NULL,"
	 "  state TEXT NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed', 'charging',"
	 "    'charged', 'declined', 'needs_action', 'waived', 'withdrawn')),"
	 "  reason TEXT NOT NULL DEFAULT '',"
	 "  message TEXT NOT NULL DEFAULT '',"
	 "  policy_id INTEGER,"
	 "  policy_version INTEGER NOT NULL,"
	 "  visit_at INTEGER NOT NULL,"
	 "  payment_intent_id TEXT,"
	 "  checkout_session_id TEXT,"
	 "  pay_link_url TEXT,"
	 "  attempts INTEGER NOT NULL DEFAULT 0,"
	 "  proposed_by TEXT NOT NULL,"
	 "  proposed_at INTEGER NOT NULL,"
	 "  updated_by TEXT NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 "CREATE UNIQUE INDEX appointment_fees_live ON appointment_fees(appointment_id)"
	 "  WHERE state <> 'withdrawn';"
	 "CREATE INDEX appointment_fees_state ON appointment_fees(state, visit_at);", NULL},
	{20, "appointments money: price changes and discounts, tips on payments",
	 /* A price change or discount of one appointment: the price it had
	  * (before), the one it has now (after, never below zero), why and who.
	  * appointments.amount stays the price due; list_price is what it was
	  * booked at, so a second discount replaces the first rather than
	  * stacking. A tip is kept apart from the price on its payment row:
	  * amount is what counts against the price, amount + tip was taken. */
	 "CREATE TABLE appointment_price_changes ("
	 "  id INTEGER PRIMARY KEY,"
	 "  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	 "  kind TEXT NOT NULL CHECK (kind IN ('discount', 'percent', 'price')),"
	 "  value INTEGER NOT NULL CHECK (value >= 0),"
	 "  list_price INTEGER NOT NULL CHECK (list_price >= 0),"
	 "  before_amount INTEGER NOT NULL,"
	 "  after_amount INTEGER NOT NULL CHECK (after_amount >= 0),"
	 "  reason TEXT NOT NULL CHECK (length(reason) > 0),"
	 "  actor TEXT NOT NULL,"
	 "  created_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX appointment_price_changes_appt ON appointment_price_changes(appointment_id);"
	 "ALTER TABLE appointment_payments ADD COLUMN tip INTEGER NOT NULL DEFAULT 0"
	 "  CHECK (tip >= 0);", NULL},
	{21, "packages and prepaid credit: definitions, what clients bought, what visits drew",
	 /* packages: what the admin sells — kind 'visits' (visits of one
	  * service) or 'credit' (an amount to spend), its price and how many
	  * days it lasts from the sale (0: no expiry). Archived, never deleted:
	  * sales name it. */
	 "CREATE TABLE packages ("
	 "  id INTEGER PRIMARY KEY,"
	 "  name TEXT NOT NULL,"
	 "  kind TEXT NOT NULL CHECK (kind IN ('visits', 'credit')),"
	 "  service_id INTEGER REFERENCES services(id),"
	 "  visits INTEGER NOT NULL DEFAULT 0,"
	 "  credit INTEGER NOT NULL DEFAULT 0,"
	 "  price INTEGER NOT NULL CHECK (price > 0),"
	 "  currency TEXT NOT NULL,"
	 "  valid_days INTEGER NOT NULL DEFAULT 0 CHECK (valid_days >= 0),"
	 "  active INTEGER NOT NULL DEFAULT 1,"
	 "  version INTEGER NOT NULL DEFAULT 1,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL,"
	 "  CHECK ((kind = 'visits' AND service_id IS NOT NULL AND visits > 0 AND credit = 0)"
	 "    OR (kind = 'credit' AND service_id IS NULL AND credit > 0 AND visits = 0))"
	 ");"
	 /* client_packages: one sale, the package's terms copied as sold (an
	  * edit later changes no one's purchase). state: 'pending' while a card
	  * payment is under way, 'active' paid, 'failed' not paid, 'unknown'
	  * Stripe gave no clear answer, 'refunded' the unused part handed back
	  * (nothing more can be drawn). What is left is the terms less the
	  * draws still standing (package_draws). */
	 "CREATE TABLE client_packages ("
	 "  id INTEGER PRIMARY KEY,"
	 "  client_id INTEGER NOT NULL REFERENCES clients(id),"
	 "  package_id INTEGER NOT NULL REFERENCES packages(id),"
	 "  name TEXT NOT NULL,"
	 "  kind TEXT NOT NULL CHECK (kind IN ('visits', 'credit')),"
	 "  service_id INTEGER REFERENCES services(id),"
	 "  visits INTEGER NOT NULL DEFAULT 0,"
	 "  credit INTEGER NOT NULL DEFAULT 0,"
	 "  price INTEGER NOT NULL CHECK (price > 0),"
	 "  currency TEXT NOT NULL,"
	 "  state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'failed', 'unknown',"
	 "    'refunded')),"
	 "  method TEXT NOT NULL CHECK (method IN ('card', 'cash', 'cheque', 'voucher',"
	 "    'terminal')),"
	 "  note TEXT NOT NULL DEFAULT '',"
	 "  payment_intent_id TEXT,"
	 "  message TEXT NOT NULL DEFAULT '',"
	 "  refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= price),"
	 "  refund_id TEXT,"
	 "  sold_by TEXT NOT NULL,"
	 "  bought_at INTEGER NOT NULL,"
	 "  expires_at INTEGER NOT NULL DEFAULT 0,"
	 "  version INTEGER NOT NULL DEFAULT 1"
	 ");"
	 "CREATE INDEX client_packages_client ON client_packages(client_id, id);"
	 /* package_draws: one appointment paid from a sale — its payment row
	  * (tender 'package' or 'credit'), a visit or an amount of credit;
	  * 'returned' when the appointment's payment was undone. */
	 "CREATE TABLE package_draws ("
	 "  id INTEGER PRIMARY KEY,"
	 "  client_package_id INTEGER NOT NULL REFERENCES client_packages(id),"
	 "  appointment_id INTEGER NOT NULL REFERENCES appointments(id),"
	 "  payment_row INTEGER NOT NULL REFERENCES appointment_payments(id),"
	 "  visits INTEGER NOT NULL DEFAULT 0 CHECK (visits >= 0),"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  state TEXT NOT NULL DEFAULT 'drawn' CHECK (state IN ('drawn', 'returned')),"
	 "  drawn_by TEXT NOT NULL,"
	 "  drawn_at INTEGER NOT NULL,"
	 "  returned_by TEXT NOT NULL DEFAULT '',"
	 "  returned_at INTEGER NOT NULL DEFAULT 0"
	 ");"
	 "CREATE INDEX package_draws_package ON package_draws(client_package_id);"
	 "CREATE INDEX package_draws_appt ON package_draws(appointment_id);",
	 widen_payment_methods},
	{22, "payouts and the balance transactions behind each, for reconciliation",
	 /* A cache of Stripe like history. payout_txns holds every balance
	  * transaction (a month's summary needs those not paid out yet too);
	  * payout_id is Stripe's answer for an automatic payout, paydesk's
	  * attribution (oldest available first) for a manual one. link is the
	  * history row behind it (a refund's own id, else its PaymentIntent). */
	 "CREATE TABLE payouts ("
	 "  id TEXT PRIMARY KEY,"
	 "  created INTEGER NOT NULL,"
	 "  arrival_date INTEGER NOT NULL,"
	 "  amount INTEGER NOT NULL,"
	 "  currency TEXT NOT NULL,"
	 "  status TEXT NOT NULL,"
	 "  automatic INTEGER NOT NULL,"
	 "  method TEXT NOT NULL,"
	 "  description TEXT,"
	 "  failure_message TEXT,"
	 "  balance_txn TEXT,"
	 "  txns_after TEXT,"                       /* resume point of its transactions */
	 "  txns_done INTEGER NOT NULL DEFAULT 0,"
	 "  synced_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX payouts_created ON payouts(created, id);"
	 "CREATE TABLE payout_txns ("
	 "  id TEXT PRIMARY KEY,"
	 "  payout_id TEXT,"
	 "  created INTEGER NOT NULL,"
	 "  available_on INTEGER NOT NULL,"
	 "  type TEXT NOT NULL,"
	 "  category TEXT NOT NULL,"
	 "  amount INTEGER NOT NULL,"
	 "  fee INTEGER NOT NULL,"
	 "  net INTEGER NOT NULL,"
	 "  currency TEXT NOT NULL,"
	 "  source TEXT,"
	 "  link TEXT,"
	 "  description TEXT"
	 ");"
	 "CREATE INDEX payout_txns_payout ON payout_txns(payout_id, created) WHERE payout_id IS NOT NULL;"
	 "CREATE INDEX payout_txns_created ON payout_txns(created);"
	 "CREATE INDEX payout_txns_open ON payout_txns(currency, available_on, created)"
	 "  WHERE payout_id IS NULL;", NULL},
	{23, "day close at the desk: who took desk money where, closes with the counted cash",
	 /* The desk (PAYDESK_DESK or the host name) an attempt was started at;
	  * NULL for attempts made before schema 23 (they count for "all desks"). */
	 "ALTER TABLE appointment_payments ADD COLUMN desk TEXT;"
	 /* Who handed desk money back, and at which desk: a desk refund has no
	  * payment row of its own (its history record's payment is the desk
	  * payment it refunds). Refunds before schema 23 count for the desk and
	  * user who took the payment. */
	 "CREATE TABLE desk_refunds ("
	 "  history_id TEXT PRIMARY KEY,"
	 "  desk TEXT NOT NULL,"
	 "  actor TEXT NOT NULL"
	 ");"
	 /* One close per day, desk and user ('' = all desks / all users): what
	  * was expected in cash, what was counted, and why they differ. */
	 "CREATE TABLE day_closes ("
	 "  id INTEGER PRIMARY KEY,"
	 "  day TEXT NOT NULL CHECK (length(day) = 10),"
	 "  desk TEXT NOT NULL,"
	 "  user_name TEXT NOT NULL,"
	 "  currency TEXT NOT NULL,"
	 "  expected_cash INTEGER NOT NULL,"
	 "  counted_cash INTEGER NOT NULL CHECK (counted_cash >= 0),"
	 "  comment TEXT NOT NULL DEFAULT '',"
	 "  closed_by TEXT NOT NULL,"
	 "  closed_at INTEGER NOT NULL,"
	 "  CHECK (counted_cash = expected_cash OR length(comment) > 0)"
	 ");"
	 "CREATE UNIQUE INDEX day_closes_one ON day_closes(day, desk, user_name COLLATE NOCASE);"
	 /* The expected takings by tender as they stood when the day was closed. */
	 "CREATE TABLE day_close_lines ("
	 "  close_id INTEGER NOT NULL REFERENCES day_closes(id),"
	 "  tender TEXT NOT NULL,"
	 "  currency TEXT NOT NULL,"
	 "  count INTEGER NOT NULL,"
	 "  taken INTEGER NOT NULL,"
	 "  refunded INTEGER NOT NULL,"
	 "  in_history INTEGER NOT NULL DEFAULT 0,"
	 "  PRIMARY KEY (close_id, tender, currency)"
	 ");", NULL},
	{24, "history: search index keyed by date, so a search pages from it",
	 /* The search index's rowid was history.id: a search had to read every
	  * match to sort it by date before its first screen (133 ms for a first
	  * name at 1M records, growing with the history). Keyed created * 2^30
	  * + id, the index's order is the list's: the first screen is the
	  * index's last n keys. Rebuilt once here (~10 s a million records). */
	 "INSERT INTO history_fts (history_fts) VALUES ('delete-all');"
	 "INSERT INTO history_fts (rowid, client_name, email, description)"
	 "  SELECT created * 1073741824 + id, client_name, email, description FROM history;"
	 "DROP TRIGGER history_ad;"
	 "CREATE TRIGGER history_ad AFTER DELETE ON history BEGIN"
	 "  INSERT INTO history_fts (history_fts, rowid, client_name, email, description)"
	 "    VALUES ('delete', old.created * 1073741824 + old.id, old.client_name, old.email,"
	 "    old.description);"
	 "  UPDATE history_day SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE day = old.created / 86400 AND type = old.type AND status = old.status"
	 "    AND currency = old.currency;"
	 "  UPDATE history_month SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE month = CAST(strftime('%Y', old.created, 'unixepoch') AS INTEGER) * 12"
	 "    + CAST(strftime('%m', old.created, 'unixepoch') AS INTEGER) - 1 AND type = old.type"
	 "    AND status = old.status AND currency = old.currency;"
	 "END;", NULL},
	{25, "the terms of every booking-policy version, for the bookings accepted under them",
	 /* A client is held to the terms they accepted, not to a policy changed
	  * since: each version's terms are kept here for good (a version names
	  * one set of terms), written by trigger whenever booking_policies gets a
	  * version, so every path that stores a policy keeps them. */
	 "CREATE TABLE policy_terms ("
	 "  version INTEGER PRIMARY KEY,"
	 "  policy_id INTEGER NOT NULL,"
	 "  service_id INTEGER,"
	 "  currency TEXT NOT NULL,"
	 "  deposit_kind TEXT NOT NULL, deposit_value INTEGER NOT NULL,"
	 "  deposit_required INTEGER NOT NULL, hold_card INTEGER NOT NULL,"
	 "  cancel_window_hours INTEGER NOT NULL,"
	 "  late_fee_kind TEXT NOT NULL, late_fee_value INTEGER NOT NULL,"
	 "  no_show_fee_kind TEXT NOT NULL, no_show_fee_value INTEGER NOT NULL,"
	 "  in_time_rule TEXT NOT NULL, late_rule TEXT NOT NULL,"
	 "  updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL"
	 ");"
	 "INSERT INTO policy_terms SELECT version, id, service_id, currency, deposit_kind,"
	 "  deposit_value, deposit_required, hold_card, cancel_window_hours, late_fee_kind,"
	 "  late_fee_value, no_show_fee_kind, no_show_fee_value, in_time_rule, late_rule,"
	 "  updated_at, updated_by FROM booking_policies;"
	 "CREATE TRIGGER policy_terms_insert AFTER INSERT ON booking_policies BEGIN"
	 "  INSERT OR IGNORE INTO policy_terms VALUES (new.version, new.id, new.service_id,"
	 "    new.currency, new.deposit_kind, new.deposit_value, new.deposit_required,"
	 "    new.hold_card, new.cancel_window_hours, new.late_fee_kind, new.late_fee_value,"
	 "    new.no_show_fee_kind, new.no_show_fee_value, new.in_time_rule, new.late_rule,"
	 "    new.updated_at, new.updated_by);"
	 " END;"
	 "CREATE TRIGGER policy_terms_update AFTER UPDATE OF version ON booking_policies BEGIN"
	 "  INSERT OR IGNORE INTO policy_terms VALUES (new.version, new.id, new.service_id,"
	 "    new.currency, new.deposit_kind, new.deposit_value, new.deposit_required,"
	 "    new.hold_card, new.cancel_window_hours, new.late_fee_kind, new.late_fee_value,"
	 "    new.no_show_fee_kind, new.no_show_fee_value, new.in_time_rule, new.late_rule,"
	 "    new.updated_at, new.updated_by);"
	 " END;", NULL},
	{26, "package sales: the desk they were sold at, for the day close",
	 /* NULL for sales made before: they count in "all desks" only, as
	  * desk payments from before schema 23 do. */
	 "ALTER TABLE client_packages ADD COLUMN desk TEXT;", NULL},
	{27, "charged fees: the desk and user that charged them, when, and what was refunded",
	 /* A fee is not a payment toward the visit's price, so it keeps its own
	  * row; these say where its card money belongs in the day close (the
	  * desk and user that charged it, the time Stripe confirmed it) and how
	  * much of it was handed back. Fees charged before: charged_by and
	  * charged_at from their last move, desk NULL (counted in "all desks"
	  * only, like desk payments from before schema 23). */
	 "ALTER TABLE appointment_fees ADD COLUMN desk TEXT;"
	 "ALTER TABLE appointment_fees ADD COLUMN charged_by TEXT;"
	 "ALTER TABLE appointment_fees ADD COLUMN charged_at INTEGER;"
	 "ALTER TABLE appointment_fees ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0"
	 "  CHECK (refunded >= 0 AND refunded <= amount);"
	 "UPDATE appointment_fees SET charged_by = updated_by, charged_at = updated_at"
	 "  WHERE state = 'charged';"
	 "CREATE INDEX appointment_fees_charged ON appointment_fees(charged_at)"
	 "  WHERE charged_at IS NOT NULL;", NULL},
	{29, "cards held on a reader, packages sold by pay link or on a reader",
	 /* reader_holds: a card saved for a client (and the booking that asked
	  * for it) through a SetupIntent processed on a Terminal reader. open
	  * while the reader waits; complete with the generated card's brand and
	  * last4; failed (a decline: message says why) or cancelled. */
	 "CREATE TABLE reader_holds ("
	 "  id INTEGER PRIMARY KEY,"
	 "  client_id INTEGER NOT NULL REFERENCES clients(id),"
	 "  appointment_id INTEGER REFERENCES appointments(id),"
	 "  setup_intent_id TEXT NOT NULL,"
	 "  reader_id TEXT NOT NULL,"
	 "  status TEXT NOT NULL CHECK (status IN ('open', 'complete', 'failed', 'cancelled')),"
	 "  payment_method_id TEXT,"
	 "  brand TEXT NOT NULL DEFAULT '',"
	 "  last4 TEXT NOT NULL DEFAULT '',"
	 "  message TEXT NOT NULL DEFAULT '',"
	 "  actor TEXT NOT NULL,"
	 "  created_at INTEGER NOT NULL,"
	 "  updated_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX reader_holds_client ON reader_holds(client_id, id);"
	 /* A card sale (method 'card') collected by a pay link (Checkout
	  * Session: its id, URL, expiry) or on a reader ('' : the saved card,
	  * or a desk tender). Pending until Stripe says it was paid. */
	 "ALTER TABLE client_packages ADD COLUMN collect TEXT NOT NULL DEFAULT ''"
	 "  CHECK (collect IN ('', 'link', 'reader'));"
	 "ALTER TABLE client_packages ADD COLUMN checkout_session_id TEXT;"
	 "ALTER TABLE client_packages ADD COLUMN url TEXT NOT NULL DEFAULT '';"
	 "ALTER TABLE client_packages ADD COLUMN link_expires_at INTEGER NOT NULL DEFAULT 0;"
	 "ALTER TABLE client_packages ADD COLUMN reader_id TEXT;", NULL},
	{30, "history: a card's last 4 digits searched through an index",
	 /* `/4242` read every record (0.9 s at 1M, ~10 s at 10M): the card's
	  * digits had no index. Keyed by the digits alone, rows of the same
	  * card follow in rowid order; a first sync builds it at its end with
	  * the other random-order indexes (history_bulk.c). */
	 "CREATE INDEX history_last4 ON history(card_last4) WHERE card_last4 IS NOT NULL;", NULL},
	{31, "review marks keyed by their record's date, so a review filter pages from them",
	 /* The reviewed / flagged filters gathered every marked record before
	  * their first screen (84 ms at 1M records, growing with the marks).
	  * Each mark now carries its record's (created, id), the list's order,
	  * filled in by a trigger whoever writes the mark (one mark, a whole
	  * filter, a restore), and kept when a record's date changes. */
	 "ALTER TABLE reviews ADD COLUMN created INTEGER;"
	 "ALTER TABLE reviews ADD COLUMN hid INTEGER;"
	 "UPDATE reviews SET (created, hid) = (SELECT created, id FROM history"
	 "  WHERE history.stripe_id = reviews.stripe_id);"
	 "CREATE INDEX reviews_reviewed ON reviews(created, hid) WHERE reviewed = 1;"
	 "CREATE INDEX reviews_flagged ON reviews(created, hid) WHERE flagged = 1;"
	 "CREATE TRIGGER reviews_key AFTER INSERT ON reviews WHEN new.hid IS NULL BEGIN"
	 "  UPDATE reviews SET (created, hid) = (SELECT created, id FROM history"
	 "    WHERE history.stripe_id = new.stripe_id) WHERE stripe_id = new.stripe_id;"
	 "END;"
	 "CREATE TRIGGER history_au_review AFTER UPDATE OF created ON history"
	 "  WHEN old.created IS NOT new.created BEGIN"
	 "  UPDATE reviews SET created = new.created, hid = new.id WHERE stripe_id = new.stripe_id;"
	 "END;", NULL},
	{33, "refunds of packages: which desk and user made them; closes after a close",
	 /* A package's refund (its unused part, or a visit given back after
	  * it) counts in the day close of the desk and user that made it: at
	  * the desk its desk_refund record (desk_refunds says where), by card
	  * only this row says so. A sale can be refunded more than once. */
	 "CREATE TABLE package_refunds ("
	 "  id INTEGER PRIMARY KEY,"
	 "  client_package_id INTEGER NOT NULL REFERENCES client_packages(id),"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  currency TEXT NOT NULL,"
	 "  tender TEXT NOT NULL,"
	 "  refund_id TEXT NOT NULL DEFAULT '',"
	 "  desk TEXT NOT NULL,"
	 "  actor TEXT NOT NULL,"
	 "  refunded_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX package_refunds_at ON package_refunds(refunded_at);"
	 /* Money taken after a close is closed by a later close of the same
	  * day, desk and user, covering from the one before (covers_from; 0:
	  * the day's start): a day may have several closes now. */
	 "DROP INDEX day_closes_one;"
	 "CREATE INDEX day_closes_of ON day_closes(day, desk, user_name COLLATE NOCASE, closed_at);"
	 "ALTER TABLE day_closes ADD COLUMN covers_from INTEGER NOT NULL DEFAULT 0;"
	 /* A card refund of an appointment's payment counts at the desk and
	  * user that made it, on the day made; one not noted here (made
	  * before, or elsewhere) stays with the payment's desk and user. */
	 "CREATE TABLE card_refunds ("
	 "  id INTEGER PRIMARY KEY,"
	 "  payment_intent_id TEXT NOT NULL,"
	 "  amount INTEGER NOT NULL CHECK (amount > 0),"
	 "  currency TEXT NOT NULL,"
	 "  refund_id TEXT NOT NULL DEFAULT '',"
	 "  desk TEXT NOT NULL,"
	 "  actor TEXT NOT NULL,"
	 "  refunded_at INTEGER NOT NULL"
	 ");"
	 "CREATE INDEX card_refunds_pi ON card_refunds(payment_intent_id);"
	 "CREATE INDEX card_refunds_at ON card_refunds(refunded_at);", NULL},
	{36, "a later close of the day counts the whole till",
	 /* A later close counts the whole till against the close before's
	  * count + the cash since (never a negative count after a refund);
	  * closes made before keep what they counted: only the cash since. */
	 "ALTER TABLE day_closes ADD COLUMN whole_till INTEGER NOT NULL DEFAULT 0;", NULL},
	{37, "history: the search index's words in a table of their own",
	 /* The word being typed is expanded to the terms that begin with it;
	  * FTS5's term list (fts5vocab) counts every doclist on the way (33 ms
	  * for "haircut" at 10M records), this b-tree answers in microseconds.
	  * Kept by the ingest (history_terms.c); digits-only terms are never
	  * searched in the index. Filled once here (~0.3 s a million records). */
	 "CREATE TABLE history_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;"
	 "CREATE VIRTUAL TABLE temp.history_fts_vocab USING fts5vocab(main, history_fts, row);"
	 "INSERT INTO history_terms SELECT term FROM temp.history_fts_vocab"
	 "  WHERE term GLOB '*[^0-9]*';"
	 "DROP TABLE temp.history_fts_vocab;", NULL},
	{38, "history: the amount indexes keyed by currency first",
	 /* Sorting by amount is always within one currency, but the amount
	  * index held every currency: a walk in pounds read nine other rows for
	  * each pound, and yen (small numbers, at the far end) read the rest of
	  * the index first (about 1 s at 10M records). Keyed by currency, a
	  * currency's amounts are one range. Keyed by lower(currency) (codes are
	  * stored lower case): only a query that names it (HISTORY_AMOUNT_CUR)
	  * uses it, so a plain currency filter keeps history_currency (created
	  * order) and a one-sided date range is not read through it. Built
	  * again once (~2.5 s a million records). history_currencies: the
	  * currencies held, a seek from one to the next. */
	 "DROP INDEX IF EXISTS history_amount;"
	 "CREATE INDEX history_amount ON history(lower(currency), amount, id);"
	 "DROP INDEX IF EXISTS history_out_amount;"
	 "CREATE INDEX history_out_amount ON history(lower(currency), amount, id DESC)"
	 "  WHERE type IN ('refund', 'desk_refund');"
	 "DROP VIEW IF EXISTS history_currencies;"
	 "CREATE VIEW history_currencies(c) AS WITH RECURSIVE cur(c) AS ("
	 "  SELECT min(currency) FROM history UNION ALL"
	 "  SELECT (SELECT min(currency) FROM history WHERE currency > cur.c) FROM cur"
	 "  WHERE c IS NOT NULL) SELECT c FROM cur WHERE c IS NOT NULL;", NULL},
	{39, "history: Stripe ids indexed by a 30-day bucket of their date",
	 /* A sync onto a large history wrote a random page of the stripe_id
	  * and charge indexes for each record (5.6k records/s at 10M): keyed
	  * by (created_bucket, id), new records land in the newest bucket.
	  * The table is rebuilt (the UNIQUE on stripe_id cannot be dropped):
	  * 4 min 40 s at 10M records, 18.5 s at 1M (history_buckets.c). */
	 "", history_buckets_migrate},
	{40, "history: balance transactions indexed by date",
	 /* The same for the balance transactions a sync stores (one per
	  * payment and refund): their id and source indexes took each new one
	  * at a random page, and a month's accounting export read every one
	  * (no index on created). Keyed by the 30-day bucket, and by created
	  * for a month's range. A transaction's own id is looked up with its
	  * date (the upsert); a payment's by source near the payment's date
	  * (history_ingest.c ST_BT_FIND). */
	 "CREATE TABLE history_balance_new ("
	 "  id TEXT NOT NULL,"
	 "  source TEXT,"
	 "  type TEXT,"
	 "  amount INTEGER,"
	 "  fee INTEGER,"
	 "  net INTEGER,"
	 "  currency TEXT,"
	 "  status TEXT,"
	 "  created INTEGER NOT NULL DEFAULT 0,"
	 "  created_bucket INTEGER GENERATED ALWAYS AS (created / " HISTORY_BUCKET_S ") VIRTUAL"
	 ");"
	 "INSERT INTO history_balance_new (id, source, type, amount, fee, net, currency, status,"
	 "  created) SELECT id, source, type, amount, fee, net, currency, status,"
	 "  ifnull(created, 0) FROM history_balance ORDER BY created;"
	 "DROP TABLE history_balance;"
	 "ALTER TABLE history_balance_new RENAME TO history_balance;"
	 "CREATE UNIQUE INDEX history_balance_id ON history_balance(created_bucket, id);"
	 "CREATE INDEX history_balance_source ON history_balance(created_bucket, source);"
	 "CREATE INDEX history_balance_created ON history_balance(created);"
	 "DELETE FROM sqlite_stat1 WHERE tbl = 'history_balance';"
	 "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES"
	 "  ('history_balance', 'history_balance_id', '10000000 400000 1'),"
	 "  ('history_balance', 'history_balance_source', '10000000 400000 1');"
	 "ANALYZE sqlite_schema;", NULL},
	{41, "history: amounts and card digits in the search index",
	 /* A search's price was looked for through the amount index, its words
	  * through the search index, and the two lists met row by row: "Haircut
	  * 99" read 930k haircuts for none at 10M records (0.2 s), a price
	  * alone 20 ms. Terms of a numbers column (HISTORY_FTS_NUMBERS) let
	  * FTS5 page a price by date and intersect it with words itself. The
	  * index is made again (FTS5 adds no column): 1 min 36 s at 10M records,
	  * in date order (FTS5 appends keys above the last one cheaply). */
	 "DROP TABLE history_fts;"
	 "CREATE VIRTUAL TABLE history_fts USING fts5(client_name, email, description, numbers,"
	 "  content='', tokenize='unicode61 remove_diacritics 2');"
	 HISTORY_FTS_INDEX_ROWS " ORDER BY created, id;"
	 "DROP TRIGGER history_ad;"
	 "CREATE TRIGGER history_ad AFTER DELETE ON history BEGIN"
	 "  INSERT INTO history_fts (history_fts, rowid, client_name, email, description, numbers)"
	 "    VALUES ('delete', old.created * 1073741824 + old.id, old.client_name, old.email,"
	 "    old.description, " HISTORY_FTS_NUMBERS("old.type", "old.amount", "old.currency", "old.card_last4")
	 ");"
	 "  UPDATE history_day SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE day = old.created / 86400 AND type = old.type AND status = old.status"
	 "    AND currency = old.currency;"
	 "  UPDATE history_month SET n = n - 1, amount = amount - old.amount,"
	 "    fee = fee - ifnull(old.fee, 0), net = net - ifnull(old.net, 0)"
	 "    WHERE month = CAST(strftime('%Y', old.created, 'unixepoch') AS INTEGER) * 12"
	 "    + CAST(strftime('%m', old.created, 'unixepoch') AS INTEGER) - 1 AND type = old.type"
	 "    AND status = old.status AND currency = old.currency;"
	 "END;", NULL},
};

const int store_migrations_count = sizeof store_migrations / sizeof store_migrations[0];

int store_migration_us_per_record(int version)
{
	/* 37: the search index's words listed (0.3 s a million records); 38:
	 * the amount indexes built (2.5 s); 39: the history copied (4 min 40
	 * s at 10M); 40: the balance transactions copied (~4 s a million);
	 * 41: the search index made again (1 min 36 s at 10M) */
	static const struct {
		int version, us;
	} costs[] = {{37, 1}, {38, 3}, {39, 28}, {40, 4}, {41, 10}};
	for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++)
		if (costs[i].version == version)
			return costs[i].us;
	return 0;
}
