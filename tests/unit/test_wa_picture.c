/* Unit tests for wa/picture: the w:profile:picture requests as Baileys' profilePictureUrl,
 * updateProfilePicture and removeProfilePicture send them (and whatsmeow's
 * GetProfilePictureInfo), built and read back; the <picture> answers WhatsApp gives (a url,
 * an id only for a set, status 304 and 204 as whatsmeow reads them); malformed stanzas. */
#include "check.h"
#include "wa/picture.h"
#include "wa_check.h"

static wb_arena A;

static void test_wa_picture_requests(void) {
    wb_wa_picture_request r = {.action = WB_WA_PICTURE_GET,
                               .target = wb_jid_of("15550002222", WB_SERVER_USER, 0)};
    wb_node *wire = wa_wire(&A, wb_wa_picture_request_new(&A, &r));
    /* exactly Baileys' profilePictureUrl(jid) (no tctoken: the simulator issues none) */
    CHECK_STR(wa_to_json(wire),
              "{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"w:profile:picture\","
              "\"to\":\"@s.whatsapp.net\",\"target\":\"15550002222@s.whatsapp.net\"},\"content\":["
              "{\"tag\":\"picture\",\"attrs\":{\"type\":\"preview\",\"query\":\"url\"}}]}");
    wb_wa_picture_request got;
    wb_error e = {0};
    CHECK_EQ(wb_wa_picture_request_read(wire, &got, &e), 0);
    CHECK(got.action == WB_WA_PICTURE_GET && wb_jid_eq(&got.target, &r.target));
    CHECK_STR(got.type, "preview");
    /* whatsmeow's: type image, the id it has, a tctoken child */
    wire = wa_json(&A, "{\"tag\":\"iq\",\"attrs\":{\"id\":\"1\",\"type\":\"get\",\"xmlns\":\"w:profile:picture\","
                       "\"to\":\"s.whatsapp.net\",\"target\":\"120363000000000001@g.us\"},\"content\":[{\"tag\":"
                       "\"picture\",\"attrs\":{\"type\":\"image\",\"query\":\"url\",\"id\":\"1690000000\"},"
                       "\"content\":[{\"tag\":\"tctoken\",\"attrs\":{},\"content\":{\"base64\":\"AAE=\"}}]}]}");
    CHECK_EQ(wb_wa_picture_request_read(wire, &got, &e), 0);
    CHECK_STR(got.type, "image");
    CHECK_STR(fx_attr_or(got.id), "1690000000");
    /* set (updateProfilePicture: bytes in <picture type="image">), delete (no child) */
    static const uint8_t jpeg[] = {0xff, 0xd8, 0xff, 0xd9};
    r = (wb_wa_picture_request){.action = WB_WA_PICTURE_SET, .image = jpeg, .image_len = 4};
    wire = wa_wire(&A, wb_wa_picture_request_new(&A, &r));
    CHECK(!wb_node_attr(wire, "target"));
    CHECK_EQ(wb_wa_picture_request_read(wire, &got, &e), 0);
    CHECK(got.action == WB_WA_PICTURE_SET && got.image_len == 4 && memcmp(got.image, jpeg, 4) == 0);
    r = (wb_wa_picture_request){.action = WB_WA_PICTURE_DELETE,
                                .target = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0)};
    wire = wa_wire(&A, wb_wa_picture_request_new(&A, &r));
    CHECK_EQ(wb_wa_picture_request_read(wire, &got, &e), 0);
    CHECK(got.action == WB_WA_PICTURE_DELETE && wb_jid_eq(&got.target, &r.target));
}

static void test_wa_picture_answers(void) {
    wb_node *reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_picture_fill(reply, &(wb_wa_picture){.id = "1690000001", .type = "preview",
                                               .url = "https://mmg/v/x.jpg?oh=1",
                                               .direct_path = "/v/x.jpg?oh=1"});
    wb_wa_picture p;
    wb_error e = {0};
    CHECK_EQ(wb_wa_picture_read(wa_wire(&A, reply), &p, &e), 0);
    CHECK_STR(p.url, "https://mmg/v/x.jpg?oh=1");
    CHECK_STR(p.direct_path, "/v/x.jpg?oh=1");
    CHECK(p.status == 0 && strcmp(p.id, "1690000001") == 0);
    reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_picture_fill(reply, &(wb_wa_picture){.status = 304});
    CHECK_EQ(wb_wa_picture_read(wa_wire(&A, reply), &p, &e), 0);
    CHECK(p.status == 304 && !p.url);
    const char *bad_answers[] = {
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"result\"}}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"result\"},\"content\":[{\"tag\":\"picture\",\"attrs\":{\"url\":\"u\"}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"result\"},\"content\":[{\"tag\":\"picture\",\"attrs\":{\"id\":\"1\",\"status\":\"x\"}}]}",
    };
    WA_CHECK_REFUSES(&A, bad_answers, wb_wa_picture_read(WA_NODE, &p, WA_ERR));
    wb_wa_picture_request r;
    const char *bad_requests[] = {
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"w:profile:picture\"},\"content\":[{\"tag\":\"picture\",\"attrs\":{}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"w:profile:picture\",\"target\":\"1@s.whatsapp.net\"}}",
        ("{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"w:profile:picture\",\"target\":\"1@s.whatsapp.net\"},"
         "\"content\":[{\"tag\":\"picture\",\"attrs\":{\"type\":\"huge\"}}]}"),
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:profile:picture\"},\"content\":[{\"tag\":\"picture\",\"attrs\":{}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:profile:picture\",\"target\":\"a@b@c\"}}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"result\",\"xmlns\":\"w:profile:picture\"}}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"w:g2\"}}",
    };
    WA_CHECK_REFUSES(&A, bad_requests, wb_wa_picture_request_read(WA_NODE, &r, WA_ERR));
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_picture_requests);
    RUN(test_wa_picture_answers);
    wb_arena_free(&A);
    return check_summary();
}
