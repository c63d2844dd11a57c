/* Shared by the runtime's unit tests (test_runtime*.c): a private loop, bot files in a temp
 * directory, a log sink that keeps what the runtime logged, a `test` module through which bots
 * report to C, and a fake in-memory session (the module "wabot.session") whose sendMessage
 * completes after a timer, as the client's will after the server's ack. */
#ifndef WB_TEST_RUNTIME_FIXTURE_H
#define WB_TEST_RUNTIME_FIXTURE_H

#include <lauxlib.h>
#include <lua.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "bindings/bindings.h"
#include "check.h"
#include "core/log.h"
#include "runtime/lua_rt.h"
#include "runtime/runtime.h"

/* ---- files ---------------------------------------------------------------------------------- */

static char fx_dir[256];
static char fx_bot[320];

static void fx_make_dir(void) {
    snprintf(fx_dir, sizeof fx_dir, "/tmp/wb_test_runtime.XXXXXX");
    if (!mkdtemp(fx_dir))
        abort();
    snprintf(fx_bot, sizeof fx_bot, "%s/bot.lua", fx_dir);
}

static void fx_remove_dir(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", fx_dir);
}

/* Writes text to dir/name (replacing it). */
static void fx_write(const char *name, const char *text) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", fx_dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

/* ---- the log -------------------------------------------------------------------------------- */

static char fx_log[1 << 16];
static size_t fx_log_len;

static void fx_sink(void *ud, wb_log_level level, const char *component, const char *line) {
    (void)ud;
    int n = snprintf(fx_log + fx_log_len, sizeof fx_log - fx_log_len, "%d %s: %s\n", (int)level,
                     component, line);
    if (n > 0 && fx_log_len + (size_t)n < sizeof fx_log)
        fx_log_len += (size_t)n;
    if (getenv("WB_TEST_VERBOSE"))
        fprintf(stderr, "  log %s: %s\n", component, line);
}

static void fx_log_reset(void) {
    fx_log_len = 0;
    fx_log[0] = '\0';
}

static int fx_logged(const char *needle) { return strstr(fx_log, needle) != NULL; }

/* ---- what bots report: test.record(...) ------------------------------------------------------ */

static char fx_rec[1 << 16];
static size_t fx_rec_len;
static int fx_rec_count;

static void fx_rec_reset(void) {
    fx_rec_len = 0;
    fx_rec[0] = '\0';
    fx_rec_count = 0;
}

/* test.record(...) appends its arguments (tostring'd, space-separated) and a newline. */
static int l_test_record(lua_State *L) {
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (fx_rec_len + len + 2 < sizeof fx_rec) {
            memcpy(fx_rec + fx_rec_len, s, len);
            fx_rec_len += len;
            fx_rec[fx_rec_len++] = i < n ? ' ' : '\n';
            fx_rec[fx_rec_len] = '\0';
        }
        lua_pop(L, 1);
    }
    fx_rec_count++;
    return 0;
}

static int fx_recorded(const char *line) {
    char want[512];
    snprintf(want, sizeof want, "%s\n", line);
    for (const char *p = fx_rec; (p = strstr(p, want)); p++)
        if (p == fx_rec || p[-1] == '\n')
            return 1;
    return 0;
}

static inline int fx_count_recorded(const char *line) {
    char want[512];
    int n = 0;
    snprintf(want, sizeof want, "%s\n", line);
    for (const char *p = fx_rec; (p = strstr(p, want)); p++)
        if (p == fx_rec || p[-1] == '\n')
            n++;
    return n;
}

static int luaopen_test(lua_State *L) {
    static const luaL_Reg fns[] = {{"record", l_test_record}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

/* ---- the fake session: wabot.session ----------------------------------------------------------
 * sendMessage(jid, content, opts) validates like the real one will (misuse raises), then waits
 * fx_send_delay_ms and answers {key = {remoteJid = jid, fromMe = true, id = "FAKE<n>"}}; a jid of
 * "fail@s.whatsapp.net" answers nil, "server error", "ESERVER". Each send is kept in fx_sent. */

static unsigned fx_send_delay_ms = 2;
static int fx_sends, fx_sends_done, fx_sends_abandoned;
static char fx_sent[1 << 14];
static size_t fx_sent_len;

typedef struct fx_send {
    uv_timer_t h;
    wb_rt_call *call;
    char jid[64];
    int id;
    int abandoned;
} fx_send;

static void fx_send_closed(uv_handle_t *h) { free(h->data); }

static int fx_push_result(lua_State *L, void *ud) {
    fx_send *s = ud;
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, s->jid);
    lua_setfield(L, -2, "remoteJid");
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "fromMe");
    lua_pushfstring(L, "FAKE%d", s->id);
    lua_setfield(L, -2, "id");
    lua_setfield(L, -2, "key");
    return 1;
}

static void fx_on_send_done(uv_timer_t *h) {
    fx_send *s = h->data;
    fx_sends_done++;
    if (strcmp(s->jid, "fail@s.whatsapp.net") == 0)
        wb_rt_call_fail(s->call, "server error", "ESERVER");
    else
        wb_rt_call_complete(s->call, fx_push_result, s);
    uv_close((uv_handle_t *)&s->h, fx_send_closed);
}

/* The operation goes on (as a real send would, the server does not know about generations);
 * its completion will only free the call. */
static void fx_on_send_abandoned(wb_rt_call *call, void *ud) {
    (void)call;
    fx_send *s = ud;
    s->abandoned = 1;
    fx_sends_abandoned++;
}

static int l_fx_send_message(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE); /* sock */
    const char *jid = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_getfield(L, 3, "text"); /* sock, jid, content, [opts], text */
    const char *text = luaL_optstring(L, -1, "");
    const char *quoted = "";
    if (lua_istable(L, 4) && lua_getfield(L, 4, "quoted") == LUA_TTABLE &&
        lua_getfield(L, -1, "key") == LUA_TTABLE && lua_getfield(L, -1, "id") == LUA_TSTRING)
        quoted = lua_tostring(L, -1);
    wb_rt_call *call = wb_rt_call_begin(L, fx_on_send_abandoned, NULL);
    fx_send *s = calloc(1, sizeof *s);
    if (!s) {
        wb_rt_call_fail(call, "out of memory", "ENOMEM");
        return wb_rt_call_yield(L, call);
    }
    wb_rt_call_set_ud(call, s);
    s->call = call;
    s->id = ++fx_sends;
    snprintf(s->jid, sizeof s->jid, "%s", jid);
    int n = snprintf(fx_sent + fx_sent_len, sizeof fx_sent - fx_sent_len, "%s|%s|%s\n", jid, text,
                     quoted);
    if (n > 0 && fx_sent_len + (size_t)n < sizeof fx_sent)
        fx_sent_len += (size_t)n;
    if (strcmp(jid, "sync@s.whatsapp.net") == 0) { /* completes before the binding yields */
        wb_rt_call_complete(call, fx_push_result, s);
        free(s);
        return wb_rt_call_yield(L, call);
    }
    uv_timer_init(wb_rt_loop(wb_rt_gen_rt(wb_rt_gen_of(L))), &s->h);
    s->h.data = s;
    uv_timer_start(&s->h, fx_on_send_done, fx_send_delay_ms, 0);
    return wb_rt_call_yield(L, call);
}

static int luaopen_fx_session(lua_State *L) {
    static const luaL_Reg fns[] = {{"sendMessage", l_fx_send_message}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

static void fx_sent_reset(void) {
    fx_sent_len = 0;
    fx_sent[0] = '\0';
    fx_sends = fx_sends_done = fx_sends_abandoned = 0;
}

static const wb_rt_module fx_modules[] = {
    {"wabot.timers", luaopen_wabot_timers}, {"wabot.kv", luaopen_wabot_kv},
    {"wabot.log", luaopen_wabot_log},       {"wabot.proto", luaopen_wabot_proto},
    {"wabot.session", luaopen_fx_session},  {"test", luaopen_test},
    {NULL, NULL},
};

/* ---- events --------------------------------------------------------------------------------- */

/* Payload {n = <ud as integer>}. */
static inline int fx_push_n(lua_State *L, void *ud) {
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, (lua_Integer)(intptr_t)ud);
    lua_setfield(L, -2, "n");
    return 1;
}

static int fx_frees;
static inline void fx_free_n(void *ud) {
    (void)ud;
    fx_frees++;
}

/* ---- the loop ------------------------------------------------------------------------------- */

static uv_loop_t fx_loop;
static unsigned fx_loads, fx_load_fails;
static char fx_load_error[256];

static void fx_on_load(wb_rt *rt, unsigned gen, const char *error) {
    (void)rt;
    (void)gen;
    if (error) {
        fx_load_fails++;
        snprintf(fx_load_error, sizeof fx_load_error, "%s", error);
    } else {
        fx_loads++;
    }
}

static void fx_config(wb_rt_config *c) {
    memset(c, 0, sizeof *c);
    c->loop = &fx_loop;
    c->bot_path = fx_bot;
    c->modules = fx_modules;
    c->lua_modules = wb_lua_wabot;
    c->no_reload = 1;
    c->on_load = fx_on_load;
}

static void fx_setup(void) {
    fx_make_dir();
    uv_loop_init(&fx_loop);
    fx_log_reset();
    fx_rec_reset();
    fx_sent_reset();
    fx_loads = fx_load_fails = 0;
    fx_load_error[0] = '\0';
    fx_frees = 0;
    wb_log_set_sink(fx_sink, NULL);
    wb_log_set_level(WB_LOG_DEBUG);
}

static void fx_on_deadline(uv_timer_t *h) { *(int *)h->data = 1; }

/* Runs the loop until cond() or ms milliseconds pass; returns whether cond() held. */
static int fx_run_until(int (*cond)(void), unsigned ms) {
    int expired = 0;
    uv_timer_t t;
    uv_timer_init(&fx_loop, &t);
    t.data = &expired;
    uv_timer_start(&t, fx_on_deadline, ms, 0);
    while (!(cond && cond()) && !expired)
        uv_run(&fx_loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&fx_loop, UV_RUN_NOWAIT);
    return cond ? cond() : 1;
}

/* Closes rt, runs the loop dry, and checks that no generation leaked registry references. */
static void fx_teardown(wb_rt *rt) {
    if (rt)
        wb_rt_close(rt);
    uv_run(&fx_loop, UV_RUN_DEFAULT);
    CHECK(!fx_logged("registry references still held"));
    CHECK(!fx_logged("not returned by lua_close"));
    CHECK_EQ(uv_loop_close(&fx_loop), 0);
    wb_log_set_sink(NULL, NULL);
    wb_log_set_level(WB_LOG_INFO);
    fx_remove_dir();
}

#endif
