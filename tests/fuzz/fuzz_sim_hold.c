/* Fuzz target: what the stall and delay faults hold back for a socket (host/sim/hold.h), driven
 * by a program of operations against a clock of its own.
 *
 * Input: a list of operations, one byte each plus arguments: send N bytes, input N bytes, stall,
 * end the stall, set the delay, let time pass, flush. Oracle: what goes out is exactly what was
 * sent and accepted, in order, never before its due time and never while stalled; input held
 * during a stall comes back whole and in order when it ends; what is held never passes
 * WB_SIM_HOLD_MAX, the budget never passes its cap and is back at zero at the end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct model {
    uint64_t now;
    uint32_t next_out;   /* number of the next message sent */
    uint32_t next_seen;  /* number of the next message expected out */
    uint32_t held_in;    /* input bytes held, as a counter of their first byte */
    uint64_t due[4096];  /* earliest time message i may go out */
    int stalled;
} model;

static int sent_out(void *ud, const uint8_t *p, size_t n) {
    model *m = ud;
    if (m->stalled || n < 4)
        abort();
    uint32_t id;
    memcpy(&id, p, 4);
    if (id != m->next_seen || (id < 4096 && m->due[id] > m->now))
        abort(); /* out of order, or early */
    m->next_seen++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t payload[256 * 1024 + 1]; /* the largest send or input below */
    wb_budget budget = {.cap = (size_t)1 << 22};
    wb_sim_hold h;
    wb_sim_hold_init(&h, &budget);
    model m = {.now = 1000};
    unsigned delay = 0;
    uint64_t in_expected = 0, in_got = 0;
    for (size_t i = 0; i + 1 < size; i += 2) {
        uint8_t op = data[i] % 7, arg = data[i + 1];
        if (op == 0) { /* send a message of arg * 256 + 4 bytes, numbered */
            size_t n = (size_t)arg * 256 + 4;
            memcpy(payload, &m.next_out, 4);
            int rc = wb_sim_hold_send(&h, m.now, payload, n);
            if (rc == 1) {
                if (m.next_seen != m.next_out || m.stalled)
                    abort(); /* sending now would overtake, or break a stall */
                m.next_out++;
                m.next_seen++;
            } else if (rc == 0) {
                if (m.next_out < 4096) /* held by a stall: due only once it ends */
                    m.due[m.next_out] = m.stalled ? UINT64_MAX : m.now + delay;
                m.next_out++;
            } else if (rc != WB_ETOOBIG) {
                abort();
            }
        } else if (op == 1) { /* input of arg * 1024 bytes */
            size_t n = (size_t)arg * 1024 + 1;
            int rc = wb_sim_hold_input(&h, payload, n);
            if (rc == 1 && m.stalled)
                abort();
            if (rc == 0)
                in_expected += n;
            if (rc < 0 && rc != WB_ETOOBIG)
                abort();
        } else if (op == 2) {
            wb_sim_hold_stall(&h);
            m.stalled = 1;
        } else if (op == 3) {
            wb_buf in;
            wb_sim_hold_stall_end(&h, m.now, &in);
            m.stalled = 0;
            for (uint32_t k = m.next_seen; k < m.next_out && k < 4096; k++)
                if (m.due[k] == UINT64_MAX)
                    m.due[k] = m.now + delay; /* held by the stall: due after it, delayed */
            in_got += in.len;
            wb_buf_free(&in);
        } else if (op == 4) {
            delay = (unsigned)arg * 10;
            wb_sim_hold_delay(&h, delay);
        } else if (op == 5) {
            m.now += (uint64_t)arg * 7;
        } else {
            uint64_t next = wb_sim_hold_flush(&h, m.now, sent_out, &m);
            if (next != WB_SIM_HOLD_NEVER && next <= m.now && !m.stalled)
                abort(); /* something due was left behind */
        }
        if (h.out_bytes > WB_SIM_HOLD_MAX || h.in.len > WB_SIM_HOLD_MAX || budget.used > budget.cap ||
            budget.used != h.charged)
            abort();
    }
    /* the stall ends, time passes: everything sent comes out, all input comes back */
    wb_buf in;
    wb_sim_hold_stall_end(&h, m.now, &in);
    m.stalled = 0;
    for (uint32_t k = m.next_seen; k < m.next_out && k < 4096; k++)
        if (m.due[k] == UINT64_MAX)
            m.due[k] = m.now + delay;
    in_got += in.len;
    wb_buf_free(&in);
    m.now += 1u << 30;
    wb_sim_hold_flush(&h, m.now, sent_out, &m);
    if (m.next_seen != m.next_out || in_got != in_expected || wb_sim_hold_pending(&h))
        abort();
    wb_sim_hold_free(&h);
    if (budget.used != 0)
        abort();
    return 0;
}
