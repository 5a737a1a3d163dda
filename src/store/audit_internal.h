/* Shared by store/audit.c and store/audit_key.c: the process's audit key,
 * the MACs made with it, and the head row. */
#ifndef PAYDESK_AUDIT_INTERNAL_H
#define PAYDESK_AUDIT_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/audit.h"

struct audit_head {
	bool present;
	int64_t epoch_start; /* first entry under the current key */
	int64_t count;       /* entries 1..count are sealed */
	unsigned char last_mac[AUDIT_MAC_BYTES];
	unsigned char tag[AUDIT_MAC_BYTES];
};

/* Whether this process holds the audit key for db's file. */
bool audit_key_held(sqlite3 *db);

/* MAC of one entry: over the previous MAC (zeros before the first keyed
 * entry), the entry's chain hash (which covers every field and, through
 * prev_hash, every entry before it), its id and whether it was keyed at
 * write. False when the key is not held. */
bool audit_key_mac_entry(sqlite3 *db, const unsigned char prev_mac[AUDIT_MAC_BYTES],
			 const unsigned char hash[AUDIT_MAC_BYTES], int64_t id, int keyed,
			 unsigned char out[AUDIT_MAC_BYTES]);

/* The head's tag. False when the key is not held. */
bool audit_key_mac_head(sqlite3 *db, const struct audit_head *h,
			unsigned char out[AUDIT_MAC_BYTES]);

/* Read the head row (h->present false when there is none). */
int audit_head_read(sqlite3 *db, struct audit_head *h, struct pd_error *err);

/* Write the head row with a fresh tag (the key must be held). */
int audit_head_write(sqlite3 *db, struct audit_head *h, struct pd_error *err);

#endif
