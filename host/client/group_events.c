/* w:gp2 notifications (NOTES §6.4, wa/group.h): each change keeps the member cache and the
 * stored chat true (groups.c) and becomes the events Baileys emits for it (messages-recv.js
 * handleGroupNotification, Utils/process-message.js):
 *
 *   create                     groups.upsert [metadata + author], chats.upsert {id, name,
 *                              conversationTimestamp}
 *   add                        group-participants.update {action = "add"}; chats.update
 *                              {readOnly = false} when we are among them
 *   remove, leave              group-participants.update {action = "remove"} (Baileys reports a
 *                              member who left as a remove); chats.update {readOnly = true} when
 *                              it is us
 *   promote, demote            group-participants.update
 *   subject                    chats.update {name}, groups.update {subject}
 *   description                chats.update {description}, groups.update {desc}
 *   announcement, locked...    groups.update {announce} / {restrict}
 *   invite                     groups.update {inviteCode}
 *   ephemeral, not_ephemeral   chats.update {ephemeralExpiration, ephemeralSettingTimestamp}
 *
 * The order is the one Baileys' listeners see: the events it emits at once (groups.upsert,
 * group-participants.update) before the ones its event buffer holds to the end of the
 * notification and flushes in a fixed order (chats.upsert, chats.update, groups.update).
 * Every event carries the author (the notification's participant). Where Baileys differs: its
 * readOnly test compares our JID with participants' phoneNumber, which it sets only for LID
 * participants, so in groups addressed by phone number it never fires; we compare the member
 * itself. Baileys also upserts a stub message (messageStubType) per notification; wabot does
 * not (yet). Also the conversions from wa's shapes to client.h's, which group_admin.c uses for
 * its answers. */
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "wa/group.h"

/* ---- wa -> client.h ------------------------------------------------------------------------- */

const char *wb_client_jid_dup(wb_arena *a, const wb_jid *j) {
    if (wb_jid_is_empty(j))
        return NULL;
    char s[WB_JID_STR_MAX];
    wb_jid_format(j, s, sizeof s);
    return wb_arena_strdup(a, s);
}

/* Baileys' jidNormalizedUser: the user JID without a device. */
static const char *user_dup(wb_arena *a, const wb_jid *j) {
    wb_jid u = wb_jid_user_jid(j);
    return wb_client_jid_dup(a, &u);
}

static const char *const admins[] = {NULL, "admin", "superadmin"};

int wb_client_participants_of(wb_arena *a, const wb_wa_participant *p, size_t n,
                              const wb_client_participant **out) {
    wb_client_participant *v = wb_arena_zalloc(a, (n ? n : 1) * sizeof *v);
    if (!v)
        return WB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        /* as extractGroupMetadata: phoneNumber only beside a LID, lid only beside a number */
        v[i].id = wb_client_jid_dup(a, &p[i].jid);
        if (wb_jid_on(&p[i].jid, WB_SERVER_LID) && wb_jid_on(&p[i].phone, WB_SERVER_USER))
            v[i].phone = wb_client_jid_dup(a, &p[i].phone);
        if (wb_jid_on(&p[i].jid, WB_SERVER_USER) && wb_jid_on(&p[i].lid, WB_SERVER_LID))
            v[i].lid = wb_client_jid_dup(a, &p[i].lid);
        if (p[i].role > 0 && p[i].role <= WB_WA_SUPERADMIN)
            v[i].admin = admins[p[i].role];
        if (!v[i].id)
            return WB_ENOMEM;
    }
    *out = v;
    return 0;
}

int wb_client_group_of(wb_arena *a, const wb_wa_group *g, wb_client_group *out) {
    wb_client_group r = {
        .id = wb_client_jid_dup(a, &g->jid),
        .fields = WB_GROUP_F_ALL | WB_GROUP_F_SUBJECT | WB_GROUP_F_DESC | WB_GROUP_F_ANNOUNCE |
                  WB_GROUP_F_RESTRICT,
        .subject = g->subject ? wb_arena_strdup(a, g->subject) : NULL,
        .owner = user_dup(a, &g->creator),
        .subject_owner = wb_client_jid_dup(a, &g->subject_owner),
        .subject_time = g->subject_t,
        .creation = g->creation,
        .addressing_mode = g->addressing_mode && strcmp(g->addressing_mode, "lid") == 0 ? "lid"
                                                                                        : "pn",
        .size = g->size,
        .announce = g->announce,
        .restrict_ = g->locked,
        .ephemeral = g->ephemeral,
        .nparticipants = g->nparticipants,
    };
    if (g->has_desc) {
        r.desc = g->desc ? wb_arena_strndup(a, (const char *)g->desc, g->desc_len) : NULL;
        r.desc_id = g->desc_id ? wb_arena_strdup(a, g->desc_id) : NULL;
        r.desc_owner = user_dup(a, &g->desc_owner);
        r.desc_time = g->desc_t;
    }
    if (!r.id || (g->subject && !r.subject) ||
        wb_client_participants_of(a, g->participants, g->nparticipants, &r.participants) < 0)
        return WB_ENOMEM;
    *out = r;
    return 0;
}

/* ---- copies (client.h) ------------------------------------------------------------------- */

static const char *sdup(wb_arena *a, const char *s, int *bad) {
    if (!s)
        return NULL;
    const char *d = wb_arena_strdup(a, s);
    *bad |= !d;
    return d;
}

int wb_client_participants_copy(wb_arena *a, const wb_client_participant *in, size_t n,
                                const wb_client_participant **out) {
    wb_client_participant *v = wb_arena_zalloc(a, (n ? n : 1) * sizeof *v);
    int bad = !v;
    for (size_t i = 0; !bad && i < n; i++) {
        v[i].id = sdup(a, in[i].id, &bad);
        v[i].phone = sdup(a, in[i].phone, &bad);
        v[i].lid = sdup(a, in[i].lid, &bad);
        v[i].admin = in[i].admin && strcmp(in[i].admin, "superadmin") == 0 ? admins[2]
                     : in[i].admin                                          ? admins[1]
                                                                            : NULL;
    }
    *out = v;
    return bad ? WB_ENOMEM : 0;
}

int wb_client_group_copy(wb_arena *a, const wb_client_group *in, wb_client_group *out) {
    int bad = 0;
    wb_client_group g = *in;
    g.id = sdup(a, in->id, &bad);
    g.subject = sdup(a, in->subject, &bad);
    g.owner = sdup(a, in->owner, &bad);
    g.subject_owner = sdup(a, in->subject_owner, &bad);
    g.desc = sdup(a, in->desc, &bad);
    g.desc_id = sdup(a, in->desc_id, &bad);
    g.desc_owner = sdup(a, in->desc_owner, &bad);
    g.addressing_mode = sdup(a, in->addressing_mode, &bad);
    g.invite_code = sdup(a, in->invite_code, &bad);
    g.author = sdup(a, in->author, &bad);
    if (bad || wb_client_participants_copy(a, in->participants, in->nparticipants,
                                           &g.participants) < 0)
        return WB_ENOMEM;
    *out = g;
    return 0;
}

int wb_client_chat_updates_copy(wb_arena *a, const wb_client_chat_update *in, size_t n,
                                const wb_client_chat_update **out) {
    wb_client_chat_update *v = wb_arena_memdup(a, in, (n ? n : 1) * sizeof *v);
    int bad = !v;
    for (size_t i = 0; !bad && i < n; i++) {
        v[i].id = sdup(a, in[i].id, &bad);
        v[i].name = sdup(a, in[i].name, &bad);
        v[i].description = sdup(a, in[i].description, &bad);
    }
    *out = v;
    return bad ? WB_ENOMEM : 0;
}

/* ---- notifications -------------------------------------------------------------------------- */

typedef struct notice {
    wb_client *c;
    const wb_wa_group_notification *n;
    wb_arena *a;            /* the event queue's arena */
    const char *group, *author;
} notice;

static void emit_chat(notice *x, wb_client_chat_update u) {
    u.id = x->group;
    wb_client_chat_update *copy = wb_arena_memdup(x->a, &u, sizeof u);
    if (!copy)
        return;
    wb_client_event ev = {.type = WB_CLIENT_EV_CHATS_UPDATE};
    ev.chats.n = 1;
    ev.chats.chats = copy;
    wb_client_emit(x->c, &ev);
}

static void emit_update(notice *x, wb_client_group g) {
    g.id = x->group;
    g.author = x->author;
    wb_client_group *copy = wb_arena_memdup(x->a, &g, sizeof g);
    if (!copy)
        return;
    wb_client_event ev = {.type = WB_CLIENT_EV_GROUPS_UPDATE};
    ev.groups.n = 1;
    ev.groups.groups = copy;
    wb_client_emit(x->c, &ev);
}

static void on_create(notice *x, const wb_wa_group_change *ch) {
    wb_client *c = x->c;
    wb_client_group_remember(c, &ch->group);
    wb_client_group g;
    if (wb_client_group_of(x->a, &ch->group, &g) < 0)
        return;
    g.author = x->author;
    wb_client_group *copy = wb_arena_memdup(x->a, &g, sizeof g);
    wb_client_contact *chat = wb_arena_zalloc(x->a, sizeof *chat);
    if (!copy || !chat)
        return;
    chat->jid = g.id;
    chat->name = g.subject;
    chat->t = g.creation;
    wb_client_event ev = {.type = WB_CLIENT_EV_GROUPS_UPSERT};
    ev.groups.n = 1;
    ev.groups.groups = copy;
    wb_client_emit(c, &ev);
    ev = (wb_client_event){.type = WB_CLIENT_EV_CHATS};
    ev.contacts.n = 1;
    ev.contacts.contacts = chat;
    wb_client_emit(c, &ev);
}

static void on_members(notice *x, const wb_wa_group_change *ch) {
    wb_client *c = x->c;
    const wb_jid *gid = &x->n->from;
    int add = strcmp(ch->tag, "add") == 0;
    int out = strcmp(ch->tag, "remove") == 0 || strcmp(ch->tag, "leave") == 0;
    int me = 0;
    wb_jid *users = wb_arena_alloc(&c->arena, (ch->nparticipants + 1) * sizeof *users);
    if (!users)
        return;
    for (size_t i = 0; i < ch->nparticipants; i++) {
        const wb_wa_participant *p = &ch->participants[i];
        users[i] = wb_jid_on(&p->jid, WB_SERVER_LID) && !wb_jid_is_empty(&p->phone) ? p->phone
                                                                                   : p->jid;
        if (wb_jid_on(&p->jid, WB_SERVER_USER) && !wb_jid_is_empty(&p->lid))
            wb_client_lid_learn(c, p->lid.user, p->jid.user);
        else if (wb_jid_on(&p->jid, WB_SERVER_LID) && !wb_jid_is_empty(&p->phone))
            wb_client_lid_learn(c, p->jid.user, p->phone.user);
        me |= wb_client_is_me(c, &p->jid) || wb_client_is_me(c, &p->phone);
    }
    if (add)
        wb_client_group_joined(c, gid, users, ch->nparticipants);
    else if (out && me)
        wb_client_group_forget(c, gid);
    else if (out)
        wb_client_group_left(c, gid, users, ch->nparticipants);
    wb_client_event ev = {.type = WB_CLIENT_EV_GROUP_PARTICIPANTS};
    ev.participants.id = x->group;
    ev.participants.author = x->author;
    ev.participants.action = out ? "remove" : wb_client_evstr(c, ch->tag);
    ev.participants.n = ch->nparticipants;
    if (wb_client_participants_of(x->a, ch->participants, ch->nparticipants,
                                  &ev.participants.participants) < 0)
        return;
    wb_client_emit(c, &ev);
    if (me && (add || out))
        emit_chat(x, (wb_client_chat_update){.fields = WB_CHAT_F_READ_ONLY, .read_only = out});
}

static void on_subject(notice *x, const wb_wa_group_change *ch) {
    const char *subject = wb_arena_strdup(x->a, ch->subject);
    wb_client_group_name(x->c, &x->n->from, ch->subject, 0);
    emit_chat(x, (wb_client_chat_update){.fields = WB_CHAT_F_NAME, .name = subject});
    emit_update(x, (wb_client_group){.fields = WB_GROUP_F_SUBJECT, .subject = subject});
}

static void on_description(notice *x, const wb_wa_group_change *ch) {
    const char *desc = ch->desc_delete || !ch->desc
                           ? NULL
                           : wb_arena_strndup(x->a, (const char *)ch->desc, ch->desc_len);
    emit_chat(x, (wb_client_chat_update){.fields = WB_CHAT_F_DESCRIPTION, .description = desc});
    emit_update(x, (wb_client_group){.fields = WB_GROUP_F_DESC, .desc = desc,
                                     .desc_id = wb_arena_strdup(x->a, ch->desc_id)});
}

static void on_switch(notice *x, const wb_wa_group_change *ch) {
    const char *t = ch->tag;
    int announce = strstr(t, "announcement") != NULL, on = strncmp(t, "not_", 4) && strncmp(t, "un", 2);
    emit_update(x, (wb_client_group){.fields = announce ? WB_GROUP_F_ANNOUNCE : WB_GROUP_F_RESTRICT,
                                     .announce = announce && on, .restrict_ = !announce && on});
}

static void on_invite(notice *x, const wb_wa_group_change *ch) {
    emit_update(x, (wb_client_group){.fields = WB_GROUP_F_INVITE,
                                     .invite_code = wb_arena_strdup(x->a, ch->code)});
}

static void on_ephemeral(notice *x, const wb_wa_group_change *ch) {
    emit_chat(x, (wb_client_chat_update){.fields = WB_CHAT_F_EPHEMERAL,
                                         .ephemeral_expiration = ch->expiration,
                                         .ephemeral_t = x->n->t});
}

static const struct {
    const char *tag;
    void (*fn)(notice *x, const wb_wa_group_change *ch);
} changes[] = {
    {"create", on_create},           {"add", on_members},         {"remove", on_members},
    {"leave", on_members},           {"promote", on_members},     {"demote", on_members},
    {"subject", on_subject},         {"description", on_description},
    {"announcement", on_switch},     {"not_announcement", on_switch},
    {"locked", on_switch},           {"unlocked", on_switch},     {"invite", on_invite},
    {"ephemeral", on_ephemeral},     {"not_ephemeral", on_ephemeral},
};

int wb_client_group_notification(wb_client *c, wb_node *n) {
    wb_wa_group_notification gn;
    wb_error e = {0};
    int rc = wb_wa_group_notification_read(n, &c->arena, &gn, &e);
    if (rc < 0) {
        WB_WARN("client", "a group notification we cannot read: %s", e.what);
        return 0;
    }
    if (!wb_jid_on(&gn.from, WB_SERVER_GROUP) || !gn.from.user[0]) {
        WB_WARN("client", "a group notification not from a group");
        return 0;
    }
    notice x = {.c = c, .n = &gn, .a = &c->evq.arena};
    x.group = wb_client_jid_dup(x.a, &gn.from);
    x.author = wb_client_jid_dup(x.a, &gn.participant);
    if (!x.group)
        return WB_ENOMEM;
    for (size_t i = 0; i < gn.nchanges; i++)
        for (size_t k = 0; k < sizeof changes / sizeof *changes; k++)
            if (strcmp(changes[k].tag, gn.changes[i].tag) == 0) {
                changes[k].fn(&x, &gn.changes[i]);
                break;
            }
    return 0;
}
