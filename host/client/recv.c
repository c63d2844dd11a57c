/* Receiving messages (NOTES §6.2), under the durability rule (ARCHITECTURE.md):
 *
 *   <message> -> wa/message reader -> already stored? (a redelivery: receipt again, nothing
 *   else) -> decrypt each <enc> in order (pkmsg/msg by the sender device's session, skmsg by
 *   its sender key; a distribution message inside is stored first) -> the Message -> its
 *   WebMessageInfo row, all in the batch's transaction -> at the end of the loop turn: commit,
 *   then the receipts, then messages.upsert.
 *
 * Batching: the messages of one loop turn (the offline backlog arrives as a burst) share one
 * transaction, so a burst costs one commit, not one per message; each message has its own
 * savepoint, so one that fails to decrypt rolls back alone. Nothing is acknowledged before the
 * commit: a crash loses only decrypts the server will deliver again. A message that does not
 * decrypt gets a retry receipt (retry.c) instead, and nothing is stored for it.
 *
 * Events: each stored row is pending until the consumer says it handled it
 * (wb_client_handled); rows still pending at the next start are delivered again with replay
 * set, so a message is handled once, or, when a crash came between its handler and the handled
 * mark, once more with a flag saying so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/contact_store.h"
#include "store/message_store.h"
#include "wa/message.h"
#include "wa/receipt.h"
#include "wb_proto.h"

#define BATCH_MAX 512        /* messages in one transaction */
#define PLAINTEXT_MAX (1u << 20)

/* A stored message waiting for the commit, its receipt and its event. */
typedef struct entry {
    Wa__WebMessageInfo *info; /* the event's (owned until queued) */
    int64_t seq;
    int offline;
    int fresh;                /* stored now (not a redelivery of a stored one) */
    /* the receipt */
    wb_jid to, participant, recipient;
    const char *id;
    const char *type;         /* NULL, "inactive", "sender", "peer_msg" */
} entry;

struct wb_client_recv {
    entry *v;
    size_t n, cap;
    wb_arena arena;  /* ids of the entries */
    int in_tx;       /* the batch's transaction is open */
    const wb_signal_group_check *chk; /* the message being taken: its skmsg checked ahead */
    wb_buf pt, acc;  /* scratch: one plaintext, the accumulated Message bytes */
};

int wb_client_recv_init(wb_client *c) {
    c->recv = calloc(1, sizeof *c->recv);
    if (!c->recv)
        return WB_ENOMEM;
    wb_arena_init(&c->recv->arena, 0);
    return 0;
}

static void entries_free(struct wb_client_recv *r) {
    for (size_t i = 0; i < r->n; i++)
        wb_proto_free(r->v[i].info);
    r->n = 0;
    wb_arena_reset(&r->arena);
}

void wb_client_recv_free(wb_client *c) {
    struct wb_client_recv *r = c->recv;
    if (!r)
        return;
    if (r->in_tx)
        wb_store_rollback(c->st);
    entries_free(r);
    free(r->v);
    wb_arena_free(&r->arena);
    wb_buf_free_secret(&r->pt);
    wb_buf_free_secret(&r->acc);
    free(r);
    c->recv = NULL;
}

int wb_client_recv_pending(const wb_client *c) {
    return (c->recv && c->recv->n > 0) || wb_client_inbox_pending(c);
}

/* ---- the text of a message ---------------------------------------------------------------- */

const char *wb_client_message_text(const Wa__Message *m) {
    for (int depth = 0; m && depth < 8; depth++) {
        if (m->conversation)
            return m->conversation;
        if (m->extendedtextmessage && m->extendedtextmessage->text)
            return m->extendedtextmessage->text;
        if (m->imagemessage && m->imagemessage->caption)
            return m->imagemessage->caption;
        if (m->videomessage && m->videomessage->caption)
            return m->videomessage->caption;
        if (m->documentmessage && m->documentmessage->caption)
            return m->documentmessage->caption;
        m = wb_client_message_unwrap(m);
    }
    return NULL;
}

const Wa__Message *wb_client_message_unwrap(const Wa__Message *m) {
    /* the wrappers whose inner message is the content */
    const Wa__Message__FutureProofMessage *w =
        m->ephemeralmessage ? m->ephemeralmessage
        : m->viewoncemessage ? m->viewoncemessage
        : m->viewoncemessagev2 ? m->viewoncemessagev2
        : m->documentwithcaptionmessage ? m->documentwithcaptionmessage
        : m->editedmessage ? m->editedmessage
                           : NULL;
    return w ? w->message : NULL;
}

/* ---- decrypting ---------------------------------------------------------------------------- */

/* The user JID ("user@server") of a device JID. */
static void user_of(const wb_jid *j, char out[WB_JID_STR_MAX]) {
    wb_jid u = wb_jid_user_jid(j);
    wb_jid_format(&u, out, WB_JID_STR_MAX);
}

/* Decrypts one <enc> into r->pt (unpadded). */
static int decrypt_one(wb_client *c, const wb_wa_message *m, const wb_wa_enc *e,
                       const char *addr, const char *group) {
    struct wb_client_recv *r = c->recv;
    wb_buf_reset(&r->pt);
    int rc;
    wb_signal_info info;
    if (strcmp(e->type, "skmsg") == 0) {
        if (!group)
            return WB_EPROTO;
        rc = wb_signal_group_decrypt_checked(c->sig, group, addr, e->data, e->len, r->chk, &r->pt);
    } else {
        int type = strcmp(e->type, "pkmsg") == 0 ? WB_SIGNAL_PKMSG
                   : strcmp(e->type, "msg") == 0 ? WB_SIGNAL_MSG
                                                 : 0;
        if (!type)
            return WB_EUNSUPPORTED;
        rc = wb_signal_decrypt(c->sig, addr, type, e->data, e->len, &r->pt, &info);
        if (rc == 0 && (info.events & WB_SIGNAL_EV_IDENTITY_CHANGED))
            WB_INFO("client", "%s changed its identity key (a new security code)", addr);
    }
    if (rc < 0)
        return rc;
    long n = wb_signal_unpad(r->pt.data, r->pt.len);
    if (n < 0)
        return (int)n;
    r->pt.len = (size_t)n;
    (void)m;
    return 0;
}

/* Adds one decrypted Message's content to r->acc: a DeviceSentMessage (our own copy) gives its
 * inner message; a sender-key distribution is stored for (its group, the sender) first. Bytes
 * of several encs concatenate into one Message, which protobuf reads as their merge (Baileys
 * merges them with Object.assign). */
static int take_plaintext(wb_client *c, const char *addr) {
    struct wb_client_recv *r = c->recv;
    Wa__Message *msg;
    int rc = wb_proto_unpack(&wa__message__descriptor, r->pt.data, r->pt.len, PLAINTEXT_MAX, &msg,
                             NULL);
    if (rc < 0)
        return rc;
    const Wa__Message *content = msg;
    if (msg->devicesentmessage && msg->devicesentmessage->message)
        content = msg->devicesentmessage->message;
    const Wa__Message__SenderKeyDistributionMessage *skdm = content->senderkeydistributionmessage;
    if (skdm && skdm->groupid && skdm->has_axolotlsenderkeydistributionmessage) {
        rc = wb_signal_group_process_distribution(
            c->sig, skdm->groupid, addr, skdm->axolotlsenderkeydistributionmessage.data,
            skdm->axolotlsenderkeydistributionmessage.len);
        if (rc < 0)
            WB_WARN("client", "a sender key from %s for %s does not load: %s", addr, skdm->groupid,
                    wb_strerror(rc));
        rc = 0;
    }
    if (content == msg)
        rc = wb_buf_append(&r->acc, r->pt.data, r->pt.len);
    else
        rc = wb_proto_pack(content, &r->acc);
    wb_proto_free(msg);
    return rc;
}

/* ---- one message ----------------------------------------------------------------------------- */

/* The key and receipt fields Baileys derives (decode-wa-message.js decodeMessageNode). */
typedef struct keyinfo {
    char chat[WB_JID_STR_MAX];   /* the chat's user JID */
    char sender[WB_JID_STR_MAX]; /* the author's user JID */
    char author[WB_JID_STR_MAX]; /* the author's device JID */
    int from_me;
} keyinfo;

static int is_me(wb_client *c, const wb_jid *j) {
    return (wb_jid_on(j, WB_SERVER_USER) && strcmp(j->user, c->me_user) == 0) ||
           (wb_jid_on(j, WB_SERVER_LID) && c->me_lid_user[0] &&
            strcmp(j->user, c->me_lid_user) == 0);
}

static int derive_key(wb_client *c, const wb_wa_message *m, keyinfo *k) {
    wb_jid_format(&m->sender, k->author, sizeof k->author);
    user_of(&m->sender, k->sender);
    k->from_me = is_me(c, &m->sender);
    if (!wb_jid_is_empty(&m->recipient) && !k->from_me)
        return WB_EPROTO; /* Baileys: "recipient present, but msg not from me" */
    user_of(&m->chat, k->chat);
    return 0;
}

/* A contacts.upsert or chats.upsert event of one entry (copied into the event queue's arena). */
static void emit_one(wb_client *c, int type, wb_client_contact ct) {
    wb_client_contact *copy = wb_arena_memdup(&c->evq.arena, &ct, sizeof ct);
    if (!copy)
        return;
    wb_client_event ev = {.type = type};
    ev.contacts.n = 1;
    ev.contacts.contacts = copy;
    wb_client_emit(c, &ev);
}

/* Remembers what the stanza teaches: the sender's LID or phone number, its push name. */
static void learn(wb_client *c, const wb_wa_message *m, int *new_contact) {
    const wb_jid *s = &m->sender;
    const wb_jid *alt = !wb_jid_is_empty(&m->participant)
                            ? (wb_jid_on(s, WB_SERVER_LID) ? &m->participant_pn : &m->participant_lid)
                            : (wb_jid_on(s, WB_SERVER_LID) ? &m->sender_pn : &m->sender_lid);
    if (!wb_jid_is_empty(alt) && alt->user[0]) {
        if (wb_jid_on(s, WB_SERVER_USER) && wb_jid_on(alt, WB_SERVER_LID))
            wb_client_lid_learn(c, alt->user, s->user);
        else if (wb_jid_on(s, WB_SERVER_LID) && wb_jid_on(alt, WB_SERVER_USER))
            wb_client_lid_learn(c, s->user, alt->user);
    }
    if (m->notify && *m->notify && !is_me(c, s) && wb_jid_on(s, WB_SERVER_USER)) {
        char user[WB_JID_STR_MAX];
        user_of(s, user);
        int rc = wb_store_contact_name_put(c->st, user, m->notify, wb_client_server_time(c));
        if (rc == 1) {
            *new_contact = 1;
            emit_one(c, WB_CLIENT_EV_CONTACTS,
                     (wb_client_contact){.jid = wb_client_evstr(c, user),
                                         .name = wb_client_evstr(c, m->notify)});
        }
    }
}

static int ensure_tx(wb_client *c) {
    struct wb_client_recv *r = c->recv;
    if (r->in_tx)
        return 0;
    int rc = wb_store_begin(c->st);
    if (rc == 0)
        r->in_tx = 1;
    return rc;
}

static entry *push_entry(wb_client *c) {
    struct wb_client_recv *r = c->recv;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        entry *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return NULL;
        r->v = v;
        r->cap = cap;
    }
    entry *e = &r->v[r->n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* The receipt a stored (or already stored) message gets after the commit. */
static void set_receipt(wb_client *c, entry *e, const wb_wa_message *m, const keyinfo *k) {
    e->to = m->from;
    e->participant = m->participant;
    e->id = wb_arena_strdup(&c->recv->arena, m->id);
    e->offline = m->offline;
    if (m->category && strcmp(m->category, "peer") == 0)
        e->type = "peer_msg";
    else if (k->from_me)
        e->type = "sender";
    else if (!wb_client_online(c))
        e->type = "inactive"; /* no available presence was sent: Baileys' sendActiveReceipts */
    if (k->from_me && !wb_jid_is_empty(&m->recipient) &&
        (wb_jid_on(&m->recipient, WB_SERVER_USER) || wb_jid_on(&m->recipient, WB_SERVER_LID))) {
        /* Baileys' sendReceipt for 'sender': to the sending device, recipient the chat */
        e->recipient = m->recipient;
    }
}

/* Builds, stores and queues the WebMessageInfo. */
static int store(wb_client *c, const wb_wa_message *m, const keyinfo *k, Wa__Message *msg,
                 entry *e) {
    Wa__WebMessageInfo info = WA__WEB_MESSAGE_INFO__INIT;
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = (char *)k->chat;
    key.has_fromme = 1;
    key.fromme = k->from_me;
    key.id = (char *)m->id;
    char participant[WB_JID_STR_MAX];
    if (!wb_jid_is_empty(&m->participant)) { /* the author's user JID, as Baileys' cleanMessage */
        user_of(&m->participant, participant);
        key.participant = participant;
    }
    info.key = &key;
    info.message = msg;
    info.has_messagetimestamp = 1;
    info.messagetimestamp = (uint64_t)(m->t > 0 ? m->t : 0);
    info.pushname = (char *)m->notify;
    if (k->from_me) {
        info.has_status = 1;
        info.status = WA__WEB_MESSAGE_INFO__STATUS__SERVER_ACK;
    }
    wb_buf bytes = WB_BUF_INIT;
    int rc = wb_proto_pack(&info, &bytes);
    if (rc < 0)
        goto done;
    wb_message_row row = {.chat = k->chat, .sender = k->sender, .id = m->id, .from_me = k->from_me,
                          .ts = m->t, .status = k->from_me ? 2 : 0,
                          .text = wb_client_message_text(msg), .info = bytes.data,
                          .info_len = bytes.len, .target = wb_client_kinds_target(msg)};
    rc = wb_store_message_add(c->st, &row, 1, &e->seq);
    if (rc == WB_EEXIST) { /* cannot happen after the exists check, but stay exactly-once */
        rc = 0;
        goto done;
    }
    /* a reaction, edit, revoke or vote changes its target's row (kinds.c) */
    if (rc == 0)
        rc = wb_client_kinds_apply(c, &info, m->edit && strcmp(m->edit, "8") == 0);
    if (rc == 0 && wb_store_chat_touch(c->st, k->chat, m->t, !k->from_me) == 1)
        emit_one(c, WB_CLIENT_EV_CHATS, (wb_client_contact){.jid = wb_client_evstr(c, k->chat)});
    if (rc == 0 && (rc = wb_proto_unpack(&wa__web_message_info__descriptor, bytes.data, bytes.len,
                                         0, &e->info, NULL)) == 0)
        e->fresh = 1;
done:
    wb_buf_free(&bytes);
    return rc;
}

int wb_client_on_message_checked(wb_client *c, wb_node *n, const wb_signal_group_check *chk) {
    c->recv->chk = chk;
    int rc = wb_client_on_message(c, n);
    c->recv->chk = NULL;
    return rc;
}

int wb_client_on_message(wb_client *c, wb_node *n) {
    struct wb_client_recv *r = c->recv;
    wb_wa_message m;
    wb_error e = {0};
    int rc = wb_wa_message_read(n, &c->arena, &m, &e);
    if (rc < 0) {
        WB_WARN("client", "a message we cannot read (%s): refused", e.what);
        return wb_client_send_node(c, wb_wa_ack_for(&c->arena, n, 487, NULL));
    }
    if (m.offline)
        c->backlog_count++;
    keyinfo k;
    if (derive_key(c, &m, &k) < 0) {
        WB_WARN("client", "message %s: a copy for our devices from someone else", m.id);
        return wb_client_send_node(c, wb_wa_ack_for(&c->arena, n, 487, NULL));
    }
    if ((rc = ensure_tx(c)) < 0)
        return rc;
    int new_contact = 0;
    learn(c, &m, &new_contact);
    entry *en = push_entry(c);
    if (!en)
        return WB_ENOMEM;
    set_receipt(c, en, &m, &k);
    rc = wb_store_message_exists(c->st, k.chat, k.sender, m.id);
    if (rc != 0) /* stored already: the server did not get our receipt; it gets one now */
        return rc < 0 ? rc : 0;
    char addr[WB_SIGNAL_ADDR_MAX];
    if ((rc = wb_client_address(c, &m.sender, addr)) < 0) {
        r->n--;
        return wb_client_send_node(c, wb_wa_ack_for(&c->arena, n, 487, NULL));
    }
    char group[WB_JID_STR_MAX];
    wb_jid_format(&m.chat, group, sizeof group);
    int is_group = wb_jid_on(&m.chat, WB_SERVER_GROUP) || wb_jid_on(&m.chat, WB_SERVER_BROADCAST);
    if ((rc = wb_store_begin(c->st)) < 0) /* this message's savepoint */
        return rc;
    wb_buf_reset(&r->acc);
    /* The id is not stored (checked above), so a key the ratchet says was used already is not a
     * redelivery of something we handled: a replay under a new id, or damage (a flipped counter
     * reads as an old one before any MAC is checked). It is treated as a failure, so the sender
     * is asked again instead of the message being acknowledged and lost. */
    int decrypted = 0, failed = 0;
    for (size_t i = 0; i < m.nencs && !failed; i++) {
        rc = decrypt_one(c, &m, &m.encs[i], addr, is_group ? group : NULL);
        if (rc == 0)
            rc = take_plaintext(c, addr);
        if (rc < 0) {
            failed = rc;
            WB_WARN("client", "message %s from %s: %s enc does not decrypt: %s", m.id, k.author,
                    m.encs[i].type, wb_strerror(rc));
        } else {
            decrypted++;
        }
    }
    Wa__Message *msg = NULL;
    if (!failed && decrypted &&
        (rc = wb_proto_unpack(&wa__message__descriptor, r->acc.data, r->acc.len, PLAINTEXT_MAX,
                              &msg, NULL)) < 0)
        failed = rc;
    if (!failed && decrypted && (rc = store(c, &m, &k, msg, en)) < 0)
        failed = rc;
    wb_proto_free(msg);
    wb_buf_reset(&r->acc);
    if (failed) {
        wb_store_rollback(c->st);
        r->n--; /* no receipt: a retry receipt instead, now (it stores nothing) */
        if (failed == WB_ESTORE)
            return failed;
        return wb_client_retry_request(c, n, &m, failed);
    }
    if ((rc = wb_store_commit(c->st)) < 0) /* releases the savepoint only */
        return rc;
    if (!decrypted)
        WB_DEBUG("client", "message %s: nothing to decrypt", m.id);
    if (r->n >= BATCH_MAX)
        return wb_client_recv_flush(c);
    return 0;
}

/* ---- the end of the turn: commit, receipts, events ---------------------------------------- */

/* Receipts grouped as Baileys' sendReceipts would group keys: one per (to, participant,
 * recipient, type) with the others' ids in <list>. */
static void send_receipts(wb_client *c) {
    struct wb_client_recv *r = c->recv;
    size_t *done = calloc(r->n ? r->n : 1, sizeof *done);
    const char **ids = malloc((r->n ? r->n : 1) * sizeof *ids);
    if (!done || !ids) {
        free(done);
        free(ids);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (done[i])
            continue;
        entry *a = &r->v[i];
        size_t k = 0;
        for (size_t j = i; j < r->n && k < WB_WA_RECEIPT_IDS_MAX; j++) {
            entry *b = &r->v[j];
            if (done[j] || !wb_jid_eq(&a->to, &b->to) ||
                !wb_jid_eq(&a->participant, &b->participant) ||
                !wb_jid_eq(&a->recipient, &b->recipient) ||
                (a->type ? !b->type || strcmp(a->type, b->type) : b->type != NULL))
                continue;
            done[j] = 1;
            ids[k++] = b->id;
        }
        wb_wa_receipt rc = {.ids = ids, .nids = k, .to = a->to, .participant = a->participant,
                            .recipient = a->recipient, .type = a->type};
        wb_client_send_node(c, wb_wa_receipt_new(&c->arena, &rc));
    }
    free(done);
    free(ids);
}

static void emit_messages(wb_client *c) {
    struct wb_client_recv *r = c->recv;
    for (int offline = 0; offline <= 1; offline++) {
        size_t n = 0;
        for (size_t i = 0; i < r->n; i++)
            n += r->v[i].fresh && r->v[i].offline == offline;
        if (!n)
            continue;
        Wa__WebMessageInfo **msgs = wb_arena_alloc(&c->evq.arena, n * sizeof *msgs);
        int64_t *seqs = wb_arena_alloc(&c->evq.arena, n * sizeof *seqs);
        if (!msgs || !seqs)
            continue; /* out of memory: the rows stay pending and come back at the next start */
        size_t k = 0;
        for (size_t i = 0; i < r->n; i++)
            if (r->v[i].fresh && r->v[i].offline == offline) {
                msgs[k] = r->v[i].info;
                seqs[k++] = r->v[i].seq;
                r->v[i].info = NULL; /* the event queue's now */
            }
        wb_client_event ev = {.type = WB_CLIENT_EV_MESSAGES};
        ev.messages.append = offline;
        ev.messages.n = n;
        ev.messages.msgs = msgs;
        ev.messages.seqs = seqs;
        wb_client_emit(c, &ev);
        for (size_t i = 0; i < n; i++) /* what they change: messages.update, .reaction */
            wb_client_kinds_emit(c, msgs[i]);
    }
}

int wb_client_recv_flush(wb_client *c) {
    struct wb_client_recv *r = c->recv;
    wb_client_inbox_take(c); /* the held messages first (none when called from inside it) */
    if (!r || !r->in_tx)
        return 0;
    r->in_tx = 0;
    int rc = wb_store_commit(c->st);
    if (rc < 0) {
        /* nothing acknowledged: the server delivers these again */
        WB_ERROR("client", "cannot store %zu received messages: %s", r->n, wb_strerror(rc));
        entries_free(r);
        return rc;
    }
    send_receipts(c);
    emit_messages(c);
    entries_free(r);
    return 0;
}

/* ---- after a restart ------------------------------------------------------------------------ */

typedef struct replay {
    wb_client *c;
    Wa__WebMessageInfo **msgs;
    int64_t *seqs;
    size_t n;
} replay;

static void replay_emit(replay *p) {
    if (!p->n)
        return;
    wb_client_event ev = {.type = WB_CLIENT_EV_MESSAGES};
    ev.messages.append = 1;
    ev.messages.replay = 1;
    ev.messages.n = p->n;
    ev.messages.msgs = p->msgs;
    ev.messages.seqs = p->seqs;
    wb_client_emit(p->c, &ev);
    for (size_t i = 0; i < p->n; i++)
        wb_client_kinds_emit(p->c, p->msgs[i]);
    p->n = 0;
    p->msgs = NULL;
    p->seqs = NULL;
}

static int replay_row(void *ud, const wb_message_row *row) {
    replay *p = ud;
    wb_client *c = p->c;
    if (!p->msgs) {
        p->msgs = wb_arena_alloc(&c->evq.arena, BATCH_MAX * sizeof *p->msgs);
        p->seqs = wb_arena_alloc(&c->evq.arena, BATCH_MAX * sizeof *p->seqs);
        if (!p->msgs || !p->seqs)
            return WB_ENOMEM;
    }
    Wa__WebMessageInfo *info;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0, &info,
                        NULL) < 0) {
        WB_WARN("client", "stored message %lld does not decode; skipped", (long long)row->seq);
        return 0;
    }
    p->msgs[p->n] = info;
    p->seqs[p->n++] = row->seq;
    if (p->n == BATCH_MAX)
        replay_emit(p);
    return 0;
}

int wb_client_recv_replay(wb_client *c) {
    replay p = {.c = c};
    wb_message_query q = {.pending_only = 1};
    int rc = wb_store_messages_each(c->st, &q, replay_row, &p);
    replay_emit(&p);
    return rc;
}

int wb_client_handled_flush(wb_client *c) {
    if (!c->nhandled)
        return 0;
    int rc = wb_store_begin(c->st);
    if (rc == 0)
        rc = wb_store_messages_handled(c->st, c->handled, c->nhandled);
    if (rc == 0)
        rc = wb_store_commit(c->st);
    else
        wb_store_rollback(c->st);
    if (rc < 0)
        WB_WARN("client", "cannot mark %zu messages handled: they may be delivered again",
                c->nhandled);
    c->nhandled = 0;
    return rc;
}
