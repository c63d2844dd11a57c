/* The wabot client: a WhatsApp companion device, sans-I/O.
 *
 * The client speaks the protocol of one linked device over one websocket at a time: it links
 * (QR or pairing code), logs in, keeps the connection alive and reconnects, receives and
 * decrypts messages (storing each one before acknowledging it), sends messages, receipts and
 * presence. It never touches a socket or a clock: its host (client/host.c binds it to libuv and
 * net/ws; tests drive it from memory against the simulator's core) hands it the socket's events
 * and the time, and it answers through wb_client_io:
 *
 *     wb_client_new(&c, &cfg, &io, host);
 *     wb_client_start(c, now);              // io.connect is asked for a socket
 *     wb_client_on_open(c, now);            // the websocket is open
 *     wb_client_feed(c, bytes, len, now);   // each binary websocket message
 *     wb_client_on_close(c, now, why);      // the socket has closed (whoever closed it)
 *     wb_client_tick(c, now);               // at wb_client_deadline(c), or any time
 *
 * Every entry point takes `now` in milliseconds of Unix time. The client asks its host for a
 * socket (io.connect) when it wants one, including for reconnections, after the backoff it
 * chose; it closes a socket with io.close and waits for wb_client_on_close before anything else.
 *
 * Callbacks never re-enter: io.send and io.close only move bytes or start a close, and events
 * (io.event) are delivered at the end of an entry point, after the client is done with its own
 * state, so an event handler may call wb_client_send_message and friends. Nothing is freed from
 * inside a callback. Every request (a send) gets exactly one completion: its result, an error,
 * a timeout, or WB_ECLOSED when the connection ends first.
 *
 * Storage is the wb_store the caller opened (store.h): the device row, Signal's state,
 * contacts, chats and messages; the client owns it while it runs (one thread). The durability
 * rule (ARCHITECTURE.md): a message is decrypted, its ratchet state and its row stored in one
 * transaction, and only then acknowledged to the server; its event stays pending until the
 * consumer calls wb_client_handled; pending events are delivered again at the next start. */
#ifndef WB_CLIENT_CLIENT_H
#define WB_CLIENT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"
#include "wa/payload.h"

struct Wa__Message;
struct Wa__WebMessageInfo;

typedef struct wb_client wb_client;

/* Why a connection ended, as Baileys' DisconnectReason numbers them (lastDisconnect.statusCode). */
enum wb_client_reason {
    WB_REASON_LOGGED_OUT = 401,          /* the phone removed this device: stop */
    WB_REASON_FORBIDDEN = 403,           /* the account is locked or gone: stop */
    WB_REASON_CONNECTION_LOST = 408,     /* the socket went silent past the keepalive deadline */
    WB_REASON_TIMED_OUT = 408,           /* (linking) every QR expired */
    WB_REASON_MULTIDEVICE_MISMATCH = 411,
    WB_REASON_CONNECTION_CLOSED = 428,   /* the socket closed */
    WB_REASON_CONNECTION_REPLACED = 440, /* another process logged in as this device: stop */
    WB_REASON_BAD_SESSION = 500,         /* a stream error without a code, or our own failure */
    WB_REASON_UNAVAILABLE = 503,         /* the server asked us to come back: reconnect at once */
    WB_REASON_RESTART_REQUIRED = 515,    /* after linking: reconnect at once and log in */
};

/* Returns 1 when a connection that ended for reason must not be retried (401, 403, 440). */
int wb_client_reason_is_final(int reason);
/* "logged out", "connection replaced", ... for messages. */
const char *wb_client_reason_text(int reason);

typedef struct wb_client_config {
    wb_store *store;         /* required; see above */
    const uint8_t *root_pub; /* the certificate root to trust (32 bytes); NULL: WhatsApp's */
    wb_wa_client_info info;  /* who we say we are; zeroed fields take wb_wa_client_default's */
    /* Linking, when the store holds no linked device: a pairing code for this phone number
     * (digits) instead of a QR. */
    const char *pair_phone;
    unsigned keepalive_ms;   /* ping interval; 0: 20 s */
    unsigned dead_ms;        /* no frame for this long: the socket is dead; 0: 30 s */
    unsigned iq_timeout_ms;  /* 0: 30 s */
    unsigned send_timeout_ms;/* a message not acked in this time fails; 0: 30 s */
    unsigned backoff_min_ms, backoff_max_ms; /* reconnect delays; 0: 1 s and 60 s */
    int no_reconnect;        /* stop after the first connection ends (tests, one-shot tools) */
    int presence_unavailable;/* announce unavailable on connect (Baileys' markOnlineOnConnect
                                false): receipts then say "inactive" */
    int durable_sends;       /* fsync before a ciphertext leaves (on by default: see send.c);
                                -1 turns it off */
} wb_client_config;

/* ---- events ----------------------------------------------------------------------------------- */

enum wb_client_event_type {
    WB_CLIENT_EV_CONNECTION = 1, /* connection.update */
    WB_CLIENT_EV_QR,             /* connection.update {qr}: show this QR (a new one each rotation) */
    WB_CLIENT_EV_PAIR_CODE,      /* the code to type on the phone */
    WB_CLIENT_EV_LINKED,         /* linked: the device row is stored (creds.update) */
    WB_CLIENT_EV_MESSAGES,       /* messages.upsert */
    WB_CLIENT_EV_MESSAGE_STATUS, /* messages.update {key, update: {status}} */
    WB_CLIENT_EV_RECEIPT,        /* message-receipt.update */
    WB_CLIENT_EV_CONTACTS,       /* contacts.upsert */
    WB_CLIENT_EV_CHATS,          /* chats.upsert */
    WB_CLIENT_EV_BACKLOG_DONE,   /* the offline backlog is processed (<ib><offline>) */
    /* groups (w:gp2 notifications, group_admin.c's answers) */
    WB_CLIENT_EV_GROUPS_UPSERT,  /* groups.upsert: we were added to a group (or made it elsewhere) */
    WB_CLIENT_EV_GROUPS_UPDATE,  /* groups.update: subject, description, settings, invite code */
    WB_CLIENT_EV_GROUP_PARTICIPANTS, /* group-participants.update */
    WB_CLIENT_EV_CHATS_UPDATE,   /* chats.update: a group chat's name, description, read-only; a
                                    chat's disappearing timer (a group's, or kinds.c's
                                    EPHEMERAL_SETTING messages) */
    /* ---- message kinds (kinds.c, presence.c) ---- */
    WB_CLIENT_EV_MESSAGE_UPDATE, /* messages.update {key, update: {message | pollUpdates}}: an
                                    edit, a revoke or a poll vote (wb_client_update) */
    WB_CLIENT_EV_REACTION,       /* messages.reaction (wb_client_reaction) */
    WB_CLIENT_EV_PRESENCE,       /* presence.update (wb_client_presence) */
};

enum wb_client_conn {
    WB_CONN_CONNECTING = 0,
    WB_CONN_OPEN = 1,
    WB_CONN_CLOSE = 2,
};

/* A message's key, as Baileys' WAMessageKey. Strings live as long as the event. */
typedef struct wb_client_key {
    const char *remote_jid;  /* the chat */
    int from_me;
    const char *id;
    const char *participant; /* group author, or NULL */
} wb_client_key;

typedef struct wb_client_status {
    wb_client_key key;
    int status;            /* WebMessageInfo.Status: 3 delivered, 4 read, 5 played */
    const char *user;      /* who (the reader's user JID) */
    int64_t t;
} wb_client_status;

typedef struct wb_client_contact {
    const char *jid, *lid, *name;
    int64_t t; /* chats.upsert: conversationTimestamp (a group's creation; 0: none) */
} wb_client_contact;

/* A group member, as Baileys' GroupParticipant. */
typedef struct wb_client_participant {
    const char *id;     /* the member's JID as the group names it (phone number or LID) */
    const char *phone;  /* with a LID id: its phone-number JID (phoneNumber), else NULL */
    const char *lid;    /* with a phone-number id: its LID (lid), else NULL */
    const char *admin;  /* "admin", "superadmin" or NULL */
} wb_client_participant;

/* What groups.update says changed (fields of wb_client_group); metadata has them all. */
enum {
    WB_GROUP_F_SUBJECT = 1,
    WB_GROUP_F_DESC = 2,
    WB_GROUP_F_ANNOUNCE = 4,
    WB_GROUP_F_RESTRICT = 8,
    WB_GROUP_F_INVITE = 16,
    WB_GROUP_F_ALL = 1 << 30, /* the whole metadata (id, owner, participants...) */
};

/* A group's metadata, as Baileys' GroupMetadata; in groups.update, only the fields named by
 * `fields` (and id, author) are meaningful. Strings are NULL when absent. */
typedef struct wb_client_group {
    const char *id;               /* 120363...@g.us */
    unsigned fields;              /* WB_GROUP_F_* */
    const char *subject;
    const char *owner;            /* the creator */
    const char *subject_owner;
    int64_t subject_time, creation;
    const char *desc, *desc_id, *desc_owner; /* desc NULL: none (or deleted) */
    int64_t desc_time;
    const char *addressing_mode;  /* "pn" or "lid" */
    int64_t size;
    int announce;                 /* only admins send */
    int restrict_;                /* only admins edit the group's info (<locked/>) */
    uint32_t ephemeral;           /* ephemeralDuration in seconds; 0: off */
    const char *invite_code;      /* groups.update after a revoke */
    const char *author;           /* events: who made the change (NULL: the server) */
    size_t nparticipants;
    const wb_client_participant *participants;
} wb_client_group;

/* chats.update for a group (as Baileys' process-message fills it). */
enum { WB_CHAT_F_NAME = 1, WB_CHAT_F_DESCRIPTION = 2, WB_CHAT_F_READ_ONLY = 4,
       WB_CHAT_F_EPHEMERAL = 8 };
typedef struct wb_client_chat_update {
    const char *id;
    unsigned fields;              /* WB_CHAT_F_* */
    const char *name, *description;
    int read_only;                /* 1: we left or were removed; 0: we are (again) a member */
    uint32_t ephemeral_expiration;
    int64_t ephemeral_t;
} wb_client_chat_update;

/* ---- message kinds: what the events of edits, revokes, votes, reactions, presence carry ---- */

enum wb_client_update_kind {
    WB_CLIENT_UPDATE_EDIT = 1,   /* {message = {editedMessage = {message}}, messageTimestamp} */
    WB_CLIENT_UPDATE_REVOKE,     /* {message = null, messageStubType = REVOKE, key = by} */
    WB_CLIENT_UPDATE_POLL_VOTE,  /* {pollUpdates = {{pollUpdateMessageKey = by, vote =
                                    {selectedOptions}, senderTimestampMs}}} */
};

/* One messages.update of a message's content, as Baileys' process-message.js emits it: key is
 * the message changed (as the chat's participants name it: fromMe from our side), by the key of
 * the protocol message or vote that changed it. Byte strings live as long as the event. */
typedef struct wb_client_update {
    wb_client_key key;
    int kind;                    /* enum wb_client_update_kind */
    wb_client_key by;
    const uint8_t *message;      /* EDIT: the new content, a serialized Message */
    size_t message_len;
    int64_t t;                   /* EDIT: the edit's time (seconds) */
    int64_t sender_ts_ms;        /* POLL_VOTE: when the voter voted */
    const uint8_t *selected;     /* POLL_VOTE: the SHA-256 of each option chosen, 32 bytes each */
    size_t nselected;            /* (0: the voter took their vote back) */
} wb_client_update;

/* A POLL_VOTE update as the PollUpdate Baileys puts in update.pollUpdates ({pollUpdateMessageKey,
 * vote: {selectedOptions}, senderTimestampMs}), serialized onto out. Returns 0 or WB_ENOMEM. */
int wb_client_poll_update_pack(const wb_client_update *u, wb_buf *out);

/* One messages.reaction: key is the message reacted to, by the reaction message's key. */
typedef struct wb_client_reaction {
    wb_client_key key;
    wb_client_key by;
    const char *text;            /* the emoji; "" when the reaction was taken back */
    int64_t sender_ts_ms;
} wb_client_reaction;

/* One presence.update, as Baileys: {id, presences = {[participant] = {lastKnownPresence,
 * lastSeen}}}. */
typedef struct wb_client_presence {
    const char *id;              /* the chat: a user JID, or a group for its members' typing */
    const char *participant;     /* who (id for a user's own presence) */
    const char *presence;        /* "available", "unavailable", "composing", "recording" (a
                                    paused chat state reads "available", as in Baileys) */
    int64_t last_seen;           /* unix seconds; 0: not given, -1: hidden ("deny") */
} wb_client_presence;

typedef struct wb_client_event {
    int type; /* enum wb_client_event_type */
    union {
        struct {
            int state;          /* enum wb_client_conn */
            int reason;         /* with CLOSE: enum wb_client_reason */
            const char *why;    /* with CLOSE: a sentence */
            int is_new_login;   /* with OPEN: the first login after linking */
            int final;          /* with CLOSE: the client will not reconnect */
        } connection;
        struct {
            const char *text;   /* the QR string (wa/qr.h) */
            int index, count;   /* this is QR index of count */
        } qr;
        struct {
            const char *code;   /* "ABCD-EFGH" */
        } pair_code;
        struct {
            const char *jid, *lid, *name;
        } linked;
        struct {
            int append;         /* 1: the offline backlog or our own sends (Baileys' 'append') */
            int replay;         /* 1: delivered before a restart, maybe handled already */
            size_t n;
            struct Wa__WebMessageInfo *const *msgs;
            const int64_t *seqs; /* the stored rows, for wb_client_handled */
        } messages;
        struct {
            size_t n;
            const wb_client_status *updates;
        } status;               /* MESSAGE_STATUS and RECEIPT */
        struct {
            size_t n;
            const wb_client_contact *contacts;
        } contacts;             /* CONTACTS, CHATS (jid and name) */
        struct {
            size_t count;       /* how many messages the backlog held */
        } backlog;
        struct {
            size_t n;
            const wb_client_group *groups;
        } groups;               /* GROUPS_UPSERT, GROUPS_UPDATE */
        struct {
            const char *id;     /* the group */
            const char *author; /* who did it (NULL: the server) */
            const char *action; /* "add", "remove" (also a member who left), "promote", "demote" */
            size_t n;
            const wb_client_participant *participants;
        } participants;         /* GROUP_PARTICIPANTS */
        struct {
            size_t n;
            const wb_client_chat_update *chats;
        } chats;                /* CHATS_UPDATE */
        struct {
            size_t n;
            const wb_client_update *updates;
        } updates;              /* MESSAGE_UPDATE */
        struct {
            size_t n;
            const wb_client_reaction *reactions;
        } reactions;            /* REACTION */
        wb_client_presence presence; /* PRESENCE */
    };
} wb_client_event;

/* ---- the host's side ------------------------------------------------------------------------- */

typedef struct wb_client_io {
    /* Open a websocket to the server now; report wb_client_on_open or wb_client_on_close. */
    void (*connect)(void *ud);
    /* One binary websocket message. Returns 0, or negative when the socket is gone (the client
     * then waits for wb_client_on_close). */
    int (*send)(void *ud, const uint8_t *data, size_t len);
    /* Close the socket: after what was sent, or at once when abort is set (the socket is dead,
     * or the server broke the protocol). wb_client_on_close follows, never from inside. */
    void (*close)(void *ud, int abort, const char *why);
    /* An event; its data lives only during the call. */
    void (*event)(void *ud, const wb_client_event *ev);
    /* The time (Unix ms), for the calls that take none (sends, reads). NULL: the time the last
     * entry point was given. */
    uint64_t (*now)(void *ud);
} wb_client_io;

/* Makes a client on cfg->store (which must stay open until wb_client_free). Loads or makes the
 * device's keys. Returns 0 and *out, or WB_ESTORE / WB_ENOMEM / WB_EINVAL. */
int wb_client_new(wb_client **out, const wb_client_config *cfg, const wb_client_io *io, void *ud);
/* Frees the client. The socket must be closed (or never opened). Pending requests complete
 * with WB_ECLOSED first. NULL is a no-op. */
void wb_client_free(wb_client *c);

/* Starts: delivers pending events left from a previous run (replay), then asks for a socket. */
int wb_client_start(wb_client *c, uint64_t now);
/* Stops for good: closes the socket (if any) and does not reconnect. */
void wb_client_stop(wb_client *c, uint64_t now);

void wb_client_on_open(wb_client *c, uint64_t now);
void wb_client_feed(wb_client *c, const uint8_t *data, size_t len, uint64_t now);
void wb_client_on_close(wb_client *c, uint64_t now, const char *why);
void wb_client_tick(wb_client *c, uint64_t now);
/* When wb_client_tick wants to run next (ms, Unix time); UINT64_MAX for never. */
uint64_t wb_client_deadline(const wb_client *c);

/* 1 when a linked device is stored (logging in will be tried), 0 when linking is needed. */
int wb_client_is_linked(const wb_client *c);
/* Our device JID and LID JID ("" before linking), and push name. */
const char *wb_client_jid(const wb_client *c);
const char *wb_client_lid(const wb_client *c);
const char *wb_client_name(const wb_client *c);
/* 1 while logged in (after connection.update open, before close). */
int wb_client_is_open(const wb_client *c);
/* 1 when nothing is in flight: no send waiting for its ack, no received message waiting for its
 * commit (a one-shot command may stop then without cutting a send short). */
int wb_client_idle(const wb_client *c);

/* ---- receiving ---------------------------------------------------------------------------- */

/* The consumer has handled the messages of an event (their rows by seq): their rows stop being
 * pending, so they are not delivered again after a restart. Batched: written at the next tick. */
void wb_client_handled(wb_client *c, const int64_t *seqs, size_t n);

/* The text or caption of a message, whatever its kind (wrappers such as ephemeral or view-once
 * opened), or NULL. */
const char *wb_client_message_text(const struct Wa__Message *m);

/* ---- sending ------------------------------------------------------------------------------- */

/* How a send ended: 0 with the server's ack (t = its time, seconds) or a negative code:
 * WB_EREFUSED (the server's ack carried error=code, in *server_error), WB_ETIMEOUT, WB_ECLOSED
 * (the connection ended before the ack), WB_ENOTFOUND (no such user or group), ... */
typedef struct wb_client_sent {
    const char *id;      /* the message id */
    int64_t t;           /* the server time of the ack */
    int server_error;    /* with WB_EREFUSED */
    int64_t seq;         /* our stored copy */
} wb_client_sent;
typedef void (*wb_client_send_fn)(void *ud, int status, const wb_client_sent *sent);

typedef struct wb_client_send_opts {
    const char *id; /* a message id of our own choosing; NULL: a fresh one */
} wb_client_send_opts;

/* Sends message m (copied) to jid: a user JID (phone@s.whatsapp.net, lid@lid) or a group
 * (id@g.us). Returns 0 (fn will be called exactly once, never from inside this call) or, and
 * then fn is never called: WB_ECLOSED (not logged in), WB_EINVAL (a bad JID), WB_ENOMEM. */
int wb_client_send_message(wb_client *c, const char *jid, const struct Wa__Message *m,
                           const wb_client_send_opts *opts, wb_client_send_fn fn, void *ud);

/* Tells the sender of a message that we read it, as Baileys' readMessages: <receipt
 * type="read">, or "read-self" when our privacy settings turn read receipts off (fetched once per
 * connection, so the first call may wait for that answer before its receipts go out). */
int wb_client_read(wb_client *c, const wb_client_key *keys, size_t n);

/* ---- groups -------------------------------------------------------------------------------- */

/* What a group call (and onWhatsApp, profilePictureUrl) answered. Everything lives only during
 * the completion. */
typedef struct wb_client_member_result {
    const char *jid;     /* as asked */
    int status;          /* 200, or the server's code for this one (403 privacy, 404 not on
                            WhatsApp or not a member, 408 recently left, 409 already a member) */
    const char *add_request_code; /* with 403 on an add: the invite the server made instead */
    int64_t add_request_expiration;
} wb_client_member_result;

typedef struct wb_client_lookup {
    const char *jid;     /* the user's JID, as WhatsApp knows the number */
    int exists;          /* on WhatsApp */
    const char *lid;     /* its LID when the answer gave one */
} wb_client_lookup;

typedef struct wb_client_result {
    int server_error;           /* with WB_EREFUSED: the <error code> (403, 404, ...) */
    const char *server_text;    /* and its text ("forbidden", "item-not-found"), or NULL */
    size_t ngroups;             /* create, metadata: 1; participating: each group; invite info */
    const wb_client_group *groups;
    size_t nmembers;            /* participants: one per JID asked */
    const wb_client_member_result *members;
    const char *code;           /* invite code (get, revoke) */
    const char *jid;            /* accept: the group joined */
    const char *url;            /* profile picture */
    const char *picture_id;
    size_t nlookups;            /* onWhatsApp */
    const wb_client_lookup *lookups;
} wb_client_result;

/* How a call ended: 0 with its result; WB_EREFUSED (the server answered with an error: r has
 * server_error), WB_ETIMEOUT, WB_ECLOSED (the connection ended first), WB_EPROTO (an answer we
 * cannot read). Called exactly once, at the end of an entry point (never inside the call). */
typedef void (*wb_client_result_fn)(void *ud, int status, const wb_client_result *r);

/* Each call below is one request (the description two: the metadata for its current id, then
 * the change, as Baileys does). JIDs are user JIDs ("155...@s.whatsapp.net", "...@lid") or
 * group JIDs. Each returns 0 (fn will be called exactly once) or, and then fn is never called:
 * WB_ECLOSED (not logged in), WB_EINVAL (a bad JID, action or text), WB_ENOMEM. The client's
 * member cache and the stored chat follow what each change did. */
int wb_client_group_create(wb_client *c, const char *subject, const char *const *jids, size_t n,
                           wb_client_result_fn fn, void *ud);
int wb_client_group_metadata(wb_client *c, const char *group, wb_client_result_fn fn, void *ud);
/* Every group we are in (Baileys' groupFetchAllParticipating; it also emits groups.update with
 * each group's metadata, as Baileys does). */
int wb_client_group_participating(wb_client *c, wb_client_result_fn fn, void *ud);
/* action: "add", "remove", "promote" or "demote"; r->members has one result per JID. */
int wb_client_group_participants(wb_client *c, const char *group, const char *action,
                                 const char *const *jids, size_t n, wb_client_result_fn fn,
                                 void *ud);
int wb_client_group_subject(wb_client *c, const char *group, const char *subject,
                            wb_client_result_fn fn, void *ud);
/* desc NULL or "": delete the description. */
int wb_client_group_description(wb_client *c, const char *group, const char *desc,
                                wb_client_result_fn fn, void *ud);
int wb_client_group_leave(wb_client *c, const char *group, wb_client_result_fn fn, void *ud);
/* The invite code (r->code); revoke: a new one (the old stops working). */
int wb_client_group_invite_code(wb_client *c, const char *group, int revoke,
                                wb_client_result_fn fn, void *ud);
/* Joins with an invite code (r->jid: the group). */
int wb_client_group_accept_invite(wb_client *c, const char *code, wb_client_result_fn fn,
                                  void *ud);
/* setting: "announcement", "not_announcement", "locked" or "unlocked". */
int wb_client_group_setting(wb_client *c, const char *group, const char *setting,
                            wb_client_result_fn fn, void *ud);
/* Which phone numbers ("+155...", "155..." or "155...@s.whatsapp.net") are on WhatsApp (a usync
 * contact query): r->lookups, one per number the answer names. */
int wb_client_on_whatsapp(wb_client *c, const char *const *phones, size_t n,
                          wb_client_result_fn fn, void *ud);
/* The URL of a user's or group's profile picture (r->url); full: the big image instead of the
 * preview. A user or group without one: WB_EREFUSED with server_error 404. */
int wb_client_profile_picture_url(wb_client *c, const char *jid, int full,
                                  wb_client_result_fn fn, void *ud);

/* Deep copies into arena a (for consumers that keep what an event or result said): a group
 * with its participants, and a list of chat updates. 0 or WB_ENOMEM. */
int wb_client_group_copy(wb_arena *a, const wb_client_group *in, wb_client_group *out);
int wb_client_participants_copy(wb_arena *a, const wb_client_participant *in, size_t n,
                                const wb_client_participant **out);
int wb_client_chat_updates_copy(wb_arena *a, const wb_client_chat_update *in, size_t n,
                                const wb_client_chat_update **out);

/* ---- message kinds (kinds.c, presence.c, receipt.c) -------------------------------------- */

/* What to send, as Baileys' sendMessage content and options (AnyMessageContent,
 * MiscMessageGenerationOptions): one kind, then what applies on top of it. Pointers are
 * borrowed for the call. */
typedef struct wb_client_content {
    const char *text;                                   /* extendedTextMessage */
    struct {
        const struct Wa__MessageKey *key;               /* the message reacted to */
        const char *text;                               /* the emoji; "" takes it back */
    } react;
    const struct Wa__MessageKey *revoke;                /* delete for everyone (in a group, an
                                                           admin may revoke others') */
    struct {
        const char *name;
        const char *const *values;                      /* the options, 1..WB_WA_POLL_OPTIONS_MAX */
        size_t n;
        unsigned selectable;                            /* 0: any number; 1: one (a V3 poll) */
        const uint8_t *secret;                          /* 32 bytes; NULL: fresh random */
    } poll;
    struct {
        const struct Wa__MessageKey *key;               /* the poll voted in (stored) */
        const char *const *values;                      /* the options chosen (none: unvote) */
        size_t n;
    } vote;
    const struct Wa__Message__LocationMessage *location;
    struct {
        const char *name;                               /* displayName of several */
        const struct Wa__Message__ContactMessage *const *v; /* one: contactMessage, more:
                                                           contactsArrayMessage */
        size_t n;
    } contacts;
    struct {
        const struct Wa__WebMessageInfo *msg;           /* a message to forward */
        int force;                                      /* count it forwarded even if ours */
    } forward;
    const struct Wa__Message *media;                    /* a media message already made of an
                                                           upload (wb_client_media_message) */
    /* on top of the kind */
    const struct Wa__MessageKey *edit;                  /* this replaces the message edit names */
    const char *const *mentions;                        /* JIDs, in contextInfo.mentionedJid */
    size_t nmentions;
    const struct Wa__WebMessageInfo *quoted;            /* a reply (contextInfo.quotedMessage) */
    int view_once;                                      /* wrapped in viewOnceMessage */
    uint32_t ephemeral_expiration;                      /* contextInfo.expiration (seconds) */
} wb_client_content;

/* Builds the Message Baileys' generateWAMessage makes of in, for chat jid, into *out (free with
 * wb_proto_free). c gives our JID (quoting our own messages), the clock and, for a vote, the
 * stored poll (its secret and author). Returns 0, or WB_EINVAL with err saying what is wrong
 * (no kind, two kinds, a poll without options, a vote for an option the poll lacks),
 * WB_ENOTFOUND (a vote for a poll not stored, or one without a secret) or WB_ENOMEM.
 * wb_client_send_message gives the stanza what the kind needs (wa/content.h): edit="1|7|8",
 * <meta polltype>, decrypt-fail, mediatype. */
int wb_client_content_build(wb_client *c, const char *jid, const wb_client_content *in,
                            struct Wa__Message **out, wb_error *err);

/* The store the client was made on. */
wb_store *wb_client_store(const wb_client *c);

/* The stored message (chat, id) as a WebMessageInfo into *out (free with wb_proto_free): with
 * reactions, edits, revokes and votes applied. Returns 0, WB_ENOTFOUND or WB_ESTORE. Also on a
 * bare store (c NULL, st given), for the CLI. */
int wb_client_message_load(wb_store *st, const char *chat, const char *id,
                           struct Wa__WebMessageInfo **out);

/* A poll's tally, as Baileys' getAggregateVotesInPollMessage: each option in the poll's order
 * with who voted for it (user JIDs; ours is me), then an "Unknown" entry per option hash no
 * option has. Arrays go to arena a; strings point into poll (or are me). Returns 0, WB_EINVAL
 * (not a poll) or WB_ENOMEM. */
typedef struct wb_client_poll_option {
    const char *name;
    const char *const *voters;
    size_t nvoters;
} wb_client_poll_option;
struct wb_arena;
int wb_client_poll_tally(const struct Wa__WebMessageInfo *poll, const char *me,
                         struct wb_arena *a, wb_client_poll_option **out, size_t *n);

/* A line for listings: the text or caption (with "(edited)" after an edit), else what the
 * message is ("[poll] lunch? (pizza / sushi)", "[location 52.52,13.40]", "[reaction 👍 to ID]",
 * "[deleted]", ...). Returns out. */
const char *wb_client_message_describe(const struct Wa__WebMessageInfo *m, char *out, size_t cap);

/* Baileys' sendPresenceUpdate: type "available" or "unavailable" (our presence; needs a push
 * name, as Baileys: WB_ESTATE without), or "composing", "recording", "paused" in chat jid (a
 * <chatstate>). Available also makes received messages' receipts plain deliveries again
 * (Baileys' sendActiveReceipts). Returns 0, WB_EINVAL, WB_ECLOSED or WB_ESTATE. */
int wb_client_send_presence(wb_client *c, const char *type, const char *jid);
/* Baileys' presenceSubscribe: presence.update events follow for jid (a user). */
int wb_client_presence_subscribe(wb_client *c, const char *jid);

/* Receipts of type for received messages (Baileys' sendReceipts): "read", "read-self",
 * "played" (a voice note listened to), ... one per chat and author, as wb_client_read. */
int wb_client_send_receipts(wb_client *c, const wb_client_key *keys, size_t n, const char *type);

/* ---- media ---------------------------------------------------------------------------------- */

/* Where media goes up: the media_conn answer (wa/media.h). Strings live as long as the cache
 * entry (until the next call that refreshes it). */
typedef struct wb_client_media_conn {
    const char *auth;          /* the upload token */
    const char *const *hosts;  /* upload and download hosts, in the server's order */
    size_t nhosts;
    uint64_t max_length;       /* the first host's maxContentLengthBytes; 0: not given */
} wb_client_media_conn;
typedef void (*wb_client_media_conn_fn)(void *ud, int status, const wb_client_media_conn *mc);

/* The media_conn answer, cached until its TTL; refresh asks again regardless (an upload the
 * hosts refused with 401). Returns 1 with *out when the cache holds a good one (fn is not
 * called); 0 when a query went out or one already in flight will answer (fn is then called
 * exactly once, with the answer or WB_ETIMEOUT / WB_ECLOSED / WB_EREFUSED / WB_EPROTO, never
 * from inside this call); or WB_ECLOSED (not logged in and nothing cached) / WB_ENOMEM. */
int wb_client_media_conn_get(wb_client *c, int refresh, const wb_client_media_conn **out,
                             wb_client_media_conn_fn fn, void *ud);

/* A media message's file, both ways: what wb_client_media_message builds a message from, and
 * what wb_client_media_of reads out of one. Pointers are borrowed. */
typedef struct wb_client_media {
    const char *kind;          /* "image", "video", "audio", "voice" (audio with ptt),
                                  "document", "sticker" */
    const char *mimetype;      /* NULL: Baileys' default for the kind */
    const char *caption;       /* image, video, document; NULL: none */
    const char *file_name;     /* document; NULL: "file", as Baileys */
    uint32_t width, height;    /* image, video, sticker; 0: not given */
    uint32_t seconds;          /* video, audio; 0: not given */
    const uint8_t *media_key;  /* 32 bytes */
    const uint8_t *file_sha256, *file_enc_sha256; /* 32 bytes each (NULL: not given) */
    uint64_t file_length;
    const char *url, *direct_path;
    int64_t media_key_timestamp; /* seconds */
} wb_client_media;

/* The Baileys media type of a kind, for its keys and its upload path ("voice" -> "audio"), or
 * NULL for a kind that is not one. */
const char *wb_client_media_type(const char *kind);
/* Reads the media of m (inside ephemeral, view-once and document-with-caption wrappers) into
 * out, pointing into m. Returns 0, WB_ENOTFOUND (no media in m) or WB_EMALFORMED (a media
 * message without a 32-byte mediaKey or a directPath starting with '/'). */
int wb_client_media_of(const struct Wa__Message *m, wb_client_media *out);
/* Builds the message of md as Baileys' prepareWAMessageMedia fills it (url, directPath,
 * mimetype, fileLength, mediaKey, fileSha256, fileEncSha256, mediaKeyTimestamp, width/height/
 * seconds when given, caption, fileName, ptt; the send adds messageContextInfo.messageSecret,
 * as to every message) into *out, freed with wb_proto_free. Returns 0,
 * WB_EINVAL (an unknown kind, no media key) or WB_ENOMEM. */
int wb_client_media_message(const wb_client_media *md, struct Wa__Message **out);

/* Unlinks: asks the server to remove this device (remove-companion-device), then closes.
 * fn gets 0 or an error; the local keys are left to the caller (wabot logout wipes them). */
int wb_client_logout(wb_client *c, void (*fn)(void *ud, int status), void *ud);

#endif
