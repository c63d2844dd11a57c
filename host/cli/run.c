/* `wabot run`: runs a bot (host/runtime) on the linked device's WhatsApp session (host/client)
 * until SIGINT or SIGTERM, reloading it when its files change or on SIGHUP. The connection is
 * made once and never touched by a reload.
 *
 *   wabot run BOT.lua [--no-reload] [--budget MS] [--memory MIB] [--qr-out FILE] [global flags]
 *
 * The global flags and the store (locked while the bot runs) are the client commands'
 * (client_common.h); wabot.kv lives in the store. When the store holds no linked device, run
 * links one first if stdin is a terminal (a QR in the terminal, as `wabot auth`), and otherwise
 * fails at once saying to run `wabot auth`. Exit status 0 after a clean shutdown, 1 when the bot
 * cannot be loaded, 2 for bad arguments, 3 not linked, 4 logged out by the phone, 5 replaced by
 * another process, 6 when another wabot holds the store. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "bindings/bindings.h"
#include "cli/bot.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "core/log.h"
#include "store/device_store.h"

typedef struct run_app {
    wb_cli_bot bot;
    const char *qr_out;
    int status;
    int done;
    uv_signal_t sigint, sigterm;
} run_app;

static void run_usage(FILE *out) {
    fprintf(out, "usage: wabot run BOT.lua [--no-reload] [--budget MS] [--memory MIB] [--qr-out FILE]\n"
                 "                 [flags]\n\n"
                 "Runs a bot written in Lua (see docs/lua-api.md) on this store's linked device,\n"
                 "reloading it when BOT.lua or a module beside it changes, or on SIGHUP, without\n"
                 "touching the connection. With no linked device it links one first when stdin is\n"
                 "a terminal (scan the QR code), else it stops: run `wabot auth`. --budget bounds\n"
                 "how long a listener may run without yielding (default 1000 ms); --memory the\n"
                 "bot's Lua memory (default 256 MiB); --qr-out appends each QR to FILE.\n\nflags:\n%s",
            wb_cli_client_flags_help);
}

static void stopped(void *ud) {
    run_app *app = ud;
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
}

static void finish(run_app *app, int status) {
    if (app->done)
        return;
    app->done = 1;
    app->status = status;
    wb_cli_bot_stop(&app->bot, stopped, app);
}

static void on_event(void *ud, wb_client *c, const wb_client_event *ev) {
    run_app *app = ud;
    if (ev->type == WB_CLIENT_EV_QR) {
        wb_cli_show_qr(app->qr_out, ev);
        return;
    }
    if (ev->type == WB_CLIENT_EV_LINKED) {
        printf("Linked as %s\n", ev->linked.jid);
        fflush(stdout);
        return;
    }
    if (ev->type != WB_CLIENT_EV_CONNECTION)
        return;
    if (ev->connection.state == WB_CONN_OPEN) {
        WB_INFO("run", "connected as %s", wb_client_jid(c));
    } else if (ev->connection.state == WB_CONN_CLOSE) {
        if (!ev->connection.final) {
            WB_WARN("run", "connection closed (%d: %s); reconnecting", ev->connection.reason,
                    ev->connection.why ? ev->connection.why : "");
        } else if (!app->done) {
            wb_cli_fail("run: %s", ev->connection.why ? ev->connection.why : "connection ended");
            finish(app, wb_cli_exit_for_reason(ev->connection.reason));
        }
    }
}

static void on_signal(uv_signal_t *sig, int signum) {
    run_app *app = sig->data;
    WB_INFO("run", "signal %d: shutting down", signum);
    finish(app, WB_EXIT_OK);
}

static int parse_uint(const char *s, unsigned max, unsigned *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v == 0 || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* Whether the store can run: linked, or linkable here (a terminal). Returns WB_EXIT_OK or an
 * exit code after saying why. */
static int check_linked(wb_store *st) {
    wb_device_row d;
    int have = wb_store_device_get(st, &d) == 0;
    if (have && d.state == WB_DEVICE_LINKED)
        return WB_EXIT_OK;
    if (!isatty(STDIN_FILENO)) {
        wb_cli_fail("run: %s; run `wabot auth` first (or run this in a terminal to link here)",
                    have && d.state == WB_DEVICE_LOGGED_OUT ? "this device was logged out"
                                                            : "no linked device in the store");
        return have && d.state == WB_DEVICE_LOGGED_OUT ? WB_EXIT_LOGGED_OUT : WB_EXIT_NOT_LINKED;
    }
    if (have && d.state == WB_DEVICE_LOGGED_OUT) {
        printf("This device was logged out by the phone; linking a new one.\n");
        if (wb_store_device_wipe(st) < 0) {
            wb_cli_fail("run: cannot clear the old device's keys");
            return WB_EXIT_ERROR;
        }
    }
    printf("No linked device in the store: link one now.\n");
    return WB_EXIT_OK;
}

int wb_cli_run(int argc, char **argv) {
    const char *bot = NULL, *qr_out = NULL;
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
                return WB_EXIT_USAGE;
            }
        } else if (strcmp(a, "--memory") == 0 && i + 1 < argc) {
            if (parse_uint(argv[++i], 65536, &memory) < 0) {
                wb_cli_fail("--memory takes MiB (1..65536)");
                return WB_EXIT_USAGE;
            }
        } else if (strcmp(a, "--qr-out") == 0 && i + 1 < argc) {
            qr_out = argv[++i];
        } else if (a[0] != '-' && !bot) {
            bot = a;
        } else {
            run_usage(stderr);
            return WB_EXIT_USAGE;
        }
    }
    if (!bot) {
        run_usage(stderr);
        return WB_EXIT_USAGE;
    }
    int ex = wb_cli_client_open(&o, "run");
    if (ex != WB_EXIT_OK)
        return ex;
    if ((ex = check_linked(o.st)) != WB_EXIT_OK) {
        wb_cli_client_close(&o);
        return ex;
    }
    signal(SIGPIPE, SIG_IGN);
    uv_loop_t *loop = uv_default_loop();
    run_app app = {.qr_out = qr_out, .status = WB_EXIT_OK};
    app.bot.on_event = on_event;
    app.bot.ud = &app;
    wb_client_config ccfg;
    wb_cli_client_config(&o, &ccfg);
    wb_client_host_opts ho;
    wb_cli_client_host_opts(&o, &ho);
    wb_rt_config rcfg = {
        .bot_path = bot,
        .lua_modules = wb_lua_wabot,
        .budget_ms = budget,
        .mem_limit = (size_t)memory << 20,
        .no_reload = no_reload,
        .handle_sighup = 1,
    };
    wb_error err = {0};
    int rc = wb_cli_bot_start(&app.bot, loop, &ccfg, &ho, &rcfg, &err);
    if (rc < 0) {
        wb_cli_fail("cannot run %s: %s", bot, err.what);
        uv_run(loop, UV_RUN_DEFAULT);
        uv_loop_close(loop);
        wb_cli_client_close(&o);
        return WB_EXIT_ERROR;
    }
    WB_INFO("run", "running %s%s", bot, no_reload ? "" : ", reloading on save");
    uv_signal_init(loop, &app.sigint);
    uv_signal_init(loop, &app.sigterm);
    app.sigint.data = app.sigterm.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);
    uv_run(loop, UV_RUN_DEFAULT);
    wb_cli_bot_free(&app.bot);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    wb_cli_client_close(&o);
    return app.status;
}
