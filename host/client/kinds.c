/* Message kinds that change other messages (client_int.h): reactions, edits, revokes ("delete
 * for everyone") and poll votes, and the disappearing-messages timer of a chat.
 *
 * Each is stored as its own row (its messages.upsert is delivered like any other, as Baileys
 * does) and applied to the row of the message it names, in the same transaction:
 *
 *   reaction   the target's WebMessageInfo.reactions: one per author, the newest ("" removes it),
 *              as Baileys' updateMessageWithReaction
 *   edit       by the target's author only: its message becomes {editedMessage: {message: <the
 *              new content>}} and its text the new text (the search index follows)
 *   revoke     by the author, or an admin in a group (the stanza's edit="8"; the server checks
 *              who is admin): the message, its text, reactions and votes are gone,
 *              messageStubType = REVOKE, the row marked revoked
 *   vote       opened with the poll's messageSecret (wa/poll.h) and kept in the poll's
 *              pollUpdates, one per voter, as Baileys' updateMessageWithPollUpdate; a vote that
 *              does not open is logged and not counted
 *   ephemeral  an EPHEMERAL_SETTING protocol message sets the chat's timer
 *
 * A change whose target is not stored yet waits in its own row (`target` names the id) and is
 * applied when the target is stored. Events (messages.update, messages.reaction, chats.update)
 * are made from the stored rows when their messages.upsert is queued, so a replay after a crash
 * brings them again with it: the key fields follow Baileys' process-message.js and cleanMessage
 * (the target's key seen from our side). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "store/contact_store.h"
#include "store/message_store.h"
#include "wa/content.h"
#include "wa/poll.h"
#include "wb_proto.h"

enum { CH_NONE = 0, CH_REACTION, CH_EDIT, CH_REVOKE, CH_VOTE, CH_EPHEMERAL };

/* What a message changes. */
typedef struct change {
    int kind;
    const Wa__Message *content;     /* the message, normalized */
    const Wa__MessageKey *target;   /* the changed message's key, as the sender wrote it */
    char chat[WB_JID_STR_MAX];
    char author[WB_JID_STR_MAX];    /* who made the change: a user JID (ours for our own) */
} change;

static const Wa__MessageKey *target_key(const Wa__Message *m, int *kind) {
    const Wa__Message__ProtocolMessage *p = m->protocolmessage;
    *kind = CH_NONE;
    if (m->reactionmessage && m->reactionmessage->key) {
        *kind = CH_REACTION;
        return m->reactionmessage->key;
    }
    if (m->pollupdatemessage && m->pollupdatemessage->pollcreationmessagekey &&
        m->pollupdatemessage->vote) {
        *kind = CH_VOTE;
        return m->pollupdatemessage->pollcreationmessagekey;
    }
    if (p && p->has_type && p->type == WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__EPHEMERAL_SETTING) {
        *kind = CH_EPHEMERAL;
        return NULL;
    }
    if (p && p->key && p->has_type && p->type == WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__REVOKE) {
        *kind = CH_REVOKE;
        return p->key;
    }
    if (p && p->key && p->editedmessage && p->has_type &&
        p->type == WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__MESSAGE_EDIT) {
        *kind = CH_EDIT;
        return p->key;
    }
    return NULL;
}

const char *wb_client_kinds_target(const Wa__Message *m) {
    int kind;
    const Wa__MessageKey *k = m ? target_key(wb_wa_content_normalize(m), &kind) : NULL;
    return k && k->id && *k->id ? k->id : NULL;
}

/* Baileys' getKeyAuthor: ours (me) when fromMe, else the participant, else the chat. */
static const char *author_of(const Wa__MessageKey *k, const char *me) {
    if (!k)
        return "";
    if (k->fromme)
        return me;
    return k->participant ? k->participant : k->remotejid ? k->remotejid : "";
}

static int classify(wb_client *c, const Wa__WebMessageInfo *info, change *ch) {
    memset(ch, 0, sizeof *ch);
    if (!info->message || !info->key || !info->key->remotejid)
        return CH_NONE;
    ch->content = wb_wa_content_normalize(info->message);
    ch->target = target_key(ch->content, &ch->kind);
    if (ch->kind != CH_EPHEMERAL && (!ch->target || !ch->target->id || !*ch->target->id))
        return ch->kind = CH_NONE;
    char me[WB_JID_STR_MAX];
    wb_client_me_user(c, me);
    snprintf(ch->chat, sizeof ch->chat, "%s", info->key->remotejid);
    snprintf(ch->author, sizeof ch->author, "%s", author_of(info->key, me));
    return ch->kind;
}

/* ---- the stored target -------------------------------------------------------------------- */

typedef struct found {
    Wa__WebMessageInfo *info;
    int64_t seq;
    char sender[WB_JID_STR_MAX];
    int revoked;
} found;

static int take_row(void *ud, const wb_message_row *row) {
    found *f = ud;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0, &f->info,
                        NULL) < 0)
        return 0; /* damaged: look on */
    f->seq = row->seq;
    f->revoked = row->revoked;
    snprintf(f->sender, sizeof f->sender, "%s", row->sender);
    return 1;
}

/* The stored message (chat, id) that is not itself a change, into f (free f->info). */
static int find(wb_store *st, const char *chat, const char *id, found *f) {
    memset(f, 0, sizeof *f);
    wb_message_query q = {.chat = chat, .id = id, .no_changes = 1, .limit = 4};
    int rc = wb_store_messages_each(st, &q, take_row, f);
    if (rc < 0)
        return rc;
    return f->info ? 0 : WB_ENOTFOUND;
}

wb_store *wb_client_store(const wb_client *c) { return c->st; }

int wb_client_message_load(wb_store *st, const char *chat, const char *id,
                           Wa__WebMessageInfo **out) {
    found f;
    int rc = find(st, chat, id, &f);
    if (rc == 0)
        *out = f.info;
    return rc;
}

static int rewrite(wb_client *c, const found *f, const Wa__WebMessageInfo *info, int revoked) {
    wb_buf b = WB_BUF_INIT;
    int rc = wb_proto_pack(info, &b);
    if (rc == 0)
        rc = wb_store_message_rewrite(c->st, f->seq,
                                      info->message ? wb_client_message_text(info->message) : NULL,
                                      b.data, b.len, revoked);
    wb_buf_free(&b);
    return rc;
}

/* ---- poll votes ---------------------------------------------------------------------------- */

static const Wa__Message__PollCreationMessage *poll_of(const Wa__Message *m) {
    m = wb_wa_content_normalize(m);
    return !m ? NULL : m->pollcreationmessage ? m->pollcreationmessage
                     : m->pollcreationmessagev2 ? m->pollcreationmessagev2
                                                : m->pollcreationmessagev3;
}

/* The other addressing of a user JID (its LID for a phone number, and back) into out, or "". */
static void other_form(wb_client *c, const char *jid, char out[WB_JID_STR_MAX]) {
    char tmp[WB_CONTACT_JID_MAX];
    out[0] = '\0';
    if (strstr(jid, "@" WB_SERVER_LID) ? wb_store_contact_pn_of(c->st, jid, tmp) == 0
                                       : wb_store_contact_lid_of(c->st, jid, tmp) == 0)
        snprintf(out, WB_JID_STR_MAX, "%.*s", (int)(WB_JID_STR_MAX - 1), tmp);
}

/* Opens the vote of ch (from info) in poll, into *out (free with wb_proto_free): with the poll's
 * author and the voter by the chat's addressing, then (as whatsmeow does while WhatsApp moves to
 * LIDs) by the other one. */
static int open_vote(wb_client *c, const change *ch, const Wa__WebMessageInfo *poll,
                     const char *poll_author, Wa__Message__PollVoteMessage **out) {
    const Wa__MessageContextInfo *mci = poll->message ? poll->message->messagecontextinfo : NULL;
    const Wa__Message__PollEncValue *v = ch->content->pollupdatemessage->vote;
    if (!mci || !mci->has_messagesecret || mci->messagesecret.len != WB_WA_POLL_SECRET_LEN ||
        !v->has_encpayload || !v->has_enciv)
        return WB_EPROTO;
    char creators[2][WB_JID_STR_MAX], voters[2][WB_JID_STR_MAX];
    snprintf(creators[0], WB_JID_STR_MAX, "%s", poll_author);
    snprintf(voters[0], WB_JID_STR_MAX, "%s", ch->author);
    other_form(c, creators[0], creators[1]);
    other_form(c, voters[0], voters[1]);
    wb_buf pt = WB_BUF_INIT;
    int rc = WB_EAUTH;
    for (int i = 0; i < 4 && rc == WB_EAUTH; i++) {
        const char *cr = creators[i & 1], *vo = voters[i >> 1];
        if (!*cr || !*vo)
            continue;
        wb_buf_reset(&pt);
        rc = wb_wa_poll_vote_open(mci->messagesecret.data, ch->target->id, cr, vo,
                                  v->enciv.data, v->enciv.len, v->encpayload.data,
                                  v->encpayload.len, &pt);
    }
    if (rc == 0)
        rc = wb_proto_unpack(&wa__message__poll_vote_message__descriptor, pt.data, pt.len, 0, out,
                             NULL);
    wb_buf_free_secret(&pt);
    return rc;
}

/* ---- applying ------------------------------------------------------------------------------ */

static int same_user(const char *a, const char *b) {
    wb_jid x, y;
    if (wb_jid_parse(&x, a) < 0 || wb_jid_parse(&y, b) < 0)
        return strcmp(a, b) == 0;
    return wb_jid_same_user(&x, &y);
}

static int apply_reaction(wb_client *c, const change *ch, const Wa__WebMessageInfo *by,
                          found *t, const char *me) {
    const Wa__Message__ReactionMessage *r = ch->content->reactionmessage;
    Wa__WebMessageInfo *ti = t->info;
    size_t n = ti->n_reactions, k = 0;
    Wa__Reaction **keep = malloc((n + 1) * sizeof *keep);
    if (!keep)
        return WB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!same_user(author_of(ti->reactions[i]->key, me), ch->author))
            keep[k++] = ti->reactions[i];
    Wa__Reaction nr = WA__REACTION__INIT;
    if (r->text && *r->text) {
        nr.key = by->key;
        nr.text = r->text;
        nr.has_sendertimestampms = r->has_sendertimestampms;
        nr.sendertimestampms = r->sendertimestampms;
        keep[k++] = &nr;
    }
    Wa__Reaction **old = ti->reactions;
    ti->reactions = keep;
    ti->n_reactions = k;
    int rc = rewrite(c, t, ti, t->revoked);
    ti->reactions = old;
    ti->n_reactions = n;
    free(keep);
    return rc;
}

static int apply_vote(wb_client *c, const change *ch, const Wa__WebMessageInfo *by, found *t,
                      const char *me) {
    Wa__WebMessageInfo *ti = t->info;
    if (!poll_of(ti->message))
        return WB_EPROTO;
    Wa__Message__PollVoteMessage *vote;
    int rc = open_vote(c, ch, ti, t->sender, &vote);
    if (rc < 0)
        return rc;
    size_t n = ti->n_pollupdates, k = 0;
    Wa__PollUpdate **keep = malloc((n + 1) * sizeof *keep);
    if (!keep) {
        wb_proto_free(vote);
        return WB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (!same_user(author_of(ti->pollupdates[i]->pollupdatemessagekey, me), ch->author))
            keep[k++] = ti->pollupdates[i];
    Wa__PollUpdate nu = WA__POLL_UPDATE__INIT;
    if (vote->n_selectedoptions) {
        const Wa__Message__PollUpdateMessage *u = ch->content->pollupdatemessage;
        nu.pollupdatemessagekey = by->key;
        nu.vote = vote;
        nu.has_sendertimestampms = u->has_sendertimestampms;
        nu.sendertimestampms = u->sendertimestampms;
        keep[k++] = &nu;
    }
    Wa__PollUpdate **old = ti->pollupdates;
    ti->pollupdates = keep;
    ti->n_pollupdates = k;
    rc = rewrite(c, t, ti, t->revoked);
    ti->pollupdates = old;
    ti->n_pollupdates = n;
    free(keep);
    wb_proto_free(vote);
    return rc;
}

static int apply_edit(wb_client *c, const change *ch, found *t) {
    Wa__WebMessageInfo *ti = t->info;
    if (!same_user(t->sender, ch->author) || t->revoked)
        return WB_EPROTO; /* not the author's */
    Wa__Message edited = WA__MESSAGE__INIT;
    Wa__Message__FutureProofMessage fp = WA__MESSAGE__FUTURE_PROOF_MESSAGE__INIT;
    fp.message = ch->content->protocolmessage->editedmessage;
    edited.editedmessage = &fp;
    Wa__Message *old = ti->message;
    ti->message = &edited;
    int rc = rewrite(c, t, ti, 0);
    ti->message = old;
    return rc;
}

static int apply_revoke(wb_client *c, const change *ch, found *t, int admin) {
    Wa__WebMessageInfo *ti = t->info;
    int group = strstr(ch->chat, "@" WB_SERVER_GROUP) != NULL;
    if (!same_user(t->sender, ch->author) && !(group && admin))
        return WB_EPROTO; /* not the author's */
    Wa__Message *old = ti->message;
    size_t nr = ti->n_reactions, np = ti->n_pollupdates;
    ti->message = NULL;
    ti->n_reactions = ti->n_pollupdates = 0;
    int had_stub = ti->has_messagestubtype;
    Wa__WebMessageInfo__StubType stub = ti->messagestubtype;
    ti->has_messagestubtype = 1;
    ti->messagestubtype = WA__WEB_MESSAGE_INFO__STUB_TYPE__REVOKE;
    int rc = rewrite(c, t, ti, 1);
    ti->message = old;
    ti->n_reactions = nr;
    ti->n_pollupdates = np;
    ti->has_messagestubtype = had_stub;
    ti->messagestubtype = stub;
    return rc;
}

/* Applies one change (from the message by) to its stored target; WB_ENOTFOUND when there is none
 * yet. */
static int apply_one(wb_client *c, const change *ch, const Wa__WebMessageInfo *by, int admin) {
    char me[WB_JID_STR_MAX];
    wb_client_me_user(c, me);
    if (ch->kind == CH_EPHEMERAL) {
        const Wa__Message__ProtocolMessage *p = ch->content->protocolmessage;
        int rc = wb_store_chat_ephemeral_put(c->st, ch->chat,
                                             p->has_ephemeralexpiration ? p->ephemeralexpiration : 0,
                                             (int64_t)by->messagetimestamp);
        return rc < 0 ? rc : 0;
    }
    found t;
    int rc = find(c->st, ch->chat, ch->target->id, &t);
    if (rc < 0)
        return rc;
    switch (ch->kind) {
    case CH_REACTION:
        rc = apply_reaction(c, ch, by, &t, me);
        break;
    case CH_VOTE:
        rc = apply_vote(c, ch, by, &t, me);
        break;
    case CH_EDIT:
        rc = apply_edit(c, ch, &t);
        break;
    case CH_REVOKE:
        rc = apply_revoke(c, ch, &t, admin);
        break;
    }
    wb_proto_free(t.info);
    return rc;
}

static const char *const kind_names[] = {"", "reaction", "edit", "revoke", "vote", "timer"};

/* Applies the changes stored before their target (info) arrived, oldest first. */
typedef struct waiting {
    wb_client *c;
    int rc;
} waiting;

static int apply_waiting(void *ud, const wb_message_row *row) {
    waiting *w = ud;
    Wa__WebMessageInfo *by;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0, &by,
                        NULL) < 0)
        return 0;
    change ch;
    if (classify(w->c, by, &ch) != CH_NONE) {
        int rc = apply_one(w->c, &ch, by, 0);
        if (rc == WB_ESTORE || rc == WB_ENOMEM)
            w->rc = rc;
        else if (rc < 0)
            WB_INFO("client", "a change (%s) of %s from %s does not apply: %s", kind_names[ch.kind],
                    row->target, ch.author, wb_strerror(rc));
    }
    wb_proto_free(by);
    return w->rc;
}

int wb_client_kinds_apply(wb_client *c, const Wa__WebMessageInfo *info, int admin) {
    change ch;
    if (classify(c, info, &ch) == CH_NONE) {
        /* a message others may have changed before it came */
        if (!info->key || !info->key->id || !info->key->remotejid)
            return 0;
        waiting w = {.c = c};
        wb_message_query q = {.chat = info->key->remotejid, .target = info->key->id};
        int rc = wb_store_messages_each(c->st, &q, apply_waiting, &w);
        return rc < 0 ? rc : w.rc;
    }
    int rc = apply_one(c, &ch, info, admin);
    if (rc == WB_ESTORE || rc == WB_ENOMEM)
        return rc;
    if (rc == WB_ENOTFOUND)
        WB_DEBUG("client", "a %s of %s that is not stored (yet)", kind_names[ch.kind],
                 ch.target->id);
    else if (rc < 0)
        WB_WARN("client", "a change (%s) of %s from %s does not apply: %s", kind_names[ch.kind],
                ch.target->id, ch.author, wb_strerror(rc));
    return 0;
}

/* ---- events -------------------------------------------------------------------------------- */

/* A key into the event arena. */
static wb_client_key ev_key(wb_client *c, const char *remote_jid, int from_me, const char *id,
                            const char *participant) {
    return (wb_client_key){.remote_jid = wb_client_evstr(c, remote_jid), .from_me = from_me,
                           .id = wb_client_evstr(c, id),
                           .participant = participant ? wb_client_evstr(c, participant) : NULL};
}

static wb_client_key ev_key_of(wb_client *c, const Wa__MessageKey *k) {
    return ev_key(c, k->remotejid, k->fromme, k->id, k->participant);
}

/* The target's key from our side, as Baileys' cleanMessage makes it for reactions and votes: a
 * change from someone else named the message from their side. */
static wb_client_key seen_key(wb_client *c, const change *ch, const Wa__WebMessageInfo *by) {
    const Wa__MessageKey *k = ch->target;
    if (by->key->fromme)
        return ev_key_of(c, k);
    char me[WB_JID_STR_MAX];
    wb_client_me_user(c, me);
    const char *named = k->participant ? k->participant : k->remotejid ? k->remotejid : "";
    int from_me = !k->fromme && (same_user(named, me) ||
                                 (c->dev.lid[0] && same_user(named, c->dev.lid)));
    return ev_key(c, by->key->remotejid, from_me, k->id,
                  k->participant ? k->participant : by->key->participant);
}

static void emit_update(wb_client *c, const wb_client_update *u) {
    wb_client_update *copy = wb_arena_memdup(&c->evq.arena, u, sizeof *u);
    if (!copy)
        return;
    wb_client_event ev = {.type = WB_CLIENT_EV_MESSAGE_UPDATE};
    ev.updates.n = 1;
    ev.updates.updates = copy;
    wb_client_emit(c, &ev);
}

static void emit_vote(wb_client *c, const change *ch, const Wa__WebMessageInfo *by) {
    found t;
    if (find(c->st, ch->chat, ch->target->id, &t) < 0)
        return; /* the poll is not stored: nothing to open the vote with */
    Wa__Message__PollVoteMessage *vote = NULL;
    int rc = poll_of(t.info->message) ? open_vote(c, ch, t.info, t.sender, &vote) : WB_EPROTO;
    if (rc == 0) {
        const Wa__Message__PollUpdateMessage *pu = ch->content->pollupdatemessage;
        wb_client_update u = {.key = seen_key(c, ch, by), .kind = WB_CLIENT_UPDATE_POLL_VOTE,
                              .by = ev_key_of(c, by->key),
                              .sender_ts_ms = pu->has_sendertimestampms ? pu->sendertimestampms : 0};
        uint8_t *sel = wb_arena_alloc(&c->evq.arena,
                                      (vote->n_selectedoptions ? vote->n_selectedoptions : 1) *
                                          WB_WA_POLL_HASH_LEN);
        for (size_t i = 0; sel && i < vote->n_selectedoptions; i++) {
            if (vote->selectedoptions[i].len != WB_WA_POLL_HASH_LEN)
                continue;
            memcpy(sel + u.nselected++ * WB_WA_POLL_HASH_LEN, vote->selectedoptions[i].data,
                   WB_WA_POLL_HASH_LEN);
        }
        u.selected = sel;
        if (sel)
            emit_update(c, &u);
    }
    wb_proto_free(vote);
    wb_proto_free(t.info);
}

void wb_client_kinds_emit(wb_client *c, const Wa__WebMessageInfo *by) {
    change ch;
    switch (classify(c, by, &ch)) {
    case CH_REACTION: {
        const Wa__Message__ReactionMessage *r = ch.content->reactionmessage;
        wb_client_reaction rx = {.key = seen_key(c, &ch, by), .by = ev_key_of(c, by->key),
                                 .text = wb_client_evstr(c, r->text),
                                 .sender_ts_ms = r->has_sendertimestampms ? r->sendertimestampms
                                                                          : 0};
        wb_client_reaction *copy = wb_arena_memdup(&c->evq.arena, &rx, sizeof rx);
        if (copy) {
            wb_client_event ev = {.type = WB_CLIENT_EV_REACTION};
            ev.reactions.n = 1;
            ev.reactions.reactions = copy;
            wb_client_emit(c, &ev);
        }
        break;
    }
    case CH_EDIT:
    case CH_REVOKE: {
        /* process-message.js: {...message.key, id: protocolMsg.key.id} */
        const Wa__MessageKey *k = by->key;
        wb_client_update u = {.key = ev_key(c, k->remotejid, k->fromme, ch.target->id,
                                            k->participant),
                              .kind = ch.kind == CH_EDIT ? WB_CLIENT_UPDATE_EDIT
                                                         : WB_CLIENT_UPDATE_REVOKE,
                              .by = ev_key_of(c, k)};
        if (ch.kind == CH_EDIT) {
            const Wa__Message__ProtocolMessage *p = ch.content->protocolmessage;
            wb_buf b = WB_BUF_INIT;
            if (wb_proto_pack(p->editedmessage, &b) == 0) {
                /* an edit to an empty message packs to no bytes (and no buffer): one zero
                 * byte then, so that u.message is set (fuzz_client_kinds) */
                u.message = b.len ? wb_arena_memdup(&c->evq.arena, b.data, b.len)
                                  : wb_arena_zalloc(&c->evq.arena, 1);
                u.message_len = b.len;
            }
            wb_buf_free(&b);
            u.t = p->has_timestampms ? p->timestampms / 1000 : (int64_t)by->messagetimestamp;
            if (!u.message)
                break;
        }
        emit_update(c, &u);
        break;
    }
    case CH_VOTE:
        emit_vote(c, &ch, by);
        break;
    case CH_EPHEMERAL: {
        /* chats.update, as group_events.c emits a group's timer */
        const Wa__Message__ProtocolMessage *p = ch.content->protocolmessage;
        wb_client_chat_update u = {.id = wb_client_evstr(c, ch.chat),
                                   .fields = WB_CHAT_F_EPHEMERAL,
                                   .ephemeral_expiration = p->has_ephemeralexpiration
                                                               ? p->ephemeralexpiration
                                                               : 0,
                                   .ephemeral_t = (int64_t)by->messagetimestamp};
        wb_client_chat_update *copy = wb_arena_memdup(&c->evq.arena, &u, sizeof u);
        if (copy) {
            wb_client_event ev = {.type = WB_CLIENT_EV_CHATS_UPDATE};
            ev.chats.n = 1;
            ev.chats.chats = copy;
            wb_client_emit(c, &ev);
        }
        break;
    }
    default:
        break;
    }
}
