/* `wabot sync [--follow] [--json]`: connects, receives what waited (the offline backlog), stores
 * it and prints each event: with --json one Baileys-shaped JSON line per event (events_json.h),
 * else one line per message. Without --follow it exits once the backlog is processed, the
 * connection is open and the client is idle (what the backlog started, such as an answer to a
 * retry receipt, is done); with --follow it stays, printing live events, until SIGINT/SIGTERM.
 *
 * A message's event is marked handled once its line is written and flushed; a message whose
 * line went out just before a crash is printed again at the next sync with "replay": true. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "cli/events_json.h"
#include "store/device_store.h"
#include "wb_proto.h"

typedef struct sync_app {
    int json, follow;
    int open, backlog;
    uv_timer_t idle;     /* without --follow: waits for the client to be idle, then finishes */
    wb_cli_session *s;
    int timer_on;
} sync_app;

static void on_idle_check(uv_timer_t *t) {
    sync_app *app = t->data;
    int done = app->s->done; /* ended another way (a final close, a signal) */
    if (done || wb_client_idle(wb_client_host_client(app->s->host))) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, NULL);
        if (!done)
            wb_cli_session_finish(app->s, WB_EXIT_OK);
    }
}

static void print_message(const Wa__WebMessageInfo *m, int replay) {
    char when[32] = "";
    time_t t = (time_t)m->messagetimestamp;
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    const Wa__MessageKey *k = m->key;
    char text[1024];
    wb_client_message_describe(m, text, sizeof text);
    const char *who = k && k->fromme ? "me" : m->pushname ? m->pushname
                                            : k && k->participant ? k->participant
                                                                  : "them";
    printf("%s %s %s%s: %s\n", when, k && k->remotejid ? k->remotejid : "?", who,
           replay ? " (again)" : "", text);
}

static void sync_event(wb_cli_session *s, wb_client *c, const wb_client_event *ev) {
    sync_app *app = s->data;
    if (app->json)
        wb_cli_event_print(stdout, ev);
    switch (ev->type) {
    case WB_CLIENT_EV_MESSAGES:
        if (!app->json) {
            for (size_t i = 0; i < ev->messages.n; i++)
                print_message(ev->messages.msgs[i], ev->messages.replay);
            fflush(stdout);
        }
        wb_client_handled(c, ev->messages.seqs, ev->messages.n);
        break;
    case WB_CLIENT_EV_BACKLOG_DONE:
        app->backlog = 1;
        break;
    case WB_CLIENT_EV_CONNECTION:
        if (ev->connection.state == WB_CONN_OPEN)
            app->open = 1;
        if (wb_cli_session_closed(s, ev))
            return;
        break;
    default:
        break;
    }
    if (!app->follow && app->open && app->backlog && !app->timer_on && !s->done) {
        /* what the backlog started (answers to retry receipts, say) finishes first */
        app->timer_on = 1;
        app->s = s;
        uv_timer_init(s->loop, &app->idle);
        app->idle.data = app;
        uv_timer_start(&app->idle, on_idle_check, 0, 20);
    }
}

int wb_cli_sync(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    sync_app app = {0};
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
        if (r < 0)
            return WB_EXIT_USAGE;
        if (r)
            continue;
        if (!strcmp(argv[i], "--json")) {
            app.json = 1;
        } else if (!strcmp(argv[i], "--follow") || !strcmp(argv[i], "-f")) {
            app.follow = 1;
        } else {
            fprintf(strcmp(argv[i], "--help") ? stderr : stdout,
                    "usage: wabot sync [--follow] [--json] [flags]\n\nReceives and stores what "
                    "waited for this device, printing each message (--json: each event\nas a "
                    "JSON line, Baileys' shapes). --follow stays connected.\n\nflags:\n%s",
                    wb_cli_client_flags_help);
            return strcmp(argv[i], "--help") ? WB_EXIT_USAGE : 0;
        }
    }
    int rc = wb_cli_client_open(&o, "sync");
    if (rc)
        return rc;
    wb_device_row d;
    if (wb_store_device_get(o.st, &d) < 0 || d.state != WB_DEVICE_LINKED) {
        wb_cli_fail("sync: %s; run `wabot auth` first",
                    wb_store_device_get(o.st, &d) == 0 && d.state == WB_DEVICE_LOGGED_OUT
                        ? "this device was logged out by the phone"
                        : "no linked device in this store");
        wb_cli_client_close(&o);
        return d.state == WB_DEVICE_LOGGED_OUT ? WB_EXIT_LOGGED_OUT : WB_EXIT_NOT_LINKED;
    }
    wb_client_config cfg;
    wb_cli_client_config(&o, &cfg);
    wb_cli_session s = {.cmd = "sync", .on_event = sync_event, .data = &app};
    rc = wb_cli_session_run(&s, &o, &cfg);
    wb_cli_client_close(&o);
    return rc;
}
