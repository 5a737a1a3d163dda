/* The audit log: every money and settings action, append-only. Each entry is
 * chained to the previous one by a BLAKE2b hash, and MAC'd with a key sealed
 * in the vault (keyed BLAKE2b over the previous MAC and the entry's hash); a
 * MAC'd head (entry count, last MAC) is updated with every keyed append, so
 * edits, deletions anywhere including the tail, reorders, forged entries and
 * a chain rebuilt without the key are all detected. Entries written while
 * the vault is locked are chained but not sealed until the next keyed append.
 * See ARCHITECTURE "Audit log". */
#ifndef PAYDESK_AUDIT_H
#define PAYDESK_AUDIT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

struct audit_entry {
	const char *actor;     /* user name, or "system" */
	const char *action;    /* short verb phrase: "vault.create", "payment.refund" */
	const char *detail;    /* free text for people; may be NULL */
	bool has_amount;
	int64_t amount;        /* minor units, when has_amount */
	const char *currency;  /* lowercase ISO code, or NULL */
	const char *object_id; /* Stripe or local id, or NULL */
};

/* Append e (inside the caller's transaction, if one is open). */
int audit_append(sqlite3 *db, const struct audit_entry *e, struct pd_error *err);

/* Which entries audit_each returns: all fields optional (0 / NULL). */
struct audit_filter {
	int64_t since_ms, until_ms; /* [since, until) in unix milliseconds */
	const char *actor;          /* exact user name */
	const char *action;         /* prefix: "payment." matches payment.refund… */
};

/* One stored entry, as audit_each hands it over (valid during the call). */
struct audit_row {
	int64_t id, at_ms;
	struct audit_entry e;
};

/* Call fn for each entry matching f, oldest first. */
int audit_each(sqlite3 *db, const struct audit_filter *f,
	       void (*fn)(void *ctx, const struct audit_row *row), void *ctx,
	       struct pd_error *err);

/* How many entries match f. */
int audit_count(sqlite3 *db, const struct audit_filter *f, int64_t *count, struct pd_error *err);

/* Keyset paging: up to max entries matching f, newest first with ids below
 * after (0: from the newest), or oldest first with ids above after (0: from
 * the oldest). *rows holds copies (free with audit_rows_free); no OFFSET,
 * so a page costs the same anywhere in a large log. */
int audit_page(sqlite3 *db, const struct audit_filter *f, bool newest_first, int64_t after,
	       size_t max, struct audit_row **rows, size_t *n, struct pd_error *err);
void audit_rows_free(struct audit_row **rows, size_t n);

/* Walk the chain. *broken_id is 0 when intact, else the id of the first entry
 * whose hash, link or MAC does not match, or that is missing (err says how). */
int audit_verify(sqlite3 *db, int64_t *broken_id, int64_t *entries, struct pd_error *err);

#define AUDIT_KEY_BYTES 32
#define AUDIT_MAC_BYTES 32

/* What audit_report found, beyond intact / broken. */
struct audit_report {
	int64_t entries;     /* entries in the log */
	int64_t broken_id;   /* 0: intact; else where the chain breaks */
	bool key_checked;    /* the MACs and the head were checked with the key */
	bool has_head;       /* a keyed head exists */
	int64_t epoch_start; /* first entry under the current key (1: all) */
	int64_t late_first;  /* first entry written while locked, sealed later */
	int64_t late_count;
	int64_t unsealed_first; /* the tail written while locked, not sealed yet */
	int64_t unsealed_count;
	int64_t head_count; /* sealed entries, as the head says */
	unsigned char head_mac[AUDIT_MAC_BYTES];
};

/* Verify the whole log: the chain always; with the key attached, every MAC
 * and the head. PD_ERR_TAMPERED (and r->broken_id) when broken. */
int audit_report(sqlite3 *db, struct audit_report *r, struct pd_error *err);

/* The head's short fingerprint: 16 hex digits of the last MAC (out >= 17). */
void audit_head_fingerprint(const struct audit_report *r, char *out, size_t len);

/* Give this process the audit key of db's vault (copied into guarded
 * memory); owner is the unlocked vault it came from. Appends on any
 * connection to the same database file are keyed from then on. */
int audit_key_attach(sqlite3 *db, const unsigned char key[AUDIT_KEY_BYTES], const void *owner,
		     struct pd_error *err);

/* Forget the key when owner (the vault) locks; NULL forgets it whatever
 * its owner (the vault was wiped). */
void audit_key_detach(const void *owner);

/* A new key was just created for db's vault (inside the caller's
 * transaction, after audit_key_attach): the entries so far become the
 * pre-key part, and an "audit.keyed" entry, keyed, fixes them. */
int audit_key_begin(sqlite3 *db, struct pd_error *err);

#endif
