/* `wabot auth`: links this store's device to a phone, by QR code (shown in the terminal, a new
 * one as the server rotates them) or by pairing code (--phone), then logs in once and exits 0.
 *
 *   wabot auth [--phone NUMBER] [--qr-out FILE] [--name NAME] [global flags]
 *
 * --qr-out appends each QR string as one line to FILE, for scripts and tests that scan it with
 * the simulator's phone. A store whose device the phone removed is wiped and linked anew. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "cli/qr_term.h"
#include "store/device_store.h"

static void auth_usage(FILE *out) {
    fprintf(out, "usage: wabot auth [--phone NUMBER] [--qr-out FILE] [--name NAME] [flags]\n\n"
                 "Links this device to your WhatsApp account. Without --phone it shows a QR code:\n"
                 "on your phone open WhatsApp > Settings > Linked devices > Link a device and\n"
                 "scan it. With --phone (your number, digits with country code) it prints an\n"
                 "8-character code to type on the phone instead (Link with phone number).\n"
                 "--qr-out FILE appends each QR string to FILE, one per line. --name sets the\n"
                 "push name this device announces.\n\nflags:\n%s",
            wb_cli_client_flags_help);
}

void wb_cli_show_qr(const char *qr_out, const wb_client_event *ev) {
    if (qr_out) {
        FILE *f = fopen(qr_out, "a");
        if (f) {
            fprintf(f, "%s\n", ev->qr.text);
            fclose(f);
        } else {
            wb_cli_fail("cannot write %s", qr_out);
        }
    }
    if (isatty(STDOUT_FILENO))
        wb_cli_qr_print(stdout, ev->qr.text);
    else
        printf("qr: %s\n", ev->qr.text);
    printf("Scan this code with WhatsApp on your phone: Settings > Linked devices > Link a "
           "device (code %d of %d; it changes in %d s).\n",
           ev->qr.index + 1, ev->qr.count, ev->qr.index ? 20 : 60);
    fflush(stdout);
}

static void auth_event(wb_cli_session *s, wb_client *c, const wb_client_event *ev) {
    switch (ev->type) {
    case WB_CLIENT_EV_QR:
        wb_cli_show_qr(s->data, ev);
        break;
    case WB_CLIENT_EV_PAIR_CODE:
        printf("Pairing code: %s\nOn your phone: WhatsApp > Settings > Linked devices > Link a "
               "device > Link with phone number instead, and type it.\n", ev->pair_code.code);
        fflush(stdout);
        break;
    case WB_CLIENT_EV_LINKED:
        printf("Linked as %s%s%s%s\n", ev->linked.jid, ev->linked.name[0] ? " (" : "",
               ev->linked.name, ev->linked.name[0] ? ")" : "");
        fflush(stdout);
        break;
    case WB_CLIENT_EV_CONNECTION:
        if (ev->connection.state == WB_CONN_OPEN) {
            printf("Logged in as %s\n", wb_client_jid(c));
            fflush(stdout);
            wb_cli_session_finish(s, WB_EXIT_OK);
        } else if (ev->connection.state == WB_CONN_CLOSE && ev->connection.final && !s->done) {
            wb_cli_fail("auth: %s", ev->connection.why);
            wb_cli_session_finish(s, ev->connection.reason == WB_REASON_TIMED_OUT ||
                                             ev->connection.reason == WB_REASON_BAD_SESSION
                                         ? WB_EXIT_LINK_FAILED
                                         : wb_cli_exit_for_reason(ev->connection.reason));
        }
        break;
    default:
        break;
    }
}

int wb_cli_auth(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    const char *phone = NULL, *qr_out = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
        if (r < 0)
            return WB_EXIT_USAGE;
        if (r)
            continue;
        if (!strcmp(argv[i], "--phone") && i + 1 < argc) {
            phone = argv[++i];
            if (phone[0] == '+')
                phone++;
            if (!*phone || strspn(phone, "0123456789") != strlen(phone) || strlen(phone) > 20) {
                wb_cli_fail("auth: --phone wants digits with the country code, not '%s'", argv[i]);
                return WB_EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "--qr-out") && i + 1 < argc) {
            qr_out = argv[++i];
        } else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
            name = argv[++i];
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            auth_usage(stdout);
            return 0;
        } else {
            auth_usage(stderr);
            return WB_EXIT_USAGE;
        }
    }
    int rc = wb_cli_client_open(&o, "auth");
    if (rc)
        return rc;
    wb_device_row d;
    int have = wb_store_device_get(o.st, &d);
    if (have == 0 && d.state == WB_DEVICE_LINKED) {
        printf("Already linked as %s; `wabot logout` first to link again.\n", d.jid);
        wb_cli_client_close(&o);
        return WB_EXIT_OK;
    }
    if (have == 0 && d.state == WB_DEVICE_LOGGED_OUT) {
        printf("This device was logged out by the phone; linking a new one.\n");
        if (wb_store_device_wipe(o.st) < 0) {
            wb_cli_fail("auth: cannot clear the old device's keys");
            wb_cli_client_close(&o);
            return WB_EXIT_ERROR;
        }
    }
    wb_client_config cfg;
    wb_cli_client_config(&o, &cfg);
    cfg.pair_phone = phone;
    cfg.info.push_name = name;
    wb_cli_session s = {.cmd = "auth", .on_event = auth_event, .data = (void *)qr_out,
                        .signal_status = WB_EXIT_ERROR};
    rc = wb_cli_session_run(&s, &o, &cfg);
    wb_cli_client_close(&o);
    return rc;
}
