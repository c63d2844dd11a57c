/* The interop helper's loop: read a JSON line, dispatch by "op" through the family tables,
 * write a JSON line. See helper.h for the protocol. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "crypto/random.h"
#include "helper.h"

static const wb_helper_op *const families[] = {
    helper_ops_core,
    helper_ops_signal,
    helper_ops_crypto,
    helper_ops_proto,
    helper_ops_binary,
    helper_ops_noise,
    helper_ops_net,
    helper_ops_wa,
};

static wb_helper_fn find_op(const char *name) {
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (const wb_helper_op *op = families[f]; op->name; op++)
            if (strcmp(op->name, name) == 0)
                return op->fn;
    return NULL;
}

int helper_get_bytes(const cJSON *req, const char *field, wb_buf *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);
    if (!cJSON_IsString(v))
        return -1;
    return wb_b64_decode(out, v->valuestring, strlen(v->valuestring), WB_B64_STD) < 0 ? -1 : 0;
}

double helper_get_num(const cJSON *req, const char *field, double dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

const char *helper_get_str(const cJSON *req, const char *field) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int helper_put_bytes(cJSON *resp, const char *field, const uint8_t *data, size_t len) {
    wb_buf b = WB_BUF_INIT;
    if (wb_b64_encode(&b, data, len, WB_B64_STD) < 0 || wb_buf_put_u8(&b, 0) < 0) {
        wb_buf_free(&b);
        return -1;
    }
    int rc = cJSON_AddStringToObject(resp, field, (const char *)b.data) ? 0 : -1;
    wb_buf_free(&b);
    return rc;
}

static void reply(cJSON *resp) {
    char *text = cJSON_PrintUnformatted(resp);
    if (!text) {
        fputs("{\"ok\":false,\"error\":\"out of memory\"}\n", stdout);
    } else {
        fputs(text, stdout);
        fputc('\n', stdout);
        free(text);
    }
    fflush(stdout);
}

int main(void) {
    if (wb_crypto_init() < 0)
        return 1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) > 0) {
        cJSON *req = cJSON_Parse(line);
        cJSON *resp = cJSON_CreateObject();
        char err[512] = "";
        const char *name = req ? helper_get_str(req, "op") : NULL;
        wb_helper_fn fn = name ? find_op(name) : NULL;
        int rc;
        if (!req)
            rc = (snprintf(err, sizeof err, "request is not JSON"), -1);
        else if (!fn)
            rc = (snprintf(err, sizeof err, "unknown op '%s'", name ? name : "(none)"), -1);
        else
            rc = fn(req, resp, err, sizeof err);
        if (rc != 0) {
            cJSON_Delete(resp);
            resp = cJSON_CreateObject();
            cJSON_AddFalseToObject(resp, "ok");
            cJSON_AddStringToObject(resp, "error", err[0] ? err : "failed");
        } else {
            cJSON_AddTrueToObject(resp, "ok");
        }
        reply(resp);
        cJSON_Delete(resp);
        cJSON_Delete(req);
    }
    free(line);
    return 0;
}
