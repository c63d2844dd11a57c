/* Presence: <presence type="available|unavailable" name=...> sets a device's presence (an account
 * is available while any of its devices is), <presence type="subscribe" to=JID> subscribes the
 * connection to a user (it gets the user's presence at once and at every change), and
 * <chatstate to=JID><composing/>|<paused/></chatstate> is relayed to the target's connections that
 * subscribed to the sender, or, to a group, to its other members' devices (from the group, the
 * sender as participant). Stanzas are read and built through wa/presence.h. Presence lives only
 * in memory and ends with the connection. */
#include <stdlib.h>
#include <string.h>

#include "sim/groups.h"
#include "sim/sim_int.h"
#include "wa/presence.h"

#define MAX_SUBS 1024

static int account_available(const wb_sim_account *a) {
    WB_SIM_EACH_DEVICE(a, d) {
        if (d->available && d->conn)
            return 1;
    }
    return 0;
}

static void send_presence(wb_sim_conn *to, const wb_sim_sub *sub, wb_arena *arena) {
    const wb_sim_account *a = sub->target;
    wb_wa_presence p = {.type = a->available ? "available" : "unavailable",
                        .last = a->available ? 0 : a->last_seen};
    wb_jid_parse(&p.from, sub->jid);
    wb_sim_conn_send(to, wb_wa_presence_new(arena, &p));
}

/* Recomputes a's presence; on a change tells every subscribed connection. */
static void update(wb_sim *sim, wb_sim_account *a, wb_arena *arena) {
    int now = account_available(a);
    if (now == a->available)
        return;
    a->available = now;
    if (!now)
        a->last_seen = wb_sim_now(sim);
    wb_sim_count(sim, now ? "presence.available" : "presence.unavailable", 1);
    for (wb_sim_conn *c = sim->conns; c; c = c->next)
        for (size_t i = 0; c->state == WB_SIM_LOGGED_IN && i < c->nsubs; i++)
            if (c->subs[i].target == a)
                send_presence(c, &c->subs[i], arena);
}

void wb_sim_presence_device_gone(wb_sim *sim, wb_sim_device *d) {
    wb_arena a;
    wb_arena_init(&a, 0);
    d->available = 0;
    update(sim, d->account, &a);
    wb_arena_free(&a);
}

/* The user JID of to, in the form given (PN or LID), and its account. */
static wb_sim_account *target_of(wb_sim *sim, const wb_jid *to, char jid[WB_JID_STR_MAX]) {
    wb_jid user = wb_jid_user_jid(to);
    wb_jid_format(&user, jid, WB_JID_STR_MAX);
    return wb_sim_account_by_jid(sim, &user);
}

static int subscribe(wb_sim_conn *c, const wb_wa_presence *p) {
    char jid[WB_JID_STR_MAX];
    wb_sim_account *a = target_of(c->sim, &p->to, jid);
    if (!a)
        return 0; /* not one of ours: nothing will ever change */
    wb_sim_sub *sub = NULL;
    for (size_t i = 0; i < c->nsubs && !sub; i++)
        if (c->subs[i].target == a && strcmp(c->subs[i].jid, jid) == 0)
            sub = &c->subs[i];
    if (!sub) {
        if (c->nsubs >= MAX_SUBS)
            return wb_sim_conn_fail(c, WB_ETOOBIG, "too many presence subscriptions");
        wb_sim_sub *s = realloc(c->subs, (c->nsubs + 1) * sizeof *s);
        if (!s)
            return WB_ENOMEM;
        c->subs = s;
        sub = &s[c->nsubs++];
        sub->target = a;
        memcpy(sub->jid, jid, sizeof sub->jid);
    }
    wb_sim_count(c->sim, "presence.subscriptions", 1);
    send_presence(c, sub, &c->arena);
    return 0;
}

static int on_presence(wb_sim_conn *c, wb_node *n) {
    wb_wa_presence p;
    wb_error e = {0};
    int rc = wb_wa_presence_read(n, &p, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "presence: %s", e.what);
    wb_sim_device *d = c->device;
    if (p.type && strcmp(p.type, "subscribe") == 0)
        return subscribe(c, &p);
    if (p.type && strcmp(p.type, "unsubscribe") == 0) {
        char jid[WB_JID_STR_MAX];
        wb_sim_account *a = wb_jid_is_empty(&p.to) ? NULL : target_of(c->sim, &p.to, jid);
        for (size_t i = 0; a && i < c->nsubs; i++)
            if (c->subs[i].target == a)
                c->subs[i--] = c->subs[--c->nsubs];
        return 0;
    }
    if (p.name && *p.name && strcmp(p.name, d->account->name) != 0 &&
        strlen(p.name) < sizeof d->account->name) {
        memcpy(d->account->name, p.name, strlen(p.name) + 1);
        wb_sim_persist_account(c->sim, d->account);
    }
    if (!p.type)
        return 0; /* a name change only */
    d->available = p.type[0] == 'a';
    update(c->sim, d->account, &c->arena);
    return 0;
}

/* A group's chat state goes to its other members' devices, from the group with the sender as
 * participant (as WhatsApp relays it; Baileys reads participant as who is typing). */
static void chatstate_group(wb_sim_conn *c, const wb_wa_chatstate *in, const wb_sim_group *g) {
    const wb_sim_account *from = c->device->account;
    if (!wb_sim_group_member(g, from)) {
        wb_sim_count(c->sim, "chatstate.unrouted", 1);
        return;
    }
    wb_wa_chatstate out = {.from = in->to, .state = in->state, .media = in->media,
                           .participant = wb_jid_of(from->phone, WB_SERVER_USER, 0)};
    wb_node *n = wb_wa_chatstate_new(&c->arena, &out);
    for (size_t i = 0; i < g->nmembers; i++) {
        if (g->members[i].account == from)
            continue;
        WB_SIM_EACH_DEVICE(g->members[i].account, d) {
            if (d->conn)
                wb_sim_deliver(c->sim, d, n, 0);
        }
    }
    wb_sim_countf(c->sim, 1, "chatstate.%s", in->state);
}

static int on_chatstate(wb_sim_conn *c, wb_node *n) {
    wb_wa_chatstate in;
    wb_error e = {0};
    int rc = wb_wa_chatstate_read(n, &in, &e);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "chatstate: %s", e.what);
    const wb_sim_group *g = wb_sim_group_by_jid(c->sim, &in.to);
    if (g) {
        chatstate_group(c, &in, g);
        return 0;
    }
    char to_jid[WB_JID_STR_MAX];
    wb_sim_account *to = wb_jid_is_empty(&in.to) ? NULL : target_of(c->sim, &in.to, to_jid);
    if (!to) {
        wb_sim_count(c->sim, "chatstate.unrouted", 1);
        return 0;
    }
    const wb_sim_account *from = c->device->account;
    WB_SIM_EACH_DEVICE(to, d) {
        wb_sim_conn *rc2 = d->conn;
        for (size_t i = 0; rc2 && i < rc2->nsubs; i++) {
            if (rc2->subs[i].target != from)
                continue;
            wb_wa_chatstate out = {.state = in.state, .media = in.media};
            wb_jid_parse(&out.from, rc2->subs[i].jid);
            wb_sim_deliver(c->sim, d, wb_wa_chatstate_new(&c->arena, &out), 0);
            wb_sim_countf(c->sim, 1, "chatstate.%s", in.state);
            break;
        }
    }
    return 0;
}

static const wb_sim_stanza_route stanzas[] = {
    {"presence", on_presence, WB_SIM_ON_LOGIN},
    {"chatstate", on_chatstate, WB_SIM_ON_LOGIN},
    {NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_presence = {.name = "presence", .stanzas = stanzas};
