/* Receipts (NOTES §6.3) and acks. Receipts for our messages become status updates, as
 * Baileys emits them: messages.update ({key, update: {status}}: 3 delivered, 4 read, 5 played),
 * once per step up, and message-receipt.update for each reader. Retry receipts go to retry.c.
 * Every receipt and notification is acked (wa/receipt.h's wb_wa_ack_for). The receipts we send
 * for what we received: read (or read-self, as our privacy settings say: Baileys' readMessages),
 * played, or any type Baileys' sendReceipts takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "store/message_store.h"
#include "wa/receipt.h"
#include "wb_proto.h"

int wb_client_ack_stanza(wb_client *c, const wb_node *n) {
    return wb_client_send_node(c, wb_wa_ack_for(&c->arena, n, 0, NULL));
}

/* Baileys' getStatusFromReceiptType (no type: delivered; inactive is a delivery too). */
static int status_of(const char *type) {
    static const struct {
        const char *type;
        int status;
    } map[] = {
        {"read", WA__WEB_MESSAGE_INFO__STATUS__READ},
        {"read-self", WA__WEB_MESSAGE_INFO__STATUS__READ},
        {"played", WA__WEB_MESSAGE_INFO__STATUS__PLAYED},
        {"played-self", WA__WEB_MESSAGE_INFO__STATUS__PLAYED},
        {"inactive", WA__WEB_MESSAGE_INFO__STATUS__DELIVERY_ACK},
    };
    if (!type)
        return WA__WEB_MESSAGE_INFO__STATUS__DELIVERY_ACK;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i].type, type) == 0)
            return map[i].status;
    return 0; /* sender, hist_sync, peer_msg...: not about the reader */
}

/* The chat of our messages a receipt speaks of: the group, else the reader's user (by phone
 * number when we know it, as we store 1:1 chats under the number the user was sent to). */
static void chat_of(wb_client *c, const wb_wa_receipt *r, char out[WB_JID_STR_MAX]) {
    wb_jid chat = wb_jid_on(&r->from, WB_SERVER_GROUP) ? r->from : wb_jid_user_jid(&r->from);
    char pn[WB_JID_USER_MAX + 1];
    if (wb_jid_on(&chat, WB_SERVER_LID) && wb_client_lid_to_pn(c, chat.user, pn) == 0)
        chat = wb_jid_of(pn, WB_SERVER_USER, 0);
    wb_jid_format(&chat, out, WB_JID_STR_MAX);
}

int wb_client_on_receipt(wb_client *c, wb_node *n) {
    wb_wa_receipt r;
    wb_error e = {0};
    int rc = wb_wa_receipt_read(n, &c->arena, &r, &e);
    if (rc < 0) {
        WB_WARN("client", "a receipt we cannot read: %s", e.what);
        return wb_client_ack_stanza(c, n);
    }
    if (wb_wa_receipt_is_retry(&r)) {
        rc = wb_client_retry_answer(c, &r);
        if (rc < 0)
            WB_WARN("client", "cannot answer a retry receipt for %s: %s", r.ids[0],
                    wb_strerror(rc));
        return wb_client_ack_stanza(c, n);
    }
    int status = status_of(r.type);
    if (status) {
        char chat[WB_JID_STR_MAX], reader[WB_JID_STR_MAX];
        chat_of(c, &r, chat);
        wb_jid who = wb_jid_user_jid(wb_jid_is_empty(&r.participant) ? &r.from : &r.participant);
        wb_jid_format(&who, reader, sizeof reader);
        wb_client_status *ups = wb_arena_alloc(&c->evq.arena, r.nids * sizeof *ups);
        wb_client_status *rcs = wb_arena_alloc(&c->evq.arena, r.nids * sizeof *rcs);
        size_t nups = 0, nrcs = 0;
        for (size_t i = 0; ups && rcs && i < r.nids; i++) {
            wb_client_status s = {.key = {.remote_jid = wb_client_evstr(c, chat), .from_me = 1,
                                          .id = wb_client_evstr(c, r.ids[i])},
                                  .status = status, .user = wb_client_evstr(c, reader),
                                  .t = r.t ? r.t : wb_client_server_time(c)};
            if (wb_jid_on(&r.from, WB_SERVER_GROUP))
                s.key.participant = NULL;
            rcs[nrcs++] = s;
            if (wb_store_message_status(c->st, chat, r.ids[i], 1, status) == 1)
                ups[nups++] = s;
        }
        if (nups) {
            wb_client_event ev = {.type = WB_CLIENT_EV_MESSAGE_STATUS};
            ev.status.n = nups;
            ev.status.updates = ups;
            wb_client_emit(c, &ev);
        }
        if (nrcs) {
            wb_client_event ev = {.type = WB_CLIENT_EV_RECEIPT};
            ev.status.n = nrcs;
            ev.status.updates = rcs;
            wb_client_emit(c, &ev);
        }
    }
    return wb_client_ack_stanza(c, n);
}

/* ---- receipts we send ----------------------------------------------------------------------- */

int wb_client_send_receipts(wb_client *c, const wb_client_key *keys, size_t n, const char *type) {
    if (!type || !*type)
        return WB_EINVAL;
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    const char **ids = wb_arena_alloc(&c->arena, (n ? n : 1) * sizeof *ids);
    char *done = wb_arena_zalloc(&c->arena, n ? n : 1);
    if (!ids || !done)
        return WB_ENOMEM;
    int rc = 0;
    int read = strcmp(type, "read") == 0 || strcmp(type, "read-self") == 0;
    /* one receipt per (chat, participant), as Baileys' aggregateMessageKeysNotFromMe */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (done[i] || keys[i].from_me)
            continue;
        wb_jid to, part = {0};
        if (!keys[i].remote_jid || wb_jid_parse(&to, keys[i].remote_jid) < 0 || !keys[i].id ||
            (keys[i].participant && wb_jid_parse(&part, keys[i].participant) < 0))
            return WB_EINVAL;
        size_t k = 0;
        for (size_t j = i; j < n && k < WB_WA_RECEIPT_IDS_MAX; j++) {
            int same = !done[j] && !keys[j].from_me && keys[j].id &&
                       strcmp(keys[j].remote_jid, keys[i].remote_jid) == 0 &&
                       !keys[j].participant == !keys[i].participant &&
                       (!keys[i].participant || strcmp(keys[j].participant, keys[i].participant) == 0);
            if (same) {
                done[j] = 1;
                ids[k++] = keys[j].id;
            }
        }
        /* Baileys' sendReceipt: t only on read receipts */
        wb_wa_receipt r = {.ids = ids, .nids = k, .to = wb_jid_user_jid(&to), .participant = part,
                           .type = type, .t = read ? wb_client_server_time(c) : 0};
        if (wb_jid_on(&to, WB_SERVER_GROUP))
            r.to = to;
        rc = wb_client_send_node(c, wb_wa_receipt_new(&c->arena, &r));
    }
    wb_client_flush_events(c);
    return rc;
}

/* Reads asked for before our privacy settings were known: copies of their keys. */
typedef struct wb_client_reads {
    wb_client_key *keys;
    size_t n, cap;
    wb_arena arena;
    int asked;  /* the privacy IQ is in flight */
} wb_client_reads;

void wb_client_reads_free(wb_client *c) {
    if (!c->reads)
        return;
    free(c->reads->keys);
    wb_arena_free(&c->reads->arena);
    free(c->reads);
    c->reads = NULL;
}

static void send_reads(wb_client *c) {
    wb_client_reads *r = c->reads;
    if (!r || !r->n)
        return;
    int rc = wb_client_send_receipts(c, r->keys, r->n, c->read_receipts == 2 ? "read-self" : "read");
    if (rc < 0)
        WB_WARN("client", "%zu read receipts not sent: %s", r->n, wb_strerror(rc));
    r->n = 0;
    wb_arena_reset(&r->arena);
}

/* The privacy settings' answer: readreceipts "all" or anything else ("none"). */
static void on_privacy(void *ud, int status, const wb_node *answer) {
    wb_client *c = ud;
    if (c->reads)
        c->reads->asked = 0;
    if (status == 0) {
        c->read_receipts = 1;
        uint32_t it = 0;
        wb_node *cat;
        while ((cat = wb_node_next(wb_node_child(answer, "privacy"), "category", &it)))
            if (wb_node_attr_is(cat, "name", "readreceipts"))
                c->read_receipts = wb_node_attr_is(cat, "value", "all") ? 1 : 2;
    } else if (status != WB_ECLOSED) {
        WB_WARN("client", "privacy settings: %s; read receipts go out as read", wb_strerror(status));
        c->read_receipts = 1;
    }
    if (status == WB_ECLOSED) {
        if (c->reads && c->reads->n)
            WB_WARN("client", "%zu read receipts not sent: the connection ended", c->reads->n);
        if (c->reads)
            c->reads->n = 0;
        return;
    }
    send_reads(c);
}

int wb_client_read(wb_client *c, const wb_client_key *keys, size_t n) {
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    if (c->read_receipts)
        return wb_client_send_receipts(c, keys, n, c->read_receipts == 2 ? "read-self" : "read");
    /* Baileys' readMessages: the privacy settings say read or read-self; keep the keys until
     * they are known */
    if (!c->reads) {
        if (!(c->reads = calloc(1, sizeof *c->reads)))
            return WB_ENOMEM;
        wb_arena_init(&c->reads->arena, 0);
    }
    wb_client_reads *r = c->reads;
    for (size_t i = 0; i < n; i++) {
        if (!keys[i].remote_jid || !keys[i].id)
            return WB_EINVAL;
        if (r->n == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 16;
            wb_client_key *v = realloc(r->keys, cap * sizeof *v);
            if (!v)
                return WB_ENOMEM;
            r->keys = v;
            r->cap = cap;
        }
        wb_client_key k = {.remote_jid = wb_arena_strdup(&r->arena, keys[i].remote_jid),
                           .id = wb_arena_strdup(&r->arena, keys[i].id),
                           .participant = keys[i].participant
                                              ? wb_arena_strdup(&r->arena, keys[i].participant)
                                              : NULL,
                           .from_me = keys[i].from_me};
        if (!k.remote_jid || !k.id || (keys[i].participant && !k.participant))
            return WB_ENOMEM;
        r->keys[r->n++] = k;
    }
    int rc = 0;
    if (!r->asked) {
        wb_node *iq = wb_client_iq(c, "get", "privacy");
        wb_node_add_new(iq, "privacy");
        if ((rc = wb_client_send_iq(c, iq, on_privacy, c)) == 0)
            r->asked = 1;
    }
    wb_client_flush_events(c);
    return rc;
}
