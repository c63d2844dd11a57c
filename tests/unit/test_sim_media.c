/* Unit tests for the simulator's media blobs (host/sim/media_store.c, media_http.c), driven
 * from memory through sim_fixture.h: blobs are files of the state's media directory (0700,
 * 0600), one per content, nothing left behind by a refused upload, rows from before the files
 * still served, the temporary directory of a simulator without state removed at the end.
 * test_sim_route.c covers media_conn and the upload/download answers themselves. */
#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/enc.h"
#include "crypto/hash.h"
#include "sim/media.h"
#include "sim_fixture.h"
#include "wa/media.h"

typedef fx_blob_reply reply;

static void request(sim_fx *fx, const char *method, const char *path, const char *query,
                    const void *body, size_t len, reply *r) {
    CHECK_EQ(fx_blob_request(fx, method, path, query, body, len, r), 1);
}

/* Uploads body as an image; returns the status and, when 200, the direct path and its query. */
static int upload(sim_fx *fx, const void *body, size_t len, const uint8_t *claimed,
                  char path[256], char query[256]) {
    uint8_t h[32];
    wb_sha256(h, body, len);
    wb_buf url = WB_BUF_INIT;
    CHECK_EQ(wb_wa_media_upload_url(&url, "127.0.0.1:4443", "image", claimed ? claimed : h,
                                    fx->sim->media->auth), 0);
    wb_buf_put_u8(&url, 0);
    char *p = strchr((char *)url.data + strlen("https://"), '/'), *q = strchr(p, '?');
    *q++ = '\0';
    reply r = {0};
    request(fx, "POST", p, q, body, len, &r);
    if (r.status == 200) {
        wb_buf_put_u8(&r.body, 0);
        wb_wa_media_uploaded up;
        CHECK_EQ(wb_wa_media_uploaded_read((const char *)r.body.data, r.body.len - 1, &up), 0);
        snprintf(path, 256, "%.*s", (int)strcspn(up.direct_path, "?"), up.direct_path);
        snprintf(query, 256, "%s", strchr(up.direct_path, '?') ? strchr(up.direct_path, '?') + 1 : "");
    }
    wb_buf_free(&r.body);
    wb_buf_free(&url);
    return r.status;
}

/* The names in dir (sorted "a,b,"), and their modes must all be 0600. */
static void list_dir(const char *dir, char *out, size_t cap) {
    out[0] = '\0';
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[4200];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
        strncat(out, e->d_name, cap - strlen(out) - 1);
        strncat(out, ",", cap - strlen(out) - 1);
    }
    closedir(d);
}

static void test_sim_media_blobs_are_files_of_the_state(void) {
    char dir[] = "/tmp/wabot-test-sim-media-XXXXXX", media[64], names[1024], want[80];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(media, sizeof media, "%s/media", dir);
    sim_fx fx;
    CHECK_EQ(sim_fx_init(&fx, dir), 0);
    wb_sim_set_endpoints(fx.sim, NULL, "127.0.0.1:4443", NULL);
    static uint8_t body[300000];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)(i * 7 + (i >> 9));
    char path[256], query[256], path2[256], query2[256];
    CHECK_EQ(upload(&fx, body, sizeof body, NULL, path, query), 200);
    struct stat st;
    CHECK(stat(media, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    uint8_t h[32];
    wb_sha256(h, body, sizeof body);
    wb_buf hex = WB_BUF_INIT;
    wb_hex_encode(&hex, h, 32);
    snprintf(want, sizeof want, "%.*s,", (int)hex.len, (const char *)hex.data);
    list_dir(media, names, sizeof names);
    CHECK_STR(names, want);
    /* the same upload twice: one file, the same path */
    CHECK_EQ(upload(&fx, body, sizeof body, NULL, path2, query2), 200);
    CHECK_STR(path2, path);
    list_dir(media, names, sizeof names);
    CHECK_STR(names, want);
    /* a wrong hash: 400, and nothing left behind */
    uint8_t other[32] = {1};
    CHECK_EQ(upload(&fx, body, sizeof body, other, path2, query2), 400);
    list_dir(media, names, sizeof names);
    CHECK_STR(names, want);
    /* a body cut off half way (the client went away): answered (to nobody), nothing kept */
    reply r = {0};
    uint8_t h2[32];
    wb_sha256(h2, body, 1000);
    wb_buf url = WB_BUF_INIT;
    CHECK_EQ(wb_wa_media_upload_url(&url, "127.0.0.1:4443", "image", h2, fx.sim->media->auth), 0);
    wb_buf_put_u8(&url, 0);
    char *up = strchr((char *)url.data + strlen("https://"), '/'), *uq = strchr(up, '?');
    *uq++ = '\0';
    r.cut_at = 500;
    request(&fx, "POST", up, uq, body, 1000, &r);
    CHECK_EQ(r.status, 400);
    CHECK_EQ(fx_counter(&fx, "media.uploads_cut"), 1);
    r.cut_at = 0;
    wb_buf_free(&url);
    list_dir(media, names, sizeof names);
    CHECK_STR(names, want);
    request(&fx, "GET", path, query, NULL, 0, &r);
    CHECK_EQ(r.status, 200);
    CHECK(r.body.len == sizeof body && memcmp(r.body.data, body, sizeof body) == 0);
    /* a row from before the files (bytes in the table) keeps being served */
    const char *old = "/v/t62.7118-24/00112233445566778899aabbccddeeff.enc";
    sqlite3_stmt *s = wb_store_stmt(fx.sim->db, "INSERT INTO media (path, kind, enc_sha256, "
                                                "size, data, created) VALUES (?, 'image', "
                                                "x'00', 5, 'hello', 0)");
    CHECK(s != NULL);
    sqlite3_bind_text(s, 1, old, -1, SQLITE_STATIC);
    CHECK_EQ(wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE), 0);
    char oh[33], q[64];
    wb_sim_media_sign(fx.sim, old, strlen(old), oh);
    snprintf(q, sizeof q, "oh=%s", oh);
    request(&fx, "GET", old, q, NULL, 0, &r);
    CHECK_EQ(r.status, 200);
    CHECK(r.body.len == 5 && memcmp(r.body.data, "hello", 5) == 0);
    /* a row whose file is gone: 404, not a crash */
    char file[200];
    snprintf(file, sizeof file, "%s/%.*s", media, (int)hex.len, (const char *)hex.data);
    sim_fx_free(&fx);
    /* a restart serves what was stored; a temporary file left by a crash is swept */
    char stale[200];
    snprintf(stale, sizeof stale, "%s/.upload-crashed", media);
    FILE *f = fopen(stale, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    CHECK_EQ(sim_fx_init(&fx, dir), 0);
    request(&fx, "GET", path, query, NULL, 0, &r);
    CHECK_EQ(r.status, 200);
    CHECK(r.body.len == sizeof body && memcmp(r.body.data, body, sizeof body) == 0);
    CHECK(access(stale, F_OK) != 0);
    CHECK_EQ(unlink(file), 0);
    request(&fx, "GET", path, query, NULL, 0, &r);
    CHECK_EQ(r.status, 404);
    sim_fx_free(&fx);
    wb_buf_free(&r.body);
    wb_buf_free(&hex);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

static void test_sim_media_without_state_uses_a_temporary_directory(void) {
    sim_fx fx;
    CHECK_EQ(sim_fx_init(&fx, NULL), 0);
    wb_sim_set_endpoints(fx.sim, NULL, "127.0.0.1:4443", NULL);
    char path[256], query[256], tmp[WB_SIM_MEDIA_PATH];
    CHECK_EQ(upload(&fx, "abc", 3, NULL, path, query), 200);
    snprintf(tmp, sizeof tmp, "%s", fx.sim->media->dir);
    struct stat st;
    CHECK(stat(tmp, &st) == 0 && (st.st_mode & 0777) == 0700);
    reply r = {0};
    request(&fx, "GET", path, query, NULL, 0, &r);
    CHECK(r.status == 200 && r.body.len == 3 && memcmp(r.body.data, "abc", 3) == 0);
    request(&fx, "HEAD", path, query, NULL, 0, &r); /* the host leaves the body out */
    CHECK_EQ(r.status, 200);
        /* an empty blob is a blob too */
    CHECK_EQ(upload(&fx, "", 0, NULL, path, query), 200);
    request(&fx, "GET", path, query, NULL, 0, &r);
    CHECK(r.status == 200 && r.body.len == 0);
    sim_fx_free(&fx);
    CHECK(stat(tmp, &st) != 0); /* removed with the simulator */
    wb_buf_free(&r.body);
}

int main(void) {
    RUN(test_sim_media_blobs_are_files_of_the_state);
    RUN(test_sim_media_without_state_uses_a_temporary_directory);
    return check_summary();
}
