/* The stall and delay faults' buffers (hold.h): a queue of messages with due times and the
 * input held during a stall, charged to the server's budget. */
#include "sim/hold.h"

#include <stdlib.h>
#include <string.h>

struct wb_sim_held {
    wb_sim_held *next;
    uint64_t due_ms; /* WB_SIM_HOLD_NEVER while stalled */
    size_t len;
    uint8_t data[];
};

/* Charges what is held now (by capacity for the input) to the budget. */
static int charge(wb_sim_hold *h, size_t in_cap, size_t out_bytes) {
    return wb_budget_set(h->budget, &h->charged, in_cap + out_bytes);
}

void wb_sim_hold_init(wb_sim_hold *h, wb_budget *budget) {
    memset(h, 0, sizeof *h);
    h->budget = budget;
    h->tail = &h->out;
}

void wb_sim_hold_free(wb_sim_hold *h) {
    while (h->out) {
        wb_sim_held *m = h->out;
        h->out = m->next;
        free(m);
    }
    h->tail = &h->out;
    h->out_bytes = 0;
    wb_buf_free(&h->in);
    charge(h, 0, 0);
}

int wb_sim_hold_send(wb_sim_hold *h, uint64_t now, const uint8_t *data, size_t len) {
    if (!h->stalled && !h->delay_ms && !h->out)
        return 1;
    if (len > WB_SIM_HOLD_MAX - h->out_bytes || charge(h, h->in.cap, h->out_bytes + len) < 0)
        return WB_ETOOBIG;
    wb_sim_held *m = malloc(sizeof *m + len);
    if (!m) {
        charge(h, h->in.cap, h->out_bytes);
        return WB_ENOMEM;
    }
    m->next = NULL;
    /* flushing stops at the first message not due, so none overtakes the one ahead of it */
    m->due_ms = h->stalled ? WB_SIM_HOLD_NEVER : now + h->delay_ms;
    m->len = len;
    if (len)
        memcpy(m->data, data, len);
    *h->tail = m;
    h->tail = &m->next;
    h->out_bytes += len;
    return 0;
}

int wb_sim_hold_input(wb_sim_hold *h, const uint8_t *data, size_t len) {
    if (!h->stalled)
        return 1;
    if (len > WB_SIM_HOLD_MAX - h->in.len)
        return WB_ETOOBIG;
    /* charge the growth first: the buffer may double */
    size_t cap = h->in.cap;
    while (cap < h->in.len + len)
        cap = cap ? cap * 2 : 64;
    if (charge(h, cap, h->out_bytes) < 0)
        return WB_ETOOBIG;
    int rc = wb_buf_append(&h->in, data, len);
    charge(h, h->in.cap, h->out_bytes);
    return rc < 0 ? rc : 0;
}

void wb_sim_hold_stall(wb_sim_hold *h) { h->stalled = 1; }

void wb_sim_hold_stall_end(wb_sim_hold *h, uint64_t now, wb_buf *in) {
    h->stalled = 0;
    for (wb_sim_held *m = h->out; m; m = m->next)
        if (m->due_ms == WB_SIM_HOLD_NEVER)
            m->due_ms = now + h->delay_ms;
    *in = h->in;
    wb_buf_init(&h->in);
    charge(h, 0, h->out_bytes);
}

void wb_sim_hold_delay(wb_sim_hold *h, unsigned ms) { h->delay_ms = ms; }

uint64_t wb_sim_hold_flush(wb_sim_hold *h, uint64_t now,
                           int (*send)(void *ud, const uint8_t *data, size_t len), void *ud) {
    while (!h->stalled && h->out && h->out->due_ms <= now) { /* a stall holds even what is due */
        wb_sim_held *m = h->out;
        h->out = m->next;
        if (!h->out)
            h->tail = &h->out;
        h->out_bytes -= m->len;
        int rc = send(ud, m->data, m->len);
        free(m);
        charge(h, h->in.cap, h->out_bytes);
        if (rc < 0)
            break;
    }
    return wb_sim_hold_next(h);
}

uint64_t wb_sim_hold_next(const wb_sim_hold *h) {
    return h->out && !h->stalled ? h->out->due_ms : WB_SIM_HOLD_NEVER;
}

int wb_sim_hold_pending(const wb_sim_hold *h) { return h->out != NULL; }
