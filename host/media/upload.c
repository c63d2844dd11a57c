/* Uploads (transfer.h): one pass on the thread pool encrypts the file into an unnamed
 * temporary file while it measures it; then the POST sends that blob as libcurl asks, host after
 * host until one takes it. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "crypto/random.h"
#include "media/follower.h"
#include "media/transfer.h"
#include "wa/media.h"

#define PLAIN_CHUNK (64 * 1024)
/* The rings of the two fast followers (fileSha256 ~0.6 ms a MiB, the writes ~0.3): half the
 * default, so that the three rings keep the pass's peak RSS growth under the 2 MB the bench
 * asks (measured 1.7-2.0 MB with three of 256 KiB) */
#define SMALL_RING (128u * 1024)
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
    uint64_t size;             /* the file's, when the upload started */
    int blob;                  /* the encrypted file (unnamed, ours), or -1 */
    char type[32];
    char *auth;
    char **hosts;
    size_t nhosts, host;       /* host: the one being tried */
    uint64_t max_length;
    uint8_t media_key[WB_MEDIA_KEY_LEN];
    wb_media_hashes h;         /* what the pass measured */
    /* the pass */
    uv_work_t work;
    int in_work, pass_rc;
    /* the POST */
    wb_media_req req;
    int in_req, cancelled, read_failed;
    uint64_t off;              /* blob bytes handed to libcurl */
    wb_buf answer, url;
    wb_wa_media_uploaded answered;
    int last_status, last_http;
    char why[WHY_MAX];
} impl;

/* Up to cap bytes of fd from off. Returns the count (0 at the end) or -errno. */
static long long read_at(int fd, uint64_t off, uint8_t *buf, size_t cap) {
    for (;;) {
        ssize_t n = pread(fd, buf, cap, (off_t)off);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -errno;
    }
}

/* Up to cap plain bytes from off. Returns the count (0 at the end) or -errno. */
static long long read_plain(impl *t, uint64_t off, uint8_t *buf, size_t cap) {
    if (t->fd >= 0)
        return read_at(t->fd, off, buf, cap);
    if (off >= t->len)
        return 0;
    size_t n = t->len - off < cap ? t->len - off : cap;
    memcpy(buf, t->data + off, n);
    return (long long)n;
}

/* Writes all of p at fd's end. Returns 0 or -errno. */
static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -ENOSPC;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A file for the blob, private and unnamed, in $TMPDIR or /tmp: O_TMPFILE where the file system
 * has it, else a named one removed at once. It is gone with its descriptor, crash or not.
 * Returns the descriptor or -errno. */
static int blob_file(void) {
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return -errno;
#endif
    char name[4096];
    if (snprintf(name, sizeof name, "%s/.wabot-upload-XXXXXX", dir) >= (int)sizeof name)
        return -ENAMETOOLONG;
    int fd2 = mkostemp(name, O_CLOEXEC);
    if (fd2 < 0)
        return -errno;
    unlink(name);
    return fd2;
}

static void impl_free(impl *t) {
    if (t->fd >= 0)
        close(t->fd);
    if (t->blob >= 0)
        close(t->blob);
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

/* ---- the pass: encrypt and measure --------------------------------------------------------------- */

/* The pass's work on four threads (follower.h), for two cores: this one reads the file and runs
 * the AES, which cannot be split (CBC encryption is serial: ~1 GB/s, about 10 ms of a 10 MB
 * file); one follower hashes the file (fileSha256); one takes the MAC and the blob's hash
 * (cipher.h's wb_media_enc_split); one writes the blob to its file. */
typedef struct pass {
    wb_media_enc *e;
    wb_media_mac *mac;
    wb_sha256_ctx plain;
    wb_media_file_writer w;
    wb_media_follower *fplain, *fmac, *fw;
} pass;

static void follow_plain(void *plain, const uint8_t *p, size_t n) {
    wb_sha256_update(plain, p, n);
}
static void follow_mac(void *mac, const uint8_t *p, size_t n) { wb_media_mac_update(mac, p, n); }

/* Encrypts the file, handing the file to fplain and the blob to fmac and fw. Returns 0, or
 * WB_EIO / WB_ECRYPTO with why set. */
static int encrypt_into(impl *t, pass *ps, uint8_t *plain, uint8_t *blob) {
    for (uint64_t off = 0;;) {
        long long n = read_plain(t, off, plain, PLAIN_CHUNK);
        if (n < 0) {
            snprintf(t->why, sizeof t->why, "cannot read the file: %s", strerror((int)-n));
            return WB_EIO;
        }
        off += (uint64_t)n;
        long long m;
        if (n) {
            wb_media_follower_put(ps->fplain, plain, (size_t)n);
            m = wb_media_enc_update(ps->e, plain, (size_t)n, blob);
        } else { /* the end: the padded block, and fileSha256 (its follower has seen all) */
            wb_media_follower_end(ps->fplain);
            ps->fplain = NULL;
            m = wb_media_enc_final(ps->e, blob, &t->h);
        }
        if (m < 0)
            return WB_ECRYPTO;
        wb_media_follower_put(ps->fmac, blob, (size_t)m);
        wb_media_follower_put(ps->fw, blob, (size_t)m);
        if (n == 0 || atomic_load(&ps->w.err))
            return 0; /* a write's failure is the caller's to say */
    }
}

/* Encrypts into fd with the followers, and ends the blob with the MAC. Returns 0 or a code with
 * why set. */
static int encrypt_file(impl *t, int fd, uint8_t *plain, uint8_t *blob) {
    pass ps = {.w = {.fd = fd}};
    int threaded = t->size >= WB_MEDIA_FOLLOW_FROM;
    int rc = wb_media_enc_new(&ps.e, t->media_key, t->type);
    if (rc == 0)
        rc = wb_media_mac_new(&ps.mac, t->media_key, t->type);
    if (rc == 0)
        rc = wb_media_follower_start(&ps.fplain, SMALL_RING, follow_plain, &ps.plain, threaded);
    if (rc == 0)
        rc = wb_media_follower_start(&ps.fmac, 0, follow_mac, ps.mac, threaded);
    if (rc == 0)
        rc = wb_media_follower_start(&ps.fw, SMALL_RING, wb_media_file_write, &ps.w, threaded);
    if (rc == 0) {
        wb_media_enc_split(ps.e);
        wb_media_enc_hash_apart(ps.e, &ps.plain);
        rc = encrypt_into(t, &ps, plain, blob);
    }
    wb_media_follower_end(ps.fplain); /* on a failure: the end did not come */
    wb_media_follower_end(ps.fmac); /* the MAC has seen every byte */
    wb_media_follower_end(ps.fw); /* and the file has them */
    int werr = atomic_load(&ps.w.err);
    uint8_t tag[WB_MEDIA_MAC_LEN];
    if (rc == 0 && !werr) {
        wb_media_mac_final(ps.mac, tag, t->h.file_enc_sha256);
        werr = write_all(fd, tag, sizeof tag);
        t->h.enc_length += sizeof tag;
    }
    if (rc == 0 && werr) {
        snprintf(t->why, sizeof t->why, "cannot write a temporary file: %s", strerror(-werr));
        rc = WB_EIO;
    }
    wb_media_mac_free(ps.mac);
    wb_media_enc_free(ps.e);
    wb_zero(&ps.plain, sizeof ps.plain);
    return rc;
}

/* On the thread pool: the whole blob into its file, and the hashes. */
static void encrypt_all(uv_work_t *w) {
    impl *t = w->data;
    uint8_t *plain = malloc(PLAIN_CHUNK), *blob = malloc(PLAIN_CHUNK + WB_MEDIA_ENC_TAIL);
    int rc = plain && blob ? 0 : WB_ENOMEM;
    int fd = rc == 0 ? blob_file() : -1;
    if (rc == 0 && fd < 0) {
        snprintf(t->why, sizeof t->why, "cannot make a temporary file in $TMPDIR or /tmp: %s",
                 strerror(-fd));
        rc = WB_EIO;
    }
    if (rc == 0)
        rc = encrypt_file(t, fd, plain, blob);
    if (plain)
        wb_free_secret(plain, PLAIN_CHUNK);
    free(blob);
    if (rc == 0)
        t->blob = fd;
    else if (fd >= 0)
        close(fd);
    t->pass_rc = rc;
}

static void try_host(impl *t);
static void encrypted_next(impl *t, int status);

static void encrypted(uv_work_t *w, int status) {
    impl *t = w->data;
    wb_media_http *http = t->http;
    t->in_work = 0;
    encrypted_next(t, status);
    wb_media_http_release(http); /* after: the engine may finish closing here */
}

static void encrypted_next(impl *t, int status) {
    if (t->cancelled || status == UV_ECANCELED) {
        finish(t, WB_ECLOSED, 0, "cancelled");
    } else if (t->pass_rc < 0) {
        finish(t, t->pass_rc, 0, t->why[0] ? t->why : wb_strerror(t->pass_rc));
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

/* libcurl's buffer filled straight from the blob's file (in the page cache: a copy). */
static long long up_read(wb_media_req *r, uint8_t *buf, size_t cap) {
    impl *t = r->data;
    uint64_t left = t->h.enc_length - t->off;
    long long n = left ? read_at(t->blob, t->off, buf, left < cap ? (size_t)left : cap) : 0;
    if (n < 0 || (n == 0 && left)) {
        snprintf(t->why, sizeof t->why, "cannot read the temporary file: %s",
                 n < 0 ? strerror((int)-n) : "shorter than written");
        t->read_failed = 1;
        return WB_EIO;
    }
    t->off += (uint64_t)n;
    return n;
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
        t->off = 0;
        wb_buf_reset(&t->answer);
        wb_buf_reset(&t->url);
        int rc = wb_wa_media_upload_url(&t->url, t->hosts[t->host], t->type,
                                        t->h.file_enc_sha256, t->auth);
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
    t->fd = t->blob = -1;
    int rc = 0;
    if (o->path) {
        struct stat st;
        if ((t->fd = open(o->path, O_RDONLY | O_CLOEXEC)) < 0)
            rc = errno == ENOENT ? WB_ENOTFOUND : WB_EIO;
        else if (fstat(t->fd, &st) < 0 || !S_ISREG(st.st_mode))
            rc = WB_EIO;
        else
            t->size = (uint64_t)st.st_size;
    } else {
        t->data = o->data;
        t->len = t->size = o->len;
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
    if (uv_queue_work(wb_media_http_loop(http), &t->work, encrypt_all, encrypted) < 0) {
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
        uv_cancel((uv_req_t *)&t->work); /* encrypted runs either way */
    else if (t->in_req)
        wb_media_http_cancel(&t->req);
}
