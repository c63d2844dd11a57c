/* Unit tests for the client's group calls and group events (host/client: group_admin.c,
 * group_events.c, groups.c, lookup.c, calls.c) against the simulator's core in memory: every
 * w:g2 call from one member seen by the others as Baileys' events (groups.upsert, groups.update,
 * group-participants.update, chats.update) with the author; per-participant results; invites;
 * the member cache following each change (a send reaches exactly the members of the moment,
 * without fetching the metadata again); onWhatsApp and profile pictures; each call completing
 * exactly once, after the call returned, also when the connection ends first. */
#include <stdarg.h>

#include "check.h"
#include "client_fixture.h"
#include "core/log.h"
#include "wa/picture.h"

/* What a client's group events said, one line each. */
typedef struct evlog {
    char text[16384];
    size_t len;
} evlog;

static void logf_(evlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(evlog *l, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->text + l->len, sizeof l->text - l->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
}

#define S(x) ((x) ? (x) : "-")

static void on_group_event(cl_fx *h, const wb_client_event *ev) {
    evlog *l = h->data;
    switch (ev->type) {
    case WB_CLIENT_EV_GROUPS_UPSERT:
    case WB_CLIENT_EV_GROUPS_UPDATE:
        for (size_t i = 0; i < ev->groups.n; i++) {
            const wb_client_group *g = &ev->groups.groups[i];
            logf_(l, "%s %s author=%s", ev->type == WB_CLIENT_EV_GROUPS_UPSERT ? "upsert" : "update",
                  g->id, S(g->author));
            if (g->fields & WB_GROUP_F_SUBJECT)
                logf_(l, " subject=%s", S(g->subject));
            if (g->fields & WB_GROUP_F_DESC)
                logf_(l, " desc=%s", S(g->desc));
            if (g->fields & WB_GROUP_F_ANNOUNCE)
                logf_(l, " announce=%d", g->announce);
            if (g->fields & WB_GROUP_F_RESTRICT)
                logf_(l, " restrict=%d", g->restrict_);
            if (g->fields & WB_GROUP_F_INVITE)
                logf_(l, " invite=%s", S(g->invite_code));
            if (g->fields & WB_GROUP_F_ALL)
                logf_(l, " size=%lld n=%zu", (long long)g->size, g->nparticipants);
            logf_(l, "\n");
        }
        break;
    case WB_CLIENT_EV_GROUP_PARTICIPANTS:
        logf_(l, "participants %s %s author=%s", ev->participants.action, ev->participants.id,
              S(ev->participants.author));
        for (size_t i = 0; i < ev->participants.n; i++)
            logf_(l, " %s", ev->participants.participants[i].id);
        logf_(l, "\n");
        break;
    case WB_CLIENT_EV_CHATS_UPDATE:
        for (size_t i = 0; i < ev->chats.n; i++) {
            const wb_client_chat_update *u = &ev->chats.chats[i];
            logf_(l, "chat %s", u->id);
            if (u->fields & WB_CHAT_F_NAME)
                logf_(l, " name=%s", S(u->name));
            if (u->fields & WB_CHAT_F_DESCRIPTION)
                logf_(l, " description=%s", S(u->description));
            if (u->fields & WB_CHAT_F_READ_ONLY)
                logf_(l, " readOnly=%d", u->read_only);
            logf_(l, "\n");
        }
        break;
    case WB_CLIENT_EV_CHATS:
        for (size_t i = 0; i < ev->contacts.n; i++)
            if (strstr(ev->contacts.contacts[i].jid, "@g.us"))
                logf_(l, "chats.upsert %s name=%s\n", ev->contacts.contacts[i].jid,
                      S(ev->contacts.contacts[i].name));
        break;
    default:
        break;
    }
}

/* One call's completion, copied. */
typedef struct result {
    int done, status, server_error;
    int inside;            /* completed while the call was still running (must never happen) */
    char jid[96], code[64], url[256], subject[128], desc[128];
    size_t ngroups, nparticipants, nmembers, nlookups;
    int statuses[8];
    char add_request[32];
    char lookups[4][96];
    int exists[4];
    char admins[256];
} result;

static int in_call;

static void on_result(void *ud, int status, const wb_client_result *r) {
    result *x = ud;
    x->done++;
    x->inside |= in_call;
    x->status = status;
    x->server_error = r->server_error;
    if (r->jid)
        snprintf(x->jid, sizeof x->jid, "%s", r->jid);
    if (r->code)
        snprintf(x->code, sizeof x->code, "%s", r->code);
    if (r->url)
        snprintf(x->url, sizeof x->url, "%s", r->url);
    x->ngroups = r->ngroups;
    if (r->ngroups) {
        const wb_client_group *g = &r->groups[0];
        snprintf(x->jid, sizeof x->jid, "%s", g->id);
        snprintf(x->subject, sizeof x->subject, "%s", S(g->subject));
        snprintf(x->desc, sizeof x->desc, "%s", S(g->desc));
        x->nparticipants = g->nparticipants;
        size_t len = 0;
        for (size_t i = 0; i < g->nparticipants && len < sizeof x->admins; i++)
            len += (size_t)snprintf(x->admins + len, sizeof x->admins - len, "%s=%s ",
                                    g->participants[i].id, S(g->participants[i].admin));
    }
    x->nmembers = r->nmembers;
    for (size_t i = 0; i < r->nmembers && i < 8; i++) {
        x->statuses[i] = r->members[i].status;
        if (r->members[i].add_request_code)
            snprintf(x->add_request, sizeof x->add_request, "%s", r->members[i].add_request_code);
    }
    x->nlookups = r->nlookups;
    for (size_t i = 0; i < r->nlookups && i < 4; i++) {
        snprintf(x->lookups[i], sizeof x->lookups[i], "%s", r->lookups[i].jid);
        x->exists[i] = r->lookups[i].exists;
    }
}

#define CALL(x, expr)                                                                              \
    do {                                                                                           \
        memset(&(x), 0, sizeof(x));                                                                \
        in_call = 1;                                                                               \
        CHECK_EQ((expr), 0);                                                                       \
        in_call = 0;                                                                               \
        CHECK_EQ((x).done, 0);                                                                     \
        cl_run(&fx);                                                                               \
        CHECK_EQ((x).done, 1);                                                                     \
        CHECK_EQ((x).inside, 0);                                                                   \
    } while (0)

static int has(const cl_fx *h, const char *line) {
    return strstr(((evlog *)h->data)->text, line) != NULL;
}

static void clear(cl_fx *h) {
    evlog *l = h->data;
    l->len = 0;
    l->text[0] = '\0';
}

#define A_JID "15550011111@s.whatsapp.net"
#define B_JID "15550022222@s.whatsapp.net"
#define C_JID "15550033333@s.whatsapp.net"

static void test_client_group_admin_and_events(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    static evlog logs[3];
    cl_fx *m[3];
    const char *phones[3] = {"15550011111", "15550022222", "15550033333"};
    for (int i = 0; i < 3; i++) {
        m[i] = cl_new(&fx, NULL, NULL);
        memset(&logs[i], 0, sizeof logs[i]);
        m[i]->data = &logs[i];
        m[i]->on_event = on_group_event;
        CHECK_EQ(cl_link_qr(&fx, m[i], phones[i], "Member"), 200);
    }
    cl_fx *a = m[0], *b = m[1], *c = m[2];
    result r;

    /* create with b: a has the metadata, b hears of the group as groups.upsert from a */
    const char *with_b[] = {B_JID};
    CALL(r, wb_client_group_create(a->c, "admins", with_b, 1, on_result, &r));
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.subject, "admins");
    CHECK_EQ(r.nparticipants, 2);
    CHECK(strstr(r.admins, A_JID "=superadmin") && strstr(r.admins, B_JID "=-"));
    char gid[96];
    snprintf(gid, sizeof gid, "%s", r.jid);
    CHECK(strstr(gid, "@g.us") != NULL);
    char line[256];
    snprintf(line, sizeof line, "upsert %s author=" A_JID " subject=admins", gid);
    CHECK(has(b, line));
    snprintf(line, sizeof line, "chats.upsert %s name=admins", gid);
    CHECK(has(b, line));

    /* add: c (200), b (409, already in), a number not on WhatsApp (404); c hears of the group,
     * b of the add; a's member cache has c at once: the next message reaches c without a
     * metadata query */
    const char *add[] = {C_JID, B_JID, "15559999999@s.whatsapp.net"};
    int64_t queries = fx_counter(&fx, "groups.metadata");
    cl_sent s0;
    CHECK_EQ(cl_send_text(a, gid, "before c", &s0), 0);
    cl_run(&fx);
    CALL(r, wb_client_group_participants(a->c, gid, "add", add, 3, on_result, &r));
    CHECK_EQ(r.status, 0);
    CHECK_EQ(r.nmembers, 3);
    CHECK(r.statuses[0] == 200 && r.statuses[1] == 409 && r.statuses[2] == 404);
    snprintf(line, sizeof line, "upsert %s author=" A_JID " subject=admins", gid);
    CHECK(has(c, line));
    snprintf(line, sizeof line, "participants add %s author=" A_JID " " C_JID "\n", gid);
    CHECK(has(b, line));
    CHECK(has(a, line)); /* the actor's own devices hear it too, as Baileys' do */
    CHECK_EQ(cl_send_text(a, gid, "after c", &s0), 0);
    cl_run(&fx);
    CHECK_EQ(cl_count_text(c, "after c"), 1);
    CHECK_EQ(cl_count_text(c, "before c"), 0);
    CHECK_EQ(fx_counter(&fx, "groups.metadata") - queries, 0); /* the create answer filled it */

    /* subject and description (set, then deleted: the second carries the first's id as prev,
     * or the simulator answers 409) */
    CALL(r, wb_client_group_subject(a->c, gid, "renamed", on_result, &r));
    CHECK_EQ(r.status, 0);
    snprintf(line, sizeof line, "update %s author=" A_JID " subject=renamed\n", gid);
    CHECK(has(b, line) && has(c, line));
    snprintf(line, sizeof line, "chat %s name=renamed", gid);
    CHECK(has(b, line));
    CALL(r, wb_client_group_description(a->c, gid, "about us", on_result, &r));
    CHECK_EQ(r.status, 0);
    snprintf(line, sizeof line, "update %s author=" A_JID " desc=about us\n", gid);
    CHECK(has(c, line));
    CALL(r, wb_client_group_description(a->c, gid, "second", on_result, &r));
    CHECK_EQ(r.status, 0);
    CALL(r, wb_client_group_metadata(b->c, gid, on_result, &r));
    CHECK(r.status == 0 && r.nparticipants == 3);
    CHECK_STR(r.subject, "renamed");
    CHECK_STR(r.desc, "second");
    CALL(r, wb_client_group_description(a->c, gid, NULL, on_result, &r));
    CHECK_EQ(r.status, 0);
    snprintf(line, sizeof line, "update %s author=" A_JID " desc=-\n", gid);
    CHECK(has(b, line));

    /* promote, demote; a plain member may not change members */
    const char *just_b[] = {B_JID}, *just_c[] = {C_JID};
    CALL(r, wb_client_group_participants(a->c, gid, "promote", just_b, 1, on_result, &r));
    CHECK(r.status == 0 && r.statuses[0] == 200);
    snprintf(line, sizeof line, "participants promote %s author=" A_JID " " B_JID, gid);
    CHECK(has(c, line));
    CALL(r, wb_client_group_participants(a->c, gid, "demote", just_b, 1, on_result, &r));
    CHECK_EQ(r.status, 0);
    CALL(r, wb_client_group_participants(c->c, gid, "remove", just_b, 1, on_result, &r));
    CHECK_EQ(r.status, WB_EREFUSED);
    CHECK_EQ(r.server_error, 403);

    /* settings */
    CALL(r, wb_client_group_setting(a->c, gid, "announcement", on_result, &r));
    CHECK_EQ(r.status, 0);
    snprintf(line, sizeof line, "update %s author=" A_JID " announce=1\n", gid);
    CHECK(has(b, line));
    CALL(r, wb_client_group_setting(a->c, gid, "locked", on_result, &r));
    snprintf(line, sizeof line, "update %s author=" A_JID " restrict=1\n", gid);
    CHECK(has(c, line));
    CALL(r, wb_client_group_setting(a->c, gid, "unlocked", on_result, &r));
    snprintf(line, sizeof line, "update %s author=" A_JID " restrict=0\n", gid);
    CHECK(has(c, line));

    /* invites: c leaves (b hears a remove by c, c reads its chat as read-only), joins again
     * with the code; a revoked code stops working */
    CALL(r, wb_client_group_invite_code(a->c, gid, 0, on_result, &r));
    CHECK_EQ(r.status, 0);
    char code[64];
    snprintf(code, sizeof code, "%s", r.code);
    CHECK_EQ(strlen(code), 22);
    clear(b);
    clear(c);
    CALL(r, wb_client_group_leave(c->c, gid, on_result, &r));
    CHECK_EQ(r.status, 0);
    snprintf(line, sizeof line, "participants remove %s author=" C_JID " " C_JID, gid);
    CHECK(has(b, line));
    snprintf(line, sizeof line, "chat %s readOnly=1", gid);
    CHECK(has(c, line));
    CHECK_EQ(cl_send_text(a, gid, "c is out", &s0), 0);
    cl_run(&fx);
    CHECK_EQ(cl_count_text(c, "c is out"), 0);
    CHECK_EQ(cl_count_text(b, "c is out"), 1);
    CALL(r, wb_client_group_accept_invite(c->c, code, on_result, &r));
    CHECK_EQ(r.status, 0);
    CHECK_STR(r.jid, gid);
    snprintf(line, sizeof line, "upsert %s author=" C_JID " subject=renamed", gid);
    CHECK(has(c, line));
    CHECK_EQ(cl_send_text(a, gid, "c is back", &s0), 0);
    cl_run(&fx);
    CHECK_EQ(cl_count_text(c, "c is back"), 1);
    CALL(r, wb_client_group_invite_code(a->c, gid, 1, on_result, &r));
    CHECK(r.status == 0 && strcmp(r.code, code) != 0);
    snprintf(line, sizeof line, "update %s author=" A_JID " invite=%s\n", gid, r.code);
    CHECK(has(b, line));
    CALL(r, wb_client_group_accept_invite(b->c, code, on_result, &r));
    CHECK(r.status == WB_EREFUSED && r.server_error == 404);

    /* remove c: the removed member's chat is read-only, and a's next message skips c */
    CALL(r, wb_client_group_participants(a->c, gid, "remove", just_c, 1, on_result, &r));
    CHECK(r.status == 0 && r.statuses[0] == 200);
    CHECK(has(c, "readOnly=1"));
    CHECK_EQ(cl_send_text(a, gid, "without c", &s0), 0);
    cl_run(&fx);
    CHECK_EQ(cl_count_text(c, "without c"), 0);
    CHECK_EQ(cl_count_text(b, "without c"), 1);

    /* participating: b's groups, also emitted as groups.update */
    clear(b);
    CALL(r, wb_client_group_participating(b->c, on_result, &r));
    CHECK(r.status == 0 && r.ngroups == 1);
    CHECK_STR(r.jid, gid);
    snprintf(line, sizeof line, "update %s author=- subject=renamed", gid);
    CHECK(has(b, line) && has(b, "size=2 n=2"));

    /* misuse never calls back */
    CHECK_EQ(wb_client_group_participants(a->c, gid, "kick", just_b, 1, on_result, &r), WB_EINVAL);
    CHECK_EQ(wb_client_group_setting(a->c, gid, "closed", on_result, &r), WB_EINVAL);
    CHECK_EQ(wb_client_group_metadata(a->c, B_JID, on_result, &r), WB_EINVAL);
    CHECK_EQ(wb_client_group_subject(a->c, gid, "", on_result, &r), WB_EINVAL);
    for (int i = 0; i < 3; i++)
        cl_free(m[i]);
    sim_fx_free(&fx);
}

static void test_client_on_whatsapp_and_pictures(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, NULL), *b = cl_new(&fx, NULL, NULL);
    CHECK_EQ(cl_link_qr(&fx, a, "15550011111", "Ann"), 200);
    CHECK_EQ(cl_link_qr(&fx, b, "15550022222", "Ben"), 200);
    result r;
    const char *phones[] = {"+15550022222", "15559999999", B_JID};
    CALL(r, wb_client_on_whatsapp(a->c, phones, 3, on_result, &r));
    CHECK(r.status == 0 && r.nlookups == 3);
    CHECK_STR(r.lookups[0], B_JID);
    CHECK(r.exists[0] == 1 && r.exists[1] == 0 && r.exists[2] == 1);
    const char *bad[] = {"not a number"};
    CHECK_EQ(wb_client_on_whatsapp(a->c, bad, 1, on_result, &r), WB_EINVAL);

    /* no picture yet: 404 */
    CALL(r, wb_client_profile_picture_url(a->c, B_JID, 0, on_result, &r));
    CHECK(r.status == WB_EREFUSED && r.server_error == 404);
    CHECK_EQ(r.url[0], 0);
    /* b's other device sets one, as Baileys' updateProfilePicture sends it */
    fx_client *keys = fx_link_qr(&fx, "15550022222");
    fx_client *bd = keys ? fx_login(&fx, keys) : NULL;
    CHECK(bd != NULL);
    if (!bd)
        return;
    static const uint8_t jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 'p', 'i', 'c', 0xff, 0xd9};
    wb_arena *ar = &bd->arena;
    wb_wa_picture_request set = {.action = WB_WA_PICTURE_SET, .image = jpeg,
                                 .image_len = sizeof jpeg};
    wb_node *ans = fx_request(bd, wb_wa_picture_request_new(ar, &set));
    wb_wa_picture pic;
    CHECK(ans && wb_wa_picture_read(ans, &pic, NULL) == 0 && pic.id && !pic.url);
    CALL(r, wb_client_profile_picture_url(a->c, B_JID, 0, on_result, &r));
    CHECK_EQ(r.status, 0);
    CHECK(strncmp(r.url, "https://", 8) == 0 && strstr(r.url, "/v/t61.24694-24/") &&
          strstr(r.url, ".jpg?oh="));
    /* the URL serves the picture (the media port's route, signature checked) */
    fx_reply got;
    const char *path = strstr(r.url + 8, "/");
    char p[256], q[64];
    snprintf(p, sizeof p, "%.*s", (int)strcspn(path, "?"), path);
    snprintf(q, sizeof q, "%s", strchr(path, '?') + 1);
    fx_http(&fx, "GET", p, q, NULL, &got);
    CHECK_EQ(got.status, 200);
    CHECK(strlen(got.body) == sizeof jpeg && memcmp(got.body, jpeg, sizeof jpeg) == 0);
    /* the asker's current id: 304 (read as no change); another's picture may not be set */
    wb_wa_picture_request get = {.action = WB_WA_PICTURE_GET,
                                 .target = wb_jid_of("15550011111", WB_SERVER_USER, 0)};
    ans = fx_request(bd, wb_wa_picture_request_new(ar, &get));
    CHECK(ans && wb_node_attr_is(ans, "type", "error"));
    set.target = wb_jid_of("15550011111", WB_SERVER_USER, 0);
    ans = fx_request(bd, wb_wa_picture_request_new(ar, &set));
    CHECK(ans && wb_node_attr_is(ans, "type", "error"));
    /* privacy "none" hides it from others (401), not from b itself */
    wb_node *cat = WB_NODE(ar, "privacy");
    WB_CHILD(cat, "category", {"name", "profile"}, {"value", "none"});
    CHECK(fx_iq(bd, ar, "set", "privacy", cat) != NULL);
    CALL(r, wb_client_profile_picture_url(a->c, B_JID, 1, on_result, &r));
    CHECK(r.status == WB_EREFUSED && r.server_error == 401);
    CALL(r, wb_client_profile_picture_url(b->c, B_JID, 1, on_result, &r));
    CHECK_EQ(r.status, 0);
    /* deleted: 404 again */
    wb_wa_picture_request del = {.action = WB_WA_PICTURE_DELETE};
    CHECK(fx_request(bd, wb_wa_picture_request_new(ar, &del)) != NULL);
    CALL(r, wb_client_profile_picture_url(b->c, B_JID, 0, on_result, &r));
    CHECK(r.status == WB_EREFUSED && r.server_error == 404);
    CHECK_EQ(wb_client_profile_picture_url(a->c, "nobody", 0, on_result, &r), WB_EINVAL);
    for (int i = 0; i < 2; i++)
        cl_free(i ? b : a);
    sim_fx_free(&fx);
}

/* A call in flight when the connection ends completes once, with WB_ECLOSED. */
static void test_client_group_call_closed(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, NULL);
    CHECK_EQ(cl_link_qr(&fx, a, "15550011111", "Ann"), 200);
    result r = {0};
    a->mute = 1; /* the answer never comes */
    CHECK_EQ(wb_client_group_participating(a->c, on_result, &r), 0);
    cl_run(&fx);
    CHECK_EQ(r.done, 0);
    wb_client_stop(a->c, fx.now_ms);
    cl_run(&fx);
    CHECK_EQ(r.done, 1);
    CHECK_EQ(r.status, WB_ECLOSED);
    CHECK_EQ(wb_client_group_participating(a->c, on_result, &r), WB_ECLOSED);
    cl_free(a);
    sim_fx_free(&fx);
}

int main(void) {
    wb_crypto_init();
    wb_log_set_level(WB_LOG_WARN);
    RUN(test_client_group_admin_and_events);
    RUN(test_client_on_whatsapp_and_pictures);
    RUN(test_client_group_call_closed);
    return check_summary();
}
