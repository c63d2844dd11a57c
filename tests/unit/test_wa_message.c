/* Unit tests for wa/message: message ids as Baileys makes them, the stanza a client sends (1:1,
 * group, retry resend) in Baileys' shapes, the stanza the server delivers, both built and read
 * back through the wire, and malformed ones. */
#include <ctype.h>

#include "check.h"
#include "wa/message.h"
#include "wa_check.h"

static wb_arena A;

static void test_wa_message_ids_look_like_baileys(void) {
    char ids[64][WB_WA_MESSAGE_ID_LEN + 1];
    wb_jid me = wb_jid_of("15550001111", WB_SERVER_USER, 1);
    /* generateMessageIDV2 (Utils/generics.js) with Date.now() = 1700000000 s and randomBytes =
     * 16 x 07, computed by its code in Node */
    uint8_t seven[16];
    memset(seven, 7, sizeof seven);
    wb_wa_message_id_of(ids[0], &me, 1700000000, seven);
    CHECK_STR(ids[0], "3EB0815FE37DF79DD42623");
    wb_wa_message_id_of(ids[0], NULL, 1700000000, seven);
    CHECK_STR(ids[0], "3EB0AF1CB96FD17BE687FA");
    for (int i = 0; i < 64; i++) {
        wb_wa_message_id_new(ids[i], i % 2 ? &me : NULL, 1700000000 + i);
        CHECK_EQ(strlen(ids[i]), 22);
        CHECK(strncmp(ids[i], "3EB0", 4) == 0);
        for (int k = 4; k < 22; k++)
            CHECK(isxdigit((unsigned char)ids[i][k]) && !islower((unsigned char)ids[i][k]));
        for (int j = 0; j < i; j++)
            CHECK(strcmp(ids[i], ids[j]) != 0);
    }
}

static void test_wa_message_send_round_trip(void) {
    /* a 1:1 text: the peer's device and our own other device, identity with the pkmsg */
    wb_wa_target t[] = {
        {.jid = wb_jid_of("15550002222", WB_SERVER_USER, 1), .has_enc = 1,
         .enc = {.type = "pkmsg", .data = (const uint8_t *)"ct1", .len = 3, .mediatype = "image"}},
        {.jid = wb_jid_of("15550001111", WB_SERVER_USER, 2), .has_enc = 1,
         .enc = {.type = "msg", .data = (const uint8_t *)"ct2", .len = 3}},
    };
    wb_wa_message_send m = {.id = "3EB0AA", .to = wb_jid_of("15550002222", WB_SERVER_USER, 0),
                            .type = "text", .targets = t, .ntargets = 2,
                            .identity = (const uint8_t *)"IDENT", .identity_len = 5};
    wb_node *wire = wa_wire(&A, wb_wa_message_send_new(&A, &m));
    CHECK_STR(wa_to_json(wire),
              "{\"tag\":\"message\",\"attrs\":{\"id\":\"3EB0AA\",\"type\":\"text\",\"to\":\"15550002222@s.whatsapp.net\"},"
              "\"content\":[{\"tag\":\"participants\",\"attrs\":{},\"content\":[{\"tag\":\"to\",\"attrs\":{\"jid\":"
              "\"15550002222:1@s.whatsapp.net\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"v\":\"2\",\"type\":\"pkmsg\","
              "\"mediatype\":\"image\"},\"content\":{\"base64\":\"Y3Qx\"}}]},{\"tag\":\"to\",\"attrs\":{\"jid\":"
              "\"15550001111:2@s.whatsapp.net\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"v\":\"2\",\"type\":\"msg\"},"
              "\"content\":{\"base64\":\"Y3Qy\"}}]}]},{\"tag\":\"device-identity\",\"attrs\":{},\"content\":"
              "{\"base64\":\"SURFTlQ=\"}}]}");
    wb_wa_message_send r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_message_send_read(wire, &A, &r, &e), 0);
    CHECK_STR(r.id, "3EB0AA");
    CHECK(wb_jid_eq(&r.to, &m.to));
    CHECK_EQ(r.ntargets, 2);
    CHECK_EQ(r.nencs, 0);
    CHECK(r.ntargets == 2 && r.targets[0].has_enc && wb_jid_eq(&r.targets[1].jid, &t[1].jid));
    CHECK(r.ntargets == 2 && r.targets[0].enc.len == 3 && memcmp(r.targets[0].enc.data, "ct1", 3) == 0);
    CHECK_STR(r.targets[0].enc.mediatype, "image");
    CHECK_STR(r.targets[0].enc.v, "2");
    CHECK(r.identity_len == 5 && memcmp(r.identity, "IDENT", 5) == 0);
    /* a group message: skmsg first, then <to> for the devices without the sender key */
    wb_wa_enc sk = {.type = "skmsg", .data = (const uint8_t *)"group", .len = 5};
    wb_wa_message_send g = {.id = "3EB0BB", .to = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0),
                            .type = "text", .addressing_mode = "pn", .encs = &sk, .nencs = 1,
                            .targets = t, .ntargets = 1};
    wire = wa_wire(&A, wb_wa_message_send_new(&A, &g));
    CHECK(wire && wire->nkids == 2 && wb_node_is(wire->kids[0], "enc") &&
          wb_node_is(wire->kids[1], "participants"));
    CHECK_EQ(wb_wa_message_send_read(wire, &A, &r, &e), 0);
    CHECK_STR(r.addressing_mode, "pn");
    CHECK(r.nencs == 1 && strcmp(r.encs[0].type, "skmsg") == 0 && r.ntargets == 1);
    CHECK(r.identity == NULL);
}

static void test_wa_message_send_reads_baileys_stanzas(void) {
    /* a retry resend to one device of a 1:1 (messages-send.js relayMessage with participant) */
    wb_node *n = wa_json(&A,
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"3EB0AA01\",\"to\":\"15550002222:1@s.whatsapp.net\",\"type\":\"text\","
        "\"device_fanout\":\"false\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"v\":\"2\",\"type\":\"pkmsg\",\"count\":\"1\"},"
        "\"content\":{\"base64\":\"BQUF\"}},{\"tag\":\"device-identity\",\"attrs\":{},\"content\":{\"base64\":\"BAQE\"}}]}");
    wb_wa_message_send r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_message_send_read(n, &A, &r, &e), 0);
    CHECK_STR(wa_jid(&r.to), "15550002222:1@s.whatsapp.net");
    CHECK_STR(r.device_fanout, "false");
    CHECK(r.nencs == 1 && r.encs[0].count == 1 && r.ntargets == 0 && r.identity_len == 3);
    /* a group resend names the device as participant; a <to> whose encryption failed has no enc */
    n = wa_json(&A,
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"3EB0BB01\",\"to\":\"120363000000000001@g.us\",\"type\":\"text\","
        "\"participant\":\"15550002222:1@s.whatsapp.net\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"v\":\"2\","
        "\"type\":\"msg\",\"count\":\"2\"},\"content\":{\"base64\":\"AQ==\"}},{\"tag\":\"participants\",\"attrs\":{},"
        "\"content\":[{\"tag\":\"to\",\"attrs\":{\"jid\":\"15550003333:1@s.whatsapp.net\"}}]}]}");
    CHECK_EQ(wb_wa_message_send_read(n, &A, &r, &e), 0);
    CHECK_STR(wa_jid(&r.participant), "15550002222:1@s.whatsapp.net");
    CHECK(r.ntargets == 1 && !r.targets[0].has_enc);
}

static void test_wa_message_delivered_round_trip(void) {
    /* a group message for a device that gets the sender key: its pkmsg before skmsg */
    wb_wa_enc encs[] = {{.type = "pkmsg", .data = (const uint8_t *)"skdm", .len = 4},
                        {.type = "skmsg", .data = (const uint8_t *)"body", .len = 4}};
    wb_wa_message in = {.id = "3EB0CC", .from = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0),
                        .participant = wb_jid_of("15550001111", WB_SERVER_USER, 1),
                        .participant_lid = wb_jid_of("100000000000001", WB_SERVER_LID, 1),
                        .addressing_mode = "pn", .type = "text", .notify = "Alice", .t = 1700000100,
                        .encs = encs, .nencs = 2, .identity = (const uint8_t *)"ID", .identity_len = 2,
                        .offline = 1, .category = "peer"};
    wb_node *wire = wa_wire(&A, wb_wa_message_new(&A, &in));
    CHECK(wire && wire->nkids == 3 && wb_node_is(wire->kids[2], "device-identity"));
    CHECK_STR(fx_attr_or(wb_node_attr(wire, "offline")), "1");
    wb_wa_message m;
    wb_error e = {0};
    CHECK_EQ(wb_wa_message_read(wire, &A, &m, &e), 0);
    CHECK_STR(m.id, "3EB0CC");
    CHECK(wb_jid_eq(&m.chat, &in.from) && wb_jid_eq(&m.sender, &in.participant));
    CHECK(wb_jid_eq(&m.participant_lid, &in.participant_lid));
    CHECK_EQ(m.nencs, 2);
    CHECK(m.nencs == 2 && strcmp(m.encs[0].type, "pkmsg") == 0 && strcmp(m.encs[1].type, "skmsg") == 0);
    CHECK(m.nencs == 2 && m.encs[1].len == 4 && memcmp(m.encs[1].data, "body", 4) == 0);
    CHECK(m.offline && m.t == 1700000100 && m.identity_len == 2);
    CHECK_STR(m.notify, "Alice");
    CHECK_STR(m.category, "peer");
    /* an own-device copy: the chat is the recipient */
    wb_wa_message own = {.id = "X", .from = wb_jid_of("15550001111", WB_SERVER_USER, 1),
                         .recipient = wb_jid_of("15550002222", WB_SERVER_USER, 0), .t = 5,
                         .type = "text", .encs = encs, .nencs = 1};
    CHECK_EQ(wb_wa_message_read(wa_wire(&A, wb_wa_message_new(&A, &own)), &A, &m, &e), 0);
    CHECK(wb_jid_eq(&m.chat, &own.recipient) && wb_jid_eq(&m.sender, &own.from) && !m.offline);
    /* LID addressing: from is the sender's LID device, sender_pn its number */
    wb_wa_message lid = {.id = "Y", .from = wb_jid_of("100000000000001", WB_SERVER_LID, 1),
                         .sender_pn = wb_jid_of("15550001111", WB_SERVER_USER, 1), .t = 6,
                         .type = "text", .encs = encs, .nencs = 1};
    CHECK_EQ(wb_wa_message_read(wa_wire(&A, wb_wa_message_new(&A, &lid)), &A, &m, &e), 0);
    CHECK_STR(wa_jid(&m.chat), "100000000000001@lid");
    CHECK_STR(wa_jid(&m.sender_pn), "15550001111:1@s.whatsapp.net");
}

static void test_wa_message_reads_whatsapp_deliveries(void) {
    /* NOTES §6.2 (tests/interop/lib/stanzas.mjs deliveredMessage) */
    wb_node *n = wa_json(&A,
        "{\"tag\":\"message\",\"attrs\":{\"from\":\"15550001111:1@s.whatsapp.net\",\"id\":\"3EB0ABCDEF\","
        "\"t\":\"1700000123\",\"type\":\"text\",\"notify\":\"Alice Example\",\"sender_lid\":\"100000743590627:1@lid\"},"
        "\"content\":[{\"tag\":\"enc\",\"attrs\":{\"v\":\"2\",\"type\":\"msg\"},\"content\":{\"base64\":\"AAECAw==\"}}]}");
    wb_wa_message m;
    wb_error e = {0};
    CHECK_EQ(wb_wa_message_read(n, &A, &m, &e), 0);
    CHECK_STR(wa_jid(&m.chat), "15550001111@s.whatsapp.net");
    CHECK_STR(wa_jid(&m.sender), "15550001111:1@s.whatsapp.net");
    CHECK_STR(wa_jid(&m.sender_lid), "100000743590627:1@lid");
    CHECK(m.nencs == 1 && m.encs[0].len == 4 && m.t == 1700000123);
    /* a group message with only skmsg */
    n = wa_json(&A,
        "{\"tag\":\"message\",\"attrs\":{\"from\":\"120363021234567890@g.us\",\"participant\":\"15550001111:1@s.whatsapp.net\","
        "\"addressing_mode\":\"pn\",\"id\":\"3EB0\",\"t\":\"1700000300\",\"type\":\"text\",\"notify\":\"Alice\"},"
        "\"content\":[{\"tag\":\"enc\",\"attrs\":{\"v\":\"2\",\"type\":\"skmsg\"},\"content\":{\"base64\":\"AQI=\"}}]}");
    CHECK_EQ(wb_wa_message_read(n, &A, &m, &e), 0);
    CHECK_STR(wa_jid(&m.chat), "120363021234567890@g.us");
    CHECK_STR(m.addressing_mode, "pn");
}

static void test_wa_message_refuses_malformed_stanzas(void) {
    const char *bad_delivered[] = {
        "{\"tag\":\"message\",\"attrs\":{\"from\":\"1:1@s.whatsapp.net\",\"t\":\"1\"}}",
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"1\",\"t\":\"1\"}}",
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"1\",\"from\":\"1:1@s.whatsapp.net\"}}",
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"1\",\"from\":\"1@g.us\",\"t\":\"1\"}}",
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"1\",\"from\":\"1:1@s.whatsapp.net\",\"t\":\"1\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"v\":\"2\"},\"content\":{\"base64\":\"AQ==\"}}]}",
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"1\",\"from\":\"1:1@s.whatsapp.net\",\"t\":\"1\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"type\":\"msg\"}}]}",
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"1\",\"from\":\"1:1@s.whatsapp.net\",\"t\":\"x\"}}",
    };
    wb_wa_message m;
    wb_wa_message_send s;
    wb_error e;
    WA_CHECK_REFUSES(&A, bad_delivered, wb_wa_message_read(WA_NODE, &A, &m, WA_ERR));
    const char *bad_sent[] = {
        "{\"tag\":\"message\",\"attrs\":{\"to\":\"1@s.whatsapp.net\"}}",
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"x\",\"to\":\"not a jid\"}}",
        ("{\"tag\":\"message\",\"attrs\":{\"id\":\"x\",\"to\":\"1@s.whatsapp.net\"},\"content\":[{\"tag\":\"participants\",\"attrs\":{},"
         "\"content\":[{\"tag\":\"to\",\"attrs\":{},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"type\":\"msg\"},\"content\":\"?\"}]}]}]}"),
        "{\"tag\":\"message\",\"attrs\":{\"id\":\"x\",\"to\":\"1@s.whatsapp.net\"},\"content\":[{\"tag\":\"enc\",\"attrs\":{\"type\":\"msg\",\"count\":\"99999999999\"},\"content\":\"?\"}]}",
    };
    WA_CHECK_REFUSES(&A, bad_sent, wb_wa_message_send_read(WA_NODE, &A, &s, WA_ERR));
    char id[200];
    memset(id, 'A', sizeof id - 1);
    id[sizeof id - 1] = 0;
    CHECK_EQ(wb_wa_message_send_read(WB_NODE(&A, "message", {"id", id}, {"to", "1@s.whatsapp.net"}),
                                     &A, &s, &e), WB_EPROTO);
    wb_node *many = WB_NODE(&A, "message", {"id", "x"}, {"to", "1@s.whatsapp.net"});
    wb_node *parts = wb_node_add_new(many, "participants");
    for (int i = 0; i <= WB_WA_MESSAGE_TARGETS_MAX; i++)
        WB_CHILD(parts, "to", {"jid", "1:1@s.whatsapp.net"});
    CHECK_EQ(wb_wa_message_send_read(many, &A, &s, &e), WB_ETOOBIG);
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_message_ids_look_like_baileys);
    RUN(test_wa_message_send_round_trip);
    RUN(test_wa_message_send_reads_baileys_stanzas);
    RUN(test_wa_message_delivered_round_trip);
    RUN(test_wa_message_reads_whatsapp_deliveries);
    RUN(test_wa_message_refuses_malformed_stanzas);
    wb_arena_free(&A);
    return check_summary();
}
