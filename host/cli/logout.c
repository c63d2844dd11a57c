/* `wabot logout [--local]`: unlinks this device at the server (the phone's list of linked
 * devices drops it), then wipes the local keys (device, Signal identity and sessions); messages,
 * contacts and chats stay in the store. --local wipes the keys without asking the server (for a
 * device the phone already removed, or no network). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "store/device_store.h"

static void on_logged_out(void *ud, int status) {
    wb_cli_session *s = ud;
    if (status < 0)
        wb_cli_fail("logout: the server refused: %s", wb_strerror(status));
    wb_cli_session_finish(s, status < 0 ? WB_EXIT_ERROR : WB_EXIT_OK);
}

static void logout_event(wb_cli_session *s, wb_client *c, const wb_client_event *ev) {
    if (ev->type != WB_CLIENT_EV_CONNECTION)
        return;
    if (ev->connection.state == WB_CONN_OPEN) {
        int rc = wb_client_logout(c, on_logged_out, s);
        if (rc < 0)
            on_logged_out(s, rc);
    } else if (ev->connection.state == WB_CONN_CLOSE && ev->connection.final && !s->done) {
        /* already removed by the phone: nothing left to ask the server */
        wb_cli_session_finish(s, ev->connection.reason == WB_REASON_LOGGED_OUT ? WB_EXIT_OK
                                                                               : WB_EXIT_ERROR);
    }
}

int wb_cli_logout(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    int local = 0;
    int done = wb_cli_client_args(&o, argc, argv, "--local", &local,
                                  "usage: wabot logout [--local] [flags]\n\nUnlinks this device "
                                  "and wipes its keys (messages stay). --local skips the server.");
    if (done != WB_CLI_GO_ON)
        return done;
    int rc = wb_cli_client_open(&o, "logout");
    if (rc)
        return rc;
    wb_device_row d;
    int status = WB_EXIT_OK;
    if (wb_store_device_get(o.st, &d) < 0 || d.state == WB_DEVICE_UNLINKED) {
        printf("Not linked; nothing to do.\n");
        wb_cli_client_close(&o);
        return WB_EXIT_OK;
    }
    if (!local && d.state == WB_DEVICE_LINKED) {
        wb_client_config cfg;
        wb_cli_client_config(&o, &cfg);
        cfg.no_reconnect = 1;
        wb_cli_session s = {.cmd = "logout", .on_event = logout_event,
                            .signal_status = WB_EXIT_ERROR};
        status = wb_cli_session_run(&s, &o, &cfg);
        if (!s.done)
            wb_cli_fail("logout: could not reach the server (use --local to wipe the keys anyway)");
    }
    if (status == WB_EXIT_OK) {
        if (wb_store_device_wipe(o.st) < 0) {
            wb_cli_fail("logout: cannot wipe the keys in %s", o.dir);
            status = WB_EXIT_ERROR;
        } else {
            printf("Logged out%s; the keys are wiped.\n", local ? " locally" : "");
        }
    }
    wb_cli_client_close(&o);
    return status;
}
