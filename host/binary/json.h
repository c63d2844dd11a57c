/* The JSON form of a node, as `wabot node decode/encode` print and read it (and the interop
 * helper and the simulator's admin API use it):
 *
 *     {"tag": "iq", "attrs": {"id": "1", "to": "@s.whatsapp.net"},
 *      "content": [ {"tag": "ping", "attrs": {}} ]}
 *
 * content is a list of nodes, a JSON string (text: a token, packed digits or hex, a JID on the
 * wire), or {"base64": "..."} (bytes: BINARY_n on the wire); absent when the node has none.
 * Attribute values are strings; JIDs appear in their string form (`user:device@server`).
 * Strings are UTF-8: bytes that are not valid UTF-8 are shown as U+FFFD, as Node shows them.
 * Reading refuses strings with U+0000 (the JSON library cannot carry it). */
#ifndef WB_BINARY_JSON_H
#define WB_BINARY_JSON_H

#include <cjson/cJSON.h>

#include "binary/node.h"
#include "core/buf.h"
#include "core/err.h"

enum {
    WB_JSON_PRETTY = 1, /* newlines and two-space indentation */
};

/* Appends the JSON form of n (no NUL, no trailing newline). Returns 0 or WB_ENOMEM. */
int wb_node_to_json(const wb_node *n, wb_buf *out, int flags);

/* Parses JSON text (len bytes) and builds the node in a. Returns 0 with *out set, or
 * WB_EMALFORMED, WB_EDEPTH (nested deeper than WB_NODE_MAX_DEPTH), WB_ETOOBIG or WB_ENOMEM.
 * When the text is not JSON, err->offset is the byte where parsing stopped; when it is JSON but
 * not the node form, err->offset is SIZE_MAX and err->what names the place
 * ("content[2].attrs.id: not a string"). */
int wb_node_from_json(wb_arena *a, const char *text, size_t len, wb_node **out, wb_error *err);

/* The same from an already parsed cJSON value. */
int wb_node_from_cjson(wb_arena *a, const cJSON *j, wb_node **out, wb_error *err);

#endif
