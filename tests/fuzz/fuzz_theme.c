/* The theme parser on any text: colours stay in range, attributes known. */
#include "fuzz.h"

#include "paydesk/error.h"
#include "paydesk/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct theme t;
	theme_mono(&t);
	struct pd_error err = {0};
	int rc = theme_parse(&t, text, "fuzz.theme", &err);
	FUZZ_CHECK(rc == PD_OK || rc == PD_ERR_USAGE);
	if (rc)
		FUZZ_CHECK(strncmp(err.msg, "fuzz.theme:", 11) == 0);
	const unsigned all = THEME_BOLD | THEME_UNDERLINE | THEME_REVERSE | THEME_DIM |
			     THEME_ITALIC | THEME_BLINK | THEME_STANDOUT;
	for (int i = 0; i < ROLE_COUNT; i++) {
		FUZZ_CHECK(t.role[i].fg >= THEME_COLOR_DEFAULT && t.role[i].fg <= 255);
		FUZZ_CHECK(t.role[i].bg >= THEME_COLOR_DEFAULT && t.role[i].bg <= 255);
		FUZZ_CHECK((t.role[i].attrs & ~all) == 0);
		FUZZ_CHECK(theme_role_name((enum theme_role)i)[0] != '?');
	}
	/* The compiled-in default always parses. */
	if (size == 0) {
		struct theme d;
		theme_mono(&d);
		FUZZ_CHECK(theme_parse(&d, theme_default_text, "default", &err) == PD_OK);
	}
	free(text);
	return 0;
}
