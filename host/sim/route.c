/* Message routing (NOTES §6.1, §6.2, §6.4): a client's <message> becomes one stanza per
 * recipient device, each carrying that device's <enc>, queued durably (queue.c) until the
 * device's receipt says it has it; the sender gets <ack class="message" id from=<to> t/> with
 * the server time, which is also the delivered stanzas' t.
 *
 *   1:1      <message to=B [recipient]><participants><to jid=B:n><enc/></to>...</participants>
 *            [<device-identity/>]</message>  ->  to each B:n (and each own other device):
 *            <message from=A:d id t type notify sender_lid=L_A:d [recipient=B]><enc/>
 *            [<device-identity/> with a pkmsg]</message>
 *            (a <to> named by LID gets from=L_A:d and sender_pn instead)
 *   group    <message to=G><enc type=skmsg/><participants>...</participants></message>  ->
 *            to every member device: <message from=G participant=A:d participant_lid
 *            addressing_mode="pn" ...><enc pkmsg|msg (its own, if any)/><enc skmsg/></message>:
 *            the device's own <enc> (which carries the sender key) comes BEFORE skmsg, as
 *            Baileys decrypts them in order (Baileys' own stanza has skmsg first)
 *   retries  a resend names one device (`to` a device JID, or `participant` in a group) and
 *            carries its <enc> directly: it goes to that device only.
 *
 * Devices a client names that are not the recipient's or its own, removed devices and the
 * phone (device 0, simulated: it has a bundle but never reads) get nothing and are counted
 * (route.dropped.*). A stanza that is not a message a client could send (no id, no `to`, a
 * JID that does not parse, thousands of <to>: wa/message.h's reader refuses it) closes that
 * client's connection. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "sim/groups.h"
#include "wa/message.h"

typedef struct fanout {
    wb_sim_conn *c;
    const wb_wa_message_send *msg;
    int64_t t;
    const wb_sim_device *sender;
    const wb_wa_enc *skmsg;  /* groups */
    const wb_jid *group;     /* the group, or NULL */
    wb_jid chat;             /* 1:1: the chat, recipient= on own-device copies */
    int64_t delivered;
} fanout;

typedef struct target {
    wb_sim_device *d;
    const wb_wa_enc *enc;
    int lid; /* named by LID: LID addressing */
} target;

/* ---- one delivery ---------------------------------------------------------------------------- */

static wb_jid device_jid(const wb_sim_device *d, int lid) {
    const wb_sim_account *a = d->account;
    return wb_jid_of(lid ? a->lid : a->phone, lid ? WB_SERVER_LID : WB_SERVER_USER, d->id);
}

static int deliver(fanout *f, wb_sim_device *d, const wb_wa_enc *enc, int lid) {
    const wb_sim_account *from = f->sender->account;
    wb_jid pn = device_jid(f->sender, 0), lj = device_jid(f->sender, 1);
    int own = d->account == from;
    wb_wa_enc encs[2];
    wb_wa_message m = {.id = f->msg->id, .t = f->t, .type = f->msg->type, .edit = f->msg->edit,
                       .category = f->msg->category, .expiration = f->msg->expiration,
                       .notify = from->name[0] ? from->name : NULL, .encs = encs};
    if (f->group) {
        m.from = *f->group;
        m.participant = pn;
        m.participant_lid = lj;
        m.addressing_mode = "pn";
    } else if (lid) {
        m.from = lj;
        m.sender_pn = pn;
    } else {
        m.from = pn;
        if (!own)
            m.sender_lid = lj;
    }
    if (own && !f->group)
        m.recipient = f->chat;
    if (enc)
        encs[m.nencs++] = *enc;
    if (f->skmsg)
        encs[m.nencs++] = *f->skmsg;
    if (enc && enc->type && strcmp(enc->type, "pkmsg") == 0) {
        m.identity = f->msg->identity;
        m.identity_len = f->msg->identity_len;
    }
    if (d->fault_corrupt && m.nencs && encs[0].len) {
        /* the corrupt fault (admin.c): one byte of this device's ciphertext flipped, once */
        uint8_t *copy = wb_arena_memdup(&f->c->arena, encs[0].data, encs[0].len);
        if (copy) {
            copy[encs[0].len / 2] ^= 0x40;
            encs[0].data = copy;
            d->fault_corrupt = 0;
            wb_sim_count(f->c->sim, "faults.corrupted", 1);
        }
    }
    int rc = wb_sim_deliver(f->c->sim, d, wb_wa_message_new(&f->c->arena, &m), WB_SIM_DURABLE);
    if (rc == 0)
        f->delivered++;
    return rc;
}

static void dropped(wb_sim *sim, const char *why) { wb_sim_countf(sim, 1, "route.dropped.%s", why); }

/* ---- the named devices ------------------------------------------------------------------- */

/* The <to jid><enc/></to> entries of <participants>, resolved to devices. Returns how many (in
 * *out, in the connection's arena) or WB_ENOMEM. */
static int targets(wb_sim_conn *c, const wb_wa_message_send *msg, target **out) {
    target *t = wb_arena_alloc(&c->arena, (msg->ntargets ? msg->ntargets : 1) * sizeof *t);
    if (!t)
        return WB_ENOMEM;
    int k = 0;
    for (size_t i = 0; i < msg->ntargets; i++) {
        const wb_wa_target *to = &msg->targets[i];
        wb_sim_device *d = wb_sim_device_by_jid(c->sim, &to->jid);
        if (!to->has_enc) {
            dropped(c->sim, "no_enc");
        } else if (!to->jid.device) {
            dropped(c->sim, "phone");
        } else if (!d || d->removed) {
            dropped(c->sim, "unknown_device");
        } else {
            t[k++] = (target){d, &to->enc, wb_jid_on(&to->jid, WB_SERVER_LID)};
        }
    }
    *out = t;
    return k;
}

/* ---- 1:1 -------------------------------------------------------------------------------------- */

static int route_direct(fanout *f) {
    wb_sim_conn *c = f->c;
    wb_sim *sim = c->sim;
    const wb_jid *to = &f->msg->to;
    const wb_sim_account *peer = wb_sim_account_by_jid(sim, to), *me = f->sender->account;
    if (!peer)
        return 404;
    wb_sim_contacts_touch(sim, me, peer);
    if (!f->msg->ntargets) {
        /* a resend to one device (a retry), or a peer message to the phone */
        wb_sim_device *d = wb_sim_device_by_jid(sim, to);
        const wb_wa_enc *enc = f->msg->nencs ? &f->msg->encs[0] : NULL;
        if (!to->device || !enc) {
            dropped(sim, to->device ? "no_enc" : "phone");
            return 0;
        }
        if (!d || d->removed || d == f->sender) {
            dropped(sim, "unknown_device");
            return 0;
        }
        return deliver(f, d, enc, wb_jid_on(to, WB_SERVER_LID)) < 0 ? 500 : 0;
    }
    target *t;
    int n = targets(c, f->msg, &t);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        if (t[i].d == f->sender)
            continue;
        if (t[i].d->account != peer && t[i].d->account != me) {
            dropped(sim, "foreign_device");
            continue;
        }
        if (deliver(f, t[i].d, t[i].enc, t[i].lid) < 0)
            return 500;
    }
    return 0;
}

/* ---- groups ---------------------------------------------------------------------------------- */

static int route_group(fanout *f) {
    wb_sim_conn *c = f->c;
    wb_sim *sim = c->sim;
    const wb_wa_message_send *msg = f->msg;
    wb_sim_group *g = wb_sim_group_by_jid(sim, &msg->to);
    if (!g)
        return 404;
    const wb_sim_member *me = wb_sim_group_member(g, f->sender->account);
    if (!me || (g->announce && me->role == WB_SIM_MEMBER))
        return 403; /* not a member, or only admins may post */
    if (!wb_jid_is_empty(&msg->participant)) {
        /* a resend to one member device, its <enc> directly in the message */
        wb_sim_device *d = wb_sim_device_by_jid(sim, &msg->participant);
        const wb_wa_enc *enc = msg->nencs ? &msg->encs[0] : NULL;
        if (!d || d->removed || d == f->sender || !enc || !wb_sim_group_member(g, d->account)) {
            dropped(sim, "unknown_device");
            return 0;
        }
        return deliver(f, d, enc, 0) < 0 ? 500 : 0;
    }
    for (size_t i = 0; i < msg->nencs && !f->skmsg; i++)
        if (msg->encs[i].type && strcmp(msg->encs[i].type, "skmsg") == 0)
            f->skmsg = &msg->encs[i];
    target *t;
    int n = targets(c, msg, &t);
    if (n < 0)
        return n;
    for (size_t m = 0; m < g->nmembers; m++) {
        WB_SIM_EACH_DEVICE(g->members[m].account, d) {
            if (d == f->sender)
                continue;
            const wb_wa_enc *enc = NULL;
            for (int i = 0; i < n && !enc; i++)
                if (t[i].d == d)
                    enc = t[i].enc;
            if (!enc && !f->skmsg) {
                dropped(sim, "nothing_for_device");
                continue;
            }
            if (deliver(f, d, enc, 0) < 0)
                return 500;
        }
    }
    return 0;
}

/* ---- the stanza ------------------------------------------------------------------------------ */

static int on_message(wb_sim_conn *c, wb_node *n) {
    wb_sim *sim = c->sim;
    wb_wa_message_send msg;
    wb_error e = {0};
    int err = wb_wa_message_send_read(n, &c->arena, &msg, &e);
    if (err < 0)
        return wb_sim_conn_fail(c, err, "message: %s", e.what);
    fanout f = {.c = c, .msg = &msg, .t = wb_sim_now(sim), .sender = c->device,
                .chat = wb_jid_is_empty(&msg.recipient) ? msg.to : msg.recipient};
    wb_sim_count(sim, "messages.in", 1);
    if (wb_jid_on(&msg.to, WB_SERVER_GROUP)) {
        f.group = &msg.to;
        wb_sim_count(sim, "messages.group", 1);
        err = route_group(&f);
    } else if (wb_jid_on(&msg.to, WB_SERVER_USER) || wb_jid_on(&msg.to, WB_SERVER_LID)) {
        wb_sim_count(sim, "messages.direct", 1);
        err = route_direct(&f);
    } else {
        wb_sim_countf(sim, 1, "route.unsupported.%s", msg.to.server);
        err = 0; /* status, broadcast lists, newsletters: accepted, not routed */
    }
    if (err < 0)
        return err;
    wb_sim_count(sim, "messages.deliveries", f.delivered);
    if (err)
        wb_sim_countf(sim, 1, "route.refused.%d", err);
    else if (c->device)
        c->device->stat_messages++;
    wb_node *ack = wb_wa_ack_new(&c->arena, &(wb_wa_ack){.cls = "message", .id = msg.id,
                                                         .from = msg.to, .t = f.t, .error = err});
    return wb_sim_conn_send(c, ack) == WB_ENOMEM ? WB_ENOMEM : 0;
}

static const wb_sim_stanza_route stanzas[] = {
    {"message", on_message, WB_SIM_ON_LOGIN},
    {NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_route = {.name = "route", .stanzas = stanzas};
