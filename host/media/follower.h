/* A thread that follows a stream of bytes through a bounded ring: the producer puts pieces, the
 * follower's function sees the same bytes, in order, on its own thread.
 *
 * Why: a media transfer's checksums are two SHA-256 streams over the blob (the MAC and
 * fileEncSha256), about as much CPU as everything else of the transfer together (the AES,
 * fileSha256, TLS, the file). On a second core they run beside the rest instead of after it:
 * upload.c follows its encryption with them, download.c its decryption.
 *
 *     wb_media_follower *f;
 *     wb_media_follower_start(&f, 0, fn, ud, threaded);  // a 256 KiB ring
 *     wb_media_follower_put(f, piece, len);    // any number of times, any sizes
 *     wb_media_follower_end(f);                // fn has seen every byte; f is freed
 *
 * put copies into the ring and returns at once, unless the ring is full: then it waits for the
 * follower (which is bounded work: the ring's size of hashing). Memory is the ring, whatever the
 * stream's length. Without a thread (threaded 0, or when none can be made) fn runs inside put,
 * on the caller's thread: callers never need a second path. fn must touch only what the producer
 * leaves alone until end returns. */
#ifndef WB_MEDIA_FOLLOWER_H
#define WB_MEDIA_FOLLOWER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wb_media_follower wb_media_follower;
typedef void (*wb_media_follow_fn)(void *ud, const uint8_t *p, size_t n);

/* A transfer at least this long gets followers on threads of their own; below it, a thread
 * costs more than it saves (callers pass threaded = length >= this). */
#define WB_MEDIA_FOLLOW_FROM (1u << 20)

/* Returns 0 and *out, or WB_ENOMEM. ring: bytes (0: 256 KiB). */
int wb_media_follower_start(wb_media_follower **out, size_t ring, wb_media_follow_fn fn,
                            void *ud, int threaded);
void wb_media_follower_put(wb_media_follower *f, const uint8_t *p, size_t n);
/* Waits until fn has seen every byte put, stops the thread and frees f. NULL is a no-op. */
void wb_media_follower_end(wb_media_follower *f);

/* A follower's fn that writes to a file, so that the file system's write path (~1 ms a MiB on
 * ext4 here: page allocation, delayed allocation, copying) runs beside the producer:
 *
 *     wb_media_file_writer w = {.fd = fd, .writeback_every = 1 << 20};
 *     wb_media_follower_start(&f, 0, wb_media_file_write, &w, 1);
 *
 * The first failed write is kept in err (-errno), and later pieces are dropped: the producer may
 * poll err to stop early, and reads written and flushed only after wb_media_follower_end. */
typedef struct wb_media_file_writer {
    int fd;
    size_t writeback_every;    /* start the disk's writeback every this many bytes (0: never) */
    uint64_t written, flushed; /* bytes written, and handed to writeback */
    atomic_int err;
} wb_media_file_writer;
void wb_media_file_write(void *writer, const uint8_t *p, size_t n);

#endif
