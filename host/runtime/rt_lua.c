/* `wabot.rt`: the few runtime mechanics the embedded Lua side (lua/wabot/) is built on. Bots do
 * not require it directly; lua/wabot/init.lua exposes what they need as wabot.reload,
 * wabot.on_reload and wabot.spawn, and lua/wabot/ev.lua registers sock.ev's listener table here so
 * that events are delivered from C without a Lua dispatch function in between. */
#include "runtime/rt_int.h"

/* rt.listeners(t): t maps event names to arrays of functions (replaced, never mutated in place,
 * by ev.lua, so a delivery walking one array is never disturbed by on/off). */
static int l_rt_listeners(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    wb_rt_gen *g = wb_rt_gen_of(L);
    lua_settop(L, 1);
    int ref = wb_rt_ref(L);
    wb_rt_unref(L, g->listeners_ref);
    g->listeners_ref = ref;
    return 0;
}

/* rt.on_reload(fn): fn runs in this generation when a newer one has loaded. */
static int l_rt_on_reload(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    wb_rt_gen *g = wb_rt_gen_of(L);
    if (g->on_reload_ref == LUA_NOREF) {
        lua_newtable(L);
        g->on_reload_ref = wb_rt_ref(L);
    }
    wb_rt_push_ref(L, g->on_reload_ref); /* fn, list */
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    return 0;
}

static int l_rt_reload(lua_State *L) {
    wb_rt_gen_request_reload(wb_rt_gen_of(L));
    return 0;
}

/* rt.spawn(fn, ...): runs fn(...) as a new task once the caller yields or returns. */
static int l_rt_spawn(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    wb_rt_spawn(L, lua_gettop(L) - 1, "spawned function");
    return 0;
}

/* rt.pass(): called by the wrapped coroutine.resume after a bot coroutine yielded. If the
 * watchdog made that yield (to preempt or to stop the task), yields the caller too, so the yield
 * travels up to the scheduler; otherwise returns at once (the bot's own coroutine.yield). */
static int pass_resumed(lua_State *L, int status, lua_KContext ctx) {
    (void)status;
    (void)ctx;
    lua_pushboolean(L, 1); /* resume the bot's coroutine where it was */
    return 1;
}

static int l_rt_pass(lua_State *L) {
    wb_rt_gen *g = wb_rt_gen_of(L);
    if (!(g->kill || g->preempt_nested) || !lua_isyieldable(L) || !g->running) {
        lua_pushboolean(L, 0);
        return 1;
    }
    g->preempt_nested = 0;
    if (*(wb_task **)lua_getextraspace(L) == g->running && !g->kill)
        g->preempt = 1;
    else if (!g->kill)
        g->preempt_nested = 1; /* still nested: the next wrapper up passes it on */
    return lua_yieldk(L, 0, 0, pass_resumed);
}

static int l_rt_generation(lua_State *L) {
    wb_rt_gen *g = wb_rt_gen_of(L);
    lua_pushinteger(L, g->id);
    lua_pushboolean(L, wb_rt_gen_is_current(g));
    return 2;
}

/* rt.memory() -> bytes in use, limit */
static int l_rt_memory(lua_State *L) {
    wb_rt_gen *g = wb_rt_gen_of(L);
    lua_pushinteger(L, (lua_Integer)g->mem);
    lua_pushinteger(L, (lua_Integer)g->mem_limit);
    return 2;
}

int wb_rt_open_rt(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"listeners", l_rt_listeners}, {"on_reload", l_rt_on_reload},
        {"reload", l_rt_reload},       {"spawn", l_rt_spawn},
        {"generation", l_rt_generation}, {"pass", l_rt_pass}, {"memory", l_rt_memory},
        {NULL, NULL},
    };
    luaL_newlib(L, fns);
    return 1;
}
