/* host/signal's private parts, shared by keys.c, session.c and group.c. */
#ifndef WB_SIGNAL_SIGNAL_INT_H
#define WB_SIGNAL_SIGNAL_INT_H

#include "core/buf.h"
#include "crypto/curve.h"
#include "signal/signal.h"
#include "store/store.h"

struct wb_signal {
    wb_store *st;
    uint32_t registration_id;
    wb_keypair identity;
    /* scratch buffers reused by every call, so a steady conversation allocates nothing */
    wb_buf rec;   /* the record as loaded */
    wb_buf state; /* one state being written */
    wb_buf out;   /* the record being written */
    wb_buf msg;   /* a message being built */
};

/* Ends the transaction level a public call opened: commit if rc is 0, else roll back. Returns rc,
 * or the commit's error. */
int wb_signal_finish(wb_signal *s, int rc);
/* The same, and on failure takes back (zeroed) whatever the call appended to out past start. */
int wb_signal_finish_out(wb_signal *s, int rc, wb_buf *out, size_t start);

#endif
