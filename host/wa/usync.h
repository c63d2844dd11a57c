/* usync (NOTES §0.5, §6.1): how a client learns about users, several "protocols" at once for a
 * list of users named by JID or by phone number. Baileys 7 asks devices and lid before every send
 * (its device-list cache aside) and contact for onWhatsApp:
 *
 *   <iq xmlns="usync" type="get" to="@s.whatsapp.net" id>
 *     <usync context="message" mode="query" sid last="true" index="0">
 *       <query><devices version="2"/><lid/>[<contact/>]</query>
 *       <list><user jid="P@s.whatsapp.net"/>...<user><contact>+P</contact></user>...</list>
 *     </usync></iq>
 *   -> <iq type="result"><usync sid index="0" last="true" mode context><result><devices/><lid/>
 *      </result><list><user jid="P@s.whatsapp.net">
 *        <devices><device-list><device id="0"/><device id="1" key-index="1"/></device-list></devices>
 *        <lid val="L@lid"/>[<contact type="in|out">+P</contact>]</user>...</list></usync></iq>
 *
 * A user asked by phone comes back as P@s.whatsapp.net. Non-zero devices carry key-index (Baileys
 * drops those that do not); the phone, device 0, has none. The client builds queries and reads
 * results (wb_wa_usync_query_*, wb_wa_usync_result_read); the simulator reads queries and builds
 * results (wb_wa_usync_request_read, wb_wa_usync_result_fill, wb_wa_usync_user_fill).
 *
 * Readers leave strings and bytes pointing into the node and put arrays in the arena they are
 * given: the struct is valid while both are. */
#ifndef WB_WA_USYNC_H
#define WB_WA_USYNC_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"

#define WB_WA_USYNC_USERS_MAX 2000 /* users one query may name (the simulator's bound) */
#define WB_WA_USYNC_PHONE_MAX 20   /* digits of a phone number */

/* The protocols wabot knows, as bits; in a query they go in this order. */
enum {
    WB_WA_USYNC_DEVICES = 1,      /* <devices version="2"/>: device ids and key indexes */
    WB_WA_USYNC_LID = 2,          /* <lid/>: the user's LID */
    WB_WA_USYNC_CONTACT = 4,      /* <contact/>: is the number on WhatsApp */
    WB_WA_USYNC_STATUS = 8,       /* <status/>: the about text (answered empty by the simulator) */
    WB_WA_USYNC_DISAPPEARING = 16,/* <disappearing_mode/> (likewise) */
};

/* ---- the client's query -------------------------------------------------------------------- */

/* Adds <usync context mode="query" sid last="true" index="0"><query>protocols</query><list/>
 * </usync> to iq (an <iq xmlns="usync" type="get">, see wa/iq.h). context: "message" before a
 * send, "interactive" (Baileys' default), "background". Returns the <usync> node. */
wb_node *wb_wa_usync_query_fill(wb_node *iq, const char *sid, const char *context,
                                unsigned protocols);
/* Adds <user jid/> to the query's list (with <contact/> when the query asks contact). */
void wb_wa_usync_query_add_jid(wb_node *iq, const wb_jid *jid);
/* Adds <user><contact>+N</contact></user> for phone ("+N" or "N", digits). */
void wb_wa_usync_query_add_phone(wb_node *iq, const char *phone);

/* ---- the query as the server reads it ------------------------------------------------------ */

typedef struct wb_wa_usync_asked {
    wb_jid jid;             /* <user jid>, or P@s.whatsapp.net for a user asked by phone */
    int by_phone;           /* asked as <contact>+P</contact> */
    const uint8_t *contact; /* the <contact> text as asked ("+P"), NULL when none */
    size_t contact_len;
} wb_wa_usync_asked;

typedef struct wb_wa_usync_request {
    const char *sid, *mode, *context; /* NULL when absent */
    unsigned protocols;               /* the WB_WA_USYNC_* bits asked */
    const char **protocol_tags;       /* every <query> child's tag, in order, known or not */
    size_t nprotocols;
    wb_wa_usync_asked *users;
    size_t nusers;
} wb_wa_usync_request;

/* Reads a usync query (the <iq>). Returns 0, WB_EPROTO (no <query> or <list>, a user with
 * neither a valid jid nor a phone: err says which), WB_ETOOBIG (over WB_WA_USYNC_USERS_MAX
 * users) or WB_ENOMEM. */
int wb_wa_usync_request_read(const wb_node *iq, wb_arena *a, wb_wa_usync_request *out,
                             wb_error *err);

/* ---- the result ------------------------------------------------------------------------------ */

typedef struct wb_wa_usync_device {
    uint16_t id;         /* 0 = the phone */
    uint32_t key_index;  /* valid when has_key_index */
    uint8_t has_key_index;
    uint8_t hosted;      /* is_hosted="true": the device is on hosted / hosted.lid */
} wb_wa_usync_device;

/* What a result says about one user. */
typedef struct wb_wa_usync_user {
    wb_jid jid;                        /* as asked (by phone: P@s.whatsapp.net) */
    wb_jid lid;                        /* <lid val>: the user's LID; empty when none */
    const wb_wa_usync_device *devices; /* <devices>, in the order given (the phone first) */
    size_t ndevices;
    int contact;                       /* <contact type>: 1 "in", 0 "out", -1 not answered */
    const uint8_t *contact_text;       /* the phone as asked, echoed; NULL when none */
    size_t contact_len;
    int error;                         /* the code of an <error> in an answer (0: none); its
                                        * protocol's values are then absent */
} wb_wa_usync_user;

typedef struct wb_wa_usync_result {
    const char *sid;
    wb_wa_usync_user *users;
    size_t nusers;
} wb_wa_usync_result;

/* The server: adds <usync sid index="0" last="true" mode context><result>(the query's protocols)
 * </result><list/></usync> to reply (the IQ's result). Returns the <list> to add users to. */
wb_node *wb_wa_usync_result_fill(wb_node *reply, const wb_wa_usync_request *req);
/* Adds <user jid> with the answer to each protocol req asks that wabot knows, in the query's
 * order: devices (u's), lid (u's, or <lid/> when empty), contact (type in/out with the text),
 * status and disappearing_mode (empty). */
void wb_wa_usync_user_fill(wb_node *list, const wb_wa_usync_request *req,
                           const wb_wa_usync_user *u);

/* The client: reads a result (the <iq type="result">). Users without a jid are skipped, as
 * Baileys does. Returns 0, WB_EPROTO / WB_EMALFORMED (no <usync><list>, a device without a
 * numeric id, a bad JID) or WB_ENOMEM. */
int wb_wa_usync_result_read(const wb_node *iq, wb_arena *a, wb_wa_usync_result *out,
                            wb_error *err);

#endif
