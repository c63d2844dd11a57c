/* Helpers shared by jid.c and the codec; not part of the public API. */
#ifndef WB_BINARY_JID_INTERNAL_H
#define WB_BINARY_JID_INTERNAL_H

#include <stddef.h>

/* Parses a canonical decimal (1..5 digits, no leading zero unless "0") of at most max.
 * Returns 1 with *out set, else 0. */
int wb_jid_decimal(const char *s, size_t len, unsigned max, unsigned *out);

#endif
