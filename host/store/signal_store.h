/* The Signal protocol's tables (migration 0001_signal.sql): our identity, remote identities,
 * one-time and signed prekeys, session records and sender-key records.
 *
 * host/signal calls these; nothing else should. Records are opaque blobs here: host/signal owns
 * their format and checks them when it loads them. Every function is one cached statement, runs
 * inside whatever transaction is open (store.h) and returns 0, WB_ENOTFOUND for a missing row,
 * or WB_ESTORE. Out-parameters are written only on success. Addresses are Signal address strings
 * ("user[_domain].device"), group ids are the group JID strings. Every write of a session or
 * sender-key record (put or delete) moves wb_store_epoch, which host/signal's record cache
 * watches. */
#ifndef WB_STORE_SIGNAL_STORE_H
#define WB_STORE_SIGNAL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

typedef struct wb_store_signal_local {
    uint32_t registration_id;
    uint8_t identity_pub[32];
    uint8_t identity_priv[32];
    uint32_t next_prekey_id;   /* the id the next generated one-time prekey gets */
    uint32_t signed_prekey_id; /* the current signed prekey */
} wb_store_signal_local;

int wb_store_signal_local_get(wb_store *st, wb_store_signal_local *out);
int wb_store_signal_local_put(wb_store *st, const wb_store_signal_local *local);

/* The identity key stored for addr. */
int wb_store_identity_get(wb_store *st, const char *addr, uint8_t key[32]);
int wb_store_identity_put(wb_store *st, const char *addr, const uint8_t key[32]);

/* One-time prekeys. put replaces a key with the same id (ids wrap after 0xFFFFFE). */
int wb_store_prekey_get(wb_store *st, uint32_t id, uint8_t pub[32], uint8_t priv[32]);
int wb_store_prekey_put(wb_store *st, uint32_t id, const uint8_t pub[32], const uint8_t priv[32]);
/* Removes the key (no error if it was not there). */
int wb_store_prekey_remove(wb_store *st, uint32_t id);
int wb_store_prekey_mark_uploaded(wb_store *st, uint32_t id);
/* Counts the stored keys: all of them, or only the uploaded ones. Returns the count or WB_ESTORE. */
int wb_store_prekey_count(wb_store *st, int uploaded_only);
/* Up to max keys not yet uploaded, lowest id first: ids[i], pubs[i]. *n receives the count. */
int wb_store_prekeys_unuploaded(wb_store *st, unsigned max, uint32_t *ids, uint8_t (*pubs)[32],
                                unsigned *n);

int wb_store_signed_prekey_get(wb_store *st, uint32_t id, uint8_t pub[32], uint8_t priv[32],
                               uint8_t sig[64]);
int wb_store_signed_prekey_put(wb_store *st, uint32_t id, const uint8_t pub[32],
                               const uint8_t priv[32], const uint8_t sig[64], int64_t created_at);
/* Removes the signed prekeys other than the keep newest ones (by creation time, then id). */
int wb_store_signed_prekey_prune(wb_store *st, unsigned keep);

/* Session records. get appends the record to out (which the caller has reset). */
int wb_store_session_get(wb_store *st, const char *addr, wb_buf *out);
int wb_store_session_put(wb_store *st, const char *addr, const uint8_t *rec, size_t len);
int wb_store_session_delete(wb_store *st, const char *addr);

/* Sender-key records, one per (group, sender). */
int wb_store_sender_key_get(wb_store *st, const char *group, const char *sender, wb_buf *out);
int wb_store_sender_key_put(wb_store *st, const char *group, const char *sender,
                            const uint8_t *rec, size_t len);
int wb_store_sender_key_delete(wb_store *st, const char *group, const char *sender);

#endif
