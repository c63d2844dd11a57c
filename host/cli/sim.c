/* `wabot sim`: runs the WhatsApp server simulator (host/sim/server.h) until SIGINT or SIGTERM.
 *
 *   wabot sim [--listen IP:PORT [--allow-remote]] [--state DIR] [--tls CERT KEY]
 *             [--stanza-log FILE] [--log LEVEL] [--handshake-timeout S] [--idle-timeout S]
 *             [--request-timeout S] [--max-buffer MIB] [--max-websockets-per-address N]
 *             [--max-requests-per-address N]
 *
 * The first line on stdout is the websocket URL (ws://127.0.0.1:PORT/ws/chat, wss:// with
 * --tls), printed once the simulator listens; with port 0 (the default) the system picks a free
 * port, so tests can run many simulators at once. Logs go to stderr. Exit status 0 after a clean
 * shutdown, 1 when the simulator cannot start, 2 for bad arguments. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cli/cli.h"
#include "core/log.h"
#include "sim/local.h"
#include "sim/server.h"

typedef struct sim_app {
    uv_loop_t *loop;
    wb_sim_server *srv;
    uv_signal_t sigint, sigterm;
} sim_app;

static void sim_usage(FILE *out) {
    fprintf(out, "usage: wabot sim [--listen IP:PORT [--allow-remote]] [--state DIR] [--tls CERT KEY]\n"
                 "                 [--stanza-log FILE] [--log debug|info|warn|error]\n"
                 "                 [--handshake-timeout S] [--idle-timeout S] [--request-timeout S]\n"
                 "                 [--max-buffer MIB] [--max-websockets-per-address N]\n"
                 "                 [--max-requests-per-address N]\n\n"
                 "Serves the WhatsApp Web protocol on IP:PORT (default 127.0.0.1:0, any free\n"
                 "port) and prints the websocket URL as the first line on stdout. The admin API\n"
                 "(/admin/info, /admin/mock-phone/scan-qr, ...) is on the same port; see\n"
                 "host/sim/README.md. --state keeps accounts, keys and queues in DIR/sim.db\n"
                 "(and the certificate root clients trust); without it everything is in memory.\n\n"
                 "The simulator is for this machine: the admin API has no authentication, so an\n"
                 "address other than loopback needs --allow-remote (anyone who reaches the port\n"
                 "then controls every simulated phone), and web pages of other origins are refused.\n"
                 "Limits (defaults): the Noise handshake within 10 s of the upgrade; a websocket\n"
                 "silent for 90 s is closed; an HTTP request head within 30 s, a body 30 s plus\n"
                 "1 s per 16 KiB; 128 MiB buffered for all connections; 256 websockets and 64 other\n"
                 "connections per client address.\n");
}

/* A number of seconds (fractions allowed) as milliseconds, or -1. */
static long parse_seconds(const char *s) {
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v > 0) || v > 86400)
        return -1;
    return (long)(v * 1000 + 0.5) ? (long)(v * 1000 + 0.5) : 1;
}

/* A positive count, or -1. */
static long parse_count(const char *s, long max) {
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v > 0 && v <= max ? v : -1;
}

/* Reads a whole (small) file as a NUL-terminated string, or NULL. */
static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    wb_buf b = WB_BUF_SECRET_INIT; /* the key's PEM grows chunk by chunk */
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        wb_buf_append(&b, chunk, n);
    int bad = ferror(f) || b.len >= (1u << 20);
    fclose(f);
    if (bad || wb_buf_put_u8(&b, 0) < 0) {
        wb_buf_free_secret(&b);
        return NULL;
    }
    return (char *)wb_buf_detach(&b, &n);
}

/* "IP:PORT", ":PORT" or "PORT" into ip (default 127.0.0.1) and port. */
static int parse_listen(const char *s, char ip[64], int *port) {
    const char *colon = strrchr(s, ':');
    const char *num = colon ? colon + 1 : s;
    char *end;
    long p = strtol(num, &end, 10);
    if (!*num || *end || p < 0 || p > 65535)
        return -1;
    if (colon && colon > s)
        snprintf(ip, 64, "%.*s", (int)(colon - s), s);
    *port = (int)p;
    return 0;
}

static void on_closed(void *ud) {
    sim_app *app = ud;
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
}

static void on_signal(uv_signal_t *sig, int signum) {
    sim_app *app = sig->data;
    WB_INFO("sim", "signal %d: shutting down", signum);
    uv_signal_stop(&app->sigint);
    uv_signal_stop(&app->sigterm);
    wb_sim_server_close(app->srv, on_closed, app);
}

int wb_cli_sim(int argc, char **argv) {
    char ip[64] = "127.0.0.1";
    wb_sim_server_opts o = {.ip = ip};
    const char *cert_path = NULL, *key_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        long v = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            sim_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--listen") && more) {
            if (parse_listen(argv[++i], ip, &o.port) < 0) {
                wb_cli_fail("sim: bad --listen '%s' (want IP:PORT)", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--allow-remote")) {
            o.allow_remote = 1;
        } else if ((!strcmp(a, "--handshake-timeout") || !strcmp(a, "--idle-timeout") ||
                    !strcmp(a, "--request-timeout")) && more) {
            if ((v = parse_seconds(argv[++i])) < 0) {
                wb_cli_fail("sim: bad %s '%s' (want seconds)", a, argv[i]);
                return 2;
            }
            *(a[2] == 'h' ? &o.handshake_timeout_ms
              : a[2] == 'i' ? &o.idle_timeout_ms
                            : &o.request_timeout_ms) = (unsigned)v;
        } else if (!strcmp(a, "--max-buffer") && more) {
            if ((v = parse_count(argv[++i], 1 << 20)) < 0) {
                wb_cli_fail("sim: bad --max-buffer '%s' (want MiB)", argv[i]);
                return 2;
            }
            o.max_buffered = (size_t)v << 20;
        } else if ((!strcmp(a, "--max-websockets-per-address") ||
                    !strcmp(a, "--max-requests-per-address")) && more) {
            if ((v = parse_count(argv[++i], 1 << 20)) < 0) {
                wb_cli_fail("sim: bad %s '%s' (want a count)", a, argv[i]);
                return 2;
            }
            *(a[6] == 'w' ? &o.max_ws_per_addr : &o.max_http_per_addr) = (size_t)v;
        } else if (!strcmp(a, "--state") && more) {
            o.sim.state_dir = argv[++i];
        } else if (!strcmp(a, "--stanza-log") && more) {
            o.sim.stanza_log = argv[++i];
        } else if (!strcmp(a, "--tls") && i + 2 < argc) {
            cert_path = argv[++i];
            key_path = argv[++i];
        } else if (!strcmp(a, "--log") && more) {
            int level = wb_log_parse_level(argv[++i]);
            if (level < 0) {
                wb_cli_fail("sim: unknown log level '%s'", argv[i]);
                return 2;
            }
            wb_log_set_level((wb_log_level)level);
        } else {
            sim_usage(stderr);
            return 2;
        }
    }
    char *cert = NULL, *key = NULL;
    if (cert_path && (!(cert = read_file(cert_path)) || !(key = read_file(key_path)))) {
        wb_cli_fail("sim: cannot read %s", cert ? key_path : cert_path);
        free(cert);
        return 1;
    }
    o.cert_pem = cert;
    o.key_pem = key;
    signal(SIGPIPE, SIG_IGN);
    sim_app app = {.loop = uv_default_loop()};
    wb_error err = {0};
    int rc = wb_sim_server_start(app.loop, &o, &app.srv, &err);
    free(cert);
    if (key) {
        memset(key, 0, strlen(key));
        free(key);
    }
    if (rc < 0) {
        wb_cli_fail("sim: %s", err.what[0] ? err.what : wb_strerror(rc));
        return 1;
    }
    printf("%s\n", wb_sim_server_url(app.srv));
    fflush(stdout);
    if (o.allow_remote && !wb_sim_local_is_loopback(ip))
        fprintf(stderr, "wabot: sim: WARNING: listening on %s port %d, not only loopback: the "
                        "admin API has no authentication; anyone who reaches this port controls "
                        "every simulated phone and account\n",
                ip, atoi(strrchr(wb_sim_server_url(app.srv), ':') + 1));
    WB_INFO("sim", "listening: %s", wb_sim_server_url(app.srv));
    uv_signal_init(app.loop, &app.sigint);
    uv_signal_init(app.loop, &app.sigterm);
    app.sigint.data = app.sigterm.data = &app;
    uv_signal_start(&app.sigint, on_signal, SIGINT);
    uv_signal_start(&app.sigterm, on_signal, SIGTERM);
    uv_run(app.loop, UV_RUN_DEFAULT);
    wb_sim_server_free(app.srv);
    int left = uv_loop_close(app.loop);
    if (left)
        WB_WARN("sim", "handles left open at exit");
    WB_INFO("sim", "stopped");
    return left ? 1 : 0;
}
