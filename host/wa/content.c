/* What a message's content means for its stanza (content.h). */
#include "wa/content.h"

#include <stddef.h>
#include <string.h>

#include "wb_proto.h"

/* The FutureProofMessage wrapper of m, or NULL (Baileys' getFutureProofMessage order). */
static const Wa__Message__FutureProofMessage *wrapper(const Wa__Message *m) {
    const Wa__Message__FutureProofMessage *const w[] = {
        m->ephemeralmessage,       m->viewoncemessage,    m->documentwithcaptionmessage,
        m->viewoncemessagev2,      m->viewoncemessagev2extension, m->editedmessage,
        m->associatedchildmessage, m->groupstatusmessage, m->groupstatusmessagev2,
    };
    for (size_t i = 0; i < sizeof w / sizeof *w; i++)
        if (w[i])
            return w[i];
    return NULL;
}

const Wa__Message *wb_wa_content_normalize(const Wa__Message *m) {
    for (int i = 0; m && i < 5; i++) {
        const Wa__Message__FutureProofMessage *w = wrapper(m);
        if (!w || !w->message)
            break;
        m = w->message;
    }
    return m;
}

/* Baileys' getMediaType (on the message as given, wrappers not opened). */
static const char *media_type(const Wa__Message *m) {
    if (m->imagemessage)
        return "image";
    if (m->videomessage)
        return m->videomessage->has_gifplayback && m->videomessage->gifplayback ? "gif" : "video";
    if (m->audiomessage)
        return m->audiomessage->has_ptt && m->audiomessage->ptt ? "ptt" : "audio";
    if (m->contactmessage)
        return "vcard";
    if (m->documentmessage)
        return "document";
    if (m->contactsarraymessage)
        return "contact_array";
    if (m->livelocationmessage)
        return "livelocation";
    if (m->stickermessage)
        return "sticker";
    if (m->groupinvitemessage)
        return "url";
    return NULL;
}

static int is_poll_creation(const Wa__Message *m) {
    return m->pollcreationmessage || m->pollcreationmessagev2 || m->pollcreationmessagev3;
}

/* The edit attribute: Baileys' for deletes, edits and pins; a revoke of someone else's message
 * in a group is an admin's. */
static const char *edit_of(const Wa__Message *m) {
    const Wa__Message__ProtocolMessage *p = m->protocolmessage;
    if (p && p->key && p->has_type) {
        if (p->type == WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__REVOKE) {
            const char *chat = p->key->remotejid;
            size_t n = chat ? strlen(chat) : 0;
            int group = n > 5 && strcmp(chat + n - 5, "@g.us") == 0;
            return group && !p->key->fromme ? WB_WA_EDIT_ADMIN_REVOKE : WB_WA_EDIT_SENDER_REVOKE;
        }
        if (p->type == WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__MESSAGE_EDIT && p->editedmessage)
            return WB_WA_EDIT_MESSAGE;
    }
    if (m->pininchatmessage)
        return WB_WA_EDIT_PIN;
    return NULL;
}

void wb_wa_content_attrs_of(const Wa__Message *m, wb_wa_content_attrs *out) {
    *out = (wb_wa_content_attrs){.type = "text"};
    if (!m)
        return;
    const Wa__Message *c = wb_wa_content_normalize(m);
    out->mediatype = media_type(m);
    out->edit = edit_of(c);
    if (c->reactionmessage || c->encreactionmessage)
        out->type = "reaction";
    else if (is_poll_creation(c) || c->pollupdatemessage)
        out->type = "poll";
    else if (media_type(c))
        out->type = "media";
    if (c->reactionmessage || c->encreactionmessage || c->pininchatmessage || c->pollupdatemessage)
        out->decrypt_fail = "hide";
    if (is_poll_creation(c))
        out->poll_type = "creation";
    else if (c->pollupdatemessage)
        out->poll_type = "vote";
}
