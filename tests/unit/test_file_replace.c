/* Export files: written whole with mode 0600, or not at all — a failing
 * writer leaves the old file as it was and no temp file behind. */
#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>

#include "paydesk/file_replace.h"

static int fill_text(FILE *out, void *ctx, struct pd_error *err)
{
	(void)err;
	return fputs(ctx, out) < 0 ? PD_ERR_IO : 0;
}

static int fill_then_fail(FILE *out, void *ctx, struct pd_error *err)
{
	fputs(ctx, out);
	return pd_error_set(err, PD_ERR_IO, "the store went away");
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_whole_or_nothing(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "export.csv");
	struct pd_error err = {0};
	assert_int_equal(file_replace(path, fill_text, "a,b\r\n1,2\r\n", &err), 0);
	size_t len;
	unsigned char *got = tu_read_file(path, &len);
	assert_string_equal((char *)got, "a,b\r\n1,2\r\n");
	free(got);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(file_replace(path, fill_then_fail, "half", &err), PD_ERR_IO);
	assert_string_equal(err.msg, "the store went away");
	got = tu_read_file(path, &len);
	assert_string_equal((char *)got, "a,b\r\n1,2\r\n"); /* the old one, untouched */
	free(got);
	assert_int_equal(entries(dir), 1); /* no temp file left */

	assert_int_equal(file_replace("", fill_text, "x", &err), PD_ERR_USAGE);
	char *nowhere = tu_path(dir, "no-such-dir/export.csv");
	assert_int_equal(file_replace(nowhere, fill_text, "x", &err), PD_ERR_IO);
	assert_non_null(strstr(err.msg, "cannot write"));
	free(nowhere);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

/* An export never replaces an earlier file unless asked; the default name
 * moves on to name-2.csv, name-3.csv. */
static void test_new_file_keeps_an_existing_one(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "paydesk-history-20260301.csv");
	struct pd_error err = {0};
	char *name = file_free_name(path);
	assert_string_equal(name, path);
	free(name);
	assert_int_equal(file_write_new(path, fill_text, "first\r\n", &err), 0);
	assert_int_equal(file_write_new(path, fill_text, "second\r\n", &err), PD_ERR_EXISTS);
	assert_non_null(strstr(err.msg, "already exists"));
	size_t len;
	unsigned char *got = tu_read_file(path, &len);
	assert_string_equal((char *)got, "first\r\n");
	free(got);
	assert_int_equal(entries(dir), 1); /* no temp file left */
	name = file_free_name(path);
	char *want = tu_path(dir, "paydesk-history-20260301-2.csv");
	assert_string_equal(name, want);
	assert_int_equal(file_write_new(name, fill_text, "second\r\n", &err), 0);
	free(name);
	free(want);
	name = file_free_name(path);
	want = tu_path(dir, "paydesk-history-20260301-3.csv");
	assert_string_equal(name, want);
	free(name);
	free(want);
	assert_int_equal(file_replace(path, fill_text, "replaced\r\n", &err), 0);
	got = tu_read_file(path, &len);
	assert_string_equal((char *)got, "replaced\r\n");
	free(got);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file_keeps_an_existing_one),
		cmocka_unit_test(test_whole_or_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
