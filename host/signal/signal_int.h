/* host/signal's private parts, shared by keys.c, session.c and group.c. */
#ifndef WB_SIGNAL_SIGNAL_INT_H
#define WB_SIGNAL_SIGNAL_INT_H

#include <stdint.h>

#include "core/buf.h"
#include "crypto/curve.h"
#include "signal/record.h"
#include "signal/signal.h"
#include "store/store.h"

/* One cached session record (cache.c): its bytes exactly as stored and its first state parsed. */
typedef struct wb_sig_cached {
    uint64_t hash; /* of addr, 0 for a free slot */
    uint64_t last_used;
    char addr[WB_SIGNAL_ADDR_MAX];
    wb_buf rec;
    wb_sig_state st;
} wb_sig_cached;

#define WB_SIG_CACHE_SLOTS 32

struct wb_signal {
    wb_store *st;
    uint32_t registration_id;
    wb_keypair identity;
    /* scratch buffers reused by every call, so a steady conversation allocates nothing */
    wb_buf rec;   /* the record as loaded */
    wb_buf state; /* one state being written */
    wb_buf out;   /* the record being written */
    wb_buf msg;   /* a message being built */
    /* Decoded session records of recent addresses, written through: each is what the database
     * holds as long as wb_store_epoch equals cache_epoch (cache.c). */
    uint64_t cache_epoch, cache_clock;
    wb_sig_cached cache[WB_SIG_CACHE_SLOTS];
};

/* The session cache (cache.c). The rule that keeps it true: an entry is taken out (owned by the
 * call) before its state is changed, and put back only after the call's own write of exactly
 * those bytes; anything else that may have changed stored records (a rollback, a write not made
 * through these functions) shows as a change of wb_store_epoch, and the whole cache is dropped.
 *
 * Takes addr's record out of the cache: 1 with s->rec holding its bytes and *st its first state
 * (the caller owns it), or 0 if it is not cached (s->rec untouched). */
int wb_sig_cache_take(wb_signal *s, const char *addr, wb_sig_state *st);
/* 1 if addr's record is cached (and still valid). */
int wb_sig_cache_has(wb_signal *s, const char *addr);
/* Caches addr's record after the call wrote it: *rec (its bytes as written; swapped with a
 * cleared buffer) and st (its first state, moved: *st is left zeroed). */
void wb_sig_cache_put(wb_signal *s, const char *addr, wb_buf *rec, wb_sig_state *st);
/* Writes a session or sender-key record through the store, keeping the cache in step (a record
 * write of ours does not invalidate it; addr's own entry, if still there, is dropped). */
int wb_sig_put_session(wb_signal *s, const char *addr, const uint8_t *rec, size_t len);
int wb_sig_put_sender_key(wb_signal *s, const char *group, const char *sender, const uint8_t *rec,
                          size_t len);
/* Drops every entry, zeroing it. */
void wb_sig_cache_clear(wb_signal *s);

/* Ends the transaction level a public call opened: commit if rc is 0, else roll back. Returns rc,
 * or the commit's error. */
int wb_signal_finish(wb_signal *s, int rc);
/* The same, and on failure takes back (zeroed) whatever the call appended to out past start. */
int wb_signal_finish_out(wb_signal *s, int rc, wb_buf *out, size_t start);

#endif
