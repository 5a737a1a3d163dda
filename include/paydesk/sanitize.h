/* Text from outside (client names, Stripe descriptions and error messages,
 * file contents) made safe to put on a terminal. */
#ifndef PAYDESK_SANITIZE_H
#define PAYDESK_SANITIZE_H

#include <stddef.h>

/* Copy in to out (outlen bytes, always terminated) so that nothing can
 * reach the terminal raw: C0/C1 control characters and DEL become '?',
 * escape sequences (ESC ... final byte, CSI, OSC up to BEL/ST) are dropped
 * whole, tabs become a space, invalid UTF-8 becomes U+FFFD. Multi-byte
 * characters are never cut in half. Returns the bytes written. */
size_t sanitize_text(const char *in, char *out, size_t outlen);

/* Same, on a heap copy (the caller frees). NULL in gives "". */
char *sanitize_dup(const char *in);

#endif
