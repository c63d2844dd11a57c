/* The phone-free loop (devkit.h). Linking is the simulator's own: each client's QR goes to the
 * simulated phone's scan route (wb_sim_http in-process, as POST /admin/mock-phone/scan-qr would),
 * so both devices are linked with the real ADV cryptography and log in as on WhatsApp. */
#include "cli/devkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "media/sniff.h"
#include "wb_proto.h"

static uint64_t now_ms(void) { return wb_client_host_now(); }

static void touch(wb_devkit *k) { k->last_activity_ms = now_ms(); }

static void failed(wb_devkit *k, const char *why) {
    if (k->on_failed && !k->stopping)
        k->on_failed(k->ud, why);
}

/* ---- linking through the simulated phone ---------------------------------------------------- */

typedef struct scan_reply {
    wb_sim_reply r;
    wb_devkit *k;
    char who[8];
} scan_reply;

static void scan_done(wb_sim_reply *r, int status, const char *type, const void *body,
                      size_t len) {
    scan_reply *s = r->data;
    (void)type;
    if (status != 200) {
        char why[256];
        snprintf(why, sizeof why, "the simulated phone could not link %s (%d: %.*s)", s->who,
                 status, (int)(len > 160 ? 160 : len), (const char *)body);
        failed(s->k, why);
    }
    free(s);
}

static void scan(wb_devkit *k, const char *who, const char *phone, const char *name,
                 const char *qr) {
    scan_reply *s = calloc(1, sizeof *s);
    if (!s) {
        failed(k, "out of memory");
        return;
    }
    s->k = k;
    snprintf(s->who, sizeof s->who, "%s", who);
    s->r.respond = scan_done;
    s->r.data = s;
    char query[96];
    snprintf(query, sizeof query, "phone=%s&name=%s", phone, name);
    wb_sim_request req = {.method = "POST", .path = "/admin/mock-phone/scan-qr", .query = query,
                          .body = (const uint8_t *)qr, .body_len = strlen(qr)};
    wb_sim_http(wb_sim_server_sim(k->sim), &req, &s->r);
}

static void check_ready(wb_devkit *k) {
    if (k->ready || !k->bot_open || !k->you_open)
        return;
    k->ready = 1;
    touch(k);
    if (k->on_ready)
        k->on_ready(k->ud);
}

/* The connection events both clients share: linking, opening, failing for good. */
static void connection_event(wb_devkit *k, const char *who, const char *phone, const char *name,
                             const wb_client_event *ev, int *open) {
    if (ev->type == WB_CLIENT_EV_QR && ev->qr.index == 0) {
        scan(k, who, phone, name, ev->qr.text);
    } else if (ev->type == WB_CLIENT_EV_CONNECTION && ev->connection.state == WB_CONN_OPEN) {
        *open = 1;
        check_ready(k);
    } else if (ev->type == WB_CLIENT_EV_CONNECTION && ev->connection.state == WB_CONN_CLOSE) {
        *open = 0;
        if (ev->connection.final) {
            char why[256];
            snprintf(why, sizeof why, "%s's connection ended: %s", who,
                     ev->connection.why ? ev->connection.why : "closed");
            failed(k, why);
        }
    }
}

static void bot_event(void *ud, wb_client *c, const wb_client_event *ev) {
    wb_devkit *k = ud;
    (void)c;
    connection_event(k, "the bot", WB_DEVKIT_BOT_PHONE, "Bot", ev, &k->bot_open);
    if (ev->type == WB_CLIENT_EV_MESSAGES) {
        for (size_t i = 0; i < ev->messages.n; i++) {
            const Wa__WebMessageInfo *m = ev->messages.msgs[i];
            if (m->key && !m->key->fromme)
                k->bot_got++;
        }
        touch(k);
    }
}

static void you_event(void *ud, wb_client *c, const wb_client_event *ev) {
    wb_devkit *k = ud;
    connection_event(k, "you", WB_DEVKIT_YOU_PHONE, "You", ev, &k->you_open);
    if (ev->type != WB_CLIENT_EV_MESSAGES)
        return;
    for (size_t i = 0; i < ev->messages.n; i++) {
        const Wa__WebMessageInfo *m = ev->messages.msgs[i];
        if (!m->key || m->key->fromme)
            continue;
        k->you_got++;
        snprintf(k->last_id, sizeof k->last_id, "%s", m->key->id ? m->key->id : "");
        snprintf(k->last_chat, sizeof k->last_chat, "%s", m->key->remotejid ? m->key->remotejid : "");
        snprintf(k->last_participant, sizeof k->last_participant, "%s",
                 m->key->participant ? m->key->participant : "");
        const Wa__Message *pm = m->message;
        if (pm && (pm->pollcreationmessage || pm->pollcreationmessagev2 || pm->pollcreationmessagev3)) {
            snprintf(k->poll_id, sizeof k->poll_id, "%s", k->last_id);
            snprintf(k->poll_chat, sizeof k->poll_chat, "%s", k->last_chat);
            snprintf(k->poll_participant, sizeof k->poll_participant, "%s", k->last_participant);
        }
        char text[4096];
        wb_client_message_describe(m, text, sizeof text); /* its text, or what it is */
        if (k->on_bot_message)
            k->on_bot_message(k->ud, text, k->last_chat);
    }
    wb_client_handled(c, ev->messages.seqs, ev->messages.n);
    touch(k);
}

/* ---- life ------------------------------------------------------------------------------------ */

int wb_devkit_start(wb_devkit *k, uv_loop_t *loop, wb_rt_config *rcfg, wb_error *err) {
    k->loop = loop;
    snprintf(k->bot_jid, sizeof k->bot_jid, "%s@s.whatsapp.net", WB_DEVKIT_BOT_PHONE);
    snprintf(k->you_jid, sizeof k->you_jid, "%s@s.whatsapp.net", WB_DEVKIT_YOU_PHONE);
    snprintf(k->target, sizeof k->target, "%s", k->bot_jid);
    wb_sim_server_opts so = {0};
    int rc = wb_sim_server_start(loop, &so, &k->sim, err);
    if (rc < 0)
        return rc;
    wb_sim_root_pub(wb_sim_server_sim(k->sim), k->root);
    if ((rc = wb_store_open(&k->bot_store, ":memory:", 0, err)) < 0 ||
        (rc = wb_store_open(&k->you_store, ":memory:", 0, err)) < 0)
        return rc;
    wb_client_host_opts ho = {.url = wb_sim_server_url(k->sim),
                              .media_ca_pem = wb_sim_media_cert(wb_sim_server_sim(k->sim))};
    wb_client_config bc = {.store = k->bot_store, .root_pub = k->root};
    bc.info.push_name = "Bot";
    k->bot.on_event = bot_event;
    k->bot.ud = k;
    if ((rc = wb_cli_bot_start(&k->bot, loop, &bc, &ho, rcfg, err)) < 0)
        return rc;
    wb_client_config yc = {.store = k->you_store, .root_pub = k->root};
    yc.info.push_name = "You";
    if ((rc = wb_client_host_new(&k->you, loop, &yc, &ho, you_event, k)) < 0)
        return wb_error_set(err, rc, 0, "cannot start your client: %s", wb_strerror(rc));
    wb_client_host_start(k->you);
    return 0;
}

static void on_sent(void *ud, int status, const wb_client_sent *sent) {
    wb_devkit *k = ud;
    k->you_acked++;
    touch(k);
    if (status < 0) {
        WB_WARN("dev", "your message was not delivered: %s", wb_strerror(status));
    } else if (k->you_acked == k->you_sent) { /* the latest: what you.edit and you.delete name */
        snprintf(k->my_last_id, sizeof k->my_last_id, "%s", sent->id);
        snprintf(k->my_last_chat, sizeof k->my_last_chat, "%s", k->my_sending_chat);
    }
}

static int you_send(wb_devkit *k, const Wa__Message *m) {
    wb_client *c = wb_client_host_client(k->you);
    int rc = wb_client_send_message(c, k->target, m, NULL, on_sent, k);
    wb_client_host_kick(k->you);
    if (rc == 0) {
        k->you_sent++;
        snprintf(k->my_sending_chat, sizeof k->my_sending_chat, "%s", k->target);
        if (strcmp(k->target, k->bot_jid) == 0 || strstr(k->target, "@g.us"))
            k->bot_expects++;
        touch(k);
    }
    return rc;
}

int wb_devkit_send_text(wb_devkit *k, const char *text) {
    Wa__Message m = WA__MESSAGE__INIT;
    m.conversation = (char *)text;
    return you_send(k, &m);
}

/* Builds content in (wb_client_content_build) and sends it to chat. */
static int you_send_content(wb_devkit *k, const char *chat, const wb_client_content *in,
                            wb_error *err) {
    wb_client *c = wb_client_host_client(k->you);
    Wa__Message *m = NULL;
    int rc = wb_client_content_build(c, chat, in, &m, err);
    if (rc < 0)
        return rc;
    char saved[sizeof k->target];
    snprintf(saved, sizeof saved, "%s", k->target);
    snprintf(k->target, sizeof k->target, "%s", chat); /* where the message is */
    rc = you_send(k, m);
    snprintf(k->target, sizeof k->target, "%s", saved);
    wb_proto_free(m);
    return rc;
}

typedef struct media_send {
    wb_devkit *k;
    char kind[16], mimetype[64], file_name[256];
} media_send;

static void media_uploaded(void *ud, int status, const wb_client_media *up, const char *why) {
    media_send *ms = ud;
    wb_devkit *k = ms->k;
    k->you_uploading--;
    touch(k);
    Wa__Message *m = NULL;
    if (status == 0) {
        wb_client_media md = *up;
        md.mimetype = ms->mimetype[0] ? ms->mimetype : NULL;
        md.file_name = ms->file_name;
        if ((status = wb_client_media_message(&md, &m)) == 0)
            status = you_send(k, m);
        wb_proto_free(m);
        why = wb_strerror(status);
    }
    if (status < 0)
        WB_WARN("dev", "your %s was not sent: %s", ms->kind, why);
    free(ms);
}

int wb_devkit_send_media(wb_devkit *k, const char *kind, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return WB_ENOTFOUND;
    uint8_t head[WB_MEDIA_SNIFF_HEAD];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    wb_media_sniffed sn;
    wb_media_sniff(head, n, path, &sn);
    media_send *ms = calloc(1, sizeof *ms);
    if (!ms)
        return WB_ENOMEM;
    ms->k = k;
    snprintf(ms->kind, sizeof ms->kind, "%s", kind ? kind : sn.kind);
    const char *mime = wb_media_mimetype_for(ms->kind, &sn);
    snprintf(ms->mimetype, sizeof ms->mimetype, "%s", mime ? mime : "");
    const char *slash = strrchr(path, '/');
    snprintf(ms->file_name, sizeof ms->file_name, "%s", slash ? slash + 1 : path);
    wb_client_upload_opts o = {.kind = ms->kind, .path = path};
    int rc = wb_client_host_media_upload(k->you, &o, media_uploaded, ms);
    if (rc < 0) {
        free(ms);
        return rc;
    }
    k->you_uploading++;
    touch(k);
    return 0;
}

enum { BOT_LAST, BOT_POLL, MINE };

/* The key of the bot's last message to you, of its last poll, or of your last message. */
static int key_of(wb_devkit *k, int which, Wa__MessageKey *key) {
    *key = (Wa__MessageKey)WA__MESSAGE_KEY__INIT;
    key->has_fromme = 1;
    key->fromme = which == MINE;
    key->remotejid = which == MINE ? k->my_last_chat : which == BOT_POLL ? k->poll_chat
                                                                          : k->last_chat;
    key->id = which == MINE ? k->my_last_id : which == BOT_POLL ? k->poll_id : k->last_id;
    const char *p = which == BOT_POLL ? k->poll_participant : k->last_participant;
    key->participant = which != MINE && p[0] ? (char *)p : NULL;
    return key->id[0] ? 0 : WB_ENOTFOUND;
}

int wb_devkit_react(wb_devkit *k, const char *emoji) {
    Wa__MessageKey key;
    if (key_of(k, BOT_LAST, &key) < 0)
        return WB_ENOTFOUND;
    wb_client_content in = {.react = {.key = &key, .text = emoji}};
    return you_send_content(k, k->last_chat, &in, NULL);
}

int wb_devkit_vote(wb_devkit *k, const char *const *options, size_t n, wb_error *err) {
    Wa__MessageKey key;
    if (key_of(k, BOT_POLL, &key) < 0)
        return WB_ENOTFOUND;
    wb_client_content in = {.vote = {.key = &key, .values = options, .n = n}};
    return you_send_content(k, k->poll_chat, &in, err);
}

int wb_devkit_edit(wb_devkit *k, const char *text, wb_error *err) {
    Wa__MessageKey key;
    if (key_of(k, MINE, &key) < 0)
        return WB_ENOTFOUND;
    wb_client_content in = {.text = text, .edit = &key};
    return you_send_content(k, k->my_last_chat, &in, err);
}

int wb_devkit_delete(wb_devkit *k, wb_error *err) {
    Wa__MessageKey key;
    if (key_of(k, MINE, &key) < 0)
        return WB_ENOTFOUND;
    wb_client_content in = {.revoke = &key};
    return you_send_content(k, k->my_last_chat, &in, err);
}

typedef struct group_reply {
    wb_sim_reply r;
    int status;
    char body[512];
} group_reply;

static void group_done(wb_sim_reply *r, int status, const char *type, const void *body,
                       size_t len) {
    group_reply *g = r->data;
    (void)type;
    g->status = status;
    snprintf(g->body, sizeof g->body, "%.*s", (int)(len < sizeof g->body ? len : sizeof g->body - 1),
             (const char *)body);
}

int wb_devkit_group(wb_devkit *k, const char *subject, char jid[128], wb_error *err) {
    for (const char *p = subject; *p; p++)
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
            return wb_error_set(err, WB_EINVAL, 0, "a group name without quotes or backslashes");
    char body[512];
    snprintf(body, sizeof body, "{\"subject\": \"%s\", \"creator\": \"%s\", \"participants\": [\"%s\"]}",
             subject, WB_DEVKIT_YOU_PHONE, WB_DEVKIT_BOT_PHONE);
    group_reply g = {.r = {.respond = group_done}};
    g.r.data = &g;
    wb_sim_request req = {.method = "POST", .path = "/admin/groups", .query = "",
                          .body = (const uint8_t *)body, .body_len = strlen(body)};
    wb_sim_http(wb_sim_server_sim(k->sim), &req, &g.r); /* answers at once */
    const char *p = strstr(g.body, "\"jid\"");
    const char *q = p ? strchr(p + 5, '"') : NULL;
    const char *e = q ? strchr(q + 1, '"') : NULL;
    if (g.status != 200 || !e || e - q - 1 >= 128)
        return wb_error_set(err, WB_EPROTO, 0, "the simulator did not make the group (%d: %s)",
                            g.status, g.body);
    snprintf(jid, 128, "%.*s", (int)(e - q - 1), q + 1);
    snprintf(k->target, sizeof k->target, "%s", jid);
    return 0;
}

typedef struct members_call {
    wb_devkit *k;
    void (*done)(void *ud, int status, const char *summary);
    void *ud;
} members_call;

static void members_done(void *ud, int status, const wb_client_result *r) {
    members_call *m = ud;
    wb_devkit *k = m->k;
    char summary[1024] = "";
    size_t len = 0;
    if (status == 0) {
        for (size_t i = 0; i < r->nmembers && len < sizeof summary; i++)
            len += (size_t)snprintf(summary + len, sizeof summary - len, "%s%.*s %d", i ? " " : "",
                                    (int)strcspn(r->members[i].jid, "@"), r->members[i].jid,
                                    r->members[i].status);
    } else if (status == WB_EREFUSED) {
        snprintf(summary, sizeof summary, "the server refused: %d %s", r->server_error,
                 r->server_text ? r->server_text : "");
    } else {
        snprintf(summary, sizeof summary, "%s", wb_strerror(status));
    }
    k->calls--;
    touch(k);
    if (m->done)
        m->done(m->ud, status, summary);
    free(m);
}

/* The simulator's account for phone, made if missing (POST /admin/accounts, answered at once). */
static int account(wb_devkit *k, const char *phone) {
    char body[96];
    snprintf(body, sizeof body, "{\"phone\": \"%s\"}", phone);
    group_reply g = {.r = {.respond = group_done}};
    g.r.data = &g;
    wb_sim_request req = {.method = "POST", .path = "/admin/accounts", .query = "",
                          .body = (const uint8_t *)body, .body_len = strlen(body)};
    wb_sim_http(wb_sim_server_sim(k->sim), &req, &g.r);
    return g.status == 200 ? 0 : WB_EINVAL;
}

int wb_devkit_members(wb_devkit *k, const char *action, const char *const *phones, size_t n,
                      void (*done)(void *ud, int status, const char *summary), void *ud,
                      wb_error *err) {
    if (!strstr(k->target, "@g.us"))
        return wb_error_set(err, WB_ESTATE, 0, "not in a group (make one first)");
    if (!n || n > 64)
        return wb_error_set(err, WB_EINVAL, 0, "1 to 64 phone numbers");
    char jids[64][40];
    const char *list[64];
    for (size_t i = 0; i < n; i++) {
        const char *p = phones[i][0] == '+' ? phones[i] + 1 : phones[i];
        size_t d = strspn(p, "0123456789");
        if (d < 5 || d > 20 || p[d] || account(k, p) < 0)
            return wb_error_set(err, WB_EINVAL, 0, "'%s' is not a phone number", phones[i]);
        snprintf(jids[i], sizeof jids[i], "%s@s.whatsapp.net", p);
        list[i] = jids[i];
    }
    members_call *m = malloc(sizeof *m);
    if (!m)
        return wb_error_set(err, WB_ENOMEM, 0, "out of memory");
    *m = (members_call){k, done, ud};
    int rc = wb_client_group_participants(wb_client_host_client(k->you), k->target, action, list,
                                          n, members_done, m);
    wb_client_host_kick(k->you);
    if (rc < 0) {
        free(m);
        return wb_error_set(err, rc, 0, "%s", rc == WB_EINVAL ? "a bad action" : wb_strerror(rc));
    }
    k->calls++;
    touch(k);
    return 0;
}

int wb_devkit_settled(wb_devkit *k, unsigned quiet_ms) {
    if (!k->ready || k->you_uploading || k->you_acked < k->you_sent ||
        k->bot_got < k->bot_expects || k->calls)
        return 0;
    wb_session_stats ss;
    wb_session_stats_get(k->bot.session, &ss);
    wb_rt_stats rs;
    if (!k->bot.rt)
        return 1;
    wb_rt_stats_get(k->bot.rt, &rs);
    if (ss.upserts_pending || ss.sends_pending || rs.events_posted > rs.events_delivered + rs.events_dropped)
        return 0;
    if (k->you_got < ss.sends_ok)
        return 0; /* sent to you, not arrived yet */
    return now_ms() - k->last_activity_ms >= quiet_ms;
}

static void sim_closed(void *ud) {
    wb_devkit *k = ud;
    if (k->on_stopped)
        k->on_stopped(k->stopped_ud);
}

static void part_stopped(void *ud) {
    wb_devkit *k = ud;
    if (++k->parts_stopped < k->parts)
        return;
    if (k->sim)
        wb_sim_server_close(k->sim, sim_closed, k);
    else
        sim_closed(k);
}

void wb_devkit_stop(wb_devkit *k, void (*on_stopped)(void *ud), void *ud) {
    if (k->stopping)
        return;
    k->stopping = 1;
    k->on_stopped = on_stopped;
    k->stopped_ud = ud;
    k->parts = 1 + (k->bot.host != NULL) + (k->you != NULL); /* one held until both are asked */
    if (k->bot.host)
        wb_cli_bot_stop(&k->bot, part_stopped, k);
    if (k->you)
        wb_client_host_stop(k->you, part_stopped, k);
    part_stopped(k);
}

void wb_devkit_free(wb_devkit *k) {
    wb_cli_bot_free(&k->bot);
    wb_client_host_free(k->you);
    wb_sim_server_free(k->sim);
    wb_store_close(k->bot_store);
    wb_store_close(k->you_store);
    memset(k, 0, sizeof *k);
}
