/* Groups as the send path needs them (NOTES §6.4): each group's members, fetched with a w:g2
 * query and then kept true by every change we hear of or make (group_events.c for the w:gp2
 * notifications, group_admin.c for the answers to our own calls), so a group message goes to
 * the devices of exactly the members of the moment; our sender key replaced when a member
 * leaves (a removed member must not read what comes after), so the next message distributes a
 * fresh one; and the stored chat named after the group's subject. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "core/strmap.h"
#include "store/contact_store.h"
#include "store/group_store.h"
#include "wa/group.h"

#define MEMBERS_MAX 4096 /* a cached list never grows past this (WhatsApp allows 1,024) */

typedef struct members {
    uint64_t fetched;
    size_t n, cap;
    wb_jid users[];
} members;

static void key_of(const wb_jid *group, char key[WB_JID_STR_MAX]) {
    wb_jid_format(group, key, WB_JID_STR_MAX);
}

void wb_client_groups_free(wb_client *c) {
    size_t it = 0;
    const char *k;
    void *v;
    while (wb_strmap_next(&c->groups, &it, &k, &v))
        free(v);
    wb_strmap_free(&c->groups);
}

int wb_client_is_me(const wb_client *c, const wb_jid *user) {
    if (wb_jid_on(user, WB_SERVER_USER))
        return strcmp(user->user, c->me_user) == 0;
    return wb_jid_on(user, WB_SERVER_LID) && c->me_lid_user[0] &&
           strcmp(user->user, c->me_lid_user) == 0;
}

/* The user a participant is for the send path: by phone number when the metadata says it (and
 * the LID learnt), else as named. */
static wb_jid member_of(wb_client *c, const wb_wa_participant *p) {
    if (wb_jid_on(&p->jid, WB_SERVER_LID) && !wb_jid_is_empty(&p->phone)) {
        wb_client_lid_learn(c, p->jid.user, p->phone.user);
        return wb_jid_user_jid(&p->phone);
    }
    if (wb_jid_on(&p->jid, WB_SERVER_USER) && !wb_jid_is_empty(&p->lid))
        wb_client_lid_learn(c, p->lid.user, p->jid.user);
    return wb_jid_user_jid(&p->jid);
}

/* A LID member whose phone number we know is cached by that number. */
static wb_jid canonical(wb_client *c, const wb_jid *user) {
    wb_jid u = wb_jid_user_jid(user);
    char pn[WB_JID_USER_MAX + 1];
    if (wb_jid_on(&u, WB_SERVER_LID) && wb_client_lid_to_pn(c, u.user, pn) == 0)
        return wb_jid_of(pn, WB_SERVER_USER, 0);
    return u;
}

void wb_client_group_name(wb_client *c, const wb_jid *group, const char *subject, int64_t t) {
    char key[WB_JID_STR_MAX];
    key_of(group, key);
    int rc = wb_store_chat_touch(c->st, key, t > 0 ? t : 0, 0);
    if (rc >= 0 && subject)
        rc = wb_store_chat_name_put(c->st, key, subject);
    if (rc < 0)
        WB_WARN("client", "cannot store the chat of %s: %s", key, wb_strerror(rc));
}

int wb_client_group_remember(wb_client *c, const wb_wa_group *g) {
    size_t cap = g->nparticipants < MEMBERS_MAX ? g->nparticipants : MEMBERS_MAX;
    members *m = malloc(sizeof *m + (cap + 1) * sizeof m->users[0]);
    if (!m)
        return WB_ENOMEM;
    m->fetched = c->now;
    m->n = 0;
    m->cap = cap + 1;
    for (size_t i = 0; i < cap; i++)
        m->users[m->n++] = member_of(c, &g->participants[i]);
    char key[WB_JID_STR_MAX];
    key_of(&g->jid, key);
    void *old = NULL;
    if (wb_strmap_put(&c->groups, key, m, &old) < 0) {
        free(m);
        return WB_ENOMEM;
    }
    free(old);
    if (g->subject)
        wb_client_group_name(c, &g->jid, g->subject, 0);
    return 0;
}

static size_t find(const members *m, const wb_jid *u) {
    size_t i = 0;
    while (i < m->n && !wb_jid_eq(&m->users[i], u))
        i++;
    return i;
}

void wb_client_group_joined(wb_client *c, const wb_jid *group, const wb_jid *users, size_t n) {
    char key[WB_JID_STR_MAX];
    key_of(group, key);
    members *m = wb_strmap_get(&c->groups, key);
    for (size_t i = 0; m && i < n; i++) {
        wb_jid u = canonical(c, &users[i]);
        if (find(m, &u) < m->n)
            continue;
        if (m->n == m->cap) {
            members *bigger = m->cap < MEMBERS_MAX
                                  ? realloc(m, sizeof *m + 2 * m->cap * sizeof m->users[0])
                                  : NULL;
            if (!bigger) { /* the list cannot hold them: fetched again at the next send */
                free(wb_strmap_del(&c->groups, key));
                return;
            }
            m = bigger;
            m->cap *= 2;
            wb_strmap_put(&c->groups, key, m, NULL); /* the key exists: cannot fail */
        }
        m->users[m->n++] = u;
    }
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

void wb_client_group_left(wb_client *c, const wb_jid *group, const wb_jid *users, size_t n) {
    char key[WB_JID_STR_MAX];
    key_of(group, key);
    members *m = wb_strmap_get(&c->groups, key);
    for (size_t i = 0; m && i < n; i++) {
        wb_jid u = canonical(c, &users[i]);
        size_t k = find(m, &u);
        if (k < m->n)
            memmove(&m->users[k], &m->users[k + 1], (--m->n - k) * sizeof m->users[0]);
    }
    if (n)
        rekey(c, key);
}

void wb_client_group_forget(wb_client *c, const wb_jid *group) {
    char key[WB_JID_STR_MAX];
    key_of(group, key);
    free(wb_strmap_del(&c->groups, key));
    rekey(c, key); /* should we come back, the members we find then get a fresh key */
}

int wb_client_group_members(wb_client *c, const wb_jid *group, const wb_jid **users, size_t *n) {
    char key[WB_JID_STR_MAX];
    key_of(group, key);
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
            status = wb_client_group_remember(c, &g);
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
