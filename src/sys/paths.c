#include "paydesk/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* XDG says relative values are invalid and must be ignored. */
static char *xdg_file(const char *var, const char *fallback, const char *leaf)
{
	const char *base = getenv(var);
	char *out = NULL;
	if (base && base[0] == '/') {
		if (asprintf(&out, "%s/paydesk/%s", base, leaf) < 0)
			return NULL;
		return out;
	}
	const char *home = getenv("HOME");
	if (!home || home[0] != '/')
		return NULL;
	if (asprintf(&out, "%s/%s/paydesk/%s", home, fallback, leaf) < 0)
		return NULL;
	return out;
}

char *paths_default_db(void)
{
	return xdg_file("XDG_DATA_HOME", ".local/share", "paydesk.db");
}

char *paths_default_config(void)
{
	return xdg_file("XDG_CONFIG_HOME", ".config", "config");
}

char *paths_default_desk_key(void)
{
	return xdg_file("XDG_CONFIG_HOME", ".config", "desk.key");
}

char *paths_default_log(void)
{
	return xdg_file("XDG_STATE_HOME", ".local/state", "paydesk.log");
}

int paths_mkdir_p(const char *dir, mode_t mode, struct pd_error *err)
{
	char *path = strdup(dir);
	if (!path)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = PD_OK;
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, mode) != 0 && errno != EEXIST) {
			rc = pd_error_set(err, PD_ERR_IO, "cannot create directory %s: %s", path,
					  strerror(errno));
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	if (rc == PD_OK) {
		struct stat st;
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			rc = pd_error_set(err, PD_ERR_IO, "%s is not a directory", dir);
	}
	free(path);
	return rc;
}

int paths_make_parent(const char *file, struct pd_error *err)
{
	const char *slash = strrchr(file, '/');
	if (!slash || slash == file)
		return PD_OK;
	char *dir = strndup(file, (size_t)(slash - file));
	if (!dir)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = paths_mkdir_p(dir, 0700, err);
	free(dir);
	return rc;
}

const char *paths_whole(const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX];
	if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
		return path;
	int n = snprintf(out, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	return n > 0 && (size_t)n < len ? out : path;
}
