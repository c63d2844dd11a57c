/* Fuzz target: the frame reader (net/frame.h) fed arbitrary bytes in arbitrary slices.
 *
 * Input: byte 0 picks the side (bit 0: server, with the intro header) and a limit on frame
 * length (bits 1-2); byte 1 seeds the slicing; the rest is the stream. Oracle: the frames and
 * the error must be the same whether the stream is fed at once or slice by slice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct record {
    wb_buf frames; /* be32(len) || payload per frame, be32(routing len) || routing per intro */
    size_t count;
} record;

static int on_frame(void *ud, const uint8_t *p, size_t len) {
    record *r = ud;
    r->count++;
    wb_buf_put_be32(&r->frames, (uint32_t)len);
    wb_buf_append(&r->frames, p, len);
    return r->count > 100000 ? WB_ETOOBIG : 0;
}

static int on_intro(void *ud, const uint8_t *p, size_t len) {
    record *r = ud;
    wb_buf_put_be32(&r->frames, 0xffffffffu);
    wb_buf_append(&r->frames, p, len);
    return 0;
}

static const uint32_t limits[4] = {WB_FRAME_MAX, 0, 16, 1000};

static int run(const uint8_t *stream, size_t len, int side, uint32_t limit, uint32_t seed,
               record *rec, size_t *pending) {
    wb_frame_reader r;
    wb_frame_reader_init(&r, side, &(wb_frame_callbacks){on_frame, on_intro}, rec);
    r.max_len = limit;
    int rc = 0;
    for (size_t pos = 0; pos < len && rc == 0;) {
        size_t n = len - pos;
        if (seed) { /* slices of 0..(seed & 63) bytes, by a small generator */
            seed = seed * 1103515245u + 12345u;
            n = (seed >> 16) % ((seed & 63) + 2);
            if (n > len - pos)
                n = len - pos;
        }
        rc = wb_frame_feed(&r, stream + pos, n);
        pos += n;
    }
    if (rc && wb_frame_feed(&r, stream, len) != rc) /* sticky */
        abort();
    *pending = rc ? 0 : wb_frame_pending(&r);
    wb_frame_reader_free(&r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    int side = data[0] & 1 ? WB_FRAME_SERVER : WB_FRAME_CLIENT;
    uint32_t limit = limits[(data[0] >> 1) & 3];
    uint32_t seed = data[1] | 0x100u;
    record whole = {WB_BUF_INIT, 0}, sliced = {WB_BUF_INIT, 0};
    size_t pw = 0, ps = 0;
    int a = run(data + 2, size - 2, side, limit, 0, &whole, &pw);
    int b = run(data + 2, size - 2, side, limit, seed, &sliced, &ps);
    if (a != b || whole.count != sliced.count || whole.frames.len != sliced.frames.len ||
        (whole.frames.len && memcmp(whole.frames.data, sliced.frames.data, whole.frames.len)) ||
        pw != ps)
        abort();
    wb_buf_free(&whole.frames);
    wb_buf_free(&sliced.frames);
    return 0;
}
