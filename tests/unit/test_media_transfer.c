/* Unit tests for media/transfer on one loop against the simulator's own media server (in
 * process, HTTPS with its self-signed certificate, media_conn's token read from its state):
 * files and bytes up and down byte for byte, hashes as the cipher computes them alone, URLs and
 * hosts tried in turn, and what must not happen: a file left at the path when a check failed
 * (wrong key: bad MAC; wrong fileSha256; an HTTP error), a temporary file left behind, an
 * existing file replaced by an unverified one, an upload past the host's limit, a disk that
 * refuses the writes. Every test ends
 * with every handle closed. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "check.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "media/transfer.h"
#include "sim/media.h"
#include "sim/server.h"

static uv_loop_t loop;
static char dir[256];

static void run_until(int *flag) {
    uint64_t start = uv_now(&loop);
    while (!*flag && uv_now(&loop) - start < 20000) {
        uv_run(&loop, UV_RUN_ONCE);
        uv_update_time(&loop);
    }
    CHECK(*flag);
}

/* ---- the simulator and a client engine ------------------------------------------------------- */

typedef struct env {
    wb_sim_server *srv;
    wb_sim *sim;
    wb_media_http *http;
    int closed;
} env;

static void env_start(env *e) {
    memset(e, 0, sizeof *e);
    wb_sim_server_opts o = {0};
    wb_error err = {0};
    CHECK_EQ(wb_sim_server_start(&loop, &o, &e->srv, &err), 0);
    e->sim = wb_sim_server_sim(e->srv);
    wb_media_http_opts ho = {.ca_pem = e->sim->media_cert_pem, .idle_ms = 5000};
    CHECK_EQ(wb_media_http_new(&e->http, &loop, &ho), 0);
}

static void on_closed(void *ud) { ++*(int *)ud; }

static void env_stop(env *e) {
    wb_media_http_close(e->http, on_closed, &e->closed);
    wb_sim_server_close(e->srv, on_closed, &e->closed);
    while (e->closed < 2)
        uv_run(&loop, UV_RUN_ONCE);
    wb_sim_server_free(e->srv);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_EQ(uv_loop_close(&loop), 0);
    uv_loop_init(&loop);
}

/* ---- uploads ------------------------------------------------------------------------------------ */

typedef struct up {
    wb_media_upload u;
    int done, status, http_status;
    wb_media_uploaded_file f;
    char url[2048], direct_path[2048];
    char why[300];
    uint64_t progress;
} up;

static void uploaded(wb_media_upload *u, int status, int http_status,
                     const wb_media_uploaded_file *f, const char *why) {
    up *x = u->data;
    x->done++;
    x->status = status;
    x->http_status = http_status;
    snprintf(x->why, sizeof x->why, "%s", why);
    CHECK((status == 0) == (f != NULL));
    if (f) {
        x->f = *f;
        snprintf(x->url, sizeof x->url, "%s", f->url);
        snprintf(x->direct_path, sizeof x->direct_path, "%s", f->direct_path);
    }
}

static void up_progress(wb_media_upload *u, uint64_t done, uint64_t total) {
    up *x = u->data;
    CHECK(done >= x->progress && done <= total);
    x->progress = done;
}

static int upload_start(env *e, up *x, const char *type, const char *path, const uint8_t *data,
                        size_t len, const char *const *hosts, size_t nhosts, const char *auth) {
    memset(x, 0, sizeof *x);
    x->u.data = x;
    wb_media_upload_opts o = {.type = type, .path = path, .data = data, .len = len,
                              .auth = auth ? auth : e->sim->media->auth,
                              .hosts = hosts, .nhosts = nhosts, .progress = up_progress};
    return wb_media_upload_start(e->http, &x->u, &o, uploaded);
}

static void upload(env *e, up *x, const char *type, const char *path, const uint8_t *data,
                   size_t len) {
    const char *hosts[] = {e->sim->media_host};
    CHECK_EQ(upload_start(e, x, type, path, data, len, hosts, 1, NULL), 0);
    run_until(&x->done);
    CHECK_EQ(x->done, 1);
}

/* ---- downloads ---------------------------------------------------------------------------------- */

typedef struct down {
    wb_media_download d;
    int done, status, http_status;
    wb_media_hashes h;
    char why[300];
} down;

static void downloaded(wb_media_download *d, int status, int http_status,
                       const wb_media_hashes *h, const char *why) {
    down *x = d->data;
    x->done++;
    x->status = status;
    x->http_status = http_status;
    snprintf(x->why, sizeof x->why, "%s", why);
    if (h)
        x->h = *h;
}

static int download_start(env *e, down *x, const up *from, const char *type, const char *const *urls,
                          size_t nurls, const char *path, wb_buf *memory, const uint8_t *key,
                          const uint8_t *file_sha256) {
    memset(x, 0, sizeof *x);
    x->d.data = x;
    wb_media_download_opts o = {.type = type, .media_key = key ? key : from->f.media_key,
                                .file_sha256 = file_sha256 ? file_sha256 : from->f.hashes.file_sha256,
                                .file_enc_sha256 = from->f.hashes.file_enc_sha256,
                                .file_length = from->f.hashes.file_length,
                                .urls = urls, .nurls = nurls, .path = path, .memory = memory};
    return wb_media_download_start(e->http, &x->d, &o, downloaded);
}

static void download(env *e, down *x, const up *from, const char *type, const char *path,
                     wb_buf *memory, const uint8_t *key, const uint8_t *file_sha256) {
    const char *urls[] = {from->url};
    CHECK_EQ(download_start(e, x, from, type, urls, 1, path, memory, key, file_sha256), 0);
    run_until(&x->done);
    CHECK_EQ(x->done, 1);
}

/* ---- files --------------------------------------------------------------------------------------- */

static void write_file(const char *path, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(p, 1, n, f), n);
    fclose(f);
}

static int file_is(const char *path, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t *got = malloc(n + 1);
    size_t m = fread(got, 1, n + 1, f);
    fclose(f);
    int same = m == n && memcmp(got, p, n) == 0;
    free(got);
    return same;
}

/* How many entries of dir start with prefix. */
static int count_files(const char *prefix) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

static void path_in(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", dir, name);
}

/* ---- tests --------------------------------------------------------------------------------------- */

static void test_media_transfer_file_round_trip(void) {
    env e;
    env_start(&e);
    size_t n = 3u << 20;
    uint8_t *data = malloc(n);
    wb_random_bytes(data, n);
    char src[300], dst[300];
    path_in(src, sizeof src, "photo.jpg");
    path_in(dst, sizeof dst, "got.jpg");
    write_file(src, data, n);
    up x;
    upload(&e, &x, "image", src, NULL, 0);
    CHECK_EQ(x.status, 0);
    CHECK(strncmp(x.direct_path, "/v/t62.7118-24/", 15) == 0);
    CHECK(strncmp(x.url, "https://", 8) == 0 && strstr(x.url, x.direct_path) != NULL);
    CHECK(x.f.ts > 0);
    CHECK_EQ(x.progress, wb_media_enc_size(n));
    /* the hashes are what the cipher alone computes with that key */
    uint8_t sha[32];
    wb_sha256(sha, data, n);
    CHECK_MEM(x.f.hashes.file_sha256, sha, 32);
    CHECK_EQ(x.f.hashes.file_length, n);
    wb_media_enc *enc;
    CHECK_EQ(wb_media_enc_new(&enc, x.f.media_key, "image"), 0);
    uint8_t *blob = malloc(n + 64);
    long long w = wb_media_enc_update(enc, data, n, blob);
    wb_media_hashes h;
    CHECK_EQ(wb_media_enc_final(enc, blob + w, &h), WB_MEDIA_ENC_TAIL);
    wb_media_enc_free(enc);
    CHECK_MEM(h.file_enc_sha256, x.f.hashes.file_enc_sha256, 32);
    free(blob);

    down d;
    download(&e, &d, &x, "image", dst, NULL, NULL, NULL);
    CHECK_EQ(d.status, 0);
    CHECK(file_is(dst, data, n));
    struct stat st;
    CHECK_EQ(stat(dst, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    CHECK_MEM(d.h.file_sha256, sha, 32);
    CHECK_EQ(count_files(".wabot-download-"), 0);
    /* into memory, appended after what the buffer held */
    wb_buf mem = WB_BUF_INIT;
    wb_buf_append(&mem, "head", 4);
    download(&e, &d, &x, "image", NULL, &mem, NULL, NULL);
    CHECK_EQ(d.status, 0);
    CHECK_EQ(mem.len, n + 4);
    CHECK(mem.len == n + 4 && memcmp(mem.data + 4, data, n) == 0);
    wb_buf_free(&mem);

    /* an empty file, and bytes instead of a file */
    write_file(src, data, 0);
    upload(&e, &x, "document", src, NULL, 0);
    CHECK_EQ(x.status, 0);
    CHECK_EQ(x.f.hashes.file_length, 0);
    download(&e, &d, &x, "document", dst, NULL, NULL, NULL);
    CHECK_EQ(d.status, 0);
    CHECK(file_is(dst, data, 0));
    upload(&e, &x, "audio", NULL, data, 1000);
    CHECK_EQ(x.status, 0);
    CHECK(strncmp(x.direct_path, "/v/t62.7114-24/", 15) == 0);
    download(&e, &d, &x, "audio", dst, NULL, NULL, NULL);
    CHECK_EQ(d.status, 0);
    CHECK(file_is(dst, data, 1000));
    unlink(src);
    unlink(dst);
    free(data);
    env_stop(&e);
}

static void test_media_transfer_refuses_and_leaves_nothing(void) {
    env e;
    env_start(&e);
    uint8_t data[5000];
    wb_random_bytes(data, sizeof data);
    up x;
    upload(&e, &x, "video", NULL, data, sizeof data);
    CHECK_EQ(x.status, 0);
    char dst[300];
    path_in(dst, sizeof dst, "clip.mp4");
    down d;
    /* another key: the blob is the right one (its hash checks), the MAC does not */
    uint8_t key[32];
    memcpy(key, x.f.media_key, 32);
    key[0] ^= 1;
    download(&e, &d, &x, "video", dst, NULL, key, NULL);
    CHECK_EQ(d.status, WB_EAUTH);
    CHECK(strstr(d.why, "bad MAC") != NULL);
    CHECK_EQ(access(dst, F_OK), -1);
    /* the key of another media type: the same */
    download(&e, &d, &x, "image", dst, NULL, NULL, NULL);
    CHECK_EQ(d.status, WB_EAUTH);
    /* the message says another file */
    uint8_t other[32];
    memcpy(other, x.f.hashes.file_sha256, 32);
    other[5] ^= 0x40;
    download(&e, &d, &x, "video", dst, NULL, NULL, other);
    CHECK_EQ(d.status, WB_EAUTH);
    CHECK(strstr(d.why, "fileSha256") != NULL);
    CHECK_EQ(access(dst, F_OK), -1);
    /* a file already at the path stays as it was */
    write_file(dst, (const uint8_t *)"keep", 4);
    download(&e, &d, &x, "video", dst, NULL, key, NULL);
    CHECK_EQ(d.status, WB_EAUTH);
    CHECK(file_is(dst, (const uint8_t *)"keep", 4));
    /* memory is left as it was */
    wb_buf mem = WB_BUF_INIT;
    wb_buf_append(&mem, "x", 1);
    download(&e, &d, &x, "video", NULL, &mem, key, NULL);
    CHECK_EQ(d.status, WB_EAUTH);
    CHECK_EQ(mem.len, 1);
    wb_buf_free(&mem);
    /* HTTP errors: a path that is not signed, one that does not exist */
    char bad[2100];
    snprintf(bad, sizeof bad, "%s", x.url);
    char *oh = strstr(bad, "oh=");
    CHECK(oh != NULL);
    if (oh)
        oh[3] = oh[3] == '0' ? '1' : '0';
    const char *urls[] = {bad};
    CHECK_EQ(download_start(&e, &d, &x, "video", urls, 1, dst, NULL, NULL, NULL), 0);
    run_until(&d.done);
    CHECK_EQ(d.status, WB_EREFUSED);
    CHECK_EQ(d.http_status, 403);
    CHECK(file_is(dst, (const uint8_t *)"keep", 4));
    /* the next URL is tried when one fails, and wins */
    const char *two[] = {bad, x.url};
    CHECK_EQ(download_start(&e, &d, &x, "video", two, 2, dst, NULL, NULL, NULL), 0);
    run_until(&d.done);
    CHECK_EQ(d.status, 0);
    CHECK(file_is(dst, data, sizeof data));
    CHECK_EQ(count_files(".wabot-download-"), 0);
    /* refusals that call nothing */
    const char *gopher[] = {"gopher://x/"};
    CHECK_EQ(download_start(&e, &d, &x, "video", gopher, 1, dst, NULL, NULL, NULL), WB_EUNSUPPORTED);
    char nodir[300];
    path_in(nodir, sizeof nodir, "no/such/dir/f");
    CHECK_EQ(download_start(&e, &d, &x, "video", urls, 1, nodir, NULL, NULL, NULL), WB_ENOTFOUND);
    CHECK_EQ(download_start(&e, &d, &x, "nonsense", urls, 1, dst, NULL, NULL, NULL), WB_EINVAL);
    CHECK_EQ(count_files(".wabot-download-"), 0);
    /* a download cancelled: its callback once, later, and no file */
    unlink(dst);
    CHECK_EQ(download_start(&e, &d, &x, "video", urls, 1, dst, NULL, NULL, NULL), 0);
    wb_media_download_cancel(&d.d);
    CHECK_EQ(d.done, 0);
    run_until(&d.done);
    CHECK_EQ(d.status, WB_ECLOSED);
    CHECK_EQ(access(dst, F_OK), -1);
    CHECK_EQ(count_files(".wabot-download-"), 0);
    env_stop(&e);
}

/* Transfers of several MiB (their checks and their writes on follower threads) whose files
 * cannot be written past 1 MiB (RLIMIT_FSIZE: write fails with EFBIG): the disk's error, said;
 * for a download nothing left at the path or beside it; with room again both work. */
static void test_media_transfer_refuses_a_full_disk(void) {
    env e;
    env_start(&e);
    size_t n = 3u << 20;
    uint8_t *data = malloc(n);
    wb_random_bytes(data, n);
    up x;
    upload(&e, &x, "document", NULL, data, n);
    CHECK_EQ(x.status, 0);
    char dst[300];
    path_in(dst, sizeof dst, "big.bin");
    struct rlimit was, small;
    CHECK_EQ(getrlimit(RLIMIT_FSIZE, &was), 0);
    small = was;
    small.rlim_cur = 1u << 20;
    void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    up x2;
    upload(&e, &x2, "document", NULL, data, n);
    CHECK_EQ(x2.status, WB_EIO);
    CHECK(strstr(x2.why, "cannot write a temporary file") != NULL);
    down d;
    download(&e, &d, &x, "document", dst, NULL, NULL, NULL);
    CHECK_EQ(setrlimit(RLIMIT_FSIZE, &was), 0);
    signal(SIGXFSZ, xfsz);
    CHECK_EQ(d.status, WB_EIO);
    CHECK(strstr(d.why, "cannot write") != NULL);
    CHECK_EQ(access(dst, F_OK), -1);
    CHECK_EQ(count_files(".wabot-download-"), 0);
    /* and with room again, the same download verifies */
    download(&e, &d, &x, "document", dst, NULL, NULL, NULL);
    CHECK_EQ(d.status, 0);
    CHECK(file_is(dst, data, n));
    unlink(dst);
    free(data);
    env_stop(&e);
}

static void test_media_transfer_upload_hosts_and_limits(void) {
    env e;
    env_start(&e);
    uint8_t data[2000];
    wb_random_bytes(data, sizeof data);
    /* a wrong token: every host refuses with its status */
    up x;
    const char *one[] = {e.sim->media_host};
    CHECK_EQ(upload_start(&e, &x, "image", NULL, data, sizeof data, one, 1, "wrong"), 0);
    run_until(&x.done);
    CHECK_EQ(x.status, WB_EREFUSED);
    CHECK_EQ(x.http_status, 401);
    CHECK(strstr(x.why, "401") != NULL);
    /* a host that does not answer, then the good one */
    const char *two[] = {"127.0.0.1:1", e.sim->media_host};
    CHECK_EQ(upload_start(&e, &x, "sticker", NULL, data, sizeof data, two, 2, NULL), 0);
    run_until(&x.done);
    CHECK_EQ(x.status, 0);
    CHECK(strncmp(x.direct_path, "/v/t62.7118-24/", 15) == 0); /* stickers go as images */
    /* past the host's limit: refused before sending */
    memset(&x, 0, sizeof x);
    x.u.data = &x;
    wb_media_upload_opts o = {.type = "image", .data = data, .len = sizeof data,
                              .auth = e.sim->media->auth, .hosts = one, .nhosts = 1,
                              .max_length = 1000};
    CHECK_EQ(wb_media_upload_start(e.http, &x.u, &o, uploaded), 0);
    run_until(&x.done);
    CHECK_EQ(x.status, WB_ETOOBIG);
    /* refusals that call nothing */
    char missing[300];
    path_in(missing, sizeof missing, "missing.png");
    CHECK_EQ(upload_start(&e, &x, "image", missing, NULL, 0, one, 1, NULL), WB_ENOTFOUND);
    CHECK_EQ(upload_start(&e, &x, "image", dir, NULL, 0, one, 1, NULL), WB_EIO);
    CHECK_EQ(upload_start(&e, &x, "ptt", NULL, data, 10, one, 1, NULL), WB_EINVAL);
    CHECK_EQ(upload_start(&e, &x, "image", NULL, data, 10, one, 0, NULL), WB_EINVAL);
    /* cancelled while measuring, and while sending */
    CHECK_EQ(upload_start(&e, &x, "image", NULL, data, sizeof data, one, 1, NULL), 0);
    wb_media_upload_cancel(&x.u);
    run_until(&x.done);
    CHECK_EQ(x.status, WB_ECLOSED);
    /* the engine closing ends an upload still running */
    CHECK_EQ(upload_start(&e, &x, "image", NULL, data, sizeof data, one, 1, NULL), 0);
    env_stop(&e);
    CHECK_EQ(x.done, 1);
    CHECK_EQ(x.status, WB_ECLOSED);
}

int main(void) {
    wb_log_set_level(WB_LOG_ERROR);
    uv_loop_init(&loop);
    snprintf(dir, sizeof dir, "/tmp/wabot-test-media-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_media_transfer_file_round_trip);
    RUN(test_media_transfer_refuses_and_leaves_nothing);
    RUN(test_media_transfer_upload_hosts_and_limits);
    RUN(test_media_transfer_refuses_a_full_disk);
    rmdir(dir);
    uv_loop_close(&loop);
    return check_summary();
}
