/* --file for `wabot send`, and progress lines (media_cli.h). */
#include "cli/media_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "wb_proto.h"

static const char *const kinds[] = {"image", "video", "audio", "voice", "document", "sticker"};

int wb_cli_media_flag(wb_cli_media_file *m, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    if (*i + 1 >= argc)
        return 0;
    if (!strcmp(a, "--file"))
        m->file = argv[++*i];
    else if (!strcmp(a, "--caption"))
        m->caption = argv[++*i];
    else if (!strcmp(a, "--as"))
        m->as = argv[++*i];
    else
        return 0;
    return 1;
}

int wb_cli_media_check(wb_cli_media_file *m, const char *cmd) {
    if ((m->caption || m->as) && !m->file) {
        wb_cli_fail("%s: --caption and --as go with --file", cmd);
        return WB_EXIT_USAGE;
    }
    if (!m->file)
        return 0;
    if (m->as) {
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds && !m->kind; i++)
            if (!strcmp(m->as, kinds[i]))
                m->kind = kinds[i];
        if (!m->kind) {
            wb_cli_fail("%s: --as wants image, video, audio, voice, document or sticker, not '%s'",
                        cmd, m->as);
            return WB_EXIT_USAGE;
        }
    }
    FILE *f = fopen(m->file, "rb");
    if (!f) {
        wb_cli_fail("%s: cannot read %s: %m", cmd, m->file);
        return WB_EXIT_ERROR;
    }
    uint8_t head[WB_MEDIA_SNIFF_HEAD];
    size_t n = fread(head, 1, sizeof head, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        wb_cli_fail("%s: cannot read %s", cmd, m->file);
        return WB_EXIT_ERROR;
    }
    wb_media_sniff(head, n, m->file, &m->sniffed);
    if (!m->kind)
        m->kind = m->sniffed.kind;
    if (m->caption && (!strcmp(m->kind, "audio") || !strcmp(m->kind, "voice") ||
                       !strcmp(m->kind, "sticker"))) {
        wb_cli_fail("%s: a %s has no caption", cmd, m->kind);
        return WB_EXIT_USAGE;
    }
    m->progress = isatty(2);
    return 0;
}

/* ---- sending -------------------------------------------------------------------------------- */

static void up_progress(void *ud, uint64_t done, uint64_t total) {
    wb_cli_media_file *m = ud;
    if (m->progress)
        wb_cli_progress("uploading", done, total);
}

static void uploaded(void *ud, int status, const wb_client_media *up, const char *why) {
    wb_cli_media_file *m = ud;
    if (m->progress)
        wb_cli_progress_end();
    wb_client *c = wb_client_host_client(m->host);
    Wa__Message *msg = NULL;
    if (status == 0) {
        wb_client_media md = *up;
        /* what the user said, and what the file is */
        md.mimetype = wb_media_mimetype_for(m->kind, &m->sniffed); /* NULL: Baileys' default */
        md.caption = m->caption;
        const char *slash = strrchr(m->file, '/');
        md.file_name = slash ? slash + 1 : m->file;
        status = wb_client_media_message(&md, &msg);
        if (status == 0)
            status = wb_client_send_message(c, m->to, msg, NULL, m->done, m->ud);
        wb_client_host_kick(m->host);
        if (status == 0)
            m->built = msg;
        else
            wb_proto_free(msg);
        if (status < 0)
            snprintf(m->why, sizeof m->why, "%s", wb_strerror(status));
    } else {
        snprintf(m->why, sizeof m->why, "%s", why);
    }
    if (status < 0)
        m->done(m->ud, status, NULL);
}

int wb_cli_media_send(wb_cli_media_file *m, wb_client_host *h, const char *jid, wb_client_send_fn done,
                      void *ud) {
    m->host = h;
    m->done = done;
    m->ud = ud;
    snprintf(m->to, sizeof m->to, "%s", jid);
    wb_client_upload_opts o = {.kind = m->kind, .path = m->file, .progress = up_progress};
    int rc = wb_client_host_media_upload(h, &o, uploaded, m);
    if (rc < 0)
        snprintf(m->why, sizeof m->why, "%s", wb_strerror(rc));
    return rc;
}

/* ---- progress ---------------------------------------------------------------------------------- */

static uint64_t last_ms;
static int shown;

void wb_cli_progress(const char *verb, uint64_t done, uint64_t total) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    if (shown && now - last_ms < 100 && done != total)
        return;
    last_ms = now;
    shown = 1;
    if (total)
        fprintf(stderr, "\r%s %3d%% of %.1f MB ", verb, (int)(done * 100 / total), total / 1e6);
    else
        fprintf(stderr, "\r%s %.1f MB ", verb, done / 1e6);
    fflush(stderr);
}

void wb_cli_progress_end(void) {
    if (shown)
        fputc('\n', stderr);
    shown = 0;
}
