/* A node as XML-like text, for logs and the CLI: `<iq id="1" type="get"><ping/></iq>`.
 *
 * Bytes content is never printed in full: it shows as `[138 bytes]` unless it is short
 * printable text (at most 64 bytes of printable UTF-8 without control characters), so key
 * material stays out of logs. Attribute values and text content longer than 256 bytes are cut
 * (`...[+N bytes]`). `<tag/>` has no content, `<tag></tag>` an empty child list. */
#ifndef WB_BINARY_PRINT_H
#define WB_BINARY_PRINT_H

#include "binary/node.h"
#include "core/buf.h"

enum {
    WB_PRINT_INDENT = 1, /* one node per line, children indented by two spaces */
};

/* Appends the text form of n (no trailing newline, no NUL) to out. Returns 0 or WB_ENOMEM.
 * Subtrees deeper than 64 levels are shown as `<.../>`. */
int wb_node_print(const wb_node *n, wb_buf *out, int flags);

/* The one-line text form of n in scratch (emptied first), NUL-terminated, for a log line:
 *     WB_DEBUG("client", "recv %s", wb_node_str(n, &scratch));
 * The result lives until scratch changes; "" when out of memory. */
const char *wb_node_str(const wb_node *n, wb_buf *scratch);

#endif
