/* Helper ops for the binary codec (tests/interop/binary.test.mjs):
 *   binary_tokens                      -> {single: [236 strings], double: [[256] x 4]}
 *   binary_decode {items: [b64 payload]} -> {items: [json text | {error, code, offset}]}
 *   binary_encode {items: [node JSON form]} -> {items: [b64 payload | {error, code}]}
 * Decoding takes whole transport payloads (flag byte first, zlib when flagged); encoding writes
 * uncompressed payloads (flag byte 0). Batches keep the pipe busy: 10,000 trees per test. */
#include <stdio.h>
#include <string.h>

#include "binary/codec.h"
#include "binary/json.h"
#include "binary/token.h"
#include "core/enc.h"
#include "helper.h"

static int op_tokens(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    cJSON *single = cJSON_AddArrayToObject(resp, "single");
    cJSON *dbl = cJSON_AddArrayToObject(resp, "double");
    if (!single || !dbl)
        return snprintf(err, errlen, "out of memory"), -1;
    for (unsigned i = 0; i < WB_TOKEN_SINGLE_COUNT; i++)
        cJSON_AddItemToArray(single, cJSON_CreateString(wb_token_single(i)));
    for (unsigned d = 0; d < WB_TOKEN_DOUBLE_DICTS; d++) {
        cJSON *dict = cJSON_CreateArray();
        for (unsigned i = 0; i < 256; i++)
            cJSON_AddItemToArray(dict, cJSON_CreateString(wb_token_double(d, i)));
        cJSON_AddItemToArray(dbl, dict);
    }
    return 0;
}

static cJSON *error_item(int code, const wb_error *e) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", e && e->what[0] ? e->what : wb_strerror(code));
    cJSON_AddStringToObject(o, "code", wb_errname(code));
    if (e)
        cJSON_AddNumberToObject(o, "offset", (double)e->offset);
    return o;
}

static int op_decode(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(req, "items");
    if (!cJSON_IsArray(items))
        return snprintf(err, errlen, "binary_decode needs 'items'"), -1;
    cJSON *out = cJSON_AddArrayToObject(resp, "items");
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_buf raw = WB_BUF_INIT, js = WB_BUF_INIT;
    int rc = 0;
    for (const cJSON *it = items->child; it && rc == 0; it = it->next) {
        wb_buf_reset(&raw);
        wb_buf_reset(&js);
        wb_arena_reset(&a);
        if (!cJSON_IsString(it) ||
            wb_b64_decode(&raw, it->valuestring, strlen(it->valuestring), WB_B64_STD) < 0) {
            rc = -1;
            snprintf(err, errlen, "items must be base64 strings");
            break;
        }
        wb_node *n;
        wb_error e = {0};
        int dr = wb_node_decode_payload(&a, raw.data, raw.len, &n, &e);
        if (dr < 0) {
            cJSON_AddItemToArray(out, error_item(dr, &e));
            continue;
        }
        if (wb_node_to_json(n, &js, 0) < 0 || wb_buf_put_u8(&js, 0) < 0) {
            rc = -1;
            snprintf(err, errlen, "out of memory");
            break;
        }
        cJSON_AddItemToArray(out, cJSON_CreateString((const char *)js.data));
    }
    wb_buf_free(&raw);
    wb_buf_free(&js);
    wb_arena_free(&a);
    return rc;
}

static int op_encode(const cJSON *req, cJSON *resp, char *err, size_t errlen) {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(req, "items");
    if (!cJSON_IsArray(items))
        return snprintf(err, errlen, "binary_encode needs 'items'"), -1;
    cJSON *out = cJSON_AddArrayToObject(resp, "items");
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_buf bytes = WB_BUF_INIT, b64 = WB_BUF_INIT;
    for (const cJSON *it = items->child; it; it = it->next) {
        wb_buf_reset(&bytes);
        wb_buf_reset(&b64);
        wb_arena_reset(&a);
        wb_node *n;
        wb_error e = {0};
        int rc = wb_node_from_cjson(&a, it, &n, &e);
        if (rc == 0 && (rc = wb_node_encode_payload(n, &bytes)) < 0)
            wb_error_set(&e, rc, 0, "%s", wb_strerror(rc));
        if (rc < 0) {
            cJSON_AddItemToArray(out, error_item(rc, &e));
            continue;
        }
        wb_b64_encode(&b64, bytes.data, bytes.len, WB_B64_STD);
        wb_buf_put_u8(&b64, 0);
        cJSON_AddItemToArray(out, cJSON_CreateString(b64.err ? "" : (const char *)b64.data));
    }
    wb_buf_free(&bytes);
    wb_buf_free(&b64);
    wb_arena_free(&a);
    return 0;
}

const wb_helper_op helper_ops_binary[] = {
    {"binary_tokens", op_tokens},
    {"binary_decode", op_decode},
    {"binary_encode", op_encode},
    {NULL, NULL},
};
