#include "paydesk/app.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/number.h"
#include "paydesk/paths.h"
#include "paydesk/tz.h"
#include "paydesk/vault.h"

static void warn_config(void *ctx, const char *message)
{
	(void)ctx;
	fprintf(stderr, "paydesk: warning: %s\n", message);
	log_msg(LOG_WARN, "config: %s", message);
}

/* An upgrade that copies a large billing history takes a while before
 * the first screen (schema 39: 18.5 s at 1M records, 4 min 40 s at 10M):
 * a person at a terminal is told why nothing shows yet and for about how
 * long, then every 15 s that it still goes on (upgrade_tick); cron stays
 * quiet (the log says each step). ASCII: the locale may not be UTF-8. */
static void upgrade_notice(int from, int to, int64_t records, int64_t seconds)
{
	log_msg(LOG_INFO,
		"upgrading the database from schema %d to %d (%" PRId64 " billing records, about %" PRId64
		" s)",
		from, to, records, seconds);
	if (!isatty(STDERR_FILENO))
		return;
	char size[64] = "", wait[48] = "", n[32];
	if (records > 0)
		snprintf(size, sizeof size, "; %s billing records",
			 number_grouped(records, n, sizeof n));
	if (seconds >= 90)
		snprintf(wait, sizeof wait, "about %" PRId64 " minutes", (seconds + 59) / 60);
	else if (seconds >= 5)
		snprintf(wait, sizeof wait, "about %" PRId64 " s", seconds);
	/* the wait on a line of its own: on one they passed 80 columns and
	 * the terminal wrapped them mid-word ("ab / out 14 s") */
	if (wait[0])
		fprintf(stderr,
			"paydesk: upgrading the database (schema %d to %d%s)\n"
			"paydesk: this takes %s...\n",
			from, to, size, wait);
	else
		fprintf(stderr, "paydesk: upgrading the database (schema %d to %d%s)...\n", from,
			to, size);
}

/* Every 15 s of a long upgrade: it is still going (minutes at 10M records
 * would otherwise look like a hang). */
static void upgrade_tick(int64_t elapsed_ms)
{
	if (!isatty(STDERR_FILENO))
		return;
	int64_t s = elapsed_ms / 1000;
	if (s >= 60)
		fprintf(stderr, "paydesk: still upgrading (%" PRId64 " min %02" PRId64 " s)...\n",
			s / 60, s % 60);
	else
		fprintf(stderr, "paydesk: still upgrading (%" PRId64 " s)...\n", s);
}

int app_open(struct app *app, const struct app_options *opt, struct pd_error *err)
{
	memset(app, 0, sizeof *app);
	config_init(&app->cfg);
	app->start_screen = opt->screen;
	app->config_path = opt->config_path ? strdup(opt->config_path) : paths_default_config();
	app->db_path = opt->db_path ? strdup(opt->db_path) : paths_default_db();
	app->log_path = paths_default_log();
	if (!app->db_path)
		return pd_error_set(err, PD_ERR_USAGE,
				    "no place for the database: set HOME or XDG_DATA_HOME, or use "
				    "--db PATH");

	int rc = PD_OK;
	if (app->config_path)
		rc = config_load(&app->cfg, app->config_path, opt->config_path != NULL,
				 warn_config, NULL, err);
	if (!rc)
		rc = config_apply_env(&app->cfg, err);
	if (!rc && opt->theme)
		rc = config_set(&app->cfg, "theme", opt->theme, "--theme", err);
	if (!rc)
		rc = tz_set(app->cfg.timezone, err); /* before any thread starts */
	if (rc)
		return rc;

	if (app->log_path) {
		struct pd_error lerr;
		/* A read-only home must not stop the front desk: run without a log. */
		if (log_open(app->log_path, app->cfg.log_level, &lerr))
			fprintf(stderr, "paydesk: warning: %s (continuing without a log)\n",
				lerr.msg);
	}
	log_msg(LOG_INFO, "paydesk %s starting, database %s", PAYDESK_VERSION, app->db_path);

	rc = vault_init(err);
	db_on_upgrade(upgrade_notice);
	db_on_upgrade_tick(upgrade_tick, 15000);
	if (!rc && !opt->no_db)
		rc = db_open(app->db_path, &app->db, err);
	if (rc)
		log_msg(LOG_ERROR, "%s", err->msg);
	return rc;
}

void app_close(struct app *app)
{
	vault_lock(&app->vault);
	db_close(&app->db);
	log_msg(LOG_INFO, "paydesk exiting");
	log_close();
	config_free(&app->cfg);
	free(app->db_path);
	free(app->config_path);
	free(app->log_path);
	memset(app, 0, sizeof *app);
}
