/* The reading loop every list in a stanza shares (wa_int.h). */
#include "wa/wa_int.h"

#include <string.h>

int wb_wa_read_children(const wb_node *n, const char *tag, size_t max, wb_arena *a, size_t elem,
                        wb_wa_child_fn fn, void *ud, void *out, size_t *nout, wb_error *err) {
    uint32_t count = wb_node_count(n, tag), it = 0;
    if (count > max)
        return wb_error_set(err, WB_ETOOBIG, 0, "<%.32s> with %u <%.32s>", n->tag, count,
                            tag ? tag : "children");
    unsigned char *v = wb_arena_zalloc(a, (count ? count : 1) * elem);
    if (!v)
        return WB_ENOMEM;
    size_t k = 0;
    wb_node *c;
    while ((c = wb_node_next(n, tag, &it))) {
        int rc = fn(c, v + k * elem, ud, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            k++;
        else
            memset(v + k * elem, 0, elem);
    }
    memcpy(out, &v, sizeof v);
    *nout = k;
    return 0;
}
