/* `wabot media download --id MSGID [--out PATH] [--json]`: the media of a stored message
 * (received or sent), downloaded, decrypted and verified (its MAC, fileEncSha256, fileSha256)
 * into PATH, or into <id>.<ext> in the current directory; --out naming a directory puts that
 * name there. The name comes from the user or from the message id (letters, digits, '-' and
 * '_' only: an id with anything else is refused), never from the sender's fileName nor from the
 * server, so a hostile message cannot make wabot write elsewhere. Nothing is written unless the
 * file verified (transfer.h). Prints the path, or with --json
 * {"id", "path", "kind", "mimetype", "fileLength", "fileSha256"}. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "cli/media_cli.h"
#include "core/enc.h"
#include "store/message_store.h"
#include "wb_proto.h"

typedef struct dl_app {
    const char *id;
    int json, progress, started;
    char path[4300];
    Wa__WebMessageInfo *info;  /* the stored message */
    wb_client_media md;        /* its media, pointing into info */
} dl_app;

static int find_row(void *ud, const wb_message_row *row) {
    dl_app *app = ud;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0,
                        &app->info, NULL) < 0)
        app->info = NULL;
    return app->info != NULL;
}

/* The file's name from the message id alone: letters, digits, '-', '_'; 0 or -1. */
static int name_from_id(const char *id, const char *mimetype, char *out, size_t cap) {
    size_t n = strlen(id);
    if (!n || n > 128 || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_") != n)
        return -1;
    snprintf(out, cap, "%s.%s", id, wb_media_extension(mimetype));
    return 0;
}

static void on_progress(void *ud, uint64_t done, uint64_t total) {
    dl_app *app = ((wb_cli_session *)ud)->data;
    if (app->progress)
        wb_cli_progress("downloading", done, total);
}

static void on_downloaded(void *ud, int status, const char *why) {
    wb_cli_session *s = ud;
    dl_app *app = s->data;
    if (app->progress)
        wb_cli_progress_end();
    if (status < 0) {
        wb_cli_fail("media download: %s: %s", app->id, why[0] ? why : wb_strerror(status));
        wb_cli_session_finish(s, WB_EXIT_ERROR);
        return;
    }
    if (app->json) {
        wb_buf sha = WB_BUF_INIT;
        if (app->md.file_sha256)
            wb_b64_encode(&sha, app->md.file_sha256, 32, 0);
        wb_buf_put_u8(&sha, 0);
        /* strings of our own (path) and of the message (mimetype): escaped through cJSON */
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "id", app->id);
        cJSON_AddStringToObject(j, "path", app->path);
        cJSON_AddStringToObject(j, "kind", app->md.kind);
        if (app->md.mimetype)
            cJSON_AddStringToObject(j, "mimetype", app->md.mimetype);
        cJSON_AddNumberToObject(j, "fileLength", (double)app->md.file_length);
        if (app->md.file_sha256)
            cJSON_AddStringToObject(j, "fileSha256", (const char *)sha.data);
        char *text = cJSON_PrintUnformatted(j);
        if (text)
            printf("%s\n", text);
        cJSON_free(text);
        cJSON_Delete(j);
        wb_buf_free(&sha);
    } else {
        printf("%s\n", app->path);
    }
    fflush(stdout);
    wb_cli_session_finish(s, WB_EXIT_OK);
}

static void dl_event(wb_cli_session *s, wb_client *c, const wb_client_event *ev) {
    dl_app *app = s->data;
    if (ev->type == WB_CLIENT_EV_MESSAGES) /* stored; printing them is sync's business */
        wb_client_handled(c, ev->messages.seqs, ev->messages.n);
    if (wb_cli_session_closed(s, ev))
        return;
    if (ev->type != WB_CLIENT_EV_CONNECTION || ev->connection.state != WB_CONN_OPEN ||
        app->started)
        return;
    app->started = 1;
    int rc = wb_client_host_media_download(s->host, &app->md, app->path, NULL, on_progress,
                                           on_downloaded, s);
    if (rc < 0) {
        wb_cli_fail("media download: cannot write %s: %s", app->path,
                    rc == WB_ENOTFOUND ? "no such directory" : wb_strerror(rc));
        wb_cli_session_finish(s, WB_EXIT_ERROR);
    }
}

static int usage(FILE *f, int rc) {
    fprintf(f, "usage: wabot media download --id MSGID [--out PATH] [--json] [flags]\n\n"
               "Downloads the media of a stored message, decrypted and verified, to PATH (a "
               "file, or a\ndirectory), by default <MSGID>.<ext> in the current directory, and "
               "prints where it is.\n\nflags:\n%s",
            wb_cli_client_flags_help);
    return rc;
}

int wb_cli_media(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    dl_app app = {0};
    const char *out = NULL;
    int rc = WB_EXIT_USAGE, sub = 0;
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
        if (r < 0)
            goto done;
        if (r)
            continue;
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "download") && !sub) {
            sub = 1;
        } else if (!strcmp(argv[i], "--id") && more) {
            app.id = argv[++i];
        } else if (!strcmp(argv[i], "--out") && more) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            app.json = 1;
        } else {
            rc = usage(strcmp(argv[i], "--help") ? stderr : stdout,
                       strcmp(argv[i], "--help") ? WB_EXIT_USAGE : 0);
            goto done;
        }
    }
    if (!sub) {
        rc = usage(stderr, WB_EXIT_USAGE);
        goto done;
    }
    if (!app.id) {
        wb_cli_fail("media download: --id is needed");
        goto done;
    }
    if ((rc = wb_cli_client_open(&o, "media download")))
        goto done;
    if ((rc = wb_cli_client_require_linked(&o, "media download")))
        goto close;
    rc = WB_EXIT_ERROR;
    wb_message_query q = {.id = app.id, .limit = 1};
    wb_store_messages_each(o.st, &q, find_row, &app);
    if (!app.info) {
        wb_cli_fail("media download: no stored message with id %s", app.id);
        goto close;
    }
    int mrc = app.info->message ? wb_client_media_of(app.info->message, &app.md) : WB_ENOTFOUND;
    if (mrc < 0) {
        wb_cli_fail("media download: message %s %s", app.id,
                    mrc == WB_ENOTFOUND ? "has no media"
                                        : "has media without a usable key or direct path");
        goto close;
    }
    /* where: --out as given, or a directory to put <id>.<ext> in, or <id>.<ext> here */
    struct stat st;
    char name[200];
    int is_dir = out && stat(out, &st) == 0 && S_ISDIR(st.st_mode);
    if ((!out || is_dir) && name_from_id(app.id, app.md.mimetype, name, sizeof name) < 0) {
        wb_cli_fail("media download: the id %s cannot name a file; give --out PATH", app.id);
        goto close;
    }
    if (!out)
        snprintf(app.path, sizeof app.path, "%s", name);
    else if (is_dir)
        snprintf(app.path, sizeof app.path, "%s/%s", out, name);
    else
        snprintf(app.path, sizeof app.path, "%s", out);
    app.progress = !app.json && isatty(2);
    wb_client_config cfg;
    wb_cli_client_config(&o, &cfg);
    wb_cli_session s = {.cmd = "media download", .on_event = dl_event, .data = &app,
                        .signal_status = WB_EXIT_ERROR};
    rc = wb_cli_session_run(&s, &o, &cfg);
close:
    wb_proto_free(app.info);
    wb_cli_client_close(&o);
done:
    return rc;
}
