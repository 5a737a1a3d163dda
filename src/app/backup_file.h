/* The backup file format (backup_file.c): for backup.c and restore.c only. */
#ifndef PAYDESK_BACKUP_FILE_H
#define PAYDESK_BACKUP_FILE_H

#include <stdio.h>

#include "paydesk/backup.h"

#define BACKUP_FORMAT 1
#define BACKUP_HEADER_BYTES 96
#define BACKUP_HASH_AT 40
#define BACKUP_HASH_BYTES 32

/* Write the header and db (read to its end) compressed to out, a regular
 * file positioned at 0; h's schema and created_at are the caller's, the
 * sizes and format are filled in. */
int backup_file_write(FILE *out, FILE *db, struct backup_header *h, struct pd_error *err);

/* Read and check the backup at path whole, writing the database it holds to
 * sink (NULL: only check). PD_ERR_NOT_PAYDESK for another kind of file,
 * PD_ERR_TAMPERED when damaged, PD_ERR_SCHEMA for a newer format. */
int backup_file_read(const char *path, FILE *sink, struct backup_header *h, struct pd_error *err);

#endif
