#include "cli_io.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "paydesk/audit_events.h"
#include "paydesk/auth.h"
#include "paydesk/cli.h"
#include "paydesk/desk.h"
#include "paydesk/number.h"
#include "paydesk/harden.h"
#include "paydesk/setup.h"
#include "paydesk/users.h"
#include "paydesk/vault.h"

#define SECRET_MAX 4096

char *cli_read_secret(int fd, const char *what, struct pd_error *err)
{
	char *buf = sodium_malloc(SECRET_MAX + 1);
	if (!buf) {
		pd_error_set(err, PD_ERR, "out of memory");
		return NULL;
	}
	size_t len = 0;
	/* Byte by byte: never read past the first line into someone else's data. */
	while (len < SECRET_MAX) {
		ssize_t n = read(fd, buf + len, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	size_t start = 0;
	while (isspace((unsigned char)buf[start]))
		start++;
	if (start)
		memmove(buf, buf + start, len - start + 1);
	if (!buf[0]) {
		sodium_free(buf);
		pd_error_set(err, PD_ERR_USAGE, "no %s given", what);
		return NULL;
	}
	return buf;
}

char *cli_prompt_secret(const char *prompt, struct pd_error *err)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		pd_error_set(err, PD_ERR_USAGE, "no terminal to ask the %s on", prompt);
		return NULL;
	}
	struct termios saved, quiet;
	bool echo_off = tcgetattr(fd, &saved) == 0;
	if (echo_off) {
		quiet = saved;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		quiet.c_lflag |= ECHONL;
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	dprintf(fd, "%s: ", prompt);
	char *secret = echo_off ? cli_read_secret(fd, prompt, err) : NULL;
	if (!echo_off)
		pd_error_set(err, PD_ERR_USAGE, "cannot turn echo off to ask the %s", prompt);
	else
		tcsetattr(fd, TCSAFLUSH, &saved);
	close(fd);
	return secret;
}

char *cli_passphrase(int fd, struct pd_error *err)
{
	if (fd >= 0)
		return cli_read_secret(fd, "passphrase", err);
	char *buf = harden_env_secret_claim("PAYDESK_PASSPHRASE"); /* taken at start-up */
	if ((!buf || !*buf) && isatty(STDIN_FILENO)) {
		/* A person at a terminal: asked, without echo, rather than sent to
		 * an environment variable that the shell history keeps. */
		vault_secret_free(&buf);
		return cli_prompt_secret("vault passphrase", err);
	}
	if (!buf || !*buf) {
		vault_secret_free(&buf);
		pd_error_set(err, PD_ERR_USAGE,
			     "give the vault passphrase with --passphrase-fd N or PAYDESK_PASSPHRASE");
		return NULL;
	}
	return buf;
}

int cli_parse_fd(const char *s)
{
	int64_t v;
	return number_parse(s, "a descriptor", 0, 1023, &v, NULL) == PD_OK ? (int)v : -1;
}

int cli_option_fd(const char *option, const char *arg, int *fd)
{
	char name[32];
	int64_t v;
	snprintf(name, sizeof name, "--%s", option);
	int rc = cli_number(arg, name, 0, 1023, &v);
	if (!rc)
		*fd = (int)v;
	return rc;
}

int cli_number(const char *text, const char *option, int64_t min, int64_t max, int64_t *out)
{
	struct pd_error err = {0};
	if (number_parse(text, option, min, max, out, &err) == PD_OK)
		return 0;
	return cli_fail(PD_ERR_USAGE, err.msg);
}

int cli_parse_id(const char *text, const char *what, const char *takes, int64_t *id,
		 struct pd_error *err)
{
	if (number_parse(text, what, 1, INT64_MAX, id, NULL) == PD_OK)
		return PD_OK;
	return pd_error_set(err, PD_ERR_USAGE, "%s takes %s, not '%.40s'", what, takes, text);
}

void cli_print_counts(FILE *out, int n, int failures, int warnings, int unknown)
{
	fprintf(out, "%d check%s, %d failing, %d warning%s, %d not checked\n", n, n == 1 ? "" : "s",
		failures, warnings, warnings == 1 ? "" : "s", unknown);
}

void cli_print_report(FILE *out, const struct verify_report *r, const char *mode, bool json,
		      const struct cli_desk_checks *desk)
{
	const struct cli_desk_checks none = {0};
	if (!desk)
		desk = &none;
	if (json) {
		json_t *rows = json_array();
		for (int i = 0; i < r->n; i++) {
			const struct verify_row *row = &r->rows[i];
			json_array_append_new(
				rows, json_pack("{s:s, s:s, s:s, s:s}", "check", row->label, "state",
						verify_state_name(row->state), "detail", row->detail,
						"fix", row->fix));
		}
		json_t *doc = json_pack("{s:s, s:s, s:s, s:b, s:i, s:i, s:i, s:o}", "account",
					r->account_id, "business", r->display_name, "mode", mode,
					"ok", r->failures == 0 && r->unknown == 0 && r->key_ok,
					"failures", r->failures, "warnings", r->warnings, "unchecked",
					r->unknown, "checks", rows);
		if (desk->n)
			json_object_set_new(doc, "desk_warnings", json_integer(desk->warnings));
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		fprintf(out, "%s\n", text ? text : "{}");
		free(text);
		json_decref(doc);
		return;
	}
	fprintf(out, "Stripe account %s%s%s (%s mode)\n", r->account_id[0] ? r->account_id : "?",
		r->display_name[0] ? " — " : "", r->display_name, mode);
	for (int i = 0; i < r->n; i++) {
		const struct verify_row *row = &r->rows[i];
		fprintf(out, "  %-4s  %-34s %s\n", verify_state_name(row->state), row->label,
			row->detail);
		if (row->fix[0])
			fprintf(out, "        -> %s\n", row->fix);
	}
	cli_print_counts(out, r->n + desk->n, r->failures + desk->failures,
			 r->warnings + desk->warnings, r->unknown + desk->unknown);
}

/* Who is asking: a signed-in admin, or the vault passphrase holder. */
int cli_authenticate(struct app *app, const char *as, int pin_fd, int pass_fd,
			struct session *who, struct pd_error *err)
{
	if (as) {
		char *pin = NULL;
		if (pin_fd >= 0) {
			pin = cli_read_secret(pin_fd, "PIN", err);
		} else {
			pin = harden_env_secret_claim("PAYDESK_PIN"); /* taken at start-up */
		}
		if (!pin && pin_fd < 0 && isatty(STDIN_FILENO)) {
			char prompt[160];
			snprintf(prompt, sizeof prompt, "%.120s's PIN", as);
			pin = cli_prompt_secret(prompt, err);
		}
		if (!pin)
			return pd_error_set(err, PD_ERR_USAGE,
					    "give %s's PIN with PAYDESK_PIN or --pin-fd N", as);
		struct user u;
		int rc = users_sign_in(app->db, as, pin, &u, err);
		vault_secret_free(&pin);
		audit_event_sign_in(app->db, as, NULL, rc, "command line");
		if (rc)
			return rc;
		*who = session_for(&u);
		return PD_OK;
	}
	char *pass = cli_passphrase(pass_fd, err);
	if (!pass)
		return pd_error_set(err, PD_ERR_USAGE,
				    "prove you are an admin: --as NAME with PAYDESK_PIN, or the "
				    "vault passphrase (PAYDESK_PASSPHRASE)");
	struct vault *v = NULL;
	int rc = vault_unlock(app->db, pass, &v, err);
	vault_secret_free(&pass);
	if (!rc) { /* kept for the command: its audit entries are keyed */
		vault_lock(&app->vault);
		app->vault = v;
		*who = session_system_admin();
		audit_event_vault_holder(app->db, who->name, sizeof who->name);
	}
	return rc;
}


int cli_vault_open(struct app *app, int pfd, struct vault **v, struct pd_error *err)
{
	*v = NULL;
	char *path = desk_key_path(&app->cfg);
	struct pd_error desk = {0};
	int rc = desk_unlock(app->db, path, v, &desk);
	free(path);
	if (!rc) { /* a passphrase given as well is not needed: not kept */
		char *unused = harden_env_secret_claim("PAYDESK_PASSPHRASE");
		vault_secret_free(&unused);
		return PD_OK;
	}
	bool told = rc != PD_ERR_NOT_FOUND; /* a key file that cannot be used: say why */
	bool have_pass = pfd >= 0 || harden_env_secret_waiting("PAYDESK_PASSPHRASE");
	if (told && have_pass)
		fprintf(stderr, "paydesk: warning: %s\n", desk.msg);
	if (told && !have_pass)
		return pd_error_set(err, rc, "%s", desk.msg);
	char *pass = cli_passphrase(pfd, err);
	if (!pass && pfd >= 0)
		return err->code ? err->code : PD_ERR_USAGE;
	if (!pass)
		return pd_error_set(err, PD_ERR_USAGE,
				    "this desk is not enrolled: give the vault passphrase with "
				    "--passphrase-fd N or PAYDESK_PASSPHRASE, or have an admin run "
				    "`paydesk desk enrol` here");
	rc = vault_unlock(app->db, pass, v, err);
	vault_secret_free(&pass);
	return rc;
}

/* Open the saved key and a client once s->vault is unlocked. */
static int stripe_open_key(struct cli_stripe *s, struct app *app, int rc, struct pd_error *err)
{
	if (!rc)
		rc = setup_open_key(app->db, s->vault, &s->key, err);
	struct stripe_client_opts o;
	stripe_client_opts_from_config(&o, &app->cfg);
	if (!rc)
		rc = stripe_client_new(&o, &s->client, err);
	return rc;
}

int cli_stripe_open(struct cli_stripe *s, struct app *app, int pfd, struct pd_error *err)
{
	memset(s, 0, sizeof *s);
	return stripe_open_key(s, app, cli_vault_open(app, pfd, &s->vault, err), err);
}

int cli_stripe_open_admin(struct cli_stripe *s, struct app *app, int pfd, struct pd_error *err)
{
	memset(s, 0, sizeof *s);
	char *pass = cli_passphrase(pfd, err);
	if (!pass)
		return err->code ? err->code : PD_ERR_USAGE;
	int rc = vault_unlock(app->db, pass, &s->vault, err);
	vault_secret_free(&pass);
	return stripe_open_key(s, app, rc, err);
}

void cli_stripe_close(struct cli_stripe *s)
{
	stripe_client_free(&s->client);
	vault_secret_free(&s->key);
	vault_lock(&s->vault);
}

int cli_switch_and_pfd(int argc, char **argv, const char *flag, bool *flag_set, int *pfd,
		       const char *usage)
{
	enum { O_FLAG = 256, O_PFD, O_HELP };
	struct option opts[4] = {
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
		{NULL, 0, NULL, 0},
	};
	if (flag)
		opts[2] = (struct option){flag, no_argument, NULL, O_FLAG};
	int c;
	*pfd = -1;
	if (flag_set)
		*flag_set = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int64_t fd;
		if (c == O_FLAG && flag_set) {
			*flag_set = true;
		} else if (c == O_HELP) {
			printf("usage: %s\n", usage);
			return CLI_HELP_SHOWN;
		} else if (c == O_PFD) {
			if (cli_number(optarg, "--passphrase-fd", 0, 1023, &fd))
				return 2;
			*pfd = (int)fd;
		} else {
			fprintf(stderr, "usage: %s\n", usage);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "usage: %s\n", usage);
		return 2;
	}
	return 0;
}
