/* Checks every stored text passes: valid UTF-8, no control characters, a
 * sane length; and the shapes of emails and phone numbers. Messages name
 * the field, say what is wrong and what to type. */
#ifndef PAYDESK_TEXTCHECK_H
#define PAYDESK_TEXTCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "paydesk/error.h"

/* label names the field in the message. max counts characters. multiline
 * allows line breaks (notes); tabs are never allowed. */
int text_check(const char *label, const char *s, size_t max, bool required, bool multiline,
	       struct pd_error *err);

/* An email address as people type them (local@domain.tld, no spaces);
 * empty is fine (emails are optional). */
int text_check_email(const char *s, struct pd_error *err);

/* Digits, spaces and + ( ) - . only, 3-32 characters; empty is fine. */
int text_check_phone(const char *s, struct pd_error *err);

/* A heap copy of s without leading and trailing blanks. */
char *text_trim_dup(const char *s);

#endif
