/* `paydesk recover`: finish the Stripe calls a crash left in flight (the
 * TUI does the same at start once the vault is unlocked). Exit 0 when none
 * is left open. */
#include <stdio.h>

#include "cli_io.h"
#include "paydesk/audit_events.h"
#include "paydesk/cli.h"
#include "paydesk/packages.h"
#include "paydesk/users.h"
#include "paydesk/outbox.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/payments.h"
#include "paydesk/setup.h"
#include "paydesk/subscriptions.h"
#include "paydesk/vault.h"

static int run(struct app *app, int argc, char **argv)
{
	int pfd;
	int opts = cli_switch_and_pfd(argc, argv, NULL, NULL, &pfd,
				      "paydesk recover [--passphrase-fd N]");
	if (opts)
		return opts == CLI_HELP_SHOWN ? 0 : opts;
	struct pd_error err = {0};
	struct cli_stripe st;
	int rc = cli_stripe_open(&st, app, pfd, &err);
	struct outbox_resolution *list = NULL;
	size_t n = 0, open = 0;
	if (!rc)
		rc = outbox_recover(app->db, st.client, st.key, NULL, &list, &n, &err);
	for (size_t i = 0; !rc && i < n; i++) {
		bool still_open = list[i].after != OUTBOX_DONE && list[i].after != OUTBOX_FAILED;
		open += still_open;
		printf("#%lld %s %s: %s%s\n", (long long)list[i].id, list[i].method, list[i].path,
		       list[i].message ? list[i].message : "", still_open ? " (still open)" : "");
	}
	if (!rc)
		printf("%zu call%s looked at, %zu still open\n", n, n == 1 ? "" : "s", open);
	if (!rc) {
		char holder[USER_NAME_MAX + 1];
		audit_event_vault_holder(app->db, holder, sizeof holder);
		rc = audit_event_recovered(app->db, holder, list, n, &err);
	}
	/* The appointments those calls were for get their outcome. */
	size_t settled = 0, unsettled = 0;
	if (!rc) {
		struct pay_env env = {.db = app->db, .client = st.client, .key = st.key};
		rc = payments_recover(&env, &settled, &unsettled, &err);
	}
	if (!rc && (settled || unsettled))
		printf("%zu appointment payment%s recorded, %zu still open\n", settled,
		       settled == 1 ? "" : "s", unsettled);
	/* And the subscriptions they made or changed, into the local copy. */
	size_t subs = 0;
	if (!rc) {
		struct pay_env env = {.db = app->db, .client = st.client, .key = st.key};
		rc = subs_recover(&env, &subs, &err);
	}
	if (!rc && subs)
		printf("%zu subscription%s recorded\n", subs, subs == 1 ? "" : "s");
	/* And the package sales charged to a card. */
	size_t sales = 0;
	if (!rc) {
		struct pay_env env = {.db = app->db, .client = st.client, .key = st.key};
		rc = packages_recover(&env, &sales, &err);
	}
	if (!rc && sales)
		printf("%zu package sale%s recorded\n", sales, sales == 1 ? "" : "s");
	outbox_resolutions_free(&list, n);
	cli_stripe_close(&st);
	if (rc)
		return cli_fail(rc, err.msg);
	return open || unsettled ? 1 : 0;
}

const struct cli_command cli_recover = {
	.name = "recover",
	.summary = "finish the Stripe calls a crash left in flight (the TUI does it at start)",
	.run = run,
};
