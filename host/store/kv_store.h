/* The bots' key-value table (migration 0003_bot_kv.sql), behind wabot.kv (bindings/kv.c).
 *
 * Rows are (namespace, key, value): keys and values are byte strings of any content (values are
 * bindings/kv.c's encoding; this layer does not look inside). Every function is one cached
 * statement and runs inside whatever transaction is open (store.h), or as its own. Returns 0,
 * WB_ENOTFOUND for a missing row (get only), or WB_ESTORE; out-parameters are written only on
 * success. */
#ifndef WB_STORE_KV_STORE_H
#define WB_STORE_KV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

/* Appends the value of (ns, key) to out. */
int wb_store_kv_get(wb_store *st, const char *ns, const void *key, size_t klen, wb_buf *out);
/* Inserts or replaces the value of (ns, key). */
int wb_store_kv_put(wb_store *st, const char *ns, const void *key, size_t klen, const void *val,
                    size_t vlen);
/* Removes (ns, key); *removed (optional) gets 1 if there was such a row, else 0. */
int wb_store_kv_delete(wb_store *st, const char *ns, const void *key, size_t klen, int *removed);
/* Calls each(ud, key, klen) for every key of ns that starts with prefix (plen may be 0), in
 * byte order. each returns 0 to go on or a negative code to stop, which is then returned. */
int wb_store_kv_keys(wb_store *st, const char *ns, const void *prefix, size_t plen,
                     int (*each)(void *ud, const void *key, size_t klen), void *ud);

#endif
