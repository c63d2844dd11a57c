/* `wabot test SPEC.lua BOT.lua`: runs a bot spec (docs/lua-api.md, "Testing bots") against the
 * bot in the phone-free loop of `wabot dev` (cli/devkit.h). The spec is a second Lua host on the
 * same loop whose globals (lua/wabot/spec.lua) are describe, it, you and assert; "you" is the
 * devkit's second client, so what a spec sends reaches the bot as a real encrypted message and
 * what it expects is what the bot really sent. This file is the spec's C module,
 * 'wabot.spectool': ready, settle, send, next, group, members, react, vote, edit, delete, to,
 * report, done.
 *
 * Output: `ok N - name` / `not ok N - name` with the error, then `N passed, N failed`. Exit
 * status 0 when every test passed, 1 otherwise (or when the spec or the bot does not load). */
#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bindings/bindings.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "cli/devkit.h"
#include "core/log.h"
#include "runtime/lua_rt.h"

#define SETTLE_QUIET_MS 150
#define SETTLE_MAX_MS 15000
#define QUEUE_MAX 256

enum { WAIT_NONE, WAIT_READY, WAIT_SETTLE, WAIT_NEXT, WAIT_CALL };

typedef struct test_app {
    wb_devkit k;
    wb_rt *spec;
    uv_loop_t *loop;
    uv_timer_t poll;
    uv_signal_t sigint;
    wb_rt_call *call; /* the spec's one waiting call */
    int wait;
    uint64_t deadline;
    char *queue[QUEUE_MAX]; /* the bot's messages to you, not yet expected */
    size_t nqueue;
    int status, done, finished;
} test_app;

static uint64_t now_ms(void) { return wb_client_host_now(); }

static test_app *app_of(lua_State *L) { return wb_rt_session(wb_rt_gen_rt(wb_rt_gen_of(L))); }

static void queue_clear(test_app *a) {
    for (size_t i = 0; i < a->nqueue; i++)
        free(a->queue[i]);
    a->nqueue = 0;
}

/* ---- the spec's module ------------------------------------------------------------------------- */

static int push_text(lua_State *L, void *ud) {
    lua_pushstring(L, ud);
    return 1;
}

static int push_nothing(lua_State *L, void *ud) {
    (void)ud;
    lua_pushnil(L);
    return 1;
}

static int begin_wait(lua_State *L, int kind, uint64_t deadline) {
    test_app *a = app_of(L);
    if (a->call)
        return luaL_error(L, "the spec is already waiting (wait in one coroutine at a time)");
    a->call = wb_rt_call_begin(L, NULL, NULL);
    a->wait = kind;
    a->deadline = deadline;
    return wb_rt_call_yield(L, a->call);
}

static int l_ready(lua_State *L) { return begin_wait(L, WAIT_READY, UINT64_MAX); }
static int l_settle(lua_State *L) { return begin_wait(L, WAIT_SETTLE, now_ms() + SETTLE_MAX_MS); }

static int l_next(lua_State *L) {
    lua_Integer ms = luaL_optinteger(L, 1, 5000);
    return begin_wait(L, WAIT_NEXT, now_ms() + (uint64_t)(ms > 0 ? ms : 0));
}

static int result(lua_State *L, int rc, const char *what) {
    if (rc == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushnil(L);
    lua_pushstring(L, what ? what : wb_strerror(rc));
    return 2;
}

static int l_send(lua_State *L) {
    test_app *a = app_of(L);
    int rc = wb_devkit_send_text(&a->k, luaL_checkstring(L, 1));
    return result(L, rc, rc == WB_EUNSUPPORTED
                             ? "sending to groups needs the client's group support, not there yet"
                             : NULL);
}

static int l_react(lua_State *L) {
    test_app *a = app_of(L);
    int rc = wb_devkit_react(&a->k, luaL_checkstring(L, 1));
    return result(L, rc, rc == WB_ENOTFOUND ? "the bot has sent you nothing to react to" : NULL);
}

/* vote(option...), edit(text), delete(): your changes, as the client builds them */
static int kind_result(lua_State *L, int rc, const wb_error *err, const char *none) {
    return result(L, rc, rc == WB_ENOTFOUND ? none : err->what[0] ? err->what : NULL);
}

static int l_vote(lua_State *L) {
    test_app *a = app_of(L);
    int n = lua_gettop(L);
    const char *options[64];
    luaL_argcheck(L, n <= 64, 65, "at most 64 options");
    for (int i = 0; i < n; i++)
        options[i] = luaL_checkstring(L, i + 1);
    wb_error err = {0};
    int rc = wb_devkit_vote(&a->k, options, (size_t)n, &err);
    return kind_result(L, rc, &err, "the bot has sent you no poll");
}

static int l_edit(lua_State *L) {
    test_app *a = app_of(L);
    wb_error err = {0};
    int rc = wb_devkit_edit(&a->k, luaL_checkstring(L, 1), &err);
    return kind_result(L, rc, &err, "you have sent nothing to edit");
}

static int l_delete(lua_State *L) {
    test_app *a = app_of(L);
    wb_error err = {0};
    int rc = wb_devkit_delete(&a->k, &err);
    return kind_result(L, rc, &err, "you have sent nothing to delete");
}

static int l_group(lua_State *L) {
    test_app *a = app_of(L);
    char jid[128];
    wb_error err = {0};
    if (wb_devkit_group(&a->k, luaL_checkstring(L, 1), jid, &err) < 0) {
        lua_pushnil(L);
        lua_pushstring(L, err.what);
        return 2;
    }
    lua_pushstring(L, jid);
    return 1;
}

static void complete(test_app *a, wb_rt_push_fn push, void *ud);

static void members_done(void *ud, int status, const char *summary) {
    test_app *a = ud;
    if (!a->call || a->wait != WAIT_CALL)
        return;
    if (status < 0) {
        wb_rt_call *c = a->call;
        a->call = NULL;
        a->wait = WAIT_NONE;
        wb_rt_call_fail(c, summary, "EFAILED");
        return;
    }
    complete(a, push_text, (void *)summary);
}

/* members(action, phone...) -> "PHONE STATUS ..." once the server answered. */
static int l_members(lua_State *L) {
    test_app *a = app_of(L);
    const char *action = luaL_checkstring(L, 1);
    int n = lua_gettop(L) - 1;
    const char *phones[64];
    if (n < 1 || n > 64)
        return luaL_error(L, "1 to 64 phone numbers");
    for (int i = 0; i < n; i++)
        phones[i] = luaL_checkstring(L, i + 2);
    if (a->call)
        return luaL_error(L, "the spec is already waiting (wait in one coroutine at a time)");
    wb_error err = {0};
    if (wb_devkit_members(&a->k, action, phones, (size_t)n, members_done, a, &err) < 0) {
        lua_pushnil(L);
        lua_pushstring(L, err.what);
        return 2;
    }
    return begin_wait(L, WAIT_CALL, UINT64_MAX);
}

static int l_to(lua_State *L) {
    test_app *a = app_of(L);
    const char *jid = luaL_checkstring(L, 1);
    snprintf(a->k.target, sizeof a->k.target, "%s", strcmp(jid, "bot") ? jid : a->k.bot_jid);
    return 0;
}

static int l_report(lua_State *L) {
    printf("%s\n", luaL_checkstring(L, 1));
    fflush(stdout);
    return 0;
}

static void finish(test_app *a, int status);

static int l_done(lua_State *L) {
    test_app *a = app_of(L);
    lua_Integer passed = luaL_checkinteger(L, 1), failed = luaL_checkinteger(L, 2);
    printf("%lld passed, %lld failed\n", (long long)passed, (long long)failed);
    fflush(stdout);
    a->finished = 1;
    finish(a, failed || !passed ? WB_EXIT_ERROR : WB_EXIT_OK);
    return 0;
}

static int luaopen_spectool(lua_State *L) {
    static const luaL_Reg fns[] = {{"ready", l_ready},   {"settle", l_settle}, {"next", l_next},
                                   {"send", l_send},     {"react", l_react},   {"group", l_group},
                                   {"to", l_to},         {"report", l_report}, {"done", l_done},
                                   {"members", l_members}, {"vote", l_vote},
                                   {"edit", l_edit},       {"delete", l_delete},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

static const wb_rt_module spec_modules[] = {
    {"wabot.timers", luaopen_wabot_timers}, {"wabot.kv", luaopen_wabot_kv},
    {"wabot.log", luaopen_wabot_log},       {"wabot.proto", luaopen_wabot_proto},
    {"wabot.spectool", luaopen_spectool},   {NULL, NULL},
};

/* ---- the loop ---------------------------------------------------------------------------------- */

static void stopped(void *ud) {
    test_app *a = ud;
    uv_close((uv_handle_t *)&a->poll, NULL);
    uv_close((uv_handle_t *)&a->sigint, NULL);
}

/* Deferred to the poll timer: never inside the spec's Lua. */
static void finish(test_app *a, int status) {
    if (a->done)
        return;
    a->done = 1;
    a->status = status;
}

static void complete(test_app *a, wb_rt_push_fn push, void *ud) {
    wb_rt_call *c = a->call;
    a->call = NULL;
    a->wait = WAIT_NONE;
    wb_rt_call_complete(c, push, ud);
}

static void on_poll(uv_timer_t *t) {
    test_app *a = t->data;
    if (a->done) {
        if (a->spec) {
            wb_rt_close(a->spec);
            a->spec = NULL;
            if (a->call) { /* abandoned with its generation: completing only frees it */
                wb_rt_call_fail(a->call, "stopped", "ECANCELED");
                a->call = NULL;
            }
            wb_devkit_stop(&a->k, stopped, a);
        }
        return;
    }
    uint64_t now = now_ms();
    switch (a->call ? a->wait : WAIT_NONE) {
    case WAIT_READY:
        if (a->k.ready)
            complete(a, NULL, NULL);
        break;
    case WAIT_SETTLE:
        if (wb_devkit_settled(&a->k, SETTLE_QUIET_MS) || now >= a->deadline) {
            queue_clear(a);
            complete(a, NULL, NULL);
        }
        break;
    case WAIT_NEXT:
        if (a->nqueue) {
            char *text = a->queue[0];
            memmove(a->queue, a->queue + 1, --a->nqueue * sizeof *a->queue);
            complete(a, push_text, text);
            free(text);
        } else if (now >= a->deadline) {
            complete(a, push_nothing, NULL);
        }
        break;
    default:
        break;
    }
}

static void on_bot_message(void *ud, const char *text, const char *chat) {
    test_app *a = ud;
    (void)chat;
    if (a->nqueue < QUEUE_MAX)
        a->queue[a->nqueue++] = strdup(text);
}

static void on_failed(void *ud, const char *why) {
    test_app *a = ud;
    wb_cli_fail("test: %s", why);
    finish(a, WB_EXIT_ERROR);
}

static void on_timeout(uv_signal_t *s, int signum) {
    (void)signum;
    wb_cli_fail("test: interrupted");
    finish(s->data, WB_EXIT_ERROR);
}

static void test_usage(FILE *out) {
    fprintf(out, "usage: wabot test SPEC.lua BOT.lua [--log LEVEL]\n\n"
                 "Runs the spec's tests (describe/it, you.send, you.expect, assert: see\n"
                 "docs/lua-api.md) against the bot in wabot's built-in simulator. Prints ok / not ok\n"
                 "per test and `N passed, N failed`; exits 0 when all passed.\n");
}

int wb_cli_test(int argc, char **argv) {
    const char *spec = NULL, *bot = NULL;
    wb_log_level level = WB_LOG_WARN;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            test_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
            int l = wb_log_parse_level(argv[++i]);
            if (l < 0) {
                wb_cli_fail("unknown log level '%s'", argv[i]);
                return WB_EXIT_USAGE;
            }
            level = (wb_log_level)l;
        } else if (argv[i][0] != '-' && !spec) {
            spec = argv[i];
        } else if (argv[i][0] != '-' && !bot) {
            bot = argv[i];
        } else {
            test_usage(stderr);
            return WB_EXIT_USAGE;
        }
    }
    if (!spec || !bot) {
        test_usage(stderr);
        return WB_EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    wb_log_set_level(level);
    test_app a = {.loop = uv_default_loop(), .status = WB_EXIT_ERROR};
    a.k.on_bot_message = on_bot_message;
    a.k.on_failed = on_failed;
    a.k.ud = &a;
    uv_timer_init(a.loop, &a.poll);
    a.poll.data = &a;
    uv_timer_start(&a.poll, on_poll, 5, 5);
    uv_signal_init(a.loop, &a.sigint);
    a.sigint.data = &a;
    uv_signal_start(&a.sigint, on_timeout, SIGINT);
    wb_rt_config bcfg = {.bot_path = bot, .lua_modules = wb_lua_wabot, .no_reload = 1};
    wb_error err = {0};
    int rc = wb_devkit_start(&a.k, a.loop, &bcfg, &err);
    if (rc == 0) {
        wb_rt_config scfg = {.loop = a.loop, .bot_path = spec, .modules = spec_modules,
                             .lua_modules = wb_lua_wabot, .no_reload = 1, .session = &a,
                             .globals_module = "wabot.spec", .kv_namespace = "spec"};
        rc = wb_rt_new(&a.spec, &scfg, &err);
        if (rc < 0)
            a.spec = NULL;
    }
    if (rc < 0) {
        wb_cli_fail("test: %s", err.what);
        a.done = 1;
        wb_devkit_stop(&a.k, stopped, &a);
    }
    uv_run(a.loop, UV_RUN_DEFAULT);
    wb_devkit_free(&a.k);
    uv_run(a.loop, UV_RUN_DEFAULT);
    uv_loop_close(a.loop);
    queue_clear(&a);
    if (!a.finished && a.status == WB_EXIT_OK)
        a.status = WB_EXIT_ERROR;
    return a.status;
}
