/* wabot.kv: get, set, delete, keys(prefix), over the store's bot_kv table (store/kv_store.h) in
 * the runtime's namespace. Synchronous: SQLite on the loop's thread answers in microseconds, so
 * these do not yield.
 *
 * Stored form of a value (wb_kv_decode parses it; a fuzz target checks that nothing it is given
 * can crash it):
 *   'T' | 'F'                  true | false
 *   'i' int64, big-endian      an integer
 *   'd' IEEE double, big-endian  a float
 *   's' len, bytes             a string (len: LEB128, at most 2^32)
 *   't' count, (key value)*    a plain table (no metatable): keys are strings, numbers or
 *                              booleans; nested at most WB_KV_MAX_DEPTH levels, so a cycle is
 *                              refused as too deep. */
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "bindings/bindings.h"
#include "core/buf.h"
#include "runtime/lua_rt.h"
#include "store/kv_store.h"

#define WB_KV_MAX_DEPTH 32
#define WB_KV_MAX_VALUE ((size_t)16 << 20)

/* ---- encoding ------------------------------------------------------------------------------- */

static void put_len(wb_buf *b, uint64_t n) {
    do {
        uint8_t byte = n & 0x7F;
        n >>= 7;
        wb_buf_put_u8(b, (uint8_t)(byte | (n ? 0x80 : 0)));
    } while (n);
}

static void encode(lua_State *L, int idx, wb_buf *b, int depth, const char *what) {
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        wb_buf_put_u8(b, lua_toboolean(L, idx) ? 'T' : 'F');
        return;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            wb_buf_put_u8(b, 'i');
            wb_buf_put_be64(b, (uint64_t)lua_tointeger(L, idx));
        } else {
            double d = lua_tonumber(L, idx);
            uint64_t bits;
            memcpy(&bits, &d, 8);
            wb_buf_put_u8(b, 'd');
            wb_buf_put_be64(b, bits);
        }
        return;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        wb_buf_put_u8(b, 's');
        put_len(b, n);
        wb_buf_append(b, s, n);
        return;
    }
    case LUA_TTABLE: {
        if (depth >= WB_KV_MAX_DEPTH)
            luaL_error(L, "%s: tables nested deeper than %d levels (or a cycle)", what,
                       WB_KV_MAX_DEPTH);
        if (lua_getmetatable(L, idx))
            luaL_error(L, "%s: only plain tables (without a metatable) can be stored", what);
        luaL_checkstack(L, 4, "kv");
        idx = lua_absindex(L, idx);
        uint64_t count = 0;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            count++;
            lua_pop(L, 1);
        }
        wb_buf_put_u8(b, 't');
        put_len(b, count);
        lua_pushnil(L);
        while (lua_next(L, idx)) { /* key, value */
            int kt = lua_type(L, -2);
            if (kt != LUA_TSTRING && kt != LUA_TNUMBER && kt != LUA_TBOOLEAN)
                luaL_error(L, "%s: a table key of type %s cannot be stored", what,
                           lua_typename(L, kt));
            encode(L, -2, b, depth + 1, what);
            encode(L, -1, b, depth + 1, what);
            lua_pop(L, 1);
        }
        return;
    }
    default:
        luaL_error(L, "%s: a %s cannot be stored (strings, numbers, booleans and plain tables "
                      "can)", what, luaL_typename(L, idx));
    }
}

/* ---- decoding ------------------------------------------------------------------------------- */

static int get_len(wb_reader *r, uint64_t *out) {
    uint64_t n = 0;
    for (int shift = 0; shift <= 35; shift += 7) {
        uint8_t byte = wb_rd_u8(r);
        if (r->err)
            return -1;
        n |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *out = n;
            return 0;
        }
    }
    return -1;
}

static int decode(lua_State *L, wb_reader *r, int depth) {
    if (!lua_checkstack(L, 3))
        return WB_ETOOBIG;
    uint8_t tag = wb_rd_u8(r);
    if (r->err)
        return WB_EMALFORMED;
    uint64_t n;
    switch (tag) {
    case 'T':
    case 'F':
        lua_pushboolean(L, tag == 'T');
        return 0;
    case 'i': {
        uint64_t v = wb_rd_be64(r);
        if (r->err)
            return WB_EMALFORMED;
        lua_pushinteger(L, (lua_Integer)v);
        return 0;
    }
    case 'd': {
        uint64_t bits = wb_rd_be64(r);
        if (r->err)
            return WB_EMALFORMED;
        double d;
        memcpy(&d, &bits, 8);
        lua_pushnumber(L, d);
        return 0;
    }
    case 's': {
        if (get_len(r, &n) < 0 || n > wb_rd_remaining(r))
            return WB_EMALFORMED;
        const uint8_t *p = wb_rd_bytes(r, (size_t)n);
        lua_pushlstring(L, (const char *)p, (size_t)n);
        return 0;
    }
    case 't': {
        if (depth >= WB_KV_MAX_DEPTH)
            return WB_EDEPTH;
        /* each entry takes at least 2 bytes: a count beyond that is a lie */
        if (get_len(r, &n) < 0 || n > wb_rd_remaining(r) / 2)
            return WB_EMALFORMED;
        lua_createtable(L, 0, (int)n);
        for (uint64_t i = 0; i < n; i++) {
            int rc;
            if ((rc = decode(L, r, depth + 1)) < 0)
                return rc;
            if (lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TNUMBER && isnan(lua_tonumber(L, -1))))
                return WB_EMALFORMED; /* a key Lua cannot use */
            if (lua_type(L, -1) == LUA_TTABLE)
                return WB_EMALFORMED;
            if ((rc = decode(L, r, depth + 1)) < 0)
                return rc;
            lua_rawset(L, -3);
        }
        return 0;
    }
    default:
        return WB_EMALFORMED;
    }
}

int wb_kv_decode(lua_State *L, const uint8_t *p, size_t len) {
    int top = lua_gettop(L);
    wb_reader r;
    wb_reader_init(&r, p, len);
    int rc = decode(L, &r, 0);
    if (rc == 0 && wb_rd_remaining(&r) != 0)
        rc = WB_EMALFORMED;
    if (rc < 0) {
        lua_settop(L, top);
        return rc;
    }
    return 0;
}

/* ---- wabot.kv ------------------------------------------------------------------------------- */

static wb_store *store_of(lua_State *L) {
    wb_rt *rt = wb_rt_gen_rt(wb_rt_gen_of(L));
    wb_store *st = wb_rt_store(rt);
    if (!st)
        luaL_error(L, "wabot.kv: no store (this runtime was started without one)");
    return st;
}

static const char *check_key(lua_State *L, size_t *len) {
    const char *k = luaL_checklstring(L, 1, len);
    luaL_argcheck(L, *len <= 4096, 1, "key longer than 4096 bytes");
    return k;
}

/* kv.get(key) -> the value, or nil */
static int l_kv_get(lua_State *L) {
    size_t klen;
    const char *key = check_key(L, &klen);
    wb_store *st = store_of(L);
    wb_rt *rt = wb_rt_gen_rt(wb_rt_gen_of(L));
    wb_buf b = WB_BUF_INIT;
    int rc = wb_store_kv_get(st, wb_rt_kv_namespace(rt), key, klen, &b);
    if (rc == WB_ENOTFOUND) {
        wb_buf_free(&b);
        lua_pushnil(L);
        return 1;
    }
    if (rc < 0 || b.err) {
        wb_buf_free(&b);
        return luaL_error(L, "wabot.kv.get: the store failed (%s)", wb_strerror(rc < 0 ? rc : b.err));
    }
    /* The value may not fit the generation's memory: decode may raise; free the bytes first by
     * copying them into a Lua string that the GC owns. */
    lua_pushlstring(L, b.data ? (const char *)b.data : "", b.len); /* key, bytes */
    wb_buf_free(&b);
    size_t n;
    const uint8_t *p = (const uint8_t *)lua_tolstring(L, -1, &n);
    if (wb_kv_decode(L, p, n) < 0)
        return luaL_error(L, "wabot.kv.get: the stored value of this key is not readable");
    return 1;
}

static int holder_gc(lua_State *L) {
    wb_buf_free(lua_touserdata(L, 1));
    return 0;
}

/* kv.set(key, value): value nil deletes */
static int l_kv_set(lua_State *L) {
    size_t klen;
    const char *key = check_key(L, &klen);
    luaL_checkany(L, 2);
    wb_store *st = store_of(L);
    wb_rt *rt = wb_rt_gen_rt(wb_rt_gen_of(L));
    if (lua_isnil(L, 2)) {
        int rc = wb_store_kv_delete(st, wb_rt_kv_namespace(rt), key, klen, NULL);
        if (rc < 0)
            return luaL_error(L, "wabot.kv.set: the store failed (%s)", wb_strerror(rc));
        return 0;
    }
    /* The encoding grows in a wb_buf owned by a userdata, whose __gc frees it if encode raises
     * half way (a function inside the table, say). */
    lua_settop(L, 2);
    wb_buf *holder = lua_newuserdatauv(L, sizeof *holder, 0); /* key, value, holder */
    wb_buf_init(holder);
    if (luaL_newmetatable(L, "wabot.kv.buf")) { /* key, value, holder, mt */
        lua_pushcfunction(L, holder_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2); /* key, value, holder */
    encode(L, 2, holder, 0, "wabot.kv.set");
    int rc = holder->err ? holder->err
             : holder->len > WB_KV_MAX_VALUE ? WB_ETOOBIG
             : wb_store_kv_put(st, wb_rt_kv_namespace(rt), key, klen, holder->data, holder->len);
    wb_buf_free(holder);
    if (rc < 0)
        return luaL_error(L, "wabot.kv.set: %s", rc == WB_ETOOBIG ? "value larger than 16 MiB"
                                                                  : wb_strerror(rc));
    return 0;
}

/* kv.delete(key) -> whether there was a value */
static int l_kv_delete(lua_State *L) {
    size_t klen;
    const char *key = check_key(L, &klen);
    wb_store *st = store_of(L);
    wb_rt *rt = wb_rt_gen_rt(wb_rt_gen_of(L));
    int removed = 0;
    int rc = wb_store_kv_delete(st, wb_rt_kv_namespace(rt), key, klen, &removed);
    if (rc < 0)
        return luaL_error(L, "wabot.kv.delete: the store failed (%s)", wb_strerror(rc));
    lua_pushboolean(L, removed);
    return 1;
}

/* Keys are gathered in C first (length-prefixed in a wb_buf) and pushed afterwards: a Lua memory
 * error raised in the middle of the store's iteration would leave its statement open. */
static int gather_key(void *ud, const void *key, size_t len) {
    wb_buf *b = ud;
    wb_buf_put_be32(b, (uint32_t)len);
    return wb_buf_append(b, key, len);
}

/* kv.keys([prefix]) -> array of the keys starting with prefix, in byte order */
static int l_kv_keys(lua_State *L) {
    size_t plen = 0;
    const char *prefix = luaL_optlstring(L, 1, "", &plen);
    wb_store *st = store_of(L);
    wb_rt *rt = wb_rt_gen_rt(wb_rt_gen_of(L));
    lua_settop(L, 1);
    wb_buf *b = lua_newuserdatauv(L, sizeof *b, 0); /* prefix, holder (frees b if we raise) */
    wb_buf_init(b);
    if (luaL_newmetatable(L, "wabot.kv.buf")) {
        lua_pushcfunction(L, holder_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    int rc = wb_store_kv_keys(st, wb_rt_kv_namespace(rt), prefix, plen, gather_key, b);
    if (rc < 0 || b->err)
        return luaL_error(L, "wabot.kv.keys: the store failed (%s)", wb_strerror(rc < 0 ? rc : b->err));
    lua_newtable(L); /* prefix, holder, keys */
    wb_reader r;
    wb_reader_init(&r, b->data, b->len);
    for (lua_Integer n = 1; wb_rd_remaining(&r) > 0; n++) {
        uint32_t len = wb_rd_be32(&r);
        const uint8_t *k = wb_rd_bytes(&r, len);
        lua_pushlstring(L, k ? (const char *)k : "", len);
        lua_rawseti(L, -2, n);
    }
    wb_buf_free(b);
    return 1;
}

int luaopen_wabot_kv(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"get", l_kv_get}, {"set", l_kv_set}, {"delete", l_kv_delete}, {"keys", l_kv_keys},
        {NULL, NULL},
    };
    luaL_newlib(L, fns);
    return 1;
}
