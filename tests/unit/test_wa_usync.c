/* Unit tests for wa/usync: the client's query in Baileys' exact shape, the query as the server
 * reads it (Baileys' sendMessage and onWhatsApp queries), results built and read back through the
 * wire, results in the shapes WhatsApp sends (NOTES §6.1), and malformed ones. */
#include "check.h"
#include "wa/iq.h"
#include "wa/usync.h"
#include "wa_check.h"

static wb_arena A;

static void test_wa_usync_query_is_baileys_shape(void) {
    wb_node *iq = wb_wa_iq_new(&A, "get", "usync");
    wb_node_set(iq, "to", "@s.whatsapp.net");
    wb_wa_usync_query_fill(iq, "1.2-3", "message", WB_WA_USYNC_DEVICES | WB_WA_USYNC_LID);
    wb_jid a = wb_jid_of("15550001111", WB_SERVER_USER, 0), b = wb_jid_of("15550002222", WB_SERVER_USER, 0);
    wb_wa_usync_query_add_jid(iq, &a);
    wb_wa_usync_query_add_jid(iq, &b);
    CHECK_STR(wa_to_json(wa_wire(&A, iq)),
              "{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"usync\",\"to\":\"@s.whatsapp.net\"},"
              "\"content\":[{\"tag\":\"usync\",\"attrs\":{\"context\":\"message\",\"mode\":\"query\","
              "\"sid\":\"1.2-3\",\"last\":\"true\",\"index\":\"0\"},\"content\":[{\"tag\":\"query\","
              "\"attrs\":{},\"content\":[{\"tag\":\"devices\",\"attrs\":{\"version\":\"2\"}},{\"tag\":"
              "\"lid\",\"attrs\":{}}]},{\"tag\":\"list\",\"attrs\":{},\"content\":[{\"tag\":\"user\","
              "\"attrs\":{\"jid\":\"15550001111@s.whatsapp.net\"}},{\"tag\":\"user\",\"attrs\":{\"jid\":"
              "\"15550002222@s.whatsapp.net\"}}]}]}]}");
    /* onWhatsApp: the contact protocol, users by phone */
    iq = wb_wa_iq_new(&A, "get", "usync");
    wb_wa_usync_query_fill(iq, "s", "interactive", WB_WA_USYNC_CONTACT);
    wb_wa_usync_query_add_phone(iq, "15550001111");
    wb_wa_usync_query_add_phone(iq, "+15550003333");
    wb_node *got = wa_wire(&A, iq);
    wb_node *list = wb_node_path(got, "usync", "list", NULL);
    CHECK_EQ(wb_node_count(list, "user"), 2);
    size_t n;
    const uint8_t *p = wb_node_content(wb_node_path(list, "user", "contact", NULL), &n);
    CHECK(p && n == 12 && memcmp(p, "+15550001111", 12) == 0);
    CHECK(wb_node_attr(wb_node_child(list, "user"), "jid") == NULL);
    CHECK(wb_node_child(wb_node_path(got, "usync", "query", NULL), "contact") != NULL);
}

static void test_wa_usync_request_reads_baileys_queries(void) {
    /* sendMessage's device query (Socket/messages-send.js getUSyncDevices, socket.js) */
    wb_node *iq = wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"to\":\"@s.whatsapp.net\",\"type\":\"get\",\"xmlns\":\"usync\",\"id\":\"7\"},"
        "\"content\":[{\"tag\":\"usync\",\"attrs\":{\"context\":\"message\",\"mode\":\"query\",\"sid\":\"9.1-1\","
        "\"last\":\"true\",\"index\":\"0\"},\"content\":[{\"tag\":\"query\",\"attrs\":{},\"content\":["
        "{\"tag\":\"devices\",\"attrs\":{\"version\":\"2\"}},{\"tag\":\"lid\",\"attrs\":{}},"
        "{\"tag\":\"bot\",\"attrs\":{}}]},{\"tag\":\"list\",\"attrs\":{},\"content\":["
        "{\"tag\":\"user\",\"attrs\":{\"jid\":\"15550001111@s.whatsapp.net\"}},"
        "{\"tag\":\"user\",\"attrs\":{\"jid\":\"100000000000007@lid\"}}]}]}]}");
    wb_wa_usync_request r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_usync_request_read(iq, &A, &r, &e), 0);
    CHECK_STR(r.sid, "9.1-1");
    CHECK_STR(r.context, "message");
    CHECK_EQ(r.protocols, WB_WA_USYNC_DEVICES | WB_WA_USYNC_LID);
    CHECK_EQ(r.nprotocols, 3);
    CHECK_STR(r.protocol_tags[2], "bot");
    CHECK_EQ(r.nusers, 2);
    CHECK_STR(wa_jid(&r.users[1].jid), "100000000000007@lid");
    CHECK(!r.users[0].by_phone && !r.users[0].contact);
    /* onWhatsApp (socket.js): <user><contact>+N</contact></user> */
    iq = wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"to\":\"@s.whatsapp.net\",\"type\":\"get\",\"xmlns\":\"usync\",\"id\":\"8\"},"
        "\"content\":[{\"tag\":\"usync\",\"attrs\":{\"context\":\"interactive\",\"mode\":\"query\",\"sid\":\"9\","
        "\"last\":\"true\",\"index\":\"0\"},\"content\":[{\"tag\":\"query\",\"attrs\":{},\"content\":["
        "{\"tag\":\"contact\",\"attrs\":{}}]},{\"tag\":\"list\",\"attrs\":{},\"content\":["
        "{\"tag\":\"user\",\"attrs\":{},\"content\":[{\"tag\":\"contact\",\"attrs\":{},\"content\":\"+15550002222\"}]}]}]}]}");
    CHECK_EQ(wb_wa_usync_request_read(iq, &A, &r, &e), 0);
    CHECK_EQ(r.protocols, WB_WA_USYNC_CONTACT);
    CHECK(r.users[0].by_phone);
    CHECK_STR(wa_jid(&r.users[0].jid), "15550002222@s.whatsapp.net");
    CHECK(r.users[0].contact_len == 12 && memcmp(r.users[0].contact, "+15550002222", 12) == 0);
}

static void test_wa_usync_result_round_trip(void) {
    wb_node *q = wb_wa_iq_new(&A, "get", "usync");
    wb_wa_usync_query_fill(q, "S1", "message",
                           WB_WA_USYNC_DEVICES | WB_WA_USYNC_LID | WB_WA_USYNC_CONTACT |
                               WB_WA_USYNC_STATUS);
    wb_jid pj = wb_jid_of("15550001111", WB_SERVER_USER, 0);
    wb_wa_usync_query_add_jid(q, &pj);
    wb_wa_usync_query_add_phone(q, "19990000000");
    wb_wa_usync_request req;
    CHECK_EQ(wb_wa_usync_request_read(wa_wire(&A, q), &A, &req, NULL), 0);
    wb_node *reply = WB_NODE(&A, "iq", {"type", "result"}, {"id", "1"});
    wb_node *list = wb_wa_usync_result_fill(reply, &req);
    wb_wa_usync_device devs[] = {{.id = 0}, {.id = 3, .key_index = 7, .has_key_index = 1},
                                 {.id = 99, .key_index = 9, .has_key_index = 1, .hosted = 1}};
    wb_wa_usync_user in = {.jid = req.users[0].jid, .lid = wb_jid_of("100000000000001", WB_SERVER_LID, 0),
                           .devices = devs, .ndevices = 3, .contact = 1};
    wb_wa_usync_user out = {.jid = req.users[1].jid, .contact = 0, .contact_text = req.users[1].contact,
                            .contact_len = req.users[1].contact_len};
    wb_wa_usync_user_fill(list, &req, &in);
    wb_wa_usync_user_fill(list, &req, &out);
    wb_node *wire = wa_wire(&A, reply);
    CHECK_EQ(wb_node_count(wb_node_path(wire, "usync", "result", NULL), NULL), 4);
    wb_wa_usync_result r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_usync_result_read(wire, &A, &r, &e), 0);
    CHECK_STR(r.sid, "S1");
    CHECK_EQ(r.nusers, 2);
    const wb_wa_usync_user *u = &r.users[0];
    CHECK_STR(wa_jid(&u->jid), "15550001111@s.whatsapp.net");
    CHECK_STR(wa_jid(&u->lid), "100000000000001@lid");
    CHECK_EQ(u->ndevices, 3);
    CHECK(u->ndevices == 3 && !u->devices[0].has_key_index && u->devices[1].id == 3 &&
          u->devices[1].key_index == 7 && u->devices[2].hosted && !u->devices[1].hosted);
    CHECK_EQ(u->contact, 1);
    CHECK_EQ(u->error, 0);
    u = &r.users[1];
    CHECK_STR(wa_jid(&u->jid), "19990000000@s.whatsapp.net");
    CHECK(wb_jid_is_empty(&u->lid));
    CHECK_EQ(u->ndevices, 0);
    CHECK_EQ(u->contact, 0);
    CHECK(u->contact_len == 12 && memcmp(u->contact_text, "+19990000000", 12) == 0);
}

static void test_wa_usync_result_reads_whatsapp_shapes(void) {
    /* NOTES §6.1, with a key-index-list, a non-zero device without key-index (Baileys drops it;
     * the reader says so) and an <error> in one user's devices */
    wb_node *iq = wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"from\":\"@s.whatsapp.net\",\"type\":\"result\",\"id\":\"7\"},\"content\":["
        "{\"tag\":\"usync\",\"attrs\":{\"sid\":\"9\",\"index\":\"0\",\"last\":\"true\",\"mode\":\"query\",\"context\":\"message\"},"
        "\"content\":[{\"tag\":\"result\",\"attrs\":{},\"content\":[{\"tag\":\"devices\",\"attrs\":{}}]},"
        "{\"tag\":\"list\",\"attrs\":{},\"content\":["
        "{\"tag\":\"user\",\"attrs\":{\"jid\":\"15550002222@s.whatsapp.net\"},\"content\":["
        "{\"tag\":\"devices\",\"attrs\":{},\"content\":[{\"tag\":\"device-list\",\"attrs\":{},\"content\":["
        "{\"tag\":\"device\",\"attrs\":{\"id\":\"0\"}},{\"tag\":\"device\",\"attrs\":{\"id\":\"1\",\"key-index\":\"1\"}},"
        "{\"tag\":\"device\",\"attrs\":{\"id\":\"2\"}}]},"
        "{\"tag\":\"key-index-list\",\"attrs\":{\"ts\":\"1700000000\"},\"content\":{\"base64\":\"AAEC\"}}]},"
        "{\"tag\":\"lid\",\"attrs\":{\"val\":\"100000852000460@lid\"}}]},"
        "{\"tag\":\"user\",\"attrs\":{},\"content\":[{\"tag\":\"lid\",\"attrs\":{}}]},"
        "{\"tag\":\"user\",\"attrs\":{\"jid\":\"15550003333@s.whatsapp.net\"},\"content\":["
        "{\"tag\":\"devices\",\"attrs\":{},\"content\":[{\"tag\":\"error\",\"attrs\":{\"code\":\"429\",\"text\":\"rate-overlimit\"}}]},"
        "{\"tag\":\"lid\",\"attrs\":{}}]}]}]}]}");
    wb_wa_usync_result r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_usync_result_read(iq, &A, &r, &e), 0);
    CHECK_EQ(r.nusers, 2); /* the user without a jid is skipped */
    CHECK_EQ(r.users[0].ndevices, 3);
    CHECK(r.users[0].ndevices == 3 && !r.users[0].devices[2].has_key_index);
    CHECK_STR(wa_jid(&r.users[0].lid), "100000852000460@lid");
    CHECK_EQ(r.users[0].contact, -1);
    CHECK_EQ(r.users[1].error, 429);
    CHECK_EQ(r.users[1].ndevices, 0);
}

static void test_wa_usync_refuses_malformed_stanzas(void) {
    wb_wa_usync_request req;
    wb_wa_usync_result res;
    wb_error e = {0};
    const char *bad_requests[] = {
        "{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"usync\",\"attrs\":{},\"content\":[{\"tag\":\"query\",\"attrs\":{}}]}]}",
        "{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"usync\",\"attrs\":{},\"content\":[{\"tag\":\"query\",\"attrs\":{}},"
        "{\"tag\":\"list\",\"attrs\":{},\"content\":[{\"tag\":\"user\",\"attrs\":{}}]}]}]}",
        "{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"usync\",\"attrs\":{},\"content\":[{\"tag\":\"query\",\"attrs\":{}},"
        "{\"tag\":\"list\",\"attrs\":{},\"content\":[{\"tag\":\"user\",\"attrs\":{\"jid\":\"not a jid\"}}]}]}]}",
        "{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"usync\",\"attrs\":{},\"content\":[{\"tag\":\"query\",\"attrs\":{}},"
        "{\"tag\":\"list\",\"attrs\":{},\"content\":[{\"tag\":\"user\",\"attrs\":{},\"content\":[{\"tag\":\"contact\",\"attrs\":{},\"content\":\"+12a\"}]}]}]}]}",
    };
    WA_CHECK_REFUSES(&A, bad_requests, wb_wa_usync_request_read(WA_NODE, &A, &req, WA_ERR));
    /* more users than a query may name */
    wb_node *iq = wb_wa_iq_new(&A, "get", "usync");
    wb_wa_usync_query_fill(iq, "s", "message", WB_WA_USYNC_DEVICES);
    wb_jid j = wb_jid_of("1", WB_SERVER_USER, 0);
    for (int i = 0; i <= WB_WA_USYNC_USERS_MAX; i++)
        wb_wa_usync_query_add_jid(iq, &j);
    CHECK_EQ(wb_wa_usync_request_read(iq, &A, &req, &e), WB_ETOOBIG);
    const char *bad_results[] = {
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"result\"}}",
        ("{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"usync\",\"attrs\":{},\"content\":[{\"tag\":\"list\",\"attrs\":{},\"content\":["
         "{\"tag\":\"user\",\"attrs\":{\"jid\":\"1@s.whatsapp.net\"},\"content\":[{\"tag\":\"devices\",\"attrs\":{},\"content\":["
         "{\"tag\":\"device-list\",\"attrs\":{},\"content\":[{\"tag\":\"device\",\"attrs\":{\"id\":\"70000\"}}]}]}]}]}]}]}"),
        ("{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"usync\",\"attrs\":{},\"content\":[{\"tag\":\"list\",\"attrs\":{},\"content\":["
         "{\"tag\":\"user\",\"attrs\":{\"jid\":\"1@s.whatsapp.net\"},\"content\":[{\"tag\":\"devices\",\"attrs\":{},\"content\":["
         "{\"tag\":\"device-list\",\"attrs\":{},\"content\":[{\"tag\":\"device\",\"attrs\":{\"key-index\":\"1\"}}]}]}]}]}]}]}"),
        ("{\"tag\":\"iq\",\"attrs\":{},\"content\":[{\"tag\":\"usync\",\"attrs\":{},\"content\":[{\"tag\":\"list\",\"attrs\":{},\"content\":["
         "{\"tag\":\"user\",\"attrs\":{\"jid\":\"1@s.whatsapp.net\"},\"content\":[{\"tag\":\"lid\",\"attrs\":{\"val\":\"@@\"}}]}]}]}]}"),
    };
    WA_CHECK_REFUSES(&A, bad_results, wb_wa_usync_result_read(WA_NODE, &A, &res, WA_ERR));
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_usync_query_is_baileys_shape);
    RUN(test_wa_usync_request_reads_baileys_queries);
    RUN(test_wa_usync_result_round_trip);
    RUN(test_wa_usync_result_reads_whatsapp_shapes);
    RUN(test_wa_usync_refuses_malformed_stanzas);
    wb_arena_free(&A);
    return check_summary();
}
