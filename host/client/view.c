/* Messages as people read them (client.h): one line describing any kind, for listings and the
 * terminal, and a poll's tally as Baileys' getAggregateVotesInPollMessage counts it. */
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "core/arena.h"
#include "wa/content.h"
#include "wa/poll.h"
#include "wb_proto.h"

/* ---- one line --------------------------------------------------------------------------------- */

static const char *or_empty(const char *s) { return s ? s : ""; }

static void describe_poll(const Wa__Message__PollCreationMessage *p, char *out, size_t cap) {
    size_t n = (size_t)snprintf(out, cap, "[poll] %s (", or_empty(p->name));
    for (size_t i = 0; i < p->n_options && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " / " : "",
                              or_empty(p->options[i]->optionname));
    if (n < cap)
        snprintf(out + n, cap - n, ")");
}

static void describe_protocol(const Wa__Message__ProtocolMessage *p, char *out, size_t cap) {
    const char *id = p->key ? or_empty(p->key->id) : "";
    switch (p->has_type ? (int)p->type : -1) {
    case WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__REVOKE:
        snprintf(out, cap, "[deleted %s]", id);
        break;
    case WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__MESSAGE_EDIT: {
        const char *t = p->editedmessage ? wb_client_message_text(p->editedmessage) : NULL;
        snprintf(out, cap, "[edit of %s] %s", id, or_empty(t));
        break;
    }
    case WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__EPHEMERAL_SETTING:
        if (p->has_ephemeralexpiration && p->ephemeralexpiration)
            snprintf(out, cap, "[disappearing messages: %u s]", p->ephemeralexpiration);
        else
            snprintf(out, cap, "[disappearing messages off]");
        break;
    default:
        snprintf(out, cap, "[protocol message]");
        break;
    }
}

const char *wb_client_message_describe(const Wa__WebMessageInfo *info, char *out, size_t cap) {
    if (!cap)
        return out;
    const Wa__Message *raw = info ? info->message : NULL;
    if (!raw) {
        int revoked = info && info->has_messagestubtype &&
                      info->messagestubtype == WA__WEB_MESSAGE_INFO__STUB_TYPE__REVOKE;
        snprintf(out, cap, revoked ? "[deleted]" : "[no content]");
        return out;
    }
    const Wa__Message *m = wb_wa_content_normalize(raw);
    const char *text = wb_client_message_text(raw);
    const char *once = raw->viewoncemessage || raw->viewoncemessagev2 ||
                               raw->viewoncemessagev2extension
                           ? "[view once] "
                           : "";
    if (text) {
        const char *kind = m->imagemessage ? "[image] " : m->videomessage ? "[video] "
                           : m->documentmessage ? "[document] " : "";
        snprintf(out, cap, "%s%s%s%s", once, kind, text, raw->editedmessage ? " (edited)" : "");
    } else if (m->reactionmessage) {
        const Wa__Message__ReactionMessage *r = m->reactionmessage;
        const char *id = r->key ? or_empty(r->key->id) : "";
        if (r->text && *r->text)
            snprintf(out, cap, "[reaction %s to %s]", r->text, id);
        else
            snprintf(out, cap, "[reaction removed from %s]", id);
    } else if (m->protocolmessage) {
        describe_protocol(m->protocolmessage, out, cap);
    } else if (m->pollcreationmessage || m->pollcreationmessagev2 || m->pollcreationmessagev3) {
        describe_poll(m->pollcreationmessage ? m->pollcreationmessage
                      : m->pollcreationmessagev2 ? m->pollcreationmessagev2
                                                 : m->pollcreationmessagev3,
                      out, cap);
    } else if (m->pollupdatemessage) {
        const Wa__MessageKey *k = m->pollupdatemessage->pollcreationmessagekey;
        snprintf(out, cap, "[vote in %s]", k ? or_empty(k->id) : "");
    } else if (m->locationmessage) {
        const Wa__Message__LocationMessage *l = m->locationmessage;
        snprintf(out, cap, "[location %.6f,%.6f%s%s]", l->degreeslatitude, l->degreeslongitude,
                 l->name ? " " : "", or_empty(l->name));
    } else if (m->livelocationmessage) {
        snprintf(out, cap, "[live location %.6f,%.6f]", m->livelocationmessage->degreeslatitude,
                 m->livelocationmessage->degreeslongitude);
    } else if (m->contactmessage) {
        snprintf(out, cap, "[contact %s]", or_empty(m->contactmessage->displayname));
    } else if (m->contactsarraymessage) {
        snprintf(out, cap, "[%zu contacts]", m->contactsarraymessage->n_contacts);
    } else {
        wb_wa_content_attrs a;
        wb_wa_content_attrs_of(m, &a);
        snprintf(out, cap, "%s[%s]", once, a.mediatype ? a.mediatype : "no text");
    }
    return out;
}

int wb_client_poll_update_pack(const wb_client_update *u, wb_buf *out) {
    ProtobufCBinaryData sel[WB_WA_POLL_OPTIONS_MAX];
    size_t n = u->nselected < WB_WA_POLL_OPTIONS_MAX ? u->nselected : WB_WA_POLL_OPTIONS_MAX;
    for (size_t i = 0; i < n; i++)
        sel[i] = (ProtobufCBinaryData){WB_WA_POLL_HASH_LEN,
                                       (uint8_t *)u->selected + WB_WA_POLL_HASH_LEN * i};
    Wa__Message__PollVoteMessage vote = WA__MESSAGE__POLL_VOTE_MESSAGE__INIT;
    vote.n_selectedoptions = n;
    vote.selectedoptions = sel;
    Wa__MessageKey by = WA__MESSAGE_KEY__INIT;
    by.remotejid = (char *)u->by.remote_jid;
    by.has_fromme = 1;
    by.fromme = u->by.from_me;
    by.id = (char *)u->by.id;
    by.participant = (char *)u->by.participant;
    Wa__PollUpdate pu = WA__POLL_UPDATE__INIT;
    pu.pollupdatemessagekey = &by;
    pu.vote = &vote;
    pu.has_sendertimestampms = 1;
    pu.sendertimestampms = u->sender_ts_ms;
    return wb_proto_pack(&pu, out);
}

/* ---- poll tallies ----------------------------------------------------------------------------- */

int wb_client_poll_tally(const Wa__WebMessageInfo *poll, const char *me, wb_arena *a,
                         wb_client_poll_option **out, size_t *nout) {
    const Wa__Message *m = poll && poll->message ? wb_wa_content_normalize(poll->message) : NULL;
    const Wa__Message__PollCreationMessage *p =
        !m ? NULL : m->pollcreationmessage ? m->pollcreationmessage
                  : m->pollcreationmessagev2 ? m->pollcreationmessagev2
                                             : m->pollcreationmessagev3;
    if (!p)
        return WB_EINVAL;
    /* at most one entry per option, then one per unknown hash */
    size_t cap = p->n_options + 1;
    for (size_t i = 0; i < poll->n_pollupdates; i++)
        if (poll->pollupdates[i]->vote)
            cap += poll->pollupdates[i]->vote->n_selectedoptions;
    wb_client_poll_option *opt = wb_arena_zalloc(a, cap * sizeof *opt);
    uint8_t (*hash)[WB_WA_POLL_HASH_LEN] = wb_arena_alloc(a, cap * sizeof *hash);
    size_t *room = wb_arena_zalloc(a, cap * sizeof *room);
    if (!opt || !hash || !room)
        return WB_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < p->n_options; i++) {
        uint8_t h[WB_WA_POLL_HASH_LEN];
        wb_wa_poll_option_hash(p->options[i]->optionname, h);
        size_t k = 0;
        while (k < n && memcmp(hash[k], h, sizeof h) != 0)
            k++;
        if (k < n)
            continue; /* Baileys keys its map by hash: a repeated name is one entry */
        memcpy(hash[n], h, sizeof h);
        opt[n++].name = or_empty(p->options[i]->optionname);
    }
    for (size_t i = 0; i < poll->n_pollupdates; i++) {
        const Wa__PollUpdate *u = poll->pollupdates[i];
        const Wa__MessageKey *key = u->pollupdatemessagekey;
        const char *voter = !key ? "" : key->fromme ? me
                            : key->participant   ? key->participant
                                                 : or_empty(key->remotejid);
        for (size_t s = 0; u->vote && s < u->vote->n_selectedoptions; s++) {
            const ProtobufCBinaryData *sel = &u->vote->selectedoptions[s];
            size_t k = 0;
            while (k < n && !(sel->len == WB_WA_POLL_HASH_LEN &&
                              memcmp(hash[k], sel->data, WB_WA_POLL_HASH_LEN) == 0))
                k++;
            if (k == n) {
                memset(hash[n], 0, WB_WA_POLL_HASH_LEN);
                memcpy(hash[n], sel->data, sel->len < WB_WA_POLL_HASH_LEN ? sel->len
                                                                          : WB_WA_POLL_HASH_LEN);
                opt[n++].name = "Unknown";
            }
            if (!room[k]) {
                room[k] = poll->n_pollupdates;
                if (!(opt[k].voters = wb_arena_alloc(a, room[k] * sizeof *opt[k].voters)))
                    return WB_ENOMEM;
            }
            if (opt[k].nvoters < room[k])
                ((const char **)opt[k].voters)[opt[k].nvoters++] = voter;
        }
    }
    *out = opt;
    *nout = n;
    return 0;
}
