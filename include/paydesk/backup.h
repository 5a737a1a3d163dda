/* Backups of the database, and restoring one. A backup is a consistent copy
 * taken while paydesk runs (SQLite's online backup API, under one read
 * transaction), gzip-compressed, in paydesk's own small file format: a
 * header (magic, schema version, date, sizes) and a BLAKE2b checksum over
 * the header and the compressed bytes, checked after writing and before
 * restoring. The copy is the database as it is: the vault stays sealed, so
 * opening the Stripe key from a restored copy needs the admin passphrase.
 * See ARCHITECTURE "Backups". */
#ifndef PAYDESK_BACKUP_H
#define PAYDESK_BACKUP_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

#define BACKUP_KEEP_DEFAULT 14
/* The settings row saying when the last backup was made (unix seconds). */
#define BACKUP_SETTING_LAST "backup.last_at"
/* The age after which Setup and doctor warn. */
#define BACKUP_STALE_SECONDS (24 * 3600)

/* What a backup file's header says (trusted only once the checksum held). */
struct backup_header {
	int format;          /* 1 */
	int schema;          /* the database's schema version (PRAGMA user_version) */
	int64_t created_at;  /* unix seconds */
	int64_t db_bytes;    /* the database, uncompressed */
	int64_t payload_bytes; /* the gzip stream after the header */
};

/* The directory backups go to by default: "backups" beside the database
 * (with the default database, $XDG_DATA_HOME/paydesk/backups). Heap. */
char *backup_default_dir(const char *db_path);

/* DEST names a remote host for scp: "host:path" or "user@host:path" (a
 * colon before any slash). */
bool backup_dest_is_remote(const char *dest);

/* Refuse a remote DEST that scp or the remote shell could read as anything
 * but a host and a path: an option (leading '-'), shell characters, spaces. */
int backup_check_remote(const char *dest, struct pd_error *err);

struct backup_result {
	char path[4096];  /* the file written (local), or "host:path/name" too */
	char remote[4096]; /* where scp put it, or "" */
	int64_t db_bytes, file_bytes;
	double seconds;
	int pruned;       /* older backups removed (keep-last-N) */
};

/* Back up db (the connection to the database at db_path) to dest: a
 * directory (NULL: backup_default_dir), or a remote "host:path", copied
 * there with the admin's own scp after being written locally to the default
 * directory. Each local directory keeps the newest keep backups. Records
 * the time in the settings. */
int backup_make(sqlite3 *db, const char *db_path, const char *dest, int keep,
		struct backup_result *res, struct pd_error *err);

/* When the last backup was made (0: never). */
int64_t backup_last_at(sqlite3 *db);

/* One line for Setup and doctor: "last backup 2026-12-06 22:44 (3 h ago)",
 * and whether it is missing or older than a day. */
bool backup_describe_last(int64_t last_at, int64_t now, char *out, size_t len);

/* Check the file at path (magic, checksum, gzip, size) and read its header. */
int backup_read_header(const char *path, struct backup_header *h, struct pd_error *err);

struct restore_report {
	struct backup_header header;
	int64_t clients, appointments, payments, history, audit_entries;
	bool audit_intact;
	int64_t audit_broken_at;
	char aside[4096];   /* where the old database was kept, or "" when there was none */
};

/* Restore the backup at file over the database at db_path: checked whole
 * (format, checksum, SQLite integrity, schema not newer than this paydesk)
 * into a temp file first, refused while any paydesk uses the database, the
 * old file kept aside (renamed with a timestamp), then put in place with
 * one rename, so that a kill at any point leaves a whole database. */
int backup_restore(const char *file, const char *db_path, struct restore_report *rep,
		   struct pd_error *err);

#endif
