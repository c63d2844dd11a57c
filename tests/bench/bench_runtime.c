/* The Lua host's benchmarks (host/runtime, bindings/).
 *
 *   dispatch          events per second delivered into a Lua listener through the whole path:
 *                     wb_rt_post_event, the queue, the tick, one coroutine per listener, a
 *                     payload table {type = 'notify', n = i}. No network. The Node side emits
 *                     the same object through Baileys' sock.ev (makeEventBuffer) into a JS
 *                     listener.
 *   dispatch-message  the same with the payload {type = 'notify', messages = {m}} whose message
 *                     is a WebMessageInfo decoded from its protobuf bytes and turned into a Lua
 *                     message table (bindings/message.c); the Node side decodes the same bytes
 *                     with Baileys' protobufjs (proto.WebMessageInfo.decode) before emitting.
 *   reload-latency-inprocess  the time from writing a 1,000-line bot file to the first event handled by
 *                     the new generation (the write in place, file watching: 2 ms after the
 *                     close, load, swap), while events
 *                     arrive every millisecond; 100 reloads, printed as p50 and p99 in ms (the
 *                     value returned is p99). wabot-only: nothing in Baileys reloads. This is the
 *                     in-process harness; pointed at `wabot run` with the real client, the event
 *                     source becomes a Baileys client and "handled" the reply it receives. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "bench.h"
#include "bindings/bindings.h"
#include "core/log.h"
#include "runtime/runtime.h"

/* ---- dispatch ------------------------------------------------------------------------------- */

static uint8_t wmi_bytes[512];
static size_t wmi_len;

static void make_message(void) {
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = "15551234567@s.whatsapp.net";
    key.id = "3EB0C767D26A1D3A5B4E";
    key.has_fromme = 1;
    Wa__Message msg = WA__MESSAGE__INIT;
    msg.conversation = "hello from the benchmark";
    Wa__WebMessageInfo info = WA__WEB_MESSAGE_INFO__INIT;
    info.key = &key;
    info.message = &msg;
    info.has_messagetimestamp = 1;
    info.messagetimestamp = 1700000000;
    info.pushname = "Bench";
    wmi_len = protobuf_c_message_pack(&info.base, wmi_bytes);
}

/* The dispatch line's payload: {type = 'notify', n = <i>}, the shape of an event without the cost
 * of building a message (which dispatch-message adds). */
static int push_small(lua_State *L, void *ud) {
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "notify");
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, (lua_Integer)(intptr_t)ud);
    lua_setfield(L, -2, "n");
    return 1;
}

static int push_upsert(lua_State *L, void *ud) {
    (void)ud;
    Wa__WebMessageInfo *info;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, wmi_bytes, wmi_len, 0, &info, NULL) < 0)
        return luaL_error(L, "decode failed");
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "notify");
    lua_setfield(L, -2, "type");
    lua_createtable(L, 1, 0);
    wb_lua_push_message(L, info); /* a memory error here would leak info: not in a benchmark */
    wb_proto_free(info);
    lua_rawseti(L, -2, 1);
    lua_setfield(L, -2, "messages");
    return 1;
}

static char bench_dir[64];

static void write_file(const char *name, const char *text) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", bench_dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void remove_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", bench_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", bench_dir);
}

static uint64_t handled;
static unsigned last_version;
static uint64_t mark_ns;

/* bench.mark(version): the listener tells C it ran, and in which version of the bot */
static int l_mark(lua_State *L) {
    unsigned v = (unsigned)luaL_checkinteger(L, 1);
    handled++;
    if (v != last_version) {
        last_version = v;
        mark_ns = uv_hrtime();
    }
    return 0;
}

static int luaopen_bench(lua_State *L) {
    static const luaL_Reg fns[] = {{"mark", l_mark}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

static const wb_rt_module modules[] = {
    {"wabot.timers", luaopen_wabot_timers}, {"wabot.kv", luaopen_wabot_kv},
    {"wabot.log", luaopen_wabot_log},       {"wabot.proto", luaopen_wabot_proto},
    {"bench", luaopen_bench},               {NULL, NULL},
};

struct dispatch_ctx {
    uv_loop_t *loop;
    wb_rt *rt;
    wb_rt_push_fn push;
};

#define DISPATCH_BATCH 1000

static int dispatch_op(void *p) {
    struct dispatch_ctx *c = p;
    uint64_t want = handled + DISPATCH_BATCH;
    for (int i = 0; i < DISPATCH_BATCH; i++)
        if (wb_rt_post_event(c->rt, "messages.upsert", c->push, NULL, (void *)(intptr_t)i) < 0)
            return -1;
    while (handled < want)
        uv_run(c->loop, UV_RUN_ONCE);
    return 0;
}

static wb_rt *start_rt(uv_loop_t *loop, const char *bot_text, int watch) {
    snprintf(bench_dir, sizeof bench_dir, "/tmp/wb_bench_rt.XXXXXX");
    if (!mkdtemp(bench_dir))
        return NULL;
    write_file("bot.lua", bot_text);
    char path[128];
    snprintf(path, sizeof path, "%s/bot.lua", bench_dir);
    wb_rt_config cfg = {
        .loop = loop, .bot_path = path, .modules = modules, .lua_modules = wb_lua_wabot,
        .no_reload = !watch,
    };
    wb_rt *rt = NULL;
    wb_error err = {0};
    if (wb_rt_new(&rt, &cfg, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.what);
        return NULL;
    }
    return rt;
}

static void stop_rt(uv_loop_t *loop, wb_rt *rt) {
    if (rt)
        wb_rt_close(rt);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    remove_dir();
}

static double dispatch(wb_rt_push_fn push) {
    make_message();
    wb_log_set_level(WB_LOG_WARN);
    uv_loop_t loop;
    uv_loop_init(&loop);
    wb_rt *rt = start_rt(&loop,
                         "local mark = require('bench').mark\n"
                         "wabot.sock.ev:on('messages.upsert', function(up)\n"
                         "  local m = up.messages and up.messages[1]\n"
                         "  if up.type == 'notify' and (not m or m.text) then mark(1) end\n"
                         "end)\n",
                         0);
    if (!rt) {
        stop_rt(&loop, NULL);
        return -1;
    }
    struct dispatch_ctx c = {&loop, rt, push};
    double ops = bench_measure(dispatch_op, &c, 2.0);
    stop_rt(&loop, rt);
    return ops < 0 ? -1 : ops * DISPATCH_BATCH;
}

static double bench_dispatch(const char *datadir) {
    (void)datadir;
    return dispatch(push_small);
}

static double bench_dispatch_message(const char *datadir) {
    (void)datadir;
    return dispatch(push_upsert);
}

/* ---- reload latency ------------------------------------------------------------------------- */

static void write_big_bot(unsigned version) {
    size_t cap = 64 * 1024;
    char *text = malloc(cap);
    size_t n = 0;
    n += (size_t)snprintf(text + n, cap - n, "local mark = require('bench').mark\nlocal VERSION = %u\n"
                                             "local helpers = {}\n", version);
    for (int i = 0; i < 996; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "helpers[%d] = function(x) return x * %d + VERSION end\n", i, i);
    n += (size_t)snprintf(text + n, cap - n,
                          "wabot.sock.ev:on('tick', function() mark(VERSION) end)\n");
    write_file("bot.lua", text);
    free(text);
}

static int post_tick_rt_set;
static wb_rt *tick_rt;

static void on_tick(uv_timer_t *h) {
    (void)h;
    wb_rt_post_event(tick_rt, "tick", NULL, NULL, NULL);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double bench_reload_latency(const char *datadir) {
    (void)datadir;
    (void)post_tick_rt_set;
    wb_log_set_level(WB_LOG_WARN);
    uv_loop_t loop;
    uv_loop_init(&loop);
    snprintf(bench_dir, sizeof bench_dir, "/tmp/wb_bench_rt.XXXXXX");
    wb_rt *rt = start_rt(&loop, "local mark = require('bench').mark\n"
                                "wabot.sock.ev:on('tick', function() mark(1) end)\n", 1);
    if (!rt) {
        stop_rt(&loop, NULL);
        return -1;
    }
    tick_rt = rt;
    uv_timer_t tick;
    uv_timer_init(&loop, &tick);
    uv_timer_start(&tick, on_tick, 1, 1);
    enum { RELOADS = 100 };
    double ms[RELOADS];
    int bad = 0;
    for (unsigned i = 0; i < RELOADS && !bad; i++) {
        unsigned v = i + 2;
        /* let the previous generation settle and the watcher go quiet */
        uint64_t settle = uv_hrtime() + 30000000u;
        while (uv_hrtime() < settle)
            uv_run(&loop, UV_RUN_ONCE);
        uint64_t t0 = uv_hrtime();
        write_big_bot(v);
        uint64_t limit = t0 + 5000000000u;
        while (last_version != v && uv_hrtime() < limit)
            uv_run(&loop, UV_RUN_ONCE);
        if (last_version != v)
            bad = 1;
        ms[i] = (double)(mark_ns - t0) / 1e6;
    }
    uv_close((uv_handle_t *)&tick, NULL);
    stop_rt(&loop, rt);
    if (bad)
        return -1;
    qsort(ms, RELOADS, sizeof ms[0], cmp_double);
    double p50 = ms[RELOADS / 2], p99 = ms[RELOADS * 99 / 100];
    fprintf(stderr, "reload-latency-inprocess: %d reloads of a 1,000-line bot, p50 %.2f ms, p99 %.2f ms, "
                    "max %.2f ms (written in place: the write and 2 ms after its close included)\n",
            RELOADS, p50, p99, ms[RELOADS - 1]);
    return p99;
}

const wb_bench bench_runtime[] = {
    {"dispatch", bench_dispatch},
    {"dispatch-message", bench_dispatch_message},
    {"reload-latency-inprocess", bench_reload_latency},
    {NULL, NULL},
};
