/* Downloads (transfer.h): GET, decrypt as the body arrives, into a temporary file beside the
 * chosen path (or memory), renamed into place only once every check passed. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "media/follower.h"
#include "media/transfer.h"

#define DEFAULT_MAX (2ull << 30)
/* Written plaintext is handed to the disk's writeback every this many bytes, so that the fsync
 * before the rename waits for the last piece only, not for the whole file (a 10 MB download:
 * ~1 ms instead of 5-12 ms here). */
#define WRITEBACK_EVERY (1u << 20)
#define WHY_MAX 300

typedef struct wb_media_download_impl {
    wb_media_http *http;
    wb_media_download *d;
    wb_media_download_cb cb;
    void (*progress)(wb_media_download *d, uint64_t done, uint64_t total);
    wb_media_dec *dec;         /* split: the MAC and the blob's hash are check's */
    wb_media_check *check;
    /* During a request, two followers (follower.h): one feeds the blob to check, the other
     * hashes the plaintext (fileSha256) and writes it to the file (or memory). So a download's
     * work is on three threads of about equal shares: this one (TLS, libcurl, the AES), the MAC
     * and fileEncSha256, and fileSha256 with the file system's write path (~1 ms a MiB on
     * ext4). */
    wb_media_follower *checker, *writer;
    wb_sha256_ctx plain;       /* the writer's (wb_media_dec_hash_apart) */
    wb_media_file_writer file; /* the writer's, for a file */
    int memory_failed;         /* the writer's, for memory (on this thread) */
    int threaded;
    char **urls;
    size_t nurls, url;         /* url: the one being tried */
    char *path, *tmp;          /* the destination and the file written until it verified */
    int fd;
    wb_buf *memory;
    size_t memory_start;
    uint64_t max_body;
    uint8_t *out;              /* the decryptor's output */
    size_t out_cap;
    wb_media_req req;
    int in_req, cancelled, write_failed;
    int last_status, last_http;
    char why[WHY_MAX];
} impl;

static void followers_end(impl *t) {
    wb_media_follower_end(t->checker);
    wb_media_follower_end(t->writer);
    t->checker = t->writer = NULL;
}

static void impl_free(impl *t) {
    followers_end(t);
    wb_media_check_free(t->check);
    if (t->fd >= 0)
        close(t->fd);
    if (t->tmp)
        unlink(t->tmp); /* after a success it was renamed: this fails harmlessly */
    wb_media_dec_free(t->dec);
    for (size_t i = 0; t->urls && i < t->nurls; i++)
        free(t->urls[i]);
    free(t->urls);
    free(t->path);
    free(t->tmp);
    if (t->out)
        wb_free_secret(t->out, t->out_cap);
    free(t);
}

static void finish(impl *t, int status, int http_status, const wb_media_hashes *h,
                   const char *why) {
    wb_media_download *d = t->d;
    if (status < 0 && t->memory) { /* unverified plaintext: gone */
        if (t->memory->len > t->memory_start)
            wb_zero(t->memory->data + t->memory_start, t->memory->len - t->memory_start);
        t->memory->len = t->memory_start;
    }
    d->impl_ = NULL;
    t->cb(d, status, http_status, status == 0 ? h : NULL, why ? why : "");
    impl_free(t);
}

/* The writer: fileSha256 of what the decryptor handed out, and the bytes to memory (inline:
 * the buffer is the caller's) or to the file. */
static void write_out(impl *t, const uint8_t *p, size_t n) {
    if (!t->memory)
        wb_media_file_write(&t->file, p, n);
    else if (!t->memory_failed && wb_buf_append(t->memory, p, n) < 0)
        t->memory_failed = 1;
}

static void hash_and_write(void *ud, const uint8_t *p, size_t n) {
    impl *t = ud;
    wb_sha256_update(&t->plain, p, n);
    write_out(t, p, n);
}

/* The writer's failure, as a code with why set, or 0. Read after the writer ended (or the code
 * alone before: the flag is atomic). */
static int write_error(impl *t) {
    int e = atomic_load(&t->file.err);
    if (t->memory_failed)
        return WB_ENOMEM;
    if (!e)
        return 0;
    snprintf(t->why, sizeof t->why, "cannot write %s: %s", t->tmp, strerror(-e));
    return WB_EIO;
}

static int down_write(wb_media_req *r, const uint8_t *data, size_t len) {
    impl *t = r->data;
    int rc = write_error(t);
    if (rc < 0) { /* the disk, not the server: end the request */
        t->write_failed = 1;
        return rc;
    }
    if (len + WB_MEDIA_DEC_SLACK > t->out_cap) {
        uint8_t *n = malloc(len + WB_MEDIA_DEC_SLACK);
        if (!n)
            return WB_ENOMEM;
        if (t->out)
            wb_free_secret(t->out, t->out_cap);
        t->out = n;
        t->out_cap = len + WB_MEDIA_DEC_SLACK;
    }
    size_t got = 0;
    wb_media_follower_put(t->checker, data, len);
    if ((rc = wb_media_dec_update(t->dec, data, len, t->out, &got)) == 0)
        wb_media_follower_put(t->writer, t->out, got);
    return rc;
}

static void down_progress(wb_media_req *r, uint64_t done, uint64_t total) {
    impl *t = r->data;
    if (t->progress)
        t->progress(t->d, done, total);
}

static int try_url(impl *t);

static void follow_check(void *check, const uint8_t *p, size_t n) {
    wb_media_check_update(check, p, n);
}

/* The blob has arrived whole: check it, then move the file into place. */
static int complete(impl *t, wb_media_hashes *h) {
    uint8_t tail[16];
    size_t n = 0;
    wb_error e = {0};
    wb_media_blob_sums sums;
    followers_end(t); /* waits for the checks and fileSha256 to catch up */
    wb_media_check_final(t->check, &sums);
    int rc = wb_media_dec_final(t->dec, &sums, tail, &n, h, &e);
    if (rc < 0)
        snprintf(t->why, sizeof t->why, "%s", e.what);
    else
        write_out(t, tail, n); /* hashed by final */
    wb_zero(tail, sizeof tail);
    if (rc < 0)
        return rc;
    if ((rc = write_error(t)) == 0 && !t->memory) {
        if (fsync(t->fd) < 0 || rename(t->tmp, t->path) < 0) {
            snprintf(t->why, sizeof t->why, "cannot move the file to %s: %s", t->path,
                     strerror(errno));
            rc = WB_EIO;
        }
    }
    if (rc < 0)
        t->write_failed = 1;
    return rc;
}

static void got(wb_media_req *r, int status, int http_status, const char *why) {
    impl *t = r->data;
    t->in_req = 0;
    wb_media_hashes h;
    if (t->cancelled) {
        finish(t, WB_ECLOSED, 0, NULL, "cancelled");
        return;
    }
    int answered = status == 0 && http_status >= 200 && http_status <= 299;
    if (!answered) /* no more bytes: the writer's last failure, if any, is known after this */
        followers_end(t);
    if (write_error(t) < 0) /* perhaps learnt after the last piece */
        t->write_failed = 1;
    if (t->write_failed) { /* the disk, not the server: another URL would not help */
        finish(t, status < 0 ? status : WB_EIO, 0, NULL, t->why);
        return;
    }
    if (answered) {
        int rc = complete(t, &h);
        if (rc == 0) {
            finish(t, 0, http_status, &h, "");
            return;
        }
        if (t->write_failed) {
            finish(t, rc, 0, NULL, t->why);
            return;
        }
        t->last_status = rc; /* why: the check that failed */
    } else if (status == 0) {
        t->last_status = WB_EREFUSED;
        snprintf(t->why, sizeof t->why, "the media server answered HTTP %d%s%s", http_status,
                 why[0] ? ": " : "", why);
    } else {
        t->last_status = status;
        snprintf(t->why, sizeof t->why, "%s", why);
    }
    t->last_http = status == 0 ? http_status : 0;
    t->url++;
    if (try_url(t) < 0)
        finish(t, t->last_status, t->last_http, NULL, t->why);
}

/* Starts the GET of the current URL or the next one that takes a request. Returns 0, or the
 * last failure when no URL is left. */
static int try_url(impl *t) {
    static const char *const headers[] = {"Origin: https://web.whatsapp.com"};
    for (; t->url < t->nurls; t->url++) {
        wb_media_blob_sums spent;
        followers_end(t); /* a previous URL's: its sums and bytes are thrown away */
        wb_media_check_final(t->check, &spent);
        int rc = wb_media_dec_reset(t->dec);
        if (rc == 0)
            rc = wb_media_follower_start(&t->checker, 0, follow_check, t->check, t->threaded);
        if (rc == 0) /* memory is the caller's buffer: touched on its thread only */
            rc = wb_media_follower_start(&t->writer, 0, hash_and_write, t,
                                         t->threaded && !t->memory);
        if (t->memory) {
            t->memory->len = t->memory_start;
        } else if (rc == 0 && (ftruncate(t->fd, 0) < 0 || lseek(t->fd, 0, SEEK_SET) < 0)) {
            snprintf(t->why, sizeof t->why, "cannot rewrite %s: %s", t->tmp, strerror(errno));
            return t->last_status = WB_EIO;
        }
        t->file.written = t->file.flushed = 0;
        wb_media_req_opts o = {.url = t->urls[t->url], .headers = headers, .nheaders = 1,
                               .write = down_write, .max_body = t->max_body,
                               .progress = down_progress};
        t->req.data = t;
        if (rc == 0 && (rc = wb_media_http_start(t->http, &t->req, &o, got)) == 0) {
            t->in_req = 1;
            return 0;
        }
        t->last_status = rc;
        t->last_http = 0;
        snprintf(t->why, sizeof t->why, "cannot fetch %s: %s", t->urls[t->url], wb_strerror(rc));
        if (rc == WB_ECLOSED)
            break;
    }
    return t->last_status ? t->last_status : WB_EINVAL;
}

int wb_media_download_start(wb_media_http *http, wb_media_download *d,
                            const wb_media_download_opts *o, wb_media_download_cb cb) {
    if (!o->media_key || !o->nurls || !cb || (!o->path == !o->memory))
        return WB_EINVAL;
    impl *t = calloc(1, sizeof *t);
    if (!t)
        return WB_ENOMEM;
    t->fd = -1;
    wb_media_expect x = {o->file_sha256, o->file_enc_sha256};
    int rc = wb_media_dec_new(&t->dec, o->media_key, o->type, &x);
    if (rc == 0)
        rc = wb_media_check_new(&t->check, o->media_key, o->type);
    if (rc == WB_ENOTFOUND)
        rc = WB_EINVAL;
    if (rc == 0) {
        wb_media_dec_split(t->dec);
        wb_media_dec_hash_apart(t->dec, &t->plain);
    }
    if (rc == 0 && !(t->urls = calloc(o->nurls, sizeof *t->urls)))
        rc = WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < o->nurls; i++) {
        if (!(t->urls[i] = strdup(o->urls[i])))
            rc = WB_ENOMEM;
        t->nurls = i + 1;
    }
    if (rc == 0 && o->path) {
        /* the temporary file: in the destination's directory (so the rename stays on one
         * file system), named by us, created exclusively and private */
        char *copy = strdup(o->path);
        size_t cap = strlen(o->path) + 32;
        t->path = strdup(o->path);
        t->tmp = malloc(cap);
        if (!copy || !t->path || !t->tmp) {
            rc = WB_ENOMEM;
        } else {
            snprintf(t->tmp, cap, "%s/.wabot-download-XXXXXX", dirname(copy));
            if ((t->fd = mkostemp(t->tmp, O_CLOEXEC)) < 0) {
                rc = errno == ENOENT ? WB_ENOTFOUND : WB_EIO;
                free(t->tmp);
                t->tmp = NULL;
            }
            t->file.fd = t->fd;
            t->file.writeback_every = WRITEBACK_EVERY;
        }
        free(copy);
    } else if (rc == 0) {
        t->memory = o->memory;
        t->memory_start = o->memory->len;
    }
    if (rc < 0) {
        impl_free(t);
        return rc;
    }
    t->http = http;
    t->d = d;
    t->cb = cb;
    t->progress = o->progress;
    uint64_t bound = o->file_length ? wb_media_enc_size(o->file_length)
                     : o->max_length ? o->max_length : DEFAULT_MAX;
    t->max_body = bound;
    t->threaded = bound >= WB_MEDIA_FOLLOW_FROM;
    if ((rc = try_url(t)) < 0) {
        impl_free(t);
        return rc;
    }
    d->impl_ = t;
    return 0;
}

void wb_media_download_cancel(wb_media_download *d) {
    impl *t = d->impl_;
    if (!t || t->cancelled)
        return;
    t->cancelled = 1;
    if (t->in_req)
        wb_media_http_cancel(&t->req);
}
