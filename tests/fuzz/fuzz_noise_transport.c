/* Fuzz target: the Noise transport (net/noise.h) opening arbitrary frames.
 *
 * A handshake with fixed keys runs once; every input gets fresh transports from it (split can
 * be repeated). Input byte 0 picks the mode:
 *   even: the rest is a sequence of frames, be16 length + bytes, opened in order by the
 *         receiver: anything but WB_EAUTH / WB_ETRUNC for unauthenticated bytes is a bug;
 *   odd:  the rest after two bytes is plaintext; it is sealed, then byte data[1] of the frame
 *         is xor-ed with data[2]: opening must give back the plaintext exactly when nothing
 *         was changed (data[2] == 0), and WB_EAUTH otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noise_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wb_noise_hs *initiator, *responder;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!initiator) {
        static noise_fixture f;
        noise_fixture_init(&f);
        initiator = noise_fixture_initiator(&f, (const uint8_t *)"p", 1, 1500);
        responder = noise_fixture_responder(&f, f.chain.data, f.chain.len);
        if (noise_fixture_run(initiator, responder) < 0)
            abort();
    }
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
