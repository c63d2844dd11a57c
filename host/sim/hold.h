/* What the stall and delay faults hold back for one socket, without I/O: server.c plays the
 * faults with timers around it, and tests/fuzz/fuzz_sim_hold.c drives it with a clock of its own.
 *
 *   - stall: input and output (even output a delay had made due) are held until the stall ends
 *     (input up to WB_SIM_HOLD_MAX, then the socket is given up);
 *   - delay: every message sent from now on goes out delay_ms after it was sent, in order (a
 *     message never overtakes an earlier one, so a shorter delay set later waits behind it);
 *   - memory: what is held is charged to a budget (the server's), and output beyond
 *     WB_SIM_HOLD_MAX or the budget is refused, so a fault cannot make the process grow without
 *     bound.
 *
 *     wb_sim_hold h;  wb_sim_hold_init(&h, budget);
 *     rc = wb_sim_hold_send(&h, now, bytes, n);     // 1: send them now; 0: held; < 0: refused
 *     wb_sim_hold_flush(&h, now, send, ud);         // sends what is due; returns the next due time
 *     ...
 *     wb_sim_hold_free(&h);                         // everything given back */
#ifndef WB_SIM_HOLD_H
#define WB_SIM_HOLD_H

#include <stddef.h>
#include <stdint.h>

#include "core/budget.h"
#include "core/buf.h"

#define WB_SIM_HOLD_MAX (16u << 20) /* held input, and held output, per socket */
#define WB_SIM_HOLD_NEVER UINT64_MAX

typedef struct wb_sim_held wb_sim_held;

typedef struct wb_sim_hold {
    wb_budget *budget;          /* borrowed; NULL: none */
    int stalled;
    unsigned delay_ms;
    wb_buf in;                  /* input that arrived during a stall */
    wb_sim_held *out, **tail;   /* output waiting for a stall or a delay, in order */
    size_t out_bytes;
    size_t charged;             /* taken from the budget for in and out */
} wb_sim_hold;

void wb_sim_hold_init(wb_sim_hold *h, wb_budget *budget);
/* Drops what is held and gives its bytes back. */
void wb_sim_hold_free(wb_sim_hold *h);

/* A message for the socket at time now (ms): returns 1 when nothing holds it back (the caller
 * sends it now), 0 when it is held, WB_ETOOBIG when holding it would pass WB_SIM_HOLD_MAX or the
 * budget (the caller gives the socket up), WB_ENOMEM. */
int wb_sim_hold_send(wb_sim_hold *h, uint64_t now, const uint8_t *data, size_t len);
/* Input from the socket: returns 1 when not stalled (the caller handles it now), 0 when it is
 * held, WB_ETOOBIG or WB_ENOMEM as above. */
int wb_sim_hold_input(wb_sim_hold *h, const uint8_t *data, size_t len);

/* Starts a stall (input and output held until wb_sim_hold_stall_end). */
void wb_sim_hold_stall(wb_sim_hold *h);
/* Ends a stall at time now: held output becomes due after the current delay; the held input is
 * moved into *in (the caller feeds it, then frees it). */
void wb_sim_hold_stall_end(wb_sim_hold *h, uint64_t now, wb_buf *in);
/* Later messages go out ms late. */
void wb_sim_hold_delay(wb_sim_hold *h, unsigned ms);

/* Sends, through send, every held message due at now, in order, and stops at the first that is
 * not (or when send returns negative); nothing while stalled. Returns when the next one is due
 * (WB_SIM_HOLD_NEVER: none, or stalled). */
uint64_t wb_sim_hold_flush(wb_sim_hold *h, uint64_t now,
                           int (*send)(void *ud, const uint8_t *data, size_t len), void *ud);
/* When the first held message is due (WB_SIM_HOLD_NEVER: none, or stalled). */
uint64_t wb_sim_hold_next(const wb_sim_hold *h);
/* 1 while anything waits to be sent. */
int wb_sim_hold_pending(const wb_sim_hold *h);

#endif
