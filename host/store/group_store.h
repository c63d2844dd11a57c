/* Group bookkeeping of the client (migration 0002_client.sql): which device addresses already
 * hold our sender key for a group (Baileys' sender-key-memory), so a group message carries the
 * distribution message only to devices that lack it. Each function is one statement inside
 * whatever transaction is open, returning 0 (or 1/0 for has), or WB_ESTORE. */
#ifndef WB_STORE_GROUP_STORE_H
#define WB_STORE_GROUP_STORE_H

#include "store/store.h"

/* 1 when address has our sender key for group, 0 when not, or WB_ESTORE. */
int wb_store_sender_key_sent_has(wb_store *st, const char *group, const char *address);
int wb_store_sender_key_sent_add(wb_store *st, const char *group, const char *address);
/* Forgets every address of group (our sender key for it was replaced). */
int wb_store_sender_key_sent_clear(wb_store *st, const char *group);

#endif
