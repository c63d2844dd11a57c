/* The simulator's groups (w:g2), shared by groups.c (the model, its table and the group
 * notifications), groups_iq.c (the w:g2 IQs), groups_admin.c (POST /admin/groups), route.c (group
 * fan-out) and receipt.c. Only the loop's thread touches them.
 *
 * A group is a JID `<18 digits>@g.us` with a subject, a creator, an optional description, an
 * invite code, two switches (announce, locked), a disappearing timer and its members: accounts,
 * each a plain member, an admin or the superadmin (the creator). Everything is kept in memory
 * (sim->groups) and written through to the database (migrations/0002_groups.sql) on every change,
 * so groups survive a restart with --state. Addressing is always by phone number
 * (addressing_mode="pn", NOTES §6.4). */
#ifndef WB_SIM_GROUPS_H
#define WB_SIM_GROUPS_H

#include "sim/sim_int.h"
#include "wa/group.h"

#define WB_SIM_GROUP_ID_MAX 24       /* digits of a group JID's user */
#define WB_SIM_SUBJECT_MAX 256       /* bytes (WhatsApp allows 100 characters) */
#define WB_SIM_DESC_MAX 2048         /* bytes of a description */
#define WB_SIM_GROUP_MAX_MEMBERS 1024

enum { WB_SIM_MEMBER = WB_WA_MEMBER, WB_SIM_ADMIN = WB_WA_ADMIN, WB_SIM_SUPERADMIN = WB_WA_SUPERADMIN };

typedef struct wb_sim_member {
    wb_sim_account *account;
    int role; /* WB_SIM_MEMBER, WB_SIM_ADMIN, WB_SIM_SUPERADMIN */
} wb_sim_member;

typedef struct wb_sim_group {
    int64_t row;                            /* groups.id */
    char id[WB_SIM_GROUP_ID_MAX + 1];       /* the JID's user part */
    char subject[WB_SIM_SUBJECT_MAX + 1];
    wb_sim_account *creator;                /* NULL if the account is gone */
    int64_t creation;
    wb_sim_account *subject_owner;
    int64_t subject_t;
    char *desc;                             /* NULL: none */
    char desc_id[40];
    wb_sim_account *desc_owner;
    int64_t desc_t;
    char invite[32];                        /* the invite code ("" until first asked for) */
    int announce, locked;
    uint32_t ephemeral;                     /* seconds; 0 off */
    wb_sim_member *members;
    size_t nmembers, members_cap;
} wb_sim_group;

/* The group of a JID (user@g.us), or NULL. */
wb_sim_group *wb_sim_group_by_jid(wb_sim *sim, const wb_jid *j);
/* The group whose invite code is code, or NULL. */
wb_sim_group *wb_sim_group_by_invite(wb_sim *sim, const char *code);
/* a's membership of g, or NULL. */
wb_sim_member *wb_sim_group_member(const wb_sim_group *g, const wb_sim_account *a);
/* The simulator's groups, by index 0 .. count-1 (NULL past the end). */
size_t wb_sim_group_count(const wb_sim *sim);
wb_sim_group *wb_sim_group_at(const wb_sim *sim, size_t i);
/* "<id>@g.us" into out (WB_JID_STR_MAX). */
void wb_sim_group_jid(const wb_sim_group *g, char *out);

/* Makes a group of creator (superadmin) and the accounts in members (duplicates and the creator
 * are skipped), stores it and tells every member's devices except skip (may be NULL) with a
 * <create type="new" key> notification (key: the creator's request key, may be NULL). Returns 0
 * and *out, or a negative code (nothing made). */
int wb_sim_group_create(wb_sim *sim, wb_sim_account *creator, wb_sim_account *const *members,
                        size_t n, const char *subject, const char *key, const wb_sim_device *skip,
                        wb_sim_group **out);
/* Membership changes, stored at once. add: a new member (WB_EEXIST if already one). remove:
 * WB_ENOTFOUND if not a member. set_role: WB_ENOTFOUND if not a member. */
int wb_sim_group_add(wb_sim *sim, wb_sim_group *g, wb_sim_account *a, int role);
int wb_sim_group_remove(wb_sim *sim, wb_sim_group *g, wb_sim_account *a);
int wb_sim_group_set_role(wb_sim *sim, wb_sim_group *g, wb_sim_member *m, int role);
/* Writes g's own columns (subject, description, switches...) after a change. */
int wb_sim_group_save(wb_sim *sim, wb_sim_group *g);
/* A fresh invite code for g (stored). */
int wb_sim_group_new_invite(wb_sim *sim, wb_sim_group *g);

/* Appends g's <group> metadata (wa/group.h, addressing_mode="pn") to parent. Returns the new
 * node. */
wb_node *wb_sim_group_node(wb_sim *sim, wb_node *parent, const wb_sim_group *g);
/* a as a participant entry: its phone-number JID, its LID, role. */
wb_wa_participant wb_sim_participant(const wb_sim_account *a, int role);

/* Sends <notification type="w:gp2" from=<group> participant=<actor> id t notify> with change to
 * every device of every member and of the nextra accounts in extra (ones that just left; not
 * members any more), except the device skip (may be NULL). Durable: queued until acked.
 * Returns 0 or the first delivery error. */
int wb_sim_group_notify(wb_sim *sim, const wb_sim_group *g, const wb_sim_account *actor,
                        const wb_wa_group_change *change, wb_sim_account *const *extra,
                        size_t nextra, const wb_sim_device *skip);
/* The n accounts in joined became members of g (added by actor, or by an invite: reason
 * "invite"): they hear of the group as a <create [reason]> with its whole metadata, as WhatsApp
 * tells a device that joins (Baileys: groups.upsert; whatsmeow: JoinedGroup); the members they
 * joined hear <add [reason]> of them. Returns 0 or the first delivery error. */
int wb_sim_group_joined(wb_sim *sim, const wb_sim_group *g, const wb_sim_account *actor,
                        wb_sim_account *const *joined, size_t n, const char *reason);

#endif
