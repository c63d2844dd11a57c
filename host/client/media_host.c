/* Media up and down on the host's loop (host.h, "media"): the client's media_conn (cached),
 * then host/media's transfers with its hosts and token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/host.h"
#include "core/mem.h"
#include "media/transfer.h"

typedef struct op {
    wb_client_host *h;
    void *ud;
    void (*progress)(void *ud, uint64_t done, uint64_t total);
    char kind[16];
    const char *type;
    int refreshed;         /* media_conn asked again after a 401 */
    /* upload */
    wb_client_uploaded_fn up_fn;
    wb_media_upload up;
    char *path;
    uint8_t *data;
    size_t len;
    /* download */
    wb_client_downloaded_fn down_fn;
    wb_media_download down;
    uint8_t key[32], sha[32], enc[32];
    int has_sha, has_enc;
    uint64_t length;
    char *direct_path, *out;
    wb_buf *memory;
} op;

static op *op_new(wb_client_host *h, const char *kind, const char *type,
                  void (*progress)(void *ud, uint64_t done, uint64_t total), void *ud) {
    op *o = calloc(1, sizeof *o);
    if (o) {
        o->h = h;
        o->ud = ud;
        o->progress = progress;
        o->type = type;
        snprintf(o->kind, sizeof o->kind, "%s", kind);
    }
    return o;
}

static void op_free(op *o) {
    if (o->data)
        wb_free_secret(o->data, o->len);
    free(o->path);
    free(o->direct_path);
    free(o->out);
    wb_free_secret(o, sizeof *o);
}

static void up_failed(op *o, int status, const char *why) {
    o->up_fn(o->ud, status, NULL, why);
    op_free(o);
}

static void down_failed(op *o, int status, const char *why) {
    o->down_fn(o->ud, status, why);
    op_free(o);
}

/* media_conn could not be had: the sentence for it. */
static const char *conn_why(int status, char *buf, size_t cap) {
    snprintf(buf, cap, "cannot get the media hosts (media_conn): %s", wb_strerror(status));
    return buf;
}

/* Asks for media_conn (refresh: a fresh one) and runs ready with it, now or when it comes.
 * Returns 0 or the code of a refusal (ready not called). */
static int with_conn(op *o, int refresh, wb_client_media_conn_fn ready) {
    const wb_client_media_conn *mc = NULL;
    int rc = wb_client_media_conn_get(wb_client_host_client(o->h), refresh, &mc, ready, o);
    wb_client_host_kick(o->h);
    if (rc == 1) {
        ready(o, 0, mc);
        rc = 0;
    }
    return rc;
}

/* ---- upload ------------------------------------------------------------------------------------ */

static void up_progress(wb_media_upload *u, uint64_t done, uint64_t total) {
    op *o = u->data;
    if (o->progress)
        o->progress(o->ud, done, total);
}

static void conn_for_upload(void *ud, int status, const wb_client_media_conn *mc);

static void uploaded(wb_media_upload *u, int status, int http_status,
                     const wb_media_uploaded_file *f, const char *why) {
    op *o = u->data;
    if (status == WB_EREFUSED && (http_status == 401 || http_status == 403) && !o->refreshed) {
        o->refreshed = 1; /* the token may have expired under us: once more with a new one */
        int rc = with_conn(o, 1, conn_for_upload);
        if (rc < 0) {
            char buf[160];
            up_failed(o, rc, conn_why(rc, buf, sizeof buf));
        }
        return;
    }
    if (status < 0) {
        up_failed(o, status, why);
        return;
    }
    wb_client_media md = {.kind = o->kind, .media_key = f->media_key,
                          .file_sha256 = f->hashes.file_sha256,
                          .file_enc_sha256 = f->hashes.file_enc_sha256,
                          .file_length = f->hashes.file_length, .url = f->url,
                          .direct_path = f->direct_path, .media_key_timestamp = time(NULL)};
    o->up_fn(o->ud, 0, &md, "");
    op_free(o);
}

static int start_upload(op *o, const wb_client_media_conn *mc) {
    wb_media_http *http = wb_client_host_media_http(o->h);
    if (!http)
        return WB_ECLOSED;
    wb_media_upload_opts u = {.type = o->type, .path = o->path, .data = o->data, .len = o->len,
                              .auth = mc->auth, .hosts = mc->hosts, .nhosts = mc->nhosts,
                              .max_length = mc->max_length,
                              .progress = o->progress ? up_progress : NULL};
    o->up.data = o;
    return wb_media_upload_start(http, &o->up, &u, uploaded);
}

static void conn_for_upload(void *ud, int status, const wb_client_media_conn *mc) {
    op *o = ud;
    char buf[160];
    int rc = status < 0 ? status : start_upload(o, mc);
    if (rc < 0)
        up_failed(o, rc, status < 0 ? conn_why(status, buf, sizeof buf) : wb_strerror(rc));
}

/* The first media_conn of an operation: with a cached one the transfer starts now, and its
 * refusal to start is the caller's to hear (the callback is not called). */
static int first_conn(op *o, wb_client_media_conn_fn later,
                      int (*start)(op *o, const wb_client_media_conn *mc)) {
    const wb_client_media_conn *mc = NULL;
    int rc = wb_client_media_conn_get(wb_client_host_client(o->h), 0, &mc, later, o);
    wb_client_host_kick(o->h);
    return rc == 1 ? start(o, mc) : rc;
}

int wb_client_host_media_upload(wb_client_host *h, const wb_client_upload_opts *uo,
                                wb_client_uploaded_fn fn, void *ud) {
    const char *type = wb_client_media_type(uo->kind);
    if (!type || !fn || (!uo->path && !uo->data && uo->len))
        return WB_EINVAL;
    op *o = op_new(h, uo->kind, type, uo->progress, ud);
    if (!o)
        return WB_ENOMEM;
    o->up_fn = fn;
    int rc = 0;
    if (uo->path && !(o->path = strdup(uo->path)))
        rc = WB_ENOMEM;
    if (!uo->path && uo->len) {
        if ((o->data = malloc(uo->len)))
            memcpy(o->data, uo->data, uo->len);
        else
            rc = WB_ENOMEM;
        o->len = uo->len;
    }
    if (rc == 0)
        rc = first_conn(o, conn_for_upload, start_upload);
    if (rc < 0)
        op_free(o);
    return rc < 0 ? rc : 0;
}

/* ---- download ---------------------------------------------------------------------------------- */

static void down_progress(wb_media_download *d, uint64_t done, uint64_t total) {
    op *o = d->data;
    if (o->progress)
        o->progress(o->ud, done, total);
}

static void downloaded(wb_media_download *d, int status, int http_status,
                       const wb_media_hashes *hh, const char *why) {
    op *o = d->data;
    o->down_fn(o->ud, status, why);
    op_free(o);
}

static int start_download(op *o, const wb_client_media_conn *mc) {
    wb_media_http *http = wb_client_host_media_http(o->h);
    if (!http)
        return WB_ECLOSED;
    if (!mc->nhosts)
        return WB_EPROTO;
    char **urls = calloc(mc->nhosts, sizeof *urls);
    int rc = urls ? 0 : WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < mc->nhosts; i++) {
        size_t n = strlen(mc->hosts[i]) + strlen(o->direct_path) + 9;
        if (!(urls[i] = malloc(n)))
            rc = WB_ENOMEM;
        else
            snprintf(urls[i], n, "https://%s%s", mc->hosts[i], o->direct_path);
    }
    wb_media_download_opts d = {.type = o->type, .media_key = o->key,
                                .file_sha256 = o->has_sha ? o->sha : NULL,
                                .file_enc_sha256 = o->has_enc ? o->enc : NULL,
                                .file_length = o->length, .urls = (const char *const *)urls,
                                .nurls = mc->nhosts, .path = o->out, .memory = o->memory,
                                .progress = o->progress ? down_progress : NULL};
    o->down.data = o;
    if (rc == 0)
        rc = wb_media_download_start(http, &o->down, &d, downloaded);
    for (size_t i = 0; urls && i < mc->nhosts; i++)
        free(urls[i]);
    free(urls);
    return rc;
}

static void conn_for_download(void *ud, int status, const wb_client_media_conn *mc) {
    op *o = ud;
    char buf[160];
    int rc = status < 0 ? status : start_download(o, mc);
    if (rc < 0)
        down_failed(o, rc, status < 0 ? conn_why(status, buf, sizeof buf) : wb_strerror(rc));
}

int wb_client_host_media_download(wb_client_host *h, const wb_client_media *md, const char *path,
                                  wb_buf *memory,
                                  void (*progress)(void *ud, uint64_t done, uint64_t total),
                                  wb_client_downloaded_fn fn, void *ud) {
    const char *type = wb_client_media_type(md->kind);
    if (!type || !md->media_key || !md->direct_path || md->direct_path[0] != '/' || !fn ||
        (!path == !memory))
        return WB_EINVAL;
    op *o = op_new(h, md->kind, type, progress, ud);
    if (!o)
        return WB_ENOMEM;
    o->down_fn = fn;
    memcpy(o->key, md->media_key, 32);
    if ((o->has_sha = md->file_sha256 != NULL))
        memcpy(o->sha, md->file_sha256, 32);
    if ((o->has_enc = md->file_enc_sha256 != NULL))
        memcpy(o->enc, md->file_enc_sha256, 32);
    o->length = md->file_length;
    o->memory = memory;
    int rc = (o->direct_path = strdup(md->direct_path)) && (!path || (o->out = strdup(path)))
                 ? first_conn(o, conn_for_download, start_download)
                 : WB_ENOMEM;
    if (rc < 0)
        op_free(o);
    return rc < 0 ? rc : 0;
}
