/* Media files up and down: the cipher (cipher.h) between a file and HTTP (http.h), in bounded
 * memory whatever the file's size.
 *
 * An upload needs the blob's SHA-256 in its URL before the first byte goes out (the token of
 * getWAUploadToServer), so the blob is made whole before the POST: one pass, on libuv's thread
 * pool, encrypts the file under a fresh media key into an unnamed temporary file (O_TMPFILE in
 * $TMPDIR or /tmp, 0600, gone with its descriptor) while it measures it (fileSha256,
 * fileEncSha256, fileLength; the MAC and fileEncSha256 on a second thread that follows the AES
 * through the file), as Baileys' encryptedStream does; the POST then sends that file as
 * it is. The file is read and encrypted once, the blob sent is the one that was hashed whatever
 * happens to the file meanwhile, and no blob is ever in memory (the page cache holds it, not
 * the process).
 *
 *     wb_media_upload *u = calloc(1, sizeof *u);
 *     wb_media_upload_opts o = {.type = "image", .path = "cat.jpg", .auth = mc.auth,
 *                               .hosts = hosts, .nhosts = n};
 *     if (wb_media_upload_start(http, u, &o, uploaded) < 0) free(u);   // never called back
 *     static void uploaded(wb_media_upload *u, int status, int http_status,
 *                          const wb_media_uploaded_file *f, const char *why) {...}
 *
 * A download streams the answer through the decryptor into a temporary file beside the chosen
 * path (created 0600 with O_EXCL), and renames it into place only once the blob's hash, its MAC,
 * its padding and the file's hash all verified; anything else removes it, so a file at the path
 * is always a verified one. The path is the caller's: nothing the server or the message says
 * names a file. The answer is bounded by the message's fileLength (a server cannot fill the
 * disk), and each URL is tried in turn until one gives a good file.
 *
 * Both follow libuv: caller-owned handles with a data slot; an error return means the callback
 * is never called; otherwise it is called exactly once, from a loop callback (never from inside
 * _start or _cancel), after which the handle may be freed. */
#ifndef WB_MEDIA_TRANSFER_H
#define WB_MEDIA_TRANSFER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "media/cipher.h"
#include "media/http.h"

/* ---- upload ------------------------------------------------------------------------------------ */

typedef struct wb_media_upload wb_media_upload;

typedef struct wb_media_upload_opts {
    const char *type;           /* the media type: "image", "video", "audio", "document",
                                   "sticker" (its keys and its upload path, wa/media.h) */
    const char *path;           /* the file to send; or, when NULL, */
    const uint8_t *data;        /* its bytes, borrowed until the callback */
    size_t len;
    const char *auth;           /* media_conn's upload token */
    const char *const *hosts;   /* media_conn's hosts ("mmg.whatsapp.net", "127.0.0.1:PORT"),
                                   tried in order until one takes the file */
    size_t nhosts;
    uint64_t max_length;        /* the hosts' maxContentLengthBytes: a bigger blob is refused
                                   (WB_ETOOBIG) before any byte goes; 0: no limit */
    /* Bytes of the blob sent so far of total (the pass that uploads). */
    void (*progress)(wb_media_upload *u, uint64_t done, uint64_t total);
} wb_media_upload_opts;

/* What an upload made: the message's fields. Strings live during the callback. */
typedef struct wb_media_uploaded_file {
    uint8_t media_key[WB_MEDIA_KEY_LEN];
    wb_media_hashes hashes;     /* fileSha256, fileEncSha256, fileLength */
    const char *url;            /* the server's answer: url ("" when it gave none) */
    const char *direct_path;    /* and direct_path ("" when it gave none) */
    int64_t ts;                 /* its ts, 0 when none */
} wb_media_uploaded_file;

/* status 0 with f; or WB_EREFUSED (every host answered with an HTTP error or no url and no
 * direct_path: http_status is the last host's), WB_ETIMEOUT / WB_EIO / WB_ECERT (the last
 * host's transport failure), WB_ETOOBIG (over max_length), WB_EIO (the file could not be read,
 * or the temporary file not written), WB_ECLOSED (cancelled); why says it in a sentence. */
typedef void (*wb_media_upload_cb)(wb_media_upload *u, int status, int http_status,
                                   const wb_media_uploaded_file *f, const char *why);

struct wb_media_upload {
    void *data;                         /* the caller's */
    struct wb_media_upload_impl *impl_; /* private */
};

/* Starts an upload. Returns 0 (cb will run) or, calling nothing: WB_ENOTFOUND (no such file),
 * WB_EIO (not a readable regular file), WB_EINVAL (a type that is not uploaded, no auth or no
 * host), WB_ECLOSED (the engine is closing), WB_ENOMEM. */
int wb_media_upload_start(wb_media_http *http, wb_media_upload *u, const wb_media_upload_opts *o,
                          wb_media_upload_cb cb);
/* Ends a running upload: cb runs later with WB_ECLOSED (unless it finished first). */
void wb_media_upload_cancel(wb_media_upload *u);

/* ---- download ---------------------------------------------------------------------------------- */

typedef struct wb_media_download wb_media_download;

typedef struct wb_media_download_opts {
    const char *type;               /* the media type, for the keys */
    const uint8_t *media_key;       /* 32 bytes */
    const uint8_t *file_sha256;     /* 32 bytes, or NULL: not checked (the MAC still is) */
    const uint8_t *file_enc_sha256; /* 32 bytes, or NULL: not checked */
    uint64_t file_length;           /* the message's fileLength: bounds the answer; 0: unknown */
    uint64_t max_length;            /* the bound when file_length is unknown; 0: 2 GiB */
    const char *const *urls;        /* tried in order until one gives a good file */
    size_t nurls;
    const char *path;               /* the file to create or replace; or, when NULL, */
    wb_buf *memory;                 /* the plaintext is appended here (left as it was on
                                       failure) */
    /* Bytes of the blob received so far of total (0 when unknown). */
    void (*progress)(wb_media_download *d, uint64_t done, uint64_t total);
} wb_media_download_opts;

/* status 0 with h (the file is at path, or in memory); or WB_EAUTH / WB_EMALFORMED (the blob
 * did not verify: why says which check), WB_EREFUSED (an HTTP error: http_status), WB_ETOOBIG,
 * WB_ETIMEOUT / WB_EIO / WB_ECERT (transport; WB_EIO also for a write to the file), WB_ECLOSED
 * (cancelled), the last URL's failure when every one failed. Nothing is left at path unless
 * status is 0. */
typedef void (*wb_media_download_cb)(wb_media_download *d, int status, int http_status,
                                     const wb_media_hashes *h, const char *why);

struct wb_media_download {
    void *data;
    struct wb_media_download_impl *impl_;
};

/* Starts a download. Returns 0 (cb will run) or, calling nothing: WB_EINVAL (no URL, no key, a
 * type without keys, neither path nor memory or both), WB_ENOTFOUND / WB_EIO (the temporary
 * file cannot be made in path's directory), WB_EMALFORMED / WB_EUNSUPPORTED (no URL is an
 * http(s) URL), WB_ECLOSED, WB_ENOMEM. */
int wb_media_download_start(wb_media_http *http, wb_media_download *d,
                            const wb_media_download_opts *o, wb_media_download_cb cb);
/* Ends a running download: cb runs later with WB_ECLOSED, the temporary file removed. */
void wb_media_download_cancel(wb_media_download *d);

#endif
