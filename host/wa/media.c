/* Media (media.h): media_conn, the tables of media types and upload paths, URLs. */
#include "wa/media.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/enc.h"
#include "wa/wa_int.h"

/* ---- media_conn ------------------------------------------------------------------------------ */

void wb_wa_media_conn_request_fill(wb_node *iq) { wb_node_add_new(iq, "media_conn"); }

wb_node *wb_wa_media_conn_fill(wb_node *reply, const wb_wa_media_conn *mc) {
    wb_node *n = WB_CHILD(reply, "media_conn", {"auth", mc->auth});
    wb_node_set_i64(n, "ttl", mc->ttl);
    wb_node_set_i64(n, "auth_ttl", mc->auth_ttl);
    wb_node_set_i64(n, "max_buckets", mc->max_buckets);
    for (size_t i = 0; i < mc->nhosts; i++) {
        wb_node *h = WB_CHILD(n, "host", {"hostname", mc->hosts[i].hostname});
        if (mc->hosts[i].max_content_length)
            wb_node_set_i64(h, "maxContentLengthBytes", (int64_t)mc->hosts[i].max_content_length);
    }
    return n;
}

static int host_read(const wb_node *n, void *item, void *ud, wb_error *err) {
    wb_wa_media_host *h = item;
    wb_attrs a = wb_attrs_of(n);
    h->hostname = wb_attrs_str(&a, "hostname");
    h->max_content_length = wb_attrs_opt_u64(&a, "maxContentLengthBytes", 0);
    return wb_attrs_check(&a, err);
}

int wb_wa_media_conn_read(const wb_node *iq, wb_arena *a, wb_wa_media_conn *out, wb_error *err) {
    wb_node *n = wb_node_child(iq, "media_conn");
    if (!n)
        return wb_error_set(err, WB_EPROTO, 0, "answer without <media_conn>");
    wb_wa_media_conn mc = {0};
    wb_attrs at = wb_attrs_of(n);
    mc.auth = wb_attrs_str(&at, "auth");
    mc.ttl = wb_attrs_opt_i64(&at, "ttl", 0);
    mc.auth_ttl = wb_attrs_opt_i64(&at, "auth_ttl", 0);
    mc.max_buckets = wb_attrs_opt_i64(&at, "max_buckets", 0);
    int rc = wb_attrs_check(&at, err);
    if (rc == 0)
        rc = wb_wa_read_children(n, "host", SIZE_MAX, a, sizeof *mc.hosts, host_read, NULL,
                                 &mc.hosts, &mc.nhosts, err);
    if (rc < 0)
        return rc;
    *out = mc;
    return 0;
}

/* ---- tables ---------------------------------------------------------------------------------- */

/* Baileys' MEDIA_PATH_MAP and MEDIA_HKDF_KEY_MAPPING (Defaults/index.js), one row per name. */
static const wb_wa_media_type types[] = {
    {"image", "/mms/image", "Image"},
    {"video", "/mms/video", "Video"},
    {"document", "/mms/document", "Document"},
    {"audio", "/mms/audio", "Audio"},
    {"sticker", "/mms/image", "Image"},
    {"thumbnail-link", "/mms/image", "Link Thumbnail"},
    {"product-catalog-image", "/product/image", ""},
    {"md-app-state", "", "App State"},
    {"md-msg-hist", "/mms/md-app-state", "History"},
    {"biz-cover-photo", "/pps/biz-cover-photo", "Image"},
    {"gif", NULL, "Video"},
    {"ppic", NULL, ""},
    {"product", NULL, "Image"},
    {"ptt", NULL, "Audio"},
    {"ptv", NULL, "Video"},
    {"thumbnail-document", NULL, "Document Thumbnail"},
    {"thumbnail-image", NULL, "Image Thumbnail"},
    {"thumbnail-video", NULL, "Video Thumbnail"},
    {"payment-bg-image", NULL, "Payment Background"},
};

/* The upload paths a media server serves, with the direct-path prefix of what each stores. */
static const wb_wa_media_upload uploads[] = {
    {"/mms/image", "image", "/v/t62.7118-24"},
    {"/mms/video", "video", "/v/t62.7161-24"},
    {"/mms/audio", "audio", "/v/t62.7114-24"},
    {"/mms/document", "document", "/v/t62.7119-24"},
    {"/mms/md-app-state", "md-app-state", "/v/t62.7115-24"},
    {"/product/image", "product-image", "/v/t45.5328-4"},
    {"/pps/biz-cover-photo", "biz-cover-photo", "/v/t39.30808-6"},
};

const wb_wa_media_type *wb_wa_media_type_of(const char *name) {
    for (size_t i = 0; name && i < sizeof types / sizeof *types; i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

int wb_wa_media_hkdf_info(const char *type, char *out, size_t cap) {
    const wb_wa_media_type *t = wb_wa_media_type_of(type);
    if (!t || !t->hkdf)
        return WB_ENOTFOUND;
    int n = snprintf(out, cap, "WhatsApp %s Keys", t->hkdf);
    return n < 0 || (size_t)n >= cap ? WB_ETOOBIG : n;
}

/* ---- URLs and paths ---------------------------------------------------------------------------- */

/* encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) as %XX. */
static void uri_component(wb_buf *out, const char *s) {
    static const char keep[] = "-_.!~*'()";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr(keep, c)) {
            wb_buf_put_u8(out, c);
        } else {
            char pct[4];
            snprintf(pct, sizeof pct, "%%%02X", c);
            wb_buf_append(out, pct, 3);
        }
    }
}

static void append_str(wb_buf *out, const char *s) { wb_buf_append(out, s, strlen(s)); }

int wb_wa_media_upload_url(wb_buf *out, const char *host, const char *type,
                           const uint8_t enc_sha256[32], const char *auth) {
    const wb_wa_media_type *t = wb_wa_media_type_of(type);
    if (!t || !t->path)
        return WB_ENOTFOUND;
    wb_buf token = WB_BUF_INIT;
    wb_b64_encode(&token, enc_sha256, 32, WB_B64_URL);
    append_str(out, "https://");
    append_str(out, host);
    append_str(out, t->path);
    wb_buf_put_u8(out, '/');
    wb_buf_append(out, token.data, token.len);
    append_str(out, "?auth=");
    uri_component(out, auth);
    append_str(out, "&token=");
    wb_buf_append(out, token.data, token.len);
    int rc = out->err || token.err ? WB_ENOMEM : 0;
    wb_buf_free(&token);
    return rc;
}

int wb_wa_media_upload_parse(const char *path, const wb_wa_media_upload **upload,
                             uint8_t enc_sha256[32]) {
    const wb_wa_media_upload *u = NULL;
    for (size_t i = 0; !u && i < sizeof uploads / sizeof *uploads; i++) {
        size_t n = strlen(uploads[i].path);
        if (strncmp(path, uploads[i].path, n) == 0 && path[n] == '/')
            u = &uploads[i];
    }
    if (!u)
        return WB_ENOTFOUND;
    const char *token = path + strlen(u->path) + 1;
    size_t len = strlen(token);
    wb_buf h = WB_BUF_INIT;
    int rc = len > 64 || wb_b64_decode(&h, token, len, WB_B64_URL) < 0 || h.len != 32
                 ? WB_EMALFORMED : 0;
    if (rc == 0) {
        memcpy(enc_sha256, h.data, 32);
        *upload = u;
    }
    wb_buf_free(&h);
    return rc;
}

int wb_wa_media_direct_path(wb_buf *out, const wb_wa_media_upload *upload,
                            const uint8_t enc_sha256[32], const char *oh) {
    append_str(out, upload->direct_prefix);
    wb_buf_put_u8(out, '/');
    wb_hex_encode(out, enc_sha256, 16);
    append_str(out, ".enc");
    if (oh) {
        append_str(out, "?ccb=11-4&_nc_sid=5e03e0&mms3=true&oh=");
        append_str(out, oh);
    }
    return out->err ? WB_ENOMEM : 0;
}

int wb_wa_media_url(wb_buf *out, const char *host, const char *direct_path) {
    append_str(out, "https://");
    append_str(out, host);
    append_str(out, direct_path);
    return out->err ? WB_ENOMEM : 0;
}

/* ---- the upload's answer ------------------------------------------------------------------- */

int wb_wa_media_uploaded_json(wb_buf *out, const char *host, const char *direct_path, int64_t ts) {
    cJSON *o = cJSON_CreateObject();
    wb_buf url = WB_BUF_INIT;
    int rc = wb_wa_media_url(&url, host, direct_path);
    if (rc == 0 && wb_buf_put_u8(&url, 0) == 0 && o &&
        cJSON_AddStringToObject(o, "url", (const char *)url.data) &&
        cJSON_AddStringToObject(o, "direct_path", direct_path) &&
        cJSON_AddNumberToObject(o, "ts", (double)ts)) {
        char *text = cJSON_PrintUnformatted(o);
        rc = text ? wb_buf_append(out, text, strlen(text)) : WB_ENOMEM;
        cJSON_free(text);
    } else {
        rc = WB_ENOMEM;
    }
    cJSON_Delete(o);
    wb_buf_free(&url);
    return rc;
}

/* Copies the string member name of o into out (cap bytes): 1, 0 (absent or not a string) or
 * WB_ETOOBIG. */
static int copy_member(const cJSON *o, const char *name, char *out, size_t cap) {
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
    if (!s)
        return 0;
    if (strlen(s) >= cap)
        return WB_ETOOBIG;
    memcpy(out, s, strlen(s) + 1);
    return 1;
}

int wb_wa_media_uploaded_read(const char *json, size_t len, wb_wa_media_uploaded *out) {
    cJSON *o = cJSON_ParseWithLength(json, len);
    wb_wa_media_uploaded u = {0};
    int url = copy_member(o, "url", u.url, sizeof u.url);
    int dp = copy_member(o, "direct_path", u.direct_path, sizeof u.direct_path);
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "ts");
    if (cJSON_IsNumber(ts) && ts->valuedouble > 0 && ts->valuedouble < 1e15)
        u.ts = (int64_t)ts->valuedouble;
    int rc = !cJSON_IsObject(o) || (url <= 0 && dp <= 0) ? WB_EMALFORMED : 0;
    if (url < 0 || dp < 0)
        rc = WB_ETOOBIG;
    cJSON_Delete(o);
    if (rc == 0)
        *out = u;
    return rc;
}
