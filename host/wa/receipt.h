/* Receipts and acks (NOTES §6.2, §6.3).
 *
 * A receipt says what a device did with messages: got them (no type; "inactive" while the
 * client is not online), read ("read", or "read-self" when read receipts are off), played,
 * copied to its own devices ("sender"), or could not decrypt one ("retry"). Clients send them
 * `to` the chat (or the sender device), the server routes them `from` the reader:
 *
 *   client  <receipt id to [participant] [recipient] [type] [t]>[<list><item id/>...</list>]
 *   server  <receipt from id t [participant] [recipient] [type]>[<list>...</list>]
 *   retry   <receipt id type="retry" to|from [participant] [recipient]>
 *             <retry count id t v="1" error="0"/><registration>u32</registration>
 *             [<keys><type>05</type><identity/><key/><skey/><device-identity/></keys>]
 *
 * (keys from the second try on, as Baileys' messages-recv.js sendRetryRequest builds them: a
 * bundle the message's sender may start a fresh session from).
 *
 * An ack closes a stanza's delivery: the server acks what a client sends (<ack class="message"
 * id from t [error] [phash]>, <ack class="receipt" id from [type]>); a client acks what the server
 * delivers except messages it decrypted (<ack id to class [type] [participant] [recipient]
 * [from]>, Baileys' Utils/stanza-ack.js), and NACKs a message it cannot handle with error.
 *
 * Builders return new nodes in the arena given; readers leave strings pointing into the node and
 * put arrays in the arena given. */
#ifndef WB_WA_RECEIPT_H
#define WB_WA_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"
#include "signal/signal.h"

#define WB_WA_RECEIPT_IDS_MAX 1024 /* ids in one receipt (the id and its <list>) */
#define WB_WA_ID_MAX 128           /* bytes of a message or stanza id (real ones are ~32) */

/* The <retry> of a retry receipt. */
typedef struct wb_wa_retry {
    uint32_t count; /* 1 for the first try */
    const char *id; /* the message's id */
    int64_t t;      /* the message's t (0: none) */
    int error;      /* the error attribute (Baileys sends 0) */
} wb_wa_retry;

typedef struct wb_wa_receipt {
    const char *const *ids;    /* ids[0] is the id attribute, ids[1..] the <list> */
    size_t nids;
    wb_jid to;                 /* set by clients */
    wb_jid from;               /* set by the server */
    wb_jid participant;        /* groups: the message's sender (client) or the reader (server) */
    wb_jid recipient;          /* own-device copies: the chat */
    const char *type;          /* NULL: a delivery receipt */
    int64_t t;                 /* 0: none */
    /* retry receipts */
    int has_retry;
    wb_wa_retry retry;
    int has_registration;
    uint32_t registration_id;
    int has_keys;              /* <keys>: then keys holds a bundle (registration_id included) */
    wb_signal_bundle keys;
    const uint8_t *device_identity; /* <keys><device-identity>, NULL when none */
    size_t device_identity_len;
} wb_wa_receipt;

/* A <receipt> with r's attributes and children (JIDs that are empty are left out). */
wb_node *wb_wa_receipt_new(wb_arena *a, const wb_wa_receipt *r);
/* Reads a <receipt>. ids go to arena a. Structure only: the session layer checks the keys'
 * signature. Returns 0, WB_EPROTO / WB_EMALFORMED (no id, an item without one, a bad JID or
 * key; err says which), WB_ETOOBIG (over WB_WA_RECEIPT_IDS_MAX ids) or WB_ENOMEM. */
int wb_wa_receipt_read(const wb_node *n, wb_arena *a, wb_wa_receipt *out, wb_error *err);
/* 1 when the receipt's type is one of "retry" and "enc_rekey_retry". */
int wb_wa_receipt_is_retry(const wb_wa_receipt *r);

/* ---- acks ------------------------------------------------------------------------------------ */

typedef struct wb_wa_ack {
    const char *id;
    const char *cls;      /* the class: message, receipt, notification, call */
    const char *type;     /* NULL: none */
    wb_jid from, to;      /* server acks carry from, client acks to */
    wb_jid participant, recipient;
    int64_t t;            /* the server's time of a message (0: none) */
    int error;            /* 0: none */
    const char *phash;    /* whatsmeow's participant hash (NULL: none) */
} wb_wa_ack;

/* An <ack> with k's attributes. */
wb_node *wb_wa_ack_new(wb_arena *a, const wb_wa_ack *k);
/* A client's ack of a stanza it received, as Baileys' buildAckStanza: id, to=<its from>,
 * class=<its tag>, its participant, recipient and type, error when not 0, and from=me for a
 * message (me may be NULL). */
wb_node *wb_wa_ack_for(wb_arena *a, const wb_node *stanza, int error, const wb_jid *me);
/* Reads an <ack>. Returns 0 or WB_EPROTO / WB_EMALFORMED (no id or class, a bad JID or
 * number). */
int wb_wa_ack_read(const wb_node *n, wb_wa_ack *out, wb_error *err);

#endif
