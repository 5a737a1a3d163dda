/* Where paydesk keeps its files (XDG base directories) and making them safely. */
#ifndef PAYDESK_PATHS_H
#define PAYDESK_PATHS_H

#include <sys/types.h>

#include "paydesk/error.h"

/* The default files, as heap strings the caller frees (NULL when neither the
 * XDG variable nor HOME is usable):
 *   database  $XDG_DATA_HOME/paydesk/paydesk.db    (~/.local/share/paydesk/)
 *   config    $XDG_CONFIG_HOME/paydesk/config      (~/.config/paydesk/)
 *   log       $XDG_STATE_HOME/paydesk/paydesk.log  (~/.local/state/paydesk/)
 *   desk key  $XDG_CONFIG_HOME/paydesk/desk.key    (this desk's vault key slot) */
char *paths_default_db(void);
char *paths_default_config(void);
char *paths_default_log(void);
char *paths_default_desk_key(void);

/* Create dir and its missing parents; the ones it creates get mode.
 * An existing directory is left as it is. */
int paths_mkdir_p(const char *dir, mode_t mode, struct pd_error *err);

/* Create the parent directory of file (mode 0700 for what it creates). */
int paths_make_parent(const char *file, struct pd_error *err);

/* path as a whole path (a name alone is in the current folder), in out; path
 * itself when it is whole already or the folder cannot be read. For
 * notices: a tester could not tell where an export had gone. */
const char *paths_whole(const char *path, char *out, size_t len);

#endif
