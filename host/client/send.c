/* Sending messages (NOTES §6.1). */
#include <stdlib.h>

#include "client/client_int.h"

struct wb_client_sends {
    int unused;
};

int wb_client_sends_init(wb_client *c) {
    c->sends = calloc(1, sizeof *c->sends);
    return c->sends ? 0 : WB_ENOMEM;
}

void wb_client_sends_free(wb_client *c) {
    free(c->sends);
    c->sends = NULL;
}

void wb_client_sends_fail_all(wb_client *c, int status) {}
uint64_t wb_client_sends_deadline(const wb_client *c) { return UINT64_MAX; }
void wb_client_sends_tick(wb_client *c) {}
int wb_client_on_ack(wb_client *c, wb_node *n) { return 0; }

int wb_client_send_message(wb_client *c, const char *jid, const struct Wa__Message *m,
                           const wb_client_send_opts *opts, wb_client_send_fn fn, void *ud) {
    return WB_EUNSUPPORTED;
}
