#include "paydesk/passphrase_job.h"

#include <stdio.h>
#include <stdlib.h>

#include "paydesk/users.h"
#include "paydesk/vault.h"

struct passphrase_change {
	char *old_pass, *new_pass; /* guarded memory */
	char actor[USER_NAME_MAX + 1];
};

static void change_free(void *arg)
{
	struct passphrase_change *c = arg;
	vault_secret_free(&c->old_pass);
	vault_secret_free(&c->new_pass);
	free(c);
}

static enum jobs_status change_run(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct passphrase_change *c = arg;
	struct pd_error err = {0};
	int rc = ctx->db ? vault_change_passphrase_as(ctx->db, c->old_pass, c->new_pass,
						      &VAULT_KDF_DEFAULT, c->actor, &err)
			 : pd_error_set(&err, PD_ERR, "no database on this worker");
	snprintf(result, size, "%s", rc ? err.msg : "passphrase changed");
	return rc ? JOBS_FAILED : JOBS_DONE;
}

uint64_t passphrase_job_submit(struct jobs *jobs, const char *old_pass, const char *new_pass,
			       const char *actor)
{
	struct passphrase_change *c = calloc(1, sizeof *c);
	if (!c)
		return 0;
	c->old_pass = vault_secret_dup(old_pass);
	c->new_pass = vault_secret_dup(new_pass);
	snprintf(c->actor, sizeof c->actor, "%s", actor ? actor : "");
	uint64_t id = c->old_pass && c->new_pass
			      ? jobs_submit(jobs, JOBS_INTERACTIVE, change_run, c, change_free)
			      : 0;
	if (!id)
		change_free(c);
	return id;
}
