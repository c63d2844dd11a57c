/* The client's private parts, shared by the files of host/client (client.h is the contract).
 *
 *   client.c        life, the connection state machine, deadlines, keepalive, reconnection
 *   conn.c          the socket's bytes: Noise, stanza decode, dispatch table, sending nodes
 *   events.c        the event queue (delivered at the end of each entry point)
 *   login.c         <success>/<failure>, the steps to open (prekey count and upload, active,
 *                   digest), presence
 *   pair.c          linking: pair-device and QR rotation, pair-success, pairing code
 *   prekeys.c       prekey uploads and the low-prekey notification
 *   inbox.c         <message>s held for the loop turn; their group signatures checked on
 *                   several cores before recv.c takes them in order
 *   recv.c          <message>: decrypt, store, receipt, event (batched per loop turn)
 *   receipt.c       receipts both ways, acks of notifications and receipts
 *   notify.c        <notification> by type
 *   usync.c         device lists (cached), LID mappings
 *   send.c          the send pipeline: devices, bundles, encryption, stanza, ack
 *   retry.c         retry receipts both ways
 *   groups.c        each group's members, cached for the send path; our sender key replaced
 *   group_events.c  w:gp2 notifications: the member cache, the chat, and Baileys' group events
 *   group_admin.c   the w:g2 calls of client.h (create, metadata, participants, invites...)
 *   lookup.c        onWhatsApp (usync contact) and profile pictures (w:profile:picture)
 *   calls.c         those calls' IQs and their completions (queued to the end of the turn)
 *   presence.c      presence and chat states, both ways
 *   kinds.c         message kinds: building them, and reactions, edits, revokes, votes and
 *                   disappearing timers applied to stored rows, with their events
 *   media.c         media_conn (cached), media messages built and read
 *   media_host.c    media up and down on the loop (host.h), with host/media
 *
 * One thread. Every entry point of client.h sets c->now, does its work, then flushes the event
 * queue (events.c) before returning, so handlers never run while the client is in the middle
 * of a stanza. */
#ifndef WB_CLIENT_CLIENT_INT_H
#define WB_CLIENT_CLIENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "client/client.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/strmap.h"
#include "crypto/curve.h"
#include "net/noise_conn.h"
#include "signal/signal.h"
#include "store/device_store.h"
#include "wa/adv.h"
#include "wa/group.h"
#include "wa/iq.h"
#include "wa/pair_code.h"

#define WB_CLIENT_REFS_MAX 8
#define WB_CLIENT_QR_FIRST_MS 60000 /* the first QR lives 60 s, the others 20 s (NOTES §3.1) */
#define WB_CLIENT_QR_NEXT_MS 20000

/* Where the connection is. */
enum wb_client_state {
    WB_ST_IDLE = 0,     /* no socket; reconnect_at says when to ask for one (or never) */
    WB_ST_CONNECTING,   /* io.connect asked, waiting for wb_client_on_open */
    WB_ST_HANDSHAKE,    /* Noise handshake in progress */
    WB_ST_REGISTERING,  /* a registration payload went out: pairing */
    WB_ST_LOGGING_IN,   /* a login payload went out: waiting for <success> and the steps */
    WB_ST_OPEN,         /* logged in, connection.update open sent */
    WB_ST_CLOSING,      /* io.close asked, waiting for wb_client_on_close */
};

/* ---- the event queue (events.c) ---------------------------------------------------------------- */

typedef struct wb_client_evq {
    wb_client_event *v;
    size_t n, cap, next;      /* next: the first not yet delivered */
    wb_arena arena;           /* strings and arrays of the queued events */
    int delivering;
} wb_client_evq;

/* Queues an event. Strings and arrays it points to must live in c->evq.arena (see the helpers
 * below); messages' WebMessageInfo objects become the queue's and are freed after delivery. */
void wb_client_emit(wb_client *c, const wb_client_event *ev);
/* A copy of s in the event arena ("" for NULL). */
const char *wb_client_evstr(wb_client *c, const char *s);
/* Delivers queued events (called at the end of every entry point; reentrant calls return). */
void wb_client_flush_events(wb_client *c);
void wb_client_evq_free(wb_client *c);
/* connection.update helpers. */
void wb_client_emit_connection(wb_client *c, int state, int reason, const char *why, int final);

/* ---- pairing state (pair.c) -------------------------------------------------------------------- */

typedef struct wb_client_pairing {
    char refs[WB_CLIENT_REFS_MAX][128];
    int nrefs, shown;          /* shown: how many QRs have been shown */
    uint64_t qr_expires;       /* when the current QR rotates */
    /* pairing code */
    char code[WB_WA_PAIR_CODE_LEN + 1];
    wb_keypair code_eph;       /* our ephemeral key for the code exchange */
    int code_sent;             /* companion_hello went out */
} wb_client_pairing;

/* ---- sends (send.c) ---------------------------------------------------------------------------- */

typedef struct wb_client_job wb_client_job;

/* ---- the client ------------------------------------------------------------------------------- */

struct wb_client {
    wb_client_config cfg;
    wb_client_io io;
    void *ud;
    wb_store *st;
    wb_signal *sig;
    wb_device_row dev;           /* the device row as stored */
    wb_keypair noise_key;
    wb_wa_adv_identity adv;      /* with dev.state LINKED */
    char me_user[WB_JID_USER_MAX + 1];     /* our phone number, digits */
    char me_lid_user[WB_JID_USER_MAX + 1]; /* our LID user, digits ("" until known) */
    uint16_t me_device;
    uint64_t now;
    int state;                   /* enum wb_client_state */
    int stopped;                 /* no more connections (stop, or a final reason) */
    int stop_asked;              /* wb_client_stop: the connection ends because we said so */
    int final_reason;            /* the reason we stopped for, when final */

    /* the current socket */
    wb_noise_conn *noise;
    wb_arena arena;              /* the stanza being handled and what is built for it */
    wb_buf out;                  /* an encoded stanza on its way out */
    wb_wa_iqs iqs;
    uint64_t last_rx;            /* when the last frame arrived */
    uint64_t next_ping;
    int close_reason;            /* why we are closing (WB_REASON_*), 0 when the peer closed */
    char close_why[160];

    /* reconnection */
    unsigned attempts;           /* failed connections since the last stable one */
    uint64_t reconnect_at;       /* with WB_ST_IDLE; UINT64_MAX: never */
    uint64_t opened_at;          /* when the last connection opened (0: not open) */

    /* after <success> */
    int login_step;              /* login.c */
    int is_new_login;
    int backlog_done;            /* <ib><offline> seen on this connection */
    uint64_t backlog_count;      /* offline messages seen on this connection */
    int64_t server_offset_s;     /* server time - our time */
    int presence_set;            /* this connection's presence as the consumer last set it: 0
                                    not set (cfg.presence_unavailable rules), 1 available, 2
                                    unavailable; while available, receipts are plain deliveries,
                                    else "inactive" (Baileys' sendActiveReceipts) */
    int read_receipts;           /* our privacy setting: 0 not fetched yet, 1 all, 2 none
                                    (read receipts then go as read-self) */
    struct wb_client_reads *reads; /* receipt.c: reads waiting for the privacy settings */

    wb_client_pairing pair;
    wb_client_evq evq;

    struct wb_client_recv *recv;   /* recv.c */
    struct wb_client_inbox *inbox; /* inbox.c */
    struct wb_client_sends *sends; /* send.c */
    struct wb_client_usync *usync; /* usync.c */
    wb_strmap retries;           /* retry.c: tries per undecryptable message */
    wb_strmap groups;            /* groups.c: members by group JID */
    struct wb_client_call *calls_done, **calls_tail; /* calls.c: completions due */
    struct wb_client_media_cache *media; /* media.c: media_conn's cache */
    int64_t *handled;            /* wb_client_handled, not yet written */
    size_t nhandled, handled_cap;
    int search_stale;            /* stored rows may wait for the search index (client.c) */
};

/* ---- client.c ------------------------------------------------------------------------------- */

/* Ends the current connection for reason (WB_REASON_*): io.close, and after on_close the
 * reconnection policy (now, later with backoff, or never for final reasons). Safe anywhere. */
void wb_client_close(wb_client *c, int reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The start of an entry point that takes no time (sends): the clock from io.now, a fresh
 * scratch arena. wb_client_flush_events is its end. */
void wb_client_enter(wb_client *c);
/* Unix seconds as the server counts them. */
int64_t wb_client_server_time(const wb_client *c);
/* A fresh id into out (WB_WA_IQ_ID_MAX) for stanzas other than IQs and messages. */
void wb_client_stanza_id(wb_client *c, char out[WB_WA_IQ_ID_MAX]);

/* ---- conn.c ------------------------------------------------------------------------------------- */

/* Starts the Noise handshake on the open socket, with the login or registration payload. */
int wb_client_conn_start(wb_client *c);
/* Frees the socket's state (Noise, pending IQs complete with WB_ECLOSED). */
void wb_client_conn_reset(wb_client *c);
/* Encodes and sends a node. Returns 0 or a negative code (then the connection is closing). */
int wb_client_send_node(wb_client *c, const wb_node *n);
/* Sends an IQ and registers fn for its answer (deadline: cfg.iq_timeout_ms). iq must have no
 * id. Returns 0 (fn will be called once) or a negative code (fn never called). */
int wb_client_send_iq(wb_client *c, wb_node *iq, wb_wa_iq_fn fn, void *ud);
/* A new <iq to="@s.whatsapp.net" type xmlns> in c->arena. */
wb_node *wb_client_iq(wb_client *c, const char *type, const char *xmlns);

/* ---- stanza handlers (the dispatch table in conn.c) ---------------------------------------- */

int wb_client_on_success(wb_client *c, wb_node *n);       /* login.c */
int wb_client_on_failure(wb_client *c, wb_node *n);       /* login.c */
int wb_client_on_stream_error(wb_client *c, wb_node *n);  /* login.c */
int wb_client_on_ib(wb_client *c, wb_node *n);            /* login.c */
int wb_client_on_iq_request(wb_client *c, wb_node *iq);   /* pair.c: the server's own IQs */
int wb_client_on_notification(wb_client *c, wb_node *n);  /* notify.c */
int wb_client_on_message(wb_client *c, wb_node *n);       /* recv.c */
int wb_client_on_receipt(wb_client *c, wb_node *n);       /* receipt.c */
int wb_client_on_ack(wb_client *c, wb_node *n);           /* send.c */
int wb_client_on_presence(wb_client *c, wb_node *n);      /* presence.c */
int wb_client_on_chatstate(wb_client *c, wb_node *n);     /* presence.c */

/* ---- login.c ------------------------------------------------------------------------------------ */

/* The login or registration payload for this connection, appended to out. */
int wb_client_payload(wb_client *c, wb_buf *out);

/* ---- pair.c ------------------------------------------------------------------------------------- */

/* The QR rotation deadline (UINT64_MAX when none) and its tick. */
uint64_t wb_client_pair_deadline(const wb_client *c);
void wb_client_pair_tick(wb_client *c);
/* The primary_hello notification of pairing by code. */
int wb_client_pair_code_notification(wb_client *c, wb_node *n);
/* Makes (or loads) our keys before the first connection: the device row. */
int wb_client_device_init(wb_client *c);

/* ---- prekeys.c ----------------------------------------------------------------------------------- */

/* Uploads count fresh one-time prekeys; done(c, status) afterwards (may be NULL). */
int wb_client_prekeys_upload(wb_client *c, unsigned count, void (*done)(wb_client *c, int status));

/* ---- receipt.c ----------------------------------------------------------------------------------- */

/* <ack id to=<n's from> class=<n's tag> [type] [participant]/> for a notification, receipt or
 * call. */
int wb_client_ack_stanza(wb_client *c, const wb_node *n);

/* ---- recv.c -------------------------------------------------------------------------------------- */

int wb_client_recv_init(wb_client *c);
void wb_client_recv_free(wb_client *c);
/* Commits the batch of received messages (after taking the inbox's), sends their receipts,
 * queues their events. */
int wb_client_recv_flush(wb_client *c);
/* recv.c with a group signature checked ahead (inbox.c): wb_client_on_message for n, trusting
 * chk (NULL: none) for its skmsg. */
int wb_client_on_message_checked(wb_client *c, wb_node *n, const struct wb_signal_group_check *chk);

/* ---- inbox.c ------------------------------------------------------------------------------------ */

int wb_client_inbox_init(wb_client *c);
void wb_client_inbox_free(wb_client *c);
/* Holds a <message> stanza's payload (copied) for the end of the loop turn. */
int wb_client_inbox_put(wb_client *c, const uint8_t *payload, size_t len);
/* Takes every held message, in order: their group signatures checked together, then each
 * handed to recv.c. Returns 0, or the first handler error (the connection is then closed). */
int wb_client_inbox_take(wb_client *c);
/* 1 while messages are held. */
int wb_client_inbox_pending(const wb_client *c);
/* 1 while received messages wait for their commit (the deadline is then "now"). */
int wb_client_recv_pending(const wb_client *c);
/* Re-delivers the rows left pending by a previous run. */
int wb_client_recv_replay(wb_client *c);
/* Writes wb_client_handled's rows. */
int wb_client_handled_flush(wb_client *c);
/* The message inside a wrapper (ephemeral, view-once, document with caption, edited), or NULL
 * when m is not one. */
struct Wa__Message;
const struct Wa__Message *wb_client_message_unwrap(const struct Wa__Message *m);


/* ---- retry.c ----------------------------------------------------------------------------------- */

struct wb_wa_message;
/* A delivered message n (read as m) did not decrypt (err): asks its sender to send it again
 * (<receipt type="retry">, keys from the second try on), or gives up after five tries. */
int wb_client_retry_request(wb_client *c, const wb_node *n, const struct wb_wa_message *m, int err);
/* A retry receipt (read as r) for a message we sent: sends it again to the one device that
 * asked, from a fresh session when it sent keys. */
struct wb_wa_receipt;
int wb_client_retry_answer(wb_client *c, const struct wb_wa_receipt *r);
/* Queues a resend of our stored message id to one device (send.c). */
int wb_client_send_again(wb_client *c, const wb_jid *chat, const char *id,
                         const struct Wa__Message *m, const wb_jid *device, uint32_t count);

/* ---- usync.c -------------------------------------------------------------------------------------- */

int wb_client_usync_init(wb_client *c);
/* The cached device ids of a user (any device or user JID of it): 0 with *ids (valid until the
 * next change of the cache) and *n, or WB_ENOTFOUND (not cached, or expired). */
int wb_client_devices_get(wb_client *c, const wb_jid *user, const uint16_t **ids, size_t *n);
/* Makes sure the device lists of users are cached: 1 when they all are (fn is not called), 0
 * when a query went out (fn gets its status when it is answered) or one already in flight
 * will fill them (fn is not called: the caller waits for the next answer), or an error. */
int wb_client_devices_ensure(wb_client *c, const wb_jid *users, size_t n,
                             void (*fn)(wb_client *c, void *ud, int status), void *ud);
void wb_client_usync_free(wb_client *c);
/* A devices notification (add/remove/update) for a user. */
int wb_client_usync_devices_changed(wb_client *c, wb_node *n);
/* The phone-number user of a LID user (digits in, digits out), from what we learnt; 0 and
 * out filled, or WB_ENOTFOUND. */
int wb_client_lid_to_pn(wb_client *c, const char *lid_user, char out[WB_JID_USER_MAX + 1]);
/* Records that lid_user and pn_user are the same person. */
int wb_client_lid_learn(wb_client *c, const char *lid_user, const char *pn_user);

/* ---- send.c -------------------------------------------------------------------------------------- */

int wb_client_sends_init(wb_client *c);
/* Delivers the completions of finished sends (from wb_client_flush_events). */
void wb_client_sends_deliver(wb_client *c);

/* ---- groups.c ----------------------------------------------------------------------------------- */

void wb_client_groups_free(wb_client *c);
/* The cached members of group (user JIDs, by phone number when known): 0, or WB_ENOTFOUND. */
int wb_client_group_members(wb_client *c, const wb_jid *group, const wb_jid **users, size_t *n);
/* Fetches group's metadata into the cache; fn gets 0, WB_ENOTFOUND (no such group or not a
 * member) or another error. Returns 0 (fn will be called) or an error (it will not). */
int wb_client_group_fetch(wb_client *c, const wb_jid *group,
                          void (*fn)(wb_client *c, void *ud, int status), void *ud);
/* The cache follows a change, whoever made it (a notification, or the answer to our own call):
 * g's metadata (its subject also names the stored chat); members who joined (added to the
 * cached list, when there is one); members who left or were removed (dropped from it, and our
 * sender key replaced: they must not read what comes after); we are out of the group (it is
 * forgotten). */
int wb_client_group_remember(wb_client *c, const wb_wa_group *g);
void wb_client_group_joined(wb_client *c, const wb_jid *group, const wb_jid *users, size_t n);
void wb_client_group_left(wb_client *c, const wb_jid *group, const wb_jid *users, size_t n);
void wb_client_group_forget(wb_client *c, const wb_jid *group);
/* The stored chat of group is named subject. */
void wb_client_group_name(wb_client *c, const wb_jid *group, const char *subject, int64_t t);
/* 1 when user (any JID of a person) is us. */
int wb_client_is_me(const wb_client *c, const wb_jid *user);

/* ---- group_events.c --------------------------------------------------------------------------- */

/* A w:gp2 notification: the cache, the chat, the events. */
int wb_client_group_notification(wb_client *c, wb_node *n);
/* A JID's text in arena a, NULL for the empty JID (or out of memory). */
const char *wb_client_jid_dup(wb_arena *a, const wb_jid *j);
/* wa's metadata and participants as client.h's (strings in arena a). 0 or WB_ENOMEM. */
int wb_client_group_of(wb_arena *a, const wb_wa_group *g, wb_client_group *out);
int wb_client_participants_of(wb_arena *a, const wb_wa_participant *p, size_t n,
                              const wb_client_participant **out);

/* ---- calls.c ---------------------------------------------------------------------------------- */

/* One call of client.h: its IQ (or two), its result (strings and arrays in arena), exactly one
 * completion. on_answer reads a result answer into k->r and returns 0, a negative code (the
 * call fails with it), or 1 when it sent another request for the call (wb_client_call_send)
 * whose answer comes to on_answer again. data is the call's own. */
typedef struct wb_client_call wb_client_call;
typedef int (*wb_client_call_answer_fn)(wb_client *c, wb_client_call *k, const wb_node *answer);
struct wb_client_call {
    wb_client *c;
    wb_client_call *next;
    wb_client_call_answer_fn on_answer;
    wb_client_result_fn fn;
    void *ud;
    wb_arena arena;
    wb_client_result r;
    int status;
    int step;        /* for calls of more than one request */
    wb_jid target;   /* the group or user the call is about */
    void *data;
};

wb_client_call *wb_client_call_new(wb_client *c, wb_client_call_answer_fn on_answer,
                                   wb_client_result_fn fn, void *ud);
void wb_client_call_free(wb_client_call *k);
/* Sends iq (no id; NULL: WB_ENOMEM) for k. 0, or a negative code (k's answer will not come). */
int wb_client_call_send(wb_client_call *k, wb_node *iq);
/* A call's first request: sent, or k freed on failure; the end of an entry point. Returns the
 * public functions' answer (0, or an error and fn is never called). */
int wb_client_call_start(wb_client_call *k, wb_node *iq);
/* Delivers the completions due (from wb_client_flush_events, and at the end). */
void wb_client_calls_deliver(wb_client *c);
void wb_client_sends_free(wb_client *c);
/* Fails every send in flight with status (the connection ended). */
void wb_client_sends_fail_all(wb_client *c, int status);
uint64_t wb_client_sends_deadline(const wb_client *c);
void wb_client_sends_tick(wb_client *c);

/* ---- kinds.c ------------------------------------------------------------------------------------- */

/* The id of the message m changes (a reaction, edit, revoke or vote names it), or NULL. */
const char *wb_client_kinds_target(const struct Wa__Message *m);
/* Applies a stored message (info, its row seq) to the rows it changes: a reaction, edit, revoke
 * or vote to its target (when stored; else it waits there until the target comes), a
 * disappearing timer to its chat; and a regular message gets what already targets it. admin:
 * the stanza said edit="8" (an admin's revoke). Inside the caller's transaction. Returns 0 or
 * WB_ESTORE (a change that does not apply, such as an edit by someone else, is logged and
 * skipped). */
int wb_client_kinds_apply(wb_client *c, const struct Wa__WebMessageInfo *info, int admin);
/* Queues the events of a message that changes others (messages.update, messages.reaction,
 * chats.update), for its messages.upsert (fresh, replayed or our own send). */
void wb_client_kinds_emit(wb_client *c, const struct Wa__WebMessageInfo *info);
/* 1 when we are online (wb_client_send_presence, else the configuration and a push name). */
int wb_client_online(const wb_client *c);
/* Our user JID ("155...@s.whatsapp.net") into out. */
void wb_client_me_user(const wb_client *c, char out[WB_JID_STR_MAX]);

/* ---- receipt.c -------------------------------------------------------------------------------------- */

void wb_client_reads_free(wb_client *c);

/* ---- media.c ---------------------------------------------------------------------------------- */

/* Calls the media_conn waiters whose answer came (from wb_client_flush_events). */
void wb_client_media_deliver(wb_client *c);
void wb_client_media_free(wb_client *c);

/* ---- addresses ------------------------------------------------------------------------------------ */

/* The Signal address of a device JID, canonical per device: by phone number when we know the
 * person's number (a LID device maps to its phone-number device), else by LID. */
int wb_client_address(wb_client *c, const wb_jid *device, char out[WB_SIGNAL_ADDR_MAX]);

#endif
