/* The simulator's media service, shared by media.c (the media_conn IQ and the keys) and
 * media_http.c (upload and download). Clients ask media_conn for an upload host and an auth
 * token, POST encrypted blobs to https://<host>/mms/<kind>/<fileEncSha256>?auth=..&token=..,
 * are answered {"url", "direct_path"}, and whoever gets the message fetches
 * https://<host><direct_path>. The host is the simulator's HTTPS media port (mediaHost in
 * /admin/info) or, with --tls, its main port. Blobs are files of the media directory (DIR/media
 * under --state, else a private temporary directory removed at exit), described by rows of the
 * media table (media_store.c). */
#ifndef WB_SIM_MEDIA_H
#define WB_SIM_MEDIA_H

#include "crypto/hash.h"
#include "sim/sim_int.h"

/* Bytes of one upload (maxContentLengthBytes in media_conn, and the HTTP server's limit on a
 * streamed body): uploads are written to disk as they arrive, so this bounds disk, not memory;
 * WhatsApp takes documents of up to 2 GB. */
#define WB_SIM_MEDIA_MAX (2000ull * 1000 * 1000)
#define WB_SIM_MEDIA_PATH 4096

struct wb_sim_media {
    char auth[64];           /* the media_conn token uploads must carry (base64url) */
    uint8_t url_key[32];     /* signs direct paths (the oh= parameter) */
    char dir[WB_SIM_MEDIA_PATH]; /* where blobs live; "" until the first one is written */
    char state_dir[WB_SIM_MEDIA_PATH]; /* the state's directory, "" without --state */
    int temp;                /* dir is a temporary directory, removed at the end */
    int sync;                /* blobs are fsynced before their row is written (with --state) */
};

/* ---- blobs (media_store.c) ---------------------------------------------------------------- */

/* A blob being written: a temporary file of the media directory, hashed as its bytes come.
 * Begin, write any number of times, then commit (under the name of its hash, with its row) or
 * abort (nothing is left behind). Exactly one of them ends every begun blob. */
typedef struct wb_sim_blob {
    int fd;                         /* -1: none */
    char tmp[WB_SIM_MEDIA_PATH + 32]; /* the temporary file */
    wb_sha256_ctx sha;
    uint64_t size;
    uint64_t flushed;               /* bytes whose write-back was started (see media_store.c) */
} wb_sim_blob;

/* Opens a temporary file for a new blob. Returns 0, or WB_EIO with the reason logged. */
int wb_sim_blob_begin(wb_sim *sim, wb_sim_blob *b);
/* Appends bytes. Returns 0 or WB_EIO (the blob must then be aborted). */
int wb_sim_blob_write(wb_sim_blob *b, const void *data, size_t len);
/* The SHA-256 of what was written. Call once, before commit. */
void wb_sim_blob_hash(wb_sim_blob *b, uint8_t out[WB_SHA256_LEN]);
/* Moves the file into place under the name of hash (one file per content: the same bytes
 * twice keep one) and, once it is whole on disk, adds the row serving it under path. Returns
 * 0, WB_EIO or WB_ESTORE; the blob is ended either way. */
int wb_sim_blob_commit(wb_sim *sim, wb_sim_blob *b, const char *path, const char *kind,
                       const uint8_t hash[WB_SHA256_LEN]);
/* Ends a blob that is not kept: its temporary file is removed. Harmless on an ended blob. */
void wb_sim_blob_abort(wb_sim_blob *b);
/* A whole blob from memory (profile pictures): begin, write, commit. *hash gets its SHA-256. */
int wb_sim_media_put(wb_sim *sim, const char *path, const char *kind, const void *data,
                     size_t len, uint8_t hash[WB_SHA256_LEN]);

/* What serves a direct path: an open file (*fd >= 0, the caller closes it) of *size bytes, or,
 * for a row from before the files (migrations/0005), its bytes in *legacy (*fd -1). Returns 0,
 * WB_ENOTFOUND (no row, or its file is gone), WB_EIO or WB_ESTORE. */
int wb_sim_media_open(wb_sim *sim, const char *path, size_t plen, int *fd, uint64_t *size,
                      wb_buf *legacy);
/* Where the media directory is (made by the first blob) and the end of a temporary one;
 * called by media.c's init and free. */
int wb_sim_media_store_init(wb_sim *sim);
void wb_sim_media_store_free(wb_sim *sim);

/* 1 when auth is the media_conn token (constant time), else 0. */
int wb_sim_media_auth_ok(const wb_sim *sim, const char *auth);
/* The oh= value that signs a direct path (without its query): 32 hex digits and a NUL. */
void wb_sim_media_sign(const wb_sim *sim, const char *path, size_t len, char out[33]);

#endif
