/* Unit tests for wa/devices: device_hash as whatsmeow computes it (vectors from its
 * participantListHashV2, computed in Node), notifications built and read back through the wire,
 * the shape WhatsApp sends (NOTES §5), malformed ones. */
#include "check.h"
#include "wa/devices.h"
#include "wa_check.h"

static wb_arena A;

static void test_wa_devices_hash_is_whatsmeows(void) {
    wb_jid pn[] = {wb_jid_of("15550001111", WB_SERVER_USER, 2), wb_jid_of("15550001111", WB_SERVER_USER, 0),
                   wb_jid_of("15550001111", WB_SERVER_USER, 1)};
    char h[WB_WA_DEVICE_HASH_MAX];
    CHECK_EQ(wb_wa_devices_hash(pn, 3, h), 0);
    CHECK_STR(h, "2:SaJgG6Yo");
    wb_jid lid[] = {wb_jid_of("100000000000001", WB_SERVER_LID, 3), wb_jid_of("100000000000001", WB_SERVER_LID, 0)};
    CHECK_EQ(wb_wa_devices_hash(lid, 2, h), 0);
    CHECK_STR(h, "2:q7X18Saa");
    char again[WB_WA_DEVICE_HASH_MAX];
    wb_jid swapped[] = {lid[1], lid[0]};
    CHECK_EQ(wb_wa_devices_hash(swapped, 2, again), 0);
    CHECK_STR(again, h); /* the order does not matter */
}

static void test_wa_devices_notification_round_trip(void) {
    wb_wa_device_entry dev = {.jid = wb_jid_of("15550001111", WB_SERVER_USER, 2),
                              .lid = wb_jid_of("100000000000001", WB_SERVER_LID, 2),
                              .key_index = 4, .has_key_index = 1};
    wb_wa_devices_notification in = {.id = "N1", .from = wb_jid_of("15550001111", WB_SERVER_USER, 0),
                                     .lid = wb_jid_of("100000000000001", WB_SERVER_LID, 0), .t = 1700000000,
                                     .action = "remove", .device_hash = "2:SaJgG6Yo",
                                     .device_lid_hash = "2:q7X18Saa", .devices = &dev, .ndevices = 1};
    wb_node *wire = wa_wire(&A, wb_wa_devices_notification_new(&A, &in));
    CHECK_STR(fx_attr_or(wb_node_attr(wire, "type")), "devices");
    wb_wa_devices_notification r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_devices_notification_read(wire, &A, &r, &e), 0);
    CHECK_STR(r.id, "N1");
    CHECK_STR(r.action, "remove");
    CHECK(wb_jid_eq(&r.from, &in.from) && wb_jid_eq(&r.lid, &in.lid) && r.t == 1700000000);
    CHECK_STR(r.device_hash, "2:SaJgG6Yo");
    CHECK_STR(r.device_lid_hash, "2:q7X18Saa");
    CHECK_EQ(r.ndevices, 1);
    CHECK(r.ndevices == 1 && wb_jid_eq(&r.devices[0].jid, &dev.jid) &&
          wb_jid_eq(&r.devices[0].lid, &dev.lid) && r.devices[0].key_index == 4);
}

static void test_wa_devices_reads_whatsapp_shapes(void) {
    wb_node *n = wa_json(&A,
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"15550002222@s.whatsapp.net\",\"type\":\"devices\",\"id\":\"123\",\"t\":\"1700000001\"},"
        "\"content\":[{\"tag\":\"add\",\"attrs\":{\"device_hash\":\"2:abcdefgh\"},\"content\":["
        "{\"tag\":\"device\",\"attrs\":{\"jid\":\"15550002222:3@s.whatsapp.net\",\"key-index\":\"3\"}},"
        "{\"tag\":\"key-index-list\",\"attrs\":{\"ts\":\"1700000001\"},\"content\":{\"base64\":\"AQI=\"}}]}]}");
    wb_wa_devices_notification r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_devices_notification_read(n, &A, &r, &e), 0);
    CHECK_STR(r.action, "add");
    CHECK(r.ndevices == 1 && r.devices[0].jid.device == 3 && wb_jid_is_empty(&r.lid));
    /* update: no devices needed */
    n = wa_json(&A, "{\"tag\":\"notification\",\"attrs\":{\"from\":\"15550002222@s.whatsapp.net\",\"type\":\"devices\","
                    "\"id\":\"124\",\"t\":\"1\"},\"content\":[{\"tag\":\"update\",\"attrs\":{\"hash\":\"x\"}}]}");
    CHECK_EQ(wb_wa_devices_notification_read(n, &A, &r, &e), 0);
    CHECK_STR(r.action, "update");
    CHECK_EQ(r.ndevices, 0);
    const char *bad[] = {
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@s.whatsapp.net\",\"type\":\"devices\",\"id\":\"1\"}}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@s.whatsapp.net\",\"type\":\"w:gp2\",\"id\":\"1\"},\"content\":[{\"tag\":\"add\",\"attrs\":{}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"type\":\"devices\",\"id\":\"1\"},\"content\":[{\"tag\":\"add\",\"attrs\":{}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@s.whatsapp.net\",\"type\":\"devices\",\"id\":\"1\"},\"content\":[{\"tag\":\"add\",\"attrs\":{},"
        "\"content\":[{\"tag\":\"device\",\"attrs\":{}}]}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@s.whatsapp.net\",\"type\":\"devices\",\"id\":\"1\"},\"content\":[{\"tag\":\"add\",\"attrs\":{},"
        "\"content\":[{\"tag\":\"device\",\"attrs\":{\"jid\":\"1:1@s.whatsapp.net\",\"key-index\":\"99999999999\"}}]}]}",
    };
    WA_CHECK_REFUSES(&A, bad, wb_wa_devices_notification_read(WA_NODE, &A, &r, WA_ERR));
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_devices_hash_is_whatsmeows);
    RUN(test_wa_devices_notification_round_trip);
    RUN(test_wa_devices_reads_whatsapp_shapes);
    wb_arena_free(&A);
    return check_summary();
}
