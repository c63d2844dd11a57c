/* Media upload and download over HTTP(S) (media.h), as Baileys' getWAUploadToServer and
 * downloadContentFromMessage use them (Utils/messages-media.js):
 *
 *   POST /mms/<kind>/<fileEncSha256, base64url>?auth=<media_conn auth>&token=<the same hash>
 *        body: the encrypted file (AES-CBC ciphertext and its 10-byte MAC, as the client made it)
 *        -> 200 {"url": "https://<host><direct_path>", "direct_path": "/v/t62.../<hex>.enc?...",
 *                "ts": <unix>}
 *        401 wrong auth, 400 a hash that does not match the body, 404 an unknown kind
 *   GET  <direct_path>  -> 200 the stored bytes, read from the file as the client takes them; 403 when the path's signature (oh=) is wrong,
 *        404 when nothing is stored there
 *
 * Upload paths, direct paths and the answer's JSON are wa/media.h's. The direct path is a
 * function of the blob's hash (the same upload twice gives the same path)
 * and is signed with a key of the state, so URLs survive restarts and cannot be guessed. Blobs
 * are files of the media directory, described by the media table (media_store.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "crypto/hash.h"
#include "sim/media.h"
#include "wa/media.h"

static void refuse(wb_sim *sim, wb_sim_reply *r, int status, const char *why) {
    wb_sim_countf(sim, 1, "media.refused.%d", status);
    wb_sim_reply_error(r, status, "%s", why);
}

/* ---- upload ------------------------------------------------------------------------------ */

static void on_upload(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *r) {
    const wb_wa_media_upload *u;
    uint8_t want[WB_SHA256_LEN], got[WB_SHA256_LEN];
    int rc = wb_wa_media_upload_parse(req->path, &u, want);
    if (rc == WB_ENOTFOUND) {
        refuse(sim, r, 404, "no such media kind");
        return;
    }
    char auth[128];
    if (wb_sim_query_param(req, "auth", auth, sizeof auth) != 1 || !wb_sim_media_auth_ok(sim, auth)) {
        refuse(sim, r, 401, "the auth parameter is not the media_conn token");
        return;
    }
    wb_sim_blob blob;
    if (wb_sim_blob_begin(sim, &blob) < 0 ||
        wb_sim_blob_write(&blob, req->body_len ? req->body : (const uint8_t *)"", req->body_len) < 0) {
        wb_sim_blob_abort(&blob);
        refuse(sim, r, 500, "cannot store the blob");
        return;
    }
    wb_sim_blob_hash(&blob, got);
    if (rc < 0 || memcmp(got, want, WB_SHA256_LEN) != 0 || req->body_len > WB_SIM_MEDIA_MAX) {
        wb_sim_blob_abort(&blob);
        refuse(sim, r, 400, "the path must end in the base64url SHA-256 of the body");
        return;
    }
    /* /v/t62.../<hex of 16 bytes of the hash>.enc, signed */
    wb_buf path = WB_BUF_INIT, body = WB_BUF_INIT;
    char oh[33];
    int ok = wb_wa_media_direct_path(&path, u, got, NULL) == 0 && wb_buf_put_u8(&path, 0) == 0;
    if (!ok)
        wb_sim_blob_abort(&blob);
    if (ok && wb_sim_blob_commit(sim, &blob, (const char *)path.data, u->kind, got) < 0) {
        wb_buf_free(&path);
        refuse(sim, r, 500, "cannot store the blob");
        return;
    }
    if (ok) {
        wb_sim_media_sign(sim, (const char *)path.data, path.len - 1, oh);
        path.len = 0;
        ok = wb_wa_media_direct_path(&path, u, got, oh) == 0 && wb_buf_put_u8(&path, 0) == 0 &&
             wb_wa_media_uploaded_json(&body, sim->media_host, (const char *)path.data,
                                       wb_sim_now(sim)) == 0;
    }
    wb_buf_free(&path);
    if (!ok) {
        wb_buf_free(&body);
        refuse(sim, r, 500, "out of memory");
        return;
    }
    wb_sim_count(sim, "media.uploads", 1);
    wb_sim_countf(sim, 1, "media.uploads_by_kind.%s", u->kind);
    wb_sim_count(sim, "media.bytes_in", (int64_t)req->body_len);
    wb_sim_reply_json(r, 200, (const char *)body.data, body.len);
    wb_buf_free(&body);
}

/* ---- download ---------------------------------------------------------------------------- */

/* A blob's file as an answer's body: read a piece at a time as the client takes it. */
typedef struct file_source {
    int fd;
    uint64_t off;
} file_source;

static long file_read(void *ud, uint8_t *buf, size_t cap) {
    file_source *f = ud;
    ssize_t n;
    do
        n = pread(f->fd, buf, cap, (off_t)f->off);
    while (n < 0 && errno == EINTR);
    if (n <= 0) /* 0: the file is shorter than it was at the start */
        return WB_EIO;
    f->off += (uint64_t)n;
    return (long)n;
}

static void file_done(void *ud, int status) {
    file_source *f = ud;
    (void)status;
    close(f->fd);
    free(f);
}

static void on_download(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *r) {
    char oh[64], want[33];
    size_t plen = strlen(req->path);
    if (wb_sim_query_param(req, "oh", oh, sizeof oh) != 1) {
        refuse(sim, r, 403, "the path is not signed (oh=)");
        return;
    }
    wb_sim_media_sign(sim, req->path, plen, want);
    if (strlen(oh) != 32 || wb_memneq(oh, want, 32)) {
        refuse(sim, r, 403, "bad signature (oh=)");
        return;
    }
    int fd;
    uint64_t size;
    wb_buf data = WB_BUF_INIT;
    int rc = wb_sim_media_open(sim, req->path, plen, &fd, &size, &data);
    file_source *f = rc == 0 && fd >= 0 ? malloc(sizeof *f) : NULL;
    if (rc == WB_ENOTFOUND || (rc == 0 && fd >= 0 && !f)) {
        if (fd >= 0)
            close(fd);
        refuse(sim, r, rc == WB_ENOTFOUND ? 404 : 500,
               rc == WB_ENOTFOUND ? "no such media" : "out of memory");
        return;
    }
    if (rc < 0) {
        wb_buf_free(&data);
        refuse(sim, r, 500, "cannot read the blob");
        return;
    }
    wb_sim_count(sim, "media.downloads", 1);
    wb_sim_count(sim, "media.bytes_out", (int64_t)size);
    if (fd < 0) { /* a row from before the files: its bytes came with it */
        r->respond(r, 200, "application/octet-stream", data.data ? data.data : (const uint8_t *)"",
                   data.len);
        wb_buf_free(&data);
        return;
    }
    f->fd = fd;
    f->off = 0;
    wb_sim_reply_source(r, 200, "application/octet-stream", size,
                        &(wb_http_body_source){file_read, file_done, f});
}

static const wb_sim_http_route http[] = {
    {"POST", "/mms/*", on_upload},
    {"POST", "/product/*", on_upload},
    {"POST", "/pps/*", on_upload},
    {"GET", "/v/*", on_download},
    {NULL, NULL, NULL},
};

const wb_sim_family wb_sim_family_media_http = {.name = "media_http", .http = http};
