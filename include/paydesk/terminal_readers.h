/* The readers Stripe last listed (schema 15, table terminal_readers): a
 * display copy for the Setup tab, written by the worker that listed them,
 * like client_cards. Stripe stays the truth; app/readers.c refreshes it. */
#ifndef PAYDESK_TERMINAL_READERS_H
#define PAYDESK_TERMINAL_READERS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

struct reader_info {
	char id[64];          /* tmr_… */
	char label[128];      /* what the desk reads */
	char status[16];      /* online | offline | "" */
	char device_type[40]; /* simulated_wisepos_e, bbpos_wisepos_e, … */
	char location[64];    /* tml_… or "" */
};

/* Replace the copy with list[0..n) (in that order), listed now. */
int terminal_readers_replace(sqlite3 *db, const struct reader_info *list, size_t n,
			     struct pd_error *err);

/* The copy, in the order it was written (*out heap, NULL when *n is 0), and
 * when it was listed (*listed_at 0: never). */
int terminal_readers_list(sqlite3 *db, struct reader_info **out, size_t *n, int64_t *listed_at,
			  struct pd_error *err);

#endif
