/* Config: defaults, every key, each kind of bad line with its line number,
 * warnings for unknown and repeated keys, env overrides. */
#include "testutil.h"

#include "paydesk/config.h"

struct warnings {
	int count;
	char last[512];
};

static void collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;
	w->count++;
	snprintf(w->last, sizeof w->last, "%s", msg);
}

static int parse(struct config *cfg, const char *text, struct warnings *w, struct pd_error *err)
{
	config_init(cfg);
	return config_parse(cfg, text, "cfg", collect, w, err);
}

static void test_defaults(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	assert_string_equal(cfg.theme, "default");
	assert_string_equal(cfg.api_base, "https://api.stripe.com");
	assert_string_equal(cfg.currency, "usd");
	assert_string_equal(cfg.timezone, "local");
	assert_int_equal(cfg.log_level, LOG_INFO);
	config_free(&cfg);
}

static void test_all_keys(void **state)
{
	(void)state;
	struct config cfg;
	struct warnings w = {0};
	struct pd_error err = {0};
	const char *text = "# paydesk config\n"
			   "; another comment\n"
			   "\n"
			   "theme = dark\n"
			   "api_base = http://127.0.0.1:12111\n"
			   "currency = EUR\n"
			   "timezone = UTC\n"
			   "log_level = \"debug\"\n"
			   "[stripe]\n"
			   "connect_timeout = 5\n"
			   "timeout=30\n"
			   "  max_retries   =   2  \n"
			   "[ui]\n"
			   "idle_lock = 90s\n"
			   "[vault]\n"
			   "desk_key = /etc/paydesk/front.key\n"
			   "[history]\n"
			   "sync_at_start = on\n";
	assert_int_equal(parse(&cfg, text, &w, &err), 0);
	assert_int_equal(w.count, 0);
	assert_string_equal(cfg.theme, "dark");
	assert_string_equal(cfg.api_base, "http://127.0.0.1:12111");
	assert_string_equal(cfg.currency, "eur");
	assert_string_equal(cfg.timezone, "UTC");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.connect_timeout, 5);
	assert_int_equal(cfg.request_timeout, 30);
	assert_int_equal(cfg.max_retries, 2);
	assert_int_equal(cfg.idle_lock_seconds, 90);
	assert_string_equal(cfg.desk_key_path, "/etc/paydesk/front.key");
	assert_true(cfg.history_sync_at_start);
	config_free(&cfg);
	config_init(&cfg);
	assert_null(cfg.desk_key_path); /* the default: beside the config */
	assert_false(cfg.history_sync_at_start); /* the History tab syncs when it opens */
	assert_int_equal(config_parse(&cfg, "[history]\nsync_at_start = Yes\n", "cfg", NULL, NULL,
				      &err), 0);
	assert_true(cfg.history_sync_at_start);
	assert_int_equal(config_parse(&cfg, "[history]\nsync_at_start = off\n", "cfg", NULL, NULL,
				      &err), 0);
	assert_false(cfg.history_sync_at_start);
	assert_int_equal(cfg.idle_lock_seconds, 600);
	assert_int_equal(config_parse(&cfg, "[ui]\nidle_lock = 15\n", "cfg", NULL, NULL, &err), 0);
	assert_int_equal(cfg.idle_lock_seconds, 900); /* a bare number is minutes */
	assert_int_equal(config_parse(&cfg, "[ui]\nidle_lock = 0\n", "cfg", NULL, NULL, &err), 0);
	assert_int_equal(cfg.idle_lock_seconds, 0);
	config_free(&cfg);
}

/* Each bad line: its message, with the file and line number. */
static void test_bad_lines(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{"theme = dark\nthis line has no equals\n", "cfg:2: expected 'key = value'"},
		{"\n\n[stripe\n", "cfg:3: malformed section header"},
		{"= value\n", "cfg:1: missing key before '='"},
		{"log_level = verbose\n", "cfg:1: bad value 'verbose' for log_level (allowed: error, warn, info, debug)"},
		{"currency = dollars\n", "cfg:1: bad value 'dollars' for currency (allowed: a three-letter"},
		{"currency = u1d\n", "cfg:1: bad value 'u1d' for currency"},
		{"timezone = Mars/Olympus\n", "cfg:1: unknown time zone 'Mars/Olympus' for timezone"},
		{"timezone = ../../etc/passwd\n", "cfg:1: unknown time zone"},
		{"api_base = http://api.example.com\n", "cfg:1: api_base 'http://api.example.com' uses plain http to another machine"},
		{"api_base = ftp://x\n", "cfg:1: api_base 'ftp://x' is not a URL"},
		{"api_base = https://user@evil.example\n", "cfg:1: api_base"},
		{"[stripe]\ntimeout = 0\n", "cfg:2: bad value '0' for stripe.timeout (allowed: a whole number from 1 to 600)"},
		{"[stripe]\nmax_retries = many\n", "cfg:2: bad value 'many' for stripe.max_retries"},
		{"[stripe]\nconnect_timeout = 10s\n", "cfg:2: bad value '10s'"},
		{"theme =\n", "cfg:1: empty value for theme"},
		{"[ui]\nidle_lock = 25h\n", "cfg:2: bad value '25h' for ui.idle_lock (allowed: a duration"},
		{"[ui]\nidle_lock = soon\n", "cfg:2: bad value 'soon' for ui.idle_lock"},
		{"[ui]\nidle_lock = 5d\n", "cfg:2: bad value '5d' for ui.idle_lock"},
		{"[history]\nsync_at_start = sometimes\n", "cfg:2: bad value 'sometimes' for history.sync_at_start (allowed: on or off)"},
		{"[vault]\ndesk_key = desk.key\n", "cfg:2: bad value 'desk.key' for vault.desk_key (allowed: an absolute path"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config cfg;
		struct warnings w = {0};
		struct pd_error err = {0};
		int rc = parse(&cfg, cases[i].text, &w, &err);
		if (rc != PD_ERR_USAGE || strncmp(err.msg, cases[i].expect, strlen(cases[i].expect)) != 0)
			fail_msg("case %zu: rc %d, message '%s', expected '%s'", i, rc, err.msg, cases[i].expect);
		config_free(&cfg);
	}
}

static void test_warnings(void **state)
{
	(void)state;
	struct config cfg;
	struct warnings w = {0};
	struct pd_error err = {0};
	assert_int_equal(parse(&cfg, "colour = red\n", &w, &err), 0);
	assert_int_equal(w.count, 1);
	assert_string_equal(w.last, "cfg:1: unknown key 'colour' (ignored)");
	config_free(&cfg);

	w.count = 0;
	assert_int_equal(parse(&cfg, "theme = dark\ntheme = light\n", &w, &err), 0);
	assert_int_equal(w.count, 1);
	assert_string_equal(w.last, "cfg:2: 'theme' is set again; this later value wins");
	assert_string_equal(cfg.theme, "light");
	config_free(&cfg);

	w.count = 0;
	assert_int_equal(parse(&cfg, "[printer]\nmodel = x\n", &w, &err), 0);
	assert_int_equal(w.count, 2);
	assert_string_equal(w.last, "cfg:2: unknown key 'printer.model' (ignored)");
	config_free(&cfg);
}

static void test_load_file(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "config");
	struct config cfg;
	struct pd_error err = {0};
	config_init(&cfg);
	/* Missing is fine for the default path, an error when asked for by name. */
	assert_int_equal(config_load(&cfg, path, false, NULL, NULL, &err), 0);
	assert_int_equal(config_load(&cfg, path, true, NULL, NULL, &err), PD_ERR_IO);
	assert_non_null(strstr(err.msg, "cannot read config"));
	tu_write_file(path, "theme = mono\nlog_level = loud\n");
	assert_int_equal(config_load(&cfg, path, true, NULL, NULL, &err), PD_ERR_USAGE);
	char expect[600];
	snprintf(expect, sizeof expect, "%s:2: bad value 'loud' for log_level", path);
	assert_memory_equal(err.msg, expect, strlen(expect));
	config_free(&cfg);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

/* A config file has a size limit (1 MiB): a bigger one is refused naming
 * the file, not read until memory runs out (--config /dev/zero grew without
 * limit); exactly 1 MiB still loads. */
static void test_load_size_limit(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "config");
	size_t mib = 1 << 20;
	char *text = malloc(mib + 2);
	assert_non_null(text);
	for (size_t i = 0; i < mib; i += 64)
		memcpy(text + i, "# a comment line in a config file that is far too long ........\n", 64);
	text[mib] = '\0';
	struct config cfg;
	struct pd_error err = {0};
	config_init(&cfg);
	tu_write_file(path, text);
	assert_int_equal(config_load(&cfg, path, true, NULL, NULL, &err), PD_OK);
	strcpy(text + mib, "#");
	tu_write_file(path, text);
	assert_int_equal(config_load(&cfg, path, true, NULL, NULL, &err), PD_ERR_USAGE);
	char expect[600];
	snprintf(expect, sizeof expect, "config %s is larger than 1 MiB", path);
	assert_memory_equal(err.msg, expect, strlen(expect));
	assert_int_equal(config_load(&cfg, "/dev/zero", true, NULL, NULL, &err), PD_ERR_USAGE);
	assert_memory_equal(err.msg, "config /dev/zero is larger than 1 MiB", 37);
	config_free(&cfg);
	free(text);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

static void test_env_overrides(void **state)
{
	(void)state;
	struct config cfg;
	struct pd_error err = {0};
	config_init(&cfg);
	setenv("PAYDESK_API_BASE", "http://localhost:4242", 1);
	setenv("PAYDESK_CURRENCY", "gbp", 1);
	assert_int_equal(config_apply_env(&cfg, &err), 0);
	assert_string_equal(cfg.api_base, "http://localhost:4242");
	assert_string_equal(cfg.currency, "gbp");
	setenv("PAYDESK_API_BASE", "http://10.0.0.1", 1);
	assert_int_equal(config_apply_env(&cfg, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "PAYDESK_API_BASE: api_base"));
	unsetenv("PAYDESK_API_BASE");
	unsetenv("PAYDESK_CURRENCY");
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),   cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_bad_lines),  cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_load_file),  cmocka_unit_test(test_load_size_limit),
		cmocka_unit_test(test_env_overrides),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
