/* Group administration (client.h, "groups"): the w:g2 calls as Baileys' Socket/groups.js makes
 * them (shapes in wa/group.h), each one IQ with one completion through calls.c, the answer read
 * into client.h's shapes. What a change did is applied to the member cache and the stored chat
 * at once (groups.c): the w:gp2 notification the server also sends us may come later than our
 * next message to the group, which must already go to the right devices.
 *
 *   create        <create subject key><participant jid/>...   -> <group> (metadata)
 *   metadata      <query request="interactive"/>             -> <group>
 *   participating <participating><participants/><description/> -> <groups><group/>...
 *                 (and groups.update with every group's metadata, as Baileys emits it)
 *   add...demote  <add><participant jid/>...                  -> per participant: 200 or error
 *   subject       <subject>text</subject>
 *   description   the metadata first (its description id is the new one's prev), then
 *                 <description id prev><body>text</body> or <description delete="true" prev>
 *   leave         <leave><group id/></leave> to @g.us          -> <leave><group id [error]/>
 *   invite        <invite/> get (the code) or set (a new one)  -> <invite code/>
 *   accept        <invite code/> set to @g.us                  -> <group jid/>
 *   settings      <announcement/> <not_announcement/> <locked/> <unlocked/> */
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wa/group.h"
#include "wa/message.h"

/* ---- starting a call ------------------------------------------------------------------------- */

/* A group JID (<digits>@g.us) or a user JID (phone number or LID), without a device. */
static int parse(const char *s, int group, wb_jid *out) {
    if (!s || wb_jid_parse(out, s) < 0 || !out->user[0] || out->device || out->agent)
        return WB_EINVAL;
    if (group)
        return wb_jid_on(out, WB_SERVER_GROUP) ? 0 : WB_EINVAL;
    return wb_jid_on(out, WB_SERVER_USER) || wb_jid_on(out, WB_SERVER_LID) ? 0 : WB_EINVAL;
}

/* The start of every call: the entry point's clock and arena, a logged-in client, a call. */
static int begin(wb_client *c, wb_client_call_answer_fn on_answer, wb_client_result_fn fn,
                 void *ud, wb_client_call **out) {
    wb_client_enter(c);
    if (c->state != WB_ST_OPEN)
        return WB_ECLOSED;
    return (*out = wb_client_call_new(c, on_answer, fn, ud)) ? 0 : WB_ENOMEM;
}

static wb_node *request(wb_client *c, const wb_wa_group_request *r) {
    return wb_wa_group_request_new(&c->arena, r);
}

/* ---- answers --------------------------------------------------------------------------------- */

/* Groups of an answer: remembered, and the call's result. */
static int groups_result(wb_client *c, wb_client_call *k, const wb_wa_group *groups, size_t n) {
    wb_client_group *v = wb_arena_zalloc(&k->arena, (n ? n : 1) * sizeof *v);
    if (!v)
        return WB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (wb_client_group_of(&k->arena, &groups[i], &v[i]) < 0)
            return WB_ENOMEM;
        wb_client_group_remember(c, &groups[i]);
    }
    k->r.groups = v;
    k->r.ngroups = n;
    return 0;
}

/* An answer carrying one <group> (create, metadata). */
static int one_group(wb_client *c, wb_client_call *k, const wb_node *answer) {
    wb_wa_group g;
    wb_error e = {0};
    if (wb_wa_group_read(wb_node_child(answer, "group"), &c->arena, &g, &e) < 0) {
        WB_WARN("client", "a group answer we cannot read: %s", e.what);
        return WB_EPROTO;
    }
    return groups_result(c, k, &g, 1);
}

static int on_participating(wb_client *c, wb_client_call *k, const wb_node *answer) {
    wb_wa_group *groups;
    size_t n;
    wb_error e = {0};
    if (wb_wa_group_participating_read(answer, &c->arena, &groups, &n, &e) < 0) {
        WB_WARN("client", "a participating answer we cannot read: %s", e.what);
        return WB_EPROTO;
    }
    int rc = groups_result(c, k, groups, n);
    if (rc < 0)
        return rc;
    const wb_client_group *v = k->r.groups;
    /* Baileys' groupFetchAllParticipating emits groups.update with them */
    wb_client_group *ev_groups = wb_arena_alloc(&c->evq.arena, (n ? n : 1) * sizeof *ev_groups);
    for (size_t i = 0; ev_groups && i < n; i++)
        if (wb_client_group_copy(&c->evq.arena, &v[i], &ev_groups[i]) < 0)
            ev_groups = NULL;
    if (ev_groups && n) {
        wb_client_event ev = {.type = WB_CLIENT_EV_GROUPS_UPDATE};
        ev.groups.n = n;
        ev.groups.groups = ev_groups;
        wb_client_emit(c, &ev);
    }
    return 0;
}

/* add/remove/promote/demote: one result per participant; the cache follows the ones done. */
static int on_participants(wb_client *c, wb_client_call *k, const wb_node *answer) {
    wb_wa_participant *p;
    size_t n;
    wb_error e = {0};
    if (wb_wa_group_results_read(answer, &c->arena, &p, &n, &e) < 0) {
        WB_WARN("client", "a participants answer we cannot read: %s", e.what);
        return WB_EPROTO;
    }
    wb_client_member_result *v = wb_arena_zalloc(&k->arena, (n ? n : 1) * sizeof *v);
    wb_jid *done = wb_arena_alloc(&c->arena, (n ? n : 1) * sizeof *done);
    if (!v || !done)
        return WB_ENOMEM;
    size_t ndone = 0;
    for (size_t i = 0; i < n; i++) {
        v[i].jid = wb_client_jid_dup(&k->arena, &p[i].jid);
        v[i].status = p[i].error ? p[i].error : 200;
        if (p[i].add_request_code) {
            v[i].add_request_code = wb_arena_strdup(&k->arena, p[i].add_request_code);
            v[i].add_request_expiration = p[i].add_request_expiration;
        }
        if (!v[i].jid)
            return WB_ENOMEM;
        if (!p[i].error)
            done[ndone++] = p[i].jid;
    }
    const char *tag = wb_node_child(answer, NULL)->tag; /* the results reader found it */
    if (strcmp(tag, "add") == 0)
        wb_client_group_joined(c, &k->target, done, ndone);
    else if (strcmp(tag, "remove") == 0)
        wb_client_group_left(c, &k->target, done, ndone);
    k->r.members = v;
    k->r.nmembers = n;
    return 0;
}

static int on_done(wb_client *c, wb_client_call *k, const wb_node *answer) {
    return 0; /* subject, settings: the answer is empty; the notification tells the rest */
}

static int on_leave(wb_client *c, wb_client_call *k, const wb_node *answer) {
    wb_wa_participant *p;
    size_t n;
    wb_error e = {0};
    if (wb_wa_group_results_read(answer, &c->arena, &p, &n, &e) == 0) {
        for (size_t i = 0; i < n; i++)
            if (wb_jid_eq(&p[i].jid, &k->target) && p[i].error) {
                k->r.server_error = p[i].error;
                return WB_EREFUSED;
            }
    } /* an empty answer (as Baileys reads it) means done */
    wb_client_group_forget(c, &k->target);
    return 0;
}

static int on_invite(wb_client *c, wb_client_call *k, const wb_node *answer) {
    const char *code = wb_wa_group_invite_of(answer);
    if (!code || !*code)
        return WB_EPROTO;
    return (k->r.code = wb_arena_strdup(&k->arena, code)) ? 0 : WB_ENOMEM;
}

static int on_accept(wb_client *c, wb_client_call *k, const wb_node *answer) {
    wb_jid g;
    wb_error e = {0};
    if (wb_wa_group_joined_of(answer, &g, &e) < 0 || !wb_jid_on(&g, WB_SERVER_GROUP))
        return WB_EPROTO;
    return (k->r.jid = wb_client_jid_dup(&k->arena, &g)) ? 0 : WB_ENOMEM;
}

/* The description: first the metadata (step 0: its description id becomes prev), then the
 * change (step 1). k->data holds the new text (NULL: delete). */
static int on_description(wb_client *c, wb_client_call *k, const wb_node *answer) {
    if (k->step++ > 0)
        return 0;
    wb_wa_group g;
    wb_error e = {0};
    if (wb_wa_group_read(wb_node_child(answer, "group"), &c->arena, &g, &e) < 0)
        return WB_EPROTO;
    char id[WB_WA_MESSAGE_ID_LEN + 1];
    wb_jid me = wb_jid_of(c->me_user, WB_SERVER_USER, 0);
    wb_wa_message_id_new(id, &me, wb_client_server_time(c));
    const char *text = k->data;
    wb_wa_group_request r = {.action = WB_WA_GROUP_DESCRIPTION, .group = k->target,
                             .desc_id = text ? id : NULL, .desc = text, .desc_delete = !text,
                             .desc_prev = g.has_desc && g.desc_id && *g.desc_id ? g.desc_id
                                                                                 : NULL};
    int rc = wb_client_call_send(k, request(c, &r));
    return rc < 0 ? rc : 1;
}

/* ---- the calls ------------------------------------------------------------------------------ */

int wb_client_group_create(wb_client *c, const char *subject, const char *const *jids, size_t n,
                           wb_client_result_fn fn, void *ud) {
    if (!subject || !*subject || (n && !jids) || n > WB_WA_GROUP_PARTICIPANTS_MAX)
        return WB_EINVAL;
    wb_jid *who = malloc((n ? n : 1) * sizeof *who);
    if (!who)
        return WB_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = parse(jids[i], 0, &who[i]);
    wb_client_call *k = NULL;
    if (rc == 0)
        rc = begin(c, one_group, fn, ud, &k);
    if (rc == 0) {
        char key[WB_WA_MESSAGE_ID_LEN + 1];
        wb_jid me = wb_jid_of(c->me_user, WB_SERVER_USER, 0);
        wb_wa_message_id_new(key, &me, wb_client_server_time(c));
        wb_wa_group_request r = {.action = WB_WA_GROUP_CREATE, .subject = subject, .key = key,
                                 .participants = who, .nparticipants = n};
        rc = wb_client_call_start(k, request(c, &r));
    }
    free(who);
    return rc;
}

/* A call about one group with no other argument. */
static int group_call(wb_client *c, const char *group, enum wb_wa_group_action action,
                      wb_client_call_answer_fn on_answer, wb_client_result_fn fn, void *ud) {
    wb_jid g;
    wb_client_call *k = NULL;
    int rc = parse(group, 1, &g);
    if (rc == 0)
        rc = begin(c, on_answer, fn, ud, &k);
    if (rc < 0)
        return rc;
    k->target = g;
    wb_wa_group_request r = {.action = action, .group = g};
    if (action == WB_WA_GROUP_LEAVE) {
        r.group = (wb_jid){0};
        r.groups = &k->target;
        r.ngroups = 1;
    }
    return wb_client_call_start(k, request(c, &r));
}

int wb_client_group_metadata(wb_client *c, const char *group, wb_client_result_fn fn, void *ud) {
    return group_call(c, group, WB_WA_GROUP_QUERY, one_group, fn, ud);
}

int wb_client_group_participating(wb_client *c, wb_client_result_fn fn, void *ud) {
    wb_client_call *k = NULL;
    int rc = begin(c, on_participating, fn, ud, &k);
    if (rc < 0)
        return rc;
    wb_wa_group_request r = {.action = WB_WA_GROUP_PARTICIPATING};
    return wb_client_call_start(k, request(c, &r));
}

static const struct {
    const char *name;
    enum wb_wa_group_action action;
} participant_actions[] = {
    {"add", WB_WA_GROUP_ADD},
    {"remove", WB_WA_GROUP_REMOVE},
    {"promote", WB_WA_GROUP_PROMOTE},
    {"demote", WB_WA_GROUP_DEMOTE},
}, settings[] = {
    {"announcement", WB_WA_GROUP_ANNOUNCEMENT},
    {"not_announcement", WB_WA_GROUP_NOT_ANNOUNCEMENT},
    {"locked", WB_WA_GROUP_LOCKED},
    {"unlocked", WB_WA_GROUP_UNLOCKED},
};

int wb_client_group_participants(wb_client *c, const char *group, const char *action,
                                 const char *const *jids, size_t n, wb_client_result_fn fn,
                                 void *ud) {
    size_t a = 0;
    while (a < 4 && (!action || strcmp(action, participant_actions[a].name) != 0))
        a++;
    wb_jid g;
    if (a == 4 || !n || !jids || n > WB_WA_GROUP_PARTICIPANTS_MAX || parse(group, 1, &g) < 0)
        return WB_EINVAL;
    wb_jid *who = malloc(n * sizeof *who);
    if (!who)
        return WB_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = parse(jids[i], 0, &who[i]);
    wb_client_call *k = NULL;
    if (rc == 0)
        rc = begin(c, on_participants, fn, ud, &k);
    if (rc == 0) {
        k->target = g;
        wb_wa_group_request r = {.action = participant_actions[a].action, .group = g,
                                 .participants = who, .nparticipants = n};
        rc = wb_client_call_start(k, request(c, &r));
    }
    free(who);
    return rc;
}

int wb_client_group_subject(wb_client *c, const char *group, const char *subject,
                            wb_client_result_fn fn, void *ud) {
    wb_jid g;
    wb_client_call *k = NULL;
    if (!subject || !*subject || parse(group, 1, &g) < 0)
        return WB_EINVAL;
    int rc = begin(c, on_done, fn, ud, &k);
    if (rc < 0)
        return rc;
    k->target = g;
    wb_wa_group_request r = {.action = WB_WA_GROUP_SUBJECT, .group = g, .subject = subject};
    return wb_client_call_start(k, request(c, &r));
}

int wb_client_group_description(wb_client *c, const char *group, const char *desc,
                                wb_client_result_fn fn, void *ud) {
    wb_jid g;
    wb_client_call *k = NULL;
    if (parse(group, 1, &g) < 0)
        return WB_EINVAL;
    int rc = begin(c, on_description, fn, ud, &k);
    if (rc < 0)
        return rc;
    k->target = g;
    if (desc && *desc && !(k->data = wb_arena_strdup(&k->arena, desc))) {
        wb_client_call_free(k);
        return WB_ENOMEM;
    }
    wb_wa_group_request r = {.action = WB_WA_GROUP_QUERY, .group = g};
    return wb_client_call_start(k, request(c, &r));
}

int wb_client_group_leave(wb_client *c, const char *group, wb_client_result_fn fn, void *ud) {
    return group_call(c, group, WB_WA_GROUP_LEAVE, on_leave, fn, ud);
}

int wb_client_group_invite_code(wb_client *c, const char *group, int revoke,
                                wb_client_result_fn fn, void *ud) {
    return group_call(c, group, revoke ? WB_WA_GROUP_INVITE_REVOKE : WB_WA_GROUP_INVITE_CODE,
                      on_invite, fn, ud);
}

int wb_client_group_accept_invite(wb_client *c, const char *code, wb_client_result_fn fn,
                                  void *ud) {
    wb_client_call *k = NULL;
    if (!code || !*code || strlen(code) > 64)
        return WB_EINVAL;
    int rc = begin(c, on_accept, fn, ud, &k);
    if (rc < 0)
        return rc;
    wb_wa_group_request r = {.action = WB_WA_GROUP_INVITE_ACCEPT, .code = code};
    return wb_client_call_start(k, request(c, &r));
}

int wb_client_group_setting(wb_client *c, const char *group, const char *setting,
                            wb_client_result_fn fn, void *ud) {
    size_t s = 0;
    while (s < 4 && (!setting || strcmp(setting, settings[s].name) != 0))
        s++;
    if (s == 4)
        return WB_EINVAL;
    return group_call(c, group, settings[s].action, on_done, fn, ud);
}
