/* Fuzzes wabot.kv's value decoder (bindings/kv.c, wb_kv_decode): bytes read back from the store
 * must decode into Lua values or be refused, never crash, whatever a damaged database holds. */
#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>
#include <stddef.h>

#include "bindings/bindings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    const uint8_t *p;
    size_t n;
};

static int decode_cfn(lua_State *L) {
    struct ctx *c = lua_touserdata(L, 1);
    wb_kv_decode(L, c->p, c->n);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static lua_State *L;
    if (!L)
        L = luaL_newstate();
    struct ctx c = {data, size};
    lua_pushcfunction(L, decode_cfn);
    lua_pushlightuserdata(L, &c);
    lua_pcall(L, 1, 0, 0);
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
