/* What a message's content means for its stanza (NOTES §6.1): the attributes Baileys'
 * sendMessage and relayMessage (Socket/messages-send.js getMessageType, getMediaType, the edit
 * attribute of deletes and edits, <meta polltype>, decrypt-fail="hide") and whatsmeow's send.go
 * derive from the Message, so that a client builds them from the content alone and a reader
 * knows what they say:
 *
 *   type          "reaction" | "poll" | "media" (a media kind, contacts, live location) | "text"
 *                 (text, location, protocol messages), after opening ephemeral and view-once
 *                 wrappers
 *   mediatype     on each <enc>: "image", "video" | "gif", "audio" | "ptt", "document",
 *                 "sticker", "vcard", "contact_array", "livelocation", ... (the outer message
 *                 only, as Baileys)
 *   edit          on <message>: "1" an edit, "7" the sender's revoke, "8" an admin's revoke (of
 *                 someone else's message in a group), "2" a pin
 *   decrypt-fail  on each <enc>: "hide" for reactions, pins and votes (a receiver that cannot
 *                 decrypt them shows nothing)
 *   <meta>        polltype="creation" for a poll, "vote" for a vote
 *
 * Pure functions over the protobuf; no I/O. */
#ifndef WB_WA_CONTENT_H
#define WB_WA_CONTENT_H

struct Wa__Message;

#define WB_WA_EDIT_MESSAGE "1"
#define WB_WA_EDIT_PIN "2"
#define WB_WA_EDIT_SENDER_REVOKE "7"
#define WB_WA_EDIT_ADMIN_REVOKE "8"

typedef struct wb_wa_content_attrs {
    const char *type;         /* the stanza's type */
    const char *mediatype;    /* the <enc>s' mediatype, or NULL */
    const char *edit;         /* the stanza's edit, or NULL */
    const char *decrypt_fail; /* the <enc>s' decrypt-fail, or NULL */
    const char *poll_type;    /* <meta polltype>, or NULL */
} wb_wa_content_attrs;

/* The attributes of a stanza carrying m (static strings). */
void wb_wa_content_attrs_of(const struct Wa__Message *m, wb_wa_content_attrs *out);

/* Baileys' normalizeMessageContent: the message inside ephemeral, view-once, edited,
 * document-with-caption ... wrappers (at most 5 deep). NULL for NULL. */
const struct Wa__Message *wb_wa_content_normalize(const struct Wa__Message *m);

#endif
