/* Groups (NOTES §6.4). */
#include "client/client_int.h"

int wb_client_send_group(wb_client *c, const wb_jid *group, const struct Wa__Message *m,
                         const wb_client_send_opts *opts, wb_client_send_fn fn, void *ud) {
    return WB_EUNSUPPORTED;
}
