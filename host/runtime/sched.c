/* The scheduler (OpenResty's model): every event delivery, timer callback and spawned function is
 * a task, a coroutine owned by the runtime. A binding whose operation waits records the task in a
 * wb_rt_call and yields; the operation's completion pushes the results onto the coroutine and
 * readies it; the tick (rt.c) resumes ready tasks in order. A call outlives its generation: when
 * the generation closes, the call is detached from it (abandoned) and its completion only frees.
 *
 * Lua's C API raises on memory errors, so everything here that allocates in a lua_State runs
 * inside wb_lua_pcall / wb_lua_cpcall (or inside a Lua call already protected). */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "runtime/rt_int.h"

#define WB_TASK_POOL 32

/* ---- tasks ---------------------------------------------------------------------------------- */

wb_task *wb_task_new(wb_rt_gen *g, lua_State *L) {
    wb_task *t = g->pool;
    if (t) { /* a finished thread runs its next function from a clean stack */
        g->pool = t->next;
        g->pool_n--;
        t->next = NULL;
        return t;
    }
    lua_State *co = lua_newthread(L); /* thread */
    int ref = wb_rt_ref(L);           /* (popped) */
    if (!(t = calloc(1, sizeof *t))) {
        wb_rt_unref(L, ref);
        luaL_error(L, "not enough memory");
    }
    t->gen = g;
    t->co = co;
    t->ref = ref;
    *(wb_task **)lua_getextraspace(co) = t;
    return t;
}

static void task_free(wb_task *t) {
    wb_rt_gen *g = t->gen;
    *(wb_task **)lua_getextraspace(t->co) = NULL;
    wb_rt_unref(g->L, t->ref); /* the thread is garbage now */
    free(t);
}

static void call_unlink(wb_rt_call *c) {
    c->prev->next = c->next;
    c->next->prev = c->prev;
    c->prev = c->next = c;
}

void wb_rt_track_release(wb_rt_track *tr, int ok) {
    if (!ok)
        tr->dropped = 1;
    if (--tr->pending == 0) {
        tr->done(tr->ud, !tr->dropped);
        free(tr);
    }
}

/* A task that ended (ended: it returned, raised or was stopped; else it is dropped unfinished):
 * its thread goes back to the pool if it returned normally. */
static void task_finish(wb_task *t, int reusable, int ended) {
    wb_rt_gen *g = t->gen;
    if (t->track) {
        wb_rt_track *tr = t->track;
        t->track = NULL;
        wb_rt_track_release(tr, ended);
    }
    if (t->call) { /* died between begin and yield: a binding bug, but keep the call sane */
        wb_rt_call *c = t->call;
        call_unlink(c);
        g->n_calls--;
        c->task = NULL;
        t->call = NULL;
        g->rt->stats.calls_abandoned++;
        if (c->on_abandon)
            c->on_abandon(c, c->ud);
    }
    if (reusable && g->state != GEN_CLOSED && g->pool_n < WB_TASK_POOL) {
        lua_settop(t->co, 0);
        t->deadline = 0;
        t->toplevel = 0;
        t->what = NULL;
        t->next = g->pool;
        g->pool = t;
        g->pool_n++;
        return;
    }
    task_free(t);
}

void wb_task_ready(wb_task *t, int front) {
    wb_rt *rt = t->gen->rt;
    t->queued = 1;
    t->gen->n_ready++;
    if (front) {
        t->next = rt->ready_head;
        rt->ready_head = t;
        if (!rt->ready_tail)
            rt->ready_tail = t;
    } else {
        t->next = NULL;
        if (rt->ready_tail)
            rt->ready_tail->next = t;
        else
            rt->ready_head = t;
        rt->ready_tail = t;
    }
    wb_rt_wake(rt);
}

static const char *task_what(const wb_task *t) { return t->what ? t->what : "task"; }

int wb_task_resume(wb_task *t) {
    wb_rt_gen *g = t->gen;
    wb_rt *rt = g->rt;
    t->queued = 0;
    g->n_ready--;
    int nres = 0;
    int st = wb_lua_resume(t, &nres);
    if (st == LUA_YIELD && g->kill) {
        char msg[160];
        snprintf(msg, sizeof msg, "stopped: ran longer than %u ms without yielding",
                 t->toplevel ? rt->cfg.load_budget_ms : rt->cfg.budget_ms);
        rt->stats.tasks_killed++;
        wb_lua_report(g->L, t->co, LUA_ERRRUN, task_what(t), msg);
        task_finish(t, 0, 1);
    } else if (st == LUA_YIELD && g->preempt) {
        rt->stats.tasks_preempted++;
        wb_task_ready(t, 1);
        return 1;
    } else if (st == LUA_YIELD && t->call) {
        lua_pop(t->co, nres); /* waiting; the watchdog's clock restarts when it resumes */
        t->deadline = 0;
    } else if (st == LUA_YIELD) {
        rt->stats.tasks_failed++;
        wb_lua_report(g->L, t->co, LUA_ERRRUN, task_what(t),
                      "coroutine.yield() outside a coroutine of the bot's own (use wabot.sleep "
                      "to wait)");
        task_finish(t, 0, 1);
    } else if (st == LUA_OK) {
        task_finish(t, 1, 1);
    } else {
        rt->stats.tasks_failed++;
        lua_xmove(t->co, g->L, 1); /* the error value */
        wb_lua_report(g->L, t->co, st, task_what(t), NULL);
        task_finish(t, 0, 1);
    }
    wb_rt_maybe_finish_drain(g);
    return 0;
}

/* ---- spawning ------------------------------------------------------------------------------- */

void wb_rt_spawn(lua_State *L, int nargs, const char *what) {
    wb_rt_gen *g = wb_rt_gen_of(L);
    if (g->state == GEN_CLOSED)
        luaL_error(L, "this generation of the bot is closed");
    wb_task *t = wb_task_new(g, L);
    if (!lua_checkstack(t->co, nargs + 1)) {
        task_finish(t, 1, 1);
        luaL_error(L, "not enough memory");
    }
    lua_xmove(L, t->co, nargs + 1);
    t->nargs = nargs;
    t->what = what;
    g->rt->stats.tasks_started++;
    wb_task_ready(t, 0);
}

struct spawn_ref_ctx {
    wb_rt_gen *g;
    int ref;
    const char *what;
};

static int spawn_ref_cfn(lua_State *L) {
    struct spawn_ref_ctx *c = lua_touserdata(L, 1);
    wb_rt_push_ref(L, c->ref);
    wb_rt_spawn(L, 0, c->what);
    return 0;
}

int wb_rt_gen_spawn_ref(wb_rt_gen *g, int ref, const char *what) {
    if (g->state == GEN_CLOSED)
        return WB_ECLOSED;
    struct spawn_ref_ctx c = {g, ref, what};
    return wb_lua_cpcall(g->L, spawn_ref_cfn, &c, what) == LUA_OK ? 0 : WB_ENOMEM;
}

/* ---- events --------------------------------------------------------------------------------- */

struct deliver_ctx {
    wb_rt_gen *g;
    wb_rt_event *ev;
    wb_rt_track *track; /* a tracked event's, or NULL */
};

/* [ctx] -> (); readies one task per listener of ev, all sharing one payload */
static int deliver_cfn(lua_State *L) {
    struct deliver_ctx *c = lua_touserdata(L, 1);
    wb_rt_gen *g = c->g;
    wb_rt_push_ref(L, g->listeners_ref); /* ctx, listeners */
    if (!lua_istable(L, 2))
        return 0;
    lua_pushstring(L, c->ev->name); /* ctx, listeners, name */
    if (lua_rawget(L, 2) != LUA_TTABLE) /* ctx, listeners, list */
        return 0;
    lua_Integer n = (lua_Integer)lua_rawlen(L, 3);
    if (n == 0)
        return 0; /* nobody listens: the payload is never built */
    int np = c->ev->push ? c->ev->push(L, c->ev->ud) : 0; /* ctx, listeners, list, values... */
    if (np == 0)
        lua_pushnil(L);
    lua_settop(L, 4); /* ctx, listeners, list, payload */
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 3, i); /* ..., payload, fn */
        wb_task *t = wb_task_new(g, L);
        lua_pushvalue(L, 4);    /* ..., payload, fn, payload */
        lua_xmove(L, t->co, 2); /* ..., payload    co: fn, payload */
        t->nargs = 1;
        t->what = "listener";
        if (c->track) {
            t->track = c->track;
            c->track->pending++;
        }
        g->rt->stats.tasks_started++;
        wb_task_ready(t, 0);
    }
    return 0;
}

void wb_sched_deliver(wb_rt_gen *g, wb_rt_event *ev) {
    struct deliver_ctx c = {g, ev, NULL};
    if (ev->done) {
        if (!(c.track = calloc(1, sizeof *c.track))) {
            g->rt->stats.events_dropped++;
            ev->done(ev->ud, 0);
            return;
        }
        c.track->pending = 1; /* held until every listener is readied */
        c.track->done = ev->done;
        c.track->ud = ev->ud;
    }
    g->rt->stats.events_delivered++;
    int ok = wb_lua_cpcall(g->L, deliver_cfn, &c, ev->name) == LUA_OK;
    if (!ok)
        g->rt->stats.events_dropped++;
    if (c.track)
        wb_rt_track_release(c.track, ok);
}

/* ---- calls ---------------------------------------------------------------------------------- */

wb_rt_call *wb_rt_call_begin(lua_State *L, wb_rt_abandon_fn on_abandon, void *ud) {
    wb_task *t = *(wb_task **)lua_getextraspace(L);
    if (!t || t->co != L)
        luaL_error(L, "cannot wait here: only listeners, timer callbacks and spawned functions can "
                      "wait, not a coroutine the bot made itself");
    if (t->toplevel)
        luaL_error(L, "cannot wait at the top level of the bot file: do it in a listener or a "
                      "timer callback");
    if (!lua_isyieldable(L))
        luaL_error(L, "cannot wait inside a function called from C (a metamethod, a "
                      "table.sort comparator, ...)");
    if (t->call)
        luaL_error(L, "already waiting");
    wb_rt_call *c = calloc(1, sizeof *c);
    if (!c)
        luaL_error(L, "not enough memory");
    wb_rt_gen *g = t->gen;
    c->task = t;
    c->on_abandon = on_abandon;
    c->ud = ud;
    c->state = CALL_STARTED;
    c->early_ref = LUA_NOREF;
    c->prev = &g->calls;
    c->next = g->calls.next;
    g->calls.next->prev = c;
    g->calls.next = c;
    g->n_calls++;
    t->call = c;
    return c;
}

void wb_rt_call_set_ud(wb_rt_call *c, void *ud) { c->ud = ud; }

wb_rt_gen *wb_rt_call_gen(const wb_rt_call *c) { return c->task ? c->task->gen : NULL; }

/* [table] -> its values 1..t.n */
static int unpack_early(lua_State *L, wb_rt_call *c) {
    if (c->early_ref == LUA_REFNIL)
        return 0;
    wb_rt_push_ref(L, c->early_ref); /* t */
    wb_rt_unref(L, c->early_ref);
    lua_getfield(L, -1, "n"); /* t, n */
    int n = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    luaL_checkstack(L, n, "too many results");
    for (int i = 1; i <= n; i++)
        lua_rawgeti(L, -i, i); /* t, v1..vi */
    lua_remove(L, -n - 1);
    return n;
}

int wb_rt_call_yield(lua_State *L, wb_rt_call *c) {
    if (c->state == CALL_DONE_EARLY) {
        /* free first: unpacking may raise */
        wb_rt_call copy = *c;
        free(c);
        return unpack_early(L, &copy);
    }
    c->state = CALL_WAITING;
    return lua_yield(L, 0); /* resumed with the results, which this function then returns */
}

struct result_ctx {
    wb_rt_push_fn push;
    void *ud;
    int pack; /* pack the values into a table and reference it */
    int ref;
    const char *message, *code; /* push == NULL && message: the failure triple */
};

/* [ctx] -> the call's results (or, packed, nothing) */
static int results_cfn(lua_State *L) {
    struct result_ctx *c = lua_touserdata(L, 1);
    lua_settop(L, 0);
    int n;
    if (c->message) {
        lua_pushnil(L);
        lua_pushstring(L, c->message);
        lua_pushstring(L, c->code ? c->code : "EFAIL");
        n = 3;
    } else {
        n = c->push ? c->push(L, c->ud) : 0;
        lua_settop(L, n);
    }
    if (c->pack) {
        lua_createtable(L, n, 1); /* v1..vn, t */
        lua_insert(L, 1);         /* t, v1..vn */
        for (int i = n; i >= 1; i--)
            lua_rawseti(L, 1, i);
        lua_pushinteger(L, n);
        lua_setfield(L, 1, "n");
        c->ref = wb_rt_ref(L);
        return 0;
    }
    return n;
}

static void call_finish(wb_rt_call *c, struct result_ctx *rc) {
    wb_task *t = c->task;
    if (!t) { /* abandoned: its generation is gone */
        free(c);
        return;
    }
    wb_rt_gen *g = t->gen;
    lua_State *L = g->L;
    call_unlink(c);
    g->n_calls--;
    t->call = NULL;
    rc->pack = c->state == CALL_STARTED;
    rc->ref = LUA_NOREF;
    int top = lua_gettop(L);
    if (lua_checkstack(L, 2)) {
        lua_pushcfunction(L, results_cfn);
        lua_pushlightuserdata(L, rc);
        if (wb_lua_pcall(L, 1, LUA_MULTRET, "building a call's results") != LUA_OK)
            lua_settop(L, top); /* the call returns nothing: nil */
    }
    int n = lua_gettop(L) - top;
    if (c->state == CALL_STARTED) { /* completed before the binding yielded */
        c->state = CALL_DONE_EARLY;
        c->early_ref = rc->ref;
        if (c->early_ref == LUA_NOREF) /* packing failed: the call returns nothing */
            c->early_ref = LUA_REFNIL;
        lua_settop(L, top);
        return;
    }
    if (n > 0 && !lua_checkstack(t->co, n)) {
        lua_settop(L, top);
        n = 0;
    }
    lua_xmove(L, t->co, n);
    t->nargs = n;
    free(c);
    wb_task_ready(t, 0);
}

void wb_rt_call_complete(wb_rt_call *c, wb_rt_push_fn push, void *ud) {
    struct result_ctx rc = {push, ud, 0, LUA_NOREF, NULL, NULL};
    call_finish(c, &rc);
}

void wb_rt_call_fail(wb_rt_call *c, const char *message, const char *code) {
    struct result_ctx rc = {NULL, NULL, 0, LUA_NOREF, message ? message : "failed", code};
    call_finish(c, &rc);
}

/* ---- a generation closes -------------------------------------------------------------------- */

void wb_sched_drop_gen(wb_rt_gen *g) {
    wb_rt *rt = g->rt;
    /* its ready tasks leave the queue */
    wb_task **pp = &rt->ready_head;
    rt->ready_tail = NULL;
    while (*pp) {
        wb_task *t = *pp;
        if (t->gen == g) {
            *pp = t->next;
            t->queued = 0;
            g->n_ready--;
            task_finish(t, 0, 0);
        } else {
            rt->ready_tail = t;
            pp = &t->next;
        }
    }
    /* its waiting tasks are dropped; their calls live on, detached, until the operation ends */
    while (g->calls.next != &g->calls) {
        wb_rt_call *c = g->calls.next;
        wb_task *t = c->task;
        call_unlink(c);
        g->n_calls--;
        c->task = NULL;
        t->call = NULL;
        rt->stats.calls_abandoned++;
        if (t->track) {
            wb_rt_track *tr = t->track;
            t->track = NULL;
            wb_rt_track_release(tr, 0);
        }
        task_free(t);
        if (c->state == CALL_STARTED) /* impossible outside a running binding; be safe */
            c->state = CALL_WAITING;
        if (c->on_abandon)
            c->on_abandon(c, c->ud);
    }
    while (g->pool) {
        wb_task *t = g->pool;
        g->pool = t->next;
        task_free(t);
    }
    g->pool_n = 0;
}
