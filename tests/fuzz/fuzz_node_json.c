/* Fuzz target: the JSON form -> node path of `wabot node encode` (host/binary/json.c), then
 * the encoder. Whatever JSON is accepted must encode and decode to the same tree (up to the
 * normalisations of node_compare.h), after which encode -> decode is an exact fixed point; its
 * JSON rendering must parse back, and when every string in it was valid UTF-8 (so the rendering
 * is exact) the re-read node must encode to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binary/codec.h"
#include "binary/json.h"
#include "binary/utf8.h"
#include "node_compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int all_utf8(const wb_node *n) {
    if (wb_utf8_valid_prefix((const uint8_t *)n->tag, n->tag_len) != n->tag_len)
        return 0;
    for (uint32_t i = 0; i < n->nattrs; i++)
        if (wb_utf8_valid_prefix((const uint8_t *)n->attrs[i].key, n->attrs[i].key_len) !=
                n->attrs[i].key_len ||
            wb_utf8_valid_prefix((const uint8_t *)n->attrs[i].value, n->attrs[i].value_len) !=
                n->attrs[i].value_len)
            return 0;
    if (n->kind == WB_CONTENT_TEXT && wb_utf8_valid_prefix(n->data, n->data_len) != n->data_len)
        return 0;
    for (uint32_t i = 0; n->kind == WB_CONTENT_NODES && i < n->nkids; i++)
        if (!all_utf8(n->kids[i]))
            return 0;
    return 1;
}

static int same_bytes(const wb_buf *x, const wb_buf *y) {
    return x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static wb_arena a;
    static int ready;
    if (!ready) {
        wb_arena_init(&a, 0);
        ready = 1;
    }
    wb_arena_reset(&a);
    wb_node *n, *back, *back2, *again;
    wb_error e;
    if (wb_node_from_json(&a, (const char *)data, size, &n, &e) < 0) {
        if (e.code == 0 || e.what[0] == 0)
            abort();
        return 0;
    }
    wb_buf enc = WB_BUF_INIT, enc2 = WB_BUF_INIT, enc3 = WB_BUF_INIT, js = WB_BUF_INIT,
           enc4 = WB_BUF_INIT;
    int rc = wb_node_encode(n, &enc);
    if (rc == WB_ETOOBIG || rc == WB_EDEPTH)
        goto done; /* within the JSON reader's limits but over the wire's: refused cleanly */
    if (rc < 0)
        abort();
    if (wb_node_decode(&a, enc.data, enc.len, &back, &e) < 0 || !same_tree(n, back, 1) ||
        wb_node_encode(back, &enc2) < 0)
        abort();
    if (wb_node_decode(&a, enc2.data, enc2.len, &back2, &e) < 0 || !same_tree(back, back2, 0) ||
        wb_node_encode(back2, &enc3) < 0 || !same_bytes(&enc2, &enc3))
        abort();
    if (wb_node_to_json(n, &js, 0) < 0 || wb_node_from_json(&a, (const char *)js.data, js.len,
                                                            &again, &e) < 0)
        abort();
    if (all_utf8(n) && (wb_node_encode(again, &enc4) < 0 || !same_bytes(&enc, &enc4)))
        abort();
done:
    wb_buf_free(&enc);
    wb_buf_free(&enc2);
    wb_buf_free(&enc3);
    wb_buf_free(&enc4);
    wb_buf_free(&js);
    return 0;
}
