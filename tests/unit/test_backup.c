/* The backup file format (round trip, damage found), which DEST is a host
 * for scp and which is refused, and the "last backup" line. */
#include "testutil.h"

#include <time.h>

#include "../../src/app/backup_file.h"
#include "paydesk/backup.h"

static void test_round_trip_and_damage(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *src = tu_path(dir, "db"), *bk = tu_path(dir, "b.backup"), *out = tu_path(dir, "out");
	FILE *f = fopen(src, "wb");
	for (int i = 0; i < 200000; i++)
		fprintf(f, "row %d of a database that compresses\n", i % 977);
	fclose(f);
	size_t srclen;
	unsigned char *orig = tu_read_file(src, &srclen);

	struct backup_header h = {.schema = 12, .created_at = 1765000000};
	FILE *in = fopen(src, "rb"), *w = fopen(bk, "w+b");
	struct pd_error err = {0};
	assert_int_equal(backup_file_write(w, in, &h, &err), PD_OK);
	fclose(in);
	fclose(w);
	assert_int_equal(h.db_bytes, (int64_t)srclen);
	assert_true(h.payload_bytes < h.db_bytes / 4);

	struct backup_header r;
	FILE *sink = fopen(out, "wb");
	assert_int_equal(backup_file_read(bk, sink, &r, &err), PD_OK);
	fclose(sink);
	assert_int_equal(r.schema, 12);
	assert_int_equal(r.created_at, 1765000000);
	size_t outlen;
	unsigned char *back = tu_read_file(out, &outlen);
	assert_int_equal(outlen, srclen);
	assert_memory_equal(back, orig, srclen);

	/* One bit anywhere (the payload, the header's date) is found. */
	size_t bklen;
	unsigned char *file = tu_read_file(bk, &bklen);
	size_t spots[] = {BACKUP_HEADER_BYTES + 10, bklen / 2, bklen - 1, 17};
	for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
		file[spots[i]] ^= 0x01;
		FILE *g = fopen(bk, "wb");
		fwrite(file, 1, bklen, g);
		fclose(g);
		assert_int_equal(backup_file_read(bk, NULL, &r, &err), PD_ERR_TAMPERED);
		assert_non_null(strstr(err.msg, "is damaged"));
		file[spots[i]] ^= 0x01;
	}
	FILE *g = fopen(bk, "wb");
	fwrite(file, 1, bklen - 1000, g); /* cut short */
	fclose(g);
	assert_int_equal(backup_file_read(bk, NULL, &r, &err), PD_ERR_TAMPERED);
	tu_write_file(bk, "SQLite format 3\n not a backup at all, but long enough to read a header "
			  "from it and then some more bytes");
	assert_int_equal(backup_file_read(bk, NULL, &r, &err), PD_ERR_NOT_PAYDESK);
	free(file);
	free(back);
	free(orig);
	free(src);
	free(bk);
	free(out);
	tu_rm_rf(dir);
	free(dir);
}

static void test_destinations(void **state)
{
	(void)state;
	assert_true(backup_dest_is_remote("nas:backups"));
	assert_true(backup_dest_is_remote("me@nas:"));
	assert_false(backup_dest_is_remote("/mnt/usb"));
	assert_false(backup_dest_is_remote("./odd:name"));
	assert_false(backup_dest_is_remote(":nohost"));
	struct pd_error err;
	const char *good[] = {"nas:backups", "me@nas.local:/srv/pd/", "nas:", "n-1:~/b+k"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(backup_check_remote(good[i], &err), PD_OK);
	const char *bad[] = {"-o:x", "nas:-oProxyCommand=x", "nas:$(id)", "nas:a b", "n;s:x",
			     "@nas:x", "m e@nas:x", "nas:a'b", "-me@nas:x", "me@-nas:x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(backup_check_remote(bad[i], &err), PD_ERR_USAGE);
}

static void test_last_backup_line(void **state)
{
	(void)state;
	char line[160];
	int64_t now = 1765000000;
	assert_true(backup_describe_last(0, now, line, sizeof line));
	assert_non_null(strstr(line, "never made"));
	assert_false(backup_describe_last(now - 600, now, line, sizeof line));
	assert_non_null(strstr(line, "(10 min ago)"));
	assert_false(backup_describe_last(now - 23 * 3600, now, line, sizeof line));
	assert_true(backup_describe_last(now - 25 * 3600, now, line, sizeof line));
	assert_non_null(strstr(line, "older than a day"));
	assert_true(backup_describe_last(now - 3 * 86400, now, line, sizeof line));
	assert_non_null(strstr(line, "(3 days ago)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_damage),
		cmocka_unit_test(test_destinations),
		cmocka_unit_test(test_last_backup_line),
	};
	return cmocka_run_group_tests_name("backup", tests, NULL, NULL);
}
