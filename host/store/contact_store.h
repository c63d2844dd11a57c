/* People and chats (migration 0002_client.sql): contacts with their push names and LIDs, and
 * the chat list. host/client calls these; each is one statement inside whatever transaction is
 * open, returning 0, WB_ENOTFOUND or WB_ESTORE. JIDs are user JIDs without a device
 * ("155...@s.whatsapp.net", "100...@lid", "120...@g.us"). */
#ifndef WB_STORE_CONTACT_STORE_H
#define WB_STORE_CONTACT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define WB_CONTACT_JID_MAX 128
#define WB_CONTACT_NAME_MAX 128

/* Records that the phone-number user pn and the LID user lid are the same person. */
int wb_store_contact_lid_put(wb_store *st, const char *pn, const char *lid, int64_t now);
/* The phone-number user JID of a LID user JID, into out (WB_CONTACT_JID_MAX). */
int wb_store_contact_pn_of(wb_store *st, const char *lid, char *out);
/* The LID user JID of a phone-number user JID. */
int wb_store_contact_lid_of(wb_store *st, const char *pn, char *out);
/* Sets a contact's push name. Returns 1 when it changed (a contacts.upsert is due), 0 when it
 * was already that, or an error. */
int wb_store_contact_name_put(wb_store *st, const char *jid, const char *name, int64_t now);

typedef struct wb_contact_row {
    char jid[WB_CONTACT_JID_MAX];
    char lid[WB_CONTACT_JID_MAX];
    char name[WB_CONTACT_NAME_MAX];
} wb_contact_row;
/* Calls fn for every contact (ordered by jid) until it returns non-zero (returned). */
int wb_store_contacts_each(wb_store *st, int (*fn)(void *ud, const wb_contact_row *c), void *ud);

/* Makes the chat if new and moves its last activity to ts (never back). Returns 1 when the
 * chat is new, 0, or an error. */
int wb_store_chat_touch(wb_store *st, const char *jid, int64_t ts, int unread);
int wb_store_chat_name_put(wb_store *st, const char *jid, const char *name);
/* Sets a chat's disappearing-messages timer (seconds, 0 off) as of ts, unless a later setting is
 * stored. Returns 1 when it changed, 0, or an error. */
int wb_store_chat_ephemeral_put(wb_store *st, const char *jid, uint32_t expiration, int64_t ts);

typedef struct wb_chat_row {
    char jid[WB_CONTACT_JID_MAX];
    char name[WB_CONTACT_NAME_MAX]; /* a group's subject, else the contact's push name */
    int64_t last_ts;
    int64_t unread;
    uint32_t ephemeral;             /* seconds; 0 off */
    int64_t messages;               /* stored rows (reactions, edits... included) */
} wb_chat_row;
/* Calls fn for every chat, the most recently active first, until it returns non-zero. */
int wb_store_chats_each(wb_store *st, int (*fn)(void *ud, const wb_chat_row *c), void *ud);

#endif
