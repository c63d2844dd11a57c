/* The simulator's private parts, shared by the files of host/sim: the server object, the
 * account/device model, connections, the dispatch tables, the delivery queue, statistics.
 *
 * How the pieces fit (README.md in this folder is the guide for adding to them):
 *
 *   host bytes -> wb_sim_conn_feed (conn.c) -> Noise responder -> on_handshake: handshake.c
 *     (registration: pair.c, pair_code.c; login: login.c) -> on_frame: decode -> stanza log,
 *     stats -> wb_sim_dispatch (dispatch.c): the stanza table by tag, the IQ table by xmlns,
 *     type and first child; results of the server's own IQs go to the conn's pending table.
 *   replies: wb_sim_conn_send (to one connection, now) or wb_sim_deliver (to a device: sent
 *     when it is online and active, else queued; durable stanzas stay queued until acked).
 *
 * Everything runs on one thread (the host's loop). Handlers get the connection and the decoded
 * node, which lives in the connection's arena until the next frame; they build replies in the
 * same arena (c->arena). A handler that returns a negative code closes that client's socket
 * with the reason it recorded through wb_sim_conn_fail(); nothing it does can touch another
 * client's connection except through wb_sim_deliver / wb_sim_conn_close. */
#ifndef WB_SIM_SIM_INT_H
#define WB_SIM_SIM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "binary/jid.h"
#include "binary/node.h"
#include "core/arena.h"
#include "core/buf.h"
#include "crypto/curve.h"
#include "net/noise_conn.h"
#include "sim/sim.h"
#include "wa/adv.h"
#include "wa/iq.h"
#include "wa/pair_code.h"
#include "wa/prekeys.h"
#include "store/store.h"

#define WB_SIM_PHONE_MAX 20 /* digits of a phone number or LID user */
#define WB_SIM_NAME_MAX 64
#define WB_SIM_REFS 6       /* QR refs per registration, as the real server sends */

typedef struct wb_sim_account wb_sim_account;
typedef struct wb_sim_device wb_sim_device;
typedef struct wb_sim_reg wb_sim_reg;

/* ---- accounts and devices (accounts.c) -------------------------------------------------------
 *
 * An account is one phone number with its LID and its phone (device 0, simulated here: its
 * identity key signs the companions' ADV identities). Companions are devices 1, 2, ... with a
 * key index each. The model lives in memory and is written through to the database (persist.c)
 * on every change; prekeys and queued stanzas live only in the database. */

typedef struct wb_sim_setting {
    char name[32];
    char value[32];
} wb_sim_setting;

struct wb_sim_account {
    int64_t row;                      /* accounts.id */
    char phone[WB_SIM_PHONE_MAX + 1]; /* digits */
    char lid[WB_SIM_PHONE_MAX + 1];   /* digits of the LID user */
    char name[WB_SIM_NAME_MAX + 1];   /* push name; "" when unknown */
    wb_keypair identity;              /* the phone's identity = the ADV account signature key */
    uint32_t adv_raw_id;
    uint32_t next_key_index;          /* key index of the next companion */
    uint16_t next_device;             /* id of the next companion */
    int64_t created;
    wb_sim_device **devices;          /* companions, removed ones included */
    size_t ndevices, devices_cap;
    wb_sim_setting *privacy;          /* privacy categories set away from the default */
    size_t nprivacy;
    char **blocked;                   /* blocklist jids */
    size_t nblocked;
    int available;                    /* presence: some device said available */
    int64_t last_seen;
};

struct wb_sim_device {
    int64_t row; /* devices.id */
    wb_sim_account *account;
    uint16_t id;
    uint32_t key_index;
    int removed;                       /* logged out: may never log in again */
    uint8_t noise_pub[WB_KEY_LEN];
    wb_wa_device_keys keys;            /* registration id, identity, signed prekey */
    char platform[32];                 /* "Chrome (Mac OS)" or the platform id */
    int64_t created;
    int low_prekeys_notified;          /* an encrypt notification went out since the last upload */
    int available;                     /* this device's last presence */
    int fault_corrupt;                 /* the corrupt fault: the next message's enc is damaged */
    struct wb_sim_conn *conn;          /* the logged-in connection, or NULL */
    uint64_t stat_logins, stat_handshakes;
    uint64_t stat_messages;            /* <message> stanzas it sent that the server accepted */
};

/* Lookups; NULL when absent. Phone and LID users are digit strings without '+'. */
wb_sim_account *wb_sim_account_by_phone(wb_sim *sim, const char *phone);
wb_sim_account *wb_sim_account_by_lid(wb_sim *sim, const char *lid);
/* A user or device JID on s.whatsapp.net or lid: its account. */
wb_sim_account *wb_sim_account_by_jid(wb_sim *sim, const wb_jid *j);
/* A device JID (user:device on either server): the companion, removed ones included. */
wb_sim_device *wb_sim_device_by_jid(wb_sim *sim, const wb_jid *j);
wb_sim_device *wb_sim_device_of(const wb_sim_account *a, uint16_t id);
/* The account for phone, made (with a fresh LID and identity) when it does not exist. phone
 * NULL or "" makes a new account with the next free number. Returns 0 or a negative code. */
int wb_sim_account_get(wb_sim *sim, const char *phone, wb_sim_account **out);
/* Sets the push name when the account has none (name NULL or "" does nothing). */
void wb_sim_account_name(wb_sim *sim, wb_sim_account *a, const char *name);
/* Takes the next companion id and key index of a (stored, never given out again). */
int wb_sim_account_reserve(wb_sim *sim, wb_sim_account *a, uint16_t *device, uint32_t *key_index);
/* Adds a companion: a copy of tmpl (id, key index, keys, platform) made part of a and stored.
 * Returns 0 and *out, or a negative code. */
int wb_sim_device_add(wb_sim *sim, wb_sim_account *a, const wb_sim_device *tmpl,
                      wb_sim_device **out);
/* Marks a companion removed (stored; its prekeys and queue are dropped) and closes its
 * connection. The family hooks hear about it. */
int wb_sim_device_remove(wb_sim *sim, wb_sim_device *d, const char *why);
/* Adds an account or a device to the model in memory (persist.c, when loading or making one). */
int wb_sim_account_adopt(wb_sim *sim, wb_sim_account *a);
int wb_sim_account_add_device(wb_sim_account *a, wb_sim_device *d);
/* Writes d's keys and state to the database. */
int wb_sim_device_save(wb_sim *sim, wb_sim_device *d);
/* Calls fn for every companion of a that is not removed. */
#define WB_SIM_EACH_DEVICE(a, d)                                                                   \
    for (size_t d##_i_ = 0; d##_i_ < (a)->ndevices; d##_i_++)                                      \
        for (wb_sim_device *d = (a)->devices[d##_i_]; d && !d->removed; d = NULL)

/* JID strings (out holds WB_JID_STR_MAX). */
void wb_sim_account_jid(const wb_sim_account *a, char *out);          /* P@s.whatsapp.net */
void wb_sim_account_lid_jid(const wb_sim_account *a, char *out);      /* L@lid */
void wb_sim_device_jid(const wb_sim_device *d, char *out);            /* P:d@s.whatsapp.net */
void wb_sim_device_lid_jid(const wb_sim_device *d, char *out);        /* L:d@lid */

void wb_sim_accounts_free(wb_sim *sim);

/* ---- connections (conn.c) -------------------------------------------------------------------- */

enum wb_sim_conn_state {
    WB_SIM_HANDSHAKE = 0, /* Noise handshake not finished */
    WB_SIM_REGISTERING,   /* a new companion: pair-device sent, waiting for a scan or a code */
    WB_SIM_LOGGED_IN,     /* a known device */
    WB_SIM_CLOSING,       /* the socket is being closed; input is ignored */
};

typedef struct wb_sim_sub {
    wb_sim_account *target;
    char jid[WB_JID_STR_MAX]; /* the form the subscriber used, echoed in presence `from` */
} wb_sim_sub;

struct wb_sim_conn {
    wb_sim *sim;
    struct wb_sim_conn *next, *prev; /* sim->conns */
    uint64_t serial;                 /* for logs: conn#N */
    void *io_ud;                     /* the host's handle for this socket */
    char peer[64];
    int state;                       /* enum wb_sim_conn_state */
    wb_noise_conn *noise;
    uint8_t peer_static[WB_KEY_LEN]; /* the client's Noise key */
    wb_sim_device *device;           /* after login */
    int active;                      /* passive/active seen: deliveries go out at once */
    char label[WB_JID_STR_MAX];      /* "conn#N" or the device JID, for logs */
    wb_arena arena;                  /* the current stanza and the replies built for it */
    wb_buf out;                      /* an encoded stanza on its way out */
    wb_sim_reg *reg;                 /* registration state (pair.c); freed with the connection */
    wb_wa_iqs iqs;                   /* the server's IQs awaiting an answer */
    wb_sim_sub *subs;                /* presence subscriptions */
    size_t nsubs;
    int fault_stall;                 /* set by the stall fault: input is held by the host */
    char why[192];                   /* the reason the connection is closing */
};

/* Sends a node to this connection now (encoded, logged, counted, sealed). Returns 0 or a
 * negative code (the connection is then closing). */
int wb_sim_conn_send(wb_sim_conn *c, const wb_node *n);
/* Sends an already encoded transport payload (flag byte and node) whose top tag is tag. */
int wb_sim_conn_send_payload(wb_sim_conn *c, const char *tag, const uint8_t *payload, size_t len);
/* Closes the socket (once): marks the connection closing, detaches the device, tells presence,
 * asks the host to close. Safe from inside a send or a handler: nothing of the connection is
 * freed (its registration and pending IQs end in wb_sim_conn_free, once the host reports the
 * socket closed), so the caller may still look at c and c->reg afterwards. */
void wb_sim_conn_close(wb_sim_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records why a handler refuses the client's input and returns code (negative), so
 * `return wb_sim_conn_fail(c, WB_EPROTO, "iq %s: no id", xmlns);` closes the socket with a reason. */
int wb_sim_conn_fail(wb_sim_conn *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends <stream:error code=.../> (code 0: none; child: a child tag such as "conflict" with
 * type attribute ctype) and closes. */
void wb_sim_conn_stream_error(wb_sim_conn *c, int code, const char *child, const char *ctype,
                              const char *why);
/* Sends an IQ from the server with a fresh id; fn (may be NULL) gets exactly one completion
 * (wa/iq.h: the answer, or WB_ECLOSED when the connection ends first; the server sets no
 * deadline) with ud. iq must be an <iq> without id; the id is set here. Returns 0, or a negative
 * code (fn is then never called). */
int wb_sim_conn_send_iq(wb_sim_conn *c, wb_node *iq, wb_wa_iq_fn fn, void *ud);
/* Makes c the device's connection after a successful login (replacing an older one). */
void wb_sim_conn_attach(wb_sim_conn *c, wb_sim_device *d);

/* ---- registration and login (handshake.c, login.c, pair.c, pair_code.c) ----------------------- */

/* A companion registering on one connection: its keys from the registration payload, the QR
 * refs, and the linking in progress (QR or pairing code). Owned by the connection. */
struct wb_sim_reg {
    wb_sim_reg *next;                   /* sim->regs */
    struct wb_sim_conn *conn;
    char refs[WB_SIM_REFS][48];         /* printable, no ',' */
    wb_wa_device_keys keys;             /* the companion's, from the registration payload */
    char push_name[WB_SIM_NAME_MAX + 1];
    char platform[32];
    /* linking: pair-success sent, pair-device-sign awaited */
    int signing;
    wb_sim_account *account;
    uint16_t device_id;
    wb_wa_adv_identity issued;          /* what pair-success granted */
    wb_sim_reply *reply;                /* the admin request waiting for the outcome */
    /* pairing code (pair_code.c) */
    int code_stage;                     /* 0, 1: companion_hello seen, 2: primary_hello sent */
    char code_phone[WB_SIM_PHONE_MAX + 1];
    uint8_t code_wrapped[WB_WA_PAIR_WRAPPED_LEN]; /* the companion's ephemeral key, wrapped */
    uint8_t code_ref[32];
    uint8_t companion_eph[WB_KEY_LEN];
    wb_keypair primary_eph;
};

/* Sends pair-success for the registering connection c, linking it to account a under
 * adv_secret; the outcome answers c->reg->reply (if set). Returns 0 or a negative code. */
int wb_sim_pair_success(wb_sim_conn *c, wb_sim_account *a, const uint8_t adv_secret[32]);

struct Wa__ClientPayload;
/* The handshake finished: c->peer_static is the client's Noise key, payload its ClientPayload.
 * Starts a registration or a login. Negative refuses the client (the socket closes). */
int wb_sim_handshake(wb_sim_conn *c, const uint8_t *payload, size_t len);
int wb_sim_login(wb_sim_conn *c, const struct Wa__ClientPayload *p);
int wb_sim_reg_start(wb_sim_conn *c, const struct Wa__ClientPayload *p);
/* Forgets c's registration (answering a waiting admin request with why). Called when the
 * connection is freed, never from inside a handler. */
void wb_sim_reg_free(wb_sim_conn *c, const char *why);

/* ---- dispatch (dispatch.c) ---------------------------------------------------------------- */

/* A stanza handler: n is the decoded stanza. Returns 0, or negative to close the connection
 * (after wb_sim_conn_fail said why). */
typedef int (*wb_sim_stanza_fn)(wb_sim_conn *c, wb_node *n);
/* An IQ handler: iq is the request, reply the prepared result (<iq from=... type="result"
 * id=...>): add children, or turn it into an error with wb_sim_iq_error. Returns 0 (reply is
 * sent), WB_SIM_NO_REPLY (the handler answered itself or answers later) or negative (close). */
typedef int (*wb_sim_iq_fn)(wb_sim_conn *c, wb_node *iq, wb_node *reply);
#define WB_SIM_NO_REPLY 1

/* When a route applies. */
enum {
    WB_SIM_ON_REG = 1,   /* on a registering connection */
    WB_SIM_ON_LOGIN = 2, /* on a logged-in connection */
    WB_SIM_ON_ANY = 3,
};

typedef struct wb_sim_stanza_route {
    const char *tag; /* NULL ends a table */
    wb_sim_stanza_fn fn;
    int when;
} wb_sim_stanza_route;

typedef struct wb_sim_iq_route {
    const char *xmlns; /* NULL ends a table */
    const char *type;  /* "get", "set", or NULL for either */
    const char *child; /* the first child's tag, or NULL for any */
    wb_sim_iq_fn fn;
    int when;
} wb_sim_iq_route;

/* An HTTP route (admin API, media): method NULL for any, path exact or a prefix ending in
 * '*'. The handler answers through wb_sim_reply exactly once, now or later. */
typedef void (*wb_sim_http_fn)(wb_sim *sim, const wb_sim_request *req, wb_sim_reply *r);
typedef struct wb_sim_http_route {
    const char *method;
    const char *path; /* NULL ends a table */
    wb_sim_http_fn fn;
} wb_sim_http_route;

/* A family of handlers (one per file as a rule): its tables and hooks, all optional. */
typedef struct wb_sim_family {
    const char *name;
    const wb_sim_stanza_route *stanzas;
    const wb_sim_iq_route *iqs;
    const wb_sim_http_route *http;
    /* Routes whose body is taken in pieces (media uploads): the handler runs at the request's
     * head with body_follows set and takes the body with r->read_body; a request without a
     * body (or from a host that does not stream) comes whole, body_follows 0. */
    const wb_sim_http_route *http_streamed;
    int (*init)(wb_sim *sim);  /* after the database and accounts are loaded */
    void (*free)(wb_sim *sim); /* at shutdown */
    /* A companion was linked (after pair-device-sign verified) or removed. */
    void (*on_device_linked)(wb_sim *sim, wb_sim_device *d);
    void (*on_device_removed)(wb_sim *sim, wb_sim_device *d);
} wb_sim_family;

/* The families, listed in dispatch.c. */
extern const wb_sim_family wb_sim_family_iq, wb_sim_family_pair, wb_sim_family_pair_code,
    wb_sim_family_prekeys, wb_sim_family_usync, wb_sim_family_privacy, wb_sim_family_presence,
    wb_sim_family_queue, wb_sim_family_admin;
/* Routing, groups and media (route.c, receipt.c, notify.c, groups*.c, media*.c). */
extern const wb_sim_family wb_sim_family_route, wb_sim_family_receipt, wb_sim_family_notify,
    wb_sim_family_groups, wb_sim_family_groups_iq, wb_sim_family_groups_admin,
    wb_sim_family_media, wb_sim_family_media_http, wb_sim_family_profile;

/* Routes one decoded stanza of a connection. */
int wb_sim_dispatch(wb_sim_conn *c, wb_node *n);
/* Runs the families' init hooks (0 or the first error) and free hooks. */
int wb_sim_families_init(wb_sim *sim);
void wb_sim_families_free(wb_sim *sim);
void wb_sim_hook_linked(wb_sim *sim, wb_sim_device *d);
void wb_sim_hook_removed(wb_sim *sim, wb_sim_device *d);
/* The HTTP route for a request, or NULL (*path_ok says whether some route had the path,
 * *streamed whether the route takes its body in pieces). */
const wb_sim_http_route *wb_sim_http_find(const wb_sim_request *req, int *path_ok,
                                          int *streamed);

/* IQ helpers (iq.c). */
/* <iq from=<iq's to, or @s.whatsapp.net> type="result" id=<iq's id>/> in c's arena. */
wb_node *wb_sim_iq_result(wb_sim_conn *c, const wb_node *iq);
/* Turns reply into <iq type="error"><error code text/></iq>. Returns 0. */
int wb_sim_iq_error(wb_node *reply, int code, const char *text);
/* A new <iq from="@s.whatsapp.net" type=type xmlns=xmlns> for the server's own requests. */
wb_node *wb_sim_iq_new(wb_sim_conn *c, const char *type, const char *xmlns);
/* HTTP helpers (admin.c). */
/* The percent-decoded query parameter name into out ("" when absent). Returns 1 (found), 0
 * (absent) or WB_EMALFORMED / WB_ETOOBIG (does not fit cap). */
int wb_sim_query_param(const wb_sim_request *req, const char *name, char *out, size_t cap);
/* Answers with the JSON of o (freed here; NULL answers 500). */
struct cJSON;
void wb_sim_reply_cjson(wb_sim_reply *r, int status, struct cJSON *o);

/* ---- delivery and offline queue (queue.c) ---------------------------------------------------- */

enum {
    /* The stanza is queued until the device acks it (message, receipt, notification, call):
     * sent now when the device is online and active, kept and sent again with offline="1" after
     * every later passive/active until acked. Without it the stanza is sent only if the device
     * is online (presence, chatstate), else dropped. */
    WB_SIM_DURABLE = 1,
};

/* Delivers n to device d as flags say. n is not modified. Returns 0 or a negative code
 * (database, encoding); a dead connection is not an error (the stanza stays queued). */
int wb_sim_deliver(wb_sim *sim, wb_sim_device *d, const wb_node *n, unsigned flags);
/* The device acked stanza (tag, id[, type]): forgets it. Returns how many were forgotten. */
int wb_sim_queue_ack(wb_sim *sim, wb_sim_device *d, const char *tag, const char *id,
                     const char *type);
/* Sends every queued stanza of c's device (offline="1"), then <ib><offline count=N/></ib>. */
int wb_sim_queue_flush(wb_sim_conn *c);
/* How many stanzas wait for d (sent or not, unacked). */
int64_t wb_sim_queue_count(wb_sim *sim, const wb_sim_device *d);

/* ---- prekeys (prekeys.c) -------------------------------------------------------------------- */

int64_t wb_sim_prekey_count(wb_sim *sim, const wb_sim_device *d);

/* ---- contacts (notify.c) ------------------------------------------------------------------- */

/* a and b have exchanged a 1:1 message (route.c): from now on each hears of the other's device
 * changes (stored; a no-op when already known or a == b). */
void wb_sim_contacts_touch(wb_sim *sim, const wb_sim_account *a, const wb_sim_account *b);
/* 1 when a and b are contacts (or the same account), as privacy settings of "contacts" read it. */
int wb_sim_contacts_know(wb_sim *sim, const wb_sim_account *a, const wb_sim_account *b);

/* ---- privacy (privacy.c) --------------------------------------------------------------------- */

/* a's value of a privacy category ("profile", "groupadd", ...): "all", "contacts", "none"... */
const char *wb_sim_privacy_get(const wb_sim_account *a, const char *name);

/* ---- presence (presence.c) ------------------------------------------------------------------- */

/* A device went away (its connection closed): updates presence and tells subscribers. */
void wb_sim_presence_device_gone(wb_sim *sim, wb_sim_device *d);

/* ---- statistics (stats.c) --------------------------------------------------------------------
 * Counters by name, so a family adds a counter without touching this header:
 *     wb_sim_count(sim, "messages.routed", 1);
 * Names with dots become nested JSON objects in /admin/stats. */
void wb_sim_count(wb_sim *sim, const char *name, int64_t n);
/* The same with a printf-formatted name ("stanzas.in.%s"). */
void wb_sim_countf(wb_sim *sim, int64_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int64_t wb_sim_counter(const wb_sim *sim, const char *name);
void wb_sim_stats_free(wb_sim *sim);

/* ---- stanza log (stanza_log.c) -------------------------------------------------------------- */

enum { WB_SIM_IN = 0, WB_SIM_OUT = 1 };
/* One line per stanza when a log is open: time, direction, connection label, the node printed
 * without key bytes (binary/print.h). */
void wb_sim_log_stanza(wb_sim_conn *c, int dir, const wb_node *n);
/* A free-form event line ("** login 1555...:1"). */
void wb_sim_log_event(wb_sim_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- persistence (persist.c) --------------------------------------------------------------- */

/* Opens the database (state_dir/sim.db, or in memory), loads keys and accounts. */
int wb_sim_persist_open(wb_sim *sim, const char *state_dir, wb_error *err);
/* Reads or makes a key pair stored under name in the meta table. */
int wb_sim_persist_keypair(wb_sim *sim, const char *name, wb_keypair *out);
int wb_sim_persist_account(wb_sim *sim, wb_sim_account *a);
int wb_sim_persist_device(wb_sim *sim, wb_sim_device *d);
int wb_sim_persist_settings(wb_sim *sim, wb_sim_account *a);
/* Makes room for one more element in the growable array *arrp (a T **: n used, *cap allocated,
 * elements of elem bytes; doubles from 8). Returns 0 or WB_ENOMEM (the array is unchanged). */
int wb_sim_grow(void *arrp, size_t n, size_t *cap, size_t elem);
/* The count(*) of a statement that takes one integer (a row id), or WB_ESTORE. */
int64_t wb_sim_count_rows(wb_sim *sim, const char *sql, int64_t row);
/* Runs a statement that takes one integer (a row id) and returns no rows. */
int wb_sim_exec_row(wb_sim *sim, const char *sql, int64_t row);
/* A byte value of the meta table: 0 and out filled, WB_ENOTFOUND, or an error. */
int wb_sim_meta_get(wb_sim *sim, const char *name, wb_buf *out);
int wb_sim_meta_set(wb_sim *sim, const char *name, const void *p, size_t len);

/* ---- the server object (sim.c) -------------------------------------------------------------- */

struct wb_sim {
    wb_sim_opts opts;
    wb_sim_io io;
    wb_store *db;
    wb_keypair root;         /* certificate root (kept in the state) */
    wb_keypair static_key;   /* the server's Noise static key */
    wb_keypair intermediate;
    wb_buf cert_chain;       /* serialized CertChain for the responder */
    uint64_t id_base, id_seq;
    uint64_t conn_serial;
    struct wb_sim_conn *conns;
    wb_sim_account **accounts;
    size_t naccounts, accounts_cap;
    uint64_t next_phone, next_lid; /* numbers of new accounts (meta) */
    wb_sim_reg *regs;              /* registering connections (pair.c) */
    wb_arena arena;                /* scratch for work outside a connection (admin calls) */
    FILE *stanza_log;
    struct wb_sim_stats *stats;
    char ws_url[256];
    char media_host[128];
    char *media_cert_pem;
    void *server;                  /* the libuv host (server.c), when there is one */
    struct wb_sim_groups *groups;  /* groups.c (groups.h) */
    struct wb_sim_media *media;    /* media.c (media.h) */
    struct wb_sim_contacts *contacts; /* notify.c */
};

/* Unix time in seconds and milliseconds (opts.clock when set). */
int64_t wb_sim_now(const wb_sim *sim);
uint64_t wb_sim_now_ms(const wb_sim *sim);
/* A fresh id for a server stanza, into out (at least 24 bytes). */
void wb_sim_new_id(wb_sim *sim, char *out, size_t cap);

#endif
