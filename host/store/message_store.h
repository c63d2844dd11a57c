/* Messages and their bookkeeping (migration 0002_client.sql). host/client calls these inside
 * the transactions it opens (the durability rule: a message's row commits together with the
 * ratchet state that decrypted it); the CLI reads through the listing functions. Each returns
 * 0 (or a count), WB_ENOTFOUND or WB_ESTORE; out-parameters are written only on success. */
#ifndef WB_STORE_MESSAGE_STORE_H
#define WB_STORE_MESSAGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

typedef struct wb_message_row {
    int64_t seq;        /* arrival order, the row's key */
    const char *chat;   /* user or group JID */
    const char *sender; /* the author's user JID */
    const char *id;
    int from_me;
    int64_t ts;         /* server time, seconds */
    int status;         /* WebMessageInfo.Status */
    const char *text;   /* text or caption, or NULL */
    const uint8_t *info;/* the WebMessageInfo bytes */
    size_t info_len;
} wb_message_row;

/* Stores a message once: *seq gets the new row's seq; when a row with the same (chat, sender,
 * id) exists, nothing is written, *seq gets that row's and WB_EEXIST is returned. pending says
 * whether its event is still to be handled (1 for received messages). */
int wb_store_message_add(wb_store *st, const wb_message_row *m, int pending, int64_t *seq);
/* 1 when (chat, sender, id) is stored, 0 when not, or an error. */
int wb_store_message_exists(wb_store *st, const char *chat, const char *sender, const char *id);
/* Raises a message's status (never lowers it: a read receipt may come before the delivery).
 * Returns 1 when it changed, 0 when not, or an error. */
int wb_store_message_status(wb_store *st, const char *chat, const char *id, int from_me,
                            int status);
/* Marks rows handled (their events no longer pending). */
int wb_store_messages_handled(wb_store *st, const int64_t *seqs, size_t n);
/* Calls fn for each row matching: chat NULL for all, pending_only for rows whose event is still
 * pending; from_seq: rows with seq >= from_seq; at most limit rows (0: all), newest first when
 * newest. The row's strings and bytes live during the call. Stops when fn returns non-zero
 * (returned). */
typedef struct wb_message_query {
    const char *chat;
    const char *id;
    int pending_only;
    int64_t from_seq;
    unsigned limit;
    int newest;
} wb_message_query;
int wb_store_messages_each(wb_store *st, const wb_message_query *q,
                           int (*fn)(void *ud, const wb_message_row *m), void *ud);

typedef struct wb_store_counts {
    int64_t messages, pending, contacts, chats;
} wb_store_counts;
int wb_store_count_all(wb_store *st, wb_store_counts *out);

#endif
