/* JIDs: WhatsApp addresses, `user[_agent][:device]@server` as Baileys renders them, plus the two
 * forms Baileys renders from FB_JID and INTEROP_JID (`user:device@msgr`,
 * `integrator-user:device@interop`). Used by the client, the simulator and Signal addressing.
 *
 * A wb_jid is a plain value: it owns its (short) strings, may be copied with `=` and compared
 * with wb_jid_eq(). The empty JID (all zero, server "") means "no JID". */
#ifndef WB_BINARY_JID_H
#define WB_BINARY_JID_H

#include <stddef.h>
#include <stdint.h>

#define WB_JID_USER_MAX 64   /* bytes of user, without the NUL */
#define WB_JID_SERVER_MAX 15 /* bytes of server, without the NUL ("s.whatsapp.net" is 14) */
/* Room for any formatted wb_jid, NUL included. */
#define WB_JID_STR_MAX (WB_JID_USER_MAX + WB_JID_SERVER_MAX + 24)

/* Known servers. */
#define WB_SERVER_USER "s.whatsapp.net" /* phone-number users; device 0 = phone */
#define WB_SERVER_LID "lid"             /* hidden user ids */
#define WB_SERVER_GROUP "g.us"
#define WB_SERVER_BROADCAST "broadcast" /* status@broadcast, broadcast lists */
#define WB_SERVER_NEWSLETTER "newsletter"
#define WB_SERVER_HOSTED "hosted"
#define WB_SERVER_HOSTED_LID "hosted.lid"
#define WB_SERVER_LEGACY "c.us"
#define WB_SERVER_MSGR "msgr"
#define WB_SERVER_INTEROP "interop"
#define WB_SERVER_BOT "bot"

/* AD_JID domain types. */
enum {
    WB_DOMAIN_WHATSAPP = 0,
    WB_DOMAIN_LID = 1,
    WB_DOMAIN_HOSTED = 128,
    WB_DOMAIN_HOSTED_LID = 129,
};

typedef struct wb_jid {
    char user[WB_JID_USER_MAX + 1];     /* may be empty: "@s.whatsapp.net" is the server */
    char server[WB_JID_SERVER_MAX + 1]; /* empty only in the empty JID */
    uint16_t device;                    /* 0 = the main device (phone) */
    uint16_t integrator;                /* interop JIDs only */
    uint8_t agent;                      /* Baileys' `_agent`; 0 = none */
} wb_jid;

/* Parses s (len bytes) in the form above. Rules: exactly one '@' splits user part and server;
 * the server is 1..15 of [A-Za-z0-9.-]; the user part is user[_agent][:device] (for the
 * interop server integrator-user:device), with agent, device and integrator canonical decimals
 * (no sign, no leading zero) of at most 255, 65535 and 65535; the user is at most 64 bytes
 * without '@', ':', '_', NUL or spaces. Returns 0 (out filled), WB_EMALFORMED or WB_ETOOBIG. */
int wb_jid_parsen(wb_jid *out, const char *s, size_t len);
/* The same for a NUL-terminated string (NULL gives WB_EINVAL). */
int wb_jid_parse(wb_jid *out, const char *s);

/* Writes the JID as Baileys renders it (user_agent:device@server with the parts that are set;
 * interop JIDs as integrator-user:device@interop) into out, NUL-terminated and truncated to
 * cap. Returns the length of the full rendering (as snprintf does); WB_JID_STR_MAX always
 * suffices. The empty JID renders as "". */
size_t wb_jid_format(const wb_jid *j, char *out, size_t cap);

/* Fills out with user@server:device. Returns 0, or WB_ETOOBIG / WB_EMALFORMED when a part does
 * not fit the rules of wb_jid_parsen (out is then untouched). */
int wb_jid_make(wb_jid *out, const char *user, const char *server, uint16_t device);
/* The same as a value: returns the empty JID when the parts are invalid. For literals:
 * `wb_jid me = wb_jid_of("15550001111", WB_SERVER_USER, 1);` */
wb_jid wb_jid_of(const char *user, const char *server, uint16_t device);

/* 1 when every field is equal, else 0. */
int wb_jid_eq(const wb_jid *a, const wb_jid *b);
/* 1 when user and server are equal (devices and agents may differ). */
int wb_jid_same_user(const wb_jid *a, const wb_jid *b);
/* The user JID of a device JID: device, agent and integrator cleared. */
wb_jid wb_jid_user_jid(const wb_jid *j);
/* 1 for the empty JID. */
int wb_jid_is_empty(const wb_jid *j);
/* 1 when the JID's server is server (one of the WB_SERVER_* strings). */
int wb_jid_on(const wb_jid *j, const char *server);

/* The AD_JID domain type: 1 for lid, 128 hosted, 129 hosted.lid, else the agent (0 normally). */
uint8_t wb_jid_domain(const wb_jid *j);

/* Writes the Signal protocol address of a user or device JID, as Baileys' libsignal glue does:
 * `user[_domain].device` (the domain suffix only when wb_jid_domain() is not 0). Returns the
 * full length as snprintf does, or WB_EINVAL (negative, cast to int) for a JID with no user,
 * or device 99 on a server other than hosted/hosted.lid. */
int wb_jid_signal_address(const wb_jid *j, char *out, size_t cap);

#endif
