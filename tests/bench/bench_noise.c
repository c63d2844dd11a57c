/* Benchmarks for the Noise transport (net/noise.h) on 300-byte frames, and raw AES-256-GCM on
 * the same bytes with the same key reuse, to show what the transport adds:
 *   noise-seal     wb_noise_seal_frame: counter IV, GCM, 3-byte length, into a reused buffer
 *   noise-open     wb_noise_open of successive frames (a ring of 8192 pre-sealed frames; the
 *                  receiving transport is re-derived from the handshake when the ring wraps)
 *   gcm-seal-300   wb_gcm_seal with a keyed context, fixed IV
 *   gcm-open-300   wb_gcm_open of one sealed 300-byte message, fixed IV
 * The Node side (node/bench_noise.mjs) runs Baileys' transport path on the same sizes. */
#include <stdlib.h>
#include <string.h>

#include "../fuzz/noise_fixture.h"
#include "bench.h"
#include "crypto/aes.h"

#define FRAME 300
#define RING 8192

typedef struct state {
    wb_noise_hs *hs_i, *hs_r;
    wb_noise *send, *recv;
    wb_buf out;
    uint8_t pt[FRAME], buf[FRAME + 16], iv[12];
    uint8_t *ring; /* RING sealed frames of FRAME + 16 bytes */
    size_t next;
    wb_gcm *gcm;
} state;

/* The payload both sides use: byte i is (i * 7 + 3) mod 256. */
static void fill_payload(uint8_t *p) {
    for (size_t i = 0; i < FRAME; i++)
        p[i] = (uint8_t)(i * 7 + 3);
}

/* A complete handshake with fixed keys; both handshakes are kept for re-splits. */
static int setup(state *s) {
    static noise_fixture f;
    memset(s, 0, sizeof *s);
    fill_payload(s->pt);
    if (!f.chain.len)
        noise_fixture_init(&f);
    s->hs_i = noise_fixture_initiator(&f, (const uint8_t *)"p", 1, 0);
    s->hs_r = noise_fixture_responder(&f, f.chain.data, f.chain.len);
    if (noise_fixture_run(s->hs_i, s->hs_r) < 0 || wb_noise_hs_split(s->hs_i, &s->send) < 0 ||
        wb_noise_hs_split(s->hs_r, &s->recv) < 0)
        return -1;
    return 0;
}

static void teardown(state *s) {
    wb_noise_free(s->send);
    wb_noise_free(s->recv);
    wb_noise_hs_free(s->hs_i);
    wb_noise_hs_free(s->hs_r);
    wb_gcm_free(s->gcm);
    wb_buf_free(&s->out);
    free(s->ring);
}

static int op_seal(void *ctx) {
    state *s = ctx;
    wb_buf_reset(&s->out);
    return wb_noise_seal_frame(s->send, s->pt, FRAME, &s->out);
}

static double bench_noise_seal(const char *datadir) {
    state s;
    if (setup(&s) < 0)
        return -1;
    double r = bench_measure(op_seal, &s, 1.0);
    teardown(&s);
    return r;
}

static int op_open(void *ctx) {
    state *s = ctx;
    if (s->next == RING) { /* start the receiving direction over at counter 0 */
        wb_noise_free(s->recv);
        s->recv = NULL;
        if (wb_noise_hs_split(s->hs_r, &s->recv) < 0)
            return -1;
        s->next = 0;
    }
    return wb_noise_open(s->recv, s->ring + s->next++ * (FRAME + 16), FRAME + 16, s->buf);
}

static double bench_noise_open(const char *datadir) {
    state s;
    if (setup(&s) < 0 || !(s.ring = malloc((size_t)RING * (FRAME + 16))))
        return -1;
    for (size_t i = 0; i < RING; i++) {
        wb_buf_reset(&s.out);
        if (wb_noise_seal(s.send, s.pt, FRAME, &s.out) < 0)
            return -1;
        memcpy(s.ring + i * (FRAME + 16), s.out.data, FRAME + 16);
    }
    /* the warm-up and every batch run through the ring, re-deriving at each wrap */
    s.next = RING;
    double r = bench_measure(op_open, &s, 1.0);
    teardown(&s);
    return r;
}

static int op_gcm_seal(void *ctx) {
    state *s = ctx;
    return wb_gcm_seal(s->gcm, s->iv, NULL, 0, s->pt, FRAME, s->buf);
}

static int op_gcm_open(void *ctx) {
    state *s = ctx;
    return wb_gcm_open(s->gcm, s->iv, NULL, 0, s->buf, FRAME + 16, s->pt);
}

static double bench_gcm(int seal) {
    state s;
    uint8_t key[32];
    memset(&s, 0, sizeof s);
    memset(key, 0x42, sizeof key);
    fill_payload(s.pt);
    if (wb_gcm_new(&s.gcm, key) < 0 || wb_gcm_seal(s.gcm, s.iv, NULL, 0, s.pt, FRAME, s.buf) < 0)
        return -1;
    double r = bench_measure(seal ? op_gcm_seal : op_gcm_open, &s, 1.0);
    teardown(&s);
    return r;
}

static double bench_gcm_seal(const char *datadir) { return bench_gcm(1); }
static double bench_gcm_open(const char *datadir) { return bench_gcm(0); }

const wb_bench bench_noise[] = {
    {"noise-seal", bench_noise_seal},
    {"noise-open", bench_noise_open},
    {"gcm-seal-300", bench_gcm_seal},
    {"gcm-open-300", bench_gcm_open},
    {NULL, NULL},
};
