/* Fuzz target: wb_signal_decrypt and wb_signal_group_decrypt (host/signal) on damaged messages
 * against real sessions. Setup, once: two parties with a session, a group sender key, and one
 * valid pkmsg, msg and skmsg. Each input picks one of them (first byte) and edits it: the rest is
 * (u16 offset, u8 xor) triples, or, with the top bit of the first byte set, replaces it
 * outright. Every decrypt runs inside a transaction that is rolled back afterwards; a failed one
 * must leave the database exactly as it was, and a successful one must give the original text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/random.h"
#include "signal/signal.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wb_store *st_a, *st_b;
static wb_signal *a, *b;
static wb_buf msgs[3]; /* pkmsg, msg, skmsg as b receives them */
static uint8_t stored[32]; /* digest of b's database, which every input leaves as it was */
static const char *const texts[3] = {"first message", "second message", "group message"};
static const char *const group = "120363000000000000@g.us";

static void digest(uint8_t out[32]) {
    wb_buf d = WB_BUF_INIT;
    if (wb_store_dump(st_b, &d) < 0)
        abort();
    wb_sha256(out, d.data, d.len);
    wb_buf_free(&d);
}

static void setup(void) {
    if (wb_crypto_init() < 0 || wb_store_open(&st_a, ":memory:", 0, NULL) < 0 ||
        wb_store_open(&st_b, ":memory:", 0, NULL) < 0 || wb_signal_open(&a, st_a) < 0 ||
        wb_signal_open(&b, st_b) < 0)
        abort();
    wb_signal_bundle bb = {0};
    wb_signal_signed_prekey spk;
    wb_signal_prekey pk;
    unsigned n;
    if (wb_signal_signed_prekey_current(b, &spk) < 0 ||
        wb_signal_prekeys_for_upload(b, 1, &pk, &n) < 0)
        abort();
    bb.registration_id = wb_signal_registration_id(b);
    memcpy(bb.identity, wb_signal_identity_public(b), 32);
    bb.signed_prekey_id = spk.id;
    memcpy(bb.signed_prekey, spk.pub, 32);
    memcpy(bb.signed_prekey_signature, spk.signature, 64);
    bb.has_prekey = 1;
    bb.prekey_id = pk.id;
    memcpy(bb.prekey, pk.pub, 32);
    int type;
    wb_buf pt = WB_BUF_INIT, skdm = WB_BUF_INIT;
    if (wb_signal_session_from_bundle(a, "2.1", &bb, NULL) < 0 ||
        wb_signal_encrypt(a, "2.1", (const uint8_t *)texts[0], strlen(texts[0]), &msgs[0],
                          &type) < 0)
        abort();
    /* b takes a copy of the pkmsg for real, so the msg below is on an established session;
     * the fuzzer's pkmsg is then a redelivery and also a fresh-session attempt when edited */
    wb_buf first = WB_BUF_INIT;
    if (wb_signal_encrypt(a, "2.1", (const uint8_t *)"setup", 5, &first, &type) < 0 ||
        wb_signal_decrypt(b, "1.1", WB_SIGNAL_PKMSG, first.data, first.len, &pt, NULL) < 0)
        abort();
    wb_buf_reset(&pt);
    wb_buf_reset(&first);
    if (wb_signal_encrypt(b, "1.1", (const uint8_t *)"reply", 5, &first, &type) < 0 ||
        wb_signal_decrypt(a, "2.1", type, first.data, first.len, &pt, NULL) < 0 ||
        wb_signal_encrypt(a, "2.1", (const uint8_t *)texts[1], strlen(texts[1]), &msgs[1],
                          &type) < 0 ||
        type != WB_SIGNAL_MSG)
        abort();
    if (wb_signal_group_distribution(a, group, "1.1", &skdm) < 0 ||
        wb_signal_group_process_distribution(b, group, "1.1", skdm.data, skdm.len) < 0 ||
        wb_signal_group_encrypt(a, group, "1.1", (const uint8_t *)texts[2], strlen(texts[2]),
                                &msgs[2]) < 0)
        abort();
    wb_buf_free(&first);
    wb_buf_free(&pt);
    wb_buf_free(&skdm);
    digest(stored);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!a)
        setup();
    if (size < 1)
        return 0;
    unsigned which = data[0] % 3;
    wb_buf m = WB_BUF_INIT, pt = WB_BUF_INIT;
    if (data[0] & 0x80) {
        wb_buf_append(&m, data + 1, size - 1);
    } else {
        wb_buf_append(&m, msgs[which].data, msgs[which].len);
        for (size_t i = 1; i + 3 <= size; i += 3) {
            size_t off = ((size_t)data[i] << 8 | data[i + 1]) % (m.len + 1);
            if (off == m.len)
                m.len = data[i + 2] % (m.len + 1); /* truncate */
            else
                m.data[off] ^= data[i + 2];
        }
    }
    uint8_t after[32];
    if (wb_store_begin(st_b) < 0)
        abort();
    int rc = which == 2 ? wb_signal_group_decrypt(b, group, "1.1", m.data, m.len, &pt)
                        : wb_signal_decrypt(b, "1.1", which == 0 ? WB_SIGNAL_PKMSG : WB_SIGNAL_MSG,
                                            m.data, m.len, &pt, NULL);
    if (rc < 0) {
        if (pt.len != 0)
            abort();
        digest(after);
        if (memcmp(stored, after, 32) != 0)
            abort();
    } else if (pt.len != strlen(texts[which]) || memcmp(pt.data, texts[which], pt.len) != 0) {
        abort(); /* nothing but the original may decrypt */
    }
    if (wb_store_rollback(st_b) < 0)
        abort();
    wb_buf_free(&m);
    wb_buf_free(&pt);
    return 0;
}
