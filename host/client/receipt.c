/* Receipts and acks (NOTES §6.2, §6.3). */
#include <string.h>

#include "client/client_int.h"
#include "core/log.h"

int wb_client_ack_stanza(wb_client *c, const wb_node *n) {
    wb_node *ack = WB_NODE(&c->arena, "ack", {"id", wb_node_attr(n, "id")},
                           {"to", wb_node_attr(n, "from")}, {"class", n->tag},
                           {"participant", wb_node_attr(n, "participant")},
                           {"recipient", wb_node_attr(n, "recipient")},
                           {"type", wb_node_attr(n, "type")});
    return wb_client_send_node(c, ack);
}

int wb_client_on_receipt(wb_client *c, wb_node *n) {
    return wb_client_ack_stanza(c, n);
}
