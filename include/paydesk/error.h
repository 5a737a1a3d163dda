/* One channel for errors: functions return a status, and the detail a user
 * should read travels in a struct pd_error filled by the failing layer. */
#ifndef PAYDESK_ERROR_H
#define PAYDESK_ERROR_H

enum pd_status {
	PD_OK = 0,
	PD_ERR = -1,              /* generic runtime failure */
	PD_ERR_USAGE = -2,        /* bad argument or value from the user */
	PD_ERR_NOT_FOUND = -3,    /* the thing asked for does not exist */
	PD_ERR_WRONG_PASS = -4,   /* vault passphrase did not open the vault */
	PD_ERR_TAMPERED = -5,     /* sealed data failed authentication */
	PD_ERR_SCHEMA = -6,       /* database written by a newer paydesk */
	PD_ERR_NOT_PAYDESK = -7,  /* file is not a (healthy) paydesk database */
	PD_ERR_IO = -8,           /* file system or database I/O failure */
	PD_ERR_EXISTS = -9,       /* creating something that is already there */
	PD_ERR_LOCKED = -10,      /* vault not unlocked, or sign-in paused after failures */
	PD_ERR_CONFLICT = -11,    /* changed by someone else since it was read */
	PD_ERR_CLASH = -12,       /* overlaps another booking of the same staff member */
	PD_ERR_FORBIDDEN = -13,   /* the signed-in user's role may not do this */
};

struct pd_error {
	int code;       /* an enum pd_status value */
	char msg[512];  /* one line, meant for the user: what happened, what to do */
};

/* Record an error (printf-style) and return code, so callers can write
 * `return pd_error_set(err, PD_ERR_IO, "...")`. err may be NULL. */
int pd_error_set(struct pd_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reset err to "no error". */
void pd_error_clear(struct pd_error *err);

#endif
