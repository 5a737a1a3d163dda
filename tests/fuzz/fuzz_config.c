/* The INI config parser on any text: it either applies every line or stops
 * with a usage error naming the line; whatever it keeps stays in range. */
#include "fuzz.h"

#include "paydesk/config.h"
#include "paydesk/error.h"

static void cf_warn(void *ctx, const char *message)
{
	FUZZ_CHECK(message && strlen(message) < 512);
	(*(int *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct config cfg;
	config_init(&cfg);
	struct pd_error err = {0};
	int warnings = 0;
	int rc = config_parse(&cfg, text, "fuzz.conf", cf_warn, &warnings, &err);
	FUZZ_CHECK(rc == PD_OK || rc == PD_ERR_USAGE);
	if (rc)
		FUZZ_CHECK(strncmp(err.msg, "fuzz.conf:", 10) == 0);
	FUZZ_CHECK(cfg.theme && *cfg.theme && cfg.api_base && cfg.timezone);
	FUZZ_CHECK(strlen(cfg.currency) == 3);
	for (int i = 0; i < 3; i++)
		FUZZ_CHECK(cfg.currency[i] >= 'a' && cfg.currency[i] <= 'z');
	FUZZ_CHECK(cfg.connect_timeout >= 1 && cfg.connect_timeout <= 120);
	FUZZ_CHECK(cfg.request_timeout >= 1 && cfg.request_timeout <= 600);
	FUZZ_CHECK(cfg.max_retries >= 0 && cfg.max_retries <= 10);
	/* A second pass over the same text gives the same answer. */
	struct config again;
	config_init(&again);
	struct pd_error err2 = {0};
	FUZZ_CHECK(config_parse(&again, text, "fuzz.conf", NULL, NULL, &err2) == rc);
	FUZZ_CHECK(strcmp(err.msg, err2.msg) == 0);
	config_free(&again);
	config_free(&cfg);
	free(text);
	return 0;
}
