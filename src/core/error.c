#include "paydesk/error.h"

#include <stdarg.h>
#include <stdio.h>

#include "paydesk/sanitize.h"

int pd_error_set(struct pd_error *err, int code, const char *fmt, ...)
{
	if (err) {
		/* Messages quote what the user or Stripe sent: made inert here, once,
		 * so no caller can put an escape sequence or a control character
		 * on the terminal (or cut a UTF-8 character) by printing one. */
		char raw[sizeof err->msg * 2];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(raw, sizeof raw, fmt, ap);
		va_end(ap);
		sanitize_text(raw, err->msg, sizeof err->msg);
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
