/* The client joined to the Lua host (session.h): the module "wabot.session" and the client's
 * events as Baileys' events.
 *
 * Events are copied out of the client's event (whose data lives only during the callback) into
 * a payload the runtime owns until delivery; the Lua tables are built from it on the tick, once,
 * and only if someone listens. Messages travel as their serialized WebMessageInfo (the client
 * frees its objects when the callback returns) and are decoded when the payload is built. */
#include "bindings/session.h"
#include "bindings/session_int.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "bindings/bindings.h"
#include "binary/jid.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "crypto/random.h"
#include "runtime/lua_rt.h"
#include "wb_proto.h"

/* A messages.upsert waiting to be posted. */
typedef struct held_upsert {
    struct held_upsert *next;
    struct payload *p;
} held_upsert;

struct wb_session {
    wb_client_host *host;
    wb_rt *rt;
    wb_session_stats stats;
    /* Messages replayed at the start (their listeners were cut short last time) arrive before
     * the connection opens; they are posted once it has, after connection.update, so that the
     * listeners' answers can be sent. */
    held_upsert *held, **held_tail;
};

const wb_rt_module wb_session_modules[] = {
    {"wabot.timers", luaopen_wabot_timers},   {"wabot.kv", luaopen_wabot_kv},
    {"wabot.log", luaopen_wabot_log},         {"wabot.proto", luaopen_wabot_proto},
    {"wabot.session", luaopen_wabot_session}, {NULL, NULL},
};

int wb_session_new(wb_session **out) {
    *out = calloc(1, sizeof **out);
    if (!*out)
        return WB_ENOMEM;
    (*out)->held_tail = &(*out)->held;
    return 0;
}

void wb_session_set_host(wb_session *s, wb_client_host *h) { s->host = h; }
void wb_session_set_rt(wb_session *s, wb_rt *rt) { s->rt = rt; }
void wb_session_stats_get(const wb_session *s, wb_session_stats *out) { *out = s->stats; }
static void payload_free(void *ud);

void wb_session_free(wb_session *s) {
    if (!s)
        return;
    while (s->held) { /* never posted: their rows stay pending */
        held_upsert *h = s->held;
        s->held = h->next;
        payload_free(h->p);
        free(h);
    }
    free(s);
}

wb_session *wb_session_of(lua_State *L) {
    return wb_rt_session(wb_rt_gen_rt(wb_rt_gen_of(L)));
}

wb_client_host *wb_session_host_of(lua_State *L) {
    wb_session *s = wb_session_of(L);
    return s ? s->host : NULL;
}

/* The client, logged in or not (content is built and polls tallied without a connection). */
wb_client *wb_session_client_any(wb_session *s) {
    return s && s->host ? wb_client_host_client(s->host) : NULL;
}

wb_client *wb_session_client(wb_session *s) {
    if (!s || !s->host)
        return NULL;
    wb_client *c = wb_client_host_client(s->host);
    return wb_client_is_open(c) ? c : NULL;
}

void wb_session_kick(wb_session *s) {
    if (s && s->host)
        wb_client_host_kick(s->host);
}

wb_rt *wb_session_rt(wb_session *s) { return s ? s->rt : NULL; }


/* ---- the methods' primitives ----------------------------------------------------------------- */

/* A protobuf message owned by a userdata until taken, so that an error raised between its
 * decoding and the call's start leaks nothing. */
#define BOX_MT "wabot.session.box"

typedef struct msg_box {
    ProtobufCMessage *m;
} msg_box;

static int box_gc(lua_State *L) {
    msg_box *b = luaL_checkudata(L, 1, BOX_MT);
    wb_proto_free(b->m);
    b->m = NULL;
    return 0;
}

static msg_box *new_box(lua_State *L) {
    msg_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->m = NULL;
    if (luaL_newmetatable(L, BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

typedef struct send_op {
    wb_session *s;
    wb_rt_call *call;
    char id[96];
    int64_t t;
} send_op;

static int push_sent(lua_State *L, void *ud) {
    send_op *op = ud;
    lua_pushstring(L, op->id);
    lua_pushinteger(L, op->t);
    return 2;
}

/* How a failed send reads in Lua: nil, message, code. */
static void fail_send(wb_rt_call *call, int status, int server_error) {
    char msg[128];
    const char *code;
    switch (status) {
    case WB_ETIMEOUT:
        snprintf(msg, sizeof msg, "timed out waiting for the server's ack");
        code = "ETIMEDOUT";
        break;
    case WB_ECLOSED:
        snprintf(msg, sizeof msg, "not connected");
        code = "ENOTCONN";
        break;
    case WB_EREFUSED:
        snprintf(msg, sizeof msg, "the server refused the message (error %d)", server_error);
        code = "ESERVER";
        break;
    case WB_ENOTFOUND:
        snprintf(msg, sizeof msg, "no such user or group");
        code = "ENOTFOUND";
        break;
    case WB_EUNSUPPORTED:
        snprintf(msg, sizeof msg, "sending to groups is not supported by wabot's client yet");
        code = "ENOTSUP";
        break;
    case WB_EINVAL:
        snprintf(msg, sizeof msg, "the client refused the message: %s", wb_strerror(status));
        code = "EINVAL";
        break;
    default:
        snprintf(msg, sizeof msg, "%s", wb_strerror(status));
        code = "EIO";
        break;
    }
    wb_rt_call_fail(call, msg, code);
}

static void on_sent(void *ud, int status, const wb_client_sent *sent) {
    send_op *op = ud;
    op->s->stats.sends_pending--;
    if (status == 0) {
        op->s->stats.sends_ok++;
        snprintf(op->id, sizeof op->id, "%s", sent->id);
        op->t = sent->t;
        wb_rt_call_complete(op->call, push_sent, op);
    } else {
        op->s->stats.sends_failed++;
        fail_send(op->call, status, sent ? sent->server_error : 0);
    }
    free(op);
}

/* session.send(jid, message[, id]) -> id, t | nil, message, code. Waits for the server's ack. */
static int l_send(lua_State *L) {
    const char *jid = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *id = luaL_optstring(L, 3, NULL);
    wb_jid j;
    if (wb_jid_parse(&j, jid) < 0 || !j.user[0] || j.device ||
        !(wb_jid_on(&j, WB_SERVER_USER) || wb_jid_on(&j, WB_SERVER_LID) ||
          wb_jid_on(&j, WB_SERVER_GROUP)))
        return luaL_error(L, "bad argument #1 to 'sendMessage' ('%s' is not a user or group JID)",
                          jid);
    msg_box *box = new_box(L);
    wb_lua_to_proto(L, 2, &wa__message__descriptor, &box->m);
    wb_session *s = wb_session_of(L);
    wb_rt_call *call = wb_rt_call_begin(L, NULL, NULL); /* raises where it cannot wait */
    ProtobufCMessage *m = box->m;
    box->m = NULL;
    wb_client *c = wb_session_client(s);
    send_op *op = c ? calloc(1, sizeof *op) : NULL;
    int rc = !c ? WB_ECLOSED : !op ? WB_ENOMEM : 0;
    if (rc == 0) {
        op->s = s;
        op->call = call;
        wb_client_send_opts o = {.id = id};
        rc = wb_client_send_message(c, jid, (const Wa__Message *)m, &o, on_sent, op);
        wb_client_host_kick(s->host);
    }
    wb_proto_free(m);
    if (rc < 0) {
        free(op);
        fail_send(call, rc, 0);
    } else {
        s->stats.sends++;
        s->stats.sends_pending++;
    }
    return wb_rt_call_yield(L, call);
}

/* session.read(keys) -> true | nil, message, code. Read receipts go out at once (read or
 * read-self, as the privacy settings say). */
static int l_read(lua_State *L) {
    size_t n;
    wb_client_key *keys = wb_session_read_keys(L, 1, &n, "readMessages");
    wb_session *s = wb_session_of(L);
    wb_client *c = wb_session_client(s);
    int rc = c ? wb_client_read(c, keys, n) : WB_ECLOSED;
    if (c)
        wb_client_host_kick(s->host);
    if (rc == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushnil(L);
    lua_pushstring(L, rc == WB_ECLOSED ? "not connected" : wb_strerror(rc));
    lua_pushstring(L, rc == WB_ECLOSED ? "ENOTCONN" : rc == WB_EINVAL ? "EINVAL" : "EIO");
    return 3;
}

typedef struct logout_op {
    wb_rt_call *call;
} logout_op;

static int push_true(lua_State *L, void *ud) {
    (void)ud;
    lua_pushboolean(L, 1);
    return 1;
}

static void on_logout(void *ud, int status) {
    logout_op *op = ud;
    if (status == 0)
        wb_rt_call_complete(op->call, push_true, NULL);
    else if (status == WB_ETIMEOUT)
        wb_rt_call_fail(op->call, "timed out waiting for the server", "ETIMEDOUT");
    else if (status == WB_ECLOSED)
        wb_rt_call_fail(op->call, "not connected", "ENOTCONN");
    else
        wb_rt_call_fail(op->call, wb_strerror(status), "ESERVER");
    free(op);
}

/* session.logout() -> true | nil, message, code. The device is unlinked at the server; the
 * connection then ends for good (connection.update close, statusCode 401). */
static int l_logout(lua_State *L) {
    wb_session *s = wb_session_of(L);
    wb_rt_call *call = wb_rt_call_begin(L, NULL, NULL);
    wb_client *c = wb_session_client(s);
    logout_op *op = c ? calloc(1, sizeof *op) : NULL;
    int rc = !c ? WB_ECLOSED : !op ? WB_ENOMEM : 0;
    if (rc == 0) {
        op->call = call;
        rc = wb_client_logout(c, on_logout, op);
        wb_client_host_kick(s->host);
    }
    if (rc < 0) {
        free(op);
        wb_rt_call_fail(call, rc == WB_ECLOSED ? "not connected" : wb_strerror(rc),
                        rc == WB_ECLOSED ? "ENOTCONN" : "EIO");
    }
    return wb_rt_call_yield(L, call);
}

/* session.user() -> {id, lid, name} of the linked device, or nil. */
static int l_user(lua_State *L) {
    wb_session *s = wb_session_of(L);
    wb_client *c = s && s->host ? wb_client_host_client(s->host) : NULL;
    if (!c || !wb_client_is_linked(c) || !wb_client_jid(c)[0]) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 3);
    lua_pushstring(L, wb_client_jid(c));
    lua_setfield(L, -2, "id");
    if (wb_client_lid(c)[0]) {
        lua_pushstring(L, wb_client_lid(c));
        lua_setfield(L, -2, "lid");
    }
    if (wb_client_name(c)[0]) {
        lua_pushstring(L, wb_client_name(c));
        lua_setfield(L, -2, "name");
    }
    return 1;
}

/* session.random(n) -> n random bytes (poll secrets). */
static int l_random(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n > 0 && n <= 1024, 1, "1..1024 bytes");
    luaL_Buffer b;
    wb_random_bytes(luaL_buffinitsize(L, &b, (size_t)n), (size_t)n);
    luaL_pushresultsize(&b, (size_t)n);
    return 1;
}

int luaopen_wabot_session(lua_State *L) {
    static const luaL_Reg fns[] = {{"send", l_send},     {"read", l_read},
                                   {"logout", l_logout}, {"user", l_user},
                                   {"random", l_random}, {"upload", wb_session_l_upload},
                                   {"download", wb_session_l_download}, {NULL, NULL}};
    luaL_newlib(L, fns);
    wb_session_groups_open(L);
    luaL_setfuncs(L, wb_session_kinds_fns, 0);
    return 1;
}

/* ---- events ---------------------------------------------------------------------------------- */

/* A client event copied for the runtime. */
typedef struct payload {
    wb_session *s;
    wb_client_event ev;  /* strings and arrays point into arena */
    wb_arena arena;
    wb_buf bytes;        /* messages: their WebMessageInfo bytes, back to back */
    size_t *ends;        /* messages: where each one ends in bytes */
} payload;

static void payload_free(void *ud) {
    payload *p = ud;
    wb_arena_free(&p->arena);
    wb_buf_free(&p->bytes);
    free(p->ends);
    free(p);
}

static const char *pdup(payload *p, const char *s) {
    return s ? wb_arena_strdup(&p->arena, s) : NULL;
}

static void set_str(lua_State *L, const char *k, const char *v) {
    if (v && *v) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, k);
    }
}

static void push_key(lua_State *L, const wb_client_key *k) {
    lua_createtable(L, 0, 4);
    set_str(L, "remoteJid", k->remote_jid);
    lua_pushboolean(L, k->from_me);
    lua_setfield(L, -2, "fromMe");
    set_str(L, "id", k->id);
    set_str(L, "participant", k->participant);
}

/* connection.update, in Baileys' shape. */
static int push_connection(lua_State *L, void *ud) {
    const wb_client_event *ev = &((payload *)ud)->ev;
    lua_createtable(L, 0, 3);
    if (ev->type == WB_CLIENT_EV_QR) {
        set_str(L, "qr", ev->qr.text);
        return 1;
    }
    if (ev->type == WB_CLIENT_EV_BACKLOG_DONE) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "receivedPendingNotifications");
        return 1;
    }
    static const char *const states[] = {"connecting", "open", "close"};
    int st = ev->connection.state;
    lua_pushstring(L, st >= 0 && st <= 2 ? states[st] : "close");
    lua_setfield(L, -2, "connection");
    if (st == WB_CONN_OPEN && ev->connection.is_new_login) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "isNewLogin");
    }
    if (st == WB_CONN_CLOSE) {
        const char *why = ev->connection.why ? ev->connection.why : "";
        /* lastDisconnect: as Baileys ({error = Boom, date}), with the two fields bots read
         * flattened beside it */
        lua_createtable(L, 0, 4);
        lua_createtable(L, 0, 2); /* error */
        lua_pushstring(L, why);
        lua_setfield(L, -2, "message");
        lua_createtable(L, 0, 1);
        lua_pushinteger(L, ev->connection.reason);
        lua_setfield(L, -2, "statusCode");
        lua_setfield(L, -2, "output");
        lua_setfield(L, -2, "error");
        lua_pushinteger(L, ev->connection.reason);
        lua_setfield(L, -2, "statusCode");
        lua_pushstring(L, why);
        lua_setfield(L, -2, "reason");
        lua_pushinteger(L, (lua_Integer)wb_client_host_now());
        lua_setfield(L, -2, "date");
        lua_setfield(L, -2, "lastDisconnect");
        lua_pushboolean(L, ev->connection.final);
        lua_setfield(L, -2, "final");
    }
    return 1;
}

/* Decodes message i of p into box->m (freed by the caller, or by the box's GC on an error). */
static void decode_message(lua_State *L, payload *p, size_t i, msg_box *box) {
    size_t start = i ? p->ends[i - 1] : 0;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, p->bytes.data + start,
                        p->ends[i] - start, 0, &box->m, NULL) < 0)
        luaL_error(L, "a stored message does not decode");
}

/* messages.upsert: {type = 'notify' | 'append', messages = {m, ...}[, replay = true]} */
static int push_upsert(lua_State *L, void *ud) {
    payload *p = ud;
    msg_box *box = new_box(L); /* box */
    lua_createtable(L, 0, 3);  /* box, up */
    lua_pushstring(L, p->ev.messages.append ? "append" : "notify");
    lua_setfield(L, -2, "type");
    if (p->ev.messages.replay) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "replay");
    }
    lua_createtable(L, (int)p->ev.messages.n, 0); /* box, up, messages */
    for (size_t i = 0; i < p->ev.messages.n; i++) {
        decode_message(L, p, i, box);
        wb_lua_push_message(L, (const Wa__WebMessageInfo *)box->m);
        wb_proto_free(box->m);
        box->m = NULL;
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "messages");
    lua_remove(L, -2); /* up: exactly what is returned */
    return 1;
}

static const char *status_name(int status) {
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&wa__web_message_info__status__descriptor, status);
    return v ? v->name : NULL;
}

/* messages.update: {{key, update = {status = 'DELIVERY_ACK' | 'READ' | 'PLAYED'}}, ...} */
static int push_status(lua_State *L, void *ud) {
    payload *p = ud;
    lua_createtable(L, (int)p->ev.status.n, 0);
    for (size_t i = 0; i < p->ev.status.n; i++) {
        const wb_client_status *u = &p->ev.status.updates[i];
        lua_createtable(L, 0, 2);
        push_key(L, &u->key);
        lua_setfield(L, -2, "key");
        lua_createtable(L, 0, 1);
        const char *name = status_name(u->status);
        if (name)
            lua_pushstring(L, name);
        else
            lua_pushinteger(L, u->status);
        lua_setfield(L, -2, "status");
        lua_setfield(L, -2, "update");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* message-receipt.update: {{key, receipt = {userJid, receiptTimestamp | readTimestamp |
 * playedTimestamp}}, ...} */
static int push_receipts(lua_State *L, void *ud) {
    payload *p = ud;
    lua_createtable(L, (int)p->ev.status.n, 0);
    for (size_t i = 0; i < p->ev.status.n; i++) {
        const wb_client_status *u = &p->ev.status.updates[i];
        lua_createtable(L, 0, 2);
        push_key(L, &u->key);
        lua_setfield(L, -2, "key");
        lua_createtable(L, 0, 2);
        set_str(L, "userJid", u->user);
        lua_pushinteger(L, u->t);
        lua_setfield(L, -2, u->status == WA__WEB_MESSAGE_INFO__STATUS__READ     ? "readTimestamp"
                            : u->status == WA__WEB_MESSAGE_INFO__STATUS__PLAYED ? "playedTimestamp"
                                                                               : "receiptTimestamp");
        lua_setfield(L, -2, "receipt");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* contacts.upsert {{id, lid, notify}} and chats.upsert {{id, name}} */
static int push_contacts(lua_State *L, void *ud) {
    payload *p = ud;
    int chats = p->ev.type == WB_CLIENT_EV_CHATS;
    lua_createtable(L, (int)p->ev.contacts.n, 0);
    for (size_t i = 0; i < p->ev.contacts.n; i++) {
        const wb_client_contact *ct = &p->ev.contacts.contacts[i];
        lua_createtable(L, 0, 3);
        set_str(L, "id", ct->jid);
        set_str(L, "lid", ct->lid);
        set_str(L, chats ? "name" : "notify", ct->name);
        if (chats && ct->t) {
            lua_pushinteger(L, ct->t);
            lua_setfield(L, -2, "conversationTimestamp");
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* A messages.upsert's listeners are done: its rows are handled, unless some were dropped. */
static void upsert_done(void *ud, int handled) {
    payload *p = ud;
    wb_session *s = p->s;
    s->stats.upserts_pending--;
    if (handled && s->host) {
        wb_client_handled(wb_client_host_client(s->host), p->ev.messages.seqs, p->ev.messages.n);
        wb_client_host_kick(s->host);
        s->stats.messages_handled += p->ev.messages.n;
    } else {
        s->stats.messages_unhandled += p->ev.messages.n;
    }
    payload_free(p);
}

static payload *payload_new(wb_session *s, const wb_client_event *ev) {
    payload *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->s = s;
    p->ev = *ev;
    wb_arena_init(&p->arena, 0);
    return p;
}

static void post_upsert(wb_session *s, payload *p) {
    s->stats.upserts_pending++;
    wb_rt_post_event_tracked(s->rt, "messages.upsert", push_upsert, upsert_done, p);
}

/* The connection is open: the held replays go to the bot now. */
static void post_held(wb_session *s) {
    while (s->held) {
        held_upsert *h = s->held;
        s->held = h->next;
        post_upsert(s, h->p);
        free(h);
    }
    s->held_tail = &s->held;
}

static void post_messages(wb_session *s, const wb_client_event *ev) {
    size_t n = ev->messages.n;
    payload *p = payload_new(s, ev);
    int64_t *seqs = p ? wb_arena_memdup(&p->arena, ev->messages.seqs, n * sizeof *seqs) : NULL;
    if (p && seqs && (p->ends = calloc(n ? n : 1, sizeof *p->ends))) {
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = wb_proto_pack(ev->messages.msgs[i], &p->bytes);
            p->ends[i] = p->bytes.len;
        }
        if (rc == 0) {
            p->ev.messages.seqs = seqs;
            p->ev.messages.msgs = NULL;
            if (ev->messages.replay && !wb_session_client(s)) {
                held_upsert *h = calloc(1, sizeof *h);
                if (h) {
                    h->p = p;
                    *s->held_tail = h;
                    s->held_tail = &h->next;
                    return;
                }
            }
            post_upsert(s, p);
            return;
        }
    }
    /* out of memory: the rows stay pending and come back at the next start */
    WB_WARN("session", "out of memory: %zu messages not delivered to the bot now", n);
    if (p)
        payload_free(p);
}

static void post_event(wb_session *s, const wb_client_event *ev) {
    if (ev->type == WB_CLIENT_EV_MESSAGES) {
        post_messages(s, ev);
        return;
    }
    if (wb_session_group_event(s, ev) || wb_session_kinds_event(s, ev))
        return;
    wb_rt_push_fn push;
    const char *name;
    switch (ev->type) {
    case WB_CLIENT_EV_CONNECTION:
    case WB_CLIENT_EV_QR:
    case WB_CLIENT_EV_BACKLOG_DONE:
        push = push_connection;
        name = "connection.update";
        break;
    case WB_CLIENT_EV_MESSAGE_STATUS:
        push = push_status;
        name = "messages.update";
        break;
    case WB_CLIENT_EV_RECEIPT:
        push = push_receipts;
        name = "message-receipt.update";
        break;
    case WB_CLIENT_EV_CONTACTS:
        push = push_contacts;
        name = "contacts.upsert";
        break;
    case WB_CLIENT_EV_CHATS:
        push = push_contacts;
        name = "chats.upsert";
        break;
    default:
        return; /* linking's own events (pairing code, linked) are the command's business */
    }
    payload *p = payload_new(s, ev);
    if (!p) {
        WB_WARN("session", "out of memory: a %s event is lost", name);
        return;
    }
    wb_client_event *e = &p->ev;
    int ok = 1;
    switch (ev->type) {
    case WB_CLIENT_EV_CONNECTION:
        e->connection.why = pdup(p, ev->connection.why);
        ok = !ev->connection.why || e->connection.why;
        break;
    case WB_CLIENT_EV_QR:
        ok = (e->qr.text = pdup(p, ev->qr.text)) != NULL;
        break;
    case WB_CLIENT_EV_MESSAGE_STATUS:
    case WB_CLIENT_EV_RECEIPT: {
        wb_client_status *u = wb_arena_alloc(&p->arena, (ev->status.n ? ev->status.n : 1) * sizeof *u);
        ok = u != NULL;
        for (size_t i = 0; ok && i < ev->status.n; i++) {
            u[i] = ev->status.updates[i];
            u[i].key.remote_jid = pdup(p, u[i].key.remote_jid);
            u[i].key.id = pdup(p, u[i].key.id);
            u[i].key.participant = pdup(p, u[i].key.participant);
            u[i].user = pdup(p, u[i].user);
        }
        e->status.updates = u;
        break;
    }
    case WB_CLIENT_EV_CONTACTS:
    case WB_CLIENT_EV_CHATS: {
        wb_client_contact *ct =
            wb_arena_alloc(&p->arena, (ev->contacts.n ? ev->contacts.n : 1) * sizeof *ct);
        ok = ct != NULL;
        for (size_t i = 0; ok && i < ev->contacts.n; i++) {
            ct[i].jid = pdup(p, ev->contacts.contacts[i].jid);
            ct[i].lid = pdup(p, ev->contacts.contacts[i].lid);
            ct[i].name = pdup(p, ev->contacts.contacts[i].name);
            ct[i].t = ev->contacts.contacts[i].t;
        }
        e->contacts.contacts = ct;
        break;
    }
    default:
        break;
    }
    if (!ok) {
        WB_WARN("session", "out of memory: a %s event is lost", name);
        payload_free(p);
        return;
    }
    wb_rt_post_event(s->rt, name, push, payload_free, p);
}

void wb_session_on_event(wb_session *s, const wb_client_event *ev) {
    if (!s->rt)
        return;
    post_event(s, ev);
    if (ev->type == WB_CLIENT_EV_CONNECTION && ev->connection.state == WB_CONN_OPEN)
        post_held(s);
}
