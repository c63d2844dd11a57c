/* Unit tests for wa/receipt: receipts as Baileys sends them (sendReceipt's batches, retry
 * receipts with and without keys, messages-recv.js sendRetryRequest), as the server routes them,
 * built and read back through the wire; acks both ways (Utils/stanza-ack.js); malformed ones. */
#include "check.h"
#include "crypto/curve.h"
#include "wa/receipt.h"
#include "wa_check.h"

static wb_arena A;

static void test_wa_receipt_reads_baileys_receipts(void) {
    /* readMessages: a read receipt for three messages of a group, one receipt with a list */
    wb_node *n = wa_json(&A,
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"3EB0A1\",\"t\":\"1700000300\",\"to\":\"120363000000000001@g.us\","
        "\"participant\":\"15550001111:1@s.whatsapp.net\",\"type\":\"read\"},\"content\":[{\"tag\":\"list\",\"attrs\":{},"
        "\"content\":[{\"tag\":\"item\",\"attrs\":{\"id\":\"3EB0A2\"}},{\"tag\":\"item\",\"attrs\":{\"id\":\"3EB0A3\"}}]}]}");
    wb_wa_receipt r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_receipt_read(n, &A, &r, &e), 0);
    CHECK_EQ(r.nids, 3);
    CHECK(r.nids == 3 && strcmp(r.ids[0], "3EB0A1") == 0 && strcmp(r.ids[2], "3EB0A3") == 0);
    CHECK_STR(wa_jid(&r.to), "120363000000000001@g.us");
    CHECK_STR(wa_jid(&r.participant), "15550001111:1@s.whatsapp.net");
    CHECK_STR(r.type, "read");
    CHECK_EQ(r.t, 1700000300);
    CHECK(wb_jid_is_empty(&r.from) && !r.has_retry && !r.has_keys && !wb_wa_receipt_is_retry(&r));
    /* a sender receipt for an own-device copy: recipient and to swapped as Baileys does */
    n = wa_json(&A, "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"X\",\"recipient\":\"15550002222@s.whatsapp.net\","
                    "\"to\":\"15550001111:2@s.whatsapp.net\",\"type\":\"sender\"}}");
    CHECK_EQ(wb_wa_receipt_read(n, &A, &r, &e), 0);
    CHECK_STR(wa_jid(&r.recipient), "15550002222@s.whatsapp.net");
    /* the first retry: no keys */
    n = wa_json(&A,
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"3EB0B1\",\"type\":\"retry\",\"to\":\"15550001111:1@s.whatsapp.net\"},"
        "\"content\":[{\"tag\":\"retry\",\"attrs\":{\"count\":\"1\",\"id\":\"3EB0B1\",\"t\":\"1700000400\",\"v\":\"1\",\"error\":\"0\"}},"
        "{\"tag\":\"registration\",\"attrs\":{},\"content\":{\"base64\":\"AAAwOQ==\"}}]}");
    CHECK_EQ(wb_wa_receipt_read(n, &A, &r, &e), 0);
    CHECK(wb_wa_receipt_is_retry(&r) && r.has_retry && r.has_registration && !r.has_keys);
    CHECK_EQ(r.retry.count, 1);
    CHECK_STR(r.retry.id, "3EB0B1");
    CHECK_EQ(r.retry.t, 1700000400);
    CHECK_EQ(r.registration_id, 12345);
    /* the second: a bundle in <keys> */
    n = wa_json(&A,
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"3EB0B1\",\"type\":\"retry\",\"to\":\"15550001111:1@s.whatsapp.net\"},"
        "\"content\":[{\"tag\":\"retry\",\"attrs\":{\"count\":\"2\",\"id\":\"3EB0B1\",\"t\":\"1700000400\",\"v\":\"1\",\"error\":\"0\"}},"
        "{\"tag\":\"registration\",\"attrs\":{},\"content\":{\"base64\":\"AAAwOQ==\"}},"
        "{\"tag\":\"keys\",\"attrs\":{},\"content\":[{\"tag\":\"type\",\"attrs\":{},\"content\":{\"base64\":\"BQ==\"}},"
        "{\"tag\":\"identity\",\"attrs\":{},\"content\":{\"base64\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\"}},"
        "{\"tag\":\"key\",\"attrs\":{},\"content\":[{\"tag\":\"id\",\"attrs\":{},\"content\":{\"base64\":\"AAAH\"}},"
        "{\"tag\":\"value\",\"attrs\":{},\"content\":{\"base64\":\"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\"}}]},"
        "{\"tag\":\"skey\",\"attrs\":{},\"content\":[{\"tag\":\"id\",\"attrs\":{},\"content\":{\"base64\":\"AAAB\"}},"
        "{\"tag\":\"value\",\"attrs\":{},\"content\":{\"base64\":\"AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\"}},"
        "{\"tag\":\"signature\",\"attrs\":{},\"content\":{\"base64\":\"BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBA==\"}}]},"
        "{\"tag\":\"device-identity\",\"attrs\":{},\"content\":{\"base64\":\"CgIICA==\"}}]}]}");
    CHECK_EQ(wb_wa_receipt_read(n, &A, &r, &e), 0);
    CHECK(r.has_keys && r.keys.has_prekey);
    CHECK_EQ(r.retry.count, 2);
    CHECK_EQ(r.keys.registration_id, 12345);
    CHECK_EQ(r.keys.prekey_id, 7);
    CHECK_EQ(r.keys.signed_prekey_id, 1);
    CHECK(r.keys.identity[31] == 1 && r.keys.prekey[0] == 2 && r.keys.signed_prekey[0] == 3 &&
          r.keys.signed_prekey_signature[63] == 4);
    CHECK_EQ(r.device_identity_len, 4);
}

static void test_wa_receipt_round_trip(void) {
    const char *ids[] = {"M1", "M2", "M3"};
    wb_wa_receipt in = {.ids = ids, .nids = 3, .from = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0),
                        .participant = wb_jid_of("100000000000002", WB_SERVER_LID, 0),
                        .type = "played", .t = 1700000500};
    wb_wa_receipt r;
    wb_error e = {0};
    wb_node *wire = wa_wire(&A, wb_wa_receipt_new(&A, &in));
    CHECK_EQ(wb_wa_receipt_read(wire, &A, &r, &e), 0);
    CHECK_EQ(r.nids, 3);
    CHECK(r.nids == 3 && strcmp(r.ids[1], "M2") == 0);
    CHECK(wb_jid_eq(&r.from, &in.from) && wb_jid_eq(&r.participant, &in.participant));
    CHECK(wb_jid_is_empty(&r.to));
    CHECK_STR(r.type, "played");
    CHECK_EQ(r.t, 1700000500);
    CHECK_STR(fx_attr_or(wb_node_attr(wire, "from")), "120363000000000001@g.us");
    /* a retry with keys, as a client builds it */
    wb_keypair ident, skey;
    wb_keypair_generate(&ident);
    wb_keypair_generate(&skey);
    const char *one[] = {"M9"};
    wb_wa_receipt rt = {.ids = one, .nids = 1, .to = wb_jid_of("15550001111", WB_SERVER_USER, 3),
                        .recipient = wb_jid_of("15550002222", WB_SERVER_USER, 0), .type = "retry",
                        .has_retry = 1, .retry = {.count = 2, .id = "M9", .t = 1700000000},
                        .has_registration = 1, .registration_id = 4242, .has_keys = 1,
                        .device_identity = (const uint8_t *)"DI", .device_identity_len = 2};
    memcpy(rt.keys.identity, ident.pub, 32);
    rt.keys.signed_prekey_id = 5;
    memcpy(rt.keys.signed_prekey, skey.pub, 32);
    uint8_t msg[33] = {5};
    memcpy(msg + 1, skey.pub, 32);
    wb_xeddsa_sign(rt.keys.signed_prekey_signature, ident.priv, msg, sizeof msg);
    rt.keys.has_prekey = 1;
    rt.keys.prekey_id = 0xFFFFFE;
    memcpy(rt.keys.prekey, skey.pub, 32);
    wire = wa_wire(&A, wb_wa_receipt_new(&A, &rt));
    /* children in Baileys' order: retry, registration, keys (type identity key skey device-identity) */
    CHECK(wire && wire->nkids == 3 && wb_node_is(wire->kids[0], "retry") &&
          wb_node_is(wire->kids[2], "keys"));
    wb_node *keys = wb_node_child(wire, "keys");
    CHECK(keys && keys->nkids == 5 && wb_node_is(keys->kids[0], "type") &&
          wb_node_is(keys->kids[2], "key") && wb_node_is(keys->kids[4], "device-identity"));
    CHECK_STR(fx_attr_or(wb_node_attr(wb_node_child(wire, "retry"), "v")), "1");
    CHECK_STR(fx_attr_or(wb_node_attr(wb_node_child(wire, "retry"), "error")), "0");
    CHECK_EQ(wb_wa_receipt_read(wire, &A, &r, &e), 0);
    CHECK(r.has_keys && r.has_retry && r.retry.count == 2 && r.keys.prekey_id == 0xFFFFFE);
    CHECK_EQ(r.keys.registration_id, 4242);
    CHECK_MEM(r.keys.signed_prekey_signature, rt.keys.signed_prekey_signature, 64);
    CHECK_EQ(wb_signal_verify_signed_prekey(r.keys.identity, r.keys.signed_prekey,
                                            r.keys.signed_prekey_signature), 0);
    CHECK(r.device_identity_len == 2 && memcmp(r.device_identity, "DI", 2) == 0);
    CHECK(wb_jid_eq(&r.recipient, &rt.recipient));
}

static void test_wa_ack_both_ways(void) {
    /* the client's ack of a notification (Baileys' buildAckStanza): to=<from>, class=<tag> */
    wb_node *notif = wa_json(&A, "{\"tag\":\"notification\",\"attrs\":{\"from\":\"120363000000000001@g.us\","
                                 "\"type\":\"w:gp2\",\"id\":\"N1\",\"participant\":\"15550001111@s.whatsapp.net\",\"t\":\"1\"}}");
    wb_wa_ack k;
    wb_error e = {0};
    wb_node *ack = wa_wire(&A, wb_wa_ack_for(&A, notif, 0, NULL));
    CHECK_EQ(wb_wa_ack_read(ack, &k, &e), 0);
    CHECK_STR(k.id, "N1");
    CHECK_STR(k.cls, "notification");
    CHECK_STR(k.type, "w:gp2");
    CHECK_STR(wa_jid(&k.to), "120363000000000001@g.us");
    CHECK_STR(wa_jid(&k.participant), "15550001111@s.whatsapp.net");
    CHECK(wb_jid_is_empty(&k.from) && k.error == 0 && ack->nattrs == 5);
    /* a NACK of a message: error and from=me */
    wb_node *msg = wa_json(&A, "{\"tag\":\"message\",\"attrs\":{\"from\":\"15550001111:1@s.whatsapp.net\","
                               "\"id\":\"M1\",\"type\":\"text\",\"t\":\"1\"}}");
    wb_jid me = wb_jid_of("15550002222", WB_SERVER_USER, 1);
    CHECK_EQ(wb_wa_ack_read(wa_wire(&A, wb_wa_ack_for(&A, msg, 500, &me)), &k, &e), 0);
    CHECK_STR(k.cls, "message");
    CHECK_EQ(k.error, 500);
    CHECK(wb_jid_eq(&k.from, &me));
    CHECK_STR(wa_jid(&k.to), "15550001111:1@s.whatsapp.net");
    /* the server's ack of a send, with whatsmeow's phash */
    wb_wa_ack s = {.cls = "message", .id = "M2", .from = wb_jid_of("15550002222", WB_SERVER_USER, 0),
                   .t = 1700000600, .error = 403, .phash = "2:abc"};
    CHECK_EQ(wb_wa_ack_read(wa_wire(&A, wb_wa_ack_new(&A, &s)), &k, &e), 0);
    CHECK(k.t == 1700000600 && k.error == 403 && strcmp(k.phash, "2:abc") == 0 &&
          wb_jid_eq(&k.from, &s.from));
    const char *bad[] = {"{\"tag\":\"ack\",\"attrs\":{\"class\":\"message\"}}",
                         "{\"tag\":\"ack\",\"attrs\":{\"id\":\"1\"}}",
                         "{\"tag\":\"ack\",\"attrs\":{\"id\":\"1\",\"class\":\"receipt\",\"t\":\"x\"}}",
                         "{\"tag\":\"ack\",\"attrs\":{\"id\":\"1\",\"class\":\"receipt\",\"error\":\"-1\"}}",
                         "{\"tag\":\"ack\",\"attrs\":{\"id\":\"1\",\"class\":\"receipt\",\"from\":\"a@b@c\"}}"};
    WA_CHECK_REFUSES(&A, bad, wb_wa_ack_read(WA_NODE, &k, WA_ERR));
}

static void test_wa_receipt_refuses_malformed_stanzas(void) {
    const char *bad[] = {
        "{\"tag\":\"receipt\",\"attrs\":{\"to\":\"1@s.whatsapp.net\"}}",
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"\"}}",
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"1\",\"to\":\"x@\"}}",
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"1\"},\"content\":[{\"tag\":\"list\",\"attrs\":{},\"content\":[{\"tag\":\"item\",\"attrs\":{}}]}]}",
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"1\"},\"content\":[{\"tag\":\"registration\",\"attrs\":{},\"content\":{\"base64\":\"AAE=\"}}]}",
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"1\"},\"content\":[{\"tag\":\"retry\",\"attrs\":{\"count\":\"x\"}}]}",
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"1\"},\"content\":[{\"tag\":\"keys\",\"attrs\":{},\"content\":["
        "{\"tag\":\"type\",\"attrs\":{},\"content\":{\"base64\":\"Bg==\"}},"
        "{\"tag\":\"identity\",\"attrs\":{},\"content\":{\"base64\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\"}}]}]}",
        "{\"tag\":\"receipt\",\"attrs\":{\"id\":\"1\"},\"content\":[{\"tag\":\"keys\",\"attrs\":{},\"content\":["
        "{\"tag\":\"type\",\"attrs\":{},\"content\":{\"base64\":\"BQ==\"}},"
        "{\"tag\":\"identity\",\"attrs\":{},\"content\":{\"base64\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\"}}]}]}",
    };
    wb_wa_receipt r;
    wb_error e;
    WA_CHECK_REFUSES(&A, bad, wb_wa_receipt_read(WA_NODE, &A, &r, WA_ERR));
    wb_node *n = WB_NODE(&A, "receipt", {"id", "1"});
    wb_node *list = wb_node_add_new(n, "list");
    for (int i = 0; i < WB_WA_RECEIPT_IDS_MAX; i++)
        WB_CHILD(list, "item", {"id", "x"});
    CHECK_EQ(wb_wa_receipt_read(n, &A, &r, &e), WB_ETOOBIG);
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_receipt_reads_baileys_receipts);
    RUN(test_wa_receipt_round_trip);
    RUN(test_wa_ack_both_ways);
    RUN(test_wa_receipt_refuses_malformed_stanzas);
    wb_arena_free(&A);
    return check_summary();
}
