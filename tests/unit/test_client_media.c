/* Unit tests for the client's media (client/media.c) against the simulator's core in memory:
 * media_conn asked once, shared by the callers waiting for it, cached until its TTL and asked
 * again after it or on refresh, its waiters told when the connection ends first; and media
 * messages built as Baileys fills them and read back from any wrapper, with what a hostile
 * sender could put in them refused. */
#include "check.h"
#include "client_fixture.h"

typedef struct conn_got {
    int calls, status;
    char auth[128], host[128];
    size_t nhosts;
} conn_got;

static void got_conn(void *ud, int status, const wb_client_media_conn *mc) {
    conn_got *g = ud;
    g->calls++;
    g->status = status;
    CHECK((status == 0) == (mc != NULL));
    if (mc) {
        snprintf(g->auth, sizeof g->auth, "%s", mc->auth);
        snprintf(g->host, sizeof g->host, "%s", mc->nhosts ? mc->hosts[0] : "");
        g->nhosts = mc->nhosts;
        CHECK(mc->max_length > 0);
    }
}

static void test_client_media_conn_cached_until_its_ttl(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    CHECK_EQ(wb_sim_set_endpoints(fx.sim, "ws://127.0.0.1:1/ws/chat", "127.0.0.1:4443", NULL), 0);
    cl_fx *a = cl_new(&fx, NULL, NULL);
    const wb_client_media_conn *mc = NULL;
    conn_got g1 = {0}, g2 = {0}, g3 = {0};
    /* not logged in, nothing cached */
    CHECK_EQ(wb_client_media_conn_get(a->c, 0, &mc, got_conn, &g1), WB_ECLOSED);
    CHECK_EQ(cl_link_qr(&fx, a, "15550001111", "Alice"), 200);
    /* two callers, one query; neither is called from inside the call */
    CHECK_EQ(wb_client_media_conn_get(a->c, 0, &mc, got_conn, &g1), 0);
    CHECK_EQ(wb_client_media_conn_get(a->c, 0, &mc, got_conn, &g2), 0);
    CHECK_EQ(g1.calls + g2.calls, 0);
    cl_run(&fx);
    CHECK(g1.calls == 1 && g2.calls == 1 && g1.status == 0 && g2.status == 0);
    CHECK_STR(g1.host, "127.0.0.1:4443");
    CHECK(strlen(g1.auth) > 20 && strcmp(g1.auth, g2.auth) == 0);
    CHECK_EQ(fx_counter(&fx, "media.conn"), 1);
    /* cached: answered at once, nobody called */
    CHECK_EQ(wb_client_media_conn_get(a->c, 0, &mc, got_conn, &g3), 1);
    CHECK(mc && strcmp(mc->auth, g1.auth) == 0 && mc->nhosts == 1);
    CHECK_EQ(g3.calls, 0);
    cl_advance(&fx, 200 * 1000);
    CHECK_EQ(wb_client_media_conn_get(a->c, 0, &mc, got_conn, &g3), 1);
    /* refresh asks again whatever the cache says */
    CHECK_EQ(wb_client_media_conn_get(a->c, 1, &mc, got_conn, &g3), 0);
    cl_run(&fx);
    CHECK_EQ(g3.calls, 1);
    CHECK_EQ(fx_counter(&fx, "media.conn"), 2);
    /* past the TTL (the simulator's 300 s) it asks again */
    cl_advance(&fx, 301 * 1000);
    conn_got g4 = {0};
    CHECK_EQ(wb_client_media_conn_get(a->c, 0, &mc, got_conn, &g4), 0);
    cl_run(&fx);
    CHECK_EQ(g4.calls, 1);
    CHECK_EQ(fx_counter(&fx, "media.conn"), 3);
    /* a query cut by the connection's end: WB_ECLOSED, once */
    conn_got g5 = {0};
    CHECK_EQ(wb_client_media_conn_get(a->c, 1, &mc, got_conn, &g5), 0);
    wb_client_stop(a->c, fx.now_ms);
    cl_run(&fx);
    CHECK_EQ(g5.calls, 1);
    CHECK_EQ(g5.status, WB_ECLOSED);
    /* stopped, but the cache is still good for a while */
    CHECK_EQ(wb_client_media_conn_get(a->c, 0, &mc, got_conn, &g5), 1);
    cl_free(a);
    sim_fx_free(&fx);
}

static const uint8_t key[32] = {1, 2, 3}, sha[32] = {4, 5, 6}, enc[32] = {7, 8, 9};

static void test_client_media_messages_as_baileys_fills_them(void) {
    static const struct {
        const char *kind, *field_mime;
    } kinds[] = {{"image", "image/jpeg"}, {"video", "video/mp4"},
                 {"audio", "audio/ogg; codecs=opus"}, {"voice", "audio/ogg; codecs=opus"},
                 {"document", "application/pdf"}, {"sticker", "image/webp"}};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        wb_client_media md = {.kind = kinds[i].kind, .media_key = key, .file_sha256 = sha,
                              .file_enc_sha256 = enc, .file_length = 1234,
                              .url = "https://mmg.whatsapp.net/v/t62.7118-24/x.enc?oh=1",
                              .direct_path = "/v/t62.7118-24/x.enc?oh=1",
                              .media_key_timestamp = 1750000000, .seconds = 3, .width = 4,
                              .height = 5, .caption = "a caption"};
        Wa__Message *m = NULL;
        CHECK_EQ(wb_client_media_message(&md, &m), 0);
        if (!m)
            continue;
        wb_client_media r;
        CHECK_EQ(wb_client_media_of(m, &r), 0);
        CHECK_STR(r.kind, kinds[i].kind);
        CHECK_STR(r.mimetype, kinds[i].field_mime); /* Baileys' MIMETYPE_MAP when not given */
        CHECK_MEM(r.media_key, key, 32);
        CHECK(r.file_sha256 && memcmp(r.file_sha256, sha, 32) == 0);
        CHECK(r.file_enc_sha256 && memcmp(r.file_enc_sha256, enc, 32) == 0);
        CHECK_EQ(r.file_length, 1234);
        CHECK_STR(r.direct_path, md.direct_path);
        CHECK_STR(r.url, md.url);
        CHECK_EQ(r.media_key_timestamp, 1750000000);
        int captioned = !strcmp(md.kind, "image") || !strcmp(md.kind, "video") ||
                        !strcmp(md.kind, "document");
        CHECK(captioned ? r.caption && !strcmp(r.caption, "a caption") : r.caption == NULL);
        if (!strcmp(md.kind, "document"))
            CHECK_STR(r.file_name, "file"); /* Baileys' default name */
        if (!strcmp(md.kind, "voice"))
            CHECK(m->audiomessage->has_ptt && m->audiomessage->ptt);
        if (!strcmp(md.kind, "audio"))
            CHECK(!m->audiomessage->has_ptt);
        if (!strcmp(md.kind, "image"))
            CHECK(r.width == 4 && r.height == 5);
        if (!strcmp(md.kind, "video") || !strcmp(md.kind, "audio"))
            CHECK_EQ(r.seconds, 3);
        wb_proto_free(m);
    }
    wb_client_media bad = {.kind = "gif", .media_key = key};
    Wa__Message *m = NULL;
    CHECK_EQ(wb_client_media_message(&bad, &m), WB_EINVAL);
    CHECK_STR(wb_client_media_type("voice"), "audio");
    CHECK_STR(wb_client_media_type("sticker"), "sticker");
    CHECK(wb_client_media_type("text") == NULL);
}

static void test_client_media_message_takes_what_goes_on_top(void) {
    wb_client_media md = {.kind = "image", .media_key = key, .file_sha256 = sha,
                          .file_enc_sha256 = enc, .file_length = 10, .url = "https://h/v/x",
                          .direct_path = "/v/x", .caption = "look"};
    Wa__Message *m = NULL;
    CHECK_EQ(wb_client_media_message(&md, &m), 0);
    const char *mentions[] = {"111@s.whatsapp.net"};
    wb_client_content in = {.media = m, .mentions = mentions, .nmentions = 1, .view_once = 1,
                            .ephemeral_expiration = 86400};
    Wa__Message *out = NULL;
    wb_error e = {0};
    CHECK_EQ(wb_client_content_build(NULL, "222@s.whatsapp.net", &in, &out, &e), 0);
    const Wa__Message *inner = out && out->viewoncemessage ? out->viewoncemessage->message : NULL;
    CHECK(inner && inner->imagemessage && inner->imagemessage->contextinfo);
    if (inner && inner->imagemessage && inner->imagemessage->contextinfo) {
        const Wa__ContextInfo *ci = inner->imagemessage->contextinfo;
        CHECK(ci->n_mentionedjid == 1 && !strcmp(ci->mentionedjid[0], mentions[0]));
        CHECK(ci->has_expiration && ci->expiration == 86400);
        CHECK_STR(inner->imagemessage->caption, "look");
        wb_client_media r;
        CHECK_EQ(wb_client_media_of(out, &r), 0); /* read through the view-once wrapper */
        CHECK_MEM(r.media_key, key, 32);
    }
    CHECK(m->imagemessage->contextinfo == NULL); /* the caller's message is as it was */
    /* media and another kind at once is refused */
    in.text = "and text";
    Wa__Message *two = NULL;
    CHECK_EQ(wb_client_content_build(NULL, "222@s.whatsapp.net", &in, &two, &e), WB_EINVAL);
    wb_proto_free(out);
    wb_proto_free(m);
}

static void test_client_media_read_refuses_what_a_sender_could_forge(void) {
    Wa__Message m = WA__MESSAGE__INIT, inner = WA__MESSAGE__INIT;
    Wa__Message__FutureProofMessage eph = WA__MESSAGE__FUTURE_PROOF_MESSAGE__INIT;
    Wa__Message__ImageMessage img = WA__MESSAGE__IMAGE_MESSAGE__INIT;
    wb_client_media r;
    CHECK_EQ(wb_client_media_of(&m, &r), WB_ENOTFOUND);
    img.has_mediakey = 1;
    img.mediakey = (ProtobufCBinaryData){32, (uint8_t *)key};
    img.directpath = "/v/t62.7118-24/x.enc";
    inner.imagemessage = &img;
    eph.message = &inner;
    m.ephemeralmessage = &eph; /* inside a wrapper */
    CHECK_EQ(wb_client_media_of(&m, &r), 0);
    CHECK_STR(r.kind, "image");
    CHECK(r.file_sha256 == NULL && r.file_enc_sha256 == NULL);
    static const char *const paths[] = {"v/t62/x.enc", "https://evil.example/x", "/v/x y",
                                        "/v/x\ny", "/v/x#frag", "/v\\x", ""};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        img.directpath = (char *)paths[i];
        CHECK_EQ(wb_client_media_of(&m, &r), WB_EMALFORMED);
    }
    img.directpath = NULL;
    CHECK_EQ(wb_client_media_of(&m, &r), WB_EMALFORMED);
    img.directpath = "/v/ok";
    img.mediakey.len = 31;
    CHECK_EQ(wb_client_media_of(&m, &r), WB_EMALFORMED);
    img.mediakey.len = 32;
    img.has_filesha256 = 1;
    img.filesha256 = (ProtobufCBinaryData){16, (uint8_t *)sha};
    CHECK_EQ(wb_client_media_of(&m, &r), WB_EMALFORMED);
    img.has_filesha256 = 0;
    img.has_mediakey = 0;
    CHECK_EQ(wb_client_media_of(&m, &r), WB_EMALFORMED);
}

int main(void) {
    RUN(test_client_media_conn_cached_until_its_ttl);
    RUN(test_client_media_messages_as_baileys_fills_them);
    RUN(test_client_media_message_takes_what_goes_on_top);
    RUN(test_client_media_read_refuses_what_a_sender_could_forge);
    return check_summary();
}
