/* The interop helper: a process that Node tests (tests/interop/lib/helper.mjs) drive over
 * stdin/stdout to call wabot's C code on the same inputs that Baileys and libsignal see.
 *
 * Protocol: one JSON object per line each way. Request {"op": NAME, ...args}; response
 * {"ok": true, ...results} or {"ok": false, "error": "..."}. Byte strings travel as base64.
 * Ops are grouped in families (ops_<family>.c), each exporting a table that main.c lists. Ops may
 * keep state between calls (a Noise session, a Signal store) in their family's file. */
#ifndef WB_INTEROP_HELPER_H
#define WB_INTEROP_HELPER_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* An op reads req and adds its results to resp. On failure it returns non-zero after writing a
 * message into err (errlen bytes). */
typedef int (*wb_helper_fn)(const cJSON *req, cJSON *resp, char *err, size_t errlen);

typedef struct wb_helper_op {
    const char *name;
    wb_helper_fn fn;
} wb_helper_op;

/* Appends the base64-decoded field to out. Returns 0, or -1 if missing or not base64. */
int helper_get_bytes(const cJSON *req, const char *field, wb_buf *out);
/* Reads a numeric field; returns dflt if absent. */
double helper_get_num(const cJSON *req, const char *field, double dflt);
/* Returns the string field or NULL. */
const char *helper_get_str(const cJSON *req, const char *field);
/* Adds field = base64(data). Returns 0 or -1. */
int helper_put_bytes(cJSON *resp, const char *field, const uint8_t *data, size_t len);

/* Family tables, each terminated by {NULL, NULL}. */
extern const wb_helper_op helper_ops_core[];
extern const wb_helper_op helper_ops_signal[];
extern const wb_helper_op helper_ops_crypto[];
extern const wb_helper_op helper_ops_proto[];
extern const wb_helper_op helper_ops_binary[];
extern const wb_helper_op helper_ops_noise[];
extern const wb_helper_op helper_ops_net[];
extern const wb_helper_op helper_ops_wa[];

#endif
