/* A bot on a client: the client's libuv host, the session binding (bindings/session.h) and the
 * Lua host (host/runtime) wired together, as `wabot run`, `wabot dev` and `wabot test` run
 * them. The client is made first and outlives every generation: reloads never touch it.
 *
 *     wb_cli_bot b = {.on_event = my_hook, .ud = me};
 *     wb_cli_bot_start(&b, loop, &client_cfg, &host_opts, &rt_cfg, &err);  // loads the bot,
 *                                                                          // then connects
 *     ... uv_run ...
 *     wb_cli_bot_stop(&b, on_stopped, me);   // the bot closes, handled marks are written,
 *                                            // the socket closes; then on_stopped(me)
 *     wb_cli_bot_free(&b);                   // after on_stopped (or uv_run's end)
 *
 * Stopping is safe from any callback (it is deferred to its own loop turn), including the
 * on_event hook. */
#ifndef WB_CLI_BOT_H
#define WB_CLI_BOT_H

#include <uv.h>

#include "bindings/session.h"
#include "client/host.h"
#include "runtime/runtime.h"

typedef struct wb_cli_bot {
    /* set by the caller */
    void (*on_event)(void *ud, wb_client *c, const wb_client_event *ev); /* after the bot's */
    void *ud;
    /* the parts */
    uv_loop_t *loop;
    wb_client_host *host;
    wb_session *session;
    wb_rt *rt;
    /* stopping */
    uv_timer_t stop_timer;
    int stopping, stop_timer_open;
    void (*on_stopped)(void *ud);
    void *stopped_ud;
} wb_cli_bot;

/* Makes the session and the client host, loads the bot (rt_cfg's loop, modules, session and
 * store are filled in here), then starts the client. Returns 0, or a negative code with a
 * sentence in err (the bot does not load: WB_EMALFORMED / WB_EIO; the client cannot start);
 * then everything made is released once the loop runs. */
int wb_cli_bot_start(wb_cli_bot *b, uv_loop_t *loop, const wb_client_config *ccfg,
                     const wb_client_host_opts *ho, wb_rt_config *rcfg, wb_error *err);
/* Closes the bot (its listeners still waiting are dropped: their messages stay pending), writes
 * the handled marks, stops the client; on_stopped(ud) once its socket and timers closed. */
void wb_cli_bot_stop(wb_cli_bot *b, void (*on_stopped)(void *ud), void *ud);
void wb_cli_bot_free(wb_cli_bot *b);

#endif
