#include "paydesk/instances.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paydesk/log.h"

/* One registration per database file (by device and inode) per process:
 * flock locks belong to an open file description, so a second descriptor of
 * ours would count as another process. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	dev_t dev;
	ino_t ino;
	int fd;
} held[16];
static size_t nheld;

static int sidecar_path(const char *db_path, char *out, size_t len)
{
	int n = snprintf(out, len, "%s-instances", db_path);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int find(const struct stat *st)
{
	for (size_t i = 0; i < nheld; i++)
		if (held[i].dev == st->st_dev && held[i].ino == st->st_ino)
			return (int)i;
	return -1;
}

void db_instance_register(const char *path)
{
	struct stat st;
	char side[4096];
	if (!path || stat(path, &st) != 0 || sidecar_path(path, side, sizeof side))
		return;
	pthread_mutex_lock(&lock);
	if (find(&st) < 0 && nheld < sizeof held / sizeof held[0]) {
		int fd = open(side, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		/* Blocking: another process may hold it exclusively for an instant
		 * while it checks whether it is alone. */
		if (fd >= 0 && flock(fd, LOCK_SH) == 0) {
			held[nheld].dev = st.st_dev;
			held[nheld].ino = st.st_ino;
			held[nheld++].fd = fd;
		} else {
			log_msg(LOG_WARN, "cannot register on %s: %s (another desk's work in flight "
					  "cannot be told from a crash's)",
				side, strerror(errno));
			if (fd >= 0)
				close(fd);
		}
	}
	pthread_mutex_unlock(&lock);
}

bool db_instance_alone(sqlite3 *db)
{
	const char *path = sqlite3_db_filename(db, "main");
	struct stat st;
	char side[4096];
	if (!path || !*path || stat(path, &st) != 0 || sidecar_path(path, side, sizeof side))
		return true; /* an in-memory or vanished database has no one else */
	bool alone = false;
	pthread_mutex_lock(&lock);
	int i = find(&st);
	if (i >= 0) {
		/* Shared → exclusive succeeds only when no one else holds it. The
		 * conversion drops the shared lock first (Linux), so two desks
		 * checking at once could each see the other gone: checks take
		 * turns on a second file. A failed conversion may lose the shared
		 * lock, so it is taken again either way. */
		char turn[4112];
		snprintf(turn, sizeof turn, "%s-check", side);
		int tfd = open(turn, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (tfd >= 0 && flock(tfd, LOCK_EX) == 0) {
			alone = flock(held[i].fd, LOCK_EX | LOCK_NB) == 0;
			flock(held[i].fd, LOCK_SH);
		}
		if (tfd >= 0)
			close(tfd); /* releases the turn */
	} else {
		int fd = open(side, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		alone = fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0;
		if (fd >= 0)
			close(fd);
	}
	pthread_mutex_unlock(&lock);
	return alone;
}
