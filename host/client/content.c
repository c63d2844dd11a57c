/* Building messages from content (client.h wb_client_content_build), as Baileys'
 * generateWAMessageContent and generateWAMessageFromContent (Utils/messages.js) do, so that what
 * wabot sends (from the CLI or a bot) is what a Baileys application would send.
 *
 * Everything is assembled from the caller's borrowed structs and structs on our stack (the
 * protobuf-c structs only point), then packed once and unpacked into the caller's own Message.
 * The one part copied before the end is a forwarded message: its content gets a new contextInfo,
 * so it is taken from a private decoded copy, whose own contextInfo is put back before that copy
 * is freed. contextInfo is reached by reflection (every content type names it "contextInfo",
 * under different field numbers), as Baileys reaches it by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/arena.h"
#include "core/mem.h"
#include "crypto/random.h"
#include "wa/content.h"
#include "wa/poll.h"
#include "wb_proto.h"

void wb_client_me_user(const wb_client *c, char out[WB_JID_STR_MAX]) {
    snprintf(out, WB_JID_STR_MAX, "%s@" WB_SERVER_USER, c->me_user);
}

/* ---- reflection ------------------------------------------------------------------------------- */

/* The field of m that holds its content (Baileys' getContentType: "conversation" or the first
 * field named *Message*, senderKeyDistributionMessage aside), or NULL. */
static const ProtobufCFieldDescriptor *content_field(const Wa__Message *m) {
    const ProtobufCMessageDescriptor *d = &wa__message__descriptor;
    for (unsigned i = 0; m && i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!wb_proto_field_count(&m->base, f))
            continue;
        if (strcmp(f->name, "conversation") == 0 ||
            (strstr(f->name, "Message") && strcmp(f->name, "senderKeyDistributionMessage") != 0))
            return f;
    }
    return NULL;
}

/* The address of the contextInfo pointer of a content message, or NULL when it has none. */
static Wa__ContextInfo **context_slot(ProtobufCMessage *content) {
    const ProtobufCFieldDescriptor *f =
        content ? protobuf_c_message_descriptor_get_field_by_name(content->descriptor,
                                                                  "contextInfo")
                : NULL;
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    return (Wa__ContextInfo **)((char *)content + f->offset);
}

static ProtobufCMessage **message_slot(Wa__Message *m, const ProtobufCFieldDescriptor *f) {
    return (ProtobufCMessage **)((char *)m + f->offset);
}

/* A shallow copy of a sub-message in arena a (its pointers shared), to change fields of. */
static ProtobufCMessage *shallow(wb_arena *a, const ProtobufCMessage *m) {
    return m ? wb_arena_memdup(a, m, m->descriptor->sizeof_message) : NULL;
}

/* ---- the draft -------------------------------------------------------------------------------- */

typedef struct draft {
    wb_client *c;
    const char *jid;
    const wb_client_content *in;
    wb_error *err;
    int64_t now_ms;
    wb_arena a;                       /* shallow copies, arrays */
    Wa__Message m;                    /* the kind */
    ProtobufCMessage *content;        /* the sub-message that gets contextInfo (or NULL) */
    Wa__ContextInfo ci;               /* assembled here */
    int use_ci;
    /* parts of the kinds, pointed to by m */
    Wa__Message__ExtendedTextMessage ext;
    Wa__Message__ReactionMessage react;
    Wa__Message__ProtocolMessage proto;
    Wa__MessageKey key;
    Wa__Message__PollCreationMessage poll;
    Wa__MessageContextInfo mci;
    Wa__Message__PollUpdateMessage update;
    Wa__Message__PollEncValue enc;
    Wa__Message__ContactsArrayMessage contacts;
    uint8_t secret[WB_WA_POLL_SECRET_LEN];
    wb_buf vote;                      /* the sealed vote */
    Wa__Message *fwd;                 /* a forwarded message's private copy */
    Wa__ContextInfo **fwd_slot, *fwd_ci;
    Wa__Message *quoted_copy;         /* the quoted message, normalized (a private copy) */
    Wa__Message quoted;               /* what contextInfo.quotedMessage holds */
} draft;

static int fail(draft *d, int code, const char *what) {
    return wb_error_set(d->err, code, 0, "%s", what);
}

static void key_of(Wa__MessageKey *out, const Wa__MessageKey *k) {
    *out = (Wa__MessageKey)WA__MESSAGE_KEY__INIT;
    out->remotejid = k->remotejid;
    out->has_fromme = 1;
    out->fromme = k->has_fromme && k->fromme;
    out->id = k->id;
    out->participant = k->participant;
}

static int key_ok(const Wa__MessageKey *k) { return k && k->id && *k->id && k->remotejid; }

/* ---- the kinds --------------------------------------------------------------------------------- */

static int build_poll(draft *d) {
    const wb_client_content *in = d->in;
    if (!in->poll.name || !in->poll.n || in->poll.n > WB_WA_POLL_OPTIONS_MAX)
        return fail(d, WB_EINVAL, "a poll needs a name and 1 to 64 options");
    if (in->poll.selectable > in->poll.n)
        return fail(d, WB_EINVAL, "poll.selectableCount must be from 0 to the number of options");
    Wa__Message__PollCreationMessage__Option *opts =
        wb_arena_zalloc(&d->a, in->poll.n * sizeof *opts);
    Wa__Message__PollCreationMessage__Option **ptrs =
        wb_arena_alloc(&d->a, in->poll.n * sizeof *ptrs);
    if (!opts || !ptrs)
        return WB_ENOMEM;
    for (size_t i = 0; i < in->poll.n; i++) {
        if (!in->poll.values[i])
            return fail(d, WB_EINVAL, "a poll option is missing");
        opts[i] = (Wa__Message__PollCreationMessage__Option)
            WA__MESSAGE__POLL_CREATION_MESSAGE__OPTION__INIT;
        opts[i].optionname = (char *)in->poll.values[i];
        ptrs[i] = &opts[i];
    }
    d->poll = (Wa__Message__PollCreationMessage)WA__MESSAGE__POLL_CREATION_MESSAGE__INIT;
    d->poll.name = (char *)in->poll.name;
    d->poll.n_options = in->poll.n;
    d->poll.options = ptrs;
    d->poll.has_selectableoptionscount = 1;
    d->poll.selectableoptionscount = in->poll.selectable;
    if (in->poll.secret)
        memcpy(d->secret, in->poll.secret, sizeof d->secret);
    else
        wb_random_bytes(d->secret, sizeof d->secret);
    d->mci = (Wa__MessageContextInfo)WA__MESSAGE_CONTEXT_INFO__INIT;
    d->mci.has_messagesecret = 1;
    d->mci.messagesecret = (ProtobufCBinaryData){sizeof d->secret, d->secret};
    d->m.messagecontextinfo = &d->mci;
    /* Baileys: a single-choice poll is a V3 */
    if (in->poll.selectable == 1)
        d->m.pollcreationmessagev3 = &d->poll;
    else
        d->m.pollcreationmessage = &d->poll;
    d->content = &d->poll.base;
    return 0;
}

/* A vote in a stored poll: the chosen options' hashes, sealed with the poll's secret. */
static int build_vote(draft *d) {
    const wb_client_content *in = d->in;
    if (!d->c)
        return fail(d, WB_EINVAL, "a vote needs the client (the stored poll)");
    if (!key_ok(in->vote.key))
        return fail(d, WB_EINVAL, "vote.key must be the poll's key");
    Wa__WebMessageInfo *poll = NULL;
    int rc = wb_client_message_load(d->c->st, in->vote.key->remotejid, in->vote.key->id, &poll);
    if (rc < 0) {
        wb_error_set(d->err, rc, 0, "no stored poll %s in %s", in->vote.key->id,
                     in->vote.key->remotejid);
        return rc;
    }
    const Wa__Message *pm = poll->message ? wb_wa_content_normalize(poll->message) : NULL;
    const Wa__Message__PollCreationMessage *pc =
        !pm ? NULL : pm->pollcreationmessage ? pm->pollcreationmessage
                   : pm->pollcreationmessagev2 ? pm->pollcreationmessagev2
                                               : pm->pollcreationmessagev3;
    const Wa__MessageContextInfo *mci = poll->message ? poll->message->messagecontextinfo : NULL;
    if (!pc || !mci || !mci->has_messagesecret ||
        mci->messagesecret.len != WB_WA_POLL_SECRET_LEN) {
        wb_proto_free(poll);
        return fail(d, WB_ENOTFOUND, "that message is not a poll with a secret");
    }
    /* the options chosen, by name, as their hashes */
    uint8_t *hashes = wb_arena_alloc(&d->a, (in->vote.n ? in->vote.n : 1) * WB_WA_POLL_HASH_LEN);
    ProtobufCBinaryData *sel = wb_arena_alloc(&d->a, (in->vote.n ? in->vote.n : 1) * sizeof *sel);
    rc = hashes && sel ? 0 : WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < in->vote.n; i++) {
        int known = 0;
        for (size_t k = 0; in->vote.values[i] && k < pc->n_options; k++)
            known |= pc->options[k]->optionname &&
                     strcmp(pc->options[k]->optionname, in->vote.values[i]) == 0;
        if (!known) {
            rc = wb_error_set(d->err, WB_EINVAL, 0, "the poll has no option '%s'",
                              in->vote.values[i] ? in->vote.values[i] : "");
            break;
        }
        wb_wa_poll_option_hash(in->vote.values[i], hashes + i * WB_WA_POLL_HASH_LEN);
        sel[i] = (ProtobufCBinaryData){WB_WA_POLL_HASH_LEN, hashes + i * WB_WA_POLL_HASH_LEN};
    }
    if (rc == 0 && pc->has_selectableoptionscount && pc->selectableoptionscount &&
        in->vote.n > pc->selectableoptionscount)
        rc = fail(d, WB_EINVAL, "more options chosen than the poll allows");
    /* who made the poll and who votes, as user JIDs in the chat's addressing (poll.h) */
    char creator[WB_JID_STR_MAX], voter[WB_JID_STR_MAX];
    wb_client_me_user(d->c, voter);
    const Wa__MessageKey *pk = poll->key;
    if (pk && pk->fromme)
        memcpy(creator, voter, sizeof creator);
    else
        snprintf(creator, sizeof creator, "%s",
                 pk && pk->participant ? pk->participant : pk && pk->remotejid ? pk->remotejid : "");
    if (rc == 0) {
        Wa__Message__PollVoteMessage v = WA__MESSAGE__POLL_VOTE_MESSAGE__INIT;
        v.n_selectedoptions = in->vote.n;
        v.selectedoptions = sel;
        wb_buf pt = WB_BUF_INIT;
        uint8_t *iv = wb_arena_alloc(&d->a, WB_GCM_IV_LEN);
        rc = iv ? wb_proto_pack(&v, &pt) : WB_ENOMEM;
        if (rc == 0) {
            wb_random_bytes(iv, WB_GCM_IV_LEN);
            rc = wb_wa_poll_vote_seal(mci->messagesecret.data, in->vote.key->id, creator, voter,
                                      iv, pt.data, pt.len, &d->vote);
        }
        wb_buf_free(&pt);
        d->enc = (Wa__Message__PollEncValue)WA__MESSAGE__POLL_ENC_VALUE__INIT;
        d->enc.has_encpayload = d->enc.has_enciv = 1;
        d->enc.encpayload = (ProtobufCBinaryData){d->vote.len, d->vote.data};
        d->enc.enciv = (ProtobufCBinaryData){WB_GCM_IV_LEN, iv};
    }
    if (rc == 0) {
        /* the poll's key as the voter names it (whatsmeow's BuildPollVote) */
        key_of(&d->key, in->vote.key);
        d->key.has_fromme = 1;
        d->key.fromme = pk && pk->fromme;
        d->key.remotejid = (char *)d->jid;
        if (!d->key.fromme && pk && pk->participant)
            d->key.participant = wb_arena_strdup(&d->a, pk->participant);
        else
            d->key.participant = NULL;
        d->update = (Wa__Message__PollUpdateMessage)WA__MESSAGE__POLL_UPDATE_MESSAGE__INIT;
        d->update.pollcreationmessagekey = &d->key;
        d->update.vote = &d->enc;
        d->update.has_sendertimestampms = 1;
        d->update.sendertimestampms = d->now_ms;
        d->m.pollupdatemessage = &d->update;
    }
    wb_proto_free(poll);
    return rc;
}

/* Baileys' generateForwardMessageContent. */
static int build_forward(draft *d) {
    const Wa__WebMessageInfo *f = d->in->forward.msg;
    const Wa__Message *inner = f->message ? wb_wa_content_normalize(f->message) : NULL;
    if (!inner)
        return fail(d, WB_EINVAL, "forward: the message has no content");
    wb_buf b = WB_BUF_INIT;
    int rc = wb_proto_pack(inner, &b);
    if (rc == 0)
        rc = wb_proto_unpack(&wa__message__descriptor, b.data, b.len, 0, &d->fwd, NULL);
    wb_buf_free(&b);
    if (rc < 0)
        return rc;
    d->m = *d->fwd; /* the copy's fields, pointers shared with it */
    if (d->m.conversation) {
        d->ext.text = d->m.conversation;
        d->m.conversation = NULL;
        d->m.extendedtextmessage = &d->ext;
    }
    const ProtobufCFieldDescriptor *cf = content_field(&d->m);
    if (!cf || cf->type != PROTOBUF_C_TYPE_MESSAGE)
        return fail(d, WB_EINVAL, "forward: the message has no content");
    d->content = *message_slot(&d->m, cf);
    Wa__ContextInfo **slot = context_slot(d->content);
    uint32_t score = slot && *slot && (*slot)->has_forwardingscore ? (*slot)->forwardingscore : 0;
    int mine = f->key && f->key->fromme;
    score += mine && !d->in->forward.force ? 0 : 1;
    if (slot && d->content != &d->ext.base) {
        /* the copy's own contextInfo goes back before the copy is freed */
        d->fwd_slot = slot;
        d->fwd_ci = *slot;
    }
    /* the forward's contextInfo replaces the original's */
    if (score > 0) {
        d->ci.has_forwardingscore = d->ci.has_isforwarded = 1;
        d->ci.forwardingscore = score;
        d->ci.isforwarded = 1;
    }
    d->use_ci = 1;
    return 0;
}

/* A media message made of an upload (client/media.c): its content gets what goes on top, on a
 * copy of ours (the caller's stays as it was). */
static int build_media(draft *d) {
    d->m = *d->in->media; /* its fields, pointers shared */
    const ProtobufCFieldDescriptor *cf = content_field(&d->m);
    if (!cf || cf->type != PROTOBUF_C_TYPE_MESSAGE || !context_slot(*message_slot(&d->m, cf)))
        return fail(d, WB_EINVAL, "media: not a media message");
    ProtobufCMessage *copy = shallow(&d->a, *message_slot(&d->m, cf));
    if (!copy)
        return WB_ENOMEM;
    *message_slot(&d->m, cf) = copy;
    d->content = copy;
    return 0;
}

static int build_kind(draft *d) {
    const wb_client_content *in = d->in;
    int kinds = !!in->text + !!in->react.key + !!in->revoke + !!in->poll.name + !!in->vote.key +
                !!in->location + !!in->contacts.n + !!in->forward.msg + !!in->media;
    if (kinds != 1)
        return fail(d, WB_EINVAL, kinds ? "more than one kind of content"
                                        : "no content: give text, react, delete, poll, vote, "
                                          "location, contacts, forward or media");
    if (in->media)
        return build_media(d);
    if (in->text) {
        d->ext.text = (char *)in->text;
        d->m.extendedtextmessage = &d->ext;
        d->content = &d->ext.base;
    } else if (in->react.key) {
        if (!key_ok(in->react.key) || !in->react.text)
            return fail(d, WB_EINVAL, "react must be {text=, key=} with a message key");
        key_of(&d->key, in->react.key);
        d->react.key = &d->key;
        d->react.text = (char *)in->react.text;
        d->react.has_sendertimestampms = 1;
        d->react.sendertimestampms = d->now_ms;
        d->m.reactionmessage = &d->react;
    } else if (in->revoke) {
        if (!key_ok(in->revoke))
            return fail(d, WB_EINVAL, "delete must be a message key");
        key_of(&d->key, in->revoke);
        d->proto.key = &d->key;
        d->proto.has_type = 1;
        d->proto.type = WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__REVOKE;
        d->m.protocolmessage = &d->proto;
    } else if (in->poll.name) {
        return build_poll(d);
    } else if (in->vote.key) {
        return build_vote(d);
    } else if (in->location) {
        Wa__Message__LocationMessage *l =
            (Wa__Message__LocationMessage *)shallow(&d->a, &in->location->base);
        if (!l)
            return WB_ENOMEM;
        d->m.locationmessage = l;
        d->content = &l->base;
    } else if (in->contacts.n == 1) {
        Wa__Message__ContactMessage *one =
            (Wa__Message__ContactMessage *)shallow(&d->a, &in->contacts.v[0]->base);
        if (!one)
            return WB_ENOMEM;
        d->m.contactmessage = one;
        d->content = &one->base;
    } else if (in->contacts.n) {
        d->contacts.displayname = (char *)in->contacts.name;
        d->contacts.n_contacts = in->contacts.n;
        d->contacts.contacts = (Wa__Message__ContactMessage **)in->contacts.v;
        d->m.contactsarraymessage = &d->contacts;
        d->content = &d->contacts.base;
    } else {
        return build_forward(d);
    }
    return 0;
}

/* ---- on top of the kind ------------------------------------------------------------------------ */

/* contextInfo.quotedMessage and friends, as generateWAMessageFromContent sets them. */
static int add_quoted(draft *d) {
    const Wa__WebMessageInfo *q = d->in->quoted;
    if (!q->key || !q->key->id || !q->message)
        return fail(d, WB_EINVAL, "quoted must be a message with a key and content");
    const Wa__Message *qm = wb_wa_content_normalize(q->message);
    const ProtobufCFieldDescriptor *f = content_field(qm);
    d->quoted = (Wa__Message)WA__MESSAGE__INIT;
    if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
        /* the quoted content alone, without its own contextInfo */
        ProtobufCMessage *copy = shallow(&d->a, *message_slot((Wa__Message *)qm, f));
        if (!copy)
            return WB_ENOMEM;
        Wa__ContextInfo **slot = context_slot(copy);
        if (slot)
            *slot = NULL;
        *message_slot(&d->quoted, f) = copy;
    } else if (f) {
        d->quoted.conversation = qm->conversation;
    }
    char me[WB_JID_STR_MAX], part[WB_JID_STR_MAX];
    if (d->c)
        wb_client_me_user(d->c, me);
    else
        me[0] = '\0';
    const char *who = q->key->fromme ? me
                      : q->participant ? q->participant
                      : q->key->participant ? q->key->participant
                                            : q->key->remotejid;
    /* jidNormalizedUser: the device goes */
    wb_jid j;
    if (who && wb_jid_parse(&j, who) == 0) {
        wb_jid u = wb_jid_user_jid(&j);
        wb_jid_format(&u, part, sizeof part);
    } else {
        snprintf(part, sizeof part, "%s", who ? who : "");
    }
    d->ci.participant = wb_arena_strdup(&d->a, part);
    d->ci.stanzaid = q->key->id;
    d->ci.quotedmessage = &d->quoted;
    if (q->key->remotejid && strcmp(q->key->remotejid, d->jid) != 0)
        d->ci.remotejid = q->key->remotejid;
    d->use_ci = 1;
    return d->ci.participant ? 0 : WB_ENOMEM;
}

static int decorate(draft *d) {
    const wb_client_content *in = d->in;
    Wa__ContextInfo **slot = context_slot(d->content);
    if (!slot)
        return 0; /* reactions, revokes, votes: nothing goes on top */
    if (*slot && !d->in->forward.msg) {
        d->ci = **slot; /* the caller's contextInfo, added to */
        d->use_ci = 1;
    }
    if (in->nmentions) {
        d->ci.n_mentionedjid = in->nmentions;
        d->ci.mentionedjid = (char **)in->mentions;
        d->use_ci = 1;
    }
    if (in->quoted) {
        int rc = add_quoted(d);
        if (rc < 0)
            return rc;
    }
    if (in->ephemeral_expiration) {
        d->ci.has_expiration = 1;
        d->ci.expiration = in->ephemeral_expiration;
        d->use_ci = 1;
    }
    if (d->use_ci)
        *slot = &d->ci;
    return 0;
}

int wb_client_content_build(wb_client *c, const char *jid, const wb_client_content *in,
                            Wa__Message **out, wb_error *err) {
    if (!jid || !in)
        return wb_error_set(err, WB_EINVAL, 0, "no chat or no content");
    draft *d = calloc(1, sizeof *d);
    if (!d)
        return WB_ENOMEM;
    d->c = c;
    d->jid = jid;
    d->in = in;
    d->err = err;
    d->now_ms = c ? (int64_t)(c->io.now ? c->io.now(c->ud) : c->now) : 0;
    wb_arena_init(&d->a, 0);
    d->m = (Wa__Message)WA__MESSAGE__INIT;
    d->ci = (Wa__ContextInfo)WA__CONTEXT_INFO__INIT;
    d->ext = (Wa__Message__ExtendedTextMessage)WA__MESSAGE__EXTENDED_TEXT_MESSAGE__INIT;
    d->react = (Wa__Message__ReactionMessage)WA__MESSAGE__REACTION_MESSAGE__INIT;
    d->proto = (Wa__Message__ProtocolMessage)WA__MESSAGE__PROTOCOL_MESSAGE__INIT;
    d->contacts = (Wa__Message__ContactsArrayMessage)WA__MESSAGE__CONTACTS_ARRAY_MESSAGE__INIT;
    int rc = build_kind(d);
    if (rc == 0)
        rc = decorate(d);
    Wa__Message *top = &d->m;
    Wa__Message once = WA__MESSAGE__INIT, edit = WA__MESSAGE__INIT;
    Wa__Message__FutureProofMessage once_fp = WA__MESSAGE__FUTURE_PROOF_MESSAGE__INIT;
    Wa__Message__ProtocolMessage edit_pm = WA__MESSAGE__PROTOCOL_MESSAGE__INIT;
    Wa__MessageKey edit_key;
    if (rc == 0 && in->view_once) {
        once_fp.message = top;
        once.viewoncemessage = &once_fp;
        top = &once;
    }
    if (rc == 0 && in->edit) {
        if (!key_ok(in->edit)) {
            rc = fail(d, WB_EINVAL, "edit must be a message key");
        } else {
            key_of(&edit_key, in->edit);
            edit_pm.key = &edit_key;
            edit_pm.editedmessage = top;
            edit_pm.has_timestampms = edit_pm.has_type = 1;
            edit_pm.timestampms = d->now_ms;
            edit_pm.type = WA__MESSAGE__PROTOCOL_MESSAGE__TYPE__MESSAGE_EDIT;
            edit.protocolmessage = &edit_pm;
            top = &edit;
        }
    }
    wb_buf b = WB_BUF_INIT;
    if (rc == 0)
        rc = wb_proto_pack(top, &b);
    if (rc == 0)
        rc = wb_proto_unpack(&wa__message__descriptor, b.data, b.len, 0, out, err);
    wb_buf_free_secret(&b);
    if (d->fwd_slot)
        *d->fwd_slot = d->fwd_ci;
    wb_proto_free(d->fwd);
    wb_buf_free_secret(&d->vote);
    wb_zero(d->secret, sizeof d->secret);
    wb_arena_free(&d->a);
    free(d);
    return rc;
}
