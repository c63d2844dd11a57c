/* wabot.sleep, wabot.setTimeout, wabot.setInterval, wabot.clearTimer.
 *
 * A sleep is a call (lua_rt.h): the task yields and a uv timer completes it. setTimeout and
 * setInterval timers are resources of their generation: when it is replaced they stop (a reloaded
 * bot sets its timers up again at its top level), so an interval never fires in two generations. */
#include <stdlib.h>

#include <lauxlib.h>

#include "bindings/bindings.h"
#include "runtime/lua_rt.h"

/* ---- sleep ---------------------------------------------------------------------------------- */

typedef struct sleeper {
    uv_timer_t h;
    wb_rt_call *call;
} sleeper;

static void sleeper_closed(uv_handle_t *h) { free(h->data); }

static void on_sleep_done(uv_timer_t *h) {
    sleeper *s = h->data;
    wb_rt_call_complete(s->call, NULL, NULL);
    uv_close((uv_handle_t *)&s->h, sleeper_closed);
}

static void on_sleep_abandoned(wb_rt_call *call, void *ud) {
    sleeper *s = ud;
    uv_timer_stop(&s->h);
    wb_rt_call_fail(call, "generation closed", "ECLOSED"); /* only frees the call */
    uv_close((uv_handle_t *)&s->h, sleeper_closed);
}

static lua_Integer check_ms(lua_State *L, int arg) {
    lua_Integer ms = luaL_checkinteger(L, arg);
    luaL_argcheck(L, ms >= 0 && ms <= (lua_Integer)1 << 40, arg, "milliseconds out of range");
    return ms;
}

/* wabot.sleep(ms): waits ms milliseconds (only in a listener, timer or spawned function). */
static int l_sleep(lua_State *L) {
    lua_Integer ms = check_ms(L, 1);
    wb_rt_call *call = wb_rt_call_begin(L, on_sleep_abandoned, NULL);
    sleeper *s = calloc(1, sizeof *s);
    if (!s) {
        wb_rt_call_fail(call, "out of memory", "ENOMEM");
        return wb_rt_call_yield(L, call);
    }
    s->call = call;
    wb_rt_call_set_ud(call, s);
    uv_timer_init(wb_rt_loop(wb_rt_gen_rt(wb_rt_gen_of(L))), &s->h);
    s->h.data = s;
    uv_timer_start(&s->h, on_sleep_done, (uint64_t)ms, 0);
    return wb_rt_call_yield(L, call);
}

/* ---- setTimeout / setInterval --------------------------------------------------------------- */

typedef struct timer {
    wb_rt_res res; /* first: the resource is the timer */
    uv_timer_t h;
    wb_rt_gen *g;
    int fn_ref;
    int repeat;
    lua_Integer id;
    struct timer *prev, *next; /* every live timer, for clearTimer */
} timer;

static timer *timers;
static lua_Integer next_id;

static void timer_closed(uv_handle_t *h) { free(h->data); }

static void timer_retire(wb_rt_res *res) {
    timer *t = (timer *)res;
    wb_rt_res_remove(res);
    uv_timer_stop(&t->h);
    if (t->prev)
        t->prev->next = t->next;
    else
        timers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    wb_rt_gen_unref(t->g, t->fn_ref);
    uv_close((uv_handle_t *)&t->h, timer_closed);
}

static void on_timer(uv_timer_t *h) {
    timer *t = h->data;
    wb_rt_gen_spawn_ref(t->g, t->fn_ref, t->repeat ? "interval" : "timeout");
    if (!t->repeat)
        timer_retire(&t->res);
}

static int start_timer(lua_State *L, int repeat) {
    lua_Integer ms = check_ms(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    wb_rt_gen *g = wb_rt_gen_of(L);
    if (!wb_rt_gen_is_current(g))
        return luaL_error(L, "this generation of the bot was replaced: it starts no timers");
    lua_settop(L, 2);
    int ref = wb_rt_ref(L); /* ms */
    timer *t = calloc(1, sizeof *t);
    if (!t) {
        wb_rt_unref(L, ref);
        return luaL_error(L, "not enough memory");
    }
    t->g = g;
    t->fn_ref = ref;
    t->repeat = repeat;
    t->id = ++next_id;
    t->res.retire = timer_retire;
    t->next = timers;
    if (timers)
        timers->prev = t;
    timers = t;
    wb_rt_res_add(g, &t->res);
    uv_timer_init(wb_rt_loop(wb_rt_gen_rt(g)), &t->h);
    t->h.data = t;
    uint64_t every = repeat ? (ms > 0 ? (uint64_t)ms : 1) : 0;
    uv_timer_start(&t->h, on_timer, (uint64_t)ms, every);
    lua_pushinteger(L, t->id);
    return 1;
}

/* wabot.setTimeout(ms, fn) -> id: fn runs once, in its own coroutine, after ms. */
static int l_set_timeout(lua_State *L) { return start_timer(L, 0); }
/* wabot.setInterval(ms, fn) -> id: fn runs every ms until cleared or the generation is replaced. */
static int l_set_interval(lua_State *L) { return start_timer(L, 1); }

/* wabot.clearTimer(id) -> whether a timer of this generation was stopped. */
static int l_clear_timer(lua_State *L) {
    if (lua_isnoneornil(L, 1)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_Integer id = luaL_checkinteger(L, 1);
    wb_rt_gen *g = wb_rt_gen_of(L);
    for (timer *t = timers; t; t = t->next)
        if (t->id == id && t->g == g) {
            timer_retire(&t->res);
            lua_pushboolean(L, 1);
            return 1;
        }
    lua_pushboolean(L, 0);
    return 1;
}

int luaopen_wabot_timers(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"sleep", l_sleep},           {"setTimeout", l_set_timeout},
        {"setInterval", l_set_interval}, {"clearTimer", l_clear_timer},
        {NULL, NULL},
    };
    luaL_newlib(L, fns);
    return 1;
}
