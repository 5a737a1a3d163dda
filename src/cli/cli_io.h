/* Helpers shared by subcommands: secrets read from a descriptor into
 * guarded memory, and the checklist printer. */
#ifndef PAYDESK_CLI_IO_H
#define PAYDESK_CLI_IO_H

#include <stdio.h>

#include "paydesk/app.h"
#include "paydesk/stripe_client.h"
#include "paydesk/verify.h"

/* Read one line (at most 4 KiB) from fd into sodium_malloc memory, without
 * the newline and surrounding blanks. NULL with err set when nothing came.
 * Free with vault_secret_free(). */
char *cli_read_secret(int fd, const char *what, struct pd_error *err);

/* The vault passphrase: from --passphrase-fd N when fd >= 0, else from
 * PAYDESK_PASSPHRASE. The environment copy is scrubbed after reading. */
char *cli_passphrase(int fd, struct pd_error *err);

/* Print the checklist as text (ok / FAIL / warn lines with fixes) or JSON. */
void cli_print_report(FILE *out, const struct verify_report *r, const char *mode, bool json);

/* Who is asking, for admin commands: --as NAME with the PIN from pin_fd
 * or PAYDESK_PIN (signed in, any role: the caller checks it), or else the
 * vault passphrase (pass_fd or PAYDESK_PASSPHRASE), whose holder is the admin. */
int cli_authenticate(struct app *app, const char *as, int pin_fd, int pass_fd,
		     struct session *who, struct pd_error *err);

/* What a headless command needs to call Stripe: the vault unlocked with
 * the passphrase (descriptor pfd, else PAYDESK_PASSPHRASE), the saved key
 * in guarded memory and a client. Close it whatever open returned. */
struct cli_stripe {
	struct vault *vault;
	char *key;
	struct stripe_client *client;
};
int cli_stripe_open(struct cli_stripe *s, struct app *app, int pfd, struct pd_error *err);
void cli_stripe_close(struct cli_stripe *s);

/* Parse a descriptor number for --passphrase-fd; -1 when invalid. */
int cli_parse_fd(const char *s);

/* The options of a command that takes at most one switch (flag, e.g.
 * "full"; NULL: none) and --passphrase-fd N, and no arguments: 0, or 2
 * after printing usage. *flag_set and *pfd (-1: none) get what was given. */
int cli_switch_and_pfd(int argc, char **argv, const char *flag, bool *flag_set, int *pfd,
		       const char *usage);

#endif
