/* Counted registry references (lua_rt.h): every reference the host holds into a generation goes
 * through this pair, so a generation that closes with references still held reports them (the
 * luv / Neovim discipline: a leak is a bug in a binding, and it should be seen). */
#include "runtime/rt_int.h"

wb_rt_gen *wb_rt_gen_of(lua_State *L) {
    void *ud;
    lua_getallocf(L, &ud); /* the allocator's ud is the generation (gen.c) */
    return ud;
}

int wb_rt_ref(lua_State *L) {
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return LUA_REFNIL;
    }
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    wb_rt_gen_of(L)->refs++;
    return ref;
}

void wb_rt_unref(lua_State *L, int ref) {
    if (ref == LUA_NOREF || ref == LUA_REFNIL)
        return;
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    wb_rt_gen_of(L)->refs--;
}

void wb_rt_gen_unref(wb_rt_gen *g, int ref) {
    if (g->L)
        wb_rt_unref(g->L, ref);
}

void wb_rt_push_ref(lua_State *L, int ref) {
    if (ref == LUA_NOREF || ref == LUA_REFNIL)
        lua_pushnil(L);
    else
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
}

int wb_rt_gen_refs(const wb_rt_gen *g) { return g->refs; }
