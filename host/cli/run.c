/* `wabot run`: runs a bot (host/runtime) until SIGINT or SIGTERM, reloading it when its files
 * change or on SIGHUP.
 *
 *   wabot run BOT.lua [--no-reload] [--budget MS] [--memory MIB] [global flags]
 *
 * The global flags and the store (locked while the bot runs) are the client commands'
 * (client_common.h); wabot.kv lives in the store. Until the client is joined to the runtime,
 * sock's methods answer nil, "not connected" and no WhatsApp events arrive; timers, kv, logs and
 * reload work. Exit status 0 after a clean shutdown, 1 when the bot cannot be loaded, 2 for bad
 * arguments, 6 when another wabot holds the store. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bindings/bindings.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "core/log.h"
#include "runtime/runtime.h"
#include "store/store.h"

typedef struct run_app {
    wb_rt *rt;
    uv_signal_t sigint, sigterm;
} run_app;

static void run_usage(FILE *out) {
    fprintf(out, "usage: wabot run BOT.lua [--no-reload] [--budget MS] [--memory MIB] [flags]\n\n"
                 "Runs a bot written in Lua (see docs/lua-api.md), reloading it when BOT.lua or a\n"
                 "module beside it changes, or on SIGHUP. --budget bounds how long a listener may\n"
                 "run without yielding (default 1000 ms); --memory the bot's Lua memory (default\n"
                 "256 MiB). wabot.kv is kept in the store.\n\n%s",
            wb_cli_client_flags_help);
}

static void on_signal(uv_signal_t *sig, int signum) {
    run_app *app = sig->data;
    WB_INFO("run", "signal %d: shutting down", signum);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    wb_rt_close(app->rt);
}

static int parse_uint(const char *s, unsigned max, unsigned *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v == 0 || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int wb_cli_run(int argc, char **argv) {
    const char *bot = NULL;
    unsigned budget = 0, memory = 0;
    int no_reload = 0;
    wb_cli_client o;
    wb_cli_client_init(&o);
    wb_log_set_level(WB_LOG_INFO); /* a bot's wabot.log.info lines are its output */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int g = wb_cli_client_flag(&o, argc, argv, &i);
        if (g < 0)
            return WB_EXIT_USAGE;
        if (g > 0)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            run_usage(stdout);
            return 0;
        } else if (strcmp(a, "--no-reload") == 0) {
            no_reload = 1;
        } else if (strcmp(a, "--budget") == 0 && i + 1 < argc) {
            if (parse_uint(argv[++i], 600000, &budget) < 0) {
                wb_cli_fail("--budget takes milliseconds (1..600000)");
                return 2;
            }
        } else if (strcmp(a, "--memory") == 0 && i + 1 < argc) {
            if (parse_uint(argv[++i], 65536, &memory) < 0) {
                wb_cli_fail("--memory takes MiB (1..65536)");
                return 2;
            }
        } else if (a[0] != '-' && !bot) {
            bot = a;
        } else {
            run_usage(stderr);
            return 2;
        }
    }
    if (!bot) {
        run_usage(stderr);
        return 2;
    }
    int ex = wb_cli_client_open(&o, "run");
    if (ex != WB_EXIT_OK)
        return ex;
    wb_store *st = o.st;
    wb_error err = {0};
    uv_loop_t *loop = uv_default_loop();
    wb_rt_config cfg = {
        .loop = loop,
        .bot_path = bot,
        .store = st,
        .modules = wb_bindings_modules,
        .lua_modules = wb_lua_wabot,
        .budget_ms = budget,
        .mem_limit = (size_t)memory << 20,
        .no_reload = no_reload,
        .handle_sighup = 1,
    };
    run_app app = {0};
    int rc = wb_rt_new(&app.rt, &cfg, &err);
    if (rc < 0) {
        wb_cli_fail("cannot load %s: %s", bot, err.what);
        uv_run(loop, UV_RUN_DEFAULT);
        wb_cli_client_close(&o);
        return WB_EXIT_ERROR;
    }
    WB_INFO("run", "running %s%s (no WhatsApp client linked in yet: sock answers \"not connected\")",
            bot, no_reload ? "" : ", reloading on save");
    uv_signal_init(loop, &app.sigint);
    uv_signal_init(loop, &app.sigterm);
    app.sigint.data = app.sigterm.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    wb_cli_client_close(&o);
    return WB_EXIT_OK;
}
