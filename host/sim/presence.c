/* Presence: <presence type="available|unavailable" name=...> sets a device's presence (an account
 * is available while any of its devices is), <presence type="subscribe" to=JID> subscribes the
 * connection to a user (it gets the user's presence at once and at every change), and
 * <chatstate to=JID><composing/>|<paused/></chatstate> is relayed to the target's connections that
 * subscribed to the sender. Presence lives only in memory and ends with the connection. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

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
    wb_node *n = WB_NODE(arena, "presence", {"from", sub->jid},
                         {"type", a->available ? "available" : "unavailable"});
    if (!a->available && a->last_seen)
        wb_node_set_i64(n, "last", a->last_seen);
    wb_sim_conn_send(to, n);
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

/* The user JID named by attribute to, in the form given (PN or LID), and its account. */
static wb_sim_account *target_of(wb_sim *sim, const wb_node *n, char jid[WB_JID_STR_MAX]) {
    const char *to = wb_node_attr(n, "to");
    wb_jid j;
    if (!to || wb_jid_parse(&j, to) < 0)
        return NULL;
    wb_jid user = wb_jid_user_jid(&j);
    wb_jid_format(&user, jid, WB_JID_STR_MAX);
    return wb_sim_account_by_jid(sim, &user);
}

static int subscribe(wb_sim_conn *c, wb_node *n) {
    char jid[WB_JID_STR_MAX];
    wb_sim_account *a = target_of(c->sim, n, jid);
    if (!a)
        return 0; /* not one of ours: nothing will ever change */
    wb_sim_sub *sub = NULL;
    for (size_t i = 0; i < c->nsubs && !sub; i++)
        if (c->subs[i].target == a && strcmp(c->subs[i].jid, jid) == 0)
            sub = &c->subs[i];
    if (!sub) {
        if (c->nsubs >= MAX_SUBS)
            return wb_sim_conn_fail(c, WB_ETOOBIG, "too many presence subscriptions");
        wb_sim_sub *p = realloc(c->subs, (c->nsubs + 1) * sizeof *p);
        if (!p)
            return WB_ENOMEM;
        c->subs = p;
        sub = &p[c->nsubs++];
        sub->target = a;
        memcpy(sub->jid, jid, sizeof sub->jid);
    }
    wb_sim_count(c->sim, "presence.subscriptions", 1);
    send_presence(c, sub, &c->arena);
    return 0;
}

static int on_presence(wb_sim_conn *c, wb_node *n) {
    const char *type = wb_node_attr(n, "type");
    wb_sim_device *d = c->device;
    if (type && strcmp(type, "subscribe") == 0)
        return subscribe(c, n);
    if (type && strcmp(type, "unsubscribe") == 0) {
        char jid[WB_JID_STR_MAX];
        wb_sim_account *a = target_of(c->sim, n, jid);
        for (size_t i = 0; a && i < c->nsubs; i++)
            if (c->subs[i].target == a)
                c->subs[i--] = c->subs[--c->nsubs];
        return 0;
    }
    const char *name = wb_node_attr(n, "name");
    if (name && *name && strcmp(name, d->account->name) != 0 &&
        strlen(name) < sizeof d->account->name) {
        memcpy(d->account->name, name, strlen(name) + 1);
        wb_sim_persist_account(c->sim, d->account);
    }
    if (!type)
        return 0; /* a name change only */
    if (strcmp(type, "available") != 0 && strcmp(type, "unavailable") != 0)
        return 0;
    d->available = type[0] == 'a';
    update(c->sim, d->account, &c->arena);
    return 0;
}

static int on_chatstate(wb_sim_conn *c, wb_node *n) {
    char to_jid[WB_JID_STR_MAX];
    wb_sim_account *to = target_of(c->sim, n, to_jid);
    wb_node *state = wb_node_child(n, NULL);
    if (!state || (strcmp(state->tag, "composing") != 0 && strcmp(state->tag, "paused") != 0))
        return 0;
    if (!to) {
        wb_sim_count(c->sim, "chatstate.unrouted", 1);
        return 0;
    }
    const wb_sim_account *from = c->device->account;
    WB_SIM_EACH_DEVICE(to, d) {
        wb_sim_conn *rc = d->conn;
        for (size_t i = 0; rc && i < rc->nsubs; i++) {
            if (rc->subs[i].target != from)
                continue;
            wb_node *out = WB_NODE(&c->arena, "chatstate", {"from", rc->subs[i].jid});
            wb_node *st = wb_node_add_new(out, state->tag);
            wb_node_set(st, "media", wb_node_attr(state, "media"));
            wb_sim_deliver(c->sim, d, out, 0);
            wb_sim_countf(c->sim, 1, "chatstate.%s", state->tag);
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
