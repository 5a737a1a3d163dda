/* Shared by `paydesk plans` and `paydesk subscriptions`: the headless admin
 * with the vault unlocked, the key opened and a Stripe client. */
#ifndef PAYDESK_PLANS_CLI_H
#define PAYDESK_PLANS_CLI_H

#include "paydesk/app.h"
#include "paydesk/payments.h"

struct stripe_cli {
	struct vault *vault;
	char *key;
	struct stripe_client *client;
	struct session who;
	struct pay_env env;
};

/* Unlock with the passphrase (--passphrase-fd pfd, else PAYDESK_PASSPHRASE). */
int stripe_cli_open(struct stripe_cli *s, struct app *app, int pfd, struct pd_error *err);
/* Signed in already (--as NAME with a PIN): this desk's key file opens the
 * vault when it is enrolled, else the passphrase as above. */
int stripe_cli_open_as(struct stripe_cli *s, struct app *app, const struct session *who, int pfd,
		       struct pd_error *err);
void stripe_cli_close(struct stripe_cli *s);

#endif
