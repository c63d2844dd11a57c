/* The write-through cache of decoded session records (signal_int.h), so a steady conversation
 * does not read and parse its record at every message: the record is still written, in the same
 * transaction, at every message. Called by session.c (records), group.c (sender-key writes, which
 * keep the cache in step) and keys.c (close).
 *
 * Validity is the store's epoch (store.h): it moves at every rollback and every record write.
 * cache_epoch is the value after our own last write; if the store's differs, something we did
 * not do (a rollback, a write by a test or another wb_signal) may have changed a record, and the
 * whole cache goes. An entry is taken out while a call works on it, so a failed call, whose
 * state may be half-changed, never leaves it behind. */
#include <string.h>

#include "core/mem.h"
#include "signal/signal_int.h"
#include "store/signal_store.h"

static uint64_t hash_of(const char *addr) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *addr; addr++)
        h = (h ^ (uint8_t)*addr) * 0x100000001b3ull;
    return h ? h : 1;
}

/* Empties a slot, keeping its (zeroed) buffer for the next record. */
static void release(wb_sig_cached *c) {
    if (c->rec.data && !c->rec.err)
        wb_zero(c->rec.data, c->rec.len);
    wb_buf_reset(&c->rec);
    wb_sig_state_free(&c->st);
    c->hash = 0;
    c->last_used = 0;
    wb_zero(c->addr, sizeof c->addr);
}

/* Empties a slot and frees its buffer. */
static void drop(wb_sig_cached *c) {
    release(c);
    wb_buf_free_secret(&c->rec);
}

void wb_sig_cache_clear(wb_signal *s) {
    for (unsigned i = 0; i < WB_SIG_CACHE_SLOTS; i++)
        drop(&s->cache[i]);
}

/* Empties every slot, keeping the buffers. */
static void invalidate(wb_signal *s) {
    for (unsigned i = 0; i < WB_SIG_CACHE_SLOTS; i++)
        if (s->cache[i].hash)
            release(&s->cache[i]);
}

/* Drops everything if the store changed behind our back; then we are in step again. */
static void sync_epoch(wb_signal *s) {
    uint64_t e = wb_store_epoch(s->st);
    if (e != s->cache_epoch) {
        invalidate(s);
        s->cache_epoch = e;
    }
}

static wb_sig_cached *find(wb_signal *s, const char *addr) {
    sync_epoch(s);
    uint64_t h = hash_of(addr);
    for (unsigned i = 0; i < WB_SIG_CACHE_SLOTS; i++)
        if (s->cache[i].hash == h && strcmp(s->cache[i].addr, addr) == 0)
            return &s->cache[i];
    return NULL;
}

int wb_sig_cache_take(wb_signal *s, const char *addr, wb_sig_state *st) {
    wb_sig_cached *c = find(s, addr);
    if (!c)
        return 0;
    wb_buf t = s->rec;
    s->rec = c->rec;
    c->rec = t;
    *st = c->st;
    memset(&c->st, 0, sizeof c->st); /* moved, not copied: the skipped keys went with it */
    release(c);                      /* zeroes what s->rec held before */
    return 1;
}

int wb_sig_cache_has(wb_signal *s, const char *addr) { return find(s, addr) != NULL; }

void wb_sig_cache_put(wb_signal *s, const char *addr, wb_buf *rec, wb_sig_state *st) {
    wb_sig_cached *c = find(s, addr);
    if (!c) { /* a free slot, else the least recently used */
        c = &s->cache[0];
        for (unsigned i = 0; i < WB_SIG_CACHE_SLOTS && c->hash; i++)
            if (!s->cache[i].hash || s->cache[i].last_used < c->last_used)
                c = &s->cache[i];
    }
    if (c->hash)
        release(c);
    if (rec->err || strlen(addr) >= sizeof c->addr) {
        wb_sig_state_free(st);
        return;
    }
    c->hash = hash_of(addr);
    c->last_used = ++s->cache_clock;
    memcpy(c->addr, addr, strlen(addr) + 1);
    wb_buf t = c->rec; /* empty (its bytes zeroed), but keeps its allocation for *rec's reuse */
    c->rec = *rec;
    *rec = t;
    c->st = *st;
    memset(st, 0, sizeof *st);
}

/* After a record write of ours: still in step if we were just before it. */
static int wrote(wb_signal *s, uint64_t before, int rc) {
    if (before == s->cache_epoch)
        s->cache_epoch = wb_store_epoch(s->st);
    return rc;
}

int wb_sig_put_session(wb_signal *s, const char *addr, const uint8_t *rec, size_t len) {
    wb_sig_cached *c = find(s, addr); /* normally taken already */
    if (c)
        release(c);
    uint64_t before = wb_store_epoch(s->st);
    return wrote(s, before, wb_store_session_put(s->st, addr, rec, len));
}

int wb_sig_put_sender_key(wb_signal *s, const char *group, const char *sender, const uint8_t *rec,
                          size_t len) {
    sync_epoch(s);
    uint64_t before = wb_store_epoch(s->st);
    return wrote(s, before, wb_store_sender_key_put(s->st, group, sender, rec, len));
}
