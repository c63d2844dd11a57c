/* Fuzz target: the client's connection state machine after the handshake (host/client) fed
 * arbitrary frames from the server side: every stanza handler (success, failure, stream:error,
 * iq requests and answers, message, receipt, ack, notification, ib), the login steps, the
 * keepalive and timeouts, and raw bytes that are not even sealed.
 *
 * The server is a Noise responder (net/noise_conn.h) with a fixed certificate chain; the client
 * is a linked device on a fresh in-memory store. Input: records [mode u8][be16 length][bytes]:
 *   mode 0   the bytes go to the client as they are (a broken or hostile stream)
 *   mode 1   the bytes are a transport payload (flag byte + node), sealed and sent; "@N" as the
 *            value of an iq's id is replaced by the id of the client's N-th latest request, so
 *            answers reach the requests they answer (the harness reads what the client sends)
 *   mode 2   the clock moves by bytes[0] * 1000 ms (keepalive, IQ and send deadlines)
 *   mode 3   the client sends the bytes as a text to 15550002222 (bytes[0] odd) or to group
 *            120363000000000001 (even), so the answers that follow reach the send pipeline
 *   mode 4   the client makes the call bytes[0] names (client.h's group calls, onWhatsApp, a
 *            profile picture; the rest of the bytes is its text argument), so the answers that
 *            follow reach their readers (metadata, participant results, invites, usync contact,
 *            <picture>); each call must complete exactly once
 * until the input ends or the client closed the socket. Oracle: the sanitizers; the client must
 * then be freed cleanly, every call completed once. Seeds: tests/fuzz/make_client_corpus.mjs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/codec.h"
#include "client/client.h"
#include "core/log.h"
#include "net/noise_conn.h"
#include "noise_fixture.h"
#include "store/device_store.h"
#include "wb_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IDS 16

typedef struct harness {
    wb_client *c;
    wb_noise_conn *server;
    wb_buf to_server, to_client;
    int connect, closed;
    uint64_t now;
    char ids[IDS][48]; /* the client's latest IQ ids, newest first */
    wb_arena arena;
} harness;

static noise_fixture nf;

static void io_connect(void *ud) { ((harness *)ud)->connect = 1; }
static int io_send(void *ud, const uint8_t *p, size_t n) {
    return wb_buf_append(&((harness *)ud)->to_server, p, n);
}
static void io_close(void *ud, int abort, const char *why) { ((harness *)ud)->closed = 1; }
static void io_event(void *ud, const wb_client_event *ev) {
    harness *h = ud;
    if (ev->type == WB_CLIENT_EV_MESSAGES)
        wb_client_handled(h->c, ev->messages.seqs, ev->messages.n);
}
static uint64_t io_now(void *ud) { return ((harness *)ud)->now; }

/* Each call completes exactly once: counted here, checked at the end. */
static int calls_started, calls_done;
static void on_result(void *ud, int status, const wb_client_result *r) {
    (void)ud;
    calls_done++;
    /* read what a result claims to hold, as a consumer would */
    for (size_t i = 0; status == 0 && i < r->ngroups; i++)
        for (size_t k = 0; k < r->groups[i].nparticipants; k++)
            if (!r->groups[i].participants[k].id)
                abort();
    for (size_t i = 0; status == 0 && i < r->nmembers; i++)
        if (!r->members[i].jid)
            abort();
}

/* Mode 4: one of client.h's calls, with text as its argument. */
static void call(wb_client *c, uint8_t which, const char *text) {
    static const char *const G = "120363000000000001@g.us", *const U = "15550002222@s.whatsapp.net";
    const char *users[] = {U, "15550003333@s.whatsapp.net"};
    int rc;
    switch (which % 14) {
    case 0: rc = wb_client_group_create(c, *text ? text : "g", users, 2, on_result, NULL); break;
    case 1: rc = wb_client_group_metadata(c, G, on_result, NULL); break;
    case 2: rc = wb_client_group_participating(c, on_result, NULL); break;
    case 3: rc = wb_client_group_participants(c, G, "add", users, 2, on_result, NULL); break;
    case 4: rc = wb_client_group_participants(c, G, "remove", users, 1, on_result, NULL); break;
    case 5: rc = wb_client_group_subject(c, G, *text ? text : "s", on_result, NULL); break;
    case 6: rc = wb_client_group_description(c, G, *text ? text : NULL, on_result, NULL); break;
    case 7: rc = wb_client_group_leave(c, G, on_result, NULL); break;
    case 8: rc = wb_client_group_invite_code(c, G, which & 16, on_result, NULL); break;
    case 9: rc = wb_client_group_accept_invite(c, *text ? text : "code", on_result, NULL); break;
    case 10: rc = wb_client_group_setting(c, G, "announcement", on_result, NULL); break;
    case 11: rc = wb_client_on_whatsapp(c, users, 2, on_result, NULL); break;
    case 12: rc = wb_client_profile_picture_url(c, which & 16 ? G : U, which & 32, on_result, NULL); break;
    default: rc = wb_client_group_participants(c, G, "promote", users, 2, on_result, NULL); break;
    }
    if (rc == 0)
        calls_started++;
}
static const wb_client_io io = {io_connect, io_send, io_close, io_event, io_now};

/* The server side: remembers the ids of the client's requests. */
static int srv_send(void *ud, const uint8_t *p, size_t n) {
    return wb_buf_append(&((harness *)ud)->to_client, p, n);
}
static int srv_frame(void *ud, const uint8_t *p, size_t n) {
    harness *h = ud;
    wb_node *node;
    wb_arena_reset(&h->arena);
    if (wb_node_decode_payload(&h->arena, p, n, &node, NULL) == 0 && wb_node_is(node, "iq")) {
        const char *id = wb_node_attr(node, "id");
        if (id && (wb_node_attr_is(node, "type", "get") || wb_node_attr_is(node, "type", "set"))) {
            memmove(h->ids[1], h->ids[0], sizeof h->ids[0] * (IDS - 1));
            snprintf(h->ids[0], sizeof h->ids[0], "%s", id);
        }
    }
    return 0;
}
static const wb_noise_conn_callbacks srv_cb = {.send = srv_send, .on_frame = srv_frame};

static void pump(harness *h) {
    for (int round = 0; round < 64 && (h->to_server.len || h->to_client.len); round++) {
        if (h->to_server.len) {
            wb_buf b = h->to_server;
            h->to_server = (wb_buf)WB_BUF_INIT;
            wb_noise_conn_feed(h->server, b.data, b.len, NULL);
            wb_buf_free(&b);
        }
        if (h->to_client.len && !h->closed) {
            wb_buf b = h->to_client;
            h->to_client = (wb_buf)WB_BUF_INIT;
            wb_client_feed(h->c, b.data, b.len, h->now);
            wb_buf_free(&b);
        }
        h->to_client.len = h->closed ? 0 : h->to_client.len;
    }
}

/* A transport payload with "@N" ids replaced, sealed for the client. */
static void send_payload(harness *h, const uint8_t *p, size_t n) {
    wb_node *node;
    wb_arena a;
    wb_arena_init(&a, 0);
    wb_buf out = WB_BUF_INIT;
    if (wb_node_decode_payload(&a, p, n, &node, NULL) == 0) {
        const char *id = wb_node_attr(node, "id");
        if (id && id[0] == '@' && id[1] >= '0' && id[1] <= '9' && !id[2])
            wb_node_set(node, "id", h->ids[id[1] - '0']);
        if (wb_node_encode_payload(node, &out) == 0)
            wb_noise_conn_send(h->server, out.data, out.len);
    } else {
        wb_noise_conn_send(h->server, p, n); /* undecodable: the client must refuse it */
    }
    wb_buf_free(&out);
    wb_arena_free(&a);
}

/* A store whose device is linked as 15550001111:1 (the fuzz input decides what the server
 * says of it). */
static wb_store *linked_store(void) {
    wb_store *st;
    if (wb_store_open(&st, ":memory:", 0, NULL) < 0)
        abort();
    wb_device_row d = {.state = WB_DEVICE_LINKED, .key_index = 1, .linked_at = 1700000000};
    memcpy(d.noise_pub, nf.client.pub, 32);
    memcpy(d.noise_priv, nf.client.priv, 32);
    snprintf(d.jid, sizeof d.jid, "15550001111:1@s.whatsapp.net");
    snprintf(d.lid, sizeof d.lid, "100000000000001:1@lid");
    snprintf(d.name, sizeof d.name, "Fuzz");
    static const uint8_t details[] = {0x08, 0x01, 0x10, 0x01, 0x18, 0x01}; /* rawId, ts, keyIndex */
    memcpy(d.adv_details, details, sizeof details);
    d.adv_details_len = sizeof details;
    if (wb_store_device_put(st, &d) < 0)
        abort();
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        noise_fixture_init(&nf);
        wb_log_set_level(WB_LOG_OFF);
        ready = 1;
    }
    harness h = {.now = 1700000000000ull};
    wb_arena_init(&h.arena, 0);
    wb_store *st = linked_store();
    wb_client_config cfg = {.store = st, .root_pub = nf.root.pub, .no_reconnect = 1};
    if (wb_client_new(&h.c, &cfg, &io, &h) < 0)
        abort();
    wb_noise_responder_cfg rc = {&nf.server, nf.chain.data, nf.chain.len, NULL};
    if (wb_noise_conn_new_responder(&h.server, &rc, &srv_cb, &h) < 0)
        abort();
    wb_client_start(h.c, h.now);
    if (h.connect)
        wb_client_on_open(h.c, h.now);
    pump(&h); /* the handshake */
    wb_reader r;
    wb_reader_init(&r, data, size);
    while (wb_rd_remaining(&r) >= 3 && !h.closed) {
        uint8_t mode = wb_rd_u8(&r);
        uint16_t n = wb_rd_be16(&r);
        const uint8_t *p = wb_rd_bytes(&r, n);
        if (!p)
            break;
        if (mode % 5 == 4 && n) {
            char text[64];
            snprintf(text, sizeof text, "%.*s", (int)(n - 1 < 60 ? n - 1 : 60), (const char *)p + 1);
            call(h.c, p[0], text);
        } else if (mode % 5 == 0) {
            wb_client_feed(h.c, p, n, h.now);
        } else if (mode % 5 == 1) {
            send_payload(&h, p, n);
        } else if (mode % 5 == 2 && n) {
            h.now += (uint64_t)p[0] * 1000;
            wb_client_tick(h.c, h.now);
        } else if (mode % 5 == 3 && n) {
            char text[64];
            snprintf(text, sizeof text, "%.*s", (int)(n < 60 ? n : 60), (const char *)p);
            Wa__Message m = WA__MESSAGE__INIT;
            m.conversation = text;
            wb_client_send_message(h.c, p[0] & 1 ? "15550002222@s.whatsapp.net"
                                                  : "120363000000000001@g.us",
                                   &m, NULL, NULL, NULL);
        }
        pump(&h);
    }
    if (!h.closed)
        wb_client_stop(h.c, h.now);
    wb_client_on_close(h.c, h.now, "fuzz input over");
    wb_client_free(h.c);
    if (calls_done != calls_started) /* each call completed once, by the end at the latest */
        abort();
    calls_done = calls_started = 0;
    wb_noise_conn_free(h.server);
    wb_store_close(st);
    wb_buf_free(&h.to_server);
    wb_buf_free(&h.to_client);
    wb_arena_free(&h.arena);
    return 0;
}
