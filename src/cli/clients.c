/* `paydesk clients import FILE.csv [--atomic] [--dry-run]` and
 * `paydesk clients export [--output FILE]`: moving a client list from or to
 * another system. Exit 0 all good, 1 some rows rejected (or an atomic
 * import aborted, or a runtime error), 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paydesk/audit_events.h"
#include "paydesk/cli.h"
#include "paydesk/clients_import.h"
#include "paydesk/file_replace.h"
#include "paydesk/sanitize.h"

#define IMPORT_MAX_BYTES (64L * 1024 * 1024)

static void usage(FILE *out)
{
	fputs("usage: paydesk clients import FILE.csv [--atomic] [--dry-run]\n"
	      "       paydesk clients export [--output FILE [--replace]]\n"
	      "The CSV has a header row naming its columns (name, email, phone, notes, in any\n"
	      "order); a row with the email of an existing client updates that client.\n"
	      "--atomic saves nothing if any row is rejected; --dry-run saves nothing.\n",
	      out);
}

static void print_note(void *ctx, long line, const char *message)
{
	char clean[700];
	sanitize_text(message, clean, sizeof clean);
	fprintf(ctx, "line %ld: %s\n", line, clean);
}

static int read_file(const char *path, char **data, size_t *len, struct pd_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return pd_error_set(err, PD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int rc = buf ? PD_OK : pd_error_set(err, PD_ERR, "out of memory");
	while (!rc) {
		if (n == cap) {
			if (cap >= (size_t)IMPORT_MAX_BYTES) {
				rc = pd_error_set(err, PD_ERR_USAGE, "%s is larger than 64 MiB", path);
				break;
			}
			char *g = realloc(buf, cap * 2);
			if (!g) {
				rc = pd_error_set(err, PD_ERR, "out of memory");
				break;
			}
			buf = g;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				rc = pd_error_set(err, PD_ERR_IO, "cannot read %s: %s", path,
						  strerror(errno));
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return PD_OK;
}

static int run_import(struct app *app, int argc, char **argv)
{
	enum { O_ATOMIC = 256, O_DRY, O_HELP };
	static const struct option opts[] = {
		{"atomic", no_argument, NULL, O_ATOMIC},
		{"dry-run", no_argument, NULL, O_DRY},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	bool atomic = false, dry = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_ATOMIC: atomic = true; break;
		case O_DRY: dry = true; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	char *data = NULL;
	size_t len = 0;
	int rc = read_file(argv[optind], &data, &len, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	struct clients_import_report rep;
	rc = clients_import_csv(app->db, data, len, atomic, dry, print_note, stdout, &rep, &err);
	free(data);
	if (rc)
		return cli_fail(rc == PD_ERR_USAGE ? PD_ERR : rc, err.msg);
	if (rep.aborted)
		printf("nothing imported: --atomic and %d row%s rejected\n", rep.rejected,
		       rep.rejected == 1 ? " was" : "s were");
	printf("%simported %d, updated %d, rejected %d%s\n", dry ? "dry run: " : "", rep.imported,
	       rep.updated, rep.rejected, dry ? " (nothing was saved)" : "");
	return rep.rejected > 0 ? 1 : 0;
}

static int fill_buf(FILE *out, void *ctx, struct pd_error *err)
{
	const struct csv_buf *b = ctx;
	if (fwrite(b->data, 1, b->len, out) != b->len)
		return pd_error_set(err, PD_ERR_IO, "cannot write the export: %s", strerror(errno));
	return PD_OK;
}

static int run_export(struct app *app, int argc, char **argv)
{
	enum { O_OUTPUT = 256, O_REPLACE, O_HELP };
	static const struct option opts[] = {
		{"output", required_argument, NULL, O_OUTPUT},
		{"replace", no_argument, NULL, O_REPLACE},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	bool replace = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
		case O_OUTPUT: path = optarg; break;
		case O_REPLACE: replace = true; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (replace && !path)) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	struct csv_buf buf = {0};
	int rc = clients_export_csv(app->db, &buf, &err);
	if (rc) {
		csv_buf_free(&buf);
		return cli_fail(rc, err.msg);
	}
	int status = 0;
	if (!path) {
		if (fwrite(buf.data, 1, buf.len, stdout) != buf.len || fflush(stdout) != 0)
			status = cli_fail(PD_ERR_IO, "cannot write to standard output");
	} else {
		/* Client details are personal data: 0600, whole or not at all, and
		 * never over an earlier file unless --replace. */
		rc = replace ? file_replace(path, fill_buf, &buf, &err)
			     : file_write_new(path, fill_buf, &buf, &err);
		if (rc)
			status = cli_fail(rc, err.msg);
	}
	csv_buf_free(&buf);
	if (!status) {
		sqlite3_int64 n = 0;
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(app->db, "SELECT count(*) FROM clients", -1, &st, NULL) ==
		    SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				n = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		if (audit_event_export(app->db, NULL, "clients", (long)n, "clients", path, &err))
			status = cli_fail(err.code, err.msg);
	}
	return status;
}

static int run(struct app *app, int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "import") == 0)
		return run_import(app, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return run_export(app, argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}

const struct cli_command cli_clients = {
	.name = "clients",
	.summary = "import clients from CSV (--atomic, --dry-run) or export them",
	.run = run,
};
