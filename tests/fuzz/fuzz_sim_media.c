/* Fuzz target: the simulator's media HTTP path (host/sim media_http.c, media.c) with arbitrary
 * requests that can get past its checks: in the request line, "AUTH" stands for the media_conn
 * token, "HASH" for the base64url SHA-256 of the body and "SIG" for the signature of the path,
 * so the fuzzer reaches the store and the download, not only the refusals.
 *
 * Input: "METHOD PATH[?QUERY]\n" then the body; the body reaches an upload in pieces, as the
 * server passes it on, and one starting with '!' is cut off half way. Oracle: the sanitizers;
 * every request answered exactly once; a cut-off upload never answered 200; an upload (POST
 * /mms/...) answered 200 names a direct path whose download gives the body back byte for
 * byte. Seeds: tests/fuzz/make_sim_route_corpus.mjs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../unit/sim_fixture.h"
#include "core/log.h"
#include "sim/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies src to out replacing each "AUTH", "HASH" and "SIG" as described above. */
static void expand(const char *src, const char *auth, const char *hash, wb_sim *sim, wb_buf *out) {
    const char *path_end = strchr(src, '?');
    for (const char *p = src; *p;) {
        if (strncmp(p, "AUTH", 4) == 0) {
            wb_buf_append(out, auth, strlen(auth));
            p += 4;
        } else if (strncmp(p, "HASH", 4) == 0) {
            wb_buf_append(out, hash, strlen(hash));
            p += 4;
        } else if (strncmp(p, "SIG", 3) == 0 && path_end && p > path_end) {
            /* the signature of what came before the '?' (expanded) */
            const char *q = memchr(out->data ? (const char *)out->data : "", '?', out->len);
            char sig[33];
            wb_sim_media_sign(sim, (const char *)out->data, q ? (size_t)(q - (const char *)out->data) : out->len, sig);
            wb_buf_append(out, sig, 32);
            p += 3;
        } else {
            wb_buf_put_u8(out, (uint8_t)*p++);
        }
    }
    wb_buf_put_u8(out, 0);
}

/* The request line's target split at '?', answered into *r. */
static int request(sim_fx *fx, const char *method, char *target, const uint8_t *body, size_t len,
                   fx_blob_reply *r) {
    char *query = strchr(target, '?');
    if (query)
        *query++ = '\0';
    return fx_blob_request(fx, method, target, query, body, len, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_log_set_level(WB_LOG_OFF);
    char line[513], *target;
    const uint8_t *body;
    size_t blen;
    if (!fx_request_line(data, size, line, &target, &body, &blen))
        return 0;
    sim_fx fx;
    if (sim_fx_init(&fx, NULL) < 0)
        abort();
    wb_sim_set_endpoints(fx.sim, NULL, "127.0.0.1:4443", NULL);
    uint8_t h[32];
    wb_sha256(h, blen ? body : (const uint8_t *)"", blen);
    wb_buf hash = WB_BUF_INIT, expanded = WB_BUF_INIT;
    wb_b64_encode(&hash, h, 32, WB_B64_URL);
    wb_buf_put_u8(&hash, 0);
    expand(target, fx.sim->media->auth, (const char *)hash.data, fx.sim, &expanded);
    fx_blob_reply r = {0}, got = {0};
    /* a body starting with '!' is cut off half way, as by a client that goes away */
    r.cut_at = blen > 1 && body[0] == '!' ? blen / 2 : 0;
    if (expanded.err || request(&fx, line, (char *)expanded.data, body, blen, &r) != 1)
        abort();
    if (r.cut_at && r.status == 200 && strncmp((const char *)expanded.data, "/mms/", 5) == 0 &&
        strcmp(line, "POST") == 0)
        abort(); /* half a body is never kept */
    /* the upload oracle, for uploads only: the request goes through the simulator's whole HTTP
     * router, and an admin POST answered 200 (say /admin/accounts) is no upload */
    if (r.status == 200 && strcmp(line, "POST") == 0 &&
        strncmp((const char *)expanded.data, "/mms/", 5) == 0) {
        wb_buf_put_u8(&r.body, 0);
        cJSON *o = cJSON_Parse((const char *)r.body.data);
        const char *dp = cJSON_GetStringValue(cJSON_GetObjectItem(o, "direct_path"));
        if (!dp)
            abort();
        char copy[512];
        snprintf(copy, sizeof copy, "%s", dp);
        cJSON_Delete(o);
        if (request(&fx, "GET", copy, NULL, 0, &got) != 1 || got.status != 200 ||
            got.body.len != blen || (blen && memcmp(got.body.data, body, blen) != 0))
            abort(); /* what is stored comes back byte for byte */
    }
    wb_buf_free(&r.body);
    wb_buf_free(&got.body);
    wb_buf_free(&hash);
    wb_buf_free(&expanded);
    sim_fx_free(&fx);
    return 0;
}
