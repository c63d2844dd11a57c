/* Unit tests for host/net/frame: scripted byte streams fed in every split, byte by byte and in
 * random slices (as wslay's tests do), the intro header in both forms, limits, sticky errors. */
#include "check.h"
#include "core/err.h"
#include "net/frame.h"

/* Records every delivered frame as be32(len) || payload in one buffer, and the intro. */
typedef struct sink {
    wb_buf frames;
    size_t count;
    int intros;
    wb_buf routing;
    int fail_at;          /* return WB_EPROTO at this frame (1-based), 0 = never */
    const uint8_t *input; /* for the zero-copy check: the slice being fed */
    size_t input_len;
    size_t in_place;      /* frames delivered pointing into input */
} sink;

static int sink_frame(void *ud, const uint8_t *p, size_t len) {
    sink *s = ud;
    s->count++;
    if (s->fail_at && (int)s->count == s->fail_at)
        return WB_EPROTO;
    if (len && s->input && p >= s->input && p + len <= s->input + s->input_len)
        s->in_place++;
    wb_buf_put_be32(&s->frames, (uint32_t)len);
    wb_buf_append(&s->frames, p, len);
    return 0;
}

static int sink_intro(void *ud, const uint8_t *routing, size_t len) {
    sink *s = ud;
    s->intros++;
    wb_buf_append(&s->routing, routing, len);
    return 0;
}

static const wb_frame_callbacks sink_cb = {sink_frame, sink_intro};

static void sink_free(sink *s) {
    wb_buf_free(&s->frames);
    wb_buf_free(&s->routing);
}

/* A deterministic generator, so failures reproduce. */
static uint32_t rng_state = 12345;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Builds a stream of frames with the given payload sizes (optionally after an intro), and the
 * record a sink should hold after reading it. */
static void build_stream(wb_buf *stream, wb_buf *expect, const size_t *sizes, size_t n,
                         int side, const uint8_t *routing, size_t routing_len) {
    wb_frame_writer w;
    CHECK_EQ(wb_frame_writer_init(&w, side, routing, routing_len), 0);
    for (size_t i = 0; i < n; i++) {
        wb_buf payload = WB_BUF_INIT;
        for (size_t j = 0; j < sizes[i]; j++)
            wb_buf_put_u8(&payload, (uint8_t)rng());
        CHECK_EQ(wb_frame_write(&w, stream, payload.data, payload.len), 0);
        wb_buf_put_be32(expect, (uint32_t)sizes[i]);
        wb_buf_append(expect, payload.data, payload.len);
        wb_buf_free(&payload);
    }
    wb_frame_writer_free(&w);
}

static void check_same(const sink *s, const wb_buf *expect, size_t frames) {
    CHECK_EQ(s->count, frames);
    CHECK_EQ(s->frames.len, expect->len);
    if (s->frames.len == expect->len && expect->len)
        CHECK_MEM(s->frames.data, expect->data, expect->len);
}

static const size_t small_sizes[] = {5, 0, 1, 2, 3, 4, 17, 0, 64, 255, 256, 3};
#define NSMALL (sizeof small_sizes / sizeof small_sizes[0])

static void test_frame_reader_handles_a_split_at_every_offset(void) {
    wb_buf stream = WB_BUF_INIT, expect = WB_BUF_INIT;
    build_stream(&stream, &expect, small_sizes, NSMALL, WB_FRAME_SERVER, NULL, 0);
    for (size_t a = 0; a <= stream.len; a++) {
        /* two cuts: [0,a) [a,b) [b,n) for a spread of b */
        for (size_t b = a; b <= stream.len; b += 1 + (b % 7)) {
            sink s = {0};
            wb_frame_reader r;
            wb_frame_reader_init(&r, WB_FRAME_CLIENT, &sink_cb, &s);
            CHECK_EQ(wb_frame_feed(&r, stream.data, a), 0);
            CHECK_EQ(wb_frame_feed(&r, stream.data + a, b - a), 0);
            CHECK_EQ(wb_frame_feed(&r, stream.data + b, stream.len - b), 0);
            check_same(&s, &expect, NSMALL);
            CHECK_EQ(wb_frame_pending(&r), 0);
            wb_frame_reader_free(&r);
            sink_free(&s);
        }
    }
    wb_buf_free(&stream);
    wb_buf_free(&expect);
}

static void test_frame_reader_takes_one_byte_at_a_time(void) {
    const size_t sizes[] = {70000, 1, 0, 300};
    wb_buf stream = WB_BUF_INIT, expect = WB_BUF_INIT;
    build_stream(&stream, &expect, sizes, 4, WB_FRAME_SERVER, NULL, 0);
    sink s = {0};
    wb_frame_reader r;
    wb_frame_reader_init(&r, WB_FRAME_CLIENT, &sink_cb, &s);
    for (size_t i = 0; i < stream.len; i++) {
        CHECK_EQ(wb_frame_feed(&r, stream.data + i, 1), 0);
        if (i == 2)
            CHECK_EQ(wb_frame_pending(&r), 3);
        if (i == 1002)
            CHECK_EQ(wb_frame_pending(&r), 1003);
    }
    check_same(&s, &expect, 4);
    CHECK_EQ(r.frames, 4);
    wb_frame_reader_free(&r);
    sink_free(&s);
    wb_buf_free(&stream);
    wb_buf_free(&expect);
}

static void test_frame_reader_takes_random_slices_and_coalesced_frames(void) {
    size_t sizes[200];
    for (size_t i = 0; i < 200; i++)
        sizes[i] = i % 50 == 0 ? 20000 + rng() % 50000 : rng() % 700;
    wb_buf stream = WB_BUF_INIT, expect = WB_BUF_INIT;
    build_stream(&stream, &expect, sizes, 200, WB_FRAME_SERVER, NULL, 0);
    for (int round = 0; round < 50; round++) {
        sink s = {0};
        wb_frame_reader r;
        wb_frame_reader_init(&r, WB_FRAME_CLIENT, &sink_cb, &s);
        for (size_t pos = 0; pos < stream.len;) {
            size_t n = round % 2 ? rng() % 40 : rng() % 9000; /* tiny and large slices */
            if (n > stream.len - pos)
                n = stream.len - pos;
            s.input = stream.data + pos;
            s.input_len = n;
            CHECK_EQ(wb_frame_feed(&r, stream.data + pos, n), 0);
            pos += n;
        }
        check_same(&s, &expect, 200);
        if (round % 2 == 0)
            CHECK(s.in_place > 0); /* frames inside one slice are not copied */
        wb_frame_reader_free(&r);
        sink_free(&s);
    }
    /* all at once: every non-empty frame in place */
    sink s = {0};
    s.input = stream.data;
    s.input_len = stream.len;
    wb_frame_reader r;
    wb_frame_reader_init(&r, WB_FRAME_CLIENT, &sink_cb, &s);
    CHECK_EQ(wb_frame_feed(&r, stream.data, stream.len), 0);
    check_same(&s, &expect, 200);
    size_t nonempty = 0;
    for (size_t i = 0; i < 200; i++)
        nonempty += sizes[i] != 0;
    CHECK_EQ(s.in_place, nonempty);
    wb_frame_reader_free(&r);
    sink_free(&s);
    wb_buf_free(&stream);
    wb_buf_free(&expect);
}

static void test_frame_server_strips_plain_intro_at_every_split(void) {
    wb_buf stream = WB_BUF_INIT, expect = WB_BUF_INIT;
    build_stream(&stream, &expect, small_sizes, NSMALL, WB_FRAME_CLIENT, NULL, 0);
    CHECK_MEM(stream.data, "WA\x06\x03", 4);
    CHECK_EQ(wb_get_be24(stream.data + 4), small_sizes[0]);
    for (size_t a = 0; a <= 12 && a <= stream.len; a++) {
        sink s = {0};
        wb_frame_reader r;
        wb_frame_reader_init(&r, WB_FRAME_SERVER, &sink_cb, &s);
        CHECK_EQ(wb_frame_feed(&r, stream.data, a), 0);
        CHECK_EQ(wb_frame_feed(&r, stream.data + a, stream.len - a), 0);
        check_same(&s, &expect, NSMALL);
        CHECK_EQ(s.intros, 1);
        CHECK_EQ(s.routing.len, 0);
        wb_frame_reader_free(&r);
        sink_free(&s);
    }
    wb_buf_free(&stream);
    wb_buf_free(&expect);
}

static void test_frame_server_strips_ed_intro_with_routing_info(void) {
    const uint8_t routing[] = {0x08, 0x02, 0x08, 0x05, 0x12, 0x02, 0x08, 0x00, 0xaa};
    wb_buf stream = WB_BUF_INIT, expect = WB_BUF_INIT;
    build_stream(&stream, &expect, small_sizes, NSMALL, WB_FRAME_CLIENT, routing, sizeof routing);
    /* 'E' 'D' 00 01, be24 length, routing info, then "WA" 06 03 */
    CHECK_MEM(stream.data, "ED\x00\x01\x00\x00\x09", 7);
    CHECK_MEM(stream.data + 7, routing, sizeof routing);
    CHECK_MEM(stream.data + 7 + sizeof routing, "WA\x06\x03", 4);
    for (size_t a = 0; a <= 25; a++) {
        sink s = {0};
        wb_frame_reader r;
        wb_frame_reader_init(&r, WB_FRAME_SERVER, &sink_cb, &s);
        for (size_t i = 0; i < a; i++) /* the first a bytes one at a time */
            CHECK_EQ(wb_frame_feed(&r, stream.data + i, 1), 0);
        CHECK_EQ(wb_frame_feed(&r, stream.data + a, stream.len - a), 0);
        check_same(&s, &expect, NSMALL);
        CHECK_EQ(s.intros, 1);
        CHECK_EQ(s.routing.len, sizeof routing);
        CHECK_MEM(s.routing.data, routing, sizeof routing);
        wb_frame_reader_free(&r);
        sink_free(&s);
    }
    wb_buf_free(&stream);
    wb_buf_free(&expect);
}

static int feed_all(int side, const char *bytes, size_t len, sink *s) {
    wb_frame_reader r;
    wb_frame_reader_init(&r, side, &sink_cb, s);
    int rc = wb_frame_feed(&r, (const uint8_t *)bytes, len);
    int again = wb_frame_feed(&r, (const uint8_t *)"\x00\x00\x01x", 4);
    CHECK_EQ(again, rc); /* errors are sticky */
    wb_frame_reader_free(&r);
    return rc;
}

static void test_frame_server_rejects_bad_intros(void) {
    sink s = {0};
    CHECK_EQ(feed_all(WB_FRAME_SERVER, "WA\x06\x02\x00\x00\x01x", 8, &s), WB_EPROTO);
    CHECK_EQ(feed_all(WB_FRAME_SERVER, "\x00\x00\x01xyzw", 7, &s), WB_EPROTO);
    CHECK_EQ(feed_all(WB_FRAME_SERVER, "ED\x00\x02\x00\x00\x00WA\x06\x03", 11, &s), WB_EPROTO);
    /* ED header whose tail is not the prologue */
    CHECK_EQ(feed_all(WB_FRAME_SERVER, "ED\x00\x01\x00\x00\x02rrWB\x06\x03", 13, &s), WB_EPROTO);
    /* routing info over the limit */
    CHECK_EQ(feed_all(WB_FRAME_SERVER, "ED\x00\x01\x00\x10\x01", 7, &s), WB_ETOOBIG);
    CHECK_EQ(s.count, 0);
    CHECK_EQ(s.intros, 0);
    /* an empty ED routing info is accepted */
    CHECK_EQ(feed_all(WB_FRAME_SERVER, "ED\x00\x01\x00\x00\x00WA\x06\x03\x00\x00\x01x", 15, &s), 0);
    CHECK_EQ(s.count, 2);
    CHECK_EQ(s.intros, 1);
    sink_free(&s);
}

static void test_frame_reader_refuses_frames_over_the_limit(void) {
    sink s = {0};
    wb_frame_reader r;
    wb_frame_reader_init(&r, WB_FRAME_CLIENT, &sink_cb, &s);
    CHECK_EQ(r.max_len, WB_FRAME_MAX);
    r.max_len = 1000;
    uint8_t frame[3 + 1000] = {0x00, 0x03, 0xe8};
    CHECK_EQ(wb_frame_feed(&r, frame, sizeof frame), 0); /* exactly the limit */
    CHECK_EQ(s.count, 1);
    CHECK_EQ(wb_frame_feed(&r, (const uint8_t *)"\x00\x03\xe9", 3), WB_ETOOBIG);
    CHECK_EQ(wb_frame_feed(&r, frame, sizeof frame), WB_ETOOBIG);
    CHECK_EQ(s.count, 1);
    wb_frame_reader_free(&r);
    /* the default takes the largest 24-bit length, waiting for its 16 MiB */
    wb_frame_reader_init(&r, WB_FRAME_CLIENT, &sink_cb, &s);
    CHECK_EQ(wb_frame_feed(&r, (const uint8_t *)"\xff\xff\xff\x01\x02", 5), 0);
    CHECK_EQ(wb_frame_pending(&r), 5);
    wb_frame_reader_free(&r);
    sink_free(&s);
}

static void test_frame_callback_error_stops_the_reader(void) {
    wb_buf stream = WB_BUF_INIT, expect = WB_BUF_INIT;
    build_stream(&stream, &expect, small_sizes, NSMALL, WB_FRAME_SERVER, NULL, 0);
    sink s = {0};
    s.fail_at = 3;
    wb_frame_reader r;
    wb_frame_reader_init(&r, WB_FRAME_CLIENT, &sink_cb, &s);
    CHECK_EQ(wb_frame_feed(&r, stream.data, stream.len), WB_EPROTO);
    CHECK_EQ(s.count, 3); /* nothing after the refused frame */
    CHECK_EQ(wb_frame_feed(&r, stream.data, stream.len), WB_EPROTO);
    CHECK_EQ(s.count, 3);
    wb_frame_reader_free(&r);
    sink_free(&s);
    wb_buf_free(&stream);
    wb_buf_free(&expect);
}

static void test_frame_writer_sends_intro_once_and_refuses_oversized(void) {
    wb_frame_writer w;
    wb_buf out = WB_BUF_INIT;
    CHECK_EQ(wb_frame_writer_init(&w, WB_FRAME_CLIENT, NULL, 0), 0);
    CHECK_EQ(wb_frame_write(&w, &out, (const uint8_t *)"ab", 2), 0);
    CHECK_EQ(wb_frame_write(&w, &out, (const uint8_t *)"c", 1), 0);
    CHECK_EQ(out.len, 4 + 5 + 4);
    CHECK_MEM(out.data, "WA\x06\x03\x00\x00\x02" "ab\x00\x00\x01" "c", 13);
    CHECK_EQ(wb_frame_begin(&w, &out, WB_FRAME_MAX + 1), WB_ETOOBIG);
    CHECK_EQ(out.len, 13);
    CHECK_EQ(wb_frame_begin(&w, &out, WB_FRAME_MAX), 0);
    CHECK_MEM(out.data + 13, "\xff\xff\xff", 3);
    wb_frame_writer_free(&w);
    /* the server side never writes an intro */
    wb_buf_reset(&out);
    CHECK_EQ(wb_frame_writer_init(&w, WB_FRAME_SERVER, NULL, 0), 0);
    CHECK_EQ(wb_frame_write(&w, &out, (const uint8_t *)"ab", 2), 0);
    CHECK_MEM(out.data, "\x00\x00\x02" "ab", 5);
    wb_frame_writer_free(&w);
    uint8_t big[WB_FRAME_ROUTING_MAX + 1] = {0};
    CHECK_EQ(wb_frame_writer_init(&w, WB_FRAME_CLIENT, big, sizeof big), WB_ETOOBIG);
    wb_buf_free(&out);
}

int main(void) {
    RUN(test_frame_reader_handles_a_split_at_every_offset);
    RUN(test_frame_reader_takes_one_byte_at_a_time);
    RUN(test_frame_reader_takes_random_slices_and_coalesced_frames);
    RUN(test_frame_server_strips_plain_intro_at_every_split);
    RUN(test_frame_server_strips_ed_intro_with_routing_info);
    RUN(test_frame_server_rejects_bad_intros);
    RUN(test_frame_reader_refuses_frames_over_the_limit);
    RUN(test_frame_callback_error_stops_the_reader);
    RUN(test_frame_writer_sends_intro_once_and_refuses_oversized);
    return check_summary();
}
