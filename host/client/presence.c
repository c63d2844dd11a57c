/* Presence (client.h, wa/presence.h): what we say (available or away, typing, recording,
 * paused), subscriptions to others' presence, and presence.update events from what the server
 * tells us, as Baileys' chats.js sendPresenceUpdate, presenceSubscribe and handlePresenceUpdate
 * do. Nothing here is stored: presence lives as long as the connection. */
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wa/presence.h"

/* A JID a presence may name: a user (phone number or LID) or, for chat states, a group. */
static int parse_target(const char *jid, int group_ok, wb_jid *out) {
    if (!jid || wb_jid_parse(out, jid) < 0 || !out->user[0])
        return WB_EINVAL;
    if (wb_jid_on(out, WB_SERVER_USER) || wb_jid_on(out, WB_SERVER_LID))
        return 0;
    return group_ok && wb_jid_on(out, WB_SERVER_GROUP) ? 0 : WB_EINVAL;
}

int wb_client_send_presence(wb_client *c, const char *type, const char *jid) {
    const char *state = NULL, *media = NULL;
    int kind = wb_wa_presence_kind(type, &state, &media);
    wb_jid to = {0};
    if (kind == WB_WA_PRESENCE_BAD ||
        (kind == WB_WA_PRESENCE_CHATSTATE && parse_target(jid, 1, &to) < 0))
        return WB_EINVAL;
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    wb_node *n;
    if (kind == WB_WA_PRESENCE_AVAILABILITY) {
        if (!c->dev.name[0])
            return WB_ESTATE; /* Baileys: "no name present, ignoring presence update request" */
        wb_wa_presence p = {.type = type, .name = c->dev.name};
        n = wb_wa_presence_new(&c->arena, &p);
        c->presence_set = strcmp(type, "available") == 0 ? 1 : 2;
    } else {
        /* from: our device JID in the chat's addressing, as Baileys (me.lid for a LID chat) */
        wb_wa_chatstate s = {.to = to, .state = state, .media = media};
        const char *me = wb_jid_on(&to, WB_SERVER_LID) && c->dev.lid[0] ? c->dev.lid : c->dev.jid;
        if (wb_jid_parse(&s.from, me) < 0)
            return WB_ESTATE;
        n = wb_wa_chatstate_new(&c->arena, &s);
    }
    int rc = wb_client_send_node(c, n);
    wb_client_flush_events(c);
    return rc;
}

int wb_client_presence_subscribe(wb_client *c, const char *jid) {
    wb_jid to;
    if (parse_target(jid, 0, &to) < 0)
        return WB_EINVAL;
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    char id[WB_WA_IQ_ID_MAX];
    wb_client_stanza_id(c, id);
    wb_wa_presence p = {.type = "subscribe", .to = to, .id = id};
    int rc = wb_client_send_node(c, wb_wa_presence_new(&c->arena, &p));
    wb_client_flush_events(c);
    return rc;
}

int wb_client_online(const wb_client *c) {
    if (c->presence_set)
        return c->presence_set == 1;
    return !c->cfg.presence_unavailable && c->dev.name[0];
}

/* ---- what the server tells us ------------------------------------------------------------- */

static void emit(wb_client *c, const wb_jid *from, const wb_jid *participant, const char *presence,
                 int64_t last) {
    char id[WB_JID_STR_MAX], who[WB_JID_STR_MAX];
    wb_jid_format(from, id, sizeof id);
    if (wb_jid_is_empty(participant))
        memcpy(who, id, sizeof who);
    else
        wb_jid_format(participant, who, sizeof who);
    wb_client_event ev = {.type = WB_CLIENT_EV_PRESENCE};
    ev.presence.id = wb_client_evstr(c, id);
    ev.presence.participant = wb_client_evstr(c, who);
    ev.presence.presence = presence;
    ev.presence.last_seen = last;
    wb_client_emit(c, &ev);
}

int wb_client_on_presence(wb_client *c, wb_node *n) {
    wb_wa_presence p;
    wb_error e = {0};
    if (wb_wa_presence_read(n, &p, &e) < 0 || wb_jid_is_empty(&p.from)) {
        WB_DEBUG("client", "a presence we cannot read: %s", e.what[0] ? e.what : "no from");
        return 0;
    }
    /* handlePresenceUpdate: anything but unavailable reads as available */
    const char *presence = p.type && strcmp(p.type, "unavailable") == 0 ? "unavailable"
                                                                         : "available";
    emit(c, &p.from, &p.participant, presence, p.last);
    return 0;
}

int wb_client_on_chatstate(wb_client *c, wb_node *n) {
    wb_wa_chatstate s;
    wb_error e = {0};
    if (wb_wa_chatstate_read(n, &s, &e) < 0 || wb_jid_is_empty(&s.from)) {
        WB_DEBUG("client", "a chat state we cannot read: %s", e.what[0] ? e.what : "no from");
        return 0;
    }
    emit(c, &s.from, &s.participant, wb_wa_chatstate_presence(&s), 0);
    return 0;
}
