/* Fuzz target: every reader of host/wa on one stanza. The input is decoded as a transport
 * payload (binary/codec.h) and given to each stanza reader (usync, message, receipt, ack,
 * devices, group, profile picture, media, presence and chat states, pairing code, IQ errors,
 * the IQ table), and every node of the tree to the readers of parts (group metadata, prekey bundles, keys, skeys); the raw bytes go to the
 * readers of raw text (QR strings, ADV containers, the upload's JSON answer, upload paths, a
 * ClientPayload's registration keys).
 *
 * Oracles: the sanitizers; what a reader accepts, its family's builder writes again and the
 * reader accepts that with the same counts (build(read(x)) reads back); the IQ table completes
 * each request exactly once. Seeds: tests/fuzz/make_wa_corpus.mjs (the shapes Baileys sends and
 * reads, encoded by its encodeBinaryNode). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binary/codec.h"
#include "core/log.h"
#include "wa/adv.h"
#include "wa/devices.h"
#include "wa/group.h"
#include "wa/iq.h"
#include "wa/media.h"
#include "wa/message.h"
#include "wa/pair_code.h"
#include "wa/payload.h"
#include "wa/picture.h"
#include "wa/prekeys.h"
#include "wa/presence.h"
#include "wa/qr.h"
#include "wa/receipt.h"
#include "wa/usync.h"
#include "wb_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NODES 512 /* nodes of one input given to the part readers */

static const uint8_t key32[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* n (a builder's output) through the wire into a; NULL when the encoder refuses it (a value the
 * reader took that the encoder does not write is not this target's concern). */
static wb_node *wire(wb_arena *a, const wb_node *n) {
    wb_buf b = WB_BUF_INIT;
    wb_node *out = NULL;
    if (n && wb_node_encode_payload(n, &b) == 0 && wb_node_decode_payload(a, b.data, b.len, &out, NULL) < 0)
        abort(); /* our own encoding must decode */
    wb_buf_free(&b);
    return out;
}

#define REREAD(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* ---- the stanza readers, each with its round trip ------------------------------------------ */

static void stanza_readers(const wb_node *n, wb_arena *a) {
    wb_error e;
    wb_node *w;
    wb_wa_usync_request ureq;
    if (wb_wa_usync_request_read(n, a, &ureq, &e) == 0) {
        wb_node *reply = WB_NODE(a, "iq", {"type", "result"});
        wb_node *list = wb_wa_usync_result_fill(reply, &ureq);
        for (size_t i = 0; i < ureq.nusers; i++)
            wb_wa_usync_user_fill(list, &ureq, &(wb_wa_usync_user){.jid = ureq.users[i].jid,
                                                                    .contact = 1});
        wb_wa_usync_result res;
        if ((w = wire(a, reply)))
            REREAD(wb_wa_usync_result_read(w, a, &res, &e) == 0);
    }
    wb_wa_usync_result ures;
    (void)wb_wa_usync_result_read(n, a, &ures, &e);

    wb_wa_message_send ms, ms2;
    if (wb_wa_message_send_read(n, a, &ms, &e) == 0 && (w = wire(a, wb_wa_message_send_new(a, &ms))))
        REREAD(wb_wa_message_send_read(w, a, &ms2, &e) == 0 && ms2.ntargets == ms.ntargets &&
               ms2.nencs == ms.nencs);
    wb_wa_message m, m2;
    if (wb_wa_message_read(n, a, &m, &e) == 0 && (w = wire(a, wb_wa_message_new(a, &m))))
        REREAD(wb_wa_message_read(w, a, &m2, &e) == 0 && m2.nencs == m.nencs &&
               wb_jid_eq(&m2.chat, &m.chat) && wb_jid_eq(&m2.sender, &m.sender));

    wb_wa_receipt r, r2;
    if (wb_wa_receipt_read(n, a, &r, &e) == 0 && (w = wire(a, wb_wa_receipt_new(a, &r))))
        REREAD(wb_wa_receipt_read(w, a, &r2, &e) == 0 && r2.nids == r.nids &&
               r2.has_keys == r.has_keys && r2.has_retry == r.has_retry);
    wb_wa_ack k, k2;
    if (wb_wa_ack_read(n, &k, &e) == 0 && (w = wire(a, wb_wa_ack_new(a, &k))))
        REREAD(wb_wa_ack_read(w, &k2, &e) == 0 && k2.error == k.error && k2.t == k.t);
    if (n->tag && n->tag[0])
        (void)wire(a, wb_wa_ack_for(a, n, 500, NULL));

    wb_wa_devices_notification d, d2;
    if (wb_wa_devices_notification_read(n, a, &d, &e) == 0 &&
        (w = wire(a, wb_wa_devices_notification_new(a, &d))))
        REREAD(wb_wa_devices_notification_read(w, a, &d2, &e) == 0 && d2.ndevices == d.ndevices);

    wb_wa_group_request gr, gr2;
    if (wb_wa_group_request_read(n, a, &gr, &e) == 0 && (w = wire(a, wb_wa_group_request_new(a, &gr))))
        REREAD(wb_wa_group_request_read(w, a, &gr2, &e) == 0 && gr2.action == gr.action &&
               gr2.nparticipants == gr.nparticipants && gr2.ngroups == gr.ngroups);
    wb_wa_group_notification gn, gn2;
    if (wb_wa_group_notification_read(n, a, &gn, &e) == 0 &&
        (w = wire(a, wb_wa_group_notification_new(a, &gn))))
        REREAD(wb_wa_group_notification_read(w, a, &gn2, &e) == 0 && gn2.nchanges == gn.nchanges);
    wb_wa_group *groups;
    wb_wa_participant *results;
    size_t count;
    wb_jid joined;
    (void)wb_wa_group_participating_read(n, a, &groups, &count, &e);
    (void)wb_wa_group_results_read(n, a, &results, &count, &e);
    (void)wb_wa_group_invite_of(n);
    (void)wb_wa_group_joined_of(n, &joined, &e);

    wb_wa_picture_request pr, pr2;
    if (wb_wa_picture_request_read(n, &pr, &e) == 0 && (w = wire(a, wb_wa_picture_request_new(a, &pr))))
        REREAD(wb_wa_picture_request_read(w, &pr2, &e) == 0 && pr2.action == pr.action &&
               pr2.image_len == pr.image_len && wb_jid_eq(&pr2.target, &pr.target));
    wb_wa_picture pic, pic2;
    if (wb_wa_picture_read(n, &pic, &e) == 0) {
        wb_node *reply = WB_NODE(a, "iq", {"type", "result"});
        wb_wa_picture_fill(reply, &pic);
        if ((w = wire(a, reply)))
            REREAD(wb_wa_picture_read(w, &pic2, &e) == 0 && pic2.status == pic.status &&
                   !pic2.url == !pic.url);
    }

    wb_wa_media_conn mc, mc2;
    if (wb_wa_media_conn_read(n, a, &mc, &e) == 0) {
        wb_node *reply = WB_NODE(a, "iq", {"type", "result"});
        wb_wa_media_conn_fill(reply, &mc);
        if ((w = wire(a, reply)))
            REREAD(wb_wa_media_conn_read(w, a, &mc2, &e) == 0 && mc2.nhosts == mc.nhosts);
    }

    wb_wa_presence ps, ps2;
    if (wb_wa_presence_read(n, &ps, &e) == 0 && (w = wire(a, wb_wa_presence_new(a, &ps))))
        REREAD(wb_wa_presence_read(w, &ps2, &e) == 0 && ps2.last == ps.last &&
               wb_jid_eq(&ps2.to, &ps.to));
    wb_wa_chatstate cs, cs2;
    if (wb_wa_chatstate_read(n, &cs, &e) == 0 && (w = wire(a, wb_wa_chatstate_new(a, &cs))))
        REREAD(wb_wa_chatstate_read(w, &cs2, &e) == 0 && strcmp(cs2.state, cs.state) == 0 &&
               strcmp(wb_wa_chatstate_presence(&cs2), wb_wa_chatstate_presence(&cs)) == 0);

    wb_wa_pair_code_reg pc;
    (void)wb_wa_pair_code_read(n, &pc, &e);
    int code;
    const char *text;
    (void)wb_wa_iq_error_of(n, &code, &text);
}

/* ---- the IQ table: one completion per request --------------------------------------------- */

static void count_completion(void *ud, int status, const wb_node *answer) {
    (*(int *)ud)++;
}

static void iq_table(const wb_node *n) {
    wb_wa_iqs t;
    int done[3] = {0};
    char id[WB_WA_IQ_ID_MAX];
    wb_wa_iqs_init(&t);
    memcpy(t.prefix, "fz-", 4); /* ids the seeds can name: fz-1, fz-2, fz-3 */
    for (int i = 0; i < 3; i++)
        if (wb_wa_iqs_add(&t, i == 2 ? WB_WA_NO_DEADLINE : 1000, count_completion, &done[i], id) < 0)
            abort();
    (void)wb_wa_iqs_answer(&t, n);
    (void)wb_wa_iqs_answer(&t, n); /* a repeated answer completes nothing */
    wb_wa_iqs_expire(&t, 1000);
    wb_wa_iqs_close(&t);
    for (int i = 0; i < 3; i++)
        if (done[i] != 1)
            abort();
    wb_wa_iqs_free(&t);
}

/* ---- the part readers, on every node ---------------------------------------------------------- */

static int count_key(void *ud, const wb_signal_prekey *k) {
    (*(int *)ud)++;
    return 0;
}

static void part_readers(const wb_node *n, wb_arena *a) {
    wb_error e;
    wb_wa_group g, g2;
    if (wb_wa_group_read(n, a, &g, &e) == 0) {
        wb_node *parent = wb_node_new(a, "iq");
        wb_node *w = wire(a, parent && wb_wa_group_fill(parent, &g) ? parent : NULL);
        if (w)
            REREAD(wb_wa_group_read(wb_node_child(w, "group"), a, &g2, &e) == 0 &&
                   g2.nparticipants == g.nparticipants && g2.has_desc == g.has_desc);
    }
    wb_wa_device_keys dk;
    wb_signal_bundle b;
    wb_signal_signed_prekey sk;
    wb_signal_prekey pk;
    (void)wb_wa_prekeys_keys_read(n, &dk, &e);
    (void)wb_wa_prekeys_bundle_read(n, &b, &e);
    (void)wb_wa_prekeys_skey_read(n, key32, &sk, &e);
    (void)wb_wa_prekeys_skey_read(n, NULL, &sk, &e);
    (void)wb_wa_prekeys_key_read(n, &pk, &e);
    (void)wb_wa_prekeys_count_of(n);
    int keys = 0;
    (void)wb_wa_prekeys_upload_each(n, count_key, &keys, &e);
}

static void walk(const wb_node *root, wb_arena *a) {
    const wb_node *stack[MAX_NODES];
    size_t top = 0, seen = 0;
    stack[top++] = root;
    while (top && seen < MAX_NODES) {
        const wb_node *n = stack[--top];
        seen++;
        part_readers(n, a);
        for (uint32_t i = 0; n->kind == WB_CONTENT_NODES && i < n->nkids && top < MAX_NODES; i++)
            stack[top++] = n->kids[i];
    }
}

/* ---- raw bytes ----------------------------------------------------------------------------- */

static void raw_readers(const uint8_t *data, size_t size) {
    wb_wa_qr qr;
    (void)wb_wa_qr_parse((const char *)data, size, &qr);
    wb_wa_adv_identity id;
    wb_error e;
    (void)wb_wa_adv_accept(data, size, key32, key32, &id, &e);
    wb_wa_media_uploaded up;
    (void)wb_wa_media_uploaded_read((const char *)data, size, &up);
    if (size < 512) {
        char path[512];
        memcpy(path, data, size);
        path[size] = '\0';
        const wb_wa_media_upload *u;
        uint8_t h[32];
        (void)wb_wa_media_upload_parse(path, &u, h);
    }
    void *p = NULL;
    if (wb_proto_unpack(&wa__client_payload__descriptor, data, size, 0, &p, NULL) == 0) {
        wb_wa_device_keys k;
        (void)wb_wa_payload_reg_keys(p, &k, &e);
        wb_proto_free(p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_log_set_level(WB_LOG_OFF);
    raw_readers(data, size);
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n;
    if (wb_node_decode_payload(&a, data, size, &n, NULL) == 0) {
        stanza_readers(n, &a);
        iq_table(n);
        walk(n, &a);
    }
    wb_arena_free(&a);
    return 0;
}
