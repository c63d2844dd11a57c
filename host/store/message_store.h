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
    const char *target; /* a reaction, edit, revoke or vote: the id of the message it changes */
    int revoked;        /* deleted for everyone: info and text no longer hold its content */
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
/* Rewrites a row's text and WebMessageInfo (a reaction, edit, revoke or vote applied to it);
 * revoked marks it deleted for everyone. The full-text index follows the text. */
int wb_store_message_rewrite(wb_store *st, int64_t seq, const char *text, const uint8_t *info,
                             size_t info_len, int revoked);
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
    const char *sender;  /* rows by this author only (NULL: any) */
    int64_t after;       /* rows with ts >= after (0: any) */
    const char *target;  /* rows that change the message with this id in chat (NULL: any) */
    int no_changes;      /* leave out reactions, edits, revokes and votes (rows with a target) */
} wb_message_query;
int wb_store_messages_each(wb_store *st, const wb_message_query *q,
                           int (*fn)(void *ud, const wb_message_row *m), void *ud);

/* Full-text search (search.c, the FTS5 index of migrations 0004 and 0005): rows whose text has every word
 * of query (case and accents folded; a word ending in '*' matches as a prefix; quotes and FTS
 * operators in it are taken as text), newest first, with the filters of wb_message_query
 * (chat, sender, after, limit; 0 limit: 20). fn as for wb_store_messages_each. Returns 0,
 * WB_EINVAL (a query without a word) or WB_ESTORE. */
typedef struct wb_message_search {
    const char *query;
    const char *chat, *sender;
    int64_t after;
    unsigned limit;
} wb_message_search;
int wb_store_messages_search(wb_store *st, const wb_message_search *q,
                             int (*fn)(void *ud, const wb_message_row *m), void *ud);
/* Adds the rows stored since the last call to the search index, oldest first, at most max of
 * them (0: all), in one transaction of its own (nested in the caller's if one is open); *more says
 * whether rows remain. The client calls it when it has nothing else to do, so that receiving
 * never waits for indexing; a search indexes whatever is left first. Returns 0 or WB_ESTORE. */
int wb_store_search_index(wb_store *st, unsigned max, int *more);
/* The FTS5 query string for query's words into out (see above). Returns 0 or WB_EINVAL. */
int wb_store_fts_query(const char *query, wb_buf *out);

typedef struct wb_store_counts {
    int64_t messages, pending, contacts, chats;
} wb_store_counts;
int wb_store_count_all(wb_store *st, wb_store_counts *out);

#endif
