/* Fuzz target: loading stored Signal records (session records, host/signal/record.c, and
 * sender-key records, host/signal/group.c) from damaged bytes. A record that loads must write
 * back to exactly the bytes it came from: the formats have one encoding per value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signal/record.h"
#include "signal/sender_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void session_record(const uint8_t *data, size_t size) {
    if (wb_sig_record_check(data, size, NULL) < 0)
        return;
    wb_sig_record r;
    if (wb_sig_record_split(&r, data, size, NULL) < 0)
        abort();
    wb_buf all = WB_BUF_INIT;
    for (unsigned i = 0; i < r.count; i++) {
        wb_sig_state s;
        wb_buf one = WB_BUF_INIT;
        if (wb_sig_state_parse(&s, r.states[i].p, r.states[i].len, NULL) < 0)
            abort();
        if (wb_sig_state_write(&one, &s) == 0 &&
            (one.len != r.states[i].len || memcmp(one.data, r.states[i].p, one.len)))
            abort();
        wb_sig_state_free(&s);
        wb_buf_free(&one);
    }
    if (wb_sig_record_write(&all, NULL, &r, -1, NULL) == 0 &&
        (all.len != size || memcmp(all.data, data, size)))
        abort();
    wb_buf_free(&all);
}

static void sender_record(const uint8_t *data, size_t size) {
    wb_sig_sender_record r;
    if (wb_sig_sender_record_parse(&r, data, size, NULL) < 0)
        return;
    wb_buf b = WB_BUF_INIT;
    if (wb_sig_sender_record_write(&b, &r) == 0 && (b.len != size || memcmp(b.data, data, size)))
        abort();
    wb_buf_free(&b);
    wb_sig_sender_record_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    session_record(data, size);
    sender_record(data, size);
    return 0;
}
