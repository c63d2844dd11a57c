/* Groups as the send path and the receive path need them (NOTES §6.4): each group's members,
 * fetched with a w:g2 query and cached until a w:gp2 notification says they changed; our sender
 * key replaced when a member leaves (a removed member must not read what comes after), so the
 * next message distributes a fresh one; and the w:gp2 notifications acked. Group administration
 * (create, add, subject...) and its events are the breadth issue's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/strmap.h"
#include "store/group_store.h"
#include "wa/group.h"

typedef struct members {
    uint64_t fetched;
    size_t n;
    wb_jid users[];
} members;

static void members_drop(wb_client *c, const char *group) {
    free(wb_strmap_del(&c->groups, group));
}

void wb_client_groups_free(wb_client *c) {
    size_t it = 0;
    const char *k;
    void *v;
    while (wb_strmap_next(&c->groups, &it, &k, &v))
        free(v);
    wb_strmap_free(&c->groups);
}

/* Caches g's members (their phone-number JIDs where the metadata gives them). */
static int remember(wb_client *c, const wb_wa_group *g) {
    members *m = malloc(sizeof *m + (g->nparticipants + 1) * sizeof m->users[0]);
    if (!m)
        return WB_ENOMEM;
    m->fetched = c->now;
    m->n = 0;
    for (size_t i = 0; i < g->nparticipants; i++) {
        const wb_wa_participant *p = &g->participants[i];
        if (wb_jid_on(&p->jid, WB_SERVER_LID) && !wb_jid_is_empty(&p->phone)) {
            wb_client_lid_learn(c, p->jid.user, p->phone.user);
            m->users[m->n++] = wb_jid_user_jid(&p->phone);
        } else {
            if (wb_jid_on(&p->jid, WB_SERVER_USER) && !wb_jid_is_empty(&p->lid))
                wb_client_lid_learn(c, p->lid.user, p->jid.user);
            m->users[m->n++] = wb_jid_user_jid(&p->jid);
        }
    }
    char key[WB_JID_STR_MAX];
    wb_jid_format(&g->jid, key, sizeof key);
    void *old = NULL;
    if (wb_strmap_put(&c->groups, key, m, &old) < 0) {
        free(m);
        return WB_ENOMEM;
    }
    free(old);
    return 0;
}

int wb_client_group_members(wb_client *c, const wb_jid *group, const wb_jid **users, size_t *n) {
    char key[WB_JID_STR_MAX];
    wb_jid_format(group, key, sizeof key);
    members *m = wb_strmap_get(&c->groups, key);
    if (!m)
        return WB_ENOTFOUND;
    *users = m->users;
    *n = m->n;
    return 0;
}

typedef struct fetch {
    wb_client *c;
    void (*fn)(wb_client *c, void *ud, int status);
    void *ud;
} fetch;

static void on_metadata(void *ud, int status, const wb_node *answer) {
    fetch *f = ud;
    wb_client *c = f->c;
    if (status == 0) {
        wb_wa_group g;
        wb_error e = {0};
        status = wb_wa_group_read(wb_node_child(answer, "group"), &c->arena, &g, &e);
        if (status == 0)
            status = remember(c, &g);
        else
            WB_WARN("client", "group metadata we cannot read: %s", e.what);
    } else if (status == WB_EREFUSED) {
        int code = 0;
        const char *text = NULL;
        wb_wa_iq_error_of(answer, &code, &text);
        WB_WARN("client", "the server refused the group's metadata: %d %s", code, text ? text : "");
        status = code == 404 ? WB_ENOTFOUND : WB_EREFUSED;
    }
    void (*fn)(wb_client *, void *, int) = f->fn;
    void *fud = f->ud;
    free(f);
    if (fn)
        fn(c, fud, status);
}

int wb_client_group_fetch(wb_client *c, const wb_jid *group,
                          void (*fn)(wb_client *c, void *ud, int status), void *ud) {
    fetch *f = malloc(sizeof *f);
    if (!f)
        return WB_ENOMEM;
    *f = (fetch){c, fn, ud};
    wb_wa_group_request r = {.action = WB_WA_GROUP_QUERY, .group = *group};
    wb_node *iq = wb_wa_group_request_new(&c->arena, &r);
    int rc = iq ? wb_client_send_iq(c, iq, on_metadata, f) : WB_ENOMEM;
    if (rc < 0)
        free(f);
    return rc;
}

/* Our sender key for group is no longer safe to use (a member left): a new one is made at the
 * next message and distributed to every member again. */
static void rekey(wb_client *c, const char *group) {
    char self[WB_SIGNAL_ADDR_MAX];
    wb_jid me = wb_jid_of(c->me_user, WB_SERVER_USER, c->me_device);
    if (wb_client_address(c, &me, self) < 0)
        return;
    int rc = wb_store_begin(c->st);
    if (rc == 0)
        rc = wb_signal_group_reset(c->sig, group, self);
    if (rc == 0)
        rc = wb_store_sender_key_sent_clear(c->st, group);
    if (rc == 0)
        rc = wb_store_commit(c->st);
    else
        wb_store_rollback(c->st);
    if (rc < 0)
        WB_WARN("client", "cannot replace our sender key for %s: %s", group, wb_strerror(rc));
}

int wb_client_group_notification(wb_client *c, wb_node *n) {
    wb_wa_group_notification gn;
    wb_error e = {0};
    int rc = wb_wa_group_notification_read(n, &c->arena, &gn, &e);
    if (rc < 0) {
        WB_WARN("client", "a group notification we cannot read: %s", e.what);
        return 0;
    }
    char group[WB_JID_STR_MAX];
    wb_jid_format(&gn.from, group, sizeof group);
    for (size_t i = 0; i < gn.nchanges; i++) {
        const wb_wa_group_change *ch = &gn.changes[i];
        if (!ch->known)
            continue;
        if (strcmp(ch->tag, "create") == 0) {
            remember(c, &ch->group);
        } else if (!strcmp(ch->tag, "add") || !strcmp(ch->tag, "remove") ||
                   !strcmp(ch->tag, "leave") || !strcmp(ch->tag, "promote") ||
                   !strcmp(ch->tag, "demote")) {
            members_drop(c, group); /* fetched again at the next send */
            if (!strcmp(ch->tag, "remove") || !strcmp(ch->tag, "leave"))
                rekey(c, group);
        }
    }
    return 0;
}
