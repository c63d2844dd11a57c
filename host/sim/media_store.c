/* Media blobs as files (media.h, "blobs"): the bytes of every upload and profile picture live in
 * the media directory, one file per content named by the hex of its SHA-256; the media table
 * (migrations/0005_media_files.sql) maps each direct path to its file, kind, hash and size.
 *
 * Why files: a 10 MB blob in SQLite costs a copy into the page cache of the database on the
 * way in and a whole-blob read and copy on the way out, all on the request's critical path; a
 * file is written as the body arrives (media_http.c hashes and writes each piece) and read in
 * pieces as the answer drains, so neither direction holds the blob in memory.
 *
 * Crash safety, as a real server would have it: a blob is written to a temporary name
 * (".upload-XXXXXX", 0600) and renamed to its final name only after its hash was checked, and
 * its row is inserted only after that, so a row never names a partial file; temporary files
 * left by a crash are removed when the directory is next opened. With --state the file's data
 * is fsynced before the rename and the directory after it (the row must not outlive its bytes
 * across a power loss); write-back of each 4 MiB is started as the body arrives
 * (sync_file_range), so the final fdatasync only waits for the tail. Without --state nothing
 * survives the process anyway, so nothing is synced. The price, measured on the development VM
 * (ext4) with tests/interop/tools/sim-media-timing.mjs: a 10 MB upload's last byte to its
 * answer is 11 ms with --state against 7 ms on tmpfs, where syncs cost nothing; `wabot dev` and
 * the benches run without --state.
 *
 * The directory is DIR/media (0700, files 0600) with --state; without it, a private
 * temporary directory made at the first blob and removed at the end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "sim/media.h"

#define TMP_PREFIX ".upload-"
#define WRITEBACK_STEP (4u << 20) /* start write-back every this many bytes (with sync) */

/* Removes the temporary files a crash may have left (and, with all, every file). */
static void sweep(const char *dir, int all) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' || strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
            if (all || e->d_name[0] == '.')
                unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}

/* Makes (or checks) the media directory. Returns 0 or WB_EIO. */
static int media_dir(wb_sim *sim) {
    struct wb_sim_media *m = sim->media;
    if (m->dir[0])
        return 0;
    if (!m->state_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(m->dir, sizeof m->dir, "%s/wabot-sim-media-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(m->dir)) {
            WB_ERROR("sim", "cannot make a temporary media directory %s: %s", m->dir, strerror(errno));
            m->dir[0] = '\0';
            return WB_EIO;
        }
        m->temp = 1;
        return 0;
    }
    char dir[WB_SIM_MEDIA_PATH];
    if (snprintf(dir, sizeof dir, "%s/media", m->state_dir) >= (int)sizeof dir)
        return WB_EIO;
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        WB_ERROR("sim", "cannot make the media directory %s: %s", dir, strerror(errno));
        return WB_EIO;
    }
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        WB_ERROR("sim", "%s is not a directory of ours; media cannot be stored", dir);
        return WB_EIO;
    }
    if ((st.st_mode & 077) && chmod(dir, 0700) != 0) {
        WB_ERROR("sim", "cannot restrict %s to mode 0700: %s", dir, strerror(errno));
        return WB_EIO;
    }
    sweep(dir, 0);
    memcpy(m->dir, dir, sizeof dir);
    return 0;
}

int wb_sim_media_store_init(wb_sim *sim) {
    struct wb_sim_media *m = sim->media;
    const char *db = wb_store_path(sim->db);
    const char *slash = db ? strrchr(db, '/') : NULL;
    m->sync = 0;
    if (db && strcmp(db, ":memory:") != 0) {
        if (!slash)
            snprintf(m->state_dir, sizeof m->state_dir, ".");
        else
            snprintf(m->state_dir, sizeof m->state_dir, "%.*s", (int)(slash - db), db);
        m->sync = 1;
    }
    return 0;
}

void wb_sim_media_store_free(wb_sim *sim) {
    struct wb_sim_media *m = sim->media;
    if (m && m->temp && m->dir[0]) {
        sweep(m->dir, 1);
        rmdir(m->dir);
    }
}

/* ---- writing --------------------------------------------------------------------------------- */

int wb_sim_blob_begin(wb_sim *sim, wb_sim_blob *b) {
    b->fd = -1;
    b->size = b->flushed = 0;
    wb_sha256_init(&b->sha);
    if (media_dir(sim) < 0)
        return WB_EIO;
    if (snprintf(b->tmp, sizeof b->tmp, "%s/" TMP_PREFIX "XXXXXX", sim->media->dir) >=
        (int)sizeof b->tmp)
        return WB_EIO;
    if ((b->fd = mkostemp(b->tmp, O_CLOEXEC)) < 0) {
        WB_ERROR("sim", "cannot make a media file in %s: %s", sim->media->dir, strerror(errno));
        return WB_EIO;
    }
    b->flushed = sim->media->sync ? 0 : UINT64_MAX; /* no write-back to start without sync */
    return 0;
}

int wb_sim_blob_write(wb_sim_blob *b, const void *data, size_t len) {
    if (b->fd < 0)
        return WB_EIO;
    wb_sha256_update(&b->sha, data, len);
    for (const uint8_t *p = data; len;) {
        ssize_t n = write(b->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            WB_ERROR("sim", "cannot write %s: %s", b->tmp, n < 0 ? strerror(errno) : "nothing written");
            return WB_EIO;
        }
        p += n;
        len -= (size_t)n;
        b->size += (uint64_t)n;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    if (b->flushed != UINT64_MAX && b->size - b->flushed >= WRITEBACK_STEP) {
        sync_file_range(b->fd, (off_t)b->flushed, (off_t)(b->size - b->flushed),
                        SYNC_FILE_RANGE_WRITE); /* a head start for the final fdatasync */
        b->flushed = b->size;
    }
#endif
    return 0;
}

void wb_sim_blob_hash(wb_sim_blob *b, uint8_t out[WB_SHA256_LEN]) {
    wb_sha256_final(&b->sha, out);
}

void wb_sim_blob_abort(wb_sim_blob *b) {
    if (b->fd < 0)
        return;
    close(b->fd);
    unlink(b->tmp);
    b->fd = -1;
}

/* Inserts the row of a blob now whole under its name. */
static int insert_row(wb_sim *sim, const char *path, const char *kind, const uint8_t *hash,
                      uint64_t size, const char *name) {
    sqlite3_stmt *s = wb_store_stmt(sim->db, "INSERT INTO media (path, kind, enc_sha256, size, "
                                             "file, created) VALUES (?, ?, ?, ?, ?, ?) "
                                             "ON CONFLICT DO NOTHING");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, hash, WB_SHA256_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, (int64_t)size);
    sqlite3_bind_text(s, 5, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, wb_sim_now(sim));
    return wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
}

int wb_sim_blob_commit(wb_sim *sim, wb_sim_blob *b, const char *path, const char *kind,
                       const uint8_t hash[WB_SHA256_LEN]) {
    static const char hex[] = "0123456789abcdef";
    char name[2 * WB_SHA256_LEN + 1], final[WB_SIM_MEDIA_PATH + sizeof name];
    for (int i = 0; i < WB_SHA256_LEN; i++) {
        name[2 * i] = hex[hash[i] >> 4];
        name[2 * i + 1] = hex[hash[i] & 15];
    }
    name[sizeof name - 1] = '\0';
    snprintf(final, sizeof final, "%s/%s", sim->media->dir, name);
    int sync = sim->media->sync, rc = 0;
    struct stat st;
    if (b->fd < 0)
        return WB_EIO;
    if (stat(final, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == b->size) {
        wb_sim_blob_abort(b); /* the same bytes are there already: one file per content */
    } else if ((sync && fdatasync(b->fd) != 0) || rename(b->tmp, final) != 0) {
        WB_ERROR("sim", "cannot keep the media file %s: %s", final, strerror(errno));
        wb_sim_blob_abort(b);
        return WB_EIO;
    } else {
        close(b->fd);
        b->fd = -1;
        int dfd = sync ? open(sim->media->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (sync && (dfd < 0 || fsync(dfd) != 0)) {
            WB_ERROR("sim", "cannot sync the media directory %s: %s", sim->media->dir, strerror(errno));
            rc = WB_EIO;
        }
        if (dfd >= 0)
            close(dfd);
    }
    return rc < 0 ? rc : insert_row(sim, path, kind, hash, b->size, name);
}

int wb_sim_media_put(wb_sim *sim, const char *path, const char *kind, const void *data,
                     size_t len, uint8_t hash[WB_SHA256_LEN]) {
    wb_sim_blob b;
    int rc = wb_sim_blob_begin(sim, &b);
    if (rc == 0)
        rc = wb_sim_blob_write(&b, data, len);
    if (rc < 0) {
        wb_sim_blob_abort(&b);
        return rc;
    }
    wb_sim_blob_hash(&b, hash);
    return wb_sim_blob_commit(sim, &b, path, kind, hash);
}

/* ---- reading --------------------------------------------------------------------------------- */

int wb_sim_media_open(wb_sim *sim, const char *path, size_t plen, int *fd, uint64_t *size,
                      wb_buf *legacy) {
    *fd = -1;
    *size = 0;
    sqlite3_stmt *s = wb_store_stmt(sim->db, "SELECT file, data, size FROM media WHERE path = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_text(s, 1, path, (int)plen, SQLITE_STATIC);
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW)
        return wb_store_done(s, step == SQLITE_DONE ? WB_ENOTFOUND : WB_ESTORE);
    const char *name = (const char *)sqlite3_column_text(s, 0);
    if (!name) { /* a row from before the files */
        int n = sqlite3_column_bytes(s, 1);
        *size = (uint64_t)n;
        return wb_store_done(s, wb_buf_append(legacy, sqlite3_column_blob(s, 1), (size_t)n));
    }
    int rc = 0;
    char file[WB_SIM_MEDIA_PATH + 80];
    struct stat st;
    if (strchr(name, '/') || name[0] == '.' || media_dir(sim) < 0) {
        rc = WB_ENOTFOUND; /* a hand-edited row names no file of ours */
    } else {
        snprintf(file, sizeof file, "%s/%s", sim->media->dir, name);
        if ((*fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(*fd, &st) != 0) {
            WB_WARN("sim", "media %.*s: its file %s cannot be read: %s", (int)plen, path, file,
                    strerror(errno));
            rc = errno == ENOENT ? WB_ENOTFOUND : WB_EIO;
        } else if (!S_ISREG(st.st_mode)) {
            rc = WB_ENOTFOUND;
        } else {
            *size = (uint64_t)st.st_size;
        }
    }
    if (rc < 0 && *fd >= 0) {
        close(*fd);
        *fd = -1;
    }
    return wb_store_done(s, rc);
}
