/* host/client against the simulator's core, in memory (client_fixture.h): linking by QR and by
 * pairing code, logging in with stored credentials, keepalive, and what each way a connection
 * ends leads to. The Baileys side of these is in tests/interop/client_*.test.mjs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "check.h"
#include "core/log.h"
#include "client_fixture.h"
#include "sim/sim_int.h"
#include "store/device_store.h"

static int count_events(const cl_fx *h, int type) {
    int n = 0;
    for (int i = 0; i < h->nevents; i++)
        n += h->types[i] == type;
    return n;
}

static void test_client_links_by_qr_and_logs_in(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, &(wb_client_config){.info = {.push_name = "Bot"}});
    CHECK_EQ(wb_client_is_linked(a->c), 0);
    CHECK_EQ(cl_link_qr(&fx, a, "15550001111", "Alice"), 200);
    CHECK(strncmp(a->qr, "https://wa.me/settings/linked_devices#2@", 40) == 0);
    CHECK_EQ(a->linked, 1);
    CHECK_EQ(a->opened, 1);
    CHECK_EQ(wb_client_is_open(a->c), 1);
    CHECK_STR(wb_client_jid(a->c), "15550001111:1@s.whatsapp.net");
    CHECK(strstr(wb_client_lid(a->c), "@lid") != NULL);
    CHECK_STR(wb_client_name(a->c), "Alice");
    /* one close (the 515 after linking), reconnected at once, not final */
    CHECK_EQ(a->closed, 1);
    CHECK_EQ(a->last_reason, 515);
    CHECK_EQ(a->last_final, 0);
    /* the login steps reached the server: 812 prekeys uploaded, the queue opened */
    CHECK_EQ(fx_counter(&fx, "prekeys.uploaded"), 812);
    CHECK_EQ(fx_counter(&fx, "logins.ok"), 1);
    CHECK_EQ(fx_counter(&fx, "iqs.in.passive"), 1);
    wb_device_row d;
    CHECK_EQ(wb_store_device_get(a->st, &d), 0);
    CHECK_EQ(d.state, WB_DEVICE_LINKED);
    CHECK_EQ(d.key_index, 1);
    /* a second process on the same store logs in with what was stored, without uploading */
    wb_store *st = a->st;
    a->own_store = 0;
    cl_free(a);
    cl_fx *b = cl_new(&fx, st, NULL);
    CHECK_EQ(wb_client_is_linked(b->c), 1);
    cl_start(b);
    cl_run(&fx);
    CHECK_EQ(b->opened, 1);
    CHECK_EQ(b->linked, 0);
    CHECK_EQ(fx_counter(&fx, "logins.ok"), 2);
    CHECK_EQ(fx_counter(&fx, "prekeys.uploaded"), 812);
    cl_free(b);
    wb_store_close(st);
    sim_fx_free(&fx);
}

static void test_client_links_by_pairing_code(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, &(wb_client_config){.pair_phone = "15550002222"});
    cl_start(a);
    cl_run(&fx);
    CHECK_EQ(strlen(a->code), 9);
    CHECK_EQ(a->code[4], '-');
    CHECK(a->qr[0] == '\0'); /* no QR in code mode */
    char body[128];
    snprintf(body, sizeof body, "{\"phone\": \"15550002222\", \"code\": \"%s\"}", a->code);
    fx_reply r;
    fx_http(&fx, "POST", "/admin/mock-phone/enter-code", NULL, body, &r);
    cl_run(&fx);
    CHECK_EQ(r.status, 200);
    CHECK_EQ(a->linked, 1);
    CHECK_EQ(a->opened, 1);
    CHECK_STR(wb_client_jid(a->c), "15550002222:1@s.whatsapp.net");
    cl_free(a);
    sim_fx_free(&fx);
}

static void test_client_qr_rotates_then_gives_up(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, NULL);
    cl_start(a);
    cl_run(&fx);
    CHECK_EQ(count_events(a, WB_CLIENT_EV_QR), 1);
    cl_advance(&fx, 59000);
    CHECK_EQ(count_events(a, WB_CLIENT_EV_QR), 1);
    cl_advance(&fx, 1000);
    CHECK_EQ(count_events(a, WB_CLIENT_EV_QR), 2);
    cl_advance(&fx, 4 * 20000);
    CHECK_EQ(count_events(a, WB_CLIENT_EV_QR), 6);
    CHECK_EQ(a->closed, 0);
    cl_advance(&fx, 20000);
    CHECK_EQ(a->closed, 1);
    CHECK_EQ(a->last_reason, 408);
    CHECK_EQ(a->last_final, 1); /* stopped: no reconnection */
    cl_advance(&fx, 120000);
    CHECK_EQ(fx_counter(&fx, "handshakes.total"), 1);
    cl_free(a);
    sim_fx_free(&fx);
}

/* A linked, logged-in client (phone), its store kept by the caller. */
static cl_fx *linked(sim_fx *fx, const char *phone) {
    cl_fx *h = cl_new(fx, NULL, NULL);
    if (cl_link_qr(fx, h, phone, NULL) != 200 || !wb_client_is_open(h->c))
        return NULL;
    return h;
}

static void test_client_keepalive_notices_a_dead_socket_and_reconnects(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = linked(&fx, "15550003333");
    CHECK(a != NULL);
    if (!a)
        goto out;
    int64_t pings = fx_counter(&fx, "iqs.in.w:p");
    cl_advance(&fx, 20000);
    CHECK_EQ(fx_counter(&fx, "iqs.in.w:p"), pings + 1); /* a ping every 20 s */
    /* the server goes silent: nothing it sends arrives any more */
    a->mute = 1;
    uint64_t t0 = fx.now_ms;
    while (a->closed < 2 && fx.now_ms - t0 < 60000)
        cl_advance(&fx, 1000);
    CHECK_EQ(a->last_reason, 408);
    CHECK(fx.now_ms - t0 <= 31000); /* noticed within the 30 s deadline */
    cl_advance(&fx, 2000);          /* the first retry comes after ~1 s of backoff */
    CHECK_EQ(wb_client_is_open(a->c), 1);
    CHECK_EQ(a->opened, 2);
out:
    if (a)
        cl_free(a);
    sim_fx_free(&fx);
}

/* The device's connection in the simulator. */
static char *device_jid(cl_fx *h) { return (char *)wb_client_jid(h->c); }

static void fault(sim_fx *fx, cl_fx *h, const char *action, int code) {
    char body[256];
    snprintf(body, sizeof body, "{\"device\": \"%s\", \"action\": \"%s\", \"code\": %d}",
             device_jid(h), action, code);
    fx_reply r;
    fx_http(fx, "POST", "/admin/fault", NULL, body, &r);
    CHECK_EQ(r.status, 200);
    cl_run(fx);
}

static void test_client_disconnect_reasons(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = linked(&fx, "15550004444");
    CHECK(a != NULL);
    if (!a)
        goto out;
    /* 503: back at once */
    fault(&fx, a, "stream-error", 503);
    CHECK_EQ(a->last_reason, 503);
    CHECK_EQ(wb_client_is_open(a->c), 1);
    CHECK_EQ(a->opened, 2);
    /* 515: back at once */
    fault(&fx, a, "stream-error", 515);
    CHECK_EQ(a->last_reason, 515);
    CHECK_EQ(wb_client_is_open(a->c), 1);
    /* a plain close (428): back after a backoff */
    fault(&fx, a, "close", 0);
    CHECK_EQ(a->last_reason, 428);
    CHECK_EQ(wb_client_is_open(a->c), 0);
    cl_advance(&fx, 1300);
    CHECK_EQ(wb_client_is_open(a->c), 1);
    /* 440: another login as this device replaces us; we stop */
    fx_client *keys = calloc(1, sizeof *keys);
    wb_device_row d;
    CHECK_EQ(wb_store_device_get(a->st, &d), 0);
    memcpy(keys->noise_key.pub, d.noise_pub, 32);
    memcpy(keys->noise_key.priv, d.noise_priv, 32);
    snprintf(keys->phone, sizeof keys->phone, "15550004444");
    keys->device = 1;
    fx_client *thief = fx_login(&fx, keys);
    cl_run(&fx);
    CHECK(fx_next(thief, "success") != NULL);
    CHECK_EQ(a->last_reason, 440);
    CHECK_EQ(a->last_final, 1);
    cl_advance(&fx, 120000);
    CHECK_EQ(wb_client_is_open(a->c), 0);
    free(keys);
out:
    if (a)
        cl_free(a);
    sim_fx_free(&fx);
}

static void test_client_logged_out_by_the_phone_stops_and_remembers(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = linked(&fx, "15550005555");
    CHECK(a != NULL);
    if (!a)
        goto out;
    char body[200];
    snprintf(body, sizeof body, "{\"device\": \"%s\"}", device_jid(a));
    fx_reply r;
    fx_http(&fx, "POST", "/admin/mock-phone/unlink", NULL, body, &r);
    cl_run(&fx);
    CHECK_EQ(r.status, 200);
    CHECK_EQ(a->last_reason, 401);
    CHECK_EQ(a->last_final, 1);
    wb_device_row d;
    CHECK_EQ(wb_store_device_get(a->st, &d), 0);
    CHECK_EQ(d.state, WB_DEVICE_LOGGED_OUT);
    cl_advance(&fx, 120000);
    CHECK_EQ(fx_counter(&fx, "handshakes.login"), 1);
    /* a restart on this store refuses to connect */
    CHECK_EQ(cl_start(a), WB_ESTATE);
out:
    if (a)
        cl_free(a);
    sim_fx_free(&fx);
}

static void test_client_one_to_one_both_ways_with_receipts(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, NULL), *b = cl_new(&fx, NULL, NULL);
    CHECK_EQ(cl_link_qr(&fx, a, "15550001111", "Alice"), 200);
    CHECK_EQ(cl_link_qr(&fx, b, "15550002222", "Bob"), 200);
    cl_sent sa, sb;
    CHECK_EQ(cl_send_text(a, "15550002222@s.whatsapp.net", "hello bob", &sa), 0);
    cl_run(&fx);
    CHECK_EQ(sa.done, 1);
    CHECK_EQ(sa.status, 0);
    CHECK(sa.t > 0);
    CHECK_EQ(cl_count_text(b, "hello bob"), 1);
    if (b->nmsgs) {
        cl_msg *m = &b->msgs[b->nmsgs - 1];
        CHECK_STR(m->chat, "15550001111@s.whatsapp.net");
        CHECK_STR(m->id, sa.id);
        CHECK_STR(m->push_name, "Alice");
        CHECK_EQ(m->append, 0);
    }
    /* a's own copy (append), then delivered (3) when b's receipt came back */
    CHECK_EQ(a->nmsgs, 1);
    CHECK_EQ(a->msgs[0].from_me, 1);
    CHECK_EQ(a->msgs[0].append, 1);
    CHECK_EQ(a->statuses[3], 1);
    CHECK_EQ(cl_send_text(b, "15550001111@s.whatsapp.net", "hi alice", &sb), 0);
    cl_run(&fx);
    CHECK_EQ(sb.status, 0);
    CHECK_EQ(cl_count_text(a, "hi alice"), 1);
    /* a reads b's message: b sees status 4 */
    wb_client_key k = {.remote_jid = "15550002222@s.whatsapp.net", .id = sb.id};
    CHECK_EQ(wb_client_read(a->c, &k, 1), 0);
    cl_run(&fx);
    CHECK_EQ(b->statuses[4], 1);
    /* 20 more each way: all arrive, once, in order */
    char text[32];
    cl_sent s[20];
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "a%d", i);
        cl_send_text(a, "15550002222@s.whatsapp.net", text, &s[i]);
    }
    cl_run(&fx);
    int order = 1;
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "a%d", i);
        CHECK_EQ(cl_count_text(b, text), 1);
        CHECK_EQ(s[i].status, 0);
        order &= b->nmsgs >= 22 && strcmp(b->msgs[b->nmsgs - 20 + (size_t)i].text, text) == 0;
    }
    CHECK(order);
    cl_free(a);
    cl_free(b);
    sim_fx_free(&fx);
}

/* Sends made in one loop turn leave together at the client's next tick, in one durable commit
 * (one fsync on a disk, not one per message), and in order. The hooks number the transactions
 * committed and note in which one each message row was inserted. */
typedef struct tx_log {
    int commits;
    int rows, first_tx, last_tx; /* rows inserted into messages, and their transactions */
} tx_log;

static int tx_commit(void *ud) {
    ((tx_log *)ud)->commits++;
    return 0; /* 0: let the commit go on */
}

static void tx_row(void *ud, int op, const char *db, const char *table, sqlite3_int64 rowid) {
    (void)db;
    (void)rowid;
    tx_log *t = ud;
    if (op != SQLITE_INSERT || strcmp(table, "messages") != 0)
        return;
    if (t->rows++ == 0)
        t->first_tx = t->commits;
    t->last_tx = t->commits;
}

static void test_client_sends_of_one_turn_share_one_durable_commit(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, NULL), *b = cl_new(&fx, NULL, NULL);
    CHECK_EQ(cl_link_qr(&fx, a, "15550007777", "A"), 200);
    CHECK_EQ(cl_link_qr(&fx, b, "15550008888", "B"), 200);
    cl_sent first, s[10];
    CHECK_EQ(cl_send_text(a, "15550008888@s.whatsapp.net", "devices and sessions", &first), 0);
    cl_run(&fx);
    CHECK_EQ(first.status, 0);
    tx_log t = {0};
    sqlite3 *db = wb_store_db(a->st);
    sqlite3_commit_hook(db, tx_commit, &t);
    sqlite3_update_hook(db, tx_row, &t);
    char text[32];
    for (int i = 0; i < 10; i++) {
        snprintf(text, sizeof text, "turn %d", i);
        CHECK_EQ(cl_send_text(a, "15550008888@s.whatsapp.net", text, &s[i]), 0);
    }
    /* nothing written or sent from inside the calls; the tick is due at once */
    CHECK_EQ(t.commits, 0);
    CHECK_EQ(t.rows, 0);
    CHECK_EQ(a->net.to_server.len, 0);
    CHECK(wb_client_deadline(a->c) <= fx.now_ms);
    /* one tick: the ten rows in the first transaction it commits, and the stanzas out */
    wb_client_tick(a->c, fx.now_ms);
    CHECK_EQ(t.rows, 10);
    CHECK_EQ(t.first_tx, 0);
    CHECK_EQ(t.last_tx, 0);
    CHECK(t.commits >= 1);
    CHECK(a->net.to_server.len > 0);
    sqlite3_commit_hook(db, NULL, NULL);
    sqlite3_update_hook(db, NULL, NULL);
    cl_run(&fx);
    int order = b->nmsgs >= 11;
    for (int i = 0; i < 10; i++) {
        snprintf(text, sizeof text, "turn %d", i);
        CHECK_EQ(cl_count_text(b, text), 1);
        CHECK_EQ(s[i].done, 1);
        CHECK_EQ(s[i].status, 0);
        order &= b->nmsgs >= 11 && strcmp(b->msgs[b->nmsgs - 10 + (size_t)i].text, text) == 0;
    }
    CHECK(order);
    cl_free(a);
    cl_free(b);
    sim_fx_free(&fx);
}

static void test_client_offline_backlog_arrives_once_as_append(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, NULL), *b = cl_new(&fx, NULL, NULL);
    CHECK_EQ(cl_link_qr(&fx, a, "15550003333", "A"), 200);
    CHECK_EQ(cl_link_qr(&fx, b, "15550004444", "B"), 200);
    wb_client_stop(b->c, fx.now_ms);
    cl_run(&fx);
    CHECK_EQ(wb_client_is_open(b->c), 0);
    cl_sent s[30];
    char text[32];
    for (int i = 0; i < 30; i++) {
        snprintf(text, sizeof text, "offline %d", i);
        cl_send_text(a, "15550004444@s.whatsapp.net", text, &s[i]);
    }
    cl_run(&fx);
    CHECK_EQ(s[29].status, 0);
    CHECK_EQ(b->nmsgs, 0);
    /* b comes back on the same store: the backlog, in order, as append, once */
    wb_store *st = b->st;
    b->own_store = 0;
    cl_free(b);
    b = cl_new(&fx, st, NULL);
    cl_start(b);
    cl_run(&fx);
    CHECK_EQ(b->nmsgs, 30);
    for (size_t i = 0; i < b->nmsgs && i < 30; i++) {
        snprintf(text, sizeof text, "offline %zu", i);
        CHECK_STR(b->msgs[i].text, text);
        CHECK_EQ(b->msgs[i].append, 1);
        CHECK_EQ(b->msgs[i].replay, 0);
    }
    CHECK_EQ(count_events(b, WB_CLIENT_EV_BACKLOG_DONE), 1);
    CHECK_EQ(a->statuses[3], 30);
    /* and a second run surfaces nothing */
    cl_free(b);
    b = cl_new(&fx, st, NULL);
    cl_start(b);
    cl_run(&fx);
    CHECK_EQ(b->nmsgs, 0);
    cl_free(b);
    wb_store_close(st);
    cl_free(a);
    sim_fx_free(&fx);
}

static void test_client_unhandled_messages_come_back_after_a_crash(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *a = cl_new(&fx, NULL, NULL), *b = cl_new(&fx, NULL, NULL);
    CHECK_EQ(cl_link_qr(&fx, a, "15550005555", "A"), 200);
    CHECK_EQ(cl_link_qr(&fx, b, "15550006666", "B"), 200);
    b->auto_handled = 0; /* the consumer dies before it says it handled them */
    cl_sent s[5];
    for (int i = 0; i < 5; i++)
        cl_send_text(a, "15550006666@s.whatsapp.net", "unhandled", &s[i]);
    cl_run(&fx);
    CHECK_EQ(cl_count_text(b, "unhandled"), 5);
    wb_store *st = b->st;
    b->own_store = 0;
    cl_free(b);
    b = cl_new(&fx, st, NULL);
    cl_start(b);
    CHECK_EQ(b->nmsgs, 5); /* at start, before any connection */
    for (size_t i = 0; i < b->nmsgs; i++)
        CHECK_EQ(b->msgs[i].replay, 1);
    cl_run(&fx);
    CHECK_EQ(b->nmsgs, 5); /* the server has nothing more: they were acknowledged */
    cl_free(b);
    b = cl_new(&fx, st, NULL);
    cl_start(b);
    CHECK_EQ(b->nmsgs, 0); /* handled this time */
    cl_free(b);
    wb_store_close(st);
    cl_free(a);
    sim_fx_free(&fx);
}

static void test_client_group_messages_reach_every_member(void) {
    sim_fx fx;
    sim_fx_init(&fx, NULL);
    cl_fx *m[3];
    const char *phones[3] = {"15550011111", "15550022222", "15550033333"};
    for (int i = 0; i < 3; i++) {
        m[i] = cl_new(&fx, NULL, NULL);
        CHECK_EQ(cl_link_qr(&fx, m[i], phones[i], "Member"), 200);
    }
    fx_reply r;
    fx_http(&fx, "POST", "/admin/groups", NULL,
            "{\"subject\": \"Team\", \"creator\": \"15550011111\", "
            "\"participants\": [\"15550022222\", \"15550033333\"]}", &r);
    cl_run(&fx);
    CHECK_EQ(r.status, 200);
    char gid[64] = "";
    const char *j = strstr(r.body, "\"jid\"");
    if (j)
        sscanf(j, "\"jid\": \"%63[^\"]\"", gid);
    CHECK(strstr(gid, "@g.us") != NULL);
    cl_sent s0, s1, s2;
    CHECK_EQ(cl_send_text(m[0], gid, "hello team", &s0), 0);
    cl_run(&fx);
    CHECK_EQ(s0.status, 0);
    CHECK_EQ(cl_count_text(m[1], "hello team"), 1);
    CHECK_EQ(cl_count_text(m[2], "hello team"), 1);
    if (m[1]->nmsgs) {
        cl_msg *g = &m[1]->msgs[m[1]->nmsgs - 1];
        CHECK_STR(g->chat, gid);
        CHECK_STR(g->participant, "15550011111@s.whatsapp.net"); /* the user, as Baileys */
    }
    /* the second message carries no distribution: the members have the sender key */
    int64_t before = fx_counter(&fx, "messages.deliveries");
    CHECK_EQ(cl_send_text(m[0], gid, "again", &s1), 0);
    cl_run(&fx);
    CHECK_EQ(cl_count_text(m[1], "again"), 1);
    CHECK_EQ(cl_count_text(m[2], "again"), 1);
    CHECK(fx_counter(&fx, "messages.deliveries") > before);
    /* another member answers in the group */
    CHECK_EQ(cl_send_text(m[2], gid, "from carol", &s2), 0);
    cl_run(&fx);
    CHECK_EQ(s2.status, 0);
    CHECK_EQ(cl_count_text(m[0], "from carol"), 1);
    CHECK_EQ(cl_count_text(m[1], "from carol"), 1);
    /* a group we are not in */
    cl_sent bad;
    CHECK_EQ(cl_send_text(m[0], "120363999999999999@g.us", "nobody", &bad), 0);
    cl_run(&fx);
    CHECK_EQ(bad.done, 1);
    CHECK(bad.status < 0);
    for (int i = 0; i < 3; i++)
        cl_free(m[i]);
    sim_fx_free(&fx);
}

int main(void) {
    wb_crypto_init();
    wb_log_set_level(WB_LOG_WARN);
    RUN(test_client_links_by_qr_and_logs_in);
    RUN(test_client_links_by_pairing_code);
    RUN(test_client_qr_rotates_then_gives_up);
    RUN(test_client_keepalive_notices_a_dead_socket_and_reconnects);
    RUN(test_client_disconnect_reasons);
    RUN(test_client_logged_out_by_the_phone_stops_and_remembers);
    RUN(test_client_one_to_one_both_ways_with_receipts);
    RUN(test_client_sends_of_one_turn_share_one_durable_commit);
    RUN(test_client_offline_backlog_arrives_once_as_append);
    RUN(test_client_unhandled_messages_come_back_after_a_crash);
    RUN(test_client_group_messages_reach_every_member);
    return check_summary();
}
