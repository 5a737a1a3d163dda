/* Settings from the INI config file and the environment.
 *
 * Precedence, lowest first: built-in defaults, the config file
 * ($XDG_CONFIG_HOME/paydesk/config or --config PATH), environment variables
 * (PAYDESK_API_BASE, PAYDESK_THEME, PAYDESK_CURRENCY, PAYDESK_TIMEZONE,
 * PAYDESK_LOG_LEVEL), then command-line options (applied by main). */
#ifndef PAYDESK_CONFIG_H
#define PAYDESK_CONFIG_H

#include <stdbool.h>

#include "paydesk/error.h"
#include "paydesk/log.h"

struct config {
	char *theme;          /* theme name or path to a .theme file */
	char *api_base;       /* Stripe API base URL, see api_base.h */
	char currency[4];     /* default currency, lowercase ISO 4217 */
	char *timezone;       /* IANA zone name, or "local" */
	enum log_level log_level;
	int connect_timeout;  /* seconds, [stripe] connect_timeout */
	int request_timeout;  /* seconds, [stripe] timeout */
	int max_retries;      /* [stripe] max_retries */
	int idle_lock_seconds; /* [ui] idle_lock: lock the screen after this idle time, 0 never */
	int backup_keep;      /* [backup] keep: the newest N backups kept in a directory */
	char *desk_key_path;  /* [vault] desk_key: this desk's key file; NULL: the default */
	bool history_sync_at_start; /* [history] sync_at_start: sync in the background once
				     * the vault opens, not only when the History tab does */
};

/* Called for each warning (unknown key, repeated key): "file:line: text". */
typedef void (*config_warn_fn)(void *ctx, const char *message);

/* Fill cfg with the built-in defaults (heap strings owned by cfg). */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/* Apply the INI text to cfg. origin names the file in messages. A bad line
 * stops parsing with PD_ERR_USAGE and "origin:line: what is wrong (allowed: …)". */
int config_parse(struct config *cfg, const char *text, const char *origin, config_warn_fn warn,
		 void *warn_ctx, struct pd_error *err);

/* Read and apply the file at path. A missing file is fine unless must_exist. */
int config_load(struct config *cfg, const char *path, bool must_exist, config_warn_fn warn,
		void *warn_ctx, struct pd_error *err);

/* Apply PAYDESK_* environment overrides, validated like file values. */
int config_apply_env(struct config *cfg, struct pd_error *err);

/* Set one key ("theme", "stripe.timeout", …) from text, validated. origin
 * prefixes error messages. Returns PD_ERR_NOT_FOUND for an unknown key. */
int config_set(struct config *cfg, const char *key, const char *value, const char *origin,
	       struct pd_error *err);

#endif
