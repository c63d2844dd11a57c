/* Fuzz target: the Noise transport (net/noise.h) opening arbitrary frames.
 *
 * A handshake with fixed keys runs once; every input gets fresh transports from it (split can
 * be repeated). Input byte 0 picks the mode:
 *   even: the rest is a sequence of frames, be16 length + bytes, opened in order by the
 *         receiver: anything but WB_EAUTH / WB_ETRUNC for unauthenticated bytes is a bug;
 *   odd:  the rest is plaintext; it is sealed, then byte data[1] of the frame is xor-ed with
 *         data[2] (when data[2] != 0): opening must give back the plaintext exactly when
 *         nothing was changed, and WB_EAUTH otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/random.h"
#include "net/cert.h"
#include "net/noise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wb_noise_hs *initiator, *responder;

static wb_keypair fixed_key(uint8_t fill) {
    wb_keypair kp;
    memset(kp.priv, fill, sizeof kp.priv);
    wb_curve_public(kp.pub, kp.priv);
    return kp;
}

static void setup(void) {
    static wb_keypair root, inter, server, client, ce, se;
    wb_buf chain = WB_BUF_INIT, m1 = WB_BUF_INIT, m2 = WB_BUF_INIT, m3 = WB_BUF_INIT;
    if (wb_crypto_init() < 0)
        abort();
    root = fixed_key(1), inter = fixed_key(2), server = fixed_key(3), client = fixed_key(4);
    ce = fixed_key(5), se = fixed_key(6);
    wb_cert_chain_build(&chain, root.priv, &inter, server.pub, 1000, 2000);
    wb_noise_initiator_cfg ic = {&client, (const uint8_t *)"p", 1, root.pub, 1500, &ce};
    wb_noise_responder_cfg rc = {&server, chain.data, chain.len, &se};
    if (wb_noise_hs_new_initiator(&initiator, &ic) || wb_noise_hs_new_responder(&responder, &rc) ||
        wb_noise_hs_start(initiator, &m1) || wb_noise_hs_read(responder, m1.data, m1.len, &m2, NULL) ||
        wb_noise_hs_read(initiator, m2.data, m2.len, &m3, NULL) != 1 ||
        wb_noise_hs_read(responder, m3.data, m3.len, &m1, NULL) != 1)
        abort();
    wb_buf_free(&chain);
    wb_buf_free(&m1);
    wb_buf_free(&m2);
    wb_buf_free(&m3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!initiator)
        setup();
    if (size < 1)
        return 0;
    wb_noise *send, *recv;
    if (wb_noise_hs_split(initiator, &send) || wb_noise_hs_split(responder, &recv))
        abort();
    if (data[0] % 2 == 0) {
        for (size_t pos = 1; pos + 2 <= size;) {
            size_t n = ((size_t)data[pos] << 8) | data[pos + 1];
            pos += 2;
            if (n > size - pos)
                n = size - pos;
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, data + pos, n);
            int rc = wb_noise_open(recv, copy, n, copy); /* in place, as the connection may */
            free(copy);
            if (rc != WB_EAUTH && rc != WB_ETRUNC)
                abort(); /* forging a tag is not something a fuzzer does */
            pos += n;
        }
    } else if (size >= 3) {
        const uint8_t *pt = data + 3;
        size_t len = size - 3;
        wb_buf sealed = WB_BUF_INIT;
        if (wb_noise_seal(send, pt, len, &sealed) != 0 || sealed.len != len + 16)
            abort();
        sealed.data[data[1] % sealed.len] ^= data[2];
        uint8_t *out = malloc(len ? len : 1);
        int rc = wb_noise_open(recv, sealed.data, sealed.len, out);
        if (data[2] == 0 ? rc != 0 || (len && memcmp(out, pt, len) != 0) : rc != WB_EAUTH)
            abort();
        free(out);
        wb_buf_free(&sealed);
    }
    wb_noise_free(send);
    wb_noise_free(recv);
    return 0;
}
