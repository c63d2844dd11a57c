/* UTF-8 checks and the WHATWG decode-with-replacement that Node's Buffer#toString('utf8')
 * performs, so text we show (JSON, logs) matches what Baileys sees. Used by print.c, json.c. */
#ifndef WB_BINARY_UTF8_H
#define WB_BINARY_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Length of the longest prefix of p that is valid UTF-8 (whole characters only). */
size_t wb_utf8_valid_prefix(const uint8_t *p, size_t len);

/* Appends p decoded as UTF-8 with every maximal invalid subsequence replaced by U+FFFD (the
 * WHATWG algorithm), re-encoded as UTF-8. Returns 0 or WB_ENOMEM. */
int wb_utf8_sanitize(wb_buf *out, const uint8_t *p, size_t len);

#endif
