/* The client commands' shared flags, store and exit codes (client_common.h). */
#include "cli/client_common.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/enc.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/device_store.h"

const char wb_cli_client_flags_help[] =
    "  --store DIR          data directory (default $XDG_DATA_HOME/wabot or\n"
    "                       ~/.local/share/wabot)\n"
    "  --server URL         websocket URL (default " WB_CLIENT_DEFAULT_URL ")\n"
    "  --trust-root HEX|FILE  Noise certificate root to trust instead of WhatsApp's\n"
    "  --ca FILE            PEM certificates to trust for wss:// instead of the system's\n"
    "  --os NAME            the OS we say we run on when linking (default Mac OS)\n"
    "  --browser NAME       the browser we say we are: Chrome (default), Firefox, Safari,\n"
    "                       Edge, Opera, Desktop...\n"
    "  --wa-version X.Y.Z   the WhatsApp Web version we claim (default 2.3000.1043857760)\n"
    "  --media-ca FILE      PEM certificates to trust for the media hosts (https://)\n"
    "                       instead of the system's (a simulator's mediaCert)\n"
    "  --log LEVEL          debug, info, warn (default) or error\n";

void wb_cli_client_init(wb_cli_client *o) {
    memset(o, 0, sizeof *o);
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(o->dir, sizeof o->dir, "%s/wabot", xdg);
    else
        snprintf(o->dir, sizeof o->dir, "%s/.local/share/wabot", home && *home ? home : ".");
    o->server = WB_CLIENT_DEFAULT_URL;
    wb_log_set_level(WB_LOG_WARN);
}

/* A small file's text, NUL-terminated, or NULL. */
static char *slurp(const char *path, size_t max) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    wb_buf b = WB_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= max)
        wb_buf_append(&b, chunk, n);
    int bad = ferror(f) || b.len > max;
    fclose(f);
    if (bad || wb_buf_put_u8(&b, 0) < 0) {
        wb_buf_free(&b);
        return NULL;
    }
    return (char *)wb_buf_detach(&b, &n);
}

/* 64 hex digits (surrounding white space allowed) into out. */
static int parse_root(const char *s, uint8_t out[32]) {
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    size_t n = 0;
    while (s[n] && !strchr(" \n\t\r", s[n]))
        n++;
    for (size_t i = n; s[i]; i++)
        if (!strchr(" \n\t\r", s[i]))
            return -1;
    wb_buf b = WB_BUF_INIT;
    int rc = n == 64 ? wb_hex_decode(&b, s, n) : -1;
    if (rc == 0)
        memcpy(out, b.data, 32);
    wb_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

int wb_cli_client_flag(wb_cli_client *o, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    int more = *i + 1 < argc;
    if (!strcmp(a, "--store") && more) {
        snprintf(o->dir, sizeof o->dir, "%s", argv[++*i]);
    } else if (!strcmp(a, "--server") && more) {
        o->server = argv[++*i];
        if (strncmp(o->server, "ws://", 5) && strncmp(o->server, "wss://", 6)) {
            wb_cli_fail("--server wants a ws:// or wss:// URL, not '%s'", o->server);
            return -1;
        }
    } else if (!strcmp(a, "--trust-root") && more) {
        const char *v = argv[++*i];
        char *text = NULL;
        if (parse_root(v, o->root) < 0 && (!(text = slurp(v, 4096)) || parse_root(text, o->root) < 0)) {
            free(text);
            wb_cli_fail("--trust-root wants 64 hex digits or a file holding them: '%s'", v);
            return -1;
        }
        free(text);
        o->has_root = 1;
    } else if (!strcmp(a, "--ca") && more) {
        free(o->ca_pem);
        if (!(o->ca_pem = slurp(argv[++*i], 1 << 20))) {
            wb_cli_fail("--ca: cannot read %s", argv[*i]);
            return -1;
        }
    } else if ((!strcmp(a, "--os") || !strcmp(a, "--browser")) && more) {
        const char *v = argv[++*i];
        char *dst = a[2] == 'o' ? o->os : o->browser;
        if (!*v || strlen(v) >= sizeof o->os) {
            wb_cli_fail("%s wants a name of 1 to %zu characters", a, sizeof o->os - 1);
            return -1;
        }
        snprintf(dst, sizeof o->os, "%s", v);
    } else if (!strcmp(a, "--wa-version") && more) {
        const char *v = argv[++*i];
        unsigned long x[3];
        char end;
        if (sscanf(v, "%lu.%lu.%lu%c", &x[0], &x[1], &x[2], &end) != 3 || !x[0] ||
            x[0] > UINT32_MAX || x[1] > UINT32_MAX || x[2] > UINT32_MAX || v[0] == '-') {
            wb_cli_fail("--wa-version wants X.Y.Z (such as 2.3000.1043857760), not '%s'", v);
            return -1;
        }
        for (int k = 0; k < 3; k++)
            o->version[k] = (uint32_t)x[k];
    } else if (!strcmp(a, "--media-ca") && more) {
        free(o->media_ca_pem);
        if (!(o->media_ca_pem = slurp(argv[++*i], 1 << 20))) {
            wb_cli_fail("--media-ca: cannot read %s", argv[*i]);
            return -1;
        }
    } else if (!strcmp(a, "--log") && more) {
        int level = wb_log_parse_level(argv[++*i]);
        if (level < 0) {
            wb_cli_fail("unknown log level '%s'", argv[*i]);
            return -1;
        }
        wb_log_set_level((wb_log_level)level);
    } else {
        return 0;
    }
    return 1;
}

int wb_cli_client_args(wb_cli_client *o, int argc, char **argv, const char *flag, int *on,
                       const char *usage) {
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(o, argc, argv, &i);
        if (r < 0)
            return WB_EXIT_USAGE;
        if (r)
            continue;
        if (flag && !strcmp(argv[i], flag)) {
            *on = 1;
            continue;
        }
        int help = !strcmp(argv[i], "--help");
        fprintf(help ? stdout : stderr, "%s\n\nflags:\n%s", usage, wb_cli_client_flags_help);
        return help ? WB_EXIT_OK : WB_EXIT_USAGE;
    }
    return WB_CLI_GO_ON;
}

int wb_cli_store_open(const wb_cli_client *o, const char *cmd, wb_store **st) {
    char path[4200];
    snprintf(path, sizeof path, "%s/wabot.db", o->dir);
    wb_error e = {0};
    int rc = wb_store_open(st, path, WB_STORE_PRIVATE_DIR, &e);
    if (rc < 0) {
        /* the store's errors name the file already */
        if (e.what[0])
            wb_cli_fail("%s: cannot open the store: %s", cmd, e.what);
        else
            wb_cli_fail("%s: cannot open the store %s: %s", cmd, path, wb_strerror(rc));
        return WB_EXIT_ERROR;
    }
    return WB_EXIT_OK;
}

int wb_cli_client_open(wb_cli_client *o, const char *cmd) {
    pid_t holder;
    wb_error e = {0};
    int rc = wb_store_lock_take(o->dir, &o->lock, &holder, &e);
    if (rc == WB_EEXIST) {
        wb_cli_fail("%s: the store %s is in use by another wabot (pid %ld); stop it first", cmd,
                    o->dir, (long)holder);
        return WB_EXIT_LOCKED;
    }
    if (rc < 0) {
        wb_cli_fail("%s: %s", cmd, e.what[0] ? e.what : wb_strerror(rc));
        return WB_EXIT_ERROR;
    }
    if ((rc = wb_cli_store_open(o, cmd, &o->st)) != WB_EXIT_OK) {
        wb_store_lock_release(o->lock);
        o->lock = NULL;
        return rc;
    }
    return WB_EXIT_OK;
}

void wb_cli_client_close(wb_cli_client *o) {
    wb_store_close(o->st);
    o->st = NULL;
    wb_store_lock_release(o->lock);
    o->lock = NULL;
    free(o->ca_pem);
    o->ca_pem = NULL;
    free(o->media_ca_pem);
    o->media_ca_pem = NULL;
}

void wb_cli_client_config(const wb_cli_client *o, wb_client_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->store = o->st;
    cfg->root_pub = o->has_root ? o->root : NULL;
    /* Zeroed fields take wb_wa_client_default's (client.c). */
    cfg->info.os = o->os[0] ? o->os : NULL;
    cfg->info.browser = o->browser[0] ? o->browser : NULL;
    memcpy(cfg->info.version, o->version, sizeof o->version);
}

void wb_cli_client_host_opts(const wb_cli_client *o, wb_client_host_opts *ho) {
    memset(ho, 0, sizeof *ho);
    ho->url = o->server;
    ho->ca_pem = o->ca_pem;
    ho->media_ca_pem = o->media_ca_pem;
}

int wb_cli_client_require_linked(wb_cli_client *o, const char *cmd) {
    wb_device_row d = {0};
    if (wb_store_device_get(o->st, &d) == 0 && d.state == WB_DEVICE_LINKED)
        return WB_EXIT_OK;
    wb_cli_fail("%s: no linked device in this store; run `wabot auth` first", cmd);
    return d.state == WB_DEVICE_LOGGED_OUT ? WB_EXIT_LOGGED_OUT : WB_EXIT_NOT_LINKED;
}

int wb_cli_user_jid(const char *in, char out[128]) {
    const char *p = in[0] == '+' ? in + 1 : in;
    if (*p && strspn(p, "0123456789") == strlen(p) && strlen(p) <= 20) {
        snprintf(out, 128, "%s@s.whatsapp.net", p);
        return 0;
    }
    if (!strchr(in, '@') || strlen(in) >= 128)
        return -1;
    snprintf(out, 128, "%s", in);
    return 0;
}

int wb_cli_exit_for_reason(int reason) {
    switch (reason) {
    case WB_REASON_LOGGED_OUT:
    case WB_REASON_FORBIDDEN:
        return WB_EXIT_LOGGED_OUT;
    case WB_REASON_CONNECTION_REPLACED:
        return WB_EXIT_REPLACED;
    default:
        return WB_EXIT_ERROR;
    }
}

/* ---- a command's run of the client ------------------------------------------------------------ */

static void session_stopped(void *ud) {
    wb_cli_session *s = ud;
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
}

void wb_cli_session_finish(wb_cli_session *s, int status) {
    if (s->done)
        return;
    s->done = 1;
    s->status = status;
    wb_client_host_stop(s->host, session_stopped, s);
}

int wb_cli_session_closed(wb_cli_session *s, const wb_client_event *ev) {
    if (ev->type != WB_CLIENT_EV_CONNECTION || ev->connection.state != WB_CONN_CLOSE ||
        !ev->connection.final || s->done)
        return 0;
    wb_cli_fail("%s: %s", s->cmd, ev->connection.why ? ev->connection.why : "connection closed");
    wb_cli_session_finish(s, wb_cli_exit_for_reason(ev->connection.reason));
    return 1;
}

static void session_event(void *ud, wb_client *c, const wb_client_event *ev) {
    wb_cli_session *s = ud;
    if (s->on_event)
        s->on_event(s, c, ev);
}

static void session_signal(uv_signal_t *sig, int signum) {
    wb_cli_session *s = sig->data;
    if (s->signal_status)
        wb_cli_fail("%s: interrupted", s->cmd);
    wb_cli_session_finish(s, s->signal_status);
}

int wb_cli_session_run(wb_cli_session *s, const wb_cli_client *o, const wb_client_config *cfg) {
    wb_client_host_opts ho;
    wb_cli_client_host_opts(o, &ho);
    s->loop = uv_default_loop();
    s->status = WB_EXIT_ERROR;
    signal(SIGPIPE, SIG_IGN);
    int rc = wb_client_host_new(&s->host, s->loop, cfg, &ho, session_event, s);
    if (rc < 0) {
        wb_cli_fail("%s: cannot start the client: %s", s->cmd, wb_strerror(rc));
        return WB_EXIT_ERROR;
    }
    uv_signal_init(s->loop, &s->sigint);
    uv_signal_init(s->loop, &s->sigterm);
    s->sigint.data = s->sigterm.data = s;
    uv_signal_start(&s->sigint, session_signal, SIGINT);
    uv_signal_start(&s->sigterm, session_signal, SIGTERM);
    wb_client_host_start(s->host);
    uv_run(s->loop, UV_RUN_DEFAULT);
    wb_client_host_free(s->host);
    s->host = NULL;
    uv_loop_close(s->loop);
    return s->done ? s->status : WB_EXIT_ERROR;
}
