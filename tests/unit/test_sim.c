/* Unit tests for host/sim: the simulator core driven from memory by a C client made of net/'s
 * Noise initiator (sim_fixture.h): QR linking with the real ADV cryptography, login checks,
 * prekeys, the offline queue, usync, presence, persistence, and bad input. Baileys drives the
 * same code in tests/interop/sim_*.test.mjs. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "sim/sim_int.h"
#include "sim_fixture.h"
#include "wa/pair_code.h"
#include "wa/prekeys.h"
#include "wa/receipt.h"
#include "wa/usync.h"

static wb_arena scratch;

static const char *attr(const wb_node *n, const char *k) { return fx_attr(n, k); }

static int64_t counter(sim_fx *fx, const char *path) { return fx_counter(fx, path); }

/* A linked and logged-in device, its passive/active done. */
static fx_client *online(sim_fx *fx, const char *phone, fx_client **linked_out) {
    fx_client *l = fx_link_qr(fx, phone);
    CHECK(l != NULL);
    if (!l)
        return NULL;
    fx_client *c = fx_login(fx, l);
    CHECK(fx_next(c, "success") != NULL);
    wb_node *r = fx_iq(c, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    CHECK_STR(attr(r, "type"), "result");
    if (linked_out)
        *linked_out = l;
    return c;
}

/* Uploads n one-time prekeys (ids from first) with a valid signed prekey. */
static wb_node *upload(fx_client *c, uint32_t first, int n) {
    wb_wa_device_keys k = fx_device_keys(c);
    wb_signal_prekey *keys = calloc((size_t)n + 1, sizeof *keys);
    for (int i = 0; i < n; i++) {
        wb_keypair kp;
        wb_keypair_generate(&kp);
        keys[i].id = first + (uint32_t)i;
        memcpy(keys[i].pub, kp.pub, 32);
    }
    wb_node *iq = WB_NODE(&scratch, "iq", {"id", "up"}, {"type", "set"}, {"xmlns", "encrypt"},
                          {"to", "@s.whatsapp.net"});
    wb_wa_prekeys_upload_fill(iq, &k, keys, (size_t)n);
    free(keys);
    fx_send(c, iq);
    wb_node *r;
    while ((r = fx_next(c, "iq")))
        if (strcmp(attr(r, "id"), "up") == 0)
            return r;
    return NULL;
}

static int64_t prekey_count(fx_client *c) {
    wb_node *r = fx_iq(c, &scratch, "get", "encrypt", wb_node_new(&scratch, "count"));
    const char *v = wb_node_attr(wb_node_child(r, "count"), "value");
    return v ? strtoll(v, NULL, 10) : -1;
}

static wb_node *fetch_bundle(fx_client *c, const char *jid) {
    wb_node *key = wb_node_new(&scratch, "key");
    WB_CHILD(key, "user", {"jid", jid});
    return fx_iq(c, &scratch, "get", "encrypt", key);
}

/* ---- linking and login ---------------------------------------------------------------------- */

static void test_sim_links_by_qr_then_logs_in_through_the_startup_iqs(void) {
    sim_fx fx;
    CHECK_EQ(sim_fx_init(&fx, NULL), 0);
    fx_client *l = fx_link_qr(&fx, "15550001111");
    CHECK(l != NULL);
    if (!l)
        goto out;
    CHECK_STR(l->jid, "15550001111:1@s.whatsapp.net");
    CHECK(strstr(l->lid, ":1@lid") != NULL);
    fx_client *c = fx_login(&fx, l);
    wb_node *s = fx_next(c, "success");
    CHECK(s != NULL);
    CHECK_STR(attr(s, "lid"), l->lid);
    CHECK(wb_node_attr(s, "t") != NULL);
    CHECK_EQ(prekey_count(c), 0);
    CHECK_STR(attr(upload(c, 1, 30), "type"), "result");
    CHECK_EQ(prekey_count(c), 30);
    wb_node *r = fx_iq(c, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    CHECK_STR(attr(r, "type"), "result");
    wb_node *ib = fx_next(c, "ib");
    CHECK_STR(attr(wb_node_child(ib, "offline"), "count"), "0");
    r = fx_iq(c, &scratch, "get", "encrypt", wb_node_new(&scratch, "digest"));
    CHECK(wb_node_child(r, "digest") != NULL);
    r = fx_iq(c, &scratch, "get", "w:p", wb_node_new(&scratch, "ping"));
    CHECK_STR(attr(r, "type"), "result");
    wb_node *props = WB_NODE(&scratch, "props", {"protocol", "1"});
    r = fx_iq(c, &scratch, "get", "abt", props);
    CHECK(wb_node_attr(wb_node_child(r, "props"), "hash") != NULL);
    r = fx_iq(c, &scratch, "get", "privacy", wb_node_new(&scratch, "privacy"));
    CHECK_EQ(wb_node_count(wb_node_child(r, "privacy"), "category"), 10);
    r = fx_iq(c, &scratch, "get", "blocklist", NULL);
    CHECK(wb_node_child(r, "list") != NULL);
    CHECK_EQ(counter(&fx, "pairings.ok"), 1);
    CHECK_EQ(counter(&fx, "logins.ok"), 1);
out:
    sim_fx_free(&fx);
}

static void test_sim_refuses_a_device_signature_that_does_not_verify(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    wb_node *pd;
    fx_client *c = fx_register(&fx, "X", &pd);
    char qr[512];
    CHECK(c && fx_qr(c, pd, qr, sizeof qr) == 0);
    fx_reply r;
    fx_http(&fx, "POST", "/admin/mock-phone/scan-qr", NULL, qr, &r);
    CHECK_EQ(r.answered, 0);
    wb_node *ps = fx_next(c, "iq");
    CHECK_EQ(fx_answer_pair_success(c, ps, &scratch, 1), 0);
    CHECK_EQ(r.answered, 1);
    CHECK_EQ(r.status, 403);
    CHECK(strstr(r.body, "device signature invalid") != NULL);
    CHECK(c->closed);
    CHECK(fx_next(c, "stream:error") == NULL);
    CHECK_EQ(counter(&fx, "pairings.ok"), 0);
    sim_fx_free(&fx);
}

static void test_sim_scan_qr_refuses_foreign_and_unknown_qr_codes(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    wb_node *pd;
    fx_client *c = fx_register(&fx, "X", &pd);
    char qr[512];
    fx_qr(c, pd, qr, sizeof qr);
    fx_reply r;
    fx_http(&fx, "POST", "/admin/mock-phone/scan-qr", NULL, "not,a,qr", &r);
    CHECK_EQ(r.status, 400);
    c->identity.pub[0] ^= 1; /* a QR whose identity is not the registered one */
    char bad[512];
    fx_qr(c, pd, bad, sizeof bad);
    c->identity.pub[0] ^= 1;
    fx_http(&fx, "POST", "/admin/mock-phone/scan-qr", NULL, bad, &r);
    CHECK_EQ(r.status, 400);
    char *comma = strchr(qr, '#');
    CHECK(comma != NULL);
    comma[5] ^= 1; /* another ref */
    fx_http(&fx, "POST", "/admin/mock-phone/scan-qr", NULL, qr, &r);
    CHECK_EQ(r.status, 404);
    comma[5] ^= 1;
    fx_http(&fx, "POST", "/admin/mock-phone/scan-qr", "phone=12ab", qr, &r);
    CHECK_EQ(r.status, 400);
    CHECK(!c->closed);
    sim_fx_free(&fx);
}

/* The companion's half of pairing by code, as Baileys does it (wa/pair_code.h). */
typedef struct code_companion {
    fx_client *c;
    wb_keypair eph;
    char code[WB_WA_PAIR_CODE_LEN + 1];
    char jid[64];
} code_companion;

/* Registers and sends companion_hello for phone; returns the server's answer. */
static wb_node *code_hello(sim_fx *fx, code_companion *cc, const char *phone) {
    wb_node *pd;
    memset(cc, 0, sizeof *cc);
    cc->c = fx_register(fx, "Coder", &pd);
    wb_keypair_generate(&cc->eph);
    wb_wa_pair_code_new(cc->code);
    snprintf(cc->jid, sizeof cc->jid, "%s@s.whatsapp.net", phone);
    uint8_t wrapped[WB_WA_PAIR_WRAPPED_LEN];
    wb_wa_pair_code_wrap(cc->code, cc->eph.pub, wrapped);
    wb_node *hello = wb_node_new(&scratch, "x");
    wb_wa_pair_code_hello_fill(hello, cc->jid, wrapped, cc->c->noise_key.pub, "1",
                               "Chrome (Mac OS)");
    return fx_iq(cc->c, &scratch, "set", "md", wb_node_child(hello, NULL));
}

/* Reads primary_hello and answers with companion_finish; returns the server's answer. */
static wb_node *code_finish(code_companion *cc) {
    wb_node *n = fx_next(cc->c, "notification");
    wb_wa_pair_code_reg ph;
    if (!n || wb_wa_pair_code_read(n, &ph, NULL) < 0)
        return NULL;
    uint8_t primary_eph[32], shared[32], rnd[32], idh[32];
    wb_wa_pair_code_unwrap(cc->code, ph.wrapped, primary_eph);
    wb_curve_agree(shared, cc->eph.priv, primary_eph);
    wb_random_bytes(rnd, sizeof rnd);
    wb_buf bundle = WB_BUF_INIT;
    wb_wa_pair_code_seal(shared, cc->c->identity.pub, ph.ident, rnd, &bundle);
    wb_curve_agree(idh, cc->c->identity.priv, ph.ident);
    wb_wa_pair_code_adv_secret(shared, idh, rnd, cc->c->adv);
    wb_node *fin = wb_node_new(&scratch, "x");
    wb_wa_pair_code_finish_fill(fin, cc->jid, bundle.data, bundle.len, cc->c->identity.pub,
                                ph.ref, ph.ref_len);
    wb_buf_free(&bundle);
    return fx_iq(cc->c, &scratch, "set", "md", wb_node_child(fin, NULL));
}

static void test_sim_pairing_code_links_with_the_right_code_only(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    code_companion cc;
    wb_node *ans = code_hello(&fx, &cc, "15550007777");
    CHECK_STR(attr(ans, "type"), "result");
    CHECK(wb_node_path(ans, "link_code_companion_reg", "link_code_pairing_ref", NULL) != NULL);
    /* the user mistypes: the phone wraps under another code, the bundle does not open */
    char body[128], wrong[WB_WA_PAIR_CODE_LEN + 1];
    snprintf(wrong, sizeof wrong, "%s", cc.code);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    snprintf(body, sizeof body, "{\"phone\": \"15550007777\", \"code\": \"%.4s-%s\"}", wrong,
             wrong + 4);
    fx_reply r;
    fx_http(&fx, "POST", "/admin/mock-phone/enter-code", NULL, body, &r);
    CHECK_EQ(r.answered, 0);
    ans = code_finish(&cc);
    CHECK_STR(attr(ans, "type"), "error");
    CHECK_EQ(r.answered, 1);
    CHECK_EQ(r.status, 403);
    CHECK_EQ(counter(&fx, "pairings.wrong_code"), 1);
    /* the right code, in lower case */
    char lower[WB_WA_PAIR_CODE_LEN + 1];
    for (int i = 0; i <= WB_WA_PAIR_CODE_LEN; i++)
        lower[i] = (char)tolower((unsigned char)cc.code[i]);
    snprintf(body, sizeof body, "{\"phone\": \"15550007777\", \"code\": \"%s\"}", lower);
    fx_http(&fx, "POST", "/admin/mock-phone/enter-code", NULL, body, &r);
    ans = code_finish(&cc);
    CHECK_STR(attr(ans, "type"), "result");
    wb_node *ps;
    while ((ps = fx_next(cc.c, "iq")) && !wb_node_child(ps, "pair-success"))
        ;
    CHECK(ps != NULL);
    CHECK_EQ(fx_answer_pair_success(cc.c, ps, &scratch, 0), 0); /* the adv secret matches */
    CHECK_EQ(r.answered, 1);
    CHECK_EQ(r.status, 200);
    CHECK(strstr(r.body, "15550007777") != NULL);
    CHECK(fx_next(cc.c, "stream:error") != NULL);
    CHECK_EQ(counter(&fx, "pairings.ok"), 1);
    sim_fx_free(&fx);
}

/* A send that fails inside an admin handler closes the companion's connection; the handler
 * must then answer its request once, without touching freed state (ASan caught a
 * use-after-free here when closing freed the registration at once). */
static void test_sim_admin_pairing_survives_a_send_that_fails(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    wb_node *pd;
    fx_client *c = fx_register(&fx, "X", &pd);
    char qr[512];
    CHECK(c && fx_qr(c, pd, qr, sizeof qr) == 0);
    c->fail_sends = 1;
    fx_reply r;
    fx_http(&fx, "POST", "/admin/mock-phone/scan-qr", NULL, qr, &r);
    CHECK_EQ(r.answered, 1);
    CHECK_EQ(r.status, 500);
    CHECK(c->closed);
    fx_http(&fx, "POST", "/admin/mock-phone/scan-qr", NULL, qr, &r);
    CHECK_EQ(r.status, 404); /* a closing companion shows no QR */
    code_companion cc;
    CHECK_STR(attr(code_hello(&fx, &cc, "15550008888"), "type"), "result");
    cc.c->fail_sends = 1;
    fx_reply r2;
    fx_http(&fx, "POST", "/admin/mock-phone/enter-code", NULL,
            "{\"phone\": \"15550008888\", \"code\": \"ABCD-EFGH\"}", &r2);
    CHECK_EQ(r2.answered, 1);
    CHECK_EQ(r2.status, 500);
    CHECK(cc.c->closed);
    sim_fx_free(&fx); /* frees the registrations: no second answer */
    CHECK_EQ(r.answered, 1);
    CHECK_EQ(r2.answered, 1);
}

static void test_sim_login_is_refused_for_wrong_key_unknown_or_removed_devices(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *l = fx_link_qr(&fx, NULL);
    CHECK(l != NULL);
    if (!l)
        goto out;
    fx_client keys = *l;
    wb_keypair_generate(&keys.noise_key);
    fx_client *c = fx_login(&fx, &keys);
    wb_node *f = fx_next(c, "failure");
    CHECK_STR(attr(f, "reason"), "401");
    CHECK(c->closed);
    keys = *l;
    keys.device = 9;
    c = fx_login(&fx, &keys);
    CHECK_STR(attr(fx_next(c, "failure"), "reason"), "401");
    /* the device logs out (Baileys' logout), then cannot come back */
    c = fx_login(&fx, l);
    CHECK(fx_next(c, "success") != NULL);
    wb_node *rm = WB_NODE(&scratch, "remove-companion-device", {"jid", l->jid},
                          {"reason", "user_initiated"});
    wb_node *r = fx_iq(c, &scratch, "set", "md", rm);
    CHECK_STR(attr(r, "type"), "result");
    wb_node *se = fx_next(c, "stream:error");
    CHECK_STR(attr(se, "code"), "401");
    CHECK_STR(attr(wb_node_child(se, "conflict"), "type"), "device_removed");
    c = fx_login(&fx, l);
    CHECK_STR(attr(fx_next(c, "failure"), "reason"), "401");
    CHECK_EQ(counter(&fx, "logins.refused"), 3);
out:
    sim_fx_free(&fx);
}

static void test_sim_second_login_replaces_the_first_connection(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *l = fx_link_qr(&fx, NULL);
    fx_client *a = fx_login(&fx, l);
    CHECK(fx_next(a, "success") != NULL);
    fx_client *b = fx_login(&fx, l);
    CHECK(fx_next(b, "success") != NULL);
    fx_pump_all(&fx);
    wb_node *se = fx_next(a, "stream:error");
    CHECK(se != NULL);
    CHECK(wb_node_attr(se, "code") == NULL);
    CHECK_STR(attr(wb_node_child(se, "conflict"), "type"), "replaced");
    CHECK(a->closed);
    CHECK(!b->closed);
    CHECK_STR(attr(fx_iq(b, &scratch, "get", "w:p", NULL), "type"), "result");
    sim_fx_free(&fx);
}

/* ---- prekeys and the queue ------------------------------------------------------------------ */

static void test_sim_bundles_consume_prekeys_and_a_low_device_is_told(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a = online(&fx, "15550001111", NULL), *b = online(&fx, "15550002222", NULL);
    if (!a || !b)
        goto out;
    CHECK_STR(attr(upload(a, 100, 6), "type"), "result");
    char lid_dev[96];
    snprintf(lid_dev, sizeof lid_dev, "%s", a->lid);
    for (int i = 0; i < 2; i++) {
        wb_node *r = fetch_bundle(b, i ? a->jid : lid_dev); /* LID and PN device JIDs */
        wb_node *u = wb_node_path(r, "list", "user", NULL);
        CHECK_STR(attr(u, "jid"), i ? a->jid : lid_dev);
        wb_signal_bundle bundle;
        CHECK_EQ(wb_wa_prekeys_bundle_read(u, &bundle, NULL), 0);
        CHECK(memcmp(bundle.identity, a->identity.pub, 32) == 0);
        CHECK(memcmp(bundle.signed_prekey, a->skey.pub, 32) == 0);
        CHECK_EQ(bundle.has_prekey, 1);
        CHECK_EQ(bundle.prekey_id, 100 + i);
        CHECK_EQ(bundle.registration_id, a->reg_id);
    }
    CHECK_EQ(prekey_count(a), 4);
    wb_node *n = fx_next(a, "notification");
    CHECK_STR(attr(n, "type"), "encrypt");
    CHECK_STR(attr(wb_node_child(n, "count"), "value"), "4");
    CHECK(fx_next(a, "notification") == NULL); /* once until the next upload */
    /* the phone (device 0) has a fixed bundle, by PN and by LID: a signed prekey that its
     * identity signed, no one-time prekey, the same at every fetch; unknown devices have none */
    char phone0[2][WB_JID_STR_MAX];
    snprintf(phone0[0], sizeof phone0[0], "%s@s.whatsapp.net", a->phone);
    snprintf(phone0[1], sizeof phone0[1], "%.*s@lid", (int)(strchr(a->lid, ':') - a->lid), a->lid);
    uint8_t first[32 + 32 + 64];
    for (int i = 0; i < 3; i++) {
        wb_node *u = wb_node_path(fetch_bundle(b, phone0[i % 2]), "list", "user", NULL);
        CHECK_STR(attr(u, "jid"), phone0[i % 2]);
        wb_signal_bundle bundle;
        CHECK_EQ(wb_wa_prekeys_bundle_read(u, &bundle, NULL), 0);
        const uint8_t *id = bundle.identity, *v = bundle.signed_prekey,
                      *sig = bundle.signed_prekey_signature;
        int64_t reg = bundle.registration_id;
        CHECK(reg >= 1 && reg <= 16380);
        CHECK(!bundle.has_prekey && wb_node_child(u, "key") == NULL);
        CHECK_EQ(wb_signal_verify_signed_prekey(id, v, sig), 0);
        CHECK(memcmp(id, a->identity.pub, 32) != 0); /* the phone's, not the companion's */
        if (i == 0) {
            memcpy(first, id, 32), memcpy(first + 32, v, 32), memcpy(first + 64, sig, 64);
        } else {
            CHECK(memcmp(first, id, 32) == 0 && memcmp(first + 32, v, 32) == 0 &&
                  memcmp(first + 64, sig, 64) == 0);
        }
    }
    CHECK_EQ(prekey_count(a), 4); /* the phone's bundles took none of the companion's */
    CHECK_EQ(wb_node_count(wb_node_child(fetch_bundle(b, "19999999999:3@s.whatsapp.net"), "list"),
                           "user"), 0);
out:
    sim_fx_free(&fx);
}

static void test_sim_queues_for_an_offline_device_until_it_acks(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *la;
    fx_client *a = online(&fx, "15550001111", &la), *b = online(&fx, "15550002222", NULL);
    if (!a || !b)
        goto out;
    upload(a, 1, 5);
    fx_client_drop(a); /* a goes offline */
    fetch_bundle(b, a->jid); /* 4 left: the notification waits in a's queue */
    CHECK_EQ(counter(&fx, "queued.notification"), 1);
    fx_client *a2 = fx_login(&fx, la);
    CHECK(fx_next(a2, "success") != NULL);
    CHECK(fx_next(a2, "notification") == NULL); /* not before passive/active */
    fx_iq(a2, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    wb_node *n = fx_next(a2, "notification");
    CHECK_STR(attr(n, "offline"), "1");
    CHECK_STR(attr(wb_node_child(fx_next(a2, "ib"), "offline"), "count"), "1");
    /* not acked: delivered again after the next login */
    fx_client_drop(a2);
    fx_client *a3 = fx_login(&fx, la);
    fx_iq(a3, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    wb_node *again = fx_next(a3, "notification");
    CHECK_STR(attr(again, "id"), attr(n, "id"));
    fx_send(a3, wb_wa_ack_for(&scratch, again, 0, NULL));
    CHECK_EQ(counter(&fx, "acked.notification"), 1);
    fx_client_drop(a3);
    fx_client *a4 = fx_login(&fx, la);
    fx_iq(a4, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    CHECK(fx_next(a4, "notification") == NULL);
    /* low again while offline; an upload at the next login makes the queued notice moot */
    upload(a4, 50, 1);
    fx_client_drop(a4);
    fetch_bundle(b, a->jid);
    fetch_bundle(b, a->jid);
    CHECK_EQ(counter(&fx, "queued.notification"), 2);
    fx_client *a5 = fx_login(&fx, la);
    upload(a5, 60, 5);
    fx_iq(a5, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    CHECK_STR(attr(wb_node_child(fx_next(a5, "ib"), "offline"), "count"), "0");
    CHECK_EQ(counter(&fx, "delivered.offline.notification"), 2); /* the two earlier ones only */
out:
    sim_fx_free(&fx);
}

static void test_sim_rotate_replaces_the_signed_prekey_only_when_signed(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a = online(&fx, "15550001111", NULL), *b = online(&fx, "15550002222", NULL);
    if (!a || !b)
        goto out;
    wb_keypair next;
    wb_keypair_generate(&next);
    wb_signal_signed_prekey sk = {.id = 9};
    uint8_t signed_key[33] = {5};
    memcpy(sk.pub, next.pub, 32);
    memcpy(signed_key + 1, next.pub, 32);
    wb_xeddsa_sign(sk.signature, a->identity.priv, signed_key, sizeof signed_key);
    wb_node *rot = wb_node_new(&scratch, "rotate");
    wb_wa_prekeys_skey_fill(rot, &sk);
    wb_node *sn = wb_node_path(rot, "skey", "signature", NULL);
    CHECK_STR(attr(fx_iq(a, &scratch, "set", "encrypt", rot), "type"), "result");
    wb_node *u = wb_node_path(fetch_bundle(b, a->jid), "list", "user", NULL);
    wb_signal_bundle rotated;
    CHECK_EQ(wb_wa_prekeys_bundle_read(u, &rotated, NULL), 0);
    CHECK_EQ(rotated.signed_prekey_id, 9);
    CHECK(memcmp(rotated.signed_prekey, next.pub, 32) == 0);
    sk.signature[0] ^= 1; /* a signature that does not verify closes the socket */
    wb_node_set_bytes(sn, sk.signature, 64);
    fx_iq(a, &scratch, "set", "encrypt", rot);
    CHECK(a->closed);
out:
    sim_fx_free(&fx);
}

/* ---- usync, privacy, presence ----------------------------------------------------------------- */

static void test_sim_usync_lists_companions_with_key_index_lid_and_contact(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a = online(&fx, "15550001111", NULL);
    fx_link_qr(&fx, "15550001111"); /* a second companion: device 2 */
    if (!a)
        goto out;
    wb_node *iq = wb_wa_iq_new(&scratch, "get", "usync");
    wb_wa_usync_query_fill(iq, "s1", "message",
                           WB_WA_USYNC_DEVICES | WB_WA_USYNC_LID | WB_WA_USYNC_CONTACT);
    wb_jid me = wb_jid_of("15550001111", WB_SERVER_USER, 0);
    wb_wa_usync_query_add_jid(iq, &me);
    wb_wa_usync_query_add_phone(iq, "+15559999999");
    wb_wa_usync_result res;
    wb_error e = {0};
    CHECK_EQ(wb_wa_usync_result_read(fx_request(a, iq), &scratch, &res, &e), 0);
    CHECK_EQ(res.nusers, 2);
    if (res.nusers != 2)
        goto out;
    const wb_wa_usync_user *u1 = &res.users[0], *u2 = &res.users[1];
    CHECK_EQ(u1->ndevices, 3); /* the phone, then the two companions */
    for (size_t i = 0; i < u1->ndevices; i++) {
        CHECK_EQ(u1->devices[i].id, i);
        CHECK_EQ(u1->devices[i].has_key_index, i != 0); /* the phone has none */
        CHECK_EQ(u1->devices[i].key_index, i ? i : 0);
    }
    char lid_user[64];
    snprintf(lid_user, sizeof lid_user, "%.*s@lid", (int)(strchr(a->lid, ':') - a->lid), a->lid);
    char got[WB_JID_STR_MAX];
    wb_jid_format(&u1->lid, got, sizeof got);
    CHECK_STR(got, lid_user);
    CHECK_EQ(u1->contact, 1);
    wb_jid_format(&u2->jid, got, sizeof got);
    CHECK_STR(got, "15559999999@s.whatsapp.net");
    CHECK_EQ(u2->contact, 0);
    CHECK(u2->contact_len == 12 && memcmp(u2->contact_text, "+15559999999", 12) == 0);
    CHECK_EQ(u2->ndevices, 0);
    CHECK(wb_jid_is_empty(&u2->lid));
out:
    sim_fx_free(&fx);
}

static void test_sim_privacy_and_blocklist_are_stored(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a = online(&fx, "15550001111", NULL);
    if (!a)
        goto out;
    wb_node *p = wb_node_new(&scratch, "privacy");
    WB_CHILD(p, "category", {"name", "readreceipts"}, {"value", "none"});
    CHECK_STR(attr(fx_iq(a, &scratch, "set", "privacy", p), "type"), "result");
    wb_node *r = fx_iq(a, &scratch, "get", "privacy", wb_node_new(&scratch, "privacy"));
    uint32_t it = 0;
    wb_node *cat;
    int seen = 0;
    while ((cat = wb_node_next(wb_node_child(r, "privacy"), "category", &it)))
        if (strcmp(attr(cat, "name"), "readreceipts") == 0)
            seen = strcmp(attr(cat, "value"), "none") == 0;
    CHECK(seen);
    wb_node *item = WB_NODE(&scratch, "item", {"action", "block"}, {"jid", "100000000000009@lid"});
    CHECK_STR(attr(fx_iq(a, &scratch, "set", "blocklist", item), "type"), "result");
    r = fx_iq(a, &scratch, "get", "blocklist", NULL);
    CHECK_STR(attr(wb_node_path(r, "list", "item", NULL), "jid"), "100000000000009@lid");
    item = WB_NODE(&scratch, "item", {"action", "unblock"}, {"jid", "100000000000009@lid"});
    fx_iq(a, &scratch, "set", "blocklist", item);
    r = fx_iq(a, &scratch, "get", "blocklist", NULL);
    CHECK_EQ(wb_node_count(wb_node_child(r, "list"), "item"), 0);
out:
    sim_fx_free(&fx);
}

static void test_sim_presence_reaches_subscribers_and_chatstates_are_relayed(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a = online(&fx, "15550001111", NULL), *b = online(&fx, "15550002222", NULL);
    if (!a || !b)
        goto out;
    fx_send(a, WB_NODE(&scratch, "presence", {"type", "subscribe"},
                       {"to", "15550002222@s.whatsapp.net"}));
    wb_node *p = fx_next(a, "presence");
    CHECK_STR(attr(p, "from"), "15550002222@s.whatsapp.net");
    CHECK_STR(attr(p, "type"), "unavailable");
    fx_send(b, WB_NODE(&scratch, "presence", {"type", "available"}, {"name", "Bob"}));
    p = fx_next(a, "presence");
    CHECK_STR(attr(p, "type"), "available");
    wb_node *cs = WB_NODE(&scratch, "chatstate", {"from", b->jid},
                          {"to", "15550001111@s.whatsapp.net"});
    wb_node_add_new(cs, "composing");
    fx_send(b, cs);
    wb_node *got = fx_next(a, "chatstate");
    CHECK_STR(attr(got, "from"), "15550002222@s.whatsapp.net");
    CHECK(wb_node_child(got, "composing") != NULL);
    /* a is not subscribed by b: b hears nothing of a's typing */
    cs = WB_NODE(&scratch, "chatstate", {"to", "15550002222@s.whatsapp.net"});
    wb_node_add_new(cs, "paused");
    fx_send(a, cs);
    CHECK(fx_next(b, "chatstate") == NULL);
    fx_client_drop(b); /* b's socket ends: a hears unavailable with last seen */
    p = fx_next(a, "presence");
    CHECK_STR(attr(p, "type"), "unavailable");
    CHECK(wb_node_attr(p, "last") != NULL);
out:
    sim_fx_free(&fx);
}

/* ---- robustness and persistence -------------------------------------------------------------- */

static void test_sim_bad_input_closes_only_that_client(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a = online(&fx, "15550001111", NULL), *b = online(&fx, "15550002222", NULL);
    if (!a || !b)
        goto out;
    static const uint8_t junk[] = {0, 248, 250, 1, 2};
    wb_noise_conn_send(b->noise, junk, sizeof junk); /* an undecodable stanza */
    fx_pump(b);
    CHECK(b->closed);
    CHECK(!a->closed);
    CHECK_STR(attr(fx_iq(a, &scratch, "get", "w:p", NULL), "type"), "result");
    fx_client *c = online(&fx, "15550003333", NULL);
    CHECK(c != NULL);
    if (c) { /* an iq without id */
        fx_send(c, WB_NODE(&scratch, "iq", {"type", "get"}, {"xmlns", "w:p"}));
        CHECK(c->closed);
    }
    /* bytes that are not a WhatsApp stream at all, on a fresh socket */
    fx_client raw = {.fx = &fx};
    CHECK_EQ(wb_sim_conn_new(fx.sim, &raw, "raw", &raw.conn), 0);
    CHECK(wb_sim_conn_feed(raw.conn, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18) < 0);
    CHECK(raw.closed);
    wb_sim_conn_free(raw.conn);
    wb_buf_free(&raw.to_client);
    CHECK(!a->closed);
    /* a ClientPayload that is not one, and a registration whose signed prekey is not signed */
    static const uint8_t not_proto[] = {0xff, 0xff, 0xff};
    fx_client *e = fx_connect(&fx, NULL, &(wb_buf){.data = (uint8_t *)not_proto, .len = 3, .cap = 3});
    CHECK(e->closed);
    fx_client keys = *a;
    wb_buf pl = WB_BUF_INIT;
    fx_registration_payload(&keys, "X", &pl);
    pl.data[pl.len - 3] ^= 1; /* inside the last field written: the signature */
    fx_client *f = fx_connect(&fx, &keys, &pl);
    wb_buf_free(&pl);
    CHECK(f->closed);
    CHECK(fx_next(f, "iq") == NULL);
    /* unknown IQs are answered and counted */
    wb_node *r = fx_iq(a, &scratch, "get", "w:stats", wb_node_new(&scratch, "add"));
    CHECK_STR(attr(r, "type"), "result");
    CHECK_EQ(counter(&fx, "iqs.unknown.total"), 1);
    CHECK_EQ(counter(&fx, "iqs.unknown.by_xmlns.w:stats"), 1);
out:
    sim_fx_free(&fx);
}

static void test_sim_admin_faults_close_and_stream_error(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    fx_client *a = online(&fx, "15550001111", NULL);
    if (!a)
        goto out;
    char body[256];
    fx_reply r;
    snprintf(body, sizeof body, "{\"device\":\"%s\",\"action\":\"stall\",\"seconds\":3}", a->jid);
    fx_http(&fx, "POST", "/admin/fault", NULL, body, &r);
    CHECK_EQ(r.status, 501); /* this host cannot stall sockets */
    snprintf(body, sizeof body, "{\"device\":\"%s\",\"action\":\"stream-error\",\"code\":503}", a->jid);
    fx_http(&fx, "POST", "/admin/fault", NULL, body, &r);
    CHECK_EQ(r.status, 200);
    CHECK_STR(attr(fx_next(a, "stream:error"), "code"), "503");
    CHECK(a->closed);
    fx_http(&fx, "POST", "/admin/fault", NULL, body, &r);
    CHECK_EQ(r.status, 404);
    fx_http(&fx, "POST", "/admin/fault", NULL, "{\"device\":5}", &r);
    CHECK_EQ(r.status, 400);
    fx_http(&fx, "GET", "/admin/fault", NULL, NULL, &r);
    CHECK_EQ(r.status, 405);
    fx_client *b = online(&fx, "15550002222", NULL);
    snprintf(body, sizeof body, "{\"device\":\"%s\"}", b ? b->lid : "");
    fx_http(&fx, "POST", "/admin/mock-phone/unlink", NULL, body, &r); /* by its LID */
    CHECK_EQ(r.status, 200);
    CHECK_STR(attr(wb_node_child(fx_next(b, "stream:error"), "conflict"), "type"), "device_removed");
    fx_http(&fx, "POST", "/admin/mock-phone/unlink", NULL, body, &r);
    CHECK_EQ(r.status, 404);
    fx_http(&fx, "GET", "/admin/info", NULL, NULL, &r);
    CHECK_EQ(r.status, 200);
    CHECK(strstr(r.body, "\"rootKey\"") != NULL);
    fx_http(&fx, "POST", "/admin/accounts", NULL, "{\"phone\":\"15550009999\",\"name\":\"Zed\"}", &r);
    CHECK_EQ(r.status, 200);
    CHECK(strstr(r.body, "\"lid\":\"100000000000003@lid\"") != NULL);
    fx_http(&fx, "POST", "/admin/accounts", NULL, "{\"phone\":\"12\"}", &r);
    CHECK_EQ(r.status, 400);
    fx_http(&fx, "GET", "/admin/accounts", NULL, NULL, &r);
    CHECK(strstr(r.body, "\"jid\":\"15550001111:1@s.whatsapp.net\"") != NULL);
    CHECK(strstr(r.body, "\"name\":\"Zed\"") != NULL);
out:
    sim_fx_free(&fx);
}

static void test_sim_state_survives_a_restart(void) {
    char dir[] = "/tmp/wabot-sim-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    sim_fx fx;
    CHECK_EQ(sim_fx_init(&fx, dir), 0);
    uint8_t root1[32], root2[32];
    wb_sim_root_pub(fx.sim, root1);
    fx_client *la, *lb;
    fx_client *a = online(&fx, "15550001111", &la), *b = online(&fx, "15550002222", &lb);
    if (!a || !b)
        goto out;
    upload(a, 1, 5);
    fx_client_drop(a);
    fetch_bundle(b, a->jid); /* queues a notification for a */
    fx_client keys_a = *la;
    sim_fx_free(&fx);
    CHECK_EQ(sim_fx_init(&fx, dir), 0);
    wb_sim_root_pub(fx.sim, root2);
    CHECK(memcmp(root1, root2, 32) == 0);
    fx_client *a2 = fx_login(&fx, &keys_a);
    CHECK(fx_next(a2, "success") != NULL);
    CHECK_EQ(prekey_count(a2), 4);
    fx_iq(a2, &scratch, "set", "passive", wb_node_new(&scratch, "active"));
    CHECK_STR(attr(fx_next(a2, "notification"), "type"), "encrypt");
out:
    sim_fx_free(&fx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

int main(void) {
    wb_arena_init(&scratch, 0);
    RUN(test_sim_links_by_qr_then_logs_in_through_the_startup_iqs);
    RUN(test_sim_refuses_a_device_signature_that_does_not_verify);
    RUN(test_sim_scan_qr_refuses_foreign_and_unknown_qr_codes);
    RUN(test_sim_pairing_code_links_with_the_right_code_only);
    RUN(test_sim_admin_pairing_survives_a_send_that_fails);
    RUN(test_sim_login_is_refused_for_wrong_key_unknown_or_removed_devices);
    RUN(test_sim_second_login_replaces_the_first_connection);
    RUN(test_sim_bundles_consume_prekeys_and_a_low_device_is_told);
    RUN(test_sim_queues_for_an_offline_device_until_it_acks);
    RUN(test_sim_rotate_replaces_the_signed_prekey_only_when_signed);
    RUN(test_sim_usync_lists_companions_with_key_index_lid_and_contact);
    RUN(test_sim_privacy_and_blocklist_are_stored);
    RUN(test_sim_presence_reaches_subscribers_and_chatstates_are_relayed);
    RUN(test_sim_bad_input_closes_only_that_client);
    RUN(test_sim_admin_faults_close_and_stream_error);
    RUN(test_sim_state_survives_a_restart);
    wb_arena_free(&scratch);
    return check_summary();
}
