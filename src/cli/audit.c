/* `paydesk audit verify`: walk the audit log's hash chain, say where it breaks. */
#include <stdio.h>
#include <string.h>

#include "paydesk/audit.h"
#include "paydesk/cli.h"

static int run(struct app *app, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "usage: paydesk audit verify\n");
		return 2;
	}
	int64_t broken = 0, entries = 0;
	struct pd_error err = {0};
	int rc = audit_verify(app->db, &broken, &entries, &err);
	if (rc == PD_ERR_TAMPERED) {
		printf("audit log: %lld entries intact, then broken at entry %lld\n",
		       (long long)entries, (long long)broken);
		return cli_fail(rc, err.msg);
	}
	if (rc)
		return cli_fail(rc, err.msg);
	printf("audit log: %lld entries, chain intact\n", (long long)entries);
	return 0;
}

const struct cli_command cli_audit = {
	.name = "audit",
	.summary = "audit verify: check the audit log's hash chain",
	.run = run,
};
