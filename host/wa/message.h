/* Messages on the wire (NOTES §6.1, §6.2, §6.4): the stanza a client sends, one <enc> per
 * recipient device, and the stanza the server delivers to each device.
 *
 *   sent       <message id to type [addressing_mode] [edit] [category] [participant] [recipient]
 *              [device_fanout]>[<enc type="skmsg"/>][<participants><to jid><enc v="2"
 *              type="pkmsg|msg" [mediatype] [decrypt-fail]/></to>...</participants>]
 *              [<device-identity/>][<meta polltype/>]
 *              (1:1: one <to> per device of the peer and of our own other devices; groups: the
 *              sender-key message, then <to> for devices that lack the sender key; a retry
 *              resend names one device by `to` or `participant` and carries its <enc> directly)
 *   delivered  <message from id t type [notify] [participant participant_lid|participant_pn]
 *              [sender_lid|sender_pn] [recipient] [addressing_mode] [edit] [category] [offline]>
 *              <enc/>...[<device-identity/>]</message>
 *              (from is the sender's device in a 1:1, the group in a group, with participant the
 *              sender's device; in a group the device's own <enc>, which carries the sender key,
 *              comes before skmsg, as Baileys decrypts them in order)
 *
 * The server acks a sent message with <ack class="message" id from t [error] [phash]>; a client
 * NACKs a delivered one it cannot handle: both are wa/receipt.h's wb_wa_ack.
 *
 * The client builds what it sends and reads what is delivered; the simulator reads what clients
 * send and builds what it delivers. Readers leave strings and bytes pointing into the node and
 * put arrays in the arena they are given. */
#ifndef WB_WA_MESSAGE_H
#define WB_WA_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"
#include "wa/receipt.h"

#define WB_WA_MESSAGE_ID_LEN 22      /* "3EB0" and 18 hex digits */
#define WB_WA_MESSAGE_TARGETS_MAX 2048 /* <to> in one message (1024 members x their devices) */

/* A fresh message id as Baileys' generateMessageIDV2 makes it: "3EB0" and the first 18 hex
 * digits (upper case) of SHA-256(be64 now | me's user "@c.us" in 20 bytes | 16 random bytes).
 * me may be NULL. */
void wb_wa_message_id_new(char out[WB_WA_MESSAGE_ID_LEN + 1], const wb_jid *me, int64_t now);
/* The same with the 16 random bytes given (for tests). */
void wb_wa_message_id_of(char out[WB_WA_MESSAGE_ID_LEN + 1], const wb_jid *me, int64_t now,
                         const uint8_t random[16]);

/* One <enc>: a Signal ciphertext for one device (pkmsg, msg) or for a group (skmsg). */
typedef struct wb_wa_enc {
    const char *type;         /* "pkmsg", "msg", "skmsg" */
    const uint8_t *data;
    size_t len;
    const char *v;            /* the version; NULL writes "2" */
    const char *mediatype;    /* NULL: none */
    const char *decrypt_fail; /* "hide", or NULL */
    uint32_t count;           /* a retry resend's count (0: none) */
} wb_wa_enc;

/* ---- what a client sends ----------------------------------------------------------------- */

typedef struct wb_wa_target {
    wb_jid jid;      /* the device */
    int has_enc;
    wb_wa_enc enc;
} wb_wa_target;

typedef struct wb_wa_message_send {
    const char *id;
    wb_jid to;                    /* the chat, or one device for a 1:1 resend */
    const char *type;             /* "text", "media", "reaction", "poll", ... */
    wb_jid participant;           /* a group resend: the one device it is for */
    wb_jid recipient;             /* a resend to our own device: the chat */
    const char *addressing_mode;  /* groups: "pn" or "lid" */
    const char *edit, *category, *expiration, *device_fanout; /* NULL: none */
    const wb_wa_enc *encs;        /* direct <enc> children: skmsg, or a resend's */
    size_t nencs;
    const wb_wa_target *targets;  /* <participants><to>, in order */
    size_t ntargets;
    const uint8_t *identity;      /* <device-identity> (with any pkmsg), NULL: none */
    size_t identity_len;
    const uint8_t *reporting_token; /* <reporting> (wa/reporting.h), NULL: none */
    const char *poll_type;        /* <meta polltype>: "creation", "vote" (wa/content.h); NULL */
} wb_wa_message_send;

/* The <message> m describes: attributes, encs, <participants> (when m has targets), identity,
 * reporting token. */
wb_node *wb_wa_message_send_new(wb_arena *a, const wb_wa_message_send *m);
/* Reads a client's <message> (targets go to arena a). Returns 0, WB_EPROTO / WB_EMALFORMED (no
 * id or one over WB_WA_ID_MAX bytes, no valid `to`, a <to> without a valid jid, an <enc> without
 * type or bytes; err says which), WB_ETOOBIG (over WB_WA_MESSAGE_TARGETS_MAX <to>) or WB_ENOMEM.
 * A <to> without <enc> is read with has_enc 0. */
int wb_wa_message_send_read(const wb_node *n, wb_arena *a, wb_wa_message_send *out, wb_error *err);

/* ---- what the server delivers -------------------------------------------------------------- */

typedef struct wb_wa_message {
    const char *id;
    wb_jid from;                      /* the sender's device, or the group / broadcast */
    wb_jid participant;               /* groups: the sender's device */
    wb_jid participant_lid, participant_pn; /* groups: the sender in the other addressing */
    wb_jid sender_lid, sender_pn;     /* 1:1: likewise */
    wb_jid recipient;                 /* own-device copies of a 1:1: the chat */
    const char *addressing_mode;      /* NULL: none */
    const char *type;                 /* "text", "media", ... */
    const char *edit, *category, *expiration;
    const char *notify;               /* the sender's push name */
    int64_t t;                        /* the server's time */
    int offline;                      /* delivered from the offline queue */
    const wb_wa_enc *encs;            /* in order */
    size_t nencs;
    const uint8_t *identity;          /* <device-identity>, NULL: none */
    size_t identity_len;
    /* set by the reader, ignored by the builder */
    wb_jid chat;                      /* the group or broadcast, the recipient of an own-device
                                       * copy, else the sender's user JID */
    wb_jid sender;                    /* the sending device: participant when set, else from */
} wb_wa_message;

/* The delivered <message> m describes (encs in m's order, then the identity). */
wb_node *wb_wa_message_new(wb_arena *a, const wb_wa_message *m);
/* Reads a delivered <message> (encs go to arena a). Returns 0, WB_EPROTO / WB_EMALFORMED (no id,
 * from or t, a group message without participant, a bad JID, an <enc> without type or bytes) or
 * WB_ENOMEM. */
int wb_wa_message_read(const wb_node *n, wb_arena *a, wb_wa_message *out, wb_error *err);

#endif
