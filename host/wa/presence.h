/* Presence and chat states (NOTES §5; Baileys' Socket/chats.js sendPresenceUpdate,
 * presenceSubscribe, handlePresenceUpdate).
 *
 *   client   <presence name type="available|unavailable"/>     online or away (push name)
 *            <presence to id type="subscribe"/>                 tell me when to goes on/offline
 *            <chatstate from to><composing [media="audio"]/></chatstate>   typing, recording
 *            <chatstate from to><paused/></chatstate>           stopped typing
 *   server   <presence from [participant] type="available|unavailable" [last]/>
 *            <chatstate from [participant]><composing|paused .../></chatstate>
 *
 * (`last` is the unix time last seen, or "deny" when the user hides it.) Baileys' names for what
 * a bot sends (sendPresenceUpdate's type) and sees (presence.update's lastKnownPresence) map onto
 * these stanzas as wb_wa_presence_kind says: "recording" is composing with media="audio", and a
 * paused chat state reads as "available".
 *
 * Builders return new nodes in the arena given; readers leave strings pointing into the node. */
#ifndef WB_WA_PRESENCE_H
#define WB_WA_PRESENCE_H

#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"

#define WB_WA_LAST_DENY (-1) /* last="deny": the user hides when they were last seen */

typedef struct wb_wa_presence {
    const char *type;    /* "available", "unavailable", "subscribe", "unsubscribe"; NULL: a
                            client's name change only */
    const char *name;    /* a client's push name (NULL: none) */
    const char *id;      /* subscribe: the stanza id (NULL: none) */
    wb_jid from, to, participant;
    int64_t last;        /* the server's last-seen time (0: none, WB_WA_LAST_DENY) */
} wb_wa_presence;

typedef struct wb_wa_chatstate {
    wb_jid from, to, participant;
    const char *state;   /* "composing" or "paused" */
    const char *media;   /* "audio" while recording a voice note, else NULL */
} wb_wa_chatstate;

wb_node *wb_wa_presence_new(wb_arena *a, const wb_wa_presence *p);
/* Reads a <presence>. Returns 0 or WB_EPROTO / WB_EMALFORMED (a bad JID or last, a type that is
 * none of the four, a subscribe without to). */
int wb_wa_presence_read(const wb_node *n, wb_wa_presence *out, wb_error *err);

wb_node *wb_wa_chatstate_new(wb_arena *a, const wb_wa_chatstate *s);
/* Reads a <chatstate>. Returns 0 or WB_EPROTO / WB_EMALFORMED (no child, one that is neither
 * composing nor paused, a bad JID). */
int wb_wa_chatstate_read(const wb_node *n, wb_wa_chatstate *out, wb_error *err);

/* What Baileys' sendPresenceUpdate type asks for. */
enum wb_wa_presence_kind {
    WB_WA_PRESENCE_BAD = 0,
    WB_WA_PRESENCE_AVAILABILITY, /* "available", "unavailable": a <presence> */
    WB_WA_PRESENCE_CHATSTATE,    /* "composing", "recording", "paused": a <chatstate> */
};
/* The kind of a sendPresenceUpdate type; for a chat state, its state and media into *state and
 * *media (either may be NULL). */
int wb_wa_presence_kind(const char *type, const char **state, const char **media);
/* presence.update's lastKnownPresence for a chat state: "composing", "recording" (composing with
 * media="audio") or "available" (paused), as Baileys reads them. */
const char *wb_wa_chatstate_presence(const wb_wa_chatstate *s);

#endif
