/* `wabot groups ...`: one group call per run (client.h, "groups"), once the client is logged in,
 * then exit. Each subcommand is a row of a table: its words, how many arguments it takes, the
 * call it makes, and how the answer prints (text, or --json in the shapes Baileys returns):
 *
 *   list                              every group we are in: JID, subject, members
 *   info JID                          the metadata
 *   create NAME PHONE...              a new group with those members; prints its JID
 *   add|remove|promote|demote JID PHONE...   one line per member: JID and status (200, or
 *                                     WhatsApp's code: 403 privacy, with the invite it made
 *                                     instead; 404 not on WhatsApp; 409 already a member...)
 *   subject JID TEXT, description JID TEXT ("" deletes it), leave JID
 *   invite JID [--revoke]             the invite code and its link (--revoke: a new one)
 *   join CODE|LINK                    joins with an invite; prints the group's JID
 *   settings JID announce|not_announce|locked|unlocked
 *
 * A group is named by its JID (120363...@g.us) or by the digits before the @; members by phone
 * number (+15551234567, 15551234567) or JID. Exit status: 0 when the call succeeded (for
 * add...demote: for every member), 1 otherwise (the server's refusal is printed), 2 on usage. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/client_common.h"
#include "cli/events_json.h"

#define INVITE_LINK "https://chat.whatsapp.com/"

typedef struct groups_app groups_app;

typedef struct subcommand {
    const char *name;
    int min_args, max_args;  /* after the name; -1: any number */
    int (*call)(groups_app *app, wb_client *c);
    void (*print)(groups_app *app, const wb_client_result *r);
    const char *usage;
} subcommand;

struct groups_app {
    const subcommand *sub;
    wb_cli_session *s;
    char **args;
    int nargs;
    int json, revoke;
    char group[128];
    char **jids;            /* members as JIDs */
    size_t njids;
    int status;
};

/* ---- arguments ------------------------------------------------------------------------------- */

/* A group: "<digits>@g.us" as it is, or the digits alone. */
static int group_arg(const char *in, char out[128]) {
    size_t n = strspn(in, "0123456789-");
    if (n && !in[n] && n < 100) {
        snprintf(out, 128, "%s@g.us", in);
        return 0;
    }
    if (!strstr(in, "@g.us") || strlen(in) >= 128)
        return -1;
    snprintf(out, 128, "%s", in);
    return 0;
}

/* The invite code of a code or a chat.whatsapp.com link. */
static const char *code_arg(const char *in) {
    const char *p = strstr(in, "chat.whatsapp.com/");
    return p ? p + strlen("chat.whatsapp.com/") : in;
}

/* ---- printing ---------------------------------------------------------------------------- */

static void print_json(cJSON *j) {
    char *text = cJSON_PrintUnformatted(j);
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(j);
}

static void print_ok(groups_app *app, const wb_client_result *r) {
    if (app->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", 1);
        print_json(o);
    }
}

static void print_list(groups_app *app, const wb_client_result *r) {
    if (app->json) {
        cJSON *o = cJSON_CreateObject(); /* as groupFetchAllParticipating: {jid: metadata} */
        for (size_t i = 0; i < r->ngroups; i++)
            cJSON_AddItemToObject(o, r->groups[i].id, wb_cli_group_json(&r->groups[i]));
        print_json(o);
        return;
    }
    for (size_t i = 0; i < r->ngroups; i++)
        printf("%s\t%s\t%lld members\n", r->groups[i].id,
               r->groups[i].subject ? r->groups[i].subject : "", (long long)r->groups[i].size);
}

static void print_when(const char *label, int64_t t) {
    char when[32] = "";
    time_t tt = (time_t)t;
    struct tm tm;
    if (t > 0 && localtime_r(&tt, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    printf("%-12s %s\n", label, when);
}

static void print_info(groups_app *app, const wb_client_result *r) {
    if (!r->ngroups)
        return;
    const wb_client_group *g = &r->groups[0];
    if (app->json) {
        print_json(wb_cli_group_json(g));
        return;
    }
    if (app->sub->name[0] == 'c') { /* create: the JID, for scripts */
        printf("%s\n", g->id);
        return;
    }
    printf("%-12s %s\n%-12s %s\n%-12s %s\n", "jid:", g->id, "subject:", g->subject ? g->subject : "",
           "owner:", g->owner ? g->owner : "");
    print_when("created:", g->creation);
    if (g->desc)
        printf("%-12s %s\n", "description:", g->desc);
    printf("%-12s %s\n%-12s %s\n", "announce:", g->announce ? "yes (only admins send)" : "no",
           "locked:", g->restrict_ ? "yes (only admins edit the info)" : "no");
    if (g->ephemeral)
        printf("%-12s %u s\n", "disappear:", g->ephemeral);
    printf("participants (%zu):\n", g->nparticipants);
    for (size_t i = 0; i < g->nparticipants; i++)
        printf("  %s%s%s\n", g->participants[i].id, g->participants[i].admin ? "\t" : "",
               g->participants[i].admin ? g->participants[i].admin : "");
}

static void print_members(groups_app *app, const wb_client_result *r) {
    cJSON *a = app->json ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; i < r->nmembers; i++) {
        const wb_client_member_result *m = &r->members[i];
        if (m->status != 200)
            app->status = WB_EXIT_ERROR;
        if (a) { /* as groupParticipantsUpdate: {status: "200" | the code, jid} */
            cJSON *o = cJSON_CreateObject();
            char status[16];
            snprintf(status, sizeof status, "%d", m->status);
            cJSON_AddStringToObject(o, "status", status);
            cJSON_AddStringToObject(o, "jid", m->jid);
            if (m->add_request_code) {
                cJSON *req = cJSON_AddObjectToObject(o, "addRequest");
                cJSON_AddStringToObject(req, "code", m->add_request_code);
                cJSON_AddNumberToObject(req, "expiration", (double)m->add_request_expiration);
            }
            cJSON_AddItemToArray(a, o);
        } else {
            printf("%s\t%d%s%s\n", m->jid, m->status, m->add_request_code ? "\tinvite " : "",
                   m->add_request_code ? m->add_request_code : "");
        }
    }
    if (a)
        print_json(a);
}

static void print_code(groups_app *app, const wb_client_result *r) {
    if (app->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", r->code);
        char link[160];
        snprintf(link, sizeof link, INVITE_LINK "%s", r->code);
        cJSON_AddStringToObject(o, "link", link);
        print_json(o);
    } else {
        printf("%s\t" INVITE_LINK "%s\n", r->code, r->code);
    }
}

static void print_jid(groups_app *app, const wb_client_result *r) {
    if (app->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "jid", r->jid);
        print_json(o);
    } else {
        printf("%s\n", r->jid);
    }
}

/* ---- the calls -------------------------------------------------------------------------------- */

static void on_result(void *ud, int status, const wb_client_result *r) {
    groups_app *app = ud;
    if (status == 0) {
        app->status = WB_EXIT_OK;
        app->sub->print(app, r);
    } else if (status == WB_EREFUSED) {
        wb_cli_fail("groups %s: the server refused: %d %s", app->sub->name, r->server_error,
                    r->server_text ? r->server_text : "");
        app->status = WB_EXIT_ERROR;
    } else {
        wb_cli_fail("groups %s: %s", app->sub->name, wb_strerror(status));
        app->status = WB_EXIT_ERROR;
    }
    fflush(stdout);
    wb_cli_session_finish(app->s, app->status);
}

static int call_list(groups_app *app, wb_client *c) {
    return wb_client_group_participating(c, on_result, app);
}
static int call_info(groups_app *app, wb_client *c) {
    return wb_client_group_metadata(c, app->group, on_result, app);
}
static int call_create(groups_app *app, wb_client *c) {
    return wb_client_group_create(c, app->args[0], (const char *const *)app->jids, app->njids,
                                  on_result, app);
}
static int call_members(groups_app *app, wb_client *c) {
    return wb_client_group_participants(c, app->group, app->sub->name,
                                        (const char *const *)app->jids, app->njids, on_result, app);
}
static int call_subject(groups_app *app, wb_client *c) {
    return wb_client_group_subject(c, app->group, app->args[1], on_result, app);
}
static int call_description(groups_app *app, wb_client *c) {
    return wb_client_group_description(c, app->group, app->args[1], on_result, app);
}
static int call_leave(groups_app *app, wb_client *c) {
    return wb_client_group_leave(c, app->group, on_result, app);
}
static int call_invite(groups_app *app, wb_client *c) {
    return wb_client_group_invite_code(c, app->group, app->revoke, on_result, app);
}
static int call_join(groups_app *app, wb_client *c) {
    return wb_client_group_accept_invite(c, code_arg(app->args[0]), on_result, app);
}

static const struct {
    const char *word, *setting;
} settings[] = {
    {"announce", "announcement"},         {"announcement", "announcement"},
    {"not_announce", "not_announcement"}, {"not_announcement", "not_announcement"},
    {"locked", "locked"},                 {"unlocked", "unlocked"},
};

static int call_settings(groups_app *app, wb_client *c) {
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        if (strcmp(app->args[1], settings[i].word) == 0)
            return wb_client_group_setting(c, app->group, settings[i].setting, on_result, app);
    return WB_EINVAL;
}

static const subcommand subs[] = {
    {"list", 0, 0, call_list, print_list, "list"},
    {"info", 1, 1, call_info, print_info, "info JID"},
    {"create", 1, -1, call_create, print_info, "create NAME PHONE..."},
    {"add", 2, -1, call_members, print_members, "add JID PHONE..."},
    {"remove", 2, -1, call_members, print_members, "remove JID PHONE..."},
    {"promote", 2, -1, call_members, print_members, "promote JID PHONE..."},
    {"demote", 2, -1, call_members, print_members, "demote JID PHONE..."},
    {"subject", 2, 2, call_subject, print_ok, "subject JID TEXT"},
    {"description", 2, 2, call_description, print_ok, "description JID TEXT"},
    {"leave", 1, 1, call_leave, print_ok, "leave JID"},
    {"invite", 1, 1, call_invite, print_code, "invite JID [--revoke]"},
    {"join", 1, 1, call_join, print_jid, "join CODE|LINK"},
    {"settings", 2, 2, call_settings, print_ok, "settings JID announce|not_announce|locked|unlocked"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static void groups_event(wb_cli_session *s, wb_client *c, const wb_client_event *ev) {
    groups_app *app = s->data;
    if (ev->type == WB_CLIENT_EV_MESSAGES) /* stored; printing them is sync's business */
        wb_client_handled(c, ev->messages.seqs, ev->messages.n);
    if (wb_cli_session_closed(s, ev))
        return;
    if (ev->type != WB_CLIENT_EV_CONNECTION || ev->connection.state != WB_CONN_OPEN || app->s)
        return;
    app->s = s;
    int rc = app->sub->call(app, c);
    if (rc < 0) {
        wb_cli_fail("groups %s: %s", app->sub->name,
                    rc == WB_EINVAL ? "a bad argument (see wabot groups --help)" : wb_strerror(rc));
        wb_cli_session_finish(s, rc == WB_EINVAL ? WB_EXIT_USAGE : WB_EXIT_ERROR);
    }
}

static void usage(FILE *out) {
    fprintf(out, "usage: wabot groups COMMAND [--json] [flags]\n\ncommands:\n");
    for (const subcommand *s = subs; s->name; s++)
        fprintf(out, "  %s\n", s->usage);
    fprintf(out, "\nA group is its JID (120363...@g.us) or the digits before the @; members are\n"
                 "phone numbers or JIDs. --json prints what Baileys' calls return.\n\nflags:\n%s",
            wb_cli_client_flags_help);
}

int wb_cli_groups(int argc, char **argv) {
    wb_cli_client o;
    wb_cli_client_init(&o);
    groups_app app = {.status = WB_EXIT_ERROR};
    char **words = calloc((size_t)argc + 1, sizeof *words);
    int nwords = 0, rc = WB_EXIT_USAGE;
    if (!words)
        return WB_EXIT_ERROR;
    for (int i = 1; i < argc; i++) {
        int r = wb_cli_client_flag(&o, argc, argv, &i);
        if (r < 0)
            goto out;
        if (r)
            continue;
        if (!strcmp(argv[i], "--json")) {
            app.json = 1;
        } else if (!strcmp(argv[i], "--revoke")) {
            app.revoke = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            rc = WB_EXIT_OK;
            goto out;
        } else if (!strncmp(argv[i], "--", 2)) {
            usage(stderr);
            goto out;
        } else {
            words[nwords++] = argv[i];
        }
    }
    for (const subcommand *s = subs; nwords && s->name; s++)
        if (strcmp(words[0], s->name) == 0)
            app.sub = s;
    app.args = words + 1;
    app.nargs = nwords - 1;
    if (!app.sub || app.nargs < app.sub->min_args ||
        (app.sub->max_args >= 0 && app.nargs > app.sub->max_args) ||
        (app.revoke && app.sub->call != call_invite)) {
        usage(stderr);
        goto out;
    }
    /* the group (create: the name), then the members */
    if (app.sub->call != call_list && app.sub->call != call_create && app.sub->call != call_join &&
        group_arg(app.args[0], app.group) < 0) {
        wb_cli_fail("groups %s: '%s' is not a group JID", app.sub->name, app.args[0]);
        goto out;
    }
    if (app.sub->call == call_create || app.sub->call == call_members) {
        app.jids = calloc((size_t)app.nargs, sizeof *app.jids);
        for (int i = 1; app.jids && i < app.nargs; i++) {
            char jid[128];
            if (wb_cli_user_jid(app.args[i], jid) < 0) {
                wb_cli_fail("groups %s: '%s' is not a phone number or a JID", app.sub->name,
                            app.args[i]);
                goto out;
            }
            app.jids[app.njids++] = strdup(jid);
        }
    }
    if ((rc = wb_cli_client_open(&o, "groups")))
        goto out;
    if ((rc = wb_cli_client_require_linked(&o, "groups")))
        goto close;
    wb_client_config cfg;
    wb_cli_client_config(&o, &cfg);
    wb_cli_session s = {.cmd = "groups", .on_event = groups_event, .data = &app,
                        .signal_status = WB_EXIT_ERROR};
    rc = wb_cli_session_run(&s, &o, &cfg);
close:
    wb_cli_client_close(&o);
out:
    for (size_t i = 0; i < app.njids; i++)
        free(app.jids[i]);
    free(app.jids);
    free(words);
    return rc;
}
