/* Fixed keys and a certificate chain for Noise handshakes that must be reproducible: the Noise
 * fuzz targets and tests/bench/bench_noise.c. Header-only (static functions), test code only. */
#ifndef WB_TEST_NOISE_FIXTURE_H
#define WB_TEST_NOISE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "crypto/random.h"
#include "net/cert.h"
#include "net/noise.h"

typedef struct noise_fixture {
    wb_keypair root, inter, server, client, client_e, server_e;
    wb_buf chain; /* root -> intermediate -> server, valid at every time */
} noise_fixture;

/* A key pair whose private key is 32 bytes of fill. */
static inline wb_keypair noise_fixture_key(uint8_t fill) {
    wb_keypair kp;
    memset(kp.priv, fill, sizeof kp.priv);
    wb_curve_public(kp.pub, kp.priv);
    return kp;
}

static inline void noise_fixture_init(noise_fixture *f) {
    if (wb_crypto_init() < 0)
        abort();
    f->root = noise_fixture_key(1);
    f->inter = noise_fixture_key(2);
    f->server = noise_fixture_key(3);
    f->client = noise_fixture_key(4);
    f->client_e = noise_fixture_key(5);
    f->server_e = noise_fixture_key(6);
    wb_buf_init(&f->chain);
    if (wb_cert_chain_build(&f->chain, f->root.priv, &f->inter, f->server.pub, 0, UINT64_MAX) < 0)
        abort();
}

/* An initiator that sends payload and checks certificates at time now (0: the clock). */
static inline wb_noise_hs *noise_fixture_initiator(const noise_fixture *f, const uint8_t *payload,
                                                   size_t len, uint64_t now) {
    wb_noise_initiator_cfg cfg = {&f->client, payload, len, f->root.pub, now, &f->client_e};
    wb_noise_hs *hs;
    if (wb_noise_hs_new_initiator(&hs, &cfg) < 0)
        abort();
    return hs;
}

/* A responder that sends the given certificate chain. */
static inline wb_noise_hs *noise_fixture_responder(const noise_fixture *f, const uint8_t *chain,
                                                   size_t len) {
    wb_noise_responder_cfg cfg = {&f->server, chain, len, &f->server_e};
    wb_noise_hs *hs;
    if (wb_noise_hs_new_responder(&hs, &cfg) < 0)
        abort();
    return hs;
}

/* Runs the three messages between i and r. Returns 0 when both completed. */
static inline int noise_fixture_run(wb_noise_hs *i, wb_noise_hs *r) {
    wb_buf m1 = WB_BUF_INIT, m2 = WB_BUF_INIT, m3 = WB_BUF_INIT;
    int ok = wb_noise_hs_start(i, &m1) == 0 && wb_noise_hs_read(r, m1.data, m1.len, &m2, NULL) == 0 &&
             wb_noise_hs_read(i, m2.data, m2.len, &m3, NULL) == 1 &&
             wb_noise_hs_read(r, m3.data, m3.len, &m1, NULL) == 1;
    wb_buf_free(&m1);
    wb_buf_free(&m2);
    wb_buf_free(&m3);
    return ok ? 0 : -1;
}

#endif
