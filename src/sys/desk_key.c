#include "paydesk/desk_key.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paydesk/paths.h"

/* One line: "paydesk-desk-key 1 VAULT-ID-HEX SLOT KEY-HEX". */
#define MAGIC "paydesk-desk-key 1 "
#define FILE_MAX 256

int desk_key_init(struct desk_key *k, struct pd_error *err)
{
	memset(k, 0, sizeof *k);
	k->key = sodium_malloc(DESK_KEY_BYTES);
	return k->key ? PD_OK : pd_error_set(err, PD_ERR, "out of memory");
}

void desk_key_clear(struct desk_key *k)
{
	if (k->key)
		sodium_free(k->key); /* zeroes before freeing */
	memset(k, 0, sizeof *k);
}

/* Whether the file behind fd is ours and private, as ssh asks of a key. */
static int check_private(int fd, const char *path, struct pd_error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return pd_error_set(err, PD_ERR_IO, "cannot read the desk key %s: %s", path,
				    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return pd_error_set(err, PD_ERR_FORBIDDEN, "the desk key %s is not a regular file",
				    path);
	if (st.st_uid != geteuid())
		return pd_error_set(err, PD_ERR_FORBIDDEN,
				    "the desk key %s belongs to another user: it is not used. "
				    "Run paydesk as its owner, or enrol this desk again",
				    path);
	if (st.st_mode & 0177)
		return pd_error_set(err, PD_ERR_FORBIDDEN,
				    "the desk key is readable by others (mode %04o), so it is not "
				    "used. Run: chmod 600 %s",
				    (unsigned)(st.st_mode & 07777), path);
	return PD_OK;
}

static int parse(const char *text, struct desk_key *k)
{
	if (strncmp(text, MAGIC, strlen(MAGIC)) != 0)
		return -1;
	const char *p = text + strlen(MAGIC);
	size_t got = 0;
	const char *end = NULL;
	if (sodium_hex2bin(k->vault_id, sizeof k->vault_id, p, strlen(p), NULL, &got, &end) ||
	    got != sizeof k->vault_id || *end != ' ')
		return -1;
	char *after = NULL;
	errno = 0;
	long long slot = strtoll(end + 1, &after, 10);
	if (errno || slot <= 0 || after == end + 1 || *after != ' ')
		return -1;
	k->slot = slot;
	p = after + 1;
	if (sodium_hex2bin(k->key, DESK_KEY_BYTES, p, strlen(p), NULL, &got, &end) ||
	    got != DESK_KEY_BYTES || (*end != '\n' && *end != '\0'))
		return -1;
	return 0;
}

int desk_key_read(const char *path, struct desk_key *k, struct pd_error *err)
{
	int rc = desk_key_init(k, err);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? pd_error_set(err, PD_ERR_NOT_FOUND,
						      "this desk is not enrolled (no %s)", path)
				       : pd_error_set(err, PD_ERR_IO, "cannot read the desk key %s: %s",
						      path, strerror(errno));
	rc = check_private(fd, path, err);
	char *buf = rc ? NULL : sodium_malloc(FILE_MAX + 1);
	if (!rc && !buf)
		rc = pd_error_set(err, PD_ERR, "out of memory");
	if (!rc) {
		size_t len = 0;
		ssize_t n;
		while (len < FILE_MAX && (n = read(fd, buf + len, FILE_MAX - len)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			len += (size_t)n;
		}
		buf[len] = '\0';
		if (parse(buf, k) != 0)
			rc = pd_error_set(err, PD_ERR_TAMPERED,
					  "%s is not a paydesk desk key (damaged?): remove it and "
					  "enrol this desk again",
					  path);
		sodium_free(buf);
	}
	close(fd);
	return rc;
}

int desk_key_write(const char *path, const struct desk_key *k, struct pd_error *err)
{
	int rc = paths_make_parent(path, err);
	if (rc)
		return rc;
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.new-XXXXXX", path) < 0)
		return pd_error_set(err, PD_ERR, "out of memory");
	int fd = mkstemp(tmp); /* 0600 */
	if (fd < 0) {
		rc = pd_error_set(err, PD_ERR_IO, "cannot write the desk key next to %s: %s", path,
				  strerror(errno));
		free(tmp);
		return rc;
	}
	char *line = sodium_malloc(FILE_MAX);
	if (!line) {
		rc = pd_error_set(err, PD_ERR, "out of memory");
	} else {
		char vid[DESK_KEY_VAULT_ID_BYTES * 2 + 1], *key = line + 128;
		sodium_bin2hex(vid, sizeof vid, k->vault_id, sizeof k->vault_id);
		sodium_bin2hex(key, DESK_KEY_BYTES * 2 + 1, k->key, DESK_KEY_BYTES);
		int n = snprintf(line, 128, MAGIC "%s %" PRId64 " ", vid, k->slot);
		size_t klen = strlen(key);
		memmove(line + n, key, klen);
		line[n + klen] = '\n';
		size_t total = (size_t)n + klen + 1;
		if (fchmod(fd, 0600) != 0 || write(fd, line, total) != (ssize_t)total ||
		    fsync(fd) != 0)
			rc = pd_error_set(err, PD_ERR_IO, "cannot write the desk key %s: %s", path,
					  strerror(errno));
		sodium_free(line);
	}
	if (close(fd) != 0 && !rc)
		rc = pd_error_set(err, PD_ERR_IO, "cannot write the desk key %s: %s", path,
				  strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = pd_error_set(err, PD_ERR_IO, "cannot install the desk key %s: %s", path,
				  strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int desk_key_remove(const char *path, struct pd_error *err)
{
	if (unlink(path) != 0 && errno != ENOENT)
		return pd_error_set(err, PD_ERR_IO, "cannot remove the desk key %s: %s", path,
				    strerror(errno));
	return PD_OK;
}
