/* Benchmarks for the websocket session (net/ws_session.h) on WhatsApp-sized 300-byte binary
 * messages:
 *   ws-recv-64x300  a server session decoding one 64-frame read (masked client frames, 19.6 KB),
 *                   each message delivered whole
 *   ws-send-300     a client session framing and masking one 300-byte message
 * The Node side (node/bench_ws.mjs) runs the ws package (Baileys' websocket) on the same bytes:
 * its Receiver on the same stream, its Sender.frame with masking. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "core/buf.h"
#include "net/ws_session.h"

#define MSG 300
#define FRAMES 64

/* The stream both sides decode: FRAMES masked binary frames; payload byte i of frame f is
 * (i * 7 + f) mod 256, the mask is 1 2 3 4. */
static void build_stream(wb_buf *out) {
    const uint8_t mask[4] = {1, 2, 3, 4};
    for (int f = 0; f < FRAMES; f++) {
        uint8_t h[8] = {0x82, 0x80 | 126, MSG >> 8, MSG & 0xff, 1, 2, 3, 4};
        wb_buf_append(out, h, sizeof h);
        uint8_t *p = wb_buf_extend(out, MSG);
        for (int i = 0; i < MSG; i++)
            p[i] = (uint8_t)((i * 7 + f) ^ mask[i % 4]);
    }
}

typedef struct state {
    wb_ws_session *s;
    wb_buf stream;
    size_t messages, bytes;
    uint8_t msg[MSG];
} state;

static void count_message(void *ud, const uint8_t *d, size_t n) {
    state *st = ud;
    st->messages++;
    st->bytes += n;
}

static void count_output(void *ud, const uint8_t *d, size_t n) {
    ((state *)ud)->bytes += n;
}

static const wb_ws_session_callbacks cbs = {count_message, count_output, NULL};

static int recv_op(void *ctx) {
    state *st = ctx;
    size_t before = st->messages;
    if (wb_ws_session_feed(st->s, st->stream.data, st->stream.len) != 0)
        return 1;
    return st->messages - before == FRAMES ? 0 : 1;
}

static double bench_recv(const char *datadir) {
    state st = {0};
    build_stream(&st.stream);
    if (wb_ws_session_new(&st.s, WB_WS_SERVER, 0, &cbs, &st) < 0)
        return -1;
    double r = bench_measure(recv_op, &st, 1.0);
    wb_ws_session_free(st.s);
    wb_buf_free(&st.stream);
    return r;
}

static int send_op(void *ctx) {
    state *st = ctx;
    return wb_ws_session_send(st->s, st->msg, MSG) != 0;
}

static double bench_send(const char *datadir) {
    state st = {0};
    for (int i = 0; i < MSG; i++)
        st.msg[i] = (uint8_t)(i * 7);
    if (wb_ws_session_new(&st.s, WB_WS_CLIENT, 0, &cbs, &st) < 0)
        return -1;
    double r = bench_measure(send_op, &st, 1.0);
    wb_ws_session_free(st.s);
    return r;
}

const wb_bench bench_ws[] = {
    {"ws-recv-64x300", bench_recv},
    {"ws-send-300", bench_send},
    {NULL, NULL},
};
