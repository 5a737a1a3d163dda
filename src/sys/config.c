#include "paydesk/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "paydesk/money.h"
#include "paydesk/api_base.h"
#include "paydesk/sanitize.h"
#include "paydesk/text_file.h"

enum value_kind { VAL_THEME, VAL_URL, VAL_CURRENCY, VAL_TIMEZONE, VAL_LOG_LEVEL, VAL_INT,
		  VAL_DURATION, VAL_PATH, VAL_BOOL };

/* Every key paydesk understands: the parser, the env overrides and the
 * messages listing allowed values all read this one table. */
static const struct config_key {
	const char *name; /* "section.key", or "key" for the top level */
	enum value_kind kind;
	size_t offset;
	int min, max; /* VAL_INT only */
	const char *env;
} config_keys[] = {
	{"theme", VAL_THEME, offsetof(struct config, theme), 0, 0, "PAYDESK_THEME"},
	{"api_base", VAL_URL, offsetof(struct config, api_base), 0, 0, "PAYDESK_API_BASE"},
	{"currency", VAL_CURRENCY, offsetof(struct config, currency), 0, 0, "PAYDESK_CURRENCY"},
	{"timezone", VAL_TIMEZONE, offsetof(struct config, timezone), 0, 0, "PAYDESK_TIMEZONE"},
	{"log_level", VAL_LOG_LEVEL, offsetof(struct config, log_level), 0, 0, "PAYDESK_LOG_LEVEL"},
	{"stripe.connect_timeout", VAL_INT, offsetof(struct config, connect_timeout), 1, 120, NULL},
	{"stripe.timeout", VAL_INT, offsetof(struct config, request_timeout), 1, 600, NULL},
	{"stripe.max_retries", VAL_INT, offsetof(struct config, max_retries), 0, 10, NULL},
	{"ui.idle_lock", VAL_DURATION, offsetof(struct config, idle_lock_seconds), 0, 86400, NULL},
	{"backup.keep", VAL_INT, offsetof(struct config, backup_keep), 1, 10000, NULL},
	{"vault.desk_key", VAL_PATH, offsetof(struct config, desk_key_path), 0, 0, NULL},
	{"history.sync_at_start", VAL_BOOL, offsetof(struct config, history_sync_at_start), 0, 0,
	 NULL},
};

#define N_KEYS (sizeof config_keys / sizeof config_keys[0])

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->theme = strdup("default");
	cfg->api_base = strdup(API_BASE_DEFAULT);
	strcpy(cfg->currency, "usd");
	cfg->timezone = strdup("local");
	cfg->log_level = LOG_INFO;
	cfg->connect_timeout = 10;
	cfg->request_timeout = 60;
	cfg->max_retries = 4;
	cfg->idle_lock_seconds = 600;
	cfg->backup_keep = 14;
}

void config_free(struct config *cfg)
{
	free(cfg->theme);
	free(cfg->api_base);
	free(cfg->timezone);
	free(cfg->desk_key_path);
	memset(cfg, 0, sizeof *cfg);
}

static void replace_string(char **slot, const char *value)
{
	char *copy = strdup(value);
	if (copy) {
		free(*slot);
		*slot = copy;
	}
}

/* A zone is valid when tzdata has a file for it; "UTC" and "local" always are. */
static bool timezone_exists(const char *tz)
{
	if (strcmp(tz, "local") == 0 || strcmp(tz, "UTC") == 0)
		return true;
	if (tz[0] == '/' || strstr(tz, ".."))
		return false;
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	return access(path, R_OK) == 0;
}

static int set_value(struct config *cfg, const struct config_key *k, const char *value,
		     const char *where, struct pd_error *err)
{
	void *slot = (char *)cfg + k->offset;
	/* Values are short printable text: a control character, an escape
	 * sequence, invalid UTF-8 or a huge value is refused, not kept. */
	char *clean = sanitize_dup(value);
	bool printable = clean && strcmp(clean, value) == 0 && strlen(value) <= 4096;
	free(clean);
	if (!printable)
		return pd_error_set(err, PD_ERR_USAGE,
				    "%s: bad value for %s (control characters, invalid UTF-8 or "
				    "longer than 4096 bytes)",
				    where, k->name);
	switch (k->kind) {
	case VAL_THEME:
		if (!*value)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: empty value for %s (allowed: a theme name such as "
					    "default, dark, light, mono, high-contrast, or a path)",
					    where, k->name);
		replace_string(slot, value);
		return PD_OK;
	case VAL_URL: {
		struct pd_error uerr;
		if (api_base_check(value, &uerr))
			return pd_error_set(err, PD_ERR_USAGE, "%s: %s", where, uerr.msg);
		replace_string(slot, value);
		return PD_OK;
	}
	case VAL_CURRENCY: {
		char lower[4];
		struct pd_error cerr;
		if (money_currency_check(value, lower, &cerr))
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: bad value '%s' for %s (allowed: a three-letter "
					    "ISO 4217 code such as usd, eur, gbp, jpy)",
					    where, value, k->name);
		memcpy(slot, lower, 4);
		return PD_OK;
	}
	case VAL_TIMEZONE:
		if (!timezone_exists(value))
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: unknown time zone '%s' for %s (allowed: local, UTC, "
					    "or an IANA name such as Europe/Paris)",
					    where, value, k->name);
		replace_string(slot, value);
		return PD_OK;
	case VAL_LOG_LEVEL:
		if (log_level_parse(value, slot) != 0)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: bad value '%s' for %s (allowed: error, warn, info, "
					    "debug)",
					    where, value, k->name);
		return PD_OK;
	case VAL_DURATION: {
		/* "90s", "10m", "1h"; a bare number is minutes. 0 turns it off. */
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		long scale = *end == 's' ? 1 : *end == 'h' ? 3600 : 60;
		if (*end == 's' || *end == 'm' || *end == 'h')
			end++;
		if (!*value || *end || errno || v < 0 || v > k->max / scale)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: bad value '%s' for %s (allowed: a duration such as "
					    "90s, 10m or 1h, at most 24h; 0 turns it off)",
					    where, value, k->name);
		*(int *)slot = (int)(v * scale);
		return PD_OK;
	}
	case VAL_PATH:
		if (value[0] != '/')
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: bad value '%s' for %s (allowed: an absolute path, "
					    "such as /etc/paydesk/desk.key)",
					    where, value, k->name);
		replace_string(slot, value);
		return PD_OK;
	case VAL_BOOL: {
		static const char *const yes[] = {"on", "yes", "true", "1"}, *const no[] = {
			"off", "no", "false", "0"};
		for (int i = 0; i < 4; i++)
			if (strcasecmp(value, yes[i]) == 0 || strcasecmp(value, no[i]) == 0) {
				*(bool *)slot = strcasecmp(value, yes[i]) == 0;
				return PD_OK;
			}
		return pd_error_set(err, PD_ERR_USAGE,
				    "%s: bad value '%s' for %s (allowed: on or off)", where, value,
				    k->name);
	}
	case VAL_INT: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (!*value || *end || errno || v < k->min || v > k->max)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s: bad value '%s' for %s (allowed: a whole number "
					    "from %d to %d)",
					    where, value, k->name, k->min, k->max);
		*(int *)slot = (int)v;
		return PD_OK;
	}
	}
	return PD_ERR;
}

static const struct config_key *find_key(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

int config_set(struct config *cfg, const char *key, const char *value, const char *origin,
	       struct pd_error *err)
{
	const struct config_key *k = find_key(key);
	if (!k)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "%s: unknown key '%s'", origin, key);
	return set_value(cfg, k, value, origin, err);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static bool known_section(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < N_KEYS; i++)
		if (strncmp(config_keys[i].name, name, n) == 0 && config_keys[i].name[n] == '.')
			return true;
	return false;
}

static void warnf(config_warn_fn warn, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warnf(config_warn_fn warn, void *ctx, const char *fmt, ...)
{
	if (!warn)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(ctx, msg);
}

int config_parse(struct config *cfg, const char *text, const char *origin, config_warn_fn warn,
		 void *warn_ctx, struct pd_error *err)
{
	char *copy = strdup(text);
	if (!copy)
		return pd_error_set(err, PD_ERR, "out of memory");
	char section[64] = "";
	bool seen[N_KEYS] = {false};
	int rc = PD_OK, lineno = 0;
	char *save = NULL;
	/* strtok_r would skip empty lines and miscount: split by hand. */
	for (char *line = copy; line && rc == PD_OK; line = save) {
		lineno++;
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		char where[320];
		snprintf(where, sizeof where, "%s:%d", origin, lineno);
		char *s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || close[1] != '\0') {
				rc = pd_error_set(err, PD_ERR_USAGE,
						  "%s: malformed section header '%s' (write it as "
						  "[name])",
						  where, s);
				break;
			}
			*close = '\0';
			char *name = trim(s + 1);
			if (strlen(name) >= sizeof section) {
				rc = pd_error_set(err, PD_ERR_USAGE, "%s: section name too long",
						  where);
				break;
			}
			strcpy(section, name);
			if (*section && !known_section(section))
				warnf(warn, warn_ctx, "%s: unknown section [%s] (its keys are ignored)",
				      where, section);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = pd_error_set(err, PD_ERR_USAGE,
					  "%s: expected 'key = value', found '%s'", where, s);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		if (!*key) {
			rc = pd_error_set(err, PD_ERR_USAGE, "%s: missing key before '='", where);
			break;
		}
		char full[192];
		snprintf(full, sizeof full, "%s%s%s", section, *section ? "." : "", key);
		const struct config_key *k = find_key(full);
		if (!k) {
			warnf(warn, warn_ctx, "%s: unknown key '%s' (ignored)", where, full);
			continue;
		}
		size_t idx = (size_t)(k - config_keys);
		if (seen[idx])
			warnf(warn, warn_ctx, "%s: '%s' is set again; this later value wins", where,
			      full);
		seen[idx] = true;
		rc = set_value(cfg, k, value, where, err);
	}
	free(copy);
	return rc;
}

int config_load(struct config *cfg, const char *path, bool must_exist, config_warn_fn warn,
		void *warn_ctx, struct pd_error *err)
{
	char *text;
	int rc = text_file_read(path, "config", TEXT_FILE_MAX, &text, err);
	if (rc == PD_ERR_NOT_FOUND && !must_exist) {
		pd_error_clear(err); /* no config file: the defaults */
		return PD_OK;
	}
	if (rc == PD_ERR_NOT_FOUND && err)
		err->code = PD_ERR_IO; /* asked for by name: as any unreadable file */
	if (rc == PD_ERR_NOT_FOUND)
		return PD_ERR_IO;
	if (rc)
		return rc;
	rc = config_parse(cfg, text, path, warn, warn_ctx, err);
	free(text);
	return rc;
}

int config_apply_env(struct config *cfg, struct pd_error *err)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const char *v = config_keys[i].env ? getenv(config_keys[i].env) : NULL;
		if (!v)
			continue;
		int rc = set_value(cfg, &config_keys[i], v, config_keys[i].env, err);
		if (rc)
			return rc;
	}
	return PD_OK;
}
