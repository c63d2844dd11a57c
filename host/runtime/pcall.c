/* The one way C calls into Lua (STYLE.md, example 5): wb_lua_pcall / wb_lua_cpcall for short
 * calls outside tasks, wb_lua_resume for tasks, and the watchdog that bounds both.
 *
 * Why a count hook and not a timer: the loop is single-threaded, so nothing else can interrupt a
 * listener stuck in `while true do end`. Every WB_HOOK_COUNT VM instructions the hook reads the
 * monotonic clock (a vDSO call, ~20 ns: well under 1% of the time those instructions take).
 *
 * Two things can happen in the hook, both by yielding the task's own thread back to the scheduler,
 * which a pcall inside the bot cannot intercept (Lua 5.4 lets count hooks yield):
 *  - preemption: a task that has run slice_ms is paused and put back at the head of the ready
 *    queue, so libuv gets to run (keepalives, acks, reads) and the task continues on the next
 *    iteration before any other Lua of the bot; a listener is never interleaved with another.
 *  - the kill: a task past its budget (budget_ms since it last waited) is stopped for good. In a
 *    coroutine the bot made, the hook yields that coroutine instead (back to the bot's resume),
 *    and the next check in the task's thread finishes the job; where no yield is possible (a
 *    table.sort comparator, a __gc) it raises an error, again at every check until it escapes. */
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "runtime/rt_int.h"

#define WB_HOOK_COUNT 1000

uint64_t wb_rt_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void watchdog(lua_State *L, lua_Debug *ar) {
    (void)ar;
    wb_rt_gen *g = wb_rt_gen_of(L);
    wb_task *t = g->running;
    uint64_t deadline = t ? t->deadline : g->pcall_deadline;
    if (deadline == 0)
        return;
    uint64_t now = wb_rt_now_ns();
    if (now >= deadline) {
        g->kill = 1;
        if (t && lua_isyieldable(L)) { /* a nested coroutine passes it up as a preemption */
            lua_yield(L, 0); /* in a hook this returns; the yield happens when the hook does */
            return;          /* (and a pcall in the bot cannot catch it) */
        }
        luaL_error(L, "stopped: ran past its time budget without yielding");
    }
    if (t && now >= g->slice_end && lua_isyieldable(L)) {
        /* In the task's own thread the scheduler sees the flag. In a coroutine the bot made, the
         * yield lands in the bot's coroutine.resume, which lua/wabot/init.lua wraps: it sees the
         * flag (rt.pass) and passes the yield up, level by level, to the scheduler. */
        if (*(wb_task **)lua_getextraspace(L) == t)
            g->preempt = 1;
        else
            g->preempt_nested = 1;
        lua_yield(L, 0);
    }
}

void wb_rt_install_hook(lua_State *L) { lua_sethook(L, watchdog, LUA_MASKCOUNT, WB_HOOK_COUNT); }

/* ---- error reports -------------------------------------------------------------------------- */

/* [co, cmsg, err] -> the traceback of co (or of L when co is NULL), headed by cmsg if it is not
 * NULL, else by the error value err. */
static int traceback_of(lua_State *L) {
    lua_State *co = lua_touserdata(L, 1);
    const char *cmsg = lua_touserdata(L, 2);
    const char *msg = cmsg ? cmsg : luaL_tolstring(L, 3, NULL);
    luaL_traceback(L, co ? co : L, msg, 0);
    return 1;
}

void wb_lua_report(lua_State *L, lua_State *co, int status, const char *context, const char *cmsg) {
    /* Unless cmsg is given, the error value is on top of L (and is popped). Building the
     * traceback allocates, so it runs protected; if memory is what ran out, the plain message has
     * to do. */
    wb_rt_gen *g = wb_rt_gen_of(L);
    if (status == LUA_ERRMEM) {
        WB_WARN("bot", "%s: not enough memory (the bot holds %zu KiB of its %zu KiB limit)",
                context, g->mem / 1024, g->mem_limit / 1024);
        if (!cmsg)
            lua_pop(L, 1);
        return;
    }
    if (cmsg)
        lua_pushnil(L);                       /* err (nil stands for it) */
    lua_pushcfunction(L, traceback_of);     /* err, f */
    lua_pushlightuserdata(L, co);           /* err, f, co */
    lua_pushlightuserdata(L, (void *)cmsg); /* err, f, co, cmsg */
    lua_pushvalue(L, -4);                   /* err, f, co, cmsg, err */
    uint64_t saved = g->pcall_deadline;
    g->pcall_deadline = 0;
    if (lua_pcall(L, 3, 1, 0) == LUA_OK) /* err, text */
        WB_WARN("bot", "%s: %s", context, lua_tostring(L, -1));
    else /* err, error of the traceback */
        WB_WARN("bot", "%s: %s", context,
                cmsg ? cmsg
                     : lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2)
                                                      : "(error object is not a string)");
    g->pcall_deadline = saved;
    lua_pop(L, 2);
}

/* ---- protected calls outside tasks ---------------------------------------------------------- */

static int msgh(lua_State *L) {
    if (lua_type(L, 1) != LUA_TSTRING && !luaL_callmeta(L, 1, "__tostring"))
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, lua_tostring(L, -1), 1);
    return 1;
}

int wb_lua_pcall(lua_State *L, int nargs, int nresults, const char *context) {
    wb_rt_gen *g = wb_rt_gen_of(L);
    int base = lua_gettop(L) - nargs; /* the function's index */
    lua_pushcfunction(L, msgh);
    lua_insert(L, base);
    /* Outside a task, the budget is the pcall's own; inside one (a binding calling back into
     * Lua), the task's budget goes on counting. */
    uint64_t saved = g->pcall_deadline;
    if (!g->running && saved == 0)
        g->pcall_deadline = wb_rt_now_ns() + (uint64_t)g->rt->cfg.budget_ms * 1000000u;
    int st = lua_pcall(L, nargs, nresults, base);
    g->pcall_deadline = saved;
    if (st != LUA_OK) {
        if (st == LUA_ERRMEM)
            WB_WARN("bot", "%s: not enough memory (the bot holds %zu KiB of its %zu KiB limit)",
                    context, g->mem / 1024, g->mem_limit / 1024);
        else
            WB_WARN("bot", "%s: %s", context,
                    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(error)");
        lua_settop(L, base - 1);
        return st;
    }
    lua_remove(L, base);
    return st;
}

int wb_lua_cpcall(lua_State *L, lua_CFunction f, void *ud, const char *context) {
    if (!lua_checkstack(L, 3)) {
        WB_WARN("bot", "%s: Lua stack overflow", context);
        return LUA_ERRMEM;
    }
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, ud);
    return wb_lua_pcall(L, 1, 0, context);
}

/* ---- tasks ---------------------------------------------------------------------------------- */

int wb_lua_resume(wb_task *t, int *nres) {
    wb_rt_gen *g = t->gen;
    const wb_rt_config *cfg = &g->rt->cfg;
    uint64_t now = wb_rt_now_ns();
    g->running = t;
    g->kill = g->preempt = g->preempt_nested = 0;
    g->slice_end = t->toplevel ? UINT64_MAX : now + (uint64_t)cfg->slice_ms * 1000000u;
    if (t->deadline == 0)
        t->deadline = now + (uint64_t)(t->toplevel ? cfg->load_budget_ms : cfg->budget_ms) * 1000000u;
    int nargs = t->nargs;
    t->nargs = 0;
    int st = lua_resume(t->co, NULL, nargs, nres);
    g->running = NULL;
    return st;
}
