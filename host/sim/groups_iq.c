/* The w:g2 IQs (groups.h): create, metadata (query), participating, add/remove/promote/demote,
 * subject, description, leave, invite code (get, revoke, accept, info), announcement/locked and
 * the disappearing timer, read with wa/group.h as Baileys (Socket/groups.js) and whatsmeow
 * (group.go) send them. Every change is stored and told to the members' devices with a w:gp2
 * notification (groups.c), in the shapes both clients parse; a member who joins (added, or by
 * an invite) hears of the group as a <create> with its metadata.
 *
 * Per participant, add/remove/promote/demote answer 200 or WhatsApp's codes: 404 (not on
 * WhatsApp, or not a member), 409 (already a member), 403 with an <add_request code
 * expiration> invite (the user's "groupadd" privacy does not let the admin add them), 406 (the
 * creator cannot be removed or demoted).
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

/* ---- helpers ------------------------------------------------------------------------------- */

/* Reads the request; a malformed one closes the connection (negative). */
static int request(wb_sim_conn *c, const wb_node *iq, wb_wa_group_request *r) {
    wb_error e = {0};
    int rc = wb_wa_group_request_read(iq, &c->arena, r, &e);
    return rc < 0 ? wb_sim_conn_fail(c, rc, "w:g2: %s", e.what) : 0;
}

/* Who may make a request: any member, admins only, or (group info) anyone unless the group is
 * locked, then admins. */
enum { MEMBER, ADMIN, EDITOR };

/* The group the request is addressed to, with the requester's membership. Returns 1 (found,
 * and the requester may: who) or 0 (reply turned into an error). */
static int target(wb_sim_conn *c, const wb_wa_group_request *r, wb_node *reply, int who,
                  wb_sim_group **g, wb_sim_member **me) {
    if (!(*g = wb_sim_group_by_jid(c->sim, &r->group)))
        return wb_sim_iq_error(reply, 404, "item-not-found");
    *me = wb_sim_group_member(*g, c->device->account);
    int admin_needed = who == ADMIN || (who == EDITOR && (*g)->locked);
    if (!*me || (admin_needed && (*me)->role == WB_SIM_MEMBER))
        return wb_sim_iq_error(reply, 403, "forbidden");
    return 1;
}

/* The request addressed to a group, read, with the requester's rights checked: 1 (go on), 0
 * (answered with an error) or negative (the stanza is malformed). */
static int group_request(wb_sim_conn *c, wb_node *iq, wb_node *reply, int who,
                         wb_wa_group_request *r, wb_sim_group **g, wb_sim_member **me) {
    int rc = request(c, iq, r);
    return rc < 0 ? rc : target(c, r, reply, who, g, me);
}

/* A change of g's own columns by actor: stored, then told to the members. Returns 0 or a
 * negative code after wb_sim_conn_fail. */
static int changed(wb_sim_conn *c, wb_sim_group *g, const wb_sim_account *actor,
                   const wb_wa_group_change *change) {
    int rc = wb_sim_group_save(c->sim, g);
    if (rc < 0)
        return wb_sim_conn_fail(c, rc, "cannot store the group");
    wb_sim_countf(c->sim, 1, "groups.%s", change->tag);
    wb_sim_group_notify(c->sim, g, actor, change, NULL, 0, NULL);
    return 0;
}

/* Text (a subject, a description body) of 1..max bytes without NUL bytes. */
static int text_ok(const char *p, size_t len, size_t max) {
    return p && len && len <= max && !memchr(p, 0, len);
}

static wb_jid user_jid(const wb_sim_account *a) {
    return wb_jid_of(a->phone, WB_SERVER_USER, 0);
}

/* ---- create, metadata, participating ------------------------------------------------------- */

static int on_create(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_wa_group_request r;
    int rc = request(c, iq, &r);
    if (rc < 0)
        return rc;
    if (!text_ok(r.subject, r.subject_len, WB_SIM_SUBJECT_MAX))
        return wb_sim_iq_error(reply, 400, "bad-request");
    wb_sim_account **members = wb_arena_alloc(&c->arena, (r.nparticipants + 1) * sizeof *members);
    if (!members)
        return WB_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < r.nparticipants; i++)
        if ((members[k] = wb_sim_account_by_jid(sim, &r.participants[i])))
            k++;
    wb_sim_group *g = NULL;
    if ((rc = wb_sim_group_create(sim, c->device->account, members, k, r.subject, r.key, c->device,
                                  &g)) < 0)
        return wb_sim_conn_fail(c, rc, "cannot store the group");
    wb_sim_group_node(sim, reply, g);
    return 0;
}

static int on_query(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_group_request r;
    wb_sim_group *g = NULL;
    wb_sim_member *me = NULL;
    int rc = group_request(c, iq, reply, MEMBER, &r, &g, &me);
    if (rc == 1)
        wb_sim_group_node(c->sim, reply, g);
    wb_sim_count(c->sim, "groups.metadata", 1);
    return rc < 0 ? rc : 0;
}

static int on_participating(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_node *groups = wb_wa_group_participating_fill(reply);
    for (size_t i = 0; i < wb_sim_group_count(c->sim); i++) {
        wb_sim_group *g = wb_sim_group_at(c->sim, i);
        if (wb_sim_group_member(g, c->device->account))
            wb_sim_group_node(c->sim, groups, g);
    }
    return 0;
}

/* ---- participants: add, remove, promote, demote ----------------------------------------- */

/* Whether a's "groupadd" privacy lets actor add them: "all", or "contacts" (and "my contacts
 * except", read as contacts) when they are contacts. */
static int may_add(wb_sim *sim, const wb_sim_account *actor, const wb_sim_account *a) {
    const char *who = wb_sim_privacy_get(a, "groupadd");
    if (!who || strcmp(who, "all") == 0)
        return 1;
    return strcmp(who, "none") != 0 && wb_sim_contacts_know(sim, a, actor);
}

/* One participant's change: 0 (done) or the error code its <participant error=...> carries. */
static int change_one(wb_sim *sim, wb_sim_group *g, enum wb_wa_group_action action,
                      const wb_sim_account *actor, wb_sim_account *a) {
    wb_sim_member *m = wb_sim_group_member(g, a);
    if (!a)
        return 404; /* not on WhatsApp */
    if (action == WB_WA_GROUP_ADD && !m && !may_add(sim, actor, a))
        return 403; /* the caller attaches an <add_request> invite, as WhatsApp does */
    if (action == WB_WA_GROUP_ADD)
        return m ? 409 : wb_sim_group_add(sim, g, a, WB_SIM_MEMBER) < 0 ? 500 : 0;
    if (!m)
        return 404;
    if (m->role == WB_SIM_SUPERADMIN && action != WB_WA_GROUP_PROMOTE)
        return 406; /* the creator stays */
    if (action == WB_WA_GROUP_REMOVE)
        return wb_sim_group_remove(sim, g, a) < 0 ? 500 : 0;
    int role = action == WB_WA_GROUP_PROMOTE ? (m->role ? m->role : WB_SIM_ADMIN) : WB_SIM_MEMBER;
    return wb_sim_group_set_role(sim, g, m, role) < 0 ? 500 : 0;
}

static int on_participants(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_wa_group_request r;
    wb_sim_group *g = NULL;
    wb_sim_member *me = NULL;
    int rc = request(c, iq, &r);
    const char *tag = wb_wa_group_action_tag(r.action);
    if (rc == 0 && r.nparticipants == 0)
        rc = wb_sim_conn_fail(c, WB_EPROTO, "w:g2 %s without participants", tag);
    if (rc < 0 || (rc = target(c, &r, reply, ADMIN, &g, &me)) < 1)
        return rc;
    wb_sim_account *actor = me->account;
    size_t n = r.nparticipants, done = 0;
    wb_wa_participant *results = wb_arena_zalloc(&c->arena, n * sizeof *results);
    wb_wa_participant *changes = wb_arena_zalloc(&c->arena, n * sizeof *changes);
    wb_sim_account **who = wb_arena_alloc(&c->arena, n * sizeof *who);
    if (!results || !changes || !who)
        return WB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        wb_sim_account *a = wb_sim_account_by_jid(sim, &r.participants[i]);
        results[i] = (wb_wa_participant){.jid = r.participants[i],
                                         .error = change_one(sim, g, r.action, actor, a)};
        if (results[i].error == 403) { /* an invite the user may accept, valid three days */
            char *code = wb_arena_alloc(&c->arena, 24);
            if (!code)
                return WB_ENOMEM;
            wb_sim_new_id(sim, code, 24);
            results[i].add_request_code = code;
            results[i].add_request_expiration = wb_sim_now(sim) + 3 * 86400;
        }
        if (results[i].error)
            continue;
        changes[done] = wb_sim_participant(a, WB_SIM_MEMBER);
        who[done++] = a;
    }
    wb_wa_group_results_fill(reply, tag, results, n);
    wb_sim_countf(sim, (int64_t)done, "groups.%s", tag);
    if (!done)
        return 0;
    if (r.action == WB_WA_GROUP_ADD) {
        wb_sim_group_joined(sim, g, actor, who, done, NULL);
        return 0;
    }
    wb_wa_group_change change = {.tag = tag, .participants = changes, .nparticipants = done};
    int removal = r.action == WB_WA_GROUP_REMOVE;
    wb_sim_group_notify(sim, g, actor, &change, removal ? who : NULL, removal ? done : 0, NULL);
    return 0;
}

/* ---- subject, description, switches -------------------------------------------------------- */

static int on_subject(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_group_request r;
    wb_sim_group *g = NULL;
    wb_sim_member *me = NULL;
    int rc = group_request(c, iq, reply, EDITOR, &r, &g, &me);
    if (rc < 1)
        return rc;
    if (!text_ok(r.subject, r.subject_len, WB_SIM_SUBJECT_MAX))
        return wb_sim_iq_error(reply, 400, "bad-request");
    snprintf(g->subject, sizeof g->subject, "%.*s", (int)r.subject_len, r.subject);
    g->subject_owner = me->account;
    g->subject_t = wb_sim_now(c->sim);
    wb_wa_group_change change = {.tag = "subject", .subject = g->subject,
                                 .subject_owner = user_jid(me->account), .subject_t = g->subject_t};
    return changed(c, g, me->account, &change);
}

static int on_description(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_group_request r;
    wb_sim_group *g = NULL;
    wb_sim_member *me = NULL;
    int rc = group_request(c, iq, reply, EDITOR, &r, &g, &me);
    if (rc < 1)
        return rc;
    if (r.desc_prev && strcmp(r.desc_prev, g->desc_id) != 0)
        return wb_sim_iq_error(reply, 409, "conflict");
    if (!r.desc_delete && !text_ok(r.desc, r.desc_len, WB_SIM_DESC_MAX))
        return wb_sim_iq_error(reply, 400, "bad-request");
    char *copy = r.desc_delete ? NULL : strndup(r.desc, r.desc_len);
    if (!r.desc_delete && !copy)
        return WB_ENOMEM;
    free(g->desc);
    g->desc = copy;
    if (r.desc_id && *r.desc_id && strlen(r.desc_id) < sizeof g->desc_id)
        snprintf(g->desc_id, sizeof g->desc_id, "%s", r.desc_id);
    else
        wb_sim_new_id(c->sim, g->desc_id, sizeof g->desc_id);
    g->desc_owner = me->account;
    g->desc_t = wb_sim_now(c->sim);
    wb_wa_group_change change = {.tag = "description", .desc_id = g->desc_id,
                                 .desc = (const uint8_t *)g->desc,
                                 .desc_len = g->desc ? strlen(g->desc) : 0,
                                 .desc_delete = r.desc_delete};
    return changed(c, g, me->account, &change);
}

/* announcement / not_announcement / locked / unlocked (admins), ephemeral / not_ephemeral. */
static int on_setting(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_group_request r;
    wb_sim_group *g = NULL;
    wb_sim_member *me = NULL;
    int rc = request(c, iq, &r);
    int ephemeral = r.action == WB_WA_GROUP_EPHEMERAL || r.action == WB_WA_GROUP_NOT_EPHEMERAL;
    if (rc < 0 || (rc = target(c, &r, reply, ephemeral ? EDITOR : ADMIN, &g, &me)) < 1)
        return rc;
    wb_wa_group_change change = {.tag = wb_wa_group_action_tag(r.action)};
    char v_id[24];
    if (ephemeral) {
        if (r.expiration > 365u * 86400)
            return wb_sim_iq_error(reply, 400, "bad-request");
        g->ephemeral = r.expiration;
        change.tag = r.expiration ? "ephemeral" : "not_ephemeral";
        change.expiration = r.expiration;
    } else if (r.action == WB_WA_GROUP_ANNOUNCEMENT || r.action == WB_WA_GROUP_NOT_ANNOUNCEMENT) {
        g->announce = r.action == WB_WA_GROUP_ANNOUNCEMENT;
        snprintf(v_id, sizeof v_id, "%lld", (long long)wb_sim_now(c->sim));
        change.v_id = v_id;
    } else {
        g->locked = r.action == WB_WA_GROUP_LOCKED;
    }
    return changed(c, g, me->account, &change);
}

/* ---- leave, invite ---------------------------------------------------------------------------- */

/* a leaves g: the members left and a itself hear it as a remove by a; when no admin remains,
 * the longest member becomes one. */
static int leave(wb_sim *sim, wb_sim_group *g, wb_sim_account *a) {
    int rc = wb_sim_group_remove(sim, g, a);
    if (rc < 0)
        return rc;
    wb_wa_participant who = wb_sim_participant(a, WB_SIM_MEMBER);
    wb_wa_group_change remove = {.tag = "remove", .participants = &who, .nparticipants = 1};
    wb_sim_group_notify(sim, g, a, &remove, &a, 1, NULL);
    for (size_t i = 0; i < g->nmembers; i++)
        if (g->members[i].role != WB_SIM_MEMBER)
            return 0;
    if (!g->nmembers || (rc = wb_sim_group_set_role(sim, g, &g->members[0], WB_SIM_ADMIN)) < 0)
        return rc;
    who = wb_sim_participant(g->members[0].account, WB_SIM_MEMBER);
    wb_wa_group_change promote = {.tag = "promote", .participants = &who, .nparticipants = 1};
    wb_sim_group_notify(sim, g, NULL, &promote, NULL, 0, NULL);
    return 0;
}

static int on_leave(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_wa_group_request r;
    int rc = request(c, iq, &r);
    if (rc == 0 && r.ngroups == 0)
        rc = wb_sim_conn_fail(c, WB_EPROTO, "w:g2 leave without groups");
    if (rc < 0)
        return rc;
    wb_wa_participant *results = wb_arena_zalloc(&c->arena, r.ngroups * sizeof *results);
    if (!results)
        return WB_ENOMEM;
    for (size_t i = 0; i < r.ngroups; i++) {
        wb_sim_group *g = wb_sim_group_by_jid(c->sim, &r.groups[i]);
        results[i].jid = r.groups[i];
        if (!g || !wb_sim_group_member(g, c->device->account)) {
            results[i].error = 404;
            continue;
        }
        if ((rc = leave(c->sim, g, c->device->account)) < 0)
            return wb_sim_conn_fail(c, rc, "cannot store the group");
        wb_sim_count(c->sim, "groups.leave", 1);
    }
    wb_wa_group_results_fill(reply, "leave", results, r.ngroups);
    return 0;
}

/* Invites: the code (get, to the group, admins), a new code (set, to the group, admins; the old
 * one stops working), the group a code opens (get, to @g.us with the code), joining with a code
 * (set, likewise). */
static int on_invite(wb_sim_conn *c, wb_node *iq, wb_node *reply) {
    wb_sim *sim = c->sim;
    wb_wa_group_request r;
    wb_sim_group *g = NULL;
    wb_sim_member *me = NULL;
    wb_sim_account *a = c->device->account;
    int rc = request(c, iq, &r);
    if (rc < 0)
        return rc;
    switch (r.action) {
    case WB_WA_GROUP_INVITE_INFO:
        if (!(g = wb_sim_group_by_invite(sim, r.code)))
            return wb_sim_iq_error(reply, 404, "item-not-found");
        wb_sim_group_node(sim, reply, g);
        return 0;
    case WB_WA_GROUP_INVITE_ACCEPT: {
        if (!(g = wb_sim_group_by_invite(sim, r.code)))
            return wb_sim_iq_error(reply, 404, "item-not-found");
        wb_jid gid = wb_jid_of(g->id, WB_SERVER_GROUP, 0);
        wb_wa_group_joined_fill(reply, &gid);
        if (wb_sim_group_member(g, a))
            return 0;
        if ((rc = wb_sim_group_add(sim, g, a, WB_SIM_MEMBER)) < 0)
            return rc == WB_ETOOBIG ? wb_sim_iq_error(reply, 500, "group-full")
                                    : wb_sim_conn_fail(c, rc, "cannot store the group");
        wb_sim_count(sim, "groups.joined_by_invite", 1);
        wb_sim_group_joined(sim, g, a, &a, 1, "invite");
        return 0;
    }
    default: /* the code, or a new one */
        if ((rc = target(c, &r, reply, ADMIN, &g, &me)) < 1)
            return rc;
        int revoke = r.action == WB_WA_GROUP_INVITE_REVOKE;
        if ((revoke || !g->invite[0]) && (rc = wb_sim_group_new_invite(sim, g)) < 0)
            return wb_sim_conn_fail(c, rc, "cannot store the group");
        wb_wa_group_invite_fill(reply, g->invite);
        if (!revoke)
            return 0;
        wb_wa_group_change change = {.tag = "invite", .code = g->invite};
        wb_sim_count(sim, "groups.invite_revoked", 1);
        wb_sim_group_notify(sim, g, me->account, &change, NULL, 0, NULL);
        return 0;
    }
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
    {"w:g2", NULL, "invite", on_invite, WB_SIM_ON_LOGIN},
    {NULL, NULL, NULL, NULL, 0},
};

const wb_sim_family wb_sim_family_groups_iq = {.name = "groups_iq", .iqs = iqs};
