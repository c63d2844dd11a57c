/* Groups (NOTES §6.4): the w:g2 IQs a client sends, the <group> metadata the server answers and
 * pushes, and the w:gp2 notifications that tell members of every change. Shapes as Baileys
 * (Socket/groups.js, messages-recv.js handleGroupNotification) and whatsmeow (group.go) send and
 * parse them:
 *
 *   request   <iq xmlns="w:g2" type to="<gid>@g.us"|"@g.us"><create subject key><participant
 *             jid/>...</create> | <query request="interactive"/> | <participating>...</> |
 *             <add|remove|promote|demote><participant jid/>...</> | <subject>text</subject> |
 *             <description id [prev] [delete="true"]>[<body>text</body>]</description> |
 *             <announcement/> <not_announcement/> <locked/> <unlocked/> |
 *             <ephemeral expiration/> <not_ephemeral/> | <leave><group id/>...</leave> |
 *             <invite [code]/></iq>
 *   metadata  <group id subject creation creator s_t s_o addressing_mode size>
 *             <participant jid [lid|phone_number] [type=admin|superadmin]/>...
 *             [<description id participant t><body/></description>] [<announcement/>]
 *             [<locked/>] [<ephemeral expiration/>]</group>
 *   answers   create, query, invite info: <group>; participating: <groups><group/>...</groups>;
 *             add...demote: <add><participant jid [error]>[<add_request code expiration/>]
 *             </participant>...</add>; leave: <leave><group id
 *             [error]/></leave>; invite code and revoke: <invite code/>; accept: <group jid/>
 *   w:gp2     <notification type="w:gp2" from="<gid>@g.us" participant=<actor> [notify] id t>
 *             <create [type="new"] [key] [reason]><group/></create> | <add [reason]>, <remove>,
 *             <promote>, <demote>, <leave> with <participant jid lid [type]/>... | <subject subject
 *             s_o s_t/> | <description id><body/>|<delete/></description> | <announcement v_id/>
 *             <not_announcement v_id/> | <locked/> <unlocked/> | <ephemeral expiration/>
 *             <not_ephemeral/> | <invite code/></notification>
 *
 * A device that joins an existing group (added by an admin, or by an invite) hears of it as a
 * <create> with the whole metadata (Baileys: groups.upsert; whatsmeow: JoinedGroup), the members
 * before it as an <add>.
 *
 * The client builds requests and reads metadata, answers and notifications; the simulator reads
 * requests and builds the rest. Readers leave strings and bytes pointing into the node and put
 * arrays in the arena they are given. */
#ifndef WB_WA_GROUP_H
#define WB_WA_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "binary/node.h"
#include "core/err.h"

#define WB_WA_GROUP_PARTICIPANTS_MAX 1024 /* participants (or groups) one request may name */

enum { WB_WA_MEMBER = 0, WB_WA_ADMIN = 1, WB_WA_SUPERADMIN = 2 };

typedef struct wb_wa_participant {
    wb_jid jid;   /* the user, by phone number or by LID */
    wb_jid lid;   /* with a phone-number jid: its LID (empty: not given) */
    wb_jid phone; /* with a LID jid: its phone number (phone_number; empty: not given) */
    int role;     /* WB_WA_MEMBER, WB_WA_ADMIN, WB_WA_SUPERADMIN (the type attribute) */
    int error;    /* in answers: the participant's error code (0: done) */
    /* in answers, with error 403 on an add (the user's privacy lets only contacts add them):
     * <add_request code expiration/>, the invite the server made instead (NULL: none) */
    const char *add_request_code;
    int64_t add_request_expiration;
} wb_wa_participant;

/* ---- metadata ------------------------------------------------------------------------------- */

typedef struct wb_wa_group {
    wb_jid jid;                         /* <id>@g.us (the id attribute carries the user part) */
    const char *subject;
    int64_t creation;
    wb_jid creator;
    int64_t subject_t;
    wb_jid subject_owner;
    const char *addressing_mode;        /* "pn" or "lid"; NULL: none */
    int64_t size;                       /* the size attribute; read: the participants if absent */
    const wb_wa_participant *participants;
    size_t nparticipants;
    int has_desc;                       /* <description> */
    const char *desc_id;
    const uint8_t *desc;                /* its <body> */
    size_t desc_len;
    wb_jid desc_owner;
    int64_t desc_t;
    int announce, locked;               /* <announcement/>, <locked/> */
    uint32_t ephemeral;                 /* <ephemeral expiration>; 0: off */
} wb_wa_group;

/* Appends <group> as g describes it to parent. Returns the new node. */
wb_node *wb_wa_group_fill(wb_node *parent, const wb_wa_group *g);
/* Reads a <group> node (participants go to arena a). Returns 0, WB_EPROTO / WB_EMALFORMED (no id,
 * a participant without a valid jid, a bad number or JID) or WB_ENOMEM. */
int wb_wa_group_read(const wb_node *group, wb_arena *a, wb_wa_group *out, wb_error *err);

/* ---- requests (w:g2) ------------------------------------------------------------------------- */

enum wb_wa_group_action {
    WB_WA_GROUP_CREATE,
    WB_WA_GROUP_QUERY,            /* metadata */
    WB_WA_GROUP_PARTICIPATING,    /* every group one is in */
    WB_WA_GROUP_ADD,
    WB_WA_GROUP_REMOVE,
    WB_WA_GROUP_PROMOTE,
    WB_WA_GROUP_DEMOTE,
    WB_WA_GROUP_SUBJECT,
    WB_WA_GROUP_DESCRIPTION,
    WB_WA_GROUP_ANNOUNCEMENT,
    WB_WA_GROUP_NOT_ANNOUNCEMENT,
    WB_WA_GROUP_LOCKED,
    WB_WA_GROUP_UNLOCKED,
    WB_WA_GROUP_EPHEMERAL,
    WB_WA_GROUP_NOT_EPHEMERAL,
    WB_WA_GROUP_LEAVE,
    WB_WA_GROUP_INVITE_CODE,      /* get the code (admins) */
    WB_WA_GROUP_INVITE_REVOKE,    /* a new code */
    WB_WA_GROUP_INVITE_INFO,      /* the group a code opens */
    WB_WA_GROUP_INVITE_ACCEPT,    /* join with a code */
};

typedef struct wb_wa_group_request {
    enum wb_wa_group_action action;
    wb_jid group;                 /* the group; empty for create, participating, leave and the
                                   * invite info and accept, which go to @g.us */
    const char *subject;          /* create, subject */
    size_t subject_len;           /* read: the subject's length (0 when built: strlen) */
    const char *key;              /* create: the client's key for the request (a message id) */
    const wb_jid *participants;   /* create, add, remove, promote, demote */
    size_t nparticipants;
    const char *desc_id, *desc_prev; /* description: the new id, the one it replaces */
    const char *desc;             /* description: the text (NULL or desc_delete: delete it) */
    size_t desc_len;              /* read: its length (0 when built: strlen) */
    int desc_delete;
    uint32_t expiration;          /* ephemeral: seconds */
    const wb_jid *groups;         /* leave */
    size_t ngroups;
    const char *code;             /* invite info, accept */
} wb_wa_group_request;

/* The <iq xmlns="w:g2" type to> for r, without an id (wa/iq.h). */
wb_node *wb_wa_group_request_new(wb_arena *a, const wb_wa_group_request *r);
/* Reads a w:g2 request (arrays in arena a). Returns 0, WB_ENOTFOUND (a request wabot does not
 * know), WB_EPROTO / WB_EMALFORMED (a group action not addressed to a group, a participant or
 * group without a valid jid, a bad expiration; err says which), WB_ETOOBIG (over
 * WB_WA_GROUP_PARTICIPANTS_MAX participants or groups) or WB_ENOMEM. */
int wb_wa_group_request_read(const wb_node *iq, wb_arena *a, wb_wa_group_request *out,
                             wb_error *err);
/* The request's child tag for an action ("create", "query", ... "invite"). */
const char *wb_wa_group_action_tag(enum wb_wa_group_action action);

/* ---- answers --------------------------------------------------------------------------------- */

/* participating: appends <groups/> to reply, to append each <group> to. */
wb_node *wb_wa_group_participating_fill(wb_node *reply);
/* Reads <groups><group/>...</groups> (groups go to arena a). */
int wb_wa_group_participating_read(const wb_node *iq, wb_arena *a, wb_wa_group **out, size_t *n,
                                   wb_error *err);
/* add/remove/promote/demote/leave: appends <tag> with one entry per result: <participant jid
 * [error]/> (leave: <group id [error]/>, the group's JID in jid). */
void wb_wa_group_results_fill(wb_node *reply, const char *tag, const wb_wa_participant *results,
                              size_t n);
/* Reads those results (the answer's first child). */
int wb_wa_group_results_read(const wb_node *iq, wb_arena *a, wb_wa_participant **out, size_t *n,
                             wb_error *err);
/* invite code and revoke: <invite code/>; accept: <group jid/>. */
void wb_wa_group_invite_fill(wb_node *reply, const char *code);
void wb_wa_group_joined_fill(wb_node *reply, const wb_jid *group);
/* The code of an answer's <invite code>, or NULL. */
const char *wb_wa_group_invite_of(const wb_node *iq);
/* The group of an accept's answer (<group jid>): 0, or WB_EPROTO / WB_EMALFORMED. */
int wb_wa_group_joined_of(const wb_node *iq, wb_jid *group, wb_error *err);

/* ---- notifications (w:gp2) ------------------------------------------------------------------- */

typedef struct wb_wa_group_change {
    const char *tag;                      /* create, add, remove, promote, demote, leave,
                                           * subject, description, announcement,
                                           * not_announcement, locked, unlocked, ephemeral,
                                           * not_ephemeral, invite; others are read as unknown */
    int known;                            /* read: 0 for a tag wabot does not read */
    /* create */
    wb_wa_group group;
    const char *create_type;              /* "new" for a new group */
    const char *key;                      /* the creator's request key */
    const char *reason;                   /* create, add: "invite" when joined by an invite */
    /* add, remove, promote, demote, leave */
    const wb_wa_participant *participants;
    size_t nparticipants;
    /* subject */
    const char *subject;
    wb_jid subject_owner;
    int64_t subject_t;
    /* description */
    const char *desc_id;
    const uint8_t *desc;                  /* NULL with desc_delete */
    size_t desc_len;
    int desc_delete;
    /* announcement, not_announcement */
    const char *v_id;
    /* ephemeral */
    uint32_t expiration;
    /* invite */
    const char *code;
} wb_wa_group_change;

typedef struct wb_wa_group_notification {
    const char *id;
    wb_jid from;                          /* the group */
    wb_jid participant;                   /* who made the change (empty: the server) */
    wb_jid participant_pn;
    const char *notify;                   /* the actor's push name */
    int64_t t;
    const wb_wa_group_change *changes;    /* one as a rule */
    size_t nchanges;
} wb_wa_group_notification;

/* A <notification type="w:gp2"> as n describes it. */
wb_node *wb_wa_group_notification_new(wb_arena *a, const wb_wa_group_notification *n);
/* Reads one (arrays in arena a). Returns 0, WB_EPROTO / WB_EMALFORMED (not w:gp2, no from or t,
 * a change missing what whatsmeow requires: create's <group>, subject's s_t, description's id,
 * announcement's v_id, ephemeral's expiration) or WB_ENOMEM. */
int wb_wa_group_notification_read(const wb_node *n, wb_arena *a, wb_wa_group_notification *out,
                                  wb_error *err);

#endif
