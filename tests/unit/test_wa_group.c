/* Unit tests for wa/group: the <group> metadata built and read back and read in the shape
 * WhatsApp sends (NOTES §6.4); every w:g2 request built and read back, and read in the shapes
 * Baileys' Socket/groups.js sends; the answers; w:gp2 notifications of every kind (what
 * whatsmeow's parseGroupChange requires); malformed stanzas. */
#include "check.h"
#include "wa/group.h"
#include "wa_check.h"

static wb_arena A;

static void test_wa_group_metadata_round_trip(void) {
    wb_wa_participant p[] = {
        {.jid = wb_jid_of("15550001111", WB_SERVER_USER, 0), .lid = wb_jid_of("100000000000001", WB_SERVER_LID, 0),
         .role = WB_WA_SUPERADMIN},
        {.jid = wb_jid_of("15550002222", WB_SERVER_USER, 0), .role = WB_WA_ADMIN},
        {.jid = wb_jid_of("100000000000003", WB_SERVER_LID, 0), .phone = wb_jid_of("15550003333", WB_SERVER_USER, 0)},
    };
    wb_wa_group in = {.jid = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0), .subject = "Friends ✨",
                      .creation = 1690000000, .creator = p[0].jid, .subject_t = 1690000001,
                      .subject_owner = p[1].jid, .addressing_mode = "pn", .size = 3, .participants = p,
                      .nparticipants = 3, .has_desc = 1, .desc_id = "D1", .desc = (const uint8_t *)"about",
                      .desc_len = 5, .desc_owner = p[1].jid, .desc_t = 1690000002, .announce = 1,
                      .locked = 1, .ephemeral = 86400};
    wb_node *iq = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_group_fill(iq, &in);
    wb_node *wire = wa_wire(&A, iq);
    CHECK_STR(fx_attr_or(wb_node_attr(wb_node_child(wire, "group"), "id")), "120363000000000001");
    wb_wa_group g;
    wb_error e = {0};
    CHECK_EQ(wb_wa_group_read(wb_node_child(wire, "group"), &A, &g, &e), 0);
    CHECK(wb_jid_eq(&g.jid, &in.jid) && wb_jid_eq(&g.creator, &in.creator) &&
          wb_jid_eq(&g.subject_owner, &in.subject_owner));
    CHECK_STR(g.subject, "Friends ✨");
    CHECK(g.creation == 1690000000 && g.subject_t == 1690000001 && g.size == 3);
    CHECK_STR(g.addressing_mode, "pn");
    CHECK_EQ(g.nparticipants, 3);
    CHECK(g.nparticipants == 3 && g.participants[0].role == WB_WA_SUPERADMIN &&
          g.participants[1].role == WB_WA_ADMIN && g.participants[2].role == WB_WA_MEMBER);
    CHECK(g.nparticipants == 3 && wb_jid_eq(&g.participants[0].lid, &p[0].lid) &&
          wb_jid_eq(&g.participants[2].phone, &p[2].phone));
    CHECK(g.has_desc && g.desc_len == 5 && memcmp(g.desc, "about", 5) == 0 && g.desc_t == 1690000002);
    CHECK_STR(g.desc_id, "D1");
    CHECK(g.announce && g.locked && g.ephemeral == 86400);
    /* NOTES §6.4 (tests/interop/lib/stanzas.mjs group-metadata): no size, lid or description */
    wire = wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"from\":\"120363021234567890@g.us\",\"type\":\"result\",\"id\":\"1\"},\"content\":["
        "{\"tag\":\"group\",\"attrs\":{\"id\":\"120363021234567890\",\"subject\":\"Friends\",\"creation\":\"1690000000\","
        "\"creator\":\"15550001111@s.whatsapp.net\",\"s_t\":\"1690000001\",\"s_o\":\"15550001111@s.whatsapp.net\","
        "\"addressing_mode\":\"pn\"},\"content\":[{\"tag\":\"participant\",\"attrs\":{\"jid\":\"15550001111@s.whatsapp.net\","
        "\"type\":\"superadmin\"}},{\"tag\":\"participant\",\"attrs\":{\"jid\":\"15550002222@s.whatsapp.net\"}}]}]}");
    CHECK_EQ(wb_wa_group_read(wb_node_child(wire, "group"), &A, &g, &e), 0);
    CHECK_STR(wa_jid(&g.jid), "120363021234567890@g.us");
    CHECK(g.size == 2 && !g.has_desc && !g.announce && g.ephemeral == 0);
}

/* r built, through the wire, read back. */
static wb_wa_group_request request_round_trip(const wb_wa_group_request *r) {
    wb_wa_group_request out = {0};
    wb_error e = {0};
    wb_node *wire = wa_wire(&A, wb_wa_group_request_new(&A, r));
    CHECK_STR(fx_attr_or(wb_node_attr(wire, "xmlns")), "w:g2");
    int rc = wb_wa_group_request_read(wire, &A, &out, &e);
    if (rc < 0)
        fprintf(stderr, "request %d: %s\n", r->action, e.what);
    CHECK_EQ(rc, 0);
    CHECK_EQ(out.action, r->action);
    CHECK(wb_jid_eq(&out.group, &r->group));
    return out;
}

static void test_wa_group_requests_round_trip(void) {
    wb_jid gid = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0);
    wb_jid who[] = {wb_jid_of("15550002222", WB_SERVER_USER, 0), wb_jid_of("100000000000003", WB_SERVER_LID, 0)};
    /* create, exactly as groupCreate sends it */
    wb_node *create = wb_wa_group_request_new(&A, &(wb_wa_group_request){
        .action = WB_WA_GROUP_CREATE, .subject = "trio", .key = "3EB0KEY", .participants = who,
        .nparticipants = 2});
    CHECK_STR(wa_to_json(wa_wire(&A, create)),
              "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"@g.us\"},\"content\":["
              "{\"tag\":\"create\",\"attrs\":{\"subject\":\"trio\",\"key\":\"3EB0KEY\"},\"content\":["
              "{\"tag\":\"participant\",\"attrs\":{\"jid\":\"15550002222@s.whatsapp.net\"}},"
              "{\"tag\":\"participant\",\"attrs\":{\"jid\":\"100000000000003@lid\"}}]}]}");
    wb_wa_group_request r = request_round_trip(&(wb_wa_group_request){
        .action = WB_WA_GROUP_CREATE, .subject = "trio", .key = "3EB0KEY", .participants = who,
        .nparticipants = 2});
    CHECK(r.nparticipants == 2 && wb_jid_eq(&r.participants[1], &who[1]) && r.subject_len == 4);
    CHECK_STR(r.key, "3EB0KEY");
    enum wb_wa_group_action simple[] = {WB_WA_GROUP_QUERY, WB_WA_GROUP_ANNOUNCEMENT, WB_WA_GROUP_NOT_ANNOUNCEMENT,
                                        WB_WA_GROUP_LOCKED, WB_WA_GROUP_UNLOCKED, WB_WA_GROUP_NOT_EPHEMERAL,
                                        WB_WA_GROUP_INVITE_CODE, WB_WA_GROUP_INVITE_REVOKE};
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
        request_round_trip(&(wb_wa_group_request){.action = simple[i], .group = gid});
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_PARTICIPATING});
    enum wb_wa_group_action changes[] = {WB_WA_GROUP_ADD, WB_WA_GROUP_REMOVE, WB_WA_GROUP_PROMOTE, WB_WA_GROUP_DEMOTE};
    for (size_t i = 0; i < 4; i++) {
        r = request_round_trip(&(wb_wa_group_request){.action = changes[i], .group = gid,
                                                      .participants = who, .nparticipants = 2});
        CHECK(r.nparticipants == 2 && wb_jid_eq(&r.participants[0], &who[0]));
    }
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_SUBJECT, .group = gid, .subject = "new name"});
    CHECK(r.subject_len == 8 && memcmp(r.subject, "new name", 8) == 0);
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_DESCRIPTION, .group = gid,
                                                  .desc_id = "D2", .desc_prev = "D1", .desc = "hello"});
    CHECK(r.desc_len == 5 && !r.desc_delete && strcmp(r.desc_id, "D2") == 0 && strcmp(r.desc_prev, "D1") == 0);
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_DESCRIPTION, .group = gid, .desc_delete = 1,
                                                  .desc_prev = "D2"});
    CHECK(r.desc_delete && r.desc == NULL && r.desc_id == NULL);
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_EPHEMERAL, .group = gid, .expiration = 604800});
    CHECK_EQ(r.expiration, 604800);
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_LEAVE, .groups = &gid, .ngroups = 1});
    CHECK(r.ngroups == 1 && wb_jid_eq(&r.groups[0], &gid));
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_INVITE_INFO, .code = "ABC"});
    CHECK_STR(r.code, "ABC");
    r = request_round_trip(&(wb_wa_group_request){.action = WB_WA_GROUP_INVITE_ACCEPT, .code = "ABC"});
    CHECK_STR(r.code, "ABC");
}

static void test_wa_group_requests_read_baileys_shapes(void) {
    wb_wa_group_request r;
    wb_error e = {0};
    /* groupUpdateSubject: the subject as a Buffer */
    CHECK_EQ(wb_wa_group_request_read(wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"120363000000000001@g.us\",\"id\":\"1\"},"
        "\"content\":[{\"tag\":\"subject\",\"attrs\":{},\"content\":{\"base64\":\"cmVuYW1lZA==\"}}]}"), &A, &r, &e), 0);
    CHECK(r.action == WB_WA_GROUP_SUBJECT && r.subject_len == 7);
    /* groupFetchAllParticipating, groupAcceptInvite, groupToggleEphemeral, groupLeave */
    CHECK_EQ(wb_wa_group_request_read(wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"to\":\"@g.us\",\"xmlns\":\"w:g2\",\"type\":\"get\",\"id\":\"2\"},\"content\":["
        "{\"tag\":\"participating\",\"attrs\":{},\"content\":[{\"tag\":\"participants\",\"attrs\":{}},"
        "{\"tag\":\"description\",\"attrs\":{}}]}]}"), &A, &r, &e), 0);
    CHECK_EQ(r.action, WB_WA_GROUP_PARTICIPATING);
    CHECK_EQ(wb_wa_group_request_read(wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"@g.us\",\"id\":\"3\"},"
        "\"content\":[{\"tag\":\"invite\",\"attrs\":{\"code\":\"AAAAAAAAAAAAAAAAAAAAAA\"}}]}"), &A, &r, &e), 0);
    CHECK_EQ(r.action, WB_WA_GROUP_INVITE_ACCEPT);
    CHECK_EQ(wb_wa_group_request_read(wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"120363000000000001@g.us\",\"id\":\"4\"},"
        "\"content\":[{\"tag\":\"ephemeral\",\"attrs\":{\"expiration\":\"86400\"}}]}"), &A, &r, &e), 0);
    CHECK(r.action == WB_WA_GROUP_EPHEMERAL && r.expiration == 86400);
    CHECK_EQ(wb_wa_group_request_read(wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"@g.us\",\"id\":\"5\"},\"content\":["
        "{\"tag\":\"leave\",\"attrs\":{},\"content\":[{\"tag\":\"group\",\"attrs\":{\"id\":\"120363000000000001@g.us\"}},"
        "{\"tag\":\"group\",\"attrs\":{\"id\":\"120363000000000002\"}}]}]}"), &A, &r, &e), 0);
    CHECK(r.action == WB_WA_GROUP_LEAVE && r.ngroups == 2 && strcmp(r.groups[1].user, "120363000000000002") == 0);
    /* groupUpdateDescription deleting: delete="true", no id, prev */
    CHECK_EQ(wb_wa_group_request_read(wa_json(&A,
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"120363000000000001@g.us\",\"id\":\"6\"},"
        "\"content\":[{\"tag\":\"description\",\"attrs\":{\"delete\":\"true\",\"prev\":\"D1\"}}]}"), &A, &r, &e), 0);
    CHECK(r.action == WB_WA_GROUP_DESCRIPTION && r.desc_delete && r.desc == NULL);
}

static void test_wa_group_answers_round_trip(void) {
    wb_wa_group g = {.jid = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0), .subject = "a"};
    wb_node *reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_node *groups = wb_wa_group_participating_fill(reply);
    wb_wa_group_fill(groups, &g);
    g.jid = wb_jid_of("120363000000000002", WB_SERVER_GROUP, 0);
    wb_wa_group_fill(groups, &g);
    wb_wa_group *all;
    size_t n;
    wb_error e = {0};
    CHECK_EQ(wb_wa_group_participating_read(wa_wire(&A, reply), &A, &all, &n, &e), 0);
    CHECK(n == 2 && strcmp(all[1].jid.user, "120363000000000002") == 0);
    wb_wa_participant res[] = {{.jid = wb_jid_of("15550002222", WB_SERVER_USER, 0)},
                               {.jid = wb_jid_of("19990000000", WB_SERVER_USER, 0), .error = 404}};
    reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_group_results_fill(reply, "add", res, 2);
    wb_wa_participant *got;
    CHECK_EQ(wb_wa_group_results_read(wa_wire(&A, reply), &A, &got, &n, &e), 0);
    CHECK(n == 2 && got[0].error == 0 && got[1].error == 404 && wb_jid_eq(&got[1].jid, &res[1].jid));
    /* 403 with the invite WhatsApp makes instead (whatsmeow's GroupParticipantAddRequest) */
    res[1] = (wb_wa_participant){.jid = res[1].jid, .error = 403, .add_request_code = "AbCd1234",
                                 .add_request_expiration = 1700259200};
    reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_group_results_fill(reply, "add", res, 2);
    wb_node *wire = wa_wire(&A, reply);
    wb_node *list = wb_node_child(wire, "add");
    CHECK(list && list->kind == WB_CONTENT_NODES && list->nkids == 2);
    if (list && list->nkids == 2)
        CHECK_STR(fx_attr_or(wb_node_attr(wb_node_child(list->kids[1], "add_request"), "code")),
                  "AbCd1234");
    CHECK_EQ(wb_wa_group_results_read(wire, &A, &got, &n, &e), 0);
    CHECK(n == 2 && got[1].error == 403 && got[1].add_request_expiration == 1700259200 &&
          !got[0].add_request_code);
    CHECK_STR(fx_attr_or(got[1].add_request_code), "AbCd1234");
    wb_wa_participant left[] = {{.jid = g.jid, .error = 404}};
    reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_group_results_fill(reply, "leave", left, 1);
    CHECK_EQ(wb_wa_group_results_read(wa_wire(&A, reply), &A, &got, &n, &e), 0);
    CHECK(n == 1 && got[0].error == 404 && wb_jid_eq(&got[0].jid, &g.jid));
    reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_group_invite_fill(reply, "CODE22");
    CHECK_STR(fx_attr_or(wb_wa_group_invite_of(wa_wire(&A, reply))), "CODE22");
    reply = WB_NODE(&A, "iq", {"type", "result"});
    wb_wa_group_joined_fill(reply, &g.jid);
    wb_jid joined;
    CHECK_EQ(wb_wa_group_joined_of(wa_wire(&A, reply), &joined, &e), 0);
    CHECK(wb_jid_eq(&joined, &g.jid));
}

static void test_wa_group_notifications_round_trip(void) {
    wb_wa_participant p[] = {{.jid = wb_jid_of("15550003333", WB_SERVER_USER, 0),
                              .lid = wb_jid_of("100000000000003", WB_SERVER_LID, 0)}};
    wb_wa_group g = {.jid = wb_jid_of("120363000000000001", WB_SERVER_GROUP, 0), .subject = "trio",
                     .participants = p, .nparticipants = 1, .size = 1, .addressing_mode = "pn"};
    wb_wa_group_change changes[] = {
        {.tag = "create", .group = g, .create_type = "new", .key = "K", .reason = "invite"},
        {.tag = "add", .participants = p, .nparticipants = 1, .reason = "invite"},
        {.tag = "remove", .participants = p, .nparticipants = 1},
        {.tag = "promote", .participants = p, .nparticipants = 1},
        {.tag = "subject", .subject = "renamed", .subject_owner = p[0].jid, .subject_t = 5},
        {.tag = "description", .desc_id = "D1", .desc = (const uint8_t *)"about", .desc_len = 5},
        {.tag = "description", .desc_id = "D2", .desc_delete = 1},
        {.tag = "announcement", .v_id = "17"},
        {.tag = "locked"},
        {.tag = "ephemeral", .expiration = 86400},
        {.tag = "not_ephemeral"},
        {.tag = "invite", .code = "NEWCODE"},
    };
    size_t nchanges = sizeof changes / sizeof *changes;
    for (size_t i = 0; i < nchanges; i++) {
        wb_wa_group_notification in = {.id = "N", .from = g.jid, .participant = p[0].jid,
                                       .notify = "Carol", .t = 1700000000, .changes = &changes[i],
                                       .nchanges = 1};
        wb_wa_group_notification r;
        wb_error e = {0};
        CHECK_EQ(wb_wa_group_notification_read(wa_wire(&A, wb_wa_group_notification_new(&A, &in)), &A,
                                               &r, &e), 0);
        CHECK(r.nchanges == 1 && r.changes[0].known && strcmp(r.changes[0].tag, changes[i].tag) == 0);
        CHECK(wb_jid_eq(&r.from, &g.jid) && wb_jid_eq(&r.participant, &p[0].jid) && r.t == 1700000000);
        CHECK_STR(r.notify, "Carol");
        if (r.nchanges != 1)
            continue;
        const wb_wa_group_change *c = &r.changes[0];
        switch (i) {
        case 0:
            CHECK(c->group.nparticipants == 1 && wb_jid_eq(&c->group.jid, &g.jid));
            CHECK_STR(c->create_type, "new");
            CHECK_STR(c->key, "K");
            CHECK_STR(c->reason, "invite");
            break;
        case 1:
            CHECK_STR(c->reason, "invite");
            CHECK(c->nparticipants == 1 && wb_jid_eq(&c->participants[0].lid, &p[0].lid));
            break;
        case 4:
            CHECK(c->subject_t == 5 && wb_jid_eq(&c->subject_owner, &p[0].jid));
            CHECK_STR(c->subject, "renamed");
            break;
        case 5:
            CHECK(c->desc_len == 5 && !c->desc_delete);
            break;
        case 6:
            CHECK(c->desc_delete && c->desc == NULL);
            CHECK_STR(c->desc_id, "D2");
            break;
        case 7:
            CHECK_STR(c->v_id, "17");
            break;
        case 9:
            CHECK_EQ(c->expiration, 86400);
            break;
        case 11:
            CHECK_STR(c->code, "NEWCODE");
            break;
        }
    }
    /* a change wabot does not read is kept by tag */
    wb_wa_group_notification r;
    wb_error e = {0};
    CHECK_EQ(wb_wa_group_notification_read(wa_json(&A,
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"120363000000000001@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"2\"},"
        "\"content\":[{\"tag\":\"membership_approval_mode\",\"attrs\":{},\"content\":[{\"tag\":\"group_join\",\"attrs\":{\"state\":\"on\"}}]}]}"),
        &A, &r, &e), 0);
    CHECK(r.nchanges == 1 && !r.changes[0].known);
}

static void test_wa_group_refuses_malformed_stanzas(void) {
    wb_wa_group_request req;
    const char *bad_requests[] = {
        /* a group action not addressed to a group */
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"@g.us\"},\"content\":[{\"tag\":\"add\",\"attrs\":{}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"w:g2\",\"to\":\"15550001111@s.whatsapp.net\"},\"content\":[{\"tag\":\"query\",\"attrs\":{}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"@g.us\"},\"content\":[{\"tag\":\"create\",\"attrs\":{\"subject\":\"x\"},"
        "\"content\":[{\"tag\":\"participant\",\"attrs\":{}}]}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"1@g.us\"},\"content\":[{\"tag\":\"ephemeral\",\"attrs\":{\"expiration\":\"-1\"}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"1@g.us\"},\"content\":[{\"tag\":\"ephemeral\",\"attrs\":{}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"@g.us\"},\"content\":[{\"tag\":\"leave\",\"attrs\":{},"
        "\"content\":[{\"tag\":\"group\",\"attrs\":{\"id\":\"1@s.whatsapp.net\"}}]}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"set\",\"xmlns\":\"w:g2\",\"to\":\"@g.us\"},\"content\":[{\"tag\":\"membership_requests_action\",\"attrs\":{}}]}",
        "{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\",\"xmlns\":\"w:g2\",\"to\":\"1@g.us\"},\"content\":[{\"tag\":\"create\",\"attrs\":{}}]}",
    };
    WA_CHECK_REFUSES(&A, bad_requests, wb_wa_group_request_read(WA_NODE, &A, &req, WA_ERR));
    wb_wa_group_notification n;
    const char *bad_notifications[] = {
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\"},\"content\":[{\"tag\":\"locked\",\"attrs\":{}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"devices\",\"id\":\"1\",\"t\":\"1\"}}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"1\"},\"content\":[{\"tag\":\"create\",\"attrs\":{}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"1\"},\"content\":[{\"tag\":\"subject\",\"attrs\":{\"subject\":\"x\"}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"1\"},\"content\":[{\"tag\":\"description\",\"attrs\":{\"id\":\"1\"}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"1\"},\"content\":[{\"tag\":\"announcement\",\"attrs\":{}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"1\"},\"content\":[{\"tag\":\"ephemeral\",\"attrs\":{}}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"1\"},\"content\":[{\"tag\":\"add\",\"attrs\":{},"
        "\"content\":[{\"tag\":\"participant\",\"attrs\":{\"jid\":\"x@y@z\"}}]}]}",
        "{\"tag\":\"notification\",\"attrs\":{\"from\":\"1@g.us\",\"type\":\"w:gp2\",\"id\":\"1\",\"t\":\"1\"},\"content\":[{\"tag\":\"create\",\"attrs\":{},"
        "\"content\":[{\"tag\":\"group\",\"attrs\":{}}]}]}",
    };
    WA_CHECK_REFUSES(&A, bad_notifications, wb_wa_group_notification_read(WA_NODE, &A, &n, WA_ERR));
    wb_wa_group g;
    const char *bad_groups[] = {
        "{\"tag\":\"group\",\"attrs\":{\"subject\":\"x\"}}",
        "{\"tag\":\"group\",\"attrs\":{\"id\":\"1@s.whatsapp.net\"}}",
        "{\"tag\":\"group\",\"attrs\":{\"id\":\"1\",\"creation\":\"soon\"}}",
        "{\"tag\":\"group\",\"attrs\":{\"id\":\"1\"},\"content\":[{\"tag\":\"ephemeral\",\"attrs\":{\"expiration\":\"99999999999\"}}]}",
    };
    WA_CHECK_REFUSES(&A, bad_groups, wb_wa_group_read(WA_NODE, &A, &g, WA_ERR));
    /* more participants than a request may name */
    wb_node *iq = WB_NODE(&A, "iq", {"type", "set"}, {"xmlns", "w:g2"}, {"to", "1@g.us"});
    wb_node *add = wb_node_add_new(iq, "add");
    for (int i = 0; i <= WB_WA_GROUP_PARTICIPANTS_MAX; i++)
        WB_CHILD(add, "participant", {"jid", "1@s.whatsapp.net"});
    CHECK_EQ(wb_wa_group_request_read(iq, &A, &req, NULL), WB_ETOOBIG);
}

int main(void) {
    wb_arena_init(&A, 0);
    RUN(test_wa_group_metadata_round_trip);
    RUN(test_wa_group_requests_round_trip);
    RUN(test_wa_group_requests_read_baileys_shapes);
    RUN(test_wa_group_answers_round_trip);
    RUN(test_wa_group_notifications_round_trip);
    RUN(test_wa_group_refuses_malformed_stanzas);
    wb_arena_free(&A);
    return check_summary();
}
