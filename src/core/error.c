#include "paydesk/error.h"

#include <stdarg.h>
#include <stdio.h>

int pd_error_set(struct pd_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

void pd_error_clear(struct pd_error *err)
{
	if (err) {
		err->code = PD_OK;
		err->msg[0] = '\0';
	}
}
