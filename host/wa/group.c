/* Group stanzas (group.h): metadata, w:g2 requests and answers, w:gp2 notifications. Requests
 * and changes are rows of tables (which tag, which IQ type, what they carry); the shared parts
 * (participants, the description) have one builder and one reader each. */
#include "wa/group.h"

#include <stdio.h>
#include <string.h>

#include "wa/wa_int.h"

/* ---- shared parts ---------------------------------------------------------------------------- */

static const char *const roles[] = {NULL, "admin", "superadmin"};

static int role_of(const char *type) {
    for (int r = WB_WA_ADMIN; r <= WB_WA_SUPERADMIN; r++)
        if (type && strcmp(type, roles[r]) == 0)
            return r;
    return WB_WA_MEMBER;
}

static wb_node *participant_fill(wb_node *parent, const wb_wa_participant *p) {
    wb_node *n = wb_node_add_new(parent, "participant");
    wb_node_set_jid(n, "jid", &p->jid);
    wb_node_set_jid(n, "lid", &p->lid);
    wb_node_set_jid(n, "phone_number", &p->phone);
    if (p->role > WB_WA_MEMBER && p->role <= WB_WA_SUPERADMIN)
        wb_node_set(n, "type", roles[p->role]);
    if (p->error)
        wb_node_set_i64(n, "error", p->error);
    if (p->error && p->add_request_code) {
        wb_node *r = WB_CHILD(n, "add_request", {"code", p->add_request_code});
        wb_node_set_i64(r, "expiration", p->add_request_expiration);
    }
    return n;
}

static void participants_fill(wb_node *parent, const wb_wa_participant *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        participant_fill(parent, &v[i]);
}

/* An error attribute: 0 when absent, else 1..99999. */
static int error_attr(wb_attrs *a) {
    int64_t e = wb_attrs_opt_i64(a, "error", 0);
    return e > 0 && e < 100000 ? (int)e : 0;
}

static int participant_read(const wb_node *n, void *item, void *ud, wb_error *err) {
    wb_wa_participant *p = item;
    wb_attrs a = wb_attrs_of(n);
    p->jid = wb_attrs_jid(&a, "jid");
    p->lid = wb_attrs_opt_jid(&a, "lid");
    p->phone = wb_attrs_opt_jid(&a, "phone_number");
    p->role = role_of(wb_attrs_opt_str(&a, "type"));
    p->error = error_attr(&a);
    int rc = wb_attrs_check(&a, err);
    wb_node *req = p->error ? wb_node_child(n, "add_request") : NULL;
    if (rc == 0 && req) { /* whatsmeow's parseParticipant */
        wb_attrs ra = wb_attrs_of(req);
        p->add_request_code = wb_attrs_str(&ra, "code");
        p->add_request_expiration = wb_attrs_opt_i64(&ra, "expiration", 0);
        rc = wb_attrs_check(&ra, err);
    }
    return rc;
}

/* The <participant>s of n into an arena array (at most max). */
static int participants_read(const wb_node *n, wb_arena *a, size_t max,
                             const wb_wa_participant **out, size_t *nout, wb_error *err) {
    return wb_wa_read_children(n, "participant", max, a, sizeof **out, participant_read, NULL, out,
                               nout, err);
}

/* A group named by a JID ("<id>@g.us") or, as <group id> carries it, by its user part. */
static int group_jid_of(const char *id, wb_jid *out) {
    if (!id || !*id)
        return WB_EPROTO;
    if (strchr(id, '@')) /* "@g.us" alone names no group */
        return wb_jid_parse(out, id) == 0 && wb_jid_on(out, WB_SERVER_GROUP) && out->user[0]
                   ? 0
                   : WB_EMALFORMED;
    return wb_jid_make(out, id, WB_SERVER_GROUP, 0) == 0 ? 0 : WB_EMALFORMED;
}

static void body_fill(wb_node *parent, const void *p, size_t len) {
    wb_node_set_bytes(wb_node_add_new(parent, "body"), p ? p : "", len);
}

/* ---- metadata ---------------------------------------------------------------------------------- */

wb_node *wb_wa_group_fill(wb_node *parent, const wb_wa_group *g) {
    wb_node *n = WB_CHILD(parent, "group", {"id", g->jid.user}, {"subject", g->subject});
    wb_node_set_i64(n, "creation", g->creation);
    wb_node_set_jid(n, "creator", &g->creator);
    wb_node_set_i64(n, "s_t", g->subject_t);
    wb_node_set_jid(n, "s_o", &g->subject_owner);
    wb_node_set(n, "addressing_mode", g->addressing_mode);
    wb_node_set_i64(n, "size", g->size);
    participants_fill(n, g->participants, g->nparticipants);
    if (g->has_desc) {
        wb_node *d = WB_CHILD(n, "description", {"id", g->desc_id});
        wb_node_set_jid(d, "participant", &g->desc_owner);
        wb_node_set_i64(d, "t", g->desc_t);
        body_fill(d, g->desc, g->desc_len);
    }
    if (g->announce)
        wb_node_add_new(n, "announcement");
    if (g->locked)
        wb_node_add_new(n, "locked");
    if (g->ephemeral)
        wb_node_set_i64(wb_node_add_new(n, "ephemeral"), "expiration", g->ephemeral);
    return n;
}

int wb_wa_group_read(const wb_node *group, wb_arena *a, wb_wa_group *out, wb_error *err) {
    if (!wb_node_is(group, "group"))
        return wb_error_set(err, WB_EPROTO, 0, "not a <group>");
    wb_wa_group g = {0};
    wb_attrs at = wb_attrs_of(group);
    const char *id = wb_attrs_str(&at, "id");
    g.subject = wb_attrs_opt_str(&at, "subject");
    g.creation = wb_attrs_opt_i64(&at, "creation", 0);
    g.creator = wb_attrs_opt_jid(&at, "creator");
    g.subject_t = wb_attrs_opt_i64(&at, "s_t", 0);
    g.subject_owner = wb_attrs_opt_jid(&at, "s_o");
    g.addressing_mode = wb_attrs_opt_str(&at, "addressing_mode");
    g.size = wb_attrs_opt_i64(&at, "size", -1);
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (group_jid_of(id, &g.jid) < 0)
        return wb_error_set(err, WB_EMALFORMED, 0, "group id '%.40s'", id);
    int rc = participants_read(group, a, UINT32_MAX, &g.participants, &g.nparticipants, err);
    if (rc < 0)
        return rc;
    if (g.size < 0)
        g.size = (int64_t)g.nparticipants;
    wb_node *d = wb_node_child(group, "description");
    if (d) {
        wb_attrs da = wb_attrs_of(d);
        g.has_desc = 1;
        g.desc_id = wb_attrs_opt_str(&da, "id");
        g.desc_owner = wb_attrs_opt_jid(&da, "participant");
        g.desc_t = wb_attrs_opt_i64(&da, "t", 0);
        g.desc = wb_attrs_opt_child_bytes(&da, "body", 0, &g.desc_len);
        if (!wb_attrs_ok(&da))
            return wb_attrs_check(&da, err);
    }
    g.announce = wb_node_child(group, "announcement") != NULL;
    g.locked = wb_node_child(group, "locked") != NULL;
    wb_attrs ea = wb_attrs_of(wb_node_child(group, "ephemeral"));
    uint64_t exp = wb_attrs_opt_u64(&ea, "expiration", 0);
    if (!wb_attrs_ok(&ea) || exp > UINT32_MAX)
        return wb_error_set(err, WB_EMALFORMED, 0, "group ephemeral expiration");
    g.ephemeral = (uint32_t)exp;
    *out = g;
    return 0;
}

/* ---- requests ------------------------------------------------------------------------------- */

enum { ANY_CODE = -1, NO_CODE = 0, CODE = 1 };

static const struct action_row {
    enum wb_wa_group_action action;
    const char *tag;
    const char *type;
    int to_group; /* addressed to the group, else to @g.us */
    int code;     /* invites tell their four actions apart by type and a code attribute */
} actions[] = {
    {WB_WA_GROUP_CREATE, "create", "set", 0, ANY_CODE},
    {WB_WA_GROUP_QUERY, "query", "get", 1, ANY_CODE},
    {WB_WA_GROUP_PARTICIPATING, "participating", "get", 0, ANY_CODE},
    {WB_WA_GROUP_ADD, "add", "set", 1, ANY_CODE},
    {WB_WA_GROUP_REMOVE, "remove", "set", 1, ANY_CODE},
    {WB_WA_GROUP_PROMOTE, "promote", "set", 1, ANY_CODE},
    {WB_WA_GROUP_DEMOTE, "demote", "set", 1, ANY_CODE},
    {WB_WA_GROUP_SUBJECT, "subject", "set", 1, ANY_CODE},
    {WB_WA_GROUP_DESCRIPTION, "description", "set", 1, ANY_CODE},
    {WB_WA_GROUP_ANNOUNCEMENT, "announcement", "set", 1, ANY_CODE},
    {WB_WA_GROUP_NOT_ANNOUNCEMENT, "not_announcement", "set", 1, ANY_CODE},
    {WB_WA_GROUP_LOCKED, "locked", "set", 1, ANY_CODE},
    {WB_WA_GROUP_UNLOCKED, "unlocked", "set", 1, ANY_CODE},
    {WB_WA_GROUP_EPHEMERAL, "ephemeral", "set", 1, ANY_CODE},
    {WB_WA_GROUP_NOT_EPHEMERAL, "not_ephemeral", "set", 1, ANY_CODE},
    {WB_WA_GROUP_LEAVE, "leave", "set", 0, ANY_CODE},
    {WB_WA_GROUP_INVITE_CODE, "invite", "get", 1, NO_CODE},
    {WB_WA_GROUP_INVITE_REVOKE, "invite", "set", 1, NO_CODE},
    {WB_WA_GROUP_INVITE_INFO, "invite", "get", 0, CODE},
    {WB_WA_GROUP_INVITE_ACCEPT, "invite", "set", 0, CODE},
};
#define NACTIONS (sizeof actions / sizeof *actions)

static const struct action_row *row_of(enum wb_wa_group_action action) {
    for (size_t i = 0; i < NACTIONS; i++)
        if (actions[i].action == action)
            return &actions[i];
    return NULL;
}

const char *wb_wa_group_action_tag(enum wb_wa_group_action action) {
    const struct action_row *row = row_of(action);
    return row ? row->tag : NULL;
}

static void jids_fill(wb_node *parent, const char *tag, const char *key, const wb_jid *v,
                      size_t n) {
    for (size_t i = 0; i < n; i++)
        wb_node_set_jid(wb_node_add_new(parent, tag), key, &v[i]);
}

wb_node *wb_wa_group_request_new(wb_arena *a, const wb_wa_group_request *r) {
    const struct action_row *row = row_of(r->action);
    if (!row)
        return NULL;
    wb_node *iq = WB_NODE(a, "iq", {"type", row->type}, {"xmlns", "w:g2"});
    if (row->to_group)
        wb_node_set_jid(iq, "to", &r->group);
    else
        wb_node_set(iq, "to", "@" WB_SERVER_GROUP);
    wb_node *c = wb_node_add_new(iq, row->tag);
    switch (r->action) {
    case WB_WA_GROUP_CREATE:
        wb_node_set(c, "subject", r->subject);
        wb_node_set(c, "key", r->key);
        jids_fill(c, "participant", "jid", r->participants, r->nparticipants);
        break;
    case WB_WA_GROUP_QUERY:
        wb_node_set(c, "request", "interactive");
        break;
    case WB_WA_GROUP_PARTICIPATING:
        wb_node_add_new(c, "participants");
        wb_node_add_new(c, "description");
        break;
    case WB_WA_GROUP_ADD:
    case WB_WA_GROUP_REMOVE:
    case WB_WA_GROUP_PROMOTE:
    case WB_WA_GROUP_DEMOTE:
        jids_fill(c, "participant", "jid", r->participants, r->nparticipants);
        break;
    case WB_WA_GROUP_SUBJECT:
        wb_node_set_bytes(c, r->subject ? r->subject : "",
                          r->subject_len ? r->subject_len : r->subject ? strlen(r->subject) : 0);
        break;
    case WB_WA_GROUP_DESCRIPTION:
        if (r->desc_delete || !r->desc) {
            wb_node_set(c, "delete", "true");
        } else {
            wb_node_set(c, "id", r->desc_id);
            body_fill(c, r->desc, r->desc_len ? r->desc_len : strlen(r->desc));
        }
        wb_node_set(c, "prev", r->desc_prev);
        break;
    case WB_WA_GROUP_EPHEMERAL:
        wb_node_set_i64(c, "expiration", r->expiration);
        break;
    case WB_WA_GROUP_LEAVE:
        jids_fill(c, "group", "id", r->groups, r->ngroups);
        break;
    case WB_WA_GROUP_INVITE_INFO:
    case WB_WA_GROUP_INVITE_ACCEPT:
        wb_node_set(c, "code", r->code);
        break;
    default:
        break;
    }
    return iq;
}

/* The row an IQ's type, first child and code ask for, or NULL. */
static const struct action_row *row_for(const wb_node *iq, const wb_node *c) {
    int code = wb_node_attr(c, "code") ? CODE : NO_CODE;
    for (size_t i = 0; c && i < NACTIONS; i++)
        if (strcmp(actions[i].tag, c->tag) == 0 && wb_node_attr_is(iq, "type", actions[i].type) &&
            (actions[i].code == ANY_CODE || actions[i].code == code))
            return &actions[i];
    return NULL;
}

/* A <group id [error]> of a leave request or answer, as a participant entry (the group in jid). */
static int group_entry_read(const wb_node *g, void *item, void *ud, wb_error *err) {
    wb_wa_participant *p = item;
    wb_attrs at = wb_attrs_of(g);
    p->error = error_attr(&at);
    int rc = wb_attrs_check(&at, err);
    if (rc == 0 && group_jid_of(wb_node_attr(g, "id"), &p->jid) < 0)
        rc = wb_error_set(err, WB_EPROTO, 0, "leave: a group without a valid id");
    return rc;
}

/* The JIDs of entries (read as wb_wa_participant) into an arena array. */
static int jids_of(wb_arena *a, const wb_wa_participant *p, size_t n, const wb_jid **out) {
    wb_jid *v = wb_arena_alloc(a, (n ? n : 1) * sizeof *v);
    if (!v)
        return WB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = p[i].jid;
    *out = v;
    return 0;
}

/* The <participant>s (fn: participant_read) or <group>s (group_entry_read) of c, as JIDs. */
static int jids_read(const wb_node *c, const char *tag, wb_wa_child_fn fn, wb_arena *a,
                     const wb_jid **out, size_t *n, wb_error *err) {
    const wb_wa_participant *p;
    int rc = wb_wa_read_children(c, tag, WB_WA_GROUP_PARTICIPANTS_MAX, a, sizeof *p, fn, NULL, &p,
                                 n, err);
    return rc < 0 ? rc : jids_of(a, p, *n, out);
}

int wb_wa_group_request_read(const wb_node *iq, wb_arena *a, wb_wa_group_request *out,
                             wb_error *err) {
    wb_node *c = wb_node_is(iq, "iq") && wb_node_attr_is(iq, "xmlns", "w:g2") ? wb_node_child(iq, NULL)
                                                                             : NULL;
    const struct action_row *row = row_for(iq, c);
    if (!row)
        return wb_error_set(err, WB_ENOTFOUND, 0, "w:g2 <%.32s>: not a request wabot knows",
                            c ? c->tag : "");
    wb_wa_group_request r = {.action = row->action};
    wb_attrs at = wb_attrs_of(iq);
    wb_jid to = wb_attrs_opt_jid(&at, "to");
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (row->to_group && (!wb_jid_on(&to, WB_SERVER_GROUP) || !to.user[0]))
        return wb_error_set(err, WB_EPROTO, 0, "w:g2 <%s>: not addressed to a group", c->tag);
    if (row->to_group)
        r.group = to;
    wb_attrs ca = wb_attrs_of(c);
    int rc = 0;
    switch (r.action) {
    case WB_WA_GROUP_CREATE:
        r.subject = wb_attrs_opt_str(&ca, "subject");
        r.subject_len = r.subject ? strlen(r.subject) : 0;
        r.key = wb_attrs_opt_str(&ca, "key");
        rc = jids_read(c, "participant", participant_read, a, &r.participants, &r.nparticipants,
                       err);
        break;
    case WB_WA_GROUP_ADD:
    case WB_WA_GROUP_REMOVE:
    case WB_WA_GROUP_PROMOTE:
    case WB_WA_GROUP_DEMOTE:
        rc = jids_read(c, "participant", participant_read, a, &r.participants, &r.nparticipants,
                       err);
        break;
    case WB_WA_GROUP_SUBJECT:
        r.subject = (const char *)wb_node_content(c, &r.subject_len);
        break;
    case WB_WA_GROUP_DESCRIPTION:
        r.desc_id = wb_attrs_opt_str(&ca, "id");
        r.desc_prev = wb_attrs_opt_str(&ca, "prev");
        r.desc_delete = wb_node_attr_is(c, "delete", "true");
        r.desc = (const char *)wb_attrs_opt_child_bytes(&ca, "body", 0, &r.desc_len);
        break;
    case WB_WA_GROUP_EPHEMERAL: {
        uint64_t exp = wb_attrs_u64(&ca, "expiration");
        if (wb_attrs_ok(&ca) && exp > UINT32_MAX)
            return wb_error_set(err, WB_EMALFORMED, 0, "w:g2 ephemeral of %llu s",
                                (unsigned long long)exp);
        r.expiration = (uint32_t)exp;
        break;
    }
    case WB_WA_GROUP_LEAVE:
        rc = jids_read(c, "group", group_entry_read, a, &r.groups, &r.ngroups, err);
        break;
    case WB_WA_GROUP_INVITE_INFO:
    case WB_WA_GROUP_INVITE_ACCEPT:
        r.code = wb_attrs_str(&ca, "code");
        break;
    default:
        break;
    }
    if (rc == 0)
        rc = wb_attrs_check(&ca, err);
    if (rc < 0)
        return rc;
    *out = r;
    return 0;
}

/* ---- answers -------------------------------------------------------------------------------- */

wb_node *wb_wa_group_participating_fill(wb_node *reply) {
    return wb_node_set_empty_list(wb_node_add_new(reply, "groups"));
}

static int group_item_read(const wb_node *g, void *item, void *ud, wb_error *err) {
    return wb_wa_group_read(g, ud, item, err);
}

int wb_wa_group_participating_read(const wb_node *iq, wb_arena *a, wb_wa_group **out, size_t *n,
                                   wb_error *err) {
    wb_node *groups = wb_node_child(iq, "groups");
    if (!groups)
        return wb_error_set(err, WB_EPROTO, 0, "participating answer without <groups>");
    return wb_wa_read_children(groups, "group", SIZE_MAX, a, sizeof **out, group_item_read, a,
                               out, n, err);
}

void wb_wa_group_results_fill(wb_node *reply, const char *tag, const wb_wa_participant *results,
                              size_t n) {
    wb_node *list = wb_node_add_new(reply, tag);
    int leave = strcmp(tag, "leave") == 0;
    for (size_t i = 0; i < n; i++) {
        if (!leave) {
            participant_fill(list, &results[i]);
            continue;
        }
        wb_node *g = wb_node_add_new(list, "group");
        wb_node_set_jid(g, "id", &results[i].jid);
        if (results[i].error)
            wb_node_set_i64(g, "error", results[i].error);
    }
}

int wb_wa_group_results_read(const wb_node *iq, wb_arena *a, wb_wa_participant **out, size_t *n,
                             wb_error *err) {
    wb_node *list = wb_node_child(iq, NULL);
    static const char *const tags[] = {"add", "remove", "promote", "demote", "leave"};
    size_t t = 0;
    while (t < sizeof tags / sizeof *tags && !wb_node_is(list, tags[t]))
        t++;
    if (t == sizeof tags / sizeof *tags)
        return wb_error_set(err, WB_EPROTO, 0, "w:g2 answer without results");
    int leave = wb_node_is(list, "leave");
    return wb_wa_read_children(list, leave ? "group" : "participant", SIZE_MAX, a, sizeof **out,
                               leave ? group_entry_read : participant_read, NULL, out, n, err);
}

void wb_wa_group_invite_fill(wb_node *reply, const char *code) {
    WB_CHILD(reply, "invite", {"code", code});
}

void wb_wa_group_joined_fill(wb_node *reply, const wb_jid *group) {
    wb_node_set_jid(wb_node_add_new(reply, "group"), "jid", group);
}

const char *wb_wa_group_invite_of(const wb_node *iq) {
    return wb_node_attr(wb_node_child(iq, "invite"), "code");
}

int wb_wa_group_joined_of(const wb_node *iq, wb_jid *group, wb_error *err) {
    wb_attrs at = wb_attrs_of(wb_node_child(iq, "group"));
    *group = wb_attrs_jid(&at, "jid");
    return wb_attrs_check(&at, err);
}

/* ---- notifications ------------------------------------------------------------------------ */

enum change_kind { CREATE, PARTICIPANTS, SUBJECT, DESCRIPTION, VERSIONED, EPHEMERAL, INVITE, BARE };

static const struct change_row {
    const char *tag;
    enum change_kind kind;
} change_rows[] = {
    {"create", CREATE},         {"add", PARTICIPANTS},      {"remove", PARTICIPANTS},
    {"promote", PARTICIPANTS},  {"demote", PARTICIPANTS},   {"leave", PARTICIPANTS},
    {"subject", SUBJECT},       {"description", DESCRIPTION}, {"announcement", VERSIONED},
    {"not_announcement", VERSIONED}, {"locked", BARE},      {"unlocked", BARE},
    {"ephemeral", EPHEMERAL},   {"not_ephemeral", BARE},    {"invite", INVITE},
};

static const struct change_row *change_row_of(const char *tag) {
    for (size_t i = 0; tag && i < sizeof change_rows / sizeof *change_rows; i++)
        if (strcmp(change_rows[i].tag, tag) == 0)
            return &change_rows[i];
    return NULL;
}

static void change_fill(wb_node *parent, const wb_wa_group_change *c) {
    const struct change_row *row = change_row_of(c->tag);
    wb_node *n = wb_node_add_new(parent, c->tag);
    switch (row ? row->kind : BARE) {
    case CREATE:
        wb_node_set(n, "type", c->create_type);
        wb_node_set(n, "key", c->key);
        wb_node_set(n, "reason", c->reason);
        wb_wa_group_fill(n, &c->group);
        break;
    case PARTICIPANTS:
        wb_node_set(n, "reason", c->reason);
        participants_fill(n, c->participants, c->nparticipants);
        break;
    case SUBJECT:
        wb_node_set(n, "subject", c->subject);
        wb_node_set_jid(n, "s_o", &c->subject_owner);
        wb_node_set_i64(n, "s_t", c->subject_t);
        break;
    case DESCRIPTION:
        wb_node_set(n, "id", c->desc_id);
        if (c->desc_delete)
            wb_node_add_new(n, "delete");
        else
            body_fill(n, c->desc, c->desc_len);
        break;
    case VERSIONED:
        wb_node_set(n, "v_id", c->v_id);
        break;
    case EPHEMERAL:
        wb_node_set_i64(n, "expiration", c->expiration);
        break;
    case INVITE:
        wb_node_set(n, "code", c->code);
        break;
    case BARE:
        break;
    }
}

/* What whatsmeow's parseGroupChange and parseGroupCreate require of each change. */
static int change_read(const wb_node *n, void *item, void *ud, wb_error *err) {
    wb_wa_group_change *c = item;
    wb_arena *a = ud;
    const struct change_row *row = change_row_of(n->tag);
    wb_attrs at = wb_attrs_of(n);
    c->tag = n->tag;
    c->known = row != NULL;
    int rc = 0;
    switch (row ? row->kind : BARE) {
    case CREATE: {
        c->create_type = wb_attrs_opt_str(&at, "type");
        c->key = wb_attrs_opt_str(&at, "key");
        c->reason = wb_attrs_opt_str(&at, "reason");
        wb_node *g = wb_node_child(n, "group");
        rc = g ? wb_wa_group_read(g, a, &c->group, err)
               : wb_error_set(err, WB_EPROTO, 0, "create without <group>");
        break;
    }
    case PARTICIPANTS:
        c->reason = wb_attrs_opt_str(&at, "reason");
        rc = participants_read(n, a, UINT32_MAX, &c->participants, &c->nparticipants, err);
        break;
    case SUBJECT:
        c->subject = wb_attrs_str(&at, "subject");
        c->subject_owner = wb_attrs_opt_jid(&at, "s_o");
        c->subject_t = wb_attrs_i64(&at, "s_t");
        break;
    case DESCRIPTION:
        c->desc_id = wb_attrs_str(&at, "id");
        c->desc_delete = wb_node_child(n, "delete") != NULL;
        if (!c->desc_delete)
            c->desc = wb_attrs_child_bytes(&at, "body", 0, &c->desc_len);
        break;
    case VERSIONED:
        c->v_id = wb_attrs_str(&at, "v_id");
        break;
    case EPHEMERAL: {
        uint64_t exp = wb_attrs_u64(&at, "expiration");
        if (wb_attrs_ok(&at) && exp > UINT32_MAX)
            return wb_error_set(err, WB_EMALFORMED, 0, "ephemeral of %llu s",
                                (unsigned long long)exp);
        c->expiration = (uint32_t)exp;
        break;
    }
    case INVITE:
        c->code = wb_attrs_str(&at, "code");
        break;
    case BARE:
        break;
    }
    return rc < 0 ? rc : wb_attrs_check(&at, err);
}

wb_node *wb_wa_group_notification_new(wb_arena *a, const wb_wa_group_notification *n) {
    wb_node *no = WB_NODE(a, "notification", {"type", "w:gp2"}, {"id", n->id},
                          {"notify", n->notify});
    wb_node_set_jid(no, "from", &n->from);
    wb_node_set_jid(no, "participant", &n->participant);
    wb_node_set_jid(no, "participant_pn", &n->participant_pn);
    wb_node_set_i64(no, "t", n->t);
    for (size_t i = 0; i < n->nchanges; i++)
        change_fill(no, &n->changes[i]);
    return no;
}

int wb_wa_group_notification_read(const wb_node *n, wb_arena *a, wb_wa_group_notification *out,
                                  wb_error *err) {
    wb_wa_group_notification r = {0};
    wb_attrs at = wb_attrs_of(n);
    r.id = wb_attrs_str(&at, "id");
    r.from = wb_attrs_jid(&at, "from");
    r.participant = wb_attrs_opt_jid(&at, "participant");
    r.participant_pn = wb_attrs_opt_jid(&at, "participant_pn");
    r.notify = wb_attrs_opt_str(&at, "notify");
    r.t = wb_attrs_i64(&at, "t");
    if (!wb_attrs_ok(&at))
        return wb_attrs_check(&at, err);
    if (!wb_node_is(n, "notification") || !wb_node_attr_is(n, "type", "w:gp2"))
        return wb_error_set(err, WB_EPROTO, 0, "not a w:gp2 notification");
    int rc = wb_wa_read_children(n, NULL, SIZE_MAX, a, sizeof *r.changes, change_read, a,
                                 &r.changes, &r.nchanges, err);
    if (rc < 0)
        return rc;
    *out = r;
    return 0;
}
