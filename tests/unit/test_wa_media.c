/* Unit tests for wa/media: media_conn built and read back and read in the shape WhatsApp sends;
 * the tables (Baileys' MEDIA_PATH_MAP and hkdfInfoKey); upload URLs as getWAUploadToServer makes
 * them; upload paths parsed; direct paths; the upload's JSON answer both ways; malformed ones. */
#include "check.h"
#include "core/enc.h"
#include "wa/iq.h"
#include "wa/media.h"
#include "wa_check.h"

static wb_arena A;

static void test_wa_media_conn_both_ways(void) {
    wb_node *iq = wb_wa_iq_new(&A, "set", "w:m");
    wb_wa_media_conn_request_fill(iq);
    CHECK_STR(wa_to_json(wa_wire(&A, iq)),
              "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:m\"},\"content\":[{\"tag\":\"media_conn\",\"attrs\":{}}]}");
    wb_wa_media_host hosts[] = {{"127.0.0.1:4443", 64u << 20}, {"mmg-fallback.whatsapp.net", 0}};
    wb_wa_media_conn in = {.auth = "AUTH", .ttl = 300, .auth_ttl = 21600, .max_buckets = 12,
                           .hosts = hosts, .nhosts = 2};
    wb_node *reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_media_conn_fill(reply, &in);
    wb_wa_media_conn mc;
    wb_error e = {0};
    CHECK_EQ(wb_wa_media_conn_read(wa_wire(&A, reply), &A, &mc, &e), 0);
    CHECK_STR(mc.auth, "AUTH");
    CHECK(mc.ttl == 300 && mc.auth_ttl == 21600 && mc.max_buckets == 12 && mc.nhosts == 2);
    CHECK(mc.nhosts == 2 && mc.hosts[0].max_content_length == (64u << 20) &&
          mc.hosts[1].max_content_length == 0 && strcmp(mc.hosts[1].hostname, "mmg-fallback.whatsapp.net") == 0);
    /* WhatsApp's answer carries more than Baileys reads */
    CHECK_EQ(wb_wa_media_conn_read(wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"result\",\"id\":\"1\",\"from\":\"@s.whatsapp.net\"},\"content\":["
        "{\"tag\":\"media_conn\",\"attrs\":{\"auth\":\"AbC+/=\",\"ttl\":\"300\",\"auth_ttl\":\"21600\",\"max_buckets\":\"12\"},"
        "\"content\":[{\"tag\":\"host\",\"attrs\":{\"hostname\":\"mmg.whatsapp.net\",\"maxContentLengthBytes\":\"104857600\"},"
        "\"content\":[{\"tag\":\"download\",\"attrs\":{},\"content\":[{\"tag\":\"image\",\"attrs\":{}}]}]},"
        "{\"tag\":\"host\",\"attrs\":{\"hostname\":\"mmg-fallback.whatsapp.net\",\"type\":\"fallback\"}}]}]}"),
        &A, &mc, &e), 0);
    CHECK(mc.nhosts == 2 && mc.hosts[0].max_content_length == 104857600);
    const char *bad[] = {
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"result\"}}",
        "{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"media_conn\",\"attrs\":{\"ttl\":\"300\"}}]}",
        "{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"media_conn\",\"attrs\":{\"auth\":\"x\",\"ttl\":\"soon\"}}]}",
        "{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"media_conn\",\"attrs\":{\"auth\":\"x\"},\"content\":[{\"tag\":\"host\",\"attrs\":{}}]}]}",
    };
    WA_CHECK_REFUSES(&A, bad, wb_wa_media_conn_read(WA_NODE, &A, &mc, WA_ERR));
}

static void test_wa_media_tables_are_baileys(void) {
    char info[64];
    struct { const char *type, *info; } want[] = {
        {"image", "WhatsApp Image Keys"}, {"sticker", "WhatsApp Image Keys"},
        {"ptt", "WhatsApp Audio Keys"}, {"gif", "WhatsApp Video Keys"},
        {"document", "WhatsApp Document Keys"}, {"thumbnail-link", "WhatsApp Link Thumbnail Keys"},
        {"md-app-state", "WhatsApp App State Keys"}, {"md-msg-hist", "WhatsApp History Keys"},
        {"ppic", "WhatsApp  Keys"}, /* Baileys' hkdfInfoKey of an empty mapping, as it is */
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        CHECK_EQ(wb_wa_media_hkdf_info(want[i].type, info, sizeof info), (long long)strlen(want[i].info));
        CHECK_STR(info, want[i].info);
    }
    CHECK_EQ(wb_wa_media_hkdf_info("nonsense", info, sizeof info), WB_ENOTFOUND);
    CHECK_EQ(wb_wa_media_hkdf_info("image", info, 8), WB_ETOOBIG);
    CHECK_STR(wb_wa_media_type_of("sticker")->path, "/mms/image");
    CHECK_STR(wb_wa_media_type_of("md-msg-hist")->path, "/mms/md-app-state");
    CHECK_STR(wb_wa_media_type_of("product-catalog-image")->path, "/product/image");
    CHECK(wb_wa_media_type_of("ptt")->path == NULL);
}

static void test_wa_media_upload_urls_and_paths(void) {
    uint8_t h[32];
    for (int i = 0; i < 32; i++)
        h[i] = (uint8_t)(0xF0 + i / 2); /* bytes whose base64 has + and / */
    wb_buf token = WB_BUF_INIT, url = WB_BUF_INIT;
    wb_b64_encode(&token, h, 32, WB_B64_URL);
    wb_buf_put_u8(&token, 0);
    CHECK_EQ(wb_wa_media_upload_url(&url, "mmg.whatsapp.net", "sticker", h, "a+b/c="), 0);
    wb_buf_put_u8(&url, 0);
    char want[512];
    /* `https://${hostname}${MEDIA_PATH_MAP[mediaType]}/${token}?auth=${encodeURIComponent(auth)}&token=${token}` */
    snprintf(want, sizeof want, "https://mmg.whatsapp.net/mms/image/%s?auth=a%%2Bb%%2Fc%%3D&token=%s",
             (const char *)token.data, (const char *)token.data);
    CHECK_STR((const char *)url.data, want);
    CHECK(!strchr((const char *)token.data, '+') && !strchr((const char *)token.data, '='));
    CHECK_EQ(wb_wa_media_upload_url(&url, "h", "ptt", h, "a"), WB_ENOTFOUND);
    /* the server's side of that path */
    char path[256];
    snprintf(path, sizeof path, "/mms/image/%s", (const char *)token.data);
    const wb_wa_media_upload *u;
    uint8_t got[32];
    CHECK_EQ(wb_wa_media_upload_parse(path, &u, got), 0);
    CHECK_STR(u->kind, "image");
    CHECK_MEM(got, h, 32);
    CHECK_EQ(wb_wa_media_upload_parse("/mms/bogus/AAAA", &u, got), WB_ENOTFOUND);
    CHECK_EQ(wb_wa_media_upload_parse("/mms/imagery/AAAA", &u, got), WB_ENOTFOUND);
    CHECK_EQ(wb_wa_media_upload_parse("/mms/image/AAAA", &u, got), WB_EMALFORMED);
    CHECK_EQ(wb_wa_media_upload_parse("/mms/image/", &u, got), WB_EMALFORMED);
    CHECK_EQ(wb_wa_media_upload_parse("/product/image/!!!", &u, got), WB_EMALFORMED);
    snprintf(path, sizeof path, "/pps/biz-cover-photo/%s", (const char *)token.data);
    CHECK_EQ(wb_wa_media_upload_parse(path, &u, got), 0);
    /* direct paths */
    wb_buf dp = WB_BUF_INIT;
    CHECK_EQ(wb_wa_media_direct_path(&dp, u, h, "0123"), 0);
    wb_buf_put_u8(&dp, 0);
    CHECK_STR((const char *)dp.data, "/v/t39.30808-6/f0f0f1f1f2f2f3f3f4f4f5f5f6f6f7f7.enc?ccb=11-4&_nc_sid=5e03e0&mms3=true&oh=0123");
    wb_buf full = WB_BUF_INIT;
    CHECK_EQ(wb_wa_media_url(&full, "127.0.0.1:9", (const char *)dp.data), 0);
    CHECK(full.len > 20 && memcmp(full.data, "https://127.0.0.1:9/v/t39", 25) == 0);
    wb_buf_free(&token);
    wb_buf_free(&url);
    wb_buf_free(&dp);
    wb_buf_free(&full);
}

static void test_wa_media_upload_answer_both_ways(void) {
    wb_buf json = WB_BUF_INIT;
    CHECK_EQ(wb_wa_media_uploaded_json(&json, "127.0.0.1:9", "/v/t62.7118-24/ab.enc?oh=1", 1700000000), 0);
    wb_wa_media_uploaded u;
    CHECK_EQ(wb_wa_media_uploaded_read((const char *)json.data, json.len, &u), 0);
    CHECK_STR(u.url, "https://127.0.0.1:9/v/t62.7118-24/ab.enc?oh=1");
    CHECK_STR(u.direct_path, "/v/t62.7118-24/ab.enc?oh=1");
    CHECK_EQ(u.ts, 1700000000);
    /* WhatsApp's answer has more; Baileys takes url or direct_path */
    const char *wa = "{\"url\":\"https://mmg.whatsapp.net/o1/v/x.enc\",\"direct_path\":\"/o1/v/x.enc\","
                     "\"handle\":null,\"meta_hmac\":\"abc\",\"fbid\":123,\"ts\":1700000001}";
    CHECK_EQ(wb_wa_media_uploaded_read(wa, strlen(wa), &u), 0);
    CHECK(u.ts == 1700000001 && strcmp(u.direct_path, "/o1/v/x.enc") == 0);
    const char *only = "{\"direct_path\":\"/x\"}";
    CHECK_EQ(wb_wa_media_uploaded_read(only, strlen(only), &u), 0);
    const char *bad[] = {"", "nope", "[]", "{}", "{\"url\":5}", "{\"error\":\"bad\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ(wb_wa_media_uploaded_read(bad[i], strlen(bad[i]), &u), WB_EMALFORMED);
    wb_buf huge = WB_BUF_INIT;
    wb_buf_append(&huge, "{\"url\":\"", 8);
    for (int i = 0; i < WB_WA_MEDIA_URL_MAX; i++)
        wb_buf_put_u8(&huge, 'a');
    wb_buf_append(&huge, "\"}", 2);
    CHECK_EQ(wb_wa_media_uploaded_read((const char *)huge.data, huge.len, &u), WB_ETOOBIG);
    wb_buf_free(&huge);
    wb_buf_free(&json);
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_media_conn_both_ways);
    RUN(test_wa_media_tables_are_baileys);
    RUN(test_wa_media_upload_urls_and_paths);
    RUN(test_wa_media_upload_answer_both_ways);
    wb_arena_free(&A);
    return check_summary();
}
