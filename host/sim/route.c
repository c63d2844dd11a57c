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
 * JID that does not parse, thousands of <to>) closes that client's connection. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "sim/groups.h"

#define MAX_TO 2048      /* <to> entries in one message (1024 members x their devices) */
#define MAX_ID_LEN 128   /* message ids are ~32 characters */

/* The attributes of the client's stanza that travel to the recipients. */
static const char *const carried[] = {"type", "edit", "category", "expiration"};

typedef struct fanout {
    wb_sim_conn *c;
    const wb_node *msg;
    const char *id;
    int64_t t;
    const wb_sim_device *sender;
    const wb_node *identity; /* <device-identity>, forwarded with pkmsg */
    const wb_node *skmsg;    /* groups */
    const char *group;       /* the group JID, or NULL */
    const char *chat;        /* 1:1: the chat JID, recipient= on own-device copies */
    int64_t delivered;
} fanout;

typedef struct target {
    wb_sim_device *d;
    const wb_node *enc;
    int lid; /* named by LID: LID addressing */
} target;

/* ---- one delivery ---------------------------------------------------------------------------- */

static int deliver(fanout *f, wb_sim_device *d, const wb_node *enc, int lid) {
    wb_sim_conn *c = f->c;
    const wb_sim_account *from = f->sender->account;
    char pn[WB_JID_STR_MAX], lj[WB_JID_STR_MAX];
    wb_sim_device_jid(f->sender, pn);
    wb_sim_device_lid_jid(f->sender, lj);
    wb_node *n = WB_NODE(&c->arena, "message", {"id", f->id});
    int own = d->account == from;
    if (f->group) {
        wb_node_set(n, "from", f->group);
        wb_node_set(n, "participant", pn);
        wb_node_set(n, "participant_lid", lj);
        wb_node_set(n, "addressing_mode", "pn");
    } else if (lid) {
        wb_node_set(n, "from", lj);
        wb_node_set(n, "sender_pn", pn);
    } else {
        wb_node_set(n, "from", pn);
        if (!own)
            wb_node_set(n, "sender_lid", lj);
    }
    if (own && !f->group)
        wb_node_set(n, "recipient", f->chat);
    wb_node_set_i64(n, "t", f->t);
    for (size_t i = 0; i < sizeof carried / sizeof *carried; i++)
        wb_node_set(n, carried[i], wb_node_attr(f->msg, carried[i]));
    if (from->name[0])
        wb_node_set(n, "notify", from->name);
    if (enc)
        wb_node_add(n, wb_node_clone(&c->arena, enc));
    if (f->skmsg)
        wb_node_add(n, wb_node_clone(&c->arena, f->skmsg));
    if (f->identity && enc && wb_node_attr_is(enc, "type", "pkmsg"))
        wb_node_add(n, wb_node_clone(&c->arena, f->identity));
    int rc = wb_sim_deliver(c->sim, d, n, WB_SIM_DURABLE);
    if (rc == 0)
        f->delivered++;
    return rc;
}

static void dropped(wb_sim *sim, const char *why) { wb_sim_countf(sim, 1, "route.dropped.%s", why); }

/* ---- the named devices ------------------------------------------------------------------- */

/* The <to jid><enc/></to> entries of <participants>, resolved. Returns how many (in *out, in
 * the connection's arena) or a negative code after wb_sim_conn_fail. */
static int targets(wb_sim_conn *c, const wb_node *msg, target **out) {
    wb_node *parts = wb_node_child(msg, "participants");
    uint32_t n = wb_node_count(parts, "to");
    if (n > MAX_TO)
        return wb_sim_conn_fail(c, WB_ETOOBIG, "message with %u <to>", n);
    target *t = wb_arena_alloc(&c->arena, (n ? n : 1) * sizeof *t);
    if (!t)
        return WB_ENOMEM;
    int k = 0;
    uint32_t it = 0;
    wb_node *to;
    while ((to = wb_node_next(parts, "to", &it))) {
        const char *j = wb_node_attr(to, "jid");
        wb_jid jid;
        if (!j || wb_jid_parse(&jid, j) < 0)
            return wb_sim_conn_fail(c, WB_EPROTO, "message <to> without a valid jid");
        const wb_node *enc = wb_node_child(to, "enc");
        wb_sim_device *d = wb_sim_device_by_jid(c->sim, &jid);
        if (!enc) {
            dropped(c->sim, "no_enc");
        } else if (!jid.device) {
            dropped(c->sim, "phone");
        } else if (!d || d->removed) {
            dropped(c->sim, "unknown_device");
        } else {
            t[k++] = (target){d, enc, wb_jid_on(&jid, WB_SERVER_LID)};
        }
    }
    *out = t;
    return k;
}

/* ---- 1:1 -------------------------------------------------------------------------------------- */

static int route_direct(fanout *f, const wb_jid *to) {
    wb_sim_conn *c = f->c;
    wb_sim *sim = c->sim;
    const wb_sim_account *peer = wb_sim_account_by_jid(sim, to), *me = f->sender->account;
    if (!peer)
        return 404;
    wb_sim_contacts_touch(sim, me, peer);
    if (!wb_node_child(f->msg, "participants")) {
        /* a resend to one device (a retry), or a peer message to the phone */
        wb_sim_device *d = wb_sim_device_by_jid(sim, to);
        const wb_node *enc = wb_node_child(f->msg, "enc");
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

static int route_group(fanout *f, const wb_jid *to) {
    wb_sim_conn *c = f->c;
    wb_sim *sim = c->sim;
    wb_sim_group *g = wb_sim_group_by_jid(sim, to);
    if (!g)
        return 404;
    const wb_sim_member *me = wb_sim_group_member(g, f->sender->account);
    if (!me || (g->announce && me->role == WB_SIM_MEMBER))
        return 403; /* not a member, or only admins may post */
    const char *p = wb_node_attr(f->msg, "participant");
    if (p) { /* a resend to one member device, its <enc> directly in the message */
        wb_jid pj;
        if (wb_jid_parse(&pj, p) < 0)
            return wb_sim_conn_fail(c, WB_EPROTO, "group message with a bad participant");
        wb_sim_device *d = wb_sim_device_by_jid(sim, &pj);
        const wb_node *enc = wb_node_child(f->msg, "enc");
        if (!d || d->removed || d == f->sender || !enc || !wb_sim_group_member(g, d->account)) {
            dropped(sim, "unknown_device");
            return 0;
        }
        f->skmsg = NULL;
        return deliver(f, d, enc, 0) < 0 ? 500 : 0;
    }
    uint32_t it = 0;
    wb_node *e;
    while ((e = wb_node_next(f->msg, "enc", &it)) && !f->skmsg)
        if (wb_node_attr_is(e, "type", "skmsg"))
            f->skmsg = e;
    target *t;
    int n = targets(c, f->msg, &t);
    if (n < 0)
        return n;
    for (size_t m = 0; m < g->nmembers; m++) {
        WB_SIM_EACH_DEVICE(g->members[m].account, d) {
            if (d == f->sender)
                continue;
            const wb_node *enc = NULL;
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
    wb_attrs a = wb_attrs_of(n);
    const char *id = wb_attrs_str(&a, "id");
    wb_jid to = wb_attrs_jid(&a, "to");
    const char *to_s = wb_attrs_str(&a, "to");
    const char *recipient = wb_attrs_opt_str(&a, "recipient");
    if (!wb_attrs_ok(&a))
        return wb_sim_conn_fail(c, wb_attrs_err(&a), "message: %s", wb_attrs_errmsg(&a));
    if (!*id || strlen(id) > MAX_ID_LEN)
        return wb_sim_conn_fail(c, WB_EPROTO, "message with an id of %zu bytes", strlen(id));
    fanout f = {.c = c, .msg = n, .id = id, .t = wb_sim_now(sim), .sender = c->device,
                .identity = wb_node_child(n, "device-identity"), .chat = recipient ? recipient : to_s};
    int err;
    wb_sim_count(sim, "messages.in", 1);
    if (wb_jid_on(&to, WB_SERVER_GROUP)) {
        char gid[WB_JID_STR_MAX];
        wb_jid_format(&to, gid, sizeof gid);
        f.group = gid;
        wb_sim_count(sim, "messages.group", 1);
        err = route_group(&f, &to);
    } else if (wb_jid_on(&to, WB_SERVER_USER) || wb_jid_on(&to, WB_SERVER_LID)) {
        wb_sim_count(sim, "messages.direct", 1);
        err = route_direct(&f, &to);
    } else {
        wb_sim_countf(sim, 1, "route.unsupported.%s", to.server);
        err = 0; /* status, broadcast lists, newsletters: accepted, not routed */
    }
    if (err < 0)
        return err;
    wb_sim_count(sim, "messages.deliveries", f.delivered);
    if (err)
        wb_sim_countf(sim, 1, "route.refused.%d", err);
    wb_node *ack = WB_NODE(&c->arena, "ack", {"class", "message"}, {"id", id}, {"from", to_s});
    wb_node_set_i64(ack, "t", f.t);
    if (err)
        wb_node_set_i64(ack, "error", err);
    return wb_sim_conn_send(c, ack) == WB_ENOMEM ? WB_ENOMEM : 0;
}

static const wb_sim_stanza_route stanzas[] = {
    {"message", on_message, WB_SIM_ON_LOGIN},
    {NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_route = {.name = "route", .stanzas = stanzas};
