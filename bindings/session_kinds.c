/* Message kinds, presence and receipts for bots (session.h): the primitives sock.lua builds
 * sendMessage's content kinds, sendPresenceUpdate, presenceSubscribe, sendReceipts and
 * getAggregateVotesInPollMessage on, and the events of those kinds in Baileys' shapes.
 *
 *   build(jid, content, opts) -> Message table   content and options as Baileys' sendMessage
 *                               takes them, read into a wb_client_content and built by the
 *                               client (wb_client_content_build), so the CLI and bots send the
 *                               same Message for the same content; misuse raises, a vote for a
 *                               poll not stored answers nil, message, 'ENOTFOUND'
 *   presence(type[, jid]), subscribe(jid), receipts(keys[, type]) -> true | nil, message, code
 *   tally(message) -> {{name=, voters={...}}, ...}
 *
 * Tables become protobuf structs through proto.c (wb_lua_to_proto), held by a userdata until the
 * call ends so that an error raised half-way leaks nothing. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings/bindings.h"
#include "bindings/session_int.h"
#include "core/arena.h"
#include "wb_proto.h"

/* ---- what a call holds ----------------------------------------------------------------------- */

#define HOLD_MT "wabot.session.hold"
#define HOLD_MAX 16

typedef struct hold {
    ProtobufCMessage *v[HOLD_MAX];
    int n;
} hold;

static int hold_gc(lua_State *L) {
    hold *h = luaL_checkudata(L, 1, HOLD_MT);
    for (int i = 0; i < h->n; i++)
        wb_proto_free(h->v[i]);
    h->n = 0;
    return 0;
}

static hold *new_hold(lua_State *L) {
    hold *h = lua_newuserdatauv(L, sizeof *h, 0);
    h->n = 0;
    if (luaL_newmetatable(L, HOLD_MT)) {
        lua_pushcfunction(L, hold_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return h;
}

/* m given to h (freed at once, and an error raised, when h is full). */
static void *hold_add(lua_State *L, hold *h, ProtobufCMessage *m) {
    if (h->n == HOLD_MAX) {
        wb_proto_free(m);
        luaL_error(L, "too many messages in one call");
    }
    h->v[h->n++] = m;
    return m;
}

/* The table at idx as a message of type d, held by h. */
static void *held(lua_State *L, hold *h, int idx, const ProtobufCMessageDescriptor *d) {
    if (h->n == HOLD_MAX)
        luaL_error(L, "too many messages in one call");
    ProtobufCMessage *m;
    wb_lua_to_proto(L, idx, d, &m);
    return hold_add(L, h, m);
}

static int bad(lua_State *L, const char *fmt, const char *what) {
    return luaL_error(L, "bad argument #3 to 'sendMessage' (%s %s)", what, fmt);
}

/* content[field] pushed; its type, or LUA_TNIL. */
static int field(lua_State *L, int t, const char *name) { return lua_getfield(L, t, name); }

/* A message key at the top of the stack (popped), held. */
static const Wa__MessageKey *key_at_top(lua_State *L, hold *h, const char *what) {
    if (!lua_istable(L, -1))
        bad(L, "must be a message key {remoteJid=, id=, fromMe=}", what);
    const Wa__MessageKey *k = held(L, h, lua_gettop(L), &wa__message_key__descriptor);
    if (!k->remotejid || !k->id)
        bad(L, "must be a message key {remoteJid=, id=, fromMe=}", what);
    lua_pop(L, 1);
    return k;
}

/* The array of strings at the top of the stack into a userdata array (left on the stack under
 * nothing: the caller keeps it below its other values). */
static const char **strings_at(lua_State *L, int idx, size_t *n, const char *what) {
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        bad(L, "must be an array of strings", what);
    *n = lua_rawlen(L, idx);
    const char **v = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof *v, 0);
    for (size_t i = 0; i < *n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "bad argument #3 to 'sendMessage' (%s[%d] must be a string)", what,
                       (int)i + 1);
        v[i] = lua_tostring(L, -1); /* kept alive by the array table */
        lua_pop(L, 1);
    }
    return v;
}

/* ---- build ----------------------------------------------------------------------------------- */

static void read_poll(lua_State *L, wb_client_content *in) {
    int p = lua_gettop(L);
    if (!lua_istable(L, p))
        bad(L, "must be {name=, values={...}, selectableCount=}", "poll");
    if (field(L, p, "name") != LUA_TSTRING)
        bad(L, "must be a string", "poll.name");
    in->poll.name = lua_tostring(L, -1);
    field(L, p, "values");
    in->poll.values = strings_at(L, -1, &in->poll.n, "poll.values");
    int t = field(L, p, "selectableCount");
    if (t != LUA_TNIL) {
        lua_Integer n = lua_tointeger(L, -1);
        if (!lua_isinteger(L, -1) || n < 0 || (size_t)n > in->poll.n)
            bad(L, "must be an integer from 0 to #values", "poll.selectableCount");
        in->poll.selectable = (unsigned)n;
    }
    if (field(L, p, "messageSecret") != LUA_TNIL) {
        size_t len;
        const char *secret = lua_tolstring(L, -1, &len);
        if (!secret || len != 32)
            bad(L, "must be 32 bytes", "poll.messageSecret");
        in->poll.secret = (const uint8_t *)secret;
    }
    /* the values left on the stack keep the strings alive */
}

static void read_contacts(lua_State *L, hold *h, wb_client_content *in) {
    int t = lua_gettop(L);
    if (!lua_istable(L, t) || field(L, t, "contacts") != LUA_TTABLE)
        bad(L, "must be {displayName=, contacts={{displayName=, vcard=}, ...}}", "contacts");
    int list = lua_gettop(L);
    size_t n = lua_rawlen(L, list);
    if (!n || n > HOLD_MAX - 4)
        bad(L, "must hold 1 to 12 contacts", "contacts.contacts");
    const Wa__Message__ContactMessage **v = lua_newuserdatauv(L, n * sizeof *v, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, list, (lua_Integer)i + 1);
        if (!lua_istable(L, -1))
            bad(L, "must be tables {displayName=, vcard=}", "contacts.contacts");
        v[i] = held(L, h, lua_gettop(L), &wa__message__contact_message__descriptor);
        lua_pop(L, 1);
    }
    in->contacts.v = v;
    in->contacts.n = n;
    if (field(L, t, "displayName") == LUA_TSTRING)
        in->contacts.name = lua_tostring(L, -1);
}

/* Reads content (at index 2) and opts (3) into in; what it points to stays on the stack. */
static void read_content(lua_State *L, hold *h, wb_client_content *in) {
    int t;
    if ((t = field(L, 2, "text")) != LUA_TNIL) {
        if (t != LUA_TSTRING)
            bad(L, "must be a string", "text");
        in->text = lua_tostring(L, -1);
    }
    if (field(L, 2, "react") != LUA_TNIL) {
        int r = lua_gettop(L);
        if (!lua_istable(L, r) || field(L, r, "text") != LUA_TSTRING)
            bad(L, "must be {text=, key=}", "react");
        in->react.text = lua_tostring(L, -1);
        field(L, r, "key");
        in->react.key = key_at_top(L, h, "react.key");
    }
    if (field(L, 2, "delete") != LUA_TNIL)
        in->revoke = key_at_top(L, h, "delete");
    else
        lua_pop(L, 1);
    if (field(L, 2, "edit") != LUA_TNIL)
        in->edit = key_at_top(L, h, "edit");
    else
        lua_pop(L, 1);
    if ((t = field(L, 2, "location")) != LUA_TNIL) {
        if (t != LUA_TTABLE)
            bad(L, "must be {degreesLatitude=, degreesLongitude=}", "location");
        in->location = held(L, h, lua_gettop(L), &wa__message__location_message__descriptor);
    }
    if (field(L, 2, "poll") != LUA_TNIL)
        read_poll(L, in);
    if (field(L, 2, "vote") != LUA_TNIL) {
        int v = lua_gettop(L);
        if (!lua_istable(L, v))
            bad(L, "must be {key=<the poll's key>, values={...}}", "vote");
        field(L, v, "values");
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_newtable(L);
        }
        in->vote.values = strings_at(L, -1, &in->vote.n, "vote.values");
        field(L, v, "key");
        in->vote.key = key_at_top(L, h, "vote.key");
    }
    if (field(L, 2, "contacts") != LUA_TNIL)
        read_contacts(L, h, in);
    if ((t = field(L, 2, "forward")) != LUA_TNIL) {
        if (t != LUA_TTABLE)
            bad(L, "must be a message", "forward");
        in->forward.msg = held(L, h, lua_gettop(L), &wa__web_message_info__descriptor);
        field(L, 2, "force");
        in->forward.force = lua_toboolean(L, -1);
    }
    if ((t = field(L, 2, "media")) != LUA_TNIL) { /* made of an upload by lua/wabot/content.lua */
        if (t != LUA_TTABLE)
            bad(L, "must be a media message", "media");
        in->media = held(L, h, lua_gettop(L), &wa__message__descriptor);
    }
    field(L, 2, "viewOnce");
    in->view_once = lua_toboolean(L, -1);
    if ((t = field(L, 2, "mentions")) != LUA_TNIL)
        in->mentions = strings_at(L, -1, &in->nmentions, "mentions");
    if (lua_istable(L, 3)) {
        if ((t = field(L, 3, "quoted")) != LUA_TNIL) {
            if (t != LUA_TTABLE)
                luaL_error(L, "bad argument #4 to 'sendMessage' (quoted must be a message)");
            in->quoted = held(L, h, lua_gettop(L), &wa__web_message_info__descriptor);
        }
        if ((t = field(L, 3, "ephemeralExpiration")) != LUA_TNIL) {
            lua_Integer e = lua_tointeger(L, -1);
            if (!lua_isinteger(L, -1) || e < 0 || e > UINT32_MAX)
                luaL_error(L, "bad argument #4 to 'sendMessage' (ephemeralExpiration must be "
                              "seconds)");
            in->ephemeral_expiration = (uint32_t)e;
        }
    }
}

/* session.build(jid, content[, opts]) -> Message table | nil, message, code */
static int l_build(lua_State *L) {
    const char *jid = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    luaL_checkstack(L, 64, "content");
    hold *h = new_hold(L);
    wb_client_content in = {0};
    read_content(L, h, &in);
    Wa__Message *m = NULL;
    wb_error e = {0};
    int rc = wb_client_content_build(wb_session_client_any(wb_session_of(L)), jid, &in, &m, &e);
    if (rc == WB_EINVAL)
        return luaL_error(L, "bad argument #3 to 'sendMessage' (%s)", e.what);
    if (rc < 0) {
        lua_pushnil(L);
        lua_pushstring(L, e.what[0] ? e.what : wb_strerror(rc));
        lua_pushstring(L, rc == WB_ENOTFOUND ? "ENOTFOUND" : "EIO");
        return 3;
    }
    hold_add(L, h, &m->base); /* freed with the rest, even if pushing raises */
    wb_lua_push_proto(L, &m->base);
    return 1;
}

/* ---- presence, receipts ---------------------------------------------------------------------- */

static int answer(lua_State *L, wb_session *s, int rc) {
    wb_session_kick(s);
    if (rc == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushnil(L);
    lua_pushstring(L, rc == WB_ECLOSED ? "not connected"
                      : rc == WB_ESTATE ? "no push name: availability needs one (as Baileys)"
                                        : wb_strerror(rc));
    lua_pushstring(L, rc == WB_ECLOSED ? "ENOTCONN" : rc == WB_EINVAL ? "EINVAL" : "EIO");
    return 3;
}

/* session.presence(type[, jid]) */
static int l_presence(lua_State *L) {
    const char *type = luaL_checkstring(L, 1), *jid = luaL_optstring(L, 2, NULL);
    wb_session *s = wb_session_of(L);
    wb_client *c = wb_session_client(s);
    int rc = c ? wb_client_send_presence(c, type, jid) : WB_ECLOSED;
    if (rc == WB_EINVAL)
        return luaL_error(L, "bad argument to 'sendPresenceUpdate' ('%s' for %s: types are "
                             "available, unavailable, composing, recording, paused; the last "
                             "three need a chat)", type, jid ? jid : "no chat");
    return answer(L, s, rc);
}

/* session.subscribe(jid) */
static int l_subscribe(lua_State *L) {
    const char *jid = luaL_checkstring(L, 1);
    wb_session *s = wb_session_of(L);
    wb_client *c = wb_session_client(s);
    int rc = c ? wb_client_presence_subscribe(c, jid) : WB_ECLOSED;
    if (rc == WB_EINVAL)
        return luaL_error(L, "bad argument #1 to 'presenceSubscribe' ('%s' is not a user JID)",
                          jid);
    return answer(L, s, rc);
}

wb_client_key *wb_session_read_keys(lua_State *L, int idx, size_t *n, const char *fn) {
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    *n = lua_rawlen(L, idx);
    wb_client_key *keys = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof *keys, 0);
    lua_newtable(L); /* keeps each key table reachable while its strings are borrowed */
    int anchor = lua_gettop(L);
    for (size_t i = 0; i < *n; i++) {
        if (lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TTABLE)
            luaL_error(L, "bad argument #1 to '%s' (keys[%d] is not a table)", fn, (int)i + 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, anchor, (lua_Integer)i + 1);
        lua_getfield(L, -1, "remoteJid");
        keys[i].remote_jid = lua_tostring(L, -1);
        lua_getfield(L, -2, "id");
        keys[i].id = lua_tostring(L, -1);
        lua_getfield(L, -3, "participant");
        keys[i].participant = lua_tostring(L, -1);
        lua_getfield(L, -4, "fromMe");
        keys[i].from_me = lua_toboolean(L, -1);
        lua_pop(L, 5);
        if (!keys[i].remote_jid || !keys[i].id)
            luaL_error(L, "bad argument #1 to '%s' (keys[%d] needs remoteJid and id)", fn,
                       (int)i + 1);
    }
    return keys;
}

/* session.receipts(keys, type) */
static int l_receipts(lua_State *L) {
    size_t n;
    const char *type = luaL_checkstring(L, 2);
    wb_client_key *keys = wb_session_read_keys(L, 1, &n, "sendReceipts");
    wb_session *s = wb_session_of(L);
    wb_client *c = wb_session_client(s);
    return answer(L, s, c ? wb_client_send_receipts(c, keys, n, type) : WB_ECLOSED);
}

/* ---- poll tallies ------------------------------------------------------------------------------ */

/* session.tally(message) -> {{name=, voters={jid, ...}}, ...}: a poll as a message table; without
 * pollUpdates, the stored poll of its key (the votes applied to it). */
static int l_tally(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    hold *h = new_hold(L);
    Wa__WebMessageInfo *poll = held(L, h, 1, &wa__web_message_info__descriptor);
    wb_client *c = wb_session_client_any(wb_session_of(L));
    char me[128] = "";
    if (c && wb_client_jid(c)[0]) {
        const char *j = wb_client_jid(c);
        snprintf(me, sizeof me, "%.*s@s.whatsapp.net", (int)strcspn(j, ":@"), j);
    }
    if (!poll->n_pollupdates && c && poll->key && poll->key->remotejid && poll->key->id) {
        Wa__WebMessageInfo *stored = NULL;
        if (wb_client_message_load(wb_client_store(c), poll->key->remotejid, poll->key->id,
                                   &stored) == 0) {
            poll = hold_add(L, h, &stored->base);
        }
    }
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_client_poll_option *o;
    size_t n;
    int rc = wb_client_poll_tally(poll, me, &a, &o, &n);
    if (rc < 0) {
        wb_arena_free(&a);
        if (rc == WB_EINVAL)
            return luaL_error(L, "bad argument #1 to 'getAggregateVotesInPollMessage' (not a "
                                 "poll)");
        return luaL_error(L, "not enough memory");
    }
    /* the tally is copied into Lua before anything can raise */
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, o[i].name);
        lua_setfield(L, -2, "name");
        lua_createtable(L, (int)o[i].nvoters, 0);
        for (size_t k = 0; k < o[i].nvoters; k++) {
            lua_pushstring(L, o[i].voters[k]);
            lua_rawseti(L, -2, (lua_Integer)k + 1);
        }
        lua_setfield(L, -2, "voters");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    wb_arena_free(&a);
    return 1;
}

const luaL_Reg wb_session_kinds_fns[] = {
    {"build", l_build},       {"presence", l_presence}, {"subscribe", l_subscribe},
    {"receipts", l_receipts}, {"tally", l_tally},       {NULL, NULL},
};

/* ---- events ------------------------------------------------------------------------------------ */

/* A kinds event copied for the runtime: the event with its strings and bytes in arena. */
typedef struct kpayload {
    wb_client_event ev;
    wb_arena arena;
} kpayload;

static void kpayload_free(void *ud) {
    kpayload *p = ud;
    wb_arena_free(&p->arena);
    free(p);
}

static const char *kdup(kpayload *p, const char *s, int *ok) {
    if (!s)
        return NULL;
    const char *c = wb_arena_strdup(&p->arena, s);
    *ok &= c != NULL;
    return c;
}

static wb_client_key dup_key(kpayload *p, const wb_client_key *k, int *ok) {
    return (wb_client_key){.remote_jid = kdup(p, k->remote_jid, ok), .from_me = k->from_me,
                           .id = kdup(p, k->id, ok), .participant = kdup(p, k->participant, ok)};
}

static const void *dup_bytes(kpayload *p, const void *b, size_t n, int *ok) {
    if (!b)
        return NULL;
    const void *c = wb_arena_memdup(&p->arena, b, n ? n : 1);
    *ok &= c != NULL;
    return c;
}

static void push_key(lua_State *L, const wb_client_key *k) {
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = (char *)k->remote_jid;
    key.has_fromme = 1;
    key.fromme = k->from_me;
    key.id = (char *)k->id;
    key.participant = (char *)k->participant;
    wb_lua_push_proto(L, &key.base);
}

/* messages.update: {{key=, update={message={editedMessage={message=}}, messageTimestamp=} |
 * {messageStubType='REVOKE', key=} | {pollUpdates={{pollUpdateMessageKey=, vote=
 * {selectedOptions={...}}, senderTimestampMs=}}}}} */
static int push_updates(lua_State *L, void *ud) {
    kpayload *p = ud;
    hold *h = new_hold(L);
    lua_createtable(L, (int)p->ev.updates.n, 0);
    for (size_t i = 0; i < p->ev.updates.n; i++) {
        const wb_client_update *u = &p->ev.updates.updates[i];
        lua_createtable(L, 0, 2);
        push_key(L, &u->key);
        lua_setfield(L, -2, "key");
        lua_createtable(L, 0, 2); /* update */
        if (u->kind == WB_CLIENT_UPDATE_EDIT) {
            ProtobufCMessage *m;
            if (wb_proto_unpack(&wa__message__descriptor, u->message, u->message_len, 0, &m,
                                NULL) < 0)
                return luaL_error(L, "an edited message does not decode");
            hold_add(L, h, m);
            lua_createtable(L, 0, 1);
            lua_createtable(L, 0, 1);
            wb_lua_push_proto(L, m);
            lua_setfield(L, -2, "message");
            lua_setfield(L, -2, "editedMessage");
            lua_setfield(L, -2, "message");
            lua_pushinteger(L, u->t);
            lua_setfield(L, -2, "messageTimestamp");
        } else if (u->kind == WB_CLIENT_UPDATE_REVOKE) {
            lua_pushliteral(L, "REVOKE");
            lua_setfield(L, -2, "messageStubType");
            push_key(L, &u->by);
            lua_setfield(L, -2, "key");
        } else {
            wb_buf b = WB_BUF_INIT;
            ProtobufCMessage *pu = NULL;
            int rc = wb_client_poll_update_pack(u, &b);
            if (rc == 0)
                rc = wb_proto_unpack(&wa__poll_update__descriptor, b.data, b.len, 0, &pu, NULL);
            wb_buf_free(&b);
            if (rc < 0)
                return luaL_error(L, "a vote does not encode");
            hold_add(L, h, pu);
            lua_createtable(L, 1, 0);
            wb_lua_push_proto(L, pu);
            lua_rawseti(L, -2, 1);
            lua_setfield(L, -2, "pollUpdates");
        }
        lua_setfield(L, -2, "update");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_remove(L, -2); /* the hold: what is returned is the list */
    return 1;
}

/* messages.reaction: {{key=<the message reacted to>, reaction={key=<the reaction's>, text=,
 * senderTimestampMs=}}} */
static int push_reactions(lua_State *L, void *ud) {
    kpayload *p = ud;
    lua_createtable(L, (int)p->ev.reactions.n, 0);
    for (size_t i = 0; i < p->ev.reactions.n; i++) {
        const wb_client_reaction *r = &p->ev.reactions.reactions[i];
        lua_createtable(L, 0, 2);
        push_key(L, &r->key);
        lua_setfield(L, -2, "key");
        lua_createtable(L, 0, 3);
        push_key(L, &r->by);
        lua_setfield(L, -2, "key");
        lua_pushstring(L, r->text ? r->text : "");
        lua_setfield(L, -2, "text");
        lua_pushinteger(L, r->sender_ts_ms);
        lua_setfield(L, -2, "senderTimestampMs");
        lua_setfield(L, -2, "reaction");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* presence.update: {id=, presences={[participant]={lastKnownPresence=, lastSeen=}}} */
static int push_presence(lua_State *L, void *ud) {
    const wb_client_presence *pr = &((kpayload *)ud)->ev.presence;
    lua_createtable(L, 0, 2);
    lua_pushstring(L, pr->id);
    lua_setfield(L, -2, "id");
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, 2);
    lua_pushstring(L, pr->presence);
    lua_setfield(L, -2, "lastKnownPresence");
    if (pr->last_seen > 0) {
        lua_pushinteger(L, pr->last_seen);
        lua_setfield(L, -2, "lastSeen");
    }
    lua_setfield(L, -2, pr->participant);
    lua_setfield(L, -2, "presences");
    return 1;
}

int wb_session_kinds_event(wb_session *s, const wb_client_event *ev) {
    wb_rt *rt = wb_session_rt(s);
    wb_rt_push_fn push;
    const char *name;
    switch (ev->type) {
    case WB_CLIENT_EV_MESSAGE_UPDATE:
        push = push_updates, name = "messages.update";
        break;
    case WB_CLIENT_EV_REACTION:
        push = push_reactions, name = "messages.reaction";
        break;
    case WB_CLIENT_EV_PRESENCE:
        push = push_presence, name = "presence.update";
        break;
    default:
        return 0;
    }
    kpayload *p = calloc(1, sizeof *p);
    if (!p)
        return 1;
    wb_arena_init(&p->arena, 0);
    p->ev = *ev;
    int ok = 1;
    if (ev->type == WB_CLIENT_EV_MESSAGE_UPDATE) {
        size_t n = ev->updates.n;
        wb_client_update *u = wb_arena_alloc(&p->arena, (n ? n : 1) * sizeof *u);
        ok = u != NULL;
        for (size_t i = 0; ok && i < n; i++) {
            const wb_client_update *from = &ev->updates.updates[i];
            u[i] = *from;
            u[i].key = dup_key(p, &from->key, &ok);
            u[i].by = dup_key(p, &from->by, &ok);
            u[i].message = dup_bytes(p, from->message, from->message_len, &ok);
            u[i].selected = dup_bytes(p, from->selected, from->nselected * 32, &ok);
        }
        p->ev.updates.updates = u;
    } else if (ev->type == WB_CLIENT_EV_REACTION) {
        size_t n = ev->reactions.n;
        wb_client_reaction *r = wb_arena_alloc(&p->arena, (n ? n : 1) * sizeof *r);
        ok = r != NULL;
        for (size_t i = 0; ok && i < n; i++) {
            r[i] = ev->reactions.reactions[i];
            r[i].key = dup_key(p, &ev->reactions.reactions[i].key, &ok);
            r[i].by = dup_key(p, &ev->reactions.reactions[i].by, &ok);
            r[i].text = kdup(p, ev->reactions.reactions[i].text, &ok);
        }
        p->ev.reactions.reactions = r;
    } else {
        p->ev.presence.id = kdup(p, ev->presence.id, &ok);
        p->ev.presence.participant = kdup(p, ev->presence.participant, &ok);
        p->ev.presence.presence = kdup(p, ev->presence.presence, &ok);
    }
    if (!ok || !rt) {
        kpayload_free(p);
        return 1;
    }
    wb_rt_post_event(rt, name, push, kpayload_free, p);
    return 1;
}
