/* Fuzz target: the Noise handshake (net/noise.h) and certificate chains (net/cert.h) fed
 * arbitrary messages. Keys are fixed so runs are reproducible. Byte 0 picks the mode; the rest
 * (X) is:
 *   0  the responder's first message (a ClientHello)
 *   1  the initiator's answer to its ClientHello (a ServerHello)
 *   2  the responder's second message, after a genuine ClientHello (a ClientFinish)
 *   3  the certificate chain a genuine responder sends; the initiator decrypts and verifies it
 *   4  a certificate chain given to wb_cert_chain_verify directly
 *   5  the ClientPayload of a genuine handshake: the responder must hand back exactly X
 * Errors must be the documented codes; a handshake must never complete on forged input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noise_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1500
static noise_fixture f;

static int documented(int rc) {
    return rc == WB_EMALFORMED || rc == WB_EPROTO || rc == WB_EAUTH || rc == WB_ECERT;
}

static wb_noise_hs *new_initiator(const uint8_t *payload, size_t len) {
    return noise_fixture_initiator(&f, payload, len, NOW);
}

static wb_noise_hs *new_responder(const uint8_t *cert, size_t len) {
    return noise_fixture_responder(&f, cert, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!f.chain.len)
        noise_fixture_init(&f);
    if (size < 1)
        return 0;
    const uint8_t *x = data + 1;
    size_t n = size - 1;
    wb_buf m1 = WB_BUF_INIT, m2 = WB_BUF_INIT, m3 = WB_BUF_INIT;
    wb_error e;
    wb_noise_hs *i = NULL, *r = NULL;
    int rc;
    switch (data[0] % 6) {
    case 0:
        r = new_responder(f.chain.data, f.chain.len);
        rc = wb_noise_hs_read(r, x, n, &m2, &e);
        if (rc != 0 && !documented(rc))
            abort();
        break;
    case 1:
        i = new_initiator((const uint8_t *)"p", 1);
        wb_noise_hs_start(i, &m1);
        rc = wb_noise_hs_read(i, x, n, &m3, &e);
        if (rc == 1 || (rc < 0 && !documented(rc)))
            abort(); /* completing would mean a forged certificate chain */
        break;
    case 2:
        i = new_initiator((const uint8_t *)"p", 1);
        r = new_responder(f.chain.data, f.chain.len);
        wb_noise_hs_start(i, &m1);
        if (wb_noise_hs_read(r, m1.data, m1.len, &m2, NULL) != 0)
            abort();
        rc = wb_noise_hs_read(r, x, n, &m3, &e);
        if (rc == 1 || (rc < 0 && !documented(rc)))
            abort(); /* a forged ClientFinish cannot authenticate */
        break;
    case 3:
        /* A chain that verifies must carry the genuine signed details (a fuzzer cannot sign);
         * its protobuf framing may differ (unknown fields, field order), so only the error
         * code is checked. */
        i = new_initiator((const uint8_t *)"p", 1);
        r = new_responder(x, n);
        wb_noise_hs_start(i, &m1);
        if (wb_noise_hs_read(r, m1.data, m1.len, &m2, NULL) != 0)
            abort();
        rc = wb_noise_hs_read(i, m2.data, m2.len, &m3, &e);
        if (rc != 1 && rc != WB_ECERT)
            abort();
        break;
    case 4:
        rc = wb_cert_chain_verify(x, n, f.root.pub, f.server.pub, NOW, &e);
        if (rc != 0 && rc != WB_ECERT)
            abort();
        break;
    default: {
        i = new_initiator(x, n);
        r = new_responder(f.chain.data, f.chain.len);
        size_t plen = 0;
        const uint8_t *p;
        if (wb_noise_hs_start(i, &m1) || wb_noise_hs_read(r, m1.data, m1.len, &m2, NULL) != 0 ||
            wb_noise_hs_read(i, m2.data, m2.len, &m3, NULL) != 1 ||
            wb_noise_hs_read(r, m3.data, m3.len, &m1, NULL) != 1 ||
            !(p = wb_noise_hs_payload(r, &plen)) || plen != n || (n && memcmp(p, x, n) != 0))
            abort();
        break;
    }
    }
    wb_noise_hs_free(i);
    wb_noise_hs_free(r);
    wb_buf_free(&m1);
    wb_buf_free(&m2);
    wb_buf_free(&m3);
    return 0;
}
