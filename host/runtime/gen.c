/* A generation: one lua_State running one load of the bot file (rt_int.h, runtime.h).
 *
 * The state is made with an allocator that counts its bytes against the generation's limit, so a
 * bot that allocates without bound gets "not enough memory" in the listener that did it and the
 * host lives on. Its libraries are Lua's standard ones, minus what would reach past the bot's own
 * state into the host's: the debug library keeps only traceback and getinfo (getregistry,
 * getupvalue, sethook and friends would reach the host's references, the C functions' upvalues
 * and the watchdog), binary chunks cannot be loaded (the VM does not verify bytecode), and
 * os.exit / os.setlocale are gone (they would end or change the whole process). `require` looks
 * beside the bot file first (recording what it loads there, for file watching), then Lua 5.4's
 * standard paths, then the C module paths (Debian's lua-* packages). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lualib.h>

#include "core/embed.h"
#include "core/log.h"
#include "runtime/rt_int.h"

/* ---- memory --------------------------------------------------------------------------------- */

static void *gen_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    wb_rt_gen *g = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        g->mem -= old;
        return NULL;
    }
    if (nsize > old && g->mem + (nsize - old) > g->mem_limit)
        return NULL; /* Lua collects garbage and tries again, then raises a memory error */
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    g->mem = g->mem - old + nsize;
    if (g->mem > g->mem_peak)
        g->mem_peak = g->mem;
    return p;
}

static int panic(lua_State *L) {
    WB_ERROR("runtime", "unprotected Lua error: %s",
             lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
    abort(); /* a bug in the host: every call into Lua is protected */
}

/* Lua's warnings (warn(), errors in __gc during close) go to the log. */
static void warnf(void *ud, const char *msg, int tocont) {
    (void)ud;
    (void)tocont;
    if (msg[0] != '@') /* control messages ("@on") are not text */
        WB_WARN("bot", "%s", msg);
}

/* ---- require -------------------------------------------------------------------------------- */

static int readable(const char *path) { return access(path, R_OK) == 0; }

/* Looks for name along template path (;-separated, ? replaced by the module path); leaves the
 * found file name on the stack and returns 1, or returns 0 with nothing pushed. */
static int search_path(lua_State *L, const char *mod, const char *path) {
    while (path && *path) {
        const char *end = strchr(path, ';');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        if (len > 0) {
            lua_pushlstring(L, path, len);                              /* template */
            const char *file = luaL_gsub(L, lua_tostring(L, -1), "?", mod); /* template, file */
            lua_remove(L, -2);                                          /* file */
            if (readable(file))
                return 1;
            lua_pop(L, 1);
        }
        path = end ? end + 1 : NULL;
    }
    return 0;
}

/* package.searchers[2]: Lua modules, beside the bot file first, then package.path; text only.
 * Upvalues: the runtime (light userdata), the package table. */
static int searcher_lua(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    wb_rt *rt = lua_touserdata(L, lua_upvalueindex(1));
    const char *mod = luaL_gsub(L, name, ".", LUA_DIRSEP); /* name, mod */
    lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", rt->bot_dir, rt->bot_dir); /* name, mod, beside */
    int beside = search_path(L, mod, lua_tostring(L, -1));
    if (!beside) {
        lua_getfield(L, lua_upvalueindex(2), "path"); /* name, mod, beside, package.path */
        const char *path = lua_tostring(L, -1);
        if (!search_path(L, mod, path)) {
            lua_pushfstring(L, "no file '%s' beside the bot or on package.path", mod);
            return 1;
        }
    }
    const char *file = lua_tostring(L, -1); /* ..., file */
    if (beside)
        wb_rt_watch_add(rt, file);
    if (luaL_loadfilex(L, file, "t") != LUA_OK) /* ..., file, err */
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file,
                          lua_tostring(L, -1));
    lua_insert(L, -2); /* ..., chunk, file */
    return 2;
}

/* package.preload loader of an embedded lua/wabot file; upvalue: its wb_embed_file. */
static int load_embedded(lua_State *L) {
    const wb_embed_file *f = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = luaL_checkstring(L, 1);
    lua_pushfstring(L, "=[wabot]/%s", f->name);
    if (luaL_loadbufferx(L, (const char *)f->data, f->len, lua_tostring(L, -1), "t") != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    return 1;
}

/* ---- setting a state up --------------------------------------------------------------------- */

static void preload_modules(lua_State *L, const wb_rt *rt) {
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE); /* preload */
    lua_pushcfunction(L, wb_rt_open_rt);
    lua_setfield(L, -2, "wabot.rt");
    for (const wb_rt_module *m = rt->cfg.modules; m && m->name; m++) {
        lua_pushcfunction(L, m->open);
        lua_setfield(L, -2, m->name);
    }
    for (const wb_embed_file *f = rt->cfg.lua_modules; f && f->name; f++) {
        size_t n = strlen(f->name);
        if (n < 5 || strcmp(f->name + n - 4, ".lua") != 0)
            continue;
        char name[128];
        if (strcmp(f->name, "init.lua") == 0)
            snprintf(name, sizeof name, "wabot");
        else
            snprintf(name, sizeof name, "wabot.%.*s", (int)(n - 4), f->name);
        lua_pushlightuserdata(L, (void *)f);
        lua_pushcclosure(L, load_embedded, 1); /* preload, loader */
        lua_setfield(L, -2, name);
    }
    lua_pop(L, 1);
}

/* Keeps only the named fields of the global table lib. */
static void keep_only(lua_State *L, const char *lib, const char *const keep[]) {
    lua_getglobal(L, lib); /* old */
    lua_newtable(L);       /* old, new */
    for (int i = 0; keep[i]; i++) {
        lua_getfield(L, -2, keep[i]);
        lua_setfield(L, -2, keep[i]);
    }
    lua_setglobal(L, lib);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); /* old, loaded */
    lua_getglobal(L, lib);
    lua_setfield(L, -2, lib);
    lua_pop(L, 2);
}

static int setup_cfn(lua_State *L) {
    wb_rt_gen *g = lua_touserdata(L, 1);
    wb_rt *rt = g->rt;
    luaL_openlibs(L);
    static const char *const debug_keep[] = {"traceback", "getinfo", NULL};
    keep_only(L, "debug", debug_keep);
    lua_getglobal(L, "os"); /* os */
    lua_pushnil(L);
    lua_setfield(L, -2, "exit");
    lua_pushnil(L);
    lua_setfield(L, -2, "setlocale");
    lua_pop(L, 1);
    lua_getglobal(L, "package"); /* package */
    lua_pushnil(L);
    lua_setfield(L, -2, "loadlib");
    lua_getfield(L, -1, "searchers"); /* package, searchers */
    lua_pushlightuserdata(L, rt);
    lua_pushvalue(L, -3);
    lua_pushcclosure(L, searcher_lua, 2);
    lua_rawseti(L, -2, 2);
    lua_pop(L, 2);
    preload_modules(L, rt);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "wabot");
    lua_call(L, 1, 1); /* wabot */
    lua_setglobal(L, "wabot");
    if (rt->cfg.globals_module) {
        lua_getglobal(L, "require");
        lua_pushstring(L, rt->cfg.globals_module);
        lua_call(L, 1, 1); /* module */
        luaL_checktype(L, -1, LUA_TTABLE);
        lua_pushglobaltable(L); /* module, _G */
        lua_pushnil(L);
        while (lua_next(L, -3)) { /* module, _G, k, v */
            lua_pushvalue(L, -2);
            lua_insert(L, -2);    /* module, _G, k, k, v */
            lua_rawset(L, -4);    /* module, _G, k */
        }
        lua_pop(L, 2);
    }
    return 0;
}

/* ---- loading -------------------------------------------------------------------------------- */

static void gen_unlink(wb_rt_gen *g) {
    for (wb_rt_gen **pp = &g->rt->gens; *pp; pp = &(*pp)->next)
        if (*pp == g) {
            *pp = g->next;
            break;
        }
}

static void on_gen_timer_closed(uv_handle_t *h) {
    wb_rt_gen *g = h->data;
    wb_rt *rt = g->rt;
    free(g);
    wb_rt_handle_closed(rt);
}

void wb_gen_retire(wb_rt_gen *g) {
    while (g->res.next != &g->res) {
        wb_rt_res *r = g->res.next;
        r->retire(r); /* unlinks r */
        if (g->res.next == r)
            wb_rt_res_remove(r); /* a retire that forgot to */
    }
}

void wb_gen_destroy(wb_rt_gen *g) {
    wb_rt *rt = g->rt;
    wb_gen_retire(g);
    g->state = GEN_CLOSED;
    wb_sched_drop_gen(g);
    wb_rt_unref(g->L, g->listeners_ref);
    wb_rt_unref(g->L, g->on_reload_ref);
    g->listeners_ref = g->on_reload_ref = LUA_NOREF;
    if (g->refs != 0) {
        WB_WARN("runtime", "generation %u closed with %d registry references still held (a leak "
                           "in a binding)", g->id, g->refs);
        rt->stats.refs_leaked += (uint64_t)g->refs;
    }
    /* __gc metamethods run now, under the watchdog's budget; their errors become warnings */
    g->pcall_deadline = wb_rt_now_ns() + (uint64_t)rt->cfg.budget_ms * 1000000u;
    lua_close(g->L);
    g->L = NULL;
    if (g->mem != 0)
        WB_WARN("runtime", "generation %u: %zu bytes not returned by lua_close", g->id, g->mem);
    gen_unlink(g);
    if (rt->current == g)
        rt->current = NULL;
    WB_DEBUG("runtime", "generation %u closed (peak %zu KiB)", g->id, g->mem_peak / 1024);
    uv_timer_stop(&g->drain_timer);
    uv_close((uv_handle_t *)&g->drain_timer, on_gen_timer_closed);
}

static int fail(wb_error *err, int code, const char *what) {
    return wb_error_set(err, code, 0, "%s", what);
}

/* The first line of a Lua error message ("bot.lua:3: ..."), for err->what. */
static void first_line(char *out, size_t cap, const char *msg) {
    size_t n = strcspn(msg, "\n");
    snprintf(out, cap, "%.*s", (int)n, msg);
}

struct toplevel_ctx {
    wb_rt_gen *g;
    wb_task *t;
};

/* [ctx, chunk] -> (); moves the chunk onto a new task's thread */
static int toplevel_cfn(lua_State *L) {
    struct toplevel_ctx *c = lua_touserdata(L, 1);
    c->t = wb_task_new(c->g, L);
    lua_pushvalue(L, 2);
    lua_xmove(L, c->t->co, 1);
    return 0;
}

wb_rt_gen *wb_gen_load(wb_rt *rt, unsigned id, wb_error *err) {
    wb_rt_gen *g = calloc(1, sizeof *g);
    if (!g) {
        fail(err, WB_ENOMEM, "out of memory");
        return NULL;
    }
    g->rt = rt;
    g->id = id;
    g->state = GEN_LOADING;
    g->mem_limit = rt->cfg.mem_limit;
    g->listeners_ref = g->on_reload_ref = LUA_NOREF;
    g->calls.prev = g->calls.next = &g->calls;
    g->res.prev = g->res.next = &g->res;
    uv_timer_init(rt->loop, &g->drain_timer);
    g->drain_timer.data = g;
    rt->handles_open++;
    g->next = rt->gens;
    rt->gens = g;
    if (!(g->L = lua_newstate(gen_alloc, g))) {
        fail(err, WB_ENOMEM, "out of memory");
        goto undo;
    }
    /* threads copy the main thread's extra space: NULL there means "not a task" in every coroutine
     * the bot makes (lua_newstate leaves it uninitialised) */
    *(wb_task **)lua_getextraspace(g->L) = NULL;
    lua_atpanic(g->L, panic);
    lua_setwarnf(g->L, warnf, g);
    wb_rt_install_hook(g->L);
    if (wb_lua_cpcall(g->L, setup_cfn, g, "setting up the wabot runtime") != LUA_OK) {
        fail(err, WB_ENOMEM, "could not set up the wabot runtime (see the log)");
        goto undo;
    }
    char buf[sizeof err->what];
    int st = luaL_loadfilex(g->L, rt->bot_path, "t"); /* chunk */
    if (st != LUA_OK) {
        const char *msg = lua_tostring(g->L, -1);
        first_line(buf, sizeof buf, msg ? msg : "cannot load");
        fail(err, st == LUA_ERRFILE ? WB_EIO : st == LUA_ERRMEM ? WB_ENOMEM : WB_EMALFORMED, buf);
        goto undo;
    }
    /* The top level runs as a task (so the watchdog can stop it for good) that cannot wait. */
    struct toplevel_ctx c = {g, NULL};
    lua_pushcfunction(g->L, toplevel_cfn);
    lua_insert(g->L, -2);
    lua_pushlightuserdata(g->L, &c);
    lua_insert(g->L, -2); /* f, ctx, chunk */
    if (wb_lua_pcall(g->L, 2, 0, "loading the bot") != LUA_OK) {
        fail(err, WB_ENOMEM, "out of memory");
        goto undo;
    }
    wb_task *t = c.t;
    t->toplevel = 1;
    t->what = "top level";
    int nres;
    st = wb_lua_resume(t, &nres);
    if (st == LUA_OK) {
        lua_settop(t->co, 0);
        t->toplevel = 0;
        t->deadline = 0;
        t->what = NULL;
        t->next = g->pool; /* its thread is as good as new */
        g->pool = t;
        g->pool_n++;
        return g;
    }
    if (st == LUA_YIELD && g->kill) {
        snprintf(buf, sizeof buf, "%s: the top level ran longer than %u ms", rt->bot_path,
                 rt->cfg.load_budget_ms);
        wb_lua_report(g->L, t->co, LUA_ERRRUN, "top level", buf);
    } else if (st == LUA_YIELD) {
        snprintf(buf, sizeof buf, "%s: the top level yielded (coroutine.yield outside a "
                 "coroutine of the bot's own)", rt->bot_path);
        wb_lua_report(g->L, t->co, LUA_ERRRUN, "top level", buf);
    } else {
        lua_xmove(t->co, g->L, 1); /* err */
        const char *msg = lua_tostring(g->L, -1);
        first_line(buf, sizeof buf, msg ? msg : st == LUA_ERRMEM ? "not enough memory" : "error");
        lua_pushvalue(g->L, -1);
        wb_lua_report(g->L, t->co, st, "top level", NULL);
        lua_pop(g->L, 1);
    }
    fail(err, WB_EMALFORMED, buf);
    /* the task's thread: dropped with the state */
    *(wb_task **)lua_getextraspace(t->co) = NULL;
    wb_rt_unref(g->L, t->ref);
    free(t);
undo:
    if (g->L) {
        wb_gen_destroy(g);
    } else {
        gen_unlink(g);
        uv_close((uv_handle_t *)&g->drain_timer, on_gen_timer_closed);
    }
    return NULL;
}

/* ---- small accessors (lua_rt.h) -------------------------------------------------------------- */

wb_rt *wb_rt_gen_rt(const wb_rt_gen *g) { return g->rt; }
unsigned wb_rt_gen_id(const wb_rt_gen *g) { return g->id; }
int wb_rt_gen_is_current(const wb_rt_gen *g) { return g->state == GEN_CURRENT || g->state == GEN_LOADING; }

void wb_rt_res_add(wb_rt_gen *g, wb_rt_res *r) {
    r->prev = &g->res;
    r->next = g->res.next;
    g->res.next->prev = r;
    g->res.next = r;
}

void wb_rt_res_remove(wb_rt_res *r) {
    if (!r->next)
        return;
    r->prev->next = r->next;
    r->next->prev = r->prev;
    r->prev = r->next = NULL;
}
