/* Receiving messages (NOTES §6.2). */
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"

struct wb_client_recv {
    int pending;
};

int wb_client_recv_init(wb_client *c) {
    c->recv = calloc(1, sizeof *c->recv);
    return c->recv ? 0 : WB_ENOMEM;
}

void wb_client_recv_free(wb_client *c) {
    free(c->recv);
    c->recv = NULL;
}

int wb_client_recv_flush(wb_client *c) { return 0; }
int wb_client_recv_pending(const wb_client *c) { return 0; }
int wb_client_recv_replay(wb_client *c) { return 0; }

int wb_client_handled_flush(wb_client *c) {
    c->nhandled = 0;
    return 0;
}

int wb_client_on_message(wb_client *c, wb_node *n) {
    if (wb_node_attr(n, "offline"))
        c->backlog_count++;
    return 0;
}
