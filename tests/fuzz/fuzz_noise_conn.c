/* Fuzz target: raw socket bytes into a Noise connection (net/noise_conn.h), the whole of what a
 * server holds per client before any stanza is decoded: the intro header, the frame reader, the
 * handshake and the transport, fed in pieces of any size.
 *
 * Input byte 0: bit 0 picks the mode, the other bits the piece size (1..128).
 *   even: the rest goes as is to a responder: whatever it is, the result must not depend on how
 *         the bytes were cut (same error, same bytes answered, same frames), and after an error
 *         every later feed returns that error and calls nothing;
 *   odd:  a real initiator with fixed keys completes the handshake, then the rest is a list of
 *         [u8 length][bytes] plaintexts it sends; the responder must deliver exactly those, in
 *         order, however the stream was cut; the last input byte is then appended as garbage, a
 *         frame header that must be refused or wait, never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/noise_conn.h"
#include "noise_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static noise_fixture fx;

typedef struct side {
    wb_buf out;       /* what it sent */
    wb_buf frames;    /* [u32 len][bytes] of every frame it received */
    int handshakes;
} side;

static int on_send(void *ud, const uint8_t *p, size_t n) {
    side *s = ud;
    return wb_buf_append(&s->out, p, n);
}

static int on_handshake(void *ud, const uint8_t peer[32], const uint8_t *payload, size_t len) {
    ((side *)ud)->handshakes++;
    return 0;
}

static int on_frame(void *ud, const uint8_t *p, size_t n) {
    side *s = ud;
    wb_buf_put_be32(&s->frames, (uint32_t)n);
    return wb_buf_append(&s->frames, p, n);
}

static const wb_noise_conn_callbacks cbs = {on_send, on_handshake, on_frame, NULL};

static wb_noise_conn *responder(side *s) {
    wb_noise_responder_cfg cfg = {&fx.server, fx.chain.data, fx.chain.len, &fx.server_e};
    wb_noise_conn *c;
    if (wb_noise_conn_new_responder(&c, &cfg, &cbs, s) < 0)
        abort();
    return c;
}

/* Feeds stream to a fresh responder in pieces; fills *s; returns the first error (or 0). */
static int feed(const uint8_t *stream, size_t len, size_t piece, side *s) {
    wb_noise_conn *c = responder(s);
    int first = 0;
    for (size_t off = 0; off < len;) {
        size_t n = piece && len - off > piece ? piece : len - off;
        int rc = wb_noise_conn_feed(c, stream + off, n, NULL);
        if (first && rc != first)
            abort(); /* errors are final */
        if (rc < 0 && !first) {
            first = rc;
            size_t sent = s->out.len, got = s->frames.len;
            if (wb_noise_conn_feed(c, (const uint8_t *)"x", 1, NULL) != rc || s->out.len != sent ||
                s->frames.len != got)
                abort();
        }
        off += n;
    }
    if (wb_noise_conn_buffered(c) > (16u << 20) + (1u << 20) * 4)
        abort();
    wb_noise_conn_free(c);
    return first;
}

/* Feeds stream whole into *whole (made here) and in pieces: the two must agree. */
static void same(const uint8_t *stream, size_t len, size_t piece, side *whole) {
    side cut = {WB_BUF_INIT, WB_BUF_INIT, 0};
    *whole = cut;
    int a = feed(stream, len, 0, whole), b = feed(stream, len, piece, &cut);
    if (a != b || whole->handshakes != cut.handshakes || whole->frames.len != cut.frames.len ||
        (whole->frames.len && memcmp(whole->frames.data, cut.frames.data, cut.frames.len)))
        abort();
    /* the responder's own bytes depend on nothing but the input: equal however it was cut */
    if (whole->out.len != cut.out.len || (cut.out.len && memcmp(whole->out.data, cut.out.data, cut.out.len)))
        abort();
    wb_buf_free(&cut.out);
    wb_buf_free(&cut.frames);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!fx.chain.len)
        noise_fixture_init(&fx);
    if (size < 1)
        return 0;
    size_t piece = (size_t)(data[0] >> 1) + 1;
    side whole = {WB_BUF_INIT, WB_BUF_INIT, 0};
    if (data[0] % 2 == 0) {
        same(data + 1, size - 1, piece, &whole);
        wb_buf_free(&whole.out);
        wb_buf_free(&whole.frames);
        return 0;
    }
    /* a real client: its hello, then (once the responder answered) its finish and frames */
    side client = {WB_BUF_INIT, WB_BUF_INIT, 0}, server = {WB_BUF_INIT, WB_BUF_INIT, 0};
    wb_noise_initiator_cfg cfg = {&fx.client, (const uint8_t *)"payload", 7, fx.root.pub, 1500,
                                  &fx.client_e};
    wb_noise_conn *ini, *res = responder(&server);
    if (wb_noise_conn_new_initiator(&ini, &cfg, NULL, 0, &cbs, &client) < 0 ||
        wb_noise_conn_start(ini) < 0 || wb_noise_conn_feed(res, client.out.data, client.out.len, NULL) < 0 ||
        wb_noise_conn_feed(ini, server.out.data, server.out.len, NULL) < 0 || !wb_noise_conn_ready(ini))
        abort();
    wb_buf want = WB_BUF_INIT;
    for (size_t pos = 1; pos < size;) {
        size_t n = data[pos++];
        if (n > size - pos)
            n = size - pos;
        if (wb_noise_conn_send(ini, data + pos, n) < 0)
            abort();
        wb_buf_put_be32(&want, (uint32_t)n);
        wb_buf_append(&want, data + pos, n);
        pos += n;
    }
    same(client.out.data, client.out.len, piece, &whole);
    if (whole.handshakes != 1 || whole.frames.len != want.len ||
        (want.len && memcmp(whole.frames.data, want.data, want.len)))
        abort();
    /* then a byte of garbage: a partial frame header waits, nothing breaks */
    wb_buf_put_u8(&client.out, data[size - 1]);
    wb_buf_free(&whole.out);
    wb_buf_free(&whole.frames);
    same(client.out.data, client.out.len, piece, &whole);
    wb_noise_conn_free(ini);
    wb_noise_conn_free(res);
    wb_buf_free(&want);
    wb_buf_free(&whole.out);
    wb_buf_free(&whole.frames);
    wb_buf_free(&client.out);
    wb_buf_free(&client.frames);
    wb_buf_free(&server.out);
    wb_buf_free(&server.frames);
    return 0;
}
