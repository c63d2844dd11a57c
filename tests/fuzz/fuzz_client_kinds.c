/* Fuzz target: message kinds as a hostile peer sends them (host/client kinds.c, view.c, wa/poll):
 * reactions, edits, revokes, votes (opened with a poll's secret), disappearing timers, and
 * whatever else a Message may hold, applied to a store that holds polls and texts, their events
 * made and consumed, every stored row described and every poll tallied; and the same bytes as a
 * search query.
 *
 * Input: byte 0 picks who sends and where (bits 0-1: the 1:1 peer, a group member, ourselves in
 * the 1:1 chat, ourselves in the group; bit 2: the stanza said edit="8"), the rest is the
 * Message. The store starts each input the same (everything an input writes is rolled back):
 * polls by us and by the peer with the secret 01..20 (hex), texts by the peer and a member, one
 * reaction already applied. Oracles: the sanitizers; the events' fields are read whole; the
 * rows stay decodable. Seeds: tests/fuzz/make_kinds_corpus.mjs (Baileys' shapes, votes sealed
 * as WhatsApp seals them, including for the stored polls). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"
#include "crypto/random.h"
#include "store/device_store.h"
#include "store/message_store.h"
#include "wb_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ME "15550001111@s.whatsapp.net"
#define PEER "15550002222@s.whatsapp.net"
#define MEMBER "15550003333@s.whatsapp.net"
#define GROUP "120363000000000001@g.us"

static wb_client *C;
static wb_store *ST;
static volatile size_t sink;

static void io_connect(void *ud) {}
static int io_send(void *ud, const uint8_t *p, size_t n) { return 0; }
static void io_close(void *ud, int abort, const char *why) {}

static size_t key_len(const wb_client_key *k) {
    return strlen(k->remote_jid) + strlen(k->id) + (k->participant ? strlen(k->participant) : 0);
}

/* Reads every field of the kinds' events, as a consumer would. */
static void io_event(void *ud, const wb_client_event *ev) {
    size_t n = 0;
    switch (ev->type) {
    case WB_CLIENT_EV_MESSAGE_UPDATE:
        for (size_t i = 0; i < ev->updates.n; i++) {
            const wb_client_update *u = &ev->updates.updates[i];
            n += key_len(&u->key) + key_len(&u->by);
            for (size_t k = 0; k < u->nselected * 32; k++)
                n += u->selected[k];
            if (u->kind == WB_CLIENT_UPDATE_EDIT) {
                Wa__Message *m;
                if (wb_proto_unpack(&wa__message__descriptor, u->message, u->message_len, 0, &m,
                                    NULL) != 0)
                    abort(); /* the client packed it */
                wb_proto_free(m);
            }
            wb_buf b = WB_BUF_INIT;
            if (u->kind == WB_CLIENT_UPDATE_POLL_VOTE && wb_client_poll_update_pack(u, &b) < 0)
                abort();
            wb_buf_free(&b);
        }
        break;
    case WB_CLIENT_EV_REACTION:
        for (size_t i = 0; i < ev->reactions.n; i++)
            n += key_len(&ev->reactions.reactions[i].key) + key_len(&ev->reactions.reactions[i].by) +
                 strlen(ev->reactions.reactions[i].text);
        break;
    case WB_CLIENT_EV_CHATS_UPDATE:
        for (size_t i = 0; i < ev->chats.n; i++)
            n += strlen(ev->chats.chats[i].id) + ev->chats.chats[i].ephemeral_expiration;
        break;
    default:
        break;
    }
    sink += n;
}
static const wb_client_io io = {io_connect, io_send, io_close, io_event, NULL};

/* Stores a message as received (or sent, from_me) and applies it. */
static int64_t put(const char *chat, const char *sender, int from_me, const char *id,
                   const Wa__Message *msg, int admin) {
    Wa__WebMessageInfo info = WA__WEB_MESSAGE_INFO__INIT;
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = (char *)chat;
    key.has_fromme = 1;
    key.fromme = from_me;
    key.id = (char *)id;
    if (strstr(chat, "@g.us") && !from_me)
        key.participant = (char *)sender;
    info.key = &key;
    info.message = (Wa__Message *)msg;
    info.has_messagetimestamp = 1;
    info.messagetimestamp = 1700000000;
    wb_buf b = WB_BUF_INIT;
    int64_t seq = 0;
    if (wb_proto_pack(&info, &b) < 0)
        abort();
    wb_message_row row = {.chat = chat, .sender = sender, .id = id, .from_me = from_me,
                          .ts = 1700000000, .text = wb_client_message_text(msg), .info = b.data,
                          .info_len = b.len, .target = wb_client_kinds_target(msg)};
    int rc = wb_store_message_add(ST, &row, 1, &seq);
    if (rc == 0 && wb_client_kinds_apply(C, &info, admin) < 0)
        rc = -1;
    if (rc == 0) {
        wb_client_kinds_emit(C, &info);
        wb_client_flush_events(C);
    }
    wb_buf_free(&b);
    return rc == 0 ? seq : rc;
}

static void setup(void) {
    wb_log_set_level(getenv("FUZZ_KINDS_LOG") ? WB_LOG_DEBUG : WB_LOG_ERROR);
    if (wb_crypto_init() < 0 || wb_store_open(&ST, ":memory:", 0, NULL) < 0)
        abort();
    wb_client_config cfg = {.store = ST};
    if (wb_client_new(&C, &cfg, &io, NULL) < 0)
        abort();
    wb_device_row d;
    if (wb_store_device_get(ST, &d) < 0)
        abort();
    snprintf(d.jid, sizeof d.jid, "15550001111:1@s.whatsapp.net");
    snprintf(d.lid, sizeof d.lid, "100000000000001:1@lid");
    snprintf(d.name, sizeof d.name, "Me");
    wb_client_free(C);
    if (wb_store_device_put(ST, &d) < 0 || wb_client_new(&C, &cfg, &io, NULL) < 0)
        abort();
    /* what the inputs act on */
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)(i + 1);
    static const char *const values[] = {"pizza", "sushi", "salad"};
    wb_client_content poll = {.poll = {.name = "lunch?", .values = values, .n = 3,
                                       .secret = secret}};
    wb_client_content text = {.text = "see you at eight"};
    struct {
        const char *chat, *sender, *id;
        int from_me;
        const wb_client_content *in;
    } rows[] = {
        {GROUP, ME, "3EB0POLLME", 1, &poll},  {PEER, PEER, "3EB0POLLPEER", 0, &poll},
        {PEER, PEER, "3EB0TEXT", 0, &text},   {GROUP, MEMBER, "3EB0GTEXT", 0, &text},
        {PEER, ME, "3EB0MINE", 1, &text},
    };
    wb_store_begin(ST);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        Wa__Message *m;
        if (wb_client_content_build(C, rows[i].chat, rows[i].in, &m, NULL) < 0)
            abort();
        if (put(rows[i].chat, rows[i].sender, rows[i].from_me, rows[i].id, m, 0) < 0)
            abort();
        wb_proto_free(m);
    }
    Wa__MessageKey k = WA__MESSAGE_KEY__INIT;
    k.remotejid = PEER;
    k.has_fromme = 1;
    k.id = "3EB0MINE";
    k.fromme = 0;
    wb_client_content react = {.react = {.key = &k, .text = "👍"}};
    Wa__Message *m;
    if (wb_client_content_build(C, PEER, &react, &m, NULL) < 0 ||
        put(PEER, PEER, 0, "3EB0REACT", m, 0) < 0)
        abort();
    wb_proto_free(m);
    if (wb_store_commit(ST) < 0)
        abort();
}

static int describe_row(void *ud, const wb_message_row *row) {
    Wa__WebMessageInfo *m;
    if (wb_proto_unpack(&wa__web_message_info__descriptor, row->info, row->info_len, 0, &m,
                        NULL) < 0)
        abort(); /* a row kinds.c rewrote must decode */
    char line[512];
    sink += strlen(wb_client_message_describe(m, line, sizeof line));
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_client_poll_option *o;
    size_t n;
    if (wb_client_poll_tally(m, ME, &a, &o, &n) == 0)
        for (size_t i = 0; i < n; i++)
            sink += strlen(o[i].name) + o[i].nvoters;
    wb_arena_free(&a);
    wb_proto_free(m);
    return 0;
}

static int count_row(void *ud, const wb_message_row *row) {
    sink += row->info_len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!C)
        setup();
    if (size < 1)
        return 0;
    /* the bytes as a search query (the CLI's words), in and out of a chat */
    char query[256];
    size_t qn = size < sizeof query ? size : sizeof query - 1;
    memcpy(query, data, qn);
    query[qn] = '\0';
    wb_message_search s = {.query = query, .limit = 5};
    if (wb_store_messages_search(ST, &s, count_row, NULL) == WB_ESTORE)
        abort();
    s.chat = GROUP;
    s.sender = MEMBER;
    if (wb_store_messages_search(ST, &s, count_row, NULL) == WB_ESTORE)
        abort();

    Wa__Message *msg;
    if (wb_proto_unpack(&wa__message__descriptor, data + 1, size - 1, 0, &msg, NULL) < 0)
        return 0;
    static const struct {
        const char *chat, *sender;
        int from_me;
    } who[4] = {{PEER, PEER, 0}, {GROUP, MEMBER, 0}, {PEER, ME, 1}, {GROUP, ME, 1}};
    int w = data[0] & 3, admin = (data[0] >> 2) & 1;
    if (wb_store_begin(ST) < 0)
        abort();
    if (put(who[w].chat, who[w].sender, who[w].from_me, "3EB0FUZZ", msg, admin) < 0)
        abort(); /* nothing a peer sends may fail the store */
    wb_message_query q = {0};
    wb_store_messages_each(ST, &q, describe_row, NULL);
    wb_store_rollback(ST);
    wb_proto_free(msg);
    return 0;
}
