/* The group methods of `sock` and the group events (session_int.h), in Baileys' names and shapes
 * (Socket/groups.js, Socket/chats.js, Utils/process-message.js):
 *
 *   groupCreate(subject, {jid...}) -> GroupMetadata        groupMetadata(jid) -> GroupMetadata
 *   groupFetchAllParticipating() -> {[jid] = GroupMetadata}
 *   groupParticipantsUpdate(jid, {jid...}, 'add'|'remove'|'promote'|'demote')
 *       -> {{status = '200' | the code as a string, jid = ...}, ...}
 *   groupUpdateSubject(jid, s), groupUpdateDescription(jid, s|nil), groupLeave(jid),
 *   groupSettingUpdate(jid, 'announcement'|'not_announcement'|'locked'|'unlocked') -> true
 *   groupInviteCode(jid), groupRevokeInvite(jid) -> code     groupAcceptInvite(code) -> jid
 *   onWhatsApp(phone, ...) -> {{jid, exists = true}, ...} (as Baileys: only numbers on WhatsApp)
 *   profilePictureUrl(jid[, 'preview'|'image']) -> url
 *
 * Each is called as a method (the first argument is sock), checks its arguments (misuse
 * raises), then waits for the client's one completion (client.h, "groups"): the result, or
 * nil, message, code: ENOTCONN (not logged in, or the connection ended first), ETIMEDOUT,
 * ENOTFOUND (the server's 404: no such group, invite or picture), ESERVER (another refusal; the
 * message says its code and text). The result tables are built in the completion, where the
 * client's answer lives.
 *
 * Events: groups.upsert and groups.update (GroupMetadata, or its changed fields, with author),
 * group-participants.update ({id, author, participants = {{id, phoneNumber, lid, admin}}, action})
 * and chats.update ({{id, name | description | readOnly | ephemeralExpiration...}}), copied out of
 * the client's event into a payload the runtime owns until delivery. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/jid.h"
#include "bindings/session_int.h"
#include "core/arena.h"
#include "core/log.h"
#include "runtime/lua_rt.h"

/* ---- tables ------------------------------------------------------------------------------- */

static void set_str(lua_State *L, const char *k, const char *v) {
    if (v) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, k);
    }
}

static void set_int(lua_State *L, const char *k, int64_t v) {
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static void set_bool(lua_State *L, const char *k, int v) {
    lua_pushboolean(L, v);
    lua_setfield(L, -2, k);
}

static void push_participants(lua_State *L, const wb_client_participant *p, size_t n) {
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 4);
        set_str(L, "id", p[i].id);
        set_str(L, "phoneNumber", p[i].phone);
        set_str(L, "lid", p[i].lid);
        set_str(L, "admin", p[i].admin); /* Baileys' null: absent in Lua */
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* A group as Baileys' GroupMetadata, or (groups.update) its changed fields. */
static void push_group(lua_State *L, const wb_client_group *g) {
    lua_createtable(L, 0, 24);
    set_str(L, "id", g->id);
    if (g->fields & WB_GROUP_F_ALL) {
        set_str(L, "addressingMode", g->addressing_mode);
        set_str(L, "subject", g->subject);
        set_str(L, "subjectOwner", g->subject_owner);
        set_int(L, "subjectTime", g->subject_time);
        set_int(L, "size", g->size);
        set_int(L, "creation", g->creation);
        set_str(L, "owner", g->owner);
        set_str(L, "desc", g->desc);
        set_str(L, "descId", g->desc_id);
        set_str(L, "descOwner", g->desc_owner);
        if (g->desc)
            set_int(L, "descTime", g->desc_time);
        set_bool(L, "restrict", g->restrict_);
        set_bool(L, "announce", g->announce);
        set_bool(L, "isCommunity", 0);
        set_bool(L, "isCommunityAnnounce", 0);
        set_bool(L, "joinApprovalMode", 0);
        set_bool(L, "memberAddMode", 0);
        if (g->ephemeral)
            set_int(L, "ephemeralDuration", g->ephemeral);
        push_participants(L, g->participants, g->nparticipants);
        lua_setfield(L, -2, "participants");
    } else {
        if (g->fields & WB_GROUP_F_SUBJECT)
            set_str(L, "subject", g->subject);
        if (g->fields & WB_GROUP_F_DESC)
            set_str(L, "desc", g->desc);
        if (g->fields & WB_GROUP_F_ANNOUNCE)
            set_bool(L, "announce", g->announce);
        if (g->fields & WB_GROUP_F_RESTRICT)
            set_bool(L, "restrict", g->restrict_);
        if (g->fields & WB_GROUP_F_INVITE)
            set_str(L, "inviteCode", g->invite_code);
    }
    set_str(L, "author", g->author);
}

static void push_groups(lua_State *L, const wb_client_group *g, size_t n) {
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        push_group(L, &g[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* ---- the methods -------------------------------------------------------------------------- */

enum kind { K_METADATA, K_ALL, K_MEMBERS, K_TRUE, K_CODE, K_JID, K_LOOKUP, K_URL };

typedef struct op {
    wb_rt_call *call;
    enum kind kind;
} op;

typedef struct done {
    enum kind kind;
    const wb_client_result *r;
} done;

static int push_result(lua_State *L, void *ud) {
    const done *d = ud;
    const wb_client_result *r = d->r;
    switch (d->kind) {
    case K_METADATA:
        if (!r->ngroups)
            return luaL_error(L, "the server answered without the group");
        push_group(L, &r->groups[0]);
        break;
    case K_ALL:
        lua_createtable(L, 0, (int)r->ngroups);
        for (size_t i = 0; i < r->ngroups; i++) {
            push_group(L, &r->groups[i]);
            lua_setfield(L, -2, r->groups[i].id);
        }
        break;
    case K_MEMBERS:
        lua_createtable(L, (int)r->nmembers, 0);
        for (size_t i = 0; i < r->nmembers; i++) {
            lua_createtable(L, 0, 3);
            lua_pushfstring(L, "%d", r->members[i].status);
            lua_setfield(L, -2, "status");
            set_str(L, "jid", r->members[i].jid);
            if (r->members[i].add_request_code) {
                lua_createtable(L, 0, 2);
                set_str(L, "code", r->members[i].add_request_code);
                set_int(L, "expiration", r->members[i].add_request_expiration);
                lua_setfield(L, -2, "addRequest");
            }
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case K_TRUE:
        lua_pushboolean(L, 1);
        break;
    case K_CODE:
        lua_pushstring(L, r->code);
        break;
    case K_JID:
        lua_pushstring(L, r->jid);
        break;
    case K_LOOKUP: { /* Baileys keeps the numbers that are on WhatsApp */
        lua_createtable(L, (int)r->nlookups, 0);
        int k = 0;
        for (size_t i = 0; i < r->nlookups; i++) {
            if (!r->lookups[i].exists)
                continue;
            lua_createtable(L, 0, 2);
            set_str(L, "jid", r->lookups[i].jid);
            set_bool(L, "exists", 1);
            lua_rawseti(L, -2, ++k);
        }
        break;
    }
    case K_URL:
        lua_pushstring(L, r->url);
        break;
    }
    return 1;
}

static void fail(wb_rt_call *call, int status, const wb_client_result *r) {
    char msg[200];
    const char *code = "EIO";
    switch (status) {
    case WB_EREFUSED:
        snprintf(msg, sizeof msg, "the server refused: %d %s", r ? r->server_error : 0,
                 r && r->server_text ? r->server_text : "");
        code = r && r->server_error == 404 ? "ENOTFOUND" : "ESERVER";
        break;
    case WB_ETIMEOUT:
        snprintf(msg, sizeof msg, "timed out waiting for the server");
        code = "ETIMEDOUT";
        break;
    case WB_ECLOSED:
        snprintf(msg, sizeof msg, "not connected");
        code = "ENOTCONN";
        break;
    case WB_EPROTO:
        snprintf(msg, sizeof msg, "the server's answer cannot be read");
        code = "ESERVER";
        break;
    case WB_EINVAL:
        snprintf(msg, sizeof msg, "the client refused the arguments");
        code = "EINVAL";
        break;
    default:
        snprintf(msg, sizeof msg, "%s", wb_strerror(status));
        break;
    }
    wb_rt_call_fail(call, msg, code);
}

static void on_result(void *ud, int status, const wb_client_result *r) {
    op *o = ud;
    if (status == 0) {
        done d = {o->kind, r};
        wb_rt_call_complete(o->call, push_result, &d);
    } else {
        fail(o->call, status, r);
    }
    free(o);
}

/* What a method's arguments became (C strings borrowed from the Lua stack, which holds them
 * until the method returns). */
typedef struct args {
    const char *name;
    const char *jid, *text, *action;
    const char **list;
    size_t n;
    int flag;
} args;

typedef int (*starter)(wb_client *c, const args *a, op *o);

/* The common part of every method: begin the call, start it, yield. */
static int run(lua_State *L, enum kind kind, starter start, const args *a) {
    wb_session *s = wb_session_of(L);
    wb_rt_call *call = wb_rt_call_begin(L, NULL, NULL); /* raises where L cannot wait */
    wb_client *c = wb_session_client(s);
    op *o = c ? malloc(sizeof *o) : NULL;
    int rc = !c ? WB_ECLOSED : !o ? WB_ENOMEM : 0;
    if (rc == 0) {
        *o = (op){call, kind};
        rc = start(c, a, o);
        wb_session_kick(s);
    }
    if (rc < 0) {
        free(o);
        fail(call, rc, NULL);
    }
    return wb_rt_call_yield(L, call);
}

static void check_self(lua_State *L, const char *name) {
    if (!lua_istable(L, 1))
        luaL_error(L, "call it as sock:%s(...)", name);
}

/* s is a JID on one of the servers (a bitmask: 1 users, 2 groups), without a device. */
static int jid_ok(const char *s, int servers) {
    wb_jid j;
    return s && wb_jid_parse(&j, s) == 0 && j.user[0] && !j.device &&
           (((servers & 1) && (wb_jid_on(&j, WB_SERVER_USER) || wb_jid_on(&j, WB_SERVER_LID))) ||
            ((servers & 2) && wb_jid_on(&j, WB_SERVER_GROUP)));
}

static const char *kind_of(int servers) {
    return servers == 2 ? "group" : servers == 1 ? "user" : "user or group";
}

/* Argument i: such a JID. */
static const char *check_jid(lua_State *L, int i, const char *name, int servers) {
    const char *s = luaL_checkstring(L, i);
    if (!jid_ok(s, servers))
        luaL_error(L, "bad argument #%d to '%s' ('%s' is not a %s JID)", i - 1, name, s,
                   kind_of(servers));
    return s;
}

/* Argument i: an array of user JIDs. The strings stay the table's (borrowed while the method
 * runs); the array of pointers is a userdata left on the stack. */
static void check_jids(lua_State *L, int i, const char *name, args *a, int allow_empty) {
    luaL_checktype(L, i, LUA_TTABLE);
    size_t n = lua_rawlen(L, i);
    if ((!n && !allow_empty) || n > 1024)
        luaL_error(L, "bad argument #%d to '%s' (1 to 1024 JIDs expected)", i - 1, name);
    a->list = lua_newuserdatauv(L, (n ? n : 1) * sizeof *a->list, 0);
    a->n = n;
    for (size_t k = 0; k < n; k++) {
        int t = lua_rawgeti(L, i, (lua_Integer)k + 1);
        const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!jid_ok(s, 1))
            luaL_error(L, "bad argument #%d to '%s' (item %d is not a user JID)", i - 1, name,
                       (int)k + 1);
        a->list[k] = s;
        lua_pop(L, 1);
    }
}

/* Each method: its checks, then its client call. */

static int start_create(wb_client *c, const args *a, op *o) {
    return wb_client_group_create(c, a->text, a->list, a->n, on_result, o);
}
static int l_group_create(lua_State *L) {
    check_self(L, "groupCreate");
    args a = {.name = "groupCreate"};
    a.text = luaL_checkstring(L, 2);
    if (!*a.text)
        luaL_error(L, "bad argument #1 to 'groupCreate' (an empty subject)");
    check_jids(L, 3, a.name, &a, 1);
    return run(L, K_METADATA, start_create, &a);
}

static int start_metadata(wb_client *c, const args *a, op *o) {
    return wb_client_group_metadata(c, a->jid, on_result, o);
}
static int l_group_metadata(lua_State *L) {
    check_self(L, "groupMetadata");
    args a = {.jid = check_jid(L, 2, "groupMetadata", 2)};
    return run(L, K_METADATA, start_metadata, &a);
}

static int start_all(wb_client *c, const args *a, op *o) {
    return wb_client_group_participating(c, on_result, o);
}
static int l_group_fetch_all(lua_State *L) {
    check_self(L, "groupFetchAllParticipating");
    args a = {0};
    return run(L, K_ALL, start_all, &a);
}

static int start_members(wb_client *c, const args *a, op *o) {
    return wb_client_group_participants(c, a->jid, a->action, a->list, a->n, on_result, o);
}
static int l_group_participants(lua_State *L) {
    static const char *const actions[] = {"add", "remove", "promote", "demote", NULL};
    check_self(L, "groupParticipantsUpdate");
    args a = {.name = "groupParticipantsUpdate"};
    a.jid = check_jid(L, 2, a.name, 2);
    a.action = actions[luaL_checkoption(L, 4, NULL, actions)];
    check_jids(L, 3, a.name, &a, 0);
    return run(L, K_MEMBERS, start_members, &a);
}

static int start_subject(wb_client *c, const args *a, op *o) {
    return wb_client_group_subject(c, a->jid, a->text, on_result, o);
}
static int l_group_subject(lua_State *L) {
    check_self(L, "groupUpdateSubject");
    args a = {.jid = check_jid(L, 2, "groupUpdateSubject", 2), .text = luaL_checkstring(L, 3)};
    if (!*a.text)
        luaL_error(L, "bad argument #2 to 'groupUpdateSubject' (an empty subject)");
    return run(L, K_TRUE, start_subject, &a);
}

static int start_description(wb_client *c, const args *a, op *o) {
    return wb_client_group_description(c, a->jid, a->text, on_result, o);
}
static int l_group_description(lua_State *L) {
    check_self(L, "groupUpdateDescription");
    args a = {.jid = check_jid(L, 2, "groupUpdateDescription", 2),
              .text = luaL_optstring(L, 3, NULL)};
    return run(L, K_TRUE, start_description, &a);
}

static int start_leave(wb_client *c, const args *a, op *o) {
    return wb_client_group_leave(c, a->jid, on_result, o);
}
static int l_group_leave(lua_State *L) {
    check_self(L, "groupLeave");
    args a = {.jid = check_jid(L, 2, "groupLeave", 2)};
    return run(L, K_TRUE, start_leave, &a);
}

static int start_invite(wb_client *c, const args *a, op *o) {
    return wb_client_group_invite_code(c, a->jid, a->flag, on_result, o);
}
static int l_group_invite_code(lua_State *L) {
    check_self(L, "groupInviteCode");
    args a = {.jid = check_jid(L, 2, "groupInviteCode", 2)};
    return run(L, K_CODE, start_invite, &a);
}
static int l_group_revoke_invite(lua_State *L) {
    check_self(L, "groupRevokeInvite");
    args a = {.jid = check_jid(L, 2, "groupRevokeInvite", 2), .flag = 1};
    return run(L, K_CODE, start_invite, &a);
}

static int start_accept(wb_client *c, const args *a, op *o) {
    return wb_client_group_accept_invite(c, a->text, on_result, o);
}
static int l_group_accept_invite(lua_State *L) {
    check_self(L, "groupAcceptInvite");
    args a = {.text = luaL_checkstring(L, 2)};
    const char *link = strstr(a.text, "chat.whatsapp.com/");
    if (link)
        a.text = link + strlen("chat.whatsapp.com/");
    if (!*a.text || strlen(a.text) > 64)
        luaL_error(L, "bad argument #1 to 'groupAcceptInvite' (an invite code expected)");
    return run(L, K_JID, start_accept, &a);
}

static int start_setting(wb_client *c, const args *a, op *o) {
    return wb_client_group_setting(c, a->jid, a->action, on_result, o);
}
static int l_group_setting(lua_State *L) {
    static const char *const settings[] = {"announcement", "not_announcement", "locked",
                                           "unlocked", NULL};
    check_self(L, "groupSettingUpdate");
    args a = {.jid = check_jid(L, 2, "groupSettingUpdate", 2)};
    a.action = settings[luaL_checkoption(L, 3, NULL, settings)];
    return run(L, K_TRUE, start_setting, &a);
}

static int start_lookup(wb_client *c, const args *a, op *o) {
    return wb_client_on_whatsapp(c, a->list, a->n, on_result, o);
}
/* onWhatsApp(phone, ...): numbers ("+155...", "155...") or phone-number JIDs; LIDs are
 * skipped, as Baileys skips them (with none left it answers an empty list at once). */
static int l_on_whatsapp(lua_State *L) {
    check_self(L, "onWhatsApp");
    int n = lua_gettop(L) - 1;
    if (n < 1 || n > 2000)
        luaL_error(L, "bad argument #1 to 'onWhatsApp' (1 to 2000 phone numbers expected)");
    args a = {.list = lua_newuserdatauv(L, (size_t)n * sizeof *a.list, 0)};
    for (int i = 0; i < n; i++) {
        const char *p = luaL_checkstring(L, i + 2);
        if (strstr(p, "@lid"))
            continue;
        size_t d = strspn(p + (*p == '+'), "0123456789");
        char next = p[(*p == '+') + d];
        if (!d || d > 20 || (next && next != '@' && next != ':'))
            luaL_error(L, "bad argument #%d to 'onWhatsApp' ('%s' is not a phone number)", i + 1, p);
        a.list[a.n++] = p;
    }
    if (!a.n) {
        lua_newtable(L);
        return 1;
    }
    return run(L, K_LOOKUP, start_lookup, &a);
}

static int start_picture(wb_client *c, const args *a, op *o) {
    return wb_client_profile_picture_url(c, a->jid, a->flag, on_result, o);
}
static int l_profile_picture_url(lua_State *L) {
    static const char *const types[] = {"preview", "image", NULL};
    check_self(L, "profilePictureUrl");
    const char *jid = luaL_checkstring(L, 2);
    wb_jid j;
    if (wb_jid_parse(&j, jid) < 0 || !j.user[0] ||
        !(wb_jid_on(&j, WB_SERVER_USER) || wb_jid_on(&j, WB_SERVER_LID) ||
          wb_jid_on(&j, WB_SERVER_GROUP)))
        luaL_error(L, "bad argument #1 to 'profilePictureUrl' ('%s' is not a user or group JID)",
                   jid);
    args a = {.jid = jid, .flag = luaL_checkoption(L, 3, "preview", types)};
    return run(L, K_URL, start_picture, &a);
}

void wb_session_groups_open(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"groupCreate", l_group_create},
        {"groupMetadata", l_group_metadata},
        {"groupFetchAllParticipating", l_group_fetch_all},
        {"groupParticipantsUpdate", l_group_participants},
        {"groupUpdateSubject", l_group_subject},
        {"groupUpdateDescription", l_group_description},
        {"groupLeave", l_group_leave},
        {"groupInviteCode", l_group_invite_code},
        {"groupRevokeInvite", l_group_revoke_invite},
        {"groupAcceptInvite", l_group_accept_invite},
        {"groupSettingUpdate", l_group_setting},
        {"onWhatsApp", l_on_whatsapp},
        {"profilePictureUrl", l_profile_picture_url},
        {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}

/* ---- events ---------------------------------------------------------------------------------- */

typedef struct payload {
    wb_client_event ev; /* strings and arrays in arena */
    wb_arena arena;
} payload;

static void payload_free(void *ud) {
    payload *p = ud;
    wb_arena_free(&p->arena);
    free(p);
}

static int push_groups_event(lua_State *L, void *ud) {
    const payload *p = ud;
    push_groups(L, p->ev.groups.groups, p->ev.groups.n);
    return 1;
}

static int push_participants_event(lua_State *L, void *ud) {
    const payload *p = ud;
    lua_createtable(L, 0, 4);
    set_str(L, "id", p->ev.participants.id);
    set_str(L, "author", p->ev.participants.author);
    push_participants(L, p->ev.participants.participants, p->ev.participants.n);
    lua_setfield(L, -2, "participants");
    set_str(L, "action", p->ev.participants.action);
    return 1;
}

static int push_chats_event(lua_State *L, void *ud) {
    const payload *p = ud;
    lua_createtable(L, (int)p->ev.chats.n, 0);
    for (size_t i = 0; i < p->ev.chats.n; i++) {
        const wb_client_chat_update *u = &p->ev.chats.chats[i];
        lua_createtable(L, 0, 4);
        set_str(L, "id", u->id);
        if (u->fields & WB_CHAT_F_NAME)
            set_str(L, "name", u->name);
        if (u->fields & WB_CHAT_F_DESCRIPTION)
            set_str(L, "description", u->description);
        if (u->fields & WB_CHAT_F_READ_ONLY)
            set_bool(L, "readOnly", u->read_only);
        if (u->fields & WB_CHAT_F_EPHEMERAL) {
            set_int(L, "ephemeralSettingTimestamp", u->ephemeral_t);
            if (u->ephemeral_expiration)
                set_int(L, "ephemeralExpiration", u->ephemeral_expiration);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* Copies what ev points to into p's arena. */
static int copy(payload *p, const wb_client_event *ev) {
    wb_client_event *e = &p->ev;
    wb_arena *a = &p->arena;
    switch (ev->type) {
    case WB_CLIENT_EV_GROUPS_UPSERT:
    case WB_CLIENT_EV_GROUPS_UPDATE: {
        wb_client_group *g = wb_arena_alloc(a, (ev->groups.n ? ev->groups.n : 1) * sizeof *g);
        for (size_t i = 0; g && i < ev->groups.n; i++)
            if (wb_client_group_copy(a, &ev->groups.groups[i], &g[i]) < 0)
                g = NULL;
        e->groups.groups = g;
        return g ? 0 : WB_ENOMEM;
    }
    case WB_CLIENT_EV_GROUP_PARTICIPANTS:
        e->participants.id = wb_arena_strdup(a, ev->participants.id);
        e->participants.author = ev->participants.author
                                     ? wb_arena_strdup(a, ev->participants.author)
                                     : NULL;
        e->participants.action = wb_arena_strdup(a, ev->participants.action);
        if (!e->participants.id || !e->participants.action ||
            (ev->participants.author && !e->participants.author))
            return WB_ENOMEM;
        return wb_client_participants_copy(a, ev->participants.participants, ev->participants.n,
                                           &e->participants.participants);
    default:
        return wb_client_chat_updates_copy(a, ev->chats.chats, ev->chats.n, &e->chats.chats);
    }
}

int wb_session_group_event(wb_session *s, const wb_client_event *ev) {
    const char *name;
    wb_rt_push_fn push;
    switch (ev->type) {
    case WB_CLIENT_EV_GROUPS_UPSERT:
        name = "groups.upsert";
        push = push_groups_event;
        break;
    case WB_CLIENT_EV_GROUPS_UPDATE:
        name = "groups.update";
        push = push_groups_event;
        break;
    case WB_CLIENT_EV_GROUP_PARTICIPANTS:
        name = "group-participants.update";
        push = push_participants_event;
        break;
    case WB_CLIENT_EV_CHATS_UPDATE:
        name = "chats.update";
        push = push_chats_event;
        break;
    default:
        return 0;
    }
    payload *p = calloc(1, sizeof *p);
    if (p) {
        p->ev = *ev;
        wb_arena_init(&p->arena, 0);
    }
    if (!p || copy(p, ev) < 0) {
        WB_WARN("session", "out of memory: a %s event is lost", name);
        if (p)
            payload_free(p);
        return 1;
    }
    wb_rt_post_event(wb_session_rt(s), name, push, payload_free, p);
    return 1;
}
