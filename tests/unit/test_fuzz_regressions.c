/* Replays every fuzz input kept in the tree — the regressions
 * (tests/fuzz/regressions/<target>/, inputs that once crashed) and the seed
 * corpora (tests/fuzz/corpus/<target>/) — through the very entry points the
 * libFuzzer targets use, compiled normally: a fixed bug that comes back is
 * caught by `make check` without clang. Each target file is included here
 * with LLVMFuzzerTestOneInput renamed; a property failure aborts. */
#include "testutil.h"

#include <dirent.h>

#define LLVMFuzzerTestOneInput fuzz_entry_stripe_json
#include "../fuzz/fuzz_stripe_json.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_stripe_form
#include "../fuzz/fuzz_stripe_form.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_money
#include "../fuzz/fuzz_money.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_config
#include "../fuzz/fuzz_config.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_theme
#include "../fuzz/fuzz_theme.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_sanitize
#include "../fuzz/fuzz_sanitize.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_textedit
#include "../fuzz/fuzz_textedit.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_csv
#include "../fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_history
#include "../fuzz/fuzz_history.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_json_scan
#include "../fuzz/fuzz_json_scan.c"
#undef LLVMFuzzerTestOneInput

static const struct fuzz_target {
	const char *name;
	int (*entry)(const uint8_t *data, size_t size);
} targets[] = {
	{"fuzz_stripe_json", fuzz_entry_stripe_json},
	{"fuzz_stripe_form", fuzz_entry_stripe_form},
	{"fuzz_money", fuzz_entry_money},
	{"fuzz_config", fuzz_entry_config},
	{"fuzz_theme", fuzz_entry_theme},
	{"fuzz_sanitize", fuzz_entry_sanitize},
	{"fuzz_textedit", fuzz_entry_textedit},
	{"fuzz_csv", fuzz_entry_csv},
	{"fuzz_history", fuzz_entry_history},
	{"fuzz_json_scan", fuzz_entry_json_scan},
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

static const char *fuzz_dir(void)
{
	const char *d = getenv("PAYDESK_FUZZ_DIR");
	return d && *d ? d : "tests/fuzz"; /* run_tests.py runs from the repository root */
}

/* Feed every file of dir to entry; returns how many, -1 when dir is missing. */
static int replay_dir(const char *dir, int (*entry)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *path = tu_path(dir, de->d_name);
		assert_non_null(path);
		size_t len = 0;
		unsigned char *data = tu_read_file(path, &len);
		if (data || len == 0) {
			/* Named on stdout first, so a crash points at its input. */
			printf("  replay %s (%zu bytes)\n", path, len);
			fflush(stdout);
			entry(data ? data : (const unsigned char *)"", len);
			n++;
		}
		free(data);
		free(path);
	}
	closedir(d);
	return n;
}

static void replay(void **state)
{
	const struct fuzz_target *t = *state;
	char corpus[512], regress[512];
	snprintf(corpus, sizeof corpus, "%s/corpus/%s", fuzz_dir(), t->name);
	snprintf(regress, sizeof regress, "%s/regressions/%s", fuzz_dir(), t->name);
	int seeds = replay_dir(corpus, t->entry);
	if (seeds < 1)
		fail_msg("%s: no seed corpus in %s", t->name, corpus);
	int kept = replay_dir(regress, t->entry); /* may not exist: nothing crashed yet */
	printf("  %s: %d seeds, %d regressions replayed\n", t->name, seeds, kept < 0 ? 0 : kept);
}

/* Every tests/fuzz/fuzz_*.c has a row above, so a new target is never skipped. */
static void every_target_listed(void **state)
{
	(void)state;
	DIR *d = opendir(fuzz_dir());
	assert_non_null(d);
	struct dirent *de;
	int found = 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (strncmp(de->d_name, "fuzz_", 5) != 0 || n < 3 || strcmp(de->d_name + n - 2, ".c"))
			continue;
		found++;
		bool listed = false;
		for (size_t i = 0; i < N_TARGETS; i++)
			listed |= strlen(targets[i].name) == n - 2 &&
				  strncmp(targets[i].name, de->d_name, n - 2) == 0;
		if (!listed)
			fail_msg("%s has no row in test_fuzz_regressions.c", de->d_name);
	}
	closedir(d);
	assert_int_equal(found, N_TARGETS);
}

int main(void)
{
	struct CMUnitTest tests[N_TARGETS + 1];
	tests[0] = (struct CMUnitTest)cmocka_unit_test(every_target_listed);
	for (size_t i = 0; i < N_TARGETS; i++)
		tests[i + 1] = (struct CMUnitTest){targets[i].name, replay, NULL, NULL,
						   (void *)&targets[i]};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
