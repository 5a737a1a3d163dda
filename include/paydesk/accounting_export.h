/* Accounting exports of the Stripe balance as a bank account ("Stripe
 * clearing") for a date range: one line per balance transaction — a payment
 * (gross), a refund, a dispute or adjustment, a payout to the bank — and the
 * Stripe fee of each as its own line, so the lines add up to what the
 * balance gained or lost, and to zero once it has all been paid out.
 *
 * Formats, as documented by the accounting programs:
 * - QuickBooks Online bank upload, 3 columns: Date,Description,Amount
 *   (signed: money in positive, money out negative);
 * - QuickBooks Online, 4 columns: Date,Description,Credit,Debit (credit
 *   money in, debit money out, both positive, one of them per line);
 * - Xero precoded bank statement: *Date,*Amount,Payee,Description,Reference,
 *   Cheque Number,Account Code,Tax Rate — at most 1,000 lines a file
 *   (header included), so a longer export is split into numbered files.
 * Amounts are plain decimals (no symbol, no thousands separator); dates
 * MM/DD/YYYY for QuickBooks and DD/MM/YYYY for Xero unless asked otherwise;
 * one currency a file (a bank account has one). */
#ifndef PAYDESK_ACCOUNTING_EXPORT_H
#define PAYDESK_ACCOUNTING_EXPORT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "paydesk/error.h"

enum accounting_format { ACCT_QUICKBOOKS3, ACCT_QUICKBOOKS4, ACCT_XERO };
enum accounting_dates { ACCT_DATES_DEFAULT, ACCT_DATES_MDY, ACCT_DATES_DMY, ACCT_DATES_ISO };

/* Lines a Xero file may hold, its header included. */
#define ACCOUNTING_XERO_FILE_LINES 1000

struct accounting_opts {
	enum accounting_format format;
	enum accounting_dates dates;
	int64_t since, until; /* created in [since, until) */
	const char *payout;   /* po_…: that payout's statement instead (NULL: the range) */
	char currency[4];     /* "" : the one currency of the range */
	/* Xero precoding (NULL or "" : left for Xero to ask) */
	const char *sales_account, *fee_account, *payout_account;
};

/* "quickbooks" (with columns 3 or 4) or "xero"; "mdy" / "dmy" / "iso". */
int accounting_format_parse(const char *name, int columns, enum accounting_format *out,
			    struct pd_error *err);
int accounting_dates_parse(const char *name, enum accounting_dates *out, struct pd_error *err);

/* Check o and settle its currency: the one the range holds when none was
 * given; several are refused, naming them (a file is one bank account). */
int accounting_export_check(sqlite3 *db, struct accounting_opts *o, struct pd_error *err);

/* Write the export to out as one file (a Xero export longer than a file's
 * lines is refused: write it to files). *lines: statement lines written. */
int accounting_export_stream(sqlite3 *db, const struct accounting_opts *o, FILE *out,
			     long *lines, struct pd_error *err);

/* Write the export to path — or, for a Xero export longer than one file,
 * to path's stem with -1, -2 … before its extension — never over an
 * existing file unless replace. *files (heap, free with
 * accounting_files_free) lists the files written, *lines the statement
 * lines. */
int accounting_export_files(sqlite3 *db, const struct accounting_opts *o, const char *path,
			    bool replace, char ***files, int *nfiles, long *lines,
			    struct pd_error *err);
void accounting_files_free(char **files, int n);

#endif
