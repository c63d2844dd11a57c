/* A bot on a client (bot.h). */
#include "cli/bot.h"

#include <string.h>

#include "core/log.h"

static void on_client_event(void *ud, wb_client *c, const wb_client_event *ev) {
    wb_cli_bot *b = ud;
    if (b->rt && !b->stopping)
        wb_session_on_event(b->session, ev);
    if (b->on_event)
        b->on_event(b->ud, c, ev);
}

int wb_cli_bot_start(wb_cli_bot *b, uv_loop_t *loop, const wb_client_config *ccfg,
                     const wb_client_host_opts *ho, wb_rt_config *rcfg, wb_error *err) {
    b->loop = loop;
    int rc = wb_session_new(&b->session);
    if (rc < 0)
        return wb_error_set(err, rc, 0, "out of memory");
    /* the bot first: a bot that does not load leaves no client behind */
    rcfg->loop = loop;
    rcfg->store = ccfg->store;
    rcfg->session = b->session;
    if (!rcfg->modules)
        rcfg->modules = wb_session_modules;
    if ((rc = wb_rt_new(&b->rt, rcfg, err)) < 0) {
        b->rt = NULL;
        wb_session_free(b->session);
        b->session = NULL;
        return rc;
    }
    if ((rc = wb_client_host_new(&b->host, loop, ccfg, ho, on_client_event, b)) < 0) {
        wb_rt_close(b->rt);
        b->rt = NULL;
        b->host = NULL;
        wb_session_free(b->session);
        b->session = NULL;
        return wb_error_set(err, rc, 0, "cannot start the client: %s", wb_strerror(rc));
    }
    wb_session_set_host(b->session, b->host);
    wb_session_set_rt(b->session, b->rt);
    uv_timer_init(loop, &b->stop_timer);
    b->stop_timer.data = b;
    b->stop_timer_open = 1;
    wb_client_host_start(b->host);
    return 0;
}

static void host_stopped(void *ud) {
    wb_cli_bot *b = ud;
    if (b->on_stopped)
        b->on_stopped(b->stopped_ud);
}

static void timer_closed(uv_handle_t *h) { (void)h; }

/* Its own loop turn: never inside Lua, never inside the client's call. */
static void do_stop(uv_timer_t *t) {
    wb_cli_bot *b = t->data;
    uv_close((uv_handle_t *)&b->stop_timer, timer_closed);
    b->stop_timer_open = 0;
    if (b->rt) {
        wb_rt_close(b->rt); /* listeners dropped now leave their messages pending */
        wb_session_set_rt(b->session, NULL);
        b->rt = NULL;
    }
    wb_client *c = wb_client_host_client(b->host);
    wb_client_tick(c, wb_client_host_now()); /* writes the handled marks */
    wb_client_host_stop(b->host, host_stopped, b);
}

void wb_cli_bot_stop(wb_cli_bot *b, void (*on_stopped)(void *ud), void *ud) {
    if (b->stopping || !b->host)
        return;
    b->stopping = 1;
    b->on_stopped = on_stopped;
    b->stopped_ud = ud;
    uv_timer_start(&b->stop_timer, do_stop, 0, 0);
}

void wb_cli_bot_free(wb_cli_bot *b) {
    if (b->rt)
        wb_rt_close(b->rt);
    wb_client_host_free(b->host);
    wb_session_free(b->session);
    b->rt = NULL;
    b->host = NULL;
    b->session = NULL;
}
