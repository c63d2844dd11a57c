/* Uploads (transfer.h): a measuring pass on the thread pool, then the POST, encrypting again
 * into libcurl's buffer as it asks, host after host until one takes the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "crypto/random.h"
#include "media/transfer.h"
#include "wa/media.h"

#define PLAIN_CHUNK (32 * 1024)
#define ANSWER_MAX (64 * 1024)
#define WHY_MAX 300

typedef struct wb_media_upload_impl {
    wb_media_http *http;
    wb_media_upload *u;
    wb_media_upload_cb cb;
    void (*progress)(wb_media_upload *u, uint64_t done, uint64_t total);
    int fd;                    /* the file, or -1 for bytes */
    const uint8_t *data;
    size_t len;
    char type[32];
    char *auth;
    char **hosts;
    size_t nhosts, host;       /* host: the one being tried */
    uint64_t max_length;
    uint8_t media_key[WB_MEDIA_KEY_LEN];
    wb_media_hashes h;         /* what the first pass measured */
    uint8_t mac[WB_MEDIA_MAC_LEN]; /* and the MAC it ended the blob with */
    /* the first pass */
    uv_work_t work;
    int in_work, pass1_rc;
    /* the POST */
    wb_media_req req;
    int in_req, cancelled, read_failed;
    wb_media_enc *enc;
    uint64_t off;              /* plain bytes encrypted so far */
    uint8_t stage[PLAIN_CHUNK + WB_MEDIA_ENC_TAIL + 16]; /* blob not yet handed to libcurl */
    size_t spos, slen;
    int ended;
    wb_buf answer, url;
    wb_wa_media_uploaded answered;
    int last_status, last_http;
    char why[WHY_MAX];
} impl;

/* Up to cap plain bytes from off. Returns the count (0 at the end) or -errno. */
static long long read_plain(impl *t, uint64_t off, uint8_t *buf, size_t cap) {
    if (t->fd < 0) {
        if (off >= t->len)
            return 0;
        size_t n = t->len - off < cap ? t->len - off : cap;
        memcpy(buf, t->data + off, n);
        return (long long)n;
    }
    for (;;) {
        ssize_t n = pread(t->fd, buf, cap, (off_t)off);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

static void impl_free(impl *t) {
    if (t->fd >= 0)
        close(t->fd);
    wb_media_enc_free(t->enc);
    for (size_t i = 0; t->hosts && i < t->nhosts; i++)
        free(t->hosts[i]);
    free(t->hosts);
    free(t->auth);
    wb_buf_free(&t->answer);
    wb_buf_free(&t->url);
    wb_free_secret(t, sizeof *t);
}

static void finish(impl *t, int status, int http_status, const char *why) {
    wb_media_upload *u = t->u;
    wb_media_uploaded_file f = {0};
    if (status == 0) {
        memcpy(f.media_key, t->media_key, sizeof f.media_key);
        f.hashes = t->h;
        f.url = t->answered.url;
        f.direct_path = t->answered.direct_path;
        f.ts = t->answered.ts;
    }
    u->impl_ = NULL;
    t->cb(u, status, http_status, status == 0 ? &f : NULL, why ? why : "");
    impl_free(t);
}

/* ---- the first pass: measure --------------------------------------------------------------------- */

static void measure(uv_work_t *w) {
    impl *t = w->data;
    wb_media_enc *e;
    uint8_t *plain = malloc(PLAIN_CHUNK), *blob = malloc(PLAIN_CHUNK + 16);
    int rc = plain && blob ? wb_media_enc_new(&e, t->media_key, t->type) : WB_ENOMEM;
    if (rc == 0) {
        uint64_t off = 0;
        long long n;
        while (rc == 0 && (n = read_plain(t, off, plain, PLAIN_CHUNK)) != 0) {
            if (n < 0) {
                snprintf(t->why, sizeof t->why, "cannot read the file: %s", strerror((int)-n));
                rc = WB_EIO;
            } else if (wb_media_enc_update(e, plain, (size_t)n, blob) < 0) {
                rc = WB_ECRYPTO;
            }
            off += n > 0 ? (uint64_t)n : 0;
        }
        if (rc == 0 && wb_media_enc_final(e, blob, &t->h) < 0)
            rc = WB_ECRYPTO;
        memcpy(t->mac, blob + 16, sizeof t->mac);
        wb_media_enc_free(e);
    }
    free(plain);
    free(blob);
    t->pass1_rc = rc;
}

static void try_host(impl *t);
static void measured_next(impl *t, int status);

static void measured(uv_work_t *w, int status) {
    impl *t = w->data;
    wb_media_http *http = t->http;
    t->in_work = 0;
    measured_next(t, status);
    wb_media_http_release(http); /* after: the engine may finish closing here */
}

static void measured_next(impl *t, int status) {
    if (t->cancelled || status == UV_ECANCELED) {
        finish(t, WB_ECLOSED, 0, "cancelled");
    } else if (t->pass1_rc < 0) {
        finish(t, t->pass1_rc, 0, t->why[0] ? t->why : wb_strerror(t->pass1_rc));
    } else if (t->max_length && t->h.enc_length > t->max_length) {
        snprintf(t->why, sizeof t->why,
                 "the file is %llu bytes encrypted; the media host takes at most %llu",
                 (unsigned long long)t->h.enc_length, (unsigned long long)t->max_length);
        finish(t, WB_ETOOBIG, 0, t->why);
    } else {
        try_host(t);
    }
}

/* ---- the POST ------------------------------------------------------------------------------------ */

static long long up_read(wb_media_req *r, uint8_t *buf, size_t cap) {
    impl *t = r->data;
    size_t o = 0;
    while (o < cap) {
        if (t->spos < t->slen) {
            size_t n = t->slen - t->spos < cap - o ? t->slen - t->spos : cap - o;
            memcpy(buf + o, t->stage + t->spos, n);
            t->spos += n;
            o += n;
            continue;
        }
        if (t->ended)
            break;
        uint8_t plain[PLAIN_CHUNK];
        uint64_t left = t->h.file_length - t->off; /* never more than the first pass saw */
        long long n = left ? read_plain(t, t->off, plain, left < PLAIN_CHUNK ? left : PLAIN_CHUNK) : 0;
        long long w;
        t->spos = 0;
        if (n < 0) {
            snprintf(t->why, sizeof t->why, "cannot read the file: %s", strerror((int)-n));
            t->read_failed = 1;
            return WB_EIO;
        } else if (n > 0) {
            w = wb_media_enc_update(t->enc, plain, (size_t)n, t->stage);
            t->off += (uint64_t)n;
        } else {
            wb_media_hashes again;
            w = wb_media_enc_final(t->enc, t->stage, &again);
            t->ended = 1;
            /* the same file makes the same blob, MAC included; a changed one another MAC */
            if (w >= 0 && (again.file_length != t->h.file_length ||
                           memcmp(t->stage + 16, t->mac, sizeof t->mac) != 0)) {
                snprintf(t->why, sizeof t->why, "the file changed while it was being sent");
                t->read_failed = 1;
                return WB_EIO;
            }
        }
        wb_zero(plain, sizeof plain);
        if (w < 0) {
            t->read_failed = 1;
            return w;
        }
        t->slen = (size_t)w;
    }
    return (long long)o;
}

static int up_write(wb_media_req *r, const uint8_t *data, size_t len) {
    impl *t = r->data;
    return wb_buf_append(&t->answer, data, len);
}

static void up_progress(wb_media_req *r, uint64_t done, uint64_t total) {
    impl *t = r->data;
    if (t->progress)
        t->progress(t->u, done, t->h.enc_length);
}

static void posted(wb_media_req *r, int status, int http_status, const char *why) {
    impl *t = r->data;
    t->in_req = 0;
    if (t->cancelled) {
        finish(t, WB_ECLOSED, 0, "cancelled");
        return;
    }
    if (t->read_failed) {
        finish(t, status < 0 ? status : WB_EIO, 0, t->why);
        return;
    }
    if (status == 0 && http_status >= 200 && http_status <= 299) {
        if (wb_wa_media_uploaded_read((const char *)t->answer.data, t->answer.len,
                                      &t->answered) == 0) {
            finish(t, 0, http_status, "");
            return;
        }
        t->last_status = WB_EREFUSED;
        snprintf(t->why, sizeof t->why, "%s answered without a url or a direct_path",
                 t->hosts[t->host]);
    } else if (status == 0) {
        t->last_status = WB_EREFUSED;
        snprintf(t->why, sizeof t->why, "%s answered HTTP %d%s%s", t->hosts[t->host],
                 http_status, why[0] ? ": " : "", why);
    } else {
        t->last_status = status;
        snprintf(t->why, sizeof t->why, "%s: %s", t->hosts[t->host], why);
    }
    t->last_http = status == 0 ? http_status : 0;
    t->host++;
    try_host(t);
}

/* Starts the POST to the current host, or the next one that takes a request; ends the upload
 * with the last failure when none is left. */
static void try_host(impl *t) {
    static const char *const headers[] = {"Content-Type: application/octet-stream",
                                          "Origin: https://web.whatsapp.com"};
    for (; t->host < t->nhosts; t->host++) {
        wb_media_enc_free(t->enc);
        t->enc = NULL;
        t->off = 0;
        t->spos = t->slen = 0;
        t->ended = 0;
        wb_buf_reset(&t->answer);
        wb_buf_reset(&t->url);
        int rc = wb_media_enc_new(&t->enc, t->media_key, t->type);
        if (rc == 0) {
            wb_media_enc_skip_hashes(t->enc); /* measured already: the blob again, MAC only */
            rc = wb_wa_media_upload_url(&t->url, t->hosts[t->host], t->type,
                                        t->h.file_enc_sha256, t->auth);
        }
        if (rc == 0)
            rc = wb_buf_put_u8(&t->url, 0);
        wb_media_req_opts o = {.method = "POST", .url = (const char *)t->url.data,
                               .headers = headers, .nheaders = 2, .body_len = t->h.enc_length,
                               .read = up_read, .write = up_write, .max_body = ANSWER_MAX,
                               .progress = up_progress};
        t->req.data = t;
        if (rc == 0 && (rc = wb_media_http_start(t->http, &t->req, &o, posted)) == 0) {
            t->in_req = 1;
            return;
        }
        t->last_status = rc;
        t->last_http = 0;
        snprintf(t->why, sizeof t->why, "cannot send to %s: %s", t->hosts[t->host],
                 wb_strerror(rc));
        if (rc == WB_ECLOSED)
            break;
    }
    finish(t, t->last_status ? t->last_status : WB_EINVAL, t->last_http,
           t->why[0] ? t->why : "no media host to send to");
}

/* ---- the handle ---------------------------------------------------------------------------------- */

int wb_media_upload_start(wb_media_http *http, wb_media_upload *u, const wb_media_upload_opts *o,
                          wb_media_upload_cb cb) {
    const wb_wa_media_type *mt = wb_wa_media_type_of(o->type);
    if (!mt || !mt->path || !mt->hkdf || !o->auth || !o->nhosts || !cb ||
        (!o->path && !o->data && o->len))
        return WB_EINVAL;
    impl *t = calloc(1, sizeof *t);
    if (!t)
        return WB_ENOMEM;
    t->fd = -1;
    int rc = 0;
    if (o->path) {
        struct stat st;
        if ((t->fd = open(o->path, O_RDONLY | O_CLOEXEC)) < 0)
            rc = errno == ENOENT ? WB_ENOTFOUND : WB_EIO;
        else if (fstat(t->fd, &st) < 0 || !S_ISREG(st.st_mode))
            rc = WB_EIO;
    } else {
        t->data = o->data;
        t->len = o->len;
    }
    t->auth = strdup(o->auth);
    t->hosts = calloc(o->nhosts, sizeof *t->hosts);
    if (rc == 0 && (!t->auth || !t->hosts))
        rc = WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < o->nhosts; i++) {
        if (!(t->hosts[i] = strdup(o->hosts[i])))
            rc = WB_ENOMEM;
        t->nhosts = i + 1;
    }
    if (rc < 0) {
        impl_free(t);
        return rc;
    }
    snprintf(t->type, sizeof t->type, "%s", o->type);
    t->http = http;
    t->u = u;
    t->cb = cb;
    t->progress = o->progress;
    t->max_length = o->max_length;
    wb_random_bytes(t->media_key, sizeof t->media_key);
    t->work.data = t;
    if (uv_queue_work(wb_media_http_loop(http), &t->work, measure, measured) < 0) {
        impl_free(t);
        return WB_ENOMEM;
    }
    t->in_work = 1;
    wb_media_http_hold(http);
    u->impl_ = t;
    return 0;
}

void wb_media_upload_cancel(wb_media_upload *u) {
    impl *t = u->impl_;
    if (!t || t->cancelled)
        return;
    t->cancelled = 1;
    if (t->in_work)
        uv_cancel((uv_req_t *)&t->work); /* measured runs either way */
    else if (t->in_req)
        wb_media_http_cancel(&t->req);
}
