/* The inbox: <message> stanzas held until the end of the loop turn (or until something else
 * arrives, or WB_INBOX_MAX of them), then handed to recv.c in the order they came.
 *
 * Why hold them: a burst of group messages (the offline backlog of a busy group) spends most of
 * its time on the senders' signatures, ~20 us of Ed25519 each (with the sender key's table,
 * crypto/ed25519_verify.h) against ~35 us for all the rest of a message (decode, decrypt,
 * store). Decrypting must go one by one (each step of a sender key chain needs the one before,
 * and the store is one connection), but the signatures are independent: taken together, the signatures of the held messages are checked on every core
 * (core/parallel.h) first, then the messages are decrypted in order with their checks done
 * (host/signal: wb_signal_group_check_*); the checks run on the pool's workers while this thread
 * decrypts, so the two overlap. Nothing is acknowledged before recv.c's commit, so
 * holding changes nothing for durability; and since any other stanza takes the held messages
 * first, the order in which stanzas are handled is the order in which they arrived. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "binary/codec.h"
#include "client/client_int.h"
#include "core/log.h"
#include "core/parallel.h"
#include "wa/message.h"

#define WB_INBOX_MAX 256

typedef struct held {
    size_t off, len; /* the payload, in bytes */
} held;

struct wb_client_inbox {
    wb_buf bytes;    /* the held payloads, one after the other */
    held v[WB_INBOX_MAX];
    size_t n;
    int taking;      /* inside wb_client_inbox_take: a flush from a handler takes nothing */
    wb_arena arena;  /* the held stanzas' nodes while they are taken */
    wb_signal_group_check checks[WB_INBOX_MAX];
};

int wb_client_inbox_init(wb_client *c) {
    c->inbox = calloc(1, sizeof *c->inbox);
    if (!c->inbox)
        return WB_ENOMEM;
    wb_arena_init(&c->inbox->arena, 0);
    return 0;
}

void wb_client_inbox_free(wb_client *c) {
    struct wb_client_inbox *in = c->inbox;
    if (!in)
        return;
    /* held stanzas were never acknowledged: the server delivers them again */
    wb_buf_free_secret(&in->bytes);
    wb_arena_free(&in->arena);
    free(in);
    c->inbox = NULL;
}

int wb_client_inbox_pending(const wb_client *c) { return c->inbox && c->inbox->n > 0; }

int wb_client_inbox_put(wb_client *c, const uint8_t *payload, size_t len) {
    struct wb_client_inbox *in = c->inbox;
    if (in->n == WB_INBOX_MAX) {
        int rc = wb_client_inbox_take(c);
        if (rc < 0)
            return rc;
    }
    held *h = &in->v[in->n];
    h->off = in->bytes.len;
    h->len = len;
    if (wb_buf_append(&in->bytes, payload, len) < 0)
        return WB_ENOMEM;
    in->n++;
    return 0;
}

/* Fills check i for the skmsg of message n, if it has one and is from a group. */
static void prepare(wb_client *c, wb_node *n, wb_signal_group_check *chk) {
    struct wb_client_inbox *in = c->inbox;
    memset(chk, 0, sizeof *chk);
    wb_wa_message m;
    if (wb_wa_message_read(n, &in->arena, &m, NULL) < 0 ||
        !(wb_jid_on(&m.chat, WB_SERVER_GROUP) || wb_jid_on(&m.chat, WB_SERVER_BROADCAST)))
        return;
    for (size_t i = 0; i < m.nencs; i++) {
        if (strcmp(m.encs[i].type, "skmsg") != 0)
            continue;
        char addr[WB_SIGNAL_ADDR_MAX], group[WB_JID_STR_MAX];
        if (wb_client_address(c, &m.sender, addr) < 0)
            return;
        wb_jid_format(&m.chat, group, sizeof group);
        wb_signal_group_check_prepare(c->sig, group, addr, m.encs[i].data, m.encs[i].len, chk);
        return;
    }
}

static void run_check(void *ctx, size_t i) {
    wb_signal_group_check_run((wb_signal_group_check *)ctx + i);
}

/* Until chk is done: other checks nobody has taken yet are run here, else the thread yields (a
 * worker is running chk; a signature takes ~20 us). */
static void wait_check(wb_parallel_job *job, wb_signal_group_check *chk) {
    while (!atomic_load_explicit(&chk->done, memory_order_acquire)) {
        size_t k;
        if (wb_parallel_claim(job, &k))
            run_check(job->ctx, k);
        else
            sched_yield();
    }
}

int wb_client_inbox_take(wb_client *c) {
    struct wb_client_inbox *in = c->inbox;
    if (!in || !in->n || in->taking)
        return 0;
    in->taking = 1;
    size_t n = in->n;
    wb_node *nodes[WB_INBOX_MAX];
    size_t nchecks = 0;
    for (size_t i = 0; i < n; i++) {
        wb_error e = {0};
        nodes[i] = NULL;
        if (wb_node_decode_payload(&in->arena, in->bytes.data + in->v[i].off, in->v[i].len,
                                   &nodes[i], &e) < 0) {
            nodes[i] = NULL; /* conn.c decoded it once already: cannot happen */
            continue;
        }
        prepare(c, nodes[i], &in->checks[i]);
        nchecks += in->checks[i].ready;
    }
    /* the checks run in the background while the messages are taken in order; a message whose
     * check is not done yet waits for it, taking other checks meanwhile */
    wb_parallel_job job;
    wb_parallel_begin(&job, nchecks ? n : 0, run_check, in->checks);
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0 && c->state != WB_ST_CLOSING; i++) {
        if (!nodes[i])
            continue;
        if (in->checks[i].ready)
            wait_check(&job, &in->checks[i]);
        rc = wb_client_on_message_checked(c, nodes[i], in->checks[i].ready ? &in->checks[i] : NULL);
        if (rc < 0)
            wb_client_close(c, WB_REASON_BAD_SESSION, "cannot handle <message>: %s",
                            wb_strerror(rc));
    }
    wb_parallel_end(&job); /* nothing of the job runs after this */
    /* messages left after a close were never acknowledged: the server delivers them again */
    in->n = 0;
    wb_buf_reset(&in->bytes);
    wb_arena_reset(&in->arena);
    in->taking = 0;
    return rc;
}
