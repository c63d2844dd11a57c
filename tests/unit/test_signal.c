/* Unit tests for host/signal: sessions and groups between two C parties, the bounds, the
 * identity policy, transactions, tampering, prekeys, padding and addresses. (Interop with
 * libsignal-node and Baileys is in tests/interop/signal*.test.mjs.) */
#include <stdlib.h>

#include "check.h"
#include "core/parallel.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "signal/record.h"
#include "signal/sender_key.h"
#include "signal/signal.h"
#include "signal/wire.h"
#include "store/signal_store.h"
#include "store/store.h"

typedef struct party {
    wb_store *st;
    wb_signal *sig;
    const char *addr; /* how the other party names this one */
} party;

static void party_open(party *p, const char *addr) {
    p->addr = addr;
    if (wb_store_open(&p->st, ":memory:", 0, NULL) < 0 || wb_signal_open(&p->sig, p->st) < 0)
        abort();
}

static void party_close(party *p) {
    wb_signal_close(p->sig);
    wb_store_close(p->st);
}

static void bundle_of(party *p, wb_signal_bundle *b, int with_prekey) {
    memset(b, 0, sizeof *b);
    wb_signal_signed_prekey spk;
    if (wb_signal_signed_prekey_current(p->sig, &spk) < 0)
        abort();
    b->registration_id = wb_signal_registration_id(p->sig);
    memcpy(b->identity, wb_signal_identity_public(p->sig), 32);
    b->signed_prekey_id = spk.id;
    memcpy(b->signed_prekey, spk.pub, 32);
    memcpy(b->signed_prekey_signature, spk.signature, 64);
    if (with_prekey) {
        wb_signal_prekey pk;
        unsigned n;
        if (wb_signal_prekeys_for_upload(p->sig, 1, &pk, &n) < 0 ||
            wb_signal_prekeys_mark_uploaded(p->sig, &pk, 1) < 0)
            abort();
        b->has_prekey = 1;
        b->prekey_id = pk.id;
        memcpy(b->prekey, pk.pub, 32);
    }
}

static void digest(party *p, uint8_t out[32]) {
    wb_buf b = WB_BUF_INIT;
    if (wb_store_dump(p->st, &b) < 0)
        abort();
    wb_sha256(out, b.data, b.len);
    wb_buf_free(&b);
}

typedef struct sent {
    int type;
    wb_buf ct;
    char text[48];
} sent;

/* from encrypts a numbered text for to. */
static void send_text(party *from, party *to, sent *m, int n) {
    snprintf(m->text, sizeof m->text, "message %d from %s", n, from->addr);
    wb_buf_init(&m->ct);
    CHECK_EQ(wb_signal_encrypt(from->sig, to->addr, (const uint8_t *)m->text, strlen(m->text),
                               &m->ct, &m->type),
             0);
}

/* to decrypts m from from and checks the text. Returns the decrypt's code. */
static int receive(party *to, party *from, sent *m, wb_signal_info *info) {
    wb_buf pt = WB_BUF_INIT;
    int rc = wb_signal_decrypt(to->sig, from->addr, m->type, m->ct.data, m->ct.len, &pt, info);
    if (rc == 0)
        CHECK(pt.len == strlen(m->text) && memcmp(pt.data, m->text, pt.len) == 0);
    wb_buf_free(&pt);
    return rc;
}

static void session_between(party *a, party *b, int with_prekey) {
    wb_signal_bundle bb;
    bundle_of(b, &bb, with_prekey);
    CHECK_EQ(wb_signal_session_from_bundle(a->sig, b->addr, &bb, NULL), 0);
}

static size_t record_size(party *p, const char *addr) {
    wb_buf b = WB_BUF_INIT;
    size_t n = wb_store_session_get(p->st, addr, &b) == 0 ? b.len : 0;
    wb_buf_free(&b);
    return n;
}

/* ---- keys ------------------------------------------------------------------------------------- */

static void test_signal_identity_is_created_once_with_a_14_bit_registration_id(void) {
    wb_store *st;
    wb_signal *s;
    CHECK_EQ(wb_store_open(&st, ":memory:", 0, NULL), 0);
    CHECK_EQ(wb_signal_open(&s, st), 0);
    uint32_t reg = wb_signal_registration_id(s);
    uint8_t pub[32];
    memcpy(pub, wb_signal_identity_public(s), 32);
    CHECK(reg >= 1 && reg <= 16380);
    wb_signal_close(s);
    CHECK_EQ(wb_signal_open(&s, st), 0);
    CHECK_EQ(wb_signal_registration_id(s), reg);
    CHECK_MEM(wb_signal_identity_public(s), pub, 32);
    wb_signal_signed_prekey spk;
    CHECK_EQ(wb_signal_signed_prekey_current(s, &spk), 0);
    uint8_t msg[33] = {5};
    memcpy(msg + 1, spk.pub, 32);
    CHECK_EQ(wb_xeddsa_verify(pub, msg, 33, spk.signature), 0);
    wb_signal_close(s);
    wb_store_close(st);
}

static void test_signal_prekey_ids_wrap_after_0xfffffe_to_1(void) {
    party p;
    party_open(&p, "1.1");
    wb_store_signal_local l;
    CHECK_EQ(wb_store_signal_local_get(p.st, &l), 0);
    l.next_prekey_id = 0xFFFFFD;
    CHECK_EQ(wb_store_signal_local_put(p.st, &l), 0);
    wb_signal_prekey k[4];
    unsigned n = 0;
    CHECK_EQ(wb_signal_prekeys_for_upload(p.sig, 4, k, &n), 0);
    CHECK_EQ(n, 4);
    CHECK(k[0].id == 0xFFFFFD && k[1].id == 0xFFFFFE && k[2].id == 1 && k[3].id == 2);
    /* not uploaded yet: asked again, the same keys come back, no new ones */
    wb_signal_prekey again[4];
    CHECK_EQ(wb_signal_prekeys_for_upload(p.sig, 4, again, &n), 0);
    CHECK_EQ(wb_signal_prekeys_count(p.sig, 0), 4);
    CHECK_EQ(wb_signal_prekeys_mark_uploaded(p.sig, k, 4), 0);
    CHECK_EQ(wb_signal_prekeys_count(p.sig, 1), 4);
    CHECK_EQ(wb_signal_prekeys_for_upload(p.sig, 2, again, &n), 0);
    CHECK(again[0].id == 3 && again[1].id == 4);
    party_close(&p);
}

static void test_signal_signed_prekey_rotation_keeps_the_previous_one(void) {
    party a, b;
    party_open(&a, "100.1");
    party_open(&b, "200.1");
    wb_signal_bundle old;
    bundle_of(&b, &old, 1);
    wb_signal_signed_prekey n1, n2;
    CHECK_EQ(wb_signal_signed_prekey_rotate(b.sig, &n1), 0);
    CHECK_EQ(n1.id, old.signed_prekey_id + 1);
    /* a pkmsg built on the previous signed prekey still decrypts */
    CHECK_EQ(wb_signal_session_from_bundle(a.sig, b.addr, &old, NULL), 0);
    sent m;
    send_text(&a, &b, &m, 1);
    CHECK_EQ(receive(&b, &a, &m, NULL), 0);
    wb_buf_free(&m.ct);
    CHECK_EQ(wb_signal_signed_prekey_rotate(b.sig, &n2), 0);
    uint8_t pub[32], priv[32], sig[64];
    CHECK_EQ(wb_store_signed_prekey_get(b.st, old.signed_prekey_id, pub, priv, sig), WB_ENOTFOUND);
    party_close(&a);
    party_close(&b);
}

/* ---- sessions --------------------------------------------------------------------------------- */

static void run_conversation(int with_prekey) {
    party a, b;
    party_open(&a, "15550001111.1");
    party_open(&b, "15550002222_1.3");
    session_between(&a, &b, with_prekey);
    CHECK_EQ(wb_signal_has_session(a.sig, b.addr), 1);
    CHECK_EQ(wb_signal_has_session(b.sig, a.addr), 0);
    int before = wb_signal_prekeys_count(b.sig, 0);
    sent m;
    wb_signal_info info;
    for (int i = 0; i < 3; i++) { /* pkmsgs until b answers */
        send_text(&a, &b, &m, i);
        CHECK_EQ(m.type, WB_SIGNAL_PKMSG);
        CHECK_EQ(receive(&b, &a, &m, &info), 0);
        if (i == 0) {
            CHECK(info.events & WB_SIGNAL_EV_NEW_SESSION);
            CHECK(info.events & WB_SIGNAL_EV_IDENTITY_NEW);
            CHECK_EQ(!!(info.events & WB_SIGNAL_EV_PREKEY_USED), with_prekey);
            CHECK_MEM(info.identity, wb_signal_identity_public(a.sig), 32);
        } else {
            CHECK_EQ(info.events, 0);
        }
        wb_buf_free(&m.ct);
    }
    CHECK_EQ(wb_signal_prekeys_count(b.sig, 0), before - with_prekey);
    send_text(&b, &a, &m, 100);
    CHECK_EQ(m.type, WB_SIGNAL_MSG);
    CHECK_EQ(receive(&a, &b, &m, NULL), 0);
    wb_buf_free(&m.ct);
    send_text(&a, &b, &m, 101);
    CHECK_EQ(m.type, WB_SIGNAL_MSG);
    CHECK_EQ(receive(&b, &a, &m, NULL), 0);
    wb_buf_free(&m.ct);
    party_close(&a);
    party_close(&b);
}

static void test_signal_session_from_bundle_with_one_time_prekey(void) { run_conversation(1); }
static void test_signal_session_from_bundle_without_one_time_prekey(void) { run_conversation(0); }

static void test_signal_bundle_with_bad_signature_is_refused(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    wb_signal_bundle bb;
    bundle_of(&b, &bb, 1);
    bb.signed_prekey_signature[5] ^= 1;
    CHECK_EQ(wb_signal_session_from_bundle(a.sig, b.addr, &bb, NULL), WB_EBADSIG);
    CHECK_EQ(wb_signal_has_session(a.sig, b.addr), 0);
    party_close(&a);
    party_close(&b);
}

static void test_signal_out_of_order_across_ratchet_steps_and_replay_refused(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    enum { N = 60 };
    sent ms[N];
    int dir[N];
    /* bursts both ways: a ratchet step at each change of direction, delivered later */
    for (int i = 0; i < N; i++) {
        dir[i] = (i / 7) % 2;
        if (i < 2)
            dir[i] = 0;
        send_text(dir[i] ? &b : &a, dir[i] ? &a : &b, &ms[i], i);
        if (i < 2 || i % 7 == 0) { /* deliver some at once so the ratchet turns */
            CHECK_EQ(receive(dir[i] ? &a : &b, dir[i] ? &b : &a, &ms[i], NULL), 0);
            ms[i].type = -ms[i].type; /* delivered */
        }
    }
    /* deliver the rest backwards */
    for (int i = N - 1; i >= 0; i--) {
        if (ms[i].type < 0)
            continue;
        CHECK_EQ(receive(dir[i] ? &a : &b, dir[i] ? &b : &a, &ms[i], NULL), 0);
    }
    /* every message again: each is a replay now */
    for (int i = 0; i < N; i++) {
        if (ms[i].type < 0)
            ms[i].type = -ms[i].type;
        party *to = dir[i] ? &a : &b, *from = dir[i] ? &b : &a;
        uint8_t d1[32], d2[32];
        digest(to, d1);
        CHECK_EQ(receive(to, from, &ms[i], NULL), WB_EDUPLICATE);
        digest(to, d2);
        CHECK_MEM(d1, d2, 32);
        wb_buf_free(&ms[i].ct);
    }
    party_close(&a);
    party_close(&b);
}

static void test_signal_every_flipped_byte_fails_and_changes_nothing(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    sent pk, reply, msg;
    send_text(&a, &b, &pk, 1);
    uint8_t d1[32], d2[32];
    /* the pkmsg, before any session exists on b's side. Its registration id is outside every
     * MAC (in libsignal too): a flip there may decrypt, and then nothing else may differ. */
    digest(&b, d1);
    wb_sig_prekey_message orig, flipped;
    CHECK_EQ(wb_sig_prekey_message_parse(&orig, pk.ct.data, pk.ct.len, NULL), 0);
    int accepted = 0;
    for (size_t i = 0; i < pk.ct.len; i++) {
        pk.ct.data[i] ^= 0x01;
        CHECK_EQ(wb_store_begin(b.st), 0);
        if (receive(&b, &a, &pk, NULL) < 0) {
            digest(&b, d2);
            CHECK_MEM(d1, d2, 32);
        } else {
            accepted++;
            CHECK_EQ(wb_sig_prekey_message_parse(&flipped, pk.ct.data, pk.ct.len, NULL), 0);
            CHECK(flipped.registration_id != orig.registration_id);
            CHECK(flipped.prekey_id == orig.prekey_id &&
                  flipped.signed_prekey_id == orig.signed_prekey_id);
            CHECK_MEM(flipped.base_key, orig.base_key, 32);
            CHECK_MEM(flipped.identity, orig.identity, 32);
            wb_sig_prekey_message_done(&flipped);
        }
        CHECK_EQ(wb_store_rollback(b.st), 0);
        pk.ct.data[i] ^= 0x01;
    }
    CHECK(accepted <= 5); /* at most the registration id's varint */
    wb_sig_prekey_message_done(&orig);
    digest(&b, d2);
    CHECK_MEM(d1, d2, 32);
    CHECK_EQ(receive(&b, &a, &pk, NULL), 0);
    send_text(&b, &a, &reply, 2);
    CHECK_EQ(receive(&a, &b, &reply, NULL), 0);
    send_text(&a, &b, &msg, 3);
    /* a msg on an established session */
    digest(&b, d1);
    for (size_t i = 0; i < msg.ct.len; i++) {
        msg.ct.data[i] ^= 0x80;
        int rc = receive(&b, &a, &msg, NULL);
        CHECK(rc < 0);
        msg.ct.data[i] ^= 0x80;
    }
    digest(&b, d2);
    CHECK_MEM(d1, d2, 32);
    CHECK_EQ(receive(&b, &a, &msg, NULL), 0);
    wb_buf_free(&pk.ct);
    wb_buf_free(&reply.ct);
    wb_buf_free(&msg.ct);
    party_close(&a);
    party_close(&b);
}

static void test_signal_decrypt_joins_the_callers_transaction(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    sent m;
    send_text(&a, &b, &m, 1);
    uint8_t d1[32], d2[32];
    digest(&b, d1);
    /* the caller's own write and the decrypt roll back together */
    CHECK_EQ(wb_store_begin(b.st), 0);
    CHECK_EQ(wb_store_sender_key_put(b.st, "caller", "row.1", (const uint8_t *)"x", 1), 0);
    CHECK_EQ(receive(&b, &a, &m, NULL), 0);
    CHECK_EQ(wb_store_depth(b.st), 1);
    CHECK_EQ(wb_store_rollback(b.st), 0);
    digest(&b, d2);
    CHECK_MEM(d1, d2, 32);
    /* ... and commit together */
    CHECK_EQ(wb_store_begin(b.st), 0);
    CHECK_EQ(receive(&b, &a, &m, NULL), 0);
    CHECK_EQ(wb_store_sender_key_put(b.st, "caller", "row.1", (const uint8_t *)"x", 1), 0);
    CHECK_EQ(wb_store_commit(b.st), 0);
    CHECK_EQ(receive(&b, &a, &m, NULL), WB_EDUPLICATE);
    wb_buf_free(&m.ct);
    party_close(&a);
    party_close(&b);
}

static void test_signal_fresh_session_from_peer_keeps_old_one_for_late_messages(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    sent m0, late[3], fresh, reply;
    send_text(&a, &b, &m0, 0);
    CHECK_EQ(receive(&b, &a, &m0, NULL), 0);
    send_text(&b, &a, &reply, 1);
    CHECK_EQ(receive(&a, &b, &reply, NULL), 0);
    for (int i = 0; i < 3; i++)
        send_text(&a, &b, &late[i], 10 + i); /* in flight on the old session */
    session_between(&a, &b, 1);             /* a starts over from a new bundle */
    send_text(&a, &b, &fresh, 20);
    CHECK_EQ(fresh.type, WB_SIGNAL_PKMSG);
    wb_signal_info info;
    CHECK_EQ(receive(&b, &a, &fresh, &info), 0);
    CHECK(info.events & WB_SIGNAL_EV_NEW_SESSION);
    CHECK(!(info.events & WB_SIGNAL_EV_IDENTITY_CHANGED));
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(receive(&b, &a, &late[i], &info), 0);
        CHECK(info.events & WB_SIGNAL_EV_OLD_SESSION);
        wb_buf_free(&late[i].ct);
    }
    /* b answers on the new session */
    wb_buf_free(&reply.ct);
    send_text(&b, &a, &reply, 30);
    CHECK_EQ(receive(&a, &b, &reply, NULL), 0);
    wb_buf_free(&m0.ct);
    wb_buf_free(&fresh.ct);
    wb_buf_free(&reply.ct);
    party_close(&a);
    party_close(&b);
}

static void test_signal_changed_identity_is_stored_and_reported(void) {
    party a, b, b2;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    party_open(&b2, "2.1"); /* b reinstalled: same address, new identity */
    session_between(&a, &b, 1);
    sent m;
    send_text(&a, &b, &m, 1);
    CHECK_EQ(receive(&b, &a, &m, NULL), 0);
    wb_buf_free(&m.ct);
    wb_signal_bundle bb;
    bundle_of(&b2, &bb, 1);
    wb_signal_info info;
    CHECK_EQ(wb_signal_session_from_bundle(a.sig, b2.addr, &bb, &info), 0);
    CHECK(info.events & WB_SIGNAL_EV_IDENTITY_CHANGED);
    CHECK_MEM(info.old_identity, wb_signal_identity_public(b.sig), 32);
    CHECK_MEM(info.identity, wb_signal_identity_public(b2.sig), 32);
    uint8_t stored[32];
    CHECK_EQ(wb_store_identity_get(a.st, b2.addr, stored), 0);
    CHECK_MEM(stored, wb_signal_identity_public(b2.sig), 32);
    /* and on the receiving side: b2's pkmsg to a reports the change too */
    session_between(&b2, &a, 1);
    send_text(&b2, &a, &m, 2);
    CHECK_EQ(receive(&a, &b2, &m, &info), 0);
    CHECK(!(info.events & WB_SIGNAL_EV_IDENTITY_CHANGED)); /* a stored b2's key already */
    wb_buf_free(&m.ct);
    party_close(&a);
    party_close(&b);
    party_close(&b2);
}

static void test_signal_record_stays_small_over_4000_round_trips(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    size_t max = 0;
    for (int i = 0; i < 4000; i++) {
        sent m, r;
        send_text(&a, &b, &m, i);
        CHECK_EQ(receive(&b, &a, &m, NULL), 0);
        send_text(&b, &a, &r, i);
        CHECK_EQ(receive(&a, &b, &r, NULL), 0);
        wb_buf_free(&m.ct);
        wb_buf_free(&r.ct);
        size_t sa = record_size(&a, b.addr), sb = record_size(&b, a.addr);
        if (sa > max)
            max = sa;
        if (sb > max)
            max = sb;
    }
    fprintf(stderr, "record after 4000 round trips: %zu and %zu bytes (max %zu)\n",
            record_size(&a, b.addr), record_size(&b, a.addr), max);
    CHECK(max < 4096);
    party_close(&a);
    party_close(&b);
}

static void test_signal_skipped_keys_and_chains_are_bounded(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    sent m;
    send_text(&a, &b, &m, 0);
    CHECK_EQ(receive(&b, &a, &m, NULL), 0);
    wb_buf_free(&m.ct);
    /* 8 turns in which a sends 3 and only the last arrives: each turn leaves skipped keys on a
     * new chain of b's; only WB_SIGNAL_MAX_RECV_CHAINS chains survive */
    for (int turn = 0; turn < 8; turn++) {
        sent r;
        send_text(&b, &a, &r, turn);
        CHECK_EQ(receive(&a, &b, &r, NULL), 0);
        wb_buf_free(&r.ct);
        for (int k = 0; k < 3; k++) {
            send_text(&a, &b, &m, k);
            if (k == 2)
                CHECK_EQ(receive(&b, &a, &m, NULL), 0);
            wb_buf_free(&m.ct);
        }
    }
    wb_buf rec = WB_BUF_INIT;
    CHECK_EQ(wb_store_session_get(b.st, a.addr, &rec), 0);
    wb_sig_record r;
    wb_sig_state st;
    CHECK_EQ(wb_sig_record_split(&r, rec.data, rec.len, NULL), 0);
    CHECK_EQ(wb_sig_state_parse(&st, r.states[0].p, r.states[0].len, NULL), 0);
    CHECK_EQ(st.nrecv, WB_SIGNAL_MAX_RECV_CHAINS);
    wb_sig_state_free(&st);
    wb_buf_free(&rec);
    /* a message more than WB_SIGNAL_MAX_FUTURE ahead is refused */
    for (int k = 0; k < WB_SIGNAL_MAX_FUTURE; k++) {
        send_text(&b, &a, &m, k);
        wb_buf_free(&m.ct);
    }
    send_text(&b, &a, &m, 9999);
    CHECK_EQ(receive(&a, &b, &m, NULL), WB_ERANGE);
    wb_buf_free(&m.ct);
    /* exactly at the bound: the skipped keys stop at WB_SIGNAL_MAX_SKIPPED */
    party_close(&a);
    party_close(&b);
}

/* ---- groups ----------------------------------------------------------------------------------- */

static void test_signal_group_messages_between_three_members(void) {
    party p[3];
    const char *addrs[3] = {"10.1", "20.1", "30_1.2"};
    const char *group = "120363000000000000@g.us";
    for (int i = 0; i < 3; i++)
        party_open(&p[i], addrs[i]);
    for (int i = 0; i < 3; i++) {
        wb_buf skdm = WB_BUF_INIT;
        CHECK_EQ(wb_signal_group_distribution(p[i].sig, group, addrs[i], &skdm), 0);
        for (int j = 0; j < 3; j++)
            if (j != i)
                CHECK_EQ(wb_signal_group_process_distribution(p[j].sig, group, addrs[i],
                                                              skdm.data, skdm.len),
                         0);
        wb_buf_free(&skdm);
    }
    wb_buf ct[3][20];
    for (int i = 0; i < 3; i++)
        for (int n = 0; n < 20; n++) {
            char text[32];
            snprintf(text, sizeof text, "group %d/%d", i, n);
            wb_buf_init(&ct[i][n]);
            CHECK_EQ(wb_signal_group_encrypt(p[i].sig, group, addrs[i], (const uint8_t *)text,
                                             strlen(text), &ct[i][n]),
                     0);
        }
    /* delivered backwards, then replayed */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            if (i == j)
                continue;
            for (int n = 19; n >= 0; n--) {
                wb_buf pt = WB_BUF_INIT;
                char text[32];
                snprintf(text, sizeof text, "group %d/%d", i, n);
                CHECK_EQ(wb_signal_group_decrypt(p[j].sig, group, addrs[i], ct[i][n].data,
                                                 ct[i][n].len, &pt),
                         0);
                CHECK(pt.len == strlen(text) && memcmp(pt.data, text, pt.len) == 0);
                wb_buf_free(&pt);
            }
            wb_buf pt = WB_BUF_INIT;
            CHECK_EQ(wb_signal_group_decrypt(p[j].sig, group, addrs[i], ct[i][7].data,
                                             ct[i][7].len, &pt),
                     WB_EDUPLICATE);
            /* a flipped byte anywhere fails and changes nothing */
            uint8_t d1[32], d2[32];
            digest(&p[j], d1);
            for (size_t k = 0; k < ct[i][3].len; k++) {
                ct[i][3].data[k] ^= 0x10;
                CHECK(wb_signal_group_decrypt(p[j].sig, group, addrs[i], ct[i][3].data,
                                              ct[i][3].len, &pt) < 0);
                ct[i][3].data[k] ^= 0x10;
            }
            digest(&p[j], d2);
            CHECK_MEM(d1, d2, 32);
            wb_buf_free(&pt);
        }
    /* a repeated distribution message must not rewind the chain */
    wb_buf skdm = WB_BUF_INIT, pt = WB_BUF_INIT;
    CHECK_EQ(wb_signal_group_distribution(p[0].sig, group, addrs[0], &skdm), 0);
    CHECK_EQ(wb_signal_group_process_distribution(p[1].sig, group, addrs[0], skdm.data, skdm.len),
             0);
    CHECK_EQ(wb_signal_group_decrypt(p[1].sig, group, addrs[0], ct[0][0].data, ct[0][0].len, &pt),
             WB_EDUPLICATE);
    wb_buf_free(&skdm);
    wb_buf_free(&pt);
    for (int i = 0; i < 3; i++) {
        for (int n = 0; n < 20; n++)
            wb_buf_free(&ct[i][n]);
        party_close(&p[i]);
    }
}

/* Signatures checked ahead (wb_signal_group_check_*): a good check lets the message decrypt;
 * a bad signature is refused whether or not it was checked ahead; a check made for other bytes,
 * or for a sender key that changed since, vouches for nothing; no state yet: not ready. */
static void check_run_parallel(void *ctx, size_t i) {
    wb_signal_group_check_run((wb_signal_group_check *)ctx + i);
}

static void test_signal_group_signatures_checked_ahead(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    const char *group = "120363000000000001@g.us";
    wb_buf skdm = WB_BUF_INIT, pt = WB_BUF_INIT;
    wb_buf ct[64];
    CHECK_EQ(wb_signal_group_distribution(a.sig, group, a.addr, &skdm), 0);
    for (int n = 0; n < 64; n++) {
        wb_buf_init(&ct[n]);
        CHECK_EQ(wb_signal_group_encrypt(a.sig, group, a.addr, (const uint8_t *)"hello", 5, &ct[n]), 0);
    }
    wb_signal_group_check chk[64];
    wb_signal_group_check_prepare(b.sig, group, a.addr, ct[0].data, ct[0].len, &chk[0]);
    CHECK_EQ(chk[0].ready, 0); /* no sender key yet: nothing to check ahead */
    CHECK_EQ(wb_signal_group_process_distribution(b.sig, group, a.addr, skdm.data, skdm.len), 0);
    ct[5].data[ct[5].len - 1] ^= 1; /* a bad signature */
    for (int n = 0; n < 64; n++)
        wb_signal_group_check_prepare(b.sig, group, a.addr, ct[n].data, ct[n].len, &chk[n]);
    wb_parallel_for(64, check_run_parallel, chk);
    for (int n = 0; n < 64; n++) {
        CHECK_EQ(chk[n].ready, 1);
        CHECK_EQ(chk[n].ok, n != 5);
    }
    /* a check of message 1 does not vouch for message 2 */
    wb_signal_group_check forged = chk[1];
    forged.ok = 1;
    ct[2].data[ct[2].len - 1] ^= 1;
    CHECK_EQ(wb_signal_group_decrypt_checked(b.sig, group, a.addr, ct[2].data, ct[2].len, &forged, &pt),
             WB_EBADSIG);
    ct[2].data[ct[2].len - 1] ^= 1;
    /* nor does a check that says ok for bytes whose signature is bad, by another key */
    forged = chk[5];
    forged.ok = 1;
    forged.signing_pub[0] ^= 1;
    CHECK_EQ(wb_signal_group_decrypt_checked(b.sig, group, a.addr, ct[5].data, ct[5].len, &forged, &pt),
             WB_EBADSIG);
    CHECK_EQ(wb_signal_group_decrypt_checked(b.sig, group, a.addr, ct[5].data, ct[5].len, &chk[5], &pt),
             WB_EBADSIG);
    for (int n = 0; n < 64; n++) {
        if (n == 5)
            continue;
        wb_buf_reset(&pt);
        CHECK_EQ(wb_signal_group_decrypt_checked(b.sig, group, a.addr, ct[n].data, ct[n].len, &chk[n], &pt), 0);
        CHECK(pt.len == 5 && memcmp(pt.data, "hello", 5) == 0);
    }
    for (int n = 0; n < 64; n++)
        wb_buf_free(&ct[n]);
    wb_buf_free(&skdm);
    wb_buf_free(&pt);
    wb_parallel_shutdown();
    party_close(&a);
    party_close(&b);
}

static void test_signal_group_message_from_unknown_sender_key_is_not_found(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    wb_buf ct = WB_BUF_INIT, pt = WB_BUF_INIT;
    CHECK_EQ(wb_signal_group_encrypt(a.sig, "g@g.us", a.addr, (const uint8_t *)"hi", 2, &ct), 0);
    CHECK_EQ(wb_signal_group_decrypt(b.sig, "g@g.us", a.addr, ct.data, ct.len, &pt), WB_ENOTFOUND);
    wb_buf_free(&ct);
    wb_buf_free(&pt);
    party_close(&a);
    party_close(&b);
}

/* ---- framing ---------------------------------------------------------------------------------- */

static void test_signal_padding_round_trips_and_rejects_bad_pads(void) {
    for (int i = 0; i < 200; i++) {
        wb_buf b = WB_BUF_INIT;
        CHECK_EQ(wb_signal_pad(&b, (const uint8_t *)"hello", 5), 0);
        CHECK(b.len >= 6 && b.len <= 21);
        uint8_t n = b.data[b.len - 1];
        CHECK(n >= 1 && n <= 16 && b.len == 5 + (size_t)n);
        CHECK_EQ(wb_signal_unpad(b.data, b.len), 5);
        wb_buf_free(&b);
    }
    CHECK_EQ(wb_signal_unpad((const uint8_t *)"", 0), WB_EMALFORMED);
    CHECK_EQ(wb_signal_unpad((const uint8_t *)"ab\0", 3), WB_EMALFORMED);
    CHECK_EQ(wb_signal_unpad((const uint8_t *)"a\x03\x03", 3), WB_EMALFORMED);
    CHECK_EQ(wb_signal_unpad((const uint8_t *)"a\x02\x03\x03", 4), WB_EMALFORMED);
    CHECK_EQ(wb_signal_unpad((const uint8_t *)"\x01", 1), 0);
}

static void test_signal_addresses_follow_baileys_naming(void) {
    char a[WB_SIGNAL_ADDR_MAX];
    CHECK_EQ(wb_signal_address(a, "15550001111", 0, 0), 0);
    CHECK_STR(a, "15550001111.0");
    CHECK_EQ(wb_signal_address(a, "100000852000460", 1, 3), 0);
    CHECK_STR(a, "100000852000460_1.3");
    CHECK_EQ(wb_signal_address(a, "123", 128, 99), 0);
    CHECK_STR(a, "123_128.99");
    CHECK_EQ(wb_signal_address(a, "", 0, 1), WB_EINVAL);
    CHECK_EQ(wb_signal_address(a, "a.b", 0, 1), WB_EINVAL);
    CHECK(wb_signal_address_valid("15550001111.0"));
    CHECK(wb_signal_address_valid("100000852000460_1.3"));
    CHECK(!wb_signal_address_valid("15550001111"));
    CHECK(!wb_signal_address_valid(".1"));
    CHECK(!wb_signal_address_valid("1_.1"));
    CHECK(!wb_signal_address_valid("1_x.1"));
    CHECK(!wb_signal_address_valid("1.x"));
    CHECK(!wb_signal_address_valid("1 2.1"));
}

/* wb_signal keeps decoded records of recent sessions (cache.c); the database stays the truth:
 * a record written behind its back, another wb_signal on the same store, and a caller's
 * rollback all win over what it cached. */
static uint32_t counter_of(const sent *m) {
    wb_sig_message msg;
    CHECK_EQ(m->type, WB_SIGNAL_MSG);
    CHECK_EQ(wb_sig_message_parse(&msg, m->ct.data, m->ct.len, NULL), 0);
    uint32_t c = msg.counter;
    wb_sig_message_done(&msg);
    return c;
}

static void test_signal_cached_sessions_yield_to_the_database(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    sent m[6];
    send_text(&a, &b, &m[0], 0);
    CHECK_EQ(receive(&b, &a, &m[0], NULL), 0);
    send_text(&b, &a, &m[1], 1); /* a answer, so a sends msgs from now on */
    CHECK_EQ(receive(&a, &b, &m[1], NULL), 0);
    /* a record restored behind the cache's back is the one used next */
    wb_buf ra = WB_BUF_INIT, rb = WB_BUF_INIT;
    CHECK_EQ(wb_store_session_get(a.st, b.addr, &ra), 0);
    CHECK_EQ(wb_store_session_get(b.st, a.addr, &rb), 0);
    send_text(&a, &b, &m[2], 2);
    CHECK_EQ(receive(&b, &a, &m[2], NULL), 0);
    CHECK_EQ(receive(&b, &a, &m[2], NULL), WB_EDUPLICATE);
    CHECK_EQ(wb_store_session_put(b.st, a.addr, rb.data, rb.len), 0);
    CHECK_EQ(receive(&b, &a, &m[2], NULL), 0);
    CHECK_EQ(wb_store_session_put(a.st, b.addr, ra.data, ra.len), 0);
    send_text(&a, &b, &m[3], 3);
    CHECK_EQ(counter_of(&m[3]), counter_of(&m[2]));
    /* another wb_signal on the same store moves the session on: the first one sees it */
    wb_signal *b2;
    CHECK_EQ(wb_signal_open(&b2, b.st), 0);
    send_text(&a, &b, &m[4], 4);
    wb_buf pt = WB_BUF_INIT;
    CHECK_EQ(wb_signal_decrypt(b2, a.addr, m[4].type, m[4].ct.data, m[4].ct.len, &pt, NULL), 0);
    CHECK_EQ(receive(&b, &a, &m[4], NULL), WB_EDUPLICATE);
    wb_signal_close(b2);
    /* a caller's rollback undoes a decrypt the cache had taken in */
    send_text(&a, &b, &m[5], 5);
    CHECK_EQ(wb_store_begin(b.st), 0);
    CHECK_EQ(receive(&b, &a, &m[5], NULL), 0);
    CHECK_EQ(wb_store_rollback(b.st), 0);
    CHECK_EQ(receive(&b, &a, &m[5], NULL), 0);
    CHECK_EQ(receive(&b, &a, &m[5], NULL), WB_EDUPLICATE);
    for (int i = 0; i < 6; i++)
        wb_buf_free(&m[i].ct);
    wb_buf_free(&pt);
    wb_buf_free_secret(&ra);
    wb_buf_free_secret(&rb);
    party_close(&a);
    party_close(&b);
}

/* ---- records ---------------------------------------------------------------------------------- */

static void test_signal_damaged_records_are_refused_not_trusted(void) {
    party a, b;
    party_open(&a, "1.1");
    party_open(&b, "2.1");
    session_between(&a, &b, 1);
    wb_buf rec = WB_BUF_INIT;
    CHECK_EQ(wb_store_session_get(a.st, b.addr, &rec), 0);
    CHECK_EQ(wb_sig_record_check(rec.data, rec.len, NULL), 0);
    for (size_t cut = 0; cut < rec.len; cut++)
        CHECK(wb_sig_record_check(rec.data, cut, NULL) < 0);
    /* a truncated stored record makes encrypt fail cleanly; a new bundle replaces it */
    CHECK_EQ(wb_store_session_put(a.st, b.addr, rec.data, rec.len - 1), 0);
    wb_buf ct = WB_BUF_INIT;
    int type;
    CHECK(wb_signal_encrypt(a.sig, b.addr, (const uint8_t *)"x", 1, &ct, &type) < 0);
    CHECK_EQ(ct.len, 0);
    session_between(&a, &b, 1);
    CHECK_EQ(wb_signal_encrypt(a.sig, b.addr, (const uint8_t *)"x", 1, &ct, &type), 0);
    wb_buf_free(&ct);
    wb_buf_free(&rec);
    party_close(&a);
    party_close(&b);
}

int main(void) {
    if (wb_crypto_init() < 0)
        return 1;
    RUN(test_signal_identity_is_created_once_with_a_14_bit_registration_id);
    RUN(test_signal_prekey_ids_wrap_after_0xfffffe_to_1);
    RUN(test_signal_signed_prekey_rotation_keeps_the_previous_one);
    RUN(test_signal_session_from_bundle_with_one_time_prekey);
    RUN(test_signal_session_from_bundle_without_one_time_prekey);
    RUN(test_signal_bundle_with_bad_signature_is_refused);
    RUN(test_signal_out_of_order_across_ratchet_steps_and_replay_refused);
    RUN(test_signal_every_flipped_byte_fails_and_changes_nothing);
    RUN(test_signal_decrypt_joins_the_callers_transaction);
    RUN(test_signal_cached_sessions_yield_to_the_database);
    RUN(test_signal_fresh_session_from_peer_keeps_old_one_for_late_messages);
    RUN(test_signal_changed_identity_is_stored_and_reported);
    RUN(test_signal_record_stays_small_over_4000_round_trips);
    RUN(test_signal_skipped_keys_and_chains_are_bounded);
    RUN(test_signal_group_messages_between_three_members);
    RUN(test_signal_group_message_from_unknown_sender_key_is_not_found);
    RUN(test_signal_group_signatures_checked_ahead);
    RUN(test_signal_padding_round_trips_and_rejects_bad_pads);
    RUN(test_signal_addresses_follow_baileys_naming);
    RUN(test_signal_damaged_records_are_refused_not_trusted);
    return check_summary();
}
