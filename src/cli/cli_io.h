/* Helpers shared by subcommands: secrets read from a descriptor into
 * guarded memory, and the checklist printer. */
#ifndef PAYDESK_CLI_IO_H
#define PAYDESK_CLI_IO_H

#include <stdint.h>
#include <stdio.h>

#include "paydesk/app.h"
#include "paydesk/stripe_client.h"
#include "paydesk/verify.h"

/* Read one line (at most 4 KiB) from fd into sodium_malloc memory, without
 * the newline and surrounding blanks. NULL with err set when nothing came.
 * Free with vault_secret_free(). */
char *cli_read_secret(int fd, const char *what, struct pd_error *err);

/* Ask for a secret on the controlling terminal, echo off ("prompt: ");
 * NULL with err set when there is no terminal or nothing was typed. */
char *cli_prompt_secret(const char *prompt, struct pd_error *err);

/* The vault passphrase: from --passphrase-fd N when fd >= 0, else from
 * PAYDESK_PASSPHRASE. The environment copy is scrubbed after reading. */
char *cli_passphrase(int fd, struct pd_error *err);

/* What doctor checked on this desk before Stripe (database, vault cost,
 * backup), counted into the checklist's closing line. */
struct cli_desk_checks {
	int n, failures, warnings, unknown;
};

/* Print the checklist as text (ok / FAIL / warn lines with fixes) or JSON;
 * desk (may be NULL): the desk's own checks, counted in with the rest. */
void cli_print_report(FILE *out, const struct verify_report *r, const char *mode, bool json,
		      const struct cli_desk_checks *desk);

/* The checklist's closing line: "29 checks, 0 failing, 1 warning, 0 not checked". */
void cli_print_counts(FILE *out, int n, int failures, int warnings, int unknown);

/* Who is asking, for admin commands: --as NAME with the PIN from pin_fd
 * or PAYDESK_PIN (signed in, any role: the caller checks it), or else the
 * vault passphrase (pass_fd or PAYDESK_PASSPHRASE), whose holder is the admin. */
int cli_authenticate(struct app *app, const char *as, int pin_fd, int pass_fd,
		     struct session *who, struct pd_error *err);

/* The vault of a command that needs the key: this desk's key file first
 * (an enrolled desk needs no secret: cron), else the passphrase
 * (descriptor pfd, else PAYDESK_PASSPHRASE). A key file that is there but
 * cannot be used (mode, revoked) is said on stderr, or is the error when no
 * passphrase was given. Unlocking proves no one: not admin proof. */
int cli_vault_open(struct app *app, int pfd, struct vault **v, struct pd_error *err);

/* What a headless command needs to call Stripe: the vault unlocked by
 * cli_vault_open, the saved key in guarded memory and a client. Close it
 * whatever open returned. */
struct cli_stripe {
	struct vault *vault;
	char *key;
	struct stripe_client *client;
};
int cli_stripe_open(struct cli_stripe *s, struct app *app, int pfd, struct pd_error *err);

/* The same for commands whose only admin proof is the passphrase (plans,
 * subscriptions, connect): unlocked with it, never with a desk key. */
int cli_stripe_open_admin(struct cli_stripe *s, struct app *app, int pfd, struct pd_error *err);
void cli_stripe_close(struct cli_stripe *s);

/* Parse a descriptor number for --passphrase-fd; -1 when invalid. */
int cli_parse_fd(const char *s);
/* --pin-fd / --passphrase-fd (option, without its dashes) given arg: the
 * descriptor into *fd and 0, or after printing "paydesk: --option takes a
 * whole number from 0 to 1023, not '…'" the usage exit status 2. */
int cli_option_fd(const char *option, const char *arg, int *fd);

/* Every number on a command line goes through here: number_parse of text
 * for option (named in the message) in [min, max]. 0, or after printing
 * "paydesk: --option takes a whole number from min to max, not '…'" the
 * usage exit status 2. */
int cli_number(const char *text, const char *option, int64_t min, int64_t max, int64_t *out);

/* A row number as a `list` command shows it (1 and up) into *id; otherwise
 * PD_ERR_USAGE with "<what> takes <takes>, not '<text>'" in err. */
int cli_parse_id(const char *text, const char *what, const char *takes, int64_t *id,
		 struct pd_error *err);

/* What cli_switch_and_pfd returns after printing --help: exit 0. */
#define CLI_HELP_SHOWN (-1)

/* The options of a command that takes at most one switch (flag, e.g.
 * "full"; NULL: none), --passphrase-fd N and --help, and no arguments: 0 to
 * go on; 2 after printing why and the usage; CLI_HELP_SHOWN after printing
 * the usage on standard output. *flag_set and *pfd (-1: none) get what was
 * given. */
int cli_switch_and_pfd(int argc, char **argv, const char *flag, bool *flag_set, int *pfd,
		       const char *usage);

#endif
