/* Retry receipts (NOTES §6.2): both ways.
 *
 * A message that does not decrypt is not stored and not acknowledged with a normal receipt:
 * its sender is asked to send it again (<receipt type="retry"> with our registration id, and
 * from the second try on a fresh bundle so it can start a new session), as Baileys'
 * sendRetryRequest does, at most five times per message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/strmap.h"
#include "store/message_store.h"
#include "wa/message.h"
#include "wa/receipt.h"
#include "wb_proto.h"

#define MAX_TRIES 5
#define REMEMBERED 4096 /* retry counts kept (the oldest are forgotten) */

int wb_client_retry_request(wb_client *c, const wb_node *n, const wb_wa_message *m, int err) {
    char key[WB_WA_ID_MAX + WB_JID_STR_MAX + 2], part[WB_JID_STR_MAX] = "";
    if (!wb_jid_is_empty(&m->participant))
        wb_jid_format(&m->participant, part, sizeof part);
    snprintf(key, sizeof key, "%s:%s", m->id, part);
    wb_strmap *counts = &c->retries; /* "id:participant" -> count */
    if (wb_strmap_count(counts) > REMEMBERED)
        wb_strmap_free(counts);
    uintptr_t count = (uintptr_t)wb_strmap_get(counts, key) + 1;
    if (count > MAX_TRIES) {
        WB_WARN("client", "message %s still does not decrypt after %d tries; given up", m->id,
                MAX_TRIES);
        wb_strmap_del(counts, key);
        return wb_client_send_node(c, wb_wa_ack_for(&c->arena, n, 500, NULL));
    }
    wb_strmap_put(counts, key, (void *)count, NULL);
    const char *ids[1] = {m->id};
    wb_wa_receipt r = {.ids = ids, .nids = 1, .to = m->from, .participant = m->participant,
                       .recipient = m->recipient, .type = "retry", .has_retry = 1,
                       .retry = {.count = (uint32_t)count, .id = m->id, .t = m->t},
                       .has_registration = 1,
                       .registration_id = wb_signal_registration_id(c->sig)};
    wb_buf identity = WB_BUF_INIT;
    int rc = 0;
    if (count > 1) { /* a bundle to start over from: identity, a fresh prekey, the signed one */
        wb_signal_prekey pk;
        wb_signal_signed_prekey spk;
        unsigned got = 0;
        if ((rc = wb_signal_prekeys_for_upload(c->sig, 1, &pk, &got)) == 0 && got == 1 &&
            (rc = wb_signal_signed_prekey_current(c->sig, &spk)) == 0 &&
            (rc = wb_wa_adv_encode(&c->adv, 1, &identity)) == 0) {
            r.has_keys = 1;
            r.keys = (wb_signal_bundle){.registration_id = r.registration_id,
                                        .signed_prekey_id = spk.id, .has_prekey = 1,
                                        .prekey_id = pk.id};
            memcpy(r.keys.identity, wb_signal_identity_public(c->sig), 32);
            memcpy(r.keys.signed_prekey, spk.pub, 32);
            memcpy(r.keys.signed_prekey_signature, spk.signature, 64);
            memcpy(r.keys.prekey, pk.pub, 32);
            r.device_identity = identity.data;
            r.device_identity_len = identity.len;
        }
    }
    WB_INFO("client", "message %s did not decrypt (%s): retry %u asked", m->id, wb_strerror(err),
            (unsigned)count);
    if (rc == 0)
        rc = wb_client_send_node(c, wb_wa_receipt_new(&c->arena, &r));
    wb_buf_free(&identity);
    return rc == WB_ECLOSED ? 0 : rc;
}

/* ---- a peer asks us to send again ---------------------------------------------------------- */

typedef struct found {
    Wa__Message *msg;
    char chat[WB_JID_STR_MAX];
} found;

static int take_ours(void *ud, const wb_message_row *row) {
    found *f = ud;
    Wa__WebMessageInfo *info;
    if (!row->from_me || f->msg ||
        wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0, &info,
                        NULL) < 0)
        return 0;
    if (info->message) {
        f->msg = info->message;
        info->message = NULL; /* kept; the rest freed */
        snprintf(f->chat, sizeof f->chat, "%s", row->chat);
    }
    wb_proto_free(info);
    return f->msg ? 1 : 0;
}

int wb_client_retry_answer(wb_client *c, const wb_wa_receipt *r) {
    const wb_jid *device = wb_jid_is_empty(&r->participant) ? &r->from : &r->participant;
    if (!device->user[0] || !r->nids)
        return WB_EPROTO;
    found f = {0};
    wb_message_query q = {.id = r->ids[0]};
    int rc = wb_store_messages_each(c->st, &q, take_ours, &f);
    if (rc < 0)
        return rc;
    if (!f.msg) {
        WB_INFO("client", "a retry receipt for %s, which we do not have", r->ids[0]);
        return 0;
    }
    char addr[WB_SIGNAL_ADDR_MAX];
    if (r->has_keys && (rc = wb_client_address(c, device, addr)) == 0) {
        /* the device lost its session: start a new one from the bundle it sent */
        if ((rc = wb_signal_session_from_bundle(c->sig, addr, &r->keys, NULL)) < 0)
            WB_WARN("client", "the retry's bundle from %s does not verify: %s", addr,
                    wb_strerror(rc));
    }
    wb_jid chat;
    rc = wb_jid_parse(&chat, f.chat);
    if (rc == 0) {
        WB_INFO("client", "sending %s again to %s (retry %u)", r->ids[0], addr,
                (unsigned)r->retry.count);
        rc = wb_client_send_again(c, &chat, r->ids[0], f.msg, device, r->retry.count);
    }
    Wa__Message *m = f.msg;
    wb_proto_free(m);
    return rc;
}
