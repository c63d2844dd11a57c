/* Groups (groups.h): the model in memory, its rows (groups, group_members), the metadata node
 * that w:g2 answers and notifications carry, and the w:gp2 notifications members receive. The
 * IQs are in groups_iq.c, the admin route in groups_admin.c; route.c fans group messages out to
 * the members' devices. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "crypto/random.h"
#include "sim/groups.h"

#define GROUP_ID_BASE UINT64_C(120363000000000000) /* 18 digits, as real group ids look */

struct wb_sim_groups {
    wb_sim_group **list;
    size_t n, cap;
    uint64_t next_seq; /* members' join order */
};

static int group_meta(wb_arena *a, const wb_sim_group *g, wb_wa_group *out);

/* ---- lookups ------------------------------------------------------------------------------- */

size_t wb_sim_group_count(const wb_sim *sim) { return sim->groups ? sim->groups->n : 0; }

wb_sim_group *wb_sim_group_at(const wb_sim *sim, size_t i) {
    return i < wb_sim_group_count(sim) ? sim->groups->list[i] : NULL;
}

wb_sim_group *wb_sim_group_by_jid(wb_sim *sim, const wb_jid *j) {
    if (!wb_jid_on(j, WB_SERVER_GROUP) || j->device || j->agent)
        return NULL;
    for (size_t i = 0; i < wb_sim_group_count(sim); i++)
        if (strcmp(sim->groups->list[i]->id, j->user) == 0)
            return sim->groups->list[i];
    return NULL;
}

wb_sim_group *wb_sim_group_by_invite(wb_sim *sim, const char *code) {
    for (size_t i = 0; code && *code && i < wb_sim_group_count(sim); i++)
        if (strcmp(sim->groups->list[i]->invite, code) == 0)
            return sim->groups->list[i];
    return NULL;
}

wb_sim_member *wb_sim_group_member(const wb_sim_group *g, const wb_sim_account *a) {
    for (size_t i = 0; a && i < g->nmembers; i++)
        if (g->members[i].account == a)
            return &g->members[i];
    return NULL;
}

void wb_sim_group_jid(const wb_sim_group *g, char *out) {
    snprintf(out, WB_JID_STR_MAX, "%s@" WB_SERVER_GROUP, g->id);
}

static wb_sim_account *account_by_row(wb_sim *sim, int64_t row) {
    for (size_t i = 0; row && i < sim->naccounts; i++)
        if (sim->accounts[i]->row == row)
            return sim->accounts[i];
    return NULL;
}

/* ---- memory ---------------------------------------------------------------------------------- */

static void group_free(wb_sim_group *g) {
    if (!g)
        return;
    free(g->desc);
    free(g->members);
    free(g);
}

static int adopt(wb_sim *sim, wb_sim_group *g) {
    struct wb_sim_groups *gs = sim->groups;
    int rc = wb_sim_grow(&gs->list, gs->n, &gs->cap, sizeof *gs->list);
    if (rc == 0)
        gs->list[gs->n++] = g;
    return rc;
}

static int push_member(wb_sim_group *g, wb_sim_account *a, int role) {
    int rc = wb_sim_grow(&g->members, g->nmembers, &g->members_cap, sizeof *g->members);
    if (rc == 0)
        g->members[g->nmembers++] = (wb_sim_member){a, role};
    return rc;
}

/* ---- rows ------------------------------------------------------------------------------------ */

static void bind_account(sqlite3_stmt *s, int col, const wb_sim_account *a) {
    if (a)
        sqlite3_bind_int64(s, col, a->row);
    else
        sqlite3_bind_null(s, col);
}

int wb_sim_group_save(wb_sim *sim, wb_sim_group *g) {
    sqlite3_stmt *s = wb_store_stmt(sim->db,
        "INSERT INTO groups (id, gid, subject, creator, creation, subject_owner, subject_t, "
        "description, desc_id, desc_owner, desc_t, invite, announce, locked, ephemeral) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "subject = excluded.subject, subject_owner = excluded.subject_owner, "
        "subject_t = excluded.subject_t, description = excluded.description, "
        "desc_id = excluded.desc_id, desc_owner = excluded.desc_owner, desc_t = excluded.desc_t, "
        "invite = excluded.invite, announce = excluded.announce, locked = excluded.locked, "
        "ephemeral = excluded.ephemeral");
    if (!s)
        return WB_ESTORE;
    if (g->row)
        sqlite3_bind_int64(s, 1, g->row);
    sqlite3_bind_text(s, 2, g->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, g->subject, -1, SQLITE_STATIC);
    bind_account(s, 4, g->creator);
    sqlite3_bind_int64(s, 5, g->creation);
    bind_account(s, 6, g->subject_owner);
    sqlite3_bind_int64(s, 7, g->subject_t);
    if (g->desc)
        sqlite3_bind_text(s, 8, g->desc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, g->desc_id, -1, SQLITE_STATIC);
    bind_account(s, 10, g->desc_owner);
    sqlite3_bind_int64(s, 11, g->desc_t);
    sqlite3_bind_text(s, 12, g->invite, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 13, g->announce);
    sqlite3_bind_int(s, 14, g->locked);
    sqlite3_bind_int64(s, 15, g->ephemeral);
    if (sqlite3_step(s) != SQLITE_DONE)
        return wb_store_done(s, WB_ESTORE);
    if (!g->row)
        g->row = sqlite3_last_insert_rowid(wb_store_db(sim->db));
    return wb_store_done(s, 0);
}

static int save_member(wb_sim *sim, const wb_sim_group *g, const wb_sim_member *m) {
    sqlite3_stmt *s = wb_store_stmt(sim->db,
        "INSERT INTO group_members (grp, account, role, seq) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (grp, account) DO UPDATE SET role = excluded.role");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, g->row);
    sqlite3_bind_int64(s, 2, m->account->row);
    sqlite3_bind_int(s, 3, m->role);
    sqlite3_bind_int64(s, 4, (int64_t)++sim->groups->next_seq);
    return wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *s, int col) {
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static int load_groups(wb_sim *sim) {
    sqlite3_stmt *s = wb_store_stmt(sim->db,
        "SELECT id, gid, subject, creator, creation, subject_owner, subject_t, description, "
        "desc_id, desc_owner, desc_t, invite, announce, locked, ephemeral FROM groups ORDER BY id");
    if (!s)
        return WB_ESTORE;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        wb_sim_group *g = calloc(1, sizeof *g);
        if (!g) {
            rc = WB_ENOMEM;
            break;
        }
        g->row = sqlite3_column_int64(s, 0);
        copy_col(g->id, sizeof g->id, s, 1);
        copy_col(g->subject, sizeof g->subject, s, 2);
        g->creator = account_by_row(sim, sqlite3_column_int64(s, 3));
        g->creation = sqlite3_column_int64(s, 4);
        g->subject_owner = account_by_row(sim, sqlite3_column_int64(s, 5));
        g->subject_t = sqlite3_column_int64(s, 6);
        if (sqlite3_column_type(s, 7) != SQLITE_NULL &&
            !(g->desc = strdup((const char *)sqlite3_column_text(s, 7))))
            rc = WB_ENOMEM;
        copy_col(g->desc_id, sizeof g->desc_id, s, 8);
        g->desc_owner = account_by_row(sim, sqlite3_column_int64(s, 9));
        g->desc_t = sqlite3_column_int64(s, 10);
        copy_col(g->invite, sizeof g->invite, s, 11);
        g->announce = sqlite3_column_int(s, 12);
        g->locked = sqlite3_column_int(s, 13);
        g->ephemeral = (uint32_t)sqlite3_column_int64(s, 14);
        if (rc == 0)
            rc = adopt(sim, g);
        if (rc < 0)
            group_free(g);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = WB_ESTORE;
    wb_store_done(s, 0);
    if (rc < 0 || !(s = wb_store_stmt(sim->db, "SELECT grp, account, role, seq FROM group_members "
                                                "ORDER BY seq")))
        return rc < 0 ? rc : WB_ESTORE;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        int64_t grp = sqlite3_column_int64(s, 0);
        wb_sim_account *a = account_by_row(sim, sqlite3_column_int64(s, 1));
        wb_sim_group *g = NULL;
        for (size_t i = 0; i < sim->groups->n && !g; i++)
            if (sim->groups->list[i]->row == grp)
                g = sim->groups->list[i];
        if (!g || !a)
            rc = WB_EMALFORMED;
        else
            rc = push_member(g, a, sqlite3_column_int(s, 2));
        uint64_t seq = (uint64_t)sqlite3_column_int64(s, 3);
        if (seq > sim->groups->next_seq)
            sim->groups->next_seq = seq;
    }
    return wb_store_done(s, rc);
}

/* ---- changes --------------------------------------------------------------------------------- */

int wb_sim_group_add(wb_sim *sim, wb_sim_group *g, wb_sim_account *a, int role) {
    if (wb_sim_group_member(g, a))
        return WB_EEXIST;
    if (g->nmembers >= WB_SIM_GROUP_MAX_MEMBERS)
        return WB_ETOOBIG;
    int rc = push_member(g, a, role);
    if (rc == 0 && (rc = save_member(sim, g, &g->members[g->nmembers - 1])) < 0)
        g->nmembers--;
    return rc;
}

int wb_sim_group_remove(wb_sim *sim, wb_sim_group *g, wb_sim_account *a) {
    wb_sim_member *m = wb_sim_group_member(g, a);
    if (!m)
        return WB_ENOTFOUND;
    sqlite3_stmt *s = wb_store_stmt(sim->db, "DELETE FROM group_members WHERE grp = ? AND "
                                             "account = ?");
    if (!s)
        return WB_ESTORE;
    sqlite3_bind_int64(s, 1, g->row);
    sqlite3_bind_int64(s, 2, a->row);
    int rc = wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
    if (rc == 0) {
        size_t i = (size_t)(m - g->members);
        memmove(m, m + 1, (g->nmembers - i - 1) * sizeof *m);
        g->nmembers--;
    }
    return rc;
}

int wb_sim_group_set_role(wb_sim *sim, wb_sim_group *g, wb_sim_member *m, int role) {
    int old = m->role;
    m->role = role;
    sqlite3_stmt *s = wb_store_stmt(sim->db, "UPDATE group_members SET role = ? WHERE grp = ? AND "
                                             "account = ?");
    if (!s) {
        m->role = old;
        return WB_ESTORE;
    }
    sqlite3_bind_int(s, 1, role);
    sqlite3_bind_int64(s, 2, g->row);
    sqlite3_bind_int64(s, 3, m->account->row);
    int rc = wb_store_done(s, sqlite3_step(s) == SQLITE_DONE ? 0 : WB_ESTORE);
    if (rc < 0)
        m->role = old;
    return rc;
}

/* 22 characters of [A-Za-z0-9], as invite codes look. */
int wb_sim_group_new_invite(wb_sim *sim, wb_sim_group *g) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char old[sizeof g->invite];
    memcpy(old, g->invite, sizeof old);
    const wb_sim_group *other;
    do {
        for (int i = 0; i < 22; i++)
            g->invite[i] = alphabet[wb_random_uniform(sizeof alphabet - 1)];
        g->invite[22] = '\0';
        other = wb_sim_group_by_invite(sim, g->invite);
    } while (other && other != g);
    int rc = wb_sim_group_save(sim, g);
    if (rc < 0)
        memcpy(g->invite, old, sizeof old);
    return rc;
}

int wb_sim_group_create(wb_sim *sim, wb_sim_account *creator, wb_sim_account *const *members,
                        size_t n, const char *subject, const char *key, const wb_sim_device *skip,
                        wb_sim_group **out) {
    if (!subject || !*subject || strlen(subject) > WB_SIM_SUBJECT_MAX)
        return WB_EINVAL;
    if (n + 1 > WB_SIM_GROUP_MAX_MEMBERS)
        return WB_ETOOBIG;
    wb_sim_group *g = calloc(1, sizeof *g);
    if (!g)
        return WB_ENOMEM;
    uint64_t seq = 0;
    wb_buf b = WB_BUF_INIT;
    if (wb_sim_meta_get(sim, "next_group", &b) == 0 && wb_buf_put_u8(&b, 0) == 0)
        seq = strtoull((const char *)b.data, NULL, 10);
    wb_buf_free(&b);
    wb_jid probe;
    do {
        snprintf(g->id, sizeof g->id, "%" PRIu64, GROUP_ID_BASE + ++seq);
        probe = wb_jid_of(g->id, WB_SERVER_GROUP, 0);
    } while (wb_sim_group_by_jid(sim, &probe));
    snprintf(g->subject, sizeof g->subject, "%s", subject);
    g->creator = g->subject_owner = creator;
    g->creation = g->subject_t = wb_sim_now(sim);
    char num[24];
    snprintf(num, sizeof num, "%" PRIu64, seq);
    int rc = wb_store_begin(sim->db);
    if (rc == 0)
        rc = wb_sim_meta_set(sim, "next_group", num, strlen(num));
    if (rc == 0)
        rc = wb_sim_group_save(sim, g);
    if (rc == 0)
        rc = wb_sim_group_add(sim, g, creator, WB_SIM_SUPERADMIN);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (members[i] && !wb_sim_group_member(g, members[i]))
            rc = wb_sim_group_add(sim, g, members[i], WB_SIM_MEMBER);
    if (rc == 0)
        rc = wb_store_commit(sim->db);
    else
        wb_store_rollback(sim->db);
    if (rc == 0)
        rc = adopt(sim, g);
    if (rc < 0) {
        group_free(g);
        return rc;
    }
    wb_sim_count(sim, "groups.created", 1);
    WB_INFO("sim", "group %s@g.us made by %s with %zu members", g->id, creator->phone,
            g->nmembers);
    /* every member (the creator's other devices too) hears of it */
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_wa_group_change create = {.tag = "create", .create_type = "new", .key = key};
    if (group_meta(&a, g, &create.group) == 0)
        wb_sim_group_notify(sim, g, creator, &create, NULL, 0, skip);
    wb_arena_free(&a);
    *out = g;
    return 0;
}

/* ---- nodes ----------------------------------------------------------------------------------- */

static wb_jid user_of(const wb_sim_account *a) {
    return a ? wb_jid_of(a->phone, WB_SERVER_USER, 0) : (wb_jid){0};
}

wb_wa_participant wb_sim_participant(const wb_sim_account *a, int role) {
    return (wb_wa_participant){.jid = user_of(a), .lid = wb_jid_of(a->lid, WB_SERVER_LID, 0),
                               .role = role};
}

/* g's metadata as wa/group.h takes it (participants in arena a). */
static int group_meta(wb_arena *a, const wb_sim_group *g, wb_wa_group *out) {
    wb_wa_participant *p = wb_arena_alloc(a, (g->nmembers ? g->nmembers : 1) * sizeof *p);
    if (!p)
        return WB_ENOMEM;
    for (size_t i = 0; i < g->nmembers; i++)
        p[i] = wb_sim_participant(g->members[i].account, g->members[i].role);
    *out = (wb_wa_group){
        .jid = wb_jid_of(g->id, WB_SERVER_GROUP, 0), .subject = g->subject,
        .creation = g->creation, .creator = user_of(g->creator), .subject_t = g->subject_t,
        .subject_owner = user_of(g->subject_owner), .addressing_mode = "pn",
        .size = (int64_t)g->nmembers, .participants = p, .nparticipants = g->nmembers,
        .has_desc = g->desc != NULL, .desc_id = g->desc_id, .desc = (const uint8_t *)g->desc,
        .desc_len = g->desc ? strlen(g->desc) : 0, .desc_owner = user_of(g->desc_owner),
        .desc_t = g->desc_t, .announce = g->announce, .locked = g->locked,
        .ephemeral = g->ephemeral};
    return 0;
}

wb_node *wb_sim_group_node(wb_sim *sim, wb_node *parent, const wb_sim_group *g) {
    wb_wa_group meta;
    (void)sim;
    if (!parent || group_meta(parent->arena, g, &meta) < 0)
        return wb_node_add(parent, NULL); /* marks parent broken */
    return wb_wa_group_fill(parent, &meta);
}

/* Delivers n to every device of the accounts in to (NULLs skipped) but skip. */
static int notify_accounts(wb_sim *sim, const wb_node *n, const wb_sim_account *const *to,
                           size_t nto, const wb_sim_device *skip) {
    int rc = 0;
    for (size_t i = 0; i < nto; i++) {
        if (!to[i])
            continue;
        WB_SIM_EACH_DEVICE(to[i], d) {
            int r = d == skip ? 0 : wb_sim_deliver(sim, d, n, WB_SIM_DURABLE);
            if (r < 0 && rc == 0)
                rc = r;
        }
    }
    return rc;
}

/* The w:gp2 notification of change in g by actor, in arena a. */
static wb_node *notification(wb_sim *sim, wb_arena *a, const wb_sim_group *g,
                             const wb_sim_account *actor, const wb_wa_group_change *change) {
    char id[32];
    wb_sim_new_id(sim, id, sizeof id);
    wb_wa_group_notification n = {
        .id = id, .from = wb_jid_of(g->id, WB_SERVER_GROUP, 0), .participant = user_of(actor),
        .notify = actor && actor->name[0] ? actor->name : NULL, .t = wb_sim_now(sim),
        .changes = change, .nchanges = 1};
    wb_sim_countf(sim, 1, "groups.notifications.%s", change->tag);
    return wb_wa_group_notification_new(a, &n);
}

/* The accounts of g's members, except those in but (NULL where one is left out), in arena a. */
static const wb_sim_account **members_but(wb_arena *a, const wb_sim_group *g,
                                          wb_sim_account *const *but, size_t nbut) {
    const wb_sim_account **v = wb_arena_zalloc(a, (g->nmembers ? g->nmembers : 1) * sizeof *v);
    for (size_t i = 0; v && i < g->nmembers; i++) {
        v[i] = g->members[i].account;
        for (size_t k = 0; k < nbut; k++)
            if (but[k] == v[i])
                v[i] = NULL;
    }
    return v;
}

int wb_sim_group_notify(wb_sim *sim, const wb_sim_group *g, const wb_sim_account *actor,
                        const wb_wa_group_change *change, wb_sim_account *const *extra,
                        size_t nextra, const wb_sim_device *skip) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_node *n = notification(sim, &a, g, actor, change);
    const wb_sim_account **members = members_but(&a, g, NULL, 0);
    int rc = members ? notify_accounts(sim, n, members, g->nmembers, skip) : WB_ENOMEM;
    for (size_t i = 0; i < nextra; i++) {
        if (!extra[i] || wb_sim_group_member(g, extra[i]))
            continue;
        const wb_sim_account *one = extra[i];
        int r = notify_accounts(sim, n, &one, 1, skip);
        if (r < 0 && rc == 0)
            rc = r;
    }
    wb_arena_free(&a);
    return rc;
}

int wb_sim_group_joined(wb_sim *sim, const wb_sim_group *g, const wb_sim_account *actor,
                        wb_sim_account *const *joined, size_t n, const char *reason) {
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_wa_participant *p = wb_arena_alloc(&a, (n ? n : 1) * sizeof *p);
    const wb_sim_account **before = members_but(&a, g, joined, n);
    wb_wa_group_change add = {.tag = "add", .reason = reason, .participants = p,
                              .nparticipants = n};
    wb_wa_group_change create = {.tag = "create", .reason = reason};
    int rc = p && before ? group_meta(&a, g, &create.group) : WB_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        p[i] = wb_sim_participant(joined[i], WB_SIM_MEMBER);
    if (rc == 0)
        rc = notify_accounts(sim, notification(sim, &a, g, actor, &add), before, g->nmembers,
                             NULL);
    int r = rc < 0 ? 0 : notify_accounts(sim, notification(sim, &a, g, actor, &create),
                                         (const wb_sim_account *const *)joined, n, NULL);
    wb_arena_free(&a);
    return rc < 0 ? rc : r;
}

/* ---- the family ------------------------------------------------------------------------------ */

static int groups_init(wb_sim *sim) {
    if (!(sim->groups = calloc(1, sizeof *sim->groups)))
        return WB_ENOMEM;
    int rc = load_groups(sim);
    if (rc < 0)
        WB_ERROR("sim", "cannot load the groups: %s", wb_strerror(rc));
    return rc;
}

static void groups_free(wb_sim *sim) {
    if (!sim->groups)
        return;
    for (size_t i = 0; i < sim->groups->n; i++)
        group_free(sim->groups->list[i]);
    free(sim->groups->list);
    free(sim->groups);
    sim->groups = NULL;
}

const wb_sim_family wb_sim_family_groups = {
    .name = "groups", .init = groups_init, .free = groups_free,
};
