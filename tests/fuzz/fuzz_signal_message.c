/* Fuzz target: the Signal 1:1 wire parsers (host/signal/wire.c), msg and pkmsg, on untrusted
 * bytes; whatever parses must rebuild to bytes that parse to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signal/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const uint8_t *data, size_t size) {
    wb_sig_message m, again;
    if (wb_sig_message_parse(&m, data, size, NULL) < 0)
        return;
    if (m.signed_len + WB_SIG_MAC_LEN != size || m.ciphertext_len % 16 || !m.ciphertext_len)
        abort();
    wb_buf b = WB_BUF_INIT;
    if (wb_sig_message_build(&b, m.ratchet_key, m.counter, m.previous_counter, m.ciphertext,
                             m.ciphertext_len) == 0 &&
        wb_buf_append(&b, m.mac, WB_SIG_MAC_LEN) == 0) {
        if (wb_sig_message_parse(&again, b.data, b.len, NULL) < 0)
            abort();
        if (memcmp(again.ratchet_key, m.ratchet_key, 32) || again.counter != m.counter ||
            again.previous_counter != m.previous_counter ||
            again.ciphertext_len != m.ciphertext_len ||
            memcmp(again.ciphertext, m.ciphertext, m.ciphertext_len))
            abort();
        wb_sig_message_done(&again);
    }
    wb_buf_free(&b);
    wb_sig_message_done(&m);
}

static void check_prekey_message(const uint8_t *data, size_t size) {
    wb_sig_prekey_message m, again;
    if (wb_sig_prekey_message_parse(&m, data, size, NULL) < 0)
        return;
    wb_buf b = WB_BUF_INIT;
    if (wb_sig_prekey_message_build(&b, m.registration_id, m.has_prekey_id, m.prekey_id,
                                    m.signed_prekey_id, m.base_key, m.identity,
                                    m.message.signed_part,
                                    m.message.signed_len + WB_SIG_MAC_LEN) == 0) {
        if (wb_sig_prekey_message_parse(&again, b.data, b.len, NULL) < 0)
            abort();
        if (again.registration_id != m.registration_id || again.prekey_id != m.prekey_id ||
            again.has_prekey_id != m.has_prekey_id || memcmp(again.base_key, m.base_key, 32) ||
            memcmp(again.identity, m.identity, 32) || again.message.counter != m.message.counter)
            abort();
        wb_sig_prekey_message_done(&again);
    }
    wb_buf_free(&b);
    wb_sig_prekey_message_done(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_message(data, size);
    check_prekey_message(data, size);
    return 0;
}
