/* Sender-key records: the group chains of one (group, sender) pair, as stored in the
 * signal_sender_keys table. Parsed and written by group.c; checked by the record fuzz target.
 *
 * Record format (big-endian; our own, not Baileys' JSON):
 *   u8 format (1), u8 count (<= WB_SIGNAL_MAX_SENDER_STATES), states newest first, each:
 *     u32 key id, u8 flags (1: has the signing private key, i.e. it is our own),
 *     u32 iteration (of the next message key), 32 chain key, 32 signing public key,
 *     [32 signing private key], then the skipped keys as chain.h writes them (indexes below the
 *     iteration). */
#ifndef WB_SIGNAL_SENDER_KEY_H
#define WB_SIGNAL_SENDER_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "signal/chain.h"
#include "signal/signal.h"

#define WB_SIG_SENDER_FORMAT 1

typedef struct wb_sig_sender_state {
    uint32_t key_id;
    int has_private;
    uint32_t iteration;
    uint8_t chain_key[32];
    uint8_t signing_pub[32];
    uint8_t signing_priv[32];
    wb_sig_mkeys skipped;
} wb_sig_sender_state;

typedef struct wb_sig_sender_record {
    unsigned count;
    wb_sig_sender_state states[WB_SIGNAL_MAX_SENDER_STATES + 1]; /* one spare while adding */
} wb_sig_sender_record;

/* Parses a record; on success r owns heap memory (wb_sig_sender_record_free). */
int wb_sig_sender_record_parse(wb_sig_sender_record *r, const uint8_t *data, size_t len,
                               wb_error *err);
int wb_sig_sender_record_write(wb_buf *out, const wb_sig_sender_record *r);
/* Frees and zeroes; safe on an empty (zeroed) record. */
void wb_sig_sender_record_free(wb_sig_sender_record *r);

#endif
