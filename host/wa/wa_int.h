/* What the files of host/wa share and nothing else includes. */
#ifndef WB_WA_WA_INT_H
#define WB_WA_WA_INT_H

#include <stddef.h>

#include "binary/node.h"
#include "core/err.h"

/* Reads one child into item (elem bytes, zeroed); ud is the caller's. Returns 0, 1 to leave the
 * child out (the item is reused), or a negative code that stops the reading. */
typedef int (*wb_wa_child_fn)(const wb_node *child, void *item, void *ud, wb_error *err);

/* Reads every child of n named tag (all for NULL) with fn into an array of elem-byte items in
 * arena a: *out and *nout. Returns 0, WB_ETOOBIG (more than max such children: err says so),
 * WB_ENOMEM or fn's error. A missing n reads as no children. */
int wb_wa_read_children(const wb_node *n, const char *tag, size_t max, wb_arena *a, size_t elem,
                        wb_wa_child_fn fn, void *ud, void *out, size_t *nout, wb_error *err);

#endif
