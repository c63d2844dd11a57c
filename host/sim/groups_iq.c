/* The w:g2 IQs (groups.h): create, metadata (query), participating, add/remove/promote/demote,
 * subject, description, leave, invite code (get, revoke, accept, info), announcement/locked and
 * the disappearing timer, as Baileys (Socket/groups.js) and whatsmeow (group.go) send them.
 * Every change is stored and told to the members' devices with a w:gp2 notification
 * (groups.c), in the shapes both clients parse (messages-recv.js handleGroupNotification,
 * whatsmeow parseGroupChange).
 *
 * Refusals a client may meet in normal use are IQ errors: 404 item-not-found (no such group or
 * invite), 403 forbidden (not a member, or not an admin where one is needed), 400 bad-request
 * (an empty or oversized subject or description), 409 conflict (a stale description id). A
 * stanza no client would send (no participant jid, a JID that does not parse, too many
 * participants) closes the connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sim/groups.h"

#define MAX_CHANGE 1024 /* participants in one request */

/* ---- helpers ------------------------------------------------------------------------------- */

/* Who may make a request: any member, admins only, or (group info) anyone unless the group is
 * locked, then admins. */
enum { MEMBER, ADMIN, EDITOR };

/* The group the IQ is addressed to, with the requester's membership. Returns 1 (found, and the
 * requester may: who), 0 (reply turned into an error) or negative (the stanza is malformed). */
static int target(wb_sim_conn *c, wb_node *iq, wb_node *reply, int who, wb_sim_group **g,
                  wb_sim_member **me) {
    const char *to = wb_node_attr(iq, "to");
    wb_jid j;
    if (!to || wb_jid_parse(&j, to) < 0 || !wb_jid_on(&j, WB_SERVER_GROUP))
        return wb_sim_conn_fail(c, WB_EPROTO, "w:g2 <%s>: not addressed to a group",
                                wb_node_child(iq, NULL) ? wb_node_child(iq, NULL)->tag : "");
    if (!(*g = wb_sim_group_by_jid(c->sim, &j)))
        return wb_sim_iq_error(reply, 404, "item-not-found");
    *me = wb_sim_group_member(*g, c->device->account);
    int admin_needed = who == ADMIN || (who == EDITOR && (*g)->locked);
    if (!*me || (admin_needed && (*me)->role == WB_SIM_MEMBER))
        return wb_sim_iq_error(reply, 403, "forbidden");
    return 1;
}

/* A change of g's own columns by actor: stored, then told to the members as n. Returns 0 or a
 * negative code after wb_sim_conn_fail. */
static int changed(wb_sim_conn *c, wb_sim_group *g, const wb_sim_account *actor, wb_node *n) {
    int rc = wb_sim_group_save(c->sim, g);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "cannot store the group");
    wb_sim_countf(c->sim, 1, "groups.%s", n->tag);
    wb_sim_group_notify(c->sim, g, actor, n, NULL, 0, NULL);
    return 0;
}

/* The account named by <participant jid=...> (PN or LID user JID); *ok = 0 when the stanza is
 * malformed. */
static wb_sim_account *participant_account(wb_sim *sim, const wb_node *p, int *ok) {
    const char *j = wb_node_attr(p, "jid");
    wb_jid jid;
    *ok = j && wb_jid_parse(&jid, j) == 0;
    return *ok ? wb_sim_account_by_jid(sim, &jid) : NULL;
}

static wb_node *participant_node(wb_node *parent, const wb_sim_account *a) {
    char jid[WB_JID_STR_MAX];
    wb_sim_account_jid(a, jid);
    wb_node *p = WB_CHILD(parent, "participant", {"jid", jid});
    wb_sim_account_lid_jid(a, jid);
    wb_node_set(p, "lid", jid);
    return p;
}

/* Text content (a subject, a description body) without NUL bytes, at most max bytes: 1 and
 * *out (in the arena), or 0. */
static int text_of(wb_arena *a, const wb_node *n, size_t max, const char **out) {
    size_t len;
    const uint8_t *p = wb_node_content(n, &len);
    if (!p || !len || len > max || memchr(p, 0, len))
        return 0;
    *out = wb_arena_strndup(a, (const char *)p, len);
    return *out != NULL;
}

/* ---- create, metadata, participating ------------------------------------------------------- */

static int on_create(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_node *create = wb_node_child(iq, "create");
    const char *subject = wb_node_attr(create, "subject");
    uint32_t n = wb_node_count(create, "participant");
    if (n > WB_SIM_GROUP_MAX_MEMBERS)
        return wb_sim_conn_fail(c, WB_ETOOBIG, "w:g2 create with %u participants", n);
    if (!subject || !*subject || strlen(subject) > WB_SIM_SUBJECT_MAX)
        return wb_sim_iq_error(reply, 400, "bad-request");
    wb_sim_account **members = wb_arena_alloc(&c->arena, (n ? n : 1) * sizeof *members);
    if (!members)
        return WB_ENOMEM;
    uint32_t it = 0, k = 0;
    wb_node *p;
    while ((p = wb_node_next(create, "participant", &it))) {
        int ok;
        wb_sim_account *a = participant_account(sim, p, &ok);
        if (!ok)
            return wb_sim_conn_fail(c, WB_EPROTO, "w:g2 create: participant without a valid jid");
        if (a)
            members[k++] = a;
    }
    wb_sim_group *g;
    int rc = wb_sim_group_create(sim, c->device->account, members, k, subject, c->device, &g);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "cannot store the group");
    wb_sim_group_node(sim, reply, g);
    return 0;
}

static int on_query(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim_group *g;
    wb_sim_member *me;
    int rc = target(c, iq, reply, MEMBER, &g, &me);
    if (rc == 1)
        wb_sim_group_node(c->sim, reply, g);
    wb_sim_count(c->sim, "groups.metadata", 1);
    return rc < 0 ? rc : 0;
}

static int on_participating(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_node *groups = wb_node_add_new(reply, "groups");
    wb_node_set_empty_list(groups);
    for (size_t i = 0; i < wb_sim_group_count(c->sim); i++) {
        wb_sim_group *g = wb_sim_group_at(c->sim, i);
        if (wb_sim_group_member(g, c->device->account))
            wb_sim_group_node(c->sim, groups, g);
    }
    return 0;
}

/* ---- participants: add, remove, promote, demote ----------------------------------------- */

/* One participant's change: 0 (done) or the error code its <participant error=...> carries. */
static int change_one(wb_sim *sim, wb_sim_group *g, const char *action, wb_sim_account *a) {
    wb_sim_member *m = wb_sim_group_member(g, a);
    if (!a)
        return 404; /* not on WhatsApp */
    if (strcmp(action, "add") == 0)
        return m ? 409 : wb_sim_group_add(sim, g, a, WB_SIM_MEMBER) < 0 ? 500 : 0;
    if (!m)
        return 404;
    if (m->role == WB_SIM_SUPERADMIN && strcmp(action, "promote") != 0)
        return 406; /* the creator stays */
    if (strcmp(action, "remove") == 0)
        return wb_sim_group_remove(sim, g, a) < 0 ? 500 : 0;
    int role = strcmp(action, "promote") == 0 ? (m->role ? m->role : WB_SIM_ADMIN) : WB_SIM_MEMBER;
    return wb_sim_group_set_role(sim, g, m, role) < 0 ? 500 : 0;
}

static int on_participants(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_node *req = wb_node_child(iq, NULL);
    uint32_t n = wb_node_count(req, "participant");
    if (n == 0 || n > MAX_CHANGE)
        return wb_sim_conn_fail(c, WB_EPROTO, "w:g2 %s with %u participants", req->tag, n);
    wb_sim_group *g;
    wb_sim_member *me;
    int rc = target(c, iq, reply, ADMIN, &g, &me);
    if (rc < 1)
        return rc;
    wb_sim_account *actor = me->account;
    wb_node *out = wb_node_add_new(reply, req->tag);
    wb_node *change = wb_node_new(&c->arena, req->tag);
    wb_sim_account **gone = wb_arena_alloc(&c->arena, n * sizeof *gone);
    if (!out || !change || !gone)
        return WB_ENOMEM;
    size_t ngone = 0, done = 0;
    uint32_t it = 0;
    wb_node *p;
    while ((p = wb_node_next(req, "participant", &it))) {
        int ok;
        wb_sim_account *a = participant_account(sim, p, &ok);
        if (!ok)
            return wb_sim_conn_fail(c, WB_EPROTO, "w:g2 %s: participant without a valid jid",
                                    req->tag);
        int err = change_one(sim, g, req->tag, a);
        wb_node *r = WB_CHILD(out, "participant", {"jid", wb_node_attr(p, "jid")});
        if (err) {
            wb_node_set_i64(r, "error", err);
            continue;
        }
        participant_node(change, a);
        done++;
        if (strcmp(req->tag, "remove") == 0)
            gone[ngone++] = a;
    }
    wb_sim_countf(sim, (int64_t)done, "groups.%s", req->tag);
    if (done)
        wb_sim_group_notify(sim, g, actor, change, gone, ngone, NULL);
    return 0;
}

/* ---- subject, description, switches -------------------------------------------------------- */

static int on_subject(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim_group *g;
    wb_sim_member *me;
    int rc = target(c, iq, reply, EDITOR, &g, &me);
    if (rc < 1)
        return rc;
    const char *subject;
    if (!text_of(&c->arena, wb_node_child(iq, "subject"), WB_SIM_SUBJECT_MAX, &subject))
        return wb_sim_iq_error(reply, 400, "bad-request");
    snprintf(g->subject, sizeof g->subject, "%s", subject);
    g->subject_owner = me->account;
    g->subject_t = wb_sim_now(c->sim);
    char owner[WB_JID_STR_MAX];
    wb_sim_account_jid(me->account, owner);
    wb_node *n = WB_NODE(&c->arena, "subject", {"subject", g->subject}, {"s_o", owner});
    wb_node_set_i64(n, "s_t", g->subject_t);
    return changed(c, g, me->account, n);
}

static int on_description(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim_group *g;
    wb_sim_member *me;
    int rc = target(c, iq, reply, EDITOR, &g, &me);
    if (rc < 1)
        return rc;
    wb_node *d = wb_node_child(iq, "description");
    const char *id = wb_node_attr(d, "id"), *prev = wb_node_attr(d, "prev");
    int del = wb_node_attr_is(d, "delete", "true");
    const char *body = NULL;
    if (prev && strcmp(prev, g->desc_id) != 0)
        return wb_sim_iq_error(reply, 409, "conflict");
    if (!del && !text_of(&c->arena, wb_node_child(d, "body"), WB_SIM_DESC_MAX, &body))
        return wb_sim_iq_error(reply, 400, "bad-request");
    char *copy = body ? strdup(body) : NULL;
    if (body && !copy)
        return WB_ENOMEM;
    free(g->desc);
    g->desc = copy;
    if (id && *id && strlen(id) < sizeof g->desc_id)
        snprintf(g->desc_id, sizeof g->desc_id, "%s", id);
    else
        wb_sim_new_id(c->sim, g->desc_id, sizeof g->desc_id);
    g->desc_owner = me->account;
    g->desc_t = wb_sim_now(c->sim);
    wb_node *n = WB_NODE(&c->arena, "description", {"id", g->desc_id});
    if (del)
        wb_node_add_new(n, "delete");
    else
        wb_node_set_bytes(wb_node_add_new(n, "body"), g->desc, strlen(g->desc));
    return changed(c, g, me->account, n);
}

/* announcement / not_announcement / locked / unlocked (admins), ephemeral / not_ephemeral. */
static int on_setting(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_node *req = wb_node_child(iq, NULL);
    int ephemeral = strstr(req->tag, "ephemeral") != NULL;
    wb_sim_group *g;
    wb_sim_member *me;
    int rc = target(c, iq, reply, ephemeral ? EDITOR : ADMIN, &g, &me);
    if (rc < 1)
        return rc;
    wb_node *n = wb_node_new(&c->arena, req->tag);
    if (ephemeral) {
        wb_attrs at = wb_attrs_of(req);
        int64_t exp = strcmp(req->tag, "ephemeral") == 0 ? wb_attrs_i64(&at, "expiration") : 0;
        if (!wb_attrs_ok(&at))
            return wb_sim_conn_fail(c, wb_attrs_err(&at), "w:g2 %s", wb_attrs_errmsg(&at));
        if (exp < 0 || exp > 365LL * 86400)
            return wb_sim_iq_error(reply, 400, "bad-request");
        g->ephemeral = (uint32_t)exp;
        if (exp)
            wb_node_set_i64(n, "expiration", exp);
    } else if (strstr(req->tag, "announcement")) {
        g->announce = req->tag[0] == 'a';
        wb_node_set_i64(n, "v_id", wb_sim_now(c->sim));
    } else {
        g->locked = req->tag[0] == 'l';
    }
    return changed(c, g, me->account, n);
}

/* ---- leave, invite ---------------------------------------------------------------------------- */

/* a leaves g: the members left and a itself hear it as a remove by a; when no admin remains,
 * the longest member becomes one. */
static int leave(wb_sim *sim, wb_sim_group *g, wb_sim_account *a, wb_arena *arena) {
    int rc = wb_sim_group_remove(sim, g, a);
    if (rc < 0)
        return rc;
    wb_node *n = wb_node_new(arena, "remove");
    participant_node(n, a);
    wb_sim_group_notify(sim, g, a, n, &a, 1, NULL);
    for (size_t i = 0; i < g->nmembers; i++)
        if (g->members[i].role != WB_SIM_MEMBER)
            return 0;
    if (!g->nmembers || (rc = wb_sim_group_set_role(sim, g, &g->members[0], WB_SIM_ADMIN)) < 0)
        return rc;
    wb_node *p = wb_node_new(arena, "promote");
    participant_node(p, g->members[0].account);
    wb_sim_group_notify(sim, g, NULL, p, NULL, 0, NULL);
    return 0;
}

static int on_leave(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_node *req = wb_node_child(iq, "leave");
    uint32_t n = wb_node_count(req, "group");
    if (n == 0 || n > MAX_CHANGE)
        return wb_sim_conn_fail(c, WB_EPROTO, "w:g2 leave with %u groups", n);
    wb_node *out = wb_node_add_new(reply, "leave");
    uint32_t it = 0;
    wb_node *gn;
    while ((gn = wb_node_next(req, "group", &it))) {
        const char *id = wb_node_attr(gn, "id");
        wb_jid j;
        if (!id || (wb_jid_parse(&j, id) < 0 &&
                    wb_jid_make(&j, id, WB_SERVER_GROUP, 0) < 0))
            return wb_sim_conn_fail(c, WB_EPROTO, "w:g2 leave: group without a valid id");
        wb_sim_group *g = wb_sim_group_by_jid(c->sim, &j);
        wb_node *r = WB_CHILD(out, "group", {"id", id});
        if (!g || !wb_sim_group_member(g, c->device->account)) {
            wb_node_set(r, "error", "404");
            continue;
        }
        int rc = leave(c->sim, g, c->device->account, &c->arena);
        if (rc < 0)
            return wb_sim_conn_fail(c, rc, "cannot store the group");
        wb_sim_count(c->sim, "groups.leave", 1);
    }
    return 0;
}

/* get: to=<group>: the code (admins); to=@g.us code=X: the group the code opens. */
static int on_invite_get(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    const char *code = wb_node_attr(wb_node_child(iq, "invite"), "code");
    if (code) {
        wb_sim_group *g = wb_sim_group_by_invite(c->sim, code);
        if (!g)
            return wb_sim_iq_error(reply, 404, "item-not-found");
        wb_sim_group_node(c->sim, reply, g);
        return 0;
    }
    wb_sim_group *g;
    wb_sim_member *me;
    int rc = target(c, iq, reply, ADMIN, &g, &me);
    if (rc < 1)
        return rc;
    if (!g->invite[0] && (rc = wb_sim_group_new_invite(c->sim, g)) < 0)
        return wb_sim_conn_fail(c, rc, "cannot store the group");
    WB_CHILD(reply, "invite", {"code", g->invite});
    return 0;
}

/* set: to=<group>: a new code (admins; the old one stops working); to=@g.us code=X: join. */
static int on_invite_set(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    const char *code = wb_node_attr(wb_node_child(iq, "invite"), "code");
    wb_sim_group *g;
    int rc;
    if (code) {
        wb_sim_account *a = c->device->account;
        if (!(g = wb_sim_group_by_invite(sim, code)))
            return wb_sim_iq_error(reply, 404, "item-not-found");
        char gid[WB_JID_STR_MAX];
        wb_sim_group_jid(g, gid);
        WB_CHILD(reply, "group", {"jid", gid});
        if (wb_sim_group_member(g, a))
            return 0;
        if ((rc = wb_sim_group_add(sim, g, a, WB_SIM_MEMBER)) < 0)
            return rc == WB_ETOOBIG ? wb_sim_iq_error(reply, 500, "group-full")
                                    : wb_sim_conn_fail(c, rc, "cannot store the group");
        wb_node *n = WB_NODE(&c->arena, "add", {"reason", "invite"});
        participant_node(n, a);
        wb_sim_count(sim, "groups.joined_by_invite", 1);
        wb_sim_group_notify(sim, g, a, n, NULL, 0, NULL);
        return 0;
    return 0;
    }
    wb_sim_member *me;
    if ((rc = target(c, iq, reply, ADMIN, &g, &me)) < 1)
        return rc;
    if ((rc = wb_sim_group_new_invite(sim, g)) < 0)
        return wb_sim_conn_fail(c, rc, "cannot store the group");
    WB_CHILD(reply, "invite", {"code", g->invite});
    wb_node *n = WB_NODE(&c->arena, "invite", {"code", g->invite});
    wb_sim_count(sim, "groups.invite_revoked", 1);
    wb_sim_group_notify(sim, g, me->account, n, NULL, 0, NULL);
    return 0;
}

static const wb_sim_iq_route iqs[] = {
    {"w:g2", "set", "create", on_create, WB_SIM_ON_LOGIN},
    {"w:g2", "get", "query", on_query, WB_SIM_ON_LOGIN},
    {"w:g2", "get", "participating", on_participating, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "add", on_participants, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "remove", on_participants, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "promote", on_participants, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "demote", on_participants, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "subject", on_subject, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "description", on_description, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "announcement", on_setting, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "not_announcement", on_setting, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "locked", on_setting, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "unlocked", on_setting, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "ephemeral", on_setting, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "not_ephemeral", on_setting, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "leave", on_leave, WB_SIM_ON_LOGIN},
    {"w:g2", "get", "invite", on_invite_get, WB_SIM_ON_LOGIN},
    {"w:g2", "set", "invite", on_invite_set, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_groups_iq = {.name = "groups_iq", .iqs = iqs};
