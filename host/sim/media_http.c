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
 * Upload paths, direct paths and the answer's JSON are wa/media.h's. An upload is taken in pieces
 * (the host calls on_upload at the request's head; sim.h's read_body): each piece is hashed and
 * written to the blob's temporary file as it arrives, so the answer is ready one hash
 * finalisation, a rename and a row after the last byte, and the body never sits in memory. The direct path is a
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

/* An upload in progress: its checks passed; its body is hashed and written as it comes. */
typedef struct upload {
    wb_sim *sim;
    wb_sim_reply *r;
    const wb_wa_media_upload *u;
    uint8_t want[WB_SHA256_LEN];
    int hash_ok;   /* the path's hash parsed */
    int failed;    /* a write failed: the rest is drained, the answer is 500 */
    wb_sim_blob blob;
} upload;

/* The body is whole: keep it under its hash if it is the one the path names. Frees up. */
static void upload_finish(upload *up) {
    wb_sim *sim = up->sim;
    wb_sim_reply *r = up->r;
    const wb_wa_media_upload *u = up->u;
    uint8_t got[WB_SHA256_LEN];
    uint64_t size = up->blob.size;
    wb_sim_blob_hash(&up->blob, got);
    int failed = up->failed, hash_ok = up->hash_ok && memcmp(got, up->want, WB_SHA256_LEN) == 0;
    wb_buf path = WB_BUF_INIT, body = WB_BUF_INIT;
    int ok = !failed && hash_ok && size <= WB_SIM_MEDIA_MAX &&
             wb_wa_media_direct_path(&path, u, got, NULL) == 0 && wb_buf_put_u8(&path, 0) == 0;
    /* /v/t62.../<hex of 16 bytes of the hash>.enc, signed: the row first, then the answer */
    int stored = ok && wb_sim_blob_commit(sim, &up->blob, (const char *)path.data, u->kind, got) == 0;
    wb_sim_blob_abort(&up->blob); /* nothing left behind unless kept */
    free(up);
    if (stored) {
        char oh[33];
        wb_sim_media_sign(sim, (const char *)path.data, path.len - 1, oh);
        path.len = 0;
        stored = wb_wa_media_direct_path(&path, u, got, oh) == 0 && wb_buf_put_u8(&path, 0) == 0 &&
                 wb_wa_media_uploaded_json(&body, sim->media_host, (const char *)path.data,
                                           wb_sim_now(sim)) == 0;
    }
    wb_buf_free(&path);
    if (stored) {
        wb_sim_count(sim, "media.uploads", 1);
        wb_sim_countf(sim, 1, "media.uploads_by_kind.%s", u->kind);
        wb_sim_count(sim, "media.bytes_in", (int64_t)size);
        wb_sim_reply_json(r, 200, (const char *)body.data, body.len);
    } else if (!failed && !hash_ok) {
        refuse(sim, r, 400, "the path must end in the base64url SHA-256 of the body");
    } else if (!failed && size > WB_SIM_MEDIA_MAX) {
        refuse(sim, r, 413, "the body is over the media size limit");
    } else {
        refuse(sim, r, 500, "cannot store the blob");
    }
    wb_buf_free(&body);
}

/* A piece of a streamed upload, its end, or its loss. */
static void upload_piece(void *ud, const uint8_t *data, size_t len, int status) {
    upload *up = ud;
    if (data) {
        if (!up->failed && wb_sim_blob_write(&up->blob, data, len) < 0)
            up->failed = 1; /* drained to its end, then answered 500 */
        return;
    }
    if (status == 0) {
        upload_finish(up);
        return;
    }
    /* cut off: nothing is kept; the answer goes nowhere but is given, once */
    wb_sim_count(up->sim, "media.uploads_cut", 1);
    wb_sim_reply *r = up->r;
    wb_sim_blob_abort(&up->blob);
    free(up);
    wb_sim_reply_error(r, 400, "the body was cut off");
}

static void on_upload(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *r) {
    const wb_wa_media_upload *u;
    uint8_t want[WB_SHA256_LEN];
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
    upload *up = calloc(1, sizeof *up);
    if (!up || wb_sim_blob_begin(sim, &up->blob) < 0) {
        if (up)
            wb_sim_blob_abort(&up->blob);
        free(up);
        refuse(sim, r, 500, "cannot store the blob");
        return;
    }
    up->sim = sim;
    up->r = r;
    up->u = u;
    up->hash_ok = rc == 0;
    memcpy(up->want, want, sizeof want);
    if (req->body_follows) { /* hashed and written as it arrives */
        if (r->read_body && r->read_body(r, upload_piece, up) == 0)
            return;
        wb_sim_blob_abort(&up->blob);
        free(up);
        refuse(sim, r, 500, "cannot take the body");
        return;
    }
    if (req->body_len)
        upload_piece(up, req->body, req->body_len, 0);
    upload_piece(up, NULL, 0, 0);
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
    {"GET", "/v/*", on_download},
    {NULL, NULL, NULL},
};

/* uploads take their body in pieces: hashed and written to the blob's file as it arrives */
static const wb_sim_http_route uploads[] = {
    {"POST", "/mms/*", on_upload},
    {"POST", "/product/*", on_upload},
    {"POST", "/pps/*", on_upload},
    {NULL, NULL, NULL},
};

const wb_sim_family wb_sim_family_media_http = {
    .name = "media_http", .http = http, .http_streamed = uploads,
};
