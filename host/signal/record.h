/* Session records: the Double Ratchet state of one session, and the record that keeps the current
 * state and the archived ones for one remote address. Parsed from and written to the opaque blobs
 * of the signal_sessions table (store/signal_store.h). Used by ratchet.c and session.c, and by the
 * record fuzz target.
 *
 * Record format (all integers big-endian; a compact format of our own, not libsignal's):
 *   u8 format (1), u8 count (1..1+WB_SIGNAL_MAX_PREV_STATES),
 *   count times: u32 length, then a state of that many bytes.
 * The first state is the current one; the rest are archived, newest first. Archived states are
 * carried as bytes and parsed only when a message needs them, so a steady conversation pays for
 * one state however many are archived.
 *
 * State format:
 *   u8 flags (1 our base key, 2 pending prekey, 4 pending has a one-time prekey id, 8 sending chain)
 *   u32 remote registration id, 32 remote identity, 32 base key, 32 root key,
 *   32 our ratchet public, 32 our ratchet private, 32 last remote ratchet key, u32 previous counter,
 *   [u32 signed prekey id, [u32 prekey id]]      with the pending flags
 *   [32 sending chain key, u32 next index]       with the sending flag
 *   u8 receiving chains (<= WB_SIGNAL_MAX_RECV_CHAINS), oldest first, each:
 *     32 remote ratchet key, u8 flags (1 open), [32 chain key] if open, u32 next index,
 *     u16 skipped keys (<= WB_SIGNAL_MAX_SKIPPED), each u32 index + 32 seed, indexes ascending
 *     and below the next index;
 *   u8 retired chains (<= WB_SIG_MAX_RETIRED), oldest first, each 32 remote ratchet key and u32
 *     next index: chains dropped from the state, remembered so that a replay on them is reported
 *     as a replay (WB_EDUPLICATE) rather than as a bad MAC.
 * Anything else (unknown flags, counts over the bounds, bytes left over) is WB_EMALFORMED. */
#ifndef WB_SIGNAL_RECORD_H
#define WB_SIGNAL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "crypto/curve.h"
#include "signal/chain.h"
#include "signal/signal.h"

#define WB_SIG_RECORD_FORMAT 1
#define WB_SIG_MAX_STATES (1 + WB_SIGNAL_MAX_PREV_STATES)
#define WB_SIG_MAX_RETIRED 5

typedef struct wb_sig_chain {
    uint8_t ratchet[32]; /* the remote ratchet public key the chain belongs to */
    int open;            /* 0 once the peer moved to a newer key: only skipped keys remain */
    uint8_t key[32];     /* the chain key that gives message key `next` (open chains) */
    uint32_t next;
    wb_sig_mkeys skipped; /* message keys below next not used yet */
} wb_sig_chain;

typedef struct wb_sig_state {
    int base_key_ours; /* we built the session from a bundle */
    uint32_t remote_registration_id;
    uint8_t remote_identity[32];
    uint8_t base_key[32];
    uint8_t root_key[32];
    wb_keypair ratchet; /* our current ratchet key pair */
    uint8_t last_remote_ratchet[32];
    uint32_t previous_counter;
    int pending;                /* we have not heard from the peer: send pkmsgs */
    uint32_t pending_signed_prekey_id;
    int pending_has_prekey;
    uint32_t pending_prekey_id;
    int has_sending;
    uint8_t send_key[32];
    uint32_t send_next;
    unsigned nrecv;
    wb_sig_chain recv[WB_SIGNAL_MAX_RECV_CHAINS + 1]; /* one spare during a ratchet step */
    unsigned nretired;
    struct {
        uint8_t ratchet[32];
        uint32_t next;
    } retired[WB_SIG_MAX_RETIRED];
} wb_sig_state;

/* A loaded record: the states as slices of the caller's bytes. */
typedef struct wb_sig_record {
    unsigned count;
    struct {
        const uint8_t *p;
        size_t len;
    } states[WB_SIG_MAX_STATES];
} wb_sig_record;

/* Splits record bytes into states (not parsing them). 0 or WB_ETRUNC / WB_EMALFORMED. */
int wb_sig_record_split(wb_sig_record *r, const uint8_t *data, size_t len, wb_error *err);
/* Parses one state. On success *s owns heap memory: release it with wb_sig_state_free. */
int wb_sig_state_parse(wb_sig_state *s, const uint8_t *data, size_t len, wb_error *err);
/* Appends the state's bytes to out. */
int wb_sig_state_write(wb_buf *out, const wb_sig_state *s);
/* Frees the skipped keys and zeroes the whole state. */
void wb_sig_state_free(wb_sig_state *s);

/* Appends a record to out: `first` (if not NULL) as state 0, then r's states in order with state
 * `replace` (an index into r, or -1) swapped for `replacement`, dropping whatever passes
 * WB_SIG_MAX_STATES. */
int wb_sig_record_write(wb_buf *out, const wb_buf *first, const wb_sig_record *r, int replace,
                        const wb_buf *replacement);

/* Parses every state of a record: the full check the fuzz target and tests use. */
int wb_sig_record_check(const uint8_t *data, size_t len, wb_error *err);

#endif
