/* The companion device's own row (migration 0002_client.sql): its Noise key, the adv secret its
 * QR carries, and what linking granted (JIDs, names, the ADV identity). host/client calls these;
 * every function is one statement inside whatever transaction is open (store.h) and returns 0,
 * WB_ENOTFOUND (no device row yet) or WB_ESTORE. Out-parameters are written only on success.
 * The row holds secrets (the Noise private key, the adv secret): callers zero their copies. */
#ifndef WB_STORE_DEVICE_STORE_H
#define WB_STORE_DEVICE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum wb_device_state {
    WB_DEVICE_UNLINKED = 0,   /* keys made, not linked (yet) */
    WB_DEVICE_LINKED = 1,
    WB_DEVICE_LOGGED_OUT = 2, /* the server said 401/403: the phone removed us */
};

#define WB_DEVICE_JID_MAX 128
#define WB_DEVICE_NAME_MAX 128

typedef struct wb_device_row {
    uint8_t noise_pub[32], noise_priv[32];
    uint8_t adv_secret[32];
    int state;                      /* enum wb_device_state */
    char jid[WB_DEVICE_JID_MAX];    /* "" until linked */
    char lid[WB_DEVICE_JID_MAX];
    char name[WB_DEVICE_NAME_MAX];
    char platform[32];
    uint8_t adv_details[64];        /* wa/adv.h's identity */
    size_t adv_details_len;
    uint8_t adv_account_key[32], adv_account_sig[64], adv_device_sig[64];
    uint32_t key_index;
    int64_t linked_at;
} wb_device_row;

int wb_store_device_get(wb_store *st, wb_device_row *out);
/* Writes the whole row (insert or replace). */
int wb_store_device_put(wb_store *st, const wb_device_row *d);
/* Changes only the state column. */
int wb_store_device_set_state(wb_store *st, int state);
/* Forgets this device's keys: the device row, Signal's state (identity, prekeys, sessions,
 * sender keys) and which groups have our sender key, in one transaction. Messages, contacts
 * and chats stay. */
int wb_store_device_wipe(wb_store *st);

#endif
