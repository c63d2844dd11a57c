/* Client events as Baileys-shaped JSON lines (events_json.h). */
#include "cli/events_json.h"

#include <stdio.h>

#include "wb_proto_json.h"

static cJSON *key_json(const wb_client_key *k) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "remoteJid", k->remote_jid);
    cJSON_AddBoolToObject(o, "fromMe", k->from_me);
    cJSON_AddStringToObject(o, "id", k->id);
    if (k->participant)
        cJSON_AddStringToObject(o, "participant", k->participant);
    return o;
}

static cJSON *messages_json(const wb_client_event *ev) {
    cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "messages");
    cJSON_AddStringToObject(o, "type", ev->messages.append ? "append" : "notify");
    if (ev->messages.replay)
        cJSON_AddBoolToObject(o, "replay", 1);
    for (size_t i = 0; i < ev->messages.n; i++) {
        cJSON *m;
        if (wb_proto_to_json(ev->messages.msgs[i], &m) == 0)
            cJSON_AddItemToArray(list, m);
    }
    return o;
}

static cJSON *status_json(const wb_client_event *ev, int receipts) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ev->status.n; i++) {
        const wb_client_status *s = &ev->status.updates[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "key", key_json(&s->key));
        if (receipts) {
            cJSON *r = cJSON_AddObjectToObject(o, "receipt");
            cJSON_AddStringToObject(r, "userJid", s->user);
            cJSON_AddNumberToObject(r, s->status == 4   ? "readTimestamp"
                                       : s->status == 5 ? "playedTimestamp"
                                                        : "receiptTimestamp",
                                    (double)s->t);
        } else {
            cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "update"), "status", s->status);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* ---- message kinds: the shapes of Baileys' process-message.js and chats.js ------------------ */

static void key_proto(Wa__MessageKey *out, const wb_client_key *k) {
    *out = (Wa__MessageKey)WA__MESSAGE_KEY__INIT;
    out->remotejid = (char *)k->remote_jid;
    out->has_fromme = 1;
    out->fromme = k->from_me;
    out->id = (char *)k->id;
    out->participant = (char *)k->participant;
}

static cJSON *proto_json(const void *m) {
    cJSON *j = NULL;
    return wb_proto_to_json(m, &j) == 0 ? j : cJSON_CreateNull();
}

/* messages.update of an edit ({message: {editedMessage: {message}}, messageTimestamp}), a revoke
 * ({message: null, messageStubType: 1, key}) or a vote ({pollUpdates: [...]}). */
static cJSON *update_json(const wb_client_update *u) {
    cJSON *o = cJSON_CreateObject(), *up = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "key", key_json(&u->key));
    cJSON_AddItemToObject(o, "update", up);
    Wa__MessageKey by;
    key_proto(&by, &u->by);
    if (u->kind == WB_CLIENT_UPDATE_EDIT) {
        Wa__Message *m = NULL;
        if (wb_proto_unpack(&wa__message__descriptor, u->message, u->message_len, 0, &m, NULL) == 0) {
            cJSON *edited = cJSON_AddObjectToObject(cJSON_AddObjectToObject(up, "message"),
                                                    "editedMessage");
            cJSON_AddItemToObject(edited, "message", proto_json(m));
            wb_proto_free(m);
        }
        cJSON_AddNumberToObject(up, "messageTimestamp", (double)u->t);
    } else if (u->kind == WB_CLIENT_UPDATE_REVOKE) {
        cJSON_AddNullToObject(up, "message");
        cJSON_AddNumberToObject(up, "messageStubType", WA__WEB_MESSAGE_INFO__STUB_TYPE__REVOKE);
        cJSON_AddItemToObject(up, "key", proto_json(&by));
    } else {
        wb_buf b = WB_BUF_INIT;
        Wa__PollUpdate *pu = NULL;
        if (wb_client_poll_update_pack(u, &b) == 0 &&
            wb_proto_unpack(&wa__poll_update__descriptor, b.data, b.len, 0, &pu, NULL) == 0)
            cJSON_AddItemToArray(cJSON_AddArrayToObject(up, "pollUpdates"), proto_json(pu));
        wb_proto_free(pu);
        wb_buf_free(&b);
    }
    return o;
}

static cJSON *updates_json(const wb_client_event *ev) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ev->updates.n; i++)
        cJSON_AddItemToArray(a, update_json(&ev->updates.updates[i]));
    return a;
}

/* messages.reaction: [{key, reaction: {key, text, senderTimestampMs}}] */
static cJSON *reactions_json(const wb_client_event *ev) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ev->reactions.n; i++) {
        const wb_client_reaction *r = &ev->reactions.reactions[i];
        Wa__MessageKey by;
        key_proto(&by, &r->by);
        Wa__Message__ReactionMessage rm = WA__MESSAGE__REACTION_MESSAGE__INIT;
        rm.key = &by;
        rm.text = (char *)r->text;
        rm.has_sendertimestampms = 1;
        rm.sendertimestampms = r->sender_ts_ms;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "key", key_json(&r->key));
        cJSON_AddItemToObject(o, "reaction", proto_json(&rm));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* presence.update: {id, presences: {[participant]: {lastKnownPresence, lastSeen}}} */
static cJSON *presence_json(const wb_client_event *ev) {
    const wb_client_presence *p = &ev->presence;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", p->id);
    cJSON *one = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "presences"), p->participant);
    cJSON_AddStringToObject(one, "lastKnownPresence", p->presence);
    if (p->last_seen > 0)
        cJSON_AddNumberToObject(one, "lastSeen", (double)p->last_seen);
    return o;
}

static cJSON *contacts_json(const wb_client_event *ev) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ev->contacts.n; i++) {
        const wb_client_contact *c = &ev->contacts.contacts[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", c->jid);
        if (c->name && *c->name)
            cJSON_AddStringToObject(o, ev->type == WB_CLIENT_EV_CHATS ? "name" : "notify", c->name);
        if (c->lid && *c->lid)
            cJSON_AddStringToObject(o, "lid", c->lid);
        if (c->t && ev->type == WB_CLIENT_EV_CHATS)
            cJSON_AddNumberToObject(o, "conversationTimestamp", (double)c->t);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *connection_json(const wb_client_event *ev) {
    static const char *const states[] = {"connecting", "open", "close"};
    cJSON *o = cJSON_CreateObject();
    int st = ev->connection.state;
    cJSON_AddStringToObject(o, "connection", st >= 0 && st <= 2 ? states[st] : "close");
    if (st == WB_CONN_CLOSE) {
        cJSON *d = cJSON_AddObjectToObject(o, "lastDisconnect");
        cJSON_AddNumberToObject(d, "statusCode", ev->connection.reason);
        cJSON_AddStringToObject(d, "reason", ev->connection.why ? ev->connection.why : "");
        cJSON_AddBoolToObject(d, "final", ev->connection.final);
    }
    if (st == WB_CONN_OPEN && ev->connection.is_new_login)
        cJSON_AddBoolToObject(o, "isNewLogin", 1);
    return o;
}

static void add_str(cJSON *o, const char *k, const char *v) {
    if (v)
        cJSON_AddStringToObject(o, k, v);
}

cJSON *wb_cli_participants_json(const wb_client_participant *p, size_t n) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        add_str(o, "id", p[i].id);
        add_str(o, "phoneNumber", p[i].phone);
        add_str(o, "lid", p[i].lid);
        if (p[i].admin)
            cJSON_AddStringToObject(o, "admin", p[i].admin);
        else
            cJSON_AddNullToObject(o, "admin");
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

cJSON *wb_cli_group_json(const wb_client_group *g) {
    cJSON *o = cJSON_CreateObject();
    unsigned f = g->fields;
    int all = (f & WB_GROUP_F_ALL) != 0;
    add_str(o, "id", g->id);
    if (all) {
        add_str(o, "addressingMode", g->addressing_mode);
        add_str(o, "subject", g->subject);
        add_str(o, "subjectOwner", g->subject_owner);
        cJSON_AddNumberToObject(o, "subjectTime", (double)g->subject_time);
        cJSON_AddNumberToObject(o, "size", (double)g->size);
        cJSON_AddNumberToObject(o, "creation", (double)g->creation);
        add_str(o, "owner", g->owner);
        add_str(o, "desc", g->desc);
        add_str(o, "descId", g->desc_id);
        add_str(o, "descOwner", g->desc_owner);
        if (g->desc)
            cJSON_AddNumberToObject(o, "descTime", (double)g->desc_time);
        cJSON_AddBoolToObject(o, "restrict", g->restrict_);
        cJSON_AddBoolToObject(o, "announce", g->announce);
        cJSON_AddBoolToObject(o, "isCommunity", 0);
        cJSON_AddBoolToObject(o, "isCommunityAnnounce", 0);
        cJSON_AddBoolToObject(o, "joinApprovalMode", 0);
        cJSON_AddBoolToObject(o, "memberAddMode", 0);
        cJSON_AddItemToObject(o, "participants",
                              wb_cli_participants_json(g->participants, g->nparticipants));
        if (g->ephemeral)
            cJSON_AddNumberToObject(o, "ephemeralDuration", g->ephemeral);
    } else {
        if (f & WB_GROUP_F_SUBJECT)
            add_str(o, "subject", g->subject);
        if (f & WB_GROUP_F_DESC)
            add_str(o, "desc", g->desc);
        if (f & WB_GROUP_F_ANNOUNCE)
            cJSON_AddBoolToObject(o, "announce", g->announce);
        if (f & WB_GROUP_F_RESTRICT)
            cJSON_AddBoolToObject(o, "restrict", g->restrict_);
        if (f & WB_GROUP_F_INVITE)
            add_str(o, "inviteCode", g->invite_code);
    }
    add_str(o, "author", g->author);
    return o;
}

static cJSON *groups_json(const wb_client_event *ev) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ev->groups.n; i++)
        cJSON_AddItemToArray(a, wb_cli_group_json(&ev->groups.groups[i]));
    return a;
}

static cJSON *group_participants_json(const wb_client_event *ev) {
    cJSON *o = cJSON_CreateObject();
    add_str(o, "id", ev->participants.id);
    add_str(o, "author", ev->participants.author);
    cJSON_AddItemToObject(o, "participants", wb_cli_participants_json(ev->participants.participants,
                                                                      ev->participants.n));
    add_str(o, "action", ev->participants.action);
    return o;
}

static cJSON *chat_updates_json(const wb_client_event *ev) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ev->chats.n; i++) {
        const wb_client_chat_update *u = &ev->chats.chats[i];
        cJSON *o = cJSON_CreateObject();
        add_str(o, "id", u->id);
        if (u->fields & WB_CHAT_F_NAME)
            add_str(o, "name", u->name);
        if (u->fields & WB_CHAT_F_DESCRIPTION)
            add_str(o, "description", u->description);
        if (u->fields & WB_CHAT_F_READ_ONLY)
            cJSON_AddBoolToObject(o, "readOnly", u->read_only);
        if (u->fields & WB_CHAT_F_EPHEMERAL) {
            cJSON_AddNumberToObject(o, "ephemeralSettingTimestamp", (double)u->ephemeral_t);
            if (u->ephemeral_expiration)
                cJSON_AddNumberToObject(o, "ephemeralExpiration", u->ephemeral_expiration);
            else
                cJSON_AddNullToObject(o, "ephemeralExpiration");
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

cJSON *wb_cli_event_json(const wb_client_event *ev) {
    const char *name;
    cJSON *data;
    switch (ev->type) {
    case WB_CLIENT_EV_CONNECTION:
        name = "connection.update";
        data = connection_json(ev);
        break;
    case WB_CLIENT_EV_QR:
        name = "connection.update";
        data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "qr", ev->qr.text);
        break;
    case WB_CLIENT_EV_MESSAGES:
        name = "messages.upsert";
        data = messages_json(ev);
        break;
    case WB_CLIENT_EV_MESSAGE_STATUS:
        name = "messages.update";
        data = status_json(ev, 0);
        break;
    case WB_CLIENT_EV_RECEIPT:
        name = "message-receipt.update";
        data = status_json(ev, 1);
        break;
    case WB_CLIENT_EV_CONTACTS:
        name = "contacts.upsert";
        data = contacts_json(ev);
        break;
    case WB_CLIENT_EV_CHATS:
        name = "chats.upsert";
        data = contacts_json(ev);
        break;
    case WB_CLIENT_EV_GROUPS_UPSERT:
    case WB_CLIENT_EV_GROUPS_UPDATE:
        name = ev->type == WB_CLIENT_EV_GROUPS_UPSERT ? "groups.upsert" : "groups.update";
        data = groups_json(ev);
        break;
    case WB_CLIENT_EV_GROUP_PARTICIPANTS:
        name = "group-participants.update";
        data = group_participants_json(ev);
        break;
    case WB_CLIENT_EV_CHATS_UPDATE:
        name = "chats.update";
        data = chat_updates_json(ev);
        break;
    case WB_CLIENT_EV_MESSAGE_UPDATE:
        name = "messages.update";
        data = updates_json(ev);
        break;
    case WB_CLIENT_EV_REACTION:
        name = "messages.reaction";
        data = reactions_json(ev);
        break;
    case WB_CLIENT_EV_PRESENCE:
        name = "presence.update";
        data = presence_json(ev);
        break;
    default:
        return NULL;
    }
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "event", name);
    cJSON_AddItemToObject(line, "data", data);
    return line;
}

int wb_cli_event_print(FILE *out, const wb_client_event *ev) {
    cJSON *j = wb_cli_event_json(ev);
    if (!j)
        return 0;
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        return 0;
    fputs(text, out);
    fputc('\n', out);
    fflush(out);
    cJSON_free(text);
    return 1;
}
