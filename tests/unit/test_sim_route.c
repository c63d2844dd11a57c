/* Unit tests for the simulator's routing, groups and media (host/sim route.c, receipt.c,
 * notify.c, groups*.c, media*.c), driven from memory through sim_fixture.h: the attributes and
 * child order of delivered stanzas, receipts to every sender device, the queue closed by
 * receipts, device-list notifications to contacts, w:g2 with its notifications, POST
 * /admin/groups, media_conn, upload and download, persistence, and bad input. Real Baileys
 * clients run the same paths in tests/interop/sim_{messages,groups,media,faults}.test.mjs. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "core/enc.h"
#include "crypto/hash.h"
#include "sim/sim_int.h"
#include "sim_fixture.h"
#include "wa/devices.h"
#include "wa/group.h"
#include "wa/media.h"
#include "wa/message.h"
#include "wa/receipt.h"

static wb_arena scratch;

/* How many stanzas wait in the queue of the device jid. */
static int64_t queued(sim_fx *fx, const char *jid) {
    wb_jid j;
    wb_sim_device *d = wb_jid_parse(&j, jid) == 0 ? wb_sim_device_by_jid(fx->sim, &j) : NULL;
    return d ? wb_sim_queue_count(fx->sim, d) : -1;
}

/* 1 when c has an unread stanza tag whose attribute key is value. */
static int has(fx_client *c, const char *tag, const char *key, const char *value) {
    wb_node *n;
    while ((n = fx_next(c, tag)))
        if (strcmp(fx_attr(n, key), value) == 0)
            return 1;
    return 0;
}

/* Logs in as the linked device l and says passive/active. */
static fx_client *login_active(sim_fx *fx, fx_client *l) {
    fx_client *c = fx_login(fx, l);
    CHECK(fx_next(c, "success") != NULL);
    wb_node *r = fx_iq(c, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    CHECK_STR(fx_attr(r, "type"), "result");
    CHECK(fx_next(c, "ib") != NULL);
    return c;
}

/* A linked and logged-in device of phone. */
static fx_client *online(sim_fx *fx, const char *phone, fx_client **linked_out) {
    fx_client *l = fx_link_qr(fx, phone);
    CHECK(l != NULL);
    if (!l)
        abort();
    if (linked_out)
        *linked_out = l;
    return login_active(fx, l);
}

static void user_jid(const fx_client *c, char *out) {
    snprintf(out, WB_JID_STR_MAX, "%s@s.whatsapp.net", c->phone);
}

/* j's string form, in a static buffer. */
static const char *wa_jid_str(const wb_jid *j) {
    static char s[WB_JID_STR_MAX];
    wb_jid_format(j, s, sizeof s);
    return s;
}

/* The user JID of a device JID string ("L:1@lid" -> "L@lid"), in a static buffer. */
static const char *fx_attr_user(const char *device_jid) {
    static char s[WB_JID_STR_MAX];
    wb_jid j;
    if (wb_jid_parse(&j, device_jid) < 0)
        return "";
    j = wb_jid_user_jid(&j);
    wb_jid_format(&j, s, sizeof s);
    return s;
}

static wb_jid J(const char *s) {
    wb_jid j;
    if (wb_jid_parse(&j, s) < 0)
        memset(&j, 0, sizeof j);
    return j;
}

/* An <enc> of type carrying text. */
static wb_wa_enc enc(const char *type, const char *text) {
    return (wb_wa_enc){.type = type, .data = (const uint8_t *)text, .len = strlen(text)};
}

/* The bytes of enc number i (0-based) of a delivered message as a string, or "". */
static const char *enc_text(const wb_node *n, size_t i) {
    wb_wa_message m;
    if (!n || wb_wa_message_read(n, &scratch, &m, NULL) < 0 || i >= m.nencs)
        return "";
    return (const char *)m.encs[i].data;
}

static void send_msg(fx_client *c, const wb_wa_message_send *m) {
    fx_send(c, wb_wa_message_send_new(&scratch, m));
}

static void send_receipt(fx_client *c, const wb_wa_receipt *r) {
    fx_send(c, wb_wa_receipt_new(&scratch, r));
}

/* A group message of one skmsg from c. */
static void send_skmsg(fx_client *c, const char *id, const char *gid, const char *text) {
    wb_wa_enc sk = enc("skmsg", text);
    send_msg(c, &(wb_wa_message_send){.id = id, .to = J(gid), .type = "text", .encs = &sk,
                                      .nencs = 1});
}

/* A 1:1 text from c to peer's devices (jids, NULL-terminated), each a pkmsg "for <jid>". */
static void send_direct(fx_client *c, const char *id, const char *to, const char *const *jids,
                        int identity) {
    wb_wa_target t[8];
    char body[8][160];
    size_t n = 0;
    for (; jids[n] && n < 8; n++) {
        snprintf(body[n], sizeof body[n], "for %s", jids[n]);
        t[n] = (wb_wa_target){.jid = J(jids[n]), .has_enc = 1,
                              .enc = enc(n == 0 ? "pkmsg" : "msg", body[n])};
    }
    send_msg(c, &(wb_wa_message_send){.id = id, .to = J(to), .type = "text", .targets = t,
                                      .ntargets = n, .identity = identity ? (const uint8_t *)"ID" : NULL,
                                      .identity_len = identity ? 2 : 0});
}

/* Sends the w:g2 request r from c and returns the answer. */
static wb_node *g2(fx_client *c, const wb_wa_group_request *r) {
    return fx_request(c, wb_wa_group_request_new(&scratch, r));
}

/* A w:g2 request of c without arguments (query, announcement, invite code...) to gid. */
static wb_node *g2_simple(fx_client *c, enum wb_wa_group_action action, const char *gid) {
    return g2(c, &(wb_wa_group_request){.action = action, .group = J(gid)});
}

/* JIDs of the NULL-terminated strings s, in scratch. */
static const wb_jid *jids(const char *const *s, size_t *n) {
    for (*n = 0; s[*n]; (*n)++)
        ;
    wb_jid *v = wb_arena_alloc(&scratch, (*n + 1) * sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = J(s[i]);
    return v;
}

/* c makes a group called subject with members; its metadata from the answer. */
static wb_wa_group make_group(fx_client *c, const char *subject, const char *const *members,
                              char gid[WB_JID_STR_MAX]) {
    wb_wa_group_request r = {.action = WB_WA_GROUP_CREATE, .subject = subject, .key = "K1"};
    r.participants = jids(members, &r.nparticipants);
    wb_node *res = g2(c, &r);
    wb_wa_group g = {0};
    CHECK_STR(fx_attr(res, "type"), "result");
    CHECK_EQ(wb_wa_group_read(wb_node_child(res, "group"), &scratch, &g, NULL), 0);
    wb_jid_format(&g.jid, gid, WB_JID_STR_MAX);
    return g;
}

/* c's next w:gp2 notification, read (its one change in *change). */
static wb_wa_group_notification gp2(fx_client *c, const wb_wa_group_change **change) {
    wb_wa_group_notification n = {0};
    static const wb_wa_group_change none;
    CHECK_EQ(wb_wa_group_notification_read(fx_next(c, "notification"), &scratch, &n, NULL), 0);
    CHECK_EQ(n.nchanges, 1);
    *change = n.nchanges ? &n.changes[0] : &none;
    return n;
}

/* The error code of an IQ answer, or 0. */
static int iq_error(const wb_node *iq) {
    int code = 0;
    const char *text;
    wb_wa_iq_error_of(iq, &code, &text);
    return code;
}

/* ---- 1:1 ----------------------------------------------------------------------------------- */

static void test_sim_route_direct_message_reaches_each_device_with_sender_attributes(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL), *a2 = online(&fx, "15550001111", NULL);
    fx_client *b1 = online(&fx, "15550002222", NULL), *c1 = online(&fx, "15550003333", NULL);
    char b_user[WB_JID_STR_MAX];
    user_jid(b1, b_user);
    /* a1 names b's device, its own other device and a stranger's device */
    const char *jids[] = {b1->jid, a2->jid, c1->jid, NULL};
    send_direct(a1, "M1", b_user, jids, 1);
    wb_node *ack = fx_next(a1, "ack");
    CHECK_STR(fx_attr(ack, "class"), "message");
    CHECK_STR(fx_attr(ack, "id"), "M1");
    CHECK_STR(fx_attr(ack, "from"), b_user);
    CHECK(fx_attr(ack, "t")[0] != '\0');
    CHECK(wb_node_attr(ack, "error") == NULL);

    wb_node *m = fx_next(b1, "message");
    CHECK_STR(fx_attr(m, "from"), a1->jid);
    CHECK_STR(fx_attr(m, "id"), "M1");
    CHECK_STR(fx_attr(m, "t"), fx_attr(ack, "t"));
    CHECK_STR(fx_attr(m, "type"), "text");
    CHECK_STR(fx_attr(m, "notify"), "Tester");
    CHECK_STR(fx_attr(m, "sender_lid"), a1->lid);
    CHECK(wb_node_attr(m, "recipient") == NULL);
    CHECK(wb_node_attr(m, "offline") == NULL);
    CHECK_EQ(m ? m->nkids : 0, 2);
    CHECK_STR(fx_attr(wb_node_child(m, "enc"), "type"), "pkmsg");
    CHECK_STR(enc_text(m, 0), "for 15550002222:1@s.whatsapp.net");
    CHECK(m && m->nkids == 2 && wb_node_is(m->kids[1], "device-identity"));

    wb_node *own = fx_next(a2, "message");
    CHECK_STR(fx_attr(own, "from"), a1->jid);
    CHECK_STR(fx_attr(own, "recipient"), b_user);
    CHECK(wb_node_attr(own, "sender_lid") == NULL);
    CHECK_STR(enc_text(own, 0), "for 15550001111:2@s.whatsapp.net");
    CHECK(wb_node_child(own, "device-identity") == NULL); /* a msg, not a pkmsg */

    CHECK(fx_next(c1, "message") == NULL);
    CHECK_EQ(fx_counter(&fx, "route.dropped.foreign_device"), 1);
    CHECK_EQ(fx_counter(&fx, "messages.deliveries"), 2);

    /* addressed by LID: from is the sender's LID device, with sender_pn */
    char b_lid_dev[WB_JID_STR_MAX], b_lid_user[WB_JID_STR_MAX];
    snprintf(b_lid_dev, sizeof b_lid_dev, "%s", b1->lid);
    snprintf(b_lid_user, sizeof b_lid_user, "%.*s@lid", (int)strcspn(b1->lid, ":"), b1->lid);
    const char *lids[] = {b_lid_dev, NULL};
    send_direct(a1, "M2", b_lid_user, lids, 0);
    m = fx_next(b1, "message");
    CHECK_STR(fx_attr(m, "from"), a1->lid);
    CHECK_STR(fx_attr(m, "sender_pn"), a1->jid);
    CHECK(wb_node_child(m, "device-identity") == NULL); /* none was sent */
    sim_fx_free(&fx);
}

static void test_sim_route_receipts_reach_every_sender_device_and_close_the_queue(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL), *a2 = online(&fx, "15550001111", NULL);
    fx_client *lb, *b1 = online(&fx, "15550002222", &lb);
    char b_user[WB_JID_STR_MAX], a_user[WB_JID_STR_MAX];
    user_jid(b1, b_user);
    user_jid(a1, a_user);
    const char *jids[] = {b1->jid, NULL};
    send_direct(a1, "M1", b_user, jids, 0);
    send_direct(a1, "M2", b_user, jids, 0);
    CHECK(fx_next(b1, "message") && fx_next(b1, "message"));
    CHECK_EQ(queued(&fx, b1->jid), 2);
    /* a batch: M1 and M2, inactive -> a plain delivery receipt, to both of a's devices */
    const char *m12[] = {"M1", "M2"};
    send_receipt(b1, &(wb_wa_receipt){.ids = m12, .nids = 2, .to = J(a1->jid), .type = "inactive"});
    CHECK_EQ(queued(&fx, b1->jid), 0);
    wb_node *ack = fx_next(b1, "ack");
    CHECK_STR(fx_attr(ack, "class"), "receipt");
    CHECK_STR(fx_attr(ack, "type"), "inactive");
    fx_client *both[] = {a1, a2};
    for (int i = 0; i < 2; i++) {
        wb_node *got = fx_next(both[i], "receipt");
        CHECK_STR(fx_attr(got, "from"), b_user);
        CHECK_STR(fx_attr(got, "id"), "M1");
        CHECK(wb_node_attr(got, "type") == NULL);
        CHECK_STR(fx_attr(wb_node_path(got, "list", "item", NULL), "id"), "M2");
    }
    /* read: the type is kept */
    send_receipt(b1, &(wb_wa_receipt){.ids = m12, .nids = 1, .to = J(a1->jid), .type = "read"});
    CHECK_STR(fx_attr(fx_next(a2, "receipt"), "type"), "read");
    CHECK_STR(fx_attr(fx_next(a1, "receipt"), "type"), "read");
    /* a2 has not acked its receipts: they wait for its next login */
    CHECK_EQ(queued(&fx, a2->jid), 2);
    /* a retry goes to the sending device only, from the asker's user with the asking device as
     * participant (Baileys finds its retry cache by the user), children kept */
    send_receipt(b1, &(wb_wa_receipt){.ids = m12, .nids = 1, .to = J(a1->jid), .type = "retry",
                                      .has_retry = 1, .retry = {.count = 1, .id = "M1", .t = 5},
                                      .has_registration = 1, .registration_id = 77});
    wb_wa_receipt got;
    CHECK_EQ(wb_wa_receipt_read(fx_next(a1, "receipt"), &scratch, &got, NULL), 0);
    CHECK_STR(got.type, "retry");
    char from[WB_JID_STR_MAX], part[WB_JID_STR_MAX];
    wb_jid_format(&got.from, from, sizeof from);
    wb_jid_format(&got.participant, part, sizeof part);
    CHECK_STR(from, "15550002222@s.whatsapp.net");
    CHECK_STR(part, b1->jid);
    CHECK(got.has_retry && got.retry.count == 1 && got.retry.t == 5 && got.has_registration &&
          got.registration_id == 77);
    CHECK(fx_next(a2, "receipt") == NULL);
    /* sender receipts (own-device copies) are not routed */
    send_receipt(a2, &(wb_wa_receipt){.ids = m12, .nids = 1, .recipient = J(b_user), .type = "sender"});
    CHECK(fx_next(a1, "receipt") == NULL);
    CHECK(fx_next(b1, "receipt") == NULL);
    (void)lb;
    (void)a_user;
    sim_fx_free(&fx);
}

static void test_sim_route_offline_device_gets_its_messages_after_passive_active(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL);
    fx_client *lb, *b1 = online(&fx, "15550002222", &lb);
    char b_user[WB_JID_STR_MAX];
    user_jid(b1, b_user);
    fx_client_drop(b1);
    const char *jids[] = {lb->jid, NULL};
    send_direct(a1, "O1", b_user, jids, 0);
    send_direct(a1, "O2", b_user, jids, 0);
    send_direct(a1, "O3", b_user, jids, 0);
    CHECK_EQ(fx_counter(&fx, "queued.message"), 3);
    fx_client *b2 = fx_login(&fx, lb);
    CHECK(fx_next(b2, "success") != NULL);
    CHECK(fx_next(b2, "message") == NULL); /* not before passive/active */
    fx_iq(b2, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    const char *ids[] = {"O1", "O2", "O3"};
    for (int i = 0; i < 3; i++) {
        wb_node *m = fx_next(b2, "message");
        CHECK_STR(fx_attr(m, "id"), ids[i]);
        CHECK_STR(fx_attr(m, "offline"), "1");
        CHECK_STR(fx_attr(m, "from"), a1->jid);
        send_receipt(b2, &(wb_wa_receipt){.ids = &ids[i], .nids = 1, .to = J(a1->jid)});
    }
    CHECK_STR(fx_attr(wb_node_child(fx_next(b2, "ib"), "offline"), "count"), "3");
    CHECK_EQ(fx_counter(&fx, "acked.message"), 3);
    CHECK_EQ(queued(&fx, b1->jid), 0);
    sim_fx_free(&fx);
}

static void test_sim_route_device_lists_reach_contacts_only(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL), *b1 = online(&fx, "15550002222", NULL);
    fx_client *c1 = online(&fx, "15550003333", NULL);
    char b_user[WB_JID_STR_MAX];
    user_jid(b1, b_user);
    const char *jids[] = {b1->jid, NULL};
    send_direct(a1, "M1", b_user, jids, 0); /* a and b are contacts now */
    fx_client *b2 = online(&fx, "15550002222", NULL);
    fx_client *told[] = {a1, b1};
    /* the hash of b's list after the change: the phone and both companions */
    wb_jid blist[] = {J(b_user), J(b1->jid), J(b2->jid)};
    char hash[WB_WA_DEVICE_HASH_MAX];
    CHECK_EQ(wb_wa_devices_hash(blist, 3, hash), 0);
    for (int i = 0; i < 2; i++) {
        wb_wa_devices_notification dn;
        CHECK_EQ(wb_wa_devices_notification_read(fx_next(told[i], "notification"), &scratch, &dn,
                                                 NULL), 0);
        CHECK(wb_jid_eq(&dn.from, &blist[0]));
        CHECK_STR(dn.action, "add");
        CHECK(dn.ndevices == 1 && wb_jid_eq(&dn.devices[0].jid, &blist[2]) &&
              dn.devices[0].key_index == 2);
        CHECK(dn.ndevices == 1 && strcmp(wa_jid_str(&dn.devices[0].lid), b2->lid) == 0);
        CHECK_STR(dn.device_hash, hash);
    }
    CHECK(fx_next(c1, "notification") == NULL);
    CHECK(fx_next(b2, "notification") == NULL);
    /* the phone unlinks b2: the same devices hear of the removal */
    fx_reply r;
    char body[128];
    snprintf(body, sizeof body, "{\"device\":\"%s\"}", b2->jid);
    fx_http(&fx, "POST", "/admin/mock-phone/unlink", NULL, body, &r);
    CHECK_EQ(r.status, 200);
    CHECK_EQ(wb_wa_devices_hash(blist, 2, hash), 0);
    for (int i = 0; i < 2; i++) {
        wb_wa_devices_notification dn;
        CHECK_EQ(wb_wa_devices_notification_read(fx_next(told[i], "notification"), &scratch, &dn,
                                                 NULL), 0);
        CHECK_STR(dn.action, "remove");
        CHECK(dn.ndevices == 1 && wb_jid_eq(&dn.devices[0].jid, &blist[2]));
        CHECK_STR(dn.device_hash, hash);
    }
    CHECK(fx_next(c1, "notification") == NULL);
    CHECK_EQ(fx_counter(&fx, "device_lists.notified.remove"), 2);
    sim_fx_free(&fx);
}

static void test_sim_route_announcement_groups_take_posts_from_admins_only(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL), *b1 = online(&fx, "15550002222", NULL);
    char b_user[WB_JID_STR_MAX], gid[WB_JID_STR_MAX];
    user_jid(b1, b_user);
    const char *bs[] = {b_user, NULL};
    make_group(a1, "news", bs, gid);
    const wb_wa_group_change *ch;
    gp2(b1, &ch);
    CHECK_STR(ch->tag, "create");
    CHECK_EQ(iq_error(g2_simple(b1, WB_WA_GROUP_ANNOUNCEMENT, gid)), 403); /* members may not */
    CHECK_STR(fx_attr(g2_simple(a1, WB_WA_GROUP_ANNOUNCEMENT, gid), "type"), "result");
    gp2(b1, &ch);
    CHECK_STR(ch->tag, "announcement");
    CHECK(ch->v_id && ch->v_id[0]);
    send_skmsg(b1, "N1", gid, "from a member");
    CHECK_STR(fx_attr(fx_next(b1, "ack"), "error"), "403");
    CHECK(fx_next(a1, "message") == NULL);
    send_skmsg(a1, "N2", gid, "from the admin");
    CHECK(fx_next(a1, "ack") && wb_node_attr(a1->inbox[a1->next - 1], "error") == NULL);
    CHECK_STR(enc_text(fx_next(b1, "message"), 0), "from the admin");
    sim_fx_free(&fx);
}

/* ---- groups ---------------------------------------------------------------------------------- */

static void test_sim_route_group_create_and_messages_put_the_device_enc_before_skmsg(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL), *a2 = online(&fx, "15550001111", NULL);
    fx_client *b1 = online(&fx, "15550002222", NULL), *c1 = online(&fx, "15550003333", NULL);
    fx_client *d1 = online(&fx, "15550004444", NULL);
    char a_user[WB_JID_STR_MAX], b_user[WB_JID_STR_MAX], c_user[WB_JID_STR_MAX];
    user_jid(a1, a_user);
    user_jid(b1, b_user);
    user_jid(c1, c_user);
    const char *members[] = {b_user, c_user, "19990000000@s.whatsapp.net", NULL};
    char gid[WB_JID_STR_MAX];
    wb_wa_group g = make_group(a1, "trio", members, gid);
    CHECK_STR(g.subject, "trio");
    CHECK_STR(g.addressing_mode, "pn");
    CHECK_STR(wa_jid_str(&g.creator), a_user);
    CHECK_EQ(g.size, 3); /* the unknown number is left out */
    CHECK(g.nparticipants == 3 && g.participants[0].role == WB_WA_SUPERADMIN &&
          g.participants[1].role == WB_WA_MEMBER);
    CHECK(g.nparticipants == 3 && strcmp(wa_jid_str(&g.participants[2].lid),
                                         fx_attr_user(c1->lid)) == 0);
    CHECK_EQ(strlen(g.jid.user), 18);
    /* the members and the creator's other device hear of it; the creating device does not */
    fx_client *told[] = {a2, b1, c1};
    for (int i = 0; i < 3; i++) {
        const wb_wa_group_change *ch;
        wb_wa_group_notification n = gp2(told[i], &ch);
        CHECK_STR(wa_jid_str(&n.from), gid);
        CHECK_STR(wa_jid_str(&n.participant), a_user);
        CHECK_STR(ch->tag, "create");
        CHECK_STR(ch->create_type, "new");
        CHECK_STR(ch->key, "K1");
        CHECK_STR(ch->group.subject, "trio");
        CHECK_EQ(ch->group.nparticipants, 3);
    }
    CHECK(!has(a1, "notification", "type", "w:gp2"));
    /* Baileys' order: skmsg, then the participants that need the sender key */
    wb_wa_enc sk = enc("skmsg", "group ciphertext");
    wb_wa_target tb = {.jid = J(b1->jid), .has_enc = 1, .enc = enc("pkmsg", "skdm for b")};
    send_msg(a1, &(wb_wa_message_send){.id = "G1", .to = J(gid), .type = "text",
                                       .addressing_mode = "pn", .encs = &sk, .nencs = 1,
                                       .targets = &tb, .ntargets = 1,
                                       .identity = (const uint8_t *)"ID", .identity_len = 2});
    CHECK_STR(fx_attr(fx_next(a1, "ack"), "from"), gid);
    wb_node *got = fx_next(b1, "message");
    CHECK_STR(fx_attr(got, "from"), gid);
    CHECK_STR(fx_attr(got, "participant"), a1->jid);
    CHECK_STR(fx_attr(got, "participant_lid"), a1->lid);
    CHECK_STR(fx_attr(got, "addressing_mode"), "pn");
    CHECK_STR(enc_text(got, 0), "skdm for b");
    CHECK_STR(enc_text(got, 1), "group ciphertext");
    CHECK(wb_node_child(got, "device-identity") != NULL);
    fx_client *skonly[] = {c1, a2};
    for (int i = 0; i < 2; i++) {
        got = fx_next(skonly[i], "message");
        CHECK_EQ(wb_node_count(got, "enc"), 1);
        CHECK_STR(enc_text(got, 0), "group ciphertext");
        CHECK(wb_node_child(got, "device-identity") == NULL);
    }
    CHECK(fx_next(a1, "message") == NULL);
    /* a stranger may not post; nothing is delivered */
    send_skmsg(d1, "G2", gid, "intruder");
    CHECK_STR(fx_attr(fx_next(d1, "ack"), "error"), "403");
    CHECK(fx_next(b1, "message") == NULL);
    /* a retry resend names one member device and carries its enc directly */
    wb_wa_enc resend = enc("pkmsg", "resend for c");
    send_msg(a1, &(wb_wa_message_send){.id = "G1", .to = J(gid), .type = "text",
                                       .participant = J(c1->jid), .encs = &resend, .nencs = 1});
    got = fx_next(c1, "message");
    CHECK_STR(fx_attr(got, "participant"), a1->jid);
    CHECK_STR(enc_text(got, 0), "resend for c");
    CHECK(fx_next(b1, "message") == NULL);
    /* group receipts go to the sender's devices with the reader as participant */
    const char *g1[] = {"G1"};
    send_receipt(b1, &(wb_wa_receipt){.ids = g1, .nids = 1, .to = J(gid), .participant = J(a1->jid),
                                      .type = "read"});
    wb_node *rc = fx_next(a2, "receipt");
    CHECK_STR(fx_attr(rc, "from"), gid);
    CHECK_STR(fx_attr(rc, "participant"), b_user);
    CHECK_STR(fx_attr(rc, "type"), "read");
    sim_fx_free(&fx);
}

static void test_sim_route_group_changes_are_checked_and_told_to_members(void) {
    char dir[] = "/tmp/wabot-sim-route-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    sim_fx fx;
    sim_fx_init(&fx, dir);
    fx_client *la, *a1 = online(&fx, "15550001111", &la);
    fx_client *b1 = online(&fx, "15550002222", NULL), *c1 = online(&fx, "15550003333", NULL);
    char a_user[WB_JID_STR_MAX], b_user[WB_JID_STR_MAX], c_user[WB_JID_STR_MAX];
    user_jid(a1, a_user);
    user_jid(b1, b_user);
    user_jid(c1, c_user);
    const char *bs[] = {b_user, NULL}, *cs[] = {c_user, NULL};
    char gid[WB_JID_STR_MAX];
    make_group(a1, "pair", bs, gid);
    fx_next(b1, "notification");
    /* only admins add; c is not a member and may not even look */
    wb_wa_group_request add = {.action = WB_WA_GROUP_ADD, .group = J(gid)};
    add.participants = jids(cs, &add.nparticipants);
    CHECK_EQ(iq_error(g2(b1, &add)), 403);
    CHECK_EQ(iq_error(g2_simple(c1, WB_WA_GROUP_QUERY, gid)), 403);
    const char *again[] = {c_user, b_user, "19990000000@s.whatsapp.net", NULL};
    add.participants = jids(again, &add.nparticipants);
    wb_wa_participant *res;
    size_t nres;
    CHECK_EQ(wb_wa_group_results_read(g2(a1, &add), &scratch, &res, &nres, NULL), 0);
    CHECK_EQ(nres, 3);
    CHECK(nres == 3 && res[0].error == 0 && res[1].error == 409 && res[2].error == 404);
    CHECK(nres == 3 && strcmp(wa_jid_str(&res[2].jid), again[2]) == 0);
    /* the members hear <add> of c; c itself hears of the group as a <create> with all of it */
    fx_client *before[] = {a1, b1};
    for (int i = 0; i < 2; i++) {
        const wb_wa_group_change *ch;
        wb_wa_group_notification n = gp2(before[i], &ch);
        CHECK_STR(wa_jid_str(&n.participant), a_user);
        CHECK_STR(ch->tag, "add");
        CHECK(ch->nparticipants == 1 && strcmp(wa_jid_str(&ch->participants[0].jid), c_user) == 0);
    }
    const wb_wa_group_change *joined;
    gp2(c1, &joined);
    CHECK_STR(joined->tag, "create");
    CHECK(joined->create_type == NULL);
    CHECK_STR(wa_jid_str(&joined->group.jid), gid);
    CHECK_STR(joined->group.subject, "pair");
    CHECK_EQ(joined->group.nparticipants, 3);
    CHECK(joined->group.nparticipants == 3 &&
          strcmp(wa_jid_str(&joined->group.participants[2].jid), c_user) == 0);
    CHECK(fx_next(c1, "notification") == NULL); /* no <add> for c as well */
    /* subject, from a member */
    CHECK_STR(fx_attr(g2(c1, &(wb_wa_group_request){.action = WB_WA_GROUP_SUBJECT, .group = J(gid),
                                                   .subject = "renamed"}), "type"), "result");
    const wb_wa_group_change *ch;
    gp2(a1, &ch);
    CHECK_STR(ch->subject, "renamed");
    CHECK_STR(wa_jid_str(&ch->subject_owner), c_user);
    fx_next(b1, "notification");
    fx_next(c1, "notification");
    /* c leaves: the rest and c itself hear a remove by c */
    wb_jid gj = J(gid);
    CHECK_STR(fx_attr(g2(c1, &(wb_wa_group_request){.action = WB_WA_GROUP_LEAVE, .groups = &gj,
                                                   .ngroups = 1}), "type"), "result");
    fx_client *all[] = {a1, b1, c1};
    for (int i = 0; i < 3; i++) {
        wb_wa_group_notification n = gp2(all[i], &ch);
        CHECK_STR(wa_jid_str(&n.participant), c_user);
        CHECK_STR(ch->tag, "remove");
        CHECK(ch->nparticipants == 1 && strcmp(wa_jid_str(&ch->participants[0].jid), c_user) == 0);
    }
    /* the group outlives a restart */
    fx_client keys = *la;
    sim_fx_free(&fx);
    sim_fx_init(&fx, dir);
    fx_client *a2 = login_active(&fx, &keys);
    wb_wa_group g;
    CHECK_EQ(wb_wa_group_read(wb_node_child(g2_simple(a2, WB_WA_GROUP_QUERY, gid), "group"),
                              &scratch, &g, NULL), 0);
    CHECK_STR(g.subject, "renamed");
    CHECK_STR(wa_jid_str(&g.subject_owner), c_user);
    CHECK_EQ(g.size, 2);
    wb_wa_group *all_groups;
    size_t ngroups;
    CHECK_EQ(wb_wa_group_participating_read(g2_simple(a2, WB_WA_GROUP_PARTICIPATING, NULL),
                                            &scratch, &all_groups, &ngroups, NULL), 0);
    CHECK_EQ(ngroups, 1);
    /* invite codes: an admin gets one; a revoke changes it */
    const char *code = wb_wa_group_invite_of(g2_simple(a2, WB_WA_GROUP_INVITE_CODE, gid));
    CHECK(code && strlen(code) == 22);
    char first[32];
    snprintf(first, sizeof first, "%s", code ? code : "");
    code = wb_wa_group_invite_of(g2_simple(a2, WB_WA_GROUP_INVITE_REVOKE, gid));
    CHECK(code && strcmp(code, first) != 0);
    CHECK_EQ(iq_error(g2(a2, &(wb_wa_group_request){.action = WB_WA_GROUP_INVITE_INFO,
                                                     .code = first})), 404);
    sim_fx_free(&fx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

static void test_sim_admin_groups_makes_a_group_for_phones(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *b1 = online(&fx, "15550002222", NULL);
    fx_reply r;
    fx_http(&fx, "POST", "/admin/groups", NULL,
            "{\"subject\":\"made\",\"creator\":\"15550001111\",\"participants\":[\"15550002222\"]}",
            &r);
    CHECK_EQ(r.status, 200);
    cJSON *o = cJSON_Parse(r.body);
    const char *jid = cJSON_GetStringValue(cJSON_GetObjectItem(o, "jid"));
    CHECK(jid && strstr(jid, "@g.us"));
    wb_node *n = fx_next(b1, "notification");
    CHECK_STR(fx_attr(n, "from"), jid ? jid : "");
    CHECK_STR(fx_attr(n, "participant"), "15550001111@s.whatsapp.net");
    cJSON_Delete(o);
    const char *bad[] = {"", "{}", "[]", "{\"subject\":\"x\"}",
                         "{\"subject\":\"\",\"creator\":\"15550001111\"}",
                         "{\"subject\":\"x\",\"creator\":\"abc\"}",
                         "{\"subject\":\"x\",\"creator\":\"15550001111\",\"participants\":[1]}",
                         "{\"subject\":\"x\",\"creator\":\"15550001111\",\"participants\":\"1\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fx_http(&fx, "POST", "/admin/groups", NULL, bad[i], &r);
        CHECK_EQ(r.status, 400);
    }
    sim_fx_free(&fx);
}

/* ---- media ------------------------------------------------------------------------------------ */

/* Splits an https://host/path?query URL into path and query. */
static void split_url(const char *url, char *path, size_t pcap, char *query, size_t qcap) {
    const char *p = strchr(url + strlen("https://"), '/'), *q = p ? strchr(p, '?') : NULL;
    snprintf(path, pcap, "%.*s", p ? (q ? (int)(q - p) : (int)strlen(p)) : 0, p ? p : "");
    snprintf(query, qcap, "%s", q ? q + 1 : "");
}

static void test_sim_media_conn_upload_and_download(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    wb_sim_set_endpoints(fx.sim, NULL, "127.0.0.1:4443", NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL);
    wb_node *iq = wb_wa_iq_new(&scratch, "set", "w:m");
    wb_wa_media_conn_request_fill(iq);
    wb_wa_media_conn mc;
    CHECK_EQ(wb_wa_media_conn_read(fx_request(a1, iq), &scratch, &mc, NULL), 0);
    CHECK(mc.nhosts == 1 && strcmp(mc.hosts[0].hostname, "127.0.0.1:4443") == 0);
    CHECK(mc.ttl > 0 && mc.hosts[0].max_content_length > 0);
    char auth[128];
    snprintf(auth, sizeof auth, "%s", mc.auth ? mc.auth : "");
    CHECK(strlen(auth) >= 32);
    const char body[] = "encrypted bytes and a mac";
    uint8_t h[32];
    wb_sha256(h, body, sizeof body - 1);
    /* the URL Baileys' getWAUploadToServer makes */
    wb_buf url = WB_BUF_INIT;
    CHECK_EQ(wb_wa_media_upload_url(&url, "127.0.0.1:4443", "image", h, auth), 0);
    wb_buf_put_u8(&url, 0);
    char path[256], query[512];
    split_url((const char *)url.data, path, sizeof path, query, sizeof query);
    fx_reply rep;
    fx_http(&fx, "POST", path, query, body, &rep);
    CHECK_EQ(rep.status, 200);
    wb_wa_media_uploaded up;
    CHECK_EQ(wb_wa_media_uploaded_read(rep.body, strlen(rep.body), &up), 0);
    CHECK(strncmp(up.url, "https://127.0.0.1:4443/v/t62.7118-24/", 37) == 0);
    CHECK_STR(up.url + strlen("https://127.0.0.1:4443"), up.direct_path);
    CHECK(up.ts > 0);
    char dpath[256], dquery[256];
    split_url(up.url, dpath, sizeof dpath, dquery, sizeof dquery);
    fx_http(&fx, "GET", dpath, dquery, NULL, &rep);
    CHECK_EQ(rep.status, 200);
    CHECK_STR(rep.body, body);
    /* the same bytes again: the same path */
    fx_http(&fx, "POST", path, query, body, &rep);
    wb_wa_media_uploaded again;
    CHECK_EQ(wb_wa_media_uploaded_read(rep.body, strlen(rep.body), &again), 0);
    CHECK_STR(again.direct_path, up.direct_path);
    /* refusals */
    char bad[512];
    snprintf(bad, sizeof bad, "auth=nope&%s", strstr(query, "token="));
    fx_http(&fx, "POST", path, bad, body, &rep);
    CHECK_EQ(rep.status, 401);
    fx_http(&fx, "POST", path, query, "other bytes", &rep);
    CHECK_EQ(rep.status, 400);
    snprintf(bad, sizeof bad, "/mms/bogus/%s", strrchr(path, '/') + 1);
    fx_http(&fx, "POST", bad, query, body, &rep);
    CHECK_EQ(rep.status, 404);
    fx_http(&fx, "GET", dpath, "oh=00000000000000000000000000000000", NULL, &rep);
    CHECK_EQ(rep.status, 403);
    fx_http(&fx, "GET", dpath, "", NULL, &rep);
    CHECK_EQ(rep.status, 403);
    CHECK_EQ(fx_counter(&fx, "media.uploads"), 2);
    CHECK_EQ(fx_counter(&fx, "media.downloads"), 1);
    wb_buf_free(&url);
    sim_fx_free(&fx);
}

/* ---- bad input -------------------------------------------------------------------------------- */

static void test_sim_route_bad_stanzas_close_only_that_client(void) {
    wb_node *bad[8];
    size_t nbad = 0;
    bad[nbad++] = WB_NODE(&scratch, "message", {"to", "15550002222@s.whatsapp.net"});
    bad[nbad++] = WB_NODE(&scratch, "message", {"id", "x"}, {"to", "not a jid"});
    wb_node *m = WB_NODE(&scratch, "message", {"id", "x"}, {"to", "15550002222@s.whatsapp.net"});
    wb_node *e = WB_CHILD(wb_node_add_new(wb_node_add_new(m, "participants"), "to"), "enc",
                          {"v", "2"}, {"type", "msg"});
    wb_node_set_bytes(e, "?", 1); /* a <to> without a jid */
    bad[nbad++] = m;
    wb_node *r = WB_NODE(&scratch, "receipt", {"id", "x"}, {"to", "15550002222:1@s.whatsapp.net"});
    wb_node_add_new(wb_node_add_new(r, "list"), "item");
    bad[nbad++] = r;
    bad[nbad++] = WB_NODE(&scratch, "receipt", {"to", "15550002222:1@s.whatsapp.net"});
    for (size_t i = 0; i < nbad; i++) {
        sim_fx fx;
        sim_fx_init(&fx, NULL);
        fx_client *a1 = online(&fx, "15550001111", NULL), *b1 = online(&fx, "15550002222", NULL);
        fx_send(a1, bad[i]);
        CHECK(a1->closed);
        CHECK(!b1->closed);
        wb_node *pong = fx_iq(b1, &scratch, "get", "w:p", NULL);
        CHECK_STR(fx_attr(pong, "type"), "result");
        sim_fx_free(&fx);
    }
    /* a w:g2 create with a participant that is not a JID */
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a1 = online(&fx, "15550001111", NULL);
    wb_node *iq = WB_NODE(&scratch, "iq", {"type", "set"}, {"xmlns", "w:g2"}, {"to", "@g.us"});
    wb_node_add_new(WB_CHILD(iq, "create", {"subject", "x"}), "participant");
    fx_request(a1, iq);
    CHECK(a1->closed);
    sim_fx_free(&fx);
}

int main(void) {
    wb_arena_init(&scratch, 0);
    RUN(test_sim_route_direct_message_reaches_each_device_with_sender_attributes);
    RUN(test_sim_route_receipts_reach_every_sender_device_and_close_the_queue);
    RUN(test_sim_route_offline_device_gets_its_messages_after_passive_active);
    RUN(test_sim_route_device_lists_reach_contacts_only);
    RUN(test_sim_route_group_create_and_messages_put_the_device_enc_before_skmsg);
    RUN(test_sim_route_group_changes_are_checked_and_told_to_members);
    RUN(test_sim_route_announcement_groups_take_posts_from_admins_only);
    RUN(test_sim_admin_groups_makes_a_group_for_phones);
    RUN(test_sim_media_conn_upload_and_download);
    RUN(test_sim_route_bad_stanzas_close_only_that_client);
    wb_arena_free(&scratch);
    return check_summary();
}
