/* A byte budget shared by many buffers: the server-wide cap on what connections may hold in
 * memory (request bodies, unread input, write queues, the simulator's delayed output), so that
 * many connections together cannot take the process's memory however each one behaves.
 *
 * Holders take bytes before they buffer them and give them back when the bytes are gone; a take
 * that would pass the cap fails and the holder refuses the work (a 503, a closed connection)
 * instead of buffering. A holder that tracks its own charge moves it with wb_budget_set:
 *
 *     size_t charged = 0;                                   // what this holder has taken
 *     if (wb_budget_set(b, &charged, bytes_now) < 0) refuse();
 *     ...
 *     wb_budget_set(b, &charged, 0);                        // at the end
 *
 * A NULL budget takes anything. One thread: the budget belongs to its loop. */
#ifndef WB_CORE_BUDGET_H
#define WB_CORE_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct wb_budget {
    size_t cap;       /* 0: no limit */
    size_t used;      /* taken now */
    size_t peak;      /* the most ever taken at once */
    uint64_t refused; /* takes that failed */
    /* Told of every refusal (for counters); may be NULL. */
    void (*on_refused)(void *ud, size_t asked);
    void *ud;
} wb_budget;

/* Takes n bytes: 0, or WB_ETOOBIG (nothing taken, counted in refused). */
static inline int wb_budget_take(wb_budget *b, size_t n) {
    if (!b || !n)
        return 0;
    if (b->cap && (n > b->cap || b->used > b->cap - n)) {
        b->refused++;
        if (b->on_refused)
            b->on_refused(b->ud, n);
        return WB_ETOOBIG;
    }
    b->used += n;
    if (b->used > b->peak)
        b->peak = b->used;
    return 0;
}

/* Gives back n bytes taken before. */
static inline void wb_budget_give(wb_budget *b, size_t n) {
    if (b)
        b->used = n < b->used ? b->used - n : 0;
}

/* Moves a holder's charge *held to want: takes or gives the difference. Returns 0, or
 * WB_ETOOBIG with *held unchanged when the growth does not fit. */
static inline int wb_budget_set(wb_budget *b, size_t *held, size_t want) {
    if (want > *held) {
        if (wb_budget_take(b, want - *held) < 0)
            return WB_ETOOBIG;
    } else {
        wb_budget_give(b, *held - want);
    }
    *held = want;
    return 0;
}

#endif
