/* Fuzz target: the binary node decoder on whole transport payloads (flag byte first, zlib when
 * flagged), host/binary/decode.c. Whatever decodes must re-encode and decode again to the same
 * tree, up to the one normalisation Baileys also makes (`user:0@s.whatsapp.net` is written as
 * AD_JID device 0 and reads back as `user@s.whatsapp.net`; and text written as raw bytes reads
 * back as bytes); from then on decode -> encode is an exact fixed point. The printer and the
 * JSON writer run on every decoded tree, and the JSON must parse. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binary/codec.h"
#include "binary/json.h"
#include "binary/print.h"
#include "node_compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static wb_arena a, b;
    static int ready;
    if (!ready) {
        wb_arena_init(&a, 0);
        wb_arena_init(&b, 0);
        ready = 1;
    }
    wb_arena_reset(&a);
    wb_arena_reset(&b);
    wb_node *n, *n2, *n3;
    wb_error e;
    if (wb_node_decode_payload(&a, data, size, &n, &e) < 0) {
        if (e.code == 0 || e.what[0] == 0)
            abort(); /* every failure says what and where */
        return 0;
    }
    wb_buf enc1 = WB_BUF_INIT, enc2 = WB_BUF_INIT, enc3 = WB_BUF_INIT, text = WB_BUF_INIT;
    if (wb_node_encode(n, &enc1) < 0)
        abort();
    if (wb_node_decode(&b, enc1.data, enc1.len, &n2, &e) < 0 || !same_tree(n, n2, 1))
        abort();
    if (wb_node_encode(n2, &enc2) < 0)
        abort();
    if (wb_node_decode(&b, enc2.data, enc2.len, &n3, &e) < 0 || !same_tree(n2, n3, 0) ||
        wb_node_encode(n3, &enc3) < 0 || enc3.len != enc2.len ||
        memcmp(enc3.data, enc2.data, enc2.len) != 0)
        abort();
    if (wb_node_print(n, &text, 0) < 0 || wb_node_print(n, &text, WB_PRINT_INDENT) < 0)
        abort();
    wb_buf_reset(&text);
    if (wb_node_to_json(n, &text, 0) < 0)
        abort();
    cJSON *j = cJSON_ParseWithLength((const char *)text.data, text.len);
    if (!j)
        abort();
    cJSON_Delete(j);
    wb_buf_free(&enc1);
    wb_buf_free(&enc2);
    wb_buf_free(&enc3);
    wb_buf_free(&text);
    return 0;
}
