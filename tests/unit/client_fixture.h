/* wabot clients (host/client) against the simulator's core, in memory: a host for wb_client
 * that moves bytes between it and a wb_sim_conn and runs a fake clock. Test code only.
 *
 *     sim_fx fx; sim_fx_init(&fx, NULL);
 *     cl_fx *a = cl_new(&fx, NULL);          // a client on a fresh in-memory store
 *     cl_start(a);  cl_run(&fx);             // runs until nothing moves and no deadline is due
 *     cl_link_qr(&fx, a, "15550001111");     // scans its QR as that phone's account
 *     cl_free(a); sim_fx_free(&fx);
 *
 * Each cl_fx embeds an fx_client (sim_fixture.h) so the simulator's memory host writes into its
 * buffers; bytes move only in cl_pump, never from inside a callback, as a real loop would. */
#ifndef WB_TEST_CLIENT_FIXTURE_H
#define WB_TEST_CLIENT_FIXTURE_H

#include "client/client.h"
#include "wb_proto.h"
#include "sim_fixture.h"
#include "store/store.h"

#define CL_EVENTS 4096
#define CL_MAX 16

typedef struct cl_msg {
    char text[256];
    char chat[96], id[64], participant[96], push_name[64];
    int from_me, append, replay;
} cl_msg;

typedef struct cl_fx {
    fx_client net;            /* must be first: the simulator's io writes into net.to_client */
    sim_fx *fx;
    wb_client *c;
    wb_store *st;
    int own_store;
    int want_connect;         /* the client asked for a socket */
    int want_close;           /* the client asked to close it */
    int socket_open;
    int mute;                 /* the network drops everything both ways (a dead socket) */
    /* what happened */
    int nevents;
    int types[CL_EVENTS];
    char qr[512];             /* the last QR */
    char code[16];            /* the last pairing code */
    int opened, closed, linked, last_reason, last_final;
    int64_t *seqs;            /* message rows delivered */
    size_t nseqs, seqs_cap;
    cl_msg *msgs;             /* messages.upsert, in order */
    size_t nmsgs, msgs_cap;
    int statuses[8];          /* messages.update seen, by status */
    int auto_handled;         /* call wb_client_handled for each message event */
    /* every event, after the fixture's own bookkeeping (may be NULL) */
    void (*on_event)(struct cl_fx *h, const wb_client_event *ev);
    void *data;
} cl_fx;

static cl_fx *cl_all[CL_MAX];
static int cl_n;

static void cl_io_connect(void *ud) { ((cl_fx *)ud)->want_connect = 1; }

static int cl_io_send(void *ud, const uint8_t *data, size_t len) {
    cl_fx *h = ud;
    if (!h->socket_open)
        return WB_ECLOSED;
    return wb_buf_append(&h->net.to_server, data, len);
}

static void cl_io_close(void *ud, int abort, const char *why) { ((cl_fx *)ud)->want_close = 1; }

static void cl_io_event(void *ud, const wb_client_event *ev) {
    cl_fx *h = ud;
    if (h->nevents < CL_EVENTS)
        h->types[h->nevents++] = ev->type;
    switch (ev->type) {
    case WB_CLIENT_EV_QR:
        snprintf(h->qr, sizeof h->qr, "%s", ev->qr.text);
        break;
    case WB_CLIENT_EV_PAIR_CODE:
        snprintf(h->code, sizeof h->code, "%s", ev->pair_code.code);
        break;
    case WB_CLIENT_EV_LINKED:
        h->linked++;
        break;
    case WB_CLIENT_EV_CONNECTION:
        if (ev->connection.state == WB_CONN_OPEN)
            h->opened++;
        if (ev->connection.state == WB_CONN_CLOSE) {
            h->closed++;
            h->last_reason = ev->connection.reason;
            h->last_final = ev->connection.final;
        }
        break;
    case WB_CLIENT_EV_MESSAGE_STATUS:
        for (size_t i = 0; i < ev->status.n; i++)
            if (ev->status.updates[i].status >= 0 && ev->status.updates[i].status < 8)
                h->statuses[ev->status.updates[i].status]++;
        break;
    case WB_CLIENT_EV_MESSAGES:
        for (size_t i = 0; i < ev->messages.n; i++) {
            const Wa__WebMessageInfo *mi = ev->messages.msgs[i];
            if (h->nmsgs == h->msgs_cap) {
                h->msgs_cap = h->msgs_cap ? h->msgs_cap * 2 : 64;
                h->msgs = realloc(h->msgs, h->msgs_cap * sizeof *h->msgs);
            }
            cl_msg *m = &h->msgs[h->nmsgs++];
            memset(m, 0, sizeof *m);
            const char *t = mi->message ? wb_client_message_text(mi->message) : NULL;
            snprintf(m->text, sizeof m->text, "%s", t ? t : "");
            snprintf(m->chat, sizeof m->chat, "%s", mi->key && mi->key->remotejid ? mi->key->remotejid : "");
            snprintf(m->id, sizeof m->id, "%s", mi->key && mi->key->id ? mi->key->id : "");
            snprintf(m->participant, sizeof m->participant, "%s",
                     mi->key && mi->key->participant ? mi->key->participant : "");
            snprintf(m->push_name, sizeof m->push_name, "%s", mi->pushname ? mi->pushname : "");
            m->from_me = mi->key && mi->key->fromme;
            m->append = ev->messages.append;
            m->replay = ev->messages.replay;
            if (h->nseqs == h->seqs_cap) {
                h->seqs_cap = h->seqs_cap ? h->seqs_cap * 2 : 64;
                h->seqs = realloc(h->seqs, h->seqs_cap * sizeof *h->seqs);
            }
            h->seqs[h->nseqs++] = ev->messages.seqs[i];
        }
        if (h->auto_handled)
            wb_client_handled(h->c, ev->messages.seqs, ev->messages.n);
        break;
    default:
        break;
    }
    if (h->on_event)
        h->on_event(h, ev);
}

static uint64_t cl_io_now(void *ud) { return ((cl_fx *)ud)->fx->now_ms; }

static const wb_client_io cl_io = {cl_io_connect, cl_io_send, cl_io_close, cl_io_event,
                                   cl_io_now};

/* A client on store (NULL: a fresh in-memory one). cfg_in may be NULL. */
static inline cl_fx *cl_new(sim_fx *fx, wb_store *store, const wb_client_config *cfg_in) {
    cl_fx *h = calloc(1, sizeof *h);
    if (!h || cl_n == CL_MAX)
        abort();
    h->fx = fx;
    h->net.fx = fx;
    h->auto_handled = 1;
    wb_arena_init(&h->net.arena, 0);
    if (!store) {
        if (wb_store_open(&h->st, ":memory:", 0, NULL) < 0)
            abort();
        h->own_store = 1;
    } else {
        h->st = store;
    }
    uint8_t root[32];
    static uint8_t roots[CL_MAX][32];
    wb_sim_root_pub(fx->sim, root);
    memcpy(roots[cl_n], root, 32);
    wb_client_config cfg = cfg_in ? *cfg_in : (wb_client_config){0};
    cfg.store = h->st;
    cfg.root_pub = roots[cl_n];
    if (wb_client_new(&h->c, &cfg, &cl_io, h) < 0)
        abort();
    cl_all[cl_n++] = h;
    return h;
}

/* Frees the client (its socket is dropped first) and its store when it made it. */
static inline void cl_free(cl_fx *h) {
    if (h->net.conn)
        wb_sim_conn_free(h->net.conn);
    h->net.conn = NULL;
    wb_client_free(h->c);
    if (h->own_store)
        wb_store_close(h->st);
    wb_buf_free(&h->net.to_server);
    wb_buf_free(&h->net.to_client);
    wb_arena_free(&h->net.arena);
    free(h->seqs);
    free(h->msgs);
    for (int i = 0; i < cl_n; i++)
        if (cl_all[i] == h)
            cl_all[i] = cl_all[--cl_n];
    free(h);
}

/* One round of moving bytes and socket events for h. Returns 1 when something happened. */
static inline int cl_pump(cl_fx *h) {
    int moved = 0;
    if (h->want_connect) {
        h->want_connect = 0;
        h->net.closed = 0;
        if (wb_sim_conn_new(h->fx->sim, &h->net, "memory", &h->net.conn) < 0)
            abort();
        h->socket_open = 1;
        wb_client_on_open(h->c, h->fx->now_ms);
        moved = 1;
    }
    if (h->net.to_server.len && h->net.conn) {
        wb_buf b = h->net.to_server;
        h->net.to_server = (wb_buf)WB_BUF_INIT;
        if (!h->net.closed && !h->mute)
            wb_sim_conn_feed(h->net.conn, b.data, b.len);
        wb_buf_free(&b);
        moved = 1;
    }
    if (h->net.to_client.len) {
        wb_buf b = h->net.to_client;
        h->net.to_client = (wb_buf)WB_BUF_INIT;
        if (h->socket_open && !h->want_close && !h->mute)
            wb_client_feed(h->c, b.data, b.len, h->fx->now_ms);
        wb_buf_free(&b);
        moved = 1;
    }
    if (h->socket_open && (h->want_close || h->net.closed) && !h->net.to_client.len &&
        !h->net.to_server.len) {
        h->socket_open = 0;
        h->want_close = 0;
        h->mute = 0;
        if (h->net.conn)
            wb_sim_conn_free(h->net.conn);
        h->net.conn = NULL;
        wb_client_on_close(h->c, h->fx->now_ms, "socket closed");
        moved = 1;
    }
    if (wb_client_deadline(h->c) <= h->fx->now_ms) {
        wb_client_tick(h->c, h->fx->now_ms);
        moved = 1;
    }
    return moved;
}

/* Pumps every client (and the simulator's own fx clients) until nothing moves. */
static inline void cl_run(sim_fx *fx) {
    for (int round = 0; round < 100000; round++) {
        int moved = 0;
        for (int i = 0; i < cl_n; i++)
            moved |= cl_pump(cl_all[i]);
        fx_pump_all(fx);
        if (!moved)
            return;
    }
    abort(); /* a livelock */
}

/* Moves the clock forward by ms in steps, running what falls due. */
static inline void cl_advance(sim_fx *fx, uint64_t ms) {
    uint64_t end = fx->now_ms + ms;
    while (fx->now_ms < end) {
        uint64_t next = end;
        for (int i = 0; i < cl_n; i++) {
            uint64_t d = wb_client_deadline(cl_all[i]->c);
            if (d > fx->now_ms && d < next)
                next = d;
        }
        fx->now_ms = next;
        cl_run(fx);
    }
}

static inline int cl_start(cl_fx *h) { return wb_client_start(h->c, h->fx->now_ms); }

/* Links h by QR as the account of phone (scan-qr), then runs until it is logged in. Returns
 * the admin reply's status. */
static inline int cl_link_qr(sim_fx *fx, cl_fx *h, const char *phone, const char *name) {
    cl_start(h);
    cl_run(fx);
    if (!h->qr[0])
        return -1;
    char query[128];
    snprintf(query, sizeof query, "phone=%s%s%s", phone, name ? "&name=" : "", name ? name : "");
    fx_reply r;
    fx_http(fx, "POST", "/admin/mock-phone/scan-qr", query, h->qr, &r);
    cl_run(fx);
    return r.status;
}


/* ---- messages ------------------------------------------------------------------------------ */

typedef struct cl_sent {
    int done, status;
    int64_t t;
    char id[64];
} cl_sent;

static void cl_on_sent(void *ud, int status, const wb_client_sent *s) {
    cl_sent *r = ud;
    r->done++;
    r->status = status;
    r->t = s->t;
    snprintf(r->id, sizeof r->id, "%s", s->id);
}

/* Sends text from h to jid; the outcome lands in *r (after cl_run). */
static inline int cl_send_text(cl_fx *h, const char *jid, const char *text, cl_sent *r) {
    Wa__Message m = WA__MESSAGE__INIT;
    m.conversation = (char *)text;
    memset(r, 0, sizeof *r);
    return wb_client_send_message(h->c, jid, &m, NULL, cl_on_sent, r);
}

/* How many received (not from us) messages h has seen with text. */
static inline int cl_count_text(const cl_fx *h, const char *text) {
    int n = 0;
    for (size_t i = 0; i < h->nmsgs; i++)
        n += !h->msgs[i].from_me && strcmp(h->msgs[i].text, text) == 0;
    return n;
}

#endif
