/* Fuzz target: the Signal group wire parsers (host/signal/wire.c), skmsg and the sender-key
 * distribution message, on untrusted bytes; whatever parses must rebuild to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signal/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wb_sig_sender_key_message m, again;
    if (wb_sig_sender_key_message_parse(&m, data, size, NULL) == 0) {
        if (m.signed_len + WB_SIG_SIGNATURE_LEN != size || m.signature != data + m.signed_len)
            abort();
        wb_buf b = WB_BUF_INIT;
        if (wb_sig_sender_key_message_build(&b, m.key_id, m.iteration, m.ciphertext,
                                            m.ciphertext_len) == 0 &&
            wb_buf_append(&b, m.signature, WB_SIG_SIGNATURE_LEN) == 0) {
            if (wb_sig_sender_key_message_parse(&again, b.data, b.len, NULL) < 0 ||
                again.key_id != m.key_id || again.iteration != m.iteration ||
                again.ciphertext_len != m.ciphertext_len)
                abort();
            wb_sig_sender_key_message_done(&again);
        }
        wb_buf_free(&b);
        wb_sig_sender_key_message_done(&m);
    }
    wb_sig_distribution d, d2;
    if (wb_sig_distribution_parse(&d, data, size, NULL) == 0) {
        wb_buf b = WB_BUF_INIT;
        if (wb_sig_distribution_build(&b, &d) == 0 &&
            (wb_sig_distribution_parse(&d2, b.data, b.len, NULL) < 0 ||
             memcmp(&d, &d2, sizeof d) != 0))
            abort();
        wb_buf_free(&b);
    }
    return 0;
}
