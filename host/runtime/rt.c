/* The runtime (runtime.h): the event queue, the tick that runs Lua, reload and drain.
 *
 * Lua runs only from here: in the tick (an idle handle, so the loop polls without blocking while
 * there is Lua work) and in the reload timer. Nothing that feeds the runtime — the client's
 * callbacks posting events, an operation completing a call — runs Lua itself; they queue and wake
 * the tick. That is what keeps a decode from ever re-entering the bot, and what makes a reload
 * atomic with respect to events: the swap happens in one loop callback, between two ticks. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "runtime/rt_int.h"

/* How long one tick may run Lua before it lets the loop poll (ns); a task running longer than
 * slice_ms is preempted anyway, this bounds many short ones. */
#define WB_TICK_NS (5u * 1000000u)

void wb_rt_handle_closed(wb_rt *rt) {
    if (--rt->handles_open == 0 && rt->closing) {
        for (size_t i = 0; i < rt->n_watched; i++)
            free(rt->watched[i]);
        free(rt->watched);
        free(rt->bot_path);
        free(rt->bot_dir);
        free(rt->kv_ns);
        free(rt);
    }
}

static void on_handle_closed(uv_handle_t *h) { wb_rt_handle_closed(h->data); }

static void on_idle(uv_idle_t *h);

void wb_rt_wake(wb_rt *rt) {
    if (!rt->idle_active && !rt->closing) {
        rt->idle_active = 1;
        uv_idle_start(&rt->idle, on_idle);
    }
}

/* ---- the tick ------------------------------------------------------------------------------- */

static void close_drained(wb_rt *rt) {
    wb_rt_gen *g = rt->gens;
    while (g) {
        wb_rt_gen *next = g->next;
        if (g->state == GEN_DRAINING && g->n_calls == 0 && g->n_ready == 0) {
            WB_DEBUG("runtime", "generation %u drained", g->id);
            wb_gen_destroy(g);
        }
        g = next;
    }
}

static void on_idle(uv_idle_t *h) {
    wb_rt *rt = h->data;
    uint64_t end = wb_rt_now_ns() + WB_TICK_NS;
    unsigned steps = 0;
    rt->in_tick = 1;
    for (;;) {
        if (++steps % 64 == 0 && wb_rt_now_ns() > end)
            break;
        wb_task *t = rt->ready_head;
        if (t) {
            rt->ready_head = t->next;
            if (!rt->ready_head)
                rt->ready_tail = NULL;
            t->next = NULL;
            if (wb_task_resume(t)) /* preempted: let the loop run, continue it next time */
                break;
            continue;
        }
        wb_rt_event *ev = rt->ev_head;
        if (ev && rt->current) {
            rt->ev_head = ev->next;
            if (!rt->ev_head)
                rt->ev_tail = NULL;
            wb_sched_deliver(rt->current, ev); /* a tracked event's done is its business now */
            if (!ev->done && ev->free)
                ev->free(ev->ud);
            free(ev);
            continue;
        }
        break;
    }
    rt->in_tick = 0;
    close_drained(rt);
    if (!rt->ready_head && !(rt->ev_head && rt->current)) {
        uv_idle_stop(&rt->idle);
        rt->idle_active = 0;
    }
}

void wb_rt_maybe_finish_drain(wb_rt_gen *g) {
    /* closing happens at the end of the tick, never inside the generation's own Lua */
    if (g->state == GEN_DRAINING && g->n_calls == 0 && g->n_ready == 0 && !g->rt->in_tick)
        close_drained(g->rt);
}

/* ---- reload --------------------------------------------------------------------------------- */

/* A replaced generation with nothing left to run is closed at the end of the next tick (after
 * the events that tick delivers to its successor: lua_close of a large bot takes a fraction of a
 * millisecond, which the first event after a reload should not wait for), or after this long if
 * no tick comes. */
#define CLOSE_IDLE_MS 20

static void on_drain_deadline(uv_timer_t *h) {
    wb_rt_gen *g = h->data;
    if (g->n_calls || g->n_ready)
        WB_WARN("runtime", "generation %u did not drain within %u ms: %u calls abandoned", g->id,
                g->rt->cfg.drain_ms, g->n_calls);
    wb_gen_destroy(g);
}

struct on_reload_ctx {
    wb_rt_gen *g;
};

/* [ctx] -> (); spawns each wabot.on_reload function of the old generation */
static int spawn_on_reload(lua_State *L) {
    struct on_reload_ctx *c = lua_touserdata(L, 1);
    wb_rt_push_ref(L, c->g->on_reload_ref); /* ctx, fns */
    if (!lua_istable(L, 2))
        return 0;
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        wb_rt_spawn(L, 0, "on_reload");
    }
    return 0;
}

void wb_rt_reload_now(wb_rt *rt) {
    if (rt->closing)
        return;
    unsigned id = ++rt->next_gen_id;
    uint64_t t0 = wb_rt_now_ns();
    wb_error err = {0};
    wb_rt_watch_loading(rt);
    wb_rt_gen *ng = wb_gen_load(rt, id, &err);
    if (!ng) {
        rt->stats.loads_failed++;
        if (rt->current)
            WB_ERROR("runtime", "reload failed, generation %u keeps running: %s", rt->current->id,
                     err.what);
        else
            WB_ERROR("runtime", "load failed: %s", err.what);
        if (rt->cfg.on_load)
            rt->cfg.on_load(rt, id, err.what);
        return;
    }
    wb_rt_gen *old = rt->current;
    ng->state = GEN_CURRENT;
    rt->current = ng;
    rt->stats.loads_ok++;
    WB_INFO("runtime", "generation %u loaded in %.1f ms", id, (double)(wb_rt_now_ns() - t0) / 1e6);
    if (old) {
        old->state = GEN_DRAINING;
        struct on_reload_ctx c = {old};
        wb_lua_cpcall(old->L, spawn_on_reload, &c, "wabot.on_reload");
        wb_gen_retire(old);
        int drained = old->n_calls == 0 && old->n_ready == 0;
        uv_timer_start(&old->drain_timer, on_drain_deadline,
                       drained ? CLOSE_IDLE_MS : rt->cfg.drain_ms, 0);
    }
    if (rt->cfg.on_load)
        rt->cfg.on_load(rt, id, NULL);
    if (rt->ev_head)
        wb_rt_wake(rt); /* events that waited for a generation */
}

static void on_reload_timer(uv_timer_t *h) { wb_rt_reload_now(h->data); }

void wb_rt_schedule_reload(wb_rt *rt, unsigned delay_ms) {
    if (!rt->closing)
        uv_timer_start(&rt->reload_timer, on_reload_timer, delay_ms, 0);
}

void wb_rt_reload(wb_rt *rt) { wb_rt_schedule_reload(rt, 0); }

void wb_rt_gen_request_reload(wb_rt_gen *g) { wb_rt_schedule_reload(g->rt, 0); }

/* ---- making and closing --------------------------------------------------------------------- */

static char *base_name_without_lua(const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".lua") == 0)
        n -= 4;
    return strndup(b, n);
}

static char *dir_name(const char *path) {
    const char *b = strrchr(path, '/');
    if (!b)
        return strdup(".");
    if (b == path)
        return strdup("/");
    return strndup(path, (size_t)(b - path));
}

int wb_rt_new(wb_rt **out, const wb_rt_config *cfg, wb_error *err) {
    if (!cfg || !cfg->loop || !cfg->bot_path || !cfg->bot_path[0])
        return wb_error_set(err, WB_EINVAL, 0, "no loop or no bot file");
    wb_rt *rt = calloc(1, sizeof *rt);
    if (!rt)
        return wb_error_set(err, WB_ENOMEM, 0, "out of memory");
    rt->cfg = *cfg;
    rt->loop = cfg->loop;
    wb_rt_config *c = &rt->cfg;
    if (!c->mem_limit)
        c->mem_limit = (size_t)256 << 20;
    if (!c->budget_ms)
        c->budget_ms = 1000;
    if (!c->load_budget_ms)
        c->load_budget_ms = 1000;
    if (!c->slice_ms)
        c->slice_ms = 10;
    if (!c->drain_ms)
        c->drain_ms = 5000;
    if (!c->debounce_ms)
        c->debounce_ms = 500;
    rt->bot_path = strdup(cfg->bot_path);
    rt->bot_dir = dir_name(cfg->bot_path);
    rt->kv_ns = cfg->kv_namespace ? strdup(cfg->kv_namespace) : base_name_without_lua(cfg->bot_path);
    c->bot_path = rt->bot_path;
    c->kv_namespace = rt->kv_ns;
    if (!rt->bot_path || !rt->bot_dir || !rt->kv_ns) {
        free(rt->bot_path);
        free(rt->bot_dir);
        free(rt->kv_ns);
        free(rt);
        return wb_error_set(err, WB_ENOMEM, 0, "out of memory");
    }
    uv_idle_init(rt->loop, &rt->idle);
    rt->idle.data = rt;
    uv_timer_init(rt->loop, &rt->reload_timer);
    rt->reload_timer.data = rt;
    rt->handles_open = 2;
    wb_rt_watch_init(rt);
    if (c->handle_sighup && wb_rt_sighup_start(rt) < 0)
        WB_WARN("runtime", "cannot watch SIGHUP");
    wb_rt_watch_add(rt, rt->bot_path);
    wb_rt_watch_loading(rt);
    rt->next_gen_id = 1;
    wb_rt_gen *g = wb_gen_load(rt, 1, err);
    if (!g) {
        int code = err ? err->code : WB_EMALFORMED;
        rt->stats.loads_failed++;
        wb_rt_close(rt);
        return code ? code : WB_EMALFORMED;
    }
    g->state = GEN_CURRENT;
    rt->current = g;
    rt->stats.loads_ok++;
    if (c->on_load)
        c->on_load(rt, 1, NULL);
    *out = rt;
    return 0;
}

void wb_rt_close(wb_rt *rt) {
    if (!rt || rt->closing)
        return;
    rt->closing = 1;
    while (rt->gens)
        wb_gen_destroy(rt->gens);
    while (rt->ev_head) {
        wb_rt_event *ev = rt->ev_head;
        rt->ev_head = ev->next;
        if (ev->done)
            ev->done(ev->ud, 0);
        else if (ev->free)
            ev->free(ev->ud);
        free(ev);
    }
    rt->ev_tail = NULL;
    uv_idle_stop(&rt->idle);
    uv_close((uv_handle_t *)&rt->idle, on_handle_closed);
    uv_close((uv_handle_t *)&rt->reload_timer, on_handle_closed);
    wb_rt_watch_stop(rt);
}

/* ---- events --------------------------------------------------------------------------------- */

static int post(wb_rt *rt, const char *name, wb_rt_push_fn push, wb_rt_free_fn free_fn,
                wb_rt_done_fn done, void *ud) {
    wb_rt_event *ev = rt->closing ? NULL : malloc(sizeof *ev + strlen(name) + 1);
    if (!ev) {
        if (done)
            done(ud, 0);
        else if (free_fn)
            free_fn(ud);
        return rt->closing ? WB_ECLOSED : WB_ENOMEM;
    }
    size_t n = strlen(name);
    ev->next = NULL;
    ev->push = push;
    ev->free = free_fn;
    ev->done = done;
    ev->ud = ud;
    memcpy(ev->name, name, n + 1);
    if (rt->ev_tail)
        rt->ev_tail->next = ev;
    else
        rt->ev_head = ev;
    rt->ev_tail = ev;
    rt->stats.events_posted++;
    if (rt->current)
        wb_rt_wake(rt);
    return 0;
}

int wb_rt_post_event(wb_rt *rt, const char *name, wb_rt_push_fn push, wb_rt_free_fn free_fn,
                     void *ud) {
    return post(rt, name, push, free_fn, NULL, ud);
}

int wb_rt_post_event_tracked(wb_rt *rt, const char *name, wb_rt_push_fn push, wb_rt_done_fn done,
                             void *ud) {
    return post(rt, name, push, NULL, done, ud);
}

void wb_rt_stats_get(const wb_rt *rt, wb_rt_stats *out) {
    *out = rt->stats;
    out->current_gen = rt->current ? rt->current->id : 0;
    out->gens_alive = 0;
    for (const wb_rt_gen *g = rt->gens; g; g = g->next)
        out->gens_alive++;
}

void *wb_rt_data(const wb_rt *rt) { return rt->cfg.data; }
void *wb_rt_session(const wb_rt *rt) { return rt->cfg.session; }
uv_loop_t *wb_rt_loop(const wb_rt *rt) { return rt->loop; }
struct wb_store *wb_rt_store(const wb_rt *rt) { return rt->cfg.store; }
const char *wb_rt_kv_namespace(const wb_rt *rt) { return rt->kv_ns; }
const char *wb_rt_bot_path(const wb_rt *rt) { return rt->bot_path; }
