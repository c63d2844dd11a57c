/* Protobuf messages <-> Lua tables (bindings.h): one walk over proto/'s reflection in each
 * direction (as proto/wb_proto_json.c walks it for JSON), values converted by a switch on the
 * field type; plus the `wabot.proto` module (decode/encode by type name) for tests and tools.
 *
 * Lua errors are longjmps: a message being built or decoded is owned by a userdata ("holder")
 * whose __gc frees it, so a raise half way leaks nothing. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "bindings/bindings.h"

/* ---- the holder ----------------------------------------------------------------------------- */

static int holder_gc(lua_State *L) {
    ProtobufCMessage **h = lua_touserdata(L, 1);
    wb_proto_free(*h);
    *h = NULL;
    return 0;
}

/* Pushes a holder owning m (which may be NULL for now). */
static ProtobufCMessage **push_holder(lua_State *L, ProtobufCMessage *m) {
    ProtobufCMessage **h = lua_newuserdatauv(L, sizeof *h, 0);
    *h = m;
    if (luaL_newmetatable(L, "wabot.proto.holder")) {
        lua_pushcfunction(L, holder_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return h;
}

/* ---- message -> table ----------------------------------------------------------------------- */

static void push_message(lua_State *L, const ProtobufCMessage *m, int depth);

static void push_value(lua_State *L, const ProtobufCFieldDescriptor *f, const void *v, int depth) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        lua_pushinteger(L, *(const int32_t *)v);
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *ev =
            protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int32_t *)v);
        if (ev)
            lua_pushstring(L, ev->name);
        else
            lua_pushinteger(L, *(const int32_t *)v); /* a value our schema does not name */
        break;
    }
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        lua_pushinteger(L, *(const uint32_t *)v);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        lua_pushinteger(L, *(const int64_t *)v);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        lua_pushinteger(L, (lua_Integer) * (const uint64_t *)v); /* the same 64 bits */
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        lua_pushnumber(L, *(const float *)v);
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        lua_pushnumber(L, *(const double *)v);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        lua_pushboolean(L, *(const protobuf_c_boolean *)v);
        break;
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)v;
        lua_pushstring(L, s ? s : "");
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = v;
        lua_pushlstring(L, b->data ? (const char *)b->data : "", b->len);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        push_message(L, *(ProtobufCMessage *const *)v, depth + 1);
        break;
    default:
        lua_pushnil(L);
        break;
    }
}

static void push_message(lua_State *L, const ProtobufCMessage *m, int depth) {
    if (depth > WB_PROTO_MAX_DEPTH)
        luaL_error(L, "message nested deeper than %d levels", WB_PROTO_MAX_DEPTH);
    luaL_checkstack(L, 4, "message");
    const ProtobufCMessageDescriptor *d = m->descriptor;
    lua_createtable(L, 0, 4); /* t */
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t n = wb_proto_field_count(m, f);
        if (n == 0)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            lua_createtable(L, (int)(n < 1u << 20 ? n : 1u << 20), 0); /* t, list */
            for (size_t k = 0; k < n; k++) {
                push_value(L, f, wb_proto_field_get(m, f, k), depth);
                lua_rawseti(L, -2, (lua_Integer)k + 1);
            }
        } else {
            push_value(L, f, wb_proto_field_get(m, f, 0), depth); /* t, v */
        }
        lua_setfield(L, -2, f->name);
    }
}

void wb_lua_push_proto(lua_State *L, const ProtobufCMessage *msg) { push_message(L, msg, 1); }

/* ---- table -> message ----------------------------------------------------------------------- */

static void fill_message(lua_State *L, int idx, ProtobufCMessage *m, int depth);

static int bad(lua_State *L, const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
               const char *expected, int idx) {
    return luaL_error(L, "%s.%s: expected %s, got %s", d->name, f->name, expected,
                      luaL_typename(L, idx));
}

static lua_Integer to_integer(lua_State *L, int idx, const ProtobufCMessageDescriptor *d,
                              const ProtobufCFieldDescriptor *f, lua_Integer lo, lua_Integer hi) {
    int ok;
    lua_Integer v = lua_tointegerx(L, idx, &ok);
    if (!ok || lua_type(L, idx) != LUA_TNUMBER)
        bad(L, d, f, "an integer", idx);
    if (v < lo || v > hi)
        luaL_error(L, "%s.%s: %I out of range", d->name, f->name, (LUAI_UACINT)v);
    return v;
}

/* Stores the Lua value at idx into slot (zeroed, of f's C type). */
static void fill_value(lua_State *L, int idx, const ProtobufCMessageDescriptor *d,
                       const ProtobufCFieldDescriptor *f, void *slot, int depth) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        *(int32_t *)slot = (int32_t)to_integer(L, idx, d, f, INT32_MIN, INT32_MAX);
        break;
    case PROTOBUF_C_TYPE_ENUM:
        if (lua_type(L, idx) == LUA_TSTRING) {
            const ProtobufCEnumValue *ev =
                protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, lua_tostring(L, idx));
            if (!ev)
                luaL_error(L, "%s.%s: no value named '%s'", d->name, f->name, lua_tostring(L, idx));
            *(int32_t *)slot = ev->value;
        } else {
            *(int32_t *)slot = (int32_t)to_integer(L, idx, d, f, INT32_MIN, INT32_MAX);
        }
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *(uint32_t *)slot = (uint32_t)to_integer(L, idx, d, f, 0, UINT32_MAX);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        *(int64_t *)slot = (int64_t)to_integer(L, idx, d, f, LUA_MININTEGER, LUA_MAXINTEGER);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *(uint64_t *)slot = (uint64_t)to_integer(L, idx, d, f, LUA_MININTEGER, LUA_MAXINTEGER);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (lua_type(L, idx) != LUA_TNUMBER)
            bad(L, d, f, "a number", idx);
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)slot = (float)lua_tonumber(L, idx);
        else
            *(double *)slot = lua_tonumber(L, idx);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        if (lua_type(L, idx) != LUA_TBOOLEAN)
            bad(L, d, f, "a boolean", idx);
        *(protobuf_c_boolean *)slot = lua_toboolean(L, idx);
        break;
    case PROTOBUF_C_TYPE_STRING: {
        if (lua_type(L, idx) != LUA_TSTRING)
            bad(L, d, f, "a string", idx);
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        if (strlen(s) != n)
            luaL_error(L, "%s.%s: a string field cannot hold a NUL byte (use bytes)", d->name,
                       f->name);
        if (!(*(char **)slot = strdup(s)))
            luaL_error(L, "not enough memory");
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        if (lua_type(L, idx) != LUA_TSTRING)
            bad(L, d, f, "a string of bytes", idx);
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        ProtobufCBinaryData *b = slot;
        if (n > 0) {
            if (!(b->data = malloc(n)))
                luaL_error(L, "not enough memory");
            memcpy(b->data, s, n);
        }
        b->len = n;
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        if (!lua_istable(L, idx))
            bad(L, d, f, "a table", idx);
        ProtobufCMessage *sub = wb_proto_new(f->descriptor);
        if (!sub)
            luaL_error(L, "not enough memory");
        *(ProtobufCMessage **)slot = sub; /* owned by the parent from here on */
        fill_message(L, idx, sub, depth + 1);
        break;
    }
    default:
        luaL_error(L, "%s.%s: unsupported field type", d->name, f->name);
    }
}

static void *add_slot(lua_State *L, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
    void *slot = wb_proto_field_add(m, f);
    if (!slot)
        luaL_error(L, "not enough memory");
    return slot;
}

static void fill_message(lua_State *L, int idx, ProtobufCMessage *m, int depth) {
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (depth > WB_PROTO_MAX_DEPTH)
        luaL_error(L, "%s: tables nested deeper than %d levels (or a cycle)", d->name,
                   WB_PROTO_MAX_DEPTH);
    luaL_checkstack(L, 4, "message");
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) { /* key, value */
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: field names are strings, got a %s key", d->name,
                       luaL_typename(L, -2));
        const char *name = lua_tostring(L, -2);
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
        if (!f || !wb_proto_field_supported(f))
            luaL_error(L, "%s has no field '%s'", d->name, name);
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            fill_value(L, lua_gettop(L), d, f, add_slot(L, m, f), depth);
        } else {
            if (!lua_istable(L, -1))
                bad(L, d, f, "an array", -1);
            lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
            for (lua_Integer i = 1; i <= n; i++) {
                lua_rawgeti(L, -1, i); /* key, list, item */
                if (lua_isnil(L, -1))
                    luaL_error(L, "%s.%s: a hole at [%I]", d->name, f->name, (LUAI_UACINT)i);
                fill_value(L, lua_gettop(L), d, f, add_slot(L, m, f), depth);
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1); /* key */
    }
}

void wb_lua_to_proto(lua_State *L, int idx, const ProtobufCMessageDescriptor *d,
                     ProtobufCMessage **out) {
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    ProtobufCMessage *m = wb_proto_new(d);
    if (!m)
        luaL_error(L, "not enough memory");
    ProtobufCMessage **h = push_holder(L, m); /* ..., holder */
    fill_message(L, idx, m, 1);
    *h = NULL; /* the caller owns it now */
    lua_pop(L, 1);
    *out = m;
}

/* ---- wabot.proto ---------------------------------------------------------------------------- */

static const ProtobufCMessageDescriptor *check_type(lua_State *L, int arg) {
    const char *name = luaL_checkstring(L, arg);
    const ProtobufCMessageDescriptor *d = wb_proto_find(name);
    if (!d) {
        lua_pushfstring(L, "wa.%s", name);
        d = wb_proto_find(lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    if (!d)
        luaL_argerror(L, arg, lua_pushfstring(L, "no message type '%s'", name));
    return d;
}

/* proto.decode(type, bytes) -> table, or nil, message, code for bytes that do not decode */
static int l_proto_decode(lua_State *L) {
    const ProtobufCMessageDescriptor *d = check_type(L, 1);
    size_t n;
    const char *p = luaL_checklstring(L, 2, &n);
    ProtobufCMessage **h = push_holder(L, NULL);
    wb_error err = {0};
    int rc = wb_proto_unpack(d, p, n, 0, h, &err);
    if (rc < 0) {
        lua_pushnil(L);
        lua_pushstring(L, err.what[0] ? err.what : wb_strerror(rc));
        lua_pushstring(L, wb_errname(rc));
        return 3;
    }
    push_message(L, *h, 1);
    wb_proto_free(*h);
    *h = NULL;
    return 1;
}

/* proto.encode(type, table) -> bytes */
static int l_proto_encode(lua_State *L) {
    const ProtobufCMessageDescriptor *d = check_type(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ProtobufCMessage *m;
    wb_lua_to_proto(L, 2, d, &m);
    ProtobufCMessage **h = push_holder(L, m);
    size_t n = wb_proto_packed_size(m);
    luaL_Buffer b;
    uint8_t *out = (uint8_t *)luaL_buffinitsize(L, &b, n);
    protobuf_c_message_pack(m, out);
    luaL_pushresultsize(&b, n);
    wb_proto_free(*h);
    *h = NULL;
    return 1;
}

int luaopen_wabot_proto(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"decode", l_proto_decode}, {"encode", l_proto_encode}, {NULL, NULL},
    };
    luaL_newlib(L, fns);
    return 1;
}
